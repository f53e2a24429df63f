"""Retention: what is past the charter's delays is pseudonymised or deleted, per kind and per
source, in batches and bounded memory; the audit log records counts; a dry run changes nothing."""

from __future__ import annotations

import json
import tracemalloc
from datetime import timedelta
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from vigie.charter.actions import do_update_charter
from vigie.charter.document import CharterDocument, RetentionPolicy, RetentionRule
from vigie.conftest import Tenant
from vigie.core.actions import do_record_audit_event
from vigie.core.jobs import run_now
from vigie.core.models import AuditEvent
from vigie.core.queries import verify_audit_chain
from vigie.inbox.models import PrivateMessage, Reply
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.models import Author, Mention, MentionKind, MentionRevision
from vigie.mentions.tests.factories import make_author, make_mention, make_source
from vigie.privacy.actions import do_apply_retention
from vigie.privacy.tests.worlds import marie

DAY = timedelta(days=1)


def retention(tenant: Tenant, **rules: Any) -> None:
    do_update_charter(tenant.organisation, CharterDocument(retention=RetentionPolicy(**rules)))


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_old_mentions_are_pseudonymised_per_source_and_recent_ones_kept(tenant: Tenant) -> None:
    org = tenant.organisation
    now = timezone.now()
    google = make_source(org, "google")
    forum = make_source(org, "forum")
    old_review = make_mention(
        org, source=google, created_at=now - 400 * DAY, text="Vieux avis", rating=2, url="https://g.example/1"
    )
    MentionRevision.objects.create(
        organisation=org, mention=old_review, text="Vieux avis v1", valid_from=now - 401 * DAY
    )
    old_case = make_case(org, old_review)
    make_reply(old_case, body="Bonjour Jeanne, désolés pour ce retard.")
    recent_review = make_mention(org, source=google, created_at=now - 10 * DAY, text="Avis récent")
    recent_reply = make_reply(make_case(org, recent_review), body="Merci Paul !")
    forum_post = make_mention(org, source=forum, created_at=now - 40 * DAY, text="Sur le forum")
    retention(tenant, mentions=RetentionRule(days=365), mentions_per_source={str(forum.pk): 30})
    counts = do_apply_retention(org)
    assert counts["mentions"] == 2
    old_review.refresh_from_db()
    assert (old_review.text, old_review.url, old_review.author_id) == ("", "", None)
    assert old_review.rating == 2  # the KPIs keep counting it
    assert not MentionRevision.objects.filter(mention=old_review).exists()
    # Its case keeps its status and dates; the texts about the person go.
    assert Reply.objects.get(case=old_case).body == "[effacé]"
    assert Reply.objects.get(pk=recent_reply.pk).body == "Merci Paul !"
    assert Mention.objects.get(pk=forum_post.pk).text == ""
    assert Mention.objects.get(pk=recent_review.pk).text == "Avis récent"
    # Idempotent: nothing is due the next day.
    assert do_apply_retention(org)["mentions"] == 0


def test_mentions_can_be_deleted_and_authors_and_private_messages_follow_their_rules(tenant: Tenant) -> None:
    org = tenant.organisation
    now = timezone.now()
    person = marie(org)
    Mention.objects.filter(pk__in=[person.tweet.pk, person.review.pk]).update(created_at=now - 800 * DAY)
    PrivateMessage.objects.filter(thread=person.thread).update(created_at=now - 800 * DAY)
    active = make_author(org, "google", display_name="Client actif")
    make_mention(org, author=active, created_at=now - 5 * DAY)
    retention(
        tenant,
        mentions=RetentionRule(days=730, action="delete"),
        authors=RetentionRule(days=730, action="pseudonymise"),
        private_messages=RetentionRule(days=730, action="delete"),
    )
    counts = do_apply_retention(org)
    assert counts["mentions"] == 2
    assert not Mention.objects.filter(pk__in=[person.tweet.pk, person.review.pk]).exists()
    # The review's case went with it, and its private thread's messages with the case.
    assert counts["authors"] == 2
    pseudonymised = Author.objects.get(pk=person.twitter_author.pk)
    assert (pseudonymised.handle, pseudonymised.display_name) == ("", "")
    assert Author.objects.get(pk=active.pk).display_name == "Client actif"
    event = AuditEvent.objects.for_org(org).get(verb="privacy.retention_applied")
    assert event.data["counts"]["mentions"] == 2
    assert "Marie" not in json.dumps(event.data)


