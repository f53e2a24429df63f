"""What an operator's tools read: liveness, readiness, Prometheus metrics, JSON logs, the Compose file."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import get_commands
from django.test import Client
from django.urls import resolve

from vigie.conftest import Tenant
from vigie.core.jobs import enqueue
from vigie.core.logs import JsonFormatter
from vigie.core.metrics import Sample, exposition
from vigie.inbox.models import Publication, PublicationState
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.tests.factories import make_source

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "metrics-token-for-tests"


def client() -> Client:
    return Client(HTTP_HOST="127.0.0.1")


@pytest.mark.django_db
def test_health_answers_and_ready_checks_database_migrations_and_broker() -> None:
    health = client().get("/health/")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = client().get("/ready/")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "broker": "ok"}}
    assert "no-cache" in ready["Cache-Control"]


@pytest.mark.django_db
def test_not_ready_when_the_broker_is_down_without_saying_where_it_is(settings: Any) -> None:
    settings.JOBS_MODE = "celery"
    settings.CELERY_BROKER_URL = "redis://:s3cret@127.0.0.1:1/0"
    ready = client().get("/ready/")
    assert ready.status_code == 503
    assert ready.json()["checks"]["broker"] == "failed"
    assert "s3cret" not in ready.content.decode()
    assert "127.0.0.1" not in ready.content.decode()


@pytest.mark.django_db
def test_metrics_are_off_without_a_token_and_refuse_a_wrong_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIE_METRICS_TOKEN", raising=False)
    assert client().get("/metrics").status_code == 404
    monkeypatch.setenv("VIGIE_METRICS_TOKEN", TOKEN)
    assert client().get("/metrics").status_code == 404
    assert client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


@pytest.mark.django_db
def test_metrics_expose_queue_depth_sources_and_publish_failures(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_METRICS_TOKEN", TOKEN)
    enqueue("mentions.fetch_source", {"source_id": 1})
    enqueue("mentions.fetch_source", {"source_id": 2})
    make_source(tenant.organisation, platform="trustpilot", last_error="HTTP 503")
    case = make_case(tenant.organisation)
    reply = make_reply(case, status="failed")
    Publication.objects.create(
        organisation=tenant.organisation, reply=reply, platform="trustpilot", state=PublicationState.FAILED
    )

    response = client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert 'vigie_jobs_queued{job="mentions.fetch_source"} 2' in text
    assert re.search(r'vigie_jobs_oldest_wait_seconds\{job="mentions.fetch_source"\} [0-9.]+', text)
    assert 'vigie_sources_with_error{platform="trustpilot",state="ok"} 1' in text
    assert 'vigie_publications{platform="trustpilot",state="failed"} 1' in text
    assert "# TYPE vigie_publications gauge" in text
    # Only counts: no organisation, customer or error text.
    assert "acme" not in text
    assert "HTTP 503" not in text


@pytest.mark.skipif(not os.environ.get("VIGIE_TEST_REDIS_URL"), reason="set VIGIE_TEST_REDIS_URL to run")
@pytest.mark.django_db
def test_in_scale_mode_metrics_read_the_celery_queue(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIE_METRICS_TOKEN", TOKEN)
    settings.JOBS_MODE = "celery"
    settings.CELERY_BROKER_URL = os.environ["VIGIE_TEST_REDIS_URL"]
    text = client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert "vigie_broker_up 1" in text
    assert re.search(r'vigie_jobs_queued\{queue="celery"\} \d+', text)


def test_the_exposition_format_escapes_labels() -> None:
    text = exposition([Sample("vigie_x", "An example.", 1.5, {"name": 'a"b\\c\nd'})])
    assert text == '# HELP vigie_x An example.\n# TYPE vigie_x gauge\nvigie_x{name="a\\"b\\\\c\\nd"} 1.5\n'


def test_json_logs_are_one_object_a_line_with_extras_and_the_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("vigie.test").makeRecord(
            "vigie.test",
            logging.ERROR,
            __file__,
            1,
            "fetch of %s failed",
            ("source 4",),
            sys.exc_info(),
            extra={"source_id": 4},
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line.split('"exception"')[0]
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "vigie.test"
    assert entry["message"] == "fetch of source 4 failed"
    assert entry["source_id"] == 4
    assert "ValueError: boom" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_the_compose_file_runs_vigie_commands_that_exist_and_checks_readiness() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "migrate", "web", "worker", "beat"}
    commands = get_commands()
    for name in ("migrate", "web", "worker", "beat"):
        command = services[name]["command"]
        assert command[0] == "vigie", name
        assert command[1] in commands, f"{name}: {command}"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["CELERY_BROKER_URL"].startswith("redis://")
    probe = " ".join(services["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/[a-z/]+)", probe)
    assert path is not None
    assert resolve(path.group(1)).url_name == "ready"
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert '"vigie", "serve"' in dockerfile


def test_every_setting_the_deployment_sets_is_one_vigie_reads() -> None:
    settings_source = (ROOT / "vigie" / "settings.py").read_text() + (
        ROOT / "vigie" / "core" / "metrics.py"
    ).read_text()
    example = (ROOT / "deploy" / "vigie.env.example").read_text()
    names = re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE)
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    names += list(compose["x-vigie"]["environment"])
    assert names
    for name in names:
        assert f'"{name}"' in settings_source, f"{name} is read by nothing"
