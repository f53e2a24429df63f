"""Every write of the analysis app: storing analyses, the taxonomy, corrections."""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone

from vigie.analysis.builtin.sentiment.analyzer import rating_led
from vigie.analysis.builtin.suspicious.analyzer import (
    BURST,
    BURST_MIN_ACCOUNTS,
    DUPLICATE,
    LOW_RATING,
    is_new_account,
    reason,
    reason_codes,
    reason_sentence,
)
from vigie.analysis.builtin.suspicious.fingerprint import NEAR_DUPLICATE, jaccard, shingles
from vigie.analysis.contract import Item, Results
from vigie.analysis.jsonl import user_sentiment
from vigie.analysis.models import (
    AnalysisResult,
    AnalysisSettings,
    CorrectedField,
    Correction,
    OrganisationModel,
    TextSketch,
    Theme,
)
from vigie.analysis.orgmodel import SentimentModel, accuracy, is_held_back, stars_to_label
from vigie.analysis.pipeline import DEFAULT_BATCH_SIZE, Pipeline, batched, default_pipeline, flatten
from vigie.analysis.queries import correction_labels, free_theme_slug, organisation_context
from vigie.analysis.taxonomy import DEFAULT_TAXONOMY
from vigie.core.actions import do_record_audit_event
from vigie.core.db import copy_rows
from vigie.core.models import Organisation, User
from vigie.core.tenancy import scoped
from vigie.mentions.actions import do_set_mention_analysis, do_set_mentions_analysis
from vigie.mentions.models import Author, Mention, MentionType, Sentiment

ORG_SENTIMENT = "org_sentiment"


def mention_item(mention: Mention, context: dict[str, Any], author_counts: dict[int, int]) -> Item:
    """The analyzer's view of a stored mention."""
    author = mention.author
    return Item(
        id=str(mention.pk),
        text=mention.text,
        title=mention.title,
        platform=mention.source.platform,
        kind=mention.kind,
        rating=float(mention.rating) if mention.rating is not None else None,
        language_hint=mention.organisation.language,
        created_at=mention.created_at,
        author_followers=author.followers_count if author else None,
        likes=mention.likes,
        shares=mention.shares,
        replies_count=mention.replies_count,
        reach=mention.reach,
        author_id=str(author.pk) if author else "",
        author_mentions_count=author_counts.get(author.pk) if author else None,
        context=context,
    )


@dataclass(frozen=True, slots=True)
class _Stored:
    """What storing a batch's analysis reads of each mention (``_store``, ``_compare_with_history``)."""

    pk: int
    text: str
    author_id: int | None


_BATCH_COLUMNS = (
    "pk",
    "text",
    "title",
    "source__platform",
    "kind",
    "rating",
    "created_at",
    "author__followers_count",
    "likes",
    "shares",
    "replies_count",
    "reach",
    "author_id",
)
_AUTHOR = _BATCH_COLUMNS.index("author_id")


def _batch_item(
    row: tuple[Any, ...], organisation: Organisation, context: dict[str, Any], author_counts: dict[int, int]
) -> Item:
    """``mention_item`` of a mention read as a row of ``_BATCH_COLUMNS``."""
    pk, text, title, platform, kind, rating, created_at, followers, likes, shares, replies, reach, author = (
        row
    )
    return Item(
        id=str(pk),
        text=text,
        title=title,
        platform=platform,
        kind=kind,
        rating=float(rating) if rating is not None else None,
        language_hint=organisation.language,
        created_at=created_at,
        author_followers=followers if author else None,
        likes=likes,
        shares=shares,
        replies_count=replies,
        reach=reach,
        author_id=str(author) if author else "",
        author_mentions_count=author_counts.get(author) if author else None,
        context=context,
    )


# ``Choices.values`` builds a new list at each call: once per batch item cost more than the rest.
_SENTIMENTS = frozenset(Sentiment.values)
_TYPES = frozenset(MentionType.values)


