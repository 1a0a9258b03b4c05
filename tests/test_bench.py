"""The benchmark entry point on tiny sizes."""

import csv

import pytest

from course_utils.bench import attention_flops, main, measure, sweep


def test_flops_formula():
    assert attention_flops(4096, 64, 8) == 4 * 4096**2 * 64 * 8
    assert attention_flops(10, 2, 1, causal=True) == 400


@pytest.mark.parametrize("impl", ["naive", "sdpa", "online"])
def test_measure_runs_each_impl(impl):
    row = measure(impl, 256, repeats=1)
    assert row.status == "ok" and row.seconds > 0 and row.tflops > 0
    assert row.peak_bytes >= 0 and row.device == "cpu"


def test_naive_over_budget_is_refused_and_larger_sizes_skipped():
    rows = sweep(["naive"], [64, 512, 1024], repeats=1, max_score_bytes=512 * 512 * 4 - 1)
    assert [r.status for r in rows] == ["ok", "refused", "skipped (refused at n=512)"]


def test_cli_writes_a_csv(tmp_path, capsys):
    out = tmp_path / "bench.csv"
    main(["--device", "cpu", "--ns", "64", "128", "--impls", "online", "sdpa", "--repeats", "1", "--out", str(out)])
    rows = list(csv.DictReader(out.open()))
    assert [(r["impl"], r["n"]) for r in rows] == [("online", "64"), ("online", "128"), ("sdpa", "64"), ("sdpa", "128")]
    assert "wrote" in capsys.readouterr().out


def test_measure_rejects_unknown_impl():
    with pytest.raises(ValueError, match="unknown impl"):
        measure("magic", 64)


def test_isolated_measurement_matches_the_row_layout():
    (row,) = sweep(["online"], [128], isolate=True, repeats=1, causal=True)
    assert row.impl == "online" and row.n == 128 and row.causal is True and row.status == "ok"
    assert row.seconds > 0


def test_dilated_impl_counts_its_own_flops_and_needs_patterns():
    (row,) = sweep(["dilated"], [256], isolate=True, repeats=1, segments=[64, 128], rates=[1, 2])
    assert row.status == "ok" and row.backend == "w=64 128 r=1 2"
    assert row.tflops * row.seconds * 1e12 == pytest.approx(4 * 4 * 64**2 * 64 + 4 * 2 * 64**2 * 64)
    with pytest.raises(ValueError, match="segments"):
        measure("dilated", 256)
