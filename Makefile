# Long-Context Attention, from Scratch -- developer and CI entry points. `make help` lists them.
#
# Every tool is called through $(VENV)/bin explicitly; nothing depends on an activated env.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
BOOTSTRAP_PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
KERNEL_NAME := long-context-attention
KERNEL_DISPLAY := Long-context attention (.venv)

# `make gpu PY=python3` runs the GPU measurements with another interpreter (one that already has a
# CUDA build of torch), without installing anything.
PY ?= $(VENV)/bin/python
VENV_PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KERNEL_JSON := $(VENV)/share/jupyter/kernels/$(KERNEL_NAME)/kernel.json

NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# nbval hands notebooks to its two workers in this order, slowest first (measured cold times), so that
# no worker is left with a long notebook at the end; any notebook not named here follows in file order.
SLOW_FIRST := 11 08 03 05 10 06 01 02 04 07
NBVAL_ORDER := $(foreach n,$(SLOW_FIRST),$(filter notebooks/$(n)_%,$(NOTEBOOKS)))
NBVAL_ORDER += $(filter-out $(NBVAL_ORDER),$(NOTEBOOKS))
PYTEST_ARGS ?=
NBVAL_ARGS ?=
# pytest-xdist workers for the unit tests: each worker's torch runs one thread (conftest.py sets
# OMP_NUM_THREADS=1 in the workers; two threads each oversubscribed the cores: unit tests 316-450 s ->
# 246 s), so two workers keep a 2-core machine busy (measured: unit tests 14.2 -> 8.7 min on 2 cores). (--dist
# loadgroup, pinning the claims modules that cache measurements to one worker each, was measured
# slower: 6:54 against 5:32.)
TEST_WORKERS ?= 2
LAB_ARGS ?=
GPU_ARGS ?=
# TEST_ENV, for the test targets only. glibc's malloc returns every large tensor to the kernel on free and
# page-faults it back on the next allocation, and the course's evaluations allocate the same large
# tensors over and over. Keeping freed memory in the heap cut notebook 05's system time from 26 s to
# 2 s and its wall time by a quarter (one thread, 2 cores), for about 0.6 GB more peak memory. Other C
# libraries ignore these variables; the benchmark's isolated children drop them (bench.py), so memory
# measurements keep the library's defaults. `make lab` does not set them.
# PYTHONDONTWRITEBYTECODE= (empty) lets Python cache the bytecode of every module it imports (see install).
TEST_ENV := MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=34359738368 MALLOC_TOP_PAD_=1073741824 \
	PYTHONDONTWRITEBYTECODE=
# Jupyter refuses to start as root (containers, CI) unless told to.
LAB_ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

.PHONY: help install lab test quick unit nbval book gpu zoo trials student timings clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' Makefile | sed -E 's/^([a-z]+):.*## /  make \1\t/' | expand -t 16

$(VENV_PY):
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

# Reinstalls only when pyproject.toml or constraints.txt changes (or the venv is new).
# constraints.txt pins the exact CPU torch; pyproject.toml itself accepts any torch>=2.4.
# --no-compile: pip would byte-compile every installed module on one core (measured on 2 cores:
# install 154 s -> 76 s without it), most of them never imported. The test targets let Python write
# the bytecode of what they import instead (TEST_ENV clears PYTHONDONTWRITEBYTECODE, which these
# machines set: without any .pyc every kernel recompiles torch, +9 s each).
# pip first: Python 3.11's bundled pip (23.2) takes 72 s to resolve the course's ~170 packages on
# these machines, pip 26 takes 33 s (measured, 2 cores: the whole install 125 s -> 52 s).
$(STAMP): pyproject.toml constraints.txt | $(VENV_PY)
	$(VENV_PY) -m pip install --upgrade "pip>=25"
	$(VENV_PY) -m pip install --no-compile -c constraints.txt -e .
	touch $@

$(KERNEL_JSON): $(STAMP)
	$(VENV_PY) -m ipykernel install --sys-prefix --name $(KERNEL_NAME) --display-name "$(KERNEL_DISPLAY)"

