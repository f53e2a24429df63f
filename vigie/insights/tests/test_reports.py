"""Reports: periods, contents, PDF/HTML, the commands, and scheduled e-mails through real SMTP."""

from __future__ import annotations

import email
import io
import json
import socket
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.core.management.base import CommandError

from vigie.conftest import Tenant
from vigie.core.models import Organisation
from vigie.inbox.tests.factories import make_case
from vigie.insights.actions import do_create_action_plan, do_create_scheduled_report, do_record_quote_consent
from vigie.insights.models import ScheduledReport
from vigie.insights.report_format import percent
from vigie.insights.reports import build_report, parse_period, render
from vigie.insights.tasks import last_complete_period, send_scheduled_report, send_scheduled_reports
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_mention, make_team

PARIS = ZoneInfo("Europe/Paris")


def test_periods_are_months_iso_weeks_or_ranges(tenant: Tenant) -> None:
    org = tenant.organisation
    month = parse_period(org, "2024-02")
    assert (month.first_day, month.last_day) == (date(2024, 2, 1), date(2024, 2, 29))
    december = parse_period(org, "2025-12")
    assert december.last_day == date(2025, 12, 31)
    week = parse_period(org, "2025-W01")
    assert (week.first_day, week.last_day) == (date(2024, 12, 30), date(2025, 1, 5))
    span = parse_period(org, "2025-03-01:2025-03-10")
    assert span.days == 10
    for bad in ("2025-13", "2025-W60", "2025-03-10:2025-03-01", "mars", "2025-02-30:2025-03-01", "1900-01"):
        with pytest.raises(ValueError, match=r"\S"):
            parse_period(org, bad)


def seed_march(tenant: Tenant) -> None:
    org = tenant.organisation
    team = make_team(org, "Service client")
    for day in range(3, 8):
        m = make_mention(
            org,
            created_at=datetime(2025, 3, day, 10, tzinfo=PARIS),
            rating=1,
            sentiment=Sentiment.NEGATIVE,
            themes=["attente"],
            text="Attente de 2 h, mon numéro de commande 06 11 22 33 44",
        )
        make_case(
            org,
            m,
            team=team,
            first_response_at=m.created_at + timedelta(hours=1),
            sla_due_at=m.created_at + timedelta(hours=24),
        )
    praise = make_mention(
        org,
        created_at=datetime(2025, 3, 12, 10, tzinfo=PARIS),
        rating=5,
        sentiment=Sentiment.POSITIVE,
        text="Équipe formidable, merci à Léa ! Écrivez-moi: lea.fan@example.com",
    )
    do_record_quote_consent(praise, granted=True, actor=None)
    make_mention(
        org,
        created_at=datetime(2025, 3, 13, tzinfo=PARIS),
        rating=5,
        sentiment=Sentiment.POSITIVE,
        text="Pas de consentement",
    )
    do_create_action_plan(
        org, theme="attente", title="Caisse rapide", started_on=date(2025, 3, 15), actor=None
    )


def test_the_report_gathers_kpis_problems_sla_and_consented_testimonials(tenant: Tenant) -> None:
    seed_march(tenant)
    report = build_report(tenant.organisation, parse_period(tenant.organisation, "2025-03"))
    assert report.kpis.mention_volume == 7
    assert [p.theme for p in report.problems] == ["attente"]
    assert [plan.title for plan in report.problems[0].action_plans] == ["Caisse rapide"]
    assert "06 11 22 33 44" not in report.problems[0].verbatims[0].text
    assert [(t.team, t.met, t.missed) for t in report.team_sla] == [("Service client", 5, 0)]
    assert report.crisis is None  # no crisis in March 2025
    assert len(report.testimonials) == 1
    assert "lea.fan@example.com" not in report.testimonials[0].text
    html = render(report, "html").decode()
    assert "Caisse rapide" in html
    assert "Pas de consentement" not in html
    assert "lea.fan@example.com" not in html
    pdf = render(report, "pdf")
    assert pdf.startswith(b"%PDF-")


