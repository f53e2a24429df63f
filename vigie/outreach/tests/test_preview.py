"""The preview of /outreach/: the exact subject, headers, text and HTML a sample customer would
receive, and the survey page, shown in sandboxed frames (no script), for managers only; nothing is
sent or written, and the preview's links name no invitation."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from vigie.conftest import Tenant
from vigie.core.models import Membership, Organisation
from vigie.inbox.tests.mailservers import SmtpServer
from vigie.outreach.actions import InviteRequest, do_invite, do_update_campaign
from vigie.outreach.models import Contact, Invitation
from vigie.outreach.tests.conftest import World, configure

pytestmark = pytest.mark.django_db


def frames(page: str) -> dict[str, str]:
    """Each sandboxed frame's document (its srcdoc, unescaped as the browser reads it)."""
    found = re.findall(r'<iframe class="[^"]*" sandbox srcdoc="([^"]*)"[^>]*data-part="(\w+)"', page)
    return {part: html.unescape(doc) for doc, part in found}


def pre(page: str, part: str) -> str:
    match = re.search(rf'<pre class="preview-text" data-part="{part}">(.*?)</pre>', page, re.S)
    assert match, part
    return html.unescape(match.group(1))


def header(page: str, name: str) -> str:
    match = re.search(rf'<dd data-header="{name}">(.*?)</dd>', page, re.S)
    assert match, name
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def test_the_preview_is_the_mail_a_customer_receives(
    world: World, login: Callable[[Membership], Client], smtp: SmtpServer, settings: Any
) -> None:
    organisation = world.tenant.organisation
    Organisation.objects.filter(pk=organisation.pk).update(name="Mutuelle Horizon")
    organisation.refresh_from_db()
    do_update_campaign(organisation, actor=None, reply_to="contact@horizon.example")
    client = login(world.tenant.manager)
    page = client.get("/outreach/preview/", {"location": world.lyon.pk}).content.decode()
    assert header(page, "from") == "Mutuelle Horizon <vigie@localhost>"
    assert header(page, "reply-to") == "contact@horizon.example"
    assert header(page, "subject") == "Votre avis sur Mutuelle Horizon"
    text, parts = pre(page, "text"), frames(page)
    assert "vous pouvez le publier sur Google." in text
    assert "Bonjour Camille Martin," in text
    assert re.search(r"http://\S+/o/r/\S+/", text)
    assert "vous pouvez le publier sur Google." in parts["html"]
    assert "Recommanderiez-vous Mutuelle Horizon à un proche ?" in parts["survey"]
    assert 'name="csrfmiddlewaretoken"' not in parts["survey"]

    # The same texts as the mail that goes out (but for the links naming each invitation).
    do_invite(
        organisation,
        InviteRequest(email="camille.martin@example.com", name="Camille Martin", location="Agence Lyon"),
    )
    [sent] = smtp.received
    received = sent.message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]

    def unlinked(value: str) -> str:
        return re.sub(r"/o/([rsu])/\S+/", r"/o/\1/LINK/", value)

    assert unlinked(received) == unlinked(text)
    assert sent.message["Subject"] == header(page, "subject")
    assert str(sent.message["From"]) == header(page, "from")


def test_the_preview_sends_and_writes_nothing_and_its_links_name_no_invitation(
    world: World, login: Callable[[Membership], Client], settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = login(world.tenant.manager)
    page = client.get("/outreach/preview/", {"reminder": "1", "trigger": "import"}).content.decode()
    assert header(page, "subject") == "Rappel : votre avis sur Acme"
    assert header(page, "reply-to").startswith("aucune adresse de réponse")
    assert "vous pouvez le publier sur Trustpilot." in pre(page, "text")
    assert "Êtes-vous satisfait(e) de votre expérience avec nous ?" in frames(page)["survey"]
    assert mail.outbox == []
    assert not Invitation.objects.exists()
    assert not Contact.objects.exists()
    for kind in "rsu":
        path = re.search(rf"http://[^/\s]+(/o/{kind}/\S+/)", pre(page, "text"))
        assert path, kind
        response = Client().get(path.group(1))
        assert response.status_code == 200, "the neutral page, not a redirect to the platform"
        assert "Ce lien n'est plus valable" in response.content.decode()


def test_the_preview_in_english(world: World, login: Callable[[Membership], Client]) -> None:
    client = login(world.tenant.manager)
    page = client.get("/outreach/preview/", {"language": "en", "location": world.lyon.pk}).content.decode()
    text = pre(page, "text")
    assert "Write a review:" in text
    assert "Google" in text
    assert "Would you recommend Acme to a friend or relative?" in frames(page)["survey"]


def test_the_preview_is_sandboxed_escaped_and_without_inline_script(
    world: World, login: Callable[[Membership], Client]
) -> None:
    organisation = world.tenant.organisation
    Organisation.objects.filter(pk=organisation.pk).update(name='<script>alert("x")</script> & Co')
    client = login(world.tenant.manager)
    response = client.get("/outreach/preview/")
    page = response.content.decode()
    assert "<script>alert" not in page
    # Shown as text: the subject reads what the customer's mail client will show.
    assert header(page, "subject") == 'Votre avis sur <script>alert("x")</script> & Co'
    # Inside the frames, the organisation's name is text, never markup.
    parts = frames(page)
    assert "<script>" not in parts["html"]
    assert "&lt;script&gt;" in parts["html"]
    assert "<script>" not in parts["survey"]
    assert page.count("<iframe") == 2
    assert page.count(" sandbox srcdoc=") == 2, "no allow-scripts, no allow-same-origin"
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag, "no inline script (CSP script-src 'self')"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_without_a_review_platform_the_preview_says_none_would_go(
    world: World, login: Callable[[Membership], Client]
) -> None:
    from vigie.charter.actions import do_update_charter
    from vigie.charter.document import OutreachPolicy
    from vigie.charter.queries import current_charter

    organisation = world.tenant.organisation
    charter = current_charter(organisation)
    do_update_charter(organisation, charter.model_copy(update={"outreach": OutreachPolicy()}))
    page = login(world.tenant.manager).get("/outreach/preview/").content.decode()
    assert "aucune invitation ne partirait" in page
    assert "<iframe" not in page


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_the_preview_is_for_managers(world: World, login: Callable[[Membership], Client], role: str) -> None:
    assert login(world.tenant.member(role)).get("/outreach/preview/").status_code == 403


def test_another_organisations_location_answers_404(
    world: World, other_tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    other = configure(other_tenant)
    client = login(world.tenant.manager)
    assert client.get("/outreach/preview/", {"location": other.lyon.pk}).status_code == 404
    assert client.get("/outreach/preview/", {"location": "x"}).status_code == 404
    assert 'href="/outreach/preview/"' in client.get("/outreach/").content.decode()
