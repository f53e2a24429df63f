"""The case page closes every case: re-deciding after a correction, moderation, closing with a
reason, why no answer is due, presence of colleagues, a stale reply, snippets at the cursor, and
the same actions through the REST API, each with its roles and tenancy."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from vigie.analysis.models import CorrectedField
from vigie.analysis.queries import correction_labels
from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.models import AuditEvent, Membership
from vigie.inbox.actions import do_create_reply
from vigie.inbox.handling import no_answer_label
from vigie.inbox.models import Case, CaseStatus, NoAnswerReason, Reply
from vigie.inbox.routing.route import do_route_mention
from vigie.inbox.tests.factories import make_case
from vigie.inbox.tests.test_case_desk import CLEAN
from vigie.inbox.views.reply import insert_snippet
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_mention, make_source

Login = Callable[[Membership], Client]
ApiClient = Callable[[Membership], Client]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def routed(
    tenant: Tenant, platform: str, mention_type: str, rating: float | None = None, **kw: object
) -> Case:
    org = tenant.organisation
    mention = make_mention(
        org,
        source=make_source(org, platform),
        mention_type=mention_type,
        sentiment="negative",
        rating=rating,
        language="fr",
        **kw,
    )
    case = do_route_mention(mention)
    assert case is not None
    return Case.objects.get(pk=case.pk)


def routed_on(tenant: Tenant, source: Source, mention_type: str, **kw: object) -> Case:
    mention = make_mention(
        tenant.organisation,
        source=source,
        mention_type=mention_type,
        sentiment="negative",
        language="fr",
        **kw,
    )
    case = do_route_mention(mention)
    assert case is not None
    return Case.objects.get(pk=case.pk)


def events(case: Case, verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_id=str(case.pk), object_type="inbox.case", verb=verb))


# --- why no answer is due, and the one-star exception -------------------------------------------------


def test_a_troll_says_why_it_has_no_deadline_but_a_one_star_troll_review_gets_one(tenant: Tenant) -> None:
    troll = routed(tenant, "x", "troll")
    assert not troll.needs_answer
    assert troll.sla_due_at is None
    assert troll.no_answer_reason == NoAnswerReason.TROLL
    assert no_answer_label(troll).startswith("Troll")

    review = routed(tenant, "google_business", "troll", rating=1)
    assert review.needs_answer
    assert review.sla_due_at is not None
    assert review.status == CaseStatus.NEW
    assert no_answer_label(review) == ""

    spam_review = routed(tenant, "google_business", "spam", rating=1)
    assert not spam_review.needs_answer, "a fake review is reported, not answered"
    assert spam_review.no_answer_reason == NoAnswerReason.SPAM

    # A one-star review brought in by an imported file (its source is no review platform) is
    # still a one-star review: it had no deadline, against what the agent guide promises.
    imported = routed(tenant, "file", "troll", rating=1, kind="review")
    assert imported.needs_answer
    assert imported.sla_due_at is not None
    # The estimated stars of an unrated post on such a source do not make it a review.
    post = routed(tenant, "file", "troll", kind="post")
    assert not post.needs_answer


def test_the_inbox_and_the_case_page_show_the_reason_instead_of_a_deadline(
    tenant: Tenant, login: Login
) -> None:
    troll = routed(tenant, "x", "troll")
    client = login(tenant.agent)
    page = client.get(reverse("case_detail", args=[troll.pk])).content.decode()
    assert "Pas de réponse attendue" in page
    assert "Troll : à modérer" in page
    inbox = client.get(reverse("inbox"), {"view": "all"}).content.decode()
    assert "Troll : à modérer" in inbox


# --- correcting the analysis re-decides the case -------------------------------------------------------


def test_correcting_a_troll_into_a_complaint_gives_a_deadline_a_priority_and_a_label(
    tenant: Tenant, login: Login
) -> None:
    case = routed(tenant, "facebook", "troll")
    assert case.sla_due_at is None
    assert case.status == CaseStatus.NO_ANSWER
    before = case.priority
    response = login(tenant.agent).post(
        reverse("case_correct_analysis", args=[case.pk]),
        {"type": "complaint", "sentiment": "negative", "themes": []},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.needs_answer
    assert case.sla_due_at is not None
    assert case.status == CaseStatus.NEW
    assert case.no_answer_reason == ""
    assert case.priority > before
    [redecided] = events(case, "case.redecided")
    assert redecided.actor == tenant.agent.user
    assert redecided.data["after"]["sla_due_at"]
    assert not redecided.data["before"]["sla_due_at"]
    assert "Réclamation" in redecided.data["reasons"]
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Dossier réévalué après correction de l&#x27;analyse" in page
    assert "plus d&#x27;échéance" not in page
    assert "échéance recalculée" in page


def test_a_sentiment_correction_is_a_training_label_retrain_reads(tenant: Tenant, login: Login) -> None:
    case = routed(tenant, "facebook", "complaint")
    login(tenant.agent).post(
        reverse("case_correct_analysis", args=[case.pk]), {"sentiment": "positive", "type": "complaint"}
    )
    assert (case.mention_id, "positive") in correction_labels(tenant.organisation, CorrectedField.SENTIMENT)


def test_a_viewer_cannot_correct_and_another_organisation_s_case_is_404(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    case = routed(tenant, "facebook", "troll")
    url = reverse("case_correct_analysis", args=[case.pk])
    assert login(tenant.viewer).post(url, {"type": "complaint"}).status_code == 403
    assert login(other_tenant.agent).post(url, {"type": "complaint"}).status_code == 404


# --- moderation and closing --------------------------------------------------------------------------------


def test_an_agent_marks_a_troll_and_records_what_was_done_on_the_platform(
    tenant: Tenant, login: Login
) -> None:
    case = routed(tenant, "facebook", "complaint")
    client = login(tenant.agent)
    client.post(reverse("case_moderate", args=[case.pk]), {"action": "troll"})
    case.refresh_from_db()
    assert Mention.objects.get(pk=case.mention_id).mention_type == "troll"
    assert case.status == CaseStatus.NO_ANSWER
    assert case.sla_due_at is None
    assert [e.data["action"] for e in events(case, "case.moderated")] == ["troll"]

    client.post(reverse("case_moderate", args=[case.pk]), {"action": "reported", "note": "insultes"})
    assert [e.data["action"] for e in events(case, "case.moderated")] == ["troll", "reported"]
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Marqué comme troll" in page
    assert "Message signalé à la plateforme : insultes" in page


def test_a_platform_that_cannot_hide_offers_to_report_instead(tenant: Tenant, login: Login) -> None:
    # TikTok has no connector: nothing can be hidden from Vigie, the page offers to report it.
    case = routed(tenant, "tiktok", "troll")
    refused = login(tenant.agent).post(
        reverse("case_moderate", args=[case.pk]), {"action": "hidden"}, follow=True
    )
    assert "ne permet pas cette action" in refused.content.decode()
    assert not events(case, "case.moderated")


def test_hiding_a_facebook_comment_goes_through_the_graph_api(tenant: Tenant, login: Login) -> None:
    comment = "104729583310562_901234567890123"
    with FakePlatform() as graph:
        graph.add("POST", f"/{comment}", json={"success": True})
        source = do_create_source(
            tenant.organisation,
            platform="facebook",
            name="Page Facebook",
            config={
                "base_url": graph.url,
                "page_id": "104729583310562",
                "page_access_token": "page-token-123456",
                "app_secret": "app-secret-123456",
            },
        )
        case = routed_on(tenant, source, "troll", external_id=comment)
        login(tenant.agent).post(reverse("case_moderate", args=[case.pk]), {"action": "hidden"})
        [hide] = graph.requests_to("POST", f"/{comment}")
        assert hide.json() == {"is_hidden": True}
        assert [e.data["by_hand"] for e in events(case, "case.moderated")] == [False]

        graph.add(
            "POST",
            f"/{comment}",
            status=400,
            json={"error": {"message": "Unsupported post request", "code": 100}},
        )
        refused = login(tenant.agent).post(
            reverse("case_moderate", args=[case.pk]), {"action": "hidden"}, follow=True
        )
        assert "La plateforme a refusé" in refused.content.decode()
        assert len(events(case, "case.moderated")) == 1


def test_marking_spam_tags_and_closes(tenant: Tenant, login: Login) -> None:
    case = routed(tenant, "facebook", "question")
    login(tenant.agent).post(reverse("case_moderate", args=[case.pk]), {"action": "spam"})
    case.refresh_from_db()
    assert "spam" in case.tags
    assert case.status == CaseStatus.NO_ANSWER
    assert no_answer_label(case).startswith("Indésirable")


def test_closing_as_answered_elsewhere_says_so(tenant: Tenant, login: Login) -> None:
    case = routed(tenant, "facebook", "question")
    login(tenant.agent).post(reverse("case_close", args=[case.pk]), {"how": "answered_elsewhere"})
    case.refresh_from_db()
    assert case.status == CaseStatus.NO_ANSWER
    assert no_answer_label(case) == "Déjà répondu ailleurs"
    assert events(case, "case.closed")[0].actor == tenant.agent.user
    other = routed(tenant, "facebook", "question")
    login(tenant.agent).post(reverse("case_close", args=[other.pk]), {"how": "no_answer"})
    other.refresh_from_db()
    assert no_answer_label(other) == "Pas de réponse nécessaire, selon l'agent"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("case_moderate", {"action": "troll"}),
        ("case_close", {"how": "resolved"}),
    ],
)
def test_moderating_and_closing_need_an_agent_of_the_organisation(
    tenant: Tenant, other_tenant: Tenant, login: Login, name: str, data: dict[str, str]
) -> None:
    case = make_case(tenant.organisation)
    url = reverse(name, args=[case.pk])
    assert login(tenant.viewer).post(url, data).status_code == 403
    assert login(other_tenant.agent).post(url, data).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_the_case_page_surfaces_publication_private_channel_moderation_and_closing(
    tenant: Tenant, login: Login
) -> None:
    case = routed(tenant, "facebook", "question")
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    for needle in (
        'id="private-channel"',
        reverse("private_email_open", args=[case.pk]),
        reverse("case_moderate", args=[case.pk]),
        reverse("case_close", args=[case.pk]),
        'href="#private-channel"',
        'name="how" value="resolved"',
        'name="how" value="answered_elsewhere"',
        'name="action" value="troll"',
        # Facebook's connector hides and deletes comments: the page offers both.
        'name="action" value="hidden"',
        'name="action" value="deleted"',
        'name="replies_version" value="',
    ):
        assert needle in page
    viewer_page = login(tenant.viewer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert reverse("case_moderate", args=[case.pk]) not in viewer_page
    assert reverse("private_email_open", args=[case.pk]) not in viewer_page


# --- two agents, one case -------------------------------------------------------------------------------------


def test_colleagues_see_each_other_on_a_case_and_who_is_writing(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    url = reverse("case_presence", args=[case.pk])
    agent, manager = login(tenant.agent), login(tenant.manager)
    assert "data-presence" not in agent.post(url, {"writing": "0"}).content.decode()
    seen_by_manager = manager.post(url, {"writing": "1"}).content.decode()
    user = tenant.agent.user
    assert (user.get_full_name() or user.get_username()) in seen_by_manager
    assert "consulte aussi ce dossier" in seen_by_manager
    assert "rédige une réponse" in agent.post(url, {"writing": "0"}).content.decode()


def test_presence_is_per_organisation(tenant: Tenant, other_tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    assert login(other_tenant.agent).post(reverse("case_presence", args=[case.pk])).status_code == 404


def test_a_second_submit_on_a_reply_changed_meanwhile_is_warned_and_keeps_the_text(
    tenant: Tenant, login: Login
) -> None:
    case = routed(tenant, "facebook", "complaint")
    first, second = login(tenant.agent), login(tenant.manager)
    page = first.get(reverse("case_detail", args=[case.pk])).content.decode()
    version = page.split('name="replies_version" value="')[1].split('"')[0]
    # The colleague saves a draft first.
    do_create_reply(case, "Bonjour, le texte du collègue.", author=tenant.manager.user)
    mine = "Bonjour, ma propre réponse, à ne pas perdre."
    response = first.post(
        reverse("case_reply", args=[case.pk]),
        {"body": mine, "channel": "public", "intent": "save", "replies_version": version},
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "Un collègue a modifié la réponse" in text
    assert "ma propre réponse, à ne pas perdre." in text
    assert "le texte du collègue." in text
    assert Reply.objects.get(case=case).body == "Bonjour, le texte du collègue."
    assert second  # the colleague's session stays untouched


def test_a_resolved_case_offers_reopening_not_a_public_reply(tenant: Tenant, login: Login) -> None:
    """Found in the demo: a resolved case still offered the reply composer, and a reply sent from
    it went out on a case everyone thought was done."""
    from vigie.inbox.actions import do_set_case_status

    case = routed(tenant, "facebook", "complaint")
    do_set_case_status(case, CaseStatus.RESOLVED, actor=tenant.agent.user)
    client = login(tenant.agent)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="id_body"' not in page
    assert 'id="reply-submit"' not in page
    assert "Ce dossier est clos : rouvrez-le pour y répondre à nouveau." in page
    assert "Rouvrir le dossier" in page

    # A reply posted anyway (an old tab, a colleague closed it meanwhile) is refused, and says why.
    response = client.post(
        reverse("case_reply", args=[case.pk]), {"body": CLEAN, "channel": "public", "intent": "submit"}
    )
    assert response.status_code == 400
    refused = response.content.decode()
    assert "Ce dossier est clos : rouvrez-le avant d&#x27;y répondre." in refused
    assert "toutes nos excuses pour l&#x27;attente" in refused, "the text typed is not lost"
    assert not Reply.objects.filter(case=case).exists()
    with pytest.raises(ValidationError, match="Ce dossier est clos"):
        do_create_reply(case, CLEAN, author=tenant.agent.user)

    # Reopened, the case takes a reply again.
    client.post(reverse("case_status", args=[case.pk]), {"status": "in_progress"})
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="reply-submit"' in page
    assert "Rouvrir le dossier" not in page
    response = client.post(
        reverse("case_reply", args=[case.pk]), {"body": CLEAN, "channel": "public", "intent": "save"}
    )
    assert response.status_code == 302
    assert Reply.objects.filter(case=case).count() == 1


# --- snippets at the cursor ----------------------------------------------------------------------------------


def test_a_snippet_goes_at_the_cursor_and_never_after_the_signature() -> None:
    body = "Bonjour Camille, merci.\n\nNous regardons.\n\nBien cordialement,\nAlice, Acme"
    signature = "Alice, Acme"
    # At the cursor, in the middle of the text.
    at = body.index("Nous")
    assert insert_snippet(body, "Un geste ?", at, signature).startswith(
        "Bonjour Camille, merci.\n\nUn geste ? Nous"
    )
    # At the end (after the signature) or without a cursor: before the closing paragraph.
    for cursor in (len(body), None, body.index("Alice")):
        result = insert_snippet(body, "Un geste ?", cursor, signature)
        assert result.index("Un geste ?") < result.index("Bien cordialement")
        assert result.endswith("Bien cordialement,\nAlice, Acme")
    # No signature at all: appended as a paragraph.
    assert insert_snippet("Bonjour.", "Merci.", None, "") == "Bonjour.\n\nMerci."


# --- the inbox: one platform once, bulk confirmations ------------------------------------------------------


def _platform_menu(page: str) -> list[tuple[str, str]]:
    """The inbox's platform filter as a reader sees it: (value, label) per option."""
    menu = re.search(r'<select name="platform"[^>]*>(.*?)</select>', page, re.S)
    assert menu is not None, page
    return [
        (value, unescape(label).strip())
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', menu.group(1))
    ]


