"""The printed report cut into A4 sheets before layout, so that no table or quote runs off a page.

Each sheet holds at most what fits (checked page by page by the rendering tests: nothing cut,
nothing overlapping, no page nearly empty); long lists are spread evenly over as many sheets as
they need, never leaving a last sheet with one line on it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from vigie.insights.reports import ManagementReport

LOCATIONS_PER_PAGE = 24
LOCATIONS_WITH_CHARTS = 8
PROBLEMS_PER_PAGE = 3
PLANS_PER_PAGE = 10
TESTIMONIALS_PER_PAGE = 4
# Theme and platform rows a themes sheet may hold and still take one problem card under them.
THEME_ROWS_BESIDE_A_PROBLEM = 10


def spread(items: list[Any], most: int) -> list[list[Any]]:
    """``items`` in as few chunks of at most ``most`` as possible, of nearly equal sizes."""
    if not items:
        return []
    count = math.ceil(len(items) / most)
    size = math.ceil(len(items) / count)
    return [items[i : i + size] for i in range(0, len(items), size)]


# A location's name longer than this wraps in the table's name column (each further line makes
# its row taller by about 0.6 of a one-line row).
NAME_CHARS_PER_LINE = 30


def _row_height(name: str) -> float:
    lines = max(1, math.ceil(len(name) / NAME_CHARS_PER_LINE))
    return 1 + 0.6 * (lines - 1)


def _pack(items: list[Any], cap: float, height: Any) -> list[list[Any]]:
    chunks: list[list[Any]] = [[]]
    filled = 0.0
    for item in items:
        h = height(item)
        if chunks[-1] and filled + h > cap + 1e-9:
            chunks.append([])
            filled = 0.0
        chunks[-1].append(item)
        filled += h
    return chunks


def spread_by_height(items: list[Any], most: float, height: Any) -> list[list[Any]]:
    """``items`` in as few chunks as hold at most ``most`` one-line rows' height each, of nearly
    equal heights (a network of long names gets more sheets rather than rows off the sheet)."""
    if not items:
        return []
    count = len(_pack(items, most, height))
    total = sum(height(item) for item in items)
    # The lowest cap that still needs no more chunks: the sheets come out evenly filled.
    cap = total / count
    while cap < most:
        chunks = _pack(items, cap, height)
        if len(chunks) <= count:
            return chunks
        cap += 0.1
    return _pack(items, most, height)


def report_pages(r: ManagementReport) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = [
        {"kind": "cover"},
        {"kind": "summary", "title": _("L'essentiel")},
        {"kind": "kpis", "title": _("Indicateurs et objectifs de la charte")},
    ]
    # One location alone has nothing to be ranked against: its figures are the report's own.
    locations = r.locations if len(r.locations) > 1 else []
    chunks = spread_by_height(locations, LOCATIONS_PER_PAGE, lambda row: _row_height(row.name))
    for index, chunk in enumerate(chunks):
        page: dict[str, Any] = {
            "kind": "locations",
            "title": _("Établissements"),
            "rows": chunk,
            "offset": sum(len(chunk) for chunk in chunks[:index]),
        }
        if len(locations) <= LOCATIONS_WITH_CHARTS:
            # A small network also gets its delays and volumes drawn, slowest and busiest first.
            page["charts"] = True
            page["by_delay"] = sorted(chunk, key=lambda row: -(row.median_delay_seconds or 0))
            page["by_volume"] = sorted(chunk, key=lambda row: -row.volume)
            page["max_delay"] = max((row.median_delay_seconds or 0 for row in chunk), default=0)
            page["max_volume"] = max((row.volume for row in chunk), default=0)
        pages.append(page)
    if r.themes or r.platforms:
        pages.append({"kind": "themes", "title": _("Thèmes et plateformes")})
    problem_rows = [(row, r.problem_quotes.get(row.theme, [])) for row in r.problems]
    crises = r.crisis.lines if r.crisis else []
    has_follow_up = bool(r.plans or r.alerts or crises or r.testimonials)
    short = len(r.plans) <= 4 and len(r.alerts) + len(crises) <= 5 and len(r.testimonials) <= 2
    tiny = len(r.plans) <= 2 and len(r.alerts) + len(crises) <= 2 and len(r.testimonials) <= 1
    chunks = spread(problem_rows, PROBLEMS_PER_PAGE)
    # A last sheet of problems with one or two cards would stand half empty: the follow-up (plans,
    # alerts, testimonials) joins it when both are short.
    last_cards = len(chunks[-1]) if chunks else 0
    merge = has_follow_up and ((last_cards <= 1 and short) or (last_cards <= 2 and tiny))
    themes_page = pages[-1] if pages[-1]["kind"] == "themes" else None
    if (
        len(problem_rows) == 1
        and not merge
        and themes_page is not None
        and len(r.themes) + min(len(r.platforms), 8) <= THEME_ROWS_BESIDE_A_PROBLEM
    ):
        # One problem card alone would leave its sheet nearly empty: it joins a short themes sheet.
        themes_page["problems"] = True
        themes_page["rows"] = problem_rows
        themes_page["title"] = _("Thèmes, plateformes et sujets récurrents")
        chunks = []
    elif not chunks:
        # No problem to show: no sheet for the line "no negative theme" alone (the summary says
        # it), unless the short follow-up sits on it.
        chunks = [[]] if merge else []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        pages.append(
            {
                "kind": "problems",
                "title": _("Sujets récurrents") if not (last and merge) else _("Sujets récurrents et suivi"),
                "rows": chunk,
                "follow_up": last and merge,
                "plans": r.plans,
                "quotes": r.testimonials,
            }
        )
    if has_follow_up and not merge:
        if short:
            # Plans, alerts and testimonials share one follow-up sheet when all are short.
            pages.append(
                {
                    "kind": "follow_up",
                    "title": _("Plans d'action, alertes et témoignages"),
                    "follow_up": True,
                    "plans": r.plans,
                    "quotes": r.testimonials,
                }
            )
        else:
            # Each part on its own sheets only when it has something to show: a sheet saying
            # "no plan" alone stood empty (the summary already says there was none).
            for chunk in spread(r.plans, PLANS_PER_PAGE):
                pages.append({"kind": "plans", "title": _("Plans d'action et effet mesuré"), "plans": chunk})
            if r.alerts or crises:
                pages.append({"kind": "alerts", "title": _("Alertes et crises de la période")})
            for chunk in spread(r.testimonials, TESTIMONIALS_PER_PAGE):
                pages.append({"kind": "testimonials", "title": _("Témoignages choisis"), "quotes": chunk})
    # Without any follow-up, the summary says in one sentence that there was none.
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        page["number"] = number
        page["total"] = total
    return pages


def _kpi_value(value: float | None, unit: str, *, target: bool = False) -> str:
    from vigie.insights.report_format import delay, number, percent, stars

    if value is None:
        return "—"
    if unit == "ratio":
        return percent(value)
    if unit == "hours":
        return delay(value * 3600)
    if target and value == round(value):
        # A target reads "4 / 5", a measured average "3,03 / 5".
        return stars(value).replace(number(value, 2), number(value))
    return stars(value)


def kpi_rows(r: ManagementReport) -> list[dict[str, Any]]:
    """Each charter KPI written out: value, target, previous period, trend and whether it is met."""
    rows = []
    for kpi in r.kpis.kpis:
        trend = ""
        better: bool | None = None
        # Compared as printed: "97 %" against "97 %" is no trend, whatever the decimals say.
        shown_now, shown_before = _kpi_value(kpi.value, kpi.unit), _kpi_value(kpi.previous, kpi.unit)
        if kpi.value is not None and kpi.previous is not None and shown_now != shown_before:
            rising = kpi.value > kpi.previous
            trend = "↗" if rising else "↘"
            better = rising == kpi.higher_is_better
        status = _("Atteint") if kpi.met else (_("Non atteint") if kpi.met is False else _("Pas de données"))
        rows.append(
            {
                "label": str(kpi.label),
                "value": _kpi_value(kpi.value, kpi.unit),
                "target": _kpi_value(kpi.target, kpi.unit, target=True),
                "previous": _kpi_value(kpi.previous, kpi.unit),
                "trend": trend,
                # No trend to read without both values ("=" read as "unchanged").
                "compared": kpi.value is not None and kpi.previous is not None,
                "better": better,
                "met": kpi.met,
                "status": status,
            }
        )
    return rows
