"""``copy_objects`` and ``copy_rows``: the pipeline's PostgreSQL inserts by COPY behave as
``bulk_create`` does (ids in order, values stored, constraints enforced as Django errors); the
``any_of`` lookup finds what ``in`` finds (``= ANY`` on PostgreSQL, ``IN`` elsewhere)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from vigie.conftest import Tenant
from vigie.core.db import copy_objects, copy_rows
from vigie.core.models import Team

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")


@postgres_only
def test_copied_objects_get_increasing_ids_and_are_stored_as_given(tenant: Tenant) -> None:
    teams = [
        Team(organisation=tenant.organisation, name=f"Équipe\t{n}", description="ligne 1\nligne 2 \\ fin")
        for n in range(3)
    ]
    with transaction.atomic():
        copy_objects(teams)
    ids = [team.pk for team in teams]
    assert ids == sorted(ids)
    assert len(set(ids)) == 3
    assert all(not team._state.adding for team in teams)
    stored = {team.pk: (team.name, team.description) for team in Team.objects.filter(pk__in=ids)}
    assert stored == {team.pk: (team.name, "ligne 1\nligne 2 \\ fin") for team in teams}
    # The sequence moved on: an ordinary insert after them gets a fresh id.
    assert Team.objects.create(organisation=tenant.organisation, name="Après").pk > max(ids)


@postgres_only
def test_a_broken_unique_constraint_is_a_django_integrity_error(tenant: Tenant) -> None:
    Team.objects.create(organisation=tenant.organisation, name="Experts")
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_objects([Team(organisation=tenant.organisation, name="Experts")])
    assert Team.objects.filter(organisation=tenant.organisation, name="Experts").count() == 1


@postgres_only
def test_copied_rows_are_appended(tenant: Tenant) -> None:
    with transaction.atomic():
        copy_rows(
            Team._meta.db_table,
            ("organisation_id", "name", "description"),
            [(tenant.organisation.pk, "Ventes", "")],
        )
    assert Team.objects.filter(organisation=tenant.organisation, name="Ventes").exists()


@postgres_only
def test_copied_json_dates_and_nulls_are_stored_as_bulk_create_stores_them(tenant: Tenant) -> None:
    from datetime import UTC, datetime

    from vigie.core.models import Notification

    def notices(tag: str) -> list[Notification]:
        return [
            Notification(
                organisation=tenant.organisation,
                recipient=tenant.manager.user,
                event=f"{tag}.{n}",
                title="Échéance « dépassée »\t\\ fin",
                data=data,
                created_at=datetime(2026, 12, 6, 8, n, tzinfo=UTC),
                read_at=None if n % 2 else datetime(2026, 12, 6, 9, tzinfo=UTC),
            )
            for n, data in enumerate(
                [{"a": [1, 2.5, None, True], "texte": 'l\'été\n"cité"'}, [], "seul", 7, {"{}": "\\"}]
            )
        ]

    with transaction.atomic():
        copied = copy_objects(notices("copy"))
        built = Notification.objects.bulk_create(notices("bulk"))

    def stored(objects: list[Notification]) -> list[tuple[object, ...]]:
        rows = Notification.objects.filter(pk__in=[o.pk for o in objects]).order_by("pk")
        return [(n.title, n.data, n.created_at, n.read_at) for n in rows]

    assert stored(copied) == stored(built)
    assert stored(copied)[0][1] == {"a": [1, 2.5, None, True], "texte": 'l\'été\n"cité"'}


def test_any_of_finds_the_rows_in_finds(tenant: Tenant) -> None:
    names = ["O'Neil", "a,b", "{x}", 'guillemet "', "barre \\ oblique", "", "NULL"]
    teams = [Team.objects.create(organisation=tenant.organisation, name=name) for name in names]
    ids = [team.pk for team in teams]
    mine = Team.objects.filter(organisation=tenant.organisation)

    def both(**lookup: object) -> tuple[list[int], list[int]]:
        ((name, values),) = lookup.items()
        found = sorted(mine.filter(**{f"{name}__any_of": values}).values_list("pk", flat=True))
        expected = sorted(mine.filter(**{f"{name}__in": values}).values_list("pk", flat=True))
        return found, expected

    for values in ([*ids[:3], None], {ids[0], ids[4]}, [], [str(ids[1])], [10**12]):
        found, expected = both(pk=values)
        assert found == expected, values
    found, expected = both(name=names)
    assert found == expected == sorted(ids)
    found, expected = both(organisation_id=[tenant.organisation.pk])
    assert found == expected
    assert list(mine.filter(organisation__any_of=[tenant.organisation])) == list(mine)
    assert mine.exclude(pk__any_of=ids[:2]).count() == len(ids) - 2
    subquery = Team.objects.filter(pk__in=ids[:2]).values("pk")
    assert sorted(mine.filter(pk__any_of=subquery).values_list("pk", flat=True)) == sorted(ids[:2])
