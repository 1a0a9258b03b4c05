"""Ring attention and LongNet's distributed dilated attention on real gloo processes: exact against the
single-process versions (outputs and gradients) for world sizes 1, 2 and 4; the bytes counted on paper
(`distributed_cost`) are the bytes the wrapped collectives moved; bad input is a ValueError on every rank,
never a hang (every spawn has a timeout). Worlds 1 and 2 run as process groups inside one launch of 4."""

from __future__ import annotations

import pytest
import torch

from course_utils.chapters import distributed
from course_utils.chapters.distributed import check_distributed_patterns, shard
from course_utils.chapters.distributed_cost import check_rank_aligned, kv_bytes_received, ring_bytes, tokens_per_rank
from course_utils.chapters.distributed_runs import (
    exactness_check,
    exactness_pattern_sets,
    measure_rank,
    run_on_subgroups,
    spawn,
)

TIMEOUT = 90
LENGTHS = (512, 1024)


def _mismatched_shapes(group):
    rank = torch.distributed.get_rank(group)
    q = torch.randn(1, 2, 8 + rank, 4)  # rank 1 of the group holds one more token
    return distributed.ring_attention(q, q, q, group=group)


def _straddling(group):
    q = torch.randn(1, 2, 12, 4)
    return distributed.dilated_attention_distributed(q, q, q, [8, 24], [1, 2], group=group)


def _bad_on_one_rank(group):
    q = torch.randn(1, 2, 8, 4)
    v = torch.randn(1, 2, 8 if torch.distributed.get_rank(group) == 0 else 7, 4)
    return distributed.dilated_attention_distributed(q, q, v, [8], [1], group=group)


def _error_text(case, group) -> str | None:
    try:
        case(group)
    except ValueError as error:
        return str(error)
    return None


def _on_four_ranks(rank, world):
    """Everything the tests need from real processes, in one launch of 4 (each launch starts Python and
    torch in every process; on 2 cores that dominates): exactness on worlds 1, 2 and 4 at once (sub-groups),
    the notebook's measurement, and the bad inputs on the whole world and inside a group of 2."""
    pairs = [torch.distributed.new_group([0, 1]), torch.distributed.new_group([2, 3])]
    return {
        "float64": run_on_subgroups(rank, world, (1, 2, 4), exactness_check),
        "float32": run_on_subgroups(rank, world, (1, 2, 4), exactness_check, dtype=torch.float32),
        "measured": measure_rank(rank, world, LENGTHS),
        "bad": [_error_text(case, None) for case in (_mismatched_shapes, _straddling, _bad_on_one_rank)],
        "bad_in_pair": [_error_text(case, pairs[rank // 2]) for case in (_mismatched_shapes, _bad_on_one_rank)],
    }


def test_on_four_gloo_processes():
    """One launch of 4 processes (each launch starts Python and torch in every process, which dominates on
    2 cores, and a module fixture could run once per xdist worker), three findings checked from it."""
    ranks = spawn(_on_four_ranks, 4, timeout=TIMEOUT)
    for world in (1, 2, 4):
        _check_exact(ranks, world)
    _check_measured(ranks)
    _check_bad_input(ranks)


def _check_exact(ranks, world):
    """Outputs and q, k, v gradients of both algorithms equal the single-process versions, causal and not,
    on every rank of every group of `world` ranks (worlds 1 and 2 run as groups inside the launch of 4)."""
    for dtype, tolerance in (("float64", 1e-10), ("float32", 1e-5)):
        per_rank = [rank[dtype][world] for rank in ranks]
        worst = {case: max(errors[case] for errors in per_rank) for case in per_rank[0]}
        assert len(worst) == 2 * 2 * (1 + len(exactness_pattern_sets(world)))  # out, grad x causal x cases
        assert max(worst.values()) <= tolerance, (world, dtype, {k: v for k, v in worst.items() if v > tolerance})


def _check_measured(ranks):
    """measure_rank (the notebook's measurement) on 4 ranks: ring receives (P - 1) m rows (linear in n),
    dilated (w - m) / r (flat in n with w / r fixed), and both peaks double with the slice m = n / P."""
    measured = [r["measured"] for r in ranks]
    for i, n in enumerate(LENGTHS):
        assert all(r[i]["ring_received"] == ring_bytes(n, 4, 32, heads=4, bytes_per_number=4) for r in measured)
        assert all(
            r[i]["dilated_received"] == kv_bytes_received(n, 4, 32, [64, n], [1, n // 64], heads=4, bytes_per_number=4)
            for r in measured
        )
    first, second = measured[0]
    assert second["ring_received"] == 2 * first["ring_received"]
    assert second["dilated_received"] == first["dilated_received"] > 0
    for name in ("ring", "dilated"):
        ratio = second[f"{name}_peak"] / first[f"{name}_peak"]
        assert 1.8 <= ratio <= 2.2, (name, ratio)


def _check_bad_input(ranks):
    """Mismatched shapes, straddling patterns and a problem on one rank only: every rank raises a
    ValueError naming it (none hangs), on the whole world and inside a group of 2."""
    for i, expected in enumerate(("same shape", "straddle", "rank 1")):
        texts = [r["bad"][i] for r in ranks]
        assert all(t is not None and expected in t for t in texts), texts
    for i, expected in enumerate(("same shape", "rank 1")):
        texts = [r["bad_in_pair"][i] for r in ranks]
        assert all(t is not None and expected in t for t in texts), texts


def test_pattern_checks_without_processes():
    check_distributed_patterns(1024, 4, [512, 4096], [1, 4])
    with pytest.raises(ValueError, match="straddle"):
        check_distributed_patterns(12, 2, [8], [1])
    with pytest.raises(ValueError, match="straddle"):
        check_rank_aligned(8, 6, [12], [1])  # a segment of 12 covers one and a half ranks
    with pytest.raises(ValueError, match="r must divide m"):
        check_distributed_patterns(8, 4, [32], [16])
    check_rank_aligned(8, 4, [32], [16])  # counting allows r > m; only the algorithm needs r | m
    assert tokens_per_rank(4096, 4) == 1024
    with pytest.raises(ValueError, match="does not divide"):
        tokens_per_rank(100, 3)
    with pytest.raises(ValueError, match="does not divide"):
        shard(torch.zeros(1, 1, 10, 2), 0, 3)
    assert shard(torch.arange(12.0).view(1, 1, 12, 1), 2, 3).flatten().tolist() == [8.0, 9.0, 10.0, 11.0]
