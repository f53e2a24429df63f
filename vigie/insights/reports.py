"""The management report: a cover, the period in sentences, KPIs against the charter's targets
with their trend, locations ranked, themes and platforms by sentiment, recurring issues with
quotes in the report's language, action plans and their effect, alerts and crises, chosen
testimonials; as HTML or PDF, French or English, about the organisation, one location or a group of locations.

``build_report`` gathers the numbers (``report_content``, ``report_summary``); the template lays
them out as fixed A4 sheets (``report_pages``); ``report_pdf`` prints them with the system
Chromium, in DejaVu Sans shipped in ``vigie/insights/fonts`` (Bitstream Vera licence, which allows
redistribution; see LICENSE-DejaVu.txt there). Without Chromium, ``render_plain_pdf`` draws the
same numbers with fpdf2, pure Python.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from vigie.alerts.queries import crisis_report_lines
from vigie.core.models import Location, LocationGroup, Organisation, Team
from vigie.core.periods import Period, organisation_today, period_between
from vigie.core.queries import group_location_ids
from vigie.core.tenancy import scoped
from vigie.insights.charts import bar_chart, line_chart
from vigie.insights.queries.filters import InsightFilters, previous_period
from vigie.insights.queries.grouping import grouped
from vigie.insights.queries.kpis import KpiReport, kpi_report
from vigie.insights.queries.quotes import Verbatim, consented_testimonials, mention_languages
from vigie.insights.queries.theme_board import ThemeBoardRow, theme_board
from vigie.insights.queries.themes import theme_labels
from vigie.insights.queries.trends import SeriesPoint, time_series
from vigie.insights.report_branding import Branding, branding_for
from vigie.insights.report_content import (
    AlertRow,
    LocationRow,
    PlanRow,
    SentimentRow,
    alert_count,
    alert_rows,
    location_rows,
    plan_rows,
    platform_rows,
    printable,
    quotes_in_language,
    theme_rows,
    theme_split,
)
from vigie.insights.report_format import (
    NBSP,
    delay,
    long_date,
    number,
    percent,
    period_title,
    points,
    quoted,
    short_day,
)
from vigie.insights.report_summary import follow_up_sentence, summary_sentences
from vigie.insights.verbatims import masked, order_patterns
from vigie.outreach.queries import featured_testimonials

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[QT]([1-4])$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$")


def parse_period(organisation: Organisation, text: str) -> Period:
    """``YYYY-MM`` (a month), ``YYYY-Www`` (an ISO week), ``YYYY-Qn`` (a quarter) or
    ``YYYY-MM-DD:YYYY-MM-DD`` (both included).

    Raises ``ValueError`` with a readable message on anything else.
    """
    period = _parse_period(organisation, text.strip())
    # A typo such as "1900-01" would build an empty report about a century before any review.
    if period.first_day.year < FIRST_REPORT_YEAR:
        raise ValueError(f"the period starts before {FIRST_REPORT_YEAR}: {text!r}")
    return period


FIRST_REPORT_YEAR = 2000


def _parse_period(organisation: Organisation, text: str) -> Period:
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
    if match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        first = date(year, 3 * quarter - 2, 1)
        following = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        return period_between(organisation, first, following - timedelta(days=1))
    if match := _RANGE.match(text):
        try:
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError as exc:
            raise ValueError(f"bad date in {text!r}") from exc
        if last < first:
            raise ValueError(f"the period ends before it starts: {text!r}")
        return period_between(organisation, first, last)
    raise ValueError(f"period {text!r} is not YYYY-MM, YYYY-Www, YYYY-Qn or YYYY-MM-DD:YYYY-MM-DD")


def period_key(period: Period) -> str:
    """A short name of the period for file names and e-mail subjects."""
    return f"{period.first_day:%Y-%m-%d}_{period.last_day:%Y-%m-%d}"


def period_name(period: Period, language: str = "fr") -> str:
    """The period as ``parse_period`` reads it: "2026-11" (a month), "2026-W47" (an ISO week),
    "2026-T4" / "2026-Q4" (a quarter, in the language's letter), else "2026-11-01_2026-11-15"."""
    first, last = period.first_day, period.last_day
    following = last + timedelta(days=1)
    if first.day == 1 and following.day == 1:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if months == 1:
            return f"{first:%Y-%m}"
        if months == 3 and first.month % 3 == 1:
            letter = "Q" if language.startswith("en") else "T"
            return f"{first.year}-{letter}{(first.month - 1) // 3 + 1}"
    if first.weekday() == 0 and (last - first).days == 6:
        year, week, _day = first.isocalendar()
        return f"{year}-W{week:02d}"
    return period_key(period)


def report_filename(report: ManagementReport, fmt: str) -> str:
    """The report's file name in its own language, in plain ASCII: "rapport-vigie-demo-2026-11.pdf",
    "vigie-report-demo-agence-lyon-2026-W47.html" (the location or group of a narrower report)."""
    stem = "vigie-report" if report.language.startswith("en") else "rapport-vigie"
    about = [slugify(report.organisation.slug) or "organisation"]
    if report.scope:
        about.append(slugify(report.scope))
    words = [stem, *(part for part in about if part), period_name(report.period, report.language)]
    return "-".join(words) + "." + fmt


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
    # The chart's buckets (days or weeks), none after the period's end or after today.
    series: list[SeriesPoint] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    title: str = ""
    period_label: str = ""
    branding: Branding = field(default_factory=Branding)
    locations: list[LocationRow] = field(default_factory=list)
    themes: list[SentimentRow] = field(default_factory=list)
    platforms: list[SentimentRow] = field(default_factory=list)
    problem_quotes: dict[str, list[Verbatim]] = field(default_factory=dict)
    plans: list[PlanRow] = field(default_factory=list)
    alerts: list[AlertRow] = field(default_factory=list)
    alert_total: int = 0
    generated_on: date | None = None
    scope: str = ""  # the location or group the report is about; "" for the whole organisation
    # The last day counted of a period still running (its numbers stop there); None once it ended.
    counted_until: date | None = None
    filters: InsightFilters = field(default_factory=InsightFilters)  # what its numbers count

    @property
    def pages(self) -> list[dict[str, Any]]:
        """The pages of the printed report, each a fixed A4 sheet (see ``report_pages``)."""
        from vigie.insights.report_pages import report_pages

        return report_pages(self)

    @property
    def kpi_rows(self) -> list[dict[str, Any]]:
        from vigie.insights.report_pages import kpi_rows

        return kpi_rows(self)


def crisis_summary(organisation: Organisation, period: Period) -> CrisisSummary | None:
    """The crises open at some point in the period, or None when there were none."""
    lines = crisis_report_lines(organisation, period.start, period.end)
    return CrisisSummary(lines) if lines else None


def team_sla_rows(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> list[TeamSla]:
    """SLA kept and missed per team over ``period`` (teams with at least one judged case)."""
    names = {team.pk: team.name for team in scoped(Team, organisation)}
    rows = []
    for team_id, counts in grouped(organisation, period, filters or InsightFilters(), "team_id").items():
        met, missed = int(counts.get("sla_met", 0)), int(counts.get("sla_missed", 0))
        if team_id is None or not met + missed:
            continue
        rows.append(TeamSla(names.get(team_id, str(team_id)), met, missed, met / (met + missed)))
    return sorted(rows, key=lambda row: row.team.lower())


def chosen_testimonials(
    organisation: Organisation, period: Period, *, limit: int = 8, language: str = ""
) -> list[Verbatim]:
    """The testimonials a manager chose for the report (outreach), then the period's consented
    positive mentions, personal data masked, without repeating a mention. With ``language``,
    only quotes written in it (or of unknown language): a French report quotes French customers."""
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
        v for v in consented_testimonials(organisation, period, limit=limit * 3) if v.mention_id not in quoted
    ]
    found = [replace(v, text=printable(v.text)) for v in chosen + rest]
    if language:
        languages = mention_languages(organisation, [v.mention_id for v in found if v.mention_id])
        found = [v for v in found if languages.get(v.mention_id, "") in ("", language)]
    return found[:limit]


def report_title(period: Period) -> str:
    """ "Rapport mensuel", "Rapport hebdomadaire", "Rapport trimestriel" or "Rapport de période"."""
    first, last = period.first_day, period.last_day
    following = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    whole_months = first.day == 1 and (following - last).days == 1
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if whole_months and months == 1:
        return _("Rapport mensuel")
    if whole_months and months == 3 and first.month in (1, 4, 7, 10):
        return _("Rapport trimestriel")
    if period.days == 7 and first.weekday() == 0:
        return _("Rapport hebdomadaire")
    return _("Rapport de période")


def _chart_points(series: list[Any]) -> list[str]:
    return [short_day(p.start) for p in series]


def shown_series(organisation: Organisation, period: Period, filters: InsightFilters) -> list[SeriesPoint]:
    """The report's buckets up to the period's last day and today (organisation time): a period
    still running has no weeks to come, which would read as weeks without a single mention."""
    last = min(period.last_day, organisation_today(organisation))
    return [p for p in time_series(organisation, period, filters) if p.start <= last]


def report_filters(location: Location | None = None, group: LocationGroup | None = None) -> InsightFilters:
    """What a report about the organisation, one location or one group of locations counts."""
    if group is not None:
        return InsightFilters(location_ids=group_location_ids(group), group_id=group.pk)
    return InsightFilters(location_id=location.pk if location is not None else None)


def build_report(
    organisation: Organisation,
    period: Period,
    *,
    language: str = "fr",
    location: Location | None = None,
    group: LocationGroup | None = None,
) -> ManagementReport:
    """Gather every number and quote of the management report for ``period``, about the whole
    organisation, about one ``location`` (the report a site director receives) or about one
    ``group`` of locations (a region's: its figures are the sum over the group's locations, and its
    per-location pages list only them)."""
    if location is not None and group is not None:
        raise ValueError("a report is about one location or one group, not both")
    filters = report_filters(location, group)
    full = period
    # A period still running (this month, this quarter) is counted up to today, and compared with
    # as many days before it: its 8 days read "42 % fewer mentions" against a whole month.
    today = organisation_today(organisation)
    running = full.first_day <= today < full.last_day
    period = period_between(organisation, full.first_day, today) if running else full
    with translation.override(language):
        kpis = kpi_report(organisation, period, filters, compare=True)
        # A period still running (this quarter) is drawn up to today: its weeks to come read as
        # weeks without a single mention.
        series = shown_series(organisation, full, filters)
        team_sla = team_sla_rows(organisation, period, filters)
        labels = _chart_points(series)
        volume_chart = bar_chart(
            [(label, p.volume) for label, p in zip(labels, series, strict=True)],
            title=_("Mentions par période"),
        )
        rating_chart = line_chart(
            [(label, p.average_rating) for label, p in zip(labels, series, strict=True)],
            title=_("Note moyenne"),
            low=1,
            high=5,
        )
        names = theme_labels(organisation, language)
        # Ranked as the theme board ranks them (a 1-2★ review counts against its theme there),
        # but each theme's negative share is the one the theme table shows: one theme, one
        # figure in the whole report (the board's was 56 % where the table said 53 %).
        problems = [
            replace(
                row,
                label=names.get(row.theme, row.label),
                negative=int(theme_split(organisation, period, row.theme, filters)["negative"]),
            )
            for row in theme_board(organisation, period, filters, limit=5)
        ]
        locations = location_rows(organisation, period, filters)
        themes = theme_rows(organisation, period, filters, language=language)
        crisis = crisis_summary(organisation, period)
        # A location's or a group's report lists the alerts about its locations only.
        scope_ids = (location.pk,) if location is not None else filters.location_ids
        shown_alerts = alert_rows(organisation, period, language, location_ids=scope_ids)
        total_alerts = alert_count(organisation, period, scope_ids)
        previous = kpi_report(organisation, previous_period(organisation, period), filters)
        plans = plan_rows(organisation, period, language)
        testimonials = chosen_testimonials(organisation, period, language=language)
        if location is not None:
            testimonials = [t for t in testimonials if t.location == location.name]
        if group is not None:
            group_names = set(group.locations.values_list("name", flat=True))
            testimonials = [t for t in testimonials if t.location in group_names]
        summary = summary_sentences(
            kpis,
            previous.mention_volume,
            locations,
            themes,
            total_alerts,
            crisis.lines if crisis else [],
            shown_alerts,
        )
        if closing := follow_up_sentence(len(plans), len(testimonials)):
            summary.append(closing)
        return ManagementReport(
            organisation=organisation,
            period=full,
            counted_until=today if running else None,
            language=language,
            kpis=kpis,
            problems=problems,
            team_sla=team_sla,
            crisis=crisis,
            testimonials=testimonials,
            volume_chart=volume_chart,
            rating_chart=rating_chart,
            series=series,
            summary=summary,
            title=report_title(full),
            period_label=period_title(full.first_day, full.last_day),
            branding=branding_for(organisation),
            locations=locations,
            themes=themes,
            platforms=platform_rows(organisation, period, filters),
            problem_quotes=quotes_in_language(
                organisation, period, [p.theme for p in problems], language, filters
            ),
            scope=group.name if group is not None else (location.name if location is not None else ""),
            filters=filters,
            plans=plans,
            alerts=shown_alerts,
            alert_total=total_alerts,
            generated_on=organisation_today(organisation),
        )


def render_html(report: ManagementReport, *, fonts_base: str = "") -> str:
    """The report as one self-contained HTML page, laid out as A4 sheets.

    ``fonts_base`` is where the printing browser finds DejaVu (see ``report_pdf``); the HTML
    download leaves it empty and uses the reader's own fonts.
    """
    with translation.override(report.language):
        return render_to_string("insights/report.html", {"r": report, "fonts_base": fonts_base})


logger = logging.getLogger(__name__)

# fontTools reports each subsetting step at INFO; the report's own log stays readable without it.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"


def render_pdf(report: ManagementReport) -> bytes:
    """The designed report printed by Chromium; the plain fpdf2 one where no browser is installed."""
    from vigie.insights.report_pdf import FONTS_BASE, ChromiumMissing, html_to_pdf

    try:
        return html_to_pdf(render_html(report, fonts_base=FONTS_BASE))
    except ChromiumMissing:
        logger.warning("no Chromium at hand: the management report is printed without its layout")
        return render_plain_pdf(report)


def render_plain_pdf(report: ManagementReport) -> bytes:
    """The report as a plain PDF (A4, text and one bar chart), drawn with fpdf2 alone.

    Every number, share, delay and date is written as the designed report writes it, in the
    report's language ("85 %" and "1 234" in French, "85%" and "1,234" in English), and its chart
    has the designed report's buckets: none after the period's end or after today."""
    from fpdf import FPDF

    from vigie.connectors.platforms import platform_name

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

        def labelled(label: str, value: str) -> str:
            return _("%(label)s : %(value)s") % {"label": label, "value": value}

        def source(quote: Verbatim, *, dated: bool = False) -> str:
            parts = [platform_name(quote.platform), quote.location]
            if dated and quote.created_at:
                parts.append(long_date(quote.created_at.date()))
            return " · ".join(part for part in parts if part)

        heading(_("Rapport de direction : %(org)s") % {"org": r.organisation.name}, 18)
        line(" · ".join(part for part in (r.title, r.scope, r.period_label) if part))
        if r.counted_until is not None:
            line(
                _("Période en cours : du %(first)s au %(last)s (elle s'achève le %(end)s).")
                % {
                    "first": long_date(r.period.first_day),
                    "last": long_date(r.counted_until),
                    "end": long_date(r.period.last_day),
                }
            )

        heading(_("Indicateurs et objectifs"))
        for kpi in r.kpi_rows:
            status = (
                _("atteint")
                if kpi["met"]
                else (_("non atteint") if kpi["met"] is False else _("pas de données"))
            )
            line(
                _("%(label)s : %(value)s (objectif %(target)s, %(status)s ; période précédente %(previous)s)")
                % {
                    "label": kpi["label"],
                    "value": kpi["value"],
                    "target": kpi["target"],
                    "status": status,
                    "previous": kpi["previous"],
                }
            )
        k = r.kpis
        line(
            _("Mentions : %(n)s ; avis : %(reviews)s ; audience estimée : %(reach)s ; engagement : %(eng)s")
            % {
                "n": number(k.mention_volume),
                "reviews": number(k.review_count),
                "reach": number(k.total_reach),
                "eng": number(k.engagement),
            }
        )
        if k.p90_first_response_business_seconds is not None:
            line(
                labelled(
                    _("Première réponse, 90e centile (heures ouvrées)"),
                    delay(k.p90_first_response_business_seconds),
                )
            )
        if k.net_sentiment is not None:
            line(labelled(_("Sentiment net"), points(k.net_sentiment)))
        if k.csat is not None:
            line(labelled(_("Satisfaction (CSAT)"), percent(k.csat)))

        heading(_("Volume de mentions"))
        if r.kpis.mention_volume:
            _pdf_bars(pdf, [(short_day(p.start), p.volume) for p in r.series])
        else:
            line(_("Aucune mention sur la période."))

        heading(_("Principaux problèmes"))
        if not r.problems:
            line(_("Aucun thème négatif sur la période."))
        for row in r.problems:
            pdf.set_font(FONT, "B", 11)
            line(row.label)
            pdf.set_font(FONT, "", 10)
            line(
                _("%(n)s mentions, dont %(neg)s négatives (période précédente : %(before)s)")
                % {
                    "n": number(row.volume),
                    "neg": percent(row.negativity),
                    "before": number(row.previous_volume),
                }
            )
            for quote in r.problem_quotes.get(row.theme, []):
                pdf.set_font(FONT, "I", 9)
                line(quoted(printable(quote.text)))
                pdf.set_font(FONT, "", 8)
                line(source(quote, dated=True))
            pdf.set_font(FONT, "", 10)

        heading(_("Respect des délais par équipe"))
        if not r.team_sla:
            line(_("Aucune équipe sur la période."))
        for team in r.team_sla:
            line(
                labelled(
                    team.team,
                    f"{percent(team.compliance)} ({number(team.met)}{NBSP}/{NBSP}{number(team.met + team.missed)})",
                )
            )

        heading(_("Plans d'action et effet mesuré"))
        if not r.plans:
            line(_("Aucun plan d'action en cours sur la période."))
        for plan in r.plans:
            effect = "" if plan.effect is None else f" ({points(plan.effect)})"
            line(
                labelled(
                    f"{plan.title} · {plan.theme} · {plan.status}",
                    f"{percent(plan.before_negative_share)} → {percent(plan.after_negative_share)}{effect}",
                )
            )

        heading(_("Alertes et crises de la période"))
        for text in r.crisis.lines if r.crisis else []:
            line(text)
        if not r.alerts and r.crisis is None:
            line(_("Aucune alerte sur la période."))
        for alert in r.alerts:
            line(labelled(long_date(alert.opened_at), f"{alert.title} ({alert.severity})"))

        pdf.add_page()
        heading(_("Témoignages choisis"))
        if not r.testimonials:
            line(_("Aucun témoignage choisi ni consenti sur la période."))
        for quote in r.testimonials:
            line(quoted(quote.text))
            pdf.set_font(FONT, "", 8)
            line(source(quote))
            pdf.set_font(FONT, "", 10)
            pdf.ln(2)
        return bytes(pdf.output())


def _pdf_bars(pdf: Any, bars: list[tuple[str, int]]) -> None:
    """A small bar chart drawn with rectangles."""
    if not bars:
        return
    height = 35.0
    top = pdf.get_y() + 2
    highest = max(count for _label, count in bars) or 1
    step = pdf.epw / len(bars)
    pdf.set_fill_color(60, 110, 170)
    pdf.set_font(FONT, "", 6)
    for index, (label, count) in enumerate(bars):
        bar = height * count / highest
        x = pdf.l_margin + index * step
        if bar > 0:
            pdf.rect(x + step * 0.1, top + height - bar, step * 0.8, bar, style="F")
        if len(bars) <= 16 or index % max(len(bars) // 8, 1) == 0:
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
