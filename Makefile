# The two commands of the README: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test test-hf install install-dev translations chromium lint architecture typecheck pytest bench serve clean

# Quiet installs: no version nag, no root-user warning (containers), no resolver chatter.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check --root-user-action=ignore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip

# Runtime dependencies only, pinned by constraints.txt; re-run when either file changes.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP_INSTALL) -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt $(VENV)/.installed
	$(PIP_INSTALL) -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

translations: $(VENV)/.installed
	@$(BIN)/vigie compiletranslations --verbosity 0

# Debian's Chromium for the browser tests; Playwright never downloads a browser of its own.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests…"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

demo: install
	$(BIN)/vigie migrate --noinput -v0
	VIGIE_BASE_URL=$${VIGIE_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/vigie demo --host $(HOST) --port $(PORT)

serve: install
	VIGIE_BASE_URL=$${VIGIE_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/vigie serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory architecture

# The layers and the apps' public modules (pyproject.toml, [tool.importlinter]; docs/architecture.md).
architecture: install-dev
	PYTHONPATH=. $(BIN)/lint-imports --no-cache

typecheck: install-dev
	$(BIN)/mypy vigie

pytest: install-dev chromium
	bash scripts/pytest.sh $(PYTEST_ARGS)

test: lint typecheck pytest

# The optional Hugging Face analyzer's tests need torch. Only a CPU build that pip already has
# locally is installed (see the script); without one the tests are skipped, as in `make test`.
test-hf: install-dev
	bash scripts/install-hf-cpu.sh
	bash scripts/pytest.sh -p no:cacheprovider --no-cov vigie/analysis/tests/test_hf_model.py

bench: install-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache htmlcov .coverage
