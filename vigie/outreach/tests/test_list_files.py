"""The files a customer list comes in: Excel's « Texte Unicode » (UTF-16, tab-separated, with or
without a byte order mark) was read as Windows-1252 — a NUL after each letter, no column found,
the whole list refused; UTF-8 with a byte order mark, Windows-1252, commas or semicolons; French
phone numbers however written are one customer; every row that does not go is reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vigie.core.jobs import run_pending
from vigie.core.models import Membership
from vigie.inbox.tests.mailservers import SmtpServer
from vigie.outreach.actions import decode_csv, do_update_campaign, read_invite_rows
from vigie.outreach.models import Contact, InviteBatch
from vigie.outreach.tests.conftest import World

pytestmark = pytest.mark.django_db

TEXT = "email\tname\tlocation\nhelene@client.example\tHélène Dupré\tAgence Lyon\nluc@client.example\tLuc Œuvray\t\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-16"),  # Excel: byte order mark, little-endian
        TEXT.encode("utf-16-le"),
        TEXT.encode("utf-16-be"),
        "\ufeff".encode() + TEXT.replace("\t", ";").encode(),
        TEXT.replace("\t", ",").encode("cp1252"),
    ],
    ids=["utf16-bom", "utf16le", "utf16be", "utf8-bom-semicolon", "cp1252-comma"],
)
def test_every_encoding_and_separator_reads_the_same_rows(data: bytes) -> None:
    rows = read_invite_rows(decode_csv(data))
    assert [(r["email"], r["name"], r["location"]) for r in rows] == [
        ("helene@client.example", "Hélène Dupré", "Agence Lyon"),
        ("luc@client.example", "Luc Œuvray", ""),
    ]


def test_a_utf16_list_uploaded_on_the_page_is_sent(
    world: World, login: Callable[[Membership], Client], smtp: SmtpServer
) -> None:
    client = login(world.tenant.manager)
    upload = SimpleUploadedFile("clients.txt", TEXT.encode("utf-16"), content_type="text/plain")
    response = client.post("/outreach/invite/", {"file": upload})
    run_pending()
    assert "2 invitations envoyées." in client.get(response["Location"]).content.decode()
    assert Contact.objects.get(email="helene@client.example").name == "Hélène Dupré"
    assert len(smtp.received) == 2


def test_french_numbers_written_differently_are_one_customer_and_each_skipped_row_is_reported(
    world: World, login: Callable[[Membership], Client], settings: Any
) -> None:
    settings.SMS_URL = ""  # no provider: the SMS fail to go, which the report says too
    do_update_campaign(world.tenant.organisation, actor=None, sms=True)
    data = (
        "phone;name\n"
        "06 12 34 56 78;Anne\n"  # line 2
        "+33 6 12 34 56 78;Anne bis\n"  # line 3: the same number
        "0033612345678;Anne ter\n"  # line 4: the same number
        "07.98.76.54.32;Bruno\n"  # line 5
        ";Personne\n"  # line 6: no address
    ).encode("cp1252")
    client = login(world.tenant.manager)
    response = client.post("/outreach/invite/", {"file": SimpleUploadedFile("sms.csv", data)})
    run_pending()
    batch = InviteBatch.objects.get()
    page = client.get(response["Location"]).content.decode()
    reported = {row.line: row.reason for row in batch.report_rows.all()}
    assert reported[3] == reported[4] == "duplicate_in_file"
    assert reported[6] == "no_address"
    assert batch.done == batch.total == 5
    assert sum(batch.counts.values()) + batch.sent == 5
    assert len(reported) == sum(n for code, n in batch.counts.items() if code != "quiet_hours")
    assert 'data-line="6"' in page
