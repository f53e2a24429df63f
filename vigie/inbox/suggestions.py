"""Replies suggested for a case, ranked: the organisation's templates and its own past replies to
similar cases (approved and published), personalised with the case's fields and checked by the
quality gate. Reads only; nothing leaves the machine.

Similarity is over the analysis and the text: same type, shared themes, same platform, a close
rating, and words in common between the two customers' messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from vigie.core.models import Membership
from vigie.core.tenancy import scoped
from vigie.inbox.actions import gate_findings
from vigie.inbox.models import Case, Reply, ReplyChannel, ReplyStatus
from vigie.inbox.templating.queries import templates_for
from vigie.inbox.templating.render import _first_name, render_template, template_context
from vigie.mentions.models import Mention

# How many past replies are compared: the most recent ones, so the page stays fast.
PAST_REPLIES_SCANNED = 300
# A past reply below this score is not similar enough to suggest.
MIN_PAST_SCORE = 3.0
_WORD = re.compile(r"\w{4,}", re.UNICODE)


@dataclass(frozen=True)
class Suggestion:
    """One reply an agent may start from."""

    kind: str  # "template" or "past_reply"
    label: str
    body: str
    score: float
    reasons: list[str]
    findings: list[Any] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(f.severity == "block" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warn")


def _words(mention: Mention) -> set[str]:
    return {w.casefold() for w in _WORD.findall(f"{mention.title} {mention.text}")}


def similarity(current: Mention, past: Mention) -> tuple[float, list[str]]:
    """How alike two customers' messages are (0 to about 8), and why, in words."""
    score, reasons = 0.0, []
    if current.mention_type and current.mention_type == past.mention_type:
        score += 2
        reasons.append(_("même type"))
    themes, past_themes = set(current.themes or []), set(past.themes or [])
    if themes and past_themes:
        shared = len(themes & past_themes) / len(themes | past_themes)
        if shared:
            score += 2 * shared
            reasons.append(_("thèmes communs"))
    if current.source.platform == past.source.platform:
        score += 1
        reasons.append(_("même plateforme"))
    if current.rating is not None and past.rating is not None and abs(current.rating - past.rating) <= 1:
        score += 1
        reasons.append(_("note proche"))
    words, past_words = _words(current), _words(past)
    if words and past_words:
        common = len(words & past_words) / len(words | past_words)
        if common >= 0.1:
            score += 2 * min(1.0, common * 2)
            reasons.append(_("mots en commun"))
    return score, reasons


def _personalised(body: str, reply: Reply, case: Case, customer: str, agent: str) -> str:
    """A past reply with the former customer's first name and case reference replaced by this
    case's, and signed by the agent now writing instead of the colleague who wrote it."""
    past_case = reply.case
    body = body.replace(past_case.reference, case.reference)
    past = past_case.mention
    author = past.author
    former = (author.display_name or "").split()[0] if author is not None and author.display_name else ""
    if former and len(former) > 1:
        body = re.sub(rf"\b{re.escape(former)}\b", customer or "", body)
    body = re.sub(r"Bonjour\s+,", "Bonjour,", body)
    return _signed_by(body, reply, agent)


def _signed_by(body: str, reply: Reply, agent: str) -> str:
    """``body`` with its writer's first name, in the closing line, changed to ``agent``'s: a
    suggestion taken from Julien's reply is not sent by Emma signed "Julien"."""
    writer = _first_name(reply.author) if reply.author is not None else ""
    if not agent or not writer or len(writer) < 2 or writer.casefold() == agent.casefold():
        return body
    lines = body.rstrip().split("\n")
    last = len(lines) - 1
    lines[last] = re.sub(rf"\b{re.escape(writer)}\b", agent, lines[last])
    return "\n".join(lines)


def _template_suggestions(case: Case, membership: Membership, context: dict[str, Any]) -> list[Suggestion]:
    suggested = [int(i) for i in case.suggested_template_ids or [] if str(i).isdigit()]
    found = []
    for rank, template in enumerate(templates_for(case, membership)):
        score, reasons = 1.0 - rank * 0.05, []
        if template.pk in suggested:
            score += 4 - 0.1 * suggested.index(template.pk)
            reasons.append(_("proposé par le schéma de traitement"))
        if template.pre_approved:
            score += 0.5
            reasons.append(_("pré-approuvé"))
        shared = set(template.themes or []) & set(case.mention.themes or [])
        if shared:
            score += len(shared)
            reasons.append(_("thèmes communs"))
        body = render_template(template.body, context).text
        found.append(Suggestion("template", template.name, body, score, reasons))
    return found


def _past_suggestions(case: Case, context: dict[str, Any]) -> list[Suggestion]:
    mention = case.mention
    replies = (
        scoped(Reply, case.organisation)
        .filter(
            channel=ReplyChannel.PUBLIC,
            status__in=[ReplyStatus.PUBLISHED, ReplyStatus.POSTED_BY_HAND],
        )
        .filter(Q(approved_at__isnull=False) | Q(published_at__isnull=False))
        .exclude(case=case)
        .select_related("author", "case__mention__source", "case__mention__author")
        .order_by("-published_at", "-pk")[:PAST_REPLIES_SCANNED]
    )
    found, seen = [], set()
    for reply in replies:
        past = reply.case.mention
        score, reasons = similarity(mention, past)
        if score < MIN_PAST_SCORE or reply.body in seen:
            continue
        seen.add(reply.body)
        customer, agent = str(context.get("customer_name") or ""), str(context.get("agent_name") or "")
        body = _personalised(reply.body, reply, case, customer, agent)
        label = _("Réponse publiée au dossier %(reference)s") % {"reference": reply.case.reference}
        found.append(Suggestion("past_reply", label, body, score, reasons))
    return found


def suggest_replies(case: Case, membership: Membership, *, limit: int = 3) -> list[Suggestion]:
    """The best ``limit`` replies to start from, each with the gate's findings on it."""
    context = template_context(case, membership)
    candidates = _template_suggestions(case, membership, context) + _past_suggestions(case, context)
    candidates.sort(key=lambda s: -s.score)
    chosen = []
    for suggestion in candidates[:limit]:
        probe = Reply(
            organisation=case.organisation, case=case, body=suggestion.body, channel=ReplyChannel.PUBLIC
        )
        chosen.append(
            Suggestion(
                suggestion.kind,
                suggestion.label,
                suggestion.body,
                suggestion.score,
                suggestion.reasons,
                gate_findings(probe, membership),
            )
        )
    return chosen
