"""The privacy app's writes: erasing a data subject and applying the charter's retention.

Privacy owns no table: each deletion or pseudonymisation goes through the actions of the app that
owns the rows (``mentions.actions``, ``inbox.actions``, ``core.actions`` for the audit log, and the
holder apps of ``privacy.holders``). Privacy records what it did in the audit log: counts and a
keyed fingerprint of the subject, never the subject or any content.

Mentions under legal hold (``evidence.queries.held_mention_ids``) are spared by both: their text,
their author and their case stay as they are until the hold is lifted.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Max, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigie.alerts.actions import do_forget_alert_texts
from vigie.charter.document import RETENTION_KINDS, RetentionPolicy
from vigie.charter.queries import current_charter
from vigie.connectors.models import Source
from vigie.core.actions import do_forget_notification_texts, do_prune_audit_events, do_record_audit_event
from vigie.core.dates import add_months, long_date
from vigie.core.models import AuditEvent, Organisation, User
from vigie.evidence.queries import held_mention_ids
from vigie.inbox.actions import (
    CLOSING_STATUSES,
    do_close_cases_for_erasure,
    do_delete_private_messages,
    do_erase_person_from_cases,
    do_pseudonymise_cases_of_mentions,
    do_pseudonymise_private_messages,
)
from vigie.inbox.models import CallbackLog, Case, PrivateMessage, PrivateThread
from vigie.mentions.actions import (
    do_delete_authors,
    do_delete_mentions,
    do_erase_mentions,
    do_pseudonymise_authors,
    do_pseudonymise_mentions,
    do_redact_mentions,
)
from vigie.mentions.models import Author, Mention
from vigie.privacy.holders import hooks
from vigie.privacy.models import DeferredErasure, RequestKind, SubjectRequest
from vigie.privacy.queries import Findings
from vigie.privacy.subjects import Subject, SubjectError, parse_subject

BATCH_SIZE = 500


def _forget_alerts(organisation: Organisation, mention_ids: list[int]) -> None:
    """Alerts quote a mention's author and text, and members' notifications copy the alert."""
    do_forget_notification_texts(organisation, do_forget_alert_texts(organisation, mention_ids))


def subject_fingerprint(findings: Findings) -> str:
    """A keyed fingerprint of the subject: lets the DPO show later that a request about a given
    person was handled (by recomputing it), without the audit log naming them."""
    return fingerprint_of(findings.subject.raw)


def fingerprint_of(subject: str) -> str:
    """The keyed fingerprint of a subject as typed (``subject_fingerprint``)."""
    key = hashlib.sha256(b"vigie.privacy.subject:" + settings.SECRET_KEY.encode("utf-8")).digest()
    return hmac.new(key, subject.casefold().encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def do_record_subject_export(organisation: Organisation, findings: Findings, *, actor: User | None) -> None:
    """Audit that someone exported a subject's data (the fact and the counts)."""
    do_record_audit_event(
        organisation,
        "privacy.subject_exported",
        actor=actor,
        data={
            "subject": subject_fingerprint(findings),
            "kind": findings.subject.kind,
            "counts": findings.counts(),
        },
    )


def erasure_placeholder(organisation: Organisation, when: datetime) -> str:
    """What an erased text says instead of being blank, in the organisation's language."""
    with translation.override(organisation.language):
        day = long_date(when.astimezone(ZoneInfo(organisation.timezone)).date())
        return _("[contenu effacé à la demande de la personne (RGPD) le %(date)s]") % {"date": day}


