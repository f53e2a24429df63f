"""Fixtures shared by every app's tests: two organisations, a member of each role, clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

from vigie.core.actions import do_create_api_token, do_create_member, do_create_organisation
from vigie.core.models import Membership, Organisation
from vigie.core.roles import Role
from vigie.core.tests.browser import browser, browser_context, chromium, page  # noqa: F401 (fixtures)
from vigie.core.tests.servers import DataDirs

PASSWORD = "correct-horse-battery-staple"

# The tests' platforms, feeds and webhooks are servers on loopback, which the egress policy refuses
# to anyone else; the egress tests remove this allowance to prove the refusal.
os.environ["VIGIE_EGRESS_ALLOW"] = "127.0.0.1,::1,localhost"


@dataclass
class Tenant:
    """An organisation with one member of each role."""

    organisation: Organisation
    admin: Membership
    manager: Membership
    agent: Membership
    viewer: Membership

    def member(self, role: str) -> Membership:
        member: Membership = getattr(self, role)
        return member


def make_tenant(slug: str) -> Tenant:
    organisation = do_create_organisation(slug, slug.capitalize())
    members = {
        role.value: do_create_member(organisation, f"{role.value}@{slug}.example", role, password=PASSWORD)
        for role in Role
    }
    return Tenant(organisation, **members)


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile the .po catalogues before any test, so English pages can be tested in any order
    (.mo files are not committed; a catalogue read before compilation would stay cached)."""
    call_command("compiletranslations", verbosity=0)
    trans_real._translations = {}  # type: ignore[attr-defined]
    trans_real._default = None  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the default language: a page requested in English leaves English
    active in the thread (as a request does in a worker), and a later test reading the active
    language (a report's "25 %") would depend on the order the tests ran in."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(scope="session")
def data_dirs(tmp_path_factory: pytest.TempPathFactory) -> DataDirs:
    """Data directories (migrated, with the demo…) prepared once per session, copied per server."""
    return DataDirs(tmp_path_factory.mktemp("data-dir-templates"))


@pytest.fixture
def tenant(db: None) -> Tenant:
    """Organisation "acme" with an admin, a manager, an agent and a viewer."""
    return make_tenant("acme")


@pytest.fixture
def other_tenant(db: None) -> Tenant:
    """Organisation "globex": another tenant whose data must stay invisible to acme."""
    return make_tenant("globex")


@pytest.fixture
def login() -> Callable[[Membership], Client]:
    """Return a browser-like client signed in as the given member."""

    def _login(membership: Membership) -> Client:
        client = Client()
        client.force_login(membership.user)
        return client

    return _login


@pytest.fixture
def api_client() -> Callable[[Membership], Client]:
    """Return a client that sends a fresh API token of the given member."""

    def _api(membership: Membership) -> Client:
        _, secret = do_create_api_token(membership, "test")
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return _api
