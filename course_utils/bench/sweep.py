"""The benchmark's sweep: attention implementations over the sequence length n, and its command line,
`python -m course_utils.bench` (ch. 06-07).

`sweep` measures every (impl, n) with `course_utils.bench.measure.time_and_memory` (time and
peak memory of one row), each in a fresh process with `isolate`, and can keep to a time budget;
`make gpu` (`course_utils.bench.gpu`) runs its sweeps through it. Rows and their CSV files:
`course_utils.bench.results`.

The command line's device defaults to the CPU (`--device cuda` or `auto` to use a GPU); the CSV defaults
to bench_<device>.csv in the current folder.

    python -m course_utils.bench
    python -m course_utils.bench --device cpu --ns 512 1024 2048 --out notebooks/results/bench_cpu.csv
    python -m course_utils.bench --device cuda --dtype bfloat16 --ns 4096 8192 ... 262144
    python -m course_utils.bench --impls dilated --segments 256 512 1024 --rates 1 2 4 --ns 1024 65536
    python -m course_utils.bench --impls dilated --pattern-base 64 --ns 1024 4096  # geometric_patterns(n, base=64)
"""

from __future__ import annotations

import argparse
import math
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

import torch

from course_utils.bench.measure import DTYPES_BY_NAME, IMPLEMENTATIONS, BenchSetup, time_and_memory
from course_utils.bench.results import BenchRow, device_slug, write_csv
from course_utils.chapters.flash import SCORE_BUDGET_BYTES
from course_utils.core.device import add_device_argument
from course_utils.core.processes import fresh_process_context

#: With a deadline, a measurement starts only if SAFETY_FACTOR x its estimated time fits the time left.
SAFETY_FACTOR = 1.25
#: With a deadline, a call estimated to take longer than this (seconds) is timed once, not `repeats` times.
LONG_CALL_S = 0.2


def measure_isolated(impl: str, n: int, *, threads: int | None = None, **settings: Any) -> BenchRow:
    """`time_and_memory(impl, n, **settings)` in a fresh process, so that memory freed by earlier calls and
    kept by the allocator cannot hide this call's peak (the CPU measures a resident-set high-water mark).

    The process is forked from a server that imported torch and nothing else, started with the C library's
    default malloc (`course_utils.core.processes.fresh_process_context`). It gets `threads` CPU threads
    (default: this process's, so a notebook's setting reaches it). A failing measurement raises
    RuntimeError with its error; a process that dies (killed for memory, say) with its exit code.

    Example:
        >>> measure_isolated("online", 4096, repeats=1).status  # doctest: +SKIP
        'ok'
    """
    context = fresh_process_context()
    receive, send = context.Pipe(duplex=False)
    settings = {"impl": impl, "n": n, **settings}
    child = context.Process(target=_measure_in_child, args=(send, threads or torch.get_num_threads(), settings))
    child.start()
    send.close()  # the child holds the sending end: the receive below ends when the child does
    try:
        status, value = receive.recv()
    except EOFError:
        status, value = "error", "the process ended without a result"
    child.join()
    if status != "ok":
        raise RuntimeError(f"the isolated measurement {settings} failed (exit {child.exitcode}):\n{value}")
    return BenchRow(**value)


def _measure_in_child(send: Connection, threads: int, settings: dict[str, Any]) -> None:
    """`measure_isolated`'s process: set the thread count, measure, send ("ok", the row's fields) or ("error", why)."""
    torch.set_num_threads(threads)
    try:
        send.send(("ok", asdict(time_and_memory(**settings))))
    except Exception as error:
        send.send(("error", "".join(traceback.format_exception(error, limit=-3))))


def print_row(row: BenchRow) -> None:
    """One progress line for a measurement: impl, n, time, peak memory, throughput and status."""
    print(
        f"{row.impl:6s} n={row.n:7d}  {row.seconds * 1e3:10.2f} ms  {row.peak_bytes / 2**20:10.1f} MiB  "
        f"{row.tflops:7.2f} TFLOP/s  {row.status}",
        flush=True,
    )


def sweep(
    impls: list[str],
    ns: list[int],
    *,
    deadline: float | None = None,
    progress: bool = False,
    isolate: bool = False,
    **settings: Any,
) -> list[BenchRow]:
    """Measure every impl at every n, smallest n first: `time_and_memory(impl, n, **settings)`, or
    `measure_isolated` with `isolate`. After an impl fails at some n (refused, out of memory, an error),
    its larger n are recorded as skipped. `progress` prints each row as it comes.

    With `deadline` (a `time.perf_counter()` value) the sweep keeps to a time budget: each measurement's
    time is estimated from its FLOPs (`BenchSetup.flops`) and the impl's throughput (measured first
    by one call at the smallest n, then by each measurement), and one that would not fit the time left
    is recorded as "skipped (estimated ...)".

    Example:
        >>> [row.status for row in sweep(["naive", "online"], [512, 1024])]
        ['ok', 'ok', 'ok', 'ok']
    """
    measure = partial(measure_isolated if isolate else time_and_memory, **settings)
    setup = BenchSetup(**settings)
    rows = []
    for impl in impls:
        for row in _sweep_one_impl(impl, sorted(ns), measure, setup, deadline):
            rows.append(row)
            if progress:
                print_row(row)
    return rows


