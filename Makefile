# Long-Context Attention, from Scratch -- developer and CI entry points.
#
#   make install   create .venv, install the pinned packages and the course, register the kernel
#   make lab       open the notebooks in Jupyter Lab (extra options: make lab LAB_ARGS="--port 8890")
#   make test      unit tests, then every notebooks/*.ipynb re-executed and compared by nbval
#   make zoo       rebuild the trained-model zoo
#   make student   regenerate the student notebooks
#   make timings   time every notebook (cold and warm) and update the README's syllabus table
#   make clean     remove caches and build outputs (keeps .venv)
#
# Every tool is called through $(VENV)/bin explicitly; nothing depends on an activated env.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
BOOTSTRAP_PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
KERNEL_NAME := long-context-attention
KERNEL_DISPLAY := Long-context attention (.venv)

PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KERNEL_JSON := $(VENV)/share/jupyter/kernels/$(KERNEL_NAME)/kernel.json

NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
PYTEST_ARGS ?=
NBVAL_ARGS ?=
LAB_ARGS ?=
# Jupyter refuses to start as root (containers, CI) unless told to.
LAB_ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

.PHONY: help install lab test unit nbval zoo student timings clean

help:
	@sed -n '3,10p' Makefile | sed 's/^# \{0,1\}//'

$(PY):
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

# Reinstalls only when pyproject.toml changes (or the venv is new).
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -e .
	touch $@

$(KERNEL_JSON): $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL_NAME) --display-name "$(KERNEL_DISPLAY)"

install: $(STAMP) $(KERNEL_JSON)

lab: install
	$(VENV)/bin/jupyter lab notebooks/ $(LAB_ROOT_FLAG) $(LAB_ARGS)

# Both steps always run; the target fails if either did.
test: install
	@status=0; \
	$(MAKE) --no-print-directory unit || status=1; \
	$(MAKE) --no-print-directory nbval || status=1; \
	exit $$status

unit: install
	$(VENV)/bin/pytest tests $(PYTEST_ARGS)

# Only the teacher notebooks (notebooks/*.ipynb), each in a fresh kernel of this venv.
# stderr is not compared (conftest.py); volatile text is masked by tests/nbval_sanitize.cfg.
# Serial on purpose: on 2 cores `NBVAL_ARGS="-n 2 --dist loadscope"` saved only ~7% on four
# torch-heavy notebooks (each kernel already uses both cores) and interleaves the report.
nbval: install
ifeq ($(strip $(NOTEBOOKS)),)
	@echo "nbval: no notebooks/*.ipynb yet, nothing to execute"
else
	$(VENV)/bin/pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(NBVAL_ARGS) $(NOTEBOOKS)
endif

zoo: install
	$(PY) -m course_utils.zoo build --all

student: install
	$(PY) scripts/make_student.py

timings: install
	$(PY) scripts/time_notebooks.py

clean:
	rm -rf build dist .pytest_cache *.egg-info
	find . \( -path ./.git -o -path ./$(VENV) \) -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints -o -name .pytest_cache \) -print0 | xargs -0 rm -rf
