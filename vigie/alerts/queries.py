"""Reads of the alerts domain: the series the detector watches, alerts, preferences, crises."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Func, IntegerField, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language

from vigie.alerts.detection import SeriesConfig, SeriesPoint
from vigie.alerts.models import (
    ONGOING_STATUSES,
    Alert,
    AlertRule,
    AlertSeriesSetting,
    AlertSettings,
    CorrectiveAction,
    Crisis,
    Incident,
    IncidentStatus,
    KeptHistory,
    NotificationChannel,
    NotificationPreference,
    PlaybookItem,
    Statement,
    StatementPublicationStatus,
    StatementState,
    StatementStatus,
    TimelineEntry,
)
from vigie.analysis.queries import organisation_themes, theme_choices
from vigie.analysis.taxonomy import default_labels
from vigie.connectors.models import Source
from vigie.connectors.platforms import platform_label, platform_of
from vigie.core.models import Location, Membership, Organisation, User
from vigie.core.tenancy import scoped
from vigie.mentions.models import Mention, Sentiment
from vigie.mentions.queries import has_theme

BUCKET = timedelta(minutes=5)
HISTORY = timedelta(days=28)

# metric -> (detector kind, French unit label, English unit label)
METRICS: dict[str, tuple[str, str, str]] = {
    AlertRule.NEGATIVE_VOLUME: ("count", "mentions négatives", "negative mentions"),
    AlertRule.TOTAL_VOLUME: ("count", "mentions", "mentions"),
    AlertRule.REACH: ("sum", "personnes touchées", "people reached"),
    AlertRule.AVERAGE_RATING: ("mean", "note moyenne", "average rating"),
    AlertRule.ONE_STAR_SHARE: ("share", "part des avis 1★", "share of 1★ reviews"),
}


@dataclass
class _Bucket:
    total: float = 0
    negative: float = 0
    reach: float = 0
    rated: float = 0
    rating_sum: float = 0
    one_star: float = 0


@dataclass(frozen=True)
class WatchedSeries:
    """One series handed to the detector, with what an alert on it should say (its scope in
    French and in English: each reader reads the alert in their own language)."""

    config: SeriesConfig
    history: list[SeriesPoint]
    rule: str
    scope_label: str
    scope_label_en: str = ""


# What a series watches, in French and English: "Lieu Agence Lyon" / "Location Agence Lyon".
SCOPE_WORDS: dict[str, tuple[str, str]] = {
    "source": ("Source", "Source"),
    "location": ("Lieu", "Location"),
    "theme": ("Thème", "Theme"),
}
ORGANISATION_SCOPE = ("Organisation", "Organisation")


def scope_labels(kind: str, name: str, name_en: str | None = None) -> tuple[str, str]:
    """A scope's label in French and English: ("Thème Remboursements", "Theme Refunds")."""
    french, english = SCOPE_WORDS[kind]
    return f"{french} {name}", f"{english} {name if name_en is None else name_en}"


@dataclass
class _Scope:
    label: str
    label_en: str = ""
    buckets: dict[int, _Bucket] = field(default_factory=lambda: defaultdict(_Bucket))


def _scope(labels: tuple[str, str]) -> _Scope:
    return _Scope(labels[0], labels[1])


def alert_settings(organisation: Organisation) -> AlertSettings:
    """The organisation's alert settings (defaults when never edited; the row is not created here)."""
    found = AlertSettings.objects.filter(organisation=organisation).first()
    return found or AlertSettings(organisation=organisation)


def series_sensitivities(organisation: Organisation) -> dict[str, AlertSeriesSetting]:
    """The per-series settings a manager changed, by series key."""
    return {s.key: s for s in scoped(AlertSeriesSetting, organisation)}


