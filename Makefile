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

# Readers' machines: Python 3.12 and the registry's default builds (on Linux, the CUDA
# build of PyTorch with Triton, as in Colab), in a second environment, .venv312,
# installed from requirements.txt alone: no local wheels and no pip configuration of
# this machine (PIP_CONFIG_FILE=/dev/null, PIP_FIND_LINKS empty).
PYTHON312 ?= $(firstword $(foreach p,python3.12 $(wildcard /usr/bin/python3.12 \
  $(HOME)/.pyenv/versions/3.12*/bin/python3.12),$(shell $(p) -c "" 2>/dev/null && command -v $(p))))
VENV312 := .venv312
STAMP312 := $(VENV312)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
READER_PIP := PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS=
# The chapters that train PyTorch models in a process that has TensorFlow too.
BOTH_FRAMEWORKS := $(shell grep -lF 'frameworks=(\"torch\", \"keras\")' $(NOTEBOOKS))

.PHONY: help install book execute html test unit nbval browser chromium lint timings clean \
	test-py312 install-py312 test-other-cpu pair translations translations-check

help:
	@echo "The two commands:"
	@echo "  make book         set up .venv, execute every notebook in place, build _build/html"
	@echo "  make test         set up .venv; lint, unit tests, nbval on every notebook, build the"
	@echo "                    site from the stored outputs (-W), browser check"
	@echo "Parts of them:"
	@echo "  make install      create .venv and install requirements.txt and seqlib (editable)"
	@echo "  make execute      execute every notebook in place (NOTEBOOKS=... for some)"
	@echo "  make html         build the website from the stored outputs: English in"
	@echo "                    _build/html, Chinese in _build/html/zh"
	@echo "  make translations refresh locale/zh_CN/*.po and zh/notebooks after English edits"
	@echo "  make translations-check  every message translated and in step with the English"
	@echo "  make lint         ruff on seqlib/, tests/, tools/, benchmarks/ and the notebooks"
	@echo "  make unit         the unit tests"
	@echo "  make nbval        execute every notebook under nbval and compare the outputs"
	@echo "  make timings      the same, printing each notebook's time; on a quiet machine,"
	@echo "                    it also refreshes book/timings.json and book/start.md's table"
	@echo "  make browser      open the built site in headless Chromium and check every page"
	@echo "  make chromium     install Debian's chromium when it is missing"
	@echo "  make pair         rewrite notebooks/text/*.py, the notebooks' text forms"
	@echo "Readers' machines:"
	@echo "  make install-py312  create .venv312: Python 3.12, the registry's default builds"
	@echo "  make test-py312   the unit tests again in .venv312"
	@echo "  make test-other-cpu  every chapter under nbval in .venv312, as on another CPU:"
	@echo "                    PyTorch's and oneDNN's AVX2 kernels, other thread counts and"
	@echo "                    a busy neighbour on the cores (no result may depend on them)"
	@echo "  make clean        remove _build/ (keeps .venv and .venv312)"

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

