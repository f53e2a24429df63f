"""Shapes of what the file connector reads: column presets and the mapped row.

An imported file has columns; a preset says which column names (case, accents and spacing
ignored) feed which Vigie field. Nested JSON records are flattened to dotted names first, so
``reviewer.displayName`` is a column like any other. Unknown columns are ignored.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict

# The Vigie fields a column can feed.
TARGET_FIELDS = (
    "external_id",
    "created_at",
    "title",
    "text",
    "rating",
    "author_name",
    "author_handle",
    "author_id",
    "url",
    "language",
    "kind",
    "parent_id",
    "pros",
    "cons",
)

PRESETS: dict[str, dict[str, list[str]]] = {
    "generic": {
        "external_id": ["id", "external_id", "review_id", "identifiant"],
        "created_at": ["created_at", "date", "published_at", "published", "datetime", "date de publication"],
        "title": ["title", "titre", "subject", "sujet"],
        "text": ["text", "content", "review", "comment", "body", "message", "texte", "avis", "commentaire"],
        "rating": ["rating", "stars", "note", "score", "rate"],
        "author_name": ["author", "author_name", "author.name", "name", "auteur", "nom", "reviewer"],
        "author_handle": ["handle", "username", "author_handle", "author.handle", "pseudo"],
        "author_id": ["author_id", "author.id", "user_id"],
        "url": ["url", "link", "lien"],
        "language": ["language", "lang", "langue"],
        "kind": ["kind", "type"],
        "parent_id": ["parent_id", "in_reply_to"],
    },
    # Trustpilot Business "export reviews" (CSV/XLSX).
    "trustpilot": {
        "external_id": ["review id", "reviewid", "id"],
        "created_at": ["review created (utc)", "review date", "created at", "date"],
        "title": ["review title", "title"],
        "text": ["review content", "review text", "content"],
        "rating": ["review stars", "stars", "rating"],
        "author_name": ["review consumer user name", "consumer name", "name"],
        "author_id": ["review consumer user id", "consumer id"],
        "url": ["review url", "link"],
        "language": ["review language", "language"],
    },
    # Google Takeout: Business Profile reviews (API shape under "reviews") and Maps reviews
    # (GeoJSON "features" with "properties").
    "google_takeout": {
        "external_id": ["reviewid", "name", "properties.google_maps_url"],
        "created_at": ["createtime", "updatetime", "properties.date"],
        "text": ["comment", "properties.review_text_published"],
        "rating": ["starrating", "properties.five_star_rating_published"],
        "author_name": ["reviewer.displayname", "properties.location.name"],
        "url": ["properties.google_maps_url"],
    },
    # Avis Vérifiés / Skeepers export.
    "skeepers": {
        "external_id": ["id avis", "id_avis", "review_id", "identifiant avis", "id"],
        "created_at": ["date de l'avis", "date avis", "review_date", "date_avis", "date"],
        "title": ["titre", "title"],
        "text": ["avis", "review", "commentaire", "texte", "message"],
        "rating": ["note", "rate", "rating"],
        "author_name": ["pseudo", "prenom", "firstname", "nom", "lastname"],
        "url": ["url", "lien"],
    },
    # Employer reviews copied from Glassdoor or Indeed (no export exists: a spreadsheet typed or
    # pasted by hand, French or English headings).
    "employer": {
        "external_id": ["id", "url", "lien"],
        "created_at": ["date", "date de l'avis", "review date"],
        "title": ["titre", "title", "titre de l'avis", "headline"],
        "text": ["avis", "review", "commentaire", "texte"],
        "rating": ["note", "note globale", "rating", "overall rating"],
        "author_name": ["poste", "intitule du poste", "job title", "auteur", "author"],
        "url": ["url", "lien", "link"],
        "pros": ["avantages", "pros", "points positifs"],
        "cons": ["inconvenients", "cons", "points negatifs"],
    },
}

# Presets whose dates are documented in a fixed timezone (Trustpilot's columns say "(UTC)").
PRESET_TIMEZONES = {"trustpilot": "UTC", "google_takeout": "UTC"}


def normalise_header(name: str) -> str:
    """A column name compared without case, accents or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", str(name))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().replace("’", "'").split())


class MappedRow(BaseModel):
    """A row once its columns are mapped to Vigie fields (all text, as read)."""

    model_config = ConfigDict(extra="ignore")

    external_id: str = ""
    created_at: Any = None
    title: str = ""
    text: str = ""
    rating: Any = None
    author_name: str = ""
    author_handle: str = ""
    author_id: str = ""
    url: str = ""
    language: str = ""
    kind: str = ""
    parent_id: str = ""
    pros: str = ""
    cons: str = ""
