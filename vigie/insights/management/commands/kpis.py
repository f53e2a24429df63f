"""vigie kpis --org SLUG --from DATE --to DATE [--by DIMENSION] [--format json|csv]"""

from __future__ import annotations

import csv
import json
from argparse import ArgumentParser
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand

from vigie.core.management.base import fail, organisation_or_fail
from vigie.core.periods import organisation_today, period_between
from vigie.core.safe_text import neutralise_cell
from vigie.insights.queries.breakdowns import BREAKDOWN_DIMENSIONS, kpi_breakdown
from vigie.insights.queries.filters import DEFAULT_PERIOD_DAYS, InsightFilters
from vigie.insights.queries.kpis import KpiReport, kpi_report

CSV_COLUMNS = [
    "group",
    "label",
    "mention_volume",
    "review_count",
    "average_rating",
    "response_rate",
    "median_first_response_business_hours",
    "p90_first_response_business_hours",
    "sla_compliance",
    "median_resolution_hours",
    "net_sentiment",
    "total_reach",
    "engagement",
    "csat",
    "nps",
]


def report_record(report: KpiReport) -> dict[str, Any]:
    """The headline numbers of a report as plain JSON values (the same as the dashboard's)."""

    def hours(seconds: float | None) -> float | None:
        return round(seconds / 3600, 2) if seconds is not None else None

    return {
        "mention_volume": report.mention_volume,
        "review_count": report.review_count,
        "average_rating": report.average_rating,
        "rating_distribution": {s.key: s.count for s in report.rating_distribution},
        "response_rate": report.response_rate,
        "cases_needing_answer": report.cases_needing_answer,
        "cases_answered": report.cases_answered,
        "median_first_response_business_hours": hours(report.median_first_response_business_seconds),
        "p90_first_response_business_hours": hours(report.p90_first_response_business_seconds),
        "sla_compliance": report.sla_compliance,
        "median_resolution_hours": hours(report.median_resolution_seconds),
        "sentiments": {s.key: s.count for s in report.sentiments},
        "net_sentiment": report.net_sentiment,
        "total_reach": report.total_reach,
        "engagement": report.engagement,
        "csat": report.csat,
        "nps": report.nps,
        "kpis": [
            {"key": k.key, "value": k.value, "target": k.target, "met": k.met, "previous": k.previous}
            for k in report.kpis
        ],
    }


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"--{name} must be a date YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Print an organisation's KPIs for a period, overall or per location, platform, team, agent or theme."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument(
            "--from", dest="first", help="first day YYYY-MM-DD (default: 29 days before --to)"
        )
        parser.add_argument("--to", dest="last", help="last day YYYY-MM-DD (default: today)")
        parser.add_argument("--by", choices=BREAKDOWN_DIMENSIONS, help="one row per value of this dimension")
        parser.add_argument("--format", choices=("json", "csv"), default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_or_fail(options["org"])
        last = _date(options["last"], "to") or organisation_today(organisation)
        first = _date(options["first"], "from") or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        if last < first:
            raise fail("--to is before --from")
        period = period_between(organisation, first, last)
        if options["by"]:
            groups = kpi_breakdown(organisation, period, InsightFilters(), options["by"])
        else:
            groups = [("all", organisation.name, kpi_report(organisation, period, compare=True))]
        records = [{"group": key, "label": label, **report_record(r)} for key, label, r in groups]
        out = self.stdout
        if options["format"] == "json":
            payload = {"organisation": organisation.slug, "from": first.isoformat(), "to": last.isoformat()}
            payload["by"] = options["by"] or ""
            payload["groups"] = records  # type: ignore[assignment]
            out.write(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for record in records:
            writer.writerow({key: neutralise_cell(value) for key, value in record.items()})
