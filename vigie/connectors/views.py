"""Pages of the connectors domain: the organisation's sources, their health and settings, and
the endpoint that receives signed webhooks.

Managers and admins only (the webhook endpoint is authenticated by its signature instead).
Secrets are write-only: no page ever renders a stored credential.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from vigie.connectors.actions import (
    SourceConfigError,
    build_connector,
    do_create_source,
    do_pause_source,
    do_record_connection_test,
    do_remove_source,
    do_resume_source,
    do_update_source,
)
from vigie.connectors.contract import Capability, ConnectorError
from vigie.connectors.credentials import CredentialsError, decrypt_secrets, redact
from vigie.connectors.forms import RemoveForm, SourceForm, config_data, config_form_class, initial_config
from vigie.connectors.models import Source, SourceState
from vigie.connectors.platforms import platform_label
from vigie.connectors.queries import live_sources, place_rows, source_health, sources_overview
from vigie.connectors.registry import UnknownPlatform, all_connectors, get_connector_class
from vigie.connectors.tasks import enqueue_fetch
from vigie.core import jobs, pipeline
from vigie.core.decorators import current_membership, member_required
from vigie.core.egress import EgressRefused
from vigie.core.queries import organisation_locations
from vigie.core.roles import MANAGE
from vigie.core.tenancy import get_in_org


def _live_source(request: HttpRequest, source_id: int) -> Source:
    source = get_in_org(Source, current_membership(request).organisation, source_id)
    if source.removed_at is not None:
        raise Http404
    return source


@member_required(MANAGE)
@require_http_methods(["GET"])
def source_list(request: HttpRequest) -> HttpResponse:
    """Every source of the organisation with its state, last success, last error and volume."""
    organisation = current_membership(request).organisation
    connectors = all_connectors()
    sources = list(sources_overview(organisation))
    for source in sources:
        connector = connectors.get(source.platform)
        source.can_fetch = connector is not None and Capability.FETCH in connector.capabilities  # type: ignore[attr-defined]
        source.can_receive = connector is not None and Capability.WEBHOOK in connector.capabilities  # type: ignore[attr-defined]
        source.health = source_health(source, connector)  # type: ignore[attr-defined]
    return render(
        request,
        "connectors/source_list.html",
        {
            "nav": "sources",
            "sources": sources,
            "platforms": [(slug, platform_label(slug)) for slug in connectors],
        },
    )


def _place_choices(source: Source | None, platform: str) -> tuple[dict[str, list[tuple[str, str]]], str]:
    """The places the source's account has on its platform, as choices of the connector's
    ``places_field`` (each with the Vigie location it goes under), and a note for the page."""
    connector_class = get_connector_class(platform)
    field = connector_class.places_field
    if not field:
        return {}, ""
    if source is None:
        return {}, _(
            "Une fois la source enregistrée et le compte connecté, ses établissements seront proposés ici."
        )
    secrets: dict[str, Any] = {}
    try:
        secrets = decrypt_secrets(source.credentials_encrypted)
        places = build_connector(source).list_places()
    except (ConnectorError, CredentialsError, SourceConfigError, EgressRefused) as exc:
        # EgressRefused: an address the policy refuses (a private one, or http:// with the
        # account's secret) reads as the reason, as on "Tester la connexion"; it was a 500.
        message = redact(getattr(exc, "message", str(exc)), secrets)
        return {}, _("Établissements du compte indisponibles : %(error)s") % {"error": message}
    choices: list[tuple[str, str]] = []
    for row in place_rows(source, places):
        place = row.place
        parts = [place.name, place.store_code, ", ".join(p for p in (place.address, place.city) if p)]
        label = " — ".join(part for part in parts if part)
        if row.location is not None:
            label += " → " + _("lieu Vigie « %(name)s »") % {"name": row.location.name}
        else:
            label += " → " + _("nouveau lieu Vigie à la première lecture")
        choices.append((place.external_id, label))
    known = {value for value, _label in choices}
    # A chosen place the account no longer lists stays visible, so saving does not drop it silently.
    for value in source.config.get(field) or []:
        if str(value) not in known:
            choices.append((str(value), str(value)))
    return {field: choices}, ""


def _forms(
    request: HttpRequest, platform: str, source: Source | None
) -> tuple[SourceForm, Any, type[Any], str]:
    organisation = current_membership(request).organisation
    # The form asks only for what the connector declares it uses (capabilities, API address).
    connector_class = get_connector_class(platform)
    config_class = connector_class.Config
    polls = Capability.FETCH in connector_class.capabilities
    choices, places_note = _place_choices(source, platform)
    config_form = config_form_class(
        config_class, editing=source is not None, choices=choices, base_url=connector_class.uses_base_url
    )
    locations = organisation_locations(organisation)
    if request.method == "POST":
        return (
            SourceForm(request.POST, locations=locations, source=source, polls=polls, prefix="source"),
            config_form(request.POST, prefix="config"),
            config_class,
            places_note,
        )
    initial: dict[str, Any] = {}
    if source is not None:
        initial = {
            "name": source.name,
            "location": source.location_id,
            "poll_interval_minutes": source.poll_interval_seconds // 60,
        }
    config_initial = initial_config(config_class, source.config if source else {})
    for name in choices:
        config_initial[name] = [str(v) for v in (source.config.get(name) or [])] if source else []
    return (
        SourceForm(initial=initial, locations=locations, source=source, polls=polls, prefix="source"),
        config_form(initial=config_initial, prefix="config"),
        config_class,
        places_note,
    )


def _save(request: HttpRequest, platform: str, source: Source | None) -> HttpResponse:
    membership = current_membership(request)
    organisation = membership.organisation
    source_form, config_form, config_class, places_note = _forms(request, platform, source)
    if request.method == "POST" and source_form.is_valid() and config_form.is_valid():
        data = config_data(config_class, config_form.cleaned_data, config_form)
        name = source_form.cleaned_data["name"].strip()
        clash = live_sources(organisation).filter(name=name)
        if source is not None:
            clash = clash.exclude(pk=source.pk)
        if clash.exists():
            source_form.add_error("name", _("Une source porte déjà ce nom."))
        elif data is not None:
            minutes = source_form.cleaned_data.get("poll_interval_minutes")
            try:
                if source is None:
                    saved = do_create_source(
                        organisation,
                        platform=platform,
                        name=name,
                        config=data,
                        location=source_form.cleaned_data["location"],
                        poll_interval_seconds=minutes * 60 if minutes else None,
                        actor=request.user,  # type: ignore[arg-type]
                    )
                    messages.success(request, _("Source « %(name)s » ajoutée.") % {"name": saved.name})
                else:
                    saved = do_update_source(
                        source,
                        name=name,
                        config=data,
                        location=source_form.cleaned_data["location"],
                        poll_interval_seconds=minutes * 60 if minutes else None,
                        actor=request.user,  # type: ignore[arg-type]
                    )
                    messages.success(request, _("Source « %(name)s » enregistrée.") % {"name": saved.name})
                if source_form.cleaned_data.get("test_after_save"):
                    _report_test(request, saved)
                return redirect("sources")
            except SourceConfigError as exc:
                target = exc.field.split(".")[0]
                config_form.add_error(target if target in config_form.fields else None, exc.display)
            except IntegrityError:
                source_form.add_error("name", _("Une source porte déjà ce nom."))
    connector_class = get_connector_class(platform)
    return render(
        request,
        "connectors/source_form.html",
        {
            "nav": "sources",
            "source": source,
            "platform": platform,
            "platform_label": platform_label(platform),
            "source_form": source_form,
            "config_form": config_form,
            "places_note": places_note,
            "webhook_url": webhook_url(request, source)
            if source is not None and Capability.WEBHOOK in connector_class.capabilities
            else "",
        },
        status=400 if request.method == "POST" else 200,
    )


def _report_test(request: HttpRequest, source: Source) -> None:
    """Run the connector's connection test, tell the user the outcome (never a secret) and keep
    it on the source: a source whose test failed is not listed as working until a fetch succeeds."""
    secrets: dict[str, Any] = {}
    error = ""
    try:
        secrets = decrypt_secrets(source.credentials_encrypted)
        description = build_connector(source).test_connection()
    except EgressRefused as exc:
        # The same words whatever was (or was not) listening there: no port scanner.
        error = str(exc)
    except (ConnectorError, CredentialsError, SourceConfigError) as exc:
        error = redact(getattr(exc, "message", str(exc)), secrets)
    except Exception as exc:  # a connector bug must not become a 500 with a trace on this page
        error = type(exc).__name__
    do_record_connection_test(source, error=error)
    if error:
        messages.error(
            request, _("Échec du test de « %(name)s » : %(error)s") % {"name": source.name, "error": error}
        )
    else:
        messages.success(
            request,
            _("Connexion réussie pour « %(name)s » : %(info)s") % {"name": source.name, "info": description},
        )


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def source_add(request: HttpRequest, platform: str) -> HttpResponse:
    """Add a source of ``platform``: the form is generated from the connector's configuration."""
    try:
        get_connector_class(platform)
    except UnknownPlatform:
        raise Http404 from None
    return _save(request, platform, None)


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def source_edit(request: HttpRequest, source_id: int) -> HttpResponse:
    """Change a source; secrets are never shown and kept when left empty."""
    source = _live_source(request, source_id)
    return _save(request, source.platform, source)


