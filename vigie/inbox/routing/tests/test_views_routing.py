"""Pages of the comment-handling scheme: who may read, who may change, and what they see."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.actions import do_create_team
from vigie.core.models import AuditEvent, Membership
from vigie.inbox.models import Case, MemberAvailability, RoutingRule
from vigie.inbox.routing.actions import do_create_routing_rule, do_seed_default_routing
from vigie.inbox.routing.rules import RuleActions, RuleConditions, ordered_rules
from vigie.mentions.models import MentionType
from vigie.mentions.tests.factories import make_location, make_mention

Login = Callable[[Membership], Client]

RULE_POSTS = ["routing_rule_edit", "routing_rule_move", "routing_rule_toggle", "routing_rule_delete"]


def rule_form(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Presse",
        "enabled": "on",
        "assign": "none",
        "toxic": "",
        "legal_risk": "",
    }
    data.update(extra)
    return data


@pytest.fixture
def rule(tenant: Tenant) -> RoutingRule:
    do_seed_default_routing(tenant.organisation)
    return ordered_rules(tenant.organisation)[2]


# --- access ---------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(tenant: Tenant) -> None:
    response = Client().get(reverse("routing"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["routing", "routing_dry_run", "routing_availability"])
def test_a_viewer_can_read_the_scheme(tenant: Tenant, login: Login, rule: RoutingRule, name: str) -> None:
    response = login(tenant.viewer).get(reverse(name))
    assert response.status_code == 200
    if name == "routing":
        html = response.content.decode()
        assert rule.name in html
        assert reverse("routing_rule_edit", args=[rule.pk]) not in html  # no edit buttons for a viewer


@pytest.mark.parametrize("name", RULE_POSTS)
def test_an_agent_cannot_change_the_scheme(
    tenant: Tenant, login: Login, rule: RoutingRule, name: str
) -> None:
    before = list(RoutingRule.objects.values_list("pk", "position", "enabled", "name"))
    response = login(tenant.agent).post(reverse(name, args=[rule.pk]), rule_form(direction="up"))
    assert response.status_code == 403
    assert list(RoutingRule.objects.values_list("pk", "position", "enabled", "name")) == before


def test_an_agent_cannot_create_a_rule_or_reset_the_scheme(tenant: Tenant, login: Login) -> None:
    client = login(tenant.agent)
    assert client.get(reverse("routing_rule_create")).status_code == 403
    assert client.post(reverse("routing_rule_create"), rule_form()).status_code == 403
    assert client.post(reverse("routing_seed")).status_code == 403
    assert not RoutingRule.objects.exists()


def test_an_agent_cannot_change_someone_elses_availability(tenant: Tenant, login: Login) -> None:
    response = login(tenant.agent).post(
        reverse("routing_availability"), {"member": tenant.manager.user_id, "unavailable_until": "2030-01-01"}
    )
    assert response.status_code == 403
    assert not MemberAvailability.objects.exists()


def test_a_viewer_cannot_change_availability(tenant: Tenant, login: Login) -> None:
    response = login(tenant.viewer).post(
        reverse("routing_availability"), {"member": tenant.agent.user_id, "unavailable_until": "2030-01-01"}
    )
    assert response.status_code == 403
    assert not MemberAvailability.objects.exists()


def test_an_agent_declares_their_own_absence(tenant: Tenant, login: Login) -> None:
    client = login(tenant.agent)
    assert [
        c[0] for c in client.get(reverse("routing_availability")).context["form"].fields["member"].choices
    ] == [tenant.agent.user_id]
    response = client.post(
        reverse("routing_availability"), {"member": tenant.agent.user_id, "unavailable_until": "2030-01-01"}
    )
    assert response.status_code == 302
    assert MemberAvailability.objects.get().user == tenant.agent.user


@pytest.mark.parametrize("name", RULE_POSTS)
def test_another_organisations_rule_is_not_found(
    tenant: Tenant, other_tenant: Tenant, login: Login, name: str
) -> None:
    do_seed_default_routing(other_tenant.organisation)
    theirs = ordered_rules(other_tenant.organisation)[1]
    response = login(tenant.admin).post(reverse(name, args=[theirs.pk]), rule_form(direction="up"))
    assert response.status_code == 404
    assert RoutingRule.objects.filter(pk=theirs.pk, name=theirs.name, position=1, enabled=True).exists()


def test_another_organisations_rule_form_is_not_found(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    do_seed_default_routing(other_tenant.organisation)
    theirs = ordered_rules(other_tenant.organisation)[0]
    assert login(tenant.manager).get(reverse("routing_rule_edit", args=[theirs.pk])).status_code == 404


def test_the_dry_run_does_not_reach_another_organisations_mention(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = make_mention(other_tenant.organisation, text="Secret de Globex")
    response = login(tenant.viewer).get(reverse("routing_dry_run"), {"mention": theirs.pk})
    assert response.status_code == 404


def test_the_scheme_page_lists_only_the_organisations_rules(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    do_create_routing_rule(
        other_tenant.organisation, "Règle secrète de Globex", RuleConditions(), RuleActions()
    )
    html = login(tenant.manager).get(reverse("routing")).content.decode()
    assert "Règle secrète de Globex" not in html


# --- managing rules -----------------------------------------------------------------------------------------


def test_a_manager_creates_a_rule_from_the_form(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    team = do_create_team(org, "Relations presse")
    response = login(tenant.manager).post(
        reverse("routing_rule_create"),
        rule_form(
            types=["question", "complaint"],
            keywords="journaliste, rédaction\narticle",
            reach_min="5000",
            legal_risk="no",
            team=str(team.pk),
            assign="round_robin",
            priority="75",
            sla_hours="2",
            tags="presse, vip",
            approval_required="on",
        ),
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get(organisation=org, name="Presse")
    assert rule.conditions == {
        "types": ["question", "complaint"],
        "keywords": ["journaliste", "rédaction", "article"],
        "reach_min": 5000,
        "legal_risk": False,
    }
    assert rule.actions == {
        "team_id": team.pk,
        "assign": "round_robin",
        "priority": 75,
        "sla_hours": 2.0,
        "approval_required": True,
        "tags": ["presse", "vip"],
    }
    event = AuditEvent.objects.get(verb="routing.rule_created")
    assert event.actor == tenant.manager.user


def test_the_rule_form_rejects_bad_input_with_clear_errors(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = do_create_team(other_tenant.organisation, "Équipe de Globex")
    client = login(tenant.manager)
    response = client.post(
        reverse("routing_rule_create"), rule_form(stars_min="4", stars_max="2", team=str(theirs.pk))
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "team" in form.errors  # another organisation's team is not a valid choice
    response = client.post(reverse("routing_rule_create"), rule_form(stars_min="4", stars_max="2"))
    assert response.status_code == 400
    assert "stars_max" in response.context["form"].errors
    assert not RoutingRule.objects.exists()


def test_a_manager_edits_reorders_disables_and_deletes(
    tenant: Tenant, login: Login, rule: RoutingRule
) -> None:
    org = tenant.organisation
    client = login(tenant.manager)
    page = client.get(reverse("routing_rule_edit", args=[rule.pk]))
    assert page.status_code == 200
    assert page.context["form"].initial["types"] == ["spam"]
    response = client.post(
        reverse("routing_rule_edit", args=[rule.pk]),
        rule_form(name="Spam et pub", types=["spam"], no_answer="on"),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Spam et pub"
    assert rule.actions == {"no_answer": True}

    client.post(reverse("routing_rule_move", args=[rule.pk]), {"direction": "up"})
    assert [r.name for r in ordered_rules(org)][1] == "Spam et pub"
    client.post(reverse("routing_rule_toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert rule.enabled is False
    client.post(reverse("routing_rule_delete", args=[rule.pk]))
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    assert [r.position for r in ordered_rules(org)] == list(range(7))
    verbs = set(AuditEvent.objects.filter(organisation=org).values_list("verb", flat=True))
    assert {
        "routing.rule_updated",
        "routing.rule_moved",
        "routing.rule_disabled",
        "routing.rule_deleted",
    } <= verbs


def test_a_manager_can_reinstall_the_default_scheme_when_empty(tenant: Tenant, login: Login) -> None:
    client = login(tenant.manager)
    assert "Installer le schéma recommandé" in client.get(reverse("routing")).content.decode()
    client.post(reverse("routing_seed"))
    assert len(ordered_rules(tenant.organisation)) == 8
    client.post(reverse("routing_seed"))
    assert len(ordered_rules(tenant.organisation)) == 8


# --- dry-run page -------------------------------------------------------------------------------------------------


def test_the_dry_run_page_explains_a_stored_mention_without_writing(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    do_seed_default_routing(org)
    mention = make_mention(org, text="<b>Quels horaires</b> samedi ?", mention_type=MentionType.QUESTION)
    events = AuditEvent.objects.count()
    response = login(tenant.viewer).get(reverse("routing_dry_run"), {"mention": mention.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["result"].decision.rule.name == "Question"
    assert "&lt;b&gt;Quels horaires" in html  # customer text escaped
    assert AuditEvent.objects.count() == events
    assert not Case.objects.exists()


def test_the_dry_run_page_explains_typed_facts(tenant: Tenant, login: Login) -> None:
    do_seed_default_routing(tenant.organisation)
    response = login(tenant.agent).get(
        reverse("routing_dry_run"),
        {"text": "Vous êtes des voleurs", "type": "complaint", "legal_risk": "on", "stars": "1"},
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.decision.rule.name == "Menaces et diffamation possible"
    assert result.decision.approval_required is True
    assert "Menaces et diffamation possible" in response.content.decode()


def test_the_dry_run_reads_a_typed_text_as_the_analysis_would(tenant: Tenant, login: Login) -> None:
    """Found in the demo: a text typed alone gave "—" for every fact, so no rule could match it."""
    do_seed_default_routing(tenant.organisation)
    response = login(tenant.agent).get(
        reverse("routing_dry_run"), {"text": "Bande d'escrocs, vous m'avez volé 300 €, je porte plainte"}
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.facts.legal_risk is True
    assert result.facts.sentiment == "negative"
    assert result.decision.rule.name == "Menaces et diffamation possible"
    page = response.content.decode()
    assert "Lu dans le texte par l&#x27;analyse" in page or "Lu dans le texte par l'analyse" in page
    # What the user states wins over what the text reads as.
    typed = login(tenant.agent).get(
        reverse("routing_dry_run"), {"text": "Merci pour votre aide, parfait", "sentiment": "negative"}
    )
    assert typed.context["result"].facts.sentiment == "negative"


# --- availability ----------------------------------------------------------------------------------------------------


def test_a_manager_marks_a_member_away(tenant: Tenant, login: Login) -> None:
    client = login(tenant.manager)
    response = client.post(
        reverse("routing_availability"),
        {"member": tenant.agent.user_id, "unavailable_until": "2030-08-15", "note": "congés d'été"},
    )
    assert response.status_code == 302
    away = MemberAvailability.objects.get(user=tenant.agent.user)
    assert away.unavailable_until is not None
    # Away until the 15th included, in the organisation's time zone.
    assert away.unavailable_until.astimezone(zoneinfo.ZoneInfo("Europe/Paris")).date() == date(2030, 8, 15)
    html = client.get(reverse("routing_availability")).content.decode()
    assert "congés d&#x27;été" in html


def test_availability_cannot_name_another_organisations_member(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    response = login(tenant.manager).post(
        reverse("routing_availability"),
        {"member": other_tenant.agent.user_id, "unavailable_until": "2030-01-01"},
    )
    assert response.status_code == 400
    assert not MemberAvailability.objects.exists()


def test_the_scheme_shows_conditions_by_their_names(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    lyon = make_location(org, "Agence Lyon Part-Dieu")
    do_create_routing_rule(
        org,
        name="Lyon, réclamations Google",
        conditions=RuleConditions(
            types=["complaint"],
            platforms=["google_business"],
            location_ids=[lyon.pk],
            themes=["remboursement"],
        ),
        actions=RuleActions(priority=60),
    )
    page = login(tenant.agent).get(reverse("routing")).content.decode()
    assert "Réclamation" in page
    assert "<strong>Google Business Profile</strong>" in page  # the dashboard's name of it
    assert "Agence Lyon Part-Dieu" in page
    assert "Remboursements" in page
    assert "<strong>complaint</strong>" not in page


def test_platforms_are_boxes_named_as_people_name_them_and_survive_an_edit(
    tenant: Tenant, login: Login
) -> None:
    """Found in the demo: the rule form asked for slugs typed with commas ("google_business")."""
    org = tenant.organisation
    client = login(tenant.manager)
    form = client.get(reverse("routing_rule_create")).content.decode()
    assert re.search(
        r'type="checkbox" name="platforms" value="google_business"[^>]*>\s*Google Business Profile</label>',
        form,
    )
    response = client.post(
        reverse("routing_rule_create"), rule_form(platforms=["google_business", "trustpilot"])
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get(organisation=org, name="Presse")
    assert rule.conditions["platforms"] == ["google_business", "trustpilot"]
    edit = client.get(reverse("routing_rule_edit", args=[rule.pk])).content.decode()
    assert re.search(r'name="platforms" value="trustpilot"[^>]*checked', edit)
    assert not re.search(r'name="platforms" value="facebook"[^>]*checked', edit)
    # A platform no connector declares any more is still offered, ticked, rather than dropped.
    rule.conditions = {**rule.conditions, "platforms": ["myspace"]}
    rule.save()
    edit = client.get(reverse("routing_rule_edit", args=[rule.pk])).content.decode()
    assert re.search(r'name="platforms" value="myspace"[^>]*checked', edit)