def test_the_platform_filter_offers_each_platform_once_by_its_connectors_name(
    tenant: Tenant, login: Login
) -> None:
    org = tenant.organisation
    cases = {
        slug: make_case(org, make_mention(org, source=make_source(org, slug), text=f"avis {slug}"))
        for slug in ("twitter", "x", "google", "google_business", "facebook")
    }
    client = login(tenant.agent)
    page = client.get(reverse("inbox"), {"view": "all"}).content.decode()
    menu = _platform_menu(page)
    assert [label for _value, label in menu].count("Google Business Profile") == 1
    assert [label for _value, label in menu].count("X") == 1
    assert ("google_business", "Google Business Profile") in menu  # the dashboard's name
    assert ("x", "X") in menu
    labels = {label for _value, label in menu}
    assert not labels & {"Google", "X (Twitter, fichiers importés)"}
    assert {value for value, _label in menu} == {"", "x", "google_business", "facebook"}

    def listed(platform: str) -> set[str]:
        html = client.get(reverse("inbox"), {"view": "all", "platform": platform}).content.decode()
        return {slug for slug, case in cases.items() if case.reference in html}

    assert listed("x") == {"x", "twitter"}
    assert listed("google_business") == {"google", "google_business"}
    assert listed("facebook") == {"facebook"}
    # A link naming the older slug filters by the same platform instead of dropping the filter.
    assert listed("twitter") == {"x", "twitter"}
    assert listed("google") == {"google", "google_business"}
    # ... and its menu shows that platform chosen.
    html = client.get(reverse("inbox"), {"view": "all", "platform": "twitter"}).content.decode()
    assert re.search(r'<option value="x"[^>]*selected', html)
    # A platform Vigie knows that no case comes from: an empty list under its name, not every case.
    assert listed("tripadvisor") == set()
    html = client.get(reverse("inbox"), {"view": "all", "platform": "tripadvisor"}).content.decode()
    assert re.search(r'<option value="tripadvisor"[^>]*selected', html)
    # A value that names no platform at all is still dropped, as any invalid filter.
    assert listed("nimportequoi") == set(cases)


