"""The invitation's French and English texts pass the reply quality gate; the demo is set up so
that resolving one of its cases sends an invitation."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from vigie.core.jobs import run_pending
from vigie.core.models import Organisation
from vigie.demo import DEMO_SLUG
from vigie.demo.loader import do_load_demo
from vigie.inbox.actions import do_set_case_status
from vigie.inbox.models import Case, CaseStatus
from vigie.inbox.quality.gate import check_reply
from vigie.outreach.actions import InviteRequest, do_invite, do_update_campaign
from vigie.outreach.models import Contact, Invitation
from vigie.outreach.sending import invitation_texts
from vigie.outreach.tests.conftest import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_invitation_texts_pass_the_quality_gate(world: World, language: str) -> None:
    organisation = world.tenant.organisation
    request = InviteRequest(email="gate@client.example", name="Anne", language=language)
    do_invite(organisation, request)
    invitation = Invitation.objects.get()
    texts = invitation_texts(invitation)
    if language == "en":
        assert "Your opinion matters" in texts.text
    else:
        assert "Votre avis compte" in texts.text
    with translation.override(language):
        for text in (texts.subject, texts.text, texts.sms):
            findings = check_reply(
                text, platform="email", language=language, organisation=organisation, channel="email"
            )
            blocking = [f for f in findings if f.severity == "block"]
            assert blocking == [], (text, blocking)


def test_resolving_a_demo_case_sends_an_invitation(settings: Any, db: None) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    do_load_demo(size=300)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    do_update_campaign(organisation, actor=None, quiet_start=time(0, 0), quiet_end=time(0, 0))
    authors = Contact.objects.filter(organisation=organisation).values_list("author_id", flat=True)
    case = (
        Case.objects.filter(organisation=organisation, mention__author_id__in=list(authors))
        .exclude(status__in=[CaseStatus.RESOLVED, CaseStatus.NO_ANSWER])
        .first()
    )
    assert case is not None
    do_set_case_status(case, CaseStatus.RESOLVED, actor=None)
    run_pending()
    [message] = mail.outbox
    assert message.to == [
        Contact.objects.get(organisation=organisation, author_id=case.mention.author_id).email
    ]
    assert "Mutuelle Horizon" in message.subject
