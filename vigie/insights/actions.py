"""Every write of the insights: action plans, testimonial consent, scheduled reports.

Each function runs in one transaction and records an audit event.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.alerts.models import Crisis
from vigie.core.actions import do_record_audit_event
from vigie.core.models import Location, LocationGroup, Membership, Organisation, User
from vigie.core.roles import READ
from vigie.core.tenancy import scoped
from vigie.insights.models import (
    ActionPlan,
    ActionPlanStatus,
    QuoteConsent,
    ReportBranding,
    ReportFrequency,
    ScheduledReport,
)
from vigie.mentions.models import Mention

REPORT_FORMATS = ("pdf", "html")
REPORT_LANGUAGES = ("fr", "en")


def _check_owner(organisation: Organisation, owner: User | None) -> None:
    if owner is None:
        return
    member = scoped(Membership, organisation).filter(user=owner, is_active=True).first()
    if member is None or not member.can(READ):
        raise ValidationError({"owner": _("Cette personne n'est pas membre de l'organisation.")})


@transaction.atomic
def do_create_action_plan(
    organisation: Organisation,
    *,
    theme: str,
    title: str,
    started_on: date,
    actor: User | None,
    description: str = "",
    owner: User | None = None,
    due_on: date | None = None,
    status: str = ActionPlanStatus.PLANNED,
    crisis: Crisis | None = None,
) -> ActionPlan:
    """Record an action decided against ``theme`` (``crisis``: the crisis whose post-mortem it
    carries on; a crisis feeds one plan)."""
    _check_owner(organisation, owner)
    if crisis is not None:
        if crisis.organisation_id != organisation.pk:
            raise ValidationError(_("Crise inconnue."))
        if ActionPlan.objects.filter(crisis=crisis).exists():
            raise ValidationError(_("Cette crise a déjà son plan d'action."))
    if due_on is not None and due_on < started_on:
        raise ValidationError({"due_on": _("L'échéance précède la date de début.")})
    plan = ActionPlan.objects.create(
        organisation=organisation,
        theme=theme,
        title=title,
        description=description,
        owner=owner,
        status=status,
        started_on=started_on,
        due_on=due_on,
        created_by=actor,
        crisis=crisis,
    )
    do_record_audit_event(
        organisation,
        "insights.action_plan_created",
        actor=actor,
        obj=plan,
        data={
            "theme": theme,
            "title": title,
            "status": status,
            "crisis_id": crisis.pk if crisis is not None else None,
        },
    )
    return plan


@transaction.atomic
def do_update_action_plan(
    plan: ActionPlan,
    *,
    actor: User | None,
    title: str,
    description: str,
    owner: User | None,
    status: str,
    started_on: date,
    due_on: date | None,
) -> ActionPlan:
    """Change an action plan's fields; the audit event lists what changed.

    The owner is checked only when it changes: a plan whose owner was suspended since keeps them
    when other fields are saved (the form offers them, marked suspended)."""
    if owner is None or owner.pk != plan.owner_id:
        _check_owner(plan.organisation, owner)
    if due_on is not None and due_on < started_on:
        raise ValidationError({"due_on": _("L'échéance précède la date de début.")})
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    new = {
        "title": title,
        "description": description,
        "owner_id": owner.pk if owner else None,
        "status": status,
        "started_on": started_on,
        "due_on": due_on,
    }
    changed = {key: str(value) for key, value in new.items() if getattr(plan, key) != value}
    for key, value in new.items():
        setattr(plan, key, value)
    plan.updated_at = timezone.now()
    plan.save()
    do_record_audit_event(
        plan.organisation, "insights.action_plan_updated", actor=actor, obj=plan, data={"changed": changed}
    )
    return plan


@transaction.atomic
def do_delete_action_plan(plan: ActionPlan, *, actor: User | None) -> None:
    """Remove an action plan (the audit log keeps its title)."""
    do_record_audit_event(
        plan.organisation,
        "insights.action_plan_deleted",
        actor=actor,
        obj=plan,
        data={"title": plan.title, "theme": plan.theme},
    )
    plan.delete()


@transaction.atomic
def do_record_quote_consent(
    mention: Mention, *, granted: bool, actor: User | None, note: str = ""
) -> QuoteConsent:
    """Record whether ``mention``'s author agreed to be quoted as a testimonial."""
    consent, _created = QuoteConsent.objects.update_or_create(
        mention=mention,
        defaults={
            "organisation": mention.organisation,
            "granted": granted,
            "note": note,
            "recorded_by": actor,
            "recorded_at": timezone.now(),
        },
    )
    do_record_audit_event(
        mention.organisation,
        "insights.testimonial_consent_recorded",
        actor=actor,
        obj=mention,
        data={"granted": granted},
    )
    return consent


