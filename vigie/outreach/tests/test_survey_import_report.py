"""Importing survey results on the page reported five refused rows and dropped the others; rows
skipped because their id was imported before were not counted at all. Now every refused row is
listed with its line and reason, and the skipped ones are said."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

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
    response = client.post(
        "/outreach/surveys/import/", {"file": SimpleUploadedFile("s.csv", data)}, follow=True
    )
    page = html.unescape(response.content.decode())
    assert "3 réponse(s) importée(s), 8 refusée(s)." in page
    report = re.search(r'<div id="survey-report".*?</div>', page, re.S)
    assert report
    for line in range(5, 13):
        assert f"Ligne {line} : La satisfaction se note de 1 à 5." in report.group(0)
    assert "<b>" not in response.content.decode().split('id="survey-report"')[1].split("</div>")[0]
    again = client.post("/outreach/surveys/import/", {"file": SimpleUploadedFile("s.csv", data)}, follow=True)
    assert "3 ligne(s) déjà importée(s) auparavant (même id)" in html.unescape(again.content.decode())
    assert SurveyResponse.objects.count() == 3