class EpochBucket(Func):
    """The start (epoch seconds) of the 5-minute bucket holding a datetime column, computed by the
    database itself: Django's ``Trunc`` on SQLite calls back into Python once per row."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        step = int(BUCKET.total_seconds())
        # julianday() rather than strftime('%s'): a percent sign would be read as a parameter.
        # Rounded to the millisecond so float noise never pushes a boundary into the previous bucket.
        epoch = "CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400.0, 3) AS INTEGER)"
        return self.as_sql(compiler, connection, template=f"({epoch} / {step} * {step})", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        step = int(BUCKET.total_seconds())
        return self.as_sql(
            compiler,
            connection,
            template=f"(FLOOR(EXTRACT(EPOCH FROM %(expressions)s) / {step}) * {step})::bigint",
            **extra,
        )


def _epoch_bucket(moment: datetime) -> int:
    step = int(BUCKET.total_seconds())
    return int(moment.timestamp()) // step * step


def _scope_buckets(
    organisation: Organisation, start: datetime, end: datetime
) -> tuple[dict[str, _Scope], dict[str, _Scope]]:
    """The organisation's, sources', locations' and themes' 5-minute buckets of the mentions
    created in [start, end).

    One aggregate query grouped by 5-minute bucket, source and location gives the organisation,
    source and location series; a second one, over negative mentions only, gives the negative
    volume per theme (themes are a JSON list, so they are counted here rather than grouped in SQL).
    """
    mentions = scoped(Mention, organisation).filter(
        created_at__gte=start, created_at__lt=end, deleted_at__isnull=True
    )
    rows = (
        mentions.annotate(bucket=EpochBucket("created_at"))
        .values("bucket", "source_id", "location_id")
        .annotate(
            total=Count("id"),
            negative=Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)),
            reach_sum=Sum("reach"),
            rated=Count("id", filter=Q(rating__isnull=False)),
            rating_sum=Sum("rating"),
            one_star=Count("id", filter=Q(rating__lte=1)),
        )
        .order_by()
    )
    sources = dict(scoped(Source, organisation).values_list("id", "name"))
    locations = dict(scoped(Location, organisation).values_list("id", "name"))
    scopes: dict[str, _Scope] = {"org": _scope(ORGANISATION_SCOPE)}
    for row in rows:
        bucket = int(row["bucket"])
        keys = ["org", f"source:{row['source_id']}"]
        if keys[1] not in scopes:
            scopes[keys[1]] = _scope(
                scope_labels("source", str(sources.get(row["source_id"], row["source_id"])))
            )
        if row["location_id"] is not None:
            keys.append(f"location:{row['location_id']}")
            if keys[2] not in scopes:
                name = str(locations.get(row["location_id"], row["location_id"]))
                scopes[keys[2]] = _scope(scope_labels("location", name))
        for key in keys:
            b = scopes[key].buckets[bucket]
            b.total += row["total"]
            b.negative += row["negative"]
            b.reach += row["reach_sum"] or 0
            b.rated += row["rated"]
            b.rating_sum += float(row["rating_sum"] or 0)
            b.one_star += row["one_star"]
    theme_scopes: dict[str, _Scope] = {}
    # The default taxonomy's themes in each language; an organisation's own themes keep their label.
    french: dict[str, str] = dict(theme_choices(organisation, language="fr"))
    english: dict[str, str] = dict(theme_choices(organisation, language="en"))
    negatives = mentions.filter(sentiment=Sentiment.NEGATIVE).exclude(themes=[])
    for created_at, themes in negatives.values_list("created_at", "themes").iterator(chunk_size=5000):
        for theme in themes if isinstance(themes, list) else []:
            scope = theme_scopes.get(f"theme:{theme}")
            if scope is None:
                labels = scope_labels("theme", french.get(theme, str(theme)), english.get(theme, str(theme)))
                scope = theme_scopes[f"theme:{theme}"] = _scope(labels)
            scope.buckets[_epoch_bucket(created_at)].negative += 1
    return scopes, theme_scopes


# The series whose buckets add up into hourly totals (the kept history holds them).
COUNT_METRICS = (AlertRule.NEGATIVE_VOLUME, AlertRule.TOTAL_VOLUME, AlertRule.REACH)


def count_series_buckets(
    organisation: Organisation, start: datetime, end: datetime
) -> dict[str, dict[int, float]]:
    """The count and sum series of the mentions created in [start, end): key -> {bucket epoch:
    value}, only the series that have a mention there (the disabled ones too: the kept history
    does not depend on the settings)."""
    scopes, theme_scopes = _scope_buckets(organisation, start, end)
    out: dict[str, dict[int, float]] = {}
    for scope_key, scope in scopes.items():
        if not scope.buckets:
            continue
        out[f"{AlertRule.NEGATIVE_VOLUME}:{scope_key}"] = {e: b.negative for e, b in scope.buckets.items()}
        out[f"{AlertRule.TOTAL_VOLUME}:{scope_key}"] = {e: b.total for e, b in scope.buckets.items()}
        out[f"{AlertRule.REACH}:{scope_key}"] = {e: b.reach for e, b in scope.buckets.items()}
    for scope_key, scope in theme_scopes.items():
        out[f"{AlertRule.NEGATIVE_VOLUME}:{scope_key}"] = {e: b.negative for e, b in scope.buckets.items()}
    return out


def last_mention_id(organisation: Organisation) -> int:
    """The highest mention id of the organisation (0 when none): what a reading has seen."""
    found = scoped(Mention, organisation).aggregate(last=Max("id"))["last"]
    return int(found or 0)


def mentions_arrived_late(organisation: Organisation, start: datetime, end: datetime, after_id: int) -> bool:
    """Whether a mention created in [start, end) arrived (or was restored) after ``after_id``."""
    return (
        scoped(Mention, organisation)
        .filter(created_at__gte=start, created_at__lt=end, pk__gt=after_id)
        .exists()
    )


def scope_keys(organisation: Organisation) -> set[str]:
    """The organisation's existing source and location scopes ("source:3", "location:5")."""
    keys = {f"source:{pk}" for pk in scoped(Source, organisation).values_list("id", flat=True)}
    return keys | {f"location:{pk}" for pk in scoped(Location, organisation).values_list("id", flat=True)}


