"""Ingestion: exactly-once upserts, revisions, deletion marks, cursor moving with the data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import pytest

from vigie.conftest import Tenant
from vigie.connectors.actions import do_claim_source, do_release_source
from vigie.connectors.contract import AuthorIn, Capability, Connector, ConnectorConfig, MentionIn, Page
from vigie.connectors.models import Source
from vigie.core import pipeline
from vigie.core.models import Job
from vigie.mentions.actions import do_ingest_page
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Author, Mention, MentionRevision
from vigie.mentions.tests.factories import make_location, make_source

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def item(external_id: str, **fields: Any) -> MentionIn:
    fields.setdefault("kind", "review")
    fields.setdefault("created_at", T0)
    fields.setdefault("text", f"Avis {external_id}")
    fields.setdefault(
        "author", AuthorIn(external_id=f"a-{external_id}", display_name=f"Client {external_id}")
    )
    return MentionIn(external_id=external_id, **fields)


@pytest.fixture
def source(tenant: Tenant) -> Source:
    return make_source(tenant.organisation, platform="webhook", name="Hook")


def test_a_page_creates_mentions_authors_and_moves_the_cursor(source: Source) -> None:
    counts = do_ingest_page(source, Page([item("1"), item("2", rating=Decimal(4))], {"after": "2"}))
    assert counts.as_dict() == {"new": 2, "updated": 0, "unchanged": 0}
    source.refresh_from_db()
    assert source.cursor == {"after": "2"}
    assert source.items_fetched == 2
    mention = Mention.objects.get(source=source, external_id="2")
    assert mention.organisation_id == source.organisation_id
    assert mention.rating == Decimal(4)
    assert mention.author is not None
    assert mention.author.display_name == "Client 2"
    assert Author.objects.filter(organisation=source.organisation, platform="webhook").count() == 2


def test_mentions_take_the_location_of_their_source(tenant: Tenant) -> None:
    lyon = make_location(tenant.organisation, name="Lyon")
    source = make_source(tenant.organisation, platform="webhook", location=lyon)
    do_ingest_page(source, Page([item("1")], {}))
    assert Mention.objects.get(source=source).location == lyon


def test_reading_the_same_page_twice_duplicates_nothing(source: Source) -> None:
    page = Page([item("1"), item("2")], {})
    do_ingest_page(source, page)
    counts = do_ingest_page(source, page)
    assert counts.as_dict() == {"new": 0, "updated": 0, "unchanged": 2}
    assert Mention.objects.filter(source=source).count() == 2
    assert Author.objects.filter(organisation=source.organisation).count() == 2


def test_an_edited_review_is_updated_and_its_previous_version_kept(source: Source) -> None:
    do_ingest_page(source, Page([item("1", text="Bof.", rating=Decimal(2))], {}))
    counts = do_ingest_page(source, Page([item("1", text="Finalement très bien.", rating=Decimal(5))], {}))
    assert counts.updated == 1
    mention = Mention.objects.get(source=source, external_id="1")
    assert (mention.text, mention.rating) == ("Finalement très bien.", Decimal(5))
    revision = MentionRevision.objects.get(mention=mention)
    assert (revision.text, revision.rating) == ("Bof.", Decimal(2))


def test_engagement_changes_update_without_a_revision(source: Source) -> None:
    do_ingest_page(source, Page([item("1", likes=1)], {}))
    counts = do_ingest_page(source, Page([item("1", likes=7)], {}))
    assert counts.updated == 1
    assert Mention.objects.get(external_id="1").likes == 7
    assert not MentionRevision.objects.exists()


def test_a_deleted_item_is_marked_and_keeps_its_content(source: Source) -> None:
    do_ingest_page(source, Page([item("1", text="Service déplorable")], {}))
    counts = do_ingest_page(source, Page([item("1", text="", deleted=True)], {}))
    assert counts.updated == 1
    mention = Mention.objects.get(external_id="1")
    assert mention.deleted_at is not None
    assert mention.text == "Service déplorable"
    again = do_ingest_page(source, Page([item("1", text="", deleted=True)], {}))
    assert again.unchanged == 1


def test_a_reply_is_linked_to_its_parent_on_the_same_source(source: Source) -> None:
    do_ingest_page(source, Page([item("1", kind="post")], {}))
    do_ingest_page(source, Page([item("2", kind="comment", parent_external_id="1")], {}))
    assert Mention.objects.get(external_id="2").parent == Mention.objects.get(external_id="1")


def test_a_reply_read_with_its_parent_or_before_it_is_linked_to_it(source: Source) -> None:
    # A webhook delivering a post and its first comment together, a thread listed newest first
    # (the reply before its post): the thread view must hold them together all the same.
    do_ingest_page(
        source, Page([item("2", kind="comment", parent_external_id="1"), item("1", kind="post")], {})
    )
    assert Mention.objects.get(external_id="2").parent == Mention.objects.get(external_id="1")
    do_ingest_page(source, Page([item("4", kind="comment", parent_external_id="3")], {}))
    assert Mention.objects.get(external_id="4").parent is None
    counts = do_ingest_page(
        source, Page([item("3", kind="post"), item("4", kind="comment", parent_external_id="3")], {})
    )
    assert Mention.objects.get(external_id="4").parent == Mention.objects.get(external_id="3")
    # Linking is not a change of the reply's content: nothing to analyse again.
    assert (counts.new, counts.updated, counts.unchanged) == (1, 0, 1)
    # A reply never becomes its own parent.
    do_ingest_page(source, Page([item("5", kind="comment", parent_external_id="5")], {}))
    assert Mention.objects.get(external_id="5").parent is None


def test_an_author_is_shared_across_mentions_and_refreshed(source: Source) -> None:
    author = AuthorIn(external_id="u1", handle="@marie", display_name="Marie", followers_count=10)
    do_ingest_page(source, Page([item("1", author=author)], {}))
    newer = AuthorIn(external_id="u1", handle="@marie", display_name="Marie D.", followers_count=12)
    do_ingest_page(source, Page([item("2", author=newer)], {}))
    assert Author.objects.filter(external_id="u1").count() == 1
    stored = Author.objects.get(external_id="u1")
    assert (stored.display_name, stored.followers_count) == ("Marie D.", 12)


def test_the_same_external_id_on_two_sources_gives_two_mentions(tenant: Tenant) -> None:
    first = make_source(tenant.organisation, platform="webhook")
    second = make_source(tenant.organisation, platform="webhook")
    do_ingest_page(first, Page([item("1")], {}))
    do_ingest_page(second, Page([item("1")], {}))
    assert Mention.objects.filter(external_id="1").count() == 2


def test_new_and_changed_mentions_are_sent_to_analysis_after_commit(
    source: Source, django_capture_on_commit_callbacks: Any
) -> None:
    from vigie.core import jobs

    if "analysis.analyze_mentions" not in jobs.registered_jobs():
        pytest.skip("no analysis job installed")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        do_ingest_page(source, Page([item("1"), item("2")], {}))
    assert not Job.objects.filter(name="analysis.analyze_mentions").exists()  # not before commit
    for callback in callbacks:
        callback()
    job = Job.objects.get(name="analysis.analyze_mentions")
    assert sorted(job.payload["mention_ids"]) == sorted(Mention.objects.values_list("pk", flat=True))


def test_analysis_is_skipped_when_no_job_is_installed(
    source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vigie.core import jobs

    monkeypatch.setattr(jobs, "registered_jobs", dict)
    assert pipeline.hand_on(pipeline.INGEST, [1, 2]) is None
    do_ingest_page(source, Page([item("1")], {}))
    assert Mention.objects.count() == 1


# --- a crash in the middle of a run ---------------------------------------------------------------


class PagedConfig(ConnectorConfig):
    pass


class Crash(RuntimeError):
    pass


class PagedConnector(Connector[PagedConfig]):
    """Five pages of three items; raises once after ``crash_after`` pages."""

    slug: ClassVar[str] = "paged-test"
    label: ClassVar[str] = "test"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.FETCH})
    Config: ClassVar[type[ConnectorConfig]] = PagedConfig

    def __init__(self, crash_after: int | None = None) -> None:
        super().__init__(PagedConfig())
        self.crash_after = crash_after
        self.served = 0

    def fetch(self, cursor: dict[str, Any]) -> Page:
        if self.crash_after is not None and self.served == self.crash_after:
            raise Crash("worker killed")
        self.served += 1
        page = int(cursor.get("page", 0))
        items = [item(f"{page}-{n}", created_at=T0 + timedelta(minutes=page)) for n in range(3)]
        return Page(items, {"page": page + 1}, has_more=page + 1 < 5)


def test_a_crash_mid_run_loses_nothing_and_duplicates_nothing_on_rerun(source: Source) -> None:
    report = do_fetch_source(source, connector=PagedConnector(crash_after=2))
    assert "Crash: worker killed" in report.error
    source.refresh_from_db()
    assert source.cursor == {"page": 2}
    assert Mention.objects.filter(source=source).count() == 6

    # The next run resumes from the committed cursor; it may even replay a page safely.
    rerun = do_fetch_source(source, connector=PagedConnector())
    assert rerun.counts.new == 9
    assert rerun.error == ""
    assert Mention.objects.filter(source=source).count() == 15
    ids = list(Mention.objects.filter(source=source).values_list("external_id", flat=True))
    assert len(ids) == len(set(ids)) == 15

    source.refresh_from_db()
    source.cursor = {"page": 1}
    replay = do_fetch_source(source, connector=PagedConnector())
    assert replay.counts.new == 0
    assert replay.counts.unchanged == 12
    assert Mention.objects.filter(source=source).count() == 15


def test_a_crash_inside_a_page_rolls_back_the_page_and_its_cursor(
    source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vigie.mentions import actions

    original = actions.upsert_mentions

    def failing(source_: Source, items: Any) -> Any:
        original(source_, items)  # rows written…
        raise Crash("disk full")  # …then the transaction dies before the cursor update commits

    monkeypatch.setattr(actions, "upsert_mentions", failing)
    with pytest.raises(Crash):
        do_ingest_page(source, Page([item("1")], {"page": 1}))
    source.refresh_from_db()
    assert source.cursor == {}
    assert not Mention.objects.filter(source=source).exists()


def test_a_source_cannot_be_claimed_twice(source: Source) -> None:
    first = do_claim_source(source.pk, "worker-1")
    assert first is not None
    assert do_claim_source(source.pk, "worker-2") is None
    do_release_source(first, "worker-1")
    assert do_claim_source(source.pk, "worker-2") is not None


def test_reach_is_estimated_when_the_platform_gives_none(source: Source) -> None:
    author = AuthorIn(external_id="u1", followers_count=1000)
    do_ingest_page(source, Page([item("1", author=author, likes=3, shares=1), item("2", reach=42)], {}))
    assert Mention.objects.get(external_id="1").reach == 1000 + 100 + 30
    assert Mention.objects.get(external_id="2").reach == 42


def test_an_author_another_writer_created_meanwhile_is_reused_not_doubled(source: Source) -> None:
    from django.db import transaction

    from vigie.mentions.actions import _create_authors

    # Between the page's read of its authors and their insert, another worker stored one of them:
    # the insert (COPY on PostgreSQL) breaks the unique constraint, and is redone skipping it.
    theirs = Author.objects.create(
        organisation=source.organisation, platform=source.platform, external_id="a-1", handle="vu"
    )
    mine = Author.objects.filter(organisation=source.organisation, platform=source.platform)
    new = [
        Author(organisation=source.organisation, platform=source.platform, external_id=external_id)
        for external_id in ("a-1", "a-2")
    ]
    ids: dict[str, int] = {}
    with transaction.atomic():
        _create_authors(mine, new, ids)
    assert ids["a-1"] == theirs.pk
    assert ids["a-2"] == mine.get(external_id="a-2").pk
    assert mine.count() == 2
    assert mine.get(pk=theirs.pk).handle == "vu"
