"""Writing the charter: every change is a new version and an audit event."""

from __future__ import annotations

from django.db import transaction

from vigie.charter.document import CharterDocument
from vigie.charter.models import CharterVersion
from vigie.core.actions import do_record_audit_event
from vigie.core.models import Organisation, User


@transaction.atomic
def do_update_charter(
    organisation: Organisation,
    document: CharterDocument,
    *,
    author: User | None = None,
    comment: str = "",
) -> CharterVersion:
    """Store ``document`` as the organisation's next charter version."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    last = CharterVersion.objects.filter(organisation=organisation).order_by("-number").first()
    version = CharterVersion.objects.create(
        organisation=organisation,
        number=(last.number + 1) if last else 1,
        document=document.model_dump(mode="json"),
        comment=comment,
        author=author,
    )
    do_record_audit_event(
        organisation,
        "charter.updated",
        actor=author,
        obj=version,
        data={"number": version.number, "comment": comment},
    )
    return version
