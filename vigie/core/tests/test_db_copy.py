"""``copy_objects`` and ``copy_rows``: the pipeline's PostgreSQL inserts by COPY behave as
``bulk_create`` does (ids in order, values stored, constraints enforced as Django errors)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from vigie.conftest import Tenant
from vigie.core.db import copy_objects, copy_rows
from vigie.core.models import Team

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")


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


def test_a_broken_unique_constraint_is_a_django_integrity_error(tenant: Tenant) -> None:
    Team.objects.create(organisation=tenant.organisation, name="Experts")
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_objects([Team(organisation=tenant.organisation, name="Experts")])
    assert Team.objects.filter(organisation=tenant.organisation, name="Experts").count() == 1


def test_copied_rows_are_appended(tenant: Tenant) -> None:
    with transaction.atomic():
        copy_rows(
            Team._meta.db_table,
            ("organisation_id", "name", "description"),
            [(tenant.organisation.pk, "Ventes", "")],
        )
    assert Team.objects.filter(organisation=tenant.organisation, name="Ventes").exists()
