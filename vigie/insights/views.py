"""Pages of the insights: the dashboard, its drill-down list, the theme board, action plans,
reports, scheduled reports and exports.

Roles: every member (viewer and up) reads the dashboard, the drill-down list, the theme board and
downloads reports (aggregates and masked quotes). Exports carry raw customer text and personal
data: managers and up. Action plans, testimonial consent and scheduled reports: managers and up.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigie.core.decorators import current_membership, forbidden, member_required
from vigie.core.models import Location, LocationGroup
from vigie.core.periods import organisation_today, period_between
from vigie.core.queries import organisation_location_groups, organisation_locations
from vigie.core.roles import MANAGE, READ
from vigie.core.tenancy import get_in_org, scoped
from vigie.insights import actions, crisis_plans, exports
from vigie.insights.charts import bar_chart, line_chart, sparkline, stacked_chart
from vigie.insights.forms import (
    ActionPlanForm,
    InsightFilterForm,
    ReportBrandingForm,
    ReportForm,
    ScheduledReportForm,
    period_query,
)
from vigie.insights.models import ActionPlan, ScheduledReport
from vigie.insights.queries.action_plans import plan_effect
from vigie.insights.queries.breakdowns import Breakdown, location_split, platform_split_with_surveys
from vigie.insights.queries.drilldown import drilldown_mentions
from vigie.insights.queries.filters import PERIOD_CHOICES
from vigie.insights.queries.kpis import Kpi, kpi_report
from vigie.insights.queries.quotes import SURVEY_PLATFORM
from vigie.insights.queries.theme_board import theme_board
from vigie.insights.queries.themes import reader_theme_labels, theme_shares
from vigie.insights.queries.trends import series_step_days, theme_trends, time_series
from vigie.insights.report_branding import MAX_LOGO_BYTES, branding_for
from vigie.insights.report_format import period_words, points, signed, signed_delay
from vigie.insights.reports import build_report, parse_period, report_filename
from vigie.insights.reports import render as render_report
from vigie.mentions.models import Mention, MentionKind, Sentiment
from vigie.outreach.queries import invitation_measures, satisfaction_by


def kpi_display(kpi: Kpi) -> dict[str, object]:
    """A KPI's value, target and change in the units people read: stars, percent, hours."""
    value: float | None = kpi.value
    target: float = kpi.target
    change = kpi.change
    if kpi.unit == "ratio":
        value = round(kpi.value * 100) if kpi.value is not None else None
        target = round(kpi.target * 100)
        change = round(change * 100) if change is not None else None
    improved = None
    if change:
        improved = change > 0 if kpi.higher_is_better else change < 0
    # The change as people read it, with its unit and a true minus sign: "+1 pt", "−12 pts",
    # "−2,2 h", "+35 min", "−0,12" (stars).
    change_text = ""
    if kpi.change is not None:
        if kpi.unit == "ratio":
            change_text = points(kpi.change)
        elif kpi.unit == "hours":
            change_text = signed_delay(kpi.change * 3600)
        else:
            change_text = signed(kpi.change, 2)
    return {
        "kpi": kpi,
        "value": value,
        "target": target,
        "change": change,
        "change_text": change_text,
        "improved": improved,
    }


def _drill(period: Any, filters: Any, **extra: Any) -> str:
    return reverse("insights-mentions") + "?" + urlencode(period_query(period, filters, **extra))


def _platform_drill(period: Any, filters: Any, row: Breakdown) -> str:
    """The mentions behind a row of the platform split: the survey's row is every answer to a
    satisfaction survey (whichever source brought it), a platform's row its other mentions."""
    if row.key == SURVEY_PLATFORM:
        return _drill(period, filters, kind=MentionKind.SURVEY_ANSWER.value)
    return _drill(period, filters, platform=row.key, not_kind=row.without_kind)


