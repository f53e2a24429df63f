"""What a customer would receive, before anything is sent: the invitation e-mail (subject, headers,
plain text and HTML, built by the very functions that send it) and the survey page, for a sample
contact. Nothing is written: the invitation and the contact are never saved, and their links name
a token no invitation has, so they open the neutral page."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from vigie.charter.queries import current_charter
from vigie.connectors.platforms import platform_public_label
from vigie.core.models import Location, Organisation
from vigie.outreach.forms import SurveyForm
from vigie.outreach.links import review_url
from vigie.outreach.models import Campaign, Channel, Contact, Invitation, InvitationState
from vigie.outreach.sending import email_message, invitation_texts

# Shorter than any real token (32 characters): a preview's links never name an invitation.
PREVIEW_TOKEN = "preview"  # noqa: S105 - not a secret: a token that names no invitation
SAMPLE_NAME = "Camille Martin"
SAMPLE_EMAIL = "camille.martin@example.com"


@dataclass(frozen=True)
class Preview:
    sender: str
    reply_to: str
    to: str
    subject: str
    text: str
    html: str
    sms: str
    survey_html: str
    platform: str
    review_url: str


def preview(
    organisation: Organisation,
    campaign: Campaign,
    *,
    location: Location | None = None,
    language: str = "",
    reminder: bool = False,
    after_case: bool = True,
) -> Preview | None:
    """The messages a sample customer of ``location`` would receive in ``language`` (the
    organisation's by default); None when the charter names no review platform for them."""
    site = current_charter(organisation).outreach.review_site(location.name if location else "")
    if site is None:
        return None
    language = language if language in {"fr", "en"} else (organisation.language or "fr")
    contact = Contact(organisation=organisation, email=SAMPLE_EMAIL, name=SAMPLE_NAME)
    invitation = Invitation(
        organisation=organisation,
        contact=contact,
        location=location,
        channel=Channel.EMAIL,
        platform=site.platform,
        review_url=review_url(site),
        language=language,
        token=PREVIEW_TOKEN,
        state=InvitationState.SCHEDULED,
    )
    texts = invitation_texts(invitation, reminder=reminder, with_survey=campaign.with_survey)
    message = email_message(invitation, texts, reply_to=campaign.reply_to)
    with translation.override(language):
        form = SurveyForm(about_reply=after_case, organisation=organisation.name)
        survey_html = render_to_string(
            "outreach/public/survey.html", {"form": form, "organisation": organisation.name}
        )
        platform = platform_public_label(site.platform)
    return Preview(
        sender=str(message.from_email),
        reply_to=", ".join(message.reply_to),
        to=f"{SAMPLE_NAME} <{SAMPLE_EMAIL}>",
        subject=texts.subject,
        text=texts.text,
        html=texts.html,
        sms=texts.sms,
        survey_html=survey_html,
        platform=platform,
        review_url=invitation.review_url,
    )
