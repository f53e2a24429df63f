"""The management report printed without Chromium (fpdf2): the same numbers, shares, delays and
dates as the designed report, in the report's language, and no week after today on its chart."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import translation

from vigie.conftest import Tenant
from vigie.core.periods import organisation_today
from vigie.insights.report_format import short_day
from vigie.insights.reports import build_report, parse_period, render_plain_pdf
from vigie.insights.tests.pdf_text import pdf_lines
from vigie.insights.tests.test_report_rendering import seed_network
from vigie.mentions.tests.factories import make_mention

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"


def test_an_english_plain_report_writes_numbers_shares_and_quotes_the_english_way(tenant: Tenant) -> None:
    seed_network(tenant)
    org = tenant.organisation
    report = build_report(org, parse_period(org, "2025-03"), language="en")
    text = "\n".join(pdf_lines(render_plain_pdf(report)))

    assert "Management report: Acme" in text
    assert "March 2025" in text
    # "53%": no space before the sign, no French spacing before a colon or a semicolon.
    assert "% negative (previous period: " in text
    assert f"{NBSP}%" not in text
    assert " %" not in text
    assert " : " not in text
    assert " ; " not in text
    assert "«" not in text
    assert "\u201c" in text
    assert "Dec " not in text  # the chart's days are March's
    assert "Mar 1" in text
    # Under a quote, the platform's name (not its slug) and the day in English.
    assert "Facebook · Agence Lyon · March 20, 2025" in text
    assert "March 10, 2025: Negative spike: +420% in 45 min in Lyon (Critical)" in text
    assert "Net sentiment: +33 pts" in text


def test_a_french_plain_report_writes_the_french_way(tenant: Tenant) -> None:
    seed_network(tenant)
    org = tenant.organisation
    report = build_report(org, parse_period(org, "2025-03"), language="fr")
    text = "\n".join(pdf_lines(render_plain_pdf(report)))

    assert "Rapport de direction : Acme" in text
    assert "Mars 2025" in text
    # A space before each percent sign (the no-break space shares the space's glyph in DejaVu,
    # so it reads back as one).
    assert re.search(r"\d %", text)
    assert not re.search(r"\d%", text)
    assert "«" in text
    assert "\u201c" not in text
    assert "1 mar" in text
    assert "Sentiment net : +33 pts" in text
    assert "Service client : 0 % (0 / 30)" in text
    assert "10 mars 2025 : Pic de mentions négatives : +420 % en 45 min à Lyon" in text
    assert "Facebook · Agence Lyon · " in text


def test_a_plain_report_of_a_running_period_charts_no_week_after_today(tenant: Tenant) -> None:
    org = tenant.organisation
    today = organisation_today(org)
    first, last = today - timedelta(days=20), today + timedelta(days=40)
    for days_ago in (0, 3, 10):
        make_mention(
            org, created_at=datetime.combine(today - timedelta(days=days_ago), time(9), tzinfo=PARIS)
        )
    for language in ("fr", "en"):
        report = build_report(org, parse_period(org, f"{first}:{last}"), language=language)
        lines = pdf_lines(render_plain_pdf(report))
        with translation.override(language):
            this_week = short_day(max(first, today - timedelta(days=today.weekday())))
            weeks_to_come = [
                short_day(today + timedelta(days=d))
                for d in range(1, 41)
                if (today + timedelta(days=d)).weekday() == 0
            ]
        assert this_week in lines
        assert weeks_to_come
        assert not set(weeks_to_come) & set(lines), language
