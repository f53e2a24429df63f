"""A bad environment stops `vigie` at start-up with one line naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_vigie(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIE_", "DATABASE_URL"))}
    environ.update({"VIGIE_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "vigie.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("VIGIE_DEBUG", "perhaps"),
        ("VIGIE_EMAIL_PORT", "smtp"),
        ("DATABASE_URL", "oracle://db/x"),
        ("VIGIE_SECRET_KEY", "short"),
        ("VIGIE_LOG_LEVEL", "CHATTY"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path: Path, variable: str, value: str) -> None:
    extra = {"VIGIE_EMAIL_HOST": "127.0.0.1"} if variable == "VIGIE_EMAIL_PORT" else {}
    result = run_vigie(tmp_path, "org", "list", **{variable: value}, **extra)
    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    assert run_vigie(tmp_path, "migrate", "-v0").returncode == 0
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    assert run_vigie(tmp_path, "org", "list").returncode == 0
    assert key_file.read_text() == first
