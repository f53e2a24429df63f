"""The customers' pages: one-time survey link, the same neutral answer for every bad link, CSRF,
rate limit, escaping; an answer becomes a ``survey`` mention and reaches the dashboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from vigie.core.jobs import run_pending
from vigie.inbox.tests.factories import make_case
from vigie.mentions.models import Mention, MentionKind
from vigie.mentions.tests.factories import make_mention
from vigie.outreach.actions import InviteRequest, do_invite
from vigie.outreach.links import sign
from vigie.outreach.models import Invitation, SurveyResponse
from vigie.outreach.tests.conftest import World

pytestmark = pytest.mark.django_db
NEUTRAL = "Ce lien n'est plus valable"


def invitation(world: World, email: str = "anna@client.example") -> Invitation:
    assert (
        do_invite(world.tenant.organisation, InviteRequest(email=email, name="Anna", location="Agence Lyon"))
        == "sent"
    )
    return Invitation.objects.get(contact__email=email)


def survey_url(inv: Invitation) -> str:
    return f"/o/s/{sign('survey', inv.token)}/"


def csrf(client: Client, url: str) -> str:
    page = client.get(url)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert match, page.content.decode()[:500]
    return match.group(1)


def test_the_survey_is_answered_once_and_becomes_a_survey_mention(world: World) -> None:
    inv = invitation(world)
    client = Client(enforce_csrf_checks=True)
    url = survey_url(inv)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="viewport"' in html, "made for a phone too"
    assert not re.search(r'(src|href)="(https?:)?//', html), "no external asset"
    token = csrf(client, url)
    answer = client.post(
        url,
        {
            "csrfmiddlewaretoken": token,
            "csat": "2",
            "nps": "3",
            "comment": "<script>alert(1)</script> Trop d'attente",
        },
    )
    assert "Merci pour votre réponse" in answer.content.decode()
    response = SurveyResponse.objects.get()
    assert (response.csat, response.nps, response.location) == (2, 3, world.lyon)
    mention = Mention.objects.get(kind=MentionKind.SURVEY_ANSWER)
    assert mention.source.platform == "survey"
    assert mention.location == world.lyon
    assert mention.rating == 2
    assert mention.rating_raw == "3/10"
    assert response.mention == mention

    # The link works once: a second visit or post gets the neutral answer.
    again = client.get(url)
    assert NEUTRAL in again.content.decode()
    replay = client.post(url, {"csrfmiddlewaretoken": token, "csat": "5", "nps": "10"})
    assert NEUTRAL in replay.content.decode()
    assert SurveyResponse.objects.count() == 1
    # In the language the customer was written to, whatever the browser's (it said "This link is
    # no longer valid" to a French customer with an English browser).
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert NEUTRAL in english_browser.get(url).content.decode()


def test_every_bad_link_gets_the_same_neutral_answer(world: World) -> None:
    inv = invitation(world)
    client = Client()
    good = sign("survey", inv.token)
    answers = [
        client.get(f"/o/s/{good[:-3]}abc/"),  # altered signature
        client.get(f"/o/s/{sign('survey', 'no-such-token-000000000000000000')}/"),  # names nothing
        client.get(f"/o/s/{sign('optout', inv.token)}/"),  # a signed link of another kind
        client.get("/o/s/garbage/"),
        client.get(f"/o/r/{good}/"),  # a survey link used as a review link
        client.get("/o/u/garbage/"),
    ]
    bodies = {(a.status_code, a.content) for a in answers}
    assert len(bodies) == 1, "a forged link and one naming nothing answer exactly alike"
    [(status, body)] = bodies
    assert status == 200
    assert NEUTRAL in body.decode()
    assert "Anna" not in body.decode()


def test_posting_without_the_csrf_token_is_refused(world: World) -> None:
    inv = invitation(world)
    client = Client(enforce_csrf_checks=True)
    refused = client.post(survey_url(inv), {"csat": "5"})
    assert refused.status_code == 403
    assert not SurveyResponse.objects.exists()


def test_bad_scores_are_refused_and_lose_nothing(world: World) -> None:
    inv = invitation(world)
    client = Client()
    page = client.post(survey_url(inv), {"csat": "9", "nps": "11", "comment": "Bien <script>x()</script>"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "Bien &lt;script&gt;x()&lt;/script&gt;" in html, "what was typed is kept, escaped"
    assert "<script>x()" not in html
    assert not SurveyResponse.objects.exists()
    assert Invitation.objects.get().answered_at is None


def test_the_public_pages_are_rate_limited(world: World, settings: Any) -> None:
    client = Client()
    statuses = [client.get("/o/s/garbage/").status_code for _ in range(25)]
    assert statuses[:20] == [200] * 20
    assert statuses[20:] == [429] * 5


def test_the_limit_holds_across_the_turn_of_a_minute(world: World) -> None:
    """A burst that straddles 12:00:59 and 12:01:00 gets the limit once, not twice."""
    from datetime import UTC, datetime

    from vigie.outreach.actions import do_hit

    just_before = datetime(2026, 12, 7, 12, 0, 59, 900_000, tzinfo=UTC)
    just_after = datetime(2026, 12, 7, 12, 1, 0, 100_000, tzinfo=UTC)
    assert all(do_hit("burst", limit=20, now=just_before) for _ in range(15))
    assert [do_hit("burst", limit=20, now=just_after) for _ in range(7)] == [True] * 5 + [False] * 2
    # A minute later the earlier burst has left the window.
    a_minute_on = datetime(2026, 12, 7, 12, 2, 0, 200_000, tzinfo=UTC)
    assert all(do_hit("burst", limit=20, now=a_minute_on) for _ in range(12))


def test_the_review_link_counts_the_click_and_opens_the_platform(world: World) -> None:
    inv = invitation(world)
    response = Client().get(f"/o/r/{sign('review', inv.token)}/")
    assert response.status_code == 302
    assert response["Location"].startswith("https://search.google.com/local/writereview?placeid=")
    assert Invitation.objects.get().clicked_at is not None


def test_a_negative_answer_is_analysed_and_routed_like_any_mention(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    inv = invitation(world)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            survey_url(inv),
            {"csat": "1", "nps": "0", "comment": "Très déçu, personne ne répond, c'est inadmissible."},
        )
    for _round in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            if not run_pending():
                break
    mention = Mention.objects.get(kind=MentionKind.SURVEY_ANSWER)
    assert mention.sentiment == "negative"
    assert hasattr(mention, "case"), "the negative answer opened a case"
    # The survey source has no connector: the Sources page and the case page still open.
    manager = Client()
    manager.force_login(world.tenant.manager.user)
    assert manager.get("/sources/").status_code == 200
    case_page = manager.get(f"/inbox/cases/{mention.case.pk}/")
    assert case_page.status_code == 200
    assert "Enquête de satisfaction" in case_page.content.decode()


def test_the_survey_asks_about_our_reply_only_where_we_replied(world: World) -> None:
    # An imported contact never wrote to us: asking "are you satisfied with our reply?" made no
    # sense to them; a customer whose case was resolved is asked exactly that.
    inv = invitation(world)
    assert inv.case_id is None
    html = Client().get(survey_url(inv)).content.decode()
    assert "votre expérience avec nous" in html
    assert "notre réponse ?" not in html

    organisation = world.tenant.organisation
    case = make_case(organisation, make_mention(organisation, location=world.lyon))
    Invitation.objects.filter(pk=inv.pk).update(case=case)
    html = Client().get(survey_url(inv)).content.decode()
    assert "Êtes-vous satisfait(e) de notre réponse ?" in html
