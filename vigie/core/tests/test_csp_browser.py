"""The Content-Security-Policy in a real Chromium: pages load, HTMX runs, nothing is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.core.tests.browser import new_context
from vigie.core.tests.servers import MIGRATE, DataDirs, Server, running_server, vigie

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple"
SETUP = f"""
from vigie.core.actions import do_create_member, do_create_organisation
from vigie.core.roles import Role
org = do_create_organisation("acme", "Acme")
do_create_member(org, "admin@acme.example", Role.ADMIN, password={PASSWORD!r})
"""
PAGES = [
    "/inbox/",
    "/dashboard/",
    "/sources/",
    "/charter/",
    "/charter/print/",
    "/alerts/",
    "/templates/",
    "/api/docs",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir: Path = tmp_path_factory.mktemp("csp")
    data_dirs.prepare(data_dir, MIGRATE)
    vigie(data_dir, "shell", "-c", SETUP)
    with running_server(data_dir) as running:
        yield running


def test_no_page_breaks_the_policy_and_htmx_runs(server: Server, browser: Any) -> None:
    page = new_context(browser).new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(f"{server.url}/login/")
    page.get_by_label("Adresse e-mail").fill("admin@acme.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/inbox/**")
    for path in PAGES:
        answer = page.goto(f"{server.url}{path}")
        assert answer is not None
        assert answer.status == 200, path
        assert "script-src 'self'" in (answer.header_value("content-security-policy") or "")
        if path not in ("/api/docs", "/charter/print/"):
            assert page.evaluate("typeof window.htmx") == "object", path
    assert refused == []
