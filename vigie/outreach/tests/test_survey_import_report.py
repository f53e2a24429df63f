"""Importing survey results on the page reported five refused rows and dropped the others; rows
skipped because their id was imported before were not counted at all. Now every refused row is
listed with its line and reason on the page of the import, and the skipped ones are said."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vigie.core.jobs import run_pending
from vigie.core.models import Membership
from vigie.outreach.models import SurveyResponse
from vigie.outreach.tests.conftest import World

pytestmark = pytest.mark.django_db


def test_every_refused_survey_row_is_listed_and_skipped_ones_are_counted(
    world: World, login: Callable[[Membership], Client]
) -> None:
    rows = ["id;date;csat;nps;comment;location"]
    rows += [f"ok{n};01/12/2026;4;9;Très bien;" for n in range(3)]
    rows += [f"bad{n};01/12/2026;{6 + n};9;<b>hors échelle</b>;" for n in range(8)]  # lines 5 to 12
    data = "\r\n".join(rows).encode("cp1252")
    client = login(world.tenant.manager)
    response = client.post("/outreach/surveys/import/", {"file": SimpleUploadedFile("s.csv", data)})
    run_pending()
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "3 réponses importées." in page
    assert "8 lignes refusées :" in page
    report = re.search(r'data-outreach="survey-report".*?</section>', page, re.S)
    assert report
    for line in range(5, 13):
        assert re.search(
            rf'<tr data-line="{line}"><td>{line}</td><td>bad{line - 5}</td><td>La satisfaction se note de 1 à 5.</td>',
            report.group(0),
        )
    assert "<b>" not in client.get(response["Location"]).content.decode()
    # Every refused row, as CSV too.
    rows_csv = client.get(response["Location"] + "rows.csv").content.decode("utf-8-sig").splitlines()
    assert rows_csv[0] == "Ligne;id;Raison"
    assert rows_csv[1] == "5;bad0;La satisfaction se note de 1 à 5."
    assert len(rows_csv) == 9
    # Another export naming the same ids: nothing is imported twice, and the page says why.
    again = client.post("/outreach/surveys/import/", {"file": SimpleUploadedFile("s2.csv", data + b"\r\n")})
    run_pending()
    page = html.unescape(client.get(again["Location"]).content.decode())
    assert "3 lignes déjà importées auparavant (même id ou même fichier) : laissées de côté." in page
    assert 'data-report="imported">0 r' in page
    assert SurveyResponse.objects.count() == 3
