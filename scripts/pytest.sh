#!/usr/bin/env bash
# Runs the test suite with coverage. pytest's exit code 5 ("no tests collected") is a failure here:
# a run that tested nothing must never look green.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest --cov --cov-report=term:skip-covered "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing on purpose" >&2
    exit 1
fi
exit "$status"
