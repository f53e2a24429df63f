"""The series job: a spike of negative mentions opens ONE alert per episode, explained."""

from __future__ import annotations

from datetime import datetime, timedelta

from vigie.alerts.models import Alert, AlertStatus
from vigie.alerts.tasks import detect
from vigie.alerts.tests.conftest import add_spike, build_history
from vigie.conftest import Tenant
from vigie.core import jobs
from vigie.core.models import AuditEvent


def test_a_quiet_history_raises_no_alert(tenant: Tenant, now: datetime) -> None:
    build_history(tenant.organisation, now)
    detect(tenant.organisation.pk)
    assert not Alert.objects.filter(organisation=tenant.organisation, rule="negative_volume").exists()


def test_a_spike_of_negative_mentions_opens_one_explained_alert(tenant: Tenant, now: datetime) -> None:
    source = build_history(tenant.organisation, now)
    add_spike(tenant.organisation, source, now)
    report = detect(tenant.organisation.pk)
    assert "negative_volume:org" in report["acme"]["fired"]
    alert = Alert.objects.get(organisation=tenant.organisation, key="negative_volume:org")
    assert alert.status == AlertStatus.OPEN
    assert alert.observed > alert.expected
    assert alert.explanation
    assert alert.explanation_en
    assert alert.since is not None
    assert alert.since >= now - timedelta(hours=2)
    assert AuditEvent.objects.filter(
        organisation=tenant.organisation, verb="alert.opened", object_id=str(alert.pk)
    ).exists()


def test_the_same_episode_updates_its_alert_instead_of_opening_another(tenant: Tenant, now: datetime) -> None:
    source = build_history(tenant.organisation, now)
    add_spike(tenant.organisation, source, now)
    detect(tenant.organisation.pk)
    detect(tenant.organisation.pk)
    alerts = Alert.objects.filter(organisation=tenant.organisation, key="negative_volume:org")
    assert alerts.count() == 1
    assert alerts.get().detections == 2
    assert (
        AuditEvent.objects.filter(
            organisation=tenant.organisation, verb="alert.opened", data__key="negative_volume:org"
        ).count()
        == 1
    )


def test_a_switched_off_series_never_fires(tenant: Tenant, now: datetime) -> None:
    from vigie.alerts.actions import do_set_series_sensitivity

    source = build_history(tenant.organisation, now)
    add_spike(tenant.organisation, source, now)
    for scope in ("org", f"source:{source.pk}"):
        do_set_series_sensitivity(
            tenant.organisation,
            f"negative_volume:{scope}",
            sensitivity=1.0,
            enabled=False,
            actor=tenant.manager.user,
        )
    detect(tenant.organisation.pk)
    assert not Alert.objects.filter(organisation=tenant.organisation, rule="negative_volume").exists()


def test_other_organisations_are_not_affected(tenant: Tenant, other_tenant: Tenant, now: datetime) -> None:
    source = build_history(tenant.organisation, now)
    build_history(other_tenant.organisation, now, seed=8)
    add_spike(tenant.organisation, source, now)
    jobs.run_now("alerts.detect")
    assert Alert.objects.filter(organisation=tenant.organisation, key="negative_volume:org").exists()
    assert not Alert.objects.filter(organisation=other_tenant.organisation, rule="negative_volume").exists()


def test_one_lone_one_star_review_is_not_a_surge_of_one_star_reviews(tenant: Tenant, now: datetime) -> None:
    source = build_history(tenant.organisation, now)
    add_spike(tenant.organisation, source, now, count=1, minutes=10)
    report = detect(tenant.organisation.pk)
    # 100 % of one review is a 1-star share of 100 %, and an average of 1: no trend either way.
    assert "one_star_share:org" not in report["acme"]["fired"]
    assert "average_rating:org" not in report["acme"]["fired"]


def test_a_wave_of_one_star_reviews_moves_the_share_and_says_how_many_reviews(
    tenant: Tenant, now: datetime
) -> None:
    source = build_history(tenant.organisation, now)
    add_spike(tenant.organisation, source, now, count=12, minutes=30)
    report = detect(tenant.organisation.pk)
    assert "one_star_share:org" in report["acme"]["fired"]
    alert = Alert.objects.get(organisation=tenant.organisation, key="one_star_share:org")
    assert "(12 avis)" in alert.explanation
    assert "(12 reviews)" in alert.explanation_en
