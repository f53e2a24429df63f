"""Ingestion throughput: a CSV import (``vigie import``'s code path) and a paged API fetch from a
local HTTP server (``vigie fetch``'s code path), into a fresh temporary SQLite database; reports
mentions per second and memory (peak, and growth during the import: flat means streaming)."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from bench.words import WORDS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=100_000, help="CSV rows to import (default 100000)")
    parser.add_argument("--api-items", type=int, default=20_000, help="items served by the paged API")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)


def _rss_mb() -> float:
    """Current resident memory of this process (Linux), in MB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def write_csv(path: Path, rows: int, seed: int) -> None:
    """A Trustpilot-like export of ``rows`` reviews."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "author", "title", "text", "rating"])
        for n in range(rows):
            words = rng.choices(WORDS, k=rng.randint(8, 60))
            writer.writerow(
                [
                    f"r{n}",
                    (start + timedelta(minutes=n)).isoformat(),
                    f"Client {rng.randint(1, rows // 5 or 1)}",
                    " ".join(words[:4]).capitalize(),
                    " ".join(words).capitalize() + ".",
                    rng.randint(1, 5),
                ]
            )


def serve_pages(total: int, page_size: int) -> tuple[ThreadingHTTPServer, str]:
    """A local JSON API: ``GET /items?after=N`` → ``{"items": [...], "next": N|null}``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            after = int(self.path.partition("after=")[2] or 0)
            end = min(after + page_size, total)
            items = [
                {
                    "id": str(n),
                    "created_at": 1_735_689_600 + n * 60,
                    "content": f"<p>Post {n} about <b>acme</b></p>",
                    "author": {"id": str(n % 997), "handle": f"user{n % 997}"},
                    "favourites": n % 13,
                }
                for n in range(after, end)
            ]
            body = json.dumps({"items": items, "next": end if end < total else None}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def paged_connector_class() -> Any:
    """A minimal JSON-API connector (the shape of the social connectors), built after setup."""
    from vigie.connectors.contract import AuthorIn, Capability, Connector, ConnectorConfig, MentionIn, Page
    from vigie.connectors.normalise import aware_datetime, text_and_html

    class PagedApi(Connector[ConnectorConfig]):
        slug: ClassVar[str] = "bench-paged"
        label: ClassVar[str] = "bench"
        capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.FETCH})
        Config: ClassVar[type[ConnectorConfig]] = ConnectorConfig

        def fetch(self, cursor: dict[str, Any]) -> Page:
            data = self.http.get(f"{self.base_url}/items", params={"after": cursor.get("after", 0)}).json()
            items = []
            for raw in data["items"]:
                text, html = text_and_html(raw["content"])
                items.append(
                    MentionIn(
                        external_id=raw["id"],
                        kind="post",
                        created_at=aware_datetime(raw["created_at"]),
                        text=text,
                        html=html,
                        author=AuthorIn(external_id=raw["author"]["id"], handle=raw["author"]["handle"]),
                        likes=raw["favourites"],
                        raw=raw,
                    )
                )
            following = data["next"]
            return Page(items, {"after": following or cursor.get("after", 0)}, has_more=following is not None)

    return PagedApi


def run(size: int = 100_000, api_items: int = 20_000, page_size: int = 100, seed: int = 42) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    database = data_dir / "bench.sqlite3"
    # Before Django reads its settings: this process must never touch the configured database.
    os.environ["VIGIE_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigie.settings"
    # The paged API is this benchmark's own server on loopback, which the egress policy refuses
    # unless allowed, as the tests and the demo's sandboxes allow theirs.
    os.environ["VIGIE_EGRESS_ALLOW"] = "127.0.0.1"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per page would drown the result
        from vigie.connectors.actions import do_create_source
        from vigie.connectors.contract import ConnectorConfig
        from vigie.core.actions import do_create_organisation
        from vigie.mentions.ingest import do_fetch_source, do_import_file
        from vigie.mentions.models import Mention

        organisation = do_create_organisation("bench", "Bench")
        csv_path = data_dir / "reviews.csv"
        write_csv(csv_path, size, seed)
        csv_mb = csv_path.stat().st_size / 1e6
        source = do_create_source(organisation, platform="file", name="Import", config={})

        samples: list[tuple[float, float]] = []

        def progress(fraction: float) -> None:
            samples.append((fraction, _rss_mb()))

        rss_before = _rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        report = do_import_file(source, csv_path, rejects_path=data_dir / "rejects.csv", progress=progress)
        import_seconds = time.perf_counter() - started
        import_cpu = time.process_time() - cpu
        early = next((rss for fraction, rss in samples if fraction >= 0.1), rss_before)
        late = samples[-1][1] if samples else rss_before
        imported = Mention.objects.filter(source=source).count()
        print(f"  imported {imported} rows in {import_seconds:.1f} s", file=sys.stderr, flush=True)

        server, url = serve_pages(api_items, page_size)
        api_source = do_create_source(organisation, platform="file", name="API", config={})
        connector = paged_connector_class()(ConnectorConfig(base_url=url))
        started = time.perf_counter()
        fetch = do_fetch_source(api_source, connector=connector, max_pages=api_items // page_size + 2)
        fetch_seconds = time.perf_counter() - started
        server.shutdown()
        if fetch.error:
            raise RuntimeError(fetch.error)

        return {
            "csv_rows": size,
            "csv_mb": round(csv_mb, 1),
            "csv_imported": imported,
            "csv_rejected": report.rejected,
            "csv_seconds": round(import_seconds, 2),
            # CPU time of this process: what the import costs on an idle machine (the wall time
            # also counts waiting for a CPU when other work shares the machine).
            "csv_cpu_seconds": round(import_cpu, 2),
            "csv_mentions_per_s": round(imported / import_seconds),
            # The target: 100k rows in under 60 s (scaled when --size is not 100k).
            "csv_seconds_per_100k": round(import_seconds * 100_000 / max(size, 1), 1),
            "csv_target_met": import_seconds * 100_000 / max(size, 1) < 60,
            "rss_at_10pct_mb": round(early, 1),
            "rss_at_end_mb": round(late, 1),
            "rss_growth_10_to_100pct_mb": round(late - early, 1),
            "api_items": fetch.counts.new,
            "api_pages": fetch.pages,
            "api_seconds": round(fetch_seconds, 2),
            "api_mentions_per_s": round(fetch.counts.new / fetch_seconds),
            "peak_rss_mb": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6, 1
            ),  # KiB on Linux
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