def test_bulk_close_and_spam_ask_for_confirmation(tenant: Tenant, login: Login) -> None:
    make_case(tenant.organisation)
    page = login(tenant.agent).get(reverse("inbox"), {"view": "all"}).content.decode()
    # One question for one ticked case, another for several (« Clore les 1 dossiers cochés ? » was asked).
    assert (
        'value="close" data-confirm-one="Clore le dossier coché ?" data-confirm="Clore les {n} dossiers'
        in page
    )
    assert 'value="spam" data-confirm-one=' in page
    assert 'value="assign_to_me" data-confirm' not in page


# --- the REST API ----------------------------------------------------------------------------------------------


def api_post(client: Client, url: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(url, json.dumps(payload), content_type="application/json")
    return response.status_code, response.json()


def test_the_api_corrects_moderates_and_closes(tenant: Tenant, api_client: ApiClient) -> None:
    case = routed(tenant, "facebook", "troll")
    agent = api_client(tenant.agent)
    status, body = api_post(agent, f"/api/v1/cases/{case.pk}/analysis", {"type": "complaint"})
    assert status == 200
    assert body["needs_answer"]
    assert body["sla_due_at"]
    assert body["no_answer_reason"] is None
    status, body = api_post(agent, f"/api/v1/cases/{case.pk}/moderate", {"action": "spam"})
    assert status == 200
    assert body["status"] == "no_answer"
    assert body["no_answer_reason"] == "spam"
    other = routed(tenant, "trustpilot", "question")  # Trustpilot lets no one hide a review
    status, body = api_post(agent, f"/api/v1/cases/{other.pk}/close", {"how": "answered_elsewhere"})
    assert status == 200
    assert body["no_answer_reason"] == "answered_elsewhere"
    status, body = api_post(agent, f"/api/v1/cases/{other.pk}/moderate", {"action": "hidden"})
    assert status == 409, body  # the platform cannot hide: the input was fine, the case's platform refuses
    assert "ne permet pas" in str(body["detail"])


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("analysis", {"type": "complaint"}),
        ("moderate", {"action": "troll"}),
        ("close", {"how": "resolved"}),
        ("private/email", {"address": "client@example.com", "body": "Bonjour"}),
        ("private/callbacks", {"phone": "0612345678", "outcome": "reached"}),
        ("private/tickets", {"reference": "ZD-1"}),
    ],
)
def test_case_actions_of_the_api_need_an_agent_of_the_organisation(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient, path: str, payload: dict[str, object]
) -> None:
    case = make_case(tenant.organisation)
    url = f"/api/v1/cases/{case.pk}/{path}"
    assert api_post(api_client(tenant.viewer), url, payload)[0] == 403
    assert api_post(api_client(other_tenant.agent), url, payload)[0] == 404


