# Two entry points (see README):  make reproduce   |   make test
# Both create .venv from the pinned lock files on first use. CI (.ci/run) runs make test, then
# make test-floors (the suite at the declared minimum versions); make lock rewrites the locks.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

# the floors session: every run-time dependency at its declared minimum (requirements/floors.lock)
FLOORS_VENV := build/venv-floors
FLOORS_PY   := $(FLOORS_VENV)/bin/python
PIP_FLAGS   := --quiet --disable-pip-version-check

.PHONY: reproduce reproduce-all test test-floors bench lock clean-venv

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

# the suite again with the declared minimum versions, so the floors in pyproject.toml are true.
# Tests that need a dev-only oracle which cannot be installed at the floors (pingouin 0.7 needs
# numpy >= 2.2, pandas >= 2.3) are reported as skipped with that reason (-rs lists them).
$(FLOORS_VENV)/.installed: requirements/floors.lock pyproject.toml
	rm -rf $(FLOORS_VENV)
	$(PYTHON) -m venv $(FLOORS_VENV)
	$(FLOORS_PY) -m pip install $(PIP_FLAGS) -r requirements/floors.lock
	$(FLOORS_PY) -m pip install $(PIP_FLAGS) --no-deps --no-build-isolation -e .
	touch $@

test-floors: $(FLOORS_VENV)/.installed
	$(FLOORS_PY) -m pip list --format=freeze 2>/dev/null | grep -i -E '^(numpy|pandas|scipy|statsmodels|matplotlib|openpyxl|pyreadstat|jinja2)=='
	PYTHONPATH=$(CURDIR)/requirements $(FLOORS_PY) -m pytest -p floors_plugin -rs

# regenerate requirements/{runtime,dev,floors}.lock from pyproject.toml (network; review the diff)
lock:
	$(PYTHON) requirements/lock.py

bench: $(VENV)/.dev
	$(PY) -m pytest benchmarks -p no:randomly --benchmark-only -q -s

clean-venv:
	rm -rf $(VENV) $(FLOORS_VENV)
