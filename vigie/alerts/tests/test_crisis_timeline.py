"""What the cell did in the room is on the crisis timeline, its CSV export and the post-mortem: the
opening (who, when, from which alert and incident), each statement drafted, approved, published
and posted on each platform (with its link and who), holding statements named as such, and the
closing. Times in the organisation's time zone, words in French or English."""

from __future__ import annotations

import csv
import io
import json
import zoneinfo
from collections.abc import Iterator
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from vigie.alerts.actions import Finding, do_record_finding
from vigie.alerts.crisis.actions import (
    ActionIn,
    do_approve_statement,
    do_assign_crisis_role,
    do_close_crisis,
    do_draft_holding_statement,
    do_draft_statement,
    do_edit_statement,
    do_open_crisis,
    do_publish_statement,
)
from vigie.alerts.crisis.publishing import do_confirm_statement_posted_by_hand
from vigie.alerts.models import Crisis, StatementPublicationStatus
from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.testing import FakePlatform
from vigie.core.jobs import run_pending
from vigie.core.models import AuditEvent, Organisation, User
from vigie.mentions.tests.factories import make_source

ZONE = "America/Montreal"
ALERT = "Pic de mentions négatives : remboursements"
ALERT_EN = "Spike of negative mentions: refunds"
FILLED = (
    "Nous avons connaissance des difficultés signalées et nous les prenons très au sérieux. "
    "Nos équipes sont mobilisées. Nous reviendrons vers vous ici au plus tard à 14 heures."
)
UPDATE = "Le portail des remboursements est rétabli depuis 13 heures."
BY_HAND_LINK = "https://www.instagram.com/p/C0ffee/"
STATUSES = "/api/v1/statuses"
MASTODON_FIXTURES = (
    Path(__file__).resolve().parents[2] / "connectors" / "builtin" / "mastodon" / "tests" / "fixtures"
)
MASTODON_LINK = "https://mastodon.social/@acme/112383000000000042"


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        fake.add("POST", STATUSES, json=json.loads((MASTODON_FIXTURES / "status_created.json").read_text()))
        yield fake


@pytest.fixture
def crisis(tenant: Tenant, platform: FakePlatform) -> Crisis:
    """A crisis opened from an alert of an incident, in Montreal: the holding statement drafted in
    one click, corrected, approved and posted by hand on Instagram (and said on the website); an update
    posted on Mastodon by Vigie; a last draft left unapproved."""
    Organisation.objects.filter(pk=tenant.organisation.pk).update(timezone=ZONE)
    tenant.organisation.refresh_from_db()
    alert, _ = do_record_finding(
        tenant.organisation,
        Finding(
            key="spike:refunds", rule="negative_volume", title=ALERT, title_en=ALERT_EN, severity="critical"
        ),
        announce=False,
    )
    assert alert.incident is not None
    manager, agent = tenant.manager.user, tenant.agent.user
    crisis = do_open_crisis(tenant.organisation, actor=manager, title="Remboursements bloqués", alert=alert)
    do_assign_crisis_role(crisis, "spokesperson", manager.pk, actor=manager)
    instagram = make_source(tenant.organisation, platform="instagram", name="Compte Instagram")
    mastodon = do_create_source(
        tenant.organisation,
        platform="mastodon",
        name="Mastodon de l'entreprise",
        config={"base_url": platform.url, "access_token": "tok"},
    )

    holding = do_draft_holding_statement(crisis, actor=agent, membership=tenant.agent)
    holding = do_edit_statement(holding, FILLED, actor=agent, membership=tenant.agent)
    do_approve_statement(holding, actor=manager)
    do_publish_statement(holding, actor=manager, source_ids=[instagram.pk], where="Site web")
    do_confirm_statement_posted_by_hand(holding.publications.get(), actor=manager, url=BY_HAND_LINK)

    update = do_draft_statement(crisis, UPDATE, actor=agent, membership=tenant.agent)
    do_approve_statement(update, actor=manager)
    do_publish_statement(update, actor=manager, source_ids=[mastodon.pk])
    run_pending(limit=10)
    assert update.publications.get().status == StatementPublicationStatus.PUBLISHED

    do_draft_statement(crisis, "Brouillon de la FAQ, à relire.", actor=agent, membership=tenant.agent)
    return crisis


