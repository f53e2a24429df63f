"""A rule's platforms: each offered once by its connector's name (the dashboard's), and one platform under two names is
one platform ("twitter" items are X's, "google" reviews Google Business Profile's)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.models import RoutingRule
from vigie.inbox.routing.actions import (
    do_create_routing_rule,
    do_delete_routing_rule,
    do_seed_default_routing,
)
from vigie.inbox.routing.route import do_route_mention
from vigie.inbox.routing.rules import Facts, RuleActions, RuleConditions, check_conditions, ordered_rules
from vigie.mentions.tests.factories import make_mention, make_source

Login = Callable[[Membership], Client]


def _platform_boxes(page: str) -> list[tuple[str, str, bool]]:
    """The form's platform boxes as a reader sees them: value, label, ticked."""
    boxes = re.findall(
        r'<input type="checkbox" name="platforms" value="([^"]*)"([^>]*)>\s*([^<]*?)\s*</label>', page
    )
    return [(value, html.unescape(label), "checked" in attrs) for value, attrs, label in boxes]


def _only(tenant: Tenant, name: str, platforms: list[str]) -> RoutingRule:
    org = tenant.organisation
    do_seed_default_routing(org)
    for rule in ordered_rules(org):
        do_delete_routing_rule(rule)
    return do_create_routing_rule(org, name, RuleConditions(platforms=platforms), RuleActions(tags=["vu"]))


def test_each_platform_is_offered_once_by_its_connectors_name(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    make_source(org, "twitter")  # an imported X archive
    make_source(org, "google")  # imported Google reviews
    make_source(org, "google_business")
    page = login(tenant.manager).get(reverse("routing_rule_create")).content.decode()
    boxes = _platform_boxes(page)
    labels = [label for _value, label, _ticked in boxes]
    assert len(labels) == len(set(labels)), labels
    assert ("x", "X", False) in boxes
    # The dashboard's name of the platform, not the customers' "Google".
    assert ("google_business", "Google Business Profile", False) in boxes
    for gone in ("X (Twitter, fichiers importés)", "Google"):
        assert gone not in labels
    assert not [value for value, _label, _ticked in boxes if value in ("twitter", "google")]
    # The organisation's own platforms come first, each named once, as the boxes name them.
    assert [label for _value, label, _ticked in boxes][:2] == ["Google Business Profile", "X"]
    assert "Aucune case cochée : toutes. Vos sources sont sur : Google Business Profile, X." in html.unescape(
        page
    )


def test_a_rule_stored_under_the_older_names_is_ticked_and_saved_under_the_offered_ones(
    tenant: Tenant, login: Login
) -> None:
    rule = _only(tenant, "Anciens noms", ["twitter", "google"])
    client = login(tenant.manager)
    page = client.get(reverse("routing_rule_edit", args=[rule.pk])).content.decode()
    ticked = [(value, label) for value, label, checked in _platform_boxes(page) if checked]
    assert ticked == [("google_business", "Google Business Profile"), ("x", "X")]
    # The scheme names the rule's platforms as the form does.
    scheme = client.get(reverse("routing")).content.decode()
    assert "<strong>X, Google Business Profile</strong>" in scheme

    response = client.post(
        reverse("routing_rule_edit", args=[rule.pk]),
        {
            "name": "Anciens noms",
            "enabled": "on",
            "assign": "none",
            "toxic": "",
            "legal_risk": "",
            "platforms": ["google_business", "x"],
            "tags": "vu",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.conditions["platforms"] == ["google_business", "x"]


def test_a_rule_takes_the_mentions_of_its_platform_under_either_name(tenant: Tenant) -> None:
    org = tenant.organisation
    for stored in (["x"], ["twitter"]):
        _only(tenant, f"X ({stored[0]})", stored)
        for platform in ("x", "twitter"):
            case = do_route_mention(
                make_mention(org, source=make_source(org, platform), text=f"{stored} {platform}")
            )
            assert case is not None
            assert case.routing_rule == f"X ({stored[0]})", (stored, platform)
        other = do_route_mention(make_mention(org, source=make_source(org, "facebook"), text="Facebook"))
        assert other is not None
        assert other.routing_rule == ""
    for stored in (["google"], ["google_business"]):
        _only(tenant, f"Google ({stored[0]})", stored)
        for platform in ("google", "google_business"):
            case = do_route_mention(
                make_mention(org, source=make_source(org, platform), text=f"{stored} {platform}")
            )
            assert case is not None
            assert case.routing_rule == f"Google ({stored[0]})", (stored, platform)


def test_the_dry_run_explains_a_match_under_the_other_name(tenant: Tenant, login: Login) -> None:
    checks = check_conditions(RuleConditions(platforms=["google"]), Facts(platform="google_business"))
    assert [(c.label, c.expected, c.actual, c.ok) for c in checks] == [
        ("Plateforme", "Google Business Profile", "Google Business Profile", True)
    ]
    checks = check_conditions(RuleConditions(platforms=["x"]), Facts(platform="twitter"))
    assert [(c.expected, c.actual, c.ok) for c in checks] == [("X", "X", True)]
    checks = check_conditions(RuleConditions(platforms=["x"]), Facts(platform="facebook"))
    assert [c.ok for c in checks] == [False]

    _only(tenant, "X", ["x"])
    mention = make_mention(
        tenant.organisation, source=make_source(tenant.organisation, "twitter"), text="Archive"
    )
    page = login(tenant.manager).get(reverse("routing_dry_run"), {"mention": mention.pk}).content.decode()
    # The colon comes after a narrow no-break space, as French writes it.
    read = re.sub(r"[\u00a0\u202f]", " ", html.unescape(page))
    assert "✓ Plateforme : attendu X, trouvé X" in read
    assert "Twitter, fichiers importés" not in read
