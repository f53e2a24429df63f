"""Pages of outreach: the managers' pages (campaign, invitations, testimonials) under /outreach/,
and the customers' public pages under /o/ (review link, survey, opt-out), which need no login."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigie.charter.actions import do_update_charter
from vigie.charter.document import OutreachPolicy
from vigie.charter.queries import current_charter
from vigie.connectors.platforms import platform_public_label
from vigie.core.decorators import current_membership, member_required
from vigie.core.models import Location
from vigie.core.periods import last_days
from vigie.core.proxies import client_address
from vigie.core.roles import MANAGE
from vigie.core.safe_text import neutralise_cell
from vigie.core.tenancy import get_in_org, scoped
from vigie.mentions.models import Mention
from vigie.outreach import actions, forms, queries
from vigie.outreach.links import sign
from vigie.outreach.models import (
    BatchKind,
    BatchState,
    Invitation,
    InvitationState,
    InviteBatch,
    SurveyResponse,
    Testimonial,
)
from vigie.outreach.preview import preview
from vigie.outreach.reasons import reason_label, send_error_label

# Requests per minute one client may make to the public pages.
PUBLIC_RATE_LIMIT = 20


# --- managers' pages -----------------------------------------------------------------------------


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def campaign(request: HttpRequest) -> HttpResponse:
    """The campaign's rules and each location's review platform (the charter's outreach section)."""
    member = current_membership(request)
    organisation = member.organisation
    current = queries.campaign_of(organisation)
    charter = current_charter(organisation)
    initial = {
        "enabled": current.enabled,
        "after_resolved_case": current.after_resolved_case,
        "legal_basis": current.legal_basis,
        "period_days": current.period_days,
        "reminder_after_days": current.reminder_after_days,
        "quiet_start": current.quiet_start,
        "quiet_end": current.quiet_end,
        "with_survey": current.with_survey,
        "sms": current.sms,
        "reply_to": current.reply_to,
        "population": "\n".join(f"{r['field']} = {r['value']}" for r in current.population),
    }
    form = forms.CampaignForm(
        request.POST if request.POST.get("section") == "campaign" else None, initial=initial
    )
    sites_form = forms.ReviewSitesForm(
        request.POST if request.POST.get("section") == "sites" else None,
        initial={"sites": forms.sites_text(charter.outreach.review_sites)},
        locations=list(scoped(Location, organisation).values_list("name", flat=True)),
    )
    if request.method == "POST" and request.POST.get("section") == "campaign" and form.is_valid():
        data = dict(form.cleaned_data)
        population = data.pop("population")
        try:
            actions.do_update_campaign(organisation, actor=member.user, population=population, **data)
        except ValidationError as exc:
            for field_name, errors in exc.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
        else:
            messages.success(request, _("Réglages des invitations enregistrés."))
            if data.get("enabled") and not data.get("legal_basis"):
                # Switched on, yet nothing would go after a resolved case: say so now.
                messages.warning(
                    request,
                    _(
                        "Aucune base légale choisie : seuls les clients dont la base légale est déjà "
                        "enregistrée, ou donnée par la liste (colonne legal_basis), seront invités."
                    ),
                )
            return redirect("outreach")
    if request.method == "POST" and request.POST.get("section") == "sites" and sites_form.is_valid():
        document = charter.model_copy(
            update={
                "outreach": OutreachPolicy.model_validate({"review_sites": sites_form.cleaned_data["sites"]})
            }
        )
        do_update_charter(
            organisation, document, author=member.user, comment=_("Plateformes d'avis par lieu")
        )
        messages.success(request, _("Plateformes d'avis enregistrées dans la charte."))
        return redirect("outreach")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "outreach/campaign.html",
        {
            "nav": "outreach",
            "form": form,
            "sites_form": sites_form,
            "campaign": current,
            "upload_form": forms.CsvUploadForm(),
            # Its own ids: both upload forms have a "file" field, and the label "Fichier CSV" of this
            # one opened the file picker of the list above.
            "survey_form": forms.CsvUploadForm(auto_id="id_survey_%s"),
            "address_form": forms.AddressForm(),
            "import_report": _import_report(request),
            "survey_imports": scoped(InviteBatch, organisation)
            .filter(kind=BatchKind.SURVEY)
            .defer("rows")
            .order_by("-created_at")[:5],
        },
        status=status,
    )


