"""The review platforms of the sources page: each can be added from its generated form, with the
exact configuration keys, French labels translated into English, and secrets as write-only inputs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.models import Membership

Login = Callable[[Membership], Client]

FIELDS = {
    "google_play": (["package_name"], ["service_account_json"]),
    "app_store": (["app_id", "issuer_id", "key_id"], ["private_key"]),
    "skeepers": (["client_id", "website_id"], ["client_secret"]),
    "yelp": (["business_id"], ["api_key"]),
    "tripadvisor": (["location_id", "language"], ["api_key"]),
}
LABELS = {
    "google_play": "Google Play",
    "app_store": "App Store",
    "skeepers": "Avis Vérifiés (Skeepers)",
    "yelp": "Yelp",
    "tripadvisor": "Tripadvisor",
}


def test_the_sources_page_offers_every_review_platform(tenant: Tenant, login: Login) -> None:
    page = login(tenant.manager).get(reverse("sources")).content.decode()
    for slug, label in LABELS.items():
        assert reverse("source_add", args=[slug]) in page, slug
        assert label.replace("'", "&#x27;") in page, slug


@pytest.mark.parametrize("slug", sorted(FIELDS))
def test_the_add_form_has_the_exact_keys_with_secrets_write_only(
    tenant: Tenant, login: Login, slug: str
) -> None:
    page = login(tenant.manager).get(reverse("source_add", args=[slug])).content.decode()
    plain, secret = FIELDS[slug]
    for key in [*plain, *secret, "base_url"]:
        assert f'name="config-{key}"' in page, key
    for key in secret:
        assert f'type="password" name="config-{key}"' in page, key


def test_the_config_labels_are_french_and_translated_into_english(tenant: Tenant, login: Login) -> None:
    client = login(tenant.manager)
    french = client.get(reverse("source_add", args=["google_play"])).content.decode()
    assert "Clé JSON du compte de service Google Cloud" in french
    user = tenant.manager.user
    user.language = "en"
    user.save(update_fields=["language"])
    english = client.get(reverse("source_add", args=["google_play"])).content.decode()
    assert "Google Cloud service account JSON key" in english
