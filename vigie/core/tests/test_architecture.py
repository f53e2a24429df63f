"""The architecture contracts catch what they promise (`make architecture` runs them on Vigie).

Each test lays out a tiny project of two apps and runs the real ``lint-imports`` with Vigie's own
``public_surface`` contract type, so a contract that silently passes everything would fail here.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

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


def test_reading_another_app_through_its_queries_keeps_the_contract(tmp_path: Path) -> None:
    result = _lint(tmp_path, {"shop/billing/invoices.py": "from shop.orders import queries\n"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_reaching_into_another_apps_private_module_breaks_the_contract(tmp_path: Path) -> None:
    result = _lint(tmp_path, {"shop/billing/invoices.py": "from shop.orders import pricing\n"})
    assert result.returncode == 1
    assert "shop.billing.invoices -> shop.orders.pricing (l.1)" in result.stdout


def test_tests_may_reach_anywhere(tmp_path: Path) -> None:
    result = _lint(tmp_path, {"shop/billing/tests/test_it.py": "from shop.orders import pricing\n"})
    assert result.returncode == 0, result.stdout + result.stderr


# --- each table is written by its own app ------------------------------------------------------------

VIGIE = ROOT / "vigie"
WRITES = {"create", "bulk_create", "bulk_update", "update", "get_or_create", "update_or_create", "delete"}


def _foreign_models(tree: ast.Module, app: str) -> dict[str, str]:
    """The model classes ``tree`` imports from another app's ``models``: name -> that app."""
    foreign = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models"):
            parts = node.module.split(".")
            if len(parts) == 3 and parts[0] == "vigie" and parts[1] != app:
                foreign.update({alias.asname or alias.name: parts[1] for alias in node.names})
    return foreign


def _written_model(call: ast.Call) -> str | None:
    """The class at the root of ``Model.objects....update()`` or ``scoped(Model, org)....delete()``."""
    receiver: ast.expr = call.func.value  # type: ignore[attr-defined]
    while True:
        if isinstance(receiver, ast.Attribute):
            receiver = receiver.value
        elif isinstance(receiver, ast.Call):
            if isinstance(receiver.func, ast.Name) and receiver.func.id == "scoped" and receiver.args:
                first = receiver.args[0]
                return first.id if isinstance(first, ast.Name) else None
            receiver = receiver.func
        else:
            return receiver.id if isinstance(receiver, ast.Name) else None


def cross_app_writes() -> list[str]:
    found = []
    for path in sorted(VIGIE.rglob("*.py")):
        parts = path.relative_to(VIGIE).parts
        if len(parts) < 2 or "tests" in parts or "migrations" in parts or parts[0] in ("demo", "api"):
            continue
        tree = ast.parse(path.read_text(), str(path))
        foreign = _foreign_models(tree, parts[0])
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITES
                and _written_model(node) in foreign
            ):
                model = _written_model(node)
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} writes {foreign[model]}'s {model}")  # type: ignore[index]
    return found


def test_each_table_is_written_only_by_its_own_app() -> None:
    # Another app changes a table through the owner's actions (mentions.actions.do_set_author_flags,
    # connectors.actions.do_advance_source_cursor...), never with a query of its own.
    assert cross_app_writes() == []


def test_the_write_check_sees_a_write_through_scoped() -> None:
    tree = ast.parse(
        "from vigie.mentions.models import Author\n"
        "scoped(Author, organisation).filter(pk=1).update(flags=[])\n"
    )
    call = next(node for node in ast.walk(tree) if isinstance(node, ast.Call) and node.func.attr == "update")  # type: ignore[attr-defined]
    assert _foreign_models(tree, "inbox") == {"Author": "mentions"}
    assert _written_model(call) == "Author"
