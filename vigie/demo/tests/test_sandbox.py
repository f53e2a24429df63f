"""The demo's sources against the platforms' stand-ins: valid configurations, polls that succeed,
replies that arrive "on the platform" through the real connectors and the real outbox."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from vigie.connectors.actions import build_connector, validate_config
from vigie.connectors.credentials import decrypt_secrets
from vigie.connectors.models import Source, SourceState
from vigie.connectors.registry import UnknownPlatform, get_connector_class
from vigie.core.jobs import run_pending
from vigie.core.models import AuditEvent, Organisation
from vigie.demo import DEMO_SLUG
from vigie.demo.loader import do_load_demo
from vigie.demo.sandbox import Sandbox, point_demo_sources, start_sandbox
from vigie.demo.tests.fresh_cases import do_ingest_fresh_cases
from vigie.inbox.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    MessageDirection,
    NoAnswerReason,
    PrivateMessage,
    Publication,
    ReplyStatus,
)
from vigie.inbox.outbox.direct_messages import do_send_direct_message
from vigie.inbox.outbox.publishing import do_queue_publication, mention_in, run_publication
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    running = start_sandbox()
    yield running
    running.stop()


def connected_sources() -> list[Source]:
    sources = []
    for source in Source.objects.filter(organisation__slug=DEMO_SLUG).order_by("pk"):
        try:
            get_connector_class(source.platform)
        except UnknownPlatform:
            continue
        sources.append(source)
    return sources


def sandboxed_sources() -> list[Source]:
    """The sources that read a platform over HTTP (not the file import nor the pushed webhook)."""
    return [source for source in connected_sources() if source.platform not in {"file", "webhook"}]


def test_every_connected_demo_source_has_a_configuration_its_connector_accepts() -> None:
    do_load_demo(size=120)
    sources = connected_sources()
    assert {source.platform for source in sources} >= {
        "google_business",
        "trustpilot",
        "mastodon",
        "bluesky",
        "facebook",
        "instagram",
        "x",
        "youtube",
        "reddit",
    }
    for source in sources:
        # Raises SourceConfigError with the connector's message otherwise.
        validate_config(source.platform, {**source.config, **decrypt_secrets(source.credentials_encrypted)})
        assert "demo-sandbox-credential" not in str(source.config), "secrets are stored encrypted"


def test_the_demo_sources_poll_the_sandbox_and_say_they_are_healthy(sandbox: Sandbox) -> None:
    do_load_demo(size=120)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    assert point_demo_sources(organisation, sandbox.url) == len(sandboxed_sources()) == 16
    assert point_demo_sources(organisation, sandbox.url) == 0, "pointing twice changes nothing"

    for source in sandboxed_sources():
        report = do_fetch_source(source)
        source.refresh_from_db()
        assert report.error == "", f"{source.name}: {report.error}"
        assert source.state == SourceState.OK


def test_the_demo_trustpilot_source_passes_its_connection_test(sandbox: Sandbox) -> None:
    do_load_demo(size=120)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    point_demo_sources(organisation, sandbox.url)
    source = Source.objects.get(organisation=organisation, platform="trustpilot")
    # What "Tester la connexion" reads: the business unit, by the id the demo configured.
    assert (
        build_connector(source).test_connection()
        == "Mutuelle Horizon (5f3c8a91d2e4b70001a6c3e2), réponses activées"
    )
    unit = httpx.get(f"{sandbox.url}/trustpilot/v1/business-units/5f3c8a91d2e4b70001a6c3e2").json()
    assert unit["numberOfReviews"]["total"] == sum(
        unit["numberOfReviews"][key]
        for key in ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars")
    )
    assert unit["numberOfReviews"]["total"] > 0
    assert httpx.get(f"{sandbox.url}/trustpilot/v1/business-units/unknown").status_code == 404


def test_googles_list_shows_the_published_reply_and_the_next_poll_reads_it_back(sandbox: Sandbox) -> None:
    do_load_demo(size=300)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    point_demo_sources(organisation, sandbox.url)
    case = Case.objects.filter(organisation=organisation, mention__source__platform="google_business").first()
    assert case is not None
    reply = make_reply(
        case, body="Merci pour votre retour, à bientôt en agence.", status=ReplyStatus.APPROVED
    )
    do_queue_publication(reply, actor=None)
    assert run_publication(reply.pk, "test") == "published"
    status = Case.objects.get(pk=case.pk).status

    do_fetch_source(case.mention.source)
    run_pending()
    mention = Mention.objects.get(pk=case.mention_id)
    assert mention.owner_reply_text == "Merci pour votre retour, à bientôt en agence."
    assert mention.owner_reply_at is not None
    # Vigie's own reply read back: the case is left as it was.
    assert Case.objects.get(pk=case.pk).status == status


@pytest.mark.parametrize(
    "platform", ["google_business", "trustpilot", "mastodon", "bluesky", "facebook", "instagram", "x"]
)
def test_a_reply_published_in_the_demo_arrives_on_the_platform(sandbox: Sandbox, platform: str) -> None:
    do_load_demo(size=300)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    # Which mentions the demo has depends on the hour it is generated at: with 300 of them, a
    # Monday afternoon has none on Mastodon. A customer's question comes in there first.
    do_ingest_fresh_cases(organisation, ["mastodon_question"])
    point_demo_sources(organisation, sandbox.url)
    cases = Case.objects.filter(organisation=organisation, mention__source__platform=platform)
    if platform == "x":
        # X allows an API reply only to a post that mentions (or quotes) the account.
        cases = cases.filter(mention__text__icontains="@MutuelleHorizon")
    case = cases.first()
    assert case is not None
    text = f"Bonjour, nous revenons vers vous <b>aujourd'hui</b> ({platform})."
    reply = make_reply(case, body=text, status=ReplyStatus.APPROVED)

    do_queue_publication(reply, actor=None)
    assert run_publication(reply.pk, "test") == "published"

    [write] = [write for write in sandbox.writes if platform.split("_")[0] in write.platform.lower()]
    assert write.action == "reply"
    assert text in write.text
    page = httpx.get(f"{sandbox.url}/").text
    assert "Réponse publiée" in page
    assert "&lt;b&gt;aujourd&#x27;hui&lt;/b&gt;" in page  # customer-facing text is escaped


def test_x_refuses_before_sending_a_reply_to_a_post_that_does_not_mention_the_account(
    sandbox: Sandbox,
) -> None:
    do_load_demo(size=300)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    point_demo_sources(organisation, sandbox.url)
    case = (
        Case.objects.filter(organisation=organisation, mention__source__platform="x")
        .exclude(mention__text__icontains="@MutuelleHorizon")
        .first()
    )
    assert case is not None
    reply = make_reply(case, body="Bonjour, écrivez-nous en message privé.", status=ReplyStatus.APPROVED)
    do_queue_publication(reply, actor=None)
    assert run_publication(reply.pk, "test") == "failed"
    assert not [write for write in sandbox.writes if write.platform == "X"]
    assert "février 2026" in Publication.objects.get(reply=reply).last_error


# --- YouTube and Reddit -------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["youtube", "reddit"])
def test_youtube_and_reddit_items_are_read_and_a_reply_arrives_on_the_platform(
    sandbox: Sandbox, platform: str
) -> None:
    do_load_demo(size=120)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    point_demo_sources(organisation, sandbox.url)
    source = Source.objects.get(organisation=organisation, platform=platform)
    report = do_fetch_source(source)
    assert report.error == ""
    mentions = Mention.objects.filter(source=source)
    assert mentions.count() == 2
    # Polled again: nothing new, nothing marked deleted.
    assert do_fetch_source(source).error == ""
    assert mentions.count() == 2
    assert not mentions.filter(deleted_at__isnull=False).exists()
    mention = mentions.order_by("created_at").first()
    assert mention is not None
    case = make_case(organisation, mention)
    text = f"Bonjour, nous regardons votre dossier ({platform})."
    reply = make_reply(case, body=text, status=ReplyStatus.APPROVED)
    do_queue_publication(reply, actor=None)
    assert run_publication(reply.pk, "test") == "published"
    [write] = [write for write in sandbox.writes if write.platform.lower() == platform]
    assert (write.action, write.text) == ("reply", text)
    assert write.target in {mention.external_id, mention.raw.get("name", "")}


def test_a_youtube_comment_is_held_for_review_through_the_sandbox(sandbox: Sandbox) -> None:
    do_load_demo(size=120)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    point_demo_sources(organisation, sandbox.url)
    source = Source.objects.get(organisation=organisation, platform="youtube")
    do_fetch_source(source)
    mention = Mention.objects.filter(source=source).first()
    assert mention is not None
    build_connector(source).hide_item(mention_in(mention))
    [write] = [write for write in sandbox.writes if write.platform == "YouTube"]
    assert (write.action, write.target) == ("hide", mention.external_id)


# --- private messages ---------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["facebook", "x"])
def test_a_private_message_from_the_sandbox_lands_in_the_case_thread_and_the_answer_goes_back(
    sandbox: Sandbox, platform: str
) -> None:
    do_load_demo(size=300)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    # The newest open case of the platform is the one whose customer writes privately (the
    # sandbox's rule). Which demo cases are still open depends on the hour it is loaded at (with
    # 300 mentions, none with a known author on X on Monday night): a complaint comes in first.
    fresh = do_ingest_fresh_cases(organisation, [f"{platform}_complaint"])[f"{platform}_complaint"]
    point_demo_sources(organisation, sandbox.url)
    source = Source.objects.get(organisation=organisation, platform=platform)
    case = (
        Case.objects.filter(
            organisation=organisation,
            status__in=OPEN_STATUSES,
            mention__source__platform=platform,
            mention__author__isnull=False,
        )
        .exclude(mention__kind="private_message")
        .order_by("-mention__created_at", "-pk")
        .first()
    )
    assert case is not None
    assert case.pk == fresh
    for _ in range(2):  # polled twice: stored once
        assert do_fetch_source(source).error == ""
        run_pending()
    [received] = PrivateMessage.objects.filter(thread__case=case, direction=MessageDirection.INBOUND)
    assert "Je vous écris en privé" in received.body
    assert not Case.objects.filter(mention__kind="private_message", organisation=organisation).exists()

    do_send_direct_message(case, "Bonjour, nous vous rappelons aujourd'hui.", actor=None)
    run_pending()
    [write] = [write for write in sandbox.writes if write.action == "message"]
    assert write.text == "Bonjour, nous vous rappelons aujourd'hui."
    assert "Message privé envoyé" in httpx.get(f"{sandbox.url}/").text


def test_a_crisis_statement_is_posted_by_the_demos_social_accounts_through_their_apis(
    sandbox: Sandbox,
) -> None:
    from vigie.alerts.crisis.actions import (
        do_approve_statement,
        do_assign_crisis_role,
        do_draft_statement,
        do_open_crisis,
        do_publish_statement,
    )
    from vigie.alerts.models import StatementPublicationStatus
    from vigie.core.models import Membership

    do_load_demo(size=120)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    point_demo_sources(organisation, sandbox.url)
    manager = Membership.objects.get(organisation=organisation, user__email="manager@demo.example")
    crisis = do_open_crisis(organisation, actor=manager.user, title="Panne de l'espace adhérent")
    do_assign_crisis_role(crisis, "spokesperson", manager.user.pk, actor=manager.user)
    text = (
        "Nous avons connaissance des difficultés d'accès à l'espace adhérent. Nos équipes sont "
        "mobilisées. Prochain point ici à 14 heures."
    )
    statement = do_approve_statement(
        do_draft_statement(crisis, text, actor=manager.user, membership=manager), actor=manager.user
    )
    accounts = Source.objects.filter(
        organisation=organisation, platform__in=["x", "bluesky", "facebook", "mastodon"]
    )
    do_publish_statement(statement, actor=manager.user, source_ids=[source.pk for source in accounts])
    run_pending(limit=20)

    rows = {row.platform: row for row in statement.publications.all()}
    assert set(rows) == {"x", "bluesky", "facebook", "mastodon"}
    assert {row.status for row in rows.values()} == {StatementPublicationStatus.PUBLISHED}
    posted = sorted(write.platform for write in sandbox.writes if write.action == "post")
    assert posted == ["Bluesky", "Facebook", "Mastodon", "X"], "each account posted it once"
    assert all(write.text == text for write in sandbox.writes if write.action == "post")
    assert "Publication du compte" in httpx.get(f"{sandbox.url}/").text


def test_reviews_answered_from_the_google_app_show_their_answer_and_a_poll_changes_nothing(
    sandbox: Sandbox,
) -> None:
    # The demo's history holds Google reviews the agency answered from the Google app: the
    # review carries the answer, its case was closed as already answered there and counts it as
    # its first response; reading the platform again finds the same answer and records nothing.
    do_load_demo(size=600)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    answered = list(
        Case.objects.filter(organisation=organisation, no_answer_reason=NoAnswerReason.ANSWERED_ELSEWHERE)
        .select_related("mention__source")
        .order_by("pk")
    )
    assert answered
    for case in answered:
        mention = case.mention
        assert mention.source.platform == "google_business"
        assert mention.owner_reply_text
        assert mention.owner_reply_at is not None
        assert mention.raw["reviewReply"]["comment"] == mention.owner_reply_text
        assert case.status == CaseStatus.NO_ANSWER
        assert mention.created_at < case.first_response_at == mention.owner_reply_at <= case.resolved_at
        assert not case.replies.exists()
    events = AuditEvent.objects.filter(organisation=organisation, verb="case.answered_on_platform")
    assert events.count() == len(answered)
    point_demo_sources(organisation, sandbox.url)
    do_fetch_source(answered[0].mention.source)
    run_pending()
    assert events.count() == len(answered)
    again = Case.objects.get(pk=answered[0].pk)
    assert (again.status, again.first_response_at) == (CaseStatus.NO_ANSWER, answered[0].first_response_at)
