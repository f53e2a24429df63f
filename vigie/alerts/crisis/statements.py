"""Drafting a crisis statement: the holding statement of the playbook, the organisation's own
templates, and the reply quality gate run on every draft.

A statement is the organisation speaking on its own account, not an answer to a customer: the gate
runs with no answered item, in the organisation's language, on no platform in particular (each
target platform's length is checked again when the statement is published).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from vigie.alerts.models import Crisis, PlaybookItem
from vigie.core.models import Membership, Organisation
from vigie.core.tenancy import scoped
from vigie.inbox.models import Template
from vigie.inbox.quality import check_reply, is_blocked
from vigie.inbox.templating.render import render_template

# An organisation replaces Vigie's wording by writing a template with this key (one variant per
# language); the playbook's "holding statement" step then drafts from it.
HOLDING_TEMPLATE_KEY = "declaration-attente"

# Words that mark the playbook step about the holding statement (French and English charters).
_HOLDING_STEP_WORDS = ("déclaration d'attente", "declaration d'attente", "holding statement")


def _default_holding_text() -> str:
    # Translated at call time, under the organisation's language.
    return _(
        "Nous avons connaissance des difficultés signalées ces dernières heures et nous les prenons "
        "très au sérieux. Nos équipes sont mobilisées pour en établir les causes et y remédier. "
        "Nous reviendrons vers vous ici au plus tard à [[à compléter : heure du prochain point]].\n"
        "{{organisation}}"
    )


def is_holding_step(step: PlaybookItem) -> bool:
    """Whether ``step`` is the playbook's "publish a holding statement" step."""
    title = step.title.lower().replace("’", "'")
    return any(words in title for words in _HOLDING_STEP_WORDS)


def holding_statement(crisis: Crisis) -> tuple[str, Template | None]:
    """The holding statement to draft for ``crisis``: the organisation's template
    ``declaration-attente`` in its language if it wrote one, else Vigie's wording; its variables
    filled, its fill-ins (the time of the next update) left for the spokesperson."""
    organisation = crisis.organisation
    language = organisation.language or "fr"
    variants = scoped(Template, organisation).filter(key=HOLDING_TEMPLATE_KEY, platform="")
    template = variants.filter(language=language).first() or variants.first()
    with translation.override(language):
        body = template.body if template is not None else _default_holding_text()
    return fill_template(body, organisation), template


def fill_template(body: str, organisation: Organisation) -> str:
    """A template body with the organisation's variables filled; customer variables (no customer
    here) are removed, fill-ins stay for the author."""
    context: dict[str, str | None] = {
        "organisation": organisation.name,
        "customer_name": "",
        "case_reference": "",
        "location": "",
        "platform": "",
    }
    return render_template(body, context).text


def gate_findings(
    body: str,
    organisation: Organisation,
    *,
    membership: Membership | None,
    template: Template | None = None,
    platform: str = "",
) -> list[dict[str, Any]]:
    """The quality gate's findings on a statement, as stored and shown (messages in the active
    language)."""
    findings = check_reply(
        body,
        platform=platform,
        language=organisation.language or "fr",
        organisation=organisation,
        membership=membership,
        template_body=template.body if template is not None else None,
        channel="public",
    )
    return [finding.as_dict() for finding in findings]


def blocked(findings: list[dict[str, Any]]) -> bool:
    """Whether stored findings hold one that forbids the statement from going out."""
    return any(finding.get("severity") == "block" for finding in findings)


__all__ = [
    "HOLDING_TEMPLATE_KEY",
    "blocked",
    "fill_template",
    "gate_findings",
    "holding_statement",
    "is_blocked",
    "is_holding_step",
]
