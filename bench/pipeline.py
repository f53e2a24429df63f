"""The stored pipeline at crisis volume, on PostgreSQL and Celery (Redis): pages of generated
mentions delivered to 1, 2 (and 4 when the machine has the cores) real Celery worker processes,
each page ingested, analysed and routed into cases by Vigie's own jobs; reports mentions per
second per worker beside the 2,000 target and the 1-vs-N workers ratio. Then ``vigie import``'s
code path (``do_import_file``) against a plain bulk insert of the same rows into the same schema,
with the ratio beside the 2x target. Skips, with a message, when PostgreSQL or Redis is absent."""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PER_WORKER_TARGET = 2_000
IMPORT_RATIO_TARGET = 2.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=10_000, help="mentions per worker count (default 10000)")
    parser.add_argument("--page-size", type=int, default=500, help="mentions per delivered page")
    parser.add_argument(
        "--workers", default="", help="worker counts, e.g. 1,2,4 (default 1,2 and 4 if 4+ cores)"
    )
    parser.add_argument("--import-rows", type=int, default=20_000, help="CSV rows for the import comparison")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "VIGIE_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/vigie_bench_pipeline"
        ),
        help="a PostgreSQL database the benchmark may wipe (created when missing)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("VIGIE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        help="a Redis database the benchmark may empty (the Celery broker)",
    )


def _missing(pg_url: str, redis_url: str) -> str:
    """Why the benchmark cannot run here ('' when it can); creates the database when missing."""
    try:
        import psycopg
        import redis
    except ImportError as exc:
        return f"skipped: {exc.name} is not installed"
    from urllib.parse import urlsplit

    parts = urlsplit(pg_url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=3) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        return f"skipped: PostgreSQL unreachable at {parts.hostname}:{parts.port} ({type(exc).__name__})"
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"skipped: Redis unreachable at {redis_url} ({type(exc).__name__})"
    return ""


def _organisation(name: str) -> tuple[Any, Any]:
    """An organisation with teams, agents and the default routing scheme, and its source."""
    from vigie.connectors.actions import do_create_source
    from vigie.core.actions import (
        do_add_team_member,
        do_create_member,
        do_create_organisation,
        do_create_team,
    )
    from vigie.core.roles import Role
    from vigie.inbox.routing.actions import do_seed_default_routing

    organisation = do_create_organisation(name, name.capitalize())
    teams = [do_create_team(organisation, team) for team in ("Service client", "Experts", "Community")]
    for n in range(9):
        member = do_create_member(organisation, f"agent{n}@{name}.example", Role.AGENT)
        do_add_team_member(teams[n % len(teams)], member)
    do_seed_default_routing(organisation)
    source = do_create_source(organisation, platform="file", name="Crise", config={})
    return organisation, source


def _start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    from vigie.core.celery import get_celery_app

    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter running our own module
            [sys.executable, "-m", "bench.pipeline_worker", f"bench{n}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for n in range(count)
    ]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if len(get_celery_app().control.ping(timeout=1.0) or []) >= count:
            return processes
        if any(process.poll() is not None for process in processes):
            break
    _stop_workers(processes)
    raise RuntimeError(f"{count} Celery worker(s) did not start")