def _denormalised(results: Results) -> dict[str, Any]:
    """The Mention columns that mirror the latest analysis, for filtering and sorting."""
    fields: dict[str, Any] = {}
    if "language" in results:
        fields["language"] = (results["language"] or "")[:8]
    sentiment = user_sentiment(results)
    if (
        isinstance(sentiment, dict)
        and isinstance(sentiment.get("label"), str)
        and sentiment["label"] in _SENTIMENTS
    ):
        fields["sentiment"] = sentiment["label"]
        fields["sentiment_score"] = sentiment.get("score")
    if isinstance(results.get("type"), str) and results["type"] in _TYPES:
        fields["mention_type"] = results["type"]
    if isinstance(results.get("themes"), list):
        fields["themes"] = [t["slug"] if isinstance(t, dict) else str(t) for t in results["themes"]]
    priority = results.get("priority")
    if isinstance(priority, dict) and isinstance(priority.get("score"), int):
        fields["priority"] = priority["score"]
    return fields


def _corrected_fields(mention_ids: Sequence[int]) -> dict[int, set[str]]:
    # A person's correction outranks any later automatic analysis of the same field.
    corrected: dict[int, set[str]] = {}
    for mention_id, field in Correction.objects.filter(mention_id__any_of=mention_ids).values_list(
        "mention_id", "field"
    ):
        corrected.setdefault(mention_id, set()).add(field)
    return corrected


_CORRECTION_COLUMNS = {
    CorrectedField.SENTIMENT: ("sentiment", "sentiment_score"),
    CorrectedField.TYPE: ("mention_type",),
    CorrectedField.THEMES: ("themes",),
}


