"""One benchmark measurement: the time and peak memory of one attention implementation at one length n.

Implementations: "naive" (`course_utils.chapters.flash.budgeted_attention`: the course's `attention`, which
materialises the n x n scores, refusing sizes over a memory budget), "sdpa"
(`torch.nn.functional.scaled_dot_product_attention`; the flash backend is requested for fp16/bf16 on CUDA,
PyTorch's default dispatch is used otherwise), "online"
(`course_utils.chapters.flash.online_softmax_attention`) and "dilated" (`course_utils.core.dilated.dilated_attention`
with the given segment lengths and rates, or `geometric_patterns(n)` when none are given). The
backend used is recorded in each row.

Peak memory, measured, not estimated: on CUDA `torch.cuda.max_memory_allocated` above what was
allocated before the call; on the CPU the rise of the process's peak resident set
(`course_utils.bench.memory_probe`, with a note in the row where only a lower bound is available).
Sweeps and the command line: `course_utils.bench`; rows and their CSV files:
`course_utils.bench.results`; FLOPs: `course_utils.chapters.flops`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn.attention import SDPBackend, sdpa_kernel

from course_utils.bench.memory_probe import CpuPeak
from course_utils.bench.results import BenchRow, new_row
from course_utils.chapters.flash import (
    SCORE_BUDGET_BYTES,
    ScoreBudgetError,
    budgeted_attention,
    online_softmax_attention,
)
from course_utils.chapters.flops import dilated_flops
from course_utils.core.device import pick_device
from course_utils.core.dilated import dilated_attention, geometric_patterns

IMPLEMENTATIONS = ("naive", "sdpa", "online", "dilated")
DTYPES_BY_NAME = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
#: A score budget that every score matrix fits: the naive impl is never refused.
NO_SCORE_LIMIT = 2**62
#: Size of the warm-up call made before the memory measurement.
WARMUP_N = 64


@dataclass(frozen=True)
class BenchSetup:
    """What the measurements of a sweep share: q, k, v are (1, heads, n, d), standard normal in `dtype`
    on `device` ("cpu", "cuda" or any torch device string); a row is one memory call and the median of
    `repeats` timed calls. `max_score_bytes` is the naive impl's budget (None: `score_budget` of the
    device; `NO_SCORE_LIMIT`: none). `segments` and `rates` are the dilated impl's patterns, both or
    neither (neither: `geometric_patterns(n, base=pattern_base)`).

    Example:
        >>> BenchSetup().patterns("dilated", 8192)
        ([512, 2048, 8192], [1, 4, 16])
        >>> BenchSetup(heads=8).flops("sdpa", 4096)
        34359738368.0
    """

    heads: int = 1
    d: int = 64
    dtype: str = "float32"
    causal: bool = False
    device: str = "cpu"
    repeats: int = 3
    max_score_bytes: int | None = None
    segments: list[int] | None = None
    rates: list[int] | None = None
    pattern_base: int = 512

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES_BY_NAME:
            raise ValueError(f"unknown dtype {self.dtype!r}; choose one of {sorted(DTYPES_BY_NAME)}")
        if self.repeats < 1:
            raise ValueError(f"need repeats >= 1, got {self.repeats}; pass e.g. repeats=3")
        if bool(self.segments) != bool(self.rates):
            raise ValueError(
                "the dilated impl needs both segments=[w, ...] and rates=[r, ...], or neither "
                "(then geometric_patterns(n) is used); pass both lists or leave both out"
            )

    def torch_device(self) -> torch.device:
        """The device to measure on; "cpu" and "cuda" are checked by `pick_device`."""
        return pick_device(self.device) if self.device in ("cpu", "cuda") else torch.device(self.device)

    def patterns(self, impl: str, n: int) -> tuple[list[int], list[int]]:
        """The dilated impl's (segment lengths, rates) at n tokens; for the other impls the one pattern
        that is dense attention, ([n], [1])."""
        if impl != "dilated":
            return [n], [1]
        if self.segments and self.rates:
            return list(self.segments), list(self.rates)
        return geometric_patterns(n, base=self.pattern_base)

    def flops(self, impl: str, n: int) -> float:
        """Forward FLOPs of one call of `impl` at n tokens (dense attention is the pattern ([n], [1]))."""
        return dilated_flops(n, self.d, self.heads, *self.patterns(impl, n), causal=self.causal)

    def row(self, impl: str, n: int, *, status: str = "ok") -> BenchRow:
        """The row of `impl` at n tokens, its numbers not yet measured (NaN)."""
        device = self.torch_device()
        backend = backend_name(impl, device, DTYPES_BY_NAME[self.dtype], *self.patterns(impl, n))
        return new_row(
            device,
            impl=impl,
            n=n,
            heads=self.heads,
            d=self.d,
            dtype=self.dtype,
            causal=self.causal,
            backend=backend,
            status=status,
        )


def score_budget(device: torch.device) -> int:
    """The naive impl's default score-matrix budget: `SCORE_BUDGET_BYTES` on the CPU; on a GPU a third of
    its memory, because the naive forward holds three n x n tensors at its peak (scores, their exp, weights).

    Example:
        >>> score_budget(torch.device("cpu")) == SCORE_BUDGET_BYTES
        True
        >>> score_budget(torch.device("cuda")) / 2**30  # doctest: +SKIP
        26.7...
    """
    if device.type != "cuda":
        return SCORE_BUDGET_BYTES
    return torch.cuda.get_device_properties(device).total_memory // 3


def online_block_size(device: torch.device) -> int:
    """Keys per block of the online softmax: 512 on a GPU (fewer, larger kernels), 128 on the CPU (stays in cache)."""
    return 512 if device.type == "cuda" else 128


def _wants_flash(device: torch.device, dtype: torch.dtype) -> bool:
    """Whether SDPA's flash backend is requested: for fp16/bf16 on CUDA (it has no fp32 kernel)."""
    return device.type == "cuda" and dtype in (torch.float16, torch.bfloat16)