@member_required(MANAGE)
@require_POST
def source_test(request: HttpRequest, source_id: int) -> HttpResponse:
    """Try the source's configuration against its platform and say what happened."""
    _report_test(request, _live_source(request, source_id))
    return redirect("sources")


@member_required(MANAGE)
@require_POST
def source_sync(request: HttpRequest, source_id: int) -> HttpResponse:
    """Ask for a fetch of the source now (through the jobs seam)."""
    source = _live_source(request, source_id)
    if Capability.FETCH not in get_connector_class(source.platform).capabilities:
        messages.error(
            request,
            _("« %(name)s » n'a rien à relever : ses mentions arrivent d'elles-mêmes ou par import.")
            % {"name": source.name},
        )
    elif source.state == SourceState.PAUSED:
        messages.error(request, _("« %(name)s » est en pause.") % {"name": source.name})
    else:
        enqueue_fetch(source.pk)
        messages.success(request, _("Relève de « %(name)s » demandée.") % {"name": source.name})
    return redirect("sources")


@member_required(MANAGE)
@require_POST
def source_pause(request: HttpRequest, source_id: int) -> HttpResponse:
    """Stop polling the source."""
    source = _live_source(request, source_id)
    do_pause_source(source, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("« %(name)s » est en pause.") % {"name": source.name})
    return redirect("sources")


