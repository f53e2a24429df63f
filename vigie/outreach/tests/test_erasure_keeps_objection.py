"""A customer who unsubscribed, then asked to be erased, was invited again by the next list: the
erasure deleted their contact and its opt-out with it, although the opt-out is promised "forever".
The erasure now keeps a keyed fingerprint of the address (no name, no address), which the next list
meets; the DPO's report says so; a customer erased without having objected may be invited again."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from django.test import Client

from vigie.core.models import Membership
from vigie.inbox.tests.mailservers import SmtpServer
from vigie.outreach.actions import (
    InviteRequest,
    do_invite,
    do_invite_rows,
    do_mark_address,
    do_opt_out,
    do_update_campaign,
)
from vigie.outreach.models import Contact, Suppression
from vigie.outreach.tests.conftest import World
from vigie.privacy.actions import do_erase_subject
from vigie.privacy.queries import find_subject
from vigie.privacy.subjects import parse_subject

pytestmark = pytest.mark.django_db


def _erase(world: World, subject: str) -> dict[str, int]:
    organisation = world.tenant.organisation
    findings = find_subject(organisation, parse_subject(subject))
    return do_erase_subject(organisation, findings, actor=world.tenant.admin.user)


def test_an_opt_out_outlives_the_erasure(
    world: World, smtp: SmtpServer, login: Callable[[Membership], Client]
) -> None:
    organisation = world.tenant.organisation
    do_invite(organisation, InviteRequest(email="Marie.Durand@example.fr", name="Marie Durand"))
    do_opt_out(Contact.objects.get(email="marie.durand@example.fr"))
    do_mark_address(organisation, "plainte@example.fr", kind="complaint")
    client = login(world.tenant.admin)
    response = client.post(
        "/privacy/erase/", {"subject": "marie.durand@example.fr", "confirm": "on"}, follow=True
    )
    said = html.unescape(response.content.decode())
    assert "Désinscriptions gardées : empreinte chiffrée de l'adresse, sans nom" in said
    assert not Contact.objects.filter(email="marie.durand@example.fr").exists()
    kept = Suppression.objects.get()
    assert "marie" not in kept.digest
    assert kept.reason == "opted_out"
    sent = len(smtp.received)
    summary = do_invite_rows(organisation, [{"email": "MARIE.DURAND@example.fr", "name": "Marie"}])
    assert summary.as_dict() == {"sent": 0, "skipped": {"opted_out": 1}}
    assert len(smtp.received) == sent
    # A complaint too.
    _erase(world, "plainte@example.fr")
    assert do_invite(organisation, InviteRequest(email="plainte@example.fr")) == "complained"


def test_an_sms_opt_out_outlives_the_erasure_however_the_number_is_written(
    world: World, settings: object
) -> None:
    organisation = world.tenant.organisation
    do_update_campaign(organisation, actor=None, sms=True)
    do_invite(organisation, InviteRequest(phone="06 12 34 56 78", name="Paul"))
    do_opt_out(Contact.objects.get(phone="0612345678"))
    _erase(world, "06 12 34 56 78")
    assert not Contact.objects.exists()
    for spelling in ("+33 6 12 34 56 78", "0033612345678", "06.12.34.56.78"):
        assert do_invite(organisation, InviteRequest(phone=spelling)) == "opted_out"


def test_a_customer_erased_without_objecting_may_be_invited_again(world: World, smtp: SmtpServer) -> None:
    organisation = world.tenant.organisation
    do_invite(organisation, InviteRequest(email="jean@example.fr", name="Jean"))
    counts = _erase(world, "jean@example.fr")
    assert counts.get("outreach.outreach_objections_kept", 0) == 0
    assert not Suppression.objects.exists()
    assert do_invite(organisation, InviteRequest(email="jean@example.fr")) == "sent"


def test_another_organisation_does_not_share_the_fingerprints(
    world: World, other_tenant: object, smtp: SmtpServer
) -> None:
    from vigie.outreach.tests.conftest import configure

    organisation = world.tenant.organisation
    do_invite(organisation, InviteRequest(email="marie@example.fr"))
    do_opt_out(Contact.objects.get(email="marie@example.fr"))
    _erase(world, "marie@example.fr")
    other = configure(other_tenant)  # type: ignore[arg-type]
    assert do_invite(other.tenant.organisation, InviteRequest(email="marie@example.fr")) == "sent"