@member_required(READ)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """KPI cards against targets with the previous period, charts that drill down to mentions."""
    member = current_membership(request)
    organisation = member.organisation
    form = InsightFilterForm(request.GET, member)
    period = form.get_period()
    filters = form.get_filters()
    report = kpi_report(organisation, period, filters, compare=True)
    series = time_series(organisation, period, filters)
    step = series_step_days(period)

    def label(point: Any) -> str:
        return point.start.strftime("%d/%m")

    def point_url(point: Any, **extra: Any) -> str:
        return _drill(period_between(organisation, point.start, point.end), filters, **extra)

    sentiment_series = [(Sentiment.NEGATIVE, "neg"), (Sentiment.NEUTRAL, "neu"), (Sentiment.POSITIVE, "pos")]
    sentiment_chart = stacked_chart(
        [(label(p), (p.negative, p.neutral, p.positive)) for p in series],
        title=_("Volume et sentiment dans le temps"),
        series=[(str(s.label), css) for s, css in sentiment_series],
        urls=[[point_url(p, sentiment=s.value) for s, _css in sentiment_series] for p in series],
    )
    volume_chart = bar_chart(
        [(label(p), p.volume) for p in series],
        title=_("Mentions dans le temps"),
        urls=[point_url(p) for p in series],
    )
    rating_chart = line_chart(
        [(label(p), p.average_rating) for p in series], title=_("Évolution de la note moyenne"), low=1, high=5
    )
    response_chart = bar_chart(
        [(str(s.label), s.count) for s in report.response_time_distribution],
        title=_("Délais de première réponse (heures ouvrées)"),
    )
    themes = theme_shares(organisation, period, filters, volume=report.mention_volume)
    labels = reader_theme_labels(organisation)
    trends = theme_trends(organisation, period, filters, themes=[t.theme for t in themes[:5]])
    platforms_rows = platform_split_with_surveys(organisation, period, filters)
    locations_rows = location_split(organisation, period, filters)
    query = period_query(period, filters)
    satisfaction_groups = [
        (_("Par lieu"), satisfaction_by(organisation, period, "location")),
        (_("Par équipe"), satisfaction_by(organisation, period, "team")),
        (_("Par agent"), satisfaction_by(organisation, period, "agent")),
    ]
    return render(
        request,
        "insights/dashboard.html",
        {
            "satisfaction_groups": satisfaction_groups,
            "any_survey_answer": any(rows for _title, rows in satisfaction_groups),
            # Every answer to a survey of the period (the platform split's survey row), rated or not.
            "survey_answers": sum(row.volume for row in platforms_rows if row.key == SURVEY_PLATFORM),
            "outreach_measures": invitation_measures(organisation, period),
            "nav": "dashboard",
            "form": form,
            "days": form.days,
            "custom": form.custom,
            "period_choices": PERIOD_CHOICES,
            "period": period,
            "period_error": form.period_error,
            "step": step,
            "report": report,
            "kpis": [kpi_display(kpi) for kpi in report.kpis],
            "sentiments": [
                (share, round(share.share * 100), _drill(period, filters, sentiment=share.key))
                for share in report.sentiments
            ],
            "ratings": [
                (share, round(share.share * 100), _drill(period, filters, stars=share.key, kind="review"))
                for share in report.rating_distribution
            ],
            "series": series,
            "series_links": [point_url(p) for p in series],
            "sentiment_chart": sentiment_chart,
            "volume_chart": volume_chart,
            "rating_chart": rating_chart,
            "response_chart": response_chart,
            "themes": [
                (t, labels.get(t.theme, t.theme), _drill(period, filters, theme=t.theme)) for t in themes
            ],
            "trends": [
                (
                    t,
                    labels.get(t.theme, t.theme),
                    sparkline(
                        [(label(p), n) for p, n in zip(series, t.counts, strict=False)],
                        title=labels.get(t.theme, t.theme),
                    ),
                    sum(t.counts),
                    _drill(period, filters, theme=t.theme),
                )
                for t in trends
            ],
            "platform_rows": [(row, _platform_drill(period, filters, row)) for row in platforms_rows],
            "location_rows": [
                (row, _drill(period, filters, location=row.key) if row.key else "") for row in locations_rows
            ],
            "drill_all": _drill(period, filters),
            "export_query": urlencode(query),
            "can_export": member.can(MANAGE),
            "can_manage": member.can(MANAGE),
            "filter_query": urlencode(filters.as_query()),
        },
    )


