"""Run a real `vigie serve` in a subprocess, on its own data directory, for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def vigie_env(data_dir: Path) -> dict[str, str]:
    """The environment of a fresh Vigie on ``data_dir``: SQLite there, embedded jobs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIE_", "DATABASE_URL", "CELERY_"))}
    env["VIGIE_DATA_DIR"] = str(data_dir)
    # The platforms and feeds these servers talk to in tests listen on loopback.
    env["VIGIE_EGRESS_ALLOW"] = "127.0.0.1,::1,localhost"
    return env


def vigie(data_dir: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run one `vigie` command to completion and fail loudly if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "vigie.cli", *args],
        env=vigie_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"vigie {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


# The steps of `DataDirs.prepare`: argument lists of `python`, run on a fresh data directory.
MIGRATE = ("-m", "vigie.cli", "migrate", "-v0")


# An organisation "acme" and no member yet.
ACME = (MIGRATE, ("-m", "vigie.cli", "org", "create", "acme", "--name", "Acme"))


def demo(size: int) -> tuple[tuple[str, ...], ...]:
    """The steps of a data directory loaded with the demo of ``size`` mentions (default seed)."""
    return MIGRATE, ("-m", "vigie.cli", "demo", "--no-serve", "--size", str(size))


class DataDirs:
    """Data directories prepared once per test session, then copied for each server that needs one.

    Migrating a fresh SQLite database and loading the demo cost seconds of CPU per run; copying
    the resulting directory costs milliseconds. Each copy is the test's own, independent directory
    (its database file included): what a test's server writes reaches neither the template nor
    another test. Steps are run in order, each on a copy of the previous steps' template, so that
    two preparations sharing their first steps (the migrations) run those once.
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._templates: dict[tuple[tuple[str, ...], ...], tuple[Path, str]] = {}

    def prepare(self, data_dir: Path, *steps: Sequence[str]) -> str:
        """Fill ``data_dir`` with what ``python STEP`` for each step leaves in a fresh data
        directory, and return the last step's standard output (what a setup script printed)."""
        template, stdout = self._template(tuple(tuple(step) for step in steps))
        shutil.copytree(template, data_dir, dirs_exist_ok=True)
        return stdout

    def _template(self, steps: tuple[tuple[str, ...], ...]) -> tuple[Path, str]:
        if steps not in self._templates:
            base = self._template(steps[:-1])[0] if len(steps) > 1 else None
            directory = self._root / f"template-{len(self._templates)}"
            if base is None:
                directory.mkdir()
            else:
                shutil.copytree(base, directory)
            result = subprocess.run(
                [sys.executable, *steps[-1]],
                env=vigie_env(directory),
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert result.returncode == 0, f"{' '.join(steps[-1])} failed:\n{result.stdout}\n{result.stderr}"
            self._templates[steps] = (directory, result.stdout)
        return self._templates[steps]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    data_dir: Path


@contextmanager
def running_server(data_dir: Path, *extra: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start `vigie serve` on a free port, wait until it answers, stop it with SIGTERM afterwards.

    ``env`` adds settings (``VIGIE_…`` variables) to the fresh environment."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "vigie.cli", "serve", "--port", str(port), *extra],
        env={**vigie_env(data_dir), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"vigie serve exited early:\n{process.stdout.read() if process.stdout else ''}"
                )
            try:
                httpx.get(f"{url}/login/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise AssertionError("vigie serve did not answer within 60 s") from None
                time.sleep(0.2)
        yield Server(url, process, data_dir)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
