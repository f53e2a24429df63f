"""Pages of the alerts domain: who may read and do what, and another organisation sees nothing."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from vigie.alerts.actions import Finding, do_add_channel, do_record_finding
from vigie.alerts.crisis.actions import ActionIn, do_close_crisis, do_draft_statement, do_open_crisis
from vigie.alerts.models import Alert, AlertStatus, CorrectiveAction, Crisis, Statement, StatementStatus
from vigie.conftest import PASSWORD, Tenant
from vigie.core.actions import do_set_user_language
from vigie.core.models import User
from vigie.core.roles import Role, has_role


@dataclass
class World:
    alert: Alert
    crisis: Crisis
    closed: Crisis
    statement: Statement
    action: CorrectiveAction
    channel_id: int


def make_world(tenant: Tenant) -> World:
    org = tenant.organisation
    alert, _ = do_record_finding(
        org,
        Finding(
            key="negative_volume:org",
            rule="negative_volume",
            title="Pic de mentions négatives · Organisation",
            severity="warning",
            explanation="30 mentions négatives <b>en 15 min</b>",
            observed=30,
            expected=2,
        ),
    )
    crisis = do_open_crisis(
        org, actor=tenant.manager.user, title="Panne", cell={"spokesperson": tenant.agent.user.pk}
    )
    statement = do_draft_statement(crisis, "Nous travaillons à rétablir le service.", actor=tenant.agent.user)
    closed = do_open_crisis(org, actor=tenant.manager.user, title="Ancienne crise")
    do_close_crisis(
        closed,
        actor=tenant.manager.user,
        causes="Une mise à jour",
        what_worked="La réactivité",
        what_did_not="Le délai de la déclaration",
        actions=[
            ActionIn(
                "Tester les mises à jour", tenant.agent.user.pk, timezone.localdate() - timedelta(days=1)
            )
        ],
    )
    channel = do_add_channel(
        org, actor=tenant.admin.user, kind="slack", name="Slack", url="https://chat.example/hook/abc"
    )
    return World(alert, crisis, closed, statement, CorrectiveAction.objects.get(crisis=closed), channel.pk)


# (url name, args from the world, method, minimum role)
ROUTES: list[tuple[str, Any, str, Role]] = [
    ("alerts", lambda w: [], "get", Role.VIEWER),
    ("alert_detail", lambda w: [w.alert.pk], "get", Role.VIEWER),
    ("alert_acknowledge", lambda w: [w.alert.pk], "post", Role.AGENT),
    ("alert_snooze", lambda w: [w.alert.pk], "post", Role.AGENT),
    ("alert_escalate", lambda w: [w.alert.pk], "post", Role.AGENT),
    ("alert_resolve", lambda w: [w.alert.pk], "post", Role.AGENT),
    ("alert_settings", lambda w: [], "get", Role.MANAGER),
    ("alert_series_tune", lambda w: [], "post", Role.MANAGER),
    ("alert_channel_add", lambda w: [], "post", Role.MANAGER),
    ("alert_channel_delete", lambda w: [w.channel_id], "post", Role.MANAGER),
    ("alert_preferences", lambda w: [], "get", Role.VIEWER),
    ("notifications", lambda w: [], "get", Role.VIEWER),
    ("notifications_read", lambda w: [], "post", Role.VIEWER),
    ("crises", lambda w: [], "get", Role.VIEWER),
    ("crisis_new", lambda w: [], "get", Role.MANAGER),
    ("crisis_detail", lambda w: [w.crisis.pk], "get", Role.VIEWER),
    ("crisis_live", lambda w: [w.crisis.pk], "get", Role.VIEWER),
    ("crisis_timeline_add", lambda w: [w.crisis.pk], "post", Role.AGENT),
    ("crisis_playbook_tick", lambda w: [w.crisis.pk, w.crisis.playbook.first().pk], "post", Role.AGENT),
    ("crisis_role", lambda w: [w.crisis.pk], "post", Role.MANAGER),
    ("crisis_start", lambda w: [w.crisis.pk], "post", Role.MANAGER),
    ("crisis_statement_add", lambda w: [w.crisis.pk], "post", Role.AGENT),
    ("crisis_close", lambda w: [w.crisis.pk], "get", Role.MANAGER),
    ("crisis_report", lambda w: [w.closed.pk, "html"], "get", Role.VIEWER),
    ("crisis_report", lambda w: [w.closed.pk, "pdf"], "get", Role.VIEWER),
    ("corrective_actions", lambda w: [], "get", Role.VIEWER),
]


def _call(client: Client, method: str, url: str) -> Any:
    return client.post(url, {}) if method == "post" else client.get(url)


@pytest.mark.parametrize(("name", "args", "method", "minimum"), ROUTES)
def test_anonymous_visitors_are_sent_to_login(
    tenant: Tenant, name: str, args: Any, method: str, minimum: Role
) -> None:
    world = make_world(tenant)
    response = _call(Client(), method, reverse(name, args=args(world)))
    assert response.status_code == 302
    assert reverse("login") in response.url


@pytest.mark.parametrize(("name", "args", "method", "minimum"), ROUTES)
def test_roles_below_the_minimum_are_refused(
    tenant: Tenant, login, name: str, args: Any, method: str, minimum: Role
) -> None:  # type: ignore[no-untyped-def]
    for role in Role:
        url = reverse(
            name, args=args(make_world(tenant))
        )  # fresh objects: the previous role may have changed them
        response = _call(login(tenant.member(role.value)), method, url)
        if has_role(role.value, minimum):
            # An empty correction of the crisis start is let in, then refused as a form (400).
            allowed = (200, 302, 400) if name == "crisis_start" else (200, 302)
            assert response.status_code in allowed, f"{role} on {name}"
        else:
            assert response.status_code == 403, f"{role} on {name}"


@pytest.mark.parametrize(
    ("name", "args", "method", "minimum"),
    [
        r
        for r in ROUTES
        if r[0]
        not in {
            "alerts",
            "alert_settings",
            "alert_series_tune",
            "alert_channel_add",
            "alert_preferences",
            "notifications",
            "notifications_read",
            "crises",
            "crisis_new",
            "corrective_actions",
        }
    ],
)
def test_another_organisations_objects_answer_404(  # type: ignore[no-untyped-def]
    tenant: Tenant, other_tenant: Tenant, login, name: str, args: Any, method: str, minimum: Role
) -> None:
    world = make_world(tenant)
    response = _call(login(other_tenant.admin), method, reverse(name, args=args(world)))
    assert response.status_code == 404


def test_someone_without_an_organisation_is_refused(db: None) -> None:
    client = Client()
    client.force_login(User.objects.create_user("nobody@example.org", PASSWORD))
    assert client.get(reverse("alerts")).status_code == 403


def test_the_alerts_page_lists_ongoing_alerts_and_escapes_their_text(
    tenant: Tenant, other_tenant: Tenant, login
) -> None:  # type: ignore[no-untyped-def]
    world = make_world(tenant)
    content = login(tenant.viewer).get(reverse("alerts")).content.decode()
    assert "Pic de mentions négatives" in content
    detail = login(tenant.viewer).get(reverse("alert_detail", args=[world.alert.pk])).content.decode()
    assert "&lt;b&gt;en 15 min&lt;/b&gt;" in detail
    assert "Pic de mentions" not in login(other_tenant.viewer).get(reverse("alerts")).content.decode()


def test_an_agent_acknowledges_and_snoozes_an_alert(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    world = make_world(tenant)
    client = login(tenant.agent)
    client.post(reverse("alert_snooze", args=[world.alert.pk]), {"hours": "2"})
    world.alert.refresh_from_db()
    assert world.alert.status == AlertStatus.SNOOZED
    assert world.alert.snoozed_until is not None
    client.post(reverse("alert_acknowledge", args=[world.alert.pk]))
    world.alert.refresh_from_db()
    assert world.alert.status == AlertStatus.ACKNOWLEDGED
    assert world.alert.acknowledged_by == tenant.agent.user


def test_only_the_spokesperson_or_an_admin_approves_a_statement(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    world = make_world(tenant)
    url = reverse("statement_approve", args=[world.crisis.pk, world.statement.pk])
    assert login(tenant.manager).post(url).status_code == 403
    assert login(tenant.viewer).post(url).status_code == 403
    world.statement.refresh_from_db()
    assert world.statement.status == StatementStatus.DRAFT
    assert login(tenant.agent).post(url).status_code == 302  # the agent is this crisis' spokesperson
    world.statement.refresh_from_db()
    assert world.statement.status == StatementStatus.APPROVED
    assert world.statement.approved_by == tenant.agent.user


def test_an_admin_may_approve_too_and_another_org_gets_404(
    tenant: Tenant, other_tenant: Tenant, login
) -> None:  # type: ignore[no-untyped-def]
    world = make_world(tenant)
    url = reverse("statement_approve", args=[world.crisis.pk, world.statement.pk])
    assert login(other_tenant.admin).post(url).status_code == 404
    assert login(tenant.admin).post(url).status_code == 302
    publish = reverse("statement_publish", args=[world.crisis.pk, world.statement.pk])
    assert login(other_tenant.admin).post(publish).status_code == 404
    assert login(tenant.viewer).post(publish).status_code == 403
    assert login(tenant.manager).post(publish, {"where": "X, LinkedIn"}).status_code == 302
    world.statement.refresh_from_db()
    assert world.statement.status == StatementStatus.PUBLISHED


def test_a_statement_cannot_be_published_before_approval(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    world = make_world(tenant)
    login(tenant.manager).post(reverse("statement_publish", args=[world.crisis.pk, world.statement.pk]))
    world.statement.refresh_from_db()
    assert world.statement.status == StatementStatus.DRAFT


def test_closing_requires_a_complete_post_mortem(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    world = make_world(tenant)
    url = reverse("crisis_close", args=[world.crisis.pk])
    response = login(tenant.manager).post(url, {"causes": "x", "what_worked": "y", "what_did_not": "z"})
    assert response.status_code == 400
    assert "action corrective" in response.content.decode()
    world.crisis.refresh_from_db()
    assert world.crisis.status == "open"
    response = login(tenant.manager).post(
        url,
        {
            "causes": "x",
            "what_worked": "y",
            "what_did_not": "z",
            "action0-title": "Former l'équipe",
            "action0-owner": str(tenant.agent.user.pk),
            "action0-due_on": "2030-01-31",
        },
    )
    assert response.status_code == 302
    world.crisis.refresh_from_db()
    assert world.crisis.status == "closed"


def test_the_post_mortem_exports_as_pdf_and_html(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    world = make_world(tenant)
    client = login(tenant.viewer)
    pdf = client.get(reverse("crisis_report", args=[world.closed.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    html = client.get(reverse("crisis_report", args=[world.closed.pk, "html"])).content.decode()
    assert "Le délai de la déclaration" in html
    assert "Tester les mises à jour" in html
    # The timeline's kinds by their names, as in the room (it printed "[statement]", "[playbook]").
    assert not re.search(r"\[(alert|mention|statement|reply|playbook|manual)\]", html)
    assert client.get(reverse("crisis_report", args=[world.crisis.pk, "pdf"])).status_code == 404, (
        "open: no report"
    )


def test_overdue_corrective_actions_are_flagged_and_their_owner_closes_them(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    world = make_world(tenant)
    content = login(tenant.viewer).get(reverse("corrective_actions")).content.decode()
    assert "Tester les mises à jour" in content
    assert "en retard" in content
    assert (
        login(tenant.viewer).post(reverse("corrective_action_done", args=[world.action.pk])).status_code
        == 403
    )
    assert (
        login(tenant.agent).post(reverse("corrective_action_done", args=[world.action.pk])).status_code == 302
    )
    world.action.refresh_from_db()
    assert world.action.done_at is not None


def test_the_settings_page_never_shows_a_channel_url(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    make_world(tenant)
    content = login(tenant.manager).get(reverse("alert_settings")).content.decode()
    assert "Slack" in content
    assert "/hook/abc" not in content


def test_the_header_bell_counts_unread_notifications(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    make_world(tenant)  # the alert notified every member
    client = login(tenant.viewer)
    content = client.get(reverse("crises")).content.decode()
    assert 'class="bell-count">1<' in content
    client.post(reverse("notifications_read"))
    after = client.get(reverse("crises")).content.decode()
    assert 'class="bell"' in after
    assert "bell-count" not in after  # no badge once everything is read


def test_opening_a_crisis_from_another_organisations_alert_is_404(
    tenant: Tenant, other_tenant: Tenant, login
) -> None:  # type: ignore[no-untyped-def]
    world = make_world(tenant)
    url = reverse("crisis_new") + f"?alert={world.alert.pk}"
    assert login(other_tenant.manager).get(url).status_code == 404
    assert login(other_tenant.manager).post(url, {"title": "x", "severity": "warning"}).status_code == 404
    page = login(tenant.manager).get(url).content.decode()
    assert "Pic de mentions négatives" in page


def test_the_live_view_shows_the_scope_and_escapes_customer_text(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    from vigie.mentions.tests.factories import make_mention

    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Panne", keywords=["panne"])
    make_mention(
        tenant.organisation,
        text="<script>alert(1)</script> panne totale",
        created_at=timezone.now(),
        sentiment="negative",
    )
    make_mention(tenant.organisation, text="Rien à voir", created_at=timezone.now())
    content = login(tenant.viewer).get(reverse("crisis_live", args=[crisis.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; panne totale" in content
    assert "<script>alert(1)" not in content
    assert "Rien à voir" not in content
    assert 'hx-trigger="every 30s"' in content


def test_an_english_speaking_member_reads_alerts_in_english(tenant: Tenant, login, now) -> None:  # type: ignore[no-untyped-def]
    from vigie.alerts.tasks import detect
    from vigie.alerts.tests.conftest import add_spike, build_history

    source = build_history(tenant.organisation, now)
    add_spike(tenant.organisation, source, now)
    detect(tenant.organisation.pk)
    alert = Alert.objects.get(organisation=tenant.organisation, key="negative_volume:org")
    user = tenant.viewer.user
    user.language = "en"
    user.save()
    client = login(tenant.viewer)
    page = client.get(
        reverse("alert_detail", args=[alert.pk]), headers={"accept-language": "en"}
    ).content.decode()
    assert "Spike of negative mentions" in page
    assert alert.explanation_en.split()[0] in page


def test_a_share_alert_shows_percentages_and_a_rating_alert_stars(tenant: Tenant, login, now) -> None:  # type: ignore[no-untyped-def]
    from vigie.alerts.tasks import detect
    from vigie.alerts.tests.conftest import add_spike, build_history

    source = build_history(tenant.organisation, now)
    add_spike(tenant.organisation, source, now, count=12, minutes=30)
    detect(tenant.organisation.pk)
    client = login(tenant.viewer)
    share = Alert.objects.get(organisation=tenant.organisation, key="one_star_share:org")
    page = client.get(reverse("alert_detail", args=[share.pk])).content.decode()
    assert f"<dd>{round(share.observed * 100)}\u00a0%</dd>" in page
    # An English reader reads English typography: no space before the percent sign.
    do_set_user_language(tenant.viewer.user, "en")
    english = login(tenant.viewer).get(reverse("alert_detail", args=[share.pk])).content.decode()
    assert f"<dd>{round(share.observed * 100)}%</dd>" in english
    assert f"<dd>{round(share.expected * 100)}%</dd>" in english
    rating = Alert.objects.get(organisation=tenant.organisation, key="average_rating:org")
    page = client.get(reverse("alert_detail", args=[rating.pk])).content.decode()
    assert " ★</dd>" in page


def _local(moment: Any, organisation: Any) -> str:
    """A moment as the form's date-and-time picker sends it: minutes, the organisation's zone."""
    return moment.astimezone(zoneinfo.ZoneInfo(organisation.timezone)).strftime("%Y-%m-%dT%H:%M")


def _crisis_post(started_at: str) -> dict[str, str]:
    return {
        "title": "Remboursements bloqués",
        "severity": "critical",
        "started_at": started_at,
        "keywords": "remboursement, plateforme, #remboursementsbloqués",
    }


def test_a_crisis_opened_by_hand_shows_the_wave_since_the_start_the_manager_gives(
    tenant: Tenant, login
) -> None:  # type: ignore[no-untyped-def]
    import re

    from vigie.mentions.tests.factories import make_mention

    org = tenant.organisation
    now = timezone.now()
    wave = [
        ("Toujours pas de remboursement, 3 semaines !", now - timedelta(hours=47)),
        ("La plateforme ne répond plus depuis hier soir", now - timedelta(hours=30)),
        ("#remboursementsbloqués et personne au téléphone", now - timedelta(hours=3)),
    ]
    for text, at in wave:
        make_mention(org, text=text, created_at=at, sentiment="negative")
    make_mention(org, text="Mon remboursement de l'an dernier", created_at=now - timedelta(days=3))
    make_mention(org, text="Très bon accueil en agence.", created_at=now - timedelta(hours=2))
    client = login(tenant.manager)

    form = client.get(reverse("crisis_new")).content.decode()
    assert "Début de la crise" in form
    shown = re.search(r'name="started_at" value="([^"]+)"', form)
    assert shown is not None
    zone = zoneinfo.ZoneInfo(org.timezone)
    default = datetime.strptime(shown.group(1), "%Y-%m-%dT%H:%M").replace(tzinfo=zone)
    assert abs(default - now) < timedelta(minutes=2), "now by default, with no incident open"

    start = _local(now - timedelta(days=2), org)
    response = client.post(reverse("crisis_new"), _crisis_post(start))
    assert response.status_code == 302
    crisis = Crisis.objects.get(organisation=org)
    assert _local(crisis.started_at, org) == start
    room = client.get(response.url).content.decode()
    assert re.search(r"Mentions dans le périmètre</span><strong>3</strong>", room)
    assert "Aucune mention dans le périmètre" not in room
    for text, _at in wave:
        assert escape(text) in room
    assert "an dernier" not in room, "before the start"
    assert "Très bon accueil" not in room, "out of the keywords"
    export = client.get(reverse("crisis_timeline_export", args=[crisis.pk])).content.decode()
    assert "Toujours pas de remboursement" in export, "the export reads the same scope"


def test_a_crisis_start_in_the_future_or_too_far_back_is_refused(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    org = tenant.organisation
    client = login(tenant.manager)
    future = _local(timezone.now() + timedelta(hours=2), org)
    response = client.post(reverse("crisis_new"), _crisis_post(future))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Le début de la crise ne peut pas être dans le futur." in page
    assert f'value="{future}"' in page, "what was typed is kept"
    assert 'value="Remboursements bloqués"' in page
    long_ago = _local(timezone.now() - timedelta(days=120), org)
    response = client.post(reverse("crisis_new"), _crisis_post(long_ago))
    assert response.status_code == 400
    assert "ne peut pas remonter à plus de 90 jours" in response.content.decode()
    assert login(tenant.agent).post(reverse("crisis_new"), _crisis_post(long_ago)).status_code == 403
    assert not Crisis.objects.filter(organisation=org).exists()


def test_a_manager_corrects_the_start_of_an_open_crisis_and_the_room_follows(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    """The start set when the room was opened was wrong (the wave began two days ago): there was
    no way to correct it but to open another crisis."""
    import re

    from vigie.alerts.crisis.actions import do_open_crisis
    from vigie.core.models import AuditEvent
    from vigie.mentions.tests.factories import make_mention

    org = tenant.organisation
    now = timezone.now()
    make_mention(org, text="Remboursement bloqué depuis deux jours", created_at=now - timedelta(hours=40))
    make_mention(org, text="Toujours pas de remboursement", created_at=now - timedelta(hours=2))
    crisis = do_open_crisis(
        org, actor=tenant.manager.user, title="Remboursements", keywords=["remboursement"]
    )
    client = login(tenant.manager)
    room = client.get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    assert "Corriger le début de la crise" in room
    assert re.search(r"Mentions dans le périmètre</span><strong>1</strong>", room)

    start = _local(now - timedelta(days=2), org)
    response = client.post(reverse("crisis_start", args=[crisis.pk]), {"started_at": start})
    assert response.status_code == 302
    crisis.refresh_from_db()
    assert _local(crisis.started_at, org) == start
    room = client.get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    assert "Début de la crise corrigé" in room
    assert re.search(r"Mentions dans le périmètre</span><strong>2</strong>", room)
    assert f'value="{start}"' in room, "the form shows the start now in force"
    event = AuditEvent.objects.get(organisation=org, verb="crisis.start_changed")
    assert datetime.fromisoformat(event.data["after"]) == crisis.started_at

    # Refused in the future: the panel stays open on what was typed, the reason beside the
    # field (a redirect closed the panel and lost the value); nothing changes.
    future = _local(now + timedelta(hours=3), org)
    response = client.post(reverse("crisis_start", args=[crisis.pk]), {"started_at": future})
    assert response.status_code == 400
    room = response.content.decode()
    panel = room.split('<details class="crisis-start"', 1)[1].split("</details>", 1)[0]
    assert panel.startswith(" open>")
    assert f'value="{future}"' in panel
    assert "Le début de la crise ne peut pas être dans le futur." in panel
    assert 'aria-invalid="true"' in panel
    crisis.refresh_from_db()
    assert _local(crisis.started_at, org) == start
    # Not a date at all: the same, with the form's own words.
    response = client.post(reverse("crisis_start", args=[crisis.pk]), {"started_at": "hier soir"})
    assert response.status_code == 400
    panel = response.content.decode().split('<details class="crisis-start"', 1)[1].split("</details>", 1)[0]
    assert panel.startswith(" open>")
    assert 'value="hier soir"' in panel
    assert "errorlist" in panel
    # A room shown normally keeps the panel closed.
    room = client.get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    assert '<details class="crisis-start">' in room
    # Agents and viewers see no form and are refused.
    assert (
        "Corriger le début"
        not in login(tenant.agent).get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    )
    assert (
        login(tenant.agent).post(reverse("crisis_start", args=[crisis.pk]), {"started_at": start}).status_code
        == 403
    )


def test_the_crisis_form_offers_the_default_themes_to_an_organisation_without_its_own(
    tenant: Tenant, login
) -> None:  # type: ignore[no-untyped-def]
    """Found in the demo: the themes list was empty, so a crisis could not be scoped to a theme."""
    page = login(tenant.manager).get(reverse("crisis_new")).content.decode()
    assert 'value="remboursement"' in page
    assert "Remboursements" in page


def test_the_room_names_its_scope_and_its_tab_title_is_the_crisis(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    """Found in the demo: the scope read "sources 3, 5 ; lieux 2" and the tab title carried the
    markup of a script."""
    from vigie.mentions.tests.factories import make_location, make_source

    org = tenant.organisation
    source = make_source(org, name="Google — Agence de Lyon")
    lyon = make_location(org, "Agence Lyon Part-Dieu")
    crisis = do_open_crisis(
        org,
        actor=tenant.manager.user,
        title="Panne de la plateforme",
        themes=["remboursement"],
        source_ids=[source.pk],
        location_ids=[lyon.pk],
    )
    page = login(tenant.agent).get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    assert "Remboursements" in page
    assert "Google — Agence de Lyon" in page
    assert "Agence Lyon Part-Dieu" in page
    # One phrase per part, no dangling separator.
    assert " ;\n" not in page
    assert "; </p>" not in page
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == "Panne de la plateforme · Vigie"


def test_quiet_hours_show_hours_and_minutes(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    # The time picker showed "22:00:00" (a seconds box nobody needs) once preferences were saved.
    from datetime import time

    from vigie.alerts.actions import do_update_preferences

    do_update_preferences(
        tenant.viewer,
        events=[],
        email=True,
        minimum_severity="warning",
        quiet_start=time(22, 0),
        quiet_end=time(7, 0),
    )
    page = login(tenant.viewer).get(reverse("alert_preferences")).content.decode()
    assert 'value="22:00"' in page
    assert 'value="07:00"' in page
    assert "22:00:00" not in page


def test_an_alerts_figures_read_as_numbers_in_the_readers_language(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    from vigie.core.actions import do_set_user_language

    org = tenant.organisation
    reach, _ = do_record_finding(
        org,
        Finding(
            key="reach:org",
            rule="reach",
            title="Audience",
            severity="warning",
            observed=60000.0,
            expected=10000.0,
        ),
    )
    rating, _ = do_record_finding(
        org,
        Finding(
            key="average_rating:org",
            rule="average_rating",
            title="Note",
            severity="warning",
            observed=3.4,
            expected=4.0,
        ),
    )
    client = login(tenant.viewer)
    page = client.get(reverse("alert_detail", args=[reach.pk])).content.decode()
    assert re.search(r"<dd>60\s000</dd>", page)
    assert re.search(r"<dd>10\s000</dd>", page)
    assert "60000,0" not in page
    page = client.get(reverse("alert_detail", args=[rating.pk])).content.decode()
    assert "<dd>3,4 ★</dd>" in page
    assert "<dd>4 ★</dd>" in page
    do_set_user_language(tenant.viewer.user, "en")
    page = client.get(reverse("alert_detail", args=[reach.pk])).content.decode()
    assert "<dd>60,000</dd>" in page
    assert "<dd>10,000</dd>" in page
