"""Jobs of the insights: e-mailing scheduled reports."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from vigie.core.jobs import periodic
from vigie.core.models import Organisation
from vigie.core.periods import Period, organisation_today, period_between
from vigie.insights.actions import do_claim_scheduled_report, do_release_scheduled_report
from vigie.insights.models import ReportFrequency, ScheduledReport
from vigie.insights.report_format import long_date
from vigie.insights.reports import ManagementReport, build_report, render, report_filename

logger = logging.getLogger(__name__)


def last_complete_period(
    organisation: Organisation, frequency: str, today: date | None = None
) -> tuple[str, Period]:
    """The last whole week (Monday to Sunday), month or quarter before ``today``, and its key."""
    today = today or organisation_today(organisation)
    if frequency == ReportFrequency.QUARTERLY:
        this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        last = this_quarter - timedelta(days=1)
        first = date(last.year, last.month - 2, 1)
        return f"{last.year}-Q{(last.month - 1) // 3 + 1}", period_between(organisation, first, last)
    if frequency == ReportFrequency.WEEKLY:
        monday = today - timedelta(days=today.weekday() + 7)
        year, week, _day = monday.isocalendar()
        return f"{year}-W{week:02d}", period_between(organisation, monday, monday + timedelta(days=6))
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}", period_between(organisation, last.replace(day=1), last)


def report_email(report: ManagementReport) -> tuple[str, str]:
    """The subject and body of the e-mail carrying ``report``: its title, whom it is about, its
    period in words, and the summary's sentences so the reader gets the essentials before opening it."""
    with translation.override(report.language):
        about = report.organisation.name + (f" · {report.scope}" if report.scope else "")
        subject = _("%(title)s %(about)s : %(period)s") % {
            "title": report.title,
            "about": about,
            "period": report.period_label,
        }
        intro = _("Veuillez trouver ci-joint le rapport de direction du %(first)s au %(last)s.") % {
            "first": long_date(report.period.first_day),
            "last": long_date(report.period.last_day),
        }
        essentials = "\n".join(f"- {sentence}" for sentence in report.summary)
        return subject, f"{intro}\n\n{_('L’essentiel :')}\n{essentials}\n"


def send_scheduled_report(schedule: ScheduledReport, *, today: date | None = None) -> bool:
    """Send ``schedule``'s report of its last complete period unless it was sent; True when sent.

    The period is claimed first with a conditional UPDATE (two workers never both send it) and
    given back if sending fails, so the next run retries.
    """
    organisation = schedule.organisation
    key, period = last_complete_period(organisation, schedule.frequency, today)
    previous_key = schedule.last_period_sent
    if previous_key == key or not do_claim_scheduled_report(schedule, key):
        return False
    try:
        report = build_report(
            organisation,
            period,
            language=schedule.language,
            location=schedule.location,
            group=schedule.location_group,
        )
        content = render(report, schedule.report_format)
        subject, body = report_email(report)
        message = EmailMessage(subject, body, to=list(schedule.recipients))
        mime = "application/pdf" if schedule.report_format == "pdf" else "text/html"
        message.attach(report_filename(report, schedule.report_format), content, mime)
        message.send()
    except Exception:
        do_release_scheduled_report(schedule, previous_key)
        logger.exception("scheduled report %s of organisation %s failed", schedule.pk, organisation.pk)
        raise
    return True


@periodic("insights.send_scheduled_reports", every=timedelta(hours=1))
def send_scheduled_reports() -> int:
    """Send every scheduled report whose last complete period has not been sent; returns how many."""
    sent = 0
    failures = 0
    for schedule in ScheduledReport.objects.filter(active=True).select_related(
        "organisation", "location", "location_group"
    ):
        try:
            sent += send_scheduled_report(schedule)
        except Exception:
            failures += 1
    if failures:
        logger.warning("%s scheduled report(s) failed; they will be retried", failures)
    return sent


@periodic("insights.refresh_rollup", every=timedelta(minutes=5))
def refresh_rollup() -> int:
    """Bring every organisation's daily rollup up to date; returns how many days were recomputed."""
    from vigie.insights.rollup import do_refresh_rollup

    return sum(do_refresh_rollup(organisation) for organisation in Organisation.objects.all())
