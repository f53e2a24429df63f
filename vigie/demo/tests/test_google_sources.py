"""The demo's Google sources: a configuration the connector accepts, and an honest health."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.connectors.actions import source_config, validate_config
from vigie.connectors.builtin.google_business.connector import GoogleBusinessConfig
from vigie.connectors.models import Source, SourceState
from vigie.demo import DEMO_LOGINS, DEMO_SLUG
from vigie.demo.loader import do_load_demo
from vigie.demo.organisation import SOURCES


def test_every_demo_google_source_has_a_configuration_the_connector_accepts() -> None:
    google = [spec for spec in SOURCES if spec.platform == "google_business"]
    assert google
    for spec in google:
        config = validate_config(spec.platform, dict(spec.config))
        assert isinstance(config, GoogleBusinessConfig)
        assert len(config.location_ids) == 1


@pytest.mark.django_db
def test_the_sources_page_does_not_call_the_unconnected_google_sources_operational(client: Any) -> None:
    do_load_demo(size=60, days=7)
    sources = Source.objects.filter(organisation__slug=DEMO_SLUG, platform="google_business")
    assert sources.exists()
    for source in sources:
        assert isinstance(source_config(source), GoogleBusinessConfig)  # loads as stored
        assert source.state == SourceState.NEEDS_REAUTH
        assert "non connecté" in source.last_error
    from vigie.core.models import User

    client.force_login(User.objects.get(email=DEMO_LOGINS["manager"]))
    page = client.get("/sources/").content.decode()
    row = page[page.index(sources[0].name) :]
    row = row[: row.index("</tr>")]
    assert "Réautorisation nécessaire" in row
    assert "Opérationnelle" not in row
