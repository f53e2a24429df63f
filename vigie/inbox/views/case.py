"""One case's page: the item, its analysis and corrections, the timeline, assignment, status,
notes and the author's flags."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vigie.analysis.models import CorrectedField
from vigie.analysis.queries import MentionAnalysis, mention_analysis, reader_theme_choices
from vigie.connectors.platforms import item_url, platform_facts, platform_name
from vigie.core.decorators import current_membership, member_required
from vigie.core.models import AuditEvent
from vigie.core.queries import organisation_members
from vigie.core.roles import HANDLE_CASES, MANAGE, READ
from vigie.inbox.actions import (
    approval_reasons,
    do_add_note,
    do_assign_case,
    do_set_case_status,
    join_reasons,
)
from vigie.inbox.drafting import llm_available
from vigie.inbox.forms import (
    AnalysisCorrectionForm,
    AssignForm,
    AuthorFlagsForm,
    NoteForm,
    ReplyForm,
    SendBackForm,
    StatusForm,
)
from vigie.inbox.handling import (
    Closing,
    Moderation,
    do_close_case,
    do_correct_case_analysis,
    do_moderate_case,
    no_answer_label,
    platform_moderation,
)
from vigie.inbox.models import CaseStatus, PublicationState, Reply, ReplyChannel, ReplyStatus
from vigie.inbox.presence import HEARTBEAT_SECONDS, beat
from vigie.inbox.quality.labels import finding_label
from vigie.inbox.queries import (
    CaseDetail,
    case_detail,
    get_case,
    open_draft,
    replies_version,
    unknown_mentions,
)
from vigie.inbox.routing.timeline import describe_routing_event
from vigie.inbox.suggestions import suggest_replies
from vigie.inbox.views.conversation import conversation, event_actor_name, person_name
from vigie.mentions.actions import do_set_author_flags
from vigie.mentions.models import AuthorFlag, MentionType, Sentiment

# Messages shown beside the note box (the page returns to #notes), not at the page's top.
NOTES_MESSAGE = "in-section notes"

PERSONAL_DATA_LABELS = {
    "email": gettext_lazy("adresse e-mail"),
    "phone": gettext_lazy("numéro de téléphone"),
    "iban": gettext_lazy("IBAN"),
    "card": gettext_lazy("numéro de carte"),
    "address": gettext_lazy("adresse postale"),
    "order_number": gettext_lazy("numéro de commande ou de client"),
}


def personal_data_kinds(analysis: MentionAnalysis) -> list[str]:
    """The kinds of personal data found, worded for people, without repeats."""
    kinds = dict.fromkeys(str(span.get("kind")) for span in analysis.personal_data)
    return [str(PERSONAL_DATA_LABELS.get(kind, kind)) for kind in kinds]


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's history, worded for people."""

    event: AuditEvent
    text: str


def _status_label(value: Any) -> str:
    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return str(value)


def _member_name(event: AuditEvent, email: Any) -> str:
    """The name of the member the event names by address; the address when nobody has it now."""
    membership = (
        organisation_members(event.organisation).filter(user__email__iexact=str(email)).first()
        if event.organisation_id
        else None
    )
    return str(membership.user.get_full_name() or email) if membership else str(email)


