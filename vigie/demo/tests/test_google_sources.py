"""The demo's Google sources: a configuration the connector accepts (their health against the
sandbox is tested in test_sandbox.py)."""

from __future__ import annotations

from vigie.connectors.actions import validate_config
from vigie.connectors.builtin.google_business.connector import GoogleBusinessConfig
from vigie.demo.organisation import SOURCES


def test_every_demo_google_source_has_a_configuration_the_connector_accepts() -> None:
    google = [spec for spec in SOURCES if spec.platform == "google_business"]
    assert google
    for spec in google:
        config = validate_config(spec.platform, dict(spec.config))
        assert isinstance(config, GoogleBusinessConfig)
        assert len(config.location_ids) == 1
