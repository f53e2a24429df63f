from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.core.queries import audit_events_for
from vigie.inbox.models import Case, CaseStatus
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_author, make_location, make_mention, make_source

Login = Callable[[Membership], Client]


def case_ids(response: object) -> list[int]:
    return [case.pk for case in response.context["page"].object_list]  # type: ignore[attr-defined]


# --- Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        lambda pk: reverse("inbox"),
        lambda pk: reverse("case_detail", args=[pk]),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(tenant: Tenant, url: Callable[[int], str]) -> None:
    case = make_case(tenant.organisation)
    response = Client().get(url(case.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["case_assign", "case_status"])
def test_anonymous_posts_change_nothing(tenant: Tenant, name: str) -> None:
    case = make_case(tenant.organisation)
    response = Client().post(reverse(name, args=[case.pk]), {"status": "resolved", "assignee": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_another_organisations_case_is_not_found(tenant: Tenant, other_tenant: Tenant, login: Login) -> None:
    theirs = make_case(other_tenant.organisation)
    client = login(tenant.admin)
    assert client.get(reverse("case_detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("case_status", args=[theirs.pk]), {"status": "resolved"}).status_code == 404
    assert client.post(reverse("case_assign", args=[theirs.pk]), {"assignee": ""}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == CaseStatus.NEW


def test_the_inbox_never_lists_another_organisations_cases(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    make_case(other_tenant.organisation, make_mention(other_tenant.organisation, text="Secret de Globex"))
    response = login(tenant.viewer).get(reverse("inbox"), {"view": "all"})
    assert response.status_code == 200
    assert case_ids(response) == []
    assert "Secret de Globex" not in response.content.decode()


# --- Inbox ---------------------------------------------------------------------------------------


def test_the_inbox_shows_open_cases_with_their_details(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    overdue = make_case(
        org,
        make_mention(
            org,
            author=make_author(org, display_name="Jeanne Martin"),
            location=make_location(org, "Lyon Part-Dieu"),
            rating=2,
            sentiment=Sentiment.NEGATIVE,
            text="Attente de 40 minutes au guichet",
        ),
        priority=3,
        assignee=tenant.agent.user,
        sla_due_at=timezone.now() - timedelta(hours=2),
    )
    make_case(org, status=CaseStatus.RESOLVED)

    response = login(tenant.viewer).get(reverse("inbox"))
    assert response.status_code == 200
    assert response.context["nav"] == "inbox"
    assert case_ids(response) == [overdue.pk]
    html = response.content.decode()
    for text in (
        "Jeanne Martin",
        "Lyon Part-Dieu",
        "Attente de 40 minutes",
        "Retard :",
        overdue.reference,
    ):
        assert text in html, text
    assert reverse("case_detail", args=[overdue.pk]) in html
    counts = {view.value: count for view, count in response.context["views"]}
    assert counts["todo"] == 1
    assert counts["resolved"] == 1


def test_customer_text_is_escaped_in_the_list(tenant: Tenant, login: Login) -> None:
    make_case(tenant.organisation, make_mention(tenant.organisation, text="<script>alert('x')</script>"))
    html = login(tenant.viewer).get(reverse("inbox")).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(" in html


def test_the_less_used_filters_fold_away_until_one_is_set(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    lyon = make_location(org, "Lyon")
    make_case(org, make_mention(org, source=make_source(org, "google_business"), location=lyon))
    client = login(tenant.agent)

    page = client.get(reverse("inbox")).content.decode()
    assert '<details class="more-filters">' in page  # folded
    assert 'name="q"' in page  # search and the daily filters stay in view
    # Platforms are offered by name.
    assert '<option value="google_business">Google Business Profile</option>' in page

    page = client.get(reverse("inbox"), {"location": lyon.pk, "stars": 1}).content.decode()
    assert '<details class="more-filters" open>' in page
    assert "Plus de filtres (2 actifs)" in re.sub(r"<[^>]+>", "", page)  # the count is in its own span


def test_inbox_filters_and_views_narrow_the_list(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    lyon = make_location(org, "Lyon")
    facebook = make_source(org, "facebook")
    target = make_case(
        org,
        make_mention(org, source=facebook, location=lyon, sentiment=Sentiment.NEGATIVE, text="Colis perdu"),
        assignee=tenant.agent.user,
    )
    other = make_case(org, make_mention(org, sentiment=Sentiment.POSITIVE))
    client = login(tenant.agent)

    def listed(**params: object) -> list[int]:
        response = client.get(reverse("inbox"), params)
        assert response.status_code == 200
        return case_ids(response)

    assert set(listed()) == {target.pk, other.pk}
    assert listed(platform="facebook") == [target.pk]
    assert listed(location=lyon.pk) == [target.pk]
    assert listed(sentiment="negative") == [target.pk]
    assert listed(q="colis") == [target.pk]
    assert listed(assignee=tenant.agent.user_id) == [target.pk]
    assert listed(assignee="none") == [other.pk]
    assert listed(view="mine") == [target.pk]
    assert listed(view="unassigned") == [other.pk]
    # A bad value drops that filter instead of breaking the page.
    assert set(listed(location="nowhere", view="bogus")) == {target.pk, other.pk}


def test_the_inbox_pages_by_fifty(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    source = make_source(org)
    for _ in range(51):
        make_case(org, make_mention(org, source=source, with_author=False))
    client = login(tenant.viewer)
    first = client.get(reverse("inbox"))
    assert len(case_ids(first)) == 50
    assert "page=2" in first.content.decode()
    assert len(case_ids(client.get(reverse("inbox"), {"page": 2}))) == 1


# --- Case page -----------------------------------------------------------------------------------


def test_the_case_page_shows_the_mention_author_replies_and_timeline(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    author = make_author(org, display_name="Jeanne Martin", handle="jmartin", followers_count=1234)
    earlier = make_mention(
        org, author=author, title="Mon premier avis", created_at=timezone.now() - timedelta(days=9)
    )
    case = make_case(
        org,
        make_mention(
            org,
            author=author,
            title="Très déçue",
            text="Personne ne répond <b>au téléphone</b>",
            rating=1,
            url="https://maps.example/review/42",
            sentiment=Sentiment.NEGATIVE,
            themes=["accueil téléphonique"],
        ),
    )
    make_reply(case, author=tenant.agent.user, body="Nous sommes désolés.")
    client = login(tenant.agent)
    client.post(reverse("case_status", args=[case.pk]), {"status": "in_progress"})

    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Très déçue",
        "Personne ne répond &lt;b&gt;au téléphone&lt;/b&gt;",
        "Jeanne Martin",
        "@jmartin",
        "https://maps.example/review/42",
        "accueil téléphonique",
        "Nous sommes désolés.",
        earlier.title,
        "Statut : À traiter → En cours",
    ):
        assert text in html, text
    assert "<b>au téléphone</b>" not in html


def test_a_script_link_from_a_platform_is_not_rendered(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation, make_mention(tenant.organisation, url="javascript:alert(1)"))
    html = login(tenant.viewer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "javascript:alert" not in html


def test_a_viewer_sees_no_forms_and_cannot_post(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    client = login(tenant.viewer)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert reverse("case_status", args=[case.pk]) not in html
    assert reverse("case_assign", args=[case.pk]) not in html

    assert client.post(reverse("case_status", args=[case.pk]), {"status": "resolved"}).status_code == 403
    assert (
        client.post(reverse("case_assign", args=[case.pk]), {"assignee": tenant.viewer.user_id}).status_code
        == 403
    )
    case.refresh_from_db()
    assert (case.status, case.assignee) == (CaseStatus.NEW, None)


def test_an_agent_resolves_and_assigns_a_case(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    client = login(tenant.agent)
    assert (
        reverse("case_status", args=[case.pk])
        in client.get(reverse("case_detail", args=[case.pk])).content.decode()
    )

    response = client.post(reverse("case_assign", args=[case.pk]), {"assignee": tenant.agent.user_id})
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    response = client.post(reverse("case_status", args=[case.pk]), {"status": "resolved"})
    assert response.status_code == 302

    case.refresh_from_db()
    assert case.assignee == tenant.agent.user
    assert case.status == CaseStatus.RESOLVED
    assert case.resolved_at is not None
    assert [e.verb for e in audit_events_for(tenant.organisation, "inbox.case", str(case.pk))] == [
        "case.assigned",
        "case.status_changed",
    ]


def test_an_invalid_assignee_or_status_is_refused_with_the_form(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    case = make_case(tenant.organisation)
    client = login(tenant.agent)
    response = client.post(reverse("case_assign", args=[case.pk]), {"assignee": other_tenant.agent.user_id})
    assert response.status_code == 400
    assert response.context["assign_form"].errors
    response = client.post(reverse("case_assign", args=[case.pk]), {"assignee": tenant.viewer.user_id})
    assert response.status_code == 400
    response = client.post(reverse("case_status", args=[case.pk]), {"status": "archived"})
    assert response.status_code == 400
    assert response.context["status_form"].errors
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.assignee) == (CaseStatus.NEW, None)


def test_unassigning_through_the_page(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation, assignee=tenant.agent.user)
    response = login(tenant.manager).post(reverse("case_assign", args=[case.pk]), {"assignee": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee is None


def test_pages_only_answer_the_right_methods(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    client = login(tenant.agent)
    assert client.get(reverse("case_status", args=[case.pk])).status_code == 405
    assert client.post(reverse("inbox")).status_code == 405


def test_a_suspended_member_is_refused_the_pages(tenant: Tenant, login: Login) -> None:
    from vigie.core.actions import do_set_member_active

    case = make_case(tenant.organisation)
    client = login(tenant.agent)
    do_set_member_active(tenant.agent, False)
    assert client.get(reverse("inbox")).status_code == 403
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 403
    assert client.get(reverse("dashboard")).status_code == 403


@pytest.mark.parametrize("page", ["inbox", "case_detail"])
def test_the_number_of_queries_does_not_grow_with_the_rows(tenant: Tenant, login: Login, page: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org = tenant.organisation
    author = make_author(org, handle="same")
    first = make_case(org, make_mention(org, author=author), assignee=tenant.agent.user)
    make_reply(first, author=tenant.agent.user)
    client = login(tenant.agent)
    url = reverse("inbox") if page == "inbox" else reverse("case_detail", args=[first.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(10):
        case = make_case(
            org, make_mention(org, author=author, location=make_location(org)), assignee=tenant.agent.user
        )
        make_reply(first, author=tenant.manager.user)
        make_reply(case, author=tenant.agent.user)
    assert queries() == few


def test_a_late_case_says_how_late_once_and_a_due_case_shows_its_clock(tenant: Tenant, login: Login) -> None:
    """The live clock beside an overdue badge read "−4125 h 54" next to "En retard de 5 mois"."""
    org = tenant.organisation
    now = timezone.now()
    late = make_case(org, sla_due_at=now - timedelta(days=150))
    due = make_case(org, sla_due_at=now + timedelta(hours=3))
    client = login(tenant.agent)
    late_page = client.get(reverse("case_detail", args=[late.pk])).content.decode()
    assert "sla-overdue" in late_page
    assert "sla-countdown" not in late_page
    due_page = client.get(reverse("case_detail", args=[due.pk])).content.decode()
    assert "sla-countdown" in due_page


def test_the_case_page_states_its_deadline_once(tenant: Tenant, login: Login) -> None:
    """It read "Réponse attendue dans 2 jours, 5 heures" beside a clock "53 h 03": one deadline,
    said twice in two ways. The badge holds the clock, written at once (not left for JavaScript),
    and keeps the state's colours."""
    import re

    org = tenant.organisation
    due = make_case(org, sla_due_at=timezone.now() + timedelta(hours=53, minutes=3, seconds=30))
    soon = make_case(org, sla_due_at=timezone.now() + timedelta(minutes=45, seconds=30))
    client = login(tenant.agent)
    page = client.get(reverse("case_detail", args=[due.pk])).content.decode()
    header = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    badge = re.search(r'<span class="badge sla-ok">(.*?)</span></span>', header, flags=re.S)
    assert badge is not None, header
    assert re.fullmatch(
        r'Réponse attendue dans <span class="sla-countdown" data-due="[^"]+" title="[^"]+">53 h 0[23]',
        badge.group(1),
    )
    assert header.count("sla-countdown") == 1
    assert "jours" not in header
    assert "heures" not in header
    soon_header = client.get(reverse("case_detail", args=[soon.pk])).content.decode().split("</h1>", 1)[0]
    assert '<span class="badge sla-due_soon">Réponse attendue dans <span class="sla-countdown"' in soon_header
    assert re.search(r">0 h 4[56]</span>", soon_header)
    user = tenant.agent.user
    user.language = "en"
    user.save(update_fields=["language"])
    english = client.get(reverse("case_detail", args=[due.pk])).content.decode().split("</h1>", 1)[0]
    assert re.search(r"Answer due in <span class=\"sla-countdown\"[^>]*>53h 0[23]m</span>", english)


def test_a_new_organisations_empty_inbox_says_where_cases_come_from(tenant: Tenant, login: Login) -> None:
    # A new admin landed on "Aucun dossier dans cette vue avec ces filtres." and nothing else.
    manager = login(tenant.manager).get(reverse("inbox")).content.decode()
    assert "Aucun dossier pour l'instant." in manager
    assert f'href="{reverse("sources")}"' in manager
    assert "vigie import" in manager
    agent = login(tenant.agent).get(reverse("inbox")).content.decode()
    assert "Un responsable les branche depuis la page Sources." in agent
    assert f'href="{reverse("sources")}"' not in agent.split("Aucun dossier pour")[1]
    # Once a case exists, an empty view is about the view and its filters again.
    make_case(tenant.organisation, status=CaseStatus.RESOLVED)
    after = login(tenant.manager).get(reverse("inbox")).content.decode()
    assert "Aucun dossier dans cette vue." in after, (
        "no filter: the view is empty, not « with these filters »"
    )
    assert "Aucun dossier pour l'instant." not in after
    filtered = login(tenant.manager).get(reverse("inbox"), {"view": "all", "sentiment": "positive"})
    assert "Aucun dossier dans cette vue avec ces filtres." in filtered.content.decode()
    # « Mon équipe » of someone in no team says why, and where a manager puts them in one.
    team = login(tenant.agent).get(reverse("inbox"), {"view": "team"}).content.decode()
    assert "Vous ne faites partie d'aucune équipe" in team.replace("&#x27;", "'")


def test_the_case_header_names_the_location_once(tenant: Tenant, login: Login) -> None:
    # "Google — Agence Saint-Étienne · Agence Saint-Étienne": a source named after its location.
    org = tenant.organisation
    lyon = make_location(org, "Agence Lyon Part-Dieu")
    named = make_source(org, "google_business", name="Google — Agence Lyon Part-Dieu")
    case = make_case(org, make_mention(org, source=named, location=lyon))
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert page.count("Agence Lyon Part-Dieu") == page.count("Google — Agence Lyon Part-Dieu")
    # A source not named after the place still shows where the mention is from.
    other = make_case(
        org, make_mention(org, source=make_source(org, "trustpilot", name="Trustpilot"), location=lyon)
    )
    page = login(tenant.agent).get(reverse("case_detail", args=[other.pk])).content.decode()
    assert "Agence Lyon Part-Dieu" in page


def test_an_answered_case_is_never_overdue_even_after_its_clock_resumes(tenant: Tenant, login: Login) -> None:
    """A case answered on time, waiting for the customer, then given a follow-up reply sent for
    approval read "En attente de validation · En retard de 1 semaine, 2 jours": the resumed clock
    made the first answer's deadline, met long ago, look missed."""
    from vigie.inbox.actions import do_set_case_status

    org = tenant.organisation
    now = timezone.now()
    answered = make_case(
        org,
        status=CaseStatus.IN_PROGRESS,
        sla_due_at=now - timedelta(days=9),
        first_response_at=now - timedelta(days=9, hours=20),
    )
    unanswered = make_case(org, status=CaseStatus.IN_PROGRESS, sla_due_at=now - timedelta(days=9))
    do_set_case_status(answered, CaseStatus.WAITING_CUSTOMER, actor=tenant.agent.user)
    do_set_case_status(answered, CaseStatus.AWAITING_APPROVAL, actor=tenant.agent.user)
    answered.refresh_from_db()
    assert answered.sla_paused_at is None, "the clock did resume"

    client = login(tenant.agent)
    page = client.get(reverse("case_detail", args=[answered.pk])).content.decode()
    assert "sla-overdue" not in page
    assert "En retard de" not in page
    assert "sla-overdue" in client.get(reverse("case_detail", args=[unanswered.pk])).content.decode()
    overdue = client.get(reverse("inbox"), {"view": "all", "sla": "overdue"})
    assert case_ids(overdue) == [unanswered.pk]
    listing = client.get(reverse("inbox"), {"view": "awaiting_approval"}).content.decode()
    assert answered.reference in listing
    assert "Retard :" not in listing


def test_a_deadline_between_one_and_two_days_away_says_its_hours(tenant: Tenant, login: Login) -> None:
    """The list said « 1 jour » of 25 hours and of 47 alike; beyond two days one unit is enough."""
    org = tenant.organisation
    now = timezone.now()
    make_case(org, sla_due_at=now + timedelta(hours=37, minutes=30))
    make_case(org, sla_due_at=now + timedelta(days=4, hours=5))
    rows = login(tenant.agent).get(reverse("inbox")).context["rows"]
    delays = sorted(delay for _, delay in rows)
    assert delays[0].startswith("1\xa0jour, 13\xa0heures") or delays[0].startswith("1\xa0jour, 12\xa0heures")
    assert delays[1] == "4\xa0jours"
