"""`vigie reply check`: JSON findings on standard output, exit 1 only when a finding blocks."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vigie.conftest import Tenant
from vigie.core.tests.test_settings_startup import run_vigie
from vigie.inbox.models import Template
from vigie.inbox.templating.library import DEFAULT_LIBRARY
from vigie.mentions.models import MentionType, Sentiment
from vigie.mentions.tests.factories import make_mention


def check(tmp_path: Path, text: str, *args: str) -> tuple[int, list[dict[str, object]]]:
    draft = tmp_path / "draft.txt"
    draft.write_text(text, encoding="utf-8")
    out = StringIO()
    status = 0
    try:
        call_command("reply", "check", "--text-file", str(draft), *args, stdout=out)
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    return status, json.loads(out.getvalue())


def test_a_clean_draft_prints_an_empty_list_and_exits_0(tmp_path: Path) -> None:
    status, findings = check(
        tmp_path,
        "Merci beaucoup pour votre avis, toute l'équipe est ravie !",
        "--platform",
        "x",
        "--lang",
        "fr",
    )
    assert (status, findings) == (0, [])


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    status, findings = check(tmp_path, "Thanks for your mesage!", "--platform", "x", "--lang", "en")
    assert status == 0
    assert [(f["code"], f["severity"], f["suggestion"]) for f in findings] == [
        ("spelling", "warn", "message")
    ]


def test_a_blocking_finding_exits_1(tmp_path: Path) -> None:
    status, findings = check(tmp_path, "x" * 281, "--platform", "x", "--lang", "fr")
    assert status == 1
    assert findings[0]["code"] == "too_long"
    assert (findings[0]["start"], findings[0]["end"]) == (280, 281)


def test_the_mention_is_read_in_the_organisation(
    tmp_path: Path, tenant: Tenant, other_tenant: Tenant
) -> None:
    mention = make_mention(
        tenant.organisation, language="fr", sentiment=Sentiment.NEGATIVE, mention_type=MentionType.COMPLAINT
    )
    args = ("--platform", "google_business", "--lang", "fr", "--org", "acme", "--mention", str(mention.pk))
    status, findings = check(tmp_path, "Bonjour, c'est noté.", *args)
    assert status == 0
    assert [f["code"] for f in findings] == ["incomplete_answer"]
    with pytest.raises(CommandError, match="unknown mention"):
        check(
            tmp_path,
            "Bonjour",
            "--platform",
            "x",
            "--lang",
            "fr",
            "--org",
            "globex",
            "--mention",
            str(mention.pk),
        )
    with pytest.raises(CommandError, match="needs --org"):
        check(tmp_path, "Bonjour", "--platform", "x", "--lang", "fr", "--mention", str(mention.pk))


def test_checking_as_a_manager_allows_promising_a_refund(tmp_path: Path, tenant: Tenant) -> None:
    text = "Bonjour, nous allons vous rembourser la commande."
    base = ("--platform", "facebook", "--lang", "fr", "--org", "acme")
    _, as_agent = check(tmp_path, text, *base, "--as", tenant.agent.user.email)
    _, as_manager = check(tmp_path, text, *base, "--as", tenant.manager.user.email)
    assert [f["code"] for f in as_agent] == ["unauthorised_promise"]
    assert as_manager == []


def test_the_console_script_exits_1_on_personal_data_and_2_on_a_missing_file(tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("Bonjour, rappelez-nous au 06 12 34 56 78.", encoding="utf-8")
    args = ("reply", "check", "--platform", "x", "--lang", "fr")
    result = run_vigie(tmp_path, *args, "--text-file", str(draft))
    assert result.returncode == 1, result.stderr
    assert [f["code"] for f in json.loads(result.stdout)] == ["personal_data"]
    missing = run_vigie(tmp_path, *args, "--text-file", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr


def test_the_default_library_is_loaded_for_an_organisation_once(tenant: Tenant) -> None:
    out = StringIO()
    call_command("reply", "templates", "--org", "acme", stdout=out)
    assert out.getvalue().strip() == f"{len(DEFAULT_LIBRARY)} template(s) added"
    again = StringIO()
    call_command("reply", "templates", "--org", "acme", stdout=again)
    assert again.getvalue().strip() == "0 template(s) added"
    assert Template.objects.filter(organisation=tenant.organisation).count() == len(DEFAULT_LIBRARY)
    with pytest.raises(CommandError, match="unknown organisation"):
        call_command("reply", "templates", "--org", "nope")
