"""Pages of the alerts domain: alerts, notification settings and preferences. The crisis rooms'
pages are in ``vigie.alerts.crisis.views``.

Who may do what (documented in docs/alerts-and-crisis.md):

* every member (viewer and up) reads alerts and their own notifications, and sets their own
  notification preferences;
* agents acknowledge, snooze, escalate and resolve alerts;
* managers edit the alert settings and channels.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vigie.alerts import actions, queries
from vigie.alerts.forms import ChannelForm, PreferencesForm, SeriesForm, SettingsForm, SnoozeForm
from vigie.alerts.models import Alert, CrisisStatus, NotificationChannel
from vigie.core.actions import do_mark_notifications_read
from vigie.core.decorators import current_membership, member_required
from vigie.core.models import User
from vigie.core.roles import HANDLE_CASES, MANAGE, READ
from vigie.core.tenancy import get_in_org


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _language(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", "fr"))


def _org(request: HttpRequest) -> Any:
    return current_membership(request).organisation


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- alerts -----------------------------------------------------------------------------------


@member_required(READ)
@require_http_methods(["GET"])
def alert_list(request: HttpRequest) -> HttpResponse:
    """Ongoing alerts first, then the latest finished ones; open crises and overdue actions."""
    organisation = _org(request)
    language = _language(request)
    ongoing = list(queries.alerts(organisation, ongoing=True)[:100])
    finished = list(queries.alerts(organisation, ongoing=False)[:30])
    for alert in [*ongoing, *finished]:
        alert.shown_title = alert.title_in(language)  # type: ignore[attr-defined]
        alert.shown_explanation = alert.explanation_in(language)  # type: ignore[attr-defined]
    return render(
        request,
        "alerts/alert_list.html",
        {
            "nav": "alerts",
            "ongoing": ongoing,
            "finished": finished,
            "open_crises": queries.crises(organisation).filter(status=CrisisStatus.OPEN),
            "open_actions": queries.corrective_actions(organisation).count(),
        },
    )


@member_required(READ)
@require_http_methods(["GET"])
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One alert: why it fired (observed vs expected, since when), the mentions behind it."""
    alert = get_in_org(Alert, _org(request), pk)
    language = _language(request)
    members = list(queries.incident_alerts(alert.incident)) if alert.incident else []
    for member in members:
        member.shown_title = member.title_in(language)  # type: ignore[attr-defined]
    return render(
        request,
        "alerts/alert_detail.html",
        {
            "nav": "alerts",
            "alert": alert,
            "title": alert.title_in(language),
            "explanation": alert.explanation_in(language),
            "scope": alert.scope_label_in(language),
            "mentions": queries.alert_mentions(alert),
            "crises": alert.crises.all(),
            "snooze_form": SnoozeForm(),
            "incident": alert.incident,
            "incident_explanation": alert.incident.explanation_in(language) if alert.incident else "",
            "incident_members": members,
        },
    )


