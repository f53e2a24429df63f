"""A manager groups two of the demo's locations on the settings page, then narrows the dashboard to
that group, in a real browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vigie.core.tests.servers import DataDirs, Server, demo, running_server
from vigie.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("location-groups-demo")
    data_dirs.prepare(data_dir, *demo(300))
    with running_server(data_dir) as server:
        yield server


def test_a_manager_groups_locations_and_filters_the_dashboard_on_the_group(demo_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{demo_server.url}/settings/")
    page.get_by_label("Adresse e-mail").fill("manager@demo.example")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/settings/**")

    section = page.locator("#groupes-de-lieux")
    # The creation form posts back to its section ("…/location-groups/#groupes-de-lieux").
    creation = section.locator("form[action$='/settings/location-groups/#groupes-de-lieux']")
    creation.get_by_label("Nom du groupe").fill("Région Sud-Est")
    boxes = creation.locator("input[type=checkbox]")
    assert boxes.count() >= 3, "the demo has several locations"
    chosen = []
    for index in (0, 1):
        box = boxes.nth(index)
        chosen.append(page.locator(f"label[for='{box.get_attribute('id')}']").inner_text().strip())
        box.check()
    creation.get_by_role("button", name="Créer le groupe").click()
    page.wait_for_url("**/settings/**")
    assert "Groupe « Région Sud-Est » créé." in page.locator("body").inner_text()
    row = page.locator("#groupes-de-lieux tbody tr").filter(has_text="Région Sud-Est")
    for name in chosen:
        assert name in row.inner_text()
    page.screenshot(path=str(demo_server.data_dir / "settings-groups.png"), full_page=True)

    page.goto(f"{demo_server.url}/dashboard/?period=90")
    page.get_by_label("Groupe de lieux").select_option(label="Région Sud-Est")
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url("**group=**")
    card = page.locator("section[aria-labelledby=locations-title] tbody tr")
    shown = {card.nth(i).locator("td").first.inner_text().strip() for i in range(card.count())}
    assert shown <= set(chosen), shown
    assert shown, "the group's locations have mentions over 90 days"
    page.screenshot(path=str(demo_server.data_dir / "dashboard-group.png"), full_page=True)

    # Deleting the group asks first (its scheduled reports go with it); dismissed, nothing changes.
    page.goto(f"{demo_server.url}/settings/#groupes-de-lieux")
    section = page.locator("#groupes-de-lieux")
    section.get_by_text("Modifier « Région Sud-Est »").click()
    questions: list[str] = []

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    page.on("dialog", answer)
    section.get_by_role("button", name="Supprimer le groupe").click()
    assert questions
    assert "rapports programmés" in questions[0]
    assert section.locator("tbody tr").filter(has_text="Région Sud-Est").count() == 1
    section.get_by_role("button", name="Supprimer le groupe").click()
    page.wait_for_url("**/settings/**")
    assert "Groupe « Région Sud-Est » supprimé." in page.locator("body").inner_text()
