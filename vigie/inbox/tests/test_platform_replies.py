"""Reviews already answered on the platform: the organisation's answer is kept, the case counts it as
its first response and leaves the queue, and an agent about to replace it is told so."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.connectors.contract import AuthorIn, MentionIn, Page
from vigie.connectors.models import Source
from vigie.core.jobs import run_pending
from vigie.core.models import AuditEvent, Membership
from vigie.inbox.models import Case, CaseStatus, NoAnswerReason, ReplyChannel, ReplyStatus
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.actions import do_ingest_page
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_author, make_mention, make_source

pytestmark = pytest.mark.django_db

COMPLAINT = "Dossier de remboursement bloqué depuis trois semaines, personne ne me rappelle."
ANSWER = "Bonjour, nous sommes désolés : votre dossier est débloqué, un conseiller vous appelle demain."


def review(external_id: str, *, posted: Any, reply: str = "", replied: Any = None) -> MentionIn:
    return MentionIn(
        external_id=external_id,
        kind="review",
        created_at=posted,
        text=COMPLAINT,
        rating=Decimal(1),
        author=AuthorIn(external_id=f"a-{external_id}", display_name="Camille D."),
        owner_reply_text=reply,
        owner_reply_at=replied,
        raw={"reviewId": external_id},
    )


@pytest.fixture
def google(tenant: Tenant) -> Source:
    return make_source(tenant.organisation, platform="google_business", name="Agence de Lyon")


@pytest.fixture
def read(django_capture_on_commit_callbacks: Any) -> Callable[..., None]:
    """A poll of the platform: the page stored, then analysed and routed (the pipeline's jobs,
    handed on when the page's transaction commits)."""

    def _read(source: Source, *items: MentionIn) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            do_ingest_page(source, Page(list(items), {}))
        run_pending()

    return _read


def test_a_review_answered_on_google_is_answered_and_leaves_the_queue(
    google: Source, read: Callable[..., None]
) -> None:
    posted = timezone.now() - timedelta(days=2)
    replied = posted + timedelta(hours=5)
    read(google, review("r1", posted=posted, reply=ANSWER, replied=replied))

    mention = Mention.objects.get(source=google, external_id="r1")
    assert (mention.owner_reply_text, mention.owner_reply_at) == (ANSWER, replied)
    case = Case.objects.get(mention=mention)
    assert case.status == CaseStatus.NO_ANSWER
    assert case.no_answer_reason == NoAnswerReason.ANSWERED_ELSEWHERE
    # The response rate and delays count the answer given on the platform, at its own time.
    assert case.first_response_at == replied
    event = AuditEvent.objects.get(verb="case.answered_on_platform", object_id=str(case.pk))
    assert event.data["platform"] == "google_business"


def test_an_answer_written_on_the_platform_later_closes_the_open_case(
    google: Source, read: Callable[..., None]
) -> None:
    posted = timezone.now() - timedelta(hours=6)
    read(google, review("r1", posted=posted))
    case = Case.objects.get(mention__external_id="r1")
    assert case.is_open
    assert case.first_response_at is None

    # The manager answered from the Google app; the next poll reads it.
    replied = posted + timedelta(hours=2)
    read(google, review("r1", posted=posted, reply=ANSWER, replied=replied))
    case.refresh_from_db()
    assert case.status == CaseStatus.NO_ANSWER
    assert case.first_response_at == replied
    # A second identical poll changes nothing and records nothing more.
    read(google, review("r1", posted=posted, reply=ANSWER, replied=replied))
    assert AuditEvent.objects.filter(verb="case.answered_on_platform").count() == 1


def test_vigies_own_reply_read_back_changes_nothing(
    tenant: Tenant, google: Source, read: Callable[..., None]
) -> None:
    posted = timezone.now() - timedelta(hours=6)
    read(google, review("r1", posted=posted))
    case = Case.objects.get(mention__external_id="r1")
    answered = posted + timedelta(hours=1)
    make_reply(
        case, author=tenant.agent.user, body=ANSWER, status=ReplyStatus.PUBLISHED, published_at=answered
    )
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.WAITING_CUSTOMER, first_response_at=answered)

    read(google, review("r1", posted=posted, reply=ANSWER, replied=answered + timedelta(seconds=3)))
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_CUSTOMER
    assert case.first_response_at == answered
    assert not AuditEvent.objects.filter(verb="case.answered_on_platform").exists()


