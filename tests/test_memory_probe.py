"""The CPU peak-memory probe: exact where /proc/self/clear_refs exists, a lower bound with a note where only
getrusage does, NaN with a note where neither does."""

import math
import os
import subprocess
import sys

import pytest

from course_utils.bench import memory_probe
from course_utils.bench.memory_probe import CpuPeak

_TOUCH_64_MIB = """
import torch
from course_utils.bench.memory_probe import CpuPeak
torch.ones(2**10).sum()  # torch's first op starts its thread pool: not part of the call measured
peak = CpuPeak()
peak.start()
block = torch.ones(2**24)  # 64 MiB, written
print(peak.stop(), peak.note or "", sep="\\n")
"""


def test_the_peak_is_what_the_call_touched():
    """In a fresh process with the C library's default malloc (as the benchmark measures): `make test`
    tunes malloc to keep freed memory, so in-process the block may reuse pages touched before."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MALLOC_")}
    child = subprocess.run([sys.executable, "-c", _TOUCH_64_MIB], capture_output=True, text=True, env=env, check=True)
    used, note = child.stdout.split("\n")[:2]
    if note:  # no /proc/self/clear_refs: a lower bound only
        pytest.skip(note)
    assert float(used) / (4 * 2**24) == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("resource_available", [True, False])
def test_without_proc_clear_refs_a_lower_bound_or_nan_with_a_note(tmp_path, monkeypatch, resource_available):
    monkeypatch.setattr(memory_probe, "CLEAR_REFS", tmp_path / "no-proc" / "clear_refs")  # as on macOS
    if not resource_available:
        monkeypatch.setattr(memory_probe, "resource", None)  # as on Windows
    peak = CpuPeak()
    peak.start()
    used = peak.stop()
    if resource_available:
        assert used >= 0 and "ru_maxrss" in peak.note
    else:
        assert math.isnan(used) and "unavailable" in peak.note
