#!/usr/bin/env bash
# Installs the optional `hf` extra (transformers + torch) into .venv, but only with a torch
# wheel that pip can already find locally (a find-links directory of CPU builds): from PyPI,
# torch on Linux is a CUDA build that pulls several GB. Exit 0 with a message when there is none,
# so that the Hugging Face tests are skipped, not failed, on machines without such a wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
if ! .venv/bin/python -m pip download --quiet --no-deps --no-index -d "$wheels" 'torch>=2.2,<3' 2>/dev/null; then
    echo "!! no local torch wheel for pip: the Hugging Face analyzer tests will be skipped" >&2
    exit 0
fi
wheel=$(ls "$wheels"/torch-*.whl)
echo "Installing the hf extra with $(basename "$wheel")"
.venv/bin/python -m pip install --quiet -c constraints.txt "$wheel" 'transformers>=4.40,<5'
