"""An erasure a legal hold deferred is carried out when the hold is lifted: the person's post kept
under hold, its author, case, private thread, callback and capture files go then, and the
register's request says so; the page lists the deferred erasures and, for one whose hold is lifted
but whose job has not run, offers « Effacer maintenant » (admins only, own organisation only)."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.jobs import run_pending
from vigie.core.models import AuditEvent, Membership
from vigie.evidence.actions import do_lift_legal_hold, do_place_legal_hold, do_record_capture
from vigie.evidence.capture import Collected, utc_now
from vigie.evidence.models import Capture, LegalHold
from vigie.inbox.models import Case, CaseStatus, PrivateThread
from vigie.mentions.models import Author, Mention
from vigie.privacy.actions import do_record_request
from vigie.privacy.models import DeferredErasure, SubjectRequest
from vigie.privacy.tasks import apply_retention
from vigie.privacy.tests.worlds import Person, marie

pytestmark = pytest.mark.django_db
Login = Callable[[Membership], Client]
SUBJECT = "Marie Dupont"


@pytest.fixture(autouse=True)
def evidence_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    settings.EVIDENCE_DIR = str(folder)
    return folder


def held_review(tenant: Tenant) -> tuple[Person, Capture]:
    """Marie Dupont's world, her Google review captured as evidence (which holds it)."""
    person = marie(tenant.organisation)
    collected = Collected(
        url="https://example.com/review/1",
        started_at=utc_now(),
        files={"payload.json": b'{"x": 1}', "screenshot.png": b"\x89PNG..."},
        rendered=True,
        reasons=[],
    )
    capture = do_record_capture(person.review, collected)
    do_place_legal_hold(person.review, actor=tenant.admin.user)
    return person, capture


def said(response: Any) -> str:
    return html.unescape(response.content.decode())


def erase_from_request(tenant: Tenant, client: Client) -> SubjectRequest:
    today = timezone.localdate(timezone=ZoneInfo(tenant.organisation.timezone))
    request = do_record_request(
        tenant.organisation, kind="erasure", subject=SUBJECT, received_on=today, actor=tenant.admin.user
    )
    client.post("/privacy/erase/", {"subject": SUBJECT, "confirm": "on", "request": request.pk})
    request.refresh_from_db()
    return request


def test_lifting_the_hold_carries_out_the_deferred_erasure_and_the_register_says_so(
    tenant: Tenant, login: Login, django_capture_on_commit_callbacks: Any
) -> None:
    person, capture = held_review(tenant)
    admin = login(tenant.admin)
    request = erase_from_request(tenant, admin)
    # Answered within the month, the held post kept (art. 17(3)(e)), the rest erased.
    assert request.done_at is not None
    assert request.subject == ""
    assert not Author.objects.filter(pk=person.twitter_author.pk).exists()
    person.review.refresh_from_db()
    assert person.review.text == "Livraison ratée, joignable au 06 12 34 56 78"
    record = DeferredErasure.objects.get()
    assert record.mention_ids == [person.review.pk]
    assert "1 publication en attente de la levée de sa conservation légale" in said(admin.get("/privacy/"))

    hold = LegalHold.objects.get(mention=person.review, lifted_at__isnull=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/evidence/holds/{hold.pk}/lift/", {"reason": "affaire classée"})
    assert response.status_code == 302
    run_pending()

    person.review.refresh_from_db()
    assert "contenu effacé à la demande de la personne" in person.review.text
    assert not Author.objects.filter(pk=person.google_author.pk).exists()
    case = Case.objects.get(pk=person.case.pk)
    assert case.status == CaseStatus.NO_ANSWER
    assert "Marie" not in " ".join(case.replies.values_list("body", flat=True))
    assert PrivateThread.objects.get(pk=person.thread.pk).address == ""
    capture.refresh_from_db()
    assert capture.purged_at is not None
    assert capture.redacted_at is not None
    # Done: the record keeps no identifier, the register's request says what was done.
    record.refresh_from_db()
    assert record.done_at is not None
    assert (record.subject, record.identifiers, record.needles) == ("", {}, [])
    request.refresh_from_db()
    assert "Effacement différé fait le" in request.note
    assert "1 publication de la personne effacée" in request.note
    event = AuditEvent.objects.filter(verb="privacy.subject_erased").latest("seq")
    assert event.data["deferred_erasure"] == record.pk
    assert event.actor_id == tenant.admin.user.pk
    page = said(admin.get("/privacy/"))
    assert 'data-privacy="deferred"' not in page
    # The answered request shows the whole answer, the deferred part included (it was cut at 300
    # characters, before it).
    assert "Effacement différé fait le" in page


def test_a_lifted_hold_whose_job_has_not_run_is_erased_with_one_click(tenant: Tenant, login: Login) -> None:
    person, _capture = held_review(tenant)
    admin = login(tenant.admin)
    erase_from_request(tenant, admin)
    record = DeferredErasure.objects.get()
    # Lifted, the job not run yet (its commit callback is not executed here).
    do_lift_legal_hold(
        LegalHold.objects.get(mention=person.review, lifted_at__isnull=True),
        actor=tenant.admin.user,
        reason="affaire classée",
    )
    page = said(admin.get("/privacy/"))
    assert "conservation levée : effacement à faire" in page
    assert f'action="/privacy/deferred/{record.pk}/"' in page
    for role in ("viewer", "agent", "manager"):
        assert login(tenant.member(role)).post(f"/privacy/deferred/{record.pk}/").status_code == 403
    assert DeferredErasure.objects.get().done_at is None
    response = admin.post(f"/privacy/deferred/{record.pk}/", follow=True)
    assert "Effacement différé fait ; le registre le note." in said(response)
    assert DeferredErasure.objects.get().done_at is not None
    person.review.refresh_from_db()
    assert "contenu effacé" in person.review.text


def test_nothing_is_erased_while_a_post_is_still_held(tenant: Tenant, login: Login) -> None:
    person, _capture = held_review(tenant)
    do_place_legal_hold(person.tweet, actor=tenant.admin.user)
    admin = login(tenant.admin)
    erase_from_request(tenant, admin)
    record = DeferredErasure.objects.get()
    assert sorted(record.mention_ids) == sorted([person.review.pk, person.tweet.pk])
    response = admin.post(f"/privacy/deferred/{record.pk}/", follow=True)
    assert "encore sous conservation légale" in said(response)
    # One hold lifted: that post goes, the other waits.
    do_lift_legal_hold(
        LegalHold.objects.get(mention=person.tweet, lifted_at__isnull=True),
        actor=tenant.admin.user,
        reason="fin",
    )
    apply_retention(tenant.organisation.pk)  # the daily job catches a lifted hold too
    record.refresh_from_db()
    assert record.done_at is None
    assert record.mention_ids == [person.review.pk]
    assert "contenu effacé" in Mention.objects.get(pk=person.tweet.pk).text
    assert Mention.objects.get(pk=person.review.pk).text.startswith("Livraison ratée")


def test_another_organisations_deferred_erasure_answers_404(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    held_review(other_tenant)
    erase_from_request(other_tenant, login(other_tenant.admin))
    record = DeferredErasure.objects.get()
    assert login(tenant.admin).post(f"/privacy/deferred/{record.pk}/").status_code == 404
    assert 'data-privacy="deferred"' not in said(login(tenant.admin).get("/privacy/"))
