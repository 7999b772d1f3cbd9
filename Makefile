# Two entry points (see README):  make reproduce   |   make test
# Both create .venv from the pinned lock files on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: reproduce reproduce-all test bench clean-venv

$(VENV)/.runtime: requirements/runtime.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/runtime.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements/dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	touch $@

# the main job: the real-data reproduction (Szigeti 2024, every published row), then Davis/Levin
reproduce: $(VENV)/.runtime
	$(PY) scripts/reproduce_szigeti2024.py
	$(PY) scripts/reproduce_davis2024.py

# the other reproduced papers (Zeifman 2024, Murphy 2022), each to out/NAME/
# (each runs even if another did not reproduce every claim; the exit code is the last non-zero)
reproduce-all: reproduce
	@rc=0; for name in zeifman2024 murphy2022; do $(PY) scripts/reproduce_$$name.py || rc=$$?; done; exit $$rc

test: $(VENV)/.dev
	$(VENV)/bin/ruff check src tests scripts benchmarks data
	$(PY) -m pytest

bench: $(VENV)/.dev
	$(PY) -m pytest benchmarks -p no:randomly --benchmark-only -q -s

clean-venv:
	rm -rf $(VENV)
