"""Groups of locations in the insights: the dashboard's filter, the API's KPIs, the management report
of a group (its figures are the sum over the group's locations), its schedule e-mailed through a
real SMTP server on loopback, the command, and tenancy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.actions import do_create_location_group
from vigie.core.models import Location, LocationGroup, Membership, Organisation
from vigie.inbox.tests.factories import make_case
from vigie.insights.actions import do_create_scheduled_report
from vigie.insights.models import ScheduledReport
from vigie.insights.queries.filters import InsightFilters
from vigie.insights.queries.kpis import KpiReport, kpi_report
from vigie.insights.reports import build_report, parse_period, render_html
from vigie.insights.rollup import do_rebuild_rollup
from vigie.insights.tasks import send_scheduled_report
from vigie.insights.tests.test_reports import Sink, free_port
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_location, make_mention

PARIS = ZoneInfo("Europe/Paris")
Login = Callable[[Membership], Client]


@pytest.fixture
def mail(settings: Any) -> Iterator[Sink]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


def seed_regions(org: Organisation) -> tuple[LocationGroup, dict[str, Location]]:
    """Three agencies in March 2025, two of them in "Région Sud-Est"; the third outside it."""
    places = {name: make_location(org, f"Agence {name}") for name in ("Nice", "Marseille", "Lille")}
    plan = {"Nice": [5, 4, 4, 2], "Marseille": [1, 3, 5], "Lille": [1, 1, 1, 1, 2]}
    for name, ratings in plan.items():
        for index, rating in enumerate(ratings):
            published = datetime(2025, 3, 3 + index, 10, tzinfo=PARIS)
            mention = make_mention(
                org,
                location=places[name],
                created_at=published,
                rating=rating,
                sentiment=Sentiment.POSITIVE if rating >= 4 else Sentiment.NEGATIVE,
                text=f"Avis sur l'agence de {name}, plutôt {'bon' if rating >= 4 else 'décevant'}.",
            )
            if index % 2 == 0:
                make_case(org, mention, first_response_at=published + timedelta(hours=2 + index))
    # A mention with no location counts in the organisation, never in a group.
    make_mention(org, created_at=datetime(2025, 3, 10, 10, tzinfo=PARIS), rating=3)
    group = do_create_location_group(org, "Région Sud-Est", [places["Nice"], places["Marseille"]])
    return group, places


def summed(reports: list[KpiReport], ratings: list[float]) -> dict[str, float]:
    """Volume and reviews added up from each location's own numbers; the average of the ratings."""
    return {
        "volume": sum(r.mention_volume for r in reports),
        "reviews": sum(r.review_count for r in reports),
        "rated": sum(r.rated_review_count for r in reports),
        "rating": round(sum(ratings) / len(ratings), 2),
    }


def figures(report: KpiReport) -> dict[str, float]:
    return {
        "volume": report.mention_volume,
        "reviews": report.review_count,
        "rated": report.rated_review_count,
        "rating": report.average_rating or 0,
    }


def test_a_groups_report_is_the_sum_over_its_locations_from_rows_and_from_the_rollup(tenant: Tenant) -> None:
    org = tenant.organisation
    group, places = seed_regions(org)
    march = parse_period(org, "2025-03")

    def check() -> None:
        report = build_report(org, march, group=group)
        each = [
            kpi_report(org, march, InsightFilters(location_id=places[name].pk))
            for name in ("Nice", "Marseille")
        ]
        assert figures(report.kpis) == summed(each, [5, 4, 4, 2, 1, 3, 5])
        assert report.kpis.mention_volume == 7
        assert sorted(row.name for row in report.locations) == ["Agence Marseille", "Agence Nice"]
        assert sum(row.volume for row in report.locations) == 7
        assert report.scope == "Région Sud-Est"
        # The whole organisation still counts everything.
        assert build_report(org, march).kpis.mention_volume == 13

    check()  # from the mentions themselves
    do_rebuild_rollup(org)
    check()  # from the daily rollup's "fine" rows

    html = render_html(build_report(org, march, group=group))
    assert "Région Sud-Est" in html
    assert "Agence Nice" in html
    assert "Agence Lille" not in html


def test_an_empty_group_counts_nothing(tenant: Tenant) -> None:
    org = tenant.organisation
    seed_regions(org)
    empty = do_create_location_group(org, "Franchisés", [])
    assert build_report(org, parse_period(org, "2025-03"), group=empty).kpis.mention_volume == 0


def test_a_group_schedule_emails_the_groups_report(tenant: Tenant, mail: Sink) -> None:
    org = tenant.organisation
    group, _places = seed_regions(org)
    schedule = do_create_scheduled_report(
        org,
        frequency="monthly",
        recipients=["sud-est@acme.example"],
        actor=None,
        location_group=group,
        report_format="html",
    )
    assert send_scheduled_report(schedule, today=date(2025, 4, 2)) is True
    (message,) = mail.messages
    assert message["To"] == "sud-est@acme.example"
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "Rapport mensuel Acme · Région Sud-Est : Mars 2025"
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert "- 7 mentions" in body.get_payload(decode=True).decode()  # type: ignore[union-attr]
    html = next(p for p in message.walk() if p.get_filename()).get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Agence Marseille" in html
    assert "Agence Lille" not in html
    # A PDF schedule of the group travels as a PDF.
    pdf = do_create_scheduled_report(
        org, frequency="monthly", recipients=["dr@acme.example"], actor=None, location_group=group
    )
    assert send_scheduled_report(pdf, today=date(2025, 4, 2)) is True
    attachment = next(p for p in mail.messages[1].walk() if p.get_filename())
    assert attachment.get_payload(decode=True).startswith(b"%PDF-")  # type: ignore[union-attr]