def describe_event(event: AuditEvent) -> str:
    """A sentence for an audit event of a case; unknown verbs are shown as they are."""
    data = event.data or {}
    if event.verb == "case.assigned":
        # The log keeps addresses ("to", or "assignee" in the demo's history); people read names.
        assignee = data.get("to") or data.get("assignee")
        if assignee:
            return _("Attribué à %(who)s") % {"who": _member_name(event, assignee)}
        if data.get("from"):
            return _("Attribution retirée (était %(who)s)") % {"who": _member_name(event, data["from"])}
        return _("Attribution retirée")
    if event.verb == "case.status_changed":
        return _("Statut : %(old)s → %(new)s") % {
            "old": _status_label(data.get("from")),
            "new": _status_label(data.get("to")),
        }
    if event.verb == "case.created":
        return _("Dossier créé")
    handled = _describe_handling(event.verb, data)
    if handled:
        return handled
    text = _describe_work(event.verb, data) or describe_routing_event(event)
    if text:
        return text
    if event.verb == "analysis.corrected":
        field = str(data.get("field", ""))
        labels = _correction_labels(event, field)
        return _("Analyse corrigée (%(field)s) : %(old)s → %(new)s") % {
            "field": CorrectedField(field).label if field in CorrectedField.values else _("analyse"),
            "old": _correction_value(data.get("from"), labels),
            "new": _correction_value(data.get("to"), labels),
        }
    # A step recorded by an app this page does not know yet: said plainly, never its code.
    return _("Étape enregistrée")


def _describe_work(verb: str, data: dict[str, Any]) -> str:
    # Replies, notes and tags: the steps of answering a case, in the words agents use.
    if verb == "case.note_added":
        if data.get("mentioned"):
            return _("Note interne ajoutée (mentionne %(who)s)") % {"who": ", ".join(data["mentioned"])}
        return _("Note interne ajoutée")
    if verb == "case.tagged":
        return _("Étiquette ajoutée : %(tag)s") % {"tag": data.get("tag", "")}
    if verb == "author.flags_changed":
        return _("Qualification de l'auteur : %(flags)s") % {
            "flags": ", ".join(str(AuthorFlag(f).label) for f in data.get("to", []) if f in AuthorFlag.values)
            or "—"
        }
    if verb == "reply.drafted":
        return _("Brouillon de réponse commencé")
    if verb == "reply.warnings_overridden":
        return _("Avertissements ignorés (%(codes)s) : %(reason)s") % {
            "codes": ", ".join(finding_label(str(code)) for code in data.get("codes", [])),
            "reason": data.get("reason", ""),
        }
    if verb == "reply.submitted":
        if data.get("approval"):
            return _("Réponse soumise à validation : %(reasons)s") % {
                "reasons": join_reasons(data.get("reasons", []))
            }
        return _("Réponse envoyée à la publication")
    if verb == "reply.approved":
        return _("Réponse validée")
    if verb == "reply.publication_queued":
        return _("Réponse mise en file de publication (%(platform)s)") % {
            "platform": platform_name(str(data.get("platform", "")))
        }
    if verb == "reply.publication_manual":
        return _("Réponse à publier à la main sur %(platform)s") % {
            "platform": platform_name(str(data.get("platform", "")))
        }
    if verb == "reply.published":
        return _("Réponse publiée sur la plateforme")
    if verb == "reply.sent_back":
        return _("Réponse renvoyée pour correction : %(comment)s") % {"comment": data.get("comment", "")}
    step = _PLAIN_STEPS.get(verb)
    return str(step) if step is not None else ""


