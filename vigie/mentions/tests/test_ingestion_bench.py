"""``make bench``'s ingestion benchmark still runs: its own paged API on loopback goes through the
egress policy like every outgoing request, allowed as the tests' sandboxes are (it failed with
"adresse non autorisée" once the policy landed, and nothing ran it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_ingestion_benchmark_imports_a_file_and_fetches_its_api() -> None:
    environment = {k: v for k, v in os.environ.items() if k not in {"VIGIE_EGRESS_ALLOW", "DATABASE_URL"}}
    environment["PYTHONPATH"] = str(ROOT)
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "ingestion",
            "--size",
            "300",
            "--api-items",
            "200",
            "--page-size",
            "50",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    assert "error" not in result, finished.stderr[-2000:]
    assert result["csv_imported"] == 300
    assert result["api_items"] == 200
