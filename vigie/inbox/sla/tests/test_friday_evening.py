"""A case received on Friday at 18:00 with a 4 business-hour first-answer delay: due on Monday at
13:00 (weekdays 9:00-18:00), so on Saturday it is neither late in the inbox nor escalated."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from vigie.charter.actions import do_update_charter
from vigie.charter.document import CharterDocument, SlaPolicy
from vigie.conftest import Tenant
from vigie.core.models import AuditEvent
from vigie.inbox.models import Case
from vigie.inbox.queries import CaseFilters, InboxView, cases, sla_state
from vigie.inbox.routing.route import do_route_mention
from vigie.inbox.routing.tests.test_routing import analysed
from vigie.inbox.sla.watch import watch_slas
from vigie.mentions.models import MentionType, Sentiment

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc,arg-type]


def test_a_friday_evening_case_with_four_business_hours_is_not_overdue_on_saturday(tenant: Tenant) -> None:
    org = tenant.organisation
    do_update_charter(org, CharterDocument(sla=SlaPolicy(first_response_hours=4)))
    mention = analysed(
        org,
        "Toujours pas de remboursement, c'est inadmissible.",
        type=MentionType.COMPLAINT,
        sentiment=Sentiment.NEGATIVE,
        created_at=paris(2026, 12, 4, 18),
    )
    case = do_route_mention(mention)
    assert case is not None
    assert case.sla_due_at == paris(2026, 12, 7, 13)

    saturday = paris(2026, 12, 5, 15)
    assert sla_state(case, saturday) == "ok"
    overdue = cases(tenant.agent, InboxView.ALL, CaseFilters(sla="overdue"), now=saturday)
    assert case.pk not in {c.pk for c in overdue}
    watch_slas(saturday)
    assert not AuditEvent.objects.filter(object_id=str(case.pk), verb="case.escalated").exists()
    assert Case.objects.get(pk=case.pk).escalated_at is None

    # Monday 13:00 is the deadline: late a minute after, not before.
    assert sla_state(case, paris(2026, 12, 7, 12, 59)) == "due_soon"
    assert sla_state(case, paris(2026, 12, 7, 13, 1)) == "overdue"


def test_a_platform_delay_written_under_an_older_name_applies_to_its_items() -> None:
    from vigie.inbox.sla.clock import first_response_hours

    charter = CharterDocument(sla=SlaPolicy(first_response_hours=24, per_platform_hours={"twitter": 2}))
    assert first_response_hours(charter, platform="x", comment_type="question") == 2
    assert first_response_hours(charter, platform="facebook", comment_type="question") == 24
