"""Pages of the evidence domain, under /evidence/.

Who may do what (docs/evidence.md): managers and admins (the organisation's supervisors, who act
for the legal team) capture a page and download a legal file; only admins lift a legal hold, since
lifting it lets retention and erasure delete the evidence. Every member sees the countdown on a case.
"""

from __future__ import annotations

import hashlib
import json
from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigie.core.decorators import current_membership, member_required
from vigie.core.egress import NOT_ALLOWED
from vigie.core.models import User
from vigie.core.roles import ADMINISTER, MANAGE
from vigie.core.tenancy import get_in_org, scoped
from vigie.evidence import queries
from vigie.evidence.actions import do_lift_legal_hold, do_record_export
from vigie.evidence.bundle import NothingToExport, build_bundle
from vigie.evidence.forms import LiftHoldForm, VerifyBundleForm, max_upload_bytes, too_large_message
from vigie.evidence.models import Capture, CaptureStatus, CaptureTrigger, LegalHold
from vigie.evidence.service import capture_mention
from vigie.evidence.steps import steps_of
from vigie.evidence.verify import verify_bundle
from vigie.inbox.models import Case
from vigie.mentions.models import Mention


def _back(mention: Mention) -> HttpResponse:
    case = scoped(Case, mention.organisation).filter(mention=mention).first()
    if case is not None:
        return redirect(reverse("case_detail", args=[case.pk]) + "#evidence")
    return redirect("evidence")


@member_required(MANAGE)
@require_GET
def evidence_home(request: HttpRequest) -> HttpResponse:
    """The mentions under legal hold, nearest limit first, and the state of the evidence chain."""
    organisation = current_membership(request).organisation
    holds = list(queries.active_holds(organisation))
    rows = [(hold, queries.limitation_of(hold.mention)) for hold in holds]
    rows.sort(key=lambda row: row[1].days_left)
    return render(
        request,
        "evidence/home.html",
        {
            "nav": "evidence",
            "rows": rows,
            "key": queries.signing_key(organisation),
            "links": queries.chain(organisation).count(),
            "anchor": queries.last_audit_anchor(organisation),
        },
    )


# What the archive's files may add up to once inflated, for a file checked in a web request.
VERIFY_MAX_TOTAL_BYTES = 512 * 1024 * 1024


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def verify_bundle_page(request: HttpRequest) -> HttpResponse:
    """Check a legal file uploaded by a manager, as ``vigie evidence verify`` does: offline, the file
    alone. The ZIP is read in memory (never extracted, so its member names are never paths); what it
    says is compared with the organisation's own key, so a file signed by another key says so."""
    organisation = current_membership(request).organisation
    key = queries.signing_key(organisation)
    context: dict[str, object] = {
        "nav": "evidence",
        "key": key,
        "max_megabytes": max(1, max_upload_bytes() // (1024 * 1024)),
    }
    if request.method == "GET":
        context["form"] = VerifyBundleForm()
        return render(request, "evidence/verify.html", context)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_upload_bytes() + 64 * 1024:
        # Refused before the file is read into memory (Django's CSRF check has already spooled the
        # body to a temporary file; a reverse proxy's body limit stops it earlier).
        context.update({"form": VerifyBundleForm(), "refused": too_large_message()})
        return render(request, "evidence/verify.html", context, status=413)
    form = VerifyBundleForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "evidence/verify.html", context, status=400)
    upload = form.cleaned_data["bundle"]
    data = b"".join(upload.chunks())
    report = verify_bundle(data, max_total_bytes=VERIFY_MAX_TOTAL_BYTES)
    context.update(
        {
            "report": report,
            "filename": upload.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "own_key": key is not None and report.fingerprint == key.fingerprint,
            "form": VerifyBundleForm(),
        }
    )
    return render(request, "evidence/verify.html", context)


@member_required(MANAGE)
@require_POST
def capture_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Capture the mention's page now (a few seconds: the browser renders it)."""
    organisation = current_membership(request).organisation
    mention = get_in_org(Mention, organisation, pk)
    capture = capture_mention(mention, trigger=CaptureTrigger.MANUAL, actor=cast(User, request.user))
    refusal = _address_refusal(capture)
    if refusal and refusal != NOT_ALLOWED:
        # An address that does not resolve (or is malformed): nothing was requested, said plainly.
        messages.error(
            request,
            _(
                "Capture impossible : %(reason)s (%(url)s) ; la page n'a pas été demandée. La publication "
                "telle que Vigie la détient est signée et conservée."
            )
            % {"reason": _(refusal), "url": mention.url},
        )
    elif refusal:
        # Said plainly: the address was not requested at all, and why (a private address).
        messages.error(
            request,
            _(
                "Capture refusée : %(reason)s (%(url)s). Vigie ne capture que des pages publiques "
                "d'internet ; la page n'a pas été demandée. La publication telle que Vigie la détient "
                "est signée et conservée."
            )
            % {"reason": _(refusal), "url": mention.url},
        )
    elif capture.status == CaptureStatus.COMPLETE:
        messages.success(request, _("Page capturée, signée et conservée."))
    elif capture.status == CaptureStatus.PARTIAL:
        messages.warning(request, _("Page capturée en partie : %(reason)s") % {"reason": capture.reason})
    else:
        messages.error(
            request,
            _("La page n'a pas pu être rendue : %(reason)s. Ce qui a pu l'être est conservé.")
            % {"reason": capture.reason},
        )
    return _back(mention)


def _address_refusal(capture: Capture) -> str:
    """Why the page's address was refused before anything was requested (the egress policy's French
    message, a catalogue id), or ""."""
    try:
        steps = steps_of(json.loads(capture.manifest))
    except ValueError:
        return ""
    for item in steps:
        if item.get("step") == "address" and item.get("outcome") == "refused":
            return str(item.get("detail") or "")
    return ""


@member_required(MANAGE)
@require_GET
def download_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    """The sealed legal file of a mention (and its case) as a ZIP download."""
    organisation = current_membership(request).organisation
    mention = get_in_org(Mention, organisation, pk)
    case = scoped(Case, organisation).filter(mention=mention).first()
    try:
        bundle = build_bundle(mention, case)
    except NothingToExport:
        messages.error(request, _("Capturez d'abord la page : ce dossier ne contient encore aucune preuve."))
        return _back(mention)
    do_record_export(
        mention,
        actor=cast(User, request.user),
        sha256=hashlib.sha256(bundle.data).hexdigest(),
        case_id=case.pk if case is not None else None,
    )
    response = HttpResponse(bundle.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{bundle.filename}"'
    return response


@member_required(ADMINISTER)
@require_POST
def lift_hold(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift a legal hold, with a reason kept in the audit log."""
    organisation = current_membership(request).organisation
    hold = get_in_org(LegalHold, organisation, pk)
    form = LiftHoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Dites pourquoi la conservation est levée."))
        return _back(hold.mention)
    do_lift_legal_hold(hold, actor=cast(User, request.user), reason=form.cleaned_data["reason"])
    messages.success(
        request, _("Conservation levée : la mention suit de nouveau les règles de durée de conservation.")
    )
    return _back(hold.mention)
