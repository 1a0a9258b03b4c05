"""What distributed attention moves and holds, counted on paper: bytes each rank receives, memory per rank (ch. 07, 11).

The n tokens are split over P ranks of m = n / P (`tokens_per_rank`). Ring attention: each rank receives
the other P − 1 blocks of keys and values, (P − 1)·m rows, growing like n. LongNet's distributed dilated
attention: for each pattern whose segments span ranks, the kept rows of the rest of the segment,
(w − m) / r rows, never more than w / r however long n grows. The algorithms themselves
(`course_utils.chapters.distributed`) split the sequence the same way, and their `count_communication`
measures the same bytes on a run.
"""

from __future__ import annotations

from course_utils.core.dilated import check_patterns, geometric_patterns


def tokens_per_rank(n: int, world: int) -> int:
    """m = n / world, the tokens each of `world` ranks holds; ValueError unless the world size divides n.

    Example:
        >>> tokens_per_rank(4096, 4)
        1024
    """
    if world < 1 or n % world:
        raise ValueError(
            f"the world size {world} does not divide the sequence length n={n}; pad the sequence "
            "to a multiple of the world size or choose a world size that divides it"
        )
    return n // world


def check_rank_aligned(m: int, world: int, segment_lengths: list[int], dilation_rates: list[int]) -> None:
    """Raise ValueError unless every (w, r) fits n = m·world tokens and each segment lies inside one rank
    (w divides m) or covers whole ranks (m divides w).

    Example: r = 4096 > m is allowed here (the algorithm itself needs r to divide m, see
    `course_utils.chapters.distributed.check_distributed_patterns`).
        >>> check_rank_aligned(1024, 64, [512, 65536], [1, 4096])
        >>> check_rank_aligned(1024, 6, [1536], [1])  # a segment covers one and a half ranks
        Traceback (most recent call last):
        ...
        ValueError: segments of w=1536 straddle ranks of m=1024 tokens unevenly; ...
    """
    check_patterns(m * world, segment_lengths, dilation_rates)
    for w in segment_lengths:
        inside_one_rank, whole_ranks = w <= m and m % w == 0, w > m and w % m == 0
        if not (inside_one_rank or whole_ranks):
            raise ValueError(
                f"segments of w={w} straddle ranks of m={m} tokens unevenly; choose w dividing {m} or a multiple of it"
            )


def ring_bytes(n: int, world: int, d: int, *, heads: int = 1, batch: int = 1, bytes_per_number: int = 2) -> int:
    """Bytes of keys and values one rank receives in ring attention's forward pass: (P − 1) blocks of
    m = n / P rows, d keys and d values each. Grows like n at a fixed world size.

    Example:
        >>> ring_bytes(2**20, 8, 128, heads=32) / 2**30  # GiB
        14.0
    """
    return (world - 1) * tokens_per_rank(n, world) * 2 * d * heads * batch * bytes_per_number


def kv_bytes_received(
    n: int,
    world: int,
    d: int,
    segment_lengths: list[int],
    dilation_rates: list[int],
    *,
    heads: int = 1,
    batch: int = 1,
    bytes_per_number: int = 2,
) -> int:
    """Bytes of keys and values one rank receives in LongNet's distributed dilated attention's forward pass.

    A pattern whose segments fit in one rank (w <= m) needs no communication. For a longer segment each
    rank keeps every r-th row of its own keys and values (the sparsification) and gathers the kept rows
    of the other w / m − 1 ranks of the segment: (w − m) / r rows, d keys and d values each, never more
    than w / r however long n grows; dense attention would gather all n rows.
    The segments must be rank-aligned (`check_rank_aligned`); r need not divide m. Where it does not (a
    long pattern on many ranks keeps less than one row per rank), a head keeps ⌊m/r⌋ or ⌈m/r⌉ rows of its
    own, and the count is the most a head receives: w // r − m // r rows.

    Example:
        >>> kv_bytes_received(2**20, 8, 128, [2048, 2**20], [1, 512], heads=32)
        29360128
    """
    m = tokens_per_rank(n, world)
    check_rank_aligned(m, world, segment_lengths, dilation_rates)
    rows = sum(w // r - m // r for w, r in zip(segment_lengths, dilation_rates, strict=True) if w > m)
    return rows * 2 * d * heads * batch * bytes_per_number


def memory_per_rank(
    n: int, world: int, d: int, *, heads: int = 1, bytes_per_number: int = 2, kv_received: int = 0
) -> int:
    """Bytes one rank holds for one attention layer's forward: its q, k, v and output slices (4·m·d per
    head) plus the keys and values it received and keeps (`kv_received` bytes). A lower bound: weights,
    other layers' activations and the backward pass come on top.

    Example:
        >>> ring = ring_bytes(2**30, 512, 128, heads=32)
        >>> memory_per_rank(2**30, 512, 128, heads=32, kv_received=ring) / 2**30  # GiB
        16416.0
    """
    return 4 * tokens_per_rank(n, world) * d * heads * bytes_per_number + kv_received


def paper_row(
    n: int, world: int, *, heads: int = 32, d: int = 128, base: int = 2048, ratio: int = 4, bytes_per_number: int = 2
) -> dict:
    """One row of the on-paper table: per-rank forward memory and bytes received for one attention layer,
    ring (two k/v blocks held at a time) against dilated attention with `geometric_patterns(n, base, ratio)`
    (every gathered row kept). bf16 numbers by default; heads x d = 4096 as in a 7B-class model.

    Example:
        >>> round(paper_row(2**30, 512)["dilated_memory"] / 2**30, 1)  # GiB per GPU
        64.1
    """
    m = tokens_per_rank(n, world)
    patterns = geometric_patterns(n, base=base, ratio=ratio)
    ring_received = ring_bytes(n, world, d, heads=heads, bytes_per_number=bytes_per_number)
    dilated_received = kv_bytes_received(n, world, d, *patterns, heads=heads, bytes_per_number=bytes_per_number)
    block = m * 2 * d * heads * bytes_per_number
    return {
        "n": n,
        "world": world,
        "m": m,
        "patterns": len(patterns[0]),
        "ring_received": ring_received,
        "dilated_received": dilated_received,
        "ring_memory": memory_per_rank(
            n, world, d, heads=heads, bytes_per_number=bytes_per_number, kv_received=2 * block if world > 1 else 0
        ),
        "dilated_memory": memory_per_rank(
            n, world, d, heads=heads, bytes_per_number=bytes_per_number, kv_received=dilated_received
        ),
    }
