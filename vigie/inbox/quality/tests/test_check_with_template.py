"""A draft started from a pre-approved template is judged the same way by the reply composer,
``POST /api/v1/replies/check`` (``template_id``) and ``vigie reply check --template``: kept as is,
it is not asked for a more complete answer; a template of another organisation is not found."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.actions import gate_findings
from vigie.inbox.models import Case, ReplyStatus, Template
from vigie.inbox.templating.actions import TemplateFields, do_create_template
from vigie.inbox.templating.render import render_template, template_context
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.models import MentionType, Sentiment
from vigie.mentions.tests.factories import make_author, make_mention, make_source

ApiClient = Callable[[Membership], Client]
# What the managers approved: no apology, no private channel. The gate would ask an agent's own
# reply for both; a pre-approved template kept as is is the managers' call.
BODY = (
    "Bonjour {{customer_name}}, merci pour votre avis. Votre dossier {{case_reference}} est transmis à "
    "l'agence, qui l'étudie avec attention et revient vers vous dans les meilleurs délais."
)


def _template(tenant: Tenant, *, pre_approved: bool, name: str = "Transmis") -> Template:
    return do_create_template(
        tenant.organisation,
        TemplateFields(
            name=name, category="information", language="fr", body=BODY, pre_approved=pre_approved
        ),
        actor=None,
    )


def _complaint_case(tenant: Tenant) -> Case:
    mention = make_mention(
        tenant.organisation,
        source=make_source(tenant.organisation, platform="google_business"),
        author=make_author(tenant.organisation, display_name="Sophie Martin"),
        text="Trois semaines sans nouvelles de mon dossier, c'est inadmissible.",
        language="fr",
        sentiment=Sentiment.NEGATIVE,
        mention_type=MentionType.COMPLAINT,
        rating=1,
    )
    return make_case(tenant.organisation, mention)


def _api(client: Client, text: str, case: Case, template: Template | None) -> list[str]:
    payload: dict[str, object] = {
        "text": text,
        "platform": "google_business",
        "language": "fr",
        "mention_id": case.mention_id,
    }
    if template is not None:
        payload["template_id"] = template.pk
    response = client.post("/api/v1/replies/check", json.dumps(payload), content_type="application/json")
    assert response.status_code == 200, response.content
    return [finding["code"] for finding in response.json()]


def _cli(tmp_path: Path, text: str, *args: str) -> list[str]:
    draft = tmp_path / "draft.txt"
    draft.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command(
        "reply",
        "check",
        "--text-file",
        str(draft),
        "--platform",
        "google_business",
        "--lang",
        "fr",
        "--org",
        "acme",
        "--as",
        "agent@acme.example",
        *args,
        stdout=out,
    )
    return [finding["code"] for finding in json.loads(out.getvalue())]


def test_a_pre_approved_template_kept_as_is_passes_in_the_composer_the_api_and_the_cli(
    tenant: Tenant, api_client: ApiClient, tmp_path: Path
) -> None:
    case = _complaint_case(tenant)
    template = _template(tenant, pre_approved=True)
    text = render_template(BODY, template_context(case, tenant.agent)).text
    assert text.startswith("Bonjour Sophie, merci pour votre avis. Votre dossier C-")
    # The web composer: a reply started from the template, its text kept.
    composer = [f.code for f in gate_findings(make_reply(case, template=template, body=text), tenant.agent)]
    assert "incomplete_answer" not in composer
    client = api_client(tenant.agent)
    mention = ("--mention", str(case.mention_id))
    # Without saying where the draft came from, the API and the CLI ask for the missing parts...
    assert "incomplete_answer" in _api(client, text, case, None)
    assert "incomplete_answer" in _cli(tmp_path, text, *mention)
    # ...with the template, they judge it as the composer does.
    assert _api(client, text, case, template) == composer
    assert _cli(tmp_path, text, *mention, "--template", str(template.pk)) == composer


def test_without_a_mention_the_template_s_own_phrases_are_not_a_copy(
    tenant: Tenant, api_client: ApiClient, tmp_path: Path
) -> None:
    # A recent reply on Google used the same pre-approved template: the template's words are not a
    # copy of it once the draft says which template it came from (rendered without a case).
    template = _template(tenant, pre_approved=True)
    tail = " est transmis à l'agence, qui l'étudie avec attention et revient vers vous dans les meilleurs délais."
    sent = "Bonjour Marc, merci pour votre avis. Votre dossier C-000041" + tail
    make_reply(_complaint_case(tenant), body=sent, status=ReplyStatus.PUBLISHED, published_at=timezone.now())
    text = "Bonjour Sophie, merci pour votre avis. Votre dossier C-000042" + tail
    client = api_client(tenant.agent)
    payload = {"text": text, "platform": "google_business", "language": "fr"}

    def codes(extra: dict[str, object]) -> list[str]:
        response = client.post(
            "/api/v1/replies/check", json.dumps({**payload, **extra}), content_type="application/json"
        )
        assert response.status_code == 200
        return [f["code"] for f in response.json()]

    assert codes({}) == ["generic_reply"]
    assert codes({"template_id": template.pk}) == []
    assert _cli(tmp_path, text) == ["generic_reply"]
    assert _cli(tmp_path, text, "--template", str(template.pk)) == []


def test_a_template_not_pre_approved_or_edited_too_far_is_checked_like_any_draft(
    tenant: Tenant, api_client: ApiClient, tmp_path: Path
) -> None:
    case = _complaint_case(tenant)
    client = api_client(tenant.agent)
    plain = _template(tenant, pre_approved=False, name="Non approuvé")
    text = render_template(BODY, template_context(case, tenant.agent)).text
    assert "incomplete_answer" in _api(client, text, case, plain)
    assert "incomplete_answer" in _cli(
        tmp_path, text, "--mention", str(case.mention_id), "--template", str(plain.pk)
    )
    approved = _template(tenant, pre_approved=True)
    rewritten = (
        "Bonjour, nous avons bien lu votre avis et le dossier part aujourd'hui à l'agence de Lyon pour étude."
    )
    assert "incomplete_answer" in _api(client, rewritten, case, approved)
    assert "incomplete_answer" in _cli(
        tmp_path, rewritten, "--mention", str(case.mention_id), "--template", str(approved.pk)
    )


def test_another_organisations_template_is_unknown_to_the_cli(
    tenant: Tenant, other_tenant: Tenant, tmp_path: Path
) -> None:
    theirs = do_create_template(
        other_tenant.organisation,
        TemplateFields(name="T", category="thanks", language="fr", body="Merci", pre_approved=True),
        actor=None,
    )
    with pytest.raises(CommandError, match=f"unknown template {theirs.pk} in 'acme'"):
        _cli(tmp_path, "Merci", "--template", str(theirs.pk))
    draft = tmp_path / "draft.txt"
    draft.write_text("Merci", encoding="utf-8")
    with pytest.raises(CommandError, match="--template needs --org"):
        call_command(
            "reply", "check", "--text-file", str(draft), "--platform", "x", "--lang", "fr", "--template", "1"
        )