def kept_history_row(organisation: Organisation) -> KeptHistory | None:
    """The organisation's kept history row, never another organisation's."""
    return scoped(KeptHistory, organisation).first()


def watched_series(
    organisation: Organisation, now: datetime | None = None, history: timedelta = HISTORY
) -> list[WatchedSeries]:
    """Every series of ``organisation`` over the last ``history`` (28 days), in 5-minute buckets."""
    now = now or timezone.now()
    # Up to ``now`` included, as before (the bucket holding ``now`` is the last one judged).
    scopes, theme_scopes = _scope_buckets(organisation, now - history, now + timedelta(microseconds=1))

    settings = series_sensitivities(organisation)
    result: list[WatchedSeries] = []
    starts: dict[int, datetime] = {}  # one datetime per bucket, shared by every series

    def add(scope_key: str, scope: _Scope, metric: str) -> None:
        kind, label, label_en = METRICS[metric]
        key = f"{metric}:{scope_key}"
        setting = settings.get(key)
        if setting is not None and not setting.enabled:
            return
        points: list[SeriesPoint] = []
        for epoch, b in sorted(scope.buckets.items()):
            at = starts.get(epoch) or starts.setdefault(epoch, datetime.fromtimestamp(epoch, tz=UTC))
            if metric == AlertRule.NEGATIVE_VOLUME:
                points.append(SeriesPoint(at, b.negative))
            elif metric == AlertRule.TOTAL_VOLUME:
                points.append(SeriesPoint(at, b.total))
            elif metric == AlertRule.REACH:
                points.append(SeriesPoint(at, b.reach))
            elif b.rated:
                value = b.rating_sum / b.rated if metric == AlertRule.AVERAGE_RATING else b.one_star / b.rated
                # The number of reviews behind the figure: a lone 1-star review is no trend.
                points.append(SeriesPoint(at, value, weight=b.rated))
        if not points:
            return
        config = SeriesConfig(
            key=key,
            kind=kind,
            bucket=BUCKET,
            sensitivity=setting.sensitivity if setting is not None else 1.0,
            timezone=organisation.timezone,
            label=label,
            label_en=label_en,
        )
        result.append(WatchedSeries(config, points, metric, scope.label, scope.label_en))

    for scope_key, scope in scopes.items():
        for metric in METRICS:
            add(scope_key, scope, metric)
    for scope_key, scope in theme_scopes.items():
        add(scope_key, scope, AlertRule.NEGATIVE_VOLUME)
    return result


def series_keys_for_settings(organisation: Organisation) -> list[tuple[str, str]]:
    """(key, label) of the series a manager may tune: the organisation's, each source's and each
    location's, labelled in the active language ("Lieu Agence Lyon" / "Location Agence Lyon")."""
    english = (get_language() or "fr").startswith("en")
    keys: list[tuple[str, str]] = []
    scopes = [("org", ORGANISATION_SCOPE)]
    scopes += [
        (f"source:{pk}", scope_labels("source", name))
        for pk, name in scoped(Source, organisation).values_list("id", "name")
    ]
    scopes += [
        (f"location:{pk}", scope_labels("location", name))
        for pk, name in scoped(Location, organisation).values_list("id", "name")
    ]
    for scope_key, labels in scopes:
        label = labels[1] if english else labels[0]
        for metric in METRICS:
            keys.append((f"{metric}:{scope_key}", f"{AlertRule(metric).label} · {label}"))
    return keys


# --- single items -------------------------------------------------------------------------------


def mentions_to_scan(
    organisation: Organisation, since: datetime | None, until: datetime
) -> QuerySet[Mention]:
    """Mentions fetched or updated in (since, until]: the single-item rules look at each once."""
    queryset = scoped(Mention, organisation).filter(updated_at__lte=until, deleted_at__isnull=True)
    if since is not None:
        queryset = queryset.filter(updated_at__gt=since)
    else:
        queryset = queryset.filter(updated_at__gt=until - timedelta(hours=1))
    return queryset.select_related("author", "source", "location")