# Steps recorded by publishing and the private channel, told in one sentence each.
_PLAIN_STEPS = {
    "reply.publication_failed": gettext_lazy("Échec de publication de la réponse"),
    "reply.publication_unknown": gettext_lazy("Publication incertaine : à vérifier sur la plateforme"),
    "reply.publication_retried": gettext_lazy("Publication relancée"),
    "reply.publication_confirmed": gettext_lazy("Publication confirmée sur la plateforme"),
    "reply.publication_absent": gettext_lazy("Réponse introuvable sur la plateforme"),
    "reply.posted_by_hand": gettext_lazy("Réponse publiée à la main"),
    "reply.edited_on_platform": gettext_lazy("Réponse modifiée sur la plateforme"),
    "reply.deleted_on_platform": gettext_lazy("Réponse supprimée sur la plateforme"),
    "reply.failed": gettext_lazy("Échec de publication de la réponse"),
    "case.resolved": gettext_lazy("Dossier résolu"),
    "case.no_answer": gettext_lazy("Clos : pas de réponse nécessaire"),
    "case.private_thread_opened": gettext_lazy("Échange privé ouvert"),
    "case.private_email_queued": gettext_lazy("E-mail au client en file d'envoi"),
    "case.private_email_sent": gettext_lazy("E-mail envoyé au client"),
    "case.private_email_resent": gettext_lazy("E-mail renvoyé au client"),
    "case.private_email_failed": gettext_lazy("Échec d'envoi de l'e-mail au client"),
    "case.private_email_received": gettext_lazy("E-mail reçu du client"),
    "case.private_message_queued": gettext_lazy("Message privé au client en file d'envoi"),
    "case.private_message_sent": gettext_lazy("Message privé envoyé au client"),
    "case.private_message_failed": gettext_lazy("Échec d'envoi du message privé au client"),
    "case.private_message_received": gettext_lazy("Message privé reçu du client"),
    "case.callback_logged": gettext_lazy("Rappel téléphonique consigné"),
    "case.external_ticket_linked": gettext_lazy("Ticket externe lié"),
}


_MODERATION_WORDS = {
    Moderation.SPAM: gettext_lazy("Marqué comme indésirable (spam)"),
    Moderation.TROLL: gettext_lazy("Marqué comme troll"),
    Moderation.HIDDEN: gettext_lazy("Message masqué sur la plateforme (à la main)"),
    Moderation.DELETED: gettext_lazy("Message supprimé sur la plateforme (à la main)"),
    Moderation.REPORTED: gettext_lazy("Message signalé à la plateforme"),
}
_ON_PLATFORM_WORDS = {
    Moderation.HIDDEN: gettext_lazy("Message masqué sur la plateforme par Vigie"),
    Moderation.DELETED: gettext_lazy("Message supprimé sur la plateforme par Vigie"),
}


def _describe_handling(verb: str, data: dict[str, Any]) -> str:
    # Re-decisions, moderation and closing (vigie.inbox.handling).
    if verb == "case.redecided":
        before, after = data.get("before") or {}, data.get("after") or {}
        parts = [_("Dossier réévalué après correction de l'analyse")]
        if before.get("priority") != after.get("priority"):
            parts.append(
                _("priorité %(old)s → %(new)s")
                % {"old": before.get("priority"), "new": after.get("priority")}
            )
        if before.get("sla_due_at") != after.get("sla_due_at"):
            parts.append(_("échéance recalculée") if after.get("sla_due_at") else _("plus d'échéance"))
        if before.get("team") != after.get("team"):
            parts.append(_("équipe : %(team)s") % {"team": after.get("team") or "—"})
        return " · ".join(str(part) for part in parts)
    if verb == "case.moderated":
        try:
            action = Moderation(str(data.get("action")))
            text = str(_MODERATION_WORDS[action])
        except (ValueError, KeyError):
            return ""
        if data.get("by_hand") is False:
            text = str(_ON_PLATFORM_WORDS.get(action, text))
        return f"{text} : {data['note']}" if data.get("note") else text
    if verb == "case.closed":
        if data.get("how") == "erased":
            return _("Clos : données de la personne effacées à sa demande (RGPD)")
        if data.get("how") == Closing.ANSWERED_ELSEWHERE:
            return _("Clos : déjà répondu ailleurs")
        return _("Clos : pas de réponse nécessaire")
    if verb == "case.answered_on_platform":
        # Read from the platform: the organisation answered there (not through Vigie).
        platform = platform_name(str(data.get("platform", "")))
        return _("Clos : une réponse de l'établissement est déjà publiée sur %(platform)s") % {
            "platform": platform
        }
    return ""


def _correction_labels(event: AuditEvent, field: str) -> dict[str, str]:
    # The corrected values are codes (sentiment, type, theme slugs): people read their labels.
    if field == CorrectedField.SENTIMENT:
        return {str(k): str(v) for k, v in Sentiment.choices}
    if field == CorrectedField.TYPE:
        return {str(k): str(v) for k, v in MentionType.choices}
    if field == CorrectedField.THEMES:
        return dict(reader_theme_choices(event.organisation))
    return {}


