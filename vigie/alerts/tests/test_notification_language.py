"""An alert reaches each member in their language (theirs, else the organisation's): the in-app
notification as the e-mail, when opened and when escalated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from vigie.alerts.actions import Finding, do_record_finding
from vigie.alerts.tasks import escalate
from vigie.conftest import Tenant
from vigie.core import jobs
from vigie.core.models import Membership, Notification, User

TITLE = "Risque juridique ou menace · @dupont"
TITLE_EN = "Legal risk or threatening message · @dupont"
EXPLANATION = "Une mention accuse nommément le directeur."
EXPLANATION_EN = "A mention accuses the director by name."


def _finding() -> Finding:
    return Finding(
        key="legal_risk:mention:1",
        rule="legal_risk",
        title=TITLE,
        title_en=TITLE_EN,
        severity="critical",  # no quiet hours: the e-mails leave at once
        explanation=EXPLANATION,
        explanation_en=EXPLANATION_EN,
    )


def speaks(member: Membership, language: str) -> User:
    user = member.user
    user.language = language
    user.save(update_fields=["language"])
    return user


def test_an_alert_is_notified_and_mailed_in_each_members_language(
    tenant: Tenant, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    english, french = speaks(tenant.agent, "en"), speaks(tenant.viewer, "")
    with django_capture_on_commit_callbacks(execute=True):
        do_record_finding(tenant.organisation, _finding())
    for _round in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            jobs.run_pending()

    notice = Notification.objects.get(recipient=english, event="alert.opened")
    assert (notice.title, notice.body) == (TITLE_EN, EXPLANATION_EN)
    notice = Notification.objects.get(recipient=french, event="alert.opened")
    assert (notice.title, notice.body) == (TITLE, EXPLANATION)

    mails = {m["X-Rcpt-To"]: m for m in smtp_server.messages}
    to_english, to_french = mails[english.email], mails[french.email]
    assert TITLE_EN in to_english["Subject"]
    assert "[Critical]" in to_english["Subject"]
    assert EXPLANATION_EN in to_english.get_body(("plain",)).get_content()
    assert TITLE in to_french["Subject"]
    assert "[Critique]" in to_french["Subject"]
    assert EXPLANATION in to_french.get_body(("plain",)).get_content()


def test_an_escalated_alert_reaches_each_manager_in_their_language(tenant: Tenant) -> None:
    english, french = speaks(tenant.manager, "en"), speaks(tenant.admin, "")
    do_record_finding(tenant.organisation, _finding(), now=timezone.now() - timedelta(minutes=31))
    escalate()
    assert Notification.objects.get(recipient=english, event="alert.escalated").title == (
        f"[Escalated] {TITLE_EN}"
    )
    assert Notification.objects.get(recipient=french, event="alert.escalated").title == f"[Escalade] {TITLE}"
