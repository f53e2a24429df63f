"""The Sources pages: add/edit forms from the connector's config, secrets write-only, test,
sync, pause/resume, remove; managers and admins only; another organisation's source is a 404."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source, source_config
from vigie.connectors.models import Source, SourceState
from vigie.connectors.tests.servers import LocalServer, local_server
from vigie.core.models import AuditEvent, Job, Membership
from vigie.core.pipeline import FETCH_SOURCE_JOB
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_location, make_mention

Login = Callable[[Membership], Client]
SECRET = "hook-secret-0123456789abcdef"
FEED = (Path(__file__).parents[1] / "builtin" / "feed" / "tests" / "fixtures" / "talkwalker.xml").read_bytes()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        yield running


def hook(tenant: Tenant, name: str = "Hook") -> Source:
    return do_create_source(tenant.organisation, platform="webhook", name=name, config={"secret": SECRET})


def feed(tenant: Tenant, url: str = "https://feeds.example.org/rss", name: str = "Presse") -> Source:
    return do_create_source(tenant.organisation, platform="feed", name=name, config={"url": url})


def routes(source: Source) -> list[tuple[str, str]]:
    return [
        ("get", reverse("source_edit", args=[source.pk])),
        ("post", reverse("source_edit", args=[source.pk])),
        ("post", reverse("source_test", args=[source.pk])),
        ("post", reverse("source_sync", args=[source.pk])),
        ("post", reverse("source_pause", args=[source.pk])),
        ("post", reverse("source_resume", args=[source.pk])),
        ("get", reverse("source_remove", args=[source.pk])),
        ("post", reverse("source_remove", args=[source.pk])),
    ]


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_viewers_and_agents_are_refused_every_route(tenant: Tenant, login: Login, role: str) -> None:
    source = hook(tenant)
    client = login(tenant.member(role))
    for method, url in [*routes(source), ("get", reverse("source_add", args=["feed"]))]:
        assert getattr(client, method)(url).status_code == 403, url
    assert Source.objects.filter(pk=source.pk, state=SourceState.OK, removed_at__isnull=True).exists()


def test_another_organisations_source_is_a_404_on_every_route(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = hook(other_tenant, "Globex hook")
    client = login(tenant.admin)
    for method, url in routes(theirs):
        assert getattr(client, method)(url).status_code == 404, url
    theirs.refresh_from_db()
    assert theirs.state == SourceState.OK
    assert theirs.removed_at is None


def test_anonymous_visitors_are_sent_to_login(tenant: Tenant) -> None:
    source = hook(tenant)
    for method, url in routes(source):
        assert getattr(Client(), method)(url).status_code == 302


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_manager_adds_a_feed_from_the_generated_form(tenant: Tenant, login: Login, role: str) -> None:
    lyon = make_location(tenant.organisation, name="Lyon")
    client = login(tenant.member(role))
    page = client.get(reverse("source_add", args=["feed"])).content.decode()
    assert 'name="config-url"' in page
    assert 'name="config-preset"' in page
    response = client.post(
        reverse("source_add", args=["feed"]),
        {
            "source-name": "Alertes Google",
            "source-location": lyon.pk,
            "source-poll_interval_minutes": "20",
            "config-url": "https://www.google.com/alerts/feeds/1/2",
            "config-preset": "google_alerts",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get(name="Alertes Google")
    assert (source.platform, source.location, source.poll_interval_seconds) == ("feed", lyon, 1200)
    assert source.config["preset"] == "google_alerts"
    assert AuditEvent.objects.filter(verb="source.created", actor=tenant.member(role).user).exists()


@pytest.mark.parametrize("platform", ["trustpilot", "bluesky"])
def test_every_field_of_a_source_form_is_named_in_words(tenant: Tenant, login: Login, platform: str) -> None:
    """Found in the demo: "per_page (facultatif)" and "base_url (facultatif)" as labels."""
    page = login(tenant.manager).get(reverse("source_add", args=[platform])).content.decode()
    assert "Adresse de l&#x27;API" in page or "Adresse de l'API" in page
    for attribute in ("per_page", "base_url"):
        assert f">{attribute}" not in page


def test_a_bad_config_is_shown_on_its_field(tenant: Tenant, login: Login) -> None:
    response = login(tenant.manager).post(
        reverse("source_add", args=["feed"]),
        {"source-name": "X", "config-url": "ftp://nope", "config-preset": "generic"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    # The field by its label, in French, then what the connector's own check expects (in the
    # platform's terms): without it a person would have to guess.
    assert "Adresse du flux RSS ou Atom : Cette valeur n&#x27;a pas le format attendu." in page
    assert "Attendu par la plateforme : must be an http:// or https:// URL" in page
    assert not Source.objects.exists()


def test_a_location_of_another_organisation_cannot_be_chosen(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = make_location(other_tenant.organisation, name="Globex HQ")
    response = login(tenant.manager).post(
        reverse("source_add", args=["feed"]),
        {
            "source-name": "X",
            "source-location": theirs.pk,
            "config-url": "https://x.example",
            "config-preset": "generic",
        },
    )
    assert response.status_code == 400
    assert not Source.objects.exists()


def test_an_unknown_platform_is_a_404(tenant: Tenant, login: Login) -> None:
    assert login(tenant.manager).get(reverse("source_add", args=["myspace"])).status_code == 404


def test_secrets_are_write_only(tenant: Tenant, login: Login) -> None:
    source = hook(tenant)
    client = login(tenant.manager)
    for url in (reverse("sources"), reverse("source_edit", args=[source.pk])):
        assert SECRET not in client.get(url).content.decode()
    edit = client.get(reverse("source_edit", args=[source.pk])).content.decode()
    assert 'type="password"' in edit
    assert reverse("source_webhook", args=[source.pk]) in edit
    # Saving without retyping the secret keeps it; typing a new one replaces it.
    client.post(reverse("source_edit", args=[source.pk]), {"source-name": "Hook 2", "config-secret": ""})
    source.refresh_from_db()
    assert source.name == "Hook 2"
    assert source_config(source).secret == SECRET  # type: ignore[attr-defined]
    client.post(
        reverse("source_edit", args=[source.pk]), {"source-name": "Hook 2", "config-secret": "n" * 20}
    )
    source.refresh_from_db()
    assert source_config(source).secret == "n" * 20  # type: ignore[attr-defined]
    assert SECRET not in str(AuditEvent.objects.values_list("data", flat=True)[::1])


def test_test_connection_reports_success_and_failure(
    tenant: Tenant, login: Login, server: LocalServer
) -> None:
    server.add("GET", "/ok", 200, FEED, {"Content-Type": "application/rss+xml"})
    server.add("GET", "/ko", 503, b"")
    good = feed(tenant, server.url("/ok"), "Bon")
    bad = feed(tenant, server.url("/ko"), "Mauvais")
    client = login(tenant.manager)
    ok = client.post(reverse("source_test", args=[good.pk]), follow=True).content.decode()
    assert "Connexion réussie pour « Bon »" in ok
    ko = client.post(reverse("source_test", args=[bad.pk]), follow=True).content.decode()
    assert "Échec du test de « Mauvais » : feed answered HTTP 503" in ko


def test_sync_now_enqueues_one_fetch(tenant: Tenant, login: Login) -> None:
    source = feed(tenant)
    client = login(tenant.manager)
    client.post(reverse("source_sync", args=[source.pk]))
    client.post(reverse("source_sync", args=[source.pk]))
    assert Job.objects.filter(name=FETCH_SOURCE_JOB, payload={"source_id": source.pk}).count() == 1


def test_pause_and_resume(tenant: Tenant, login: Login) -> None:
    source = feed(tenant)
    client = login(tenant.manager)
    client.post(reverse("source_pause", args=[source.pk]))
    source.refresh_from_db()
    assert source.state == SourceState.PAUSED
    assert "Reprendre" in client.get(reverse("sources")).content.decode()
    client.post(reverse("source_resume", args=[source.pk]))
    source.refresh_from_db()
    assert source.state == SourceState.OK


def test_remove_keeping_the_mentions(tenant: Tenant, login: Login) -> None:
    source = hook(tenant)
    make_mention(tenant.organisation, source=source)
    client = login(tenant.manager)
    assert "1 mention" in client.get(reverse("source_remove", args=[source.pk])).content.decode()
    client.post(reverse("source_remove", args=[source.pk]), {"keep_mentions": "1"})
    source.refresh_from_db()
    assert source.removed_at is not None
    assert source.credentials_encrypted == ""
    assert Mention.objects.filter(source=source).count() == 1
    listing = client.get(reverse("sources")).content.decode()
    assert "Source « Hook » retirée." in listing  # the message, once
    assert "<strong>Hook" not in listing
    hook(tenant)  # the name is free again


def test_remove_with_the_mentions(tenant: Tenant, login: Login) -> None:
    source = hook(tenant)
    make_mention(tenant.organisation, source=source)
    login(tenant.admin).post(reverse("source_remove", args=[source.pk]), {"keep_mentions": "0"})
    assert not Source.objects.filter(pk=source.pk).exists()
    assert not Mention.objects.exists()
    assert AuditEvent.objects.filter(verb="source.removed").exists()


def test_saving_can_test_the_connection_at_once(tenant: Tenant, login: Login, server: LocalServer) -> None:
    server.add("GET", "/feed", 404, b"")
    response = login(tenant.manager).post(
        reverse("source_add", args=["feed"]),
        {
            "source-name": "Presse",
            "source-test_after_save": "on",
            "config-url": server.url("/feed"),
            "config-preset": "generic",
        },
        follow=True,
    )
    content = response.content.decode()
    assert "Source « Presse » ajoutée." in content
    assert "Échec du test de « Presse » : feed answered HTTP 404" in content
    assert [r.path for r in server.requests] == ["/feed"]


def test_every_registered_platform_gets_an_add_form(tenant: Tenant, login: Login) -> None:
    from vigie.connectors.contract import Capability
    from vigie.connectors.credentials import secret_fields
    from vigie.connectors.registry import all_connectors

    client = login(tenant.manager)
    for slug, connector_class in all_connectors().items():
        response = client.get(reverse("source_add", args=[slug]))
        assert response.status_code == 200, slug
        content = response.content.decode()
        for name in connector_class.Config.model_fields:
            asked = name != "base_url" or connector_class.uses_base_url
            assert (f'name="config-{name}"' in content) == asked, (slug, name)
        polls = Capability.FETCH in connector_class.capabilities
        assert ('name="source-poll_interval_minutes"' in content) == polls, slug
        for name in secret_fields(connector_class.Config):
            assert f'type="password" name="config-{name}"' in content, (slug, name)


def test_the_file_import_form_asks_only_what_the_import_uses_in_words(tenant: Tenant, login: Login) -> None:
    """Found in the demo: the file-import source asked for a polling interval and an API address
    it never uses, and offered its column presets by their codes ("google_takeout")."""
    client = login(tenant.manager)
    page = client.get(reverse("source_add", args=["file"])).content.decode()
    assert 'name="source-poll_interval_minutes"' not in page
    assert "Intervalle de relève" not in page
    assert 'name="config-base_url"' not in page
    assert "Adresse de l" not in page
    assert '<option value="trustpilot">Export Trustpilot (CSV ou XLSX)</option>' in page
    assert '<option value="google_takeout">Google Takeout : avis Google (JSON)</option>' in page
    assert '<option value="" selected>D&#x27;après l&#x27;extension du fichier</option>' in page
    assert re.search(r'<option value="review"( selected)?>Avis</option>', page)
    assert '<option value="survey_answer">Réponse à une enquête</option>' in page
    for code in ("generic", "google_takeout", "survey_answer", "jsonl"):
        assert f">{code}<" not in page, code
    response = client.post(
        reverse("source_add", args=["file"]),
        {
            "source-name": "Exports Trustpilot",
            "config-preset": "trustpilot",
            "config-format": "",
            "config-kind": "review",
            "config-rating_scale_max": "5",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get(name="Exports Trustpilot")
    assert (source.platform, source.config["preset"], source.next_poll_at) == ("file", "trustpilot", None)
    assert "base_url" not in source.config or source.config["base_url"] == ""
    edit = client.get(reverse("source_edit", args=[source.pk])).content.decode()
    assert '<option value="trustpilot" selected>Export Trustpilot (CSV ou XLSX)</option>' in edit

    user = tenant.manager.user
    user.language = "en"
    user.save(update_fields=["language"])
    english = client.get(reverse("source_add", args=["file"])).content.decode()
    assert '<option value="trustpilot">Trustpilot export (CSV or XLSX)</option>' in english
    assert re.search(r'<option value="review"( selected)?>Review</option>', english)

    # A platform with an API keeps both.
    page = client.get(reverse("source_add", args=["trustpilot"])).content.decode()
    assert 'name="source-poll_interval_minutes"' in page
    assert 'name="config-base_url"' in page


def _badge(page: str, name: str) -> str:
    """The state badge of the source ``name`` on the Sources page."""
    row = next(r for r in page.split("<tr") if f"<strong>{name}</strong>" in r)
    found = re.search(r'<span class="badge state-([\w-]+)">([^<]+)</span>', row)
    assert found is not None, row
    return f"{found.group(1)}: {found.group(2)}"


def test_a_source_is_not_listed_working_before_anything_came_in(
    tenant: Tenant, login: Login, server: LocalServer
) -> None:
    """Found in the demo: a Trustpilot source whose connection test had just failed was listed
    "Opérationnelle" until its first poll."""
    from vigie.connectors.actions import do_record_fetch_failure, do_record_fetch_success
    from vigie.connectors.contract import ConnectorError

    server.add("GET", "/v1/business-units/bu-1", 401, b'{"message": "Unauthorized"}')
    client = login(tenant.manager)
    response = client.post(
        reverse("source_add", args=["trustpilot"]),
        {
            "source-name": "Trustpilot",
            "source-test_after_save": "on",
            "config-api_key": "wrong-key-0123",
            "config-business_unit_id": "bu-1",
            "config-base_url": server.url(""),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Échec du test de « Trustpilot »" in page
    assert _badge(page, "Trustpilot") == "test_failed: Échec du test de connexion"
    assert "Opérationnelle" not in page
    source = Source.objects.get(name="Trustpilot")
    # It still polls as planned, without a backoff: the test counts no fetch failure.
    assert (source.state, source.consecutive_failures) == (SourceState.FAILING, 0)
    assert source.next_poll_at is not None
    assert "wrong-key-0123" not in source.last_error

    # Saved without a test: not read yet, rather than working.
    feed(tenant, name="Presse")
    hook(tenant, name="Hook")
    do_create_source(tenant.organisation, platform="file", name="Exports", config={})
    page = client.get(reverse("sources")).content.decode()
    assert _badge(page, "Presse") == "not_fetched: Pas encore relevée"
    assert _badge(page, "Hook") == "not_fetched: Rien reçu pour l&#x27;instant"
    assert _badge(page, "Exports") == "not_fetched: Aucun import pour l&#x27;instant"

    # A test that passes clears what the failed test alone had set; the first fetch, "working".
    server.routes.clear()
    server.add("GET", "/v1/business-units/bu-1", 200, b'{"id": "bu-1", "displayName": "Acme"}')
    page = client.post(reverse("source_test", args=[source.pk]), follow=True).content.decode()
    assert "Connexion réussie pour « Trustpilot »" in page
    assert _badge(page, "Trustpilot") == "not_fetched: Pas encore relevée"
    source.refresh_from_db()
    do_record_fetch_success(source)
    page = client.get(reverse("sources")).content.decode()
    assert _badge(page, "Trustpilot") == "ok: Opérationnelle"
    # A fetch that fails is an error, not a failed test.
    source.refresh_from_db()
    do_record_fetch_failure(source, ConnectorError("HTTP 503"))
    page = client.get(reverse("sources")).content.decode()
    assert _badge(page, "Trustpilot") == "failing: En erreur"
