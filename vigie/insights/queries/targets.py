"""What the KPIs are measured against, read from the charter in force: the targets and the business hours."""

from __future__ import annotations

from dataclasses import dataclass

from vigie.charter.queries import current_charter
from vigie.core.models import Organisation
from vigie.insights.business_hours import BusinessCalendar, business_calendar


@dataclass(frozen=True)
class Targets:
    """The commitments KPIs are measured against; ``targets_for`` reads them from the charter."""

    average_rating: float = 4.0
    response_rate: float = 0.8
    first_response_hours: float = 24.0
    sla_compliance: float = 0.9


DEFAULT_TARGETS = Targets()


def targets_for(organisation: Organisation) -> Targets:
    """The KPI targets of the organisation's charter in force."""
    t = current_charter(organisation).kpi_targets
    return Targets(
        average_rating=t.average_rating,
        response_rate=t.response_rate,
        first_response_hours=t.first_response_hours,
        sla_compliance=t.sla_compliance,
    )


def calendar_for(organisation: Organisation) -> BusinessCalendar:
    """The charter's business hours in the organisation's time zone."""
    return business_calendar(current_charter(organisation).sla.business_hours, organisation.timezone)
