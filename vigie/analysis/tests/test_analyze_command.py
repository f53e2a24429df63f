"""``vigie analyze``: the exact command line an external evaluation uses. These tests have no
``db`` fixture: pytest-django makes any database access fail, which proves the command needs none."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

OUTPUT_KEYS = [
    "id",
    "language",
    "sentiment",
    "stars",
    "type",
    "themes",
    "toxicity",
    "personal_data",
    "priority",
    "aspects",  # issue 16: added last, the earlier keys unchanged
]


def write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "".join(
            (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines
        )
    )
    return path


def run(tmp_path: Path, lines: list[object], *extra: str) -> list[dict]:
    source = write_lines(tmp_path / "in.jsonl", lines)
    target = tmp_path / "out.jsonl"
    call_command("analyze", "--in", str(source), "--out", str(target), *extra, verbosity=0)
    return [json.loads(line) for line in target.read_text().splitlines()]


def test_it_writes_one_complete_line_per_input_line_in_order(tmp_path: Path) -> None:
    lines = [
        {
            "id": "r1",
            "text": "Une heure d'attente au téléphone, appelez-moi au 06 12 34 56 78",
            "rating": 1,
            "platform": "google",
        },
        {"id": "r2", "title": "Parfait", "text": "ok"},
        {"id": 3, "text": "Thank you so much, the advisor was really helpful today!"},
    ]
    results = run(tmp_path, lines, "--lang-hint", "fr")
    assert [r["id"] for r in results] == ["r1", "r2", 3]
    assert all(list(r) == OUTPUT_KEYS for r in results)
    first = results[0]
    assert first["language"] == "fr"
    assert first["personal_data"] == [{"kind": "phone", "start": 49, "end": 63}]
    assert set(first["sentiment"]) == {"label", "score"}
    assert set(first["toxicity"]) == {"toxic", "score"}
    assert isinstance(first["themes"], list)
    assert 0 <= first["priority"]["score"] <= 100
    assert first["priority"]["reasons"]
    assert results[1]["language"] == "fr"  # too short: the hint
    assert results[2]["language"] == "en"


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    assert [r["id"] for r in run(tmp_path, [{"id": "a", "text": "x"}, "", {"id": "b", "text": "y"}])] == [
        "a",
        "b",
    ]


def test_it_streams_through_several_batches(tmp_path: Path) -> None:
    lines = [{"id": f"m{i}", "text": f"Message numéro {i} au service client"} for i in range(1100)]
    results = run(tmp_path, lines, "--batch-size", "512")
    assert [r["id"] for r in results] == [f"m{i}" for i in range(1100)]


def test_workers_write_the_same_lines_in_the_same_order(tmp_path: Path) -> None:
    texts = [
        "Une heure d'attente au téléphone, appelez-moi au 06 12 34 56 78",
        "Parfait, livraison rapide et bon accueil !",
        "Comment résilier mon contrat ?",
        "Thank you so much, the advisor was really helpful today!",
        "Bande d'escrocs, je vais porter plainte",
    ]
    lines: list[object] = []
    for i in range(60):
        lines.append({"id": f"m{i}", "text": texts[i % len(texts)] + f" ({i})", "rating": 1 + i % 5})
        if i % 13 == 0:
            lines.append("")
    alone = run(tmp_path, lines, "--batch-size", "7")
    shared = run(tmp_path, lines, "--batch-size", "7", "--workers", "2")
    assert [r["id"] for r in shared] == [f"m{i}" for i in range(60)]
    assert shared == alone


def test_by_default_a_large_file_is_shared_between_the_cpus_with_the_same_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vigie.analysis import analyze_file as analyze

    if not analyze.forks_loaded_workers():
        pytest.skip("workers are forked from the loaded models on Linux only")
    monkeypatch.setattr(analyze, "usable_cpus", lambda: 2)
    lines = [
        {"id": f"m{i}", "text": f"Toujours pas remboursé après {i} jours, bande d'escrocs"} for i in range(30)
    ]
    source = write_lines(tmp_path / "in.jsonl", lines)
    outputs = []
    for extra in ([], ["--workers", "1"]):
        target = tmp_path / f"out{len(extra)}.jsonl"
        errors = StringIO()
        call_command(
            "analyze", "--in", str(source), "--out", str(target), "--batch-size", "7", *extra, stderr=errors
        )
        outputs.append(target.read_text())
        assert ("by 2 processes" in errors.getvalue()) == (not extra)
    assert outputs[0] == outputs[1]
    assert [json.loads(line)["id"] for line in outputs[0].splitlines()] == [f"m{i}" for i in range(30)]


@pytest.mark.parametrize(
    ("cpu_max", "cpus"), [("150000 100000", 2), ("50000 100000", 1), ("max 100000", None), ("", None)]
)
def test_a_containers_cpu_quota_bounds_the_automatic_workers(
    tmp_path: Path, cpu_max: str, cpus: int | None
) -> None:
    from vigie.analysis.workers import _cpu_quota

    (tmp_path / "cpu.max").write_text(cpu_max + "\n")
    assert _cpu_quota(str(tmp_path / "cpu.max")) == cpus


def test_a_small_file_is_analysed_in_one_process() -> None:
    from vigie.analysis.analyze_file import auto_workers

    assert auto_workers(511, 512) == 1
    assert auto_workers(0, 512) == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ('["a"]', "line 2: expected a JSON object"),
        ('{"text": "x"}', 'line 2: "id" is required'),
        ('{"id": "b"}', 'line 2: "text" is required'),
        ('{"id": "b", "text": "x", "rating": 7}', 'line 2: "rating" must be a number from 1 to 5'),
        ('{"id": "b", "text": "x", "title": 3}', 'line 2: "title" must be a string'),
    ],
)
def test_a_bad_line_is_a_clear_error_and_leaves_no_output(tmp_path: Path, line: str, message: str) -> None:
    target = tmp_path / "out.jsonl"
    source = write_lines(tmp_path / "in.jsonl", [{"id": "a", "text": "x"}, line])
    with pytest.raises(CommandError, match=message) as caught:
        call_command("analyze", "--in", str(source), "--out", str(target), verbosity=0)
    assert caught.value.returncode == 2
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_a_taxonomy_file_is_passed_to_the_analyzers(tmp_path: Path) -> None:
    taxonomy = tmp_path / "themes.yaml"
    taxonomy.write_text("- slug: prix\n  label: Prix\n  keywords: [prix, cher, addition]\n")
    results = run(tmp_path, [{"id": "a", "text": "Trop cher."}], "--taxonomy", str(taxonomy))
    assert results[0]["id"] == "a"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--taxonomy", "missing.yaml"], "--taxonomy: cannot read"),
        (["--lang-hint", "french"], "--lang-hint takes a two-letter"),
        (["--workers", "0"], "--workers takes a number from 1 to 64, or auto"),
        (["--workers", "many"], "--workers takes a number from 1 to 64, or auto"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path: Path, arguments: list[str], message: str) -> None:
    source = write_lines(tmp_path / "in.jsonl", [{"id": "a", "text": "x"}])
    with pytest.raises(CommandError, match=message):
        call_command(
            "analyze", "--in", str(source), "--out", str(tmp_path / "o.jsonl"), *arguments, verbosity=0
        )


def test_a_missing_input_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a readable file"):
        call_command("analyze", "--in", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o.jsonl"))


def test_the_vigie_command_runs_it_and_exits_2_on_a_bad_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    source = write_lines(
        tmp_path / "in.jsonl", [{"id": "a", "text": "Bonjour à tous, très bon accueil"}, "{oops"]
    )
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "vigie.cli",
            "analyze",
            "--in",
            str(source),
            "--out",
            str(tmp_path / "o.jsonl"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2
    assert "line 2: not valid JSON" in process.stderr
    assert "Traceback" not in process.stderr


def test_the_vigie_command_analyses_without_setting_django_up(tmp_path: Path) -> None:
    import subprocess
    import sys

    source = write_lines(tmp_path / "in.jsonl", [{"id": "a", "text": "Bonjour, très bon accueil"}])
    target = tmp_path / "out.jsonl"
    script = (
        "import sys, vigie.cli\n"
        "try:\n"
        f"    vigie.cli.main(['analyze', '--in', {str(source)!r}, '--out', {str(target)!r}, '-v', '0'])\n"
        "except SystemExit as done:\n"
        "    print(done.code, 'django.apps' in sys.modules)\n"
    )
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    # Exit status 0, and Django was never imported: no settings, no database, 0.6 s less.
    assert process.stdout.split() == ["0", "False"]
    assert json.loads(target.read_text())["id"] == "a"
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "vigie.cli",
            "analyze",
            "--in",
            str(source),
            "--out",
            str(target),
            "--workers",
            "0",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "CommandError: --workers takes a number from 1 to 64, or auto"


def test_a_huge_text_is_read_up_to_the_stored_limit_quickly(tmp_path: Path) -> None:
    # A 1.2 MB review took 167 s and 5.5 GB (the themes' clauses grow faster than the text); the
    # analyzers now read the first 20,000 characters, as much as a stored mention holds.
    import time

    from vigie.analysis.pipeline import MAX_ANALYZED_TEXT

    head = "Mon numéro est le 06 12 34 56 78. "
    huge = head + "Le service est nul, une heure d'attente. " * 30_000
    started = time.process_time()
    [result, small] = run(
        tmp_path, [{"id": "big", "text": huge}, {"id": "small", "text": "Très bon accueil."}]
    )
    assert time.process_time() - started < 20
    assert len(huge) > 50 * MAX_ANALYZED_TEXT
    assert result["sentiment"]["label"] == "negative"
    assert "attente" in result["themes"]
    [phone] = result["personal_data"]
    assert huge[phone["start"] : phone["end"]] == "06 12 34 56 78"
    assert small["sentiment"]["label"] == "positive"


def test_a_file_starting_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Windows tools write UTF-8 with a byte-order mark: its first line was "not valid JSON".
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b"\xef\xbb\xbf"
        + '{"id": "1", "text": "Très déçu, colis jamais arrivé"}\r\n{"id": "2", "text": "Parfait"}\r\n'.encode()
    )
    target = tmp_path / "out.jsonl"
    call_command("analyze", "--in", str(source), "--out", str(target), verbosity=0)
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["1", "2"]
    assert lines[0]["sentiment"]["label"] == "negative"