def _form_errors(form: Any) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def _upload_text(upload: Any) -> str:
    return actions.decode_csv(upload.read(forms.CSV_MAX_BYTES + 1))


# A dry run of a list this short is answered at once (nothing is sent); anything else is queued.
DRY_RUN_INLINE_ROWS = 2000


@member_required(MANAGE)
@require_POST
def invite_upload(request: HttpRequest) -> HttpResponse:
    """Invite the customers of an uploaded CSV (email, name, location, platform). The list is
    queued and sent in the background (``actions.run_list_slice``); the page of the run shows its
    progress and every row that did not go. A short dry run is answered at once."""
    member = current_membership(request)
    form = forms.CsvUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("outreach")
    upload = form.cleaned_data["file"]
    raw = upload.read(forms.CSV_MAX_BYTES + 1)
    try:
        rows = actions.read_invite_rows(actions.decode_csv(raw))
    except actions.CsvError as exc:
        messages.error(request, str(exc))
        return redirect("outreach")
    dry_run = form.cleaned_data["dry_run"]
    if dry_run and len(rows) <= DRY_RUN_INLINE_ROWS:
        summary = actions.do_invite_rows(member.organisation, rows, dry_run=True)
        # The report is shown once, beside the form (nothing was sent).
        request.session[IMPORT_REPORT_KEY] = {
            "dry_run": True,
            "sent": summary.sent,
            "counts": dict(summary.skipped),
            "rows": [
                [row.line, row.who, row.reason, row.detail]
                for row in summary.rows[:IMPORT_REPORT_ROWS]
                if row.reason != "quiet_hours"
            ],
        }
        return HttpResponseRedirect(reverse("outreach") + "#import-report")
    batch, created = actions.do_queue_list(
        member.organisation,
        rows,
        actor=member.user,
        dry_run=dry_run,
        file_name=str(getattr(upload, "name", "") or ""),
        digest=hashlib.sha256(raw).hexdigest(),
    )
    if not created:
        messages.info(request, _("Cette liste est déjà en cours d'envoi : voici où elle en est."))
    return redirect("outreach_batch", pk=batch.pk)


def _batch_report(batch: InviteBatch) -> dict[str, Any]:
    """A list's run in words: progress, what went, what waits for the end of the quiet hours,
    and every row that did not go (the first ``IMPORT_REPORT_ROWS``; all in the CSV)."""
    counts: dict[str, int] = batch.counts or {}
    refused = sorted(
        ((code, n) for code, n in counts.items() if code != "quiet_hours"),
        key=lambda item: (-item[1], item[0]),
    )
    rows = [
        {"line": row.line, "who": row.who, "reason": _reason_words(row.reason, row.detail)}
        for row in batch.report_rows.all()[:IMPORT_REPORT_ROWS]
    ]
    if batch.kind == BatchKind.SURVEY:
        # A refused survey row reads as its reason alone (« La satisfaction se note de 1 à 5. »).
        rows = [
            {"line": row.line, "who": row.who, "reason": row.detail or reason_label(row.reason)}
            for row in batch.report_rows.all()[:IMPORT_REPORT_ROWS]
        ]
        refused = [(code, n) for code, n in refused if code != "already_imported"]
    refused_total = sum(n for _code, n in refused)
    return {
        "survey": batch.kind == BatchKind.SURVEY,
        "already": counts.get("already_imported", 0),
        "dry_run": batch.dry_run,
        "sent": batch.sent,
        "scheduled": counts.get("quiet_hours", 0),
        "refused": [{"reason": reason_label(code), "count": n} for code, n in refused],
        "refused_total": refused_total,
        "rows": rows,
        "more": max(0, refused_total - len(rows)),
    }