def do_analyze_mentions(
    organisation: Organisation,
    mention_ids: Iterable[int],
    *,
    pipeline: Pipeline | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Analyse the organisation's mentions ``mention_ids`` and store the results; returns how many.

    One row per (mention, analyzer) is replaced; the denormalised Mention columns follow (the
    case's priority and deadline follow when the route step reads them, ``vigie.core.pipeline``).
    Idempotent: running it twice stores the same thing. Ids of another organisation are ignored.
    """
    pipeline = pipeline or default_pipeline()
    context = organisation_context(organisation)
    versions = {v.name: v.version for v in pipeline.versions}
    adopted = active_sentiment_model(organisation)
    if adopted is not None:
        versions[ORG_SENTIMENT] = f"org-{adopted[0].pk}"
    analysed = 0
    for chunk in batched(mention_ids, batch_size):
        # Tuples rather than model instances (with their author, source and organisation each):
        # building those cost more than some analyzers; the raw payload is not read at all.
        rows = list(scoped(Mention, organisation).filter(pk__any_of=chunk).values_list(*_BATCH_COLUMNS))
        if not rows:
            continue
        author_ids = {row[_AUTHOR] for row in rows if row[_AUTHOR]}
        author_counts = dict(
            scoped(Mention, organisation)
            .filter(author_id__any_of=author_ids)
            .values_list("author_id")
            .annotate(n=Count("id"))
            .values_list("author_id", "n")
        )
        items = [_batch_item(row, organisation, context, author_counts) for row in rows]
        mentions = [_Stored(row[0], row[1], row[_AUTHOR]) for row in rows]
        per_item = pipeline.run(items)
        if adopted is not None:
            # The organisation's own model, adopted because it beat the shipped one on its data,
            # has the last word on sentiment (stored apart, so both stay visible), over the
            # optional encoder's second opinion too.
            # A rated review's stars still decide its side, as for the shipped model.
            for item, results, answer in zip(
                items, per_item, adopted[1].predict([i.text for i in items]), strict=True
            ):
                sentiment = rating_led(answer["label"], answer["score"], item.rating) or answer
                results[ORG_SENTIMENT] = {"sentiment": sentiment, "sentiment_encoder": None}
        _store(organisation, mentions, items, per_item, versions)
        analysed += len(mentions)
    return analysed


@transaction.atomic
def _store(
    organisation: Organisation,
    mentions: list[_Stored],
    items: list[Item],
    per_item: list[dict[str, Results]],
    versions: dict[str, str],
) -> None:
    now = timezone.now()
    _compare_with_history(organisation, mentions, items, per_item)
    ids = [m.pk for m in mentions]
    names = {name for results in per_item for name in results}
    AnalysisResult.objects.filter(mention_id__any_of=ids, analyzer__in=names).delete()
    _insert_results(
        [
            (organisation.pk, mention.pk, name, versions.get(name, "?"), result)
            for mention, results in zip(mentions, per_item, strict=True)
            for name, result in results.items()
        ],
        now,
    )
    TextSketch.objects.filter(mention_id__any_of=ids).delete()
    sketches = (
        (organisation.pk, mention.pk, value)
        for mention, results in zip(mentions, per_item, strict=True)
        for value in set(_sketch(results))
    )
    if connection.vendor == "postgresql":
        # Four values a mention whose ids nobody reads: streamed, no model instance each.
        copy_rows(TextSketch._meta.db_table, ("organisation_id", "mention_id", "value"), sketches)
    else:
        TextSketch.objects.bulk_create(
            TextSketch(organisation_id=organisation_id, mention_id=mention_id, value=value)
            for organisation_id, mention_id, value in sketches
        )
    corrected = _corrected_fields(ids)
    columns: dict[int, dict[str, Any]] = {}
    for mention, results in zip(mentions, per_item, strict=True):
        fields = _denormalised(flatten(results))
        for field in corrected.get(mention.pk, ()):
            for column in _CORRECTION_COLUMNS[CorrectedField(field)]:
                fields.pop(column, None)
        if fields:
            columns[mention.pk] = fields
    # The batch's mirrored columns in one UPDATE per set of columns, not one per mention.
    do_set_mentions_analysis(columns)


INSERT_CHUNK = 500


def _insert_results(rows: list[tuple[int, int, str, str, Any]], at: Any) -> None:
    """Insert ``(organisation id, mention id, analyzer, version, result)`` rows as
    ``AnalysisResult``s analysed ``at``, 500 rows a statement.

    Plain SQL rather than ``bulk_create``: a batch has one row per mention and analyzer, and
    building a model instance for each cost more than running the analyzers on it."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    concrete = {field.name: field for field in AnalysisResult._meta.concrete_fields}
    names = ("organisation", "mention", "analyzer", "version", "result", "analysed_at")
    encoder = AnalysisResult._meta.get_field("result").encoder
    if connection.vendor == "postgresql":
        # COPY: binding thousands of values into an INSERT costs more than the analysis itself.
        copy_rows(
            AnalysisResult._meta.db_table,
            [str(concrete[name].column) for name in names],
            (
                (organisation_id, mention_id, analyzer, version, json.dumps(result, cls=encoder), at)
                for organisation_id, mention_id, analyzer, version, result in rows
            ),
        )
        return
    columns = ", ".join(quote(concrete[name].column) for name in names)
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    row = f"(%s, %s, %s, %s, %s{json_cast}, %s)"
    analysed_at = connection.ops.adapt_datetimefield_value(at)
    table = quote(AnalysisResult._meta.db_table)
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        params: list[Any] = []
        for organisation_id, mention_id, analyzer, version, result in chunk:
            params += [
                organisation_id,
                mention_id,
                analyzer,
                version,
                json.dumps(result, cls=encoder),
                analysed_at,
            ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))}",  # noqa: S608 - names from the model, values as parameters
                params,
            )


def _suspicious(results: dict[str, Results]) -> dict[str, Any] | None:
    answer = results.get("suspicious", {}).get("suspicious")
    return answer if isinstance(answer, dict) else None


def _sketch(results: dict[str, Results]) -> list[int]:
    answer = _suspicious(results)
    return [int(v) for v in (answer or {}).get("sketch") or []]


def _has_reason(answer: dict[str, Any], code: str) -> bool:
    return any(entry["code"] == code for entry in reason_codes(answer))


def _flag(answer: dict[str, Any], code: str, **params: int) -> None:
    """Add the reason ``code`` (once) to a ``suspicious`` answer, in its codes and its French
    sentences; an answer stored before the codes (version 1.1) gets its codes first."""
    codes = reason_codes(answer)
    if not any(entry["code"] == code for entry in codes):
        entry = reason(code, **params)
        codes.append(entry)
        answer["reasons"] = [*(answer.get("reasons") or []), reason_sentence(entry)]
    answer["reason_codes"] = codes
    answer["suspicious"] = True


BURST_HALF_WINDOW = timedelta(hours=12)