def do_erase_subject(
    organisation: Organisation,
    findings: Findings,
    *,
    actor: User | None,
    dry_run: bool = False,
    redact_naming: Collection[int] = (),
    request: SubjectRequest | None = None,
    deferred: DeferredErasure | None = None,
) -> dict[str, int]:
    """Erase or pseudonymise what ``findings`` found, sparing mentions under legal hold.

    The person's own posts a hold kept are remembered (``DeferredErasure``, with ``request`` when
    the erasure answers one of the register) and erased when the hold is lifted
    (``do_run_deferred_erasure``, which passes its record as ``deferred``).

    * the subject's mentions are pseudonymised (link, payload and author cleared; date, rating
      and analysis stay for the statistics) and their text says it was erased, and when;
    * in the replies (drafts and published ones), notes of the subject's cases their e-mail,
      phone, handle, full, first and last names become « [effacé] »; the cases are closed
      (« données effacées »), and replies not yet published are withdrawn;
    * in other people's mentions that name them, the same happens only to those whose ids are
      in ``redact_naming`` (the DPO ticked them: a text match is not proof it is this person);
    * their private threads and callbacks lose address, phone and messages;
    * their author rows are deleted, unless one of their mentions is held.

    With ``dry_run`` nothing is written and the counts say what would be done.
    """
    held = held_mention_ids(organisation)
    authored = [pk for pk in findings.authored_mention_ids if pk not in held]
    chosen = set(redact_naming)
    naming = [pk for pk in findings.mentioning_mention_ids if pk not in held and pk in chosen]
    held_authors = set(
        Mention.objects.filter(organisation=organisation, pk__in=held, author_id__in=findings.author_ids)
        .values_list("author_id", flat=True)
        .distinct()
    )
    authors = [pk for pk in findings.author_ids if pk not in held_authors]
    held_cases = set(
        Case.objects.filter(organisation=organisation, mention_id__in=held).values_list("pk", flat=True)
    )
    cases = [pk for pk in findings.case_ids if pk not in held_cases]
    threads = findings.thread_ids
    if held_cases:
        threads = list(
            PrivateThread.objects.filter(organisation=organisation, pk__in=findings.thread_ids)
            .exclude(case_id__in=held_cases)
            .values_list("pk", flat=True)
        )
    callbacks = findings.callback_ids
    if held_cases:
        callbacks = list(
            CallbackLog.objects.filter(organisation=organisation, pk__in=callbacks)
            .exclude(case_id__in=held_cases)
            .values_list("pk", flat=True)
        )
    counts: dict[str, int] = {
        "mentions_pseudonymised": len(authored),
        "mentions_redacted": len(naming),
        "authors_deleted": len(authors),
        "cases_cleaned": len(cases),
        "private_threads_erased": len(threads),
        "callbacks_erased": len(callbacks),
        "mentions_kept_for_legal_hold": len(held.intersection(findings.mention_ids)),
        "authors_kept_for_legal_hold": len(held_authors),
    }
    keep = set(held)
    identifiers = findings.identifiers or findings.subject.identifiers()
    counts["mentions_naming_not_chosen"] = len(
        [pk for pk in findings.mentioning_mention_ids if pk not in held and pk not in chosen]
    )
    counts["cases_closed"] = (
        Case.objects.filter(organisation=organisation, pk__in=cases)
        .exclude(status__in=CLOSING_STATUSES)
        .count()
    )
    if not dry_run:
        now = timezone.now()
        placeholder = erasure_placeholder(organisation, now)
        _forget_alerts(organisation, [*authored, *naming])
        for start in range(0, len(authored), BATCH_SIZE):
            do_erase_mentions(
                organisation, authored[start : start + BATCH_SIZE], placeholder=placeholder, erased_at=now
            )
        # Counted again: a mention found by the database may not change (the match was in a
        # part of the text that another needle already replaced).
        counts["mentions_redacted"] = sum(
            do_redact_mentions(organisation, naming[start : start + BATCH_SIZE], findings.needles)
            for start in range(0, len(naming), BATCH_SIZE)
        )
        do_delete_authors(organisation, authors)
        erased = do_erase_person_from_cases(
            organisation,
            cases,
            findings.case_needles or findings.needles,
            thread_ids=threads,
            callback_ids=callbacks,
            placeholder=placeholder,
        )
        counts["replies_redacted"] = erased.replies
        counts["notes_redacted"] = erased.notes
        counts["private_messages_erased"] = erased.private_messages
        counts["cases_closed"] = do_close_cases_for_erasure(organisation, cases, actor=actor)
    for app, erase in hooks("actions", "do_erase_personal_data"):
        for name, value in erase(organisation, identifiers, keep_mention_ids=keep, dry_run=dry_run).items():
            counts[f"{app}.{name}"] = int(value)
    if not dry_run:
        kept_own = sorted(held.intersection(findings.authored_mention_ids))
        if deferred is not None:
            _finish_deferred(deferred, kept_own, counts)
        elif kept_own:
            DeferredErasure.objects.create(
                organisation=organisation,
                subject=findings.subject.raw,
                fingerprint=subject_fingerprint(findings),
                identifiers={k: v for k, v in identifiers.items() if k != "mention_ids"},
                needles=findings.needles,
                case_needles=findings.case_needles,
                mention_ids=kept_own,
                request=request,
                created_by=actor,
            )
        do_record_audit_event(
            organisation,
            "privacy.subject_erased",
            actor=actor,
            data={
                "subject": subject_fingerprint(findings),
                "kind": findings.subject.kind,
                "counts": counts,
                **({"deferred_erasure": deferred.pk} if deferred is not None else {}),
                # What was kept, and on which ground: the record of the exemption the person is told.
                **(
                    {"kept_under": "GDPR art. 17(3)(e): legal hold (legal claims)"}
                    if counts.get("mentions_kept_for_legal_hold")
                    or any(key.endswith("_kept_for_legal_hold") and value for key, value in counts.items())
                    else {}
                ),
            },
        )
    return counts


