"""Pages of the crisis rooms: the list, opening a crisis, the room itself (cell, playbook, timeline,
statements), closing it with its post-mortem, the post-mortem report and the corrective actions.

Who may do what (documented in docs/alerts-and-crisis.md):

* every member (viewer and up) reads crises, timelines and post-mortems;
* agents tick playbook steps, add timeline entries and draft statements;
* managers open and close crises and assign the cell's roles;
* only the crisis' spokesperson (or an admin) approves statements; the spokesperson or a manager
  publishes them (to the connected accounts, through the statements' outbox, or by hand).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from vigie.alerts import queries
from vigie.alerts.crisis import actions
from vigie.alerts.crisis.export import item_label, timeline_csv
from vigie.alerts.crisis.publishing import (
    do_confirm_statement_posted_by_hand,
    do_retry_failed_statement_publications,
    do_retry_statement_publication,
    publishable_sources,
)
from vigie.alerts.crisis.report import postmortem_pdf
from vigie.alerts.crisis.statements import blocked, fill_template, is_holding_step
from vigie.alerts.forms import (
    ActionForm,
    CloseForm,
    CrisisForm,
    CrisisStartForm,
    PublishForm,
    RoleForm,
    StatementForm,
    TimelineForm,
)
from vigie.alerts.models import (
    Alert,
    CorrectiveAction,
    Crisis,
    CrisisRole,
    CrisisStatus,
    PlaybookItem,
    Statement,
    StatementPublication,
    StatementPublicationStatus,
)
from vigie.core.decorators import current_membership, forbidden, member_required
from vigie.core.models import User
from vigie.core.queries import active_members, organisation_locations
from vigie.core.roles import HANDLE_CASES, MANAGE, READ
from vigie.core.tenancy import get_in_org, scoped

ACTIONS_IN_FORM = 3


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _org(request: HttpRequest) -> Any:
    return current_membership(request).organisation


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _members(request: HttpRequest) -> list[tuple[int, str]]:
    # Who can act on a corrective action: not a suspended member, nor someone still invited.
    labels = []
    for m in active_members(_org(request)):
        name = m.user.get_full_name()
        who = (
            f"{name} ({m.user.email}, {m.get_role_display()})"
            if name
            else f"{m.user.email} ({m.get_role_display()})"
        )
        labels.append((m.user_id, who))
    return labels


@member_required(READ)
@require_http_methods(["GET"])
def crisis_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "alerts/crisis_list.html", {"nav": "alerts", "crises": queries.crises(_org(request))}
    )


def _crisis_form(request: HttpRequest, data: Any = None, initial: dict[str, Any] | None = None) -> CrisisForm:
    from vigie.analysis.queries import reader_theme_choices
    from vigie.connectors.models import Source

    organisation = _org(request)
    return CrisisForm(
        data,
        initial=initial,
        # The default taxonomy's themes for an organisation that has not set its own: the list was
        # empty there (the demo's included), so a crisis could not be scoped to a theme.
        themes=reader_theme_choices(organisation),
        sources=list(scoped(Source, organisation).values_list("id", "name")),
        locations=[(loc.pk, loc.name) for loc in organisation_locations(organisation)],
        members=_members(request),
        zone=organisation.timezone,
    )


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def crisis_new(request: HttpRequest) -> HttpResponse:
    """Open a crisis, by hand or from an alert (``?alert=ID`` pre-fills the scope). Its start is
    asked for, pre-filled with ``suggested_crisis_start`` (the alert's episode, the open incident's
    start, else now)."""
    organisation = _org(request)
    alert = None
    alert_id = request.GET.get("alert") or request.POST.get("alert")
    if alert_id:
        alert = get_in_org(Alert, organisation, alert_id)
    initial: dict[str, Any] = {
        "role_lead": str(request.user.pk),
        "started_at": actions.suggested_crisis_start(alert, queries.open_incident(organisation)),
    }
    if alert is not None:
        initial.update({"title": alert.title, "severity": alert.severity})
        kind, _sep, value = alert.key.partition(":")[2].partition(":")
        if kind == "source":
            initial["sources"] = [value]
        elif kind == "location":
            initial["locations"] = [value]
        elif kind == "theme":
            initial["themes"] = [value]
        elif alert.mention is not None and alert.mention.themes:
            initial["themes"] = list(alert.mention.themes)
    form = _crisis_form(request, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            crisis = actions.do_open_crisis(
                organisation,
                actor=_user(request),
                title=data["title"],
                severity=data["severity"],
                keywords=form.keyword_list(),
                themes=data["themes"],
                source_ids=[int(v) for v in data["sources"]],
                location_ids=[int(v) for v in data["locations"]],
                alert=alert,
                cell=form.cell(),
                started_at=data["started_at"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Cellule de crise ouverte."))
            return redirect("crisis_detail", pk=crisis.pk)
    return render(
        request,
        "alerts/crisis_new.html",
        {
            "nav": "alerts",
            "form": form,
            "alert": alert,
            "roles": [form[f"role_{r}"] for r in CrisisRole.values],
        },
        status=400 if request.method == "POST" else 200,
    )


def _crisis(request: HttpRequest, pk: int) -> Crisis:
    return get_in_org(Crisis, _org(request), pk)


def _scope_names(crisis: Crisis) -> dict[str, list[str]]:
    """The crisis' themes, sources and places by their names (the room showed "sources 3, 5")."""
    from vigie.analysis.queries import reader_theme_choices
    from vigie.connectors.models import Source

    organisation = crisis.organisation
    labels = dict(reader_theme_choices(organisation, extra=tuple(crisis.themes or ())))
    sources = dict(
        scoped(Source, organisation).filter(pk__in=crisis.source_ids or []).values_list("pk", "name")
    )
    places = {loc.pk: loc.name for loc in organisation_locations(organisation)}
    names = {
        "themes": [labels.get(slug, slug) for slug in crisis.themes or ()],
        "sources": [sources[pk] for pk in crisis.source_ids or () if pk in sources],
        "locations": [places[pk] for pk in crisis.location_ids or () if pk in places],
    }
    # One phrase per part of the scope, for the room's header ("mots-clés remboursement ·
    # thèmes Remboursements"; it ended on a dangling " ;").
    described = [
        (_("mots-clés"), list(crisis.keywords or ())),
        (_("thèmes"), names["themes"]),
        (_("sources"), names["sources"]),
        (_("lieux"), names["locations"]),
    ]
    return {**names, "parts": [f"{label} {', '.join(values)}" for label, values in described if values]}


