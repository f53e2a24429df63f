"""The bell's list follows its reader's language: a member who switches to English reads in
English the notifications written to them in French (and the other way round)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from vigie.alerts.actions import Finding, do_record_finding
from vigie.conftest import Tenant
from vigie.core import jobs
from vigie.core.actions import do_notify, do_set_user_language
from vigie.core.models import Membership, Notification

Login = Callable[[Membership], Client]

TITLE = "Risque juridique ou menace · @dupont"
TITLE_EN = "Legal risk or threatening message · @dupont"
EXPLANATION = "Une mention accuse nommément le directeur."
EXPLANATION_EN = "A mention accuses the director by name."


def test_an_alert_notification_follows_its_readers_language_switch(
    tenant: Tenant, login: Login, django_capture_on_commit_callbacks: Any
) -> None:
    finding = Finding(
        key="legal_risk:mention:1",
        rule="legal_risk",
        title=TITLE,
        title_en=TITLE_EN,
        severity="critical",
        explanation=EXPLANATION,
        explanation_en=EXPLANATION_EN,
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_record_finding(tenant.organisation, finding)
    jobs.run_pending()
    notice = Notification.objects.get(recipient=tenant.viewer.user, event="alert.opened")
    assert (notice.title, notice.body) == (TITLE, EXPLANATION)  # written in French

    client = login(tenant.viewer)
    page = client.get(reverse("notifications")).content.decode()
    assert escape(TITLE) in page
    do_set_user_language(tenant.viewer.user, "en")
    page = client.get(reverse("notifications")).content.decode()
    assert escape(TITLE_EN) in page
    assert escape(EXPLANATION_EN) in page
    assert escape(TITLE) not in page


def test_translatable_text_is_kept_in_each_language_and_plain_text_as_it_is(
    tenant: Tenant, login: Login
) -> None:
    from django.utils.translation import gettext_lazy

    user = tenant.viewer.user
    do_set_user_language(user, "en")
    do_notify(tenant.organisation, user, "test.lazy", gettext_lazy("Aucune mention sur la période."))
    do_notify(tenant.organisation, user, "test.plain", "Texte fourni tel quel")
    lazy = Notification.objects.get(event="test.lazy")
    assert lazy.title == "No mention in the period."  # the recipient's language, as before
    assert lazy.texts["fr"]["title"] == "Aucune mention sur la période."
    assert Notification.objects.get(event="test.plain").texts == {}
    do_set_user_language(user, "fr")
    page = login(tenant.viewer).get(reverse("notifications")).content.decode()
    assert escape("Aucune mention sur la période.") in page
    assert "No mention in the period." not in page
    assert "Texte fourni tel quel" in page


def test_erasing_an_authors_data_clears_every_language_of_a_notification(
    tenant: Tenant, login: Login, django_capture_on_commit_callbacks: Any
) -> None:
    from vigie.alerts.actions import do_forget_alert_texts
    from vigie.alerts.models import Alert
    from vigie.core.actions import do_forget_notification_texts
    from vigie.mentions.tests.factories import make_mention

    mention = make_mention(tenant.organisation, text="Le directeur est un escroc")
    finding = Finding(
        key=f"legal_risk:mention:{mention.pk}",
        rule="legal_risk",
        title=TITLE,
        title_en=TITLE_EN,
        severity="critical",
        explanation=EXPLANATION,
        explanation_en=EXPLANATION_EN,
        mention_id=mention.pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_record_finding(tenant.organisation, finding)
    jobs.run_pending()
    assert Alert.objects.get(mention=mention)
    do_forget_notification_texts(
        tenant.organisation, do_forget_alert_texts(tenant.organisation, [mention.pk])
    )
    notice = Notification.objects.get(recipient=tenant.viewer.user, event="alert.opened")
    assert "@dupont" not in f"{notice.title} {notice.texts}"
    assert EXPLANATION_EN not in str(notice.texts)
    do_set_user_language(tenant.viewer.user, "en")
    page = login(tenant.viewer).get(reverse("notifications")).content.decode()
    assert "Legal risk or threatening message" in page
    assert "@dupont" not in page
