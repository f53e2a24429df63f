"""Writes of the mentions domain: ingestion of what connectors return, and the columns that
mirror a mention's analysis.

``do_ingest_page`` is the one door in for connector output (``vigie.mentions.ingest`` reads the
pages). It upserts a page of ``MentionIn`` values by ``(source, external_id)`` and has the
connectors advance the source's cursor in the same transaction, so the cursor never runs ahead of
what is stored: a crash before the commit replays the page, a crash after it starts from the next
one, and re-reading a page never duplicates anything.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.connectors.actions import do_advance_source_cursor, do_file_places
from vigie.connectors.contract import AuthorIn, MentionIn, Page
from vigie.connectors.models import Source
from vigie.connectors.normalise import estimate_reach
from vigie.core import pipeline, redaction
from vigie.core.actions import do_record_audit_event
from vigie.core.db import copy_objects
from vigie.core.models import Organisation, User
from vigie.core.safe_text import MAX_MENTION_TEXT, clean_json, clean_text
from vigie.mentions.models import Author, AuthorFlag, Mention, MentionRevision

logger = logging.getLogger(__name__)

# Fields whose change makes an edited version worth keeping in the revision history.
CONTENT_FIELDS = ("title", "text", "html", "url", "rating", "rating_raw")
# Fields refreshed on every read without keeping a revision (engagement moves all the time).
LIVE_FIELDS = ("likes", "shares", "replies_count", "reach")
EXTERNAL_ID_MAX = 255


@dataclass
class IngestCounts:
    """What ingested pages did. ``changed_ids`` (the mentions to (re)analyse) is filled for one
    page; sums made with ``+=`` keep the counts only."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_ids: list[int] = field(default_factory=list)

    def __iadd__(self, other: IngestCounts) -> IngestCounts:
        # Totals only: a long import or fetch must not keep every id it touched in memory.
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged}


def storable_external_id(external_id: str) -> str:
    """The id as stored: platform ids longer than the column are replaced by a stable digest."""
    if len(external_id) <= EXTERNAL_ID_MAX:
        return external_id
    return "sha256:" + hashlib.sha256(external_id.encode("utf-8")).hexdigest()


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _url(value: str) -> str:
    # A clipped URL would be a broken link: drop it instead.
    return value if len(value) <= 1000 else ""


def do_ingest_page(source: Source, page: Page, *, advance_cursor: bool = True) -> IngestCounts:
    """Store ``page``'s items for ``source`` and move its cursor to ``page.next_cursor``, atomically.

    New items are created, changed ones updated (the previous content kept as a
    ``MentionRevision``), items the platform reports deleted are marked ``deleted_at`` and never
    removed. After the commit the new and changed mentions are handed on to the pipeline's next
    step, the analysis (``vigie.core.pipeline``), when it is installed.
    """
    with transaction.atomic():
        counts = upsert_mentions(source, page.items)
        if page.complete_ids is not None:
            _reconcile_deletions(source, page, counts)
        do_advance_source_cursor(source, page.next_cursor if advance_cursor else None, len(page.items))
        if counts.changed_ids:
            ids = list(counts.changed_ids)
            transaction.on_commit(lambda: pipeline.hand_on(pipeline.INGEST, ids))
    return counts


RECONCILE_CHUNK = 500


def _reconcile_deletions(source: Source, page: Page, counts: IngestCounts) -> None:
    """Apply a full listing of a scope (``Page.complete_ids``): stored mentions of ``source`` whose
    external id starts with ``page.complete_prefix`` (and created inside the page's span, when it
    gives one) that the platform no longer lists are marked deleted (kept, never erased); listed
    ones marked deleted before are restored. Counted as updated."""
    listed_ids = {storable_external_id(external_id) for external_id in page.complete_ids or ()}
    scope = Mention.objects.filter(source=source)
    if page.complete_prefix:
        scope = scope.filter(external_id__startswith=page.complete_prefix)
    if page.complete_after is not None:
        scope = scope.filter(created_at__gt=page.complete_after)
    if page.complete_before is not None:
        scope = scope.filter(created_at__lt=page.complete_before)
    gone: list[int] = []
    back: list[int] = []
    for pk, external_id, deleted_at in scope.values_list("pk", "external_id", "deleted_at").iterator():
        if external_id in listed_ids:
            if deleted_at is not None:
                back.append(pk)
        elif deleted_at is None:
            gone.append(pk)
    now = timezone.now()
    for ids, deleted_at in ((gone, now), (back, None)):
        for start in range(0, len(ids), RECONCILE_CHUNK):
            chunk = ids[start : start + RECONCILE_CHUNK]
            Mention.objects.filter(pk__in=chunk).update(deleted_at=deleted_at, updated_at=now)
        counts.updated += len(ids)
        counts.changed_ids.extend(ids)


