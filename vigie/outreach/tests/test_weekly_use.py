"""What a manager meets in a week of review requests: a list sent while the mail server was down
can be sent again (the failed invitations asked nobody) and the list says why they failed; a list
saved by Excel in Windows-1252 keeps its accents; adverts that read positive are not offered as
testimonials; and only managers send, on the pages as through the API."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from vigie.charter.queries import current_charter
from vigie.connectors.testing import FakePlatform
from vigie.core.jobs import run_pending
from vigie.core.models import Membership
from vigie.core.tests.servers import free_port
from vigie.inbox.tests.mailservers import SmtpServer
from vigie.mentions.models import MentionType, Sentiment
from vigie.mentions.tests.factories import make_mention
from vigie.outreach import models as outreach_models
from vigie.outreach.actions import InviteRequest, do_invite, do_opt_out, do_update_campaign
from vigie.outreach.links import sign
from vigie.outreach.models import Contact, Invitation, InvitationState, SurveyResponse
from vigie.outreach.reasons import send_error_label
from vigie.outreach.tests.conftest import PLACE_ID, World

pytestmark = pytest.mark.django_db

CP1252_LIST = "email;name;location;platform\r\nhelene@client.example;Hélène Dupré;Agence Lyon;\r\n".encode(
    "cp1252"
)


def csv_upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("clients.csv", data, content_type="text/csv")


def test_a_list_sent_while_the_mail_server_was_down_is_sent_again_once_it_works(
    world: World, smtp: SmtpServer, settings: Any, login: Callable[[Membership], Client]
) -> None:
    organisation = world.tenant.organisation
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: the server is down
    assert do_invite(organisation, InviteRequest(email="lea@client.example", name="Léa")) == "send_failed"
    failed = Invitation.objects.get(contact__email="lea@client.example")
    assert failed.state == InvitationState.FAILED
    # The list page says why, in words.
    page = html.unescape(login(world.tenant.manager).get("/outreach/invitations/").content.decode())
    assert "Échec de l'envoi" in page
    assert "serveur de messagerie injoignable" in page
    assert "SMTP server unreachable" not in page
    # The failed invitation asked nothing: once the server works, the customer is invited.
    settings.EMAIL_PORT = working_port
    assert do_invite(organisation, InviteRequest(email="lea@client.example", name="Léa")) == "sent"
    assert [mail.rcpt_tos for mail in smtp.received] == [["lea@client.example"]]
    # And then never twice within the period.
    assert do_invite(organisation, InviteRequest(email="lea@client.example")) == "already_invited"
    assert len(smtp.received) == 1


def test_a_refused_address_is_still_not_invited_again(world: World, smtp: SmtpServer) -> None:
    smtp.unknown_recipients.add("gone@client.example")
    organisation = world.tenant.organisation
    assert do_invite(organisation, InviteRequest(email="gone@client.example")) == "send_failed"
    assert do_invite(organisation, InviteRequest(email="gone@client.example")) == "bounced"


def test_send_errors_are_said_in_the_managers_language() -> None:
    assert send_error_label("recipient refused (550)") == (
        "adresse refusée par le serveur de messagerie (code 550)"
    )
    assert send_error_label("SMTP server answered 421") == "le serveur de messagerie a répondu 421"
    assert send_error_label("no SMS provider configured (VIGIE_SMS_URL)").startswith(
        "aucun fournisseur de SMS"
    )
    assert send_error_label("something else") == "something else"


def test_a_list_saved_by_excel_in_windows_1252_keeps_its_accents(
    world: World, smtp: SmtpServer, login: Callable[[Membership], Client], tmp_path: Path
) -> None:
    client = login(world.tenant.manager)
    response = client.post("/outreach/invite/", {"file": csv_upload(CP1252_LIST)})
    assert response.status_code == 302
    run_pending()  # the list is sent in the background
    contact = Contact.objects.get(email="helene@client.example")
    assert contact.name == "Hélène Dupré"
    assert Invitation.objects.get(contact=contact).location == world.lyon
    text = smtp.received[0].message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Bonjour Hélène Dupré," in text
    # The command line reads the same file the same way.
    path = tmp_path / "clients.csv"
    path.write_bytes(CP1252_LIST.replace(b"helene@", b"helene2@"))
    out = io.StringIO()
    call_command("outreach", "invite", "--org", "acme", "--csv", str(path), stdout=out)
    assert json.loads(out.getvalue())["sent"] == 1
    assert Contact.objects.get(email="helene2@client.example").name == "Hélène Dupré"


def test_survey_results_saved_by_excel_keep_their_accents(
    world: World, login: Callable[[Membership], Client]
) -> None:
    data = "date;csat;nps;comment;location\r\n01/12/2026;5;10;Très bien reçue;Agence Lyon\r\n"
    client = login(world.tenant.manager)
    client.post("/outreach/surveys/import/", {"file": csv_upload(data.encode("cp1252"))})
    run_pending()  # the file is imported in the background
    answer = SurveyResponse.objects.get()
    assert answer.comment == "Très bien reçue"
    assert answer.location == world.lyon


def test_the_campaign_page_has_no_repeated_id(world: World, login: Callable[[Membership], Client]) -> None:
    page = login(world.tenant.manager).get("/outreach/").content.decode()
    ids = [part.split('"')[0] for part in page.split(' id="')[1:]]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'for="id_survey_file"' in page


def test_adverts_and_trolls_are_not_offered_as_testimonials(
    world: World, login: Callable[[Membership], Client]
) -> None:
    organisation = world.tenant.organisation
    make_mention(organisation, rating="5", text="Accueil parfait à Lyon.")
    make_mention(
        organisation,
        sentiment=Sentiment.POSITIVE,
        mention_type=MentionType.SPAM,
        text="Gagnez jusqu'à 300 € par jour depuis chez vous !",
    )
    make_mention(organisation, rating="5", mention_type=MentionType.TROLL, text="Génial, vraiment génial...")
    page = html.unescape(login(world.tenant.manager).get("/outreach/testimonials/").content.decode())
    assert "Accueil parfait à Lyon." in page
    assert "Gagnez jusqu" not in page
    assert "vraiment génial" not in page


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_only_managers_send_invitations(
    world: World,
    smtp: SmtpServer,
    role: str,
    login: Callable[[Membership], Client],
    api_client: Callable[[Membership], Client],
) -> None:
    member = world.tenant.member(role)
    client = login(member)
    listing = b"email,name,location,platform\nsent@client.example,Sent,,\n"
    assert client.post("/outreach/invite/", {"file": csv_upload(listing)}).status_code == 403
    assert (
        client.post("/outreach/surveys/import/", {"file": csv_upload(b"csat,nps\n5,10\n")}).status_code == 403
    )
    assert (
        client.post("/outreach/addresses/", {"email": "x@client.example", "kind": "bounce"}).status_code
        == 403
    )
    assert client.get("/outreach/preview/").status_code == 403
    mention = make_mention(world.tenant.organisation, rating="5")
    assert client.post("/outreach/testimonials/select/", {"mention": mention.pk}).status_code == 403
    api = api_client(member)
    body = {"customers": [{"email": "sent@client.example"}]}
    assert api.post("/api/v1/outreach/invitations", body, content_type="application/json").status_code == 403
    marked = {"email": "x@client.example", "kind": "bounce"}
    assert api.post("/api/v1/outreach/addresses", marked, content_type="application/json").status_code == 403
    assert smtp.received == []
    assert not Invitation.objects.exists()
    assert not Contact.objects.exists()
    assert not SurveyResponse.objects.exists()
    assert not outreach_models.Testimonial.objects.exists()


def test_the_mail_provider_opts_the_customer_out_in_one_click(world: World, smtp: SmtpServer) -> None:
    organisation = world.tenant.organisation
    assert do_invite(organisation, InviteRequest(email="one@client.example")) == "sent"
    message = smtp.received[0].message
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(message["List-Unsubscribe"]).strip().strip("<>")
    path = link.removeprefix("http://127.0.0.1:8000")
    client = Client(enforce_csrf_checks=True)
    # The page's own form still needs its token: a bare POST is refused.
    assert client.post(path, {}).status_code == 403
    assert Contact.objects.get(email="one@client.example").opted_out_at is None
    # The provider's POST (no cookie, no token) opts out, once and for good.
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Contact.objects.get(email="one@client.example").opted_out_at is not None
    assert do_invite(organisation, InviteRequest(email="one@client.example", legal_basis="consent")) == (
        "opted_out"
    )
    # A forged link opts nobody out and says nothing.
    forged = client.post("/o/u/garbage/", {"List-Unsubscribe": "One-Click"})
    assert forged.status_code == 200
    assert "Ce lien n'est plus valable" in html.unescape(forged.content.decode())


def test_a_reminder_that_could_never_go_is_refused_with_its_reason(
    world: World, login: Callable[[Membership], Client]
) -> None:
    form = {
        "section": "campaign",
        "enabled": "on",
        "legal_basis": "legitimate_interest",
        "period_days": "30",
        "reminder_after_days": "45",
        "quiet_start": "20:00",
        "quiet_end": "09:00",
    }
    page = login(world.tenant.manager).post("/outreach/", form)
    assert page.status_code == 422
    assert "Le rappel doit partir avant la fin de la période (30 jours)." in html.unescape(
        page.content.decode()
    )
    world.campaign.refresh_from_db()
    assert (world.campaign.period_days, world.campaign.reminder_after_days) == (90, 7)
    saved = login(world.tenant.manager).post("/outreach/", {**form, "reminder_after_days": "10"})
    assert saved.status_code == 302


def test_a_review_site_names_a_location_vigie_knows(
    world: World, login: Callable[[Membership], Client]
) -> None:
    client = login(world.tenant.manager)
    typo = client.post(
        "/outreach/",
        {"section": "sites", "sites": "Agence Lyonn | google_business | ChIJtypo\n | trustpilot | a.example"},
    )
    assert typo.status_code == 422
    assert "Ligne 1 : lieu inconnu « Agence Lyonn » (lieux : Agence Lyon)." in html.unescape(
        typo.content.decode()
    )
    places = [s.place_id for s in current_charter(world.tenant.organisation).outreach.review_sites]
    assert "ChIJtypo" not in places
    # Another case is the same location, saved under its own name, and used for its customers.
    saved = client.post(
        "/outreach/",
        {"section": "sites", "sites": "agence lyon | google_business | ChIJlyon\n | trustpilot | a.example"},
    )
    assert saved.status_code == 302
    sites = current_charter(world.tenant.organisation).outreach.review_sites
    assert sites[0].location == "Agence Lyon"
    request = InviteRequest(email="lyon@client.example", location="Agence Lyon")
    assert do_invite(world.tenant.organisation, request) == "sent"
    assert "ChIJlyon" in Invitation.objects.get(contact__email="lyon@client.example").review_url


def test_one_number_spelt_two_ways_gets_one_sms_in_the_period(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisation = world.tenant.organisation
    do_update_campaign(organisation, actor=None, sms=True)
    with FakePlatform() as provider:
        provider.add("POST", "/sms", json={"id": "m-1"}, status=201)
        settings.SMS_URL, settings.SMS_TOKEN = f"{provider.url}/sms", "sms-secret"
        monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
        assert do_invite(organisation, InviteRequest(phone="+33 6 12 34 56 79", name="Léo")) == "sent"
        # The next list writes the same mobile number the French way.
        assert do_invite(organisation, InviteRequest(phone="06 12 34 56 79")) == "already_invited"
        assert do_invite(organisation, InviteRequest(phone="0033612345679")) == "already_invited"
        assert len(provider.requests_to("POST", "/sms")) == 1
    do_opt_out(Contact.objects.get(phone="+33612345679"))
    far = timezone.now() + timedelta(days=400)
    assert do_invite(organisation, InviteRequest(phone="0612345679"), now=far) == "opted_out"
    # Another number is another customer.
    assert do_invite(organisation, InviteRequest(phone="0612345670"), now=far) != "already_invited"


def test_the_list_says_when_it_shows_only_the_most_recent_invitations(
    world: World, smtp: SmtpServer, login: Callable[[Membership], Client]
) -> None:
    organisation = world.tenant.organisation
    assert do_invite(organisation, InviteRequest(email="first@client.example")) == "sent"
    client = login(world.tenant.manager)
    assert "data-capped" not in client.get("/outreach/invitations/").content.decode()
    first = Invitation.objects.get()
    contacts = Contact.objects.bulk_create(
        [Contact(organisation=organisation, email=f"c{n}@client.example") for n in range(200)]
    )
    Invitation.objects.bulk_create(
        [
            Invitation(
                organisation=organisation,
                contact=contact,
                trigger=first.trigger,
                platform=first.platform,
                review_url=first.review_url,
                token=f"token-{n:026d}",
                state=InvitationState.SENT,
            )
            for n, contact in enumerate(contacts)
        ]
    )
    page = html.unescape(client.get("/outreach/invitations/").content.decode())
    assert "Seules les 200 invitations les plus récentes sont affichées." in page


def test_every_customer_who_answered_is_offered_the_review_page_whatever_their_scores(
    world: World, smtp: SmtpServer
) -> None:
    organisation = world.tenant.organisation
    pages = []
    for email, csat, nps in (("sad@client.example", "1", "0"), ("glad@client.example", "5", "10")):
        assert do_invite(organisation, InviteRequest(email=email, location="Agence Lyon")) == "sent"
        invitation = Invitation.objects.get(contact__email=email)
        client = Client()
        thanks = client.post(f"/o/s/{sign('survey', invitation.token)}/", {"csat": csat, "nps": nps})
        assert thanks.status_code == 200
        page = html.unescape(thanks.content.decode())
        assert "Merci pour votre réponse" in page
        assert "Vous pouvez aussi publier votre avis sur Google, qu'il soit positif ou négatif." in page
        link = re.search(r'href="(/o/r/[^"]+/)"', page)
        assert link
        # Through Vigie's redirect: the click is counted, then the agency's Google page opens.
        opened = client.get(link.group(1))
        assert opened.status_code == 302
        assert PLACE_ID in opened["Location"]
        invitation.refresh_from_db()
        assert invitation.clicked_at is not None
        pages.append(page.replace(link.group(1), ""))
    assert pages[0] == pages[1], "the same page for an unhappy and a happy customer (no review gating)"


def test_a_list_needs_only_an_address_column(
    world: World,
    smtp: SmtpServer,
    login: Callable[[Membership], Client],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = login(world.tenant.manager)
    # A CRM's export of addresses and names only.
    client.post("/outreach/invite/", {"file": csv_upload(b"Email;Name\nmail-only@client.example;Ana\n")})
    run_pending()
    assert Invitation.objects.filter(contact__email="mail-only@client.example").exists()
    # A list of mobile numbers, for the customers without an e-mail.
    do_update_campaign(world.tenant.organisation, actor=None, sms=True)
    with FakePlatform() as provider:
        provider.add("POST", "/sms", json={"id": "m-1"}, status=201)
        settings.SMS_URL, settings.SMS_TOKEN = f"{provider.url}/sms", "sms-secret"
        monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
        client.post("/outreach/invite/", {"file": csv_upload(b"phone,name\n+33 6 11 22 33 44,Bo\n")})
        run_pending()
        assert len(provider.requests_to("POST", "/sms")) == 1
    assert Invitation.objects.get(contact__phone="+33611223344").channel == "sms"
    # Without any address column, the manager is told which one is missing.
    refused = client.post("/outreach/invite/", {"file": csv_upload(b"nom,lieu\nAna,Lyon\n")}, follow=True)
    assert "Colonne manquante : email, phone, l'une au moins" in html.unescape(refused.content.decode())


def test_the_follow_up_column_lists_what_the_customer_did(
    world: World, smtp: SmtpServer, login: Callable[[Membership], Client]
) -> None:
    organisation = world.tenant.organisation
    assert do_invite(organisation, InviteRequest(email="quiet@client.example")) == "sent"
    assert do_invite(organisation, InviteRequest(email="answer@client.example")) == "sent"
    answered = Invitation.objects.get(contact__email="answer@client.example")
    Client().post(f"/o/s/{sign('survey', answered.token)}/", {"csat": "3"})
    page = html.unescape(login(world.tenant.manager).get("/outreach/invitations/").content.decode())
    cells = re.findall(r"<td data-follow-up[^>]*>(.*?)</td>", page)
    assert sorted(cells) == ["enquête répondue", "—"]


def test_switching_on_without_a_legal_basis_warns_that_nothing_goes_after_cases(
    world: World, login: Callable[[Membership], Client]
) -> None:
    form = {
        "section": "campaign",
        "enabled": "on",
        "after_resolved_case": "on",
        "legal_basis": "",
        "period_days": "90",
        "reminder_after_days": "7",
        "quiet_start": "20:00",
        "quiet_end": "09:00",
    }
    client = login(world.tenant.manager)
    page = html.unescape(client.post("/outreach/", form, follow=True).content.decode())
    assert "Réglages des invitations enregistrés." in page
    assert "Aucune base légale choisie : seuls les clients dont la base légale est déjà enregistrée" in page
    # As it says: a customer of a resolved case without a recorded basis is not invited.
    request = InviteRequest(email="case@client.example", trigger="case")
    assert do_invite(world.tenant.organisation, request) == "no_legal_basis"
    chosen = html.unescape(
        client.post(
            "/outreach/", {**form, "legal_basis": "legitimate_interest"}, follow=True
        ).content.decode()
    )
    assert "Aucune base légale choisie" not in chosen


def test_one_click_opt_outs_from_one_mail_provider_are_not_rate_limited(
    world: World, smtp: SmtpServer
) -> None:
    organisation = world.tenant.organisation
    provider = Client(enforce_csrf_checks=True)
    for n in range(25):
        assert do_invite(organisation, InviteRequest(email=f"u{n}@client.example")) == "sent"
    for invitation in Invitation.objects.all():
        answer = provider.post(f"/o/u/{sign('optout', invitation.token)}/", {"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 200
    assert not Contact.objects.filter(opted_out_at__isnull=True).exists()
    # A browser on that address is still limited.
    assert [provider.get("/o/s/garbage/").status_code for _ in range(21)][-1] == 429