# The shingles of earlier mentions, by mention id, with the hash of the text they were cut from
# (an edited text is cut again): each batch compares its texts with the same earlier ones, whose
# shingles were a quarter of the comparison's time and grew with the history. Bounded (about
# 2 KB an entry): emptied when full.
_HISTORY_SHINGLES: dict[int, tuple[int, frozenset[int]]] = {}
HISTORY_SHINGLES_MAX = 20_000


def _history_shingles(mention_id: int, text: str) -> frozenset[int]:
    """``shingles(text)`` of the earlier mention ``mention_id``, remembered across batches."""
    key = hash(text)
    known = _HISTORY_SHINGLES.get(mention_id)
    if known is not None and known[0] == key:
        return known[1]
    cut = shingles(text)
    if len(_HISTORY_SHINGLES) >= HISTORY_SHINGLES_MAX:
        _HISTORY_SHINGLES.clear()
    _HISTORY_SHINGLES[mention_id] = (key, cut)
    return cut


def _compare_with_history(
    organisation: Organisation, mentions: list[_Stored], items: list[Item], per_item: list[dict[str, Results]]
) -> None:
    """Extend the suspicious-review flags of this batch with the organisation's history: texts
    copied from an earlier mention of another author, and bursts spread over several batches.
    Earlier mentions found to be copies are flagged too."""
    if not any(_suspicious(results) is not None for results in per_item):
        return
    batch_ids = [m.pk for m in mentions]
    positions_by_value: dict[int, list[int]] = {}
    for position, results in enumerate(per_item):
        for value in _sketch(results):
            positions_by_value.setdefault(value, []).append(position)
    candidates: dict[int, set[int]] = {}
    others: dict[int, tuple[str, int | None]] = {}
    if positions_by_value:
        # The earlier mentions sharing a sketch value, with their text and author, in one query:
        # a second one naming their ids (thousands, once the history grows) cost more to bind
        # than to run.
        rows = (
            scoped(TextSketch, organisation)
            .filter(value__any_of=list(positions_by_value), mention__organisation=organisation)
            .exclude(mention_id__any_of=batch_ids)
            .values_list("value", "mention_id", "mention__text", "mention__author_id")
        )
        for value, other_id, text, author_id in rows:
            others[other_id] = (text, author_id)
            for position in positions_by_value[value]:
                candidates.setdefault(position, set()).add(other_id)
    # An earlier text is a candidate for many of the batch's, and of the next batches': cut
    # into shingles once per process (``_history_shingles``).
    other_shingles: dict[int, Any] = {}
    copied: set[int] = set()
    for position, other_ids in candidates.items():
        mention, answer = mentions[position], _suspicious(per_item[position])
        assert answer is not None
        own = shingles(mention.text)
        for other_id in other_ids:
            other = others.get(other_id)
            if other is None or (mention.author_id and mention.author_id == other[1]):
                continue
            if other_id not in other_shingles:
                other_shingles[other_id] = _history_shingles(other_id, other[0])
            if jaccard(own, other_shingles[other_id]) >= NEAR_DUPLICATE:
                _flag(answer, DUPLICATE)
                copied.add(other_id)
    for result in scoped(AnalysisResult, organisation).filter(mention_id__in=copied, analyzer="suspicious"):
        answer = result.result.get("suspicious")
        if isinstance(answer, dict) and not _has_reason(answer, DUPLICATE):
            _flag(answer, DUPLICATE)
            # Only the stored flag of an earlier mention changes; a queryset update keeps it to that.
            AnalysisResult.objects.filter(pk=result.pk).update(result=result.result)
    _flag_bursts(organisation, items, per_item)


