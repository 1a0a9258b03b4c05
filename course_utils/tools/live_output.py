"""Running a command from a notebook cell with its output shown line by line as it comes (GPU cells of ch. 06-07)."""

from __future__ import annotations

import subprocess
from collections import deque


def run_with_live_output(command: list[str], *, keep: int = 40) -> int:
    """Run a command, printing its output line by line as it comes; return its exit code.

    Stderr is merged into stdout. On failure the last `keep` lines are printed again under a heading.
    Never raises for a failing command, so a notebook cell can go on.

    Example:
        Not run as a test: it starts a benchmark in a subprocess.

        >>> run_with_live_output([sys.executable, "-m", "course_utils.bench", "--ns", "512"])  # doctest: +SKIP
    """
    tail: deque[str] = deque(maxlen=keep)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1) as child:
        assert child.stdout is not None  # stdout=PIPE
        for line in child.stdout:
            tail.append(line)
            print(line, end="", flush=True)
    if child.returncode != 0:
        print(
            f"\nthe command failed (exit {child.returncode}): {' '.join(command)}\n"
            f"its last {len(tail)} lines of output (stderr included):\n{''.join(tail)}",
            flush=True,
        )
    return child.returncode