# --- retention -------------------------------------------------------------------------------------------


def id_batches(
    queryset: QuerySet[Any], batch_size: int, skip: set[int] | frozenset[int] = frozenset()
) -> Iterator[list[int]]:
    """The ids of ``queryset`` in ascending batches, read one id range at a time (never all).

    Each batch is fetched after the previous one was handled, so rows that a batch deletes or
    changes are simply not seen again; ``skip`` (held mentions) is filtered out.
    """
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        last = ids[-1]
        wanted = [pk for pk in ids if pk not in skip]
        if wanted:
            yield wanted


def _not_pseudonymised_mentions() -> Q:
    return ~Q(title="", text="", html="", url="", raw={}, author=None)


def _apply_mentions(
    organisation: Organisation,
    policy: RetentionPolicy,
    now: datetime,
    held: set[int],
    dry_run: bool,
    batch: int,
) -> int:
    rule = policy.mentions
    count = 0
    for source_id in Source.objects.filter(organisation=organisation).values_list("pk", flat=True):
        days = policy.mention_days(source_id)
        if not days:
            continue
        due = Mention.objects.filter(
            organisation=organisation, source_id=source_id, created_at__lt=now - timedelta(days=days)
        )
        if rule.action == "pseudonymise":
            # An erased mention is pseudonymised already; its text says so, and stays.
            due = due.filter(_not_pseudonymised_mentions()).exclude(raw__has_key="erased_at")
        for ids in id_batches(due, batch, held):
            count += len(ids)
            if not dry_run:
                _forget_alerts(organisation, ids)
                if rule.action == "pseudonymise":
                    do_pseudonymise_cases_of_mentions(organisation, ids)
                (do_pseudonymise_mentions if rule.action == "pseudonymise" else do_delete_mentions)(
                    organisation, ids
                )
    return count


def _apply_authors(
    organisation: Organisation,
    policy: RetentionPolicy,
    now: datetime,
    held: set[int],
    dry_run: bool,
    batch: int,
) -> int:
    rule = policy.authors
    if not rule.days:
        return 0
    held_authors = set(
        Mention.objects.filter(organisation=organisation, pk__in=held).values_list("author_id", flat=True)
    )
    # Due: nothing they wrote is more recent than the delay (or nothing of theirs is left).
    due = (
        Author.objects.filter(organisation=organisation)
        .annotate(last_written=Max("mentions__created_at"))
        .filter(Q(last_written__lt=now - timedelta(days=rule.days)) | Q(last_written__isnull=True))
    )
    if rule.action == "pseudonymise":
        due = due.exclude(external_id__startswith="pseudonymised-")
    count = 0
    for ids in id_batches(due, batch, held_authors):
        count += len(ids)
        if not dry_run:
            (do_pseudonymise_authors if rule.action == "pseudonymise" else do_delete_authors)(
                organisation, ids
            )
    return count


