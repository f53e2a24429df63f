"""The French cover note of a legal file, for a lawyer or a commissaire de justice: what was captured,
when, how, the hashes, and the day the three-month limit expires. HTML and PDF say the same thing.

The note is always in French (it is written for French proceedings) and its dates in the
organisation's time zone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import formats, translation

from vigie.connectors.platforms import platform_label
from vigie.core.models import Organisation
from vigie.evidence.models import Capture
from vigie.evidence.queries import Limitation
from vigie.evidence.steps import step_sentence, steps_of
from vigie.evidence.verify import french_utc
from vigie.inbox.models import Case
from vigie.mentions.models import Mention

STATUS_FR = {"complete": "complète", "partial": "partielle", "failed": "rendu impossible"}
# What a capture of a page can hold, in the order a reader looks for it; the note says which of
# these each capture actually has and which it could not get.
EXPECTED_FILES = {
    "screenshot.png": "capture d'écran pleine page",
    "page.pdf": "impression PDF de la page",
    "page.html": "HTML reçu par le navigateur",
    "rendered.html": "HTML après exécution des scripts",
    "page.mhtml": "archive MHTML de la page",
    "http.json": "échange HTTP direct (en-têtes, certificats, adresse IP)",
    "served.html": "HTML reçu par la requête directe",
    "payload.json": "données de la publication transmises par la plateforme",
    "environment.json": "environnement de capture",
}
METHOD_INTRO = (
    "Chaque capture ci-dessous indique les étapes effectuées, celles qui ont échoué ou n'ont pas pu "
    "être tentées et pourquoi, puis les fichiers réellement conservés. Chaque fichier conservé est "
    "haché en SHA-256 ; le manifeste de la capture (qui reprend ces étapes et ces empreintes) est "
    "signé Ed25519 par la clé de l'organisation et chaîné au manifeste précédent."
)
DISCLAIMER = (
    "Ce dossier ne remplace pas un procès-verbal de constat dressé par un commissaire de justice selon "
    "la norme NF Z67-147. Il rassemble les éléments techniques (captures, empreintes, signatures, "
    "horodatages) qui permettent d'agir vite et d'établir l'intégrité et la date des pièces."
)
LIMITATION_TEXT = (
    "Loi du 29 juillet 1881, article 65 : l'action publique et l'action civile en diffamation ou "
    "injure publiques se prescrivent par trois mois révolus à compter de la première publication. "
    "La date ci-dessous est calculée à partir de la date de publication indiquée par la plateforme ; "
    "elle est à confirmer par votre conseil."
)


@dataclass(frozen=True)
class CoverNote:
    organisation: Organisation
    mention: Mention
    case: Case | None
    captures: list[Capture]
    limitation: Limitation
    generated_at: datetime
    # What the legal file holds besides the captures, ``(name, description)``, said in the note.
    contents: tuple[tuple[str, str], ...] = ()

    def _when(self, moment: datetime) -> str:
        local = moment.astimezone(ZoneInfo(self.organisation.timezone))
        with translation.override("fr"):
            return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({self.organisation.timezone})"

    def _day(self) -> str:
        with translation.override("fr"):
            return str(formats.date_format(self.limitation.expires_on, "DATE_FORMAT"))

    def context(self) -> dict[str, Any]:
        mention = self.mention
        author = mention.author
        captures = []
        for capture in self.captures:
            manifest = json.loads(capture.manifest)
            held = set(manifest.get("files", {}))
            captures.append(
                {
                    "seq": capture.seq,
                    "when": self._when(capture.captured_at),
                    # The same moment in UTC, written as a French reader writes a date (the
                    # manifest keeps the ISO form, for machines).
                    "when_utc": french_utc(capture.captured_at),
                    "status": STATUS_FR.get(capture.status, capture.status),
                    "reasons": manifest.get("reasons", []),
                    "manifest_sha256": capture.manifest_sha256,
                    "previous_sha256": capture.prev_manifest_sha256,
                    "timestamped": bool(capture.timestamp_token),
                    "timestamp_error": capture.timestamp_error,
                    "timestamp": _timestamp_sentence(capture),
                    "steps": [step_sentence(item) for item in steps_of(manifest)],
                    "missing": [label for name, label in EXPECTED_FILES.items() if name not in held],
                    "files": sorted(
                        (name, facts["sha256"], facts["bytes"]) for name, facts in manifest["files"].items()
                    ),
                }
            )
        return {
            "organisation": self.organisation.name,
            "generated": self._when(self.generated_at),
            # The reference the team uses and the lawyer is given ("C-003449"), not a row number.
            "case": self.case.reference if self.case is not None else None,
            # Its name, as a lawyer reads it ("Google Business Profile", not "google_business").
            "platform": platform_label(mention.source.platform),
            "url": mention.url,
            "author": (author.display_name or author.handle) if author is not None else "inconnu",
            "author_handle": author.handle if author is not None else "",
            "published": self._when(mention.created_at),
            "text": (mention.text or mention.title)[:3000],
            # A review's stars, on the platform's scale as Vigie stores it (1 to 5).
            "rating": _rating(mention),
            "captures": captures,
            "expires": self._day(),
            "days_left": self.limitation.days_left,
            "limit_sentence": self._limit_sentence(),
            "limitation_text": LIMITATION_TEXT,
            "disclaimer": DISCLAIMER,
            "method": METHOD_INTRO,
            "verify_text": VERIFY_TEXT,
            "contents": list(self.contents),
        }

    def _limit_sentence(self) -> str:
        """When the three months end, or how long ago they ended (never "-90 jour(s) restant(s))."""
        days = self.limitation.days_left
        if days < 0:
            return f"Le délai de trois mois a expiré le {self._day()}, il y a {_days(-days)}."
        if days == 0:
            return f"Le délai de trois mois expire aujourd'hui, le {self._day()}."
        left = "1 jour restant" if days == 1 else f"{days} jours restants"
        return f"Le délai de trois mois expire le {self._day()} ({left})."

    def html(self) -> str:
        with translation.override("fr"):
            return render_to_string("evidence/cover_note.html", self.context())

    def pdf(self) -> bytes:
        from fpdf import FPDF

        data = self.context()
        pdf = FPDF(format="A4")
        pdf.set_auto_page_break(True, margin=15)
        pdf.add_page()
        width = pdf.w - pdf.l_margin - pdf.r_margin

        def text(value: str, size: int = 10, style: str = "") -> None:
            pdf.set_font("Helvetica", style, size)
            pdf.set_x(pdf.l_margin)
            pdf.multi_cell(width, size * 0.5, _latin1(value))
            pdf.ln(1)

        text("Note de couverture - preuve d'une publication en ligne", 15, "B")
        case = f" - dossier Vigie n° {data['case']}" if data["case"] else ""
        text(f"{data['organisation']} - dossier établi le {data['generated']}{case}", 9)
        text("Ce qui a été capturé", 12, "B")
        handle = f" ({data['author_handle']})" if data["author_handle"] else ""
        text(
            f"Publication sur {data['platform']} par {data['author']}{handle}, "
            f"publiée le {data['published']}."
        )
        text(f"Adresse : {data['url'] or '-'}", 9)
        if data["rating"]:
            text(f"Note donnée : {data['rating']}.", 9)
        text(f"Texte : {data['text']}" if data["text"] else "Publication sans texte.", 9)
        text("Délai de prescription", 12, "B")
        text(data["limit_sentence"], 10, "B")
        text(data["limitation_text"], 9)
        text("Comment", 12, "B")
        text(data["method"], 9)
        for capture in data["captures"]:
            text(
                f"Capture n° {capture['seq']} - {capture['when']} (UTC : {capture['when_utc']}) - {capture['status']}",
                11,
                "B",
            )
            for sentence in capture["steps"]:
                text(f"- {sentence}", 9)
            for reason in capture["reasons"]:
                text(f"Remarque : {reason}", 9)
            if capture["missing"]:
                text("Non obtenu pour cette capture : " + ", ".join(capture["missing"]) + ".", 9)
            text(f"Manifeste SHA-256 : {capture['manifest_sha256']}", 8)
            text(f"Maillon précédent : {capture['previous_sha256']}", 8)
            text(f"Horodatage RFC 3161 : {capture['timestamp']}", 8)
            text("Fichiers conservés :", 8)
            for name, digest, size in capture["files"]:
                text(f"{name} ({size} octets) : {digest}", 8)
        if data["contents"]:
            text("Contenu du dossier", 12, "B")
            for name, description in data["contents"]:
                text(f"{name} : {description}", 9)
        text("Vérifier", 12, "B")
        text(VERIFY_TEXT, 9)
        text("Avertissement", 12, "B")
        text(data["disclaimer"], 9)
        return bytes(pdf.output())


VERIFY_TEXT = (
    "La commande « vigie evidence verify dossier.zip », ou la page « Vérifier un dossier de preuve » de Vigie "
    "(rubrique Preuves), contrôle hors ligne le sceau de l'archive, chaque empreinte, les signatures "
    "Ed25519 (clé publique jointe : public_key.pem), la chaîne des captures et les horodatages, et dit "
    "lesquelles des captures sont horodatées."
)


def _rating(mention: Mention) -> str:
    if mention.rating is None:
        return ""
    value = f"{mention.rating:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{value} sur 5"


def _days(number: int) -> str:
    return "1 jour" if number == 1 else f"{number} jours"


def _timestamp_sentence(capture: Capture) -> str:
    if capture.timestamp_token:
        return "oui (timestamp.tsr, jeton de l'autorité d'horodatage)"
    if capture.timestamp_error:
        return f"non : la demande à l'autorité d'horodatage a échoué ({capture.timestamp_error})"
    return (
        "non : aucune autorité d'horodatage n'était configurée ; l'heure indiquée est celle de "
        "l'horloge du serveur"
    )


def _latin1(value: str) -> str:
    """The PDF's core font covers Latin-1: typographic quotes and dashes are written plainly."""
    replaced = (
        value.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("\u2013", "-")
        .replace("\u2014", "-")
        .replace("\u2026", "...")
        .replace("\u202f", " ")
    )
    return replaced.encode("latin-1", "replace").decode("latin-1")