def _flag_bursts(organisation: Organisation, items: list[Item], per_item: list[dict[str, Results]]) -> None:
    """Flag low ratings from new accounts that come in a wave (``BURST_MIN_ACCOUNTS`` new
    accounts rating low within ``BURST_HALF_WINDOW`` of the item), counting the waves of the
    whole organisation's history: one query for the batch, then a search in time per item."""
    candidates = []
    for position, item in enumerate(items):
        answer = _suspicious(per_item[position])
        if (
            answer is None
            or item.rating is None
            or item.rating > LOW_RATING
            or item.created_at is None
            or not is_new_account(item)
            or _has_reason(answer, BURST)
        ):
            continue
        candidates.append((item.created_at, answer))
    if not candidates:
        return
    new_authors = (
        Author.objects.filter(organisation=organisation).annotate(n=Count("mentions")).filter(n__lte=1)
    )
    # A new account has at most one mention, so each row below is a distinct account.
    times = sorted(
        scoped(Mention, organisation)
        .filter(
            rating__lte=LOW_RATING,
            created_at__gte=min(at for at, _ in candidates) - BURST_HALF_WINDOW,
            created_at__lte=max(at for at, _ in candidates) + BURST_HALF_WINDOW,
            author__in=new_authors,
        )
        .values_list("created_at", flat=True)
    )
    for at, answer in candidates:
        accounts = bisect_right(times, at + BURST_HALF_WINDOW) - bisect_left(times, at - BURST_HALF_WINDOW)
        if accounts >= BURST_MIN_ACCOUNTS:
            _flag(answer, BURST, count=accounts)


@transaction.atomic
def do_ensure_default_taxonomy(organisation: Organisation) -> list[Theme]:
    """Give ``organisation`` the default customer-service taxonomy if it has no theme yet."""
    existing = list(scoped(Theme, organisation))
    if existing:
        return existing
    themes = [
        Theme.objects.create(
            organisation=organisation,
            slug=spec.slug,
            label=spec.label,
            keywords=list(spec.keywords),
            examples=list(spec.examples),
        )
        for spec in DEFAULT_TAXONOMY
    ]
    do_record_audit_event(
        organisation, "analysis.taxonomy_created", data={"themes": [t.slug for t in themes]}
    )
    return themes


@transaction.atomic
def do_correct_analysis(
    mention: Mention,
    field: CorrectedField | str,
    new_value: Any,
    *,
    actor: User,
    audit_on: models.Model | None = None,
) -> Correction:
    """Record an agent's correction of ``field`` (sentiment, type or themes) and apply it.

    The correction is kept as a training label, audited on ``audit_on`` (the mention's case, when
    corrected from the case page, so it shows on its timeline) or else on the mention, and
    protects the field from being overwritten by a later automatic re-analysis.
    """
    field = CorrectedField(field)
    if field == CorrectedField.SENTIMENT:
        if new_value not in Sentiment.values:
            raise ValueError(f"unknown sentiment {new_value!r}")
        old_value: Any = mention.sentiment or None
        score = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}[new_value]
        updates: dict[str, Any] = {"sentiment": new_value, "sentiment_score": score}
    elif field == CorrectedField.TYPE:
        if new_value not in MentionType.values:
            raise ValueError(f"unknown type {new_value!r}")
        old_value = mention.mention_type or None
        updates = {"mention_type": new_value}
    else:
        if not isinstance(new_value, list) or not all(isinstance(v, str) for v in new_value):
            raise ValueError("themes must be a list of slugs")
        old_value = list(mention.themes)
        new_value = sorted(set(new_value))
        updates = {"themes": new_value}
    correction = Correction.objects.create(
        organisation=mention.organisation,
        mention=mention,
        field=field,
        old_value=old_value,
        new_value=new_value,
        corrected_by=actor,
    )
    do_set_mention_analysis(mention.pk, **updates)
    for name, value in updates.items():
        setattr(mention, name, value)
    do_record_audit_event(
        mention.organisation,
        "analysis.corrected",
        actor=actor,
        obj=audit_on if audit_on is not None else mention,
        data={"field": field.value, "from": old_value, "to": new_value, "mention": mention.pk},
    )
    return correction


@transaction.atomic
def do_save_theme_candidates(
    organisation: Organisation, clusters: Sequence[Any], mention_ids: Sequence[int]
) -> list[Any]:
    """Replace the organisation's unpromoted theme candidates with ``clusters`` (from
    ``vigie.analysis.discovery``; ``members`` index into ``mention_ids``)."""
    from vigie.analysis.models import ThemeCandidate

    scoped(ThemeCandidate, organisation).filter(promoted_to__isnull=True).delete()
    return [
        ThemeCandidate.objects.create(
            organisation=organisation,
            terms=list(cluster.terms),
            examples=list(cluster.examples),
            size=cluster.size,
            mention_ids=[mention_ids[position] for position in cluster.members],
        )
        for cluster in clusters
    ]


