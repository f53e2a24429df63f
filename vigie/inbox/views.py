"""Pages of the inbox: the case list with its views and filters, and one case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vigie.analysis.actions import do_correct_analysis
from vigie.analysis.queries import MentionAnalysis, mention_analysis, theme_choices
from vigie.connectors.platforms import item_url, platform_label
from vigie.connectors.queries import live_sources
from vigie.core.decorators import forbidden, member_required
from vigie.core.models import AuditEvent, Membership, User
from vigie.core.queries import organisation_locations, organisation_teams
from vigie.core.roles import HANDLE_CASES, MANAGE, READ
from vigie.core.tenancy import get_in_org, scoped
from vigie.inbox.actions import (
    BulkAction,
    ReplyRefused,
    do_add_note,
    do_approve_reply,
    do_assign_case,
    do_bulk_update_cases,
    do_create_reply,
    do_delete_saved_view,
    do_save_view,
    do_send_back_reply,
    do_set_case_status,
    do_submit_reply,
    do_update_reply,
    gate_findings,
)
from vigie.inbox.models import Case, CaseStatus, Reply, ReplyChannel, ReplyStatus, SavedView, Template
from vigie.inbox.queries import (
    CaseDetail,
    CaseFilters,
    InboxView,
    SlaState,
    assignable_members,
    case_detail,
    cases,
    get_case,
    new_cases_count,
    open_draft,
    saved_views_for,
    sla_state,
    view_counts,
)
from vigie.inbox.routing.timeline import describe_routing_event
from vigie.inbox.templating.queries import templates_for
from vigie.inbox.templating.render import render_template, template_context
from vigie.mentions.actions import do_set_author_flags
from vigie.mentions.models import AuthorFlag, Mention, MentionType, Sentiment
from vigie.mentions.queries import platforms

PER_PAGE = 50
UNASSIGNED = "none"
# Languages offered by the filter menu: those the analysis recognises most often.
LANGUAGES = ("fr", "en", "es", "de", "it", "nl", "pt")


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
    source = forms.TypedChoiceField(
        label=gettext_lazy("Source"), required=False, coerce=int, empty_value=None
    )
    stars = forms.TypedChoiceField(
        label=gettext_lazy("Étoiles"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(str(n), f"{n} ★") for n in range(1, 6)]],
    )
    theme = forms.ChoiceField(label=gettext_lazy("Thème"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Langue"), required=False)
    since = forms.DateField(
        label=gettext_lazy("Depuis le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Jusqu'au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data: Any, membership: Membership) -> None:
        super().__init__(data)
        organisation = membership.organisation
        every = _("Toutes")
        fields = self.fields
        cast(forms.ChoiceField, fields["platform"]).choices = _blank(every) + [
            (p, platform_label(p)) for p in platforms(organisation)
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
        cast(forms.ChoiceField, fields["source"]).choices = _blank(every) + [
            (str(source.pk), source.name) for source in live_sources(organisation)
        ]
        cast(forms.ChoiceField, fields["theme"]).choices = _blank(_("Tous")) + list(
            theme_choices(organisation)
        )
        cast(forms.ChoiceField, fields["language"]).choices = _blank(every) + [
            (code, code) for code in LANGUAGES
        ]

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
            source_id=data.get("source"),
            stars=data.get("stars"),
            theme=data.get("theme") or "",
            language=data.get("language") or "",
            since=_day_start(data.get("since")),
            until=_day_start(data.get("until"), next_day=True),
        )

    @property
    def active_count(self) -> int:
        return sum(1 for name in self.fields if self.data.get(name))

    # Always in view (one row on a laptop): what an agent narrows the queue by several times a
    # day. The others fold away, so the cases come first on the screen.
    PRIMARY = ("q", "sla", "sentiment", "type")

    def primary_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PRIMARY]

    def more_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.PRIMARY]

    @property
    def more_active(self) -> int:
        """How many of the folded filters are set (the fold then opens by itself)."""
        return sum(1 for name in self.fields if name not in self.PRIMARY and self.data.get(name))


def page_of_cases(
    listing: QuerySet[Case], rows: QuerySet[Case], number: str | None, *, filtered: bool = True
) -> Page:
    """One page of ``listing``, fetched in two steps so the database sorts narrow rows.

    Sorting every matching case with its joined mention text is what made a 100k-case inbox slow:
    the ids are filtered, sorted and sliced first, then only the page's 50 cases are read in full
    from ``rows`` (the same organisation's cases, unfiltered, with everything a row shows).
    """
    ids_query = listing.values_list("pk", flat=True)
    # With filters, all matching ids in one query: the filters (a full-text match, a mention
    # subquery) run once instead of once for the count and again for the page. Without, the count
    # is an index count and cheaper than reading every id.
    page = Paginator(list(ids_query) if filtered else ids_query, PER_PAGE).get_page(number)
    ids = list(page.object_list)
    by_id = {case.pk: case for case in rows.filter(pk__in=ids)}
    page.object_list = cast(Any, [by_id[pk] for pk in ids if pk in by_id])
    return page


def _day_start(day: date | None, *, next_day: bool = False) -> datetime | None:
    # "Until the 3rd" includes the whole 3rd: the bound is the start of the next day, exclusive.
    if day is None:
        return None
    if next_day:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))


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
    filters = form.filters()
    page = page_of_cases(
        cases(member, view, filters, now=now),
        cases(member, InboxView.ALL, now=now),
        request.GET.get("page"),
        filtered=filters != CaseFilters(),
    )
    counts = view_counts(member)
    views = [(choice, counts[choice.value]) for choice in InboxView]
    rows = [(case, sla_delay(case, now)) for case in page.object_list]
    can_handle = member.can(HANDLE_CASES)
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
            "now": now,
            "saved_views": saved_views_for(member),
            "member_teams": list(member.teams.all()),
            "can_handle": can_handle,
            "bulk_form": BulkForm(membership=member) if can_handle else None,
            "query": request.GET.urlencode(),
        },
    )


@member_required(READ)
@require_GET
def inbox_new_count(request: HttpRequest) -> HttpResponse:
    """The "N new cases" banner, polled by the inbox; empty when nothing arrived since ``since``."""
    member = _member(request)
    view = request.GET.get("view", InboxView.TODO.value)
    if view not in InboxView.values:
        view = InboxView.TODO.value
    since = parse_datetime(request.GET.get("since") or "")
    if since is None or timezone.is_naive(since):
        return HttpResponse("", status=400)
    count = new_cases_count(member, view, since)
    return render(request, "inbox/_new_items.html", {"count": count, "view": view})


class BulkForm(forms.Form):
    """A bulk action on the ticked cases of the inbox."""

    ids = forms.TypedMultipleChoiceField(coerce=int, required=True, widget=forms.MultipleHiddenInput)
    action = forms.ChoiceField(label=gettext_lazy("Action groupée"), choices=BulkAction.choices)
    assignee = forms.ChoiceField(label=gettext_lazy("Attribuer à"), required=False)
    tag = forms.CharField(label=gettext_lazy("Étiquette"), required=False, max_length=40)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(m.user_id): m.user for m in assignable_members(membership.organisation)}
        cast(forms.ChoiceField, self.fields["assignee"]).choices = _blank(_("Personne")) + [
            (pk, str(user)) for pk, user in self.members.items()
        ]
        # Any integer is accepted here; the action itself answers "not found" for ids not ours.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        cast(forms.ChoiceField, self.fields["ids"]).choices = [(v, v) for v in raw if str(v).isdigit()][:500]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == BulkAction.TAG and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Indiquez l'étiquette à ajouter."))
        return data


@member_required(HANDLE_CASES)
@require_POST
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the ticked cases and show, case by case, how it went. Agents and above."""
    member = _member(request)
    form = BulkForm(request.POST, membership=member)
    if not form.is_valid():
        return render(
            request, "inbox/bulk_result.html", {"nav": "inbox", "form": form, "results": []}, status=400
        )
    data = form.cleaned_data
    results = do_bulk_update_cases(
        member.organisation,
        data["ids"],
        data["action"],
        actor=member.user,
        assignee=form.members.get(data.get("assignee") or ""),
        tag=data.get("tag") or "",
    )
    references = {c.pk: c.reference for c in scoped(Case, member.organisation).filter(pk__in=data["ids"])}
    rows = [(result, references.get(result.case_id, f"#{result.case_id}")) for result in results]
    return render(
        request,
        "inbox/bulk_result.html",
        {
            "nav": "inbox",
            "form": form,
            "rows": rows,
            "action_label": BulkAction(data["action"]).label,
            "done": sum(1 for r in results if r.ok),
            "failed": sum(1 for r in results if not r.ok),
            "back": request.POST.get("back", ""),
        },
    )


class SavedViewForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom de la vue"), max_length=80)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    team = forms.TypedChoiceField(
        label=gettext_lazy("Partager avec"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {team.pk: team for team in membership.teams.all()}
        cast(forms.ChoiceField, self.fields["team"]).choices = _blank(_("Moi seulement")) + [
            (str(pk), team.name) for pk, team in self.teams.items()
        ]

    def clean_query(self) -> str:
        # Only the inbox's own parameters are kept: a saved view cannot smuggle anything else.
        allowed = {"view", *InboxFilterForm.base_fields}
        pairs = [(k, v) for k, v in QueryDict(self.cleaned_data.get("query") or "").lists() if k in allowed]
        kept = QueryDict(mutable=True)
        for key, values in pairs:
            kept.setlist(key, values)
        return kept.urlencode()


@member_required(READ)
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    """Save the current view and filters under a name, for oneself or one's team."""
    member = _member(request)
    form = SavedViewForm(request.POST, membership=member)
    if form.is_valid():
        data = form.cleaned_data
        try:
            view = do_save_view(member, data["name"], data["query"], team=form.teams.get(data["team"] or 0))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Vue « %(name)s » enregistrée.") % {"name": view.name})
            return redirect(f"{reverse('inbox')}?{view.query}")
    else:
        messages.error(request, _("Donnez un nom à la vue."))
    return redirect("inbox")


@member_required(READ)
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of one's own saved views."""
    member = _member(request)
    view = get_in_org(SavedView, member.organisation, pk)
    try:
        do_delete_saved_view(view, actor=member.user)
    except ValidationError as error:
        return forbidden(request, " ".join(error.messages))
    messages.success(request, _("Vue supprimée."))
    return redirect("inbox")


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
    text = _describe_work(event.verb, data) or describe_routing_event(event)
    if text:
        return text
    if event.verb == "analysis.corrected":
        return _("Analyse corrigée (%(field)s) : %(old)s → %(new)s") % {
            "field": data.get("field", ""),
            "old": _correction_value(data.get("from")),
            "new": _correction_value(data.get("to")),
        }
    return event.verb


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
            "codes": ", ".join(data.get("codes", [])),
            "reason": data.get("reason", ""),
        }
    if verb == "reply.submitted":
        if data.get("approval"):
            return _("Réponse soumise à validation : %(reasons)s") % {
                "reasons": "; ".join(data.get("reasons", []))
            }
        return _("Réponse envoyée à la publication")
    if verb == "reply.approved":
        return _("Réponse validée")
    if verb == "reply.publication_queued":
        return _("Réponse mise en file de publication (%(platform)s)") % {
            "platform": data.get("platform", "")
        }
    if verb == "reply.publication_manual":
        return _("Réponse à publier à la main sur %(platform)s") % {"platform": data.get("platform", "")}
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
    "case.private_thread_opened": gettext_lazy("Échange privé ouvert"),
    "case.private_email_queued": gettext_lazy("E-mail au client en file d'envoi"),
    "case.private_email_sent": gettext_lazy("E-mail envoyé au client"),
    "case.private_email_resent": gettext_lazy("E-mail renvoyé au client"),
    "case.private_email_failed": gettext_lazy("Échec d'envoi de l'e-mail au client"),
    "case.private_email_received": gettext_lazy("E-mail reçu du client"),
    "case.callback_logged": gettext_lazy("Rappel téléphonique consigné"),
    "case.external_ticket_linked": gettext_lazy("Ticket externe lié"),
}


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
    note_form: NoteForm | None = None,
    reply_form: ReplyForm | None = None,
    findings: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    member = _member(request)
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
            "theme_labels": dict(theme_choices(mention.organisation, extra=mention.themes)),
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
            "suggested_ids": {int(i) for i in case.suggested_template_ids or [] if str(i).isdigit()},
            "can_approve": member.can(MANAGE),
            # One answer at a time: while a reply waits for a supervisor, no second one is started.
            "reply_pending": draft is None
            and any(reply.status == ReplyStatus.AWAITING_APPROVAL for reply in detail.replies),
            "send_back_form": SendBackForm() if member.can(MANAGE) else None,
            **findings_context(findings or [], "checked" if findings else ""),
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
            do_correct_analysis(mention, field, value, actor=member.user, audit_on=case)
        if changes:
            messages.success(
                request, _("Correction enregistrée : merci, elle servira à améliorer l'analyse.")
            )
        else:
            messages.info(request, _("Rien n'a changé."))
        return redirect("case_detail", pk=case.pk)
    return _render_case(request, case_detail(member.organisation, pk), correction_form=form, status=400)