def _correction_value(value: Any, labels: dict[str, str]) -> str:
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value) or "—"
    return labels.get(str(value), str(value)) if value not in (None, "") else "—"


def safe_url(url: str) -> str:
    """``url`` if it is a web address, else "": a platform's link must never run script."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def _render_case(
    request: HttpRequest,
    detail: CaseDetail,
    *,
    assign_form: AssignForm | None = None,
    status_form: StatusForm | None = None,
    correction_form: AnalysisCorrectionForm | None = None,
    note_form: NoteForm | None = None,
    reply_form: ReplyForm | None = None,
    findings: list[Any] | None = None,
    conflict: Any = None,
    status: int = 200,
) -> HttpResponse:
    # The outbox's views import this module (findings_context): imported here, not at the top.
    from vigie.inbox.outbox.views import private_channel_context, publication_context

    member = current_membership(request)
    case = detail.case
    can_handle = member.can(HANDLE_CASES)
    draft = open_draft(case) if can_handle else None
    if can_handle and reply_form is None:
        reply_form = ReplyForm(
            initial={
                "body": draft.body if draft else "",
                "template": draft.template_id if draft else None,
                "channel": draft.channel if draft else ReplyChannel.PUBLIC,
            },
            case=case,
            membership=member,
        )
    sent_back = None
    if draft is not None and draft.status == ReplyStatus.SENT_BACK:
        sent_back = next(
            (
                e
                for e in reversed(detail.timeline)
                if e.verb == "reply.sent_back" and e.data.get("reply") == draft.pk
            ),
            None,
        )
    if can_handle:
        assign_form = assign_form or AssignForm(
            initial={"assignee": str(case.assignee_id or "")}, membership=member
        )
        status_form = status_form or StatusForm(initial={"status": case.status})
    mention = detail.mention.mention
    if can_handle:
        correction_form = correction_form or AnalysisCorrectionForm(mention=mention)
    analysis = mention_analysis(mention)
    publication = publication_context(case, member)
    # One answer at a time: while a reply waits for a supervisor, or for someone to post it by
    # hand on a platform without a reply API, no second one is started.
    pending = (
        next((r for r in detail.replies if r.status == ReplyStatus.AWAITING_APPROVAL), None)
        if draft is None
        else None
    )
    awaiting_hand = draft is None and any(
        row.publication.state == PublicationState.MANUAL for row in publication["publication_rows"]
    )
    # Said before "Envoyer", not after: what the case itself asks (a low rating, legal risk, the
    # scheme) sends an agent's reply to a supervisor, whatever its words.
    approval_notice = (
        join_reasons(
            approval_reasons(
                Reply(organisation=case.organisation, case=case, channel=ReplyChannel.PUBLIC, body=""), member
            )
        )
        if can_handle and case.is_open and not member.can(MANAGE)
        else ""
    )
    return render(
        request,
        "inbox/case_detail.html",
        {
            "nav": "inbox",
            "detail": detail,
            "approval_notice": approval_notice,
            "case": case,
            "mention": mention,
            "author": detail.mention.author,
            "other_mentions": detail.mention.other_mentions,
            "mention_url": safe_url(item_url(mention.source.platform, mention)),
            "author_url": safe_url(detail.mention.author.profile_url) if detail.mention.author else "",
            "timeline": [TimelineEntry(event, describe_event(event)) for event in detail.timeline],
            "can_handle": can_handle,
            "assign_form": assign_form,
            "status_form": status_form,
            "assigned_to_me": case.assignee_id == member.user_id,
            "analysis": analysis,
            "personal_data_kinds": personal_data_kinds(analysis),
            "correction_form": correction_form,
            "theme_labels": dict(reader_theme_choices(mention.organisation, extra=mention.themes)),
            "notes": detail.notes,
            "thread": detail.thread,
            "note_form": note_form or (NoteForm() if can_handle else None),
            "flags_form": AuthorFlagsForm(initial={"flags": list(detail.mention.author.flags or [])})
            if can_handle and detail.mention.author
            else None,
            "author_flags": [
                AuthorFlag(f).label for f in (detail.mention.author.flags or []) if f in AuthorFlag.values
            ]
            if detail.mention.author
            else [],
            "reply_form": reply_form,
            "draft": draft,
            "sent_back": sent_back,
            "sent_back_by": event_actor_name(sent_back) if sent_back is not None else "",
            "suggested_ids": {int(i) for i in case.suggested_template_ids or [] if str(i).isdigit()},
            "can_approve": member.can(MANAGE),
            "reply_pending": pending,
            "reply_pending_author": person_name(pending.author) if pending is not None else "",
            "awaiting_hand": awaiting_hand,
            "send_back_form": SendBackForm() if member.can(MANAGE) else None,
            **findings_context(findings or [], "checked" if findings else ""),
            "suggestions": suggest_replies(case, member) if can_handle and case.is_open else [],
            "llm_available": llm_available(),
            "conversation": conversation(detail, describe_event),
            "no_answer_label": no_answer_label(case),
            "replies_version": replies_version(case),
            "conflict": conflict,
            "heartbeat_seconds": HEARTBEAT_SECONDS,
            "moderation_steps": platform_moderation(mention.source.platform) if can_handle else [],
            # Hide and delete go through the connector where there is one, else are done by hand.
            "moderation_by_connector": platform_facts(mention.source.platform).connected,
            # An answer already on the platform that a reply from here would replace (Google,
            # Trustpilot, the stores keep one answer per review): said before anyone writes.
            "platform_reply_replaced": bool(mention.owner_reply_text)
            and platform_facts(mention.source.platform).reply_replaces,
            **publication,
            **private_channel_context(case, member),
        },
        status=status,
    )


@member_required(READ)
@require_GET
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One case in full: the mention, its author, the analysis, replies, forms and timeline."""
    return _render_case(request, case_detail(current_membership(request).organisation, pk))