@member_required(MANAGE)
@require_POST
def source_resume(request: HttpRequest, source_id: int) -> HttpResponse:
    """Poll the source again."""
    source = _live_source(request, source_id)
    do_resume_source(source, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("« %(name)s » reprend.") % {"name": source.name})
    return redirect("sources")


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def source_remove(request: HttpRequest, source_id: int) -> HttpResponse:
    """Remove the source, keeping or deleting its mentions as the user chooses."""
    source = _live_source(request, source_id)
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = source.name
        do_remove_source(source, keep_mentions=form.cleaned_data["keep_mentions"], actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Source « %(name)s » retirée.") % {"name": name})
        return redirect("sources")
    return render(
        request,
        "connectors/source_remove.html",
        {"nav": "sources", "source": source, "form": form, "mention_count": source.mentions.count()},
    )


@csrf_exempt  # called by other servers, authenticated by the HMAC signature, not a session
@require_POST
def webhook_receive(request: HttpRequest, source_id: int) -> JsonResponse:
    """Receive signed mentions for a webhook source: 202 with counts, 401 on a bad signature,
    422 with per-item errors. Re-delivering the same items changes nothing.

    The ingest step (``vigie.core.pipeline``, run by the mentions app) checks the source and the
    signature and stores the items: its job runs here, by name, so the sender gets the outcome.
    """
    answer = jobs.run_now(
        pipeline.RECEIVE_WEBHOOK_JOB,
        {
            "source_id": source_id,
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "body": base64.b64encode(request.body).decode("ascii"),
        },
    )
    return JsonResponse(answer["body"], status=answer["status"])


def webhook_url(request: HttpRequest, source: Source) -> str:
    """The absolute address a sender posts to for ``source`` (its connector may name its own
    route, as Meta's, which also answers a verification GET)."""
    name = get_connector_class(source.platform).webhook_url_name
    return request.build_absolute_uri(reverse(name, args=[source.pk]))
