"""One plotting style for the course, and the five kinds of figure its chapters share: attention maps,
curves, per-seed lines, a loss curve and heatmaps.

Call `use_course_style()` once in a notebook's setup cell. The plot functions return a matplotlib
`Figure` that is already closed in pyplot, so a notebook shows it exactly once when it is the last
expression of a cell, nothing leaks between cells, and `fig.savefig(...)` still works. They never
call `plt.show()`.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from PIL import Image

ArrayLike = torch.Tensor | np.ndarray | Sequence[float] | Sequence[Sequence[float]]


#: The course's colours, in the order lines take them: seaborn's colour-blind-safe palette ("colorblind").
COLOURS = ["#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#fbafe4", "#949494", "#ece133", "#56b4e9"]

#: The course look: seaborn 0.13's "whitegrid" style and "notebook" context written out for matplotlib (light
#: grid behind the data, dark grey text, no tick marks on the grid), then the course's own fonts, dpi and sizes.
COURSE_STYLE: dict[str, Any] = {
    "axes.prop_cycle": cycler(color=COLOURS),
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.linewidth": 1.25,
    "grid.color": ".8",
    "grid.linewidth": 1.0,
    "text.color": ".15",
    "font.size": 12.0,
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "legend.title_fontsize": 12.0,
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.major.size": 6.0,
    "xtick.major.width": 1.25,
    "xtick.minor.size": 4.0,
    "xtick.minor.width": 1.0,
    "ytick.left": False,
    "ytick.color": ".15",
    "ytick.major.size": 6.0,
    "ytick.major.width": 1.25,
    "ytick.minor.size": 4.0,
    "ytick.minor.width": 1.0,
    # the course's own
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.figsize": (6.4, 4.0),
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def use_course_style() -> None:
    """Set the course look (`COURSE_STYLE`): a light grid, a colour-blind-safe palette, readable fonts, fixed dpi.

    Call it in a notebook's setup cell, before any plot (not run as a doctest: it changes the
    matplotlib settings of the whole process).

    Example:
        >>> use_course_style()  # doctest: +SKIP
    """
    # Load the backend now: Jupyter's inline backend registers its figure formatter when it loads, and
    # the course's (below) must replace it.
    plt.switch_backend(matplotlib.get_backend())
    plt.style.use(COURSE_STYLE)
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing displays figures
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, _png_with_description)


def _png_with_description(fig: Figure) -> tuple[bytes, dict[str, str]]:
    """What a notebook stores for a figure: its palette PNG, with `describe_figure` as the output's
    `alt` metadata (the course book's alt text for the image)."""
    return palette_png(fig), {"alt": describe_figure(fig)}


def palette_png(fig: Figure) -> bytes:
    """The figure as an 8-bit palette PNG, as shown in a notebook (dpi and tight bounding box).

    A plot has a few flat colours and their anti-aliased edges, so 256 colours look the same as
    matplotlib's RGBA PNG at about a quarter of the bytes; notebooks are committed with their
    outputs, and this keeps them small. `use_course_style()` makes notebooks display figures this way.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight", facecolor="white")
    image = Image.open(buffer).convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _strip_mathtext(text: str) -> str:
    """A label as a reader hears it: mathtext's `$` signs dropped, whitespace collapsed."""
    return " ".join(text.replace("$", "").split())


def _panel_kind(ax: Axes) -> str:
    if ax.images:
        return "heat map"
    if not ax.axison:  # shapes drawn on a blank canvas (course_utils.tools.diagrams)
        return "diagram"
    if any(isinstance(patch, Rectangle) for patch in ax.patches) and not ax.lines:
        return "bar chart"
    if any(len(np.asarray(line.get_xdata())) > 1 for line in ax.lines):
        return "line plot"
    if any(isinstance(collection, PathCollection) for collection in ax.collections):
        return "scatter plot"
    return "diagram"


def describe_figure(fig: Figure, *, max_entries: int = 8) -> str:
    """A text description of a figure for readers who cannot see it: the alt text of the course book.

    Built only from what the figure states (no numbers are typed in): its title, then each panel's kind
    (line plot, bar chart, scatter plot, heat map, diagram), title, axis labels with their log scales,
    and up to `max_entries` legend entries. Colour bars are not panels of their own.

    Example:
        >>> fig = plot_curves([1, 2, 4], {"w": [1, 0.5, 0.25]}, xlabel="n", ylabel="w", title="1/n", logx=True)
        >>> describe_figure(fig)
        'Figure: 1/n. Line plot; x axis: n (log scale); y axis: w.'
    """
    colorbar_axes = {id(ax) for ax in fig.axes if getattr(ax, "_colorbar", None) is not None}
    panels = [ax for ax in fig.axes if ax.get_visible() and id(ax) not in colorbar_axes]
    title = _strip_mathtext(fig.get_suptitle())
    lone_title = len(panels) == 1 and not title  # a single panel's title is the figure's
    if lone_title:
        title = _strip_mathtext(panels[0].get_title())
    parts = [f"Figure: {title}." if title else "Figure."]
    if len(panels) > 1:
        parts.append(f"{len(panels)} panels.")
    for ax in panels:
        panel = [_panel_kind(ax).capitalize()]
        if ax.get_title() and not lone_title:
            panel[0] += f" titled '{_strip_mathtext(ax.get_title())}'"
        for axis, label, scale in (("x", ax.get_xlabel(), ax.get_xscale()), ("y", ax.get_ylabel(), ax.get_yscale())):
            if label:
                scale_text = f" ({scale} scale)" if scale != "linear" else ""
                panel.append(f"{axis} axis: {_strip_mathtext(label)}{scale_text}")
        if (legend := ax.get_legend()) is not None:
            panel.append(_legend_text(legend, max_entries))
        parts.append("; ".join(filter(None, panel)) + ".")
    parts += [f"Figure {text}." for legend in fig.legends if (text := _legend_text(legend, max_entries))]
    return " ".join(parts)


def _legend_text(legend: Legend, max_entries: int) -> str:
    entries = [_strip_mathtext(text.get_text()) for text in legend.get_texts() if text.get_text().strip()]
    more = f" and {len(entries) - max_entries} more" if len(entries) > max_entries else ""
    return "legend: " + ", ".join(entries[:max_entries]) + more if entries else ""


def _to_numpy(values: ArrayLike, name: str) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().to("cpu", torch.float64).numpy()
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be numbers (a tensor, array or list); got {type(values).__name__}: "
            "convert the values to numbers"
        ) from None


