"""Review requests: the CLI's JSON, the period, dry runs, quiet hours, the one reminder, opt-out,
legal basis, bounces, SMS through a provider stand-in, and the invitation after a resolved case
sent to a real SMTP server, whatever the case's sentiment."""

from __future__ import annotations

import io
import json
import re
import zoneinfo
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from vigie.connectors.testing import FakePlatform
from vigie.core.jobs import run_pending
from vigie.inbox.actions import do_set_case_status
from vigie.inbox.models import CaseStatus, PrivateThread
from vigie.inbox.tests.factories import make_case
from vigie.inbox.tests.mailservers import SmtpServer
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_mention
from vigie.outreach.actions import InviteRequest, do_invite, do_mark_address, do_send_due, do_update_campaign
from vigie.outreach.models import Contact, Invitation, InvitationState
from vigie.outreach.tests.conftest import PLACE_ID, World, configure

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def write_csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text("email,name,location,platform\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def invite_cli(path: Path, *extra: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("outreach", "invite", "--org", "acme", "--csv", str(path), *extra, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def links(text: str) -> dict[str, str]:
    return {
        # The review link goes through Vigie's redirect (the click is counted) in every part.
        "review": re.search(r"http://\S+/o/r/\S+/", text).group(0),  # type: ignore[union-attr]
        "survey": re.search(r"http://\S+/o/s/\S+/", text).group(0),  # type: ignore[union-attr]
        "optout": re.search(r"http://\S+/o/u/\S+/", text).group(0),  # type: ignore[union-attr]
    }


def test_cli_prints_json_writes_mails_to_the_folder_and_a_second_run_sends_nothing(
    world: World, tmp_path: Path, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    path = write_csv(
        tmp_path,
        [
            "marie@client.example,Marie Durand,Agence Lyon,",
            "paul@client.example,Paul Martin,,trustpilot",
            "not-an-address,Zoé,,",
            "marie@client.example,Marie Durand,Agence Lyon,",
            "luc@client.example,Luc,Agence Inconnue,",
            "eve@client.example,Eve,Agence Lyon,google",
            "max@client.example,Max,,tripadvisor",
        ],
    )
    assert invite_cli(path) == {
        "sent": 3,
        "skipped": {
            "duplicate_in_file": 1,
            "invalid_address": 1,
            "no_review_platform": 1,
            "unknown_location": 1,
        },
    }
    mails = sorted((tmp_path / "mail").iterdir())
    text = "".join(m.read_text(encoding="utf-8") for m in mails)
    # The platforms' own links are where the tracked link leads, never in the mail itself.
    assert "google.com" not in text
    assert "trustpilot.com" not in text
    assert f"placeid={PLACE_ID}" in Invitation.objects.get(contact__email="marie@client.example").review_url
    paul = Invitation.objects.get(contact__email="paul@client.example")
    assert paul.review_url == "https://www.trustpilot.com/evaluate/acme.example"
    found = links(text)
    assert found["review"]
    assert found["survey"]
    assert found["optout"]
    assert "List-Unsubscribe" in text
    lyon = Invitation.objects.get(contact__email="eve@client.example")
    assert (lyon.platform, lyon.location) == ("google_business", world.lyon), "google is Google Business"
    # A location Vigie does not know is refused, not sent to the default platform.
    assert not Invitation.objects.filter(contact__email="luc@client.example").exists()

    assert invite_cli(path) == {
        "sent": 0,
        "skipped": {
            "already_invited": 3,
            "duplicate_in_file": 1,
            "invalid_address": 1,
            "no_review_platform": 1,
            "unknown_location": 1,
        },
    }
    assert len(list((tmp_path / "mail").iterdir())) == len(mails), "the second run sent nothing"


def test_dry_run_writes_and_sends_nothing(world: World, tmp_path: Path, smtp: SmtpServer) -> None:
    path = write_csv(tmp_path, ["a@client.example,A,,", "b@client.example,B,Agence Lyon,"])
    assert invite_cli(path, "--dry-run") == {"sent": 2, "skipped": {}}
    assert smtp.received == []
    assert not Invitation.objects.exists()
    assert not Contact.objects.exists()
    assert invite_cli(path) == {"sent": 2, "skipped": {}}
    assert len(smtp.received) == 2


def test_a_bad_file_is_a_clear_error(world: World, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("mail,nom\nx@y.example,X\n", encoding="utf-8")
    with pytest.raises(CommandError, match="email, name, location, platform"):
        call_command("outreach", "invite", "--org", "acme", "--csv", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("outreach", "invite", "--org", "acme", "--csv", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="unknown organisation"):
        call_command("outreach", "invite", "--org", "nobody", "--csv", str(path))


def test_nothing_is_sent_without_a_legal_basis(world: World, smtp: SmtpServer) -> None:
    do_update_campaign(world.tenant.organisation, actor=None, legal_basis="")
    outcome = do_invite(world.tenant.organisation, InviteRequest(email="x@client.example", name="X"))
    assert outcome == "no_legal_basis"
    assert smtp.received == []
    assert not Invitation.objects.exists()
    # A basis given with the customer (consent collected at checkout) is recorded with them.
    outcome = do_invite(
        world.tenant.organisation, InviteRequest(email="x@client.example", name="X", legal_basis="consent")
    )
    assert outcome == "sent"
    contact = Contact.objects.get(email="x@client.example")
    assert contact.legal_basis == "consent"
    assert contact.legal_basis_at is not None


def test_quiet_hours_hold_the_invitation_until_they_end(world: World, smtp: SmtpServer) -> None:
    organisation = world.tenant.organisation
    do_update_campaign(organisation, actor=None, quiet_start=time(20, 0), quiet_end=time(9, 0))
    late = datetime(2026, 3, 2, 22, 30, tzinfo=PARIS)
    outcome = do_invite(
        organisation, InviteRequest(email="night@client.example", location="Agence Lyon"), now=late
    )
    assert outcome == "quiet_hours"
    invitation = Invitation.objects.get()
    assert invitation.state == InvitationState.SCHEDULED
    assert invitation.send_after == datetime(2026, 3, 3, 9, 0, tzinfo=PARIS)
    assert do_send_due(now=datetime(2026, 3, 3, 6, 0, tzinfo=PARIS))["sent"] == 0
    assert smtp.received == []
    assert do_send_due(now=datetime(2026, 3, 3, 9, 1, tzinfo=PARIS))["sent"] == 1
    assert len(smtp.received) == 1
    # Counted within the period already: a second request the same night sends nothing more.
    again = do_invite(
        organisation, InviteRequest(email="night@client.example"), now=late + timedelta(minutes=5)
    )
    assert again == "already_invited"


def test_one_reminder_at_most_and_none_after_a_click(world: World, smtp: SmtpServer) -> None:
    organisation = world.tenant.organisation
    start = timezone.now()
    do_invite(organisation, InviteRequest(email="one@client.example"), now=start)
    do_invite(organisation, InviteRequest(email="two@client.example"), now=start)
    clicked = Invitation.objects.get(contact__email="two@client.example")
    Client().get(f"/o/r/{_signed('review', clicked.token)}/")
    assert do_send_due(now=start + timedelta(days=3)) == {"sent": 0, "reminded": 0, "retried": 0}
    assert do_send_due(now=start + timedelta(days=8)) == {"sent": 0, "reminded": 1, "retried": 0}
    assert do_send_due(now=start + timedelta(days=9)) == {"sent": 0, "reminded": 0, "retried": 0}
    subjects = [r.message["Subject"] for r in smtp.received]
    assert subjects.count("Rappel : votre avis sur Acme") == 1
    assert [r.rcpt_tos for r in smtp.received][-1] == ["one@client.example"]


def _signed(kind: str, token: str) -> str:
    from vigie.outreach.links import sign

    return sign(kind, token)


def test_opt_out_is_honoured_forever(world: World, smtp: SmtpServer) -> None:
    organisation = world.tenant.organisation
    do_invite(organisation, InviteRequest(email="bye@client.example"))
    optout = links(smtp.received[0].message.get_body(("plain",)).get_content())["optout"]  # type: ignore[union-attr]
    client = Client(enforce_csrf_checks=True)
    page = client.get(optout.removeprefix("http://127.0.0.1:8000"))
    assert "Ne plus recevoir ces messages" in page.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)  # type: ignore[union-attr]
    done = client.post(optout.removeprefix("http://127.0.0.1:8000"), {"csrfmiddlewaretoken": token})
    assert "C'est noté" in done.content.decode()
    # Opening the link again says it is done, rather than asking to confirm once more.
    again = client.get(optout.removeprefix("http://127.0.0.1:8000")).content.decode()
    assert "C'est noté" in again
    assert "Confirmer" not in again
    far = timezone.now() + timedelta(days=2000)
    assert do_invite(organisation, InviteRequest(email="bye@client.example"), now=far) == "opted_out"
    # Not even a later list with the customer's consent brings them back.
    request = InviteRequest(email="BYE@client.example", legal_basis="consent")
    assert do_invite(organisation, request, now=far) == "opted_out"
    assert len(smtp.received) == 1


def test_bounces_mark_the_address(world: World, smtp: SmtpServer, tmp_path: Path) -> None:
    organisation = world.tenant.organisation
    smtp.unknown_recipients.add("gone@client.example")
    assert do_invite(organisation, InviteRequest(email="gone@client.example")) == "send_failed"
    assert Contact.objects.get(email="gone@client.example").bounced_at is not None
    out = io.StringIO()
    call_command("outreach", "bounce", "angry@client.example", "--org", "acme", "--complaint", stdout=out)
    assert json.loads(out.getvalue()) == {"marked": "angry@client.example"}
    path = write_csv(tmp_path, ["gone@client.example,G,,", "angry@client.example,A,,"])
    assert invite_cli(path)["skipped"] == {"bounced": 1, "complained": 1}
    do_mark_address(organisation, "late@client.example", kind="bounce")
    assert do_invite(organisation, InviteRequest(email="late@client.example")) == "bounced"


def test_sms_goes_through_the_provider_and_its_egress_check(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisation = world.tenant.organisation
    do_update_campaign(organisation, actor=None, sms=True)
    with FakePlatform() as provider:
        provider.add("POST", "/sms", json={"id": "m-1"}, status=201)
        settings.SMS_URL, settings.SMS_TOKEN = f"{provider.url}/sms", "sms-secret"
        # Loopback is refused unless allowed: the provider's address is user-given.
        monkeypatch.delenv("VIGIE_EGRESS_ALLOW", raising=False)
        assert do_invite(organisation, InviteRequest(phone="+33 6 12 34 56 78", name="Léa")) == "send_failed"
        assert provider.requests_to("POST", "/sms") == []
        monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
        assert do_invite(organisation, InviteRequest(phone="+33612345679", name="Léo")) == "sent"
        [sent] = provider.requests_to("POST", "/sms")
    body = json.loads(sent.body)
    assert body["to"] == "+33612345679"
    assert "/o/r/" in body["text"], "the review link counts the click, as in the e-mail"
    assert "trustpilot.com" not in body["text"]
    assert "/o/u/" in body["text"]
    assert sent.headers["authorization"] == "Bearer sms-secret"


def _resolved_case_with_address(world: World, sentiment: str, rating: str, address: str) -> Any:
    organisation = world.tenant.organisation
    mention = make_mention(organisation, location=world.lyon, rating=rating, sentiment=sentiment)
    case = make_case(organisation, mention, status=CaseStatus.IN_PROGRESS)
    PrivateThread.objects.create(
        organisation=organisation, case=case, address=address, subject="Votre avis", token=address[:10]
    )
    do_set_case_status(case, CaseStatus.RESOLVED, actor=world.tenant.agent.user)
    return case


def test_resolving_a_case_sends_the_same_invitation_whatever_the_sentiment(
    world: World, smtp: SmtpServer
) -> None:
    unhappy = _resolved_case_with_address(world, Sentiment.NEGATIVE, "1", "unhappy@client.example")
    happy = _resolved_case_with_address(world, Sentiment.POSITIVE, "5", "happy@client.example")
    run_pending()
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["happy@client.example", "unhappy@client.example"]
    bodies = {
        r.rcpt_tos[0]: r.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        for r in smtp.received
    }

    # The same text for both, but for the links that name each invitation.
    def strip(text: str) -> str:
        return re.sub(r"Bonjour .*,", "Bonjour NAME,", re.sub(r"/o/[a-z]/\S+/", "/o/LINK/", text))

    assert strip(bodies["happy@client.example"]) == strip(bodies["unhappy@client.example"])
    assert "/o/r/" in bodies["unhappy@client.example"]
    invitations = {i.case_id: i for i in Invitation.objects.all()}
    assert f"placeid={PLACE_ID}" in invitations[unhappy.pk].review_url
    assert invitations[unhappy.pk].trigger == "case"
    assert invitations[happy.pk].location == world.lyon
    assert invitations[unhappy.pk].agent is None or invitations[unhappy.pk].agent_id


def test_a_reopened_and_resolved_again_case_is_not_invited_twice(world: World, smtp: SmtpServer) -> None:
    case = _resolved_case_with_address(world, Sentiment.NEUTRAL, "3", "again@client.example")
    run_pending()
    do_set_case_status(case, CaseStatus.IN_PROGRESS, actor=None)
    do_set_case_status(case, CaseStatus.RESOLVED, actor=None)
    run_pending()
    assert len(smtp.received) == 1


def test_a_case_without_a_known_address_invites_nobody(world: World, smtp: SmtpServer) -> None:
    organisation = world.tenant.organisation
    case = make_case(organisation, make_mention(organisation), status=CaseStatus.IN_PROGRESS)
    do_set_case_status(case, CaseStatus.RESOLVED, actor=None)
    run_pending()
    assert smtp.received == []
    assert not Invitation.objects.exists()


def test_a_switched_off_campaign_sends_nothing(tenant: Any, smtp: SmtpServer) -> None:
    world = configure(tenant, enabled=False)
    assert (
        do_invite(world.tenant.organisation, InviteRequest(email="x@client.example")) == "campaign_disabled"
    )
    assert smtp.received == []
