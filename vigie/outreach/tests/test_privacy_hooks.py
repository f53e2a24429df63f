"""A data subject's outreach records are found, exported and erased by the GDPR commands."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from vigie.conftest import Tenant
from vigie.outreach.actions import do_invite_rows
from vigie.outreach.models import Contact, Invitation
from vigie.outreach.tests.conftest import configure


def test_privacy_export_and_erase_cover_outreach_contacts(
    tenant: Tenant, other_tenant: Tenant, tmp_path: Path
) -> None:
    row = {
        "email": "marie.durand@example.fr",
        "name": "Marie Durand",
        "location": "Agence Lyon",
        "platform": "",
    }
    for each in (tenant, other_tenant):
        configure(each)
        assert do_invite_rows(each.organisation, [row]).sent == 1
    out = tmp_path / "marie.json"
    call_command(
        "privacy",
        "export",
        "--org",
        "acme",
        "--subject",
        "marie.durand@example.fr",
        "--out",
        str(out),
        stdout=StringIO(),
    )
    exported = json.loads(out.read_text(encoding="utf-8"))
    blob = json.dumps(exported)
    assert "marie.durand@example.fr" in blob
    assert "outreach_invitations" in blob

    call_command(
        "privacy", "erase", "--org", "acme", "--subject", "marie.durand@example.fr", stdout=StringIO()
    )
    assert not Contact.objects.filter(
        organisation=tenant.organisation, email="marie.durand@example.fr"
    ).exists()
    assert not Invitation.objects.filter(organisation=tenant.organisation).exists()
    # The other organisation's records of the same address are not theirs to erase.
    assert Contact.objects.filter(organisation=other_tenant.organisation).exists()
