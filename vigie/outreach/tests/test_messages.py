"""The invitation as the customer receives it (a real SMTP server on loopback): from the
organisation's name at Vigie's sending address, a Reply-To to the organisation's own address when
one is set, the platform named as customers know it, the tracked review link in both parts, and the
survey naming the brand."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from vigie.core.models import Organisation
from vigie.inbox.tests.mailservers import SmtpServer
from vigie.outreach.actions import InviteRequest, do_invite, do_update_campaign
from vigie.outreach.models import Invitation
from vigie.outreach.tests.conftest import PLACE_ID, World

pytestmark = pytest.mark.django_db


def rename(world: World, name: str, language: str = "fr") -> Organisation:
    Organisation.objects.filter(pk=world.tenant.organisation.pk).update(name=name, language=language)
    organisation = Organisation.objects.get(pk=world.tenant.organisation.pk)
    world.tenant.organisation = organisation
    return organisation


def parts(mail: Any) -> tuple[str, str]:
    message = mail.message
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_the_mail_comes_from_the_organisations_name_with_its_reply_to(
    world: World, smtp: SmtpServer, settings: Any
) -> None:
    settings.DEFAULT_FROM_EMAIL = "Vigie <avis@vigie.example>"
    organisation = rename(world, "Mutuelle Horizon")
    do_update_campaign(organisation, actor=None, reply_to="Contact@Horizon.example")
    assert do_invite(organisation, InviteRequest(email="marie@client.example", name="Marie")) == "sent"
    [mail] = smtp.received
    sender = mail.message["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Mutuelle Horizon", "avis@vigie.example")
    assert "Vigie" not in str(mail.message["From"])
    assert mail.mail_from == "avis@vigie.example", "the envelope keeps the configured address"
    assert [a.addr_spec for a in mail.message["Reply-To"].addresses] == ["contact@horizon.example"]


def test_no_reply_to_without_an_address_and_an_awkward_name_stays_one_safe_header(
    world: World, smtp: SmtpServer
) -> None:
    name = 'Crédit "Mutuel", Île-de-France <x@evil.example>\r\nBcc: y@evil.example'
    organisation = rename(world, name)
    assert do_invite(organisation, InviteRequest(email="paul@client.example")) == "sent"
    [mail] = smtp.received
    assert mail.rcpt_tos == ["paul@client.example"], "no header was injected"
    assert mail.message["Reply-To"] is None
    assert mail.message["Bcc"] is None
    [sender] = mail.message["From"].addresses
    assert sender.addr_spec == "vigie@localhost"
    assert sender.display_name == 'Crédit "Mutuel", Île-de-France <x@evil.example> Bcc: y@evil.example'
    raw_from = next(line for line in mail.data.decode().splitlines() if line.startswith("From:"))
    assert raw_from.isascii(), "the non-ASCII name is encoded (RFC 2047)"


def test_the_platform_is_named_as_customers_know_it_and_both_parts_use_the_tracked_link(
    world: World, smtp: SmtpServer, client: Client
) -> None:
    organisation = rename(world, "Mutuelle Horizon")
    do_invite(organisation, InviteRequest(email="eve@client.example", name="Eve", location="Agence Lyon"))
    do_invite(organisation, InviteRequest(email="tom@client.example", name="Tom"))
    google, trustpilot = (parts(mail) for mail in smtp.received)
    assert "vous pouvez le publier sur Google." in google[0]
    assert "Google Business Profile" not in google[0] + google[1]
    assert "vous pouvez le publier sur Trustpilot." in trustpilot[0]
    for text, html in (google, trustpilot):
        assert "google.com" not in text + html
        assert "trustpilot.com" not in text + html
        [in_text] = re.findall(r"http://\S+/o/r/\S+/", text)
        assert re.findall(r'href="(http://[^"]+/o/r/[^"]+/)"', html) == [in_text]
    # The tracked link counts the click and opens the agency's Google page.
    path = re.findall(r"http://[^/]+(/o/r/\S+/)", google[0])[0]
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"https://search.google.com/local/writereview?placeid={PLACE_ID}"
    assert Invitation.objects.get(contact__email="eve@client.example").clicked_at is not None


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("fr", "Recommanderiez-vous Mutuelle Horizon à un proche ?"),
        ("en", "Would you recommend Mutuelle Horizon to a friend or relative?"),
    ],
)
def test_the_survey_names_the_brand(
    world: World, smtp: SmtpServer, client: Client, language: str, question: str
) -> None:
    organisation = rename(world, "Mutuelle Horizon", language)
    do_invite(organisation, InviteRequest(email="zoe@client.example"))
    text, _html = parts(smtp.received[0])
    path = re.findall(r"http://[^/]+(/o/s/\S+/)", text)[0]
    page = client.get(path).content.decode()
    assert question in page
    assert "notre organisation" not in page


def test_the_organisations_name_is_escaped_in_the_html_part_and_the_survey(
    world: World, smtp: SmtpServer, client: Client
) -> None:
    organisation = rename(world, "<b>Horizon</b> & Co")
    do_invite(organisation, InviteRequest(email="zoe@client.example"))
    text, html = parts(smtp.received[0])
    assert "<b>Horizon</b>" not in html
    assert "&lt;b&gt;Horizon&lt;/b&gt; &amp; Co" in html
    assert "<b>Horizon</b> & Co" in text, "the plain text is not HTML"
    page = client.get(re.findall(r"http://[^/]+(/o/s/\S+/)", text)[0]).content.decode()
    assert "<b>Horizon</b>" not in page
