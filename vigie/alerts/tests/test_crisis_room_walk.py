"""What a walk of the crisis room found: a draft statement showed no way forward to a manager who
is not the spokesperson (no button, no word): the room names who approves it, or says that no
spokesperson is named yet; the English room and post-mortem wrote French colons ("Severity : …").
"""

from __future__ import annotations

import re
import zlib
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone, translation

from vigie.alerts.actions import incident_explanation
from vigie.alerts.crisis.actions import (
    ActionIn,
    do_approve_statement,
    do_assign_crisis_role,
    do_close_crisis,
    do_draft_statement,
    do_open_crisis,
    do_publish_statement,
)
from vigie.alerts.crisis.publishing import do_confirm_statement_posted_by_hand
from vigie.alerts.models import Crisis, Statement
from vigie.alerts.queries import crisis_report_lines, incident_breakdown
from vigie.analysis.models import Theme
from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_mention, make_source

BODY = "Nous avons connaissance des difficultés signalées. Nous reviendrons vers vous à 18 h."


def _card(page: str) -> str:
    start = page.index('class="statement"')
    return page[start : page.index("</article>", start)]


def test_a_draft_names_who_approves_it_to_those_who_cannot(tenant: Tenant, login: Any) -> None:
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Portail en panne")
    do_draft_statement(crisis, BODY, actor=tenant.manager.user, membership=tenant.manager)
    room = reverse("crisis_detail", args=[crisis.pk])

    card = _card(login(tenant.manager).get(room).content.decode())
    assert "aucun porte-parole n'est désigné dans la cellule de crise" in card
    assert "/approve/" not in card

    do_assign_crisis_role(crisis, "spokesperson", tenant.agent.user.pk, actor=tenant.manager.user)
    for member in (tenant.manager, tenant.viewer):
        card = _card(login(member).get(room).content.decode())
        assert f"À faire approuver par le porte-parole, {tenant.agent.user}." in card
    # The spokesperson gets the button, not the note.
    card = _card(login(tenant.agent).get(room).content.decode())
    assert "/approve/" in card
    assert "À faire approuver" not in card


def _pdf_text(data: bytes) -> str:
    """The text drawn in the PDF's pages (its content streams inflated; fpdf2 writes Latin-1)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "".join(re.findall(r"\((.*?)\) ?Tj", "\n".join(chunks)))


def test_the_english_room_and_post_mortem_write_colons_the_english_way(tenant: Tenant, login: Any) -> None:
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Portal down")
    do_assign_crisis_role(crisis, "spokesperson", tenant.manager.user.pk, actor=tenant.manager.user)
    account = make_source(tenant.organisation, platform="instagram", name="Instagram account")
    statement = do_draft_statement(crisis, BODY, actor=tenant.manager.user, membership=tenant.manager)
    statement = do_approve_statement(statement, actor=tenant.manager.user)
    do_publish_statement(statement, actor=tenant.manager.user, source_ids=[account.pk])
    do_set_user_language(tenant.manager.user, "en")
    client = login(tenant.manager)
    card = _card(client.get(reverse("crisis_detail", args=[crisis.pk])).content.decode())
    assert "Instagram account: <span" in card
    assert "Instagram account : " not in card

    do_close_crisis(
        crisis,
        actor=tenant.manager.user,
        causes="Migration.",
        what_worked="Quick cell.",
        what_did_not="Late statement.",
        actions=[ActionIn("Check the sendings", tenant.manager.user.pk, date(2030, 1, 31))],
    )
    text = _pdf_text(client.get(reverse("crisis_report", args=[crisis.pk, "pdf"])).content)
    assert "Post-mortem: Portal down" in text
    assert " : " not in text


def test_an_incidents_english_explanation_names_the_theme_in_english(tenant: Tenant) -> None:
    """The inbox banner read "Estimated reach over ×20 in 2 h, mostly Remboursements" in English:
    the default taxonomy's theme is named in each language; an organisation's own theme keeps its
    own label in both."""
    org = tenant.organisation
    now = timezone.now()
    source = make_source(org, platform="trustpilot")
    for n in range(6):
        make_mention(
            org,
            source=source,
            created_at=now - timedelta(minutes=10 + n),
            sentiment=Sentiment.NEGATIVE,
            themes=["remboursement"],
            text=f"Toujours pas remboursé {n}",
        )
    breakdown = incident_breakdown(org, now - timedelta(hours=1), now)
    french, english = incident_explanation(("Audience ×3 en 1 h", "Reach ×3 in 1 h"), breakdown, 1)
    assert "surtout Remboursements" in french
    assert "mostly Refunds" in english

    Theme.objects.create(organisation=org, slug="remboursement", label="Remboursements santé")
    breakdown = incident_breakdown(org, now - timedelta(hours=1), now)
    french, english = incident_explanation(("Audience ×3 en 1 h", "Reach ×3 in 1 h"), breakdown, 1)
    assert "surtout Remboursements santé" in french
    assert "mostly Remboursements santé" in english


def test_the_reports_crisis_line_reads_in_words_for_its_period(tenant: Tenant) -> None:
    """The management report's crisis line read "ouverte depuis le 06/12/2026 : 1 déclaration(s)
    publiée(s), 0/0 action(s) corrective(s) terminée(s)", and a past week's report counted the
    statements published after it."""
    org = tenant.organisation
    paris = ZoneInfo("Europe/Paris")
    crisis = do_open_crisis(org, actor=tenant.manager.user, title="Portail en panne")
    Crisis.objects.filter(pk=crisis.pk).update(started_at=datetime(2026, 12, 6, 23, 30, tzinfo=paris))
    do_assign_crisis_role(crisis, "spokesperson", tenant.manager.user.pk, actor=tenant.manager.user)
    account = make_source(org, platform="instagram", name="Instagram")
    statement = do_draft_statement(crisis, BODY, actor=tenant.manager.user, membership=tenant.manager)
    statement = do_approve_statement(statement, actor=tenant.manager.user)
    do_publish_statement(statement, actor=tenant.manager.user, source_ids=[account.pk])
    publication = statement.publications.get()
    do_confirm_statement_posted_by_hand(publication, actor=tenant.manager.user)
    Statement.objects.filter(pk=statement.pk).update(published_at=datetime(2026, 12, 8, 9, tzinfo=paris))

    week = (datetime(2026, 11, 30, tzinfo=paris), datetime(2026, 12, 7, tzinfo=paris))
    (line,) = crisis_report_lines(org, *week)
    assert line == (
        "Portail en panne (Attention), ouverte depuis le 6 décembre 2026 : aucune déclaration "
        "publiée, aucune action corrective"
    )
    (line,) = crisis_report_lines(org, week[0], datetime(2026, 12, 14, tzinfo=paris))
    assert "ouverte depuis le 6 décembre 2026 : 1 déclaration publiée, aucune action corrective" in line
    with translation.override("en"):
        (line,) = crisis_report_lines(org, week[0], datetime(2026, 12, 14, tzinfo=paris))
    assert line.endswith("open since December 6, 2026: 1 statement published, no corrective action")
