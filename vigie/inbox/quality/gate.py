"""``check_reply``: every check of the reply quality gate, in one call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vigie.inbox.quality import blocking, commitments, places, respect, similarity, spelling, tone
from vigie.inbox.quality.context import GateContext, gate_context
from vigie.inbox.quality.findings import BLOCK, Finding
from vigie.inbox.quality.language import check_language, detect_language

if TYPE_CHECKING:
    from vigie.core.models import Membership, Organisation
    from vigie.mentions.models import Mention


def check_reply(
    text: str,
    *,
    platform: str,
    language: str,
    organisation: Organisation | None = None,
    mention: Mention | None = None,
    membership: Membership | None = None,
    template_body: str | None = None,
    channel: str = "public",
    approved_template: str = "",
) -> list[Finding]:
    """Every problem of the draft ``text`` to be posted on ``platform`` in ``language``.

    Blocking findings (``severity="block"``) forbid sending; warnings may be overridden by the
    agent (the caller logs the override). ``organisation`` brings its order-number patterns,
    names, jargon and recent replies; ``mention`` the answered item (its language and whether the
    customer is unhappy); ``membership`` the author's role (refunds and compensation are a
    manager's promise); ``template_body`` the template the draft started from (contact details a
    manager wrote there are the organisation's, not personal data); ``channel`` is "public" or a
    private channel, where personal data is expected. ``approved_template`` is the text of the
    *pre-approved* template the draft started from, its variables filled in: its phrases do not
    make the draft a copy of recent replies, and a draft that keeps it (edited no further than the
    charter's ``template_edit_threshold``) is not told what a complete answer should hold, the
    managers who approved it decided that. Messages are in the active language.

    Insults, contempt and sarcasm block. Commitments the charter reserves to a supervisor
    (refunds, gestures, money, fault, liability, short deadlines: ``approval.reply_commitments``)
    are warnings with ``needs_approval``: ``approval_findings`` picks them out for the approval step.
    """
    findings = blocking.check_empty(text)
    if findings:
        return findings
    context = gate_context(organisation, platform=platform, mention=mention, membership=membership)
    return check_with_context(
        text,
        platform=platform,
        language=language,
        context=context,
        template_body=template_body,
        channel=channel,
        approved_template=approved_template,
    )


def check_with_context(
    text: str,
    *,
    platform: str,
    language: str,
    context: GateContext,
    template_body: str | None = None,
    channel: str = "public",
    approved_template: str = "",
) -> list[Finding]:
    """``check_reply`` once the database has been read (the benchmark times this part)."""
    findings = blocking.check_empty(text)
    if findings:
        return findings
    language = (language or "")[:2].lower()
    findings += blocking.check_placeholders(text)
    findings += respect.check_respect(text)
    findings += blocking.check_length(text, platform)
    findings += blocking.check_personal_data(
        text,
        channel=channel,
        order_patterns=context.order_patterns,
        allowed=blocking.template_contacts(template_body, context.order_patterns),
    )
    detected = detect_language(text)
    findings += check_language(
        detected, context.mention_language or language, customer_language=bool(context.mention_language)
    )
    # Checking French words against an English dictionary would flag every word: the language
    # finding above already says what is wrong.
    written_in = detected or language
    if written_in == language:
        findings += spelling.check_spelling(text, language, context.protected_terms)
        findings += spelling.check_grammar(text, language)
    findings += tone.check_defensive(text, written_in)
    findings += tone.check_shouting(text, context.protected_terms)
    findings += tone.check_jargon(text, context.jargon)
    if not context.may_promise:
        # A supervisor's own reply needs no approval: their commitments are theirs to make.
        findings += commitments.check_commitments(
            text,
            written_in,
            topics=context.approval_topics,
            shortest_deadline_hours=context.shortest_deadline_hours,
        )
    kept_template = (
        bool(approved_template)
        and similarity.edit_ratio(approved_template, text) <= context.template_edit_threshold
    )
    if context.unhappy_customer and not kept_template:
        findings += tone.check_answer_elements(text, written_in, private_offer=channel == "public")
    findings += similarity.check_similarity(text, context.recent_replies, platform, approved_template)
    findings += places.check_other_place(
        text,
        here=context.location,
        here_names=context.location_names,
        elsewhere=context.other_location_names,
        customer_text=context.mention_text,
    )
    return sorted(findings, key=_order)


def _order(finding: Finding) -> tuple[int, int, str]:
    return (
        0 if finding.severity == BLOCK else 1,
        finding.start if finding.start is not None else -1,
        finding.code,
    )
