"""Peak resident memory of one call on the CPU, read from the operating system (ch. 06-07 benchmarks).

On Linux the process's peak resident set (VmHWM in /proc/self/status) is reset to the current one
through /proc/self/clear_refs before the call and read after it. Where clear_refs is unavailable
(macOS, some sandboxes) the rise of the process's peak resident set (`resource.getrusage`) is a lower
bound: it moves only when the call beats the process's earlier peak. Without either (Windows) the
peak is NaN.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

try:
    import resource
except ImportError:  # Windows has no resource module
    resource = None  # type: ignore[assignment]

#: Linux files of the exact method (module constants, so tests can make them unavailable).
CLEAR_REFS = Path("/proc/self/clear_refs")
PROC_STATUS = Path("/proc/self/status")


def _rss_bytes(field: str) -> int:
    with PROC_STATUS.open() as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"{PROC_STATUS} has no {field}")


def _max_rss_bytes() -> int | None:
    """The process's peak resident set so far (getrusage: KiB on Linux, bytes on macOS), or None."""
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


class CpuPeak:
    """Bytes of resident memory one call added at its peak: VmHWM after a reset (Linux), else the rise of
    ru_maxrss (a lower bound), else NaN. `note` says which when it is not the exact method.

    Example: `peak = CpuPeak(); peak.start(); f(); used, note = peak.stop(), peak.note`
    """

    def __init__(self) -> None:
        self.note = ""
        self.method = "none"
        self.before = 0

    def start(self) -> None:
        self.note = ""
        try:
            with CLEAR_REFS.open("w") as clear:
                clear.write("5")  # reset the peak resident set to the current one
            self.before, self.method = _rss_bytes("VmRSS"), "vmhwm"
        except (OSError, ValueError):
            before = _max_rss_bytes()
            self.before, self.method = (0, "none") if before is None else (before, "maxrss")

    def stop(self) -> float:
        if self.method == "vmhwm":
            try:
                return float(_rss_bytes("VmHWM") - self.before)
            except (OSError, ValueError):
                self.note = "memory unavailable: /proc/self/status unreadable"
                return math.nan
        now = _max_rss_bytes() if self.method == "maxrss" else None
        if now is None:
            self.note = f"memory unavailable: no {CLEAR_REFS} and no resource module on this platform"
            return math.nan
        self.note = f"memory: rise of the peak resident set (ru_maxrss), a lower bound; {CLEAR_REFS} is unavailable"
        return float(max(now - self.before, 0))
