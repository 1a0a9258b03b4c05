"""Fresh Python processes that start in a fraction of a second: forked from a server that imported torch once.

A benchmark that measures peak memory (ch. 06) and a distributed run on real processes (ch. 11) each need
processes with nothing left over from earlier work. `spawn` gives that, but every process imports torch again
(seconds each on a laptop, most of a small run). A 'forkserver' imports torch once, in a server process that
does nothing else, and forks each new process from it: as fresh (no earlier tensors, allocator state or
threads), without the import.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext, SpawnContext


def fresh_process_context() -> ForkServerContext | SpawnContext:
    """A multiprocessing context whose processes start fresh and fast: 'forkserver', with torch preloaded.

    The server starts on the first call, without the MALLOC_* variables in the environment (`make test`
    sets them to keep freed memory in the heap; a memory measurement must see glibc's defaults). Where
    there is no forkserver (Windows) this is 'spawn': as fresh, slower to start.

    Example:
        >>> context = fresh_process_context()
        >>> context.get_start_method() in ("forkserver", "spawn")
        True
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["torch"])
    tuning = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("MALLOC_")}
    try:
        multiprocessing.forkserver.ensure_running()  # a no-op once the server runs
    finally:
        os.environ.update(tuning)
    return context