@member_required(MANAGE)
@require_GET
def batch_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The run of a list: its progress (the page refreshes itself while it runs, with or without
    JavaScript) and its report."""
    member = current_membership(request)
    # Without the file's rows: the page is polled every 2 s while a list of 20,000 runs.
    batch = scoped(InviteBatch, member.organisation).defer("rows").filter(pk=pk).first()
    if batch is None:
        raise Http404
    running = batch.state in (BatchState.QUEUED, BatchState.RUNNING)
    context = {
        "nav": "outreach",
        "batch": batch,
        "running": running,
        # Floored: a run is never said to be at 100 % before its last row; written by |pct in the
        # reader's language (« 40 % » in French, "40%" in English: it read "40 %" in English).
        "share": int(100 * batch.done / batch.total) / 100 if batch.total else 1.0,
        "import_report": _batch_report(batch),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "outreach/_batch_progress.html", context)
    return render(request, "outreach/batch.html", context)


@member_required(MANAGE)
@require_GET
def batch_rows_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every row of a list that did not go, as CSV: line, address, reason in words."""
    member = current_membership(request)
    batch = get_in_org(InviteBatch, member.organisation, pk)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    survey = batch.kind == BatchKind.SURVEY
    writer.writerow([_("Ligne"), "id" if survey else _("Client"), _("Raison")])
    for row in batch.report_rows.all().iterator():
        reason = (row.detail or reason_label(row.reason)) if survey else _reason_words(row.reason, row.detail)
        writer.writerow([row.line, _cell(row.who), _cell(reason)])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"enquete-{batch.pk}-lignes-refusees" if survey else f"liste-{batch.pk}-lignes-non-envoyees"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _cell(value: str) -> str:
    """A cell a spreadsheet would run as a formula is quoted (the rule of every export)."""
    return str(neutralise_cell(value))


def _reason_words(code: str, detail: str) -> str:
    reason = reason_label(code)
    if code == "unknown_location":
        return _(
            "lieu inconnu : %(location)s — ligne refusée (corrigez le nom du lieu ou laissez-le vide)"
        ) % {"location": detail}
    return f"{reason} : {detail}" if detail else reason


# The invitations the list shows (the most recent), said under it when there are more.
INVITATIONS_SHOWN = 200

# The rows of an import report kept for the page (the counts cover them all).
IMPORT_REPORT_ROWS = 200
IMPORT_REPORT_KEY = "outreach_import_report"


def _import_report(request: HttpRequest) -> dict[str, Any] | None:
    """The last import's report, once, in words: what went (or would go), what was scheduled for
    the end of the quiet hours, and each row that did not go, with its line and reason."""
    stored = request.session.pop(IMPORT_REPORT_KEY, None)
    if not isinstance(stored, dict):
        return None
    counts: dict[str, int] = stored.get("counts", {})
    scheduled = counts.get("quiet_hours", 0)
    refused = sorted(
        ((code, n) for code, n in counts.items() if code != "quiet_hours"),
        key=lambda item: (-item[1], item[0]),
    )
    rows = [
        {"line": line, "who": who, "reason": _reason_words(code, detail)}
        for line, who, code, detail in stored.get("rows", [])
    ]
    return {
        "dry_run": bool(stored.get("dry_run")),
        "sent": stored.get("sent", 0),
        "scheduled": scheduled,
        "refused": [{"reason": reason_label(code), "count": n} for code, n in refused],
        "refused_total": sum(n for _code, n in refused),
        "rows": rows,
        "more": max(0, sum(n for _code, n in refused) - len(rows)),
    }


@member_required(MANAGE)
@require_POST
def survey_upload(request: HttpRequest) -> HttpResponse:
    """Import survey results collected elsewhere (date, csat, nps, comment, location, id). The file
    is queued and imported in the background, as a list is (20,000 rows took minutes: the request
    timed out); the page of the run shows its progress, every refused row and the rows imported
    before."""
    member = current_membership(request)
    form = forms.CsvUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("outreach")
    upload = form.cleaned_data["file"]
    raw = upload.read(forms.CSV_MAX_BYTES + 1)
    try:
        rows = actions.read_csv_rows(actions.decode_csv(raw), ("csat", "nps"))
    except actions.CsvError as exc:
        messages.error(request, str(exc))
        return redirect("outreach")
    batch, created = actions.do_queue_list(
        member.organisation,
        rows,
        actor=member.user,
        dry_run=False,
        file_name=str(getattr(upload, "name", "") or ""),
        digest=hashlib.sha256(raw).hexdigest(),
        kind=BatchKind.SURVEY,
    )
    if not created:
        messages.info(request, _("Ce fichier est déjà en cours d'import : voici où il en est."))
    return redirect("outreach_batch", pk=batch.pk)


