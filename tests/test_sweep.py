"""The benchmark's sweep and command line on tiny sizes: skipping after a failure, a time budget,
measurements in fresh processes."""

import csv
import multiprocessing
import multiprocessing.forkserver
import os
import time
from multiprocessing.connection import Connection
from types import SimpleNamespace
from typing import Any, cast

import pytest
import torch

import course_utils.bench.sweep as bench_sweep
from course_utils.bench.sweep import main, sweep
from course_utils.core.processes import fresh_process_context


def test_naive_over_budget_is_refused_and_larger_sizes_skipped():
    rows = sweep(["naive"], [64, 512, 1024], repeats=1, max_score_bytes=512 * 512 * 4 - 1)
    assert [r.status for r in rows] == ["ok", "refused", "skipped (refused at n=512)"]
    assert [r.n for r in rows] == [64, 512, 1024] and rows[2].backend == "naive"


def test_a_measurement_that_does_not_fit_the_time_left_is_skipped_with_its_estimate():
    rows = sweep(["sdpa"], [256, 1024], deadline=time.perf_counter() - 1, dtype="bfloat16")
    assert all(r.status.startswith("skipped (estimated ") for r in rows)
    assert [r.n for r in rows] == [256, 1024] and {r.dtype for r in rows} == {"bfloat16"}


def test_a_sweep_with_time_to_spare_measures_everything(capsys):
    rows = sweep(["online", "dilated"], [128, 256], deadline=time.perf_counter() + 60, progress=True, pattern_base=64)
    assert [r.status for r in rows] == ["ok"] * 4 and rows[-1].backend == "w=64 256 r=1 4"
    assert capsys.readouterr().out.count(" ok\n") == 4


def test_cli_writes_a_csv(tmp_path, capsys):
    out = tmp_path / "bench.csv"
    main(["--device", "cpu", "--ns", "64", "128", "--impls", "online", "sdpa", "--repeats", "1", "--out", str(out)])
    rows = list(csv.DictReader(out.open()))
    assert [(r["impl"], r["n"]) for r in rows] == [("online", "64"), ("online", "128"), ("sdpa", "64"), ("sdpa", "128")]
    assert "wrote" in capsys.readouterr().out


def test_isolated_measurement_matches_the_row_layout():
    (row,) = sweep(["online"], [128], isolate=True, repeats=1, causal=True)
    assert row.impl == "online" and row.n == 128 and row.causal is True and row.status == "ok"
    assert row.seconds > 0


def test_isolated_dilated_row_counts_its_own_flops():
    (row,) = sweep(["dilated"], [256], isolate=True, repeats=1, segments=[64, 128], rates=[1, 2])
    assert row.status == "ok" and row.backend == "w=64 128 r=1 2"
    assert row.tflops * row.seconds * 1e12 == pytest.approx(4 * 4 * 64**2 * 64 + 4 * 2 * 64**2 * 64)


def test_isolated_processes_start_with_the_default_malloc(tmp_path, monkeypatch):
    """The fork server starts without the MALLOC_* variables `make test` sets, so its processes measure
    glibc's default allocator (the variables stay set in this process)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server here (Windows)")
    multiprocessing.forkserver._forkserver._stop()  # type: ignore[attr-defined]  # a server started earlier here
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "34359738368")
    child = fresh_process_context().Process(target=os.system, args=(f"env > {tmp_path / 'env.txt'}",))
    child.start()
    child.join()
    seen = (tmp_path / "env.txt").read_text()
    assert "PATH=" in seen and "MALLOC_" not in seen and os.environ["MALLOC_TRIM_THRESHOLD_"] == "34359738368"


def test_cli_without_flags_runs_every_impl_on_the_cpu_and_writes_bench_cpu_csv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # a GPU box: the default is still the CPU
    main([])
    rows = list(csv.DictReader((tmp_path / "bench_cpu.csv").open()))
    assert {r["impl"] for r in rows} == {"naive", "sdpa", "online", "dilated"}
    assert {r["device"] for r in rows} == {"cpu"} and {r["status"] for r in rows} == {"ok"}
    assert sorted({int(r["n"]) for r in rows}) == [512, 1024, 2048, 4096]


def test_an_isolated_measurement_that_fails_raises_its_error():
    with pytest.raises(RuntimeError, match="unknown dtype 'float17'"):
        bench_sweep.measure_isolated("sdpa", 128, repeats=1, dtype="float17")


def test_an_isolated_process_that_ends_without_a_row_raises_its_exit_code(monkeypatch):
    monkeypatch.setattr(bench_sweep, "_measure_in_child", os.getpid)  # takes no arguments: the process fails at once
    with pytest.raises(RuntimeError, match=r"\(exit 1\):\nthe process ended without a result"):
        bench_sweep.measure_isolated("online", 128)


def test_the_isolated_process_sets_its_thread_count_and_sends_its_row(monkeypatch):
    sent: list[tuple[str, Any]] = []
    threads: list[int] = []
    pipe = cast(Connection, SimpleNamespace(send=sent.append))
    monkeypatch.setattr(torch, "set_num_threads", threads.append)
    bench_sweep._measure_in_child(pipe, 3, {"impl": "online", "n": 64, "repeats": 1})
    assert threads == [3] and sent[0][0] == "ok" and sent[0][1]["n"] == 64
    bench_sweep._measure_in_child(pipe, 1, {"impl": "bogus", "n": 64})
    assert sent[1][0] == "error" and "unknown impl 'bogus'" in sent[1][1]


def test_the_naive_memory_is_its_three_buffers_after_the_warm_up():
    """The warm-up call keeps one-time allocations (thread pool, kernel scratch) out of the peak: at n = 4096
    the naive peak is within 10 % of its three n x n fp32 buffers, 192 MiB. Smaller n leave a few MiB of
    allocator noise, a large share of their count."""
    row = bench_sweep.measure_isolated("naive", 4096, repeats=1)
    assert row.status == "ok"
    if row.note:  # no /proc/self/clear_refs: a lower bound only
        pytest.skip(row.note)
    assert row.peak_bytes / (3 * 4 * 4096**2) == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("cuda", [False, True])
def test_device_option_is_parsed_once_for_every_command(cuda, monkeypatch, capsys):
    """`--device` of the benchmark and `make gpu` (`core.device.add_device_argument`): auto follows the
    machine, and a choice it cannot serve is a usage error that says why."""
    import argparse

    from course_utils.core.device import add_device_argument

    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    parser = argparse.ArgumentParser()
    add_device_argument(parser, default="auto", help="")
    assert parser.parse_args([]).device == torch.device("cuda" if cuda else "cpu")
    assert parser.parse_args(["--device", "cpu"]).device == torch.device("cpu")
    refused = ["--device", "tpu"] if cuda else ["--device", "cuda"]
    with pytest.raises(SystemExit):
        parser.parse_args(refused)
    assert ("choose auto, cpu or cuda" if cuda else "no CUDA device") in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(refused)  # the benchmark's own command line refuses it the same way