@member_required(READ)
@require_GET
def mention_list(request: HttpRequest) -> HttpResponse:
    """The mentions behind a number of the dashboard (same period and filters, plus the slice)."""
    member = current_membership(request)
    form = InsightFilterForm(request.GET, member)
    period = form.get_period()
    filters = form.get_filters()
    queryset = drilldown_mentions(member.organisation, period, filters, **form.slice())
    page = Paginator(queryset.select_related("case", "testimonial_consent"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "insights/mentions.html",
        {
            "nav": "dashboard",
            "form": form,
            "period": period,
            "period_error": form.period_error,
            "page": page,
            "dashboard_query": urlencode(period_query(period, filters)),
            "can_consent": member.can(MANAGE),
        },
    )


@member_required(READ)
@require_GET
def theme_board_page(request: HttpRequest) -> HttpResponse:
    """The most frequent problems of the period, their trend, quotes, places and action plans."""
    member = current_membership(request)
    form = InsightFilterForm(request.GET, member)
    period = form.get_period()
    filters = form.get_filters()
    rows = theme_board(member.organisation, period, filters)
    return render(
        request,
        "insights/themes.html",
        {
            "nav": "dashboard",
            "form": form,
            "period": period,
            "period_error": form.period_error,
            "days": form.days,
            "custom": form.custom,
            "period_choices": PERIOD_CHOICES,
            "rows": [(row, _drill(period, filters, theme=row.theme)) for row in rows],
            "filter_query": urlencode(filters.as_query()),
            "can_manage": member.can(MANAGE),
        },
    )


@member_required(READ)
@require_GET
def action_plan_list(request: HttpRequest) -> HttpResponse:
    """Every action plan with its theme's numbers before and after its start."""
    member = current_membership(request)
    organisation = member.organisation
    plans = list(scoped(ActionPlan, organisation).select_related("owner"))
    labels = reader_theme_labels(organisation)
    return render(
        request,
        "insights/action_plans.html",
        {
            "nav": "dashboard",
            "effects": [(plan_effect(plan), labels.get(plan.theme, plan.theme)) for plan in plans],
            "can_manage": member.can(MANAGE),
        },
    )


def _plan_form_page(request: HttpRequest, plan: ActionPlan | None) -> HttpResponse:
    member = current_membership(request)
    organisation = member.organisation
    initial: dict[str, Any] = {"theme": request.GET.get("theme", "")}
    crisis = None
    if plan is None and request.GET.get("crisis"):
        # From a crisis room: its post-mortem is the plan's first draft; a crisis feeds one plan.
        crisis = crisis_plans.closed_crisis(organisation, request.GET["crisis"])
        existing = crisis_plans.plan_of(crisis)
        if existing is not None:
            messages.info(request, _("Le plan d'action de cette crise existe déjà."))
            return redirect("insights-action-plan-edit", pk=existing.pk)
        themes = [slug for slug, _label in ActionPlanForm(None, member).fields["theme"].choices]  # type: ignore[attr-defined]
        initial = crisis_plans.plan_draft(crisis, themes)
    if plan is not None:
        initial = {
            "theme": plan.theme,
            "title": plan.title,
            "description": plan.description,
            "owner": plan.owner_id,
            "status": plan.status,
            "started_on": plan.started_on,
            "due_on": plan.due_on,
        }
    form = ActionPlanForm(
        request.POST if request.method == "POST" else None,
        member,
        initial=initial,
        current_owner=plan.owner if plan is not None else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if plan is None:
                actions.do_create_action_plan(
                    organisation,
                    theme=data["theme"],
                    title=data["title"],
                    description=data["description"],
                    owner=form.owner_user(),
                    status=data["status"],
                    started_on=data["started_on"],
                    due_on=data["due_on"],
                    actor=member.user,
                    crisis=crisis,
                )
                messages.success(request, _("Plan d'action créé."))
            else:
                actions.do_update_action_plan(
                    plan,
                    actor=member.user,
                    title=data["title"],
                    description=data["description"],
                    owner=form.owner_user(),
                    status=data["status"],
                    started_on=data["started_on"],
                    due_on=data["due_on"],
                )
                messages.success(request, _("Plan d'action enregistré."))
        except ValidationError as exc:
            for field_name, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field_name if field_name in form.fields else None, error)
        else:
            return redirect("insights-action-plans")
    return render(
        request,
        "insights/action_plan_form.html",
        {
            "nav": "dashboard",
            "form": form,
            "plan": plan,
            "effect": plan_effect(plan) if plan else None,
            "crisis": crisis or (plan.crisis if plan is not None else None),
        },
        status=400 if request.method == "POST" else 200,
    )


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def action_plan_create(request: HttpRequest) -> HttpResponse:
    """Record a new action plan (managers)."""
    return _plan_form_page(request, None)


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def action_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an action plan (managers); another organisation's plan is a 404."""
    plan = get_in_org(ActionPlan, current_membership(request).organisation, pk)
    return _plan_form_page(request, plan)


@member_required(MANAGE)
@require_POST
def action_plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    member = current_membership(request)
    plan = get_in_org(ActionPlan, member.organisation, pk)
    actions.do_delete_action_plan(plan, actor=member.user)
    messages.success(request, _("Plan d'action supprimé."))
    return redirect("insights-action-plans")


@member_required(MANAGE)
@require_POST
def testimonial_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a mention's author agreed (or not) to be quoted as a testimonial (managers)."""
    member = current_membership(request)
    mention = get_in_org(Mention, member.organisation, pk)
    granted = request.POST.get("granted") == "1"
    actions.do_record_quote_consent(
        mention, granted=granted, actor=member.user, note=request.POST.get("note", "")[:300]
    )
    messages.success(request, _("Consentement enregistré.") if granted else _("Refus enregistré."))
    back = request.POST.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("insights-mentions")
    return redirect(back)


@member_required(READ)
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest) -> HttpResponse:
    """Download the management report of a period; managers also schedule it by e-mail."""
    member = current_membership(request)
    organisation = member.organisation
    groups = list(organisation_location_groups(organisation).values_list("pk", "name"))
    # The last complete month is what a manager downloads most: one click, no date to type.
    last_month = organisation_today(organisation).replace(day=1) - timedelta(days=1)
    form = ReportForm(
        request.GET or None,
        groups=groups,
        initial={"period": f"{last_month:%Y-%m}", "language": organisation.language},
    )
    if request.GET and form.is_valid():
        try:
            period = parse_period(organisation, form.cleaned_data["period"])
        except ValueError:
            form.add_error(
                "period",
                _(
                    "Période invalide : AAAA-MM, AAAA-Wss, AAAA-Tn (trimestre) ou AAAA-MM-JJ:AAAA-MM-JJ, à partir de 2000."
                ),
            )
        else:
            fmt = form.cleaned_data["report_format"]
            group_id = form.cleaned_data.get("location_group")
            report = build_report(
                organisation,
                period,
                language=form.cleaned_data["language"],
                group=get_in_org(LocationGroup, organisation, pk=group_id) if group_id else None,
            )
            content = render_report(report, fmt)
            response = HttpResponse(content, content_type="application/pdf" if fmt == "pdf" else "text/html")
            response["Content-Disposition"] = content_disposition_header(True, report_filename(report, fmt))
            return response
    locations = list(organisation_locations(organisation).values_list("pk", "name"))
    branding_post = request.method == "POST" and request.POST.get("form") == "branding"
    schedule_form = ScheduledReportForm(
        request.POST if request.method == "POST" and not branding_post else None,
        locations=locations,
        groups=groups,
        # The organisation's language, as for the download form (it offered French to everyone).
        initial={"language": organisation.language},
    )
    current = branding_for(organisation)
    branding_form = ReportBrandingForm(
        request.POST if branding_post else None,
        request.FILES if branding_post else None,
        initial={"colour": current.colour},
    )
    if request.method == "POST":
        if not member.can(MANAGE):
            return forbidden(
                request, _("Votre rôle dans cette organisation ne permet pas d'ouvrir cette page.")
            )
        if branding_post:
            if branding_form.is_valid():
                upload = branding_form.cleaned_data.get("logo")
                try:
                    actions.do_set_report_branding(
                        organisation,
                        colour=branding_form.cleaned_data["colour"],
                        logo=upload.read(MAX_LOGO_BYTES + 1) if upload else None,
                        remove_logo=branding_form.cleaned_data["remove_logo"],
                        actor=member.user,
                    )
                except ValidationError as exc:
                    for errors in exc.message_dict.values():
                        for error in errors:
                            branding_form.add_error(None, error)
                else:
                    messages.success(request, _("Couleur et logo des rapports enregistrés."))
                    return redirect("insights-reports")
        elif schedule_form.is_valid():
            location_id = schedule_form.cleaned_data.get("location")
            group_id = schedule_form.cleaned_data.get("location_group")
            try:
                actions.do_create_scheduled_report(
                    organisation,
                    frequency=schedule_form.cleaned_data["frequency"],
                    recipients=schedule_form.recipient_list(),
                    language=schedule_form.cleaned_data["language"],
                    report_format=schedule_form.cleaned_data["report_format"],
                    location=get_in_org(Location, organisation, pk=location_id) if location_id else None,
                    location_group=get_in_org(LocationGroup, organisation, pk=group_id) if group_id else None,
                    actor=member.user,
                )
            except ValidationError as exc:
                for errors in exc.message_dict.values():
                    for error in errors:
                        schedule_form.add_error(None, error)
            else:
                messages.success(request, _("Rapport programmé."))
                return redirect("insights-reports")
    return render(
        request,
        "insights/reports.html",
        {
            "nav": "dashboard",
            "form": form,
            "schedule_form": schedule_form,
            "branding_form": branding_form,
            "branding": current,
            "schedules": [
                (schedule, _sent_period(organisation, schedule.last_period_sent))
                for schedule in scoped(ScheduledReport, organisation).select_related(
                    "location", "location_group"
                )
            ],
            "can_manage": member.can(MANAGE),
        },
        status=400 if form.errors or schedule_form.errors or branding_form.errors else 200,
    )


