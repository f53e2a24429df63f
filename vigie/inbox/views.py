"""Pages of the inbox: the case list with its views and filters, and one case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vigie.analysis.actions import do_correct_analysis
from vigie.analysis.queries import MentionAnalysis, mention_analysis, theme_choices
from vigie.core.decorators import member_required
from vigie.core.models import AuditEvent, Membership, User
from vigie.core.queries import organisation_locations, organisation_teams
from vigie.core.roles import HANDLE_CASES, READ
from vigie.inbox.actions import do_assign_case, do_set_case_status
from vigie.inbox.models import Case, CaseStatus
from vigie.inbox.queries import (
    CaseDetail,
    CaseFilters,
    InboxView,
    SlaState,
    assignable_members,
    case_detail,
    cases,
    get_case,
    sla_state,
    view_counts,
)
from vigie.mentions.models import Mention, MentionType, Sentiment
from vigie.mentions.queries import platforms

PER_PAGE = 50
UNASSIGNED = "none"


def _member(request: HttpRequest) -> Membership:
    # Set by CurrentMembershipMiddleware; ``member_required`` has already checked it.
    return cast(Membership, request.membership)  # type: ignore[attr-defined]


def _blank(label: str) -> list[tuple[str, Any]]:
    return [("", label)]


class InboxFilterForm(forms.Form):
    """The inbox's GET parameters. An unknown value simply drops that one filter."""

    q = forms.CharField(label=gettext_lazy("Rechercher"), required=False, max_length=200)
    platform = forms.ChoiceField(label=gettext_lazy("Plateforme"), required=False)
    location = forms.TypedChoiceField(
        label=gettext_lazy("Lieu"), required=False, coerce=int, empty_value=None
    )
    sentiment = forms.ChoiceField(label=gettext_lazy("Sentiment"), required=False)
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Statut"), required=False)
    assignee = forms.ChoiceField(label=gettext_lazy("Attribué à"), required=False)
    team = forms.TypedChoiceField(label=gettext_lazy("Équipe"), required=False, coerce=int, empty_value=None)
    sla = forms.ChoiceField(label=gettext_lazy("Échéance"), required=False)

    def __init__(self, data: Any, membership: Membership) -> None:
        super().__init__(data)
        organisation = membership.organisation
        every = _("Toutes")
        fields = self.fields
        cast(forms.ChoiceField, fields["platform"]).choices = _blank(every) + [
            (p, p) for p in platforms(organisation)
        ]
        cast(forms.ChoiceField, fields["location"]).choices = _blank(_("Tous")) + [
            (str(loc.pk), loc.name) for loc in organisation_locations(organisation)
        ]
        cast(forms.ChoiceField, fields["sentiment"]).choices = _blank(_("Tous")) + list(Sentiment.choices)
        cast(forms.ChoiceField, fields["type"]).choices = _blank(_("Tous")) + list(MentionType.choices)
        cast(forms.ChoiceField, fields["status"]).choices = _blank(_("Tous")) + list(CaseStatus.choices)
        cast(forms.ChoiceField, fields["assignee"]).choices = (
            _blank(_("Tout le monde"))
            + [(UNASSIGNED, _("Personne"))]
            + [(str(m.user_id), str(m.user)) for m in assignable_members(organisation)]
        )
        cast(forms.ChoiceField, fields["team"]).choices = _blank(every) + [
            (str(team.pk), team.name) for team in organisation_teams(organisation)
        ]
        cast(forms.ChoiceField, fields["sla"]).choices = _blank(_("Toutes")) + list(SlaState.choices)

    def filters(self) -> CaseFilters:
        """The valid filters; invalid ones are left out rather than failing the page."""
        self.is_valid()
        data = self.cleaned_data
        assignee = data.get("assignee") or ""
        return CaseFilters(
            text=(data.get("q") or "").strip(),
            platform=data.get("platform") or "",
            location_id=data.get("location"),
            sentiment=data.get("sentiment") or "",
            mention_type=data.get("type") or "",
            status=data.get("status") or "",
            unassigned=assignee == UNASSIGNED,
            assignee_id=int(assignee) if assignee and assignee != UNASSIGNED else None,
            team_id=data.get("team"),
            sla=data.get("sla") or "",
        )

    @property
    def active_count(self) -> int:
        return sum(1 for name in self.fields if self.data.get(name))


def sla_delay(case: Case, now: datetime) -> str:
    """How late the case is, or how long is left, in one unit ("2 heures"); "" with no running deadline.

    One unit is enough at a glance: "2 heures" rather than "2 heures, 13 minutes".
    """
    state = sla_state(case, now)
    if not state or case.sla_due_at is None:
        return ""
    if state == SlaState.OVERDUE:
        return timesince(case.sla_due_at, now, depth=1)
    return timeuntil(case.sla_due_at, now, depth=1)