@member_required(HANDLE_CASES)
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the case to someone (or to nobody). Agents and above."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    form = AssignForm(request.POST, membership=member)
    if form.is_valid():
        try:
            do_assign_case(case, form.chosen_assignee(), actor=member.user)
        except ValidationError as error:
            form.add_error("assignee", error.message_dict.get("assignee", error.messages))
        else:
            messages.success(request, _("Attribution enregistrée."))
            return redirect("case_detail", pk=case.pk)
    return _render_case(request, case_detail(member.organisation, pk), assign_form=form, status=400)


@member_required(HANDLE_CASES)
@require_POST
def case_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the case to another status. Agents and above."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        do_set_case_status(case, form.cleaned_data["status"], actor=member.user)
        messages.success(request, _("Statut enregistré."))
        return redirect("case_detail", pk=case.pk)
    return _render_case(request, case_detail(member.organisation, pk), status_form=form, status=400)


@member_required(HANDLE_CASES)
@require_POST
def case_correct_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the mention's sentiment, type or themes; each change is audited and kept as a
    training label. Agents and above."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    mention = case.mention
    form = AnalysisCorrectionForm(request.POST, mention=mention)
    if form.is_valid():
        redecision = do_correct_case_analysis(case, form.changes(mention), actor=member.user)
        if redecision is not None:
            messages.success(
                request,
                _(
                    "Correction enregistrée : le dossier a été réévalué (priorité, échéance, équipe) "
                    "et la correction servira à améliorer l'analyse."
                ),
            )
        else:
            messages.info(request, _("Rien n'a changé."))
        return redirect("case_detail", pk=case.pk)
    return _render_case(request, case_detail(member.organisation, pk), correction_form=form, status=400)


