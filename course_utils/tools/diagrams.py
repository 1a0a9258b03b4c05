"""Schematic figures drawn with matplotlib (no image files).

The data flow of one attention head, FlashAttention's tiling of the score matrix, and a route through
two dilated layers.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from torch import Tensor

from course_utils.tools.plotting import finish

#: (label, x, y, colour key) of every box of `qkv_diagram`, in axes coordinates.
_BOXES = {
    "x": ("tokens x\n(n, d_model)", 0.07, 0.5, "input"),
    "q": ("q = x W_Q\n(n, d)", 0.30, 0.82, "query"),
    "k": ("k = x W_K\n(n, d)", 0.30, 0.5, "key"),
    "v": ("v = x W_V\n(n, d)", 0.30, 0.18, "value"),
    "scores": ("scores = q kᵀ / √d\n(+ mask: -inf)\n(n, n)", 0.55, 0.66, "score"),
    "weights": ("weights = softmax\nalong each row\n(n, n), rows sum to 1", 0.78, 0.66, "score"),
    "out": ("out = weights v\n(n, d): a weighted\naverage of values", 0.78, 0.18, "value"),
}
_ARROWS = [
    ("x", "q"),
    ("x", "k"),
    ("x", "v"),
    ("q", "scores"),
    ("k", "scores"),
    ("scores", "weights"),
    ("weights", "out"),
    ("v", "out"),
]
_COLOURS = {"input": "#e8e8e8", "query": "#cfe2f3", "key": "#fce5cd", "value": "#d9ead3", "score": "#fff2cc"}


def qkv_diagram() -> Figure:
    """One attention head as boxes and arrows: x -> q, k, v -> scores -> softmax -> weighted sum of v.

    Example:
        >>> from course_utils.tools.plotting import describe_figure
        >>> describe_figure(qkv_diagram())
        'Figure: One attention head: each query scores every key, then averages their values. Diagram.'
    """
    fig, ax = plt.subplots(figsize=(10, 4.2))
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.axis("off")
    boxes = {
        name: ax.text(
            x,
            y,
            label,
            ha="center",
            va="center",
            fontsize=10,
            bbox={"boxstyle": "round,pad=0.5", "facecolor": _COLOURS[colour], "edgecolor": "#555555"},
        )
        for name, (label, x, y, colour) in _BOXES.items()
    }
    for start, end in _ARROWS:
        _box_arrow(ax, boxes[start], boxes[end])
    return finish(fig, "One attention head: each query scores every key, then averages their values")


def _box_arrow(ax: Axes, start: Text, end: Text) -> None:
    """An arrow from box `start` to box `end`, clipped to the boxes' outlines."""
    ax.annotate(
        "",
        xy=(0.5, 0.5),
        xycoords=end,
        xytext=(0.5, 0.5),
        textcoords=start,
        arrowprops={
            "arrowstyle": "-|>",
            "color": "#555555",
            "shrinkA": 3,
            "shrinkB": 3,
            "patchA": start.get_bbox_patch(),
            "patchB": end.get_bbox_patch(),
        },
    )


def tiling_diagram(blocks: int = 6, *, query_block: int = 2, key_block: int = 3) -> Figure:
    """FlashAttention's tiling: the n x n scores as `blocks` x `blocks` tiles.

    One query block (a row of tiles) stays in fast memory with its running max m, sum l and output o,
    while the key and value blocks stream past it; tiles left of `key_block` are done, the rest are
    still to come, and no tile is ever written to slow memory. Causal masking would skip the tiles
    above the diagonal.

    Example:
        >>> from course_utils.tools.plotting import describe_figure
        >>> describe_figure(tiling_diagram())
        "Figure: FlashAttention's tiling: scores live one tile at a time in fast memory. Diagram."
    """
    if not 0 <= query_block < blocks or not 0 <= key_block < blocks:
        raise ValueError(
            f"query_block and key_block must lie in [0, {blocks}); got {query_block}, {key_block}: "
            "pick blocks in that range"
        )
    fig, ax = plt.subplots(figsize=(10, 5.2))
    ax.set(xlim=(-3.2, blocks + 4.6), ylim=(blocks + 2.0, -1.1), aspect="equal")
    ax.axis("off")
    _draw_tiles(ax, blocks, query_block, key_block)
    ax.text(
        blocks + 0.4,
        query_block + 0.5,
        "fast memory (SRAM) holds:\n• this Q block\n• one K, V block\n• running m, l, o\n  (fp32)",
        ha="left",
        va="center",
        fontsize=10,
        bbox={"boxstyle": "round,pad=0.4", "facecolor": "#deebf7", "edgecolor": "#555555"},
    )
    ax.text(
        blocks / 2,
        blocks + 0.95,
        "blue: tiles folded into (m, l, o)   orange: the tile computed now   grey: still to come\n"
        "each Q block reads Q once, every K, V block once, and writes its output rows once",
        ha="center",
        va="top",
        fontsize=10,
    )
    return finish(fig, "FlashAttention's tiling: scores live one tile at a time in fast memory")