@transaction.atomic
def do_promote_theme_candidate(candidate: Any, *, slug: str, label: str, actor: User | None) -> Theme:
    """Turn a discovered cluster into a theme of the taxonomy (keywords: its terms; examples: its
    nearest mentions) and tag its mentions with it. Audited."""
    from vigie.analysis.taxonomy import SLUG_RE

    organisation = candidate.organisation
    if not SLUG_RE.match(slug):
        raise ValueError(f"slug must be lowercase letters, digits, _ or - (got {slug!r})")
    if scoped(Theme, organisation).filter(slug=slug).exists():
        raise ValueError(f"the theme {slug!r} already exists")
    if candidate.promoted_to_id is not None:
        raise ValueError("this cluster is already a theme")
    do_ensure_default_taxonomy(organisation)  # promoting must not hide the default themes
    theme = Theme.objects.create(
        organisation=organisation,
        slug=slug,
        label=label.strip() or slug,
        keywords=list(candidate.terms),
        examples=list(candidate.examples),
    )
    candidate.promoted_to = theme
    candidate.save(update_fields=["promoted_to"])
    for mention in scoped(Mention, organisation).filter(pk__in=candidate.mention_ids).only("pk", "themes"):
        if slug not in mention.themes:
            do_set_mention_analysis(mention.pk, themes=[*mention.themes, slug])
    do_record_audit_event(
        organisation,
        "analysis.theme_promoted",
        actor=actor,
        obj=theme,
        data={
            "slug": slug,
            "label": theme.label,
            "terms": theme.keywords,
            "mentions": len(candidate.mention_ids),
        },
    )
    return theme


@dataclass(frozen=True)
class RetrainReport:
    """What ``vigie retrain`` measured, on the organisation's held-back slice."""

    examples: int
    from_ratings: int
    from_corrections: int
    held_back: int
    shipped: str  # "sentiment 1.2", or "" when no sentiment analyzer is installed
    shipped_accuracy: float | None
    majority_accuracy: float
    organisation_accuracy: float
    adopted: bool
    model: OrganisationModel


MIN_TRAINING = 100
MIN_HELD_BACK = 30


def _labelled_examples(organisation: Organisation) -> tuple[list[Mention], list[str], int, int]:
    corrected = dict(correction_labels(organisation, CorrectedField.SENTIMENT))
    mentions = list(
        scoped(Mention, organisation)
        .filter(models.Q(rating__isnull=False) | models.Q(pk__in=list(corrected)))
        .exclude(text="")
        .select_related("source", "author", "organisation")
        .order_by("pk")
    )
    labels = []
    for mention in mentions:
        value = corrected.get(mention.pk)
        labels.append(str(value) if value is not None else stars_to_label(float(mention.rating or 3)))
    return mentions, labels, sum(1 for m in mentions if m.pk not in corrected), len(corrected)