# The Mention columns that mirror its latest analysis (for filtering and sorting), written by the
# analysis app through ``do_set_mention_analysis``.
ANALYSIS_COLUMNS = frozenset(
    {"language", "sentiment", "sentiment_score", "mention_type", "themes", "priority"}
)


def do_set_mention_analysis(mention_id: int, **columns: Any) -> None:
    """Write the analysis columns ``columns`` of mention ``mention_id`` (see ``ANALYSIS_COLUMNS``).

    A queryset update on purpose: it touches only these columns, so a concurrent ingestion
    update of the text is not lost. Call it inside the analysis' own transaction.
    """
    unknown = set(columns) - ANALYSIS_COLUMNS
    if unknown:
        raise ValueError(f"not analysis columns: {', '.join(sorted(unknown))}")
    if columns:
        Mention.objects.filter(pk=mention_id).update(**columns)


def do_set_mentions_analysis(columns_by_mention: dict[int, dict[str, Any]]) -> None:
    """``do_set_mention_analysis`` for a whole analysed batch, in one UPDATE per set of columns
    (usually one) instead of one per mention. Like it, it writes only the analysis columns
    named, so a concurrent ingestion update of the text is not lost."""
    groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
    for mention_id, columns in columns_by_mention.items():
        unknown = set(columns) - ANALYSIS_COLUMNS
        if unknown:
            raise ValueError(f"not analysis columns: {', '.join(sorted(unknown))}")
        if columns:
            groups.setdefault(tuple(sorted(columns)), []).append((mention_id, columns))
    for names, rows in groups.items():
        if connection.vendor == "postgresql":
            _update_from_values(rows, names)
        else:
            mentions = [Mention(pk=mention_id, **columns) for mention_id, columns in rows]
            Mention.objects.bulk_update(mentions, list(names), batch_size=500)


def _update_from_values(rows: list[tuple[int, dict[str, Any]]], names: tuple[str, ...]) -> None:
    """PostgreSQL: ``UPDATE ... FROM (VALUES ...)``, one statement per 500 rows. Django's
    ``bulk_update`` builds a CASE per column and row, which costs more than the analysis itself."""
    concrete = {column_field.name: column_field for column_field in Mention._meta.concrete_fields}
    fields = [concrete[name] for name in names]
    table = connection.ops.quote_name(Mention._meta.db_table)
    columns = [connection.ops.quote_name(str(column_field.column)) for column_field in fields]
    assignments = ", ".join(
        f"{column} = v.{column}::{column_field.db_type(connection)}"
        for column, column_field in zip(columns, fields, strict=True)
    )
    is_json = [isinstance(column_field, models.JSONField) for column_field in fields]
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        params: list[Any] = []
        for mention_id, values in chunk:
            params.append(mention_id)
            for name, json_column in zip(names, is_json, strict=True):
                value = values[name]
                params.append(json.dumps(value) if json_column else value)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(chunk))}) "  # noqa: S608 - names from the model, values as parameters
                f"AS v(id, {', '.join(columns)}) WHERE {table}.id = v.id::bigint",
                params,
            )


_AUTHOR_FIELDS = ("handle", "display_name", "profile_url", "followers_count")


