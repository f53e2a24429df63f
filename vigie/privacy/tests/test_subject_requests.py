"""Data subject requests: a person's data is found across sources, exported, then erased; the audit
log keeps the fact, not the data; another organisation's people are never touched."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vigie.conftest import Tenant
from vigie.core.models import AuditEvent
from vigie.core.queries import verify_audit_chain
from vigie.inbox.models import CallbackLog, Note, PrivateMessage, PrivateThread, Reply
from vigie.mentions.models import Author, Mention
from vigie.privacy.tests.worlds import Person, marie


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.fixture
def person(tenant: Tenant) -> Person:
    return marie(tenant.organisation)


def test_a_subject_is_exported_across_sources_by_handle(person: Person, tmp_path: Path) -> None:
    out = tmp_path / "marie.json"
    result = run("privacy", "export", "--org", "acme", "--subject", "@marie_d", "--out", str(out))
    assert result["found"]["authors"] == 1
    export = json.loads(out.read_text(encoding="utf-8"))
    texts = {m["text"]: m["relation"] for m in export["mentions"]}
    assert texts["@acme colis perdu, encore !"] == "author"
    assert texts["Comme @marie_d je n'ai rien reçu. Écrivez à marie.dupont@example.com"] == "named"
    assert "Très bon accueil." not in texts
    html = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "colis perdu" in html
    assert "<script" not in html


def test_a_subject_is_found_by_email_phone_and_full_name(person: Person, tmp_path: Path) -> None:
    out = tmp_path / "by-email.json"
    run("privacy", "export", "--org", "acme", "--subject", "marie.dupont@example.com", "--out", str(out))
    export = json.loads(out.read_text(encoding="utf-8"))
    assert export["private_threads"][0]["messages"][0]["body"] == "J'habite 3 rue des Lilas, Paris."
    assert len(export["mentions"]) == 1  # the mention that gives her address
    out = tmp_path / "by-phone.json"
    run("privacy", "export", "--org", "acme", "--subject", "06.12.34.56.78", "--out", str(out))
    export = json.loads(out.read_text(encoding="utf-8"))
    assert [c["phone"] for c in export["callbacks"]] == ["+33 6 12 34 56 78"]
    out = tmp_path / "by-name.json"
    run("privacy", "export", "--org", "acme", "--subject", "Marie Dupont", "--out", str(out))
    export = json.loads(out.read_text(encoding="utf-8"))
    assert {a["platform"] for a in export["authors"]} == {"twitter", "google"}
    (case,) = export["cases"]
    assert case["replies"][0]["body"] == "Bonjour Marie Dupont, nous sommes désolés."
    assert export["private_threads"][0]["address"] == "marie.dupont@example.com"


def test_erasure_clears_the_person_everywhere_and_audits_only_the_fact(
    person: Person, tenant: Tenant
) -> None:
    result = run("privacy", "erase", "--org", "acme", "--subject", "Marie Dupont", "--redact-naming", "all")
    counts = result["counts"]
    assert counts["mentions_pseudonymised"] == 2
    assert counts["authors_deleted"] == 2
    assert not Author.objects.filter(pk__in=[person.twitter_author.pk, person.google_author.pk]).exists()
    tweet = Mention.objects.get(pk=person.tweet.pk)
    assert tweet.text.startswith("[contenu effacé à la demande de la personne (RGPD) le ")
    assert (tweet.url, tweet.author_id, list(tweet.raw)) == ("", None, ["erased_at"])
    review = Mention.objects.get(pk=person.review.pk)
    assert "Livraison" not in review.text
    assert review.rating == 1
    naming = Mention.objects.get(pk=person.naming.pk).text
    assert "marie" not in naming.lower()
    assert "[effacé]" in naming
    assert Mention.objects.get(pk=person.unrelated.pk).text == "Très bon accueil."
    assert "Marie" not in Reply.objects.get(case=person.case).body
    assert "Marie" not in Note.objects.get(case=person.case).body
    thread = PrivateThread.objects.get(pk=person.thread.pk)
    assert thread.address == ""
    assert "Lilas" not in PrivateMessage.objects.get(thread=thread).body
    assert CallbackLog.objects.get(pk=person.callback.pk).phone == ""
    event = AuditEvent.objects.for_org(tenant.organisation).get(verb="privacy.subject_erased")
    recorded = json.dumps(event.data, ensure_ascii=False).lower()
    assert "marie" not in recorded
    assert "dupont" not in recorded
    assert event.data["counts"]["authors_deleted"] == 2
    assert verify_audit_chain(tenant.organisation).ok


def test_a_dry_run_counts_and_changes_nothing(person: Person, tenant: Tenant) -> None:
    def snapshot() -> list[Any]:
        return [
            list(Mention.objects.order_by("pk").values_list("text", "author_id")),
            list(Author.objects.order_by("pk").values_list("handle", "display_name")),
            list(PrivateMessage.objects.values_list("body", flat=True)),
            list(Reply.objects.values_list("body", flat=True)),
            AuditEvent.objects.count(),
        ]

    before = snapshot()
    result = run("privacy", "erase", "--org", "acme", "--subject", "@marie_d", "--dry-run")
    assert result["dry_run"] is True
    assert result["counts"]["mentions_pseudonymised"] == 1
    assert snapshot() == before


def test_another_organisations_person_is_neither_found_nor_erased(
    person: Person, tenant: Tenant, other_tenant: Tenant, tmp_path: Path
) -> None:
    out = tmp_path / "globex.json"
    result = run("privacy", "export", "--org", "globex", "--subject", "@marie_d", "--out", str(out))
    assert result["found"]["authors"] == 0
    assert json.loads(out.read_text(encoding="utf-8"))["mentions"] == []
    run("privacy", "erase", "--org", "globex", "--subject", "Marie Dupont")
    assert Author.objects.filter(pk=person.twitter_author.pk).exists()
    assert Mention.objects.get(pk=person.tweet.pk).text == "@acme colis perdu, encore !"


@pytest.mark.parametrize("subject", ["", "@", "x" * 300, "12"])
def test_an_unusable_subject_is_refused_with_a_clear_error(person: Person, subject: str) -> None:
    with pytest.raises(CommandError, match="--subject"):
        call_command("privacy", "erase", "--org", "acme", "--subject", subject, stdout=StringIO())
    assert Author.objects.filter(pk=person.twitter_author.pk).exists()


def test_a_legal_hold_mention_stays_through_export_erasure_and_retention(
    person: Person, tenant: Tenant, tmp_path: Path
) -> None:
    # A hold placed through the evidence app's own action: the one path a legal team uses.
    from vigie.evidence.actions import do_place_legal_hold

    do_place_legal_hold(person.tweet, actor=tenant.admin.user)
    out = tmp_path / "marie.json"
    run("privacy", "export", "--org", "acme", "--subject", "@marie_d", "--out", str(out))
    held = [m for m in json.loads(out.read_text(encoding="utf-8"))["mentions"] if m["legal_hold"]]
    assert [m["id"] for m in held] == [person.tweet.pk]
    counts = run("privacy", "erase", "--org", "acme", "--subject", "@marie_d")["counts"]
    assert counts["mentions_kept_for_legal_hold"] == 1
    tweet = Mention.objects.get(pk=person.tweet.pk)
    assert tweet.text == "@acme colis perdu, encore !"
    assert tweet.author_id == person.twitter_author.pk
    assert Author.objects.filter(pk=person.twitter_author.pk).exists()
    # Retention does not touch it either, however old it is.
    Mention.objects.filter(pk=person.tweet.pk).update(created_at=tweet.created_at.replace(year=2000))
    run("retention", "run", "--org", "acme")
    assert Mention.objects.get(pk=person.tweet.pk).text == "@acme colis perdu, encore !"


def test_erasure_clears_what_alerts_and_notifications_quote(person: Person, tenant: Tenant) -> None:
    from vigie.alerts.models import Alert, AlertRule, Delivery
    from vigie.core.actions import do_notify
    from vigie.core.models import Notification

    alert = Alert.objects.create(
        organisation=tenant.organisation,
        key=f"influencer:mention:{person.tweet.pk}",
        rule=AlertRule.INFLUENCER,
        title="Auteur influent (20000 abonnés) · Marie Dupont",
        title_en="Influential author (20000 followers) · Marie Dupont",
        explanation="20000 abonnés : « @acme colis perdu, encore ! »",
        mention=person.tweet,
    )
    Delivery.objects.create(
        organisation=tenant.organisation,
        dedupe_key="d1",
        event="alert.opened",
        alert=alert,
        recipient=tenant.manager.user,
        notice={"title": alert.title, "body": alert.explanation, "url": "/alerts/1/"},
    )
    do_notify(tenant.organisation, tenant.manager.user, "alert.opened", alert.title, body=alert.explanation)
    run("privacy", "erase", "--org", "acme", "--subject", "@marie_d")
    alert.refresh_from_db()
    assert (alert.title, alert.explanation) == ("Auteur influent (20000 abonnés)", "")
    notice = Delivery.objects.get(alert=alert).notice
    assert "Marie" not in json.dumps(notice)
    assert notice["url"] == "/alerts/1/"
    notification = Notification.objects.get(recipient=tenant.manager.user, event="alert.opened")
    assert (notification.title, notification.body) == ("Auteur influent (20000 abonnés)", "")
