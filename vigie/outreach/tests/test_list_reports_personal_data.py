"""The report of a list keeps the address of each row that did not go: personal data. The person's
export shows those rows, their erasure deletes them, and reports older than 90 days go."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from vigie.core.jobs import run_pending
from vigie.core.models import Membership
from vigie.outreach.actions import do_forget_old_lists
from vigie.outreach.models import InviteBatch, InviteBatchRow
from vigie.outreach.tests.conftest import World
from vigie.privacy.actions import do_erase_subject
from vigie.privacy.queries import find_subject
from vigie.privacy.subjects import parse_subject

pytestmark = pytest.mark.django_db


def _send_list(client: Client) -> None:
    data = b"email;name;location\nzoe@client.example;Zoe;Lieu Inconnu\nzoe@client.example;Zoe;\nok@client.example;Ok;\n"
    client.post("/outreach/invite/", {"file": SimpleUploadedFile("l.csv", data)})
    run_pending()


def test_the_rows_naming_the_person_are_exported_and_erased(
    world: World, login: Callable[[Membership], Client]
) -> None:
    _send_list(login(world.tenant.manager))
    assert InviteBatchRow.objects.filter(who="zoe@client.example").count() == 2
    admin = login(world.tenant.admin)
    document = json.loads(admin.get("/privacy/export/", {"subject": "ZOE@client.example"}).content)
    rows = document["elsewhere"]["outreach"]["outreach_list_rows"]
    assert sorted((row["line"], row["reason"]) for row in rows) == [
        (2, "unknown_location"),
        (3, "duplicate_in_file"),
    ]
    organisation = world.tenant.organisation
    counts = do_erase_subject(
        organisation, find_subject(organisation, parse_subject("zoe@client.example")), actor=None
    )
    assert counts["outreach.outreach_list_rows"] == 2
    assert not InviteBatchRow.objects.filter(who="zoe@client.example").exists()
    assert InviteBatch.objects.count() == 1  # the run and its counts stay


def test_old_list_reports_go(world: World, login: Callable[[Membership], Client]) -> None:
    _send_list(login(world.tenant.manager))
    assert do_forget_old_lists() == 0
    assert do_forget_old_lists(now=timezone.now() + timedelta(days=91)) > 0
    assert not InviteBatch.objects.exists()
    assert not InviteBatchRow.objects.exists()
