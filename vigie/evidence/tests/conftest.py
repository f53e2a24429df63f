"""Fixtures of the evidence tests: a platform page served on loopback, a local timestamping
authority, and capture files kept in the test's own folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.connectors.testing import FakePlatform
from vigie.evidence.tests.tsa import LocalTSA

POST_HTML = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Avis</title>
<link rel="stylesheet" href="/style.css"></head>
<body><h1>Avis de Jean Dupont</h1><p class="post">Cette entreprise est une bande d'escrocs.</p>
<img src="/pixel.png" alt=""><img src="http://10.0.0.1/tracker.gif" alt=""></body></html>"""
LOGIN_HTML = """<!doctype html><html><body><form action="/login" method="post">
<input name="user"><input type="password" name="password"><button>Se connecter</button></form></body></html>"""


@pytest.fixture(autouse=True)
def evidence_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    settings.EVIDENCE_DIR = str(folder)
    return folder


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePlatform]:
    """A platform serving a defamatory post, a removed post (404) and a post behind a login wall."""
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    with FakePlatform() as fake:
        fake.add("GET", "/post/1", body=POST_HTML, headers={"Content-Type": "text/html; charset=utf-8"})
        fake.add(
            "GET", "/style.css", body="body{font-family:sans-serif}", headers={"Content-Type": "text/css"}
        )
        fake.add("GET", "/pixel.png", body=b"", status=404)
        fake.add(
            "GET",
            "/gone",
            body="<h1>Cette publication n'existe plus</h1>",
            status=404,
            headers={"Content-Type": "text/html"},
        )
        fake.add("GET", "/private/9", status=302, headers={"Location": "/login?next=/private/9"})
        fake.add("GET", "/login", body=LOGIN_HTML, headers={"Content-Type": "text/html"})
        yield fake


@pytest.fixture
def tsa(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalTSA]:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    with LocalTSA() as authority:
        monkeypatch.setenv("VIGIE_TSA_URL", authority.url)
        yield authority