def _upsert_authors(source: Source, items: Sequence[MentionIn]) -> dict[str, int]:
    """Create or refresh the page's authors; their ids by (clipped) external id. Rows are read
    as tuples, and model instances built only for the authors created or changed."""
    wanted: dict[str, AuthorIn] = {}
    for item in items:
        if item.author is not None and item.author.external_id:
            wanted[_clip(item.author.external_id, 200)] = item.author
    if not wanted:
        return {}
    mine = Author.objects.filter(organisation_id=source.organisation_id, platform=source.platform)
    existing = {
        row[0]: row[1:]
        for row in mine.filter(external_id__any_of=list(wanted)).values_list(
            "external_id", "pk", *_AUTHOR_FIELDS
        )
    }
    ids = {external_id: row[0] for external_id, row in existing.items()}
    to_create, to_update = [], []
    for external_id, data in wanted.items():
        values = {
            "handle": _clip(data.handle, 200),
            "display_name": _clip(data.display_name, 200),
            "profile_url": data.profile_url if len(data.profile_url) <= 500 else "",
        }
        row = existing.get(external_id)
        if row is None:
            to_create.append(
                Author(
                    organisation_id=source.organisation_id,
                    platform=source.platform,
                    external_id=external_id,
                    followers_count=data.followers_count,
                    **values,
                )
            )
            continue
        pk, *stored = row
        current = dict(zip(_AUTHOR_FIELDS, stored, strict=True))
        changed = False
        for name, value in values.items():
            # An empty value from one platform call does not erase what another call told us.
            if value and current[name] != value:
                current[name] = value
                changed = True
        if data.followers_count is not None and current["followers_count"] != data.followers_count:
            current["followers_count"] = data.followers_count
            changed = True
        if changed:
            to_update.append(Author(pk=pk, **current))
    if to_create:
        _create_authors(mine, to_create, ids)
    if to_update:
        Author.objects.bulk_update(to_update, list(_AUTHOR_FIELDS), batch_size=500)
    return ids


def _create_authors(mine: models.QuerySet[Author], to_create: list[Author], ids: dict[str, int]) -> None:
    """Insert new authors and add their ids to ``ids``. On PostgreSQL one ``COPY`` that returns
    the ids, in a savepoint; should another writer have created one of them meanwhile (the
    unique constraint), the ``INSERT ... ON CONFLICT DO NOTHING`` of ``bulk_create`` instead,
    then the ids read back, theirs and ours alike."""
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                copy_objects(to_create)
        except IntegrityError:
            for author in to_create:
                author.pk = None
                author._state.adding = True
        else:
            ids.update((author.external_id, author.pk) for author in to_create)
            return
    Author.objects.bulk_create(to_create, ignore_conflicts=True)
    ids.update(
        mine.filter(external_id__any_of=[a.external_id for a in to_create]).values_list("external_id", "pk")
    )


def _values(item: MentionIn) -> dict[str, Any]:
    # Platforms rarely give an audience figure: estimate one from followers and engagement.
    followers = item.author.followers_count if item.author else None
    reach = item.reach or estimate_reach(followers, item.likes, item.shares, item.replies_count)
    return {
        "kind": item.kind,
        "url": _url(item.url),
        "title": _clip(item.title, 500),
        "text": item.text,
        "html": item.html,
        "rating": item.rating,
        "rating_raw": _clip(item.rating_raw, 32),
        "likes": max(item.likes, 0),
        "shares": max(item.shares, 0),
        "replies_count": max(item.replies_count, 0),
        "reach": max(reach, 0),
        # A reply is as long as a review at most (the platforms cap theirs far below).
        "owner_reply_text": item.owner_reply_text[:MAX_MENTION_TEXT],
        "owner_reply_at": item.owner_reply_at if item.owner_reply_text else None,
    }


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (old is None and new is None) or (
            old is not None and new is not None and Decimal(old) == Decimal(new)
        )
    return bool(old == new)


# Counters beyond this are a platform's error (or an attack), not an audience.
MAX_COUNT = 2**31 - 1


def _count(value: int) -> int:
    return min(max(value, 0), MAX_COUNT)


