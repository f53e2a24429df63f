"""Sending an invitation: the e-mail (Django's mail backend: SMTP when VIGIE_EMAIL_HOST is set,
files under VIGIE_DATA_DIR/mail otherwise) or the SMS through a provider behind ``SmsProvider``."""

from __future__ import annotations

import smtplib
import unicodedata
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Protocol

import httpx
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import salted_hmac

from vigie.connectors.platforms import platform_public_label
from vigie.core.egress import EgressRefused, check_url, egress_client
from vigie.outreach.links import click_link, optout_link, survey_link
from vigie.outreach.models import Invitation


class SendError(Exception):
    """The message could not be sent; ``permanent`` marks the address (a refused recipient)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Texts:
    subject: str
    text: str
    html: str
    sms: str


def invitation_texts(invitation: Invitation, *, reminder: bool = False, with_survey: bool = True) -> Texts:
    """The invitation's texts in its language, from the templates under ``outreach/mail/``."""
    context = {
        "organisation": invitation.organisation.name,
        "name": invitation.contact.name,
        # The name customers know ("Google", not the business product "Google Business Profile").
        "platform": platform_public_label(invitation.platform),
        # Both parts link to Vigie's redirect, which counts the click and opens the platform's own
        # review page (no tracking pixel anywhere).
        "click_link": click_link(invitation.token),
        "survey_link": survey_link(invitation.token) if with_survey else "",
        "optout_link": optout_link(invitation.token),
        "reminder": reminder,
    }
    with translation.override(invitation.language if invitation.language in {"fr", "en"} else "fr"):
        subject = render_to_string("outreach/mail/subject.txt", context)
        return Texts(
            subject=" ".join(subject.split())[:200],
            text=render_to_string("outreach/mail/invitation.txt", context),
            html=render_to_string("outreach/mail/invitation.html", context),
            sms=" ".join(render_to_string("outreach/mail/sms.txt", context).split()),
        )


def _display_name(name: str) -> str:
    """The organisation's name as a mail's display name: one line, no control character (Django
    refuses a header with a newline; quoting and non-ASCII encoding are left to ``formataddr`` and
    Django's ``sanitize_address``)."""
    kept = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in name)
    return " ".join(kept.split())[:120]


def sender(invitation: Invitation) -> str:
    """``From``: Vigie's sending address (``VIGIE_DEFAULT_FROM_EMAIL``) under the organisation's
    name, which the customer knows (not "Vigie")."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "vigie@localhost"
    name = _display_name(invitation.organisation.name)
    return formataddr((name, address)) if name else address


def idempotency_key(invitation: Invitation, *, reminder: bool = False) -> str:
    """The same key for every attempt at one message (the invitation, or its reminder): a second
    attempt after a worker died is recognisable as the same message where the transport allows."""
    digest = salted_hmac("vigie.outreach.message", invitation.token).hexdigest()[:32]
    return f"{digest}.reminder" if reminder else digest


def message_id(invitation: Invitation, *, reminder: bool = False) -> str:
    """The mail's ``Message-ID``, the same at every attempt: SMTP itself deduplicates nothing, but
    a mailbox that already holds a message with this id (Gmail, many IMAP clients) shows one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<vigie.invitation.{idempotency_key(invitation, reminder=reminder)}@{domain}>"


def email_message(
    invitation: Invitation, texts: Texts, *, reply_to: str = "", reminder: bool = False, attempt: int = 1
) -> EmailMultiAlternatives:
    """The e-mail as the customer receives it (the preview shows this same message). ``attempt``
    2 marks the one retry after a worker died while sending (``X-Vigie-Attempt``)."""
    message = EmailMultiAlternatives(
        texts.subject,
        texts.text,
        sender(invitation),
        [invitation.contact.email],
        reply_to=[reply_to] if reply_to else None,
    )
    message.attach_alternative(texts.html, "text/html")
    # Mail clients show an unsubscribe button. With List-Unsubscribe-Post (RFC 8058, which Gmail
    # and Yahoo ask of bulk senders) the mail provider opts the customer out in one click by
    # POSTing "List-Unsubscribe=One-Click" to the link; a browser opening it gets the page.
    message.extra_headers["List-Unsubscribe"] = f"<{optout_link(invitation.token)}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    if invitation.token:
        message.extra_headers["Message-ID"] = message_id(invitation, reminder=reminder)
    if attempt > 1:
        message.extra_headers["X-Vigie-Attempt"] = str(attempt)
    return message


def send_email(
    invitation: Invitation, texts: Texts, *, reply_to: str = "", reminder: bool = False, attempt: int = 1
) -> None:
    message = email_message(invitation, texts, reply_to=reply_to, reminder=reminder, attempt=attempt)
    try:
        get_connection(fail_silently=False).send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise SendError(f"recipient refused ({min(codes)})", permanent=all(c >= 500 for c in codes)) from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"SMTP server answered {exc.smtp_code}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"SMTP server unreachable ({type(exc).__name__})") from None


class SmsProvider(Protocol):
    """What Vigie needs of an SMS provider: send ``text`` to the number ``to``."""

    def send(self, to: str, text: str) -> None: ...


class HttpSmsProvider:
    """A provider with an HTTP API: ``POST url`` with ``{"to", "text", "sender"}`` as JSON and a
    bearer token; any 2xx is a success. Most SMS gateways accept this shape or sit behind a small
    relay that does."""

    def __init__(self, url: str, token: str, sender: str = "Vigie") -> None:
        self.url, self.token, self.sender = url, token, sender

    def send(self, to: str, text: str, *, idempotency_key: str = "") -> None:
        """``idempotency_key`` goes as the ``Idempotency-Key`` header, the same at every attempt
        at one message: a provider that honours it sends a retried SMS once."""
        try:
            check_url(self.url)
        except EgressRefused as exc:
            raise SendError(f"SMS provider: {exc}", permanent=False) from None
        try:
            # The guarded client checks the address again where the socket opens (DNS rebinding)
            # and reads at most a small answer: only the status matters.
            with egress_client(timeout=15, max_bytes=64 * 1024) as client:
                headers = {"Authorization": f"Bearer {self.token}"}
                if idempotency_key:
                    headers["Idempotency-Key"] = idempotency_key
                response = client.post(
                    self.url, json={"to": to, "text": text, "sender": self.sender}, headers=headers
                )
        except EgressRefused as exc:
            raise SendError(f"SMS provider: {exc}", permanent=False) from None
        except httpx.HTTPError as exc:
            raise SendError(f"SMS provider unreachable ({type(exc).__name__})") from None
        if response.status_code >= 300:
            raise SendError(
                f"SMS provider answered {response.status_code}", permanent=400 <= response.status_code < 500
            )


def sms_provider() -> SmsProvider | None:
    """The configured provider (VIGIE_SMS_URL, VIGIE_SMS_TOKEN), or None."""
    if not settings.SMS_URL:
        return None
    return HttpSmsProvider(settings.SMS_URL, settings.SMS_TOKEN, settings.SMS_SENDER)


def send_sms(invitation: Invitation, texts: Texts, *, reminder: bool = False) -> None:
    provider = sms_provider()
    if provider is None:
        raise SendError("no SMS provider configured (VIGIE_SMS_URL)")
    if isinstance(provider, HttpSmsProvider):
        provider.send(
            invitation.contact.phone,
            texts.sms,
            idempotency_key=idempotency_key(invitation, reminder=reminder),
        )
    else:
        provider.send(invitation.contact.phone, texts.sms)
