# Long-Context Attention, from Scratch -- developer and CI entry points. `make help` lists them.
#
# Every tool is called through $(VENV)/bin explicitly; nothing depends on an activated env.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
# Where torch's CPU build comes from (Linux only; macOS's PyPI wheel is already CPU-only). Empty: PyPI.
TORCH_INDEX ?= $(if $(filter Linux,$(shell uname -s)),https://download.pytorch.org/whl/cpu)
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
# Slowest first by cold_s (column 2) in timings.csv, so no nbval worker is left with a long notebook at the end;
# without the file, and for notebooks it lacks, the plain order.
TIMINGS_CSV := notebooks/results/timings.csv
SLOW_FIRST := $(if $(wildcard $(TIMINGS_CSV)),$(shell tail -n +2 $(TIMINGS_CSV) | LC_ALL=C sort -t, -k2,2gr -k1,1 | cut -c1-2))
NBVAL_ORDER := $(foreach n,$(SLOW_FIRST),$(filter notebooks/$(n)_%,$(NOTEBOOKS)))
NBVAL_ORDER += $(filter-out $(NBVAL_ORDER),$(NOTEBOOKS))
PYTEST_ARGS ?=
NBVAL_ARGS ?=
# Unit-test workers: one torch thread each (conftest.py), so two keep a 2-core machine busy.
TEST_WORKERS ?= 2
LAB_ARGS ?=
GPU_ARGS ?=
# Seconds `make test` may take from a fresh clone on 2 cores: .ci/run fails a slower run (`make -s print-budget`).
# The README gives the measured times.
TEST_BUDGET_S := 720
# Test targets only, for speed (no test needs them to pass): the MALLOC_* knobs make glibc keep freed large tensors
# in its heap, so the next one reuses their pages instead of faulting in fresh ones (the memory probe's tests and
# the benchmark's subprocesses drop them: they change what the resident set measures); clearing
# PYTHONDONTWRITEBYTECODE, which some machines set, lets Python cache the bytecode `make install` does not compile.
TEST_ENV := MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=34359738368 MALLOC_TOP_PAD_=1073741824 \
	PYTHONDONTWRITEBYTECODE=
# Jupyter refuses to start as root (containers, CI) unless told to.
LAB_ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

.PHONY: help install lock lab lint format test quick unit floor nbval book gpu gpu-test zoo trials student timings \
	clean print-budget

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 18

$(VENV_PY):
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

# When pyproject.toml or constraints.txt changes: the course and its dev extra, at constraints.txt's locked versions.
# A recent pip resolves faster than 3.11's bundled one; --no-compile: Python caches only the bytecode it uses.
# On Linux, PyPI's torch is the CUDA build (several GB), so torch comes first from PyTorch's CPU index
# (--no-deps: its dependencies come with the rest, from PyPI).
$(STAMP): pyproject.toml constraints.txt | $(VENV_PY)
	$(VENV_PY) -m pip install --upgrade "pip>=25"
	$(if $(TORCH_INDEX),$(VENV_PY) -m pip install --no-compile --no-deps -c constraints.txt torch --index-url $(TORCH_INDEX))
	$(VENV_PY) -m pip install --no-compile -c constraints.txt -e ".[dev]"
	touch $@

$(KERNEL_JSON): $(STAMP)
	$(VENV_PY) -m ipykernel install --sys-prefix --name $(KERNEL_NAME) --display-name "$(KERNEL_DISPLAY)"

install: $(STAMP) $(KERNEL_JSON) ## create .venv, install the pinned packages and the course, register the kernel

# environment.yml written from pyproject.toml's pins (offline), then a fresh venv with those pins (torch as
# constraints.txt pins it), frozen into constraints.txt.
LOCK_VENV := build/lock-venv
lock: ## rewrite environment.yml from pyproject.toml's pins, and constraints.txt: every package's exact version
	$(BOOTSTRAP_PYTHON) scripts/make_environment_yml.py
	rm -rf $(LOCK_VENV) && $(BOOTSTRAP_PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --upgrade "pip>=25"
	grep '^torch==' constraints.txt > $(LOCK_VENV)/torch.txt
	$(if $(TORCH_INDEX),$(LOCK_VENV)/bin/python -m pip install --no-compile --no-deps -c $(LOCK_VENV)/torch.txt torch --index-url $(TORCH_INDEX))
	$(LOCK_VENV)/bin/python -m pip install --no-compile -c $(LOCK_VENV)/torch.txt -e ".[dev]"
	{ grep '^#' constraints.txt; $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable | sed -E 's/\+cpu$$//'; } > $(LOCK_VENV)/constraints.txt
	mv $(LOCK_VENV)/constraints.txt constraints.txt && rm -rf $(LOCK_VENV)

# Rooted at the repository, so notebooks/ (teacher), student/ and graded/ are reachable; opens the README.
# Kernels may write bytecode (see install), so only the first one compiles what the chapters import.
lab: install ## open JupyterLab on the course (notebooks/, student/, graded/); options: LAB_ARGS="--port 8890"
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/jupyter lab $(LAB_ROOT_FLAG) $(LAB_ARGS) README.md

# ruff's settings and mypy's are in pyproject.toml; .pre-commit-config.yaml runs the same ruff on commit.
lint: install ## ruff (lint and format check) on the repository, mypy on the package, scripts and tests
	@status=0; \
	$(VENV)/bin/ruff check . || status=1; \
	$(VENV)/bin/ruff format --check . || status=1; \
	$(VENV)/bin/mypy || status=1; \
	exit $$status

# Imports are never removed (F401, F811): otter runs a quiz's test cell on its own, so it repeats imports. A notebook's
# .py that this changes goes back into its .ipynb with `$(VENV)/bin/jupytext --sync notebooks/NN_name.ipynb`.
format: install ## fix what ruff can fix and format the repository (what make lint checks)
	$(VENV)/bin/ruff check --fix --unfixable F401,F811 .
	$(VENV)/bin/ruff format .

# Every step always runs; the target fails if any did.
test: install ## every test: lint, the unit tests, then every notebook re-executed and compared by nbval
	@status=0; \
	$(MAKE) --no-print-directory lint || status=1; \
	$(MAKE) --no-print-directory unit || status=1; \
	$(MAKE) --no-print-directory nbval || status=1; \
	exit $$status

unit: install ## the unit tests (tests/)
	$(TEST_ENV) $(VENV)/bin/pytest tests -n $(TEST_WORKERS) --dist worksteal --durations=10 $(PYTEST_ARGS)

quick: install ## the fast tier for the development loop: unit tests without zoo claims, slow or lab tests
	$(TEST_ENV) $(VENV)/bin/pytest tests -n $(TEST_WORKERS) -m "not slow and not claims and not lab" $(PYTEST_ARGS)

# The oldest torch that pyproject.toml admits (torch>=2.4), beside the locked rest, in its own venv: the unit tests
# there, less the `locked` ones (stored accuracies and loss curves only the locked torch reproduces to 1e-6, the
# installed versions). nbval does not run: the notebooks' outputs were made with the locked torch. CI runs it.
FLOOR_TORCH := 2.4.1
FLOOR_VENV := .venv-floor
FLOOR_STAMP := $(FLOOR_VENV)/.installed
$(FLOOR_STAMP): pyproject.toml constraints.txt
	test -x $(FLOOR_VENV)/bin/python || $(BOOTSTRAP_PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --upgrade "pip>=25"
	grep -v '^torch==' constraints.txt > $(FLOOR_VENV)/constraints.txt
	$(FLOOR_VENV)/bin/python -m pip install --no-compile torch==$(FLOOR_TORCH) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(FLOOR_VENV)/bin/python -m pip install --no-compile -c $(FLOOR_VENV)/constraints.txt -e ".[dev]"
	touch $@

floor: $(FLOOR_STAMP) ## the unit tests at the oldest torch the course supports, in .venv-floor (torch==2.4.1, the rest locked)
	$(TEST_ENV) $(FLOOR_VENV)/bin/pytest tests -n $(TEST_WORKERS) -m "not locked" $(PYTEST_ARGS)

# Teacher notebooks in fresh kernels, two one-thread kernels at once (COURSE_THREADS=1 prints the same results);
# stderr is not compared (conftest.py), volatile text is masked; each notebook stays in one kernel, in NBVAL_ORDER.
NBVAL_WORKERS ?= 2
# No notebooks is a broken checkout, not a pass: the target fails instead of checking nothing.
nbval: install ## every notebooks/*.ipynb re-executed and compared with its stored outputs
	@test -n "$(strip $(NOTEBOOKS))" || { echo "nbval: no notebooks/*.ipynb to execute" >&2; exit 1; }
	$(TEST_ENV) COURSE_THREADS=1 $(VENV)/bin/pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		-n $(NBVAL_WORKERS) --dist loadscope --no-loadscope-reorder $(NBVAL_ARGS) $(NBVAL_ORDER)

# The course book: a static website of the committed notebooks (not re-executed), in build/book/html.
# Sphinx with myst-nb and the book theme; see scripts/build_book.py and book/conf.py.
book: install ## build the course book (a website of the notebooks) into build/book/html
	$(VENV_PY) scripts/build_book.py

# Every GPU measurement of the course in one command (correctness first, then the sweeps), written to
# notebooks/results/*_<device>.csv. Without CUDA it runs the same code at tiny sizes on the CPU.
# On a GPU machine whose python3 already has a CUDA torch: `make gpu PY=python3` (installs nothing).
gpu: $(if $(filter $(VENV_PY),$(PY)),install) ## run every GPU measurement (make gpu PY=python3 on a CUDA machine)
	PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}" $(PY) -m course_utils.bench.gpu $(GPU_ARGS)

# The tests marked `gpu` (tests that need CUDA), with COURSE_REQUIRE_GPU=1 (conftest.py): a machine without CUDA fails
# them instead of skipping. With a CUDA torch and pytest already in python3: `make gpu-test PY=python3`.
gpu-test: $(if $(filter $(VENV_PY),$(PY)),install) ## the GPU-only tests (pytest -m gpu), failing without CUDA (PY=python3 as for make gpu)
	COURSE_REQUIRE_GPU=1 $(PY) -m pytest tests -m gpu $(PYTEST_ARGS)

zoo: install ## rebuild the trained-model zoo
	$(VENV_PY) -m course_utils.zoo build --all

trials: install ## rebuild every trial's stored measurements (hours on one core) and the measured zoo records
	$(VENV_PY) -m course_utils.zoo.trials run --all
	$(VENV_PY) -m course_utils.zoo.trials measure --all

student: install ## regenerate the student editions in student/ (self-study) and graded/ (a graded class)
	$(VENV_PY) scripts/make_student.py

timings: install ## time every notebook (cold and warm) and update the README's syllabus table
	$(VENV_PY) scripts/time_notebooks.py

# .ci/run reads the budget from here.
print-budget:
	@echo $(TEST_BUDGET_S)

clean: ## remove caches and build outputs (keeps .venv)
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache *.egg-info
	find . \( -path ./.git -o -path ./$(VENV) -o -path ./$(FLOOR_VENV) \) -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints -o -name .pytest_cache \) -print0 | xargs -0 rm -rf