# --- Case page: notes, author flags ------------------------------------------------------------------


@member_required(HANDLE_CASES)
@require_POST
def case_add_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an internal note; members named ``@email`` are notified. Agents and above."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = do_add_note(case, form.cleaned_data["body"], author=member.user)
        except ValidationError as error:
            form.add_error("body", error.message_dict.get("body", error.messages))
        else:
            # Said beside the note box the page returns to (#notes), with whom the note alerted
            # and which @names alerted nobody: "@marc.delorme" mistyped was kept silently.
            alerted = organisation_members(member.organisation).filter(user_id__in=note.mentioned_user_ids)
            told = [person_name(m.user) for m in alerted.select_related("user")]
            if told:
                done = _("Note ajoutée ; notification envoyée à %(who)s.") % {"who": ", ".join(told)}
            else:
                done = _("Note ajoutée.")
            messages.success(request, done, extra_tags=NOTES_MESSAGE)
            unknown = unknown_mentions(member.organisation, note.body)
            if unknown:
                messages.warning(
                    request,
                    _("Aucun membre actif ne répond à %(names)s : personne n'a été prévenu à ce nom.")
                    % {"names": ", ".join(unknown)},
                    extra_tags=NOTES_MESSAGE,
                )
            return redirect(f"{reverse('case_detail', args=[case.pk])}#notes")
    return _render_case(request, case_detail(member.organisation, pk), note_form=form, status=400)


@member_required(HANDLE_CASES)
@require_POST
def case_author_flags(request: HttpRequest, pk: int) -> HttpResponse:
    """Qualify the case's author (customer, employee, influencer, suspected competitor)."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    author = case.mention.author
    if author is None:
        raise Http404
    form = AuthorFlagsForm(request.POST)
    if form.is_valid():
        do_set_author_flags(author, form.cleaned_data["flags"], actor=member.user, audit_on=case)
        messages.success(request, _("Qualification de l'auteur enregistrée."))
        return redirect("case_detail", pk=case.pk)
    return _render_case(request, case_detail(member.organisation, pk), status=400)


def findings_context(findings: list[Any], body: str, confirmed: Any = None) -> dict[str, Any]:
    return {
        "findings": findings,
        "blocked": any(f.severity == "block" for f in findings),
        "warnings": [f for f in findings if f.severity == "warn" and not f.needs_approval],
        "needs_approval": [f for f in findings if f.needs_approval],
        "confirmed": set(confirmed or []),
        "checked": bool(body),
    }


# --- Case page: moderation, closing, presence --------------------------------------------------------


@member_required(HANDLE_CASES)
@require_POST
def case_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the item as spam or troll, or record that it was hidden, deleted or reported on the
    platform. Agents and above; audited."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    try:
        do_moderate_case(
            case,
            request.POST.get("action", ""),
            actor=member.user,
            url=request.POST.get("url", "")[:2000],
            note=request.POST.get("note", "")[:500],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('case_detail', args=[case.pk])}#moderation")
    messages.success(request, _("Modération enregistrée."))
    return redirect("case_detail", pk=case.pk)


@member_required(HANDLE_CASES)
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the case: resolved, answered elsewhere, or no answer needed. Agents and above."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    try:
        do_close_case(case, request.POST.get("how", ""), actor=member.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("case_detail", pk=case.pk)
    messages.success(request, _("Dossier clos."))
    return redirect("case_detail", pk=case.pk)


@member_required(READ)
@require_POST
def case_presence(request: HttpRequest, pk: int) -> HttpResponse:
    """The heartbeat of an open case page (HTMX, every 15 s): records this person, says who else
    is on the case and who is writing (fragment)."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    writing = request.POST.get("writing") == "1" and member.can(HANDLE_CASES)
    others = beat(case, member.user, writing=writing)
    return render(request, "inbox/_presence.html", {"case": case, "others": others})
