"""What a walk of the demo found on the dashboard, the drill-down list, the theme board, the
exports and the reports page: survey answers named "Webhook signé", a period of the URL set aside
without a word (and exported as another), the schedules' raw period keys, an empty CSAT card."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language
from vigie.core.models import Membership
from vigie.insights.actions import do_create_scheduled_report
from vigie.insights.models import ScheduledReport
from vigie.insights.queries.breakdowns import platform_split_with_surveys
from vigie.insights.report_format import period_words
from vigie.insights.reports import parse_period
from vigie.mentions.models import MentionKind, Sentiment
from vigie.mentions.tests.factories import make_mention, make_source

Login = Callable[[Membership], Client]


def _platform_table(html: str) -> list[tuple[str, str, int]]:
    """The dashboard's platform split as a reader sees it: (name, link, mentions) per row."""
    section = html.split('aria-labelledby="platforms-title"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr><td><a href="([^"]+)">([^<]+)</a></td><td class="num">(\d+)</td>', section)
    return [(name, unescape(link), int(count)) for link, name, count in rows]


def _survey_webhook(tenant: Tenant) -> None:
    """A survey tool's answers pushed by a signed webhook, beside one ordinary webhook mention,
    and a Google review."""
    org = tenant.organisation
    now = timezone.now()
    webhook = make_source(org, platform="webhook", name="Enquête après contact")
    for hours, sentiment in ((2, Sentiment.NEGATIVE), (3, Sentiment.POSITIVE), (4, Sentiment.NEGATIVE)):
        make_mention(
            org,
            source=webhook,
            kind=MentionKind.SURVEY_ANSWER,
            created_at=now - timedelta(hours=hours),
            sentiment=sentiment,
            text=f"Réponse à l'enquête {hours}",
        )
    make_mention(
        org,
        source=webhook,
        kind=MentionKind.POST,
        created_at=now - timedelta(hours=5),
        text="Poussé par le CRM",
    )
    make_mention(org, created_at=now - timedelta(hours=6), text="Avis Google")


def test_survey_answers_are_one_row_named_as_a_survey_and_each_row_lists_its_mentions(
    tenant: Tenant, login: Login
) -> None:
    _survey_webhook(tenant)
    client = login(tenant.viewer)
    rows = _platform_table(client.get(reverse("dashboard"), {"period": 7}).content.decode())
    names = {name: (link, count) for name, link, count in rows}
    assert names["Enquête de satisfaction"][1] == 3
    # The webhook keeps a row for its other mention only.
    assert names["Webhook signé"][1] == 1
    assert sorted(count for _link, count in names.values()) == [1, 1, 3], "and the review's platform"
    # Each row is a filter: its link lists exactly the mentions it counts.
    for name, (link, count) in names.items():
        listing = client.get(link)
        assert listing.context["page"].paginator.count == count, name
    survey_list = client.get(names["Enquête de satisfaction"][0]).content.decode()
    assert "Réponse à l&#x27;enquête 2" in survey_list
    assert "Poussé par le CRM" not in survey_list
    # The list names the answers' origin as the dashboard does.
    assert "Enquête de satisfaction" in survey_list.split('id="drilldown"', 1)[1]
    assert "Réponse à l" not in client.get(names["Webhook signé"][0]).content.decode()

    do_set_user_language(tenant.viewer.user, "en")
    rows = _platform_table(client.get(reverse("dashboard"), {"period": 7}).content.decode())
    assert ("Satisfaction survey", 3) in [(name, count) for name, _link, count in rows]


def test_the_split_keeps_the_sum_of_the_mentions(tenant: Tenant) -> None:
    _survey_webhook(tenant)
    from vigie.core.periods import last_days
    from vigie.insights.queries.filters import InsightFilters

    period = last_days(tenant.organisation, 7)
    rows = platform_split_with_surveys(tenant.organisation, period, InsightFilters())
    assert sum(row.volume for row in rows) == 5
    assert {row.key: row.negative for row in rows} == {"survey": 2, "webhook": 0, "google_business": 0}


@pytest.mark.parametrize("page", ["dashboard", "insights-mentions", "insights-themes"])
@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"period": "2026-13"}, "Période illisible : 2026-13 (7, 30 ou 90 jours, ou des dates Du / Au)"),
        ({"from": "2026-12-07", "to": "2026-11-01"}, "Période invalide : la fin précède le début"),
        ({"from": "abc"}, "Date illisible : abc"),
    ],
)
def test_a_period_that_cannot_be_used_is_named_on_every_page(
    tenant: Tenant, login: Login, page: str, query: dict[str, str], said: str
) -> None:
    client = login(tenant.viewer)
    html = client.get(reverse(page), query).content.decode()
    assert f"{said}. Période par défaut affichée." in unescape(html)
    assert 'role="alert"' not in client.get(reverse(page), {"period": "7"}).content.decode()


def test_the_period_message_reads_in_english(tenant: Tenant, login: Login) -> None:
    do_set_user_language(tenant.viewer.user, "en")
    html = unescape(
        login(tenant.viewer).get(reverse("insights-themes"), {"period": "2026-13"}).content.decode()
    )
    assert "Unreadable period: 2026-13 (7, 30 or 90 days, or From / To dates). Default period shown." in html


