"""The charter in force: defaults first, then each saved version, with its history."""

import pytest
from pydantic import ValidationError

from vigie.charter.actions import do_update_charter
from vigie.charter.document import CharterDocument
from vigie.charter.queries import charter_history, current_charter
from vigie.core.actions import do_create_organisation
from vigie.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_organisation_without_charter_gets_the_recommended_defaults() -> None:
    org = do_create_organisation("acme", "Acme")
    charter = current_charter(org)
    assert charter.sla.first_response_hours == 24
    assert charter.kpi_targets.response_rate == 0.8
    assert charter.kpi_targets.average_rating == 4.0
    assert charter.response_for("troll").answer is False
    assert charter.response_for("complaint").answer is True


def test_each_change_is_a_new_version_with_an_audit_event() -> None:
    org = do_create_organisation("acme", "Acme")
    first = CharterDocument()
    do_update_charter(org, first, comment="première version")
    second = first.model_copy(update={"internal_jargon": ["GED", "ticket N2"]})
    do_update_charter(org, second, comment="jargon")
    assert current_charter(org).internal_jargon == ["GED", "ticket N2"]
    assert [v.number for v in charter_history(org)] == [2, 1]
    assert AuditEvent.objects.filter(organisation=org, verb="charter.updated").count() == 2


def test_charters_are_kept_apart_per_organisation() -> None:
    acme = do_create_organisation("acme", "Acme")
    other = do_create_organisation("other", "Other")
    do_update_charter(acme, CharterDocument(internal_jargon=["X"]))
    assert current_charter(other).internal_jargon == []


def test_an_invalid_document_is_refused() -> None:
    with pytest.raises(ValidationError):
        CharterDocument.model_validate({"kpi_targets": {"response_rate": 1.5}})


def test_a_version_saved_before_the_reply_commitments_setting_loads_with_its_defaults() -> None:
    """Which commitments need approval is a charter setting added later: old versions keep loading."""
    from vigie.charter.models import CharterVersion

    org = do_create_organisation("acme", "Acme")
    do_update_charter(org, CharterDocument(), comment="avant")
    version = CharterVersion.objects.get(organisation=org)
    for key in ("reply_commitments", "shortest_deadline_hours"):
        del version.document["approval"][key]
    version.save()
    approval = current_charter(org).approval
    assert approval.reply_commitments == ["refund", "gesture", "money", "fault", "liability", "deadline"]
    assert approval.shortest_deadline_hours == 24
    with pytest.raises(ValidationError):
        CharterDocument.model_validate({"approval": {"reply_commitments": ["apology"]}})
