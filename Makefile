# IPS in Pain replication report.
#
#   make report     build reports/ (HTML pages, executed notebooks, ledger.csv)
#   make test       unit tests, doctests, the browser test, then re-run the committed notebooks (nbval)
#   make benchmark  time the build against plain papermill + nbconvert (benchmarks/build.py)
#   make pdf        the whole report as one PDF (report.pdf), printed by headless Chromium
#   make lab        JupyterLab on notebooks/ (installs the lab extra; the .py notebooks open as notebooks)
#   make lint       ruff check (rules in pyproject.toml) over the code, then mypy over the package
#   make check      lint, then the tests not marked slow: the quick check before a commit
#
# Both create the virtual environment .venv first when it is missing, and install into it
# exactly the versions pinned (with hashes) in requirements.lock, then the project itself;
# they reinstall when pyproject.toml or requirements.lock is newer than the last install.
#
#   make lock       re-pin requirements.lock from pyproject.toml (after changing a dependency)

SHELL := /bin/bash
.DEFAULT_GOAL := report

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ipsrep-installed
BUILD_ARGS ?=
# the tests on every core (pytest-xdist); each test file (each notebook, for nbval) runs whole
# on one worker, so a file's module-scoped fixtures are built once (the session ones once per
# worker). XDIST_ARGS= runs them in one process, as does an environment without pytest-xdist
# (a requirements.lock from before it joined the test extra). Expanded when a recipe runs,
# after .venv is installed.
XDIST_ARGS ?= $(shell $(BIN)/python -c 'import xdist' 2>/dev/null && echo '-n auto --dist loadfile')
NBVAL_ARGS := -p tests.nbval_plugin --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
              --nbval-cell-timeout 1800

.PHONY: report test unit nbval verify-report venv clean-cache benchmark lock pdf lab lab-settings lint check

venv: $(STAMP)

LOCK := requirements.lock
# Resolve and install from PyPI itself, so the pinned hashes are PyPI's whatever local
# wheel folders this machine's pip configuration names.
PIP_ENV := PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1

$(STAMP): pyproject.toml $(LOCK)
	@if [ ! -x $(BIN)/python ]; then \
	  if [ -z "$(PYTHON)" ]; then echo "make: no python3 found; install Python 3.11" >&2; exit 1; fi; \
	  $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' || { \
	    echo "make: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); this project needs 3.11 or newer (make PYTHON=/path/to/python3.11)" >&2; exit 1; }; \
	  echo "make: creating $(VENV) with $(PYTHON)"; \
	  $(PYTHON) -m venv $(VENV); \
	fi
	$(PIP_ENV) $(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(PIP_ENV) $(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

lock:
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(PIP_ENV) $(BIN)/python -m pip install --quiet pip-tools
	$(PIP_ENV) $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --extra test --extra lint \
	  --no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

# ruff, mypy and the stubs are the `lint` extra, pinned in requirements.lock with the rest
# (a new ruff or mypy release must not change what passes)
lint: $(STAMP)
	@[ -x $(BIN)/ruff ] && [ -x $(BIN)/mypy ] || { echo "make: ruff or mypy is missing from $(VENV); requirements.lock predates the lint extra: run make lock" >&2; exit 1; }
	$(BIN)/ruff check ipsrep tests benchmarks notebooks
	$(BIN)/mypy

check: lint
	$(BIN)/python -m pytest $(XDIST_ARGS) -m "not slow" tests ipsrep

report: $(STAMP)
	$(BIN)/ipsrep build $(BUILD_ARGS)

test: unit nbval

unit: $(STAMP)
	$(BIN)/python -m pytest $(XDIST_ARGS) tests ipsrep

nbval: $(STAMP)
	@ls reports/*.ipynb >/dev/null 2>&1 || { echo "make: no executed notebooks in reports/; run make report first" >&2; exit 1; }
	$(BIN)/python -m pytest $(XDIST_ARGS) $(NBVAL_ARGS) reports/*.ipynb

# Rebuild every notebook without the cache and fail if a committed file changes:
# the check that the report is deterministic on this machine.
verify-report: $(STAMP) clean-cache
	$(BIN)/ipsrep build $(BUILD_ARGS)
	@changed="$$(git status --porcelain -- reports/)"; \
	if [ -n "$$changed" ]; then echo "make: the rebuilt report differs from the committed one:" >&2; echo "$$changed" >&2; exit 1; fi
	@echo "make: rebuilt report is identical to the committed one"

clean-cache:
	rm -rf .cache/ipsrep-build

PDF ?= report.pdf
pdf: $(STAMP)
	@ls reports/*.ipynb >/dev/null 2>&1 || { echo "make: no executed notebooks in reports/; run make report first" >&2; exit 1; }
	$(BIN)/ipsrep pdf reports --out $(PDF)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/build.py

# JupyterLab for teaching: jupytext's "Jupytext Notebook" as the default viewer of .py and .md
# files (a double click opens notebooks/NN_*.py as a notebook), and no "Jupyter news" prompt
# (etc/jupyterlab-overrides.json). The settings go to the virtual environment's
# overrides.json, not to your home folder.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
lab-settings:
	@mkdir -p $(dir $(LAB_SETTINGS))
	cp etc/jupyterlab-overrides.json $(LAB_SETTINGS)

lab: $(STAMP)
	$(PIP_ENV) $(BIN)/python -m pip install --quiet -e '.[lab]'
	$(MAKE) --no-print-directory lab-settings
	$(BIN)/jupyter lab notebooks/
