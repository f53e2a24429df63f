"""A list of customers uploaded on /outreach/ is sent in the background, not within the web
request: the page of the run shows its progress and every row that did not go; a double click,
a restarted run or the periodic job never sends twice to one customer; an opt-out made while the
list runs is honoured."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vigie.core.jobs import enqueue, run_pending
from vigie.core.models import Job, JobStatus, Membership
from vigie.inbox.tests.mailservers import SmtpServer
from vigie.outreach import actions
from vigie.outreach.actions import BATCH_JOB, do_add_contacts, do_opt_out, do_send_due, do_send_invitation
from vigie.outreach.models import BatchState, Contact, Invitation, InvitationState, InviteBatch, LegalBasis
from vigie.outreach.tests.conftest import World

pytestmark = pytest.mark.django_db


def csv_bytes(count: int, extra: tuple[str, ...] = ()) -> bytes:
    rows = [f"client{n:05d}@client.example;Client {n}" for n in range(count)]
    return ("email;name\n" + "\n".join([*rows, *extra]) + "\n").encode()


def upload(client: Client, data: bytes, *, dry_run: bool = False, name: str = "clients.csv") -> Any:
    form: dict[str, Any] = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    return client.post("/outreach/invite/", form)


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    # Slices of 10 rows, progress saved every 5: a list of 30 runs as three jobs.
    monkeypatch.setattr(actions, "BATCH_SLICE_ROWS", 10)
    monkeypatch.setattr(actions, "BATCH_SAVE_EVERY", 5)


def recipients(smtp: SmtpServer) -> list[str]:
    return [r.rcpt_tos[0] for r in smtp.received]


def test_the_upload_only_queues_the_list_and_the_page_shows_its_progress(
    world: World, login: Callable[[Membership], Client], smtp: SmtpServer, small_slices: None
) -> None:
    client = login(world.tenant.manager)
    response = upload(client, csv_bytes(30, ("not-an-address;Zoé", "client00003@client.example;Dup")))
    assert response.status_code == 302
    # Nothing went within the request.
    assert smtp.received == []
    batch = InviteBatch.objects.get()
    assert response["Location"] == f"/outreach/lists/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-progress="0/32"' in page
    # While it runs, the progress refreshes itself (HTMX) and a plain link reloads it without JS.
    assert 'hx-trigger="every 2s"' in page
    assert "Actualiser" in page
    run_pending(limit=1)
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'data-progress="10/32"' in fragment
    assert "<html" not in fragment
    assert len(smtp.received) == 10
    run_pending()
    batch.refresh_from_db()
    assert batch.state == BatchState.DONE
    assert batch.rows == []  # the file's rows are not kept once the run is over
    page = client.get(response["Location"]).content.decode()
    assert 'data-progress="32/32"' in page
    assert 'hx-trigger="every 2s"' not in page
    assert "30 invitations envoyées." in page
    assert re.search(r'<tr data-line="32"><td>32</td><td>not-an-address</td><td>adresse invalide</td>', page)
    assert re.search(r'<tr data-line="33"><td>33</td><td>client00003@client.example</td><td>doublon', page)
    assert sorted(recipients(smtp)) == sorted(f"client{n:05d}@client.example" for n in range(30))
    # Every skipped row, as CSV too.
    rows_csv = client.get(f"/outreach/lists/{batch.pk}/rows.csv").content.decode("utf-8-sig")
    assert rows_csv.splitlines()[1:] == [
        "32;not-an-address;adresse invalide",
        "33;client00003@client.example;doublon dans le fichier",
    ]
    # The invitations page lists the run.
    assert f'href="/outreach/lists/{batch.pk}/"' in client.get("/outreach/invitations/").content.decode()


def test_a_double_click_opens_the_same_run_and_sends_once(
    world: World, login: Callable[[Membership], Client], smtp: SmtpServer
) -> None:
    client = login(world.tenant.manager)
    data = csv_bytes(12)
    first, second = upload(client, data), upload(client, data)
    assert first["Location"] == second["Location"]
    assert InviteBatch.objects.count() == 1
    run_pending()
    assert len(smtp.received) == 12
    # Another file naming the same customers within the period sends nothing more.
    third = upload(client, data + b"\n")
    run_pending()
    assert third["Location"] != first["Location"]
    assert len(smtp.received) == 12
    assert "12 lignes non envoyées" in client.get(third["Location"]).content.decode()


def test_a_restarted_run_sends_nobody_twice_and_still_counts_them_sent(
    world: World, login: Callable[[Membership], Client], smtp: SmtpServer, small_slices: None
) -> None:
    client = login(world.tenant.manager)
    upload(client, csv_bytes(30))
    run_pending()
    assert len(smtp.received) == 30
    batch = InviteBatch.objects.get()
    # The worker died after sending rows 0-29 but before saving its progress: the run starts over.
    InviteBatch.objects.filter(pk=batch.pk).update(
        done=0,
        sent=0,
        counts={},
        state=BatchState.RUNNING,
        rows=[{"email": f"client{n:05d}@client.example"} for n in range(30)],
    )
    enqueue(BATCH_JOB, {"batch_id": batch.pk, "start": 0})
    run_pending()
    batch.refresh_from_db()
    assert len(smtp.received) == 30
    assert (batch.state, batch.done, batch.sent, batch.counts) == (BatchState.DONE, 30, 30, {})


def test_an_opt_out_made_while_the_list_runs_is_honoured(
    world: World, login: Callable[[Membership], Client], smtp: SmtpServer, small_slices: None
) -> None:
    organisation = world.tenant.organisation
    do_add_contacts(
        organisation,
        [{"email": "client00025@client.example"}],
        legal_basis=LegalBasis.CONTRACT,
        note="CRM",
    )
    client = login(world.tenant.manager)
    upload(client, csv_bytes(30))
    run_pending(limit=1)
    do_opt_out(Contact.objects.get(email="client00025@client.example"))
    run_pending()
    assert "client00025@client.example" not in recipients(smtp)
    assert len(smtp.received) == 29
    batch = InviteBatch.objects.get()
    assert batch.counts == {"opted_out": 1}
    assert "désinscrit" in client.get(f"/outreach/lists/{batch.pk}/").content.decode()


def test_an_invitation_is_sent_once_however_often_a_sender_takes_it(world: World, smtp: SmtpServer) -> None:
    organisation = world.tenant.organisation
    actions.do_invite(organisation, actions.InviteRequest(email="a@client.example"))
    invitation = Invitation.objects.get()
    # The periodic job and a list's run both holding it: the second finds it claimed.
    Invitation.objects.filter(pk=invitation.pk).update(state=InvitationState.SCHEDULED)
    assert len(smtp.received) == 1
    invitation.refresh_from_db()
    assert do_send_invitation(invitation) is True
    assert do_send_invitation(invitation) is False
    assert do_send_due()["sent"] == 0
    assert len(smtp.received) == 2


def test_a_run_that_fails_says_so(world: World, login: Callable[[Membership], Client]) -> None:
    client = login(world.tenant.manager)
    upload(client, csv_bytes(3))
    batch = InviteBatch.objects.get()
    # Rows that are not what the run expects (a corrupted row store) stop it, visibly.
    InviteBatch.objects.filter(pk=batch.pk).update(rows=["not a row", "nor this", "nor that"])
    run_pending()
    batch.refresh_from_db()
    assert batch.state == BatchState.FAILED
    assert Job.objects.filter(status=JobStatus.FAILED).count() == 1
    assert "L'envoi s'est interrompu" in client.get(f"/outreach/lists/{batch.pk}/").content.decode()


def test_a_big_dry_run_is_queued_and_sends_nothing(
    world: World, login: Callable[[Membership], Client], smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vigie.outreach import views

    monkeypatch.setattr(views, "DRY_RUN_INLINE_ROWS", 5)
    client = login(world.tenant.manager)
    response = upload(client, csv_bytes(8), dry_run=True)
    run_pending()
    page = client.get(response["Location"]).content.decode()
    assert "8 invitations partiraient." in page
    assert smtp.received == []
    assert not Invitation.objects.exists()
    assert not Contact.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_only_managers_see_a_run(world: World, login: Callable[[Membership], Client], role: str) -> None:
    upload(login(world.tenant.manager), csv_bytes(2))
    batch = InviteBatch.objects.get()
    assert login(world.tenant.member(role)).get(f"/outreach/lists/{batch.pk}/").status_code == 403


def test_another_organisations_run_is_not_found(
    world: World, other_tenant: Any, login: Callable[[Membership], Client]
) -> None:
    upload(login(world.tenant.manager), csv_bytes(2))
    batch = InviteBatch.objects.get()
    assert login(other_tenant.manager).get(f"/outreach/lists/{batch.pk}/").status_code == 404


def test_the_invitations_held_for_the_quiet_hours_all_go_when_they_end_and_an_opt_out_withdraws_one(
    world: World, login: Callable[[Membership], Client], smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    organisation = world.tenant.organisation
    actions.do_update_campaign(organisation, actor=None, quiet_start=time(20, 0), quiet_end=time(9, 0))
    night = datetime(2026, 3, 2, 22, 30, tzinfo=paris)
    for n in range(4):
        request = actions.InviteRequest(email=f"night{n}@client.example")
        assert actions.do_invite(organisation, request, now=night) == "quiet_hours"
    do_opt_out(Contact.objects.get(email="night0@client.example"))
    # Chunks of one: the opted-out customer's invitation, first in line, used to stay scheduled and
    # take the whole chunk at every run; and one chunk per run sent 500 every 5 minutes at most.
    monkeypatch.setattr(actions, "SEND_DUE_CHUNK", 1)
    assert do_send_due(now=datetime(2026, 3, 3, 9, 1, tzinfo=paris))["sent"] == 3
    assert sorted(recipients(smtp)) == [f"night{n}@client.example" for n in (1, 2, 3)]
    withdrawn = Invitation.objects.get(contact__email="night0@client.example")
    assert withdrawn.state == InvitationState.FAILED
    page = login(world.tenant.manager).get("/outreach/invitations/").content.decode()
    assert "non envoyée : client désinscrit depuis" in page
    assert do_send_due(now=datetime(2026, 3, 3, 9, 10, tzinfo=paris))["sent"] == 0