def do_retrain_sentiment(
    organisation: Organisation, *, seed: int = 0, pipeline: Pipeline | None = None
) -> RetrainReport:
    """Train a sentiment model on the organisation's ratings and corrections; adopt it only when
    it beats the shipped model (or, with none installed, the majority class) on a held-back slice
    of the organisation's own data. Both numbers are in the report; the model is stored either way."""
    mentions, labels, from_ratings, from_corrections = _labelled_examples(organisation)
    train = [i for i, m in enumerate(mentions) if not is_held_back(m.pk)]
    test = [i for i, m in enumerate(mentions) if is_held_back(m.pk)]
    if len(train) < MIN_TRAINING or len(test) < MIN_HELD_BACK:
        raise ValueError(
            f"not enough labelled mentions: {len(mentions)} (need about {MIN_TRAINING + MIN_HELD_BACK}"
            " rated or corrected mentions)"
        )
    texts = [f"{m.title}\n{m.text}".strip() for m in mentions]
    model = SentimentModel.train([texts[i] for i in train], [labels[i] for i in train], seed=seed)
    truth = [labels[i] for i in test]
    organisation_accuracy = accuracy([p["label"] for p in model.predict([texts[i] for i in test])], truth)
    training_labels = [labels[i] for i in train]
    majority = max(set(training_labels), key=training_labels.count)
    majority_accuracy = accuracy([majority] * len(test), truth)

    pipeline = pipeline or default_pipeline()
    shipped = next((a for a in pipeline.analyzers if "sentiment" in a.provides), None)
    shipped_accuracy = None
    if shipped is not None:
        context = organisation_context(organisation)
        # The rating is withheld: it is the answer, and the shipped model must not read it.
        items = [replace(mention_item(mentions[i], context, {}), rating=None) for i in test]
        predicted = [
            (r.get("sentiment") or {}).get("label") if isinstance(r.get("sentiment"), dict) else None
            for batch in batched(items)
            for r in pipeline.analyze(batch)
        ]
        shipped_accuracy = accuracy(predicted, truth)
    reference = shipped_accuracy if shipped_accuracy is not None else majority_accuracy
    adopted = organisation_accuracy > reference
    shipped_name = f"{shipped.name} {shipped.version}" if shipped else ""
    metrics: dict[str, Any] = {
        "held_back": len(test),
        "organisation_accuracy": round(organisation_accuracy, 4),
        "shipped": shipped_name,
        "shipped_accuracy": round(shipped_accuracy, 4) if shipped_accuracy is not None else None,
        "majority_accuracy": round(majority_accuracy, 4),
        "from_ratings": from_ratings,
        "from_corrections": from_corrections,
    }
    with transaction.atomic():
        if adopted:
            scoped(OrganisationModel, organisation).filter(task="sentiment", active=True).update(active=False)
        stored = OrganisationModel.objects.create(
            organisation=organisation,
            task="sentiment",
            examples=len(train),
            metrics=metrics,
            weights=model.to_json(),
            active=adopted,
        )
        do_record_audit_event(
            organisation, "analysis.model_trained", obj=stored, data={**metrics, "adopted": adopted}
        )
    return RetrainReport(
        examples=len(train),
        from_ratings=from_ratings,
        from_corrections=from_corrections,
        held_back=len(test),
        shipped=shipped_name,
        shipped_accuracy=shipped_accuracy,
        majority_accuracy=majority_accuracy,
        organisation_accuracy=organisation_accuracy,
        adopted=adopted,
        model=stored,
    )


def active_sentiment_model(organisation: Organisation) -> tuple[OrganisationModel, SentimentModel] | None:
    """The organisation's adopted sentiment model, if any."""
    stored = scoped(OrganisationModel, organisation).filter(task="sentiment", active=True).first()
    if stored is None:
        return None
    return stored, SentimentModel.from_json(stored.weights)


PRIORITY_ANALYZER = "priority"


@transaction.atomic
def do_rescore_priority(mention: Mention) -> dict[str, Any]:
    """Score ``mention``'s priority again, with its corrected sentiment and type standing in for
    what the analysers said, and store it (result row and ``Mention.priority``).

    Called after an agent's correction, so priority and its reasons follow the person's reading.
    The reference time is the original scoring's, so "published less than 6 hours ago" keeps the
    weight it had: only the corrected fields move the score.
    """
    from vigie.analysis.builtin.priority.analyzer import score_item

    rows = {row.analyzer: row for row in AnalysisResult.objects.filter(mention=mention)}
    inputs: dict[str, Any] = {}
    for name, row in rows.items():
        if name != PRIORITY_ANALYZER and isinstance(row.result, dict):
            inputs.update(row.result)
    if mention.sentiment:
        inputs["sentiment"] = {"label": mention.sentiment, "score": mention.sentiment_score}
    if mention.mention_type:
        inputs["type"] = mention.mention_type
    previous = rows.get(PRIORITY_ANALYZER)
    at = previous.analysed_at if previous is not None else timezone.now()
    item = mention_item(mention, organisation_context(mention.organisation), {})
    scored = score_item(item, inputs, at)
    if previous is not None:
        AnalysisResult.objects.filter(pk=previous.pk).update(result={"priority": scored})
    else:
        AnalysisResult.objects.create(
            organisation=mention.organisation,
            mention=mention,
            analyzer=PRIORITY_ANALYZER,
            version="corrected",
            result={"priority": scored},
            analysed_at=at,
        )
    do_set_mention_analysis(mention.pk, priority=scored["score"])
    mention.priority = scored["score"]
    return scored


