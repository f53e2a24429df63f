"""Reading the charter."""

from __future__ import annotations

from django.db.models import QuerySet

from vigie.charter.document import CharterDocument, default_charter
from vigie.charter.models import CharterVersion
from vigie.core.models import Organisation


def current_version(organisation: Organisation) -> CharterVersion | None:
    """The newest version, or None while the organisation runs on Vigie's defaults."""
    return CharterVersion.objects.filter(organisation=organisation).order_by("-number").first()


def current_charter(organisation: Organisation) -> CharterDocument:
    """The charter in force: the newest version, or the defaults when none was written."""
    version = current_version(organisation)
    if version is None:
        return default_charter(organisation.language, organisation.timezone)
    return CharterDocument.model_validate(version.document)


def charter_history(organisation: Organisation) -> QuerySet[CharterVersion]:
    return CharterVersion.objects.filter(organisation=organisation).select_related("author")
