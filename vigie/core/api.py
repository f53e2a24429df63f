"""API routes of the core domain: who am I, the organisation, its teams, locations, location groups
and members."""

from __future__ import annotations

from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from vigie.core.actions import do_create_location, do_create_location_group, do_create_team
from vigie.core.api_auth import membership, require
from vigie.core.api_schemas import (
    NON_BLANK,
    READ_ERRORS,
    WRITE_ERRORS,
    ApiDateTime,
    ErrorOut,
    ObjectId,
    TeamRef,
    from_django_validation_error,
    invalid,
)
from vigie.core.models import Location, LocationGroup, LocationKind, Membership, Organisation, Team, User
from vigie.core.queries import (
    organisation_location_groups,
    organisation_locations,
    organisation_members,
    organisation_teams,
)
from vigie.core.roles import MANAGE, Role

router = Router(tags=["organisation"])


class UserOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str

    @staticmethod
    def of(user: User) -> UserOut:
        return UserOut(id=user.pk, email=user.email, first_name=user.first_name, last_name=user.last_name)


class OrganisationOut(Schema):
    id: int
    slug: str
    name: str
    timezone: str = Field(description="IANA time zone used for days, weeks and periods.")
    language: str
    created_at: ApiDateTime

    @staticmethod
    def of(organisation: Organisation) -> OrganisationOut:
        return OrganisationOut(
            id=organisation.pk,
            slug=organisation.slug,
            name=organisation.name,
            timezone=organisation.timezone,
            language=organisation.language,
            created_at=organisation.created_at,
        )


class MeOut(Schema):
    user: UserOut
    organisation: OrganisationOut
    role: Role = Field(description="viewer < agent < manager < admin; each can do what the ones below can.")


class TeamOut(Schema):
    id: int
    name: str
    description: str

    @staticmethod
    def of(team: Team) -> TeamOut:
        return TeamOut(id=team.pk, name=team.name, description=team.description)


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    description: str = ""


class LocationOut(Schema):
    id: int
    name: str
    kind: LocationKind
    address: str
    city: str
    postcode: str
    timezone: str

    @staticmethod
    def of(location: Location) -> LocationOut:
        return LocationOut(
            id=location.pk,
            name=location.name,
            kind=LocationKind(location.kind),
            address=location.address,
            city=location.city,
            postcode=location.postcode,
            timezone=location.timezone,
        )


class LocationIn(Schema):
    name: str = Field(min_length=1, max_length=150)
    kind: LocationKind = LocationKind.AGENCY
    address: str = Field("", max_length=250)
    city: str = Field("", max_length=100)
    postcode: str = Field("", max_length=12)
    timezone: str | None = Field(
        None,
        description="An IANA time zone; defaults to the organisation's.",
        json_schema_extra={"enum": [*sorted(available_timezones()), None]},
    )


class LocationGroupOut(Schema):
    id: int
    name: str
    locations: list[int] = Field(description="Ids of the group's locations.")

    @staticmethod
    def of(group: LocationGroup) -> LocationGroupOut:
        return LocationGroupOut(
            id=group.pk, name=group.name, locations=sorted(location.pk for location in group.locations.all())
        )


class LocationGroupIn(Schema):
    name: str = Field(min_length=1, max_length=150, pattern=NON_BLANK)
    locations: list[ObjectId] = Field(
        default_factory=list, max_length=1000, description="Ids of the organisation's locations."
    )


class MemberOut(Schema):
    id: int = Field(description="The membership id.")
    email: str
    first_name: str
    last_name: str
    role: Role
    is_active: bool
    teams: list[TeamRef]
    created_at: ApiDateTime

    @staticmethod
    def of(member: Membership) -> MemberOut:
        return MemberOut(
            id=member.pk,
            email=member.user.email,
            first_name=member.user.first_name,
            last_name=member.user.last_name,
            role=Role(member.role),
            is_active=member.is_active,
            teams=[TeamRef(id=t.pk, name=t.name) for t in member.teams.all()],
            created_at=member.created_at,
        )


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The token's user, organisation and role")
def me(request: HttpRequest) -> MeOut:
    member = membership(request)
    return MeOut(
        user=UserOut.of(member.user),
        organisation=OrganisationOut.of(member.organisation),
        role=Role(member.role),
    )


@router.get("/organisation", response={200: OrganisationOut, 401: ErrorOut}, summary="The organisation")
def organisation(request: HttpRequest) -> OrganisationOut:
    return OrganisationOut.of(membership(request).organisation)


@router.get("/teams", response={200: list[TeamOut], **READ_ERRORS}, summary="List teams")
def list_teams(request: HttpRequest) -> list[TeamOut]:
    return [TeamOut.of(team) for team in organisation_teams(membership(request).organisation)]


@router.post("/teams", response={201: TeamOut, **WRITE_ERRORS}, summary="Create a team (manager and above)")
def create_team(request: HttpRequest, payload: TeamIn) -> Status[TeamOut]:
    member = require(request, MANAGE)
    try:
        team = do_create_team(
            member.organisation, payload.name.strip(), description=payload.description, actor=member.user
        )
    except ValidationError as error:
        # The only rule spanning several columns is "one name per organisation".
        raise from_django_validation_error(error, non_field="name") from None
    return Status(201, TeamOut.of(team))


@router.get("/locations", response={200: list[LocationOut], **READ_ERRORS}, summary="List locations")
def list_locations(request: HttpRequest) -> list[LocationOut]:
    return [LocationOut.of(location) for location in organisation_locations(membership(request).organisation)]


@router.post(
    "/locations", response={201: LocationOut, **WRITE_ERRORS}, summary="Create a location (manager and above)"
)
def create_location(request: HttpRequest, payload: LocationIn) -> Status[LocationOut]:
    member = require(request, MANAGE)
    try:
        location = do_create_location(
            member.organisation,
            payload.name.strip(),
            kind=payload.kind.value,
            address=payload.address,
            city=payload.city,
            postcode=payload.postcode,
            timezone_name=payload.timezone,
            actor=member.user,
        )
    except ValidationError as error:
        raise from_django_validation_error(error, non_field="name") from None
    return Status(201, LocationOut.of(location))


@router.get(
    "/location-groups",
    response={200: list[LocationGroupOut], **READ_ERRORS},
    summary="List groups of locations (regions, franchised shops…)",
)
def list_location_groups(request: HttpRequest) -> list[LocationGroupOut]:
    return [LocationGroupOut.of(g) for g in organisation_location_groups(membership(request).organisation)]


@router.post(
    "/location-groups",
    response={201: LocationGroupOut, **WRITE_ERRORS},
    summary="Create a group of locations (manager and above)",
)
def create_location_group(request: HttpRequest, payload: LocationGroupIn) -> Status[LocationGroupOut]:
    member = require(request, MANAGE)
    wanted = set(payload.locations)
    found = list(organisation_locations(member.organisation).filter(pk__in=wanted))
    if len(found) != len(wanted):
        # Another organisation's location is as unknown as one that does not exist.
        raise invalid(["body", "payload", "locations"], "Unknown location.")
    try:
        group = do_create_location_group(member.organisation, payload.name.strip(), found, actor=member.user)
    except ValidationError as error:
        raise from_django_validation_error(error, non_field="name") from None
    return Status(201, LocationGroupOut.of(group))


@router.get(
    "/members",
    response={200: list[MemberOut], 401: ErrorOut, 403: ErrorOut},
    summary="List members (manager+)",
)
def list_members(request: HttpRequest) -> list[MemberOut]:
    member = require(request, MANAGE)
    return [MemberOut.of(m) for m in organisation_members(member.organisation).prefetch_related("teams")]
