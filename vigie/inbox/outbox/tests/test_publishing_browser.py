"""The outbox in a real `vigie serve` and a real browser.

An approved Mastodon reply is published by the server's own embedded worker to a local fake
Mastodon; an agent then uses "copy and open" on a feed mention (no reply API) and confirms the
reply was posted by hand. Drives Debian's Chromium through Playwright.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.connectors.testing import FakePlatform
from vigie.core.tests.servers import ACME, DataDirs, Server, running_server, vigie_env

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-passphrase-42"
STATUS_CREATED = json.loads(
    (Path(__file__).parents[3] / "connectors/builtin/mastodon/tests/fixtures/status_created.json").read_text()
)

SEED = """
import json, django
django.setup()
from vigie.connectors.actions import do_create_source
from vigie.core.models import Organisation, User
from vigie.inbox.models import Case, Reply, ReplyStatus
from vigie.inbox.outbox.publishing import do_queue_publication
from vigie.mentions.models import Author, Mention
from django.utils import timezone

args = json.loads(input())
org = Organisation.objects.get(slug="acme")
agent = User.objects.get(email="agent@acme.example")
cases = {}
for key, platform, config, url in (
    ("mastodon", "mastodon", {"base_url": args["mastodon"], "access_token": "tok"}, "https://example.social/@mira/1"),
    ("feed", "feed", {"url": args["server"] + "/feed.xml"}, args["server"] + "/static/vigie/vigie.css?post=1"),
    ("feed_phone", "feed", {"url": args["server"] + "/other.xml"}, args["server"] + "/static/vigie/vigie.css?post=2"),
):
    source = do_create_source(org, platform=platform, name=key, config=config)
    author = Author.objects.create(organisation=org, platform=platform, external_id="a-" + key, handle="mira")
    mention = Mention.objects.create(
        organisation=org, source=source, author=author, external_id="1123829-" + key, kind="post",
        text="Commande jamais arrivée", url=url, created_at=timezone.now(), mention_type="complaint",
    )
    case = Case.objects.create(organisation=org, mention=mention)
    reply = Reply.objects.create(
        organisation=org, case=case, author=agent, status=ReplyStatus.APPROVED,
        body="Nous sommes désolés <b>Mira</b>, nous regardons.",
    )
    do_queue_publication(reply, actor=agent)
    cases[key] = [case.pk, reply.pk]
print(json.dumps(cases))
"""


@pytest.fixture(scope="module")
def mastodon() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        fake.add("POST", "/api/v1/statuses", json=STATUS_CREATED)
        yield fake


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, mastodon: FakePlatform, data_dirs: DataDirs
) -> Iterator[tuple[Server, dict[str, list[int]]]]:
    data_dir = tmp_path_factory.mktemp("outbox")
    data_dirs.prepare(data_dir, *ACME)
    subprocess.run(
        [sys.executable, "-m", "vigie.cli", "user", "create", "agent@acme.example", "--org", "acme",
         "--role", "agent", "--password-stdin"],
        input=PASSWORD + "\n", env=vigie_env(data_dir), check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    with running_server(data_dir) as server:
        env = {**vigie_env(data_dir), "DJANGO_SETTINGS_MODULE": "vigie.settings"}
        seeded = subprocess.run(
            [sys.executable, "-c", SEED],
            input=json.dumps({"mastodon": mastodon.url, "server": server.url}) + "\n",
            env=env, check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        yield server, json.loads(seeded.stdout.strip().splitlines()[-1])


@pytest.fixture
def context(browser_context: Any) -> Any:
    # "Copier et ouvrir" writes the reply to the clipboard.
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"])
    return browser_context


def test_the_outbox_publishes_and_an_agent_copies_opens_and_confirms(
    served: tuple[Server, dict[str, list[int]]], mastodon: FakePlatform, context: Any
) -> None:
    server, cases = served
    page = context.new_page()
    page.goto(f"{server.url}/login/")
    page.get_by_label("Adresse e-mail").fill("agent@acme.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/inbox/**")

    # The server's embedded worker publishes the Mastodon reply on its own.
    case_pk, _ = cases["mastodon"]
    deadline = time.monotonic() + 30
    while "Publiée" not in page.content() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.goto(f"{server.url}/inbox/cases/{case_pk}/publication/")
    assert "Publiée" in page.content()
    assert len(mastodon.requests_to("POST", "/api/v1/statuses")) == 1

    # Copy and open, then confirm by hand.
    case_pk, _ = cases["feed"]
    page.goto(f"{server.url}/inbox/cases/{case_pk}/publication/")
    with context.expect_page() as opened:
        page.get_by_role("button", name="Copier le texte et ouvrir la publication").click()
    assert opened.value.url == f"{server.url}/static/vigie/vigie.css?post=1"
    assert (
        page.evaluate("navigator.clipboard.readText()") == "Nous sommes désolés <b>Mira</b>, nous regardons."
    )
    page.get_by_label("Lien de la réponse publiée").fill(f"{server.url}/login/#reply")
    page.get_by_role("button", name="J'ai publié la réponse à la main").click()
    page.wait_for_url(f"**/inbox/cases/{case_pk}/")
    page.goto(f"{server.url}/inbox/cases/{case_pk}/publication/")
    assert "Publiée à la main" in page.content()


def test_on_a_phone_the_manual_path_is_reached_from_the_case_and_says_who_posted_it(
    served: tuple[Server, dict[str, list[int]]], browser: Any
) -> None:
    # On a platform without a reply API the case page leads to the "post by hand" card; a double
    # click on the confirmation records one publication, and the card says who posted it and when.
    server, cases = served
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/login/")
        page.get_by_label("Adresse e-mail").fill("agent@acme.example")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/inbox/**")
        case_pk, _ = cases["feed_phone"]
        page.goto(f"{server.url}/inbox/cases/{case_pk}/")
        page.get_by_role("link", name="Aller à la publication").click()
        confirm = page.get_by_role("button", name="J'ai publié la réponse à la main")
        assert confirm.is_visible()
        box = confirm.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
        confirm.dblclick()
        page.wait_for_timeout(1500)
        page.goto(f"{server.url}/inbox/cases/{case_pk}/")
        card = page.locator("#publication-status")
        assert card.locator(".publication").count() == 1
        text = card.inner_text()
        assert "Publiée à la main" in text
        assert "par agent@acme.example, le " in text
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
