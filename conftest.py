"""Repository-wide pytest configuration.

nbval (`pytest --nbval`) re-executes each notebook and compares every cell's fresh outputs with the
stored ones (text only: nbval compares no image, so a figure's numbers are checked by the claims tests
and the printed values beside it). Here we leave stderr out of that comparison: warnings, progress bars
on stderr and library log lines vary from run to run and machine to machine, while stdout and results
are what the course's claims rest on. Volatile text on stdout is masked by tests/nbval_sanitize.cfg instead.

The network is disabled for the whole test run: tests/offline/sitecustomize.py is put first on
PYTHONPATH (inherited by the notebook kernels and every subprocess) and loaded here as well.

A test marked `gpu` needs CUDA: without it the test is skipped, or fails where COURSE_REQUIRE_GPU is set (on a GPU
machine, where a skip would hide a broken CUDA install), as COURSE_REQUIRE_BROWSER does for the book's browser test.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

OFFLINE = Path(__file__).parent / "tests" / "offline"
os.environ["PYTHONPATH"] = os.pathsep.join([str(OFFLINE), *filter(None, [os.environ.get("PYTHONPATH")])])
# This process too, loaded by path: `import sitecustomize` would return the one Python imported at start-up,
# which on Debian's and Ubuntu's own Pythons is theirs (/usr/lib/python3.X/sitecustomize.py), not the guard.
_guard = importlib.util.spec_from_file_location("course_offline_guard", OFFLINE / "sitecustomize.py")
assert _guard is not None and _guard.loader is not None
_guard.loader.exec_module(importlib.util.module_from_spec(_guard))

# One torch thread per xdist worker (before torch is imported): workers each taking every core oversubscribe them.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")

try:
    from nbval.plugin import IPyNbFile
except ImportError:  # nbval not installed: nothing to configure
    IPyNbFile = None


def pytest_collectstart(collector):
    """Before nbval collects a notebook's cells, stop it comparing the 'stderr' stream.

    nbval 0.11 turns each stream output into {'output_type': 'stream', <stream name>: text} and
    drops every key listed in the notebook collector's `skip_compare`, so adding 'stderr' there
    ignores stderr in both the stored and the fresh outputs while stdout is still compared.
    """
    if IPyNbFile is not None and isinstance(collector, IPyNbFile) and "stderr" not in collector.skip_compare:
        collector.skip_compare = tuple(collector.skip_compare) + ("stderr",)


def pytest_runtest_setup(item):
    """Skip a test marked `gpu` when torch sees no CUDA device; fail it instead where COURSE_REQUIRE_GPU is set."""
    if item.get_closest_marker("gpu") is None:
        return
    import torch  # here, not at the top: torch takes seconds to import, and nbval's runs never need it here

    if torch.cuda.is_available():
        return
    if os.environ.get("COURSE_REQUIRE_GPU"):
        pytest.fail("needs a GPU and COURSE_REQUIRE_GPU is set, but torch sees no CUDA device", pytrace=False)
    pytest.skip("needs a GPU (make gpu-test on a CUDA machine)")


def pytest_terminal_summary(terminalreporter):
    """Print where tests left files for a person to look at (tests/test_book.py's screenshots)."""
    folders = {
        value
        for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        for name, value in getattr(report, "user_properties", [])
        if name == "screenshots"
    }
    for folder in sorted(folders):
        terminalreporter.write_line(f"screenshots of the course book: {folder}")