def _cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """CPU time (user + system) used so far by a worker process (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _PostgresCpu:
    """CPU time of the PostgreSQL backends serving the benchmark's database (not the parent's
    own), read from /proc when the server runs on this machine: sampled at each poll, so a
    connection that opens and closes between two samples is missed (a floor, not an exact sum).
    ``seconds`` is None when the backends' /proc entries cannot be read (a remote server)."""

    def __init__(self) -> None:
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.readable = True
        self.started = False

    def sample(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            pids = [row[0] for row in cursor.fetchall()]
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                self.readable = False
                continue
            used = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            # Backends there before the run count from then; those opened during it, in full.
            self.first.setdefault(pid, 0.0 if self.started else used)
            self.last[pid] = used
        self.started = True

    @property
    def seconds(self) -> float | None:
        if not self.readable and not self.last:
            return None
        return sum(used - self.first.get(pid, 0.0) for pid, used in self.last.items())


def _stop_workers(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def _pipeline_run(workers: int, size: int, page_size: int, env: dict[str, str]) -> dict[str, Any]:
    """Deliver ``size`` mentions to ``workers`` workers; seconds until every one has its case."""
    from vigie.core import jobs
    from vigie.inbox.models import Case
    from vigie.mentions.models import Mention

    organisation, source = _organisation(f"crise{workers}")
    processes = _start_workers(workers, env)
    try:
        postgres = _PostgresCpu()
        postgres.sample()
        cpu_before = sum(_cpu_seconds(process) for process in processes)
        started = time.perf_counter()
        for start in range(0, size, page_size):
            jobs.enqueue(
                "bench.deliver_page",
                {"source_id": source.pk, "start": start, "count": min(page_size, size - start)},
            )
        deadline = time.monotonic() + max(300, size / 10)
        cases = 0
        while time.monotonic() < deadline:
            cases = Case.objects.filter(organisation=organisation).count()
            postgres.sample()
            if cases >= size:
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        cpu = sum(_cpu_seconds(process) for process in processes) - cpu_before
    finally:
        _stop_workers(processes)
    stored = Mention.objects.filter(organisation=organisation).count()
    analysed = Mention.objects.filter(organisation=organisation, sentiment__isnull=False).count()
    if cases < size:
        raise RuntimeError(f"{workers} worker(s): only {cases} cases of {size} after {seconds:.0f} s")
    postgres_cpu = postgres.seconds
    return {
        "seconds": round(seconds, 2),
        "mentions": stored,
        "analysed": analysed,
        "cases": cases,
        "per_s": round(size / seconds),
        "per_s_per_worker": round(size / seconds / workers),
        "per_s_per_worker_target": PER_WORKER_TARGET,
        # What the workers' own processes spent: the rate one worker would reach with a core to
        # itself (PostgreSQL's and Redis's work not counted), when other work shares the machine.
        "worker_cpu_seconds": round(cpu, 2),
        "per_worker_cpu_s": round(size / cpu) if cpu else None,
        "per_worker_cpu_s_target": PER_WORKER_TARGET,
        # What PostgreSQL spent serving them (sampled: a floor), and the rate per CPU-second of
        # worker and server together: the machine's share of the work, whatever else runs there.
        "postgres_cpu_seconds": None if postgres_cpu is None else round(postgres_cpu, 2),
        "per_postgres_cpu_s": round(size / postgres_cpu) if postgres_cpu else None,
        "per_cpu_s_worker_and_postgres": round(size / (cpu + postgres_cpu)) if postgres_cpu else None,
    }


def _import_vs_plain(rows: int, data_dir: Path) -> dict[str, Any]:
    """``do_import_file`` on a CSV against a plain ``bulk_create`` of the same rows."""
    from django.db import transaction
    from django.utils import timezone

    from bench.ingestion import write_csv
    from vigie.connectors.actions import do_create_source
    from vigie.mentions.ingest import do_import_file
    from vigie.mentions.models import Mention

    organisation, source = _organisation("import")
    path = data_dir / "reviews.csv"
    write_csv(path, rows, 42)
    started = time.perf_counter()
    report = do_import_file(source, path)
    import_seconds = time.perf_counter() - started
    assert report.counts.new == rows, report.as_dict()

    # The plain insert: the same rows, read with the csv module, 500 per transaction, with no
    # parsing of dates or ratings beyond Python's, no dedup, no authors, no hand-on.
    plain_source = do_create_source(organisation, platform="file", name="Plain", config={})
    started = time.perf_counter()
    now = timezone.now()
    with path.open(encoding="utf-8", newline="") as handle:
        batch: list[Mention] = []
        for record in csv.DictReader(handle):
            batch.append(
                Mention(
                    organisation=organisation,
                    source=plain_source,
                    external_id=record["id"],
                    kind="review",
                    title=record["title"],
                    text=record["text"],
                    rating=int(record["rating"]),
                    created_at=datetime.fromisoformat(record["date"]),
                    fetched_at=now,
                    updated_at=now,
                    raw=record,
                )
            )
            if len(batch) == 500:
                with transaction.atomic():
                    Mention.objects.bulk_create(batch)
                batch = []
        with transaction.atomic():
            Mention.objects.bulk_create(batch)
    plain_seconds = time.perf_counter() - started
    ratio = import_seconds / plain_seconds
    return {
        "import_rows": rows,
        "import_rows_per_s": round(rows / import_seconds),
        "plain_insert_rows_per_s": round(rows / plain_seconds),
        "import_vs_plain_ratio": round(ratio, 2),
        "import_vs_plain_target": f"<= {IMPORT_RATIO_TARGET}x",
        "import_target_met": ratio <= IMPORT_RATIO_TARGET,
    }


def run(
    size: int = 10_000,
    page_size: int = 500,
    workers: str = "",
    import_rows: int = 20_000,
    pg_url: str = "",
    redis_url: str = "",
) -> dict[str, Any]:
    pg_url = pg_url or "postgres://postgres@127.0.0.1:5432/vigie_bench_pipeline"
    redis_url = redis_url or "redis://127.0.0.1:6379/13"
    why = _missing(pg_url, redis_url)
    if why:
        print(f"bench pipeline: {why}", file=sys.stderr)
        return {"skipped": why}
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0]
    counts = [int(n) for n in workers.split(",") if n.strip()] or ([1, 2, 4] if cores >= 4 else [1, 2])
    data_dir = Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    env = {
        **os.environ,
        "VIGIE_DATA_DIR": str(data_dir),
        "DATABASE_URL": pg_url,
        "CELERY_BROKER_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "vigie.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    }
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection

    from bench.pipeline_worker import register

    redis.Redis.from_url(redis_url).flushdb()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", interactive=False, verbosity=0)
    register()
    runs = {}
    for count in counts:
        runs[count] = _pipeline_run(count, size, page_size, env)
        print(f"  {count} worker(s): {runs[count]}", file=sys.stderr, flush=True)
    most = counts[-1]
    result: dict[str, Any] = {
        "database": "postgresql",
        "cpu_cores": cores,
        "note": "wall-clock figures on a machine whose cores other work may share",
        "size": size,
        "page_size": page_size,
        "runs": {f"{n}_workers": figures for n, figures in runs.items()},
        "per_worker_per_s_1_worker": runs[counts[0]]["per_s_per_worker"],
        "per_worker_target": PER_WORKER_TARGET,
        "per_worker_target_met": runs[counts[0]]["per_s_per_worker"] >= PER_WORKER_TARGET,
        "per_worker_per_cpu_s_1_worker": runs[counts[0]]["per_worker_cpu_s"],
        "load_average_before": round(load, 1),
        f"scaling_1_vs_{most}_workers": round(runs[most]["per_s"] / runs[counts[0]]["per_s"], 2),
        "scaling_ideal": float(most),
        # The same ratio in CPU time: whether N workers spend more per mention than one (locks,
        # waiting on each other), apart from how many free cores the machine had.
        f"cpu_per_mention_{most}_vs_1_workers": (
            round(runs[counts[0]]["per_worker_cpu_s"] / runs[most]["per_worker_cpu_s"], 2)
            if runs[counts[0]]["per_worker_cpu_s"] and runs[most]["per_worker_cpu_s"]
            else None
        ),
        "cpu_per_mention_ideal": 1.0,
    }
    redis.Redis.from_url(redis_url).flushdb()
    result |= _import_vs_plain(import_rows, data_dir)
    redis.Redis.from_url(redis_url).flushdb()
    return result
