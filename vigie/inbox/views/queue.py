"""The inbox: the case list, its filters and saved views, new-case polling and bulk actions."""

from datetime import datetime, timedelta
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vigie.core.decorators import current_membership, forbidden, member_required
from vigie.core.roles import HANDLE_CASES, MANAGE, READ
from vigie.core.tenancy import get_in_org, scoped
from vigie.inbox.actions import (
    BulkAction,
    do_bulk_update_cases,
    do_delete_saved_view,
    do_save_view,
)
from vigie.inbox.forms import BulkForm, InboxFilterForm, SavedViewForm
from vigie.inbox.models import Case, SavedView
from vigie.inbox.queries import (
    CaseFilters,
    InboxView,
    SlaState,
    cases,
    new_cases_count,
    saved_views_for,
    sla_state,
    view_counts,
)

PER_PAGE = 50
# Languages offered by the filter menu: those the analysis recognises most often.


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


def sla_delay(case: Case, now: datetime) -> str:
    """How late the case is, or how long is left, in one unit ("2 heures"); "" with no running deadline.

    One unit is enough at a glance: "2 heures" rather than "2 heures, 13 minutes". Between one
    and two days, though, "1 jour" would say the same of 25 and 47 hours: the hours follow it.
    """
    state = sla_state(case, now)
    if not state or case.sla_due_at is None:
        return ""
    depth = 2 if timedelta(days=1) <= abs(case.sla_due_at - now) < timedelta(days=2) else 1
    if state == SlaState.OVERDUE:
        return timesince(case.sla_due_at, now, depth=depth)
    return timeuntil(case.sla_due_at, now, depth=depth)


@member_required(READ)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The case list of one view, filtered, 50 per page, with the views and their counts beside it."""
    member = current_membership(request)
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
            # No case at all yet (a new organisation): say where cases come from, not "no case
            # with these filters".
            "first_run": counts[InboxView.ALL.value] == 0,
            "can_manage": member.can(MANAGE),
        },
    )


@member_required(READ)
@require_GET
def inbox_new_count(request: HttpRequest) -> HttpResponse:
    """The "N new cases" banner, polled by the inbox; empty when nothing arrived since ``since``."""
    member = current_membership(request)
    view = request.GET.get("view", InboxView.TODO.value)
    if view not in InboxView.values:
        view = InboxView.TODO.value
    # When the list was shown: "shown", not "since", which is the list's own date filter.
    shown_at = parse_datetime(request.GET.get("shown") or "")
    if shown_at is None or timezone.is_naive(shown_at):
        return HttpResponse("", status=400)
    count = new_cases_count(member, view, shown_at, InboxFilterForm(request.GET, member).filters())
    # "Afficher" shows the list as it was, filters kept (it dropped them).
    query = request.GET.copy()
    for key in ("shown", "page"):
        query.pop(key, None)
    return render(request, "inbox/_new_items.html", {"count": count, "query": query.urlencode()})


@member_required(HANDLE_CASES)
@require_POST
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the ticked cases and show, case by case, how it went. Agents and above."""
    member = current_membership(request)
    form = BulkForm(request.POST, membership=member)
    # The list's own parameters, re-encoded so nothing but a query string follows the inbox's path.
    back = QueryDict(request.POST.get("back", "")).urlencode()
    if not form.is_valid():
        # Back to the list, filters kept, saying what is missing ("Cochez au moins un dossier."):
        # a page holding only the form's errors was a dead end.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(f"{reverse('inbox')}?{back}" if back else reverse("inbox"))
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
            "back": back,
        },
    )


@member_required(READ)
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    """Save the current view and filters under a name, for oneself or one's team."""
    member = current_membership(request)
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
    member = current_membership(request)
    view = get_in_org(SavedView, member.organisation, pk)
    try:
        do_delete_saved_view(view, actor=member.user)
    except ValidationError as error:
        return forbidden(request, " ".join(error.messages))
    messages.success(request, _("Vue supprimée."))
    return redirect("inbox")