def _closed(fig: Figure) -> Figure:
    """Detach the figure from pyplot so notebooks display it once, via the returned value."""
    plt.close(fig)
    return fig


def finish(fig: Figure, title: str | None = None) -> Figure:
    """Give a hand-made figure its title, tighten its layout and detach it from pyplot.

    End a notebook cell with `finish(fig, "The finding")` to show the figure exactly once.

    Example:
        >>> fig, ax = plt.subplots()
        >>> _ = ax.plot([0, 1], [1, 0])
        >>> describe_figure(finish(fig, "The finding"))
        'Figure: The finding. Line plot.'
    """
    if title is not None:
        fig.suptitle(title)
    fig.tight_layout()
    return _closed(fig)


def plot_attention_maps(
    weights: ArrayLike, *, tokens: list[str] | None = None, title: str | None = None, max_heads: int = 8, ncols: int = 4
) -> Figure:
    """Heatmaps of attention weights, one panel per head, on a shared colour scale from 0.

    weights: (heads, n_q, n_k) or (n_q, n_k). When n_q < n_k the queries are the last n_q positions.
    `tokens` (length n_k) labels the keys and, for the last n_q, the queries. Only the first
    `max_heads` heads are drawn.

    Example:
        >>> fig = plot_attention_maps(torch.full((2, 4, 4), 0.25), tokens=list("abcd"), title="Layer 0")
        >>> describe_figure(fig)
        "Figure: Layer 0. 2 panels. Heat map titled 'head 0'; x axis: key position; y axis: query position. ..."
    """
    w = _checked_weights_array(weights, tokens, max_heads, ncols)
    heads = w.shape[0]
    shown = min(heads, max_heads)
    cols = min(shown, ncols)
    fig, drawn = _panel_grid(shown, cols, panel_size=(2.9, 2.7), margins=(0.9, 0.5))
    vmax = float(w[:shown].max()) or 1.0
    for i, ax in enumerate(drawn):
        image = _draw_attention_map(ax, w[i], tokens, vmax)
        if heads > 1:
            ax.set_title(f"head {i}")
        if i % cols == 0:
            ax.set_ylabel("query position")
        if i + cols >= shown:
            ax.set_xlabel("key position")
    fig.colorbar(image, ax=drawn, label="attention weight", shrink=0.9)
    if title or shown < heads:
        fig.suptitle((title or "") + (f" (first {shown} of {heads} heads)" if shown < heads else ""))
    return _closed(fig)


