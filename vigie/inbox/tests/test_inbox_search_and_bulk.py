"""The inbox's full-text search, new filters, "new items" poll, saved views and bulk actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.actions import do_add_team_member
from vigie.core.models import Membership, Organisation
from vigie.inbox.actions import do_bulk_update_cases
from vigie.inbox.models import Case, CaseStatus, SavedView
from vigie.inbox.queries import CaseFilters, case_reference_number, cases, fts5_query
from vigie.inbox.tests.factories import make_case
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_author, make_mention, make_source, make_team

Login = Callable[[Membership], Client]


def found(member: Membership, **filters: object) -> set[int]:
    return {case.pk for case in cases(member, "all", CaseFilters(**filters))}  # type: ignore[arg-type]


# --- Full-text search ----------------------------------------------------------------------------


def test_search_finds_words_whatever_their_accents_and_endings(tenant: Tenant) -> None:
    org = tenant.organisation
    delivery = make_case(org, make_mention(org, text="La livraison est arrivée très en retard."))
    make_case(org, make_mention(org, text="Accueil chaleureux, merci."))
    assert found(tenant.agent, text="livraison") == {delivery.pk}
    if connection.vendor == "sqlite":
        # FTS5's tokenizer drops diacritics; PostgreSQL's French configuration stems instead.
        assert found(tenant.agent, text="arrivee") == {delivery.pk}, "accents do not matter"
    assert found(tenant.agent, text="livr") == {delivery.pk}, "a word's beginning is enough"
    assert found(tenant.agent, text="livraison accueil") == set(), "every word must appear"


def test_an_english_organisation_s_search_stems_english_words(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    Organisation.objects.filter(pk=org.pk).update(language="en")
    org.refresh_from_db()
    refund = make_case(org, make_mention(org, text="I asked for a refund last week."))
    refunded = make_case(org, make_mention(org, text="They finally refunded me."))
    companies = make_case(org, make_mention(org, text="Two companies called me."))
    make_case(org, make_mention(org, text="Lovely staff, thank you."))
    assert found(tenant.agent, text="refunds") == {refund.pk, refunded.pk}
    assert found(tenant.agent, text="refunding") == {refund.pk, refunded.pk}
    assert found(tenant.agent, text="refund") == {refund.pk, refunded.pk}
    assert found(tenant.agent, text="company") == {companies.pk}
    assert found(tenant.agent, text="refunds staff") == set(), "every word must appear"
    # The inbox page's search box reads the same way.
    page = login(tenant.agent).get(reverse("inbox"), {"q": "refunds", "view": "all"})
    assert {case.pk for case in page.context["page"].object_list} == {refund.pk, refunded.pk}
    # It follows edits, as the French search does.
    Mention.objects.filter(pk=refund.mention_id).update(text="Parcel lost")
    assert found(tenant.agent, text="refunds") == {refunded.pk}
    assert found(tenant.agent, text="parcels") == {refund.pk}


def test_a_french_organisation_s_search_is_unchanged(tenant: Tenant) -> None:
    """French reads as before: a word's beginning, whatever its accents (SQLite) or the French
    stemmer (PostgreSQL); English stemming does not apply."""
    org = tenant.organisation
    refund = make_case(org, make_mention(org, text="I asked for a refund last week."))
    remboursement = make_case(org, make_mention(org, text="Remboursement demandé"))
    assert found(tenant.agent, text="refund") == {refund.pk}
    assert found(tenant.agent, text="rembours") == {remboursement.pk}
    assert found(tenant.agent, text="remboursement") == {remboursement.pk}
    if connection.vendor == "sqlite":
        assert found(tenant.agent, text="refunding") == set(), "no English stemming in French"
        assert found(tenant.agent, text="demande") == {remboursement.pk}, "accents do not matter"


def test_search_follows_edits_of_the_mention(tenant: Tenant) -> None:
    org = tenant.organisation
    case = make_case(org, make_mention(org, text="Produit cassé"))
    Mention.objects.filter(pk=case.mention_id).update(text="Remboursement attendu")
    assert found(tenant.agent, text="cassé") == set()
    assert found(tenant.agent, text="remboursement") == {case.pk}


def test_search_never_returns_another_organisations_cases(tenant: Tenant, other_tenant: Tenant) -> None:
    make_case(other_tenant.organisation, make_mention(other_tenant.organisation, text="fuite d'eau"))
    assert found(tenant.agent, text="fuite") == set()


def test_search_matches_the_authors_name(tenant: Tenant) -> None:
    org = tenant.organisation
    author = make_author(org, display_name="Héloïse Martin")
    case = make_case(org, make_mention(org, author=author, text="Bien."))
    assert found(tenant.agent, text="Héloïse") == {case.pk}


@pytest.mark.parametrize("typed", ['"', "NEAR(", "a OR", "*", "-x", "'; DROP TABLE x; --"])
def test_search_syntax_typed_by_a_person_never_breaks_the_page(
    tenant: Tenant, login: Login, typed: str
) -> None:
    make_case(tenant.organisation)
    response = login(tenant.agent).get(reverse("inbox"), {"q": typed, "view": "all"})
    assert response.status_code == 200


def test_fts_query_quotes_every_word() -> None:
    assert fts5_query('retard "livraison" NEAR') == '"retard"* "livraison"* "NEAR"*'


# --- Filters -------------------------------------------------------------------------------------


def test_stars_language_source_and_date_filters(tenant: Tenant) -> None:
    org = tenant.organisation
    trustpilot = make_source(org, "trustpilot")
    old = timezone.now() - timedelta(days=40)
    one_star = make_case(org, make_mention(org, rating=1, language="fr"))
    four_and_half = make_case(org, make_mention(org, rating="4.5", language="en", source=trustpilot))
    ancient = make_case(org, make_mention(org, rating=5, created_at=old))
    assert found(tenant.agent, stars=1) == {one_star.pk}
    assert found(tenant.agent, stars=4) == {four_and_half.pk}
    assert found(tenant.agent, language="en") == {four_and_half.pk}
    assert found(tenant.agent, source_id=trustpilot.pk) == {four_and_half.pk}
    assert ancient.pk not in found(tenant.agent, since=timezone.now() - timedelta(days=7))
    assert found(tenant.agent, until=timezone.now() - timedelta(days=7)) == {ancient.pk}


def test_the_filter_form_reads_the_new_filters(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    one_star = make_case(org, make_mention(org, rating=1))
    make_case(org, make_mention(org, rating=5))
    response = login(tenant.viewer).get(reverse("inbox"), {"stars": "1", "view": "all"})
    assert [case.pk for case in response.context["page"].object_list] == [one_star.pk]


# --- New items -----------------------------------------------------------------------------------


def test_the_new_items_poll_counts_cases_arrived_since_the_page_was_shown(
    tenant: Tenant, login: Login
) -> None:
    org = tenant.organisation
    shown_at = timezone.now()
    make_case(org, created_at=shown_at - timedelta(minutes=5))
    client = login(tenant.viewer)
    url = reverse("inbox_new_count")
    response = client.get(url, {"view": "todo", "shown": shown_at.isoformat()})
    assert response.status_code == 200
    assert response.content.decode().strip() == ""
    make_case(org, created_at=shown_at + timedelta(seconds=1))
    make_case(org, created_at=shown_at + timedelta(seconds=2))
    response = client.get(url, {"view": "todo", "shown": shown_at.isoformat()})
    assert "2 nouveaux dossiers" in response.content.decode()


def test_the_new_items_poll_of_a_filtered_list_counts_its_cases_and_keeps_its_filters(
    tenant: Tenant, login: Login
) -> None:
    # A list filtered on negative items was told « 2 nouveaux dossiers » of any sentiment, and
    # « afficher » dropped the filter.
    from vigie.mentions.models import Sentiment
    from vigie.mentions.tests.factories import make_mention

    org = tenant.organisation
    shown_at = timezone.now()
    later = shown_at + timedelta(seconds=1)
    make_case(org, make_mention(org, sentiment=Sentiment.NEGATIVE), created_at=later)
    make_case(org, make_mention(org, sentiment=Sentiment.POSITIVE), created_at=later)
    client = login(tenant.agent)
    # "since" is the list's own date filter: a day before, it keeps both cases in the list.
    day_before = (shown_at - timedelta(days=1)).date().isoformat()
    query = {
        "view": "all",
        "sentiment": "negative",
        "since": day_before,
        "page": "2",
        "shown": shown_at.isoformat(),
    }
    banner = client.get(reverse("inbox_new_count"), query).content.decode()
    assert "1 nouveau dossier" in banner
    assert f'href="?view=all&amp;sentiment=negative&amp;since={day_before}"' in banner
    # The list's poll carries its filters; they change with the results (hx-select-oob).
    page = client.get(reverse("inbox"), {"view": "all", "sentiment": "negative"}).content.decode()
    assert "?view=all&amp;sentiment=negative&amp;shown=" in page
    assert "#new-items" in page.split('hx-select-oob="', 1)[1].split('"', 1)[0]


def test_the_new_items_poll_ignores_other_organisations(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    shown_at = timezone.now() - timedelta(minutes=1)
    make_case(other_tenant.organisation)
    response = login(tenant.agent).get(reverse("inbox_new_count"), {"shown": shown_at.isoformat()})
    assert response.content.decode().strip() == ""


def test_the_new_items_poll_rejects_a_bad_date(tenant: Tenant, login: Login) -> None:
    response = login(tenant.agent).get(reverse("inbox_new_count"), {"shown": "yesterday"})
    assert response.status_code == 400


# --- Saved views ---------------------------------------------------------------------------------


def test_a_saved_view_keeps_only_inbox_parameters_and_reopens_them(tenant: Tenant, login: Login) -> None:
    client = login(tenant.agent)
    response = client.post(
        reverse("saved_view_create"), {"name": "Une étoile", "query": "view=all&stars=1&evil=<script>"}
    )
    view = SavedView.objects.get(owner=tenant.agent.user)
    assert view.query == "view=all&stars=1"
    assert response["Location"].endswith("?view=all&stars=1")
    page = client.get(reverse("inbox"))
    assert "Une étoile" in page.content.decode()


def test_a_view_shared_with_a_team_is_seen_by_teammates_only(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    team = make_team(org, "Magasins")
    do_add_team_member(team, tenant.agent)
    do_add_team_member(team, tenant.manager)
    response = login(tenant.agent).post(
        reverse("saved_view_create"), {"name": "Retards", "query": "sla=overdue", "team": team.pk}
    )
    assert response.status_code == 302
    assert "Retards" in login(tenant.manager).get(reverse("inbox")).content.decode()
    assert "Retards" not in login(tenant.viewer).get(reverse("inbox")).content.decode()


def test_only_the_owner_deletes_a_saved_view(tenant: Tenant, other_tenant: Tenant, login: Login) -> None:
    login(tenant.agent).post(reverse("saved_view_create"), {"name": "Mine", "query": ""})
    view = SavedView.objects.get(owner=tenant.agent.user)
    url = reverse("saved_view_delete", args=[view.pk])
    assert login(tenant.manager).post(url).status_code == 403
    assert login(other_tenant.admin).post(url).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert login(tenant.agent).post(url).status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_sharing_with_a_team_one_is_not_in_is_refused(tenant: Tenant, login: Login) -> None:
    team = make_team(tenant.organisation, "Siège")
    login(tenant.agent).post(reverse("saved_view_create"), {"name": "X", "query": "", "team": team.pk})
    assert not SavedView.objects.filter(owner=tenant.agent.user).exists()


# --- Bulk actions --------------------------------------------------------------------------------


def test_bulk_close_reports_each_case_including_foreign_ids(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    org = tenant.organisation
    first, second = make_case(org), make_case(org)
    theirs = make_case(other_tenant.organisation)
    response = login(tenant.agent).post(
        reverse("inbox_bulk"), {"ids": [first.pk, second.pk, theirs.pk], "action": "close"}
    )
    assert response.status_code == 200
    rows = {result.case_id: result.ok for result, _ref in response.context["rows"]}
    assert rows == {first.pk: True, second.pk: True, theirs.pk: False}
    assert set(Case.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        "resolved"
    }
    theirs.refresh_from_db()
    assert theirs.status == CaseStatus.NEW
    assert "Dossier introuvable" in response.content.decode()


def test_bulk_assign_to_me_tag_and_spam(tenant: Tenant) -> None:
    org = tenant.organisation
    case = make_case(org)
    actor = tenant.agent.user
    assert do_bulk_update_cases(org, [case.pk], "assign_to_me", actor=actor)[0].ok
    assert do_bulk_update_cases(org, [case.pk], "tag", actor=actor, tag="livraison")[0].ok
    assert do_bulk_update_cases(org, [case.pk], "spam", actor=actor)[0].ok
    case.refresh_from_db()
    assert case.assignee == actor
    assert case.tags == ["livraison", "spam"]
    assert case.status == CaseStatus.NO_ANSWER


def test_bulk_assign_to_a_viewer_fails_per_case(tenant: Tenant) -> None:
    case = make_case(tenant.organisation)
    [result] = do_bulk_update_cases(
        tenant.organisation, [case.pk], "assign", actor=tenant.agent.user, assignee=tenant.viewer.user
    )
    assert not result.ok
    assert "ne peut pas traiter" in result.message


def test_a_viewer_cannot_use_bulk_actions(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    response = login(tenant.viewer).post(reverse("inbox_bulk"), {"ids": [case.pk], "action": "close"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_the_inbox_offers_bulk_actions_to_agents_not_viewers(tenant: Tenant, login: Login) -> None:
    make_case(tenant.organisation)
    assert 'id="bulk-form"' in login(tenant.agent).get(reverse("inbox")).content.decode()
    assert 'id="bulk-form"' not in login(tenant.viewer).get(reverse("inbox")).content.decode()


# --- Search by case reference --------------------------------------------------------------------


def test_search_finds_a_case_by_the_reference_customers_quote(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    # A number of three digits, as customers quote it ("575"), whatever the database's sequence.
    case = make_case(org, make_mention(org, text="Colis jamais reçu."), id=575)
    make_case(org, make_mention(org, text="Accueil chaleureux."))
    number = str(case.pk)
    for typed in (
        case.reference,
        case.reference.lower(),
        f"C{case.pk:06d}",
        f"c-{number}",
        f"#{case.pk:06d}",
    ):
        assert found(tenant.agent, text=typed) == {case.pk}, typed
    assert found(tenant.agent, text=number) == {case.pk}, "the bare number"
    assert found(tenant.agent, text=f"{case.pk:06d}") == {case.pk}, "a bare number of 3+ digits"
    # The inbox page's search box reads the same way.
    page = login(tenant.agent).get(reverse("inbox"), {"view": "all", "q": case.reference})
    assert {c.pk for c in page.context["page"].object_list} == {case.pk}
    assert case.reference in page.content.decode()
    # The full-text search still applies alongside (OR): a number written in a mention is found too.
    quoted = make_case(org, make_mention(org, text=f"Ma commande {case.pk:06d} est en retard."))
    assert found(tenant.agent, text=f"{case.pk:06d}") == {case.pk, quoted.pk}
    assert found(tenant.agent, text="colis") == {case.pk}


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("C-000575", 575),
        ("c-575", 575),
        ("C000575", 575),
        (" 000575 ", 575),
        ("575", 575),
        ("#575", 575),
        ("57", None),
        ("C-", None),
        ("C-000000", None),
        ("commande 575", None),
        ("9" * 30, None),
    ],
)
def test_case_reference_number_reads_what_customers_quote(typed: str, number: int | None) -> None:
    assert case_reference_number(typed) == number


def test_a_reference_never_finds_another_organisations_case(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_case(other_tenant.organisation)
    assert found(tenant.agent, text=theirs.reference) == set()
    assert found(tenant.agent, text="9" * 30) == set(), "a number too long for an id is only text"


def test_the_api_search_finds_a_case_by_its_reference(
    tenant: Tenant, api_client: Callable[[Membership], Client]
) -> None:
    case = make_case(tenant.organisation)
    make_case(tenant.organisation)
    response = api_client(tenant.agent).get("/api/v1/cases", {"q": case.reference})
    assert response.status_code == 200, response.content
    assert [item["id"] for item in response.json()["items"]] == [case.pk]


# --- Bulk action with nothing ticked -------------------------------------------------------------


def test_a_bulk_action_with_nothing_ticked_goes_back_to_the_list_with_a_message(
    tenant: Tenant, login: Login
) -> None:
    case = make_case(tenant.organisation)
    client = login(tenant.agent)
    response = client.post(
        reverse("inbox_bulk"), {"action": "close", "back": "view=unassigned&q=colis"}, follow=True
    )
    assert response.redirect_chain == [(f"{reverse('inbox')}?view=unassigned&q=colis", 302)]
    html = response.content.decode()
    assert "Cochez au moins un dossier." in html
    assert "Ce champ est obligatoire" not in html
    assert response.context["view"] == "unassigned"
    assert response.context["form"]["q"].value() == "colis"
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_a_bulk_action_s_back_link_keeps_only_a_query_string(tenant: Tenant, login: Login) -> None:
    response = login(tenant.agent).post(reverse("inbox_bulk"), {"action": "close", "back": "//evil.example/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("inbox"))
