"""The insights pages: roles, tenancy, drill-down, theme board, action plans, exports, reports."""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.analysis.models import Theme
from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.core.periods import organisation_today
from vigie.inbox.tests.factories import make_case
from vigie.insights.actions import do_create_action_plan, do_create_scheduled_report
from vigie.insights.models import ActionPlan, ActionPlanStatus, QuoteConsent, ScheduledReport
from vigie.mentions.models import MentionType, Sentiment
from vigie.mentions.tests.factories import make_location, make_mention

Login = Callable[[Membership], Client]

READ_PAGES = [
    "dashboard",
    "insights-mentions",
    "insights-themes",
    "insights-action-plans",
    "insights-reports",
]


def make_plan(tenant: Tenant, theme: str = "attente") -> ActionPlan:
    return do_create_action_plan(
        tenant.organisation,
        theme=theme,
        title="Renfort en caisse le samedi",
        started_on=timezone.localdate() - timedelta(days=10),
        actor=tenant.manager.user,
        owner=tenant.manager.user,
        due_on=timezone.localdate() + timedelta(days=20),
    )


@pytest.mark.parametrize("name", READ_PAGES)
def test_every_member_reads_the_insights_pages(tenant: Tenant, login: Login, name: str) -> None:
    assert login(tenant.viewer).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", READ_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(db: None, name: str) -> None:
    assert Client().get(reverse(name)).status_code == 302


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "insights-action-plan-create", []),
        ("post", "insights-action-plan-create", []),
        ("get", "insights-export", ["mentions", "csv"]),
        ("get", "insights-export", ["cases", "xlsx"]),
    ],
)
def test_agents_cannot_manage_plans_or_export(
    tenant: Tenant, login: Login, method: str, name: str, args: list[str]
) -> None:
    client = login(tenant.agent)
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 403


def test_agents_cannot_edit_plans_record_consent_or_schedule_reports(tenant: Tenant, login: Login) -> None:
    plan = make_plan(tenant)
    mention = make_mention(tenant.organisation)
    schedule = do_create_scheduled_report(
        tenant.organisation, frequency="weekly", recipients=["boss@acme.example"], actor=None
    )
    client = login(tenant.agent)
    assert client.get(reverse("insights-action-plan-edit", args=[plan.pk])).status_code == 403
    assert client.post(reverse("insights-action-plan-delete", args=[plan.pk])).status_code == 403
    assert client.post(reverse("insights-consent", args=[mention.pk]), {"granted": "1"}).status_code == 403
    assert client.post(reverse("insights-schedule-delete", args=[schedule.pk])).status_code == 403
    response = client.post(
        reverse("insights-reports"),
        {"frequency": "weekly", "recipients": "x@acme.example", "language": "fr", "report_format": "pdf"},
    )
    assert response.status_code == 403
    assert ActionPlan.objects.filter(pk=plan.pk).exists()
    assert ScheduledReport.objects.count() == 1
    assert not QuoteConsent.objects.exists()