def test_the_pdf_embeds_its_own_font_so_euro_signs_and_ligatures_print(tenant: Tenant) -> None:
    org = tenant.organisation
    praise = make_mention(
        org,
        created_at=datetime(2025, 3, 12, 10, tzinfo=PARIS),
        rating=5,
        sentiment=Sentiment.POSITIVE,
        text="Remboursé 12 € en une heure, un vrai cœur d’équipe",
    )
    do_record_quote_consent(praise, granted=True, actor=None)
    pdf = render(build_report(org, parse_period(org, "2025-03")), "pdf")
    assert b"/FontFile2" in pdf  # a TrueType font travels inside the file
    assert b"DejaVu" in pdf
    assert b"/Helvetica" not in pdf


def test_the_report_command_writes_a_pdf_and_rejects_a_bad_period(tenant: Tenant, tmp_path: Path) -> None:
    seed_march(tenant)
    out = tmp_path / "rapport.pdf"
    stdout = io.StringIO()
    call_command(
        "report", "--org", "acme", "--period", "2025-03", "--format", "pdf", "--out", str(out), stdout=stdout
    )
    assert out.read_bytes().startswith(b"%PDF-")
    assert "wrote" in stdout.getvalue()
    html = tmp_path / "r.html"
    call_command(
        "report",
        "--org",
        "acme",
        "--period",
        "2025-W11",
        "--format",
        "html",
        "--language",
        "en",
        "--out",
        str(html),
    )
    assert html.read_text().startswith("<!doctype html>")
    with pytest.raises(CommandError, match="not YYYY-MM"):
        call_command("report", "--org", "acme", "--period", "mars", "--out", str(out))
    with pytest.raises(CommandError, match="unknown organisation"):
        call_command("report", "--org", "nope", "--period", "2025-03", "--out", str(out))


def test_the_kpis_command_prints_json_and_csv_per_dimension(tenant: Tenant) -> None:
    seed_march(tenant)
    stdout = io.StringIO()
    call_command("kpis", "--org", "acme", "--from", "2025-03-01", "--to", "2025-03-31", stdout=stdout)
    payload = json.loads(stdout.getvalue())
    group = payload["groups"][0]
    assert group["mention_volume"] == 7
    assert group["response_rate"] == 1.0
    assert {k["key"]: k["met"] for k in group["kpis"]}["first_response_time"] is True
    stdout = io.StringIO()
    call_command(
        "kpis",
        "--org",
        "acme",
        "--from",
        "2025-03-01",
        "--to",
        "2025-03-31",
        "--by",
        "team",
        "--format",
        "csv",
        stdout=stdout,
    )
    lines = stdout.getvalue().strip().splitlines()
    assert lines[0].startswith("group,label,mention_volume")
    assert len(lines) == 2
    assert ",Service client,5," in lines[1]
    with pytest.raises(CommandError, match="date"):
        call_command("kpis", "--org", "acme", "--from", "demain")


def test_the_last_complete_period_is_the_previous_week_or_month(tenant: Tenant) -> None:
    org = tenant.organisation
    key, period = last_complete_period(org, "weekly", date(2025, 3, 12))  # a Wednesday
    assert key == "2025-W10"
    assert (period.first_day, period.last_day) == (date(2025, 3, 3), date(2025, 3, 9))
    key, period = last_complete_period(org, "monthly", date(2025, 3, 1))
    assert key == "2025-02"
    assert (period.first_day, period.last_day) == (date(2025, 2, 1), date(2025, 2, 28))