def _sent_period(organisation: Any, key: str) -> str:
    """A schedule's last period sent as the reader says it ("octobre 2026", "October 2026",
    "4e trimestre 2026", "semaine du 16 novembre au 22 novembre 2026"), not its key ("2026-10")."""
    if not key:
        return ""
    try:
        period = parse_period(organisation, key)
    except ValueError:
        return key
    return period_words(period.first_day, period.last_day)


@member_required(MANAGE)
@require_POST
def scheduled_report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    member = current_membership(request)
    schedule = get_in_org(ScheduledReport, member.organisation, pk)
    actions.do_delete_scheduled_report(schedule, actor=member.user)
    messages.success(request, _("Rapport programmé supprimé."))
    return redirect("insights-reports")


@member_required(MANAGE)
@require_GET
def export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    """Mentions, cases or replies of the period and filters, as CSV or XLSX, streamed (managers)."""
    member = current_membership(request)
    if what not in exports.EXPORTS or fmt not in exports.FORMATS:
        raise Http404
    form = InsightFilterForm(request.GET, member)
    if form.period_error:
        # A file of another period than the one asked for would be read as the one asked for.
        message = _("%(error)s. Rien n'a été exporté : corrigez la période demandée.") % {
            "error": form.period_error
        }
        return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")
    period = form.get_period()
    # Streamed responses are not HttpResponse subclasses; the decorators pass them through untouched.
    return cast(
        HttpResponse, exports.export_response(member.organisation, what, fmt, period, form.get_filters())
    )
