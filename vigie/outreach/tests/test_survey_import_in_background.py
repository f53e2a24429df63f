"""Survey results imported on /outreach/ ran within the web request (20,000 rows: six minutes,
and the request timed out). The file is now queued and imported in the background, as a list of
customers is (same job, same progress page, same report); a double click, the same file uploaded
again or a restarted import never stores an answer twice."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vigie.core.jobs import enqueue, run_pending
from vigie.core.models import Membership
from vigie.mentions.models import Mention
from vigie.outreach import actions
from vigie.outreach.actions import BATCH_JOB
from vigie.outreach.models import BatchKind, BatchState, InviteBatch, SurveyResponse
from vigie.outreach.tests.conftest import World

pytestmark = pytest.mark.django_db


def survey_csv(count: int, *, with_ids: bool = True) -> bytes:
    header = "id;date;csat;nps;comment;location" if with_ids else "date;csat;nps;comment;location"
    rows = [
        (f"r{n:05d};" if with_ids else "") + f"01/12/2026;{1 + n % 5};{n % 11};{'Bien' if n % 3 else ''};"
        for n in range(count)
    ]
    return ("\n".join([header, *rows]) + "\n").encode()


def upload(client: Client, data: bytes, name: str = "enquete.csv") -> Any:
    return client.post(
        "/outreach/surveys/import/", {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    )


def test_a_large_file_is_imported_in_the_background_and_the_request_returns_at_once(
    world: World, login: Callable[[Membership], Client]
) -> None:
    client = login(world.tenant.manager)
    client.get("/outreach/")  # the first request of a process imports the app's modules
    began = time.monotonic()
    response = upload(client, survey_csv(3000))
    answered_in = time.monotonic() - began
    assert response.status_code == 302
    # Nothing was imported within the request, which answered at once (0.1 s here; importing
    # within it took 17 s per 1,000 rows).
    assert answered_in < 3, answered_in
    assert not SurveyResponse.objects.exists()
    batch = InviteBatch.objects.get()
    assert batch.kind == BatchKind.SURVEY
    assert response["Location"] == f"/outreach/lists/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-progress="0/3000"' in page
    assert 'hx-trigger="every 2s"' in page
    assert "L'import se poursuit même si vous quittez cette page." in page
    run_pending(limit=1)  # one slice of 1,000 rows
    assert (
        'data-progress="1000/3000"'
        in client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    )
    run_pending()
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.sent, batch.rows) == (BatchState.DONE, 3000, 3000, [])
    assert SurveyResponse.objects.count() == 3000
    assert Mention.objects.filter(source__platform="survey").count() == 3000
    page = client.get(response["Location"]).content.decode()
    assert "3000 réponses importées." in page
    assert 'hx-trigger="every 2s"' not in page
    # The import is listed beside the form; the invitations page lists only lists of customers.
    assert f'href="/outreach/lists/{batch.pk}/"' in client.get("/outreach/").content.decode()
    assert f'href="/outreach/lists/{batch.pk}/"' not in client.get("/outreach/invitations/").content.decode()


@pytest.mark.parametrize("with_ids", [True, False])
def test_a_double_click_the_same_file_again_or_a_restart_import_nothing_twice(
    world: World, login: Callable[[Membership], Client], monkeypatch: pytest.MonkeyPatch, with_ids: bool
) -> None:
    monkeypatch.setattr(actions, "BATCH_SLICE_ROWS", 10)
    monkeypatch.setattr(actions, "BATCH_SAVE_EVERY", 5)
    client = login(world.tenant.manager)
    data = survey_csv(30, with_ids=with_ids)
    first, second = upload(client, data), upload(client, data)
    assert first["Location"] == second["Location"]
    run_pending()
    assert SurveyResponse.objects.count() == 30
    batch = InviteBatch.objects.get()
    # The worker died after importing rows 0-29 but before saving its progress: the run starts over.
    rows = [
        {key: value for key, value in row.items() if with_ids or key != "id"}
        for row in [
            {"id": f"r{n:05d}", "date": "01/12/2026", "csat": str(1 + n % 5), "nps": str(n % 11)}
            for n in range(30)
        ]
    ]
    InviteBatch.objects.filter(pk=batch.pk).update(
        done=0, sent=0, counts={}, state=BatchState.RUNNING, rows=rows
    )
    enqueue(BATCH_JOB, {"batch_id": batch.pk, "start": 0})
    run_pending()
    batch.refresh_from_db()
    assert SurveyResponse.objects.count() == 30
    # The rows this very import stored before the crash count as imported, not "imported before".
    assert (batch.state, batch.done, batch.sent, batch.counts) == (BatchState.DONE, 30, 30, {})
    # The same file uploaded again later (not a double click): every row was imported before.
    InviteBatch.objects.filter(pk=batch.pk).update(created_at=batch.created_at - timedelta(minutes=11))
    third = upload(client, data)
    assert third["Location"] != first["Location"]
    run_pending()
    later = InviteBatch.objects.get(pk=int(third["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert (later.sent, later.counts) == (0, {"already_imported": 30})
    assert not later.report_rows.exists()  # imported before is not a refusal
    assert SurveyResponse.objects.count() == 30
    assert Mention.objects.filter(source__platform="survey").count() == 30


def test_the_command_line_still_imports_at_once(world: World) -> None:
    rows = [{"id": "c1", "csat": "5", "nps": "10"}, {"id": "c2", "csat": "9", "nps": ""}]
    report = actions.do_import_survey_results(world.tenant.organisation, rows)
    assert (report.imported, report.rejected) == (1, ["Ligne 3 : La satisfaction se note de 1 à 5."])
    again = actions.do_import_survey_results(world.tenant.organisation, rows)
    assert (again.imported, again.already) == (0, 1)
    assert not InviteBatch.objects.exists()


def test_an_id_listed_twice_in_the_file_is_imported_once_and_the_second_row_is_said(
    world: World, login: Callable[[Membership], Client]
) -> None:
    client = login(world.tenant.manager)
    data = b"id;csat;nps\nr1;5;10\nr2;4;9\nr1;3;5\n"
    response = upload(client, data)
    run_pending()
    page = client.get(response["Location"]).content.decode()
    assert "2 réponses importées." in page
    assert '<tr data-line="4"><td>4</td><td>r1</td><td>doublon dans le fichier</td>' in page
    assert sorted(SurveyResponse.objects.values_list("csat", flat=True)) == [4, 5]