# --- Case page: notes, author flags ------------------------------------------------------------------


class NoteForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Note interne"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Visible de l'équipe seulement. @adresse pour prévenir un collègue."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the composer on the same page has a "body" field too.
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)


class AuthorFlagsForm(forms.Form):
    flags = forms.MultipleChoiceField(
        label=gettext_lazy("Qualification de l'auteur"),
        required=False,
        choices=AuthorFlag.choices,
        widget=forms.CheckboxSelectMultiple,
    )


@member_required(HANDLE_CASES)
@require_POST
def case_add_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an internal note; members named ``@email`` are notified. Agents and above."""
    member = _member(request)
    case = get_case(member.organisation, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            do_add_note(case, form.cleaned_data["body"], author=member.user)
        except ValidationError as error:
            form.add_error("body", error.message_dict.get("body", error.messages))
        else:
            messages.success(request, _("Note ajoutée."))
            return redirect(f"{reverse('case_detail', args=[case.pk])}#notes")
    return _render_case(request, case_detail(member.organisation, pk), note_form=form, status=400)


@member_required(HANDLE_CASES)
@require_POST
def case_author_flags(request: HttpRequest, pk: int) -> HttpResponse:
    """Qualify the case's author (customer, employee, influencer, suspected competitor)."""
    member = _member(request)
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


