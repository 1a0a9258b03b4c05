"""Repository-wide pytest configuration.

nbval (`pytest --nbval`) re-executes each notebook and compares every cell's fresh outputs with the
stored ones. Here we leave stderr out of that comparison: warnings, progress bars on stderr and library
log lines vary from run to run and machine to machine, and stdout, results and figures' text are what
the course's claims rest on. Volatile text on stdout is masked by tests/nbval_sanitize.cfg instead.
"""

from __future__ import annotations

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
    if IPyNbFile is not None and isinstance(collector, IPyNbFile):
        if "stderr" not in collector.skip_compare:
            collector.skip_compare = tuple(collector.skip_compare) + ("stderr",)