def legal_risk_mention_ids(organisation: Organisation, mention_ids: Iterable[int]) -> set[int]:
    """Which of ``mention_ids`` the toxicity analyzer flagged as a legal risk or a threat."""
    from vigie.analysis.models import AnalysisResult

    rows = scoped(AnalysisResult, organisation).filter(mention_id__in=list(mention_ids), analyzer="toxicity")
    flagged: set[int] = set()
    for mention_id, result in rows.values_list("mention_id", "result"):
        if isinstance(result, dict) and (
            result.get("legal_risk") or "threat" in (result.get("categories") or [])
        ):
            flagged.add(mention_id)
    return flagged


# --- alerts -------------------------------------------------------------------------------------


def _platform_name(slug: str) -> str:
    """A platform by the connector's name of the platform ``slug`` is one name of ("google" reads
    "Google Business Profile", "twitter" reads "X"), as the dashboard's rows name it."""
    return platform_label(platform_of(slug))


def alerts(organisation: Organisation, *, ongoing: bool | None = None) -> QuerySet[Alert]:
    """The organisation's alerts, most recently seen first."""
    queryset = scoped(Alert, organisation).select_related("mention", "acknowledged_by")
    if ongoing is True:
        queryset = queryset.filter(status__in=ONGOING_STATUSES)
    elif ongoing is False:
        queryset = queryset.exclude(status__in=ONGOING_STATUSES)
    return queryset.order_by("-last_seen_at", "-pk")


def alert_mentions(alert: Alert, limit: int = 20) -> list[Mention]:
    """The mentions behind an alert: its own mention, or the series' mentions since the episode began."""
    if alert.mention_id is not None:
        return [alert.mention] if alert.mention is not None else []
    since = alert.since or alert.opened_at - timedelta(hours=1)
    queryset = scoped(Mention, alert.organisation).filter(created_at__gte=since, deleted_at__isnull=True)
    metric, _, scope = alert.key.partition(":")
    kind, _, value = scope.partition(":")
    if kind == "source":
        queryset = queryset.filter(source_id=value)
    elif kind == "location":
        queryset = queryset.filter(location_id=value)
    elif kind == "theme":
        queryset = queryset.filter(has_theme(alert.organisation, value))
    if metric == AlertRule.NEGATIVE_VOLUME:
        queryset = queryset.filter(sentiment=Sentiment.NEGATIVE)
    elif metric in (AlertRule.AVERAGE_RATING, AlertRule.ONE_STAR_SHARE):
        queryset = queryset.filter(rating__isnull=False).order_by("rating")
    return list(queryset.select_related("source", "author").order_by("-priority", "-created_at")[:limit])


def alerts_to_escalate(now: datetime) -> list[Alert]:
    """Open alerts nobody acknowledged within their organisation's escalation delay.

    Of an incident only its lead alert escalates: the incident is escalated once, not per series.
    """
    found = []
    candidates = Alert.objects.filter(status="open", escalated_at__isnull=True).exclude(
        incident__isnull=False, leads_incident=False
    )
    for alert in candidates.select_related("organisation"):
        minutes = alert_settings(alert.organisation).escalate_after_minutes
        if minutes and alert.opened_at <= now - timedelta(minutes=minutes):
            found.append(alert)
    return found


# --- notification preferences and channels ------------------------------------------------------


def preference_for(membership: Membership) -> NotificationPreference:
    """A member's preferences, or the defaults (not saved) when they never set any."""
    found = NotificationPreference.objects.filter(membership=membership).first()
    return found or NotificationPreference(organisation=membership.organisation, membership=membership)


def in_quiet_hours(preference: NotificationPreference, moment: datetime) -> datetime | None:
    """When ``moment`` falls in the member's quiet hours (org time zone), the end of them; else None."""
    start, end = preference.quiet_start, preference.quiet_end
    if start is None or end is None or start == end:
        return None
    zone = zoneinfo.ZoneInfo(preference.organisation.timezone)
    local = moment.astimezone(zone)
    today = local.date()

    def at(day: date, t: time) -> datetime:
        return datetime.combine(day, t, tzinfo=zone)

    if start < end:  # e.g. 12:00-14:00
        if at(today, start) <= local < at(today, end):
            return at(today, end).astimezone(UTC)
        return None
    # Over midnight, e.g. 22:00-07:00.
    if local >= at(today, start):
        return at(today + timedelta(days=1), end).astimezone(UTC)
    if local < at(today, end):
        return at(today, end).astimezone(UTC)
    return None


def channels(organisation: Organisation) -> QuerySet[NotificationChannel]:
    return scoped(NotificationChannel, organisation).order_by("name")


