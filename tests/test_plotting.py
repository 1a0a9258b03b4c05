from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from course_utils.tools.plotting import plot_attention_maps, plot_curves, plot_loss, use_course_style


@pytest.fixture(autouse=True)
def course_style():
    with matplotlib.rc_context():  # restore global rcParams after each test
        use_course_style()
        yield
    assert plt.get_fignums() == []  # every figure is closed in pyplot, so none leaks


def test_use_course_style():
    assert plt.rcParams["figure.dpi"] == 100
    first_colour = plt.rcParams["axes.prop_cycle"].by_key()["color"][0]
    assert matplotlib.colors.to_hex(first_colour) == "#0173b2"  # seaborn's "colorblind" palette, first colour


def test_plot_attention_maps():
    weights = torch.softmax(torch.randn(6, 5, 5), dim=-1)
    fig = plot_attention_maps(weights, tokens=list("abcde"), title="Layer 0", max_heads=4)
    assert isinstance(fig, Figure)
    heatmaps = [ax for ax in fig.axes if ax.images]
    assert len(heatmaps) == 4 and len(fig.axes) == 5  # 4 heads + colorbar
    assert heatmaps[0].get_ylabel() == "query position" and heatmaps[-1].get_xlabel() == "key position"
    assert [t.get_text() for t in heatmaps[0].get_xticklabels()] == list("abcde")
    assert "first 4 of 6 heads" in fig.get_suptitle()
    single = plot_attention_maps(weights[0, -2:].numpy(), tokens=list("abcde"))
    assert len(single.axes) == 2
    assert [t.get_text() for t in single.axes[0].get_yticklabels()] == ["d", "e"]  # the last 2 queries


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(weights=torch.ones(2, 2, 2, 2)), "heads, n_q, n_k"),
        (dict(weights=torch.ones(2, 3, 3), tokens=["a"]), "one label per key"),
        (dict(weights=torch.ones(2, 3, 3), max_heads=0), "at least 1"),
        (dict(weights="abc"), "numbers"),
    ],
)
def test_plot_attention_maps_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_attention_maps(**kwargs)


def test_plot_curves():
    x = np.array([1, 10, 100])
    fig = plot_curves(
        x,
        {"a": x**0.5, "b": torch.tensor([1.0, 2.0, 3.0])},
        xlabel="n",
        ylabel="y",
        title="T",
        logx=True,
        logy=True,
        bands={"a": (x**0.5 - 0.5, x**0.5 + 0.5)},
    )
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("n", "y", "T")
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert len(ax.lines) == 2 and len(ax.collections) == 1 and ax.get_legend() is not None


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(ys={"a": [1, 2]}), "shape"),
        (dict(ys={}), "non-empty"),
        (dict(bands={"b": ([0, 0, 0], [1, 1, 1])}), "no curve"),
        (dict(bands={"a": ([0, 0], [1, 1])}), "lo and hi"),
        (dict(logy=True, ys={"a": [0, 1, 2]}), "positive y"),
        (dict(logx=True, x=[0, 1, 2]), "positive x"),
    ],
)
def test_plot_curves_errors(kwargs, match):
    args: dict[str, Any] = dict(x=[1, 2, 3], ys={"a": [1, 2, 3]}, xlabel="x", ylabel="y", title="t")
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        plot_curves(**args)


def test_plot_loss():
    losses = np.linspace(4.0, 1.0, 200) + np.random.default_rng(0).normal(0, 0.1, 200)
    fig = plot_loss(losses, title="Loss", steps=np.arange(200) * 10)
    (ax,) = fig.axes
    raw, smooth = ax.lines
    assert ax.get_title() == "Loss" and ax.get_xlabel() == "step"
    assert np.asarray(raw.get_xdata())[-1] == 1990
    assert np.std(np.diff(smooth.get_ydata())) < np.std(np.diff(raw.get_ydata()))
    assert np.asarray(smooth.get_ydata())[0] == pytest.approx(losses[0])  # bias-corrected EMA starts at the first loss


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(losses=[]), "non-empty"),
        (dict(losses=[1.0, float("nan")]), "NaN"),
        (dict(losses=[1.0, 2.0], smoothing=1.0), "smoothing"),
        (dict(losses=[1.0, 2.0], steps=[0]), "same length"),
    ],
)
def test_plot_loss_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_loss(title="t", **kwargs)