def test_another_organisations_objects_are_not_found(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs_plan = make_plan(other_tenant)
    theirs_mention = make_mention(other_tenant.organisation)
    theirs_schedule = do_create_scheduled_report(
        other_tenant.organisation, frequency="monthly", recipients=["ceo@globex.example"], actor=None
    )
    client = login(tenant.admin)
    assert client.get(reverse("insights-action-plan-edit", args=[theirs_plan.pk])).status_code == 404
    assert client.post(reverse("insights-action-plan-delete", args=[theirs_plan.pk])).status_code == 404
    assert (
        client.post(reverse("insights-consent", args=[theirs_mention.pk]), {"granted": "1"}).status_code
        == 404
    )
    assert client.post(reverse("insights-schedule-delete", args=[theirs_schedule.pk])).status_code == 404
    assert ActionPlan.objects.filter(pk=theirs_plan.pk).exists()
    # Their plans and schedules never show on our pages.
    assert "Renfort" not in client.get(reverse("insights-action-plans")).content.decode()
    assert "ceo@globex.example" not in client.get(reverse("insights-reports")).content.decode()


def test_the_dashboard_drills_down_to_the_mentions_behind_a_number(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    org = tenant.organisation
    now = timezone.now()
    make_mention(
        org, created_at=now - timedelta(days=1), sentiment=Sentiment.NEGATIVE, text="Attente interminable"
    )
    make_mention(org, created_at=now - timedelta(days=2), sentiment=Sentiment.POSITIVE, text="Parfait merci")
    make_mention(
        other_tenant.organisation,
        created_at=now - timedelta(days=1),
        sentiment=Sentiment.NEGATIVE,
        text="Globex",
    )
    client = login(tenant.viewer)
    dashboard = client.get(reverse("dashboard"), {"period": 7})
    html = dashboard.content.decode()
    # The "Négatif" line of the sentiment card links to the list with the same period.
    links = [
        link for _share, _percent, link in dashboard.context["sentiments"] if "sentiment=negative" in link
    ]
    assert len(links) == 1
    assert links[0].replace("&", "&amp;") in html
    listing = client.get(links[0])
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Attente interminable" in text
    assert "Parfait merci" not in text
    assert "Globex" not in text
    assert listing.context["page"].paginator.count == 1


def test_the_drilldown_list_escapes_customer_text(tenant: Tenant, login: Login) -> None:
    make_mention(tenant.organisation, text="<script>alert(1)</script>")
    html = login(tenant.viewer).get(reverse("insights-mentions"), {"period": 7}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_theme_board_ranks_problems_and_masks_personal_data(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    org = tenant.organisation
    Theme.objects.create(organisation=org, slug="attente", label="Temps d'attente")
    lyon = make_location(org, "Lyon Part-Dieu")
    now = timezone.now()
    for day in range(3):
        make_mention(
            org,
            created_at=now - timedelta(days=day + 1),
            sentiment=Sentiment.NEGATIVE,
            themes=["attente"],
            location=lyon,
            text="Une heure d'attente, rappelez-moi au 06 12 34 56 78 ou jean.dupont@example.com",
        )
    make_mention(
        org,
        created_at=now - timedelta(days=1),
        sentiment=Sentiment.NEGATIVE,
        themes=["prix"],
        text="Trop cher",
    )
    make_mention(org, created_at=now - timedelta(days=1), sentiment=Sentiment.POSITIVE, themes=["accueil"])
    make_mention(
        other_tenant.organisation, created_at=now, sentiment=Sentiment.NEGATIVE, themes=["globex-theme"]
    )
    make_plan(tenant)

    response = login(tenant.viewer).get(reverse("insights-themes"), {"period": 30})
    assert response.status_code == 200
    rows = [row for row, _url in response.context["rows"]]
    assert [r.theme for r in rows] == ["attente", "prix"]  # "accueil" has nothing negative
    assert (rows[0].volume, rows[0].negative) == (3, 3)
    assert rows[0].label == "Temps d'attente"
    assert rows[0].locations == [("Lyon Part-Dieu", 3)]
    assert [p.title for p in rows[0].action_plans] == ["Renfort en caisse le samedi"]
    html = response.content.decode()
    assert "jean.dupont@example.com" not in html
    assert "06 12 34 56 78" not in html
    assert "[…]" in html
    assert "globex-theme" not in html


def test_a_quote_in_another_language_is_marked_as_such(tenant: Tenant, login: Login) -> None:
    """A French page quoting an English customer says so (screen readers read it in English; the
    French-interface check leaves the customer's own words out)."""
    make_mention(
        tenant.organisation,
        created_at=timezone.now() - timedelta(days=1),
        sentiment=Sentiment.NEGATIVE,
        themes=["remboursement"],
        language="en",
        text="My refund is still pending after six weeks",
    )
    client = login(tenant.viewer)
    board = client.get(reverse("insights-themes"), {"period": 30}).content.decode()
    assert '<blockquote class="verbatim" lang="en">' in board
    listing = client.get(reverse("insights-mentions"), {"period": 30}).content.decode()
    assert '<td lang="en">' in listing


def test_spam_is_never_quoted_as_a_customers_voice(tenant: Tenant) -> None:
    """ "CHEAP RAY-BAN SUNGLASSES… best-cheap-deals-4u.biz" headed a theme's quotes on the board."""
    from vigie.core.periods import last_days
    from vigie.insights.queries.filters import InsightFilters
    from vigie.insights.queries.theme_board import _recent_negative_quotes

    org = tenant.organisation
    now = timezone.now()
    make_mention(
        org,
        created_at=now - timedelta(hours=2),
        sentiment=Sentiment.NEGATIVE,
        themes=["prix"],
        text="Facturé deux fois, toujours pas remboursé",
    )
    make_mention(
        org,
        created_at=now - timedelta(hours=1),
        sentiment=Sentiment.NEGATIVE,
        themes=["prix"],
        mention_type=MentionType.SPAM,
        text="CHEAP RAY-BAN SUNGLASSES 90% OFF best-cheap-deals-4u.biz",
    )
    quotes = _recent_negative_quotes(org, last_days(org, 30), InsightFilters(), {"prix": 2})
    assert [q.text for q in quotes["prix"]] == ["Facturé deux fois, toujours pas remboursé"]


def test_a_text_posted_twice_is_quoted_once(tenant: Tenant) -> None:
    """The same pasted complaint stood twice under one theme on the board."""
    from vigie.core.periods import last_days
    from vigie.insights.queries.filters import InsightFilters
    from vigie.insights.queries.theme_board import _recent_negative_quotes

    org = tenant.organisation
    now = timezone.now()
    for hours, text in (
        (1, "Je vous écris en privé comme demandé"),
        (2, "Je vous écris en privé comme demandé"),
        (3, "Injoignable"),
    ):
        make_mention(
            org,
            created_at=now - timedelta(hours=hours),
            sentiment=Sentiment.NEGATIVE,
            themes=["joignabilite"],
            text=text,
        )
    quotes = _recent_negative_quotes(org, last_days(org, 30), InsightFilters(), {"joignabilite": 2})
    assert [q.text for q in quotes["joignabilite"]] == ["Je vous écris en privé comme demandé", "Injoignable"]


def test_the_theme_board_finds_each_themes_latest_quotes_across_pages(tenant: Tenant) -> None:
    """The quotes are read newest first a page at a time: a theme whose negative mentions are
    all older than the first pages still gets its newest ones, in order; a theme asks only for as
    many as it has."""
    from vigie.core.periods import last_days
    from vigie.insights.queries.filters import InsightFilters
    from vigie.insights.queries.theme_board import _recent_negative_quotes

    org = tenant.organisation
    now = timezone.now()
    for hour in range(7):  # "attente" fills the newest pages
        make_mention(
            org,
            created_at=now - timedelta(hours=hour + 1),
            sentiment=Sentiment.NEGATIVE,
            themes=["attente"],
            text=f"Attente numéro {hour}",
        )
    for day in (3, 4, 5):
        make_mention(
            org,
            created_at=now - timedelta(days=day),
            sentiment=Sentiment.NEGATIVE,
            themes=["prix"],
            text=f"Trop cher, il y a {day} jours",
        )
    make_mention(
        org,
        created_at=now - timedelta(days=6),
        sentiment=Sentiment.POSITIVE,
        themes=["prix"],
        text="Bon prix",
    )

    quotes = _recent_negative_quotes(
        org, last_days(org, 30), InsightFilters(), {"attente": 1, "prix": 2, "accueil": 0}, page_size=2
    )
    assert [q.text for q in quotes["attente"]] == ["Attente numéro 0"]
    assert [q.text for q in quotes["prix"]] == ["Trop cher, il y a 3 jours", "Trop cher, il y a 4 jours"]
    assert quotes["accueil"] == []


def test_managers_create_edit_and_delete_action_plans(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    Theme.objects.create(organisation=org, slug="attente", label="Attente")
    client = login(tenant.manager)
    today = timezone.localdate()
    response = client.post(
        reverse("insights-action-plan-create"),
        {
            "theme": "attente",
            "title": "Deux caisses de plus",
            "description": "",
            "owner": str(tenant.agent.user_id),
            "status": ActionPlanStatus.IN_PROGRESS,
            "started_on": (today - timedelta(days=3)).isoformat(),
            "due_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    plan = ActionPlan.objects.get()
    assert (plan.organisation, plan.owner, plan.created_by) == (org, tenant.agent.user, tenant.manager.user)
    # The edit form shows the saved dates as a browser's date field reads them (ISO): in the
    # French format the browser dropped them, and saving erased the due date (found in the demo).
    form = client.get(reverse("insights-action-plan-edit", args=[plan.pk])).content.decode()
    assert f'value="{(today - timedelta(days=3)).isoformat()}"' in form
    assert f'value="{(today + timedelta(days=30)).isoformat()}"' in form

    bad = client.post(
        reverse("insights-action-plan-edit", args=[plan.pk]),
        {
            "theme": "attente",
            "title": "Deux caisses de plus",
            "status": ActionPlanStatus.DONE,
            "started_on": today.isoformat(),
            "due_on": (today - timedelta(days=5)).isoformat(),
        },
    )
    assert bad.status_code == 400
    plan.refresh_from_db()
    assert plan.status == ActionPlanStatus.IN_PROGRESS

    ok = client.post(
        reverse("insights-action-plan-edit", args=[plan.pk]),
        {
            "theme": "attente",
            "title": "Deux caisses",
            "status": ActionPlanStatus.DONE,
            "started_on": today.isoformat(),
        },
    )
    assert ok.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.status, plan.owner) == ("Deux caisses", ActionPlanStatus.DONE, None)
    assert client.post(reverse("insights-action-plan-delete", args=[plan.pk])).status_code == 302
    assert not ActionPlan.objects.exists()


def test_an_action_plan_shows_its_theme_before_and_after_it_started(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    start = timezone.localdate() - timedelta(days=10)
    # 10 days before: 4 negative mentions; 10 days since: 1 negative out of 2.
    for days_before in (1, 2, 5, 9):
        make_mention(
            org,
            created_at=timezone.now() - timedelta(days=10 + days_before),
            sentiment=Sentiment.NEGATIVE,
            themes=["attente"],
        )
    make_mention(
        org, created_at=timezone.now() - timedelta(days=3), sentiment=Sentiment.NEGATIVE, themes=["attente"]
    )
    make_mention(
        org, created_at=timezone.now() - timedelta(days=2), sentiment=Sentiment.POSITIVE, themes=["attente"]
    )
    make_mention(
        org, created_at=timezone.now() - timedelta(days=12), sentiment=Sentiment.NEGATIVE, themes=["prix"]
    )
    do_create_action_plan(org, theme="attente", title="Plan", started_on=start, actor=None)
    response = login(tenant.viewer).get(reverse("insights-action-plans"))
    effect, _label = response.context["effects"][0]
    assert effect.before.period.days == effect.after.period.days == 10
    assert (effect.before.volume, effect.before.negative) == (4, 4)
    assert (effect.after.volume, effect.after.negative) == (2, 1)


def test_exports_follow_the_filters_and_neutralise_formulas(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    org = tenant.organisation
    now = timezone.now()
    lyon = make_location(org, "Lyon")
    inside = make_mention(
        org, created_at=now - timedelta(days=1), location=lyon, text='=HYPERLINK("http://evil")'
    )
    make_case(org, inside, first_response_at=now, sla_due_at=now + timedelta(hours=1))
    make_mention(org, created_at=now - timedelta(days=1), text="ailleurs")
    make_mention(other_tenant.organisation, created_at=now - timedelta(days=1), text="globex")
    client = login(tenant.manager)
    query = {"period": 7, "location": lyon.pk}
    response = client.get(reverse("insights-export", args=["mentions", "csv"]), query)
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[arg-type]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["N° de mention"] for r in rows] == [str(inside.pk)]
    assert rows[0]["Texte"].startswith("'=")
    cases = client.get(reverse("insights-export", args=["cases", "csv"]), query)
    case_rows = list(csv.DictReader(io.StringIO(b"".join(cases.streaming_content).decode("utf-8-sig"))))  # type: ignore[arg-type]
    assert len(case_rows) == 1
    assert case_rows[0]["Première réponse le"]
    assert case_rows[0]["Échéance"]
    assert case_rows[0]["Publié le"]

    xlsx = client.get(reverse("insights-export", args=["replies", "xlsx"]), query)
    assert xlsx.status_code == 200
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))  # type: ignore[arg-type]
    assert next(workbook.active.iter_rows(values_only=True))[0] == "N° de réponse"
    assert client.get(reverse("insights-export", args=["secrets", "csv"])).status_code == 404


def test_the_report_form_offers_last_month_so_one_click_downloads_it(tenant: Tenant, login: Login) -> None:
    client = login(tenant.viewer)
    first_of_month = organisation_today(tenant.organisation).replace(day=1)
    last_month = (first_of_month - timedelta(days=1)).strftime("%Y-%m")
    page = client.get(reverse("insights-reports")).content.decode()
    assert f'name="period" value="{last_month}"' in page
    # What the button sends as the form stands: last month's report in French, as a PDF.
    pdf = client.get(
        reverse("insights-reports"), {"period": last_month, "language": "fr", "report_format": "pdf"}
    )
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_members_download_the_report_as_pdf_or_html(tenant: Tenant, login: Login) -> None:
    make_mention(tenant.organisation, created_at=timezone.now() - timedelta(days=1), rating=5)
    client = login(tenant.viewer)
    month = timezone.localdate().strftime("%Y-%m")
    pdf = client.get(reverse("insights-reports"), {"period": month, "language": "fr", "report_format": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html = client.get(
        reverse("insights-reports"), {"period": month, "language": "en", "report_format": "html"}
    )
    assert html.status_code == 200
    assert b"Monthly report" in html.content
    bad = client.get(
        reverse("insights-reports"), {"period": "2025-13", "language": "fr", "report_format": "pdf"}
    )
    assert bad.status_code == 400


def test_managers_schedule_reports_with_valid_recipients_only(tenant: Tenant, login: Login) -> None:
    client = login(tenant.manager)
    data = {"frequency": "monthly", "language": "fr", "report_format": "pdf"}
    assert (
        client.post(reverse("insights-reports"), {**data, "recipients": "pas-une-adresse"}).status_code == 400
    )
    assert not ScheduledReport.objects.exists()
    response = client.post(
        reverse("insights-reports"), {**data, "recipients": "a@acme.example, b@acme.example"}
    )
    assert response.status_code == 302
    schedule = ScheduledReport.objects.get()
    assert schedule.recipients == ["a@acme.example", "b@acme.example"]
    assert client.post(reverse("insights-schedule-delete", args=[schedule.pk])).status_code == 302
    assert not ScheduledReport.objects.exists()


def test_consent_makes_a_positive_review_a_testimonial(tenant: Tenant, login: Login) -> None:
    from vigie.core.periods import last_days
    from vigie.insights.queries.quotes import consented_testimonials

    org = tenant.organisation
    glowing = make_mention(
        org, rating=5, sentiment=Sentiment.POSITIVE, text="Super équipe, écrivez-moi à marie@example.org"
    )
    make_mention(org, rating=5, sentiment=Sentiment.POSITIVE, text="Sans consentement")
    period = last_days(org, 7)
    assert consented_testimonials(org, period) == []
    response = login(tenant.manager).post(
        reverse("insights-consent", args=[glowing.pk]), {"granted": "1", "next": "//evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("insights-mentions")
    quotes = consented_testimonials(org, period)
    assert [q.mention_id for q in quotes] == [glowing.pk]
    assert "marie@example.org" not in quotes[0].text


def test_exports_speak_french_and_give_times_in_the_organisations_zone(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    org.timezone = "America/Martinique"  # UTC-4 all year: neither UTC nor the server's zone
    org.save(update_fields=["timezone"])
    created = timezone.now() - timedelta(days=1)
    mention = make_mention(org, created_at=created, text="Bonjour")
    make_case(org, mention)
    client = login(tenant.manager)
    cases = client.get(reverse("insights-export", args=["cases", "csv"]), {"period": 7})
    body = b"".join(cases.streaming_content).decode("utf-8-sig")  # type: ignore[arg-type]
    rows = list(csv.DictReader(io.StringIO(body)))
    header = body.splitlines()[0]
    assert "_" not in header, "no column is named by its code"
    row = rows[0]
    assert row["Publié le"].endswith("-04:00")
    assert row["Publié le"].startswith(
        created.astimezone(zoneinfo.ZoneInfo("America/Martinique")).strftime("%Y-%m-%d %H:%M")
    )
    assert row["Statut"] in {"À traiter", "En cours", "Résolu"}
    assert row["Réponse attendue"] in {"oui", "non"}


PNG_LOGO = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_a_manager_sets_the_reports_colour_and_logo_and_others_cannot(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vigie.insights.models import ReportBranding
    from vigie.insights.report_branding import branding_for

    url = reverse("insights-reports")
    agent = login(tenant.agent)
    denied = agent.post(url, {"form": "branding", "colour": "#aa0000"})
    assert denied.status_code == 403
    assert not ReportBranding.objects.exists()

    manager = login(tenant.manager)
    bad = manager.post(
        url, {"form": "branding", "colour": "#aa0000", "logo": SimpleUploadedFile("logo.png", b"<svg></svg>")}
    )
    assert bad.status_code == 400
    assert "PNG ou JPEG" in bad.content.decode()
    assert not ReportBranding.objects.exists()
    ok = manager.post(
        url, {"form": "branding", "colour": "#AA0000", "logo": SimpleUploadedFile("logo.png", PNG_LOGO)}
    )
    assert ok.status_code == 302
    branding = branding_for(tenant.organisation)
    assert branding.colour == "#aa0000"
    assert branding.logo_data_uri.startswith("data:image/png;base64,")
    assert branding_for(other_tenant.organisation).logo_data_uri == ""
    html = manager.get(url, {"period": "2025-03", "language": "fr", "report_format": "html"}).content.decode()
    assert "--brand: #aa0000" in html
    assert "data:image/png;base64," in html


def test_a_manager_schedules_a_report_for_one_location(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    lyon = make_location(tenant.organisation, "Agence Lyon")
    theirs = make_location(other_tenant.organisation, "Agence Globex")
    client = login(tenant.manager)
    form = {
        "frequency": "quarterly",
        "recipients": "lyon@acme.example",
        "language": "fr",
        "report_format": "pdf",
    }
    refused = client.post(reverse("insights-reports"), {**form, "location": str(theirs.pk)})
    assert refused.status_code == 400
    assert client.post(reverse("insights-reports"), {**form, "location": str(lyon.pk)}).status_code == 302
    schedule = ScheduledReport.objects.get()
    assert (schedule.frequency, schedule.location) == ("quarterly", lyon)
    page = client.get(reverse("insights-reports")).content.decode()
    assert "Agence Lyon" in page
    assert "Trimestriel" in page


def test_both_report_forms_offer_the_organisations_language_first(tenant: Tenant, login: Login) -> None:
    # The schedule form offered French to an English organisation (the download form did not).
    from vigie.core.models import Organisation

    Organisation.objects.filter(pk=tenant.organisation.pk).update(language="en")
    page = login(tenant.manager).get(reverse("insights-reports")).content.decode()
    assert page.count('<option value="en" selected>') == 2


def test_an_english_organisation_reads_the_default_themes_in_english(tenant: Tenant, login: Login) -> None:
    # "Prix et facturation", "Joignabilité" on an English organisation's dashboard, filters and PDF.
    from vigie.analysis.queries import theme_choices
    from vigie.core.models import Organisation
    from vigie.insights.queries.themes import theme_labels

    Organisation.objects.filter(pk=tenant.organisation.pk).update(language="en")
    tenant.organisation.refresh_from_db()
    assert theme_labels(tenant.organisation)["facturation"] == "Prices and billing"
    assert dict(theme_choices(tenant.organisation))["joignabilite"] == "Reachability"
    make_mention(
        tenant.organisation, sentiment=Sentiment.NEGATIVE, themes=["facturation"], text="Charged twice"
    )
    page = login(tenant.manager).get(reverse("insights-themes")).content.decode()
    assert "Prices and billing" in page
    assert "Prix et facturation" not in page


def test_the_theme_board_counts_in_the_singular_too(tenant: Tenant, login: Login) -> None:
    # "1 mentions dont 1 négatives".
    make_mention(
        tenant.organisation, sentiment=Sentiment.NEGATIVE, themes=["facturation"], text="Facturé deux fois"
    )
    page = login(tenant.manager).get(reverse("insights-themes")).content.decode()
    assert "1 mention\n" in page or "1 mention " in page
    assert "dont 1 négative" in page
    assert "1 mentions" not in page
    assert "1 négatives" not in page