def test_old_audit_events_are_pruned_and_the_chain_still_verifies(tenant: Tenant) -> None:
    org = tenant.organisation
    AuditEvent.objects.filter(organisation=org).delete()  # a chain that starts long ago
    long_ago = timezone.now() - 4000 * DAY
    for n in range(3):
        do_record_audit_event(org, f"old.{n}", at=long_ago + n * DAY)
    do_record_audit_event(org, "recent")
    retention(tenant, audit_events=RetentionRule(days=1825, action="delete"))
    assert run("retention", "run", "--org", "acme", "--dry-run")["counts"]["audit_events"] == 3
    assert run("retention", "run", "--org", "acme")["counts"]["audit_events"] == 3
    assert not AuditEvent.objects.for_org(org).filter(verb__startswith="old.").exists()
    assert verify_audit_chain(org).ok


def test_a_dry_run_counts_and_changes_nothing(tenant: Tenant) -> None:
    org = tenant.organisation
    make_mention(org, created_at=timezone.now() - 2000 * DAY, text="Très ancien")
    before = (list(Mention.objects.values_list("text", "author_id")), AuditEvent.objects.count())
    result = run("retention", "run", "--org", "acme", "--dry-run")
    assert result == {
        "organisation": "acme",
        "dry_run": True,
        "counts": {"mentions": 1, "authors": 1, "private_messages": 0, "attachments": 0, "audit_events": 0},
    }
    assert (list(Mention.objects.values_list("text", "author_id")), AuditEvent.objects.count()) == before


def test_retention_stays_inside_its_organisation(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_mention(
        other_tenant.organisation, created_at=timezone.now() - 2000 * DAY, text="Chez Globex"
    )
    retention(tenant, mentions=RetentionRule(days=30))
    do_apply_retention(tenant.organisation)
    assert Mention.objects.get(pk=theirs.pk).text == "Chez Globex"


def test_the_daily_job_applies_every_organisations_retention(tenant: Tenant, other_tenant: Tenant) -> None:
    old = make_mention(other_tenant.organisation, created_at=timezone.now() - 2000 * DAY, text="Ancien")
    assert run_now("privacy.schedule_retention") == 2
    from vigie.core.jobs import run_pending

    run_pending()
    assert Mention.objects.get(pk=old.pk).text == ""


def _bulk_mentions(tenant: Tenant, count: int) -> None:
    org = tenant.organisation
    source = make_source(org, "google")
    old = timezone.now() - 2000 * DAY
    authors = Author.objects.bulk_create(
        [
            Author(organisation=org, platform="google", external_id=f"a{n}", display_name=f"Client {n}")
            for n in range(count // 10)
        ]
    )
    Mention.objects.bulk_create(
        [
            Mention(
                organisation=org,
                source=source,
                external_id=f"m{n}",
                kind=MentionKind.REVIEW,
                author=authors[n % len(authors)],
                text=f"Avis numéro {n} " + "x" * 200,
                raw={"id": n, "payload": "y" * 200},
                created_at=old + n * timedelta(seconds=1),
            )
            for n in range(count)
        ],
        batch_size=2000,
    )


def test_retention_of_a_large_organisation_runs_in_bounded_memory(tenant: Tenant) -> None:
    _bulk_mentions(tenant, 20_000)
    tracemalloc.start()
    try:
        counts = do_apply_retention(tenant.organisation)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert counts["mentions"] == 20_000
    assert counts["authors"] == 2_000
    assert not Mention.objects.exclude(text="").exists()
    # 20,000 mentions of ~0.5 kB each would be ~10 MB if loaded; batches of ids stay far below.
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