def test_the_api_moves_a_case_to_private(tenant: Tenant, api_client: ApiClient) -> None:
    case = make_case(tenant.organisation)
    agent = api_client(tenant.agent)
    status, thread = api_post(
        agent,
        f"/api/v1/cases/{case.pk}/private/email",
        {"address": "client@example.com", "subject": "Votre dossier", "body": "Bonjour, parlons-en ici."},
    )
    assert status == 201
    assert thread["address"] == "client@example.com"
    status, _ = api_post(agent, f"/api/v1/private-threads/{thread['id']}/messages", {"body": "Et ensuite."})
    assert status == 201
    assert (
        api_post(
            agent,
            f"/api/v1/cases/{case.pk}/private/callbacks",
            {"phone": "06 12 34 56 78", "outcome": "reached"},
        )[0]
        == 201
    )
    assert (
        api_post(
            agent,
            f"/api/v1/cases/{case.pk}/private/tickets",
            {"reference": "ZD-42", "url": "https://help.example.com/42"},
        )[0]
        == 201
    )
    private = api_client(tenant.viewer).get(f"/api/v1/cases/{case.pk}/private").json()
    assert [len(t["messages"]) for t in private["threads"]] == [2]
    assert "06 12" not in json.dumps(private)
    assert [t["reference"] for t in private["tickets"]] == ["ZD-42"]


