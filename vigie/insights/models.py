"""What the insights store besides computed numbers: action plans on recurring themes, the
consent that lets a positive review be quoted as a testimonial, and scheduled reports.

Action plans live here rather than in a separate ``outreach`` app: the theme board is their only
page and they are read next to the theme's KPIs.
"""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from vigie.core.models import Organisation, User
from vigie.core.tenancy import OrgScopedManager
from vigie.mentions.models import Mention


class ActionPlanStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Terminée")
    ABANDONED = "abandoned", _("Abandonnée")


class ActionPlan(models.Model):
    """An action decided against a recurring theme of dissatisfaction, with an owner and a due date."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="action_plans")
    theme = models.SlugField(max_length=50)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        max_length=20, choices=ActionPlanStatus.choices, default=ActionPlanStatus.PLANNED
    )
    started_on = models.DateField(help_text=_("Date de début : la comparaison avant / après part de là."))
    due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    # The crisis whose post-mortem this plan carries on (one plan per crisis), if any.
    crisis = models.OneToOneField(
        "alerts.Crisis", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["organisation", "theme"])]

    def __str__(self) -> str:
        return self.title


class QuoteConsent(models.Model):
    """The author of a mention agreed (or refused) that it be quoted in reports as a testimonial."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    mention = models.OneToOneField(Mention, on_delete=models.CASCADE, related_name="testimonial_consent")
    granted = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True, help_text=_("Comment le consentement a été obtenu."))
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"consent {'granted' if self.granted else 'refused'} for mention {self.mention_id}"


class ReportFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Hebdomadaire")
    MONTHLY = "monthly", _("Mensuel")
    QUARTERLY = "quarterly", _("Trimestriel")


# The languages and formats a report is written in, as the forms offer them and the schedules'
# table shows them (a language by its own name, as language pickers show it).
REPORT_LANGUAGES: tuple[tuple[str, str], ...] = (("fr", "Français"), ("en", "English"))
REPORT_FORMATS: tuple[tuple[str, str], ...] = (("pdf", "PDF"), ("html", "HTML"))


class ScheduledReport(models.Model):
    """A management report e-mailed each week, month or quarter to chosen recipients."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="scheduled_reports")
    frequency = models.CharField(max_length=10, choices=ReportFrequency.choices)
    recipients = models.JSONField(default=list)
    language = models.CharField(max_length=5, default="fr")
    report_format = models.CharField(max_length=4, default="pdf")
    # A report about one location (its director's), or about the whole organisation when empty.
    location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Or about a group of locations (a region's director's); never both.
    location_group = models.ForeignKey(
        "core.LocationGroup", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    active = models.BooleanField(default=True)
    # The last period sent ("2026-W47", "2026-10"): the job sends each period once.
    last_period_sent = models.CharField(max_length=20, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["frequency", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(location__isnull=True) | models.Q(location_group__isnull=True),
                name="scheduled_report_location_or_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.frequency} report of {self.organisation}"

    @property
    def language_label(self) -> str:
        """ "Français", "English": what the schedules' table shows, not the code."""
        return dict(REPORT_LANGUAGES).get(self.language, self.language)

    @property
    def format_label(self) -> str:
        return dict(REPORT_FORMATS).get(self.report_format, self.report_format.upper())


class DailyRollup(models.Model):
    """Counts of one day's mentions and their cases for one combination of dimensions.

    ``theme`` is "" on the rows that count every mention once; a mention with themes is also
    counted once on a row per theme, so "everything" and "one theme" are both a plain filter.
    Each mention is counted at five grains: "coarse" rows leave location, platform and team out
    (few rows: what the unfiltered dashboard sums), "plat", "loc" and "team" keep that dimension
    alone (a filter or a split on it), "fine" rows keep all three (combined filters).
    Derived data: ``vigie rollup`` rebuilds it from the mentions and cases at any time.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    grain = models.CharField(max_length=6)
    theme = models.CharField(max_length=50, blank=True)
    location_id = models.IntegerField(null=True)
    platform = models.CharField(max_length=40)
    team_id = models.IntegerField(null=True)
    kind = models.CharField(max_length=16)
    sentiment = models.CharField(max_length=10, blank=True)
    stars = models.PositiveSmallIntegerField(default=0)  # 0: not a rated review
    mentions = models.PositiveIntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    engagement = models.BigIntegerField(default=0)
    rating_sum = models.FloatField(default=0)
    board_negative = models.PositiveIntegerField(default=0)
    surveys = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    nps_answers = models.PositiveIntegerField(default=0)
    nps_promoters = models.PositiveIntegerField(default=0)
    nps_detractors = models.PositiveIntegerField(default=0)
    needing = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    any_answered = models.PositiveIntegerField(default=0)
    sla_met = models.PositiveIntegerField(default=0)
    # Answered after the deadline, or still unanswered past it when the day was last computed.
    sla_missed = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)

    objects = OrgScopedManager()

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "grain", "theme", "day"]),
            # The refresh job replaces whole days: its DELETE reads this one.
            models.Index(fields=["organisation", "day"]),
        ]

    def __str__(self) -> str:
        return f"rollup {self.day} {self.theme or '*'}"


class DelayMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", "first response (business hours)"
    FIRST_RESPONSE_CALENDAR = "first_response_calendar", "first response (calendar)"
    RESOLUTION = "resolution", "resolution (calendar)"


class DelayRollup(models.Model):
    """How many cases of one day had a delay in one histogram bucket (see ``rollup.delay_bucket``).

    Same dimensions and grains as ``DailyRollup`` (one row per theme besides the all-mentions
    row), so a dashboard filtered by a theme, location, platform or team reads its delay medians
    from here instead of every case of the period.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    grain = models.CharField(max_length=6)
    theme = models.CharField(max_length=50, blank=True)
    location_id = models.IntegerField(null=True)
    platform = models.CharField(max_length=40, blank=True)
    team_id = models.IntegerField(null=True)
    metric = models.CharField(max_length=24, choices=DelayMetric.choices)
    bucket = models.PositiveIntegerField()
    cases = models.PositiveIntegerField(default=0)

    objects = OrgScopedManager()

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "grain", "theme", "day"]),
            models.Index(fields=["organisation", "day"]),  # the refresh job's DELETE of whole days
            # A location's (or group's) histograms without reading every location's: the "loc"
            # grain holds a row per location, bucket and day (a million mentions: 1.8 million rows).
            models.Index(fields=["organisation", "grain", "location_id", "theme", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.metric} bucket {self.bucket} on {self.day} {self.theme or '*'}"


class RollupState(models.Model):
    """Which days the rollup covers: ``covered_from`` <= day < ``covered_until``; later days are
    read from the mentions themselves. ``scanned_at``: changes before it are in the rollup."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    covered_from = models.DateField()
    covered_until = models.DateField()
    scanned_at = models.DateTimeField()

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"rollup of {self.organisation_id}: {self.covered_from}..{self.covered_until}"


class ReportBranding(models.Model):
    """The organisation's colour and logo on the management report's cover and page headers."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    colour = models.CharField(max_length=7, default="#1f4e79")  # "#rrggbb"
    # PNG or JPEG, at most 300 kB (checked by the form): small enough to travel in every report.
    logo = models.BinaryField(blank=True, default=b"")
    logo_type = models.CharField(max_length=20, blank=True)
    updated_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"report branding of {self.organisation_id}"
