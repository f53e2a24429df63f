"""E-mail through Django's mail backend (SMTP when VIGIE_EMAIL_HOST is set, files otherwise)."""

from __future__ import annotations

import smtplib

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.utils.html import escape

from vigie.alerts.channels.base import DeliveryError, Notice

_TEXT = {
    "fr": {
        "open": "Ouvrir dans Vigie",
        "severity": "Sévérité",
        "event": "Événement",
        "levels": {"info": "Information", "warning": "Attention", "critical": "Critique"},
        "footer": "Message envoyé par Vigie. Réglez vos notifications dans Vigie, page Alertes.",
    },
    "en": {
        "open": "Open in Vigie",
        "severity": "Severity",
        "event": "Event",
        "levels": {"info": "Information", "warning": "Warning", "critical": "Critical"},
        "footer": "Sent by Vigie. Change your notifications in Vigie, Alerts page.",
    },
}


def email_message(notice: Notice, to: list[str], language: str = "fr") -> EmailMultiAlternatives:
    """The message (plain text and escaped HTML) for ``notice``; not sent."""
    text = _TEXT[language if language in _TEXT else "fr"]
    level = text["levels"][notice.severity]  # type: ignore[index]
    prefix = "[Vigie] " + (f"[{level}] " if notice.severity != "info" else "")
    # A header line must not carry a line break (header injection).
    subject = " ".join((prefix + notice.title).split())[:200]
    lines = [notice.body, ""]
    if notice.url:
        lines += [
            f"{text['open']} : {notice.url}" if language != "en" else f"{text['open']}: {notice.url}",
            "",
        ]
    lines += [
        f"{text['severity']} : {level}",
        f"{text['event']} : {notice.event}",
        "",
        "-- ",
        str(text["footer"]),
    ]
    if language == "en":
        lines = [line.replace(" : ", ": ") for line in lines]
    link = f'<p><a href="{escape(notice.url)}">{escape(str(text["open"]))}</a></p>' if notice.url else ""
    html = (
        f"<h2>{escape(notice.title)}</h2>"
        f"<p>{escape(notice.body).replace(chr(10), '<br>')}</p>{link}"
        f"<p><small>{escape(str(text['severity']))} : {escape(level)} · {escape(notice.event)}</small></p>"
        f"<p><small>{escape(str(text['footer']))}</small></p>"
    )
    message = EmailMultiAlternatives(subject, "\n".join(lines), None, to)
    message.attach_alternative(html, "text/html")
    message.extra_headers["X-Vigie-Event"] = notice.event
    return message


def send_email(notice: Notice, to: list[str], language: str = "fr") -> None:
    """Send ``notice`` to the addresses ``to``. Raises ``DeliveryError``.

    A refused recipient or a 5xx answer is permanent; a connection problem or a 4xx (greylisting,
    mailbox busy) is worth retrying.
    """
    if not to:
        raise DeliveryError("e-mail: no recipient", permanent=True)
    for address in to:
        try:
            validate_email(address)
        except ValidationError:
            raise DeliveryError("e-mail: an address is not valid", permanent=True) from None
    message = email_message(notice, to, language)
    try:
        get_connection(fail_silently=False).send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        permanent = all(code >= 500 for code in codes)
        raise DeliveryError(
            f"e-mail: {len(codes)} recipient(s) refused (codes {', '.join(map(str, sorted(set(codes))))})",
            permanent=permanent,
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(
            f"e-mail: the SMTP server answered {exc.smtp_code}",
            permanent=exc.smtp_code >= 500,
            status=exc.smtp_code,
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(
            f"e-mail: SMTP server unreachable ({type(exc).__name__})", permanent=False
        ) from None
