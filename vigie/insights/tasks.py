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
from vigie.insights.reports import build_report, period_key, render

logger = logging.getLogger(__name__)


def last_complete_period(
    organisation: Organisation, frequency: str, today: date | None = None
) -> tuple[str, Period]:
    """The last whole week (Monday to Sunday) or month before ``today``, and its key."""
    today = today or organisation_today(organisation)
    if frequency == ReportFrequency.WEEKLY:
        monday = today - timedelta(days=today.weekday() + 7)
        year, week, _day = monday.isocalendar()
        return f"{year}-W{week:02d}", period_between(organisation, monday, monday + timedelta(days=6))
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}", period_between(organisation, last.replace(day=1), last)


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
        report = build_report(organisation, period, language=schedule.language)
        content = render(report, schedule.report_format)
        with translation.override(schedule.language):
            subject = _("Rapport Vigie %(org)s : %(period)s") % {"org": organisation.name, "period": key}
            body = _("Veuillez trouver ci-joint le rapport de direction du %(first)s au %(last)s.") % {
                "first": period.first_day.isoformat(),
                "last": period.last_day.isoformat(),
            }
        message = EmailMessage(subject, body, to=list(schedule.recipients))
        mime = "application/pdf" if schedule.report_format == "pdf" else "text/html"
        message.attach(
            f"vigie-report-{organisation.slug}-{period_key(period)}.{schedule.report_format}", content, mime
        )
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
    for schedule in ScheduledReport.objects.filter(active=True).select_related("organisation"):
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
