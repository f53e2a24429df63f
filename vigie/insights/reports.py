"""The management report: KPIs against targets, charts, top problems with verbatims, SLA per team,
a crisis summary when there was one, and consented testimonials; as HTML or PDF, French or English.

The HTML is a self-contained page (inline CSS and SVG, nothing fetched). The PDF is drawn with
fpdf2, pure Python, in DejaVu Sans, shipped in ``vigie/insights/fonts`` (Bitstream Vera licence,
which allows redistribution; see LICENSE-DejaVu.txt there): accents, ``€``, ``œ`` and typographic
quotes print as they are, with no system font needed. fpdf2 embeds only the glyphs used.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from vigie.alerts.queries import crisis_report_lines
from vigie.core.models import Organisation, Team
from vigie.core.periods import Period, period_between
from vigie.core.tenancy import scoped
from vigie.insights.charts import bar_chart, line_chart
from vigie.insights.queries.filters import InsightFilters
from vigie.insights.queries.grouping import grouped
from vigie.insights.queries.kpis import KpiReport, kpi_report
from vigie.insights.queries.quotes import Verbatim, consented_testimonials
from vigie.insights.queries.theme_board import ThemeBoardRow, theme_board
from vigie.insights.queries.trends import time_series
from vigie.insights.verbatims import masked, order_patterns
from vigie.outreach.queries import featured_testimonials

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$")


def parse_period(organisation: Organisation, text: str) -> Period:
    """``YYYY-MM`` (a month), ``YYYY-Www`` (an ISO week) or ``YYYY-MM-DD:YYYY-MM-DD`` (both included).

    Raises ``ValueError`` with a readable message on anything else.
    """
    text = text.strip()
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"no month {month} in {text!r}")
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        return period_between(organisation, first, following - timedelta(days=1))
    if match := _WEEK.match(text):
        try:
            first = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError as exc:
            raise ValueError(f"no such ISO week: {text!r}") from exc
        return period_between(organisation, first, first + timedelta(days=6))
    if match := _RANGE.match(text):
        try:
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError as exc:
            raise ValueError(f"bad date in {text!r}") from exc
        if last < first:
            raise ValueError(f"the period ends before it starts: {text!r}")
        return period_between(organisation, first, last)
    raise ValueError(f"period {text!r} is not YYYY-MM, YYYY-Www or YYYY-MM-DD:YYYY-MM-DD")


def period_key(period: Period) -> str:
    """A short name of the period for file names and e-mail subjects."""
    return f"{period.first_day:%Y-%m-%d}_{period.last_day:%Y-%m-%d}"


@dataclass(frozen=True)
class TeamSla:
    team: str
    met: int
    missed: int
    compliance: float | None


@dataclass(frozen=True)
class CrisisSummary:
    """What the crisis module tells about the period (title and one line per crisis)."""

    lines: list[str]


@dataclass(frozen=True)
class ManagementReport:
    organisation: Organisation
    period: Period
    language: str
    kpis: KpiReport
    problems: list[ThemeBoardRow]
    team_sla: list[TeamSla]
    crisis: CrisisSummary | None
    testimonials: list[Verbatim]
    volume_chart: str
    rating_chart: str


def crisis_summary(organisation: Organisation, period: Period) -> CrisisSummary | None:
    """The crises open at some point in the period, or None when there were none."""
    lines = crisis_report_lines(organisation, period.start, period.end)
    return CrisisSummary(lines) if lines else None


def team_sla_rows(organisation: Organisation, period: Period) -> list[TeamSla]:
    """SLA kept and missed per team over ``period`` (teams with at least one judged case)."""
    names = {team.pk: team.name for team in scoped(Team, organisation)}
    rows = []
    for team_id, counts in grouped(organisation, period, InsightFilters(), "team_id").items():
        met, missed = int(counts.get("sla_met", 0)), int(counts.get("sla_missed", 0))
        if team_id is None or not met + missed:
            continue
        rows.append(TeamSla(names.get(team_id, str(team_id)), met, missed, met / (met + missed)))
    return sorted(rows, key=lambda row: row.team.lower())


def chosen_testimonials(organisation: Organisation, period: Period, *, limit: int = 10) -> list[Verbatim]:
    """The testimonials a manager chose for the report (outreach), then the period's consented
    positive mentions, personal data masked, without repeating a mention."""
    patterns = order_patterns(organisation)
    chosen = [
        Verbatim(
            mention_id=t.mention_id or 0,
            created_at=t.said_at,
            platform=t.platform,
            location=t.location.name if t.location else "",
            rating=None,
            text=masked(t.text, patterns),
        )
        for t in featured_testimonials(organisation, limit=5)
    ]
    quoted = {v.mention_id for v in chosen if v.mention_id}
    rest = [
        v for v in consented_testimonials(organisation, period, limit=limit) if v.mention_id not in quoted
    ]
    return (chosen + rest)[:limit]


def build_report(organisation: Organisation, period: Period, *, language: str = "fr") -> ManagementReport:
    """Gather every number and quote of the management report for ``period``."""
    filters = InsightFilters()
    with translation.override(language):
        kpis = kpi_report(organisation, period, filters, compare=True)
        series = time_series(organisation, period, filters)
        team_sla = team_sla_rows(organisation, period)
        volume_chart = bar_chart(
            [(p.start.strftime("%d/%m"), p.volume) for p in series],
            title=_("Mentions par période"),
        )
        rating_chart = line_chart(
            [(p.start.strftime("%d/%m"), p.average_rating) for p in series],
            title=_("Note moyenne"),
            low=1,
            high=5,
        )
        return ManagementReport(
            organisation=organisation,
            period=period,
            language=language,
            kpis=kpis,
            problems=theme_board(organisation, period, filters, limit=5),
            team_sla=team_sla,
            crisis=crisis_summary(organisation, period),
            testimonials=chosen_testimonials(organisation, period),
            volume_chart=volume_chart,
            rating_chart=rating_chart,
        )


def render_html(report: ManagementReport) -> str:
    """The report as one self-contained HTML page."""
    with translation.override(report.language):
        return render_to_string("insights/report.html", {"r": report})


# fontTools reports each subsetting step at INFO; the report's own log stays readable without it.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ratio":
        return f"{value * 100:.0f} %"
    if unit == "hours":
        return f"{value:.1f} h"
    return f"{value:.2f} / 5"


def render_pdf(report: ManagementReport) -> bytes:
    """The report as a PDF (A4, core fonts)."""
    from fpdf import FPDF

    r = report
    with translation.override(r.language):
        pdf = FPDF(format="A4")
        pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        pdf.add_font(FONT, "I", str(FONTS / "DejaVuSans-Oblique.ttf"))
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.add_page()
        width = pdf.epw

        def heading(text: str, size: int = 14) -> None:
            pdf.ln(3)
            pdf.set_font(FONT, "B", size)
            pdf.multi_cell(width, 8, text, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, "", 10)

        def line(text: str) -> None:
            pdf.multi_cell(width, 5, text, new_x="LMARGIN", new_y="NEXT")

        heading(_("Rapport de direction : %(org)s") % {"org": r.organisation.name}, 18)
        line(_("Du %(first)s au %(last)s") % {"first": r.period.first_day, "last": r.period.last_day})

        heading(_("Indicateurs et objectifs"))
        for kpi in r.kpis.kpis:
            status = (
                _("atteint") if kpi.met else (_("non atteint") if kpi.met is False else _("pas de données"))
            )
            previous = _fmt(kpi.previous, kpi.unit)
            line(
                f"{kpi.label} : {_fmt(kpi.value, kpi.unit)} "
                f"({_('objectif')} {_fmt(kpi.target, kpi.unit)}, {status} ; "
                f"{_('période précédente')} {previous})"
            )
        k = r.kpis
        line(
            _("Mentions : %(n)s ; avis : %(reviews)s ; audience estimée : %(reach)s ; engagement : %(eng)s")
            % {"n": k.mention_volume, "reviews": k.review_count, "reach": k.total_reach, "eng": k.engagement}
        )
        if k.p90_first_response_business_seconds is not None:
            line(
                _("Première réponse, 90e centile : %(h).1f h ouvrées")
                % {"h": k.p90_first_response_business_seconds / 3600}
            )
        if k.net_sentiment is not None:
            line(_("Sentiment net : %(n)+.0f points") % {"n": k.net_sentiment * 100})
        if k.csat is not None:
            line(_("Satisfaction (CSAT) : %(c).0f %%") % {"c": k.csat * 100})

        heading(_("Volume et note dans le temps"))
        _pdf_bars(pdf, [(p.start.strftime("%d/%m"), p.volume) for p in time_series(r.organisation, r.period)])

        heading(_("Principaux problèmes"))
        if not r.problems:
            line(_("Aucun thème négatif sur la période."))
        for row in r.problems:
            pdf.set_font(FONT, "B", 11)
            line(
                f"{row.label} : {row.volume} ({row.change:+d}), "
                + _("%(p).0f %% négatif") % {"p": row.negativity * 100}
            )
            pdf.set_font(FONT, "I", 9)
            for quote in row.verbatims:
                line(f"« {quote.text} »")
            pdf.set_font(FONT, "", 10)
            for plan in row.action_plans:
                line(f"- {plan.title} ({plan.get_status_display()})")

        heading(_("Respect des délais par équipe"))
        if not r.team_sla:
            line(_("Aucune équipe sur la période."))
        for team in r.team_sla:
            line(f"{team.team} : {_fmt(team.compliance, 'ratio')} ({team.met} / {team.met + team.missed})")

        if r.crisis is not None:
            heading(_("Crises"))
            for text in r.crisis.lines:
                line(text)

        pdf.add_page()
        heading(_("Témoignages"))
        if not r.testimonials:
            line(_("Aucun témoignage avec consentement sur la période."))
        for quote in r.testimonials:
            line(f"« {quote.text} » - {quote.platform} {quote.location}")
            pdf.ln(2)
        return bytes(pdf.output())


def _pdf_bars(pdf: Any, points: list[tuple[str, int]]) -> None:
    """A small bar chart drawn with rectangles."""
    if not points:
        return
    height = 35.0
    top = pdf.get_y() + 2
    highest = max(count for _label, count in points) or 1
    step = pdf.epw / len(points)
    pdf.set_fill_color(60, 110, 170)
    pdf.set_font(FONT, "", 6)
    for index, (label, count) in enumerate(points):
        bar = height * count / highest
        x = pdf.l_margin + index * step
        if bar > 0:
            pdf.rect(x + step * 0.1, top + height - bar, step * 0.8, bar, style="F")
        if len(points) <= 16 or index % max(len(points) // 8, 1) == 0:
            pdf.text(x, top + height + 4, label)
    pdf.set_y(top + height + 7)
    pdf.set_font(FONT, "", 10)


def render(report: ManagementReport, fmt: str) -> bytes:
    """The report's bytes in ``fmt`` ("pdf" or "html")."""
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "html":
        return render_html(report).encode()
    raise ValueError(f"unknown report format {fmt!r}")
