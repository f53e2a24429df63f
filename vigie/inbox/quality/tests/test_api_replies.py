"""POST /api/v1/replies/check: the quality gate over the API."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.templating.actions import TemplateFields, do_create_template
from vigie.mentions.models import MentionType, Sentiment
from vigie.mentions.tests.factories import make_mention

ApiClient = Callable[[Membership], Client]
URL = "/api/v1/replies/check"


def post(client: Client, payload: dict[str, object], **headers: str) -> tuple[int, object]:
    response = client.post(URL, json.dumps(payload), content_type="application/json", headers=headers)
    return response.status_code, response.json()


def test_an_agent_gets_every_finding_with_code_severity_message_and_span(
    tenant: Tenant, api_client: ApiClient
) -> None:
    text = "Bonjour, rappelez Marie au 06 12 34 56 78 !!!"
    status, body = post(
        api_client(tenant.agent), {"text": text, "platform": "google_business", "language": "fr"}
    )
    assert status == 200
    assert isinstance(body, list)
    assert body[0] == {
        "code": "personal_data",
        "severity": "block",
        "message": body[0]["message"],
        "start": text.index("06"),
        "end": text.index("06") + len("06 12 34 56 78"),
    }
    assert "message privé" in body[0]["message"]
    assert {"code": "punctuation", "severity": "warn"}.items() <= body[1].items()
    assert body[1]["suggestion"] == "!"


def test_messages_follow_the_accept_language_header(tenant: Tenant, api_client: ApiClient) -> None:
    status, body = post(
        api_client(tenant.agent),
        {"text": " ", "platform": "x", "language": "en"},
        **{"Accept-Language": "en"},
    )
    assert status == 200
    assert body == [
        {
            "code": "empty",
            "severity": "block",
            "message": "The reply is empty: write a message before sending it.",
        }
    ]


def test_a_good_reply_has_no_finding(tenant: Tenant, api_client: ApiClient) -> None:
    mention = make_mention(tenant.organisation, language="en", sentiment=Sentiment.POSITIVE)
    status, body = post(
        api_client(tenant.agent),
        {
            "text": "Hello Sam, thank you for your kind review! The whole team is delighted we could help.",
            "platform": "google_business",
            "language": "en",
            "mention_id": mention.pk,
        },
    )
    assert (status, body) == (200, [])


def test_the_mention_makes_the_gate_check_a_complaint_answer(tenant: Tenant, api_client: ApiClient) -> None:
    mention = make_mention(
        tenant.organisation, language="fr", sentiment=Sentiment.NEGATIVE, mention_type=MentionType.COMPLAINT
    )
    payload = {"text": "Bonjour, c'est noté.", "platform": "google_business", "language": "fr"}
    _, without = post(api_client(tenant.agent), payload)
    _, with_mention = post(api_client(tenant.agent), {**payload, "mention_id": mention.pk})
    assert "incomplete_answer" not in [f["code"] for f in without]  # type: ignore[index, union-attr]
    assert "incomplete_answer" in [f["code"] for f in with_mention]  # type: ignore[index, union-attr]


def test_a_private_channel_and_the_template_s_own_contacts_are_not_personal_data(
    tenant: Tenant, api_client: ApiClient
) -> None:
    template = do_create_template(
        tenant.organisation,
        TemplateFields(
            name="Contact", category="information", language="fr", body="Appelez le 01 44 55 66 77."
        ),
        actor=None,
    )
    client = api_client(tenant.agent)
    text = "Bonjour, appelez le 01 44 55 66 77."
    _, public = post(client, {"text": text, "platform": "facebook", "language": "fr"})
    _, from_template = post(
        client, {"text": text, "platform": "facebook", "language": "fr", "template_id": template.pk}
    )
    _, by_email = post(client, {"text": text, "platform": "facebook", "language": "fr", "channel": "email"})
    assert [f["code"] for f in public] == ["personal_data"]  # type: ignore[index, union-attr]
    assert from_template == []
    assert by_email == []


def test_a_viewer_may_not_use_the_gate(tenant: Tenant, api_client: ApiClient) -> None:
    status, _ = post(api_client(tenant.viewer), {"text": "Merci", "platform": "x", "language": "fr"})
    assert status == 403


def test_another_organisations_mention_or_template_is_not_found(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient
) -> None:
    theirs = make_mention(other_tenant.organisation)
    client = api_client(tenant.agent)
    status, _ = post(client, {"text": "Merci", "platform": "x", "language": "fr", "mention_id": theirs.pk})
    assert status == 404
    template = do_create_template(
        other_tenant.organisation,
        TemplateFields(name="T", category="thanks", language="fr", body="Merci"),
        actor=None,
    )
    status, _ = post(client, {"text": "Merci", "platform": "x", "language": "fr", "template_id": template.pk})
    assert status == 404


def test_bad_input_is_refused_with_the_offending_field(tenant: Tenant, api_client: ApiClient) -> None:
    client = api_client(tenant.agent)
    status, body = post(client, {"text": "Merci", "platform": "X Twitter!", "language": "fr"})
    assert status == 422
    assert body["detail"][0]["loc"][-1] == "platform"  # type: ignore[index, call-overload]
    status, body = post(client, {"text": "Merci", "platform": "x", "language": "de"})
    assert status == 422
    status, _ = post(client, {"text": "a" * 20_001, "platform": "x", "language": "fr"})
    assert status == 422


def test_without_a_token_the_answer_is_401(db: None) -> None:
    assert Client().post(URL, "{}", content_type="application/json").status_code == 401


def test_messages_are_in_the_token_owners_interface_language(tenant: Tenant, api_client: ApiClient) -> None:
    user = tenant.agent.user
    user.language = "en"
    user.save()
    status, body = post(api_client(tenant.agent), {"text": "", "platform": "x", "language": "fr"})
    assert status == 200
    assert body == [
        {
            "code": "empty",
            "severity": "block",
            "message": "The reply is empty: write a message before sending it.",
        }
    ]
