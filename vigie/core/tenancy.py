"""Tenancy in one place: every organisation-owned row is read through ``for_org``.

Views and API routes never filter on ``organisation`` by hand: they call ``scoped(Model, org)`` or
``get_in_org(Model, org, pk)``, which raise 404 for another organisation's row, so its existence
does not leak.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from vigie.core.models import Organisation

M = TypeVar("M", bound=models.Model)


class OrgScopedQuerySet(models.QuerySet[Any]):
    def for_org(self, organisation: Organisation) -> OrgScopedQuerySet:
        return self.filter(organisation=organisation)


class OrgScopedManager(models.Manager[Any]):
    """Manager for organisation-owned models; the ``for_org`` entry point is the only door in."""

    def get_queryset(self) -> OrgScopedQuerySet:
        return OrgScopedQuerySet(self.model, using=self._db)

    def for_org(self, organisation: Organisation) -> OrgScopedQuerySet:
        return self.get_queryset().for_org(organisation)


def scoped(model: type[M], organisation: Organisation) -> models.QuerySet[M]:
    """All rows of ``model`` that belong to ``organisation``."""
    manager = model._default_manager
    if not isinstance(manager, OrgScopedManager):
        raise TypeError(f"{model.__name__} is not organisation-scoped")
    return manager.for_org(organisation)


def get_in_org(model: type[M], organisation: Organisation, pk: Any) -> M:
    """The row ``pk`` of ``model`` if it belongs to ``organisation``, else 404."""
    try:
        return scoped(model, organisation).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
