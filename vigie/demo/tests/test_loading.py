"""Loading the demo into the database: ``vigie demo``, reloading, resetting, the audit chain."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.test import Client
from django.utils import timezone

from vigie.analysis.models import AnalysisResult
from vigie.connectors.models import Source
from vigie.core.actions import do_create_organisation, do_record_audit_events
from vigie.core.models import AuditEvent, Location, Membership, Organisation, Team, User
from vigie.core.queries import verify_audit_chain
from vigie.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG
from vigie.demo.loader import do_delete_demo, do_load_demo
from vigie.demo.queries import DemoState, demo_state
from vigie.inbox.models import Case, Reply, Template
from vigie.mentions.models import Author, Mention

SIZE = "300"

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--size", SIZE, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        "mentions": Mention.objects.count(),
        "authors": Author.objects.count(),
        "cases": Case.objects.count(),
        "replies": Reply.objects.count(),
        "sources": Source.objects.count(),
        "templates": Template.objects.count(),
        "audit": AuditEvent.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
    }


def test_demo_command_loads_the_organisation_and_prints_the_logins() -> None:
    output = run_demo()

    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    assert organisation.name == "Mutuelle Horizon"
    assert Mention.objects.filter(organisation=organisation).count() == int(SIZE)
    assert Location.objects.filter(organisation=organisation).count() == 6
    assert Team.objects.filter(organisation=organisation).count() == 4
    assert {s.platform for s in Source.objects.filter(organisation=organisation)} >= {
        "google_business",
        "trustpilot",
        "facebook",
        "x",
        "instagram",
        "mastodon",
        "bluesky",
        "feed",
        "file",
        "webhook",
    }
    for role, email in DEMO_LOGINS.items():
        assert f"{email} / {DEMO_PASSWORD}" in output
        assert Membership.objects.get(organisation=organisation, user__email=email).role == role
    assert demo_state() is DemoState.READY


def test_running_it_twice_reuses_the_demo_without_duplicating_anything() -> None:
    run_demo()
    first = row_counts()
    mention_ids = set(Mention.objects.values_list("pk", flat=True))

    output = run_demo()

    assert "déjà chargée" in output
    assert DEMO_LOGINS["admin"] in output
    assert row_counts() == first
    assert set(Mention.objects.values_list("pk", flat=True)) == mention_ids


def test_reset_throws_the_demo_away_and_generates_it_again() -> None:
    run_demo()
    first = row_counts()
    old_ids = set(Mention.objects.values_list("pk", flat=True))

    run_demo("--reset")

    assert row_counts()["mentions"] == first["mentions"]
    assert row_counts()["users"] == first["users"]
    assert not old_ids & set(Mention.objects.values_list("pk", flat=True))
    assert Organisation.objects.filter(slug=DEMO_SLUG).count() == 1


def test_an_interrupted_load_is_detected_and_regenerated() -> None:
    # What a crash between the first batches and the members would leave behind.
    do_create_organisation(DEMO_SLUG, "Mutuelle Horizon")
    assert demo_state() is DemoState.INCOMPLETE

    output = run_demo()

    assert "interrompu" in output
    assert demo_state() is DemoState.READY
    assert Mention.objects.count() == int(SIZE)


def test_every_row_belongs_to_the_demo_organisation() -> None:
    other = do_create_organisation("other", "Other")
    run_demo()
    demo = Organisation.objects.get(slug=DEMO_SLUG)

    for model in (Mention, Author, Case, Reply, Source, Template, Team, Location):
        assert not model.objects.filter(organisation=other).exists(), model
        assert model.objects.filter(organisation=demo).exists(), model
    assert not Case.objects.exclude(mention__organisation=demo).exists()
    assert not Reply.objects.exclude(case__organisation=demo).exists()
    assert not Mention.objects.filter(author__isnull=False).exclude(author__organisation=demo).exists()
    assert not Mention.objects.filter(parent__isnull=False).exclude(parent__organisation=demo).exists()


def test_every_demo_case_says_why_it_has_its_priority() -> None:
    from vigie.analysis.queries import mention_analysis

    run_demo()
    demo = Organisation.objects.get(slug=DEMO_SLUG)
    top = Case.objects.filter(organisation=demo).select_related("mention").order_by("-priority").first()
    assert top is not None
    analysis = mention_analysis(top.mention)
    # The score the inbox sorts by is the priority analyzer's, with its reasons.
    assert analysis.results["priority"]["priority"]["score"] == top.mention.priority
    assert analysis.priority_reasons
    # ... said in the reader's language: an English-speaking agent of the French demo read them in French.
    from django.utils import translation

    with translation.override("en"):
        english = mention_analysis(top.mention).priority_reasons
    assert english
    assert english != analysis.priority_reasons
    assert (
        not Mention.objects.filter(organisation=demo)
        .exclude(pk__in=AnalysisResult.objects.filter(analyzer="priority").values("mention_id"))
        .exists()
    )


def test_external_ids_are_unique_and_replies_are_linked_to_their_parent() -> None:
    run_demo()

    duplicates = Mention.objects.values("source", "external_id").annotate(n=Count("pk")).filter(n__gt=1)
    assert not duplicates.exists()
    assert Mention.objects.filter(kind="reply", parent__isnull=False).exists()
    assert not Mention.objects.filter(parent__isnull=False).exclude(parent__source=F("source")).exists()


def test_the_audit_chain_verifies_and_follows_the_clock() -> None:
    run_demo()
    demo = Organisation.objects.get(slug=DEMO_SLUG)

    report = verify_audit_chain(demo)
    out = io.StringIO()
    call_command("audit", "verify", "--org", DEMO_SLUG, stdout=out)

    assert report.ok
    assert report.events > int(SIZE)
    assert f"{DEMO_SLUG}: ok" in out.getvalue()
    times = list(
        AuditEvent.objects.filter(organisation=demo).order_by("seq").values_list("created_at", flat=True)
    )
    assert times == sorted(times)
    case_ids = {str(pk) for pk in Case.objects.filter(organisation=demo).values_list("pk", flat=True)}
    timeline_ids = set(
        AuditEvent.objects.filter(organisation=demo, object_type="inbox.case").values_list(
            "object_id", flat=True
        )
    )
    assert timeline_ids == case_ids


def test_replies_quote_their_case_reference() -> None:
    run_demo()

    bodies = list(Reply.objects.values_list("body", "case_id"))
    assert bodies
    assert not [body for body, _ in bodies if "{reference}" in body]
    quoting = [(body, case_id) for body, case_id in bodies if "C-0" in body]
    assert quoting
    assert all(f"C-{case_id:06d}" in body for body, case_id in quoting)


def test_demo_logins_sign_in_with_the_published_password() -> None:
    run_demo()

    for email in DEMO_LOGINS.values():
        assert Client().login(email=email, password=DEMO_PASSWORD), email


def test_sources_and_templates_show_their_activity() -> None:
    run_demo()

    assert sum(Source.objects.values_list("items_fetched", flat=True)) == int(SIZE)
    assert Template.objects.filter(usage_count__gt=0).exists()
    # A template used in the history says when it was last used (the library read "jamais").
    assert not Template.objects.filter(usage_count__gt=0, last_used_at=None).exists()
    assert not Template.objects.filter(usage_count=0).exclude(last_used_at=None).exists()


def test_loading_with_a_fixed_clock_is_reproducible() -> None:
    now = timezone.now().replace(microsecond=0) - timedelta(days=3)
    do_load_demo(seed=5, size=120, now=now)
    first = list(Mention.objects.order_by("created_at", "external_id").values_list("external_id", "text"))

    assert do_delete_demo()
    assert not Organisation.objects.filter(slug=DEMO_SLUG).exists()
    do_load_demo(seed=5, size=120, now=now)

    assert (
        list(Mention.objects.order_by("created_at", "external_id").values_list("external_id", "text"))
        == first
    )


def test_appending_audit_events_in_bulk_keeps_the_chain_and_refuses_going_back_in_time() -> None:
    organisation = do_create_organisation("acme", "Acme")
    start = timezone.now() + timedelta(minutes=1)
    events = [
        {
            "at": start + timedelta(seconds=i),
            "verb": "case.created",
            "object_type": "inbox.case",
            "object_id": str(i),
        }
        for i in range(5)
    ]

    assert do_record_audit_events(organisation, events) == 5
    assert verify_audit_chain(organisation).ok
    with pytest.raises(ValueError, match="older"):
        do_record_audit_events(organisation, [{"at": start, "verb": "case.resolved"}])
    with pytest.raises(ValueError, match="actor_label"):
        do_record_audit_events(organisation, [{"at": start + timedelta(hours=1), "verb": "x", "actor_id": 1}])
    assert AuditEvent.objects.filter(organisation=organisation).count() == 6  # organisation.created + 5


def test_small_batches_keep_the_log_chronological_and_link_across_batches() -> None:
    report = do_load_demo(seed=3, size=600, batch_size=40)
    demo = report.organisation

    assert verify_audit_chain(demo).ok
    times = list(
        AuditEvent.objects.filter(organisation=demo).order_by("seq").values_list("created_at", flat=True)
    )
    assert times == sorted(times)
    # Replies found their parent even when it was written in an earlier batch.
    replies = Mention.objects.filter(organisation=demo, kind="reply")
    assert replies.filter(parent__isnull=False).count() == replies.count()
    # A returning author is one row, not one per batch.
    duplicates = Author.objects.values("platform", "external_id").annotate(n=Count("pk")).filter(n__gt=1)
    assert not duplicates.exists()
    assert Mention.objects.values("author").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert report.mentions == Mention.objects.filter(organisation=demo).count() == 600


def test_the_loaded_demo_has_its_kpi_rollup_so_the_dashboard_reads_no_raw_rows() -> None:
    from vigie.core.periods import last_days, organisation_today
    from vigie.insights.queries.filters import InsightFilters
    from vigie.insights.queries.kpis import kpi_report
    from vigie.insights.rollup import coverage

    run_demo()
    demo = Organisation.objects.get(slug=DEMO_SLUG)
    covered = coverage(demo)
    # Built by the load itself: every past day is covered, without `vigie rollup` or the job.
    assert covered is not None
    assert covered.until == organisation_today(demo)
    period = last_days(demo, 30)
    from_rollup = kpi_report(demo, period, InsightFilters())
    from_rows = kpi_report(demo, period, InsightFilters(), use_rollup=False)
    assert from_rollup.mention_volume == from_rows.mention_volume > 0