def _apply_private_messages(
    organisation: Organisation,
    policy: RetentionPolicy,
    now: datetime,
    held: set[int],
    dry_run: bool,
    batch: int,
) -> int:
    rule = policy.private_messages
    if not rule.days:
        return 0
    due = PrivateMessage.objects.filter(
        organisation=organisation, created_at__lt=now - timedelta(days=rule.days)
    )
    if held:
        due = due.exclude(thread__case__mention_id__in=held)
    if rule.action == "pseudonymise":
        due = due.exclude(sender="", subject="", body="[effacé]")
    count = 0
    for ids in id_batches(due, batch):
        count += len(ids)
        if not dry_run:
            (
                do_pseudonymise_private_messages
                if rule.action == "pseudonymise"
                else do_delete_private_messages
            )(organisation, ids)
    return count


def _apply_audit_events(
    organisation: Organisation, policy: RetentionPolicy, now: datetime, dry_run: bool
) -> int:
    days = policy.audit_events.days
    if not days:
        return 0
    before = now - timedelta(days=days)
    if dry_run:
        due = AuditEvent.objects.filter(organisation=organisation, created_at__lt=before).count()
        newest = AuditEvent.objects.filter(organisation=organisation).order_by("-seq").first()
        return due - (1 if newest is not None and newest.created_at < before else 0)
    return do_prune_audit_events(organisation, before)


