# The two commands: `make book` and `make test`. Both create .venv when it is
# missing and install requirements.txt and seqlib into it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)

# The datasets: ../shared/data when this checkout has one beside it, else the
# loaders' own cache in data/ (filled by downloads).
ifneq ($(wildcard ../shared/data),)
export SEQLIB_DATA ?= $(abspath ../shared/data)
endif
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONHASHSEED := 0

NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
JB_FLAGS := -W -n --keep-going --all

.PHONY: help install book execute html test unit nbval browser chromium lint timings clean

help:
	@echo "make book     set up .venv, execute every notebook in place, build _build/html"
	@echo "make test     set up .venv, unit tests, nbval on every notebook, build from stored outputs"
	@echo "make timings  execute every notebook under nbval and print each one's time"
	@echo "make lint     ruff on seqlib/, tests/ and the notebooks"
	@echo "make browser  open the built site in headless Chromium and check every page"
	@echo "make clean    remove _build/ (keeps .venv)"

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

book: $(STAMP) execute html

execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

html: $(STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS)

test: $(STAMP) lint unit nbval html browser

lint: $(STAMP)
	$(BIN)/ruff check seqlib tests tools notebooks conftest.py
	$(BIN)/ruff format --check seqlib tests tools conftest.py

unit: $(STAMP)
	$(BIN)/pytest tests --ignore=tests/browser

nbval timings: $(STAMP)
	$(BIN)/pytest --nbval-lax -p no:cacheprovider notebooks

# The built site in headless Chromium: every page loads offline, math is typeset,
# search works. Debian's chromium is installed when it is missing.
browser: $(STAMP) chromium
	$(BIN)/pytest tests/browser

chromium:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser check"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf _build