def safe_item(item: MentionIn) -> MentionIn:
    """``item`` as it may be stored: no control characters anywhere (PostgreSQL refuses NUL, an
    XLSX export any C0 control), counters within range, and the text cut at
    ``MAX_MENTION_TEXT`` characters, the whole text kept in the raw payload as ``full_text``."""
    text = clean_text(item.text)
    raw = clean_json(item.raw)
    html = clean_text(item.html)
    if len(text) > MAX_MENTION_TEXT:
        raw = {**raw, "full_text": text} if isinstance(raw, dict) else {"payload": raw, "full_text": text}
        text = text[:MAX_MENTION_TEXT]
        html = ""  # a cut in the middle of the HTML would break it; the plain text is shown instead
    author = item.author
    if author is not None:
        author = replace(
            author,
            external_id=clean_text(author.external_id),
            handle=clean_text(author.handle),
            display_name=clean_text(author.display_name),
            profile_url=clean_text(author.profile_url),
            followers_count=None if author.followers_count is None else _count(author.followers_count),
        )
    return replace(
        item,
        external_id=clean_text(item.external_id),
        kind=clean_text(item.kind),
        text=text,
        title=clean_text(item.title),
        html=html,
        url=clean_text(item.url),
        author=author,
        rating_raw=clean_text(item.rating_raw),
        parent_external_id=clean_text(item.parent_external_id),
        likes=_count(item.likes),
        shares=_count(item.shares),
        replies_count=_count(item.replies_count),
        reach=_count(item.reach),
        language=clean_text(item.language),
        owner_reply_text=clean_text(item.owner_reply_text),
        raw=raw,
    )


def upsert_mentions(source: Source, items: Iterable[MentionIn]) -> IngestCounts:
    """Create or update ``items`` of ``source`` (call inside a transaction); see ``do_ingest_page``."""
    counts = IngestCounts()
    # The last copy of an id wins when a page repeats it.
    by_id: dict[str, MentionIn] = {
        storable_external_id(item.external_id): item for item in map(safe_item, items)
    }
    if not by_id:
        return counts
    authors = _upsert_authors(source, list(by_id.values()))
    # Items of a multi-location source go under their own place's location (one query a batch).
    place_locations = do_file_places(source, [item.place for item in by_id.values() if item.place])
    existing = {
        m.external_id: m for m in Mention.objects.filter(source=source, external_id__any_of=list(by_id))
    }
    parents_wanted = {
        storable_external_id(item.parent_external_id) for item in by_id.values() if item.parent_external_id
    }
    parents = dict(
        Mention.objects.filter(source=source, external_id__any_of=list(parents_wanted)).values_list(
            "external_id", "pk"
        )
    )
    now = timezone.now()
    to_create: list[Mention] = []
    to_update: list[Mention] = []
    revisions: list[MentionRevision] = []
    update_fields: set[str] = set()
    # Replies whose parent was not stored yet: read in this batch (a webhook delivering a post and
    # its comment together, a thread listed newest first) or in a later one.
    orphans: list[tuple[Mention, str]] = []
    for external_id, item in by_id.items():
        author_id = authors.get(_clip(item.author.external_id, 200)) if item.author else None
        values = _values(item)
        parent_key = storable_external_id(item.parent_external_id) if item.parent_external_id else ""
        location_id = source.location_id
        if item.place is not None and item.place.external_id:
            location_id = place_locations.get(item.place.external_id[:200], location_id)
        mention = existing.get(external_id)
        if mention is None:
            to_create.append(
                Mention(
                    organisation_id=source.organisation_id,
                    source=source,
                    location_id=location_id,
                    external_id=external_id,
                    author_id=author_id,
                    parent_id=parents.get(parent_key),
                    created_at=item.created_at,
                    fetched_at=now,
                    updated_at=now,
                    deleted_at=now if item.deleted else None,
                    language=item.language[:8],
                    raw=item.raw,
                    **values,
                )
            )
            if parent_key and to_create[-1].parent_id is None:
                orphans.append((to_create[-1], parent_key))
            continue
        if parent_key and mention.parent_id is None:
            orphans.append((mention, parent_key))
        changed = [name for name, value in values.items() if not _same(getattr(mention, name), value)]
        content_changed = [name for name in changed if name in CONTENT_FIELDS]
        if item.deleted and mention.deleted_at is None:
            # A deleted item usually comes back empty: keep the content we had, just mark it.
            mention.deleted_at = now
            changed, content_changed = ["deleted_at"], []
        elif not item.deleted and mention.deleted_at is not None:
            mention.deleted_at = None
            changed.append("deleted_at")
        elif item.deleted:
            changed, content_changed = [], []
        if author_id is not None and mention.author_id != author_id:
            mention.author_id = author_id
            changed.append("author")
        if item.place is not None and location_id is not None and mention.location_id != location_id:
            mention.location_id = location_id
            changed.append("location")
        if not changed:
            counts.unchanged += 1
            continue
        if content_changed:
            revisions.append(
                MentionRevision(
                    organisation_id=source.organisation_id,
                    mention=mention,
                    title=mention.title,
                    text=mention.text,
                    html=mention.html,
                    url=mention.url,
                    rating=mention.rating,
                    rating_raw=mention.rating_raw,
                    raw=mention.raw,
                    valid_from=mention.updated_at,
                    replaced_at=now,
                )
            )
            mention.raw = item.raw
            update_fields.add("raw")
        for name in changed:
            if name in values:
                setattr(mention, name, values[name])
        if item.language and not mention.language:
            mention.language = item.language[:8]
            update_fields.add("language")
        mention.updated_at = now
        update_fields.update(changed)
        update_fields.add("updated_at")
        to_update.append(mention)
    if to_create:
        if connection.vendor == "postgresql":
            copy_objects(to_create)
        else:
            Mention.objects.bulk_create(to_create, batch_size=500)
        if to_create[0].pk is None:  # backends without RETURNING ids
            created = dict(
                Mention.objects.filter(
                    source=source, external_id__in=[m.external_id for m in to_create]
                ).values_list("external_id", "pk")
            )
            for mention in to_create:
                mention.pk = created[mention.external_id]
        counts.new = len(to_create)
        counts.changed_ids.extend(m.pk for m in to_create)
    if to_update:
        Mention.objects.bulk_update(to_update, sorted(update_fields), batch_size=500)
        counts.updated = len(to_update)
        counts.changed_ids.extend(m.pk for m in to_update)
    if revisions:
        MentionRevision.objects.bulk_create(revisions, batch_size=500)
    if orphans:
        _link_parents(orphans, {**parents, **{m.external_id: m.pk for m in to_create}})
    return counts