def _checked_weights_array(weights: ArrayLike, tokens: list[str] | None, max_heads: int, ncols: int) -> np.ndarray:
    """`plot_attention_maps`'s weights as a (heads, n_q, n_k) array, its arguments checked."""
    w = _to_numpy(weights, "weights")
    if w.ndim == 2:
        w = w[None]
    if w.ndim != 3:
        raise ValueError(
            f"weights must have shape (heads, n_q, n_k) or (n_q, n_k); got {w.shape}. "
            "Select one batch element first, e.g. weights[0]"
        )
    if max_heads < 1 or ncols < 1:
        raise ValueError(f"max_heads and ncols must be at least 1; got {max_heads}, {ncols}: pass positive counts")
    if tokens is not None and len(tokens) != w.shape[2]:
        raise ValueError(
            f"tokens needs one label per key (n_k={w.shape[2]}); got {len(tokens)}: pass n_k labels or none"
        )
    return w


def _panel_grid(
    count: int, cols: int, *, panel_size: tuple[float, float], margins: tuple[float, float]
) -> tuple[Figure, list[Axes]]:
    """A figure of `count` panels in rows of `cols` (the unused cells of the last row removed), and its panels."""
    rows = math.ceil(count / cols)
    figsize = (panel_size[0] * cols + margins[0], panel_size[1] * rows + margins[1])
    fig, axes = plt.subplots(rows, cols, figsize=figsize, squeeze=False, layout="constrained")
    for ax in axes.flat[count:]:
        fig.delaxes(ax)
    return fig, list(axes.flat[:count])


def _draw_attention_map(ax: Axes, weights: np.ndarray, tokens: list[str] | None, vmax: float) -> AxesImage:
    """One head's (n_q, n_k) weights as a heat map, y = query position (the last n_q of the keys')."""
    n_q, n_k = weights.shape
    offset = n_k - n_q  # position of the first query
    image = ax.imshow(
        weights,
        vmin=0.0,
        vmax=vmax,
        aspect="auto",
        interpolation="nearest",
        extent=(-0.5, n_k - 0.5, n_k - 0.5, offset - 0.5),
    )
    if tokens is not None:
        k_step, q_step = math.ceil(n_k / 32), math.ceil(n_q / 32)  # ~32 labels per axis stay readable
        ax.set_xticks(range(0, n_k, k_step), tokens[::k_step], rotation=90, fontsize=7)
        ax.set_yticks(range(offset, n_k, q_step), tokens[offset::q_step], fontsize=7)
    ax.grid(False)
    return image


