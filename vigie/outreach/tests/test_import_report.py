"""Inviting a list from /outreach/: the result says in words why rows did not go (never the internal
codes), the dry run lists each row that would fail with its line and reason, an unknown location
refuses its row (it would send the customer to the wrong review page), and the report is shown once,
escaped, to managers only."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vigie.core.jobs import run_pending
from vigie.core.models import Membership, Organisation
from vigie.inbox.tests.mailservers import SmtpServer
from vigie.outreach.models import Contact, Invitation
from vigie.outreach.reasons import REASONS
from vigie.outreach.tests.conftest import World

pytestmark = pytest.mark.django_db

ROWS = [
    "marie@client.example,Marie,Agence Lyon,",  # line 2
    "not-an-address,Zoé,,",  # line 3
    "marie@client.example,Marie,Agence Lyon,",  # line 4
    "luc@client.example,Luc,Lieu Inconnu,",  # line 5
    "max@client.example,Max,,tripadvisor",  # line 6
    "paul@client.example,Paul,,",  # line 7
]


def upload(client: Client, rows: list[str], *, dry_run: bool) -> Any:
    data = "email,name,location,platform\n" + "\n".join(rows) + "\n"
    form: dict[str, Any] = {"file": SimpleUploadedFile("clients.csv", data.encode(), content_type="text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    return client.post("/outreach/invite/", form)


def report(page: str) -> str:
    match = re.search(r'<section class="card import-report".*?</section>', page, re.S)
    assert match, "no import report on the page"
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))))


def lines(page: str) -> dict[int, str]:
    found = re.findall(r'<tr data-line="(\d+)"><td>\d+</td><td>(.*?)</td><td>(.*?)</td></tr>', page)
    return {int(n): html.unescape(f"{who} | {reason}") for n, who, reason in found}


def test_the_dry_run_lists_each_row_that_would_fail_in_words(
    world: World, login: Callable[[Membership], Client], smtp: SmtpServer
) -> None:
    client = login(world.tenant.manager)
    response = upload(client, ROWS, dry_run=True)
    assert response.status_code == 302
    assert response["Location"] == "/outreach/#import-report"
    page = client.get("/outreach/").content.decode()
    text = report(page)
    assert "Essai à blanc de la liste (rien n'a été envoyé)" in text
    assert "2 invitations partiraient." in text
    assert "4 lignes ne partiraient pas :" in text
    for words in ("adresse invalide (1)", "doublon dans le fichier (1)", "lieu inconnu (1)"):
        assert words in text
    assert "aucune plateforme d'avis pour ce lieu dans la charte (1)" in text
    assert lines(page) == {
        3: "not-an-address | adresse invalide",
        4: "marie@client.example | doublon dans le fichier",
        5: "luc@client.example | lieu inconnu : Lieu Inconnu — ligne refusée (corrigez le nom du lieu ou laissez-le vide)",
        6: "max@client.example | aucune plateforme d'avis pour ce lieu dans la charte",
    }
    for code in REASONS:
        assert code not in text, f"the internal code {code} is shown"
    assert smtp.received == []
    assert not Invitation.objects.exists()
    assert not Contact.objects.exists()
    # Shown once: the next visit has no report.
    assert 'data-outreach="import-report"' not in client.get("/outreach/").content.decode()


def test_a_real_run_reports_on_the_sent_list_and_refuses_the_unknown_location(
    world: World, login: Callable[[Membership], Client], smtp: SmtpServer
) -> None:
    client = login(world.tenant.manager)
    response = upload(client, ROWS, dry_run=False)
    batch_page = response["Location"]
    assert re.fullmatch(r"/outreach/lists/\d+/", batch_page)
    run_pending()
    page = client.get(batch_page).content.decode()
    text = report(page)
    assert "2 invitations envoyées." in text
    assert "4 lignes non envoyées :" in text
    assert lines(page)[5].startswith("luc@client.example | lieu inconnu : Lieu Inconnu")
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["marie@client.example", "paul@client.example"]
    assert not Invitation.objects.filter(contact__email="luc@client.example").exists()
    # Corrected, the row goes; the others were invited already.
    response = upload(
        client,
        ["marie@client.example,Marie,Agence Lyon,", "luc@client.example,Luc,agence lyon,"],
        dry_run=False,
    )
    run_pending()
    text = report(client.get(response["Location"]).content.decode())
    assert "1 invitation envoyée." in text
    assert "déjà invité pendant la période (1)" in text
    assert Invitation.objects.get(contact__email="luc@client.example").location == world.lyon


def test_the_report_is_escaped_and_in_the_managers_language(
    world: World, login: Callable[[Membership], Client]
) -> None:
    Organisation.objects.filter(pk=world.tenant.organisation.pk).update(language="en")
    client = login(world.tenant.manager)
    upload(client, ["<script>alert(1)</script>,X,,", "a@client.example,A,<b>Nowhere</b>,"], dry_run=True)
    page = client.get("/outreach/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<b>Nowhere</b>" not in page
    assert lines(page) == {
        2: "<script>alert(1)</script> | invalid address",
        3: "a@client.example | unknown location: <b>Nowhere</b> — row refused (correct the location's name or leave it empty)",
    }
    assert "Dry run of the list (nothing was sent)" in report(page)


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_only_managers_invite_a_list(world: World, login: Callable[[Membership], Client], role: str) -> None:
    response = upload(login(world.tenant.member(role)), ROWS, dry_run=False)
    assert response.status_code == 403
    assert not Invitation.objects.exists()