def _link_parents(orphans: list[tuple[Mention, str]], known: dict[str, int]) -> None:
    """Give the replies of ``orphans`` their parent where it is now stored (``known``: the batch's
    parents found stored before it, and the mentions it created): linking places a reply in its
    thread, it changes nothing to analyse."""
    linked = []
    for mention, key in orphans:
        parent_id = known.get(key)
        if parent_id is not None and parent_id != mention.pk:
            mention.parent_id = parent_id
            linked.append(mention)
    if linked:
        Mention.objects.bulk_update(linked, ["parent"], batch_size=500)


@transaction.atomic
def do_set_author_flags(
    author: Author, flags: Iterable[str], *, actor: User | None, audit_on: models.Model | None = None
) -> Author:
    """Replace the author's flags (customer, employee, influencer, competitor).

    Agents edit them on the case page, so the change is audited on ``audit_on`` (the case) when
    given, and shows on its timeline; otherwise on the author.
    """
    wanted = list(dict.fromkeys(str(flag) for flag in flags))
    unknown = [flag for flag in wanted if flag not in AuthorFlag.values]
    if unknown:
        raise ValidationError({"flags": _("Qualification inconnue.")}, code="invalid_flag")
    previous = list(author.flags or [])
    if sorted(previous) == sorted(wanted):
        return author
    Author.objects.filter(pk=author.pk).update(flags=wanted)
    author.flags = wanted
    do_record_audit_event(
        author.organisation,
        "author.flags_changed",
        actor=actor,
        obj=audit_on if audit_on is not None else author,
        data={"author": author.pk, "from": previous, "to": wanted},
    )
    return author


# --- GDPR: retention and erasure (called by vigie.privacy, which audits what it did) -------------------

ERASED = redaction.ERASED


def _redact(value: str, needles: Sequence[str]) -> str:
    # Whole words, without case nor accents: "@nathalie" is not "@nathalie_moreau66".
    return redaction.redact(value, needles)