def _alert_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    alert = get_in_org(Alert, _org(request), pk)
    user = _user(request)
    try:
        if verb == "acknowledge":
            actions.do_acknowledge_alert(alert, actor=user)
            messages.success(request, _("Alerte prise en compte."))
        elif verb == "snooze":
            form = SnoozeForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Durée de mise en sommeil invalide (1 à 168 heures)."))
            else:
                until = timezone.now() + timedelta(hours=form.cleaned_data["hours"])
                actions.do_snooze_alert(alert, actor=user, until=until)
                messages.success(request, _("Alerte mise en sommeil."))
        elif verb == "escalate":
            actions.do_escalate_alert(alert, actor=user)
            messages.success(request, _("Alerte escaladée aux responsables."))
        elif verb == "resolve":
            actions.do_resolve_alert(alert, actor=user)
            messages.success(request, _("Alerte terminée."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("alert_detail", pk=alert.pk)


@member_required(HANDLE_CASES)
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_action(request, pk, "acknowledge")


@member_required(HANDLE_CASES)
@require_POST
def alert_snooze(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_action(request, pk, "snooze")


@member_required(HANDLE_CASES)
@require_POST
def alert_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_action(request, pk, "escalate")


@member_required(HANDLE_CASES)
@require_POST
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_action(request, pk, "resolve")


# --- settings (managers) --------------------------------------------------------------------


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def alert_settings(request: HttpRequest) -> HttpResponse:
    """Escalation delay, single-item rules, per-series sensitivity and the organisation's channels."""
    organisation = _org(request)
    current = queries.alert_settings(organisation)
    form = SettingsForm(
        request.POST or None,
        initial={
            "escalate_after_minutes": current.escalate_after_minutes,
            "one_star_reviews": current.one_star_reviews,
            "influencer_followers": current.influencer_followers,
        },
    )
    if request.method == "POST" and form.is_valid():
        actions.do_update_alert_settings(organisation, actor=_user(request), **form.cleaned_data)
        messages.success(request, _("Réglages des alertes enregistrés."))
        return redirect("alert_settings")
    tuned = queries.series_sensitivities(organisation)
    series = [
        {
            "key": key,
            "label": label,
            "sensitivity": tuned[key].sensitivity if key in tuned else 1.0,
            "enabled": tuned[key].enabled if key in tuned else True,
        }
        for key, label in queries.series_keys_for_settings(organisation)
    ]
    return render(
        request,
        "alerts/settings.html",
        {
            "nav": "alerts",
            "form": form,
            "series": series,
            "channels": queries.channels(organisation),
            "channel_form": ChannelForm(),
        },
        status=400 if request.method == "POST" else 200,
    )


@member_required(MANAGE)
@require_POST
def series_tune(request: HttpRequest) -> HttpResponse:
    form = SeriesForm(request.POST)
    keys = {key for key, _label in queries.series_keys_for_settings(_org(request))}
    if not form.is_valid() or form.cleaned_data["key"] not in keys:
        messages.error(request, _("Réglage de série invalide (sensibilité entre 0,1 et 10)."))
    else:
        actions.do_set_series_sensitivity(
            _org(request),
            form.cleaned_data["key"],
            sensitivity=form.cleaned_data["sensitivity"],
            enabled=form.cleaned_data["enabled"],
            actor=_user(request),
        )
        messages.success(request, _("Sensibilité enregistrée."))
    return redirect(reverse("alert_settings") + "#series")


@member_required(MANAGE)
@require_POST
def channel_add(request: HttpRequest) -> HttpResponse:
    form = ChannelForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    else:
        try:
            actions.do_add_channel(_org(request), actor=_user(request), **form.cleaned_data)
            messages.success(request, _("Canal ajouté."))
        except ValidationError as exc:
            _errors(request, exc)
    return redirect(reverse("alert_settings") + "#channels")


@member_required(MANAGE)
@require_POST
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_in_org(NotificationChannel, _org(request), pk)
    actions.do_delete_channel(channel, actor=_user(request))
    messages.success(request, _("Canal supprimé."))
    return redirect(reverse("alert_settings") + "#channels")


# --- a member's own notifications --------------------------------------------------------------


@member_required(READ)
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """The member's own notification preferences."""
    membership = current_membership(request)
    current = queries.preference_for(membership)
    form = PreferencesForm(
        request.POST or None,
        initial={
            "events": current.events,
            "email": current.email,
            "minimum_severity": current.minimum_severity,
            "quiet_start": current.quiet_start,
            "quiet_end": current.quiet_end,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_preferences(membership, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Préférences enregistrées."))
            return redirect("alert_preferences")
    return render(
        request,
        "alerts/preferences.html",
        {"nav": "alerts", "form": form, "timezone": membership.organisation.timezone},
        status=400 if request.method == "POST" else 200,
    )


@member_required(READ)
@require_http_methods(["GET"])
def notification_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    return render(
        request,
        "alerts/notifications.html",
        {
            "nav": "notifications",
            "notifications": queries.notifications(membership.organisation, membership.user),
        },
    )


@member_required(READ)
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    ids = [int(v) for v in request.POST.getlist("id") if v.isdecimal()] or None
    do_mark_notifications_read(membership.organisation, membership.user, ids)
    return redirect("notifications")
