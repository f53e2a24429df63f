"""The post-mortem as a PDF (fpdf2, pure Python; the HTML version is a template)."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF

from vigie.alerts.crisis.export import item_label
from vigie.connectors.platforms import platform_label, platform_of

# The PDF core fonts cover Latin-1 only: typographic characters outside it are replaced by their
# plain equivalents rather than shipping a font file.
_REPLACEMENTS = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "œ": "oe",
        "Œ": "OE",
        "€": "EUR",
        "★": "*",
        "\u202f": " ",
        "\u2009": " ",
    }
)


def _latin1(text: str) -> str:
    return text.translate(_REPLACEMENTS).encode("latin-1", "replace").decode("latin-1")


def _date(value: Any) -> str:
    # Stored in UTC, shown in the current zone: the organisation's, activated for the request.
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def _colon() -> str:
    """The colon between a label and its value as the language writes it (the page's ``{% colon %}``):
    " : " in French, ": " in English (the English post-mortem read "Severity : Warning")."""
    return ": " if (get_language() or "fr").startswith("en") else " : "


def postmortem_pdf(context: dict[str, Any]) -> bytes:
    """The post-mortem of a closed crisis: summary, cell, causes, lessons, corrective actions,
    public updates and timeline."""
    crisis = context["crisis"]
    postmortem = context["postmortem"]
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Post-mortem - {crisis.title}"))
    pdf.set_creator("Vigie")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def heading(text: str, size: int = 13) -> None:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(width, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)

    def paragraph(text: str) -> None:
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(width, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    heading(f"{_('Post-mortem')}{_colon()}{crisis.title}", 16)
    paragraph(
        f"{_('Gravité')}{_colon()}{crisis.get_severity_display()} · {_('Débutée le')} {_date(crisis.started_at)} · "
        f"{_('Close le')} {_date(crisis.closed_at)}"
    )
    if context["cell"]:
        heading(_("Cellule de crise"))
        for label, holder in context["cell"]:
            paragraph(f"- {label}{_colon()}{holder}")
    heading(_("Causes"))
    paragraph(postmortem.causes)
    heading(_("Ce qui a fonctionné"))
    paragraph(postmortem.what_worked)
    heading(_("Ce qui n'a pas fonctionné"))
    paragraph(postmortem.what_did_not)
    heading(_("Actions correctives"))
    for action in context["corrective_actions"]:
        state = _("faite") if action.done_at else _("à faire")
        paragraph(
            f"- {action.title} ({action.owner or '?'}, {_('échéance')} {formats.date_format(action.due_on)}, {state})"
        )
    heading(_("Informations au public"))
    for statement in context["public_updates"]:
        places = [
            f"{platform_label(platform_of(p.platform))} ({p.get_status_display().lower()}{_colon() + p.url if p.url else ''})"
            for p in statement.publications.all()
        ]
        if statement.published_where:
            places.append(statement.published_where)
        state = statement.state.label
        paragraph(f"{_date(statement.published_at)} · {state} · {' · '.join(places)}\n{statement.body}")
    if not context["public_updates"]:
        paragraph(_("Aucune déclaration publiée."))
    unpublished = list(context.get("unpublished_updates", ()))
    if unpublished:
        heading(_("Déclarations approuvées jamais publiées"))
    for statement in unpublished:
        places = [
            f"{platform_label(platform_of(p.platform))} ({p.get_status_display().lower()}{_colon() + p.error if p.error else ''})"
            for p in statement.publications.all()
        ]
        paragraph(f"{statement.state.label} · {' · '.join(places)}\n{statement.body}")
    heading(_("Fil des événements"))
    for item in context["timeline"]:
        who = f" ({item.who})" if item.who else ""
        link = f" {item.url}" if item.url.startswith("http") else ""
        paragraph(f"{_date(item.at)} [{item_label(item)}]{who} {item.text}{link}")
    return bytes(pdf.output())