@transaction.atomic
def do_pseudonymise_mentions(organisation: Organisation, mention_ids: Sequence[int]) -> int:
    """Clear what these mentions say and who wrote them; keep the rows for the statistics.

    Date, platform, rating, sentiment, type and themes stay (the KPIs count them); title, text,
    HTML, link, raw payload, author and the organisation's answer on the platform (it greets the
    person by name) go, and so do the earlier revisions (they hold the text).
    The privacy app records the fact (counts) in the audit log; no event per mention here, as a
    retention run may touch millions.
    """
    MentionRevision.objects.filter(organisation=organisation, mention_id__in=mention_ids).delete()
    return Mention.objects.filter(organisation=organisation, pk__in=mention_ids).update(
        title="", text="", html="", url="", raw={}, author=None, owner_reply_text=""
    )


@transaction.atomic
def do_erase_mentions(
    organisation: Organisation, mention_ids: Sequence[int], *, placeholder: str, erased_at: datetime
) -> int:
    """Erase these mentions at their author's request (GDPR): pseudonymised as above, and their
    text says so (``placeholder``, in the organisation's language) instead of being blank, so a
    reader of the case or the list sees that something was erased, and when. ``raw`` keeps only
    the moment (``erased_at``), which retention reads to leave them as they are."""
    MentionRevision.objects.filter(organisation=organisation, mention_id__in=mention_ids).delete()
    return Mention.objects.filter(organisation=organisation, pk__in=mention_ids).update(
        title="",
        text=placeholder,
        html="",
        url="",
        raw={"erased_at": erased_at.isoformat()},
        author=None,
        owner_reply_text="",
    )


@transaction.atomic
def do_delete_mentions(organisation: Organisation, mention_ids: Sequence[int]) -> int:
    """Delete these mentions, with what hangs on them (revisions, analysis, their cases)."""
    _deleted, per_model = Mention.objects.filter(organisation=organisation, pk__in=mention_ids).delete()
    return per_model.get(Mention._meta.label, 0)


@transaction.atomic
def do_pseudonymise_authors(organisation: Organisation, author_ids: Sequence[int]) -> int:
    """Clear who these authors are (handle, name, profile, flags); the row stays, its mentions too.

    The platform's id is replaced by a meaningless one, so the row can no longer be tied back to
    the person; if they write again, ingestion creates a new author.
    """
    count = 0
    for pk in Author.objects.filter(organisation=organisation, pk__in=author_ids).values_list(
        "pk", flat=True
    ):
        count += Author.objects.filter(pk=pk).update(
            external_id=f"pseudonymised-{pk}",
            handle="",
            display_name="",
            profile_url="",
            followers_count=None,
            flags=[],
        )
    return count


def do_rename_authors(organisation: Organisation, author_ids: Sequence[int], display_name: str) -> int:
    """Give these authors another display name (a GDPR rectification of an author Vigie itself
    made, e.g. a survey answer's): the mentions and their raw payloads are not touched."""
    return Author.objects.filter(organisation=organisation, pk__in=author_ids).update(
        display_name=display_name[:200]
    )


@transaction.atomic
def do_delete_authors(organisation: Organisation, author_ids: Sequence[int]) -> int:
    """Delete these authors; their mentions stay, without an author."""
    _deleted, per_model = Author.objects.filter(organisation=organisation, pk__in=author_ids).delete()
    return per_model.get(Author._meta.label, 0)


@transaction.atomic
def do_redact_mentions(organisation: Organisation, mention_ids: Sequence[int], needles: Sequence[str]) -> int:
    """Replace each of ``needles`` (an e-mail, a phone, a handle…) by « [effacé] » in these
    mentions' title and text, and in the organisation's answer on the platform; the earlier
    revisions, which hold the old text, are deleted."""
    count = 0
    for mention in Mention.objects.filter(organisation=organisation, pk__in=mention_ids).only(
        "pk", "title", "text", "html", "owner_reply_text"
    ):
        redacted = {
            "title": _redact(mention.title, needles),
            "text": _redact(mention.text, needles),
            "html": _redact(mention.html, needles),
            "owner_reply_text": _redact(mention.owner_reply_text, needles),
        }
        if any(getattr(mention, name) != value for name, value in redacted.items()):
            Mention.objects.filter(pk=mention.pk).update(**redacted)
            count += 1
    MentionRevision.objects.filter(organisation=organisation, mention_id__in=mention_ids).delete()
    return count