def plot_curves(
    x: ArrayLike,
    ys: dict[str, ArrayLike],
    *,
    xlabel: str,
    ylabel: str,
    title: str,
    logx: bool = False,
    logy: bool = False,
    bands: dict[str, tuple[ArrayLike, ArrayLike]] | None = None,
) -> Figure:
    """Line plot of several named curves over the same x, with optional shaded (lo, hi) bands.

    x: (m,) · ys: name -> (m,) · bands: name (a key of ys) -> ((m,), (m,)), e.g. a min-max or a
    confidence interval, drawn in the curve's colour. Markers are drawn when m <= 30.

    Example:
        >>> ns, w = [1, 2, 4], [1, 0.5, 0.25]
        >>> fig = plot_curves(ns, {"measured": w, "closed form": [1 / n for n in ns]}, xlabel="n (keys)",
        ...                   ylabel="weight of the relevant key", title="The weight falls like 1/n",
        ...                   logx=True, logy=True)
        >>> describe_figure(fig)
        'Figure: The weight falls like 1/n. Line plot; x axis: n (keys) (log scale); ...; legend: measured, closed...'
    """
    x_arr = _to_numpy(x, "x")
    curves = {name: _to_numpy(y, f"ys[{name!r}]") for name, y in ys.items()}
    band_arrays = {
        name: (_to_numpy(lo, "band lo"), _to_numpy(hi, "band hi")) for name, (lo, hi) in (bands or {}).items()
    }
    _check_curves(x_arr, curves, band_arrays, logx=logx, logy=logy)
    fig, ax = plt.subplots(layout="constrained")
    marker = "o" if len(x_arr) <= 30 else None
    for name, y in curves.items():
        (line,) = ax.plot(x_arr, y, marker=marker, markersize=4, label=name)
        if name in band_arrays:
            ax.fill_between(x_arr, *band_arrays[name], color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set(
        xlabel=xlabel,
        ylabel=ylabel,
        title=title,
        xscale="log" if logx else "linear",
        yscale="log" if logy else "linear",
    )
    if len(curves) > 1:
        ax.legend()
    return _closed(fig)


def _check_curves(
    x: np.ndarray,
    curves: dict[str, np.ndarray],
    bands: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    logx: bool,
    logy: bool,
) -> None:
    """`plot_curves`'s checks: one y per x in every curve and band, a curve for every band, positive log axes."""
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, one value per point; got shape {x.shape}: pass a list or a 1-D array")
    if not curves:
        raise ValueError("ys is empty; pass a non-empty dict of curves, name -> one y per x")
    for name, y in curves.items():
        if y.shape != x.shape:
            raise ValueError(f"curve {name!r} has shape {y.shape} but x has {x.shape}; give one y per x")
    for name, (lo, hi) in bands.items():
        if name not in curves:
            raise ValueError(
                f"band {name!r} has no curve of the same name; ys has {list(curves)}: "
                "give each band the name of a curve"
            )
        if lo.shape != x.shape or hi.shape != x.shape:
            raise ValueError(
                f"band {name!r} needs lo and hi of shape {x.shape}, one bound per x; got {lo.shape} and {hi.shape}: "
                "pass lo and hi as long as x"
            )
    if logx and (x <= 0).any():
        raise ValueError(f"logx needs positive x values; got {x.min():g}: drop logx or leave out the points at x <= 0")
    if logy and any((y <= 0).any() for y in curves.values()):
        raise ValueError("logy needs positive y values; drop logy or plot a positive quantity")


def plot_seed_lines(
    x: ArrayLike, per_seed: dict[str, ArrayLike], *, xlabel: str, ylabel: str, title: str, logx: bool = False
) -> Figure:
    """One thin line per seed, one colour per name: for results that differ by seed (e.g. bimodal,
    where a mean and a band would describe no seed at all).

    x: (m,) · per_seed: name -> (seeds, m).

    Example:
        >>> acc = [[1.0, 1.0, 1.0], [1.0, 0.5, 0.2], [1.0, 0.4, 0.1]]
        >>> fig = plot_seed_lines([2, 4, 8], {"RoPE": acc}, xlabel="K", ylabel="accuracy",
        ...                       title="RoPE learned in one seed of three")
        >>> describe_figure(fig)
        'Figure: RoPE learned in one seed of three. Line plot; x axis: K; y axis: accuracy; legend: RoPE (3 seeds).'
    """
    x_arr = _to_numpy(x, "x")
    curves = {name: _to_numpy(v, f"per_seed[{name!r}]") for name, v in per_seed.items()}
    for name, v in curves.items():
        if v.ndim != 2 or v.shape[1] != x_arr.shape[0]:
            raise ValueError(
                f"per_seed[{name!r}] must have shape (seeds, {x_arr.shape[0]}), got {v.shape}: "
                "give each seed one value per x"
            )
    fig, ax = plt.subplots(layout="constrained")
    for (name, v), colour in zip(curves.items(), itertools.cycle(plt.rcParams["axes.prop_cycle"].by_key()["color"])):
        for i, row in enumerate(v):
            ax.plot(
                x_arr,
                row,
                marker="o",
                markersize=3,
                linewidth=1,
                alpha=0.8,
                color=colour,
                label=f"{name} ({len(v)} seeds)" if i == 0 else None,
            )
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title, xscale="log" if logx else "linear")
    ax.legend(fontsize=8)
    return _closed(fig)


def _ema(values: np.ndarray, smoothing: float) -> np.ndarray:
    """Exponential moving average with bias correction (as in TensorBoard's smoothing slider)."""
    out = np.empty_like(values)
    acc = 0.0
    for i, v in enumerate(values):
        acc = smoothing * acc + (1 - smoothing) * v
        out[i] = acc / (1 - smoothing ** (i + 1))
    return out