def notifications(organisation: Organisation, user: User, limit: int = 100) -> QuerySet[Any]:
    """A member's latest notifications, read or not."""
    from vigie.core.models import Notification

    return scoped(Notification, organisation).filter(recipient=user).order_by("-created_at")[:limit]


# --- crises ---------------------------------------------------------------------------------------


def crises(organisation: Organisation) -> QuerySet[Crisis]:
    return scoped(Crisis, organisation).order_by("status", "-started_at")


def scope_mentions(crisis: Crisis) -> QuerySet[Mention]:
    """The mentions in a crisis' scope since it started (keywords OR themes, narrowed by sources
    and locations when given)."""
    organisation = crisis.organisation
    queryset = scoped(Mention, organisation).filter(
        created_at__gte=crisis.started_at, deleted_at__isnull=True
    )
    if crisis.closed_at is not None:
        queryset = queryset.filter(created_at__lte=crisis.closed_at)
    match = Q()
    for keyword in crisis.keywords:
        match |= Q(text__icontains=keyword) | Q(title__icontains=keyword)
    for theme in crisis.themes:
        match |= has_theme(organisation, theme)
    if match:
        queryset = queryset.filter(match)
    if crisis.source_ids:
        queryset = queryset.filter(source_id__in=crisis.source_ids)
    if crisis.location_ids:
        queryset = queryset.filter(location_id__in=crisis.location_ids)
    return queryset


@dataclass(frozen=True)
class ScopeMetrics:
    mentions: int
    negative: int
    reach: int
    last_hour: int


def scope_metrics(crisis: Crisis, now: datetime | None = None) -> ScopeMetrics:
    """Live figures of a crisis' scope, in one aggregate query."""
    now = now or timezone.now()
    figures = scope_mentions(crisis).aggregate(
        mentions=Count("id"),
        negative=Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)),
        reach=Sum("reach"),
        last_hour=Count("id", filter=Q(created_at__gte=now - timedelta(hours=1))),
    )
    return ScopeMetrics(figures["mentions"], figures["negative"], figures["reach"] or 0, figures["last_hour"])


# A publication public on its platform, and one asked for that is not there (failed, or waiting
# for a person to post it).
_PUBLIC = (StatementPublicationStatus.PUBLISHED, StatementPublicationStatus.POSTED_BY_HAND)
_NOT_THERE = (StatementPublicationStatus.FAILED, StatementPublicationStatus.BY_HAND)


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    # opened, alert, mention, drafted, approved, statement (published: a place confirmed it),
    # partial (published, but some place failed or waits for a person), posted (on one platform),
    # sending / send_failed / by_hand (asked for on one platform, not public there), reply,
    # playbook, manual, closed
    kind: str
    text: str
    who: str = ""
    url: str = ""
    holding: bool = False  # a statement event about a holding statement

    @property
    def rank(self) -> int:
        """Among events of the same second, the opening comes first and the closing last."""
        return {"opened": 0, "closed": 2}.get(self.kind, 1)


def crisis_timeline(crisis: Crisis, *, key_mentions: int = 10, language: str = "") -> list[TimelineItem]:
    """Automatic events (the opening, alerts, key mentions, statements drafted, approved,
    published and posted on each platform, replies, playbook steps ticked, the closing) and manual
    entries, newest first. Texts read in ``language`` (the active language by default: the
    reader's on a page); alert titles as the inbox's incident banner reads them."""
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import get_language

    from vigie.inbox.models import Reply

    organisation = crisis.organisation
    items: list[TimelineItem] = []
    end = crisis.closed_at or timezone.now()
    alert_rows = scoped(Alert, organisation).filter(opened_at__gte=crisis.started_at, opened_at__lte=end)
    if crisis.alert_id is not None:
        alert_rows = alert_rows | scoped(Alert, organisation).filter(pk=crisis.alert_id)
    language = (language or get_language() or "fr")[:2]
    for alert in alert_rows.distinct():
        items.append(
            TimelineItem(
                alert.opened_at,
                "alert",
                alert.title_in(language),
                url=reverse("alert_detail", args=[alert.pk]),
            )
        )
    mentions = list(
        scope_mentions(crisis).select_related("author").order_by("-priority", "-reach")[:key_mentions]
    )
    for mention in mentions:
        who = str(mention.author) if mention.author else ""
        items.append(
            TimelineItem(
                mention.created_at, "mention", (mention.title or mention.text)[:280], who, mention.url
            )
        )
    with translation.override(language):
        items += _crisis_room_events(crisis)
    mention_ids = scope_mentions(crisis).values("id")
    replies = (
        scoped(Reply, organisation)
        .filter(case__mention_id__in=mention_ids, published_at__isnull=False)
        .select_related("author")[:50]
    )
    for reply in replies:
        assert reply.published_at is not None
        items.append(TimelineItem(reply.published_at, "reply", reply.body[:280], str(reply.author or "")))
    for step in (
        scoped(PlaybookItem, organisation)
        .filter(crisis=crisis, done_at__isnull=False)
        .select_related("done_by")
    ):
        assert step.done_at is not None
        items.append(TimelineItem(step.done_at, "playbook", step.title, str(step.done_by or "")))
    for entry in scoped(TimelineEntry, organisation).filter(crisis=crisis).select_related("author"):
        items.append(TimelineItem(entry.at, "manual", entry.text, str(entry.author or "")))
    items.sort(key=lambda item: (item.at, item.rank), reverse=True)
    return items