def do_apply_retention(
    organisation: Organisation,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> dict[str, int]:
    """Delete or pseudonymise what is past the charter's retention; return counts per kind.

    Memory stays bounded whatever the organisation's size: rows are handled in batches of
    ``batch_size`` ids, each read by id range. Held mentions are spared. The run is recorded in
    the audit log (counts only) unless ``dry_run``, which writes nothing.
    """
    now = now or timezone.now()
    policy = current_charter(organisation).retention
    held = held_mention_ids(organisation)
    counts: dict[str, int] = dict.fromkeys(RETENTION_KINDS, 0)
    retention = policy.model_dump(mode="json")
    # The holder apps first, while the posts past their delay still exist: what hangs on a post
    # (the files of its evidence captures) is found through it before retention deletes it.
    for app, apply in hooks("actions", "do_apply_retention"):
        for name, value in apply(
            organisation, retention, now=now, keep_mention_ids=held, dry_run=dry_run
        ).items():
            key = name if name in counts else f"{app}.{name}"
            counts[key] = counts.get(key, 0) + int(value)
    counts["mentions"] += _apply_mentions(organisation, policy, now, held, dry_run, batch_size)
    counts["authors"] += _apply_authors(organisation, policy, now, held, dry_run, batch_size)
    counts["private_messages"] += _apply_private_messages(
        organisation, policy, now, held, dry_run, batch_size
    )
    # Last, so the pruning never removes this run's own record, and the record is not pruned.
    counts["audit_events"] = _apply_audit_events(organisation, policy, now, dry_run)
    if not dry_run:
        do_record_audit_event(
            organisation,
            "privacy.retention_applied",
            data={"counts": counts, "actions": {k: policy.rule(k).action for k in RETENTION_KINDS}},
        )
    return counts


# --- the register of requests ----------------------------------------------------------------------


def do_record_request(
    organisation: Organisation, *, kind: str, subject: str, received_on: date, actor: User | None
) -> SubjectRequest:
    """Record a person's request as received on ``received_on``: due one month later."""
    if kind not in RequestKind.values:
        raise ValueError(f"unknown request kind {kind!r}")
    request = SubjectRequest.objects.create(
        organisation=organisation,
        kind=kind,
        subject=subject[:254],
        fingerprint=fingerprint_of(subject),
        received_on=received_on,
        due_on=add_months(received_on, 1),
        created_by=actor,
    )
    do_record_audit_event(
        organisation,
        "privacy.request_received",
        actor=actor,
        obj=request,
        data={"kind": kind, "subject": request.fingerprint, "due_on": request.due_on.isoformat()},
    )
    return request


class TooLateToExtend(ValueError):
    """The first month is over: art. 12(3) asks to tell the person of an extension within it."""


def do_extend_request(
    request: SubjectRequest, *, reason: str, actor: User | None, today: date | None = None
) -> SubjectRequest:
    """Extend the limit by two months (art. 12(3)): once, within the first month, with the reason
    told to the person. ``TooLateToExtend`` past the first month."""
    today = today or timezone.localdate(timezone=ZoneInfo(request.organisation.timezone))
    if request.extended_to is None and request.done_at is None and today > request.due_on:
        raise TooLateToExtend("the first month is over")
    if request.extended_to is None and request.done_at is None:
        request.extended_to = add_months(request.due_on, 2)
        request.note = (request.note + "\n" if request.note else "") + _("Délai prolongé : %(reason)s") % {
            "reason": reason.strip()[:500]
        }
        request.save(update_fields=["extended_to", "note"])
        do_record_audit_event(
            request.organisation,
            "privacy.request_extended",
            actor=actor,
            obj=request,
            data={"extended_to": request.extended_to.isoformat()},
        )
    return request


def do_close_request(
    request: SubjectRequest, *, note: str, actor: User | None, erased: bool = False
) -> SubjectRequest:
    """Mark the request answered, with what was done. After an erasure the person's identifier is
    cleared from the register (its keyed fingerprint stays, to show the request was handled)."""
    if request.done_at is not None:
        return request
    request.done_at = timezone.now()
    request.done_by = actor
    request.note = (request.note + "\n" if request.note else "") + note.strip()[:2000]
    fields = ["done_at", "done_by", "note"]
    if erased:
        request.subject = ""
        fields.append("subject")
    request.save(update_fields=fields)
    do_record_audit_event(
        request.organisation,
        "privacy.request_answered",
        actor=actor,
        obj=request,
        data={"kind": request.kind, "late": request.done_at.date() > request.limit},
    )
    return request


# --- rectification (art. 16) -------------------------------------------------------------------------


class RectificationRefused(ValueError):
    """Nothing was rectified; ``code`` says why (``nothing_to_rectify``: no record Vigie keeps
    itself for that identifier, or no change; or a holder app's refusal, e.g. ``several_contacts``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def do_rectify_subject(
    organisation: Organisation, findings: Findings, corrections: dict[str, str], *, actor: User | None
) -> dict[str, int]:
    """Correct what Vigie itself collected about the person (GDPR art. 16): the holder apps'
    records (``actions.do_rectify_personal_data``: an outreach contact's name, e-mail and phone) the
    identifier as typed designates. What the platforms published (authors' names, posts) is
    Vigie's copy of a publication, not corrected here: the person corrects it on the platform and
    the next read brings it. The audit log gets which fields changed and the counts, never the old
    nor the new values. Returns the counts; raises ``RectificationRefused``."""
    identifiers = findings.subject.identifiers()
    counts: dict[str, int] = {}
    fields: set[str] = set()
    for app, rectify in hooks("actions", "do_rectify_personal_data"):
        try:
            done = rectify(organisation, identifiers, corrections)
        except ValueError as error:
            raise RectificationRefused(getattr(error, "code", "refused")) from error
        fields.update(done.pop("fields", []))
        for name, value in done.items():
            counts[f"{app}.{name}"] = int(value)
    if not fields:
        raise RectificationRefused("nothing_to_rectify")
    do_record_audit_event(
        organisation,
        "privacy.subject_rectified",
        actor=actor,
        data={
            "subject": subject_fingerprint(findings),
            "kind": findings.subject.kind,
            "fields": sorted(fields),
            "counts": counts,
        },
    )
    return counts


# --- erasures a legal hold deferred ------------------------------------------------------------------


def _finish_deferred(record: DeferredErasure, still_held: list[int], counts: dict[str, int]) -> None:
    """After a run: the posts still held wait for their hold; with none left the record keeps
    only its fingerprint and what was done, and the register's request says it."""
    erased = counts.get("mentions_pseudonymised", 0)
    with translation.override(record.organisation.language):
        day = long_date(timezone.localdate(timezone=ZoneInfo(record.organisation.timezone)))
        line = ngettext(
            "Effacement différé fait le %(date)s, la conservation légale levée : %(count)s publication "
            "de la personne effacée, avec ce qui en dépend (auteur, dossier, échanges, captures).",
            "Effacement différé fait le %(date)s, la conservation légale levée : %(count)s publications "
            "de la personne effacées, avec ce qui en dépend (auteurs, dossiers, échanges, captures).",
            erased,
        ) % {"date": day, "count": erased}
    record.note = (record.note + "\n" if record.note else "") + line
    if still_held:
        record.mention_ids = still_held
        record.save(update_fields=["mention_ids", "note"])
    else:
        record.mention_ids, record.done_at = [], timezone.now()
        record.subject, record.identifiers, record.needles, record.case_needles = "", {}, [], []
        record.save(
            update_fields=[
                "mention_ids",
                "done_at",
                "subject",
                "identifiers",
                "needles",
                "case_needles",
                "note",
            ]
        )
    if record.request_id is not None:
        SubjectRequest.objects.filter(pk=record.request_id).update(
            note=Concat(F("note"), Value("\n" + line), output_field=TextField())
        )


def deferred_findings(record: DeferredErasure) -> Findings:
    """What the deferred erasure erases: the person's posts the hold kept, their authors, cases,
    the cases' private threads and callbacks; with the strings and identifiers found at the time
    (a fresh search would no longer find them: what led to them is erased)."""
    organisation = record.organisation
    try:
        subject = parse_subject(record.subject)
    except SubjectError:
        subject = Subject(raw=record.subject)
    rows = list(
        Mention.objects.filter(organisation=organisation, pk__in=record.mention_ids).values_list(
            "pk", "author_id"
        )
    )
    mention_ids = sorted(pk for pk, _author in rows)
    cases = list(
        Case.objects.filter(organisation=organisation, mention_id__in=mention_ids).values_list(
            "pk", flat=True
        )
    )
    return Findings(
        subject=subject,
        author_ids=sorted({author for _pk, author in rows if author}),
        authored_mention_ids=mention_ids,
        case_ids=sorted(cases),
        thread_ids=sorted(
            PrivateThread.objects.filter(organisation=organisation, case_id__in=cases).values_list(
                "pk", flat=True
            )
        ),
        callback_ids=sorted(
            CallbackLog.objects.filter(organisation=organisation, case_id__in=cases).values_list(
                "pk", flat=True
            )
        ),
        held_ids=held_mention_ids(organisation) & set(mention_ids),
        needles=list(record.needles),
        case_needles=list(record.case_needles),
        identifiers={**record.identifiers, "mention_ids": [str(pk) for pk in mention_ids]},
    )


def due_deferred_erasures(organisation: Organisation) -> list[DeferredErasure]:
    """The open deferred erasures one of whose posts is no longer held (the hold lifted, or the
    post gone): they are due."""
    held = held_mention_ids(organisation)
    return [
        record
        for record in DeferredErasure.objects.filter(organisation=organisation, done_at__isnull=True)
        if set(record.mention_ids) - held
    ]


def do_run_deferred_erasure(record: DeferredErasure, *, actor: User | None) -> dict[str, int] | None:
    """Carry out what a legal hold deferred, for the posts no longer held; None when every one is
    still held (nothing due). Audited like any erasure, with ``deferred_erasure``."""
    record = DeferredErasure.objects.select_related("organisation").get(pk=record.pk)
    if record.done_at is not None or not (set(record.mention_ids) - held_mention_ids(record.organisation)):
        return None
    return do_erase_subject(record.organisation, deferred_findings(record), actor=actor, deferred=record)


def do_run_due_deferred_erasures(organisation: Organisation, *, actor: User | None = None) -> int:
    """Every deferred erasure of ``organisation`` that is due; returns how many ran."""
    return sum(
        do_run_deferred_erasure(record, actor=actor) is not None
        for record in due_deferred_erasures(organisation)
    )