@member_required(MANAGE)
@require_GET
def preview_page(request: HttpRequest) -> HttpResponse:
    """The invitation e-mail and the survey page exactly as a sample customer would receive them,
    for a location, a language and an origin; nothing is sent or written."""
    member = current_membership(request)
    organisation = member.organisation
    location = None
    if request.GET.get("location"):
        location = get_in_org(Location, organisation, _int(request.GET["location"]))
    language = request.GET.get("language", "")
    if language not in {"fr", "en"}:
        language = organisation.language if organisation.language in {"fr", "en"} else "fr"
    reminder = request.GET.get("reminder") == "1"
    after_case = request.GET.get("trigger", "case") != "import"
    campaign = queries.campaign_of(organisation)
    return render(
        request,
        "outreach/preview.html",
        {
            "nav": "outreach",
            "preview": preview(
                organisation,
                campaign,
                location=location,
                language=language,
                reminder=reminder,
                after_case=after_case,
            ),
            "campaign": campaign,
            "locations": scoped(Location, organisation).order_by("name"),
            "location": location,
            "language": language,
            "reminder": reminder,
            "after_case": after_case,
        },
    )


@member_required(MANAGE)
@require_POST
def mark_address(request: HttpRequest) -> HttpResponse:
    """Mark an address bounced or complaining, from the mail server's report."""
    member = current_membership(request)
    form = forms.AddressForm(request.POST)
    if form.is_valid():
        actions.do_mark_address(
            member.organisation, form.cleaned_data["email"], kind=form.cleaned_data["kind"], actor=member.user
        )
        messages.success(request, _("Adresse marquée : plus rien ne lui sera envoyé."))
    else:
        messages.error(request, _("Adresse e-mail invalide."))
    return redirect("outreach")


def _claim_note(row: Invitation, now: datetime) -> str:
    """What a manager needs to know of an invitation's claim: one stuck "sending" (a worker died)
    is tried again by the periodic job; one sent at the second attempt may have gone twice."""
    if row.state == InvitationState.SENDING and row.claimed_at is not None:
        if row.claimed_at > now - actions.SENDING_STALE_AFTER:
            return _("depuis %(time)s") % {"time": date_format(localtime(row.claimed_at), "TIME_FORMAT")}
        if row.attempts < actions.MAX_SEND_ATTEMPTS:
            return _(
                "interrompu à %(time)s (le processus d'envoi s'est arrêté) : nouvel essai par la "
                "prochaine tâche périodique, dans 5 minutes au plus"
            ) % {"time": date_format(localtime(row.claimed_at), "SHORT_DATETIME_FORMAT")}
        return _("interrompu une seconde fois : sera marquée en échec, sans troisième essai")
    if row.state == InvitationState.SENDING:
        return _("interrompu avant la mise à jour : nouvel essai par la prochaine tâche périodique")
    if row.attempts >= 2 and row.state == InvitationState.SENT:
        return _(
            "envoyée au 2e essai, après une interruption : le client a pu la recevoir deux fois "
            "(même identifiant de message)"
        )
    return ""


@member_required(MANAGE)
@require_GET
def invitation_list(request: HttpRequest) -> HttpResponse:
    member = current_membership(request)
    now = timezone.now()
    state = request.GET.get("state", "")
    if state not in InvitationState.values:
        state = ""
    rows = list(queries.invitations(member.organisation, state=state, limit=INVITATIONS_SHOWN))
    for row in rows:
        # Why a failed invitation did not go ("Échec de l'envoi" alone left the manager guessing).
        row.error_label = send_error_label(row.error) if row.error else ""  # type: ignore[attr-defined]
        # "Envoi en cours" for good was a worker that died: said, with when it is tried again.
        row.claim_note = _claim_note(row, now)  # type: ignore[attr-defined]
        # What the customer did since, joined by " · " (it began with a stray " · " when the
        # customer answered the survey without clicking the review link).
        row.follow_up = [  # type: ignore[attr-defined]
            label
            for done, label in (
                (row.clicked_at, _("lien cliqué")),
                (row.answered_at, _("enquête répondue")),
                (row.reminder_sent_at, _("rappel envoyé")),
                (row.contact.opted_out_at, _("désinscrit")),
            )
            if done
        ]
    return render(
        request,
        "outreach/invitations.html",
        {
            "nav": "outreach",
            "rows": rows,
            "shown_at_most": INVITATIONS_SHOWN,
            "state": state,
            "states": InvitationState.choices,
            "measures": queries.invitation_measures(member.organisation, last_days(member.organisation, 30)),
            "import_report": _import_report(request),
            # The lists sent lately, each with its progress and report.
            "batches": scoped(InviteBatch, member.organisation)
            .filter(kind=BatchKind.INVITE)
            .defer("rows")
            .order_by("-created_at")[:5],
        },
    )