def _clean_recipients(recipients: list[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in recipients:
        email = raw.strip()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError(
                {"recipients": _("Adresse invalide : %(email)s") % {"email": email}}
            ) from exc
        if email.lower() not in (e.lower() for e in cleaned):
            cleaned.append(email)
    if not cleaned:
        raise ValidationError({"recipients": _("Indiquez au moins un destinataire.")})
    return cleaned


@transaction.atomic
def do_create_scheduled_report(
    organisation: Organisation,
    *,
    frequency: str,
    recipients: list[str],
    actor: User | None,
    language: str = "fr",
    report_format: str = "pdf",
    location: Location | None = None,
    location_group: LocationGroup | None = None,
) -> ScheduledReport:
    """Schedule a weekly, monthly or quarterly report e-mailed to ``recipients``, about the whole
    organisation, one of its locations or one of its groups of locations."""
    if location is not None and location.organisation_id != organisation.pk:
        raise ValidationError({"location": _("Établissement inconnu.")})
    if location_group is not None and location_group.organisation_id != organisation.pk:
        raise ValidationError({"location_group": _("Groupe de lieux inconnu.")})
    if location is not None and location_group is not None:
        raise ValidationError(
            {"location_group": _("Choisissez un établissement ou un groupe de lieux, pas les deux.")}
        )
    if frequency not in ReportFrequency.values:
        raise ValidationError({"frequency": _("Fréquence inconnue.")})
    if language not in REPORT_LANGUAGES:
        raise ValidationError({"language": _("Langue inconnue.")})
    if report_format not in REPORT_FORMATS:
        raise ValidationError({"report_format": _("Format inconnu.")})
    schedule = ScheduledReport.objects.create(
        organisation=organisation,
        frequency=frequency,
        recipients=_clean_recipients(recipients),
        language=language,
        report_format=report_format,
        location=location,
        location_group=location_group,
        created_by=actor,
    )
    do_record_audit_event(
        organisation,
        "insights.scheduled_report_created",
        actor=actor,
        obj=schedule,
        data={"frequency": frequency, "recipients": len(schedule.recipients)},
    )
    return schedule


@transaction.atomic
def do_delete_scheduled_report(schedule: ScheduledReport, *, actor: User | None) -> None:
    """Stop and remove a scheduled report."""
    do_record_audit_event(
        schedule.organisation,
        "insights.scheduled_report_deleted",
        actor=actor,
        obj=schedule,
        data={"frequency": schedule.frequency},
    )
    schedule.delete()


def do_claim_scheduled_report(schedule: ScheduledReport, period_key: str) -> bool:
    """Mark ``period_key`` as sent for ``schedule`` if no one did; True when this caller claimed it.

    A conditional UPDATE, so two workers running the periodic job never both send a period.
    """
    claimed = (
        ScheduledReport.objects.filter(pk=schedule.pk, active=True)
        .exclude(last_period_sent=period_key)
        .update(last_period_sent=period_key, last_sent_at=timezone.now())
    )
    return claimed == 1


def do_release_scheduled_report(schedule: ScheduledReport, previous_key: str) -> None:
    """Give a claimed period back after the e-mail failed, so the next run retries it."""
    ScheduledReport.objects.filter(pk=schedule.pk).update(last_period_sent=previous_key)


@transaction.atomic
def do_set_report_branding(
    organisation: Organisation,
    *,
    colour: str,
    logo: bytes | None,
    actor: User | None,
    remove_logo: bool = False,
) -> ReportBranding:
    """Set the colour and logo of the organisation's reports; ``logo`` None keeps the current one.

    Only PNG or JPEG (recognised by their first bytes, whatever the file name says) up to
    300 kB: the logo travels inside every report and never runs anything.
    """
    from vigie.insights.report_branding import MAX_LOGO_BYTES, logo_type, valid_colour

    if not valid_colour(colour):
        raise ValidationError({"colour": _("Couleur attendue au format #RRGGBB.")})
    branding, _created = ReportBranding.objects.get_or_create(organisation=organisation)
    branding.colour = colour.lower()
    if logo is not None:
        mime = logo_type(logo)
        if mime is None:
            raise ValidationError({"logo": _("Le logo doit être une image PNG ou JPEG.")})
        if len(logo) > MAX_LOGO_BYTES:
            raise ValidationError({"logo": _("Le logo dépasse 300 ko.")})
        branding.logo, branding.logo_type = logo, mime
    elif remove_logo:
        branding.logo, branding.logo_type = b"", ""
    branding.updated_at = timezone.now()
    branding.save()
    do_record_audit_event(
        organisation,
        "insights.report_branding_changed",
        actor=actor,
        obj=branding,
        data={"colour": branding.colour, "logo": bool(branding.logo)},
    )
    return branding