def test_editing_a_reply_not_published_through_the_api_is_refused(
    tenant: Tenant, api_client: ApiClient
) -> None:
    case = make_case(tenant.organisation)
    reply = do_create_reply(case, CLEAN, author=tenant.agent.user)
    agent = api_client(tenant.agent)
    status = agent.post(
        f"/api/v1/replies/{reply.pk}/edit", json.dumps({"body": CLEAN}), content_type="application/json"
    ).status_code
    assert status == 409  # a reply Vigie did not publish: its state refuses the edit
    assert agent.post(f"/api/v1/replies/{reply.pk}/delete-on-platform").status_code == 409


# --- suggested replies --------------------------------------------------------------------------------------


def test_suggestions_rank_the_scheme_s_template_and_a_similar_published_reply(
    tenant: Tenant, login: Login
) -> None:
    from django.utils import timezone

    from vigie.inbox.models import Template
    from vigie.inbox.suggestions import suggest_replies
    from vigie.mentions.tests.factories import make_author

    org = tenant.organisation
    source = make_source(org, "facebook")
    old_author = make_author(org, platform="facebook", display_name="Camille Martin")
    past = make_case(
        org,
        make_mention(
            org,
            source=source,
            author=old_author,
            mention_type="complaint",
            themes=["remboursement"],
            text="Mon remboursement de lunettes est bloqué depuis trois semaines",
        ),
    )
    published = (
        "Bonjour Camille, nous sommes désolés pour ce délai de remboursement. Écrivez-nous en "
        f"message privé avec la référence {past.reference} pour que nous regardions. Bien cordialement, l'équipe"
    )
    Reply.objects.create(
        organisation=org,
        case=past,
        body=published,
        status="published",
        approved_at=timezone.now(),
        published_at=timezone.now(),
    )
    unrelated = make_case(org, make_mention(org, source=source, mention_type="praise", text="Super accueil"))
    Reply.objects.create(
        organisation=org,
        case=unrelated,
        body="Merci beaucoup !",
        status="published",
        published_at=timezone.now(),
    )
    author = make_author(org, platform="facebook", display_name="Jeanne Petit")
    case = make_case(
        org,
        make_mention(
            org,
            source=source,
            author=author,
            mention_type="complaint",
            themes=["remboursement"],
            text="Remboursement bloqué depuis deux semaines, toujours rien",
        ),
    )
    template = Template.objects.create(
        organisation=org, name="Excuses délai", category="apology", body=CLEAN, pre_approved=True
    )
    Case.objects.filter(pk=case.pk).update(suggested_template_ids=[template.pk])
    case.refresh_from_db()

    found = suggest_replies(case, tenant.agent)
    assert "Excuses délai" in [s.label for s in found]
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    [from_past] = [s for s in found if s.kind == "past_reply"]
    assert from_past.body.startswith("Bonjour Jeanne, nous sommes désolés")
    assert "même type" in from_past.reasons
    assert case.reference in from_past.body
    assert past.reference not in from_past.body
    assert "Merci beaucoup" not in " ".join(s.body for s in found)
    assert all(not s.blocked for s in found)
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Réponses suggérées" in page
    assert "data-use-suggestion" in page
    assert (
        "Réponses suggérées"
        not in login(tenant.viewer).get(reverse("case_detail", args=[case.pk])).content.decode()
    )