def _local(value: datetime) -> str:
    return value.astimezone(zoneinfo.ZoneInfo(ZONE)).strftime("%d/%m/%Y %H:%M")


def _timeline(page: str) -> str:
    return page[page.index('id="timeline"') : page.index("</ol>", page.index('id="timeline"'))]


def _opening(crisis: Crisis) -> AuditEvent:
    return AuditEvent.objects.get(verb="crisis.opened", object_id=str(crisis.pk))


def test_the_room_shows_the_opening_and_every_statement_step(
    tenant: Tenant, crisis: Crisis, login: Any
) -> None:
    page = login(tenant.viewer).get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    timeline = _timeline(page)
    manager, agent = escape(str(tenant.manager.user)), escape(str(tenant.agent.user))
    opening = (
        f"{_local(_opening(crisis).created_at)} · ouverture de la crise · {manager}</span><br>\n"
        f'    <a href="{reverse("alert_detail", args=[crisis.alert_id])}">'
        + escape(f"Crise « Remboursements bloqués » ouverte depuis l'alerte « {ALERT} »")
    )
    assert opening in timeline, "who, when (in Montreal) and from which alert"
    for expected in (
        f"déclaration d&#x27;attente rédigée · {agent}",
        f"déclaration d&#x27;attente approuvée · {manager}",
        f"déclaration d&#x27;attente publiée · {manager}",
        f"déclaration d&#x27;attente mise en ligne · {manager}",
        f'<a href="{BY_HAND_LINK}"',
        "Instagram · Compte Instagram : Nous avons connaissance",
        "(diffusion : Instagram, Site web)",
        f"déclaration rédigée · {agent}",
        f"déclaration publiée · {manager}",
        f"déclaration mise en ligne · {manager}",
        f'<a href="{MASTODON_LINK}"',
        "Brouillon de la FAQ",
    ):
        assert expected in timeline, expected
    assert timeline.count("déclaration approuvée") == 1, "the draft left unapproved is not approved"
    assert timeline.index("Brouillon de la FAQ") < timeline.index("ouverture de la crise"), "newest first"
    log = page[page.index("Journal des informations au public") :]
    assert f'href="{BY_HAND_LINK}"' in log, "the log of public updates links each publication"
    assert f'href="{MASTODON_LINK}"' in log


def test_an_english_reader_reads_the_same_entries_in_english(
    tenant: Tenant, crisis: Crisis, login: Any
) -> None:
    User.objects.filter(pk=tenant.viewer.user.pk).update(language="en")
    page = login(tenant.viewer).get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    timeline = _timeline(page)
    for expected in (
        "crisis opened",
        escape(f"Crisis “Remboursements bloqués” opened from the alert “{ALERT_EN}”."),
        "holding statement drafted",
        "holding statement approved",
        "holding statement published",
        "holding statement posted",
        "(channels: Instagram, Site web)",
        "statement drafted",
        "statement posted",
    ):
        assert expected in timeline, expected
    assert "ouverture de la crise" not in timeline


