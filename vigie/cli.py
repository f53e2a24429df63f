"""The ``vigie`` command.

``vigie X …`` runs the Django management command ``X`` with Vigie's settings, so every feature's
command lives with its app (``vigie/<app>/management/commands/X.py``) and can be tested with
``call_command``. Without arguments it lists Vigie's own commands.
"""

from __future__ import annotations

import os
import sys

# Django's own command options; ``vigie analyze`` given one of them goes through Django.
DJANGO_OPTIONS = ("--settings", "--pythonpath", "--traceback", "--no-color", "--force-color", "--skip-checks")

VIGIE_COMMANDS = {
    "serve": "serve the web interface with the embedded scheduler and workers",
    "worker": "run a Celery worker (scale mode, CELERY_BROKER_URL set)",
    "beat": "run the Celery beat scheduler for periodic jobs (scale mode)",
    "migrate": "create or upgrade the database schema",
    "demo": "load the demo organisation (and serve it unless --no-serve)",
    "org": "organisations: vigie org create SLUG --name NAME | vigie org list",
    "user": "users: vigie user create EMAIL --org SLUG --role ROLE",
    "token": "API tokens: vigie token create EMAIL [--org SLUG] [--name NAME]",
    "audit": "audit log: vigie audit verify [--org SLUG]",
    "evidence": "evidence: vigie evidence capture --org SLUG --mention ID | export … --out FILE.zip | verify FILE.zip",
    "backup": "copy the SQLite database safely while Vigie runs: vigie backup --out FILE",
    "privacy": "GDPR requests: vigie privacy export|erase --org SLUG --subject HANDLE_OR_EMAIL [--out F] [--dry-run]",
    "retention": "apply the charter's retention now: vigie retention run --org SLUG [--dry-run]",
    "source": "sources: vigie source add|list|rekey …",
    "fetch": "fetch sources now: vigie fetch --org SLUG [--source NAME]",
    "import": "import a file: vigie import FILE --org SLUG --source NAME [--preset NAME]",
    "export": "export: vigie export mentions --org SLUG --format jsonl|csv",
    "reply": "vigie reply check --platform SLUG --lang fr|en --text-file FILE | templates --org SLUG",
    "analyze": "analyse a JSONL file without a database: vigie analyze --in F --out F",
    "reanalyze": "re-analyse an organisation's mentions: vigie reanalyze --org SLUG",
    "retrain": "train an organisation-specific sentiment model: vigie retrain --org SLUG",
    "themes": "themes: vigie themes list|discover|promote --org SLUG",
    "routing": "comment-handling scheme: vigie routing list|seed|dry-run --org SLUG [--mention ID]",
    "kpis": "KPIs of a period: vigie kpis --org SLUG --from DATE --to DATE [--by DIM] [--format json|csv]",
    "report": "management report: vigie report --org SLUG --period YYYY-MM --format pdf|html --out FILE",
    "rollup": "rebuild the KPIs' daily rollup: vigie rollup --org SLUG [--refresh]",
    "demo_spike": "inject a spike of negative mentions and run alert detection: vigie demo_spike [--org demo] [--now]",
    "outreach": "review requests: vigie outreach invite --org SLUG --csv FILE [--dry-run] | bounce EMAIL --org SLUG",
    "compiletranslations": "compile the interface translations (done by the set-up)",
}


def _usage() -> str:
    width = max(len(name) for name in VIGIE_COMMANDS)
    lines = ["usage: vigie COMMAND [options]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {help_text}" for name, help_text in VIGIE_COMMANDS.items()]
    lines += ["", "`vigie COMMAND --help` describes a command; Django's other commands work too."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``vigie`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(_usage())
        return
    if args[0] == "analyze" and not any(arg.split("=")[0] in DJANGO_OPTIONS for arg in args):
        # Analysing a file needs neither a database nor Django: skip setting Django up.
        from vigie.analysis.analyze_file import main as analyze_main

        sys.exit(analyze_main(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["vigie", *args])
    except ImproperlyConfigured as exc:
        # A bad environment value: one line naming the variable, no traceback.
        print(f"vigie: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
