"""Bytes and memory of distributed attention counted on paper: ring traffic grows like n, dilated traffic
like the number of patterns that span ranks, and memory per rank is the slices plus what is kept. The
counts equal what the collectives moved on real processes (tests/test_distributed.py)."""

import subprocess
import sys

import pytest

from course_utils.chapters.distributed_cost import kv_bytes_received, memory_per_rank, paper_row, ring_bytes
from course_utils.core.dilated import geometric_patterns

ROW = 2 * 64 * 2  # one row of keys and values, d = 64, bf16


def test_ring_receives_the_other_blocks():
    n = 2**20
    assert ring_bytes(n, 8, 128, heads=32) == 7 * (n // 8) * 2 * 128 * 32 * 2
    assert ring_bytes(n, 1, 128) == 0
    with pytest.raises(ValueError, match="does not divide"):
        ring_bytes(100, 3, 8)


def test_dilated_receives_nothing_for_local_patterns_and_grows_like_log_n():
    assert kv_bytes_received(2**14, 1, 64, *geometric_patterns(2**14)) == 0  # all on one device
    # n = 2^16 on 4 ranks of 2^14: only w = 32768 (r = 64) spans ranks: 512 kept rows, 256 of them this rank's own
    assert kv_bytes_received(2**16, 4, 64, *geometric_patterns(2**16)) == 256 * ROW
    sizes = [kv_bytes_received(2**p, 2**p // 2**14, 64, *geometric_patterns(2**p)) for p in range(16, 25, 2)]
    steps = [b - a for a, b in zip(sizes, sizes[1:], strict=False)]
    assert all(0 < step <= 512 * ROW for step in steps)  # at most one block of w / r = 512 rows per 4x of n
    # geometric patterns from 2048 tokens per rank, 8 ranks: the spanning patterns receive about base rows each
    per_rank = [kv_bytes_received(2**k * 8, 8, 64, *geometric_patterns(2**k * 8)) for k in (12, 14, 16)]
    assert max(per_rank) <= 2 * min(per_rank)


def test_dilated_counts_heads_batch_and_patterns_sparser_than_a_row_per_rank():
    one = kv_bytes_received(2**12, 4, 32, [64, 2**12], [1, 64])
    assert one == (4096 - 1024) // 64 * 2 * 32 * 2
    assert kv_bytes_received(2**12, 4, 32, [64, 2**12], [1, 64], heads=4, batch=3) == 12 * one
    # r = 2048 > m = 1024: a head keeps one row of its own or none; the count is the most a head receives
    assert kv_bytes_received(2**12, 4, 32, [2**12], [2048]) == 2 * 2 * 32 * 2
    with pytest.raises(ValueError, match="straddle"):
        kv_bytes_received(48, 2, 8, [16], [1])  # the segment 16..31 lies across both ranks of 24
    with pytest.raises(ValueError, match="does not divide"):
        kv_bytes_received(2**16, 3, 64, [2**16], [1])


def test_memory_per_rank_and_the_paper_table():
    assert memory_per_rank(2**20, 8, 128, heads=32, kv_received=5) == 4 * 2**17 * 128 * 32 * 2 + 5
    row = paper_row(2**30, 512)
    assert row["m"] == 2**21 and row["dilated_memory"] / 2**30 == pytest.approx(64, rel=0.01)
    assert row["ring_received"] == ring_bytes(2**30, 512, 128, heads=32)
    assert row["dilated_received"] < row["ring_received"] / 1000
    assert paper_row(2**20, 1)["ring_memory"] == memory_per_rank(2**20, 1, 128, heads=32)  # one rank: no blocks


def test_the_counting_stands_alone():
    """Counting on paper needs no process group: notebook 07 imports it without torch.distributed's algorithms."""
    code = "import sys, course_utils.chapters.distributed_cost; print(sorted(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "'course_utils.chapters.distributed_cost'" in result.stdout
    assert "'course_utils.chapters.distributed'" not in result.stdout
