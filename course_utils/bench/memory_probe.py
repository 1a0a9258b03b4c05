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


def _proc_status_bytes(field: str) -> int:
    """A memory field of /proc/self/status ("VmRSS", "VmHWM"), in bytes."""
    with PROC_STATUS.open() as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"{PROC_STATUS} has no {field}")


def _peak_rss_so_far() -> int | None:
    """The process's peak resident set so far (getrusage: KiB on Linux, bytes on macOS), or None."""
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


class CpuPeak:
    """Bytes of resident memory one call added at its peak: VmHWM after a reset (Linux), else the rise of
    ru_maxrss (a lower bound), else NaN. `note` says which when it is not the exact method.

    Example:
        >>> peak = CpuPeak()
        >>> peak.start()
        >>> block = b"x" * 2**26  # 64 MiB, written
        >>> used, note = peak.stop(), peak.note
    """

    def __init__(self) -> None:
        self.note = ""
        self.method = "none"  # "vmhwm" (exact), "maxrss" (a lower bound) or "none"
        self.start_bytes = 0

    def start(self) -> None:
        """Take the baseline: the current resident set (after resetting its peak), else the peak so far."""
        self.note = ""
        try:
            with CLEAR_REFS.open("w") as clear:
                clear.write("5")  # reset the peak resident set to the current one
            self.start_bytes, self.method = _proc_status_bytes("VmRSS"), "vmhwm"
        except (OSError, ValueError):
            peak_so_far = _peak_rss_so_far()
            self.start_bytes, self.method = (0, "none") if peak_so_far is None else (peak_so_far, "maxrss")

    def stop(self) -> float:
        """Bytes the peak rose above the baseline since `start` (NaN with a note where unmeasurable)."""
        if self.method == "vmhwm":
            try:
                # The kernel syncs per-thread page counts lazily, so a call that allocates nothing
                # can read a few pages below its baseline: a peak rise is never negative.
                return float(max(_proc_status_bytes("VmHWM") - self.start_bytes, 0))
            except (OSError, ValueError):
                self.note = "memory unavailable: /proc/self/status unreadable"
                return math.nan
        now = _peak_rss_so_far() if self.method == "maxrss" else None
        if now is None:
            self.note = f"memory unavailable: no {CLEAR_REFS} and no resource module on this platform"
            return math.nan
        self.note = f"memory: rise of the peak resident set (ru_maxrss), a lower bound; {CLEAR_REFS} is unavailable"
        return float(max(now - self.start_bytes, 0))
