"""The mentions behind the numbers: the testimonial column says what is recorded and what to do."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language
from vigie.core.models import Membership
from vigie.mentions.models import Mention, Sentiment
from vigie.mentions.tests.factories import make_mention

Login = Callable[[Membership], Client]


def _testimonial_cell(page: str, mention: Mention) -> str:
    row = re.search(rf'<tr data-mention="{mention.pk}">(.*?)</tr>', page, re.S)
    assert row is not None, page
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return str(cells[-1])


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_testimonial_column_reads_as_an_action_then_as_the_recorded_consent(
    tenant: Tenant, login: Login
) -> None:
    glowing = make_mention(tenant.organisation, rating=5, sentiment=Sentiment.POSITIVE, text="Super équipe")
    other = make_mention(tenant.organisation, rating=5, sentiment=Sentiment.POSITIVE, text="Très bien")
    client = login(tenant.manager)
    page = client.get(reverse("insights-mentions"), {"period": 30}).content.decode()
    # Nothing is recorded yet: no row claims a consent; each offers to record the author's.
    assert "Consentement obtenu" not in page
    cell = _testimonial_cell(page, glowing)
    assert _text(cell) == "Noter l'accord de l'auteur"
    assert (
        "title=\"Une fois que l'auteur a accepté que ce texte soit cité comme témoignage dans les rapports : "
        "l'enregistrer.\"" in cell
    )

    client.post(reverse("insights-consent", args=[glowing.pk]), {"granted": "1"})
    page = client.get(reverse("insights-mentions"), {"period": 30}).content.decode()
    cell = _testimonial_cell(page, glowing)
    assert _text(cell) == "Citation autorisée"
    assert 'title="L\'auteur a accepté que ce texte soit cité comme témoignage dans les rapports."' in cell
    assert "<button" not in cell
    assert _text(_testimonial_cell(page, other)) == "Noter l'accord de l'auteur"


def test_the_testimonial_column_in_english(tenant: Tenant, login: Login) -> None:
    glowing = make_mention(tenant.organisation, rating=5, sentiment=Sentiment.POSITIVE, text="Great team")
    other = make_mention(tenant.organisation, rating=5, sentiment=Sentiment.POSITIVE, text="Very good")
    do_set_user_language(tenant.manager.user, "en")
    client = login(tenant.manager)
    client.post(reverse("insights-consent", args=[glowing.pk]), {"granted": "1"})
    page = client.get(reverse("insights-mentions"), {"period": 30}).content.decode()
    assert _text(_testimonial_cell(page, glowing)) == "Quoting allowed"
    assert "The author agreed to this text being quoted as a testimonial in reports." in page
    assert _text(_testimonial_cell(page, other)) == "Record the author's consent"
