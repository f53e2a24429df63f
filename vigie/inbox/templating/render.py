"""Template bodies: variables such as ``{{customer_name}}`` and required fill-ins such as
``[[à compléter : date du rappel]]``.

A variable is filled from the case (customer, location, signature, reference, platform); a fill-in
is something only the agent knows, so it stays in the draft until the agent writes it, and the
quality gate refuses to send a reply that still holds one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vigie.core.models import Membership, Organisation, User
    from vigie.inbox.models import Case, Template
    from vigie.mentions.models import Mention

# The variables a template may use. French aliases are accepted because managers write templates
# in French first (and the demo library predates the English names).
VARIABLES: tuple[str, ...] = (
    "customer_name",
    "location",
    "signature",
    "case_reference",
    "platform",
    "agent_name",
    "organisation",
)
ALIASES: dict[str, str] = {
    "prenom_client": "customer_name",
    "nom_client": "customer_name",
    "client": "customer_name",
    "agence": "location",
    "lieu": "location",
    "reference": "case_reference",
    "reference_dossier": "case_reference",
    "plateforme": "platform",
    "agent": "agent_name",
    "prenom_agent": "agent_name",
}
_KNOWN = {*VARIABLES, *ALIASES}

VARIABLE_RE = re.compile(r"\{\{\s*([A-Za-z_][\w]*)\s*\}\}")
# Older single-brace bodies ("{prenom_client}"): only known names, so ordinary braces stay text.
_LEGACY_NAMES = "|".join(sorted(_KNOWN, key=len, reverse=True))
LEGACY_VARIABLE_RE = re.compile(r"(?<!\{)\{(" + _LEGACY_NAMES + r")\}(?!\})")
FILL_IN_RE = re.compile(r"\[\[\s*([^\[\]]*?)\s*\]\]")


def canonical(name: str) -> str:
    """The English name of a variable (its alias resolved)."""
    return ALIASES.get(name, name)


@dataclass(frozen=True)
class Rendered:
    """A rendered body. ``missing`` lists variables the context could not fill (left in the text);
    ``fill_ins`` lists what the agent still has to write, one label per ``[[…]]`` without its
    "à compléter :" mark ("date du rappel")."""

    text: str
    missing: list[str]
    fill_ins: list[str] = field(default_factory=list)


def render_template(body: str, context: Mapping[str, str | None]) -> Rendered:
    """Fill the variables of ``body`` from ``context``.

    A variable whose value is None or absent stays as written and is listed in ``missing``; an
    empty string removes it together with the space before it ("Bonjour {{customer_name}}," becomes
    "Bonjour," when the customer's name is unknown). Required fill-ins are left for the agent.
    """
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = canonical(match.group(1))
        value = context.get(name)
        if value is None:
            if name not in missing:
                missing.append(name)
            return match.group(0)
        return value

    text = _drop_empty(body, context)
    text = VARIABLE_RE.sub(substitute, text)
    text = LEGACY_VARIABLE_RE.sub(substitute, text)
    fill_ins = [fill_in_label(match.group(1)) for match in FILL_IN_RE.finditer(text)]
    return Rendered(text=text, missing=missing, fill_ins=fill_ins)


# The words that mark a fill-in ("[[à compléter : date du rappel]]", "[[to complete: date]]"): the
# label is what follows them, so a page saying "À compléter par l'agent :" does not say it twice.
_FILL_IN_MARK_RE = re.compile(
    r"^\s*(?:[àa]\s+compl[ée]ter|to\s+(?:complete|fill\s+in))\s*(?::\s*|$)", re.IGNORECASE
)


def fill_in_label(inside: str) -> str:
    """What the agent has to write, from the inside of a ``[[…]]``: "date du rappel" for
    ``[[à compléter : date du rappel]]``, "…" for a bare ``[[à compléter]]``."""
    label = _FILL_IN_MARK_RE.sub("", inside, count=1).strip()
    return label or "…"


def _drop_empty(body: str, context: Mapping[str, str | None]) -> str:
    empty = {name for name, value in context.items() if value == ""}
    if not empty:
        return body

    def drop(match: re.Match[str]) -> str:
        return "" if canonical(match.group(2)) in empty else match.group(0)

    body = re.sub(r"([ \t]?)\{\{\s*([A-Za-z_]\w*)\s*\}\}", drop, body)
    return re.sub(r"([ \t]?)(?<!\{)\{(" + _LEGACY_NAMES + r")\}(?!\})", drop, body)


def unfilled_placeholders(text: str) -> list[tuple[int, int, str]]:
    """Every variable or fill-in still in ``text``, as ``(start, end, label)`` in text order."""
    found = [(m.start(), m.end(), canonical(m.group(1))) for m in VARIABLE_RE.finditer(text)]
    found += [(m.start(), m.end(), canonical(m.group(1))) for m in LEGACY_VARIABLE_RE.finditer(text)]
    found += [(m.start(), m.end(), m.group(1)) for m in FILL_IN_RE.finditer(text)]
    return sorted(found)


def template_context(case: Case, membership: Membership | None) -> dict[str, str | None]:
    """The values of a case's variables for the member drafting the reply.

    The customer's name is their display name's first word (or empty when unknown, so the
    greeting still reads well); the signature follows the charter's pattern.
    """
    return draft_context(case.organisation, membership, mention=case.mention, case_reference=case.reference)


def draft_context(
    organisation: Organisation,
    membership: Membership | None,
    *,
    mention: Mention | None = None,
    case_reference: str | None = None,
    platform: str = "",
) -> dict[str, str | None]:
    """The variables' values for a draft answering ``mention`` (if known) on ``platform``.

    What is not known stays unfilled (None): the case reference without a case, the customer's name
    without a mention.
    """
    from vigie.charter.queries import current_charter

    author = mention.author if mention is not None else None
    display = (author.display_name or "").strip() if author is not None else ""
    customer: str | None = (display.split()[0] if display else "") if mention is not None else None
    user = membership.user if membership is not None else None
    agent_first_name = _first_name(user) if user is not None else ""
    charter = current_charter(organisation)
    signature = _format_signature(charter.signature, agent_first_name, organisation.name)
    location = (
        mention.location.name
        if mention is not None and mention.location_id and mention.location
        else organisation.name
    )
    if mention is not None and mention.source_id:
        platform = mention.source.platform
    return {
        "customer_name": customer,
        "location": location,
        "signature": signature,
        "case_reference": case_reference,
        "platform": platform,
        "agent_name": agent_first_name,
        "organisation": organisation.name,
    }


def approved_template_text(
    template: Template | None,
    membership: Membership | None,
    *,
    case: Case | None = None,
    organisation: Organisation | None = None,
    mention: Mention | None = None,
    platform: str = "",
) -> str:
    """What the quality gate's ``approved_template`` wants: the text of the *pre-approved*
    ``template`` a draft started from, its variables filled from ``case`` (or, without a case, from
    ``mention``, ``organisation`` and ``platform``); "" for no template or one not pre-approved.

    The reply composer, ``POST /api/v1/replies/check`` and ``vigie reply check --template`` all
    call it, so a draft from a pre-approved template is judged the same way everywhere.
    """
    if template is None or not template.pre_approved:
        return ""
    if case is None and mention is not None:
        case = _case_of(mention)
    if case is not None:
        context = template_context(case, membership)
    else:
        context = draft_context(
            organisation or template.organisation, membership, mention=mention, platform=platform
        )
    return render_template(template.body, context).text


def _case_of(mention: Mention) -> Case | None:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return mention.case
    except ObjectDoesNotExist:  # a mention no routing rule turned into a case
        return None


def _first_name(user: User) -> str:
    if user.first_name.strip():
        return user.first_name.strip()
    # No first name on file: the e-mail's local part ("marie.dupont@…" signs "Marie").
    return user.email.split("@")[0].split(".")[0].capitalize()


def _format_signature(pattern: str, agent_first_name: str, organisation: str) -> str:
    values = {"agent_first_name": agent_first_name, "organisation": organisation}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), pattern).strip(" ,")
