"""Schematic figures drawn with matplotlib (no image files): the data flow of one attention head."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from course_utils.plotting import finish

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
_ARROWS = [("x", "q"), ("x", "k"), ("x", "v"), ("q", "scores"), ("k", "scores"), ("scores", "weights"),
           ("weights", "out"), ("v", "out")]
_COLOURS = {"input": "#e8e8e8", "query": "#cfe2f3", "key": "#fce5cd", "value": "#d9ead3", "score": "#fff2cc"}


def qkv_diagram() -> Figure:
    """One attention head as boxes and arrows: x -> q, k, v -> scores -> softmax -> weighted sum of v.

    Example: `fig = qkv_diagram()`
    """
    fig, ax = plt.subplots(figsize=(10, 4.2))
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.axis("off")
    boxes = {name: ax.text(x, y, label, ha="center", va="center", fontsize=10,
                           bbox={"boxstyle": "round,pad=0.5", "facecolor": _COLOURS[colour], "edgecolor": "#555555"})
             for name, (label, x, y, colour) in _BOXES.items()}
    for start, end in _ARROWS:  # from box edge to box edge: the arrows are clipped to the boxes' outlines
        a, b = boxes[start], boxes[end]
        ax.annotate("", xy=(0.5, 0.5), xycoords=b, xytext=(0.5, 0.5), textcoords=a,
                    arrowprops={"arrowstyle": "-|>", "color": "#555555", "shrinkA": 3, "shrinkB": 3,
                                "patchA": a.get_bbox_patch(), "patchB": b.get_bbox_patch()})
    return finish(fig, "One attention head: each query scores every key, then averages their values")
