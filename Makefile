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
JB_FLAGS := -W -n --keep-going --all

.PHONY: help install book execute html test unit nbval lint timings clean

help:
	@echo "make book     set up .venv, execute every notebook in place, build _build/html"
	@echo "make test     set up .venv, unit tests, nbval on every notebook, build from stored outputs"
	@echo "make timings  execute every notebook under nbval and print each one's time"
	@echo "make lint     ruff on seqlib/, tests/ and the notebooks"
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

test: $(STAMP) lint unit nbval html

lint: $(STAMP)
	$(BIN)/ruff check seqlib tests tools notebooks
	$(BIN)/ruff format --check seqlib tests tools

unit: $(STAMP)
	$(BIN)/pytest tests

nbval timings: $(STAMP)
	$(BIN)/pytest --nbval-lax -p no:cacheprovider notebooks

clean:
	rm -rf _build