@pytest.mark.parametrize(
    "query",
    [{"period": "2026-13"}, {"from": "2026-12-07", "to": "2026-11-01"}, {"from": "2026-02-30"}],
)
def test_an_export_of_an_unusable_period_is_refused_with_the_reason(
    tenant: Tenant, login: Login, query: dict[str, str]
) -> None:
    make_mention(
        tenant.organisation, created_at=timezone.now() - timedelta(hours=1), text="Dans les 30 jours"
    )
    client = login(tenant.manager)
    response = client.get(reverse("insights-export", args=["mentions", "csv"]), query)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Rien n'a été exporté : corrigez la période demandée." in body
    assert "Dans les 30 jours" not in body
    ok = client.get(reverse("insights-export", args=["mentions", "csv"]), {"period": "30"})
    assert ok.status_code == 200
    assert "Dans les 30 jours" in b"".join(ok.streaming_content).decode()  # type: ignore[attr-defined]


def test_period_words_name_months_quarters_and_weeks_in_the_readers_language(tenant: Tenant) -> None:
    org = tenant.organisation
    cases = {
        "2026-10": ("octobre 2026", "October 2026"),
        "2026-Q4": ("4e trimestre 2026", "Q4 2026"),
        "2026-Q1": ("1er trimestre 2026", "Q1 2026"),
        "2026-W47": (
            "semaine du 16 novembre au 22 novembre 2026",
            "week of November 16 to November 22, 2026",
        ),
        "2026-W53": (
            "semaine du 28 décembre 2026 au 3 janvier 2027",
            "week of December 28, 2026 to January 3, 2027",
        ),
    }
    for key, (french, english) in cases.items():
        period = parse_period(org, key)
        with translation.override("fr"):
            assert period_words(period.first_day, period.last_day) == french
        with translation.override("en"):
            assert period_words(period.first_day, period.last_day) == english
    with translation.override("fr"):
        assert (
            period_words(date(2026, 11, 1), date(2026, 11, 15)) == "du 1er novembre 2026 au 15 novembre 2026"
        )
        # A calendar year is named, as the report's title names it (« Année 2026 »).
        assert period_words(date(2026, 1, 1), date(2026, 12, 31)) == "année 2026"
    with translation.override("en"):
        assert period_words(date(2026, 1, 1), date(2026, 12, 31)) == "year 2026"


def test_the_schedules_table_says_the_last_period_sent_in_words(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    for frequency, key in (("monthly", "2026-10"), ("quarterly", "2026-Q3"), ("weekly", "2026-W47")):
        schedule = do_create_scheduled_report(
            org, frequency=frequency, recipients=["direction@example.com"], actor=tenant.manager.user
        )
        ScheduledReport.objects.filter(pk=schedule.pk).update(last_period_sent=key)
    client = login(tenant.viewer)
    html = client.get(reverse("insights-reports")).content.decode()
    cells = re.findall(r'<span title="([^"]+)">([^<]+)</span>', html)
    assert ("2026-10", "octobre 2026") in cells
    assert ("2026-Q3", "3e trimestre 2026") in cells
    assert ("2026-W47", "semaine du 16 novembre au 22 novembre 2026") in cells
    do_set_user_language(tenant.viewer.user, "en")
    cells = re.findall(
        r'<span title="([^"]+)">([^<]+)</span>', client.get(reverse("insights-reports")).content.decode()
    )
    assert ("2026-10", "October 2026") in cells
    assert ("2026-Q3", "Q3 2026") in cells


def test_without_survey_answers_the_csat_card_says_so_and_how_to_get_some(
    tenant: Tenant, login: Login
) -> None:
    make_mention(tenant.organisation, created_at=timezone.now() - timedelta(hours=1))
    manager_page = unescape(login(tenant.manager).get(reverse("dashboard")).content.decode())
    card = manager_page.split('data-kpi="csat"', 1)[1].split("</article>", 1)[0]
    assert "Pas encore de réponse à une enquête de satisfaction sur la période." in card
    assert f'href="{reverse("outreach")}#rules-title"' in card
    assert "Joindre l'enquête aux invitations" in card
    satisfaction = manager_page.split('id="satisfaction"', 1)[1].split("</section>", 1)[0]
    assert "Pas encore de note de satisfaction sur la période." in satisfaction
    assert f'href="{reverse("outreach")}"' in satisfaction
    # A viewer cannot open the outreach pages: no link, who can do it instead.
    viewer_page = unescape(login(tenant.viewer).get(reverse("dashboard")).content.decode())
    card = viewer_page.split('data-kpi="csat"', 1)[1].split("</article>", 1)[0]
    assert reverse("outreach") not in viewer_page
    assert "Un responsable peut joindre l'enquête aux invitations (Avis clients)." in card


def test_unrated_survey_answers_are_counted_not_called_absent(tenant: Tenant, login: Login) -> None:
    _survey_webhook(tenant)
    page = unescape(login(tenant.manager).get(reverse("dashboard"), {"period": 7}).content.decode())
    card = page.split('data-kpi="csat"', 1)[1].split("</article>", 1)[0]
    assert "3 réponses d'enquête sur la période, aucune notée." in card