class Sink:
    """Collects the messages a real SMTP server on loopback receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Sink]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


def test_scheduled_reports_are_emailed_once_per_period(
    tenant: Tenant, other_tenant: Tenant, smtp: Sink
) -> None:
    seed_march(tenant)
    schedule = do_create_scheduled_report(
        tenant.organisation,
        frequency="monthly",
        recipients=["direction@acme.example", "qualite@acme.example"],
        actor=None,
    )
    assert send_scheduled_report(schedule, today=date(2025, 4, 2)) is True
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "direction@acme.example, qualite@acme.example"
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "Rapport mensuel Acme : Mars 2025"
    body = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    text = body.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "du 1er mars 2025 au 31 mars 2025" in text
    assert "- 7 mentions" in text  # the summary's sentences travel in the e-mail
    attachments = [part for part in message.walk() if part.get_filename()]
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_payload(decode=True).startswith(b"%PDF-")  # type: ignore[union-attr]

    # Same period again (another worker, a second run): nothing more is sent.
    schedule.refresh_from_db()
    assert schedule.last_period_sent == "2025-03"
    assert send_scheduled_report(schedule, today=date(2025, 4, 20)) is False
    assert len(smtp.messages) == 1


def test_a_failed_send_is_retried_on_the_next_run(tenant: Tenant, settings: Any) -> None:
    schedule = do_create_scheduled_report(
        tenant.organisation, frequency="weekly", recipients=["a@acme.example"], actor=None
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    assert send_scheduled_reports() == 0
    schedule.refresh_from_db()
    assert schedule.last_period_sent == ""  # given back, so the next run tries again


def test_the_periodic_job_sends_every_due_schedule(tenant: Tenant, other_tenant: Tenant, smtp: Sink) -> None:
    do_create_scheduled_report(
        tenant.organisation, frequency="weekly", recipients=["a@acme.example"], actor=None
    )
    do_create_scheduled_report(
        other_tenant.organisation,
        frequency="monthly",
        recipients=["b@globex.example"],
        actor=None,
        report_format="html",
        language="en",
    )
    assert send_scheduled_reports() == 2
    assert sorted(m["To"] for m in smtp.messages) == ["a@acme.example", "b@globex.example"]
    assert send_scheduled_reports() == 0
    assert ScheduledReport.objects.exclude(last_period_sent="").count() == 2


def test_the_report_summarises_the_crises_of_its_period_only(tenant: Tenant, other_tenant: Tenant) -> None:
    from django.utils import timezone

    from vigie.alerts.crisis.actions import do_open_crisis

    org = tenant.organisation
    do_open_crisis(org, actor=tenant.manager.user, title="Remboursements bloqués")
    do_open_crisis(other_tenant.organisation, actor=other_tenant.manager.user, title="Crise d'un autre")
    this_month = timezone.localdate().strftime("%Y-%m")

    report = build_report(org, parse_period(org, this_month))
    assert report.crisis is not None
    assert len(report.crisis.lines) == 1
    assert "Remboursements bloqués" in report.crisis.lines[0]
    assert "Remboursements bloqués" in render(report, "html").decode()
    assert build_report(org, parse_period(org, "2025-03")).crisis is None


def test_quarters_are_periods_and_quarterly_schedules_send_the_last_whole_quarter(tenant: Tenant) -> None:
    org = tenant.organisation
    quarter = parse_period(org, "2025-Q1")
    assert (quarter.first_day, quarter.last_day) == (date(2025, 1, 1), date(2025, 3, 31))
    assert parse_period(org, "2025-T4").last_day == date(2025, 12, 31)
    key, period = last_complete_period(org, "quarterly", date(2025, 5, 10))
    assert key == "2025-Q1"
    assert (period.first_day, period.last_day) == (date(2025, 1, 1), date(2025, 3, 31))
    key, period = last_complete_period(org, "quarterly", date(2026, 1, 2))
    assert key == "2025-Q4"
    assert period.first_day == date(2025, 10, 1)
    assert build_report(org, quarter).title == "Rapport trimestriel"


def test_a_location_schedule_sends_that_locations_report(tenant: Tenant, smtp: Sink) -> None:
    from vigie.mentions.tests.factories import make_location

    org = tenant.organisation
    lyon, paris = make_location(org, "Agence Lyon"), make_location(org, "Agence Paris")
    for place, count in ((lyon, 3), (paris, 5)):
        for day in range(count):
            make_mention(
                org, location=place, created_at=datetime(2025, 3, 3 + day, 10, tzinfo=PARIS), rating=4
            )
    schedule = do_create_scheduled_report(
        org,
        frequency="monthly",
        recipients=["lyon@acme.example"],
        actor=None,
        location=lyon,
        report_format="html",
    )
    assert send_scheduled_report(schedule, today=date(2025, 4, 2)) is True
    message = smtp.messages[0]
    assert (
        str(make_header(decode_header(message["Subject"])))
        == "Rapport mensuel Acme · Agence Lyon : Mars 2025"
    )
    html = next(p for p in message.walk() if p.get_filename()).get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Agence Paris" not in html
    assert build_report(org, parse_period(org, "2025-03"), location=lyon).kpis.mention_volume == 3


def test_a_location_of_another_organisation_cannot_be_scheduled(tenant: Tenant, other_tenant: Tenant) -> None:
    from django.core.exceptions import ValidationError

    from vigie.mentions.tests.factories import make_location

    elsewhere = make_location(other_tenant.organisation, "Agence Globex")
    with pytest.raises(ValidationError):
        do_create_scheduled_report(
            tenant.organisation,
            frequency="monthly",
            recipients=["a@acme.example"],
            actor=None,
            location=elsewhere,
        )


def test_a_theme_has_one_negative_share_and_its_quotes_read_well_without_member_numbers(
    tenant: Tenant,
) -> None:
    """A director reading page 5 ("Thèmes et plateformes") and page 6 ("Sujets récurrents") must
    not see two shares for the same theme, nor a member's number quoted, nor a title run into the
    text as one garbled sentence."""
    org = tenant.organisation
    march = datetime(2025, 3, 10, 10, tzinfo=PARIS)
    make_mention(
        org,
        created_at=march,
        rating=1,
        sentiment=Sentiment.NEGATIVE,
        themes=["remboursement"],
        language="fr",
        title="Toujours pas remboursée",
        text="Mon numéro d'adhérent est le 66679046, trois semaines que j'attends mon virement.",
    )
    # A 1★ review whose words read as neutral: the theme board counts it against the theme.
    make_mention(
        org,
        created_at=march + timedelta(hours=1),
        rating=1,
        sentiment=Sentiment.NEUTRAL,
        themes=["remboursement"],
        language="fr",
        text="Dossier envoyé le 3 mars.",
    )
    for hour in (2, 3):
        make_mention(
            org,
            created_at=march + timedelta(hours=hour),
            rating=5,
            sentiment=Sentiment.POSITIVE,
            themes=["remboursement"],
            language="fr",
            text="Remboursé en deux jours, parfait.",
        )
    report = build_report(org, parse_period(org, "2025-03"))
    table = next(t for t in report.themes if t.volume == 4)
    problem = next(p for p in report.problems if p.theme == "remboursement")
    assert table.negative_share == problem.negativity == 0.25
    html = render(report, "html").decode()
    assert f"dont {percent(0.25)} négatives" in html
    assert f"dont {percent(0.5)} négatives" not in html
    quotes = report.problem_quotes["remboursement"]
    assert quotes[0].text.startswith("Toujours pas remboursée. Mon numéro d'adhérent est le […],")
    assert "66679046" not in html


def test_the_report_command_writes_in_the_organisations_language_unless_told(
    tenant: Tenant, tmp_path: Path
) -> None:
    # An English organisation got "RAPPORT MENSUEL / Mars 2025" from a command without --language.
    seed_march(tenant)
    Organisation.objects.filter(pk=tenant.organisation.pk).update(language="en")
    html = tmp_path / "r.html"
    call_command("report", "--org", "acme", "--period", "2025-03", "--format", "html", "--out", str(html))
    text = html.read_text()
    assert 'lang="en"' in text
    assert "March 2025" in text
    call_command(
        "report",
        "--org",
        "acme",
        "--period",
        "2025-03",
        "--format",
        "html",
        "--language",
        "fr",
        "--out",
        str(html),
    )
    assert "Mars 2025" in html.read_text()
