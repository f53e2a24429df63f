"""Done-when of the crisis room, in a real browser against a real `vigie serve` on the demo: a
spike is injected, the manager opens a crisis from the alert it raised, adds a timeline entry,
approves a holding statement as spokesperson, and closes the crisis with its post-mortem."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from vigie.core.tests.servers import DataDirs, Server, demo, running_server, vigie
from vigie.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def spiked_demo(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("crisis")
    data_dirs.prepare(data_dir, *demo(800))
    result = vigie(data_dir, "demo_spike", "--count", "40", "--now")
    assert "négatives" in result.stdout
    with running_server(data_dir) as server:
        yield server


def _crisis_state(data_dir: Path) -> tuple[str, int, int, int]:
    db = sqlite3.connect(data_dir / "vigie.sqlite3")
    try:
        status, crisis_id = db.execute(
            "SELECT status, id FROM alerts_crisis ORDER BY id DESC LIMIT 1"
        ).fetchone()
        entries = db.execute(
            "SELECT count(*) FROM alerts_timelineentry WHERE crisis_id = ?", [crisis_id]
        ).fetchone()[0]
        approved = db.execute(
            "SELECT count(*) FROM alerts_statement WHERE crisis_id = ? AND approved_by_id IS NOT NULL",
            [crisis_id],
        ).fetchone()[0]
        actions = db.execute(
            "SELECT count(*) FROM alerts_correctiveaction WHERE crisis_id = ?", [crisis_id]
        ).fetchone()[0]
    finally:
        db.close()
    return status, entries, approved, actions


def test_the_manager_runs_a_crisis_from_the_spike_alert_to_its_post_mortem(spiked_demo: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{spiked_demo.url}/alerts/")
    page.get_by_label("Adresse e-mail").fill("manager@demo.example")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/alerts/")

    page.get_by_role("link", name="Pic de mentions négatives · Organisation").first.click()
    assert "attendu" in page.locator("main").inner_text().lower()
    page.get_by_role("link", name="Ouvrir une crise").click()
    page.wait_for_url("**/alerts/crises/new/**")
    page.get_by_label("Mots-clés").fill("panne, service client")
    spokesperson = page.get_by_label("Porte-parole")
    manager_option = spokesperson.locator("option", has_text="manager@demo.example")
    spokesperson.select_option(value=manager_option.get_attribute("value"))
    page.get_by_role("button", name="Ouvrir la cellule de crise").click()
    page.wait_for_url("**/alerts/crises/*/")
    room = page.locator("main").inner_text()
    assert "Publier une déclaration d'attente" in room, "the charter's playbook is the checklist"
    assert "Mentions dans le périmètre" in room

    page.get_by_label("Nouvelle entrée").fill("Cellule réunie ; l'équipe technique confirme la panne.")
    page.get_by_role("button", name="Ajouter au fil").click()
    page.wait_for_url("**#timeline")
    assert "Cellule réunie" in page.locator("#timeline").inner_text()

    page.get_by_label("Texte de la déclaration").fill(
        "Nous rencontrons une panne de notre espace client. Nos équipes sont mobilisées ; prochain point à 14 h."
    )
    page.get_by_role("button", name="Soumettre au porte-parole").click()
    page.wait_for_url("**#statements")
    page.locator("#statements").get_by_role("button", name="Approuver").click()
    page.wait_for_url("**#statements")
    assert "Approuvée" in page.locator("#statements").inner_text()
    page.locator("#statements").get_by_label("Publiée aussi ailleurs ? (site web, presse…)").fill("site web")
    page.locator("#statements").get_by_role("button", name="Publier", exact=True).click()
    page.wait_for_url("**#statements")
    assert "prochain point à 14 h" in page.locator("#statements").inner_text()

    page.get_by_role("link", name="Clore la crise (post-mortem)").click()
    page.get_by_label("Causes").fill("Mise à jour défaillante du portail.")
    page.get_by_label("Ce qui a fonctionné").fill("Déclaration d'attente en moins d'une heure.")
    page.get_by_label("Ce qui n'a pas fonctionné").fill("Le service client a été briefé tard.")
    page.locator("#id_action0-title").fill("Tester les mises à jour en préproduction")
    owner = page.locator("#id_action0-owner")
    owner.select_option(index=1)
    page.locator("#id_action0-due_on").fill("2030-01-31")
    page.get_by_role("button", name="Clore la crise").click()
    page.wait_for_url("**/alerts/crises/*/")
    assert "Post-mortem" in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Post-mortem (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    page.get_by_role("link", name="Post-mortem (HTML)").click()
    # The timeline names each event's kind as the room does, not by its code ("statement").
    assert "[déclaration publiée]" in page.locator("body").inner_text()
    page.go_back()

    status, entries, approved, actions = _crisis_state(spiked_demo.data_dir)
    assert status == "closed"
    assert entries == 1
    assert approved == 1
    assert actions == 1


# The layout check: every card of the room, the page head and the tabs, pairwise; and every visible
# element of a card inside that card (nothing sticks out over its neighbour); and no sideways scroll.
_OVERLAPS_JS = """
() => {
  const problems = [];
  const box = (el) => el.getBoundingClientRect();
  const named = (el) => (el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + el.className);
  const blocks = [...document.querySelectorAll('main .page-head, main nav.tabs, main .card')];
  if (blocks.length < 6) problems.push('only ' + blocks.length + ' blocks found');
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const a = box(blocks[i]), b = box(blocks[j]);
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) problems.push(named(blocks[i]) + ' overlaps ' + named(blocks[j]));
    }
  }
  for (const card of document.querySelectorAll('main .card')) {
    const c = box(card);
    for (const el of card.querySelectorAll('*')) {
      if (el.closest('.visually-hidden, .table-wrap')) continue;
      const r = box(el);
      if (r.width === 0 || r.height === 0) continue;
      if (r.left < c.left - 1 || r.right > c.right + 1) {
        problems.push(named(el) + ' sticks out of ' + named(card));
        break;
      }
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + 'px');
  }
  return problems;
}
"""


def test_nothing_overlaps_in_a_busy_crisis_room_on_a_laptop_and_a_phone(spiked_demo: Server, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{spiked_demo.url}/alerts/crises/new/")
        page.get_by_label("Adresse e-mail").fill("manager@demo.example")
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/alerts/crises/new/**")
        page.get_by_label("Titre").fill(
            "Rupture de stock nationale : clients mécontents dans toutes les agences"
        )
        spokesperson = page.get_by_label("Porte-parole")
        manager_option = spokesperson.locator("option", has_text="manager@demo.example")
        spokesperson.select_option(value=manager_option.get_attribute("value"))
        page.get_by_role("button", name="Ouvrir la cellule de crise").click()
        page.wait_for_url("**/alerts/crises/*/")

        # One click from the playbook drafts the holding statement; the gate's findings show.
        page.locator("#playbook").get_by_role("button", name="Rédiger la déclaration d'attente").click()
        page.wait_for_url("**#statements")
        assert "Bloquant" in page.locator("#statements").inner_text()
        page.get_by_label("Texte de la déclaration").first.fill(
            "Nous avons connaissance des difficultés signalées. Nos équipes sont mobilisées ; "
            "prochain point à 14 heures."
        )
        page.locator("#statements").get_by_role("button", name="Enregistrer et vérifier").click()
        page.wait_for_url("**#statements")
        page.locator("#statements").get_by_role("button", name="Approuver").click()
        page.wait_for_url("**#statements")
        page.get_by_label("Nouvelle entrée").fill("Cellule réunie ; " + "l'équipe logistique confirme. " * 8)
        page.get_by_role("button", name="Ajouter au fil").click()
        page.wait_for_url("**#timeline")

        for width, height in ((1366, 768), (375, 812)):
            page.set_viewport_size({"width": width, "height": height})
            page.reload()
            problems = page.evaluate(_OVERLAPS_JS)
            assert problems == [], f"{width}×{height}: {problems}"

        # The other pages of the crisis rooms, at both sizes too.
        room = page.url.split("#")[0]
        for url in (
            f"{spiked_demo.url}/alerts/crises/",
            f"{spiked_demo.url}/alerts/crises/new/",
            f"{room}close/",
        ):
            page.goto(url)
            for width, height in ((1366, 768), (375, 812)):
                page.set_viewport_size({"width": width, "height": height})
                problems = page.evaluate(_OVERLAPS_JS.replace("< 6", "< 1"))
                assert problems == [], f"{url} {width}×{height}: {problems}"
        page.goto(room)

        with page.expect_download() as download:
            page.get_by_role("link", name="Exporter le fil (CSV)").click()
        exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert exported.startswith("Date,Heure (")
        assert "Cellule réunie" in exported
    finally:
        context.close()
