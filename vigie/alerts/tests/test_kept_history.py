"""The alert job's kept history: stored without pickle, extended run after run, rebuilt when it
must be, never shared between organisations, and giving the verdicts of the full rows."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import numpy as np
import pytest

from vigie.alerts.actions import do_store_kept_history
from vigie.alerts.detection import HourlyHistory, compact, detect_matrix
from vigie.alerts.history_keeping import (
    STEP,
    _recent_grid,
    detect_organisation,
    detect_with_kept,
    kept_history,
    recent_start,
)
from vigie.alerts.models import Alert, KeptHistory
from vigie.alerts.queries import count_series_buckets, watched_series
from vigie.alerts.tasks import detect_series
from vigie.alerts.tests.conftest import add_spike, build_history
from vigie.conftest import Tenant
from vigie.mentions.models import Mention, MentionKind, Sentiment
from vigie.mentions.tests.factories import make_source


def _row(tenant: Tenant) -> KeptHistory:
    return KeptHistory.objects.get(organisation=tenant.organisation)


def test_the_stored_history_round_trips_without_pickle() -> None:
    rng = np.random.default_rng(3)
    values = rng.poisson(2.0, size=(4, 2000)).astype(np.float64)
    kept = compact(values, 1_700_000_100, STEP, "Europe/Paris")
    back = HourlyHistory.from_bytes(kept.to_bytes(), kept.end, kept.timezone, STEP)
    assert np.array_equal(back.totals, kept.totals)
    assert np.array_equal(back.slots, kept.slots)
    assert np.array_equal(back.buckets, kept.buckets)
    assert back.first == kept.first == 1_700_000_100
    # Bytes holding a Python object (a pickle) are refused, never unpickled.
    buffer = io.BytesIO()
    np.savez(buffer, totals=np.array([{"x": 1}], dtype=object), slots=kept.slots, buckets=kept.buckets)
    with pytest.raises(ValueError, match="allow_pickle=False"):
        HourlyHistory.from_bytes(buffer.getvalue(), kept.end, kept.timezone, STEP)


def test_the_kept_history_gives_the_verdicts_of_the_full_rows(tenant: Tenant, now: datetime) -> None:
    organisation = tenant.organisation
    source = build_history(organisation, now, days=60, per_hour=4.0)
    build_history(organisation, now, source=make_source(organisation, name="Facebook"), days=20, seed=9)
    add_spike(organisation, source, now, count=30, minutes=20)
    # Runs every so often, the kept history extended by what left the recent part each time
    # (across hours, and through a local-hour boundary).
    for hours in (5.0, 3.0, 2.5, 1.0, 0.0):
        kept = kept_history(organisation, now - timedelta(hours=hours))
        assert kept.stored
        assert kept.how == ("rebuilt: missing" if hours == 5.0 else "extended")
    assert _row(tenant).version == 5
    assert kept.history.end == recent_start(now)
    assert kept.history.days == pytest.approx(48, abs=1 / 24)

    watched = watched_series(
        organisation, now, history=now - datetime.fromtimestamp(kept.history.end, now.tzinfo)
    )
    with_kept = {d.series_key: d for d in detect_with_kept(watched, kept, now)}
    assert with_kept["negative_volume:org"].fired

    # The full 5-minute rows over the same span, with no kept history.
    starts = _recent_grid(now, kept.history.first)
    end = int(starts[-1]) + STEP
    data = count_series_buckets(
        organisation, datetime.fromtimestamp(kept.history.first, now.tzinfo), now + timedelta(microseconds=1)
    )
    keys = ["negative_volume:org", "total_volume:org", f"reach:source:{source.pk}"]
    full = np.zeros((len(keys), len(starts)))
    for row, key in enumerate(keys):
        for epoch, value in data[key].items():
            if epoch < end:
                full[row, (epoch - int(starts[0])) // STEP] += value
    configs = [next(w.config for w in watched if w.config.key == key) for key in keys]
    reference = detect_matrix(full, starts, configs, now=now)
    for key, expected in zip(keys, reference, strict=True):
        got = with_kept[key]
        assert (got.fired, got.since) == (expected.fired, expected.since), key
        assert got.score == pytest.approx(expected.score), key
        assert got.expected == pytest.approx(expected.expected), key

    # And about those of a history rebuilt from the mentions right now: that one spans exactly 48
    # days, the extended one the whole hours within 48 days, so the fits differ by an hour or so.
    rebuilt = kept_history(organisation, now, store=False)
    assert rebuilt.how == "extended"  # nothing made the stored one stale
    _row(tenant).delete()
    fresh = kept_history(organisation, now, store=False)
    assert fresh.how == "rebuilt: missing"
    again = {d.series_key: d for d in detect_with_kept(watched, fresh, now)}
    for key in keys:
        assert (again[key].fired, again[key].since) == (with_kept[key].fired, with_kept[key].since)
        assert again[key].score == pytest.approx(with_kept[key].score, rel=0.01)


def test_the_job_uses_and_stores_the_kept_history(tenant: Tenant, now: datetime) -> None:
    source = build_history(tenant.organisation, now, days=40)
    add_spike(tenant.organisation, source, now)
    _watched, detections = detect_organisation(tenant.organisation, now)
    assert {d.series_key for d in detections if d.fired} >= {"negative_volume:org"}
    row = _row(tenant)
    assert row.timezone == "Europe/Paris"
    assert "negative_volume:org" in row.keys
    assert row.end == recent_start(now)
    assert b"pickle" not in bytes(row.totals)


def test_a_change_of_time_zone_rebuilds_it(tenant: Tenant, now: datetime) -> None:
    build_history(tenant.organisation, now, days=20)
    kept_history(tenant.organisation, now - timedelta(hours=1))
    tenant.organisation.timezone = "America/Montreal"
    tenant.organisation.save(update_fields=["timezone"])
    kept = kept_history(tenant.organisation, now)
    assert kept.how == "rebuilt: time zone"
    assert kept.history.timezone == "America/Montreal"
    assert _row(tenant).timezone == "America/Montreal"
    watched, detections = detect_organisation(tenant.organisation, now)
    assert all(w.config.timezone == "America/Montreal" for w in watched)
    assert len(detections) == len(watched)


def test_late_mentions_a_deleted_source_or_age_rebuild_it(tenant: Tenant, now: datetime) -> None:
    organisation = tenant.organisation
    source = build_history(organisation, now, days=30)
    other = build_history(
        organisation, now, source=make_source(organisation, name="Trustpilot"), days=30, seed=3
    )
    kept_history(organisation, now - timedelta(hours=1))
    assert kept_history(organisation, now - timedelta(minutes=50)).how == "extended"
    # A review dated three weeks ago, fetched only now.
    Mention.objects.create(
        organisation=organisation,
        source=source,
        external_id="late-1",
        kind=MentionKind.REVIEW,
        text="Avis ancien arrivé tard.",
        created_at=now - timedelta(days=21),
        sentiment=Sentiment.NEGATIVE,
    )
    assert kept_history(organisation, now - timedelta(minutes=45)).how == "rebuilt: late mentions"
    assert kept_history(organisation, now - timedelta(minutes=40)).how == "extended"
    other.delete()
    assert kept_history(organisation, now - timedelta(minutes=35)).how == "rebuilt: series"
    KeptHistory.objects.filter(organisation=organisation).update(built_at=now - timedelta(days=2))
    assert kept_history(organisation, now - timedelta(minutes=30)).how == "rebuilt: stale"
    KeptHistory.objects.filter(organisation=organisation).update(totals=b"not numpy")
    assert kept_history(organisation, now - timedelta(minutes=25)).how == "rebuilt: unreadable"


def test_two_workers_never_both_extend_it(tenant: Tenant, now: datetime) -> None:
    build_history(tenant.organisation, now, days=20)
    kept_history(tenant.organisation, now - timedelta(hours=1))
    version = _row(tenant).version
    # Both read the same row, both extend it in memory; only the first may store.
    first = kept_history(tenant.organisation, now, store=False)
    second = kept_history(tenant.organisation, now, store=False)
    stored = [
        do_store_kept_history(
            tenant.organisation,
            k.history,
            k.keys,
            last_mention_id=0,
            built_at=now,
            expected_version=version,
        )
        for k in (first, second)
    ]
    assert stored == [True, False]
    assert _row(tenant).version == version + 1
    # A second "first" row for the same organisation is refused as well.
    assert not do_store_kept_history(
        tenant.organisation, first.history, first.keys, last_mention_id=0, built_at=now, expected_version=None
    )


def test_one_organisations_history_is_never_used_for_another(
    tenant: Tenant, other_tenant: Tenant, now: datetime
) -> None:
    build_history(tenant.organisation, now, days=30, per_hour=4.0)
    build_history(other_tenant.organisation, now, days=30, per_hour=1.0, seed=5)
    mine = kept_history(tenant.organisation, now)
    assert not KeptHistory.objects.filter(organisation=other_tenant.organisation).exists()
    theirs = kept_history(other_tenant.organisation, now)
    # Same series keys ("negative_volume:org"...), each built from its own mentions only.
    assert theirs.how == "rebuilt: missing"
    start = datetime.fromtimestamp(mine.history.first, now.tzinfo)
    end = datetime.fromtimestamp(mine.history.end, now.tzinfo)
    for tenant_, kept in ((tenant, mine), (other_tenant, theirs)):
        row = kept.keys.index("total_volume:org")
        count = Mention.objects.filter(
            organisation=tenant_.organisation, created_at__gte=start, created_at__lt=end
        ).count()
        assert kept.history.totals[row].sum() == count
    assert mine.history.totals.sum() != theirs.history.totals.sum()
    KeptHistory.objects.filter(organisation=tenant.organisation).delete()
    assert kept_history(tenant.organisation, now).how == "rebuilt: missing"
    assert KeptHistory.objects.get(organisation=other_tenant.organisation).version == 1


def test_an_organisation_without_mentions_keeps_an_empty_history(tenant: Tenant, now: datetime) -> None:
    assert detect_organisation(tenant.organisation, now) == ([], [])
    kept = kept_history(tenant.organisation, now + timedelta(minutes=5))
    assert kept.how == "extended"
    assert kept.keys == []
    assert kept.history.totals.shape[0] == 0


def test_the_job_run_twice_at_once_opens_one_alert_and_adds_the_hours_once(
    tenant: Tenant, now: datetime
) -> None:
    source = build_history(tenant.organisation, now, days=30)
    add_spike(tenant.organisation, source, now)
    kept_history(tenant.organisation, now - timedelta(hours=1))
    detect_series(tenant.organisation, now)
    after_one = HourlyHistory.from_bytes(_row(tenant).totals, _row(tenant).end, "Europe/Paris", STEP)
    detect_series(tenant.organisation, now)  # a second worker on the same tick
    row = _row(tenant)
    again = HourlyHistory.from_bytes(row.totals, row.end, "Europe/Paris", STEP)
    assert row.end == after_one.end == recent_start(now)
    assert np.array_equal(again.totals, after_one.totals)
    assert Alert.objects.filter(organisation=tenant.organisation, key="negative_volume:org").count() == 1