# --- Case page: the reply composer and approval --------------------------------------------------------


class ReplyForm(forms.Form):
    """The composer: the text, the template it started from, the channel, and confirmed warnings."""

    body = forms.CharField(label=gettext_lazy("Votre réponse"), max_length=10000, required=False)
    template = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(
        label=gettext_lazy("Canal"), choices=ReplyChannel.choices, initial=ReplyChannel.PUBLIC, required=False
    )
    overrides = forms.MultipleChoiceField(required=False)
    override_reason = forms.CharField(
        label=gettext_lazy("Pourquoi passer outre ces avertissements ?"), required=False, max_length=500
    )

    def __init__(self, *args: Any, case: Case, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {template.pk: template for template in templates_for(case, membership)}
        self.snippets = {template.pk: template for template in templates_for(case, membership, snippets=True)}
        cast(forms.ChoiceField, self.fields["template"]).choices = _blank("—") + [
            (str(pk), template.name) for pk, template in {**self.templates, **self.snippets}.items()
        ]
        # Warning codes are the gate's; any short code may be confirmed, unknown ones are ignored.
        raw = self.data.getlist("overrides") if hasattr(self.data, "getlist") else []
        cast(forms.ChoiceField, self.fields["overrides"]).choices = [(c, c) for c in raw if len(c) <= 60]

    def clean_channel(self) -> str:
        # A public answer unless said otherwise: the most common case needs no choice.
        return str(self.cleaned_data.get("channel") or ReplyChannel.PUBLIC)

    def chosen_template(self) -> Template | None:
        return self.templates.get(self.cleaned_data.get("template") or 0)

    def chosen_snippet(self) -> Template | None:
        return self.snippets.get(self.cleaned_data.get("template") or 0)


def _draft(case: Case) -> Reply | None:
    return open_draft(case)


@member_required(HANDLE_CASES)
@require_POST
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the draft, or submit it: the gate runs, then approval or publishing. Agents and above."""
    member = _member(request)
    case = get_case(member.organisation, pk)
    form = ReplyForm(request.POST, case=case, membership=member)
    submit = request.POST.get("intent") == "submit"
    findings: list[Any] = []
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
    member = _member(request)
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


def findings_context(findings: list[Any], body: str, confirmed: Any = None) -> dict[str, Any]:
    return {
        "findings": findings,
        "blocked": any(f.severity == "block" for f in findings),
        "warnings": [f for f in findings if f.severity == "warn"],
        "confirmed": set(confirmed or []),
        "checked": bool(body),
    }


@member_required(HANDLE_CASES)
@require_GET
def case_reply_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The composer's text area filled from a template: replacing the text, or appended to it."""
    member = _member(request)
    case = get_case(member.organisation, pk)
    form = ReplyForm(request.GET, case=case, membership=member)
    form.is_valid()
    append = request.GET.get("mode") == "append"
    template = form.chosen_snippet() if append else form.chosen_template()
    body = request.GET.get("body", "")[:10000]
    if template is not None:
        rendered = render_template(template.body, template_context(case, member)).text
        # A snippet is added at the end of what is written; a template replaces it.
        body = f"{body.rstrip()}\n\n{rendered}" if append and body.strip() else rendered
    return render(request, "inbox/_reply_body.html", {"case": case, "body": body})


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Ce qu'il faut changer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _reply_of(member: Membership, pk: int) -> Reply:
    return get_in_org(Reply, member.organisation, pk)


@member_required(MANAGE)
@require_POST
def reply_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor approves a reply; it goes to publishing and its author is told. Managers."""
    member = _member(request)
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
    member = _member(request)
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
