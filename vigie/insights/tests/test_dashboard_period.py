"""The dashboard's period sentence and what it says of dates it cannot use (found in the demo:
"?from=abc" and an end before the start showed the default period without a word, and a long
range read "Du 1 janvier 2025")."""

from __future__ import annotations

import re

from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language


def _sentence(page: str) -> str:
    found = re.search(r"Du .*? au [^<]*?\d{4}", page) or re.search(r"From .*? to [^<]*?\d{4}", page)
    assert found is not None, page
    return found.group(0)


def test_an_unusable_period_is_named_and_the_default_one_shown(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.viewer)
    default = _sentence(client.get(reverse("dashboard")).content.decode())
    assert 'role="alert"' not in client.get(reverse("dashboard")).content.decode()

    page = client.get(reverse("dashboard") + "?from=2026-12-07&to=2026-11-01").content.decode()
    assert "Période invalide : la fin précède le début. Période par défaut affichée." in page
    assert _sentence(page) == default

    page = client.get(reverse("dashboard") + "?from=abc").content.decode()
    assert "Date illisible : abc. Période par défaut affichée." in page
    assert _sentence(page) == default

    page = client.get(reverse("dashboard") + "?from=2026-11-01&to=2026-11-30").content.decode()
    assert 'role="alert"' not in page
    assert _sentence(page) == "Du 1er novembre 2026 au 30 novembre 2026"


def test_the_period_sentence_writes_the_first_of_the_month_1er_in_french_only(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.viewer)
    url = reverse("dashboard") + "?from=2025-01-01&to=2025-12-11"
    assert _sentence(client.get(url).content.decode()) == "Du 1er janvier 2025 au 11 décembre 2025"
    do_set_user_language(tenant.viewer.user, "en")
    page = client.get(reverse("dashboard") + "?from=abc").content.decode()
    assert "Unreadable date: abc. Default period shown." in page
    assert _sentence(client.get(url).content.decode()) == "From 1 Jan 2025 to 11 Dec 2025"