def _sweep_one_impl(
    impl: str, ns: list[int], measure: Callable[..., BenchRow], setup: BenchSetup, deadline: float | None
) -> Iterator[BenchRow]:
    """`sweep`'s rows of one impl, as they come."""
    failed: BenchRow | None = None
    flops_per_second = math.inf  # the impl's latest measured throughput (inf: unknown, calls not estimated)
    if deadline is not None:
        flops_per_second = _throughput(measure(impl, ns[0], repeats=1))
    for n in ns:
        if failed is not None:
            yield setup.row(impl, n, status=f"skipped ({failed.status} at n={failed.n})")
            continue
        repeats, too_long = setup.repeats, ""
        if deadline is not None:
            repeats, too_long = _fit_to_deadline(setup.flops(impl, n) / flops_per_second, setup.repeats, deadline)
        if too_long:
            yield setup.row(impl, n, status=too_long)
            continue
        row = measure(impl, n, repeats=repeats)
        if row.status == "ok":
            flops_per_second = _throughput(row)
        else:
            failed = row
        yield row


def _throughput(row: BenchRow) -> float:
    """FLOP/s of a measured row; inf for a row that was not measured (its calls are then not estimated)."""
    return row.tflops * 1e12 if row.status == "ok" else math.inf


def _fit_to_deadline(one_call_s: float, repeats: int, deadline: float) -> tuple[int, str]:
    """The timed calls of a measurement whose one call is estimated at `one_call_s` (one, not `repeats`,
    from `LONG_CALL_S` up), and its skip status when `SAFETY_FACTOR` x its estimated time does not fit before
    `deadline` ("" when it fits)."""
    repeats = 1 if one_call_s >= LONG_CALL_S else repeats
    estimate = (1 + repeats) * one_call_s  # one memory call, then `repeats` timed calls
    seconds_left = deadline - time.perf_counter()
    if SAFETY_FACTOR * estimate > seconds_left:
        return repeats, f"skipped (estimated {estimate:.0f}s, {max(seconds_left, 0):.0f}s left)"
    return repeats, ""


def _command_line_parser() -> argparse.ArgumentParser:
    """The benchmark's options: a sweep's implementations, lengths and sizes, or one measurement (--spec)."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_device_argument(parser, default="cpu", help="cpu (default), cuda, or auto (cuda when available)")
    parser.add_argument(
        "--impls",
        nargs="+",
        default=list(IMPLEMENTATIONS),
        choices=IMPLEMENTATIONS,
        help="default: all; dilated without --segments/--rates uses geometric_patterns(n)",
    )
    parser.add_argument("--ns", nargs="+", type=int, default=[512, 1024, 2048, 4096])
    parser.add_argument("--heads", type=int, default=1)
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--dtype", default="float32", choices=sorted(DTYPES_BY_NAME))
    parser.add_argument("--causal", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--max-score-gib",
        type=float,
        default=None,
        help=f"memory budget of the naive score matrix, GiB (default: {SCORE_BUDGET_BYTES / 2**30:g} "
        "on the CPU, a third of the GPU's memory on CUDA)",
    )
    parser.add_argument(
        "--pattern-base",
        type=int,
        default=BenchSetup.pattern_base,
        help="dilated impl without --segments/--rates: rows kept per segment by geometric_patterns(n) "
        f"(default: {BenchSetup.pattern_base})",
    )
    parser.add_argument("--segments", nargs="+", type=int, help="dilated impl: segment lengths w")
    parser.add_argument("--rates", nargs="+", type=int, help="dilated impl: dilation rates r")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: PyTorch's)")
    parser.add_argument("--out", default=None, help="CSV file to write (default: bench_<device>.csv here)")
    return parser


def main(argv: list[str] | None = None) -> None:
    """Run the command line: one sweep written to a CSV file, or (with --spec) one row printed as JSON."""
    parser = _command_line_parser()
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if bool(args.segments) != bool(args.rates):
        parser.error("give both --segments and --rates (as many of each), or neither for geometric patterns")
    rows = sweep(
        args.impls,
        args.ns,
        progress=True,
        heads=args.heads,
        d=args.d,
        dtype=args.dtype,
        causal=args.causal,
        device=args.device.type,
        repeats=args.repeats,
        max_score_bytes=None if args.max_score_gib is None else int(args.max_score_gib * 2**30),
        segments=args.segments,
        rates=args.rates,
        pattern_base=args.pattern_base,
    )
    print(f"wrote {write_csv(rows, args.out or f'bench_{device_slug(args.device)}.csv')}")


if __name__ == "__main__":
    main()