def test_a_reply_awaiting_approval_keeps_the_case_open(
    tenant: Tenant, google: Source, read: Callable[..., None]
) -> None:
    posted = timezone.now() - timedelta(hours=6)
    read(google, review("r1", posted=posted))
    case = Case.objects.get(mention__external_id="r1")
    make_reply(
        case, author=tenant.agent.user, status=ReplyStatus.AWAITING_APPROVAL, channel=ReplyChannel.PUBLIC
    )

    replied = posted + timedelta(hours=2)
    read(google, review("r1", posted=posted, reply=ANSWER, replied=replied))
    case.refresh_from_db()
    # Someone is answering in Vigie: they decide, seeing the platform's answer on the case page.
    assert case.is_open
    assert case.first_response_at == replied


def test_the_case_page_shows_the_platform_answer_and_warns_before_replacing_it(
    tenant: Tenant, google: Source, login: Callable[[Membership], Client], read: Callable[..., None]
) -> None:
    posted = timezone.now() - timedelta(hours=6)
    read(google, review("r1", posted=posted, reply=ANSWER, replied=posted + timedelta(hours=1)))
    case = Case.objects.get(mention__external_id="r1")
    client = login(tenant.agent)
    page = client.get(f"/inbox/cases/{case.pk}/").content.decode()
    assert "Réponse de l'établissement sur Google Business Profile" in page
    assert ANSWER in page
    assert "Clos : une réponse de l&#x27;établissement est déjà publiée sur Google Business Profile" in page

    # Reopened to add something: the composer says the public reply replaces the one online.
    client.post(f"/inbox/cases/{case.pk}/status/", {"status": "in_progress"})
    page = client.get(f"/inbox/cases/{case.pk}/").content.decode()
    assert "une réponse publique envoyée d'ici la remplacera" in page


def test_an_author_without_name_nor_handle_is_not_shown_by_the_platforms_id(
    tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    # Facebook comments of people who restrict their profile come with an id only.
    author = make_author(
        tenant.organisation, platform="facebook", external_id="comment:1029384756", display_name=""
    )
    mention = make_mention(tenant.organisation, author=author, text="Toujours pas de réponse à mon courrier.")
    case = make_case(tenant.organisation, mention)
    client = login(tenant.agent)
    for page in (
        client.get("/inbox/").content.decode(),
        client.get(f"/inbox/cases/{case.pk}/").content.decode(),
    ):
        assert "comment:1029384756" not in page
        assert "auteur inconnu" in page.lower()


def test_a_case_closed_as_answered_on_the_platform_stays_closed_when_routed_again(
    google: Source, read: Callable[..., None]
) -> None:
    # The customer edits the review after the agency's answer: the new text is analysed and
    # routed again; the rules still say "answer it", but it is answered, online: the case keeps
    # its closing and its reason, and the history says it once.
    posted = timezone.now() - timedelta(hours=6)
    replied = posted + timedelta(hours=2)
    read(google, review("r1", posted=posted, reply=ANSWER, replied=replied))
    edited = dataclasses.replace(
        review("r1", posted=posted, reply=ANSWER, replied=replied),
        text=COMPLAINT + " Toujours rien reçu, je laisse une étoile.",
    )
    read(google, edited)

    case = Case.objects.get(mention__external_id="r1")
    assert Mention.objects.get(pk=case.mention_id).text.endswith("je laisse une étoile.")
    assert (case.status, case.no_answer_reason) == (CaseStatus.NO_ANSWER, NoAnswerReason.ANSWERED_ELSEWHERE)
    assert case.first_response_at == replied
    assert AuditEvent.objects.filter(verb="case.answered_on_platform").count() == 1
    assert not AuditEvent.objects.filter(
        verb="case.status_changed", object_id=str(case.pk), data__to=CaseStatus.NEW
    ).exists()
