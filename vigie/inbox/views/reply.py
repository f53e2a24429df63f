"""The reply composer on a case page (draft, gate check, template) and supervisors' approval."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vigie.core.decorators import current_membership, member_required
from vigie.core.models import Membership
from vigie.core.roles import HANDLE_CASES, MANAGE
from vigie.core.tenancy import get_in_org
from vigie.inbox.actions import (
    ReplyRefused,
    do_approve_reply,
    do_create_reply,
    do_send_back_reply,
    do_submit_reply,
    do_update_reply,
    gate_findings,
)
from vigie.inbox.drafting import draft_reply, llm_available
from vigie.inbox.forms import ReplyForm, SendBackForm
from vigie.inbox.models import Case, Reply, ReplyChannel, ReplyStatus
from vigie.inbox.queries import (
    case_detail,
    case_replies,
    get_case,
    open_draft,
    replies_version,
)
from vigie.inbox.templating.render import render_template, template_context
from vigie.inbox.views.case import _render_case, findings_context

# --- Case page: the reply composer and approval --------------------------------------------------------


def _draft(case: Case) -> Reply | None:
    return open_draft(case)


@member_required(HANDLE_CASES)
@require_POST
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the draft, or submit it: the gate runs, then approval or publishing. Agents and above."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    form = ReplyForm(request.POST, case=case, membership=member)
    submit = request.POST.get("intent") == "submit"
    findings: list[Any] = []
    loaded = request.POST.get("replies_version", "")
    if form.is_valid() and loaded and loaded != replies_version(case):
        # A colleague saved or sent a reply since this form was loaded: keep this text, show
        # theirs, and let the person choose rather than overwrite it.
        form.add_error(
            None,
            _(
                "Un collègue a modifié la réponse de ce dossier depuis que vous avez ouvert la page. "
                "Votre texte est conservé ci-dessous ; relisez sa version avant d'enregistrer à nouveau."
            ),
        )
        latest = case_replies(case).last()
        return _render_case(
            request, case_detail(member.organisation, pk), reply_form=form, conflict=latest, status=409
        )
    if form.is_valid():
        data = form.cleaned_data
        draft = _draft(case)
        try:
            if draft is None:
                draft = do_create_reply(
                    case,
                    data["body"],
                    author=member.user,
                    channel=data["channel"],
                    template=form.chosen_template(),
                )
            else:
                draft = do_update_reply(
                    draft, data["body"], actor=member.user, template=form.chosen_template()
                )
            if submit:
                draft = do_submit_reply(
                    draft,
                    actor=member.user,
                    overrides=data["overrides"],
                    override_reason=data["override_reason"],
                )
        except ReplyRefused as refused:
            findings = refused.findings
            form.add_error(None, refused.messages)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if not submit:
                messages.success(request, _("Brouillon enregistré."))
            elif draft.status == ReplyStatus.AWAITING_APPROVAL:
                messages.success(request, _("Réponse envoyée pour validation."))
            else:
                messages.success(request, _("Réponse envoyée à la publication."))
            return redirect(f"{reverse('case_detail', args=[case.pk])}#replies")
    return _render_case(
        request, case_detail(member.organisation, pk), reply_form=form, findings=findings, status=400
    )


@member_required(HANDLE_CASES)
@require_POST
def case_reply_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The gate's findings on the text being typed, for the composer (HTMX, debounced)."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    form = ReplyForm(request.POST, case=case, membership=member)
    form.is_valid()
    data = form.cleaned_data
    body = (data.get("body") or "").strip()
    findings: list[Any] = []
    if body:
        probe = Reply(
            organisation=case.organisation,
            case=case,
            body=body,
            template=form.chosen_template(),
            channel=data.get("channel") or ReplyChannel.PUBLIC,
        )
        findings = gate_findings(probe, member)
    return render(request, "inbox/_findings.html", findings_context(findings, body, data.get("overrides")))


@member_required(HANDLE_CASES)
@require_GET
def case_reply_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The composer's text area filled from a template: replacing the text, or appended to it."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    form = ReplyForm(request.GET, case=case, membership=member)
    form.is_valid()
    append = request.GET.get("mode") == "append"
    template = form.chosen_snippet() if append else form.chosen_template()
    body = request.GET.get("body", "")[:10000]
    if template is not None:
        context = template_context(case, member)
        rendered = render_template(template.body, context).text
        if append and body.strip():
            # A snippet goes where the cursor is, never after the signature; a template replaces
            # the text.
            body = insert_snippet(
                body, rendered, _cursor(request.GET.get("cursor")), str(context["signature"])
            )
        else:
            body = rendered
    return render(request, "inbox/_reply_body.html", {"case": case, "body": body})


@member_required(HANDLE_CASES)
@require_POST
def case_reply_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft from the configured language model, put in the reply box (HTMX); the gate checks it
    when the box loads. Without a model configured: 404."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    if not llm_available():
        raise Http404
    body = request.POST.get("body", "")[:10000]
    error = ""
    try:
        body = draft_reply(case, member)
    except ValidationError as refused:
        error = " ".join(refused.messages)
    return render(request, "inbox/_reply_body.html", {"case": case, "body": body, "draft_error": error})


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdecimal() else None


def _signature_start(body: str, signature: str) -> int | None:
    """Where the closing block begins: the paragraph holding the signature, if it is there."""
    signature = signature.strip()
    if not signature:
        return None
    at = body.rfind(signature)
    if at < 0:
        return None
    paragraph = body.rfind("\n\n", 0, at)
    return paragraph + 2 if paragraph >= 0 else at


def insert_snippet(body: str, snippet: str, cursor: int | None, signature: str) -> str:
    """``body`` with ``snippet`` inserted at ``cursor`` (a character offset), moved back before the
    signature's paragraph when it falls after it; without a cursor, as a paragraph before the
    signature, else at the end."""
    limit = _signature_start(body, signature)
    if cursor is None or cursor >= len(body) or (limit is not None and cursor >= limit):
        if limit is None:
            return f"{body.rstrip()}\n\n{snippet}"
        return f"{body[:limit].rstrip()}\n\n{snippet}\n\n{body[limit:]}".lstrip("\n")
    before, after = body[:cursor], body[cursor:]
    left = " " if before and not before[-1].isspace() else ""
    right = " " if after and not after[0].isspace() else ""
    return f"{before}{left}{snippet}{right}{after}"


def _reply_of(member: Membership, pk: int) -> Reply:
    return get_in_org(Reply, member.organisation, pk)


@member_required(MANAGE)
@require_POST
def reply_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor approves a reply; it goes to publishing and its author is told. Managers."""
    member = current_membership(request)
    reply = _reply_of(member, pk)
    try:
        do_approve_reply(reply, actor=member.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Réponse validée."))
    return redirect("case_detail", pk=reply.case_id)


@member_required(MANAGE)
@require_POST
def reply_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor sends a reply back with a comment; its author is told. Managers."""
    member = current_membership(request)
    reply = _reply_of(member, pk)
    form = SendBackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Dites à l'agent ce qu'il faut changer."))
        return redirect("case_detail", pk=reply.case_id)
    try:
        do_send_back_reply(reply, actor=member.user, comment=form.cleaned_data["comment"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Réponse renvoyée à son auteur."))
    return redirect("case_detail", pk=reply.case_id)
