"""The checks that forbid sending: empty, unfilled placeholders, too long, personal data in public."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import phonenumbers
from django.utils.translation import gettext as _

from vigie.analysis.detectors import ADDRESS, CARD, EMAIL, IBAN, ORDER_NUMBER, PHONE, find_personal_data
from vigie.connectors.platforms import platform_name
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


# Placeholder words, accents and case aside: "[NOM]", "<prénom>", "{PRENOM}", "[date du rappel]".
_PLACEHOLDER_WORDS_TEXT = (
    "nom prenom prenoms name names firstname surname lastname first last client cliente customer "
    "date heure time numero number num montant amount agence ville city adresse address email mail "
    "telephone tel phone reference ref lien link url signature produit product commande order magasin "
    "store societe company entreprise agent conseiller conseillere destinataire interlocuteur todo tbd "
    "completer complete insert inserer variable xxx pseudo handle delai"
)
_PLACEHOLDER_WORDS = frozenset(_PLACEHOLDER_WORDS_TEXT.split())
_WORD_RE = re.compile(r"[^\W\d_]+")
# Variable syntaxes the template language does not know, or placeholders typed by hand.
_STRAY_PLACEHOLDER_RES = (
    re.compile(r"\{\{[^{}\n]{0,60}\}\}"),  # {{ client.nom }}, {{prénom client}}
    re.compile(r"(?<!\{)\{\s*[a-zà-ÿ_][\wÀ-ÿ .'’-]{0,40}\}(?!\})"),  # {prenom}, {name}, {first name}
    re.compile(r"\$\{[^{}\n]{1,40}\}"),  # ${name}
    re.compile(r"%\([A-Za-z_]\w*\)[sd]|(?<![\w%])%[sd](?!\w)|%[A-Z_]{2,30}%"),  # %(name)s, %s, %NOM%
    re.compile(r"(?<!\w)(?:X{2,8}|x{3,8})(?!\w)"),  # XXX, XX (a long run of x is text, not a placeholder)
    re.compile(r"_{3,}"),  # ___
    re.compile(r"<\s*[^\W\d][\w .'’-]{0,40}>"),  # <prénom>, <NOM DU CLIENT>
)
# Brackets and uppercase braces hold a placeholder only when they name one ("[NOM]", not "[sic]",
# "{ETE}" a promo code).
_BRACKETED_RE = re.compile(r"\[\s*([^\[\]\n]{1,40}?)\s*\]|(?<!\{)\{\s*([^{}\n]{1,40}?)\s*\}(?!\})")


def _plain(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def _names_a_placeholder(content: str) -> bool:
    return any(_plain(word) in _PLACEHOLDER_WORDS for word in _WORD_RE.findall(content))


def stray_placeholders(text: str) -> list[tuple[int, int]]:
    """Placeholders outside the template language: ``{name}``, ``[NOM]``, ``XXX``, ``<prénom>``…"""
    spans = [(m.start(), m.end()) for pattern in _STRAY_PLACEHOLDER_RES for m in pattern.finditer(text)]
    spans += [
        (m.start(), m.end())
        for m in _BRACKETED_RE.finditer(text)
        if _names_a_placeholder(m.group(1) or m.group(2) or "")
    ]
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


def check_placeholders(text: str) -> list[Finding]:
    """Variables the case could not fill, ``[[à compléter : …]]`` the agent has not written, and
    any other placeholder syntax left in the text (``{prenom}``, ``[NOM]``, ``XXX``, ``<prénom>``)."""
    findings = []
    known = [(start, end) for start, end, _label in unfilled_placeholders(text)]
    for start, end in known:
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
    for start, end in stray_placeholders(text):
        if any(k_start < end and start < k_end for k_start, k_end in known):
            continue
        findings.append(
            Finding(
                "placeholder",
                BLOCK,
                _(
                    "« %(placeholder)s » ressemble à une variable ou à un champ à remplir oublié : "
                    "remplacez-le par le texte voulu avant d'envoyer."
                )
                % {"placeholder": text[start:end]},
                start,
                end,
            )
        )
    return sorted(findings, key=lambda finding: finding.start or 0)


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
        "weighted": _("caractères (un emoji en compte 2)"),
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
                "platform": platform_name(platform),
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
    order_patterns: Iterable[str | tuple[str, str]] = (),
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


def template_contacts(
    template_body: str | None, order_patterns: Iterable[str | tuple[str, str]] = ()
) -> list[str]:
    """The personal-data-looking strings a manager wrote into a template (the organisation's own)."""
    if not template_body:
        return []
    return [template_body[s.start : s.end] for s in find_personal_data(template_body, tuple(order_patterns))]
