"""An invitation left « Envoi en cours » by a worker that died between claiming it and recording
the outcome: the periodic job tries it once more after ``SENDING_STALE_AFTER``, with the same
Message-ID and marked as attempt 2 (at most one duplicate), never a third time; the invitations page
says each of these states. Mail goes to the real SMTP server on loopback."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vigie.core.models import AuditEvent, Membership
from vigie.inbox.tests.mailservers import SmtpServer
from vigie.outreach.actions import (
    SENDING_STALE_AFTER,
    InviteRequest,
    _claim,
    campaign_for,
    do_invite,
    do_opt_out,
    do_send_due,
    do_update_campaign,
)
from vigie.outreach.models import Invitation, InvitationState
from vigie.outreach.sending import email_message, invitation_texts, send_email
from vigie.outreach.tests.conftest import World

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def scheduled_invitation(world: World, email: str = "lea@client.example") -> Invitation:
    """An invitation held for the quiet hours (not sent yet); the quiet hours are then lifted, so
    that the test's own clock is never inside them."""
    organisation = world.tenant.organisation
    do_update_campaign(organisation, actor=None, quiet_start=time(20, 0), quiet_end=time(9, 0))
    yesterday = timezone.now().astimezone(PARIS).date() - timedelta(days=1)
    night = datetime.combine(yesterday, time(22, 30), tzinfo=PARIS)
    assert do_invite(organisation, InviteRequest(email=email, name="Léa"), now=night) == "quiet_hours"
    do_update_campaign(organisation, actor=None, quiet_start=time(0, 0), quiet_end=time(0, 0))
    return Invitation.objects.select_related("contact", "organisation").get(contact__email=email)


def dies_after_claiming(invitation: Invitation, at: datetime, *, mail_went: bool) -> None:
    """What a worker does before it dies: it claims the invitation and, when ``mail_went``, hands
    the mail to the SMTP server; it never records the outcome."""
    assert _claim(invitation, reminder=False, retry=invitation.state == InvitationState.SENDING, now=at)
    if mail_went:
        texts = invitation_texts(invitation)
        send_email(invitation, texts, reply_to=campaign_for(invitation.organisation).reply_to)


def state_cell(client: Client) -> str:
    page: str = client.get("/outreach/invitations/").content.decode()
    return page


def test_an_invitation_a_dead_worker_left_sending_goes_once_more_with_the_same_message_id(
    world: World, smtp: SmtpServer, login: Callable[[Membership], Client]
) -> None:
    invitation = scheduled_invitation(world)
    manager = login(world.tenant.manager)
    now = timezone.now()
    dies_after_claiming(invitation, now - timedelta(minutes=2), mail_went=True)
    assert len(smtp.received) == 1

    # Within the delay the claim may still be a slow sender at work: nothing is sent again.
    assert do_send_due(now=now)["retried"] == 0
    assert len(smtp.received) == 1
    page = state_cell(manager)
    assert "Envoi en cours" in page
    assert "depuis" in page

    # Past the delay the page says the claim was interrupted and will be retried.
    Invitation.objects.filter(pk=invitation.pk).update(
        claimed_at=now - SENDING_STALE_AFTER - timedelta(minutes=1)
    )
    page = state_cell(manager)
    assert "interrompu à" in page
    assert "nouvel essai par la prochaine tâche périodique" in page

    assert do_send_due(now=now)["retried"] == 1
    first, second = smtp.received
    assert second.rcpt_tos == ["lea@client.example"]
    # The same Message-ID: a mailbox that already holds the first shows one message.
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert first.message["X-Vigie-Attempt"] is None
    assert second.message["X-Vigie-Attempt"] == "2"
    invitation.refresh_from_db()
    assert (invitation.state, invitation.attempts, invitation.error) == (InvitationState.SENT, 2, "")
    event = AuditEvent.objects.filter(verb="outreach.sent").get()
    assert event.data["attempt"] == 2

    # Done: later runs send nothing more, and the page says it may have gone twice.
    assert do_send_due(now=now + timedelta(hours=1))["retried"] == 0
    assert len(smtp.received) == 2
    assert "envoyée au 2e essai, après une interruption" in state_cell(manager)


def test_an_invitation_interrupted_twice_is_failed_not_sent_a_third_time(
    world: World, smtp: SmtpServer, login: Callable[[Membership], Client]
) -> None:
    invitation = scheduled_invitation(world)
    now = timezone.now()
    dies_after_claiming(invitation, now - timedelta(hours=1), mail_went=False)
    # The retry's worker dies too (after the SMTP server accepted the mail).
    dies_after_claiming(invitation, now - timedelta(minutes=30), mail_went=True)
    assert invitation.attempts == 2
    assert len(smtp.received) == 1
    assert "interrompu une seconde fois" in state_cell(login(world.tenant.manager))

    assert do_send_due(now=now) == {"sent": 0, "reminded": 0, "retried": 0}
    assert len(smtp.received) == 1
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.FAILED
    page = state_cell(login(world.tenant.manager))
    assert "envoi interrompu deux fois" in page
    # It may have reached the customer: it counts as asked within the period.
    again = do_invite(world.tenant.organisation, InviteRequest(email="lea@client.example"), now=now)
    assert again == "already_invited"
    assert len(smtp.received) == 1


def test_a_customer_who_opted_out_meanwhile_is_not_retried(world: World, smtp: SmtpServer) -> None:
    invitation = scheduled_invitation(world)
    now = timezone.now()
    dies_after_claiming(invitation, now - timedelta(hours=1), mail_went=False)
    do_opt_out(invitation.contact)
    assert do_send_due(now=now)["retried"] == 0
    invitation.refresh_from_db()
    assert (invitation.state, invitation.error) == (InvitationState.FAILED, "withdrawn: opted_out")
    assert smtp.received == []


def test_a_retry_waits_for_the_end_of_the_quiet_hours(world: World, smtp: SmtpServer) -> None:
    invitation = scheduled_invitation(world)
    organisation = world.tenant.organisation
    do_update_campaign(organisation, actor=None, quiet_start=time(20, 0), quiet_end=time(9, 0))
    night = datetime(2026, 3, 3, 23, 0, tzinfo=PARIS)
    dies_after_claiming(invitation, night - timedelta(hours=1), mail_went=False)
    assert do_send_due(now=night)["retried"] == 0
    assert do_send_due(now=datetime(2026, 3, 4, 9, 5, tzinfo=PARIS))["retried"] == 1
    [mail] = smtp.received
    assert mail.message["X-Vigie-Attempt"] == "2"


def test_the_message_id_is_stable_and_differs_for_the_reminder(world: World) -> None:
    invitation = scheduled_invitation(world)
    texts = invitation_texts(invitation)
    first = email_message(invitation, texts).extra_headers["Message-ID"]
    assert first == email_message(invitation, texts, attempt=2).extra_headers["Message-ID"]
    assert first != email_message(invitation, texts, reminder=True).extra_headers["Message-ID"]
    assert invitation.token not in first
