"""Jobs of the evidence domain.

* ``evidence.capture_mention``: capture one mention's page (queued by ``evidence.auto_capture``).
* ``evidence.auto_capture`` (every 10 minutes): where the charter says so
  (``approval.capture_legal_risk``), queue a capture of each recently analysed mention the toxicity
  analyzer flags as a legal risk and that has none yet.
* ``evidence.anchor_audit_head`` (every hour): write the audit log's head (last event's ``seq`` and
  hash) into the signed evidence chain, so rewriting the audit log afterwards shows against it.
* ``evidence.limitation_warnings`` (every 6 hours): tell the legal team (managers and admins) when
  a held mention's three-month limit is 30 and then 7 days away, once each.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from vigie.alerts.queries import legal_risk_mention_ids
from vigie.analysis.models import AnalysisResult
from vigie.charter.queries import current_charter
from vigie.core.actions import do_notify
from vigie.core.jobs import enqueue, job, periodic
from vigie.core.models import Organisation
from vigie.core.queries import organisation_members
from vigie.core.roles import MANAGE
from vigie.core.tenancy import scoped
from vigie.evidence import queries
from vigie.evidence.actions import do_anchor_audit_log, do_mark_limitation_warned
from vigie.evidence.legal import WARNING_DAYS
from vigie.evidence.models import Capture, CaptureTrigger
from vigie.evidence.service import capture_mention
from vigie.mentions.models import Mention

CAPTURE_JOB = "evidence.capture_mention"
# Mentions analysed in this window are looked at (wider than the period, so a late run misses none).
AUTO_WINDOW = timedelta(hours=2)
AUTO_MAX_PER_RUN = 20


@job(CAPTURE_JOB, max_attempts=1)
def capture_mention_job(mention_id: int, trigger: str = CaptureTrigger.AUTO) -> dict[str, Any]:
    mention = Mention.objects.select_related("organisation", "source", "author").filter(pk=mention_id).first()
    if mention is None:
        return {"skipped": "no such mention"}
    if trigger == CaptureTrigger.AUTO and Capture.objects.filter(mention=mention).exists():
        return {"skipped": "already captured"}
    capture = capture_mention(mention, trigger=trigger)
    return {"capture": capture.pk, "sha256": capture.manifest_sha256, "status": capture.status}


def mentions_to_capture(organisation: Organisation, now: Any = None) -> list[int]:
    """Recently analysed legal-risk mentions of ``organisation`` with a page and no capture yet."""
    now = now or timezone.now()
    recent = (
        scoped(AnalysisResult, organisation)
        .filter(analyzer="toxicity", analysed_at__gte=now - AUTO_WINDOW)
        .values_list("mention_id", flat=True)
    )
    flagged = legal_risk_mention_ids(organisation, list(recent))
    if not flagged:
        return []
    captured = set(
        scoped(Capture, organisation).filter(mention_id__in=flagged).values_list("mention_id", flat=True)
    )
    candidates = (
        scoped(Mention, organisation)
        .filter(pk__in=flagged - captured, deleted_at__isnull=True)
        .exclude(url="")
        .order_by("-created_at")
        .values_list("pk", flat=True)[:AUTO_MAX_PER_RUN]
    )
    return list(candidates)


@periodic("evidence.auto_capture", every=timedelta(minutes=10))
def auto_capture() -> dict[str, int]:
    queued = 0
    for organisation in Organisation.objects.order_by("pk"):
        if not current_charter(organisation).approval.capture_legal_risk:
            continue
        for mention_id in mentions_to_capture(organisation):
            enqueue(CAPTURE_JOB, {"mention_id": mention_id, "trigger": CaptureTrigger.AUTO})
            queued += 1
    return {"queued": queued}


@periodic("evidence.anchor_audit_head", every=timedelta(hours=1))
def anchor_audit_head() -> dict[str, int]:
    anchored = 0
    for organisation in Organisation.objects.order_by("pk"):
        if do_anchor_audit_log(organisation) is not None:
            anchored += 1
    return {"anchored": anchored}


@periodic("evidence.limitation_warnings", every=timedelta(hours=6))
def limitation_warnings() -> dict[str, int]:
    sent = 0
    for organisation in Organisation.objects.order_by("pk"):
        legal_team = [m for m in organisation_members(organisation) if m.is_active and m.can(MANAGE)]
        for hold in queries.active_holds(organisation):
            limitation = queries.limitation_of(hold.mention)
            for days in WARNING_DAYS:
                already = hold.warned_30_at if days == 30 else hold.warned_7_at
                if already is not None or limitation.days_left > days or limitation.expired:
                    continue
                # The 30-day warning is pointless once the 7-day one is due.
                if days == 30 and limitation.days_left <= 7:
                    do_mark_limitation_warned(hold, 30)
                    continue
                for membership in legal_team:
                    with override(membership.user.language or organisation.language):
                        title = _("Prescription dans %(days)s jours : %(text)s") % {
                            "days": limitation.days_left,
                            "text": hold.mention.text[:80],
                        }
                        body = _(
                            "Le délai de trois mois pour agir (loi du 29 juillet 1881, art. 65) expire le "
                            "%(day)s. Le dossier de preuve est prêt à être téléchargé."
                        ) % {"day": formats.date_format(limitation.expires_on, "DATE_FORMAT")}
                    do_notify(
                        organisation,
                        membership.user,
                        "evidence.limitation",
                        title,
                        body=body,
                        url=_case_url(hold.mention),
                        data={"mention": hold.mention_id, "days_left": limitation.days_left},
                    )
                    sent += 1
                do_mark_limitation_warned(hold, days)
    return {"sent": sent}


def _case_url(mention: Mention) -> str:
    from django.urls import reverse

    case = getattr(mention, "case", None)
    if case is None:
        return reverse("evidence")
    return reverse("case_detail", args=[case.pk]) + "#evidence"