def test_plot_heatmaps_shapes_and_errors():
    from course_utils.tools.plotting import plot_heatmaps

    fig = plot_heatmaps(
        {"a": np.zeros((2, 3)), "b": np.ones((2, 3))},
        row_labels=["r0", "r1"],
        col_labels=["c0", "c1", "c2"],
        xlabel="x",
        ylabel="y",
        title="t",
        cbar_label="acc",
    )
    assert len(fig.axes) == 3  # two panels and a colour bar
    with pytest.raises(ValueError, match="labels say"):
        plot_heatmaps(
            {"a": np.zeros((2, 2))},
            row_labels=["r0", "r1"],
            col_labels=["c0", "c1", "c2"],
            xlabel="x",
            ylabel="y",
            title="t",
            cbar_label="acc",
        )
    with pytest.raises(ValueError, match="empty"):
        plot_heatmaps({}, row_labels=[], col_labels=[], xlabel="x", ylabel="y", title="t", cbar_label="acc")


def test_finish_titles_and_detaches_a_figure():
    import matplotlib.pyplot as plt

    from course_utils.tools.plotting import finish

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    assert finish(fig, "A finding") is fig
    assert fig.get_suptitle() == "A finding"
    assert not plt.fignum_exists(fig.number)


def test_plot_recorded_bench_draws_a_line_per_impl_of_the_rows_that_were_measured(tmp_path):
    from course_utils.bench.plots import plot_recorded_bench
    from course_utils.bench.results import BenchRow, read_csv, write_csv

    rows = [
        BenchRow(impl, n, 8, 64, "bfloat16", False, "cuda", "GPU X", "2.11", "b", seconds=n / 1e4)
        for impl in ("sdpa", "dilated")
        for n in (1024, 2048)
    ]
    skipped = BenchRow("naive", 1024, 8, 64, "bfloat16", False, "cuda", "GPU X", "2.11", "b", status="refused")
    fig = plot_recorded_bench(read_csv(write_csv([*rows, skipped], tmp_path / "gpu.csv")), field="seconds", ylabel="s")
    assert [line.get_label() for line in fig.axes[0].lines] == ["sdpa", "dilated"]
    assert list(np.asarray(fig.axes[0].lines[0].get_ydata())) == [0.1024, 0.2048] and "GPU X" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="no row with status 'ok'"):
        plot_recorded_bench([skipped], field="seconds", ylabel="s")
    with pytest.raises(ValueError, match="one of \\('seconds', 'peak_bytes', 'tflops'\\); got 'impl'"):
        plot_recorded_bench(rows, field="impl", ylabel="s")


def test_qkv_diagram_draws_every_box_and_arrow():
    from course_utils.tools.diagrams import _ARROWS, _BOXES, qkv_diagram

    fig = qkv_diagram()
    ax = fig.axes[0]
    arrows = [t for t in ax.texts if type(t).__name__ == "Annotation"]
    assert len(arrows) == len(_ARROWS) and len(ax.texts) - len(arrows) == len(_BOXES)
    assert fig.get_suptitle() != ""


def test_plot_seed_lines_draws_one_line_per_seed():
    from course_utils.tools.plotting import plot_seed_lines

    fig = plot_seed_lines([1, 2, 3], {"a": [[0, 1, 2], [1, 1, 1]], "b": [[2, 2, 2]]}, xlabel="x", ylabel="y", title="t")
    legend = fig.axes[0].get_legend()
    assert legend is not None
    assert len(fig.axes[0].lines) == 3 and len(legend.get_texts()) == 2
    with pytest.raises(ValueError, match="seeds"):
        plot_seed_lines([1, 2], {"a": [1, 2]}, xlabel="x", ylabel="y", title="t")


