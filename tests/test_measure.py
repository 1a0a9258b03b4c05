"""One benchmark measurement on tiny sizes: each impl's row, its backend, the naive impl's memory budget,
the CPU memory probe's note, and failures recorded as the row's status."""

from types import SimpleNamespace

import pytest
import torch

from course_utils.bench import measure, memory_probe
from course_utils.bench.measure import NO_SCORE_LIMIT, BenchSetup, measure_call, random_qkv, run_impl, time_and_memory
from course_utils.chapters.flash import ScoreBudgetError


@pytest.mark.parametrize("impl", ["naive", "sdpa", "online"])
def test_measure_runs_each_impl(impl):
    row = time_and_memory(impl, 256, repeats=1)
    assert row.status == "ok" and row.seconds > 0 and row.tflops > 0 and row.device == "cpu"
    assert 0 <= row.peak_bytes < 2**26  # the call's rise, not the process's resident set (hundreds of MiB)


def test_measure_rejects_unknown_impl_dtype_and_half_patterns():
    with pytest.raises(ValueError, match="unknown impl"):
        time_and_memory("magic", 64)
    q, k, v = random_qkv(2, 64, 16, "float32", torch.device("cpu"))
    with pytest.raises(ValueError, match=r"unknown impl 'magic'; choose one of"):  # not SDPA in its place
        run_impl("magic", q, k, v, causal=True, max_score_bytes=NO_SCORE_LIMIT, segments=[64], rates=[1])
    with pytest.raises(ValueError, match="unknown dtype"):
        time_and_memory("sdpa", 64, dtype="float8")
    with pytest.raises(ValueError, match="both segments"):
        time_and_memory("dilated", 256, segments=[64])


def test_dilated_impl_counts_its_own_flops_and_defaults_to_geometric_patterns():
    row = time_and_memory("dilated", 256, repeats=1, segments=[64, 128], rates=[1, 2])
    assert row.status == "ok" and row.backend == "w=64 128 r=1 2"
    assert row.tflops * row.seconds * 1e12 == pytest.approx(4 * 4 * 64**2 * 64 + 4 * 2 * 64**2 * 64)
    assert time_and_memory("dilated", 2048, repeats=1).backend == "w=512 2048 r=1 4"  # geometric_patterns(2048)
    assert BenchSetup(pattern_base=64).patterns("dilated", 1024) == ([64, 256, 1024], [1, 4, 16])


def test_the_setup_gives_the_row_and_flops_of_dense_impls():
    setup = BenchSetup(heads=8, causal=True)
    assert setup.patterns("sdpa", 1024) == ([1024], [1])
    assert setup.flops("naive", 1024) == 4 * 1024**2 * 64 * 8 / 2
    row = setup.row("sdpa", 1024, status="skipped (why)")
    assert (row.impl, row.n, row.heads, row.causal, row.status) == ("sdpa", 1024, 8, True, "skipped (why)")
    assert row.backend == "default CPU dispatch" and row.seconds != row.seconds  # NaN: not measured


def test_flash_is_requested_only_for_half_precision_on_cuda():
    def name(device, dtype):
        return measure.backend_name("sdpa", torch.device(device), dtype, [], [])

    assert name("cpu", torch.float32) == name("cpu", torch.bfloat16) == "default CPU dispatch"
    assert name("cuda", torch.float32) == "default CUDA dispatch"
    assert name("cuda", torch.bfloat16).startswith("flash") and name("cuda", torch.float16).startswith("flash")
    assert time_and_memory("sdpa", 128, repeats=1).backend == "default CPU dispatch"


def test_the_flash_backend_is_entered_afresh_on_every_call(monkeypatch):
    """`sdpa_kernel(...)` is a one-shot context manager: a reused one fails on its second `with`."""
    monkeypatch.setattr(measure, "_wants_flash", lambda device, dtype: True)  # the CPU has a flash kernel too
    row = time_and_memory("sdpa", 128, dtype="bfloat16", repeats=2)
    assert row.status == "ok" and row.backend.startswith("flash")


def test_the_naive_budget_defaults_to_the_devices_and_can_be_lifted():
    assert time_and_memory("naive", 64, repeats=1, max_score_bytes=64 * 64 * 4 - 1).status == "refused"
    assert measure.score_budget(torch.device("cpu")) == measure.SCORE_BUDGET_BYTES
    assert time_and_memory("naive", 64, repeats=1, max_score_bytes=measure.NO_SCORE_LIMIT).status == "ok"


def test_cuda_guard_is_a_third_of_the_gpu_memory(monkeypatch):
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda dev: SimpleNamespace(total_memory=80 * 10**9))
    assert measure.score_budget(torch.device("cuda")) == 80 * 10**9 // 3


def test_memory_without_proc_clear_refs_gives_an_ok_row_with_the_probes_note(tmp_path, monkeypatch):
    monkeypatch.setattr(memory_probe, "CLEAR_REFS", tmp_path / "no-proc" / "clear_refs")  # as on macOS
    row = time_and_memory("online", 256, repeats=1)
    assert row.status == "ok" and row.seconds > 0 and "ru_maxrss" in row.note


def test_the_memory_guard_is_caught_by_type_not_by_its_message(monkeypatch):
    def raise_other(*args, **kwargs):
        raise ValueError("some other budget problem")

    monkeypatch.setattr(measure, "budgeted_attention", raise_other)
    with pytest.raises(ValueError, match="other budget"):
        time_and_memory("naive", 64, repeats=1)

    def raise_guard(*args, **kwargs):
        raise ScoreBudgetError("no words that bench looks for")

    monkeypatch.setattr(measure, "budgeted_attention", raise_guard)
    assert time_and_memory("naive", 64, repeats=1).status == "refused"


def test_a_failing_call_is_recorded_as_the_rows_status():
    def no_kernel():
        raise RuntimeError("No available kernel.\nDetails follow")

    def out_of_memory():
        raise torch.cuda.OutOfMemoryError("CUDA out of memory")

    row = BenchSetup().row("sdpa", 64)
    cpu = torch.device("cpu")
    failed = measure_call(row, no_kernel, device=cpu, warm_up=lambda: None, flops=1.0, repeats=1)
    assert failed.status == "error: No available kernel." and failed.seconds != failed.seconds
    oom = measure_call(row, out_of_memory, device=cpu, warm_up=lambda: None, flops=1.0, repeats=1)
    assert oom.status == "out of memory"


def test_a_measured_call_reports_its_throughput():
    x = torch.ones(1, 1, 128, 64)
    row = BenchSetup().row("sdpa", 128)
    call = lambda: torch.nn.functional.scaled_dot_product_attention(x, x, x)  # noqa: E731
    measured = measure_call(row, call, device=torch.device("cpu"), warm_up=call, flops=1e9, repeats=3)
    assert measured.status == "ok" and measured.tflops == pytest.approx(1e9 / measured.seconds / 1e12)
    assert measured.peak_bytes >= 0
