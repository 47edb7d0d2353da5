# Two commands set everything up on a fresh machine: `make demo` and `make test`.
# `make` alone lists the targets.  PYTHON and VENV may be overridden:
#   make test PYTHON=python3.12 VENV=.venv-3.12
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help demo test lint docs bench clean

help:  ## list the targets
	@echo "glassgrad make targets:"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sed 's/^/  make /'

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-demo: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[plot,progress]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,plot,progress,bench]'
	touch $@

$(VENV)/.installed-docs: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[docs,plot,progress]'
	touch $@

demo: $(VENV)/.installed-demo  ## create .venv, install, train the two-moons MLP (pictures in demos/out/)
	$(PY) -m demos.moons

test: $(VENV)/.installed-test  ## create .venv, install the test extras, run lint, types and the whole suite
	$(MAKE) --no-print-directory lint VENV=$(VENV)
	$(PY) -m pytest

lint: $(VENV)/.installed-test  ## ruff check, ruff format --check, mypy --strict on autograd/
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

docs: $(VENV)/.installed-docs  ## build the docs site into site/ (offline, --strict)
	$(PY) -m mkdocs build --strict --site-dir site

bench: $(VENV)/.installed-test  ## run the benchmarks side by side with the peers
	$(PY) -m benchmarks

clean:  ## remove the venv, build output and caches
	rm -rf $(VENV) .venv-* demos/out site build dist .pytest_cache .hypothesis .mypy_cache .ruff_cache