@member_required(READ)
@require_http_methods(["GET"])
def crisis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The crisis room."""
    return _room(request, _crisis(request, pk))


def _room(
    request: HttpRequest, crisis: Crisis, *, start_form: CrisisStartForm | None = None, status: int = 200
) -> HttpResponse:
    """The crisis room; ``start_form`` is a refused correction of the start, shown open with what
    was typed and why it was refused."""
    from vigie.inbox.models import Template

    organisation = crisis.organisation
    membership = current_membership(request)
    templates = scoped(Template, organisation).filter(is_snippet=False).order_by("name")
    # A statement speaks the organisation's language: its templates only, when it has some (the
    # picker mixed the French and English variants of every answer).
    in_language = templates.filter(language=organisation.language)
    if in_language.exists():
        templates = in_language
    statement_body = ""
    template_id = request.GET.get("template", "")
    if template_id.isdecimal():
        template = templates.filter(pk=template_id).first()
        if template is not None:
            statement_body = fill_template(template.body, organisation)
    holders = queries.crisis_role_holders(crisis)
    statements = list(
        crisis.statements.select_related("author", "approved_by").prefetch_related("publications__source")
    )
    can_publish = membership.can(MANAGE) or queries.can_approve_statement(crisis, membership)
    accounts = publishable_sources(statements[0]) if statements and can_publish else []
    for statement in statements:
        done = {p.source_id for p in statement.publications.all()}
        statement.blocked = blocked(statement.findings)  # type: ignore[attr-defined]
        statement.accounts = [(s, auto) for s, auto in accounts if s.pk not in done]  # type: ignore[attr-defined]
        statement.failed_count = sum(  # type: ignore[attr-defined]
            1 for p in statement.publications.all() if p.status == StatementPublicationStatus.FAILED
        )
    playbook = list(crisis.playbook.select_related("done_by"))
    scope = _scope_names(crisis)
    for step in playbook:
        step.is_holding = is_holding_step(step)  # type: ignore[attr-defined]
    return render(
        request,
        "alerts/crisis_detail.html",
        {
            "nav": "alerts",
            "crisis": crisis,
            "scope": scope,
            "is_open": crisis.status == CrisisStatus.OPEN,
            "metrics": queries.scope_metrics(crisis),
            "recent_mentions": queries.scope_mentions(crisis)
            .select_related("author", "source")
            .order_by("-created_at")[:15],
            "timeline_rows": [(item, item_label(item)) for item in queries.crisis_timeline(crisis)],
            "playbook": playbook,
            "cell": [(value, label, holders.get(value)) for value, label in CrisisRole.choices],
            "members": _members(request),
            "statements": statements,
            "public_updates": queries.published_statements(crisis),
            "templates": templates,
            "statement_form": StatementForm(initial={"body": statement_body}),
            "timeline_form": TimelineForm(),
            "start_form": start_form or CrisisStartForm(initial={"started_at": crisis.started_at}),
            "publish_form": PublishForm(),
            "can_approve": queries.can_approve_statement(crisis, membership),
            # Who approves a draft, named to those who cannot (a draft showed no way forward).
            "spokesperson": holders.get("spokesperson"),
            "can_publish": can_publish,
            "postmortem": getattr(crisis, "postmortem", None)
            if crisis.status == CrisisStatus.CLOSED
            else None,
            "corrective_actions": crisis.corrective_actions.select_related("owner"),
        },
        status=status,
    )


@member_required(READ)
@require_http_methods(["GET"])
def crisis_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The live part of the room (metrics, latest mentions), polled by HTMX."""
    crisis = _crisis(request, pk)
    return render(
        request,
        "alerts/_crisis_live.html",
        {
            "crisis": crisis,
            "metrics": queries.scope_metrics(crisis),
            "recent_mentions": queries.scope_mentions(crisis)
            .select_related("author", "source")
            .order_by("-created_at")[:15],
        },
    )


