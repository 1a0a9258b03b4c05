"""Ring attention and LongNet's distributed dilated attention on real gloo processes: exact against the
single-process versions (outputs and gradients) for world sizes 1, 2 and 4; the bytes counted from the
algorithm are the bytes the wrapped collectives moved; bad input is a ValueError on every rank, never a
hang (every spawn has a timeout)."""

from __future__ import annotations

import pytest
import torch

from course_utils import distributed
from course_utils.dilated import geometric_patterns
from course_utils.distributed import (check_distributed_patterns, count_communication, dilated_bytes,
                                      exactness_check, measure_rank, ring_bytes, shard, spawn)

TIMEOUT = 60


def _both_dtypes(rank, world):
    return exactness_check(rank, world), exactness_check(rank, world, dtype=torch.float32)


@pytest.mark.parametrize("world", [1, 2, 4])
def test_exact_outputs_and_gradients_in_float64_and_float32(world):
    ranks = spawn(_both_dtypes, world, timeout=TIMEOUT)
    for dtype, tolerance in ((0, 1e-10), (1, 1e-5)):
        worst = {case: max(rank[dtype][case] for rank in ranks) for case in ranks[0][dtype]}
        assert len(worst) == 2 * 2 * (1 + len(distributed.check_pattern_sets(world)))  # out, grad x causal x cases
        assert max(worst.values()) <= tolerance, {k: v for k, v in worst.items() if v > tolerance}


def test_measured_bytes_equal_the_counted_ones_and_memory_grows_with_the_slice():
    """measure_rank (the notebook's measurement) on 4 ranks: ring receives (P - 1) m rows (linear in n),
    dilated (w - m) / r (flat in n with w / r fixed), and both peaks double with the slice m = n / P
    (the notebook shows the same at fixed n and P = 1, 2, 4)."""
    lengths = (1024, 2048)
    ranks = spawn(measure_rank, 4, lengths, timeout=TIMEOUT)
    for i, n in enumerate(lengths):
        assert all(r[i]["ring_received"] == ring_bytes(n, 4, 32, heads=4, bytes_per_number=4) for r in ranks)
        assert all(r[i]["dilated_received"] == dilated_bytes(n, 4, 32, [64, n], [1, n // 64], heads=4,
                                                              bytes_per_number=4) for r in ranks)
    first, second = ranks[0]
    assert second["ring_received"] == 2 * first["ring_received"]
    assert second["dilated_received"] == first["dilated_received"] > 0
    for name in ("ring", "dilated"):
        ratio = second[f"{name}_peak"] / first[f"{name}_peak"]
        assert 1.8 <= ratio <= 2.2, (name, ratio)


def _mismatched_shapes(rank, world):
    q = torch.randn(1, 2, 8 + rank, 4)  # rank 1 holds one more token
    try:
        distributed.ring_attention(q, q, q)
    except ValueError as error:
        return str(error)
    return None


def _straddling(rank, world):
    q = torch.randn(1, 2, 12, 4)
    try:
        distributed.dilated_attention_distributed(q, q, q, [8, 24], [1, 2])
    except ValueError as error:
        return str(error)
    return None


def _bad_on_one_rank(rank, world):
    q = torch.randn(1, 2, 8, 4)
    v = torch.randn(1, 2, 8 if rank == 0 else 7, 4)
    try:
        distributed.dilated_attention_distributed(q, q, v, [8], [1])
    except ValueError as error:
        return str(error)
    return None


def _bad_inputs(rank, world):
    """Each bad case on every rank: the ValueError's text, or None if nothing was raised."""
    messages = []
    for case in (_mismatched_shapes, _straddling, _bad_on_one_rank):
        messages.append(case(rank, world))
    return messages


def test_bad_input_is_a_value_error_on_every_rank():
    ranks = spawn(_bad_inputs, 2, timeout=TIMEOUT)
    for i, expected in enumerate(("same shape", "straddle", "rank 1")):
        assert all(r[i] is not None and expected in r[i] for r in ranks), [r[i] for r in ranks]


def test_pattern_checks_and_counts_without_processes():
    check_distributed_patterns(1024, 4, [512, 4096], [1, 4])
    with pytest.raises(ValueError, match="straddle"):
        check_distributed_patterns(12, 2, [8], [1])
    with pytest.raises(ValueError, match="r must divide m"):
        check_distributed_patterns(8, 4, [32], [16])
    with pytest.raises(ValueError, match="divide n"):
        ring_bytes(100, 3, 8)
    with pytest.raises(ValueError, match="does not divide"):
        shard(torch.zeros(1, 1, 10, 2), 0, 3)
    n = 2**20
    assert ring_bytes(n, 8, 128, heads=32) == 7 * (n // 8) * 2 * 128 * 32 * 2
    # geometric patterns from 2048 tokens per rank: the spanning patterns receive about base rows each
    per_rank = [dilated_bytes(2**k * 8, 8, 64, *geometric_patterns(2**k * 8, base=512, ratio=4)) for k in (12, 14, 16)]
    assert max(per_rank) <= 2 * min(per_rank)


def test_spawn_reports_errors_and_bad_world():
    with pytest.raises(ValueError, match="at least 1"):
        spawn(_fails, 0)
    with pytest.raises(RuntimeError, match="rank 0"):
        spawn(_fails, 1, timeout=TIMEOUT)


def _fails(rank, world):
    raise ArithmeticError("on purpose")
