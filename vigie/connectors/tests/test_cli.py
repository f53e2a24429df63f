"""The connectors' command line: source add/list, fetch, import."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.models import Source
from vigie.connectors.tests.servers import LocalServer, local_server
from vigie.core.models import AuditEvent
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_location

FILES = Path(__file__).parents[1] / "builtin" / "file" / "tests" / "fixtures"
FEEDS = Path(__file__).parents[1] / "builtin" / "feed" / "tests" / "fixtures"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        yield running


def test_source_add_validates_and_stores_a_feed(tenant: Tenant) -> None:
    make_location(tenant.organisation, name="Lyon")
    output = run(
        "source", "add", "--org", "acme", "--platform", "feed", "--name", "Alertes",
        "--location", "Lyon", "--config", '{"url": "https://www.google.com/alerts/feeds/1/2", "preset": "google_alerts"}',
    )  # fmt: skip
    assert output.startswith("created source Alertes (feed)")
    source = Source.objects.get(name="Alertes")
    assert source.location is not None
    assert source.location.name == "Lyon"
    assert source.config["preset"] == "google_alerts"
    assert AuditEvent.objects.filter(verb="source.created").exists()


@pytest.mark.parametrize(
    ("platform", "config", "message"),
    [
        ("feed", "{}", "invalid config: url: Field required"),
        ("feed", '{"url": "ftp://x"}', "invalid config: url: Value error, must be an http"),
        ("feed", '{"url": "https://x", "colour": 1}', "invalid config: colour: Extra inputs"),
        ("webhook", '{"secret": "short"}', "invalid config: secret: String should have at least 16"),
        ("myspace", "{}", "unknown platform 'myspace'"),
        ("feed", "{not json", "--config is not valid JSON"),
    ],
)
def test_source_add_refuses_a_bad_config_in_one_line_with_exit_2(
    tenant: Tenant, platform: str, config: str, message: str
) -> None:
    with pytest.raises(CommandError) as excinfo:
        run("source", "add", "--org", "acme", "--platform", platform, "--name", "X", "--config", config)
    assert excinfo.value.returncode == 2
    assert str(excinfo.value).startswith(message)
    assert "\n" not in str(excinfo.value)


def test_source_add_refuses_an_unknown_org_or_location(tenant: Tenant) -> None:
    with pytest.raises(CommandError, match="unknown organisation"):
        run("source", "add", "--org", "nope", "--platform", "feed", "--name", "X", "--config", "{}")
    with pytest.raises(CommandError, match="unknown location 'Paris'"):
        run(
            "source", "add", "--org", "acme", "--platform", "feed", "--name", "X",
            "--location", "Paris", "--config", '{"url": "https://x.example"}',
        )  # fmt: skip


def test_source_list_shows_one_line_per_source_with_health_and_no_secret(tenant: Tenant) -> None:
    do_create_source(tenant.organisation, platform="webhook", name="Hook", config={"secret": "z" * 24})
    do_create_source(tenant.organisation, platform="feed", name="Presse", config={"url": "https://x.example"})
    lines = run("source", "list", "--org", "acme").splitlines()
    assert [line.split("\t")[:3] for line in lines] == [["Hook", "webhook", "ok"], ["Presse", "feed", "ok"]]
    assert "z" * 24 not in "\n".join(lines)


def test_fetch_reads_feeds_and_prints_counts(tenant: Tenant, server: LocalServer) -> None:
    server.add(
        "GET",
        "/feed",
        200,
        (FEEDS / "google_alerts.xml").read_bytes(),
        {"Content-Type": "application/atom+xml"},
    )
    server.add("GET", "/down", 500, b"boom")
    do_create_source(
        tenant.organisation, platform="feed", name="Alertes", config={"url": server.url("/feed")}
    )
    do_create_source(tenant.organisation, platform="feed", name="Panne", config={"url": server.url("/down")})
    output = run("fetch", "--org", "acme")
    assert "Alertes: new=2 updated=0 unchanged=0" in output
    assert "Panne: new=0 updated=0 unchanged=0 error=feed answered HTTP 500" in output
    assert output.splitlines()[-1] == "total: new=2 updated=0 unchanged=0 errors=1"
    again = run("fetch", "--org", "acme", "--source", "Alertes")
    assert "Alertes: new=0 updated=0 unchanged=2" in again
    with pytest.raises(CommandError, match="unknown source 'Nope'"):
        run("fetch", "--org", "acme", "--source", "Nope")


def test_import_streams_a_file_and_writes_a_reject_file(tenant: Tenant, tmp_path: Path) -> None:
    do_create_source(tenant.organisation, platform="file", name="Exports", config={"preset": "trustpilot"})
    rejects = tmp_path / "rejects.csv"
    output = run(
        "import",
        str(FILES / "trustpilot_export.csv"),
        "--org",
        "acme",
        "--source",
        "Exports",
        "--rejects",
        str(rejects),
    )
    assert "read=3 new=2 updated=0 unchanged=0 rejected=1" in output
    assert rejects.read_text().splitlines()[1].startswith("5,created_at: unreadable date")
    assert Mention.objects.filter(source__name="Exports").count() == 2
    again = run(
        "import",
        str(FILES / "trustpilot_export.csv"),
        "--org",
        "acme",
        "--source",
        "Exports",
        "--rejects",
        str(rejects),
    )
    assert "new=0 updated=0 unchanged=2 rejected=1" in again


def test_import_dry_run_writes_nothing(tenant: Tenant, tmp_path: Path) -> None:
    do_create_source(tenant.organisation, platform="file", name="Exports", config={})
    output = run(
        "import", str(FILES / "skeepers_export.csv"), "--org", "acme", "--source", "Exports",
        "--preset", "skeepers", "--dry-run", "--rejects", str(tmp_path / "r.csv"),
    )  # fmt: skip
    assert output.startswith("dry run: read=3 valid=2 rejected=1")
    assert not Mention.objects.exists()


def test_import_with_a_column_map(tenant: Tenant, tmp_path: Path) -> None:
    do_create_source(tenant.organisation, platform="file", name="Enquête", config={"kind": "survey_answer"})
    path = tmp_path / "survey.csv"
    path.write_text("ref;quand;verbatim\nS1;2026-01-05;Merci\n", encoding="utf-8")
    run(
        "import", str(path), "--org", "acme", "--source", "Enquête",
        "--map", "ref=external_id", "--map", "quand=created_at", "--map", "verbatim=text",
    )  # fmt: skip
    mention = Mention.objects.get()
    assert (mention.external_id, mention.kind, mention.text) == ("S1", "survey_answer", "Merci")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "Nope"], "unknown source 'Nope'"),
        (["--source", "Exports", "--map", "a=b"], "unknown field 'b'"),
        (["--source", "Exports", "--map", "nocolumn"], "expected COL=FIELD"),
    ],
)
def test_import_refuses_bad_arguments(tenant: Tenant, args: list[str], message: str) -> None:
    do_create_source(tenant.organisation, platform="file", name="Exports", config={})
    with pytest.raises(CommandError, match=message) as excinfo:
        run("import", str(FILES / "generic.jsonl"), "--org", "acme", *args)
    assert excinfo.value.returncode == 2


def test_import_of_a_missing_file_is_a_one_line_error(tenant: Tenant) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run("import", "/nonexistent.csv", "--org", "acme", "--source", "X")
