"""Reads of the privacy app: everything Vigie holds about one person, and its export.

Finding is done by the database (ids only), so a request on a large organisation stays small in
memory; the export then reads the rows found, which for one person are few.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from vigie.core.models import Organisation
from vigie.core.redaction import fold, name_parts, names_in
from vigie.evidence.queries import held_mention_ids
from vigie.inbox.models import CallbackLog, Case, Note, PrivateMessage, PrivateThread, Reply
from vigie.mentions.models import Author, Mention
from vigie.privacy.holders import hooks
from vigie.privacy.subjects import Subject, phone_digits, phone_spellings

# A display name is searched for in other people's text only when it is a full name: a lone
# first name would match strangers.
_FULL_NAME = re.compile(r"\S+\s+\S+")
MIN_NEEDLE = 3


@dataclass
class Findings:
    """Ids of what concerns the subject, per kind, and the strings to erase from shared text."""

    subject: Subject
    author_ids: list[int] = field(default_factory=list)
    authored_mention_ids: list[int] = field(default_factory=list)
    # Other people's mentions that name the subject (whole words): shown apart, erased only when
    # the DPO ticks them.
    mentioning_mention_ids: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)
    thread_ids: list[int] = field(default_factory=list)
    callback_ids: list[int] = field(default_factory=list)
    held_ids: set[int] = field(default_factory=set)
    # What names the subject in other people's mentions: e-mails, phones, handles, full names.
    needles: list[str] = field(default_factory=list)
    # What names the subject in the organisation's own texts on the subject's cases (replies,
    # drafts, notes): the needles, plus first and last names and bare handles.
    case_needles: list[str] = field(default_factory=list)
    # The subject's identifiers plus those found on the way, for the holder apps.
    identifiers: dict[str, list[str]] = field(default_factory=dict)
    elsewhere: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    @property
    def mention_ids(self) -> list[int]:
        return [*self.authored_mention_ids, *self.mentioning_mention_ids]

    def counts(self) -> dict[str, int]:
        """How many of each thing (what the audit log and the dry run show)."""
        counts = {
            "authors": len(self.author_ids),
            "mentions_by_subject": len(self.authored_mention_ids),
            "mentions_naming_subject": len(self.mentioning_mention_ids),
            "cases": len(self.case_ids),
            "private_threads": len(self.thread_ids),
            "callbacks": len(self.callback_ids),
            "mentions_on_legal_hold": len(self.held_ids.intersection(self.mention_ids)),
        }
        for app, sections in self.elsewhere.items():
            for name, rows in sections.items():
                counts[f"{app}.{name}"] = len(rows)
        return counts

    @property
    def empty(self) -> bool:
        return not (self.author_ids or self.mention_ids or self.thread_ids or self.callback_ids) and not any(
            rows for sections in self.elsewhere.values() for rows in sections.values()
        )


def _needles(subject: Subject, authors: list[Author], names: list[str]) -> list[str]:
    needles = [*subject.emails, *phone_spellings(subject.phones), *(f"@{h}" for h in subject.handles)]
    needles += [n for n in [*subject.names, *names] if _FULL_NAME.search(n)]
    for author in authors:
        if author.handle:
            needles.append(f"@{author.handle.removeprefix('@')}")
        if _FULL_NAME.search(author.display_name):
            needles.append(author.display_name)
    return [n for n in dict.fromkeys(" ".join(n.split()) for n in needles) if len(n) >= MIN_NEEDLE]


def _case_needles(needles: list[str], authors: list[Author], names: list[str]) -> list[str]:
    """On the subject's own cases the organisation greets them by first name ("Bonjour
    Nathalie,"): their names' words are erased there too, and their handles without the @."""
    found = list(needles)
    for name in [*names, *(a.display_name for a in authors)]:
        found += name_parts(name)
    found += [a.handle.removeprefix("@") for a in authors if a.handle]
    return [n for n in dict.fromkeys(found) if len(n) >= MIN_NEEDLE]


def _linked(organisation: Organisation, identifiers: dict[str, list[str]]) -> dict[str, list[Any]]:
    """What the holder apps' records lead to (``queries.personal_links``): an outreach contact's
    survey answers are mentions, with an author and a case."""
    linked: dict[str, list[Any]] = {"mention_ids": [], "author_ids": [], "names": []}
    for _app, personal_links in hooks("queries", "personal_links"):
        for key, values in (personal_links(organisation, identifiers) or {}).items():
            linked.setdefault(key, []).extend(values)
    return linked


def _prefilter(needle: str) -> Q:
    # The database narrows (case-insensitively, as typed and without accents); Python then keeps
    # the whole-word matches only, accents and case aside (``redaction.names_in``).
    query = Q()
    for spelling in {needle, fold(needle)}:
        query |= Q(text__icontains=spelling) | Q(title__icontains=spelling)
    return query