def test_palette_png_looks_like_the_rgba_png_at_a_fraction_of_the_bytes():
    import io

    from PIL import Image

    from course_utils.tools.plotting import palette_png

    fig = plot_attention_maps(torch.softmax(torch.randn(4, 32, 32), dim=-1), title="heads")
    rgba = io.BytesIO()
    fig.savefig(rgba, format="png", dpi=fig.dpi, bbox_inches="tight", facecolor="white")
    small = palette_png(fig)
    reference = np.asarray(Image.open(rgba).convert("RGB"), dtype=float)
    shown = np.asarray(Image.open(io.BytesIO(small)).convert("RGB"), dtype=float)
    h, w = min(shown.shape[0], reference.shape[0]), min(shown.shape[1], reference.shape[1])
    assert abs(shown.shape[1] - reference.shape[1]) <= 1  # a tight box may round differently by a pixel
    assert np.abs(shown[:h, :w] - reference[:h, :w]).mean() < 2.0  # of 255: the eye cannot tell them apart
    assert len(small) < 0.6 * len(rgba.getvalue())


def test_tiling_diagram_highlights_one_query_block_and_checks_its_blocks():
    from course_utils.tools.diagrams import tiling_diagram

    fig = tiling_diagram(blocks=4, query_block=1, key_block=2)
    colours = [p.get_facecolor() for p in fig.axes[0].patches]
    assert len(fig.axes[0].patches) >= 16 + 4 + 1 and fig.get_suptitle() != ""
    assert len({tuple(c) for c in colours}) >= 4  # done, current, to come, untouched
    with pytest.raises(ValueError, match="query_block"):
        tiling_diagram(blocks=4, query_block=4)


def test_route_diagram_draws_both_routes_and_marks_the_forbidden_read():
    from course_utils.core.dilated import dilated_key_counts
    from course_utils.tools.diagrams import route_diagram

    reads = (dilated_key_counts(64, 4, [8, 16, 32, 64], [1, 2, 4, 8], causal=True) > 0).any(dim=0)
    fig = route_diagram(reads, 16, open_pair=0, closed_pair=1)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sum("✗" in t for t in texts) == 1 and "kq" in texts and "BOS" in texts
    with pytest.raises(ValueError, match=r"in \[0, 16\); got 16 and 1"):
        route_diagram(reads, 16, open_pair=16, closed_pair=1)
    with pytest.raises(ValueError, match="has 34 positions but 16 pairs need 35"):
        route_diagram(reads[:34, :34], 16, open_pair=0, closed_pair=1)


def test_describe_figure_says_what_the_figure_states():
    from course_utils.tools.plotting import describe_figure

    x = np.array([1, 10, 100])
    curves = plot_curves(
        x,
        {"closed form": x**-1.0, "$w_{max}$": x**-0.5},
        xlabel="n (keys)",
        ylabel="max weight",
        title="The weight falls like 1/n",
        logx=True,
        logy=True,
    )
    assert describe_figure(curves) == (
        "Figure: The weight falls like 1/n. Line plot; x axis: n (keys) (log scale); "
        "y axis: max weight (log scale); legend: closed form, w_{max}."
    )
    maps = describe_figure(plot_attention_maps(torch.softmax(torch.randn(3, 4, 4), dim=-1), title="Layer 0"))
    assert maps.startswith("Figure: Layer 0") and "3 panels." in maps and maps.count("Heat map") == 3
    assert "colorbar" not in maps.lower()  # the colour bar is not a panel of its own
    fig, (left, right) = plt.subplots(1, 2)
    left.bar(["a", "b"], [1, 2])
    right.scatter([1, 2], [3, 4])
    right.set_title("right")
    fig.legend(["p", "q"])
    plt.close(fig)
    assert describe_figure(fig) == ("Figure. 2 panels. Bar chart. Scatter plot titled 'right'. Figure legend: p, q.")
    from course_utils.tools.diagrams import tiling_diagram

    assert "Diagram." in describe_figure(tiling_diagram(blocks=4))  # rectangles on a blank canvas are no bar chart


def test_notebooks_store_each_figure_with_its_description_as_alt_text():
    from course_utils.tools.plotting import _png_with_description, describe_figure, palette_png

    fig = plot_loss(np.linspace(3, 1, 50), title="Loss falls")
    png, metadata = _png_with_description(fig)
    assert png == palette_png(fig) and metadata == {"alt": describe_figure(fig)}
    assert metadata["alt"].startswith("Figure: Loss falls")