install: $(STAMP) $(KERNEL_JSON) ## create .venv, install the pinned packages and the course, register the kernel

# Rooted at the repository, so both notebooks/ (teacher) and student/ are reachable; opens the README.
# Kernels may write bytecode (see install), so only the first one compiles what the chapters import.
lab: install ## open JupyterLab on the course (notebooks/ and student/); options: LAB_ARGS="--port 8890"
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/jupyter lab $(LAB_ROOT_FLAG) $(LAB_ARGS) README.md

# Both steps always run; the target fails if either did.
test: install ## every test: the unit tests, then every notebook re-executed and compared by nbval
	@status=0; \
	$(MAKE) --no-print-directory unit || status=1; \
	$(MAKE) --no-print-directory nbval || status=1; \
	exit $$status

unit: install ## the unit tests (tests/)
	$(TEST_ENV) $(VENV)/bin/pytest tests -n $(TEST_WORKERS) $(PYTEST_ARGS)

quick: install ## the fast tier for the development loop: unit tests without zoo claims, slow or lab tests
	$(TEST_ENV) $(VENV)/bin/pytest tests -n $(TEST_WORKERS) -m "not slow and not claims and not lab" $(PYTEST_ARGS)

# Only the teacher notebooks (notebooks/*.ipynb), each in a fresh kernel of this venv.
# stderr is not compared (conftest.py); volatile text is masked by tests/nbval_sanitize.cfg.
# Two notebooks at once, each kernel on one thread (COURSE_THREADS=1 overrides the notebooks'
# seed_everything(threads=2); the printed results are the same): measured on 2 cores, two
# one-thread kernels finish two notebooks in 87 s where one two-thread kernel takes 130 s.
# --dist loadscope keeps every cell of a notebook in one kernel; --no-loadscope-reorder keeps NBVAL_ORDER.
NBVAL_WORKERS ?= 2
nbval: install ## every notebooks/*.ipynb re-executed and compared with its stored outputs
ifeq ($(strip $(NOTEBOOKS)),)
	@echo "nbval: no notebooks/*.ipynb yet, nothing to execute"
else
	$(TEST_ENV) COURSE_THREADS=1 $(VENV)/bin/pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		-n $(NBVAL_WORKERS) --dist loadscope --no-loadscope-reorder $(NBVAL_ARGS) $(NBVAL_ORDER)
endif

# The course book: a static website of the committed notebooks (not re-executed), in build/book/html.
# Sphinx with myst-nb and the book theme; see scripts/build_book.py and book/conf.py.
book: install ## build the course book (a website of the notebooks) into build/book/html
	$(VENV_PY) scripts/build_book.py

# Every GPU measurement of the course in one command (correctness first, then the sweeps), written to
# notebooks/results/*_<device>.csv. Without CUDA it runs the same code at tiny sizes on the CPU.
# On a GPU machine whose python3 already has a CUDA torch: `make gpu PY=python3` (installs nothing).
gpu: $(if $(filter $(VENV_PY),$(PY)),install) ## run every GPU measurement (make gpu PY=python3 on a CUDA machine)
	PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}" $(PY) -m course_utils.tools.gpu $(GPU_ARGS)

zoo: install ## rebuild the trained-model zoo
	$(VENV_PY) -m course_utils.zoo build --all

trials: install ## rebuild every trial's stored measurements (hours on one core) and the measured zoo records
	$(VENV_PY) -m course_utils.zoo.trials run --all
	$(VENV_PY) -m course_utils.zoo.trials measure --all

student: install ## regenerate the student notebooks in student/
	$(VENV_PY) scripts/make_student.py

timings: install ## time every notebook (cold and warm) and update the README's syllabus table
	$(VENV_PY) scripts/time_notebooks.py

clean: ## remove caches and build outputs (keeps .venv)
	rm -rf build dist .pytest_cache *.egg-info
	find . \( -path ./.git -o -path ./$(VENV) \) -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints -o -name .pytest_cache \) -print0 | xargs -0 rm -rf