def test_the_export_lists_them_oldest_first_in_the_organisations_time_zone(
    tenant: Tenant, crisis: Crisis, login: Any
) -> None:
    response = login(tenant.viewer).get(reverse("crisis_timeline_export", args=[crisis.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1] == f"Heure ({ZONE})"
    manager, agent = str(tenant.manager.user), str(tenant.agent.user)
    opened = _opening(crisis).created_at
    day, time = _local(opened).split(" ")
    kinds = [row[2] for row in rows[1:]]
    first = rows[1 + kinds.index("ouverture de la crise")]
    assert first[:4] == [day, time, "ouverture de la crise", manager]
    assert first[4] == f"Crise « Remboursements bloqués » ouverte depuis l'alerte « {ALERT} »."
    assert first[5].endswith(reverse("alert_detail", args=[crisis.alert_id]))
    assert kinds.index("ouverture de la crise") < kinds.index("déclaration d'attente rédigée")
    assert kinds.index("déclaration d'attente rédigée") < kinds.index("déclaration d'attente approuvée")
    assert kinds.index("déclaration d'attente approuvée") < kinds.index("déclaration d'attente publiée")
    assert kinds.index("déclaration d'attente publiée") < kinds.index("déclaration d'attente mise en ligne")
    posted = {row[5]: row for row in rows[1:] if row[2].endswith("mise en ligne")}
    assert posted[BY_HAND_LINK][3] == manager
    assert posted[BY_HAND_LINK][4].startswith("Instagram · Compte Instagram : Nous avons connaissance")
    assert posted[MASTODON_LINK][2] == "déclaration mise en ligne"
    assert posted[MASTODON_LINK][3] == manager, "sent by Vigie for the manager who published it"
    assert [row[3] for row in rows[1:] if row[2] == "déclaration rédigée"] == [agent, agent]
    Organisation.objects.filter(pk=tenant.organisation.pk).update(language="en")
    response = login(tenant.viewer).get(reverse("crisis_timeline_export", args=[crisis.pk]))
    english = response.content.decode("utf-8-sig")
    assert "crisis opened" in english
    assert "holding statement posted" in english


def test_the_closing_and_the_post_mortem_carry_them(tenant: Tenant, crisis: Crisis, login: Any) -> None:
    do_close_crisis(
        crisis,
        actor=tenant.admin.user,
        causes="Migration du système de remboursement.",
        what_worked="Déclaration d'attente en moins d'une heure.",
        what_did_not="Le service client a été briefé tard.",
        actions=[ActionIn("Tester les migrations en préproduction", tenant.agent.user.pk, date(2030, 1, 31))],
    )
    crisis.refresh_from_db()
    assert crisis.closed_at is not None
    client = login(tenant.viewer)
    room = _timeline(client.get(reverse("crisis_detail", args=[crisis.pk])).content.decode())
    admin = escape(str(tenant.admin.user))
    assert f"{_local(crisis.closed_at)} · clôture de la crise · {admin}" in room
    assert "Crise close, post-mortem rédigé : 1 action(s) corrective(s)." in room
    assert room.index("clôture de la crise") < room.index("Brouillon de la FAQ"), "newest first"

    report = client.get(reverse("crisis_report", args=[crisis.pk, "html"])).content.decode()
    public = report[report.index("Informations au public") : report.index("Fil des événements")]
    assert f'<a href="{BY_HAND_LINK}">' in public
    assert f'<a href="{MASTODON_LINK}">' in public
    assert "Instagram (publiée à la main" in public
    assert "Mastodon (publiée" in public
    assert "Site web" in public
    assert "Brouillon de la FAQ" not in public, "a draft was not published"
    events = report[report.index("Fil des événements") :]
    for expected in (
        "[ouverture de la crise]",
        "[déclaration d&#x27;attente publiée]",
        "[déclaration d&#x27;attente mise en ligne]",
        "[déclaration mise en ligne]",
        "[clôture de la crise]",
    ):
        assert expected in events, expected
    assert events.index("[ouverture de la crise]") < events.index("[clôture de la crise]"), "in order"
    pdf = client.get(reverse("crisis_report", args=[crisis.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF-")


def test_a_manager_makes_the_action_plan_from_the_post_mortem_page(
    tenant: Tenant, crisis: Crisis, login: Any
) -> None:
    do_close_crisis(
        crisis,
        actor=tenant.manager.user,
        causes="Migration du système de remboursement.",
        what_worked="Déclaration d'attente en moins d'une heure.",
        what_did_not="Le service client a été briefé tard.",
        actions=[ActionIn("Tester les migrations en préproduction", tenant.agent.user.pk, date(2030, 1, 31))],
    )
    report = reverse("crisis_report", args=[crisis.pk, "html"])
    plan = reverse("insights-action-plan-create") + f"?crisis={crisis.pk}"
    assert plan not in login(tenant.viewer).get(report).content.decode(), "managers only"
    client = login(tenant.manager)
    assert plan in client.get(report).content.decode()
    assert plan not in client.get(report + "?download=1").content.decode(), "not in the file handed out"
    form = client.get(plan).content.decode()
    assert "Suites de la crise « Remboursements bloqués »" in form
    assert "Tester les migrations en préproduction" in form
