"""Shapes of what the file connector reads: column presets and the mapped row.

An imported file has columns; a preset says which column names (case, accents and spacing
ignored) feed which Vigie field. Nested JSON records are flattened to dotted names first, so
``reviewer.displayName`` is a column like any other. Unknown columns are ignored.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict

from vigie.connectors.platforms import gettext_noop

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
    "likes",
    "shares",
    "replies_count",
    "owner_reply",
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
        # The organisation's answer already published on the platform.
        "owner_reply": ["owner_reply", "reply", "response", "reponse", "reponse du proprietaire"],
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
        "owner_reply": ["company response", "company reply", "company reply text", "reply"],
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
        "owner_reply": ["reviewreply.comment", "properties.owner_response.text"],
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
        "owner_reply": ["reponse du marchand", "reponse marchand", "reponse", "commentaire marchand"],
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

# Exports of social platforms and employer sites. Nested JSON is flattened to dotted names first.
PRESETS.update(
    {
        # X: an API answer saved as JSON ({"data": [...]}: only id and text unless fields were
        # requested) or the account archive's tweets.js (window.YTD.tweets.part0 = [{"tweet": …}]).
        "x": {
            "external_id": ["id", "tweet.id_str", "tweet.id", "tweet id", "tweet_id"],
            "created_at": ["created_at", "tweet.created_at", "time", "date"],
            # A post over 280 characters: ``text`` is cut, ``note_tweet.text`` is whole.
            "text": ["note_tweet.text", "text", "tweet.full_text", "tweet.text", "tweet text"],
            "author_id": ["author_id", "user_id"],
            "author_handle": ["username", "author_username", "screen_name"],
            "author_name": ["name", "author_name"],
            "url": ["url", "permalink", "tweet permalink"],
            "language": ["lang", "tweet.lang", "language"],
            "parent_id": ["in_reply_to_status_id", "tweet.in_reply_to_status_id_str"],
            "likes": ["public_metrics.like_count", "like_count", "tweet.favorite_count", "likes"],
            "shares": [
                "public_metrics.retweet_count",
                "retweet_count",
                "tweet.retweet_count",
                "retweets",
                "reposts",
            ],
            "replies_count": ["public_metrics.reply_count", "reply_count", "replies"],
        },
        # YouTube: commentThreads.list answers saved as JSON ({"items": [...]}) or a CSV of them.
        "youtube": {
            "external_id": ["id", "comment id", "comment_id"],
            "created_at": [
                "snippet.toplevelcomment.snippet.publishedat",
                "publishedat",
                "published at",
                "date",
            ],
            "text": [
                "snippet.toplevelcomment.snippet.textoriginal",
                "snippet.toplevelcomment.snippet.textdisplay",
                "textoriginal",
                "comment",
                "text",
            ],
            "author_name": [
                "snippet.toplevelcomment.snippet.authordisplayname",
                "authordisplayname",
                "author",
            ],
            "author_id": [
                "snippet.toplevelcomment.snippet.authorchannelid.value",
                "authorchannelid",
                "channel id",
            ],
            "url": ["url", "link"],
            "parent_id": ["snippet.parentid", "parent comment id", "parent_id"],
            "likes": ["snippet.toplevelcomment.snippet.likecount", "likecount", "likes"],
            "replies_count": ["snippet.totalreplycount", "totalreplycount", "replies"],
        },
        # Reddit: a listing saved as JSON ({"data": {"children": [{"kind": "t3", "data": …}]}}).
        "reddit": {
            "external_id": ["data.name", "name", "id"],
            "created_at": ["data.created_utc", "created_utc", "date"],
            "title": ["data.title", "title"],
            "text": ["data.selftext", "data.body", "selftext", "body", "text"],
            "author_name": ["data.author", "author"],
            "author_id": ["data.author_fullname", "author_fullname"],
            "url": ["data.permalink", "permalink", "url"],
            "parent_id": ["data.parent_id", "parent_id"],
            "likes": ["data.score", "score", "data.ups", "ups"],
            "replies_count": ["data.num_comments", "num_comments"],
        },
        # LinkedIn: the page's comments and shares as LinkedIn's data export writes them
        # (Comments.csv: Date, Link, Message; Shares.csv: Date, ShareLink, ShareCommentary).
        "linkedin": {
            "external_id": ["id", "link", "sharelink"],
            "created_at": ["date", "created at"],
            "text": ["message", "sharecommentary", "comment", "text"],
            "author_name": ["author", "name", "member"],
            "url": ["link", "sharelink", "url"],
            "likes": ["likes", "reactions", "likes count"],
            "shares": ["reposts", "shares"],
            "replies_count": ["comments", "comments count", "replies"],
        },
        # Glassdoor and Indeed: no official export; spreadsheets from their review pages (or tools
        # that copy them), English or French headings. "Helpful" votes count as likes.
        "glassdoor": {
            "external_id": ["review_id", "review id", "id", "url"],
            "created_at": ["review_date", "date", "review date", "date de l'avis"],
            "title": ["headline", "title", "summary", "titre"],
            "text": ["review", "review_text", "avis", "comment"],
            "rating": ["rating_overall", "overall rating", "rating", "note", "note globale"],
            "author_name": ["job_title", "job title", "poste", "author"],
            "url": ["url", "link", "lien"],
            "pros": ["pros", "avantages"],
            "cons": ["cons", "inconvenients"],
            "likes": ["helpful_count", "helpful", "utile", "count_helpful"],
        },
        "indeed": {
            "external_id": ["review_id", "review id", "id", "url"],
            "created_at": ["date", "review_date", "review date", "date de l'avis"],
            "title": ["title", "review_title", "titre"],
            "text": ["text", "review", "review_text", "avis"],
            "rating": ["rating", "overall rating", "note"],
            "author_name": ["job_title", "job title", "poste", "author"],
            "url": ["url", "link", "lien"],
            "pros": ["pros", "avantages"],
            "cons": ["cons", "inconvenients"],
            "likes": ["helpful", "helpful_count", "yes votes", "utile"],
        },
    }
)

# Presets whose dates are documented in a fixed timezone (Trustpilot's columns say "(UTC)").
PRESET_TIMEZONES = {
    "trustpilot": "UTC",
    "google_takeout": "UTC",
    "x": "UTC",
    "youtube": "UTC",
    "reddit": "UTC",
}

# Presets whose links are relative to the platform (Reddit's ``permalink`` is "/r/…/comments/…").
PRESET_URL_BASES = {"reddit": "https://www.reddit.com"}

# Presets whose ids carry their creation time (X snowflakes).
SNOWFLAKE_PRESETS = frozenset({"x"})

# What the Sources form shows for each preset (French msgids): where the file comes from, not
# the preset's code.
PRESET_LABELS: dict[str, str] = {
    "generic": gettext_noop("Générique (colonnes id, date, texte, note, auteur…)"),
    "trustpilot": gettext_noop("Export Trustpilot (CSV ou XLSX)"),
    "google_takeout": gettext_noop("Google Takeout : avis Google (JSON)"),
    "skeepers": gettext_noop("Export Avis Vérifiés / Skeepers"),
    "employer": gettext_noop("Avis employeur recopiés (Glassdoor, Indeed…)"),
    "x": gettext_noop("X : réponse de l'API ou archive du compte"),
    "youtube": gettext_noop("YouTube : commentaires (JSON de l'API)"),
    "reddit": gettext_noop("Reddit : liste enregistrée en JSON"),
    "linkedin": gettext_noop("LinkedIn : export des données de la page"),
    "glassdoor": gettext_noop("Glassdoor : avis recopiés"),
    "indeed": gettext_noop("Indeed : avis recopiés"),
}


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
    likes: str = ""
    shares: str = ""
    replies_count: str = ""
    owner_reply: str = ""