# English at _build/html, the Chinese edition at _build/html/zh (from locale/zh_CN).
html: $(STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@if [ -d locale/zh_CN ]; then $(BIN)/python tools/i18n.py html; \
	else echo "no Chinese edition yet (locale/zh_CN): English only"; fi

# After an English edit: refresh the .po files (new or changed messages are left
# empty or marked fuzzy for the translator) and the Chinese notebooks; print coverage.
translations: $(STAMP)
	$(BIN)/python tools/i18n.py update

# Every message translated, none fuzzy or obsolete, markup kept, notebooks in sync.
translations-check: $(STAMP)
	@if [ -d locale/zh_CN ]; then $(BIN)/python tools/i18n.py check; \
	else echo "no Chinese edition yet (locale/zh_CN): nothing to check"; fi

test: $(STAMP) lint unit translations-check nbval html browser

lint: $(STAMP)
	$(BIN)/ruff check seqlib tests tools benchmarks notebooks conftest.py
	$(BIN)/ruff format --check seqlib tests tools benchmarks conftest.py

unit: $(STAMP)
	$(BIN)/pytest tests --ignore=tests/browser

nbval: $(STAMP)
	$(BIN)/pytest --nbval-lax -p no:cacheprovider notebooks

# On a quiet machine: the times also go to book/timings.json and the table of
# read and run times in book/start.md (tools/reading_times.py).
timings: $(STAMP)
	$(BIN)/pytest --nbval-lax -p no:cacheprovider notebooks
	cp _build/timings.json book/timings.json
	$(BIN)/python tools/reading_times.py

# The built site in headless Chromium: every page loads offline, math is typeset,
# search works. Debian's chromium is installed when it is missing.
browser: $(STAMP) chromium
	$(BIN)/pytest tests/browser

chromium:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser check"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@if [ -d locale/zh_CN ] && ! fc-list :lang=zh | grep -q .; then \
	  echo "installing Noto CJK fonts, so that Chinese pages render in the browser check"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-noto-cjk >/dev/null; fi

pair: $(STAMP)
	$(BIN)/python tools/pair_notebooks.py

install-py312: $(STAMP312)

$(STAMP312): requirements.txt pyproject.toml
	@test -n "$(PYTHON312)" || { echo "make test-py312 needs Python 3.12 (set PYTHON312=...)"; exit 1; }
	test -x $(VENV312)/bin/python || $(PYTHON312) -m venv $(VENV312)
	$(READER_PIP) $(VENV312)/bin/python -m pip install --quiet --upgrade pip
	$(READER_PIP) $(VENV312)/bin/python -m pip install --quiet -r requirements.txt
	$(READER_PIP) $(VENV312)/bin/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV312)/.installed-*
	touch $@

test-py312: $(STAMP312)
	$(VENV312)/bin/python -c "import platform, torch, importlib.util as u; \
	  print('Python', platform.python_version(), '| torch', torch.__version__, \
	  '| triton installed:', u.find_spec('triton') is not None)"
	$(VENV312)/bin/pytest tests --ignore=tests/browser -p no:cacheprovider

# Another CPU: every chapter again in .venv312 (Python 3.12, the registry's builds)
# with PyTorch's and oneDNN's AVX2 kernels, as on a CPU without AVX-512 (other
# rounding, so that training takes another path), OTHER_THREADS threads in the
# chapters that train in the notebook's own process with both frameworks (the others
# train in worker processes of one thread each), and tools/background_load.py keeping
# a core busy in bursts, 40 % of the time. An assertion on a timing, or on the outcome
# of one chaotic training run, fails here before it fails on a reader's machine.
OTHER_CPU_ENV := ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2
OTHER_THREADS ?= 2
OTHER_CPU_NOTEBOOKS ?= $(NOTEBOOKS)
OTHER_NBVAL := $(VENV312)/bin/pytest --nbval-lax -p no:cacheprovider
test-other-cpu: $(STAMP312)
	@set -e; $(VENV312)/bin/python tools/background_load.py --parent $$$$ --seconds 5400 --busy 0.4 & \
	  load=$$!; trap 'kill $$load 2>/dev/null || true' EXIT; \
	  two="$(filter $(BOTH_FRAMEWORKS),$(OTHER_CPU_NOTEBOOKS))"; \
	  one="$(filter-out $(BOTH_FRAMEWORKS),$(OTHER_CPU_NOTEBOOKS))"; \
	  echo "another CPU: $(OTHER_CPU_ENV), a busy neighbour (tools/background_load.py)"; \
	  if [ -n "$$two" ]; then echo "SEQLIB_THREADS=$(OTHER_THREADS):"; \
	    $(OTHER_CPU_ENV) SEQLIB_THREADS=$(OTHER_THREADS) \
	    SEQLIB_TIMINGS=_build/timings-other-cpu-threads.json $(OTHER_NBVAL) $$two; fi; \
	  if [ -n "$$one" ]; then echo "SEQLIB_THREADS=1:"; \
	    $(OTHER_CPU_ENV) SEQLIB_THREADS=1 \
	    SEQLIB_TIMINGS=_build/timings-other-cpu.json $(OTHER_NBVAL) $$one; fi

clean:
	rm -rf _build
