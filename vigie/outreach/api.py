"""API routes of outreach: invite customers (after a purchase, an appointment), set the
population rules (a gating rule answers 422 with its reason), mark a bounced address, read the
satisfaction per location, team or agent."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import StrictBool, model_validator

from vigie.core.api_auth import membership, require
from vigie.core.api_schemas import EMAIL, READ_ERRORS, WRITE_ERRORS, from_django_validation_error
from vigie.core.periods import last_days
from vigie.core.roles import MANAGE
from vigie.outreach.actions import do_invite_rows, do_mark_address, do_update_campaign
from vigie.outreach.queries import satisfaction_by

router = Router(tags=["outreach"])


class CustomerIn(Schema):
    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        # Ninja's schemas read attributes of any object: a list would pass as a customer with
        # every field empty. A customer is a JSON object.
        data = getattr(value, "_obj", value)  # Ninja hands its validators a DjangoGetter
        if data is None or isinstance(data, list | tuple | str | int | float | bool):
            raise ValueError("Expected a JSON object.")
        return value

    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    name: str = Field("", max_length=200)
    location: str = Field("", max_length=150, description="A location's name; empty: none.")
    platform: str = Field(
        "", max_length=40, description="The platform to review on; empty: the charter's choice."
    )
    legal_basis: str = Field(
        "", description="consent, contract or legitimate_interest; empty: the campaign's."
    )


class InviteIn(Schema):
    customers: list[CustomerIn] = Field(max_length=1000)
    dry_run: StrictBool = False


class InviteOut(Schema):
    sent: int
    skipped: dict[str, int] = Field(
        description="Customers not invited, by reason (already_invited, opted_out…)."
    )


class RuleIn(Schema):
    field: str = Field(max_length=40, description="location, team, platform or trigger.")
    value: str = Field(max_length=150)


class PopulationIn(Schema):
    rules: list[RuleIn] = Field(max_length=20)


class PopulationOut(Schema):
    rules: list[RuleIn]


class AddressIn(Schema):
    email: str = Field(max_length=254, json_schema_extra=EMAIL)
    kind: Literal["bounce", "complaint"]


class AddressOut(Schema):
    marked: int


class SatisfactionOut(Schema):
    label: str = Field(description="The location, team or agent; empty for the total and for 'not known'.")
    total: bool
    answers: int
    csat: float | None = Field(description="Share of answers rated 4 or 5 out of 5.")
    csat_average: float | None
    nps: float | None = Field(description="-100..100")
    invited: int
    response_rate: float | None


@router.post(
    "/outreach/invitations", response={200: InviteOut, **WRITE_ERRORS}, summary="Invite customers (manager)"
)
def post_invitations(request: HttpRequest, payload: InviteIn) -> InviteOut:
    """Invite each customer under the campaign's rules (the same invitation for everyone)."""
    member = require(request, MANAGE)
    rows = [{k: str(v) for k, v in customer.dict().items()} for customer in payload.customers]
    summary = do_invite_rows(member.organisation, rows, dry_run=payload.dry_run, trigger="api")
    return InviteOut(**summary.as_dict())


@router.put(
    "/outreach/population",
    response={200: PopulationOut, **WRITE_ERRORS},
    summary="Set who is invited (manager)",
)
def put_population(request: HttpRequest, payload: PopulationIn) -> PopulationOut:
    """Narrow the population by location, team, platform or trigger. A rule on sentiment, rating
    or a case's outcome is refused (422) with the reason: that would be review gating."""
    member = require(request, MANAGE)
    try:
        campaign = do_update_campaign(
            member.organisation, actor=member.user, population=[rule.dict() for rule in payload.rules]
        )
    except DjangoValidationError as exc:
        raise from_django_validation_error(exc, field_names={"population": "rules"}) from None
    return PopulationOut(rules=[RuleIn(**rule) for rule in campaign.population])


@router.post(
    "/outreach/addresses",
    response={200: AddressOut, **WRITE_ERRORS},
    summary="Mark a bounced address (manager)",
)
def post_address(request: HttpRequest, payload: AddressIn) -> AddressOut:
    """What the mail server reported (a bounce or a complaint): nothing is sent to the address again."""
    member = require(request, MANAGE)
    try:
        marked = do_mark_address(member.organisation, payload.email, kind=payload.kind, actor=member.user)
    except DjangoValidationError as exc:
        raise from_django_validation_error(exc) from None
    return AddressOut(marked=marked)


@router.get(
    "/outreach/satisfaction", response={200: list[SatisfactionOut], **READ_ERRORS}, summary="CSAT and NPS"
)
def get_satisfaction(
    request: HttpRequest,
    by: Literal["location", "team", "agent"] = "location",
    days: int = 30,
) -> list[SatisfactionOut]:
    """CSAT, NPS and response rate over the last ``days`` days, total first, then per group."""
    organisation = membership(request).organisation
    rows = satisfaction_by(organisation, last_days(organisation, max(1, min(days, 730))), by)
    return [
        SatisfactionOut(
            label=row.label,
            total=index == 0,
            answers=row.answers,
            csat=row.csat,
            csat_average=row.csat_average,
            nps=row.nps,
            invited=row.invited,
            response_rate=row.response_rate,
        )
        for index, row in enumerate(rows)
    ]