# --- a draft from a language model (a local stand-in server) ----------------------------------------------


def test_without_a_language_model_there_is_no_draft_button(
    tenant: Tenant, login: Login, settings: Any
) -> None:
    settings.LLM_BASE_URL = ""
    case = routed(tenant, "facebook", "complaint")
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Proposer un brouillon" not in page
    assert login(tenant.agent).post(reverse("case_reply_draft", args=[case.pk])).status_code == 404


def test_a_language_model_drafts_into_the_reply_box(
    tenant: Tenant, login: Login, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vigie.connectors.testing import FakePlatform

    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    draft = "Bonjour, merci pour votre message. Écrivez-nous en message privé pour en parler. L'équipe"
    with FakePlatform() as llm:
        llm.add("POST", "/v1/chat/completions", json={"choices": [{"message": {"content": draft}}]})
        settings.LLM_BASE_URL = f"{llm.url}/v1"
        settings.LLM_MODEL = "local-model"
        settings.LLM_API_KEY = "sk-test"
        case = routed(tenant, "facebook", "complaint", text="Remboursement bloqué <script>")
        client = login(tenant.agent)
        assert "Proposer un brouillon" in client.get(reverse("case_detail", args=[case.pk])).content.decode()
        assert login(tenant.viewer).post(reverse("case_reply_draft", args=[case.pk])).status_code == 403
        response = client.post(reverse("case_reply_draft", args=[case.pk]))
        assert response.status_code == 200
        assert "Écrivez-nous en message privé" in response.content.decode()
        [sent] = llm.requests_to("POST", "/v1/chat/completions")
        assert sent.headers["authorization"] == "Bearer sk-test"
        payload = sent.json()
        assert payload["model"] == "local-model"
        assert "Remboursement bloqué" in payload["messages"][1]["content"]

        llm.add("POST", "/v1/chat/completions", status=500, body=b"boom")
        failed = client.post(
            reverse("case_reply_draft", args=[case.pk]), {"body": "mon texte"}
        ).content.decode()
        assert "n&#x27;a pas répondu correctement" in failed
        assert "mon texte" in failed, "the text being written is kept"