def backend_name(impl: str, device: torch.device, dtype: torch.dtype, segments: list[int], rates: list[int]) -> str:
    """What a row records as its backend: SDPA's dispatch, the dilated patterns, else the impl's name.

    Example:
        >>> backend_name("dilated", torch.device("cpu"), torch.float32, [64, 128], [1, 2])
        'w=64 128 r=1 2'
    """
    if impl == "sdpa" and _wants_flash(device, dtype):
        return "flash (SDPBackend.FLASH_ATTENTION)"
    if impl == "sdpa":
        return f"default {device.type.upper()} dispatch"
    if impl == "dilated":
        return f"w={' '.join(map(str, segments))} r={' '.join(map(str, rates))}"
    return impl


def run_impl(
    impl: str,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    *,
    causal: bool,
    max_score_bytes: int,
    segments: list[int],
    rates: list[int],
) -> Tensor:
    """One forward call of `impl`: q, k, v (1, heads, n, d) -> (1, heads, n, d).

    Example:
        >>> q, k, v = random_qkv(2, 256, 32, "float32", torch.device("cpu"))
        >>> run_impl("sdpa", q, k, v, causal=True, max_score_bytes=NO_SCORE_LIMIT, segments=[256], rates=[1]).shape
        torch.Size([1, 2, 256, 32])
    """
    if impl == "naive":
        return budgeted_attention(q, k, v, causal=causal, max_score_bytes=max_score_bytes)[0]
    if impl == "online":
        return online_softmax_attention(q, k, v, causal=causal, block_size=online_block_size(q.device))
    if impl == "dilated":
        return dilated_attention(q, k, v, segments, rates, causal=causal)
    if impl != "sdpa":
        raise ValueError(f"unknown impl {impl!r}; choose one of {IMPLEMENTATIONS}")
    # sdpa_kernel(...) is a one-shot context manager: a fresh one for every call
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION) if _wants_flash(q.device, q.dtype) else nullcontext():
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)


def random_qkv(heads: int, n: int, d: int, dtype: str, device: torch.device, *, seed: int = 0) -> tuple[Tensor, ...]:
    """q, k, v, each (1, heads, n, d) standard normal in `dtype` on `device`, the same for the same seed.

    Example:
        >>> q, k, v = random_qkv(8, 4096, 64, "bfloat16", torch.device("cpu"))
        >>> q.shape, q.dtype
        (torch.Size([1, 8, 4096, 64]), torch.bfloat16)
    """
    g = torch.Generator(device=device).manual_seed(seed)
    return tuple(torch.randn(1, heads, n, d, generator=g, device=device).to(DTYPES_BY_NAME[dtype]) for _ in range(3))


