"""vigie export mentions: JSON lines and CSV with the documented fields."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vigie.conftest import Tenant
from vigie.mentions.tests.factories import make_author, make_mention, make_source

FIELDS = {
    "id", "source", "platform", "external_id", "kind", "url", "author", "title", "text", "rating",
    "created_at", "language", "deleted",
}  # fmt: skip


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", "mentions", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def mentions(tenant: Tenant, other_tenant: Tenant) -> None:
    source = make_source(tenant.organisation, platform="trustpilot", name="Trustpilot FR")
    author = make_author(tenant.organisation, platform="trustpilot", display_name="Marie", handle="marie")
    make_mention(
        tenant.organisation, source=source, author=author, external_id="r1", rating=4,
        created_at=datetime(2026, 1, 10, 8, 0, tzinfo=UTC), text="Bien, « vraiment »", language="fr",
    )  # fmt: skip
    make_mention(
        tenant.organisation, source=source, external_id="r2", with_author=False,
        created_at=datetime(2026, 2, 1, 8, 0, tzinfo=UTC), deleted_at=datetime(2026, 2, 2, tzinfo=UTC),
    )  # fmt: skip
    make_mention(other_tenant.organisation, external_id="other-org")


def test_jsonl_has_every_documented_field(mentions: None) -> None:
    lines = export("--org", "acme", "--format", "jsonl").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["external_id"] for r in records] == ["r1", "r2"]
    first = records[0]
    assert set(first) >= FIELDS
    assert first["source"] == "Trustpilot FR"
    assert first["platform"] == "trustpilot"
    assert first["author"] == {"name": "Marie", "handle": "marie"}
    assert first["rating"] == 4.0
    assert first["created_at"] == "2026-01-10T08:00:00+00:00"
    assert first["deleted"] is False
    assert records[1]["deleted"] is True
    assert records[1]["rating"] is None


def test_csv_flattens_the_author_and_since_filters(mentions: None, tmp_path: Path) -> None:
    out = tmp_path / "mentions.csv"
    export("--org", "acme", "--format", "csv", "--since", "2026-01-15", "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["external_id"] for r in rows] == ["r2"]
    assert rows[0]["deleted"] == "true"
    assert rows[0]["rating"] == ""
    assert {"author_name", "author_handle", "created_at"} <= set(rows[0])


def test_another_organisations_mentions_are_never_exported(mentions: None) -> None:
    assert "other-org" not in export("--org", "acme", "--format", "jsonl")


def test_bad_arguments_are_one_line_errors(tenant: Tenant) -> None:
    with pytest.raises(CommandError, match="--since 'hier'"):
        export("--org", "acme", "--format", "csv", "--since", "hier")
    with pytest.raises(CommandError, match="unknown organisation"):
        export("--org", "nope", "--format", "csv")


def test_ratings_keep_their_decimals(tenant: Tenant) -> None:
    make_mention(tenant.organisation, rating=Decimal("3.5"))
    assert json.loads(export("--org", "acme", "--format", "jsonl"))["rating"] == 3.5
