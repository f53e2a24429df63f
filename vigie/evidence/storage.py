"""Where capture files live: ``VIGIE_DATA_DIR/evidence/<organisation id>/<capture folder>/``."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings


def evidence_root() -> Path:
    configured = getattr(settings, "EVIDENCE_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "evidence"


def capture_path(directory: str) -> Path:
    """The folder of a capture; refuses a stored name that would leave the evidence folder."""
    root = evidence_root().resolve()
    path = (root / directory).resolve()
    if root not in path.parents:
        raise ValueError("capture folder outside the evidence folder")
    return path


def write_files(directory: str, files: dict[str, bytes]) -> None:
    folder = capture_path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def read_file(directory: str, name: str) -> bytes:
    return (capture_path(directory) / name).read_bytes()


def delete_folder(directory: str) -> None:
    shutil.rmtree(capture_path(directory), ignore_errors=True)