def _authors_named(organisation: Organisation, names: tuple[str, ...]) -> list[int]:
    """Authors whose display name is one of ``names``, whole, without case nor accents."""
    wanted = {fold(n) for n in names if fold(n)}
    if not wanted:
        return []
    query = Q()
    for name in names:
        longest = max(name.split(), key=len)
        query |= Q(display_name__iexact=name) | Q(display_name__icontains=longest)
        query |= Q(display_name__icontains=fold(longest))
    return [
        pk
        for pk, display in Author.objects.filter(organisation=organisation)
        .filter(query)
        .values_list("pk", "display_name")
        if fold(display) in wanted
    ]


def find_subject(organisation: Organisation, subject: Subject) -> Findings:
    """Everything ``organisation`` holds about ``subject`` (another organisation's data never)."""
    findings = Findings(subject=subject)
    match = Q(pk__in=_authors_named(organisation, subject.names))
    for value in (*subject.emails, *subject.handles):
        match |= Q(handle__iexact=value) | Q(handle__iexact=f"@{value}") | Q(external_id__iexact=value)
    linked = _linked(organisation, subject.identifiers())
    match |= Q(pk__in=linked["author_ids"])
    mentions = Mention.objects.filter(organisation=organisation)
    linked_mentions = list(mentions.filter(pk__in=linked["mention_ids"]).values_list("pk", "author_id"))
    match |= Q(pk__in=[author for _pk, author in linked_mentions if author])
    authors = list(Author.objects.filter(organisation=organisation).filter(match).order_by("pk"))
    findings.author_ids = [a.pk for a in authors]
    findings.authored_mention_ids = sorted(
        {
            *mentions.filter(author_id__in=findings.author_ids).values_list("pk", flat=True),
            *(pk for pk, _author in linked_mentions),
        }
    )
    findings.case_ids = list(
        Case.objects.filter(organisation=organisation, mention_id__in=findings.authored_mention_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    threads = PrivateThread.objects.filter(organisation=organisation)
    thread_match = Q(case_id__in=findings.case_ids)
    for email in subject.emails:
        thread_match |= Q(address__iexact=email) | Q(messages__sender__iexact=email)
    findings.thread_ids = list(
        threads.filter(thread_match).order_by("pk").values_list("pk", flat=True).distinct()
    )
    callbacks = CallbackLog.objects.filter(organisation=organisation)
    callback_ids = set(callbacks.filter(case_id__in=findings.case_ids).values_list("pk", flat=True))
    wanted = {phone_digits(p) for p in subject.phones}
    if wanted:
        # Phones are written in many ways: compared as digits (an organisation has few callbacks).
        for pk, phone in callbacks.values_list("pk", "phone").iterator(chunk_size=2000):
            if phone_digits(phone) in wanted:
                callback_ids.add(pk)
    findings.callback_ids = sorted(callback_ids)
    # What the trail uncovered (the address of her private thread, the phone of her callback)
    # is searched for in the text of other people's mentions too.
    addresses = list(
        PrivateThread.objects.filter(pk__in=findings.thread_ids)
        .exclude(address="")
        .values_list("address", flat=True)
    )
    phones = list(
        CallbackLog.objects.filter(pk__in=findings.callback_ids)
        .exclude(phone="")
        .values_list("phone", flat=True)
    )
    discovered = [*addresses, *phone_spellings(tuple(phones))]
    linked_names = [str(n) for n in linked.get("names", []) if str(n).strip()]
    findings.needles = list(
        dict.fromkeys(
            [*_needles(subject, authors, linked_names), *(d for d in discovered if len(d) >= MIN_NEEDLE)]
        )
    )
    findings.case_needles = _case_needles(
        findings.needles, authors, [*(n for n in subject.names if not subject.emails), *linked_names]
    )
    text_match = Q()
    for needle in findings.needles:
        text_match |= _prefilter(needle)
    if text_match:
        candidates = (
            mentions.filter(text_match)
            .exclude(pk__in=findings.authored_mention_ids)
            .order_by("pk")
            .values_list("pk", "title", "text")
        )
        findings.mentioning_mention_ids = [
            pk
            for pk, title, text in candidates.iterator(chunk_size=500)
            if names_in(f"{title}\n{text}", findings.needles)
        ]
    findings.held_ids = held_mention_ids(organisation) & set(findings.mention_ids)
    known = subject.identifiers()
    findings.identifiers = {
        "emails": list(dict.fromkeys([*known["emails"], *(a.lower() for a in addresses)])),
        "phones": list(dict.fromkeys([*known["phones"], *phones])),
        "handles": list(
            dict.fromkeys([*known["handles"], *(a.handle.removeprefix("@") for a in authors if a.handle)])
        ),
        "names": list(dict.fromkeys([*known["names"], *(a.display_name for a in authors if a.display_name)])),
        # The subject's own mentions, for what a holder app keeps about them (testimonials).
        "mention_ids": [str(pk) for pk in findings.authored_mention_ids],
    }
    for app, personal_data in hooks("queries", "personal_data"):
        sections = personal_data(organisation, findings.identifiers)
        if sections:
            findings.elsewhere[app] = sections
    return findings


def export_filename(organisation: Organisation, findings: Findings, extension: str) -> str:
    """``donnees-personnelles-jeanne-durand-2026-12-07.json``: the person (the name found, else
    what was typed) and the day, in the organisation's zone; only ASCII letters, digits and
    dashes, so no browser or file system reads anything else in it."""
    names = Author.objects.filter(organisation=organisation, pk__in=findings.author_ids).exclude(
        display_name=""
    )
    name = next(iter(names.order_by("pk").values_list("display_name", flat=True)[:1]), findings.subject.raw)
    slug = slugify(re.sub(r"[\W_]+", " ", fold(name)))[:60].strip("-") or "personne"
    day = timezone.now().astimezone(ZoneInfo(organisation.timezone)).date().isoformat()
    return f"donnees-personnelles-{slug}-{day}.{extension}"


def _when(value: datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat() if value is not None else None


def export_subject(organisation: Organisation, findings: Findings) -> dict[str, Any]:
    """The subject's data as a JSON-ready document (dates in the organisation's time zone)."""
    zone = ZoneInfo(organisation.timezone)
    authors = Author.objects.filter(organisation=organisation, pk__in=findings.author_ids).order_by("pk")
    mentions = (
        Mention.objects.filter(organisation=organisation, pk__in=findings.mention_ids)
        .select_related("source")
        .order_by("created_at", "pk")
    )
    authored = set(findings.authored_mention_ids)
    cases = Case.objects.filter(organisation=organisation, pk__in=findings.case_ids).order_by("pk")
    replies = Reply.objects.filter(organisation=organisation, case_id__in=findings.case_ids).order_by(
        "created_at"
    )
    notes = Note.objects.filter(organisation=organisation, case_id__in=findings.case_ids).order_by(
        "created_at"
    )
    threads = PrivateThread.objects.filter(organisation=organisation, pk__in=findings.thread_ids).order_by(
        "pk"
    )
    messages = PrivateMessage.objects.filter(
        organisation=organisation, thread_id__in=findings.thread_ids
    ).order_by("created_at", "pk")
    callbacks = CallbackLog.objects.filter(organisation=organisation, pk__in=findings.callback_ids).order_by(
        "called_at"
    )
    return {
        "format": "vigie.privacy.export/1",
        "organisation": organisation.name,
        "subject": findings.subject.raw,
        "generated_at": _when(timezone.now(), zone),
        "authors": [
            {
                "platform": a.platform,
                "id_on_platform": a.external_id,
                "handle": a.handle,
                "display_name": a.display_name,
                "profile_url": a.profile_url,
                "followers": a.followers_count,
                "flags": list(a.flags or []),
            }
            for a in authors
        ],
        "mentions": [
            {
                "id": m.pk,
                "relation": "author" if m.pk in authored else "named",
                "platform": m.source.platform,
                "source": m.source.name,
                "kind": m.kind,
                "url": m.url,
                "title": m.title,
                "text": m.text,
                "rating": str(m.rating) if m.rating is not None else None,
                "published_at": _when(m.created_at, zone),
                "collected_at": _when(m.fetched_at, zone),
                "deleted_on_platform_at": _when(m.deleted_at, zone),
                "legal_hold": m.pk in findings.held_ids,
            }
            for m in mentions
        ],
        "cases": [
            {
                "id": c.pk,
                "mention": c.mention_id,
                "status": c.status,
                "opened_at": _when(c.created_at, zone),
                "replies": [
                    {
                        "channel": r.channel,
                        "status": r.status,
                        "body": r.body,
                        "published_at": _when(r.published_at, zone),
                    }
                    for r in replies
                    if r.case_id == c.pk
                ],
                "notes": [
                    {"body": n.body, "written_at": _when(n.created_at, zone)}
                    for n in notes
                    if n.case_id == c.pk
                ],
            }
            for c in cases
        ],
        "private_threads": [
            {
                "channel": t.channel,
                "address": t.address,
                "subject": t.subject,
                "messages": [
                    {
                        "direction": m.direction,
                        "sender": m.sender,
                        "subject": m.subject,
                        "body": m.body,
                        "at": _when(m.created_at, zone),
                    }
                    for m in messages
                    if m.thread_id == t.pk
                ],
            }
            for t in threads
        ],
        "callbacks": [
            {"phone": c.phone, "outcome": c.outcome, "notes": c.notes, "called_at": _when(c.called_at, zone)}
            for c in callbacks
        ],
        "elsewhere": findings.elsewhere,
    }