@member_required(READ)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The case list of one view, filtered, 50 per page, with the views and their counts beside it."""
    member = _member(request)
    view = request.GET.get("view", InboxView.TODO.value)
    if view not in InboxView.values:
        view = InboxView.TODO.value
    form = InboxFilterForm(request.GET, member)
    now = timezone.now()
    page = Paginator(cases(member, view, form.filters(), now=now), PER_PAGE).get_page(request.GET.get("page"))
    counts = view_counts(member)
    views = [(choice, counts[choice.value]) for choice in InboxView]
    rows = [(case, sla_delay(case, now)) for case in page.object_list]
    return render(
        request,
        "inbox/inbox.html",
        {
            "nav": "inbox",
            "view": view,
            "view_label": InboxView(view).label,
            "views": views,
            "form": form,
            "page": page,
            "rows": rows,
        },
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=gettext_lazy("Attribuer à"), required=False)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(m.user_id): m.user for m in assignable_members(membership.organisation)}
        cast(forms.ChoiceField, self.fields["assignee"]).choices = _blank(_("Personne")) + [
            (pk, f"{user} ({user.email})" if user.get_full_name() else user.email)
            for pk, user in self.members.items()
        ]

    def chosen_assignee(self) -> User | None:
        return self.members.get(self.cleaned_data["assignee"] or "")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Statut"), choices=CaseStatus.choices)


class AnalysisCorrectionForm(forms.Form):
    """An agent's correction of the analysis; only the fields that change are recorded."""

    # A blank choice keeps "not analysed yet" from turning into a correction by accident.
    sentiment = forms.ChoiceField(
        label=gettext_lazy("Sentiment"), required=False, choices=[("", "—"), *Sentiment.choices]
    )
    type = forms.ChoiceField(
        label=gettext_lazy("Type"), required=False, choices=[("", "—"), *MentionType.choices]
    )
    themes = forms.MultipleChoiceField(
        label=gettext_lazy("Thèmes"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, mention: Mention, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"sentiment": mention.sentiment, "type": mention.mention_type, "themes": list(mention.themes)},
        )
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["themes"]).choices = theme_choices(
            mention.organisation, extra=mention.themes
        )

    def changes(self, mention: Mention) -> list[tuple[str, Any]]:
        """``(field, new value)`` for each field that differs from the current analysis."""
        data = self.cleaned_data
        changed: list[tuple[str, Any]] = []
        if data["sentiment"] and data["sentiment"] != mention.sentiment:
            changed.append(("sentiment", data["sentiment"]))
        if data["type"] and data["type"] != mention.mention_type:
            changed.append(("type", data["type"]))
        if sorted(data["themes"]) != sorted(mention.themes):
            changed.append(("themes", list(data["themes"])))
        return changed


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


def describe_event(event: AuditEvent) -> str:
    """A sentence for an audit event of a case; unknown verbs are shown as they are."""
    data = event.data or {}
    if event.verb == "case.assigned":
        if data.get("to"):
            return _("Attribué à %(who)s") % {"who": data["to"]}
        return _("Attribution retirée (était %(who)s)") % {"who": data.get("from") or "—"}
    if event.verb == "case.status_changed":
        return _("Statut : %(old)s → %(new)s") % {
            "old": _status_label(data.get("from")),
            "new": _status_label(data.get("to")),
        }
    if event.verb == "case.created":
        return _("Dossier créé")
    if event.verb == "analysis.corrected":
        return _("Analyse corrigée (%(field)s) : %(old)s → %(new)s") % {
            "field": data.get("field", ""),
            "old": _correction_value(data.get("from")),
            "new": _correction_value(data.get("to")),
        }
    return event.verb


def _correction_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value) if value not in (None, "") else "—"


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
    status: int = 200,
) -> HttpResponse:
    member = _member(request)
    case = detail.case
    can_handle = member.can(HANDLE_CASES)
    if can_handle:
        assign_form = assign_form or AssignForm(
            initial={"assignee": str(case.assignee_id or "")}, membership=member
        )
        status_form = status_form or StatusForm(initial={"status": case.status})
    mention = detail.mention.mention
    if can_handle:
        correction_form = correction_form or AnalysisCorrectionForm(mention=mention)
    analysis = mention_analysis(mention)
    return render(
        request,
        "inbox/case_detail.html",
        {
            "nav": "inbox",
            "detail": detail,
            "case": case,
            "mention": mention,
            "author": detail.mention.author,
            "other_mentions": detail.mention.other_mentions,
            "mention_url": safe_url(mention.url),
            "author_url": safe_url(detail.mention.author.profile_url) if detail.mention.author else "",
            "timeline": [TimelineEntry(event, describe_event(event)) for event in detail.timeline],
            "can_handle": can_handle,
            "assign_form": assign_form,
            "status_form": status_form,
            "assigned_to_me": case.assignee_id == member.user_id,
            "analysis": analysis,
            "personal_data_kinds": personal_data_kinds(analysis),
            "correction_form": correction_form,
            "theme_labels": dict(theme_choices(mention.organisation, extra=mention.themes)),
        },
        status=status,
    )


@member_required(READ)
@require_GET
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One case in full: the mention, its author, the analysis, replies, forms and timeline."""
    return _render_case(request, case_detail(_member(request).organisation, pk))


@member_required(HANDLE_CASES)
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the case to someone (or to nobody). Agents and above."""
    member = _member(request)
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
    member = _member(request)
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
    member = _member(request)
    case = get_case(member.organisation, pk)
    mention = case.mention
    form = AnalysisCorrectionForm(request.POST, mention=mention)
    if form.is_valid():
        changes = form.changes(mention)
        for field, value in changes:
            do_correct_analysis(mention, field, value, actor=member.user)
        if changes:
            messages.success(
                request, _("Correction enregistrée : merci, elle servira à améliorer l'analyse.")
            )
        else:
            messages.info(request, _("Rien n'a changé."))
        return redirect("case_detail", pk=case.pk)
    return _render_case(request, case_detail(member.organisation, pk), correction_form=form, status=400)