@member_required(MANAGE)
@require_GET
def testimonial_list(request: HttpRequest) -> HttpResponse:
    member = current_membership(request)
    organisation = member.organisation
    if request.GET.get("format") == "csv":
        return _testimonials_csv(organisation)
    return render(
        request,
        "outreach/testimonials.html",
        {
            "nav": "outreach",
            "rows": queries.kept_testimonials(organisation),
            "candidates": queries.quote_candidates(organisation),
            "form": forms.TestimonialForm(),
        },
    )


def _testimonials_csv(organisation: Any) -> HttpResponse:
    from vigie.connectors.platforms import platform_label

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["date", "platform", "location", "author", "text", "public", "consent", "featured"])
    for row in queries.kept_testimonials(organisation):
        writer.writerow(
            [
                row.said_at.date().isoformat(),
                platform_label(row.platform),
                # Every text cell: the customer's name and words, the consent note typed by a
                # member, a location's name. A cell starting with = + - @ would run as a formula.
                _cell(row.location.name if row.location else ""),
                _cell(row.author_name),
                _cell(row.text),
                "yes" if row.public else "no",
                _cell(row.consent_note),
                "yes" if row.featured else "no",
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="testimonials.csv"'
    return response


@member_required(MANAGE)
@require_POST
def testimonial_select(request: HttpRequest) -> HttpResponse:
    """Keep a positive review (``mention``) or survey answer (``response``) as a testimonial."""
    member = current_membership(request)
    organisation = member.organisation
    form = forms.TestimonialForm(request.POST)
    form.is_valid()
    mention = response = None
    if request.POST.get("mention"):
        mention = get_in_org(Mention, organisation, _int(request.POST["mention"]))
    elif request.POST.get("response"):
        response = get_in_org(SurveyResponse, organisation, _int(request.POST["response"]))
    else:
        raise Http404
    try:
        actions.do_select_testimonial(
            organisation,
            actor=member.user,
            mention=mention,
            response=response,
            consent_note=form.cleaned_data.get("consent_note", ""),
            featured=bool(form.cleaned_data.get("featured")),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Témoignage ajouté."))
    return redirect("outreach_testimonials")


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


@member_required(MANAGE)
@require_POST
def testimonial_feature(request: HttpRequest, pk: int) -> HttpResponse:
    member = current_membership(request)
    testimonial = get_in_org(Testimonial, member.organisation, pk)
    actions.do_feature_testimonial(testimonial, request.POST.get("featured") == "1", actor=member.user)
    return redirect("outreach_testimonials")


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def testimonial_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a testimonial, once confirmed: the page (no JavaScript needed) says what goes — the
    quote, its place in the management report, the consent recorded — and what stays (the review or
    survey answer it quoted)."""
    member = current_membership(request)
    testimonial = get_in_org(Testimonial, member.organisation, pk)
    if request.method == "GET" or request.POST.get("confirm") != "1":
        return render(
            request,
            "outreach/testimonial_delete.html",
            {"nav": "outreach", "testimonial": testimonial},
        )
    actions.do_delete_testimonial(testimonial, actor=member.user)
    messages.success(request, _("Témoignage retiré."))
    return redirect("outreach_testimonials")


# --- customers' public pages ---------------------------------------------------------------------


def _client_key(request: HttpRequest) -> str:
    address = client_address(request)  # the customer's, not the reverse proxy's
    return hashlib.sha256(f"outreach:{address}".encode()).hexdigest()[:64]


def _neutral(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    """The one answer to a link that is forged, altered, expired, used or names nothing: it never
    says which, nor whether a customer or a case exists."""
    return render(request, "outreach/public/neutral.html", status=status)


def _limited(request: HttpRequest) -> HttpResponse | None:
    if actions.do_hit(_client_key(request), limit=PUBLIC_RATE_LIMIT):
        return None
    response = render(request, "outreach/public/slow_down.html", status=429)
    response["Retry-After"] = "60"
    return response


@never_cache
@require_GET
def click(request: HttpRequest, signed: str) -> HttpResponse:
    """The review link of a mail: count the click, then open the platform's own review page."""
    limited = _limited(request)
    if limited:
        return limited
    invitation = queries.invitation_for_link("review", signed)
    if invitation is None:
        return _neutral(request)
    actions.do_record_click(invitation)
    return HttpResponseRedirect(invitation.review_url)


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, signed: str) -> HttpResponse:
    """The satisfaction survey: CSAT 1–5, NPS 0–10 and a comment, answered once per link."""
    limited = _limited(request)
    if limited:
        return limited
    invitation = queries.invitation_for_link("survey", signed)
    if invitation is None:
        return _neutral(request)
    if invitation.answered_at is not None or invitation.contact.opted_out_at:
        # The same neutral page, in the language the customer was written to (a French customer
        # with an English browser read "This link is no longer valid" on reloading the survey).
        with translation.override(invitation.language):
            return _neutral(request)
    with translation.override(invitation.language):
        form = forms.SurveyForm(
            request.POST or None,
            about_reply=invitation.case_id is not None,
            organisation=invitation.organisation.name,
        )
        if request.method == "POST" and form.is_valid():
            try:
                answered = actions.do_answer_survey(
                    invitation,
                    csat=form.cleaned_data["csat"],
                    nps=form.cleaned_data["nps"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                if not answered:
                    return _neutral(request)
                # The platform's review link, offered to every customer who answered, whatever
                # their scores (never only to the satisfied ones: that would be review gating).
                return render(
                    request,
                    "outreach/public/thanks.html",
                    {
                        "organisation": invitation.organisation.name,
                        "platform": platform_public_label(invitation.platform),
                        "review_link": reverse("outreach_click", args=[sign("review", invitation.token)]),
                    },
                )
        elif request.method == "GET":
            actions.do_record_survey_opened(invitation)
        return render(
            request,
            "outreach/public/survey.html",
            {"form": form, "organisation": invitation.organisation.name},
            status=422 if request.method == "POST" else 200,
        )


def _no_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def _one_click(request: HttpRequest) -> bool:
    """A mail provider's one-click unsubscribe (RFC 8058): a POST of ``List-Unsubscribe=One-Click``
    to the link, without the page's cookie or token."""
    return request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def optout(request: HttpRequest, signed: str) -> HttpResponse:
    """The opt-out link: a button (so a mail scanner following links does not opt anyone out),
    or the mail provider's one-click POST, which only the signed link allows (the page's own form
    keeps its CSRF check)."""
    if request.method == "POST" and not _one_click(request):
        # The middleware's own check, which ``csrf_exempt`` skipped (a callback that is not exempt).
        refused = CsrfViewMiddleware(_no_view).process_view(request, _no_view, (), {})
        if refused is not None:
            return refused
    # A mail provider sends the one-click POSTs of all its users from a few addresses: the limit
    # per address would refuse them (a forged one is still only a failed signature check).
    limited = None if _one_click(request) else _limited(request)
    if limited:
        return limited
    invitation = queries.invitation_for_link("optout", signed)
    if invitation is None:
        return _neutral(request)
    if _one_click(request):
        actions.do_opt_out(invitation.contact, via="one-click")
        return HttpResponse(status=200)
    with translation.override(invitation.language):
        if invitation.contact.opted_out_at is not None:
            # Already done: say so, rather than ask to confirm again.
            return render(
                request, "outreach/public/opted_out.html", {"organisation": invitation.organisation.name}
            )
        if request.method == "POST":
            actions.do_opt_out(invitation.contact)
            return render(
                request, "outreach/public/opted_out.html", {"organisation": invitation.organisation.name}
            )
        return render(request, "outreach/public/optout.html", {"organisation": invitation.organisation.name})
