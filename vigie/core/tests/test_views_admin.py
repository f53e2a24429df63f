"""The operators' Django admin: every model is reachable, security records cannot be altered."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.actions import do_create_api_token
from vigie.core.models import AuditEvent, User
from vigie.inbox.tests.factories import make_case
from vigie.mentions.tests.factories import make_source

MODELS = [
    "core/organisation",
    "core/user",
    "core/membership",
    "core/team",
    "core/location",
    "core/apitoken",
    "core/auditevent",
    "connectors/source",
    "mentions/author",
    "mentions/mention",
    "inbox/case",
    "inbox/reply",
    "inbox/template",
]


@pytest.fixture
def operator(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("ops@example.org", "operator-passphrase-1"))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_each_model_has_a_working_changelist_with_search(
    tenant: Tenant, operator: Client, model: str
) -> None:
    make_case(tenant.organisation)
    url = reverse(f"admin:{model.replace('/', '_')}_changelist")
    assert operator.get(url).status_code == 200
    assert operator.get(url, {"q": "acme"}).status_code == 200


def test_members_of_an_organisation_are_not_operators(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.admin).get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_operator_creates_a_user_by_email(operator: Client) -> None:
    response = operator.post(
        reverse("admin:core_user_add"),
        {
            "email": "someone@example.org",
            "usable_password": "true",
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="someone@example.org").check_password("a-long-passphrase-9")


def test_user_change_page_opens(tenant: Tenant, operator: Client) -> None:
    url = reverse("admin:core_user_change", args=[tenant.agent.user_id])
    assert operator.get(url).status_code == 200


def test_the_audit_log_cannot_be_altered_from_the_admin(tenant: Tenant, operator: Client) -> None:
    event = AuditEvent.objects.filter(organisation=tenant.organisation).first()
    assert event is not None
    assert operator.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert (
        operator.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    change = operator.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"verb": "forged"})
    assert change.status_code == 403
    event.refresh_from_db()
    assert event.verb != "forged"
    changelist = operator.get(reverse("admin:core_auditevent_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_api_tokens_are_read_only_in_the_admin(tenant: Tenant, operator: Client) -> None:
    token, _ = do_create_api_token(tenant.agent, "script")
    assert operator.get(reverse("admin:core_apitoken_add")).status_code == 403
    assert (
        operator.post(reverse("admin:core_apitoken_delete", args=[token.pk]), {"post": "yes"}).status_code
        == 403
    )
    # Viewing is allowed, to see who holds which token.
    assert operator.get(reverse("admin:core_apitoken_change", args=[token.pk])).status_code == 200


def test_source_page_opens(tenant: Tenant, operator: Client) -> None:
    source = make_source(tenant.organisation)
    assert operator.get(reverse("admin:connectors_source_change", args=[source.pk])).status_code == 200
