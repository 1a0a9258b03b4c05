"""Launching CPU processes for distributed attention: errors come back from the ranks, bad sizes are refused
before any process or collective starts, and the exactness check's pattern sets fit their worlds. The runs
themselves (exactness, measurement) are checked in tests/test_distributed.py, in one launch of 4 processes."""

import pytest

from course_utils.chapters.distributed import check_distributed_patterns
from course_utils.chapters.distributed_runs import exactness_check, exactness_pattern_sets, run_on_subgroups, spawn

TIMEOUT = 90


def _fails(rank, world):
    raise ArithmeticError("on purpose")


def test_spawn_reports_errors_and_bad_world():
    with pytest.raises(ValueError, match="at least 1"):
        spawn(_fails, 0)
    with pytest.raises(RuntimeError, match="rank 0: ArithmeticError: on purpose"):
        spawn(_fails, 1, timeout=TIMEOUT)


def test_subgroup_sizes_must_divide_the_world():
    with pytest.raises(ValueError, match="does not divide the world"):
        run_on_subgroups(0, 4, (3,), exactness_check)


@pytest.mark.parametrize("world", [1, 2, 4, 8])
def test_the_exactness_pattern_sets_run_on_16_tokens_per_rank(world):
    sets = exactness_pattern_sets(world)
    for segments, rates in sets:
        check_distributed_patterns(16, world, segments, rates)
    assert any(max(segments) > 16 for segments, _ in sets) == (world > 1)  # with P > 1 some pattern spans ranks
