"""python -m bench [NAME ...] [--list] [benchmark options, e.g. --size 20000]

Runs every benchmark of this package (or the ones named), each in its own subprocess, and prints
one JSON line per benchmark on stdout. Options the runner does not know are passed to each
benchmark, which declares them in ``add_arguments``. Exit status 1 if any benchmark failed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

RESULT_PREFIX = "BENCH-RESULT "
ROOT = Path(__file__).resolve().parent.parent


def discover() -> list[str]:
    """Names of the modules in this package that define ``run``."""
    names = []
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("_"):
            continue
        if callable(getattr(importlib.import_module(f"bench.{info.name}"), "run", None)):
            names.append(info.name)
    return sorted(names)


def benchmark_parser(name: str, module: ModuleType) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m bench {name}", description=module.__doc__)
    add_arguments = getattr(module, "add_arguments", None)
    if add_arguments is not None:
        add_arguments(parser)
    return parser


def child(name: str, argv: list[str]) -> int:
    """Run one benchmark in this process and print its result line."""
    module = importlib.import_module(f"bench.{name}")
    options, unknown = benchmark_parser(name, module).parse_known_args(argv)
    if unknown:
        print(f"bench {name}: ignoring options it does not take: {' '.join(unknown)}", file=sys.stderr)
    result = module.run(**vars(options))
    print(RESULT_PREFIX + json.dumps({"benchmark": name, **result}, ensure_ascii=False), flush=True)
    return 0


def targets(result: Any, path: str = "") -> list[str]:
    """One readable line per figure that carries its target (``target_ms`` or
    ``target_seconds`` beside it, at any depth of the result)."""
    lines: list[str] = []
    if not isinstance(result, dict):
        return lines

    def median(kind: str) -> Any:
        nested = result.get(kind)
        return nested.get("median_ms") if isinstance(nested, dict) else result.get(f"{kind}_ms_median")

    for unit, key in (("ms", "target_ms"), ("s", "target_seconds")):
        value = median("wall") if unit == "ms" else result.get("seconds")
        if key not in result or value is None:
            continue
        cpu = median("cpu")
        extra = f" (CPU {cpu} ms)" if cpu is not None else ""
        verdict = "ok" if value <= result[key] else "OVER TARGET"
        lines.append(f"  {path}: {value} {unit}{extra}, target {result[key]} {unit}: {verdict}")
    for name, value in result.items():
        lines.extend(targets(value, f"{path}.{name}" if path else name))
    return lines


def parent(names: list[str], forwarded: list[str]) -> int:
    failed = 0
    for name in names:
        started = time.perf_counter()
        process = subprocess.run(  # noqa: S603 - our own interpreter running our own module
            [sys.executable, "-m", "bench", "--child", name, *forwarded],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        lines = [line for line in process.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
        if process.returncode == 0 and lines:
            line = lines[-1][len(RESULT_PREFIX) :]
            print(line, flush=True)
            # Then each figure beside its target, for people (the JSON line is for tools).
            for summary in targets(json.loads(line), name):
                print(summary, file=sys.stderr, flush=True)
            continue
        failed += 1
        elapsed = round(time.perf_counter() - started, 2)
        print(
            json.dumps({"benchmark": name, "error": f"exit status {process.returncode}", "seconds": elapsed})
        )
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--child"] and len(args) >= 2:
        return child(args[1], args[2:])
    if args[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    available = discover()
    if args[:1] == ["--list"]:
        print("\n".join(available))
        return 0
    # Leading bare words name benchmarks; from the first option on, everything is theirs.
    split = next((i for i, arg in enumerate(args) if arg.startswith("-")), len(args))
    names, forwarded = args[:split], args[split:]
    unknown = [name for name in names if name not in available]
    if unknown:
        print(
            f"python -m bench: unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available)}"
        )
        return 2
    return parent(names or available, forwarded)


if __name__ == "__main__":
    sys.exit(main())