def _draw_tiles(ax: Axes, blocks: int, query_block: int, key_block: int) -> None:
    """The score tiles, the K, V blocks above them and the Q block left of them.

    An arrow marks the K, V block computed now.
    """
    for row in range(blocks):
        for column in range(blocks):
            colour = "#ffffff"
            if row == query_block:
                colour = "#9ecae1" if column < key_block else "#fdae6b" if column == key_block else "#f0f0f0"
            ax.add_patch(Rectangle((column, row), 1, 1, facecolor=colour, edgecolor="#777777"))
    ax.text(blocks / 2, blocks + 0.3, "scores S = Q Kᵀ / √d  (n × n, never stored)", ha="center", va="top", fontsize=11)
    for column in range(blocks):
        colour = "#fdae6b" if column == key_block else "#fce5cd"
        ax.add_patch(Rectangle((column + 0.1, -0.95), 0.8, 0.4, facecolor=colour, edgecolor="#777777"))
    ax.text(-0.2, -0.75, "K, V blocks", ha="right", va="center", fontsize=10)
    ax.add_patch(Rectangle((-1.3, query_block + 0.1), 0.8, 0.8, facecolor="#9ecae1", edgecolor="#777777"))
    ax.text(-1.45, query_block + 0.5, "Q block", ha="right", va="center", fontsize=10)
    ax.annotate(
        "",
        xy=(key_block + 0.5, query_block - 0.05),
        xytext=(key_block + 0.5, -0.5),
        arrowprops={"arrowstyle": "-|>", "color": "#d94801", "lw": 2},
    )


def route_diagram(reads: Tensor, n_pairs: int, open_pair: int, closed_pair: int) -> Figure:
    """A key-value sequence `BOS k0 v0 … SEP kq` with the two reads of a 2-layer route for two pairs.

    The reads are drawn for one pair whose route is open (green) and one whose route is closed (red,
    dashed where the pattern forbids the read): layer 1, the value reads its key (bind); layer 2, the
    query reads the value (deliver). reads: (n, n) bool, reads[i, j] = query i may read key j in one
    layer (a dilated union map).

    Example:
        >>> from course_utils.core.dilated import dilated_key_counts
        >>> from course_utils.tools.plotting import describe_figure
        >>> reads = (dilated_key_counts(32, 3, [8, 16, 32], [1, 2, 4], causal=True) > 0).any(dim=0)
        >>> describe_figure(route_diagram(reads, 8, open_pair=5, closed_pair=6))
        'Figure: A 2-layer route: the value reads its key (layer 1), the query reads the value (layer 2). Diagram.'
    """
    query = 2 * n_pairs + 2
    if not (0 <= open_pair < n_pairs and 0 <= closed_pair < n_pairs):
        raise ValueError(
            f"open_pair and closed_pair must be pairs of the sequence, in [0, {n_pairs}); "
            f"got {open_pair} and {closed_pair}: pick pairs in that range"
        )
    if reads.shape[0] <= query:
        raise ValueError(
            f"reads has {reads.shape[0]} positions but {n_pairs} pairs need {query + 1} "
            f"(BOS, the pairs, SEP, the query); pass reads built for n >= {query + 1}, or fewer pairs"
        )
    labels = ["BOS"] + [f"{kind}{pair}" for pair in range(n_pairs) for kind in ("k", "v")] + ["SEP", "kq"]
    fig, ax = plt.subplots(figsize=(14, 3.6))
    ax.set(xlim=(-1, query + 1), ylim=(-1.3, 2.6))
    ax.axis("off")
    for position, label in enumerate(labels):
        colour = "#fce5cd" if label.startswith("k") else "#d9ead3" if label.startswith("v") else "#e8e8e8"
        ax.text(
            position,
            0,
            label,
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": colour, "edgecolor": "#777777"},
        )
    for pair, colour, height in ((open_pair, "tab:green", 1.0), (closed_pair, "tab:red", 1.6)):
        key, value = 2 * pair + 1, 2 * pair + 2
        _draw_read(ax, reads, key, value, 1, colour, 0.45)
        _draw_read(ax, reads, value, query, 2, colour, height)
    ax.text(
        query / 2,
        -1.0,
        f"green: pair {open_pair}, both reads allowed (route open)   red: pair {closed_pair}, "
        "a read the pattern forbids (dashed): the value never reaches the query",
        ha="center",
        fontsize=9,
    )
    return finish(fig, "A 2-layer route: the value reads its key (layer 1), the query reads the value (layer 2)")


def _draw_read(ax: Axes, reads: Tensor, source: int, reader: int, layer: int, colour: str, height: float) -> None:
    """An arc from `source` to `reader` labelled with its layer.

    Solid where `reads` allows the read, dashed and crossed where it does not.
    """
    allowed = bool(reads[reader, source])
    ax.annotate(
        "",
        xy=(reader, 0.3),
        xytext=(source, 0.3),
        arrowprops={
            "arrowstyle": "-|>",
            "color": colour,
            "lw": 1.6,
            "ls": "-" if allowed else "--",
            "connectionstyle": f"arc3,rad={-0.5 if layer == 1 else -0.15 * height}",
        },
    )
    ax.text(
        (source + reader) / 2,
        0.35 + (0.55 if layer == 1 else 0.5 * height + 0.35),
        f"layer {layer}" + ("" if allowed else ": ✗"),
        ha="center",
        fontsize=8,
        color=colour,
    )
