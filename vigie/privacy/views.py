"""The DPO's pages: find a person's data, export it, erase it; the records of processing."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from vigie.charter.queries import current_charter
from vigie.core.decorators import current_membership, member_required
from vigie.core.models import Organisation
from vigie.core.roles import PROTECT_DATA
from vigie.core.tenancy import get_in_org, scoped
from vigie.inbox.models import CallbackLog, Case, PrivateThread
from vigie.mentions.models import Author, Mention
from vigie.privacy.actions import (
    RectificationRefused,
    TooLateToExtend,
    do_close_request,
    do_erase_subject,
    do_extend_request,
    do_record_request,
    do_record_subject_export,
    do_rectify_subject,
    do_run_deferred_erasure,
    due_deferred_erasures,
)
from vigie.privacy.export import render_html, section_title
from vigie.privacy.forms import EraseForm, RectifyForm, RequestForm, RequestNoteForm, SubjectForm
from vigie.privacy.holders import hooks
from vigie.privacy.models import DeferredErasure, RequestKind, SubjectRequest
from vigie.privacy.queries import Findings, export_filename, export_subject, find_subject
from vigie.privacy.records import processing_records


def _labels() -> dict[str, str]:
    # Resolved per request: the labels follow the reader's language.
    return {
        "authors": _("Comptes sur les plateformes"),
        "mentions_by_subject": _("Publications de la personne"),
        "mentions_naming_subject": _("Publications qui la citent"),
        "cases": _("Dossiers"),
        "private_threads": _("Échanges privés"),
        "callbacks": _("Rappels téléphoniques"),
        "mentions_on_legal_hold": _("Publications sous conservation légale (gardées)"),
        "mentions_pseudonymised": _("Publications de la personne pseudonymisées"),
        "mentions_redacted": _("Publications où son nom est effacé"),
        "authors_deleted": _("Comptes supprimés"),
        "cases_cleaned": _("Dossiers nettoyés"),
        "private_threads_erased": _("Échanges privés effacés"),
        "callbacks_erased": _("Rappels effacés"),
        "mentions_kept_for_legal_hold": _("Publications gardées (conservation légale)"),
        "authors_kept_for_legal_hold": _("Comptes gardés (conservation légale)"),
        "mentions_naming_not_chosen": _(
            "Publications d'autres personnes qui citent ce nom, non cochées (gardées)"
        ),
        "cases_closed": _("Dossiers clos"),
        "replies_redacted": _("Réponses où son nom est effacé"),
        "notes_redacted": _("Notes où son nom est effacé"),
        "private_messages_erased": _("Messages privés effacés"),
    }


def _label(labels: dict[str, str], key: str) -> str:
    # A holder app's section is counted as "app.section" (``Findings.counts``): its title instead.
    return labels.get(key) or (section_title(key) if "." in key else key)


def _labelled(counts: dict[str, int]) -> list[tuple[str, int]]:
    labels = _labels()
    return [(_label(labels, key), value) for key, value in counts.items()]


# Counts of what erasure left as it was: said apart, not in the list of what was done.
_KEPT = frozenset(
    {"mentions_kept_for_legal_hold", "authors_kept_for_legal_hold", "mentions_naming_not_chosen"}
)


def _kept(key: str) -> bool:
    """A count of what erasure left as it was (a holder app's too: "evidence.captures_kept_…")."""
    return key in _KEPT or key.endswith("_kept_for_legal_hold")


# How many items of one kind the page lists one by one (a person has few; beyond, a count).
LISTED = 500


def _mention_rows(organisation: Organisation, ids: list[int], held: set[int]) -> list[dict[str, Any]]:
    mentions = (
        Mention.objects.filter(organisation=organisation, pk__in=ids)
        .select_related("source", "author")
        .order_by("-created_at", "-pk")[:LISTED]
    )
    return [
        {
            "pk": m.pk,
            "author": (m.author.display_name or m.author.handle) if m.author else "",
            "created_at": m.created_at,
            "source": m.source.name,
            "excerpt": " ".join(filter(None, [m.title, m.text])),
            "held": m.pk in held,
        }
        for m in mentions
    ]


def _items(organisation: Organisation, findings: Findings) -> dict[str, Any]:
    """What erasure would touch, item by item, for the DPO to check before confirming."""
    authors = Author.objects.filter(organisation=organisation, pk__in=findings.author_ids).order_by("pk")
    cases = Case.objects.filter(organisation=organisation, pk__in=findings.case_ids).order_by("pk")
    held_authors = set(
        Mention.objects.filter(organisation=organisation, pk__in=findings.held_ids).values_list(
            "author_id", flat=True
        )
    )
    return {
        "authors": [
            {
                "name": a.display_name
                or a.handle
                # Retention's pseudonymised rows are named "pseudonymised-<id>": never shown as is.
                or (
                    _("compte déjà pseudonymisé")
                    if a.external_id.startswith("pseudonymised-")
                    else a.external_id
                ),
                "handle": a.handle,
                "platform": a.platform,
                "held": a.pk in held_authors,
            }
            for a in authors[:LISTED]
        ],
        "own_mentions": _mention_rows(organisation, findings.authored_mention_ids, findings.held_ids),
        "naming_mentions": _mention_rows(organisation, findings.mentioning_mention_ids, findings.held_ids),
        # A case on a held post is left as it is, as the post: said on its line.
        "cases": [(case, case.mention_id in findings.held_ids) for case in cases[:LISTED]],
        "threads": PrivateThread.objects.filter(
            organisation=organisation, pk__in=findings.thread_ids
        ).order_by("pk")[:LISTED],
        "callbacks": CallbackLog.objects.filter(
            organisation=organisation, pk__in=findings.callback_ids
        ).order_by("called_at")[:LISTED],
        "sections": [
            (section_title(f"{app}.{name}"), len(rows))
            for app, sections in findings.elsewhere.items()
            for name, rows in sections.items()
            if rows
        ],
        "listed": LISTED,
    }


def _today(organisation: Organisation) -> date:
    return timezone.localdate(timezone=ZoneInfo(organisation.timezone))


def _register(organisation: Organisation, today: date) -> dict[str, Any]:
    """The requests still to answer (nearest limit first, how many days are left or how late
    they are) and the last ones answered."""
    open_rows = list(
        scoped(SubjectRequest, organisation).filter(done_at__isnull=True).order_by("due_on", "pk")
    )
    for row in open_rows:
        row.days_left = (row.limit - today).days  # type: ignore[attr-defined]
        row.days_late = -row.days_left  # type: ignore[attr-defined]
    done = scoped(SubjectRequest, organisation).filter(done_at__isnull=False).order_by("-done_at")[:10]
    due = {record.pk for record in due_deferred_erasures(organisation)}
    deferred = list(scoped(DeferredErasure, organisation).filter(done_at__isnull=True).order_by("created_at"))
    for record in deferred:
        record.due = record.pk in due  # type: ignore[attr-defined]
        record.held_count = len(record.mention_ids)  # type: ignore[attr-defined]
    return {"open_requests": open_rows, "done_requests": done, "deferred_erasures": deferred}


def _rectifiable(organisation: Organisation, identifiers: dict[str, list[str]]) -> list[dict[str, str]]:
    """The records Vigie keeps itself that a rectification of this identifier would correct."""
    return [
        row for _app, rows in hooks("queries", "rectifiable_data") for row in rows(organisation, identifiers)
    ]


def _refusal(code: str) -> str:
    return {
        "several_contacts": _(
            "Plusieurs fiches correspondent à cet identifiant : recherchez la personne par son adresse "
            "e-mail ou son téléphone pour corriger la bonne. Rien n'a été rectifié."
        ),
        "email_taken": _("Cette adresse e-mail est déjà celle d'un autre contact : rien n'a été rectifié."),
        "phone_taken": _("Ce numéro est déjà celui d'un autre contact : rien n'a été rectifié."),
        "invalid_email": _("Adresse e-mail invalide : rien n'a été rectifié."),
        "invalid_phone": _("Numéro de téléphone invalide : six chiffres au moins. Rien n'a été rectifié."),
    }.get(
        code,
        _(
            "Rien à rectifier : Vigie ne garde aucune fiche à corriger pour cet identifiant, ou les "
            "valeurs sont déjà celles-ci."
        ),
    )


@member_required(PROTECT_DATA)
@require_GET
def privacy_page(request: HttpRequest) -> HttpResponse:
    """Search a person; see what Vigie holds about them and, item by item, what erasing would do;
    the register of requests with the date each must be answered by."""
    organisation = current_membership(request).organisation
    form = SubjectForm(request.GET if "subject" in request.GET else None)
    today = _today(organisation)
    current = None
    if request.GET.get("request", "").isdecimal():
        current = scoped(SubjectRequest, organisation).filter(pk=int(request.GET["request"])).first()
    context: dict[str, Any] = {
        "nav": "privacy",
        "form": form,
        "request_form": RequestForm(today=today),
        "current_request": current,
        **_register(organisation, today),
    }
    if form.is_valid():
        subject = form.cleaned_data["subject"]
        findings = find_subject(organisation, subject)
        context |= {
            "subject": subject.raw,
            "found": not findings.empty,
            "counts": _labelled(findings.counts()),
            "preview": _labelled(do_erase_subject(organisation, findings, actor=None, dry_run=True)),
            **_items(organisation, findings),
            "erase_form": EraseForm(initial={"subject": subject.raw}),
            "rectify_form": RectifyForm(initial={"subject": subject.raw}),
            "rectifiable": _rectifiable(organisation, subject.identifiers()),
            "query": urlencode({"subject": subject.raw}),
        }
    return render(
        request, "privacy/privacy.html", context, status=400 if form.is_bound and not form.is_valid() else 200
    )


@member_required(PROTECT_DATA)
@require_GET
def privacy_export(request: HttpRequest) -> HttpResponse:
    """Download a person's data: ``?subject=…&format=json`` (default) or ``format=html``."""
    member = current_membership(request)
    organisation = member.organisation
    form = SubjectForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            _("Personne concernée invalide."), status=400, content_type="text/plain; charset=utf-8"
        )
    findings = find_subject(organisation, form.cleaned_data["subject"])
    document = export_subject(organisation, findings)
    do_record_subject_export(organisation, findings, actor=member.user)
    if request.GET.get("format") == "html":
        response = HttpResponse(render_html(document, organisation), content_type="text/html; charset=utf-8")
        filename = export_filename(organisation, findings, "html")
    else:
        body = json.dumps(document, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = export_filename(organisation, findings, "json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@member_required(PROTECT_DATA)
@require_POST
def privacy_erase(request: HttpRequest) -> HttpResponse:
    """Erase a person's data (confirmed); mentions under legal hold stay."""
    member = current_membership(request)
    organisation = member.organisation
    form = EraseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Rien n'a été effacé : cochez la confirmation et indiquez la personne."))
        subject = request.POST.get("subject", "")[:254]
        return redirect(f"{reverse('privacy')}?{urlencode({'subject': subject})}")
    subject = form.cleaned_data["subject"]
    findings = find_subject(organisation, subject)
    # Other people's posts that name the person: only those the DPO ticked.
    chosen = {int(value) for value in request.POST.getlist("naming") if value.isdecimal()}
    answered = None
    if request.POST.get("request", "").isdecimal():
        answered = (
            scoped(SubjectRequest, organisation)
            .filter(pk=int(request.POST["request"]), done_at__isnull=True)
            .first()
        )
    counts = do_erase_subject(
        organisation, findings, actor=member.user, redact_naming=chosen, request=answered
    )
    # What was done, item by item (the page then finds nothing: this is the DPO's answer to the
    # person), and what the law keeps.
    done = " · ".join(
        _("%(label)s : %(count)s") % {"label": label, "count": value}
        for key, value in counts.items()
        if value and not _kept(key)
        for label in [_label(_labels(), key)]
    )
    kept = counts.get("mentions_kept_for_legal_hold", 0)
    text = _("Effacement fait.")
    if done:
        text += f" {done}."
    if kept:
        text += " " + ngettext(
            "%(kept)s publication sous conservation légale est gardée intacte.",
            "%(kept)s publications sous conservation légale sont gardées intactes.",
            kept,
        ) % {"kept": kept}
        # What the law allows to keep, and why, in the answer the DPO gives the person.
        text += " " + _(
            "Avec elle restent son auteur, son dossier, ses captures et leurs manifestes signés : "
            "conservation nécessaire à la constatation, l'exercice ou la défense de droits en justice "
            "(RGPD art. 17.3.e), enregistrée au journal d'audit. L'effacement se fera de lui-même "
            "quand la conservation légale sera levée (« Effacements différés »)."
        )
    messages.success(request, text)
    if answered is not None:
        # The register keeps what was done, and no longer who asked (its fingerprint only).
        do_close_request(answered, note=text, actor=member.user, erased=True)
        return redirect("privacy")
    return redirect(f"{reverse('privacy')}?{urlencode({'subject': subject.raw})}")


@member_required(PROTECT_DATA)
@require_POST
def privacy_rectify(request: HttpRequest) -> HttpResponse:
    """Correct a person's contact details (GDPR art. 16); with ``request``, close that
    rectification request of the register with what was done."""
    member = current_membership(request)
    organisation = member.organisation
    form = RectifyForm(request.POST)
    raw = request.POST.get("subject", "")[:254]
    query = {"subject": raw}
    if request.POST.get("request", "").isdecimal():
        # A refused rectification keeps its request: the next try still closes it.
        query["request"] = request.POST["request"]
    back = f"{reverse('privacy')}?{urlencode(query)}#rectify"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    subject = form.cleaned_data["subject"]
    answered = None
    if request.POST.get("request", "").isdecimal():
        answered = (
            scoped(SubjectRequest, organisation)
            .filter(pk=int(request.POST["request"]), kind=RequestKind.RECTIFICATION, done_at__isnull=True)
            .first()
        )
    corrections = {name: str(form.cleaned_data.get(name) or "") for name in ("name", "email", "phone")}
    try:
        counts = do_rectify_subject(
            organisation, find_subject(organisation, subject), corrections, actor=member.user
        )
    except RectificationRefused as refused:
        messages.error(request, _refusal(refused.code))
        return redirect(back)
    labels = {"name": _("nom"), "email": _("e-mail"), "phone": _("téléphone")}
    changed = ", ".join(str(labels[key]) for key in ("name", "email", "phone") if corrections[key])
    done = " · ".join(
        _("%(label)s : %(count)s") % {"label": _label(_labels(), key), "count": value}
        for key, value in counts.items()
        if value
    )
    text = _("Rectification faite (%(fields)s).") % {"fields": changed}
    if done:
        text += f" {done}."
    messages.success(request, text)
    if answered is not None:
        do_close_request(answered, note=text, actor=member.user)
        return redirect("privacy")
    # The person is found under the corrected identifier from now on.
    again = corrections["email"] or corrections["phone"] or subject.raw
    return redirect(f"{reverse('privacy')}?{urlencode({'subject': again})}")


@member_required(PROTECT_DATA)
@require_POST
def privacy_deferred_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Carry out now an erasure a legal hold deferred, once the hold is lifted (the job does it
    by itself; this is the button for a job that has not run yet)."""
    member = current_membership(request)
    record = get_in_org(DeferredErasure, member.organisation, pk)
    if do_run_deferred_erasure(record, actor=member.user) is None:
        messages.error(
            request,
            _("Rien à effacer pour l'instant : les publications sont encore sous conservation légale."),
        )
    else:
        messages.success(request, _("Effacement différé fait ; le registre le note."))
    return redirect(f"{reverse('privacy')}#requests")


@member_required(PROTECT_DATA)
@require_POST
def privacy_request_new(request: HttpRequest) -> HttpResponse:
    """Record a person's request as received; the page then searches for the person."""
    member = current_membership(request)
    organisation = member.organisation
    form = RequestForm(request.POST, today=_today(organisation))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("privacy")
    recorded = do_record_request(
        organisation,
        kind=form.cleaned_data["kind"],
        subject=form.cleaned_data["subject"],
        received_on=form.cleaned_data["received_on"],
        actor=member.user,
    )
    messages.success(
        request,
        _("Demande enregistrée : réponse due au plus tard le %(day)s (un mois après sa réception).")
        % {"day": recorded.due_on.strftime("%d/%m/%Y")},
    )
    return redirect(
        f"{reverse('privacy')}?{urlencode({'subject': recorded.subject, 'request': str(recorded.pk)})}"
    )


@member_required(PROTECT_DATA)
@require_POST
def privacy_request_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a request answered (access, rectification, objection), saying what was done."""
    member = current_membership(request)
    recorded = get_in_org(SubjectRequest, member.organisation, pk)
    form = RequestNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Dites ce qui a été répondu ou fait."))
        return redirect("privacy")
    if request.POST.get("action") == "extend":
        try:
            do_extend_request(recorded, reason=form.cleaned_data["note"], actor=member.user)
        except TooLateToExtend:
            messages.error(
                request,
                _("Trop tard pour prolonger : la prolongation se dit à la personne dans le premier mois."),
            )
            return redirect("privacy")
        messages.success(
            request,
            _("Délai prolongé jusqu'au %(day)s : dites-le à la personne, avec la raison, dans le mois.")
            % {"day": recorded.limit.strftime("%d/%m/%Y")},
        )
    else:
        do_close_request(recorded, note=form.cleaned_data["note"], actor=member.user)
        messages.success(request, _("Demande marquée traitée."))
    return redirect("privacy")


@member_required(PROTECT_DATA)
@require_GET
def privacy_records(request: HttpRequest) -> HttpResponse:
    """The records of processing (article 30), with the delays of the charter in force."""
    organisation = current_membership(request).organisation
    document = current_charter(organisation)
    return render(
        request,
        "privacy/records.html",
        {
            "nav": "privacy",
            "records": processing_records(document),
            "per_source": bool(document.retention.mentions_per_source),
        },
    )