def _back(crisis: Crisis, anchor: str = "") -> HttpResponse:
    return redirect(reverse("crisis_detail", args=[crisis.pk]) + anchor)


@member_required(HANDLE_CASES)
@require_POST
def crisis_timeline_add(request: HttpRequest, pk: int) -> HttpResponse:
    crisis = _crisis(request, pk)
    form = TimelineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("L'entrée est vide ou trop longue."))
        return _back(crisis, "#timeline")
    try:
        actions.do_add_timeline_entry(crisis, form.cleaned_data["text"], actor=_user(request))
        messages.success(request, _("Entrée ajoutée au fil."))
    except ValidationError as exc:
        _errors(request, exc)
    return _back(crisis, "#timeline")


@member_required(HANDLE_CASES)
@require_POST
def crisis_playbook_tick(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    crisis = _crisis(request, pk)
    step = get_in_org(PlaybookItem, crisis.organisation, item)
    if step.crisis_id != crisis.pk:
        raise Http404
    try:
        actions.do_tick_playbook_item(step, actor=_user(request), done=request.POST.get("done") != "0")
    except ValidationError as exc:
        _errors(request, exc)
    return _back(crisis, "#playbook")


@member_required(MANAGE)
@require_POST
def crisis_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the crisis' start (a manager's form in the room's header)."""
    crisis = _crisis(request, pk)
    form = CrisisStartForm(request.POST)
    if form.is_valid():
        try:
            actions.do_set_crisis_start(crisis, form.cleaned_data["started_at"], actor=_user(request))
        except ValidationError as exc:
            form.add_error("started_at", exc.messages)
        else:
            messages.success(request, _("Début de la crise corrigé : le périmètre compte depuis ce moment."))
            return _back(crisis)
    # Refused: the room again, its panel open on what the manager typed and the reason beside it
    # (a redirect closed the panel and lost the value).
    return _room(request, crisis, start_form=form, status=400)


@member_required(MANAGE)
@require_POST
def crisis_role(request: HttpRequest, pk: int) -> HttpResponse:
    crisis = _crisis(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Rôle invalide."))
        return _back(crisis, "#cell")
    try:
        actions.do_assign_crisis_role(
            crisis, form.cleaned_data["role"], form.cleaned_data["user"], actor=_user(request)
        )
        messages.success(request, _("Cellule mise à jour."))
    except ValidationError as exc:
        _errors(request, exc)
    return _back(crisis, "#cell")


@member_required(HANDLE_CASES)
@require_POST
def crisis_statement_add(request: HttpRequest, pk: int) -> HttpResponse:
    from vigie.inbox.models import Template

    crisis = _crisis(request, pk)
    form = StatementForm(request.POST)
    template = None
    template_id = request.POST.get("template", "")
    if template_id.isdecimal():
        template = get_in_org(Template, crisis.organisation, template_id)
    if not form.is_valid():
        messages.error(request, _("La déclaration est vide ou trop longue."))
        return _back(crisis, "#statements")
    try:
        statement = actions.do_draft_statement(
            crisis,
            form.cleaned_data["body"],
            actor=_user(request),
            template=template,
            membership=current_membership(request),
        )
        _drafted_message(request, statement)
    except ValidationError as exc:
        _errors(request, exc)
    return _back(crisis, "#statements")


def _drafted_message(request: HttpRequest, statement: Statement) -> None:
    if blocked(statement.findings):
        messages.warning(
            request,
            _(
                "Brouillon enregistré, mais le contrôle qualité le bloque : corrigez-le avant son approbation."
            ),
        )
    else:
        messages.success(request, _("Déclaration enregistrée : le porte-parole doit l'approuver."))


@member_required(HANDLE_CASES)
@require_POST
def statement_holding(request: HttpRequest, pk: int) -> HttpResponse:
    """The playbook's holding statement, drafted in one click."""
    crisis = _crisis(request, pk)
    try:
        statement = actions.do_draft_holding_statement(
            crisis, actor=_user(request), membership=current_membership(request)
        )
        _drafted_message(request, statement)
    except ValidationError as exc:
        _errors(request, exc)
    return _back(crisis, "#statements")


@member_required(HANDLE_CASES)
@require_POST
def statement_edit(request: HttpRequest, pk: int, statement_id: int) -> HttpResponse:
    """Correct a draft; the quality gate runs again."""
    statement = _statement(request, pk, statement_id)
    form = StatementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("La déclaration est vide ou trop longue."))
        return _back(statement.crisis, "#statements")
    try:
        statement = actions.do_edit_statement(
            statement, form.cleaned_data["body"], actor=_user(request), membership=current_membership(request)
        )
        _drafted_message(request, statement)
    except ValidationError as exc:
        _errors(request, exc)
    return _back(statement.crisis, "#statements")


def _statement(request: HttpRequest, pk: int, statement_id: int) -> Statement:
    crisis = _crisis(request, pk)
    statement = get_in_org(Statement, crisis.organisation, statement_id)
    if statement.crisis_id != crisis.pk:
        raise Http404
    return statement


@member_required(READ)
@require_POST
def statement_approve(request: HttpRequest, pk: int, statement_id: int) -> HttpResponse:
    """Only the crisis' spokesperson, or an admin."""
    statement = _statement(request, pk, statement_id)
    if not queries.can_approve_statement(statement.crisis, current_membership(request)):
        return forbidden(
            request, _("Seul le porte-parole de la crise (ou un administrateur) approuve les déclarations.")
        )
    try:
        actions.do_approve_statement(statement, actor=_user(request))
        messages.success(request, _("Déclaration approuvée."))
    except ValidationError as exc:
        _errors(request, exc)
    return _back(statement.crisis, "#statements")


@member_required(READ)
@require_POST
def statement_publish(request: HttpRequest, pk: int, statement_id: int) -> HttpResponse:
    """The spokesperson or a manager records that an approved statement went public."""
    statement = _statement(request, pk, statement_id)
    membership = current_membership(request)
    if not (membership.can(MANAGE) or queries.can_approve_statement(statement.crisis, membership)):
        return forbidden(request, _("Seul le porte-parole ou un responsable publie les déclarations."))
    form = PublishForm(request.POST)
    where = form.cleaned_data["where"] if form.is_valid() else ""
    source_ids = [int(v) for v in request.POST.getlist("sources") if v.isdecimal()]
    try:
        actions.do_publish_statement(statement, actor=_user(request), where=where, source_ids=source_ids)
        messages.success(
            request,
            _("Déclaration confiée à l'envoi : suivez l'état de chaque compte ci-dessous.")
            if source_ids
            else _("Publication consignée dans le journal des informations au public."),
        )
    except ValidationError as exc:
        _errors(request, exc)
    return _back(statement.crisis, "#statements")


def _publication(request: HttpRequest, pk: int, publication_id: int) -> StatementPublication | HttpResponse:
    crisis = _crisis(request, pk)
    publication = get_in_org(StatementPublication, crisis.organisation, publication_id)
    if publication.statement.crisis_id != crisis.pk:
        raise Http404
    membership = current_membership(request)
    if not (membership.can(MANAGE) or queries.can_approve_statement(crisis, membership)):
        return forbidden(request, _("Seul le porte-parole ou un responsable publie les déclarations."))
    return publication


@member_required(READ)
@require_POST
def statement_publication_retry(request: HttpRequest, pk: int, publication_id: int) -> HttpResponse:
    publication = _publication(request, pk, publication_id)
    if isinstance(publication, HttpResponse):
        return publication
    try:
        do_retry_statement_publication(publication, actor=_user(request))
        messages.success(request, _("Nouvel envoi demandé."))
    except ValidationError as exc:
        _errors(request, exc)
    return _back(publication.statement.crisis, "#statements")


@member_required(READ)
@require_POST
def statement_publications_retry_failed(request: HttpRequest, pk: int, statement_id: int) -> HttpResponse:
    """Every failed sending of one statement sent again, in one click."""
    crisis = _crisis(request, pk)
    statement = get_in_org(Statement, crisis.organisation, statement_id)
    if statement.crisis_id != crisis.pk:
        raise Http404
    membership = current_membership(request)
    if not (membership.can(MANAGE) or queries.can_approve_statement(crisis, membership)):
        return forbidden(request, _("Seul le porte-parole ou un responsable publie les déclarations."))
    try:
        retried = do_retry_failed_statement_publications(statement, actor=_user(request))
        messages.success(
            request,
            ngettext(
                "Nouvel envoi demandé sur %(count)d compte.",
                "Nouvel envoi demandé sur %(count)d comptes.",
                len(retried),
            )
            % {"count": len(retried)},
        )
    except ValidationError as exc:
        _errors(request, exc)
    return _back(crisis, "#statements")


@member_required(READ)
@require_POST
def statement_publication_posted(request: HttpRequest, pk: int, publication_id: int) -> HttpResponse:
    """A person posted the statement by hand (copy and open) and says so, with its link."""
    publication = _publication(request, pk, publication_id)
    if isinstance(publication, HttpResponse):
        return publication
    try:
        do_confirm_statement_posted_by_hand(
            publication, actor=_user(request), url=request.POST.get("url", "")[:1000]
        )
        messages.success(request, _("Publication à la main consignée."))
    except ValidationError as exc:
        _errors(request, exc)
    return _back(publication.statement.crisis, "#statements")


@member_required(READ)
@require_http_methods(["GET"])
def crisis_timeline_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline as CSV (French headers, the organisation's time zone)."""
    crisis = _crisis(request, pk)
    response = HttpResponse(
        timeline_csv(crisis, absolute=request.build_absolute_uri), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="crise-{crisis.pk}-fil-des-evenements.csv"'
    return response


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def crisis_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the crisis with its post-mortem (required)."""
    crisis = _crisis(request, pk)
    if crisis.status != CrisisStatus.OPEN:
        return _back(crisis)
    members = _members(request)
    data = request.POST if request.method == "POST" else None
    form = CloseForm(data)
    action_forms = [ActionForm(data, prefix=f"action{i}", members=members) for i in range(ACTIONS_IN_FORM)]
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in action_forms):
        planned = [
            actions.ActionIn(f.cleaned_data["title"], f.cleaned_data["owner"], f.cleaned_data["due_on"])
            for f in action_forms
            if f.cleaned_data.get("title")
        ]
        try:
            actions.do_close_crisis(crisis, actor=_user(request), actions=planned, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Crise close. Le post-mortem est enregistré."))
            return _back(crisis)
    return render(
        request,
        "alerts/crisis_close.html",
        {"nav": "alerts", "crisis": crisis, "form": form, "action_forms": action_forms},
        status=400 if request.method == "POST" else 200,
    )


def _report_context(crisis: Crisis) -> dict[str, Any]:
    # A post-mortem tells the story in order: oldest first, as the CSV export does.
    timeline = sorted(queries.crisis_timeline(crisis), key=lambda item: (item.at, item.rank))
    return {
        "crisis": crisis,
        "postmortem": crisis.postmortem,
        "corrective_actions": crisis.corrective_actions.select_related("owner"),
        "timeline": timeline,
        # Each event with its kind as the room names it ("déclaration publiée", not "statement").
        "timeline_rows": [(item, item_label(item)) for item in timeline],
        "public_updates": queries.published_statements(crisis),
        "unpublished_updates": queries.unpublished_statements(crisis),
        "cell": [
            (label, holder)
            for value, label in CrisisRole.choices
            if (holder := queries.crisis_role_holders(crisis).get(value))
        ],
    }


@member_required(READ)
@require_http_methods(["GET"])
def crisis_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The post-mortem, as a standalone HTML page or a PDF."""
    crisis = _crisis(request, pk)
    if (
        fmt not in ("html", "pdf")
        or crisis.status != CrisisStatus.CLOSED
        or not hasattr(crisis, "postmortem")
    ):
        raise Http404
    context = _report_context(crisis)
    filename = f"post-mortem-{crisis.pk}"
    if fmt == "pdf":
        response = HttpResponse(postmortem_pdf(context), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    response = render(request, "alerts/postmortem_report.html", context)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{filename}.html"'
    return response


@member_required(READ)
@require_http_methods(["GET"])
def corrective_action_list(request: HttpRequest) -> HttpResponse:
    """Open corrective actions of every post-mortem, overdue ones flagged."""
    organisation = _org(request)
    today = queries.organisation_today(organisation)
    rows = list(queries.corrective_actions(organisation, open_only=request.GET.get("all") != "1"))
    membership = current_membership(request)
    for row in rows:
        row.overdue = row.done_at is None and row.due_on < today  # type: ignore[attr-defined]
        row.can_complete = row.done_at is None and actions.can_complete_action(row, membership)  # type: ignore[attr-defined]
    return render(request, "alerts/corrective_actions.html", {"nav": "alerts", "rows": rows, "today": today})


@member_required(READ)
@require_POST
def corrective_action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_in_org(CorrectiveAction, _org(request), pk)
    if not actions.can_complete_action(action, current_membership(request)):
        return forbidden(request, _("Seul le responsable de l'action ou un manager peut la clore."))
    actions.do_complete_corrective_action(action, actor=_user(request))
    messages.success(request, _("Action corrective terminée."))
    return redirect("corrective_actions")
