"""The architecture contracts catch what they promise (`make architecture` runs them on Vigie).

Each test lays out a tiny project of two apps and runs the real ``lint-imports`` with Vigie's own
``public_surface`` contract type, so a contract that silently passes everything would fail here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

CONFIG = """
[importlinter]
root_package = shop
contract_types =
    public_surface: scripts.architecture.PublicSurfaceContract

[importlinter:contract:public]
name = Apps meet through their public modules
type = public_surface
apps =
    shop.orders
    shop.billing
public =
    shop.*.models
    shop.*.queries
exempt_importers =
    shop.**.tests
"""


def _write(base: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _lint(tmp_path: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    skeleton = {
        "shop/__init__.py": "",
        "shop/orders/__init__.py": "",
        "shop/orders/models.py": "",
        "shop/orders/queries.py": "",
        "shop/orders/pricing.py": "",
        "shop/billing/__init__.py": "",
        "shop/billing/models.py": "",
        "shop/billing/tests/__init__.py": "",
        ".importlinter": CONFIG,
    }
    _write(tmp_path, skeleton | files)
    env = os.environ | {"PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tmp_path / ".importlinter")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is a dev dependency")
def test_reading_another_app_through_its_queries_keeps_the_contract(tmp_path: Path) -> None:
    result = _lint(tmp_path, {"shop/billing/invoices.py": "from shop.orders import queries\n"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is a dev dependency")
def test_reaching_into_another_apps_private_module_breaks_the_contract(tmp_path: Path) -> None:
    result = _lint(tmp_path, {"shop/billing/invoices.py": "from shop.orders import pricing\n"})
    assert result.returncode == 1
    assert "shop.billing.invoices -> shop.orders.pricing (l.1)" in result.stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is a dev dependency")
def test_tests_may_reach_anywhere(tmp_path: Path) -> None:
    result = _lint(tmp_path, {"shop/billing/tests/test_it.py": "from shop.orders import pricing\n"})
    assert result.returncode == 0, result.stdout + result.stderr
