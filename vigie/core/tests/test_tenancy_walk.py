"""Every route that takes an id, walked by another organisation's administrator: an id of ours
answers exactly as an id that exists nowhere (404, or the same refusal), on every page and every
API operation, for GET and POST. A route that looked an object up without its organisation would
answer differently (200, 302, 400) for our ids."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.actions import do_create_location, do_create_team
from vigie.core.models import Membership
from vigie.inbox.models import Reply, Template
from vigie.inbox.routing.actions import do_seed_default_routing
from vigie.inbox.tests.factories import make_case
from vigie.mentions.tests.factories import make_mention

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
NOWHERE = 10**9
# Public pages of customers and webhooks of platforms: no member, their own checks.
SKIP = ("admin/", "o/", "inbox/inbound-email", "sources/meta/", "login", "logout", "password-reset")


def _routes(resolver: Any, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _path(route: str, value: int) -> str:
    def fill(match: re.Match[str]) -> str:
        if match.group(1) in (None, "int"):
            return str(value)
        return "html" if match.group(2) == "fmt" else "x"

    return "/" + PARAM.sub(fill, route).replace("^", "").replace("$", "")


def _ids_by_org() -> dict[int, set[int]]:
    """The primary keys of every row of every table that belongs to an organisation."""
    found: dict[int, set[int]] = {}
    for model in apps.get_models():
        names = {field.name for field in model._meta.get_fields()}
        # A row is an organisation's directly, or through a membership (an API token).
        owner = "organisation_id" if "organisation" in names else "membership__organisation_id"
        if "organisation" not in names and "membership" not in names:
            continue
        for pk, organisation_id in model.objects.values_list("pk", owner):  # type: ignore[attr-defined]
            if isinstance(pk, int):
                found.setdefault(organisation_id, set()).add(pk)
    return found


def _ours(tenant: Tenant) -> None:
    organisation = tenant.organisation
    do_seed_default_routing(organisation)
    do_create_team(organisation, "Service client")
    do_create_location(organisation, "Lyon")
    for text in ("Colis jamais reçu", "Très bon accueil", "Où est ma commande ?"):
        case = make_case(organisation, make_mention(organisation, text=text))
        Reply.objects.create(
            organisation=organisation,
            case=case,
            body="Bonjour",
            status="published",
            published_at=timezone.now(),
        )
    Template.objects.create(organisation=organisation, name="Merci", category="thanks", body="Merci !")


def test_another_organisations_ids_answer_as_ids_that_exist_nowhere(
    tenant: Tenant,
    other_tenant: Tenant,
    login: Callable[[Membership], Client],
    api_client: Callable[[Membership], Client],
) -> None:
    _ours(tenant)
    # Their clients first: the API client's token is one of their rows.
    web, api = login(other_tenant.admin), api_client(other_tenant.admin)
    ids = _ids_by_org()
    # Ours and not theirs: an id that also names one of their rows may rightly answer.
    candidates = sorted(ids[tenant.organisation.pk] - ids.get(other_tenant.organisation.pk, set()))[:12]
    assert len(candidates) >= 6
    leaks: list[str] = []
    walked = 0
    for route in _routes(get_resolver()):
        if route.startswith(SKIP) or not PARAM.search(route):
            continue
        client = api if route.startswith("api/") else web
        for method in ("get", "post"):
            call = getattr(client, method)
            nowhere = call(_path(route, NOWHERE)).status_code
            for value in candidates:
                walked += 1
                status = call(_path(route, value)).status_code
                if status != nowhere:
                    leaks.append(f"{method.upper()} {_path(route, value)}: {status}, not {nowhere}")
                    break
    assert walked > 1000
    assert leaks == []
