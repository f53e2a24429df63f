"""Single-item alerts: legal risk or threat, influential author, viral post, optional 1★ review.
Each mention is looked at once, after its analysis."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from vigie.alerts.actions import do_update_alert_settings
from vigie.alerts.models import Alert, AlertRule
from vigie.alerts.tasks import scan_items
from vigie.analysis.models import AnalysisResult
from vigie.conftest import Tenant
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_author, make_mention


def _analysed(mention: Mention, *, legal_risk: bool = False, at: datetime | None = None) -> Mention:
    AnalysisResult.objects.create(
        organisation=mention.organisation,
        mention=mention,
        analyzer="toxicity",
        version="1.0",
        result={
            "toxic": legal_risk,
            "score": 0.9 if legal_risk else 0.1,
            "categories": ["threat"] if legal_risk else [],
            "legal_risk": legal_risk,
        },
        analysed_at=at or timezone.now(),
    )
    return mention


def test_a_threatening_mention_raises_a_critical_alert_once(tenant: Tenant) -> None:
    mention = _analysed(
        make_mention(tenant.organisation, text="Je vais venir vous régler votre compte."), legal_risk=True
    )
    _analysed(make_mention(tenant.organisation, text="Merci pour votre aide."))
    assert scan_items(tenant.organisation, timezone.now()) == 1
    alert = Alert.objects.get(organisation=tenant.organisation, rule=AlertRule.LEGAL_RISK)
    assert alert.mention == mention
    assert alert.severity == "critical"
    assert scan_items(tenant.organisation, timezone.now()) == 0, "already looked at"
    assert Alert.objects.filter(organisation=tenant.organisation).count() == 1


def test_an_influential_author_is_flagged_and_a_small_one_is_not(tenant: Tenant) -> None:
    org = tenant.organisation
    _analysed(make_mention(org, author=make_author(org, followers_count=250_000), sentiment="negative"))
    _analysed(make_mention(org, author=make_author(org, followers_count=120)))
    scan_items(org, timezone.now())
    alert = Alert.objects.get(organisation=org, rule=AlertRule.INFLUENCER)
    assert "250\u202f000 abonnés" in alert.title
    assert alert.severity == "warning"


def test_a_post_taking_off_is_a_viral_alert(tenant: Tenant) -> None:
    org = tenant.organisation
    now = timezone.now()
    _analysed(
        make_mention(
            org,
            kind="post",
            created_at=now - timedelta(hours=1),
            likes=3000,
            shares=900,
            replies_count=400,
            reach=400_000,
            sentiment="negative",
        )
    )
    _analysed(make_mention(org, kind="post", created_at=now - timedelta(days=3), likes=12, shares=1))
    scan_items(org, timezone.now())
    alerts = Alert.objects.filter(organisation=org, rule=AlertRule.VIRAL)
    assert alerts.count() == 1
    assert alerts.get().severity == "critical"


def test_one_star_reviews_alert_only_when_switched_on(tenant: Tenant) -> None:
    org = tenant.organisation
    _analysed(make_mention(org, rating=1), at=timezone.now() - timedelta(minutes=2))
    scan_items(org, timezone.now())
    assert not Alert.objects.filter(organisation=org, rule=AlertRule.ONE_STAR_REVIEW).exists()
    do_update_alert_settings(
        org,
        actor=tenant.manager.user,
        escalate_after_minutes=30,
        one_star_reviews=True,
        influencer_followers=10_000,
    )
    _analysed(make_mention(org, rating=1))
    scan_items(org, timezone.now())
    assert Alert.objects.filter(organisation=org, rule=AlertRule.ONE_STAR_REVIEW).count() == 1
