"""`vigie backup` writes a consistent, usable copy of a SQLite database."""

import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from vigie.conftest import Tenant

# The backup reads through its own connection: the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_backup_holds_the_organisations_data(tenant: Tenant, tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        with pytest.raises(CommandError, match="pg_dump"):
            call_command("backup", "--out", str(tmp_path / "b.sqlite3"))
        return
    target = tmp_path / "backup.sqlite3"
    out = StringIO()
    call_command("backup", "--out", str(target), stdout=out)
    assert "backup written" in out.getvalue()
    copy = sqlite3.connect(target)
    try:
        slugs = [row[0] for row in copy.execute("SELECT slug FROM core_organisation")]
        members = copy.execute("SELECT count(*) FROM core_membership").fetchone()[0]
    finally:
        copy.close()
    assert slugs == ["acme"]
    assert members == 4


def test_the_backup_never_overwrites_a_file(tenant: Tenant, tmp_path: Path) -> None:
    existing = tmp_path / "keep.sqlite3"
    existing.write_text("precious")
    with pytest.raises(CommandError, match="already exists|pg_dump"):
        call_command("backup", "--out", str(existing))
    assert existing.read_text() == "precious"