def _wait_for_gpu(device: torch.device) -> None:
    """On CUDA, wait for the queued kernels (they run asynchronously) before the clock is read."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_seconds(call: Callable[[], object], repeats: int, device: torch.device) -> float:
    """Median wall time of `repeats` calls, each waited for on a GPU.

    Example:
        >>> median_seconds(lambda: torch.ones(1000).sum(), 3, torch.device("cpu")) < 1
        True
    """
    times = []
    for _ in range(repeats):
        _wait_for_gpu(device)
        start = time.perf_counter()
        call()
        _wait_for_gpu(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory(call: Callable[[], object], device: torch.device) -> tuple[float, str]:
    """Bytes one call adds at its peak, and a note when that is not the exact method (see `CpuPeak`).

    Example:
        >>> peak_bytes, note = peak_memory(lambda: torch.ones(2**20), torch.device("cpu"))
    """
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        call()
        _wait_for_gpu(device)
        return float(torch.cuda.max_memory_allocated(device) - before), ""
    peak = CpuPeak()
    peak.start()
    call()
    return peak.stop(), peak.note


def _failure_status(error: RuntimeError) -> str:
    """What a row records for a call that raised: "out of memory", or the error's first line."""
    if isinstance(error, torch.cuda.OutOfMemoryError):
        return "out of memory"
    first_line = next(iter(str(error).splitlines()), type(error).__name__)
    return f"error: {first_line[:120]}"


def measure_call(
    row: BenchRow,
    call: Callable[[], object],
    *,
    device: torch.device,
    warm_up: Callable[[], object],
    flops: float,
    repeats: int,
) -> BenchRow:
    """`row` with the peak memory of one `call()`, the median time of `repeats` calls and the attained
    TFLOP/s of `flops` per call filled in, all without gradients.

    `warm_up()` runs first, so that one-time allocations (thread pool, kernel scratch, compilation) are
    not counted as the call's memory. A call refused by its score budget (`ScoreBudgetError`), out of GPU
    memory or failing with another RuntimeError (e.g. no kernel for these inputs) gives `row` with that
    status instead.

    Example:
        >>> row = BenchSetup().row("sdpa", 256)
        >>> x = torch.ones(1, 1, 256, 64)
        >>> call = partial(F.scaled_dot_product_attention, x, x, x)
        >>> measure_call(row, call, device=torch.device("cpu"), warm_up=call, flops=2**24, repeats=3).status
        'ok'
    """
    try:
        with torch.no_grad():
            warm_up()
            peak_bytes, note = peak_memory(call, device)
            seconds = median_seconds(call, repeats, device)
    except ScoreBudgetError:
        return replace(row, status="refused")
    except RuntimeError as error:  # torch.cuda.OutOfMemoryError is one
        if device.type == "cuda":
            torch.cuda.empty_cache()
        return replace(row, status=_failure_status(error))
    return replace(row, seconds=seconds, peak_bytes=peak_bytes, note=note, tflops=flops / seconds / 1e12)


def _warm_up(impl: str, q: Tensor, causal: bool) -> None:
    """One call at `WARMUP_N` tokens (dense for the dilated impl), so that the thread pool and the kernels'
    one-time buffers exist before the memory measurement starts."""
    small = q[:, :, :WARMUP_N].contiguous()
    w = small.shape[2]
    run_impl(impl, small, small, small, causal=causal, max_score_bytes=NO_SCORE_LIMIT, segments=[w], rates=[1])


def time_and_memory(impl: str, n: int, **settings: Any) -> BenchRow:
    """Peak memory of one call of `impl` at n tokens, then the median time of `repeats` calls, on
    q, k, v = `random_qkv(heads, n, d)`; `settings` are `BenchSetup`'s fields (heads, d, dtype, causal,
    device, repeats, max_score_bytes, segments, rates, pattern_base).

    A warm-up call at `WARMUP_N` tokens comes first (see `measure_call`). An impl refused by its budget,
    out of GPU memory or failing with an error gives a row with that status.

    Example:
        >>> time_and_memory("online", 2048).status
        'ok'
        >>> time_and_memory("dilated", 4096, segments=[1024], rates=[2]).backend
        'w=1024 r=2'
    """
    if impl not in IMPLEMENTATIONS:
        raise ValueError(f"unknown impl {impl!r}; choose one of {IMPLEMENTATIONS}")
    if n < 1:
        raise ValueError(f"need n >= 1, got n={n}; pass a sequence length of at least 1 token")
    setup = BenchSetup(**settings)
    device = setup.torch_device()
    segments, rates = setup.patterns(impl, n)
    budget = score_budget(device) if setup.max_score_bytes is None else setup.max_score_bytes
    q, k, v = random_qkv(setup.heads, n, setup.d, setup.dtype, device)
    call = partial(run_impl, impl, q, k, v, causal=setup.causal, max_score_bytes=budget, segments=segments, rates=rates)
    warm_up = partial(_warm_up, impl, q, setup.causal)
    row = setup.row(impl, n)
    return measure_call(row, call, device=device, warm_up=warm_up, flops=setup.flops(impl, n), repeats=setup.repeats)
