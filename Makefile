# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help demo test bench lint docs clean

help:  ## this list
	@echo "glassgrad: make TARGET (each one creates .venv first if needed)"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## /  make \1\t/' | expand -t 16

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
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $@

demo: $(VENV)/.installed-demo  ## train the two-moons MLP; pictures to demos/out/
	$(PY) -m demos.moons

test: $(VENV)/.installed-test  ## ruff check, then the whole suite (docs and notebooks included)
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(VENV)/.installed-test  ## ruff check (the linter; make test runs it too)
	$(PY) -m ruff check .

docs: $(VENV)/.installed-docs  ## build the docs site into site/ (offline, --strict)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site

bench: $(VENV)/.installed-test  ## the benchmarks against micrograd, PyTorch, a pure-Python floor
	$(PY) -m benchmarks

clean:  ## remove .venv, site/, demos/out and caches
	rm -rf $(VENV) site demos/out .pytest_cache .hypothesis build dist *.egg-info