def _excerpt(text: str, length: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _crisis_room_events(crisis: Crisis) -> list[TimelineItem]:
    """What the cell did in the room, read from the rows it left (the crisis, its statements and
    their publications) and, for what no row keeps (when the room was opened, who published a
    statement, whether a draft was the playbook's holding statement), from the crisis' audit
    events. Written in the active language."""
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    from vigie.alerts.crisis.statements import HOLDING_TEMPLATE_KEY
    from vigie.core.queries import audit_events_for

    organisation = crisis.organisation
    items: list[TimelineItem] = []
    events = audit_events_for(organisation, Crisis._meta.label_lower, str(crisis.pk)).filter(
        verb__in=("crisis.opened", "crisis.statement_drafted", "crisis.statement_published")
    )
    opened: tuple[datetime, str] | None = None
    holding_ids: set[Any] = set()
    publishers: dict[Any, str] = {}
    for event in events.select_related("actor"):
        who = str(event.actor) if event.actor else event.actor_label
        statement_id = event.data.get("statement_id") if isinstance(event.data, dict) else None
        if event.verb == "crisis.opened" and opened is None:
            opened = (event.created_at, who)
        elif event.verb == "crisis.statement_drafted" and event.data.get("holding"):
            holding_ids.add(statement_id)
        elif event.verb == "crisis.statement_published" and statement_id not in publishers:
            publishers[statement_id] = who

    # The opening: who, when, from which alert (and its incident).
    alert = crisis.alert
    language = (translation.get_language() or "fr")[:2]
    values = {"title": crisis.title}
    if alert is None:
        text = _("Crise « %(title)s » ouverte à la main.") % values
    else:
        values["alert"] = alert.title_in(language)
        incident = alert.incident
        if incident is not None and incident.title_in(language) != values["alert"]:
            values["incident"] = incident.title_in(language)
            text = (
                _("Crise « %(title)s » ouverte depuis l'alerte « %(alert)s » (incident : %(incident)s).")
                % values
            )
        else:
            text = _("Crise « %(title)s » ouverte depuis l'alerte « %(alert)s ».") % values
    # A crisis whose opening left no event (made by a script) is shown opened at its start.
    at, who = opened or (crisis.started_at, "")
    who = str(crisis.opened_by) if crisis.opened_by else who
    url = reverse("alert_detail", args=[alert.pk]) if alert is not None else ""
    items.append(TimelineItem(at, "opened", text, who, url))

    # Each statement: drafted, approved, published, then posted on each platform that has it.
    statements = (
        scoped(Statement, organisation)
        .filter(crisis=crisis)
        .select_related("author", "approved_by", "template")
        .prefetch_related("publications__source", "publications__published_by")
    )
    for statement in statements:
        holding = statement.pk in holding_ids or (
            statement.template is not None and statement.template.key == HOLDING_TEMPLATE_KEY
        )
        # The whole text once (where it was published, else where it was drafted); the other
        # steps of the same statement show its beginning.
        body = statement.body[:500]
        # Public only once a place confirmed it (a platform's answer, a person's "publiée à la
        # main", a place recorded by hand): handing it to the outbox is not publishing.
        published = statement.status == StatementStatus.PUBLISHED and statement.published_at is not None
        excerpt = _excerpt(statement.body)
        author = str(statement.author or "")
        drafted = excerpt if published else body
        items.append(TimelineItem(statement.created_at, "drafted", drafted, author, holding=holding))
        if statement.approved_at is not None:
            approver = str(statement.approved_by or "")
            items.append(TimelineItem(statement.approved_at, "approved", excerpt, approver, holding=holding))
        publications = list(statement.publications.all())
        publisher = publishers.get(statement.pk) or str(statement.approved_by or "")
        if published:
            assert statement.published_at is not None
            places = [_platform_name(p.platform) for p in publications if p.status in _PUBLIC]
            if statement.published_where:
                places.append(statement.published_where)
            missing = [_platform_name(p.platform) for p in publications if p.status in _NOT_THERE]
            values = {"body": body, "places": ", ".join(places), "missing": ", ".join(missing)}
            if missing:
                text = _("%(body)s (diffusion : %(places)s ; pas publiée : %(missing)s)") % values
            else:
                text = _("%(body)s (diffusion : %(places)s)") % values
            kind = "partial" if statement.state == StatementState.PARTIAL else "statement"
            items.append(TimelineItem(statement.published_at, kind, text, publisher, holding=holding))
        for publication in publications:
            where = {
                "platform": _platform_name(publication.platform),
                "account": publication.source.name,
                "body": excerpt,
            }
            if publication.status in _PUBLIC and publication.published_at is not None:
                posted = _("%(platform)s · %(account)s : %(body)s") % where
                who = str(publication.published_by or publisher)
                items.append(
                    TimelineItem(
                        publication.published_at, "posted", posted, who, publication.url, holding=holding
                    )
                )
                continue
            # Asked for but not (yet) public there: when it was asked, and what happened since.
            if publication.status == StatementPublicationStatus.FAILED:
                where["error"] = publication.error[:200]
                text = _("%(platform)s · %(account)s : %(body)s (erreur : %(error)s)") % where
                kind = "send_failed"
            else:
                text = _("%(platform)s · %(account)s : %(body)s") % where
                kind = "by_hand" if publication.status == StatementPublicationStatus.BY_HAND else "sending"
            items.append(TimelineItem(publication.created_at, kind, text, publisher, holding=holding))

    # The closing, with its post-mortem.
    if crisis.closed_at is not None:
        count = crisis.corrective_actions.count()
        text = _("Crise close, post-mortem rédigé : %(count)s action(s) corrective(s).") % {"count": count}
        url = reverse("crisis_report", args=[crisis.pk, "html"]) if hasattr(crisis, "postmortem") else ""
        items.append(TimelineItem(crisis.closed_at, "closed", text, str(crisis.closed_by or ""), url))
    return items


def published_statements(crisis: Crisis) -> QuerySet[Statement]:
    """The log of public updates: the statements public somewhere (a platform or a person
    confirmed it), oldest first by the time of that first confirmation, each with where it went
    (its publications on the connected accounts, with their state and links)."""
    return (
        scoped(Statement, crisis.organisation)
        .filter(crisis=crisis, status=StatementStatus.PUBLISHED, published_at__isnull=False)
        .prefetch_related("publications__source")
        .order_by("published_at", "pk")
    )


def unpublished_statements(crisis: Crisis) -> QuerySet[Statement]:
    """Approved statements handed to the outbox that no place has confirmed yet (sending, failed,
    waiting to be posted by hand): not public, shown apart from the log of public updates."""
    return (
        scoped(Statement, crisis.organisation)
        .filter(crisis=crisis, status=StatementStatus.APPROVED, publications__isnull=False)
        .distinct()
        .prefetch_related("publications__source")
        .order_by("approved_at", "pk")
    )


def crisis_role_holders(crisis: Crisis) -> dict[str, User]:
    """Who holds each role of the cell."""
    return {m.role: m.user for m in crisis.cell.select_related("user")}


def can_approve_statement(crisis: Crisis, membership: Membership) -> bool:
    """Only the crisis' spokesperson, or an admin, approves statements."""
    from vigie.core.roles import ADMINISTER

    if membership.can(ADMINISTER):
        return True
    holder = crisis_role_holders(crisis).get("spokesperson")
    return holder is not None and holder.pk == membership.user_id


def corrective_actions(organisation: Organisation, *, open_only: bool = True) -> QuerySet[CorrectiveAction]:
    queryset = scoped(CorrectiveAction, organisation).select_related("owner", "crisis")
    if open_only:
        queryset = queryset.filter(done_at__isnull=True)
    return queryset.order_by("due_on", "pk")


def organisation_today(organisation: Organisation, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(organisation.timezone)).date()


def crisis_report_lines(organisation: Organisation, start: datetime, end: datetime) -> list[str]:
    """One line per crisis that was open at some point in ``[start, end)``, for the management report.

    Written in the active language (the report renders under ``translation.override``), as a
    director reads it: days in words in the organisation's time zone ("6 décembre 2026", not
    "06/12/2026"), counts in words ("1 déclaration publiée", not "1 déclaration(s) publiée(s)"),
    statements counted when published within the period (a report of a past week did count those
    published since).
    """
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from vigie.core.dates import long_date

    zone = zoneinfo.ZoneInfo(organisation.timezone)
    rows = (
        crises(organisation)
        .filter(started_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .annotate(
            published=Count(
                "statements",
                filter=Q(statements__published_at__isnull=False, statements__published_at__lt=end),
                distinct=True,
            ),
            actions=Count("corrective_actions", distinct=True),
            actions_done=Count(
                "corrective_actions", filter=Q(corrective_actions__done_at__isnull=False), distinct=True
            ),
        )
        .order_by("started_at")
    )
    lines = []
    for crisis in rows:
        opened = long_date(crisis.started_at.astimezone(zone).date())
        if crisis.closed_at is None or crisis.closed_at >= end:
            span = _("ouverte depuis le %(date)s") % {"date": opened}
        else:
            closed = long_date(crisis.closed_at.astimezone(zone).date())
            span = _("du %(start)s au %(end)s") % {"start": opened, "end": closed}
        published = (
            ngettext("%(n)s déclaration publiée", "%(n)s déclarations publiées", crisis.published)
            % {"n": crisis.published}
            if crisis.published
            else _("aucune déclaration publiée")
        )
        actions = (
            _("actions correctives terminées : %(done)s sur %(actions)s")
            % {"done": crisis.actions_done, "actions": crisis.actions}
            if crisis.actions
            else _("aucune action corrective")
        )
        lines.append(
            _("%(title)s (%(severity)s), %(span)s : %(published)s, %(actions)s")
            % {
                "title": crisis.title,
                "severity": crisis.get_severity_display(),
                "span": span,
                "published": published,
                "actions": actions,
            }
        )
    return lines


# --- incidents ------------------------------------------------------------------------------------

# A theme, location or platform "dominates" an incident when it holds this share of its negative
# mentions (and at least a few of them): then the explanation names it.
DOMINANT_SHARE = 0.4
DOMINANT_MINIMUM = 3


def open_incident(organisation: Organisation) -> Incident | None:
    return scoped(Incident, organisation).filter(status=IncidentStatus.OPEN).first()


def incidents(organisation: Organisation) -> QuerySet[Incident]:
    return scoped(Incident, organisation).order_by("-opened_at", "-pk")


def incident_alerts(incident: Incident) -> QuerySet[Alert]:
    return incident.alerts.order_by("-leads_incident", "-score", "pk")


@dataclass(frozen=True)
class Breakdown:
    """What the negative mentions of an episode have most in common (labels, not slugs)."""

    negative: int
    theme: str = ""
    location: str = ""
    platform: str = ""
    # The theme as the English explanation names it (the default taxonomy's English label; an
    # organisation's own theme keeps the label it gave it).
    theme_en: str = ""


def incident_breakdown(organisation: Organisation, since: datetime, now: datetime) -> Breakdown:
    """The theme, location and platform that dominate the negative mentions since ``since``."""
    negatives = scoped(Mention, organisation).filter(
        created_at__gte=since, created_at__lte=now, deleted_at__isnull=True, sentiment=Sentiment.NEGATIVE
    )
    total = negatives.count()
    if not total:
        return Breakdown(0)

    def dominant(counts: dict[Any, int]) -> Any:
        if not counts:
            return None
        key, count = max(counts.items(), key=lambda item: (item[1], str(item[0])))
        return key if count >= DOMINANT_MINIMUM and count >= DOMINANT_SHARE * total else None

    themes: dict[str, int] = defaultdict(int)
    for values in negatives.values_list("themes", flat=True).iterator(chunk_size=5000):
        for theme in values if isinstance(values, list) else []:
            themes[theme] += 1
    locations = dict(
        negatives.filter(location_id__isnull=False)
        .values_list("location_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    # A platform's slugs counted together (Google reviews imported as "google" are Google's).
    platforms: dict[str, int] = defaultdict(int)
    for slug, count in negatives.values_list("source__platform").annotate(n=Count("id")).order_by():
        platforms[platform_of(slug)] += count
    theme = dominant(themes)
    location_id = dominant(locations)
    platform = dominant(platforms)
    labels = dict(theme_choices(organisation))
    labels_fr, labels_en = labels, labels
    if not organisation_themes(organisation).exists():
        # The default taxonomy, named in each language of the explanation ("mostly Refunds", not
        # "mostly Remboursements" in English).
        labels_fr, labels_en = {**labels, **default_labels("fr")}, {**labels, **default_labels("en")}
    location = scoped(Location, organisation).filter(pk=location_id).values_list("name", flat=True).first()
    return Breakdown(
        negative=total,
        theme=str(labels_fr.get(theme, theme)) if theme else "",
        theme_en=str(labels_en.get(theme, theme)) if theme else "",
        location=location or "",
        platform=_platform_name(platform) if platform else "",
    )