@transaction.atomic
def do_update_analysis_settings(
    organisation: Organisation,
    *,
    actor: User,
    order_patterns: Sequence[str],
    customer_patterns: Sequence[str],
    organisation_terms: Sequence[str],
) -> AnalysisSettings:
    """Replace the organisation's order and customer number patterns and the names it goes by.

    The patterns must already be checked (``vigie.analysis.forms.check_number_pattern``): they run
    on every mention and every reply draft. They apply to mentions analysed from now on
    (``vigie reanalyze`` applies them to the history). Audited, patterns included (no personal
    data: they describe numbers, they are not numbers).
    """
    row, _created = AnalysisSettings.objects.select_for_update().get_or_create(organisation=organisation)
    row.order_patterns = list(order_patterns)
    row.customer_patterns = list(customer_patterns)
    row.organisation_terms = list(organisation_terms)
    row.save(update_fields=["order_patterns", "customer_patterns", "organisation_terms"])
    do_record_audit_event(
        organisation,
        "analysis.settings_updated",
        actor=actor,
        obj=row,
        data={
            "order_patterns": row.order_patterns,
            "customer_patterns": row.customer_patterns,
            "organisation_terms": row.organisation_terms,
        },
    )
    return row


@transaction.atomic
def do_save_theme(
    organisation: Organisation,
    *,
    actor: User,
    label: str,
    keywords: Sequence[str],
    active: bool = True,
    slug: str | None = None,
) -> Theme:
    """Add a theme to the organisation's taxonomy (``slug`` None: made from the label) or change
    the label, keywords and activity of the theme ``slug``. The slug, stored on mentions, never
    changes. The default taxonomy is copied first, so the first edit hides none of its themes.
    Applies to mentions analysed from now on. Audited."""
    do_ensure_default_taxonomy(organisation)
    if slug is None:
        theme = Theme.objects.create(
            organisation=organisation,
            slug=free_theme_slug(organisation, label),
            label=label,
            keywords=list(keywords),
            active=active,
        )
        verb = "analysis.theme_added"
    else:
        theme = scoped(Theme, organisation).select_for_update().get(slug=slug)
        theme.label, theme.keywords, theme.active = label, list(keywords), active
        theme.save(update_fields=["label", "keywords", "active"])
        verb = "analysis.theme_changed"
    do_record_audit_event(
        organisation,
        verb,
        actor=actor,
        obj=theme,
        data={"slug": theme.slug, "label": label, "keywords": list(keywords), "active": active},
    )
    return theme


def do_discover_themes(
    organisation: Organisation, *, since: Any = None, clusters: int | None = None
) -> tuple[int, list[Any]]:
    """Cluster the analysed mentions that fit no theme and keep the clusters as the
    organisation's theme candidates (replacing the unpromoted ones). Returns how many mentions fit
    no theme and the candidates (none when too few mentions fit no theme)."""
    from vigie.analysis.discovery import MIN_MENTIONS, discover_clusters
    from vigie.analysis.queries import unthemed_mentions

    rows = unthemed_mentions(organisation, since=since)
    if len(rows) < MIN_MENTIONS:
        return len(rows), []
    found = discover_clusters([text for _, text in rows], clusters=clusters)
    return len(rows), do_save_theme_candidates(organisation, found, [pk for pk, _ in rows])


REANALYSIS_DAYS = 90
REANALYSIS_CHUNK = 500


def do_request_reanalysis(organisation: Organisation, *, actor: User, days: int = REANALYSIS_DAYS) -> int:
    """Queue the analyse step (then routing, as for new mentions) for the organisation's mentions of
    the last ``days`` days, in chunks, after its themes or patterns changed: what people decided on
    the cases stays. Returns how many mentions were queued. Audited."""
    from vigie.analysis.queries import mention_ids_since
    from vigie.core import pipeline
    from vigie.core.jobs import enqueue

    ids = mention_ids_since(organisation, timezone.now() - timedelta(days=days))
    for start in range(0, len(ids), REANALYSIS_CHUNK):
        enqueue(pipeline.job_name(pipeline.ANALYSE), {"mention_ids": ids[start : start + REANALYSIS_CHUNK]})
    do_record_audit_event(
        organisation, "analysis.reanalysis_requested", actor=actor, data={"days": days, "mentions": len(ids)}
    )
    return len(ids)