def test_another_organisations_group_cannot_be_scheduled(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = do_create_location_group(
        other_tenant.organisation, "Globex Nord", [make_location(other_tenant.organisation, "Agence Globex")]
    )
    with pytest.raises(ValidationError):
        do_create_scheduled_report(
            tenant.organisation,
            frequency="monthly",
            recipients=["a@acme.example"],
            actor=None,
            location_group=theirs,
        )
    ours = do_create_location_group(tenant.organisation, "Franchisés", [])
    with pytest.raises(ValidationError):
        do_create_scheduled_report(
            tenant.organisation,
            frequency="monthly",
            recipients=["a@acme.example"],
            actor=None,
            location_group=ours,
            location=make_location(tenant.organisation, "Agence Acme"),
        )
    data = {"frequency": "monthly", "recipients": "a@acme.example", "language": "fr", "report_format": "pdf"}
    client = login(tenant.manager)
    response = client.post(reverse("insights-reports"), {**data, "location_group": theirs.pk})
    assert response.status_code == 400
    assert not ScheduledReport.objects.exists()
    # The page offers the organisation's own groups, and a manager schedules one.
    page = client.get(reverse("insights-reports")).content.decode()
    assert "Franchisés" in page
    assert "Globex Nord" not in page
    assert client.post(reverse("insights-reports"), {**data, "location_group": ours.pk}).status_code == 302
    assert ScheduledReport.objects.get().location_group == ours
    assert "Franchisés" in client.get(reverse("insights-reports")).content.decode()
    # An agent cannot schedule.
    response = login(tenant.agent).post(reverse("insights-reports"), {**data, "location_group": ours.pk})
    assert response.status_code == 403
    assert ScheduledReport.objects.count() == 1


def test_the_report_command_writes_a_groups_report(tenant: Tenant, tmp_path: Path) -> None:
    seed_regions(tenant.organisation)
    out = tmp_path / "sud-est.html"
    call_command(
        "report",
        "--org",
        "acme",
        "--period",
        "2025-03",
        "--group",
        "Région Sud-Est",
        "--format",
        "html",
        "--out",
        str(out),
        stdout=None,
    )
    html = out.read_text()
    assert "Région Sud-Est" in html
    assert "Agence Nice" in html
    assert "Agence Lille" not in html
    with pytest.raises(CommandError, match="no location group named"):
        call_command(
            "report", "--org", "acme", "--period", "2025-03", "--group", "Nowhere", "--out", str(out)
        )
    with pytest.raises(CommandError):
        call_command(
            "report",
            "--org",
            "acme",
            "--period",
            "2025-03",
            "--group",
            "Région Sud-Est",
            "--location",
            "Agence Nice",
            "--out",
            str(out),
        )


def test_the_dashboard_and_the_api_filter_on_a_group(
    tenant: Tenant, other_tenant: Tenant, login: Login, api_client: Callable[[Membership], Client]
) -> None:
    org = tenant.organisation
    group, _places = seed_regions(org)
    theirs = do_create_location_group(other_tenant.organisation, "Globex Nord", [])
    march = {"from": "2025-03-01", "to": "2025-03-31"}
    client = login(tenant.viewer)
    response = client.get(reverse("dashboard"), {**march, "group": group.pk})
    assert response.status_code == 200
    assert response.context["report"].mention_volume == 7
    assert sorted(row.label for row, _url in response.context["location_rows"]) == [
        "Agence Marseille",
        "Agence Nice",
    ]
    page = response.content.decode()
    assert 'name="group"' in page
    assert f"group={group.pk}" in page  # the drill-down links keep the group
    # Another organisation's group is ignored, as an unknown location is.
    response = client.get(reverse("dashboard"), {**march, "group": theirs.pk})
    assert response.context["report"].mention_volume == 13
    drill = client.get(reverse("insights-mentions"), {**march, "group": group.pk})
    assert drill.status_code == 200
    assert "Agence Lille" not in drill.content.decode()

    api = api_client(tenant.viewer)
    body = api.get("/api/v1/kpis", {**march, "group": group.pk}).json()
    assert body["mention_volume"] == 7
    assert api.get("/api/v1/kpis", {**march, "group": theirs.pk}).status_code == 422


def test_a_viewer_downloads_a_groups_report(tenant: Tenant, other_tenant: Tenant, login: Login) -> None:
    group, _places = seed_regions(tenant.organisation)
    theirs = do_create_location_group(other_tenant.organisation, "Globex Nord", [])
    client = login(tenant.viewer)
    asked = {"period": "2025-03", "language": "fr", "report_format": "html"}
    response = client.get(reverse("insights-reports"), {**asked, "location_group": group.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Région Sud-Est" in html
    assert "Agence Nice" in html
    assert "Agence Lille" not in html
    refused = client.get(reverse("insights-reports"), {**asked, "location_group": theirs.pk})
    assert refused.status_code == 400
    assert "Globex Nord" not in refused.content.decode()