def plot_loss(losses: ArrayLike, *, title: str, steps: ArrayLike | None = None, smoothing: float = 0.9) -> Figure:
    """Training loss: the raw values, faint, and an exponential moving average on top.

    losses: (m,) in nats per token · steps: (m,) the step of each loss (default 0..m-1) ·
    smoothing in [0, 1): the EMA factor (0 = no smoothing).

    Example:
        >>> describe_figure(plot_loss([2.0, 1.5, 1.2, 1.1], title="KV retrieval: loss falls after a plateau"))
        'Figure: KV retrieval: loss falls after a plateau. Line plot; ...; legend: raw, smoothed (EMA 0.9).'
    """
    y = _to_numpy(losses, "losses")
    x = np.arange(len(y)) if steps is None else _to_numpy(steps, "steps")
    if y.ndim != 1 or len(y) == 0 or x.shape != y.shape:
        raise ValueError(
            f"losses must be 1-D and non-empty, and steps the same length; got {y.shape}, {x.shape}: "
            "pass one loss per step as a list or 1-D array"
        )
    if not np.isfinite(y).all():
        first = int(np.flatnonzero(~np.isfinite(y))[0])
        raise ValueError(f"losses contain NaN or inf from index {first} (training diverged?); plot losses[:{first}]")
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"smoothing must be in [0, 1); got {smoothing}: pass e.g. 0.9 (0 for no smoothing)")
    fig, ax = plt.subplots(layout="constrained")
    (raw,) = ax.plot(x, y, alpha=0.3, linewidth=1, label="raw")
    ax.plot(x, _ema(y, smoothing), color=raw.get_color(), linewidth=2, label=f"smoothed (EMA {smoothing})")
    ax.set(xlabel="step", ylabel="loss (nats/token)", title=title)
    ax.legend()
    return _closed(fig)


def plot_heatmaps(
    panels: dict[str, ArrayLike],
    *,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    xlabel: str,
    ylabel: str,
    title: str,
    cbar_label: str,
    vmin: float = 0.0,
    vmax: float = 1.0,
    ncols: int = 4,
    cmap: str = "viridis",
) -> Figure:
    """One annotated heatmap per panel, on a shared colour scale: e.g. accuracy per encoding.

    panels: name -> (rows, cols) values; row_labels / col_labels label the cells.

    Example:
        >>> fig = plot_heatmaps({"RoPE": [[0.9, 0.5]]}, row_labels=["K=8"], col_labels=["1st", "2nd"],
        ...                     xlabel="copy", ylabel="K", title="Accuracy", cbar_label="accuracy")
        >>> describe_figure(fig)
        "Figure: Accuracy. Heat map titled 'RoPE'."
    """
    arrays = {name: _to_numpy(v, name) for name, v in panels.items()}
    if not arrays:
        raise ValueError("panels is empty; pass at least one name -> (rows, cols) array")
    for name, a in arrays.items():
        if a.shape != (len(row_labels), len(col_labels)):
            raise ValueError(
                f"panel {name!r} has shape {a.shape}; the labels say ({len(row_labels)}, {len(col_labels)}): "
                "give one row label per row and one column label per column"
            )
    cols = min(len(arrays), ncols)
    fig, drawn = _panel_grid(len(arrays), cols, panel_size=(3.3, 2.9), margins=(0.9, 0.6))
    for ax, (name, a) in zip(drawn, arrays.items()):
        image = draw_annotated_heatmap(ax, a, vmin=vmin, vmax=vmax, cmap=cmap)
        ax.set_xticks(range(len(col_labels)), col_labels, fontsize=8)
        ax.set_yticks(range(len(row_labels)), row_labels, fontsize=8)
        ax.set_title(name)
        ax.grid(False)
    fig.supxlabel(xlabel)
    fig.supylabel(ylabel)
    fig.colorbar(image, ax=drawn, label=cbar_label, shrink=0.9)
    fig.suptitle(title)
    return _closed(fig)


def draw_annotated_heatmap(
    ax: Axes, values: np.ndarray, *, vmin: float, vmax: float, cmap: str = "viridis"
) -> AxesImage:
    """Draw values (rows, cols) on ax as a heat map with each cell's value written in it (white on the dark
    half of the scale); returns the image, for a colour bar.

    Example:
        >>> fig, ax = plt.subplots()
        >>> image = draw_annotated_heatmap(ax, np.array([[0.1, 0.9]]), vmin=0.0, vmax=1.0)
        >>> [text.get_color() for text in ax.texts]
        ['white', 'black']
        >>> plt.close(fig)
    """
    image = ax.imshow(values, vmin=vmin, vmax=vmax, cmap=cmap, aspect="auto", interpolation="nearest")
    for (r, c), value in np.ndenumerate(values):
        ax.text(
            c,
            r,
            f"{value:.2f}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if value < vmin + 0.5 * (vmax - vmin) else "black",
        )
    return image
