"""The links the demo e-mails point where the demo is served (found: port 8000 with --port 8793)."""

from __future__ import annotations

import pytest
from django.conf import settings

from vigie.demo.management.commands.demo import _serve_links_at


def test_links_follow_the_demos_port_unless_the_operator_set_an_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VIGIE_BASE_URL", raising=False)
    monkeypatch.setattr(settings, "BASE_URL", "http://127.0.0.1:8000")
    monkeypatch.setattr(settings, "CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1:8000"])
    _serve_links_at("0.0.0.0", 8793)  # noqa: S104 - the address a user may give
    assert settings.BASE_URL == "http://127.0.0.1:8793"
    assert "http://127.0.0.1:8793" in settings.CSRF_TRUSTED_ORIGINS
    monkeypatch.setenv("VIGIE_BASE_URL", "https://vigie.example.org")
    monkeypatch.setattr(settings, "BASE_URL", "https://vigie.example.org")
    _serve_links_at("127.0.0.1", 8794)
    assert settings.BASE_URL == "https://vigie.example.org"
