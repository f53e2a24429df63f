"""The checks that forbid sending: empty, unfilled placeholders, too long, personal data in public."""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from django.utils.translation import gettext as _

from vigie.analysis.detectors import ADDRESS, CARD, EMAIL, IBAN, ORDER_NUMBER, PHONE, find_personal_data
from vigie.inbox.quality.findings import BLOCK, Finding
from vigie.inbox.quality.limits import cut_offset, limit_for, measure
from vigie.inbox.templating.render import unfilled_placeholders

# Shared mailboxes an organisation publishes on purpose: writing them is not exposing a person.
_ROLE_MAILBOXES = re.compile(
    r"^(contact|service|serviceclient|service-client|service\.client|support|info|infos|hello|bonjour|"
    r"relation-client|relationclient|sav|reclamation|reclamations|noreply|no-reply|dpo|rgpd|presse|press)@",
    re.IGNORECASE,
)


# Numbers that reach a company, never a person: 08 service numbers, toll-free, shared cost.
_SERVICE_NUMBER_TYPES = {
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.UAN,
}


def _is_service_number(value: str) -> bool:
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in _SERVICE_NUMBER_TYPES


def check_empty(text: str) -> list[Finding]:
    """A reply with nothing but blanks."""
    if text.strip():
        return []
    return [Finding("empty", BLOCK, _("La réponse est vide : écrivez un message avant de l'envoyer."))]


def check_placeholders(text: str) -> list[Finding]:
    """Variables the case could not fill and ``[[à compléter : …]]`` the agent has not written."""
    findings = []
    for start, end, _label in unfilled_placeholders(text):
        findings.append(
            Finding(
                "placeholder",
                BLOCK,
                _("« %(placeholder)s » est encore à compléter : remplacez-le par le texte voulu.")
                % {"placeholder": text[start:end]},
                start,
                end,
            )
        )
    return findings


def check_length(text: str, platform: str) -> list[Finding]:
    """Longer than the platform accepts, counted in the platform's own unit."""
    limit = limit_for(platform)
    if limit is None:
        return []
    length = measure(text, limit)
    if length <= limit.maximum:
        return []
    units = {
        "characters": _("caractères"),
        "graphemes": _("caractères (graphèmes)"),
        "bytes": _("octets"),
    }[limit.unit]
    return [
        Finding(
            "too_long",
            BLOCK,
            _(
                "Trop long pour %(platform)s : %(length)d %(unit)s pour %(maximum)d au plus. Raccourcissez de %(excess)d."
            )
            % {
                "platform": platform,
                "length": length,
                "unit": units,
                "maximum": limit.maximum,
                "excess": length - limit.maximum,
            },
            cut_offset(text, limit),
            len(text),
        )
    ]


def _kind_label(kind: str) -> str:
    return {
        EMAIL: _("une adresse e-mail"),
        PHONE: _("un numéro de téléphone"),
        IBAN: _("un IBAN"),
        CARD: _("un numéro de carte bancaire"),
        ADDRESS: _("une adresse postale"),
        ORDER_NUMBER: _("un numéro de commande ou de client"),
    }.get(kind, _("une donnée personnelle"))


def check_personal_data(
    text: str,
    *,
    channel: str,
    order_patterns: Iterable[str] = (),
    allowed: Iterable[str] = (),
) -> list[Finding]:
    """Personal data in a public reply, found by the analysis' own detector.

    Private channels (e-mail, phone, direct message) are where such data belongs, so they are not
    checked. ``allowed`` are strings the organisation publishes on purpose (its own contact details
    written into an approved template); shared mailboxes such as contact@ and service numbers
    (toll-free, 08…) are allowed too.
    """
    if channel != "public":
        return []
    allowed_set = {value.strip() for value in allowed if value.strip()}
    findings = []
    for span in find_personal_data(text, tuple(order_patterns)):
        value = text[span.start : span.end]
        if value.strip() in allowed_set:
            continue
        if span.kind == EMAIL and _ROLE_MAILBOXES.match(value):
            continue
        if span.kind == PHONE and _is_service_number(value):
            continue
        findings.append(
            Finding(
                "personal_data",
                BLOCK,
                _(
                    "La réponse publique contient %(kind)s : retirez-la et proposez plutôt de poursuivre "
                    "en message privé."
                )
                % {"kind": _kind_label(span.kind)},
                span.start,
                span.end,
            )
        )
    return findings


def template_contacts(template_body: str | None, order_patterns: Iterable[str] = ()) -> list[str]:
    """The personal-data-looking strings a manager wrote into a template (the organisation's own)."""
    if not template_body:
        return []
    return [template_body[s.start : s.end] for s in find_personal_data(template_body, tuple(order_patterns))]
