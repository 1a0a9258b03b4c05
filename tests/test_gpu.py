"""`python -m course_utils.bench.gpu` (make gpu): the same code path, at tiny sizes on the CPU; the notebooks'
GPU sweep commands, built from the same plans."""

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import course_utils.bench.sweep as bench_sweep
from course_utils.bench import gpu, plans
from course_utils.bench.plans import PLANS, sweep_command

ROOT = Path(__file__).resolve().parents[1]
HAS_FLEX = importlib.util.find_spec("torch.nn.attention.flex_attention") is not None  # torch >= 2.5


def test_cpu_smoke_run_checks_measures_and_writes_both_csvs(tmp_path, capsys):
    assert gpu.main(["--device", "cpu", "--out-dir", str(tmp_path), "--budget-s", "8"]) == 0
    out = capsys.readouterr().out
    checks = 5 if HAS_FLEX else 4  # without FlexAttention, its check and sweep are skipped
    assert "torch " in out and "total wall time" in out and out.count("check ") == checks and "FAIL" not in out
    bench = list(csv.DictReader((tmp_path / "bench_cpu.csv").open()))
    dilated = list(csv.DictReader((tmp_path / "dilated_cpu.csv").open()))
    assert {r["impl"] for r in bench} == {"sdpa", "naive", "online"}
    assert {r["impl"] for r in dilated} == {"dilated", "sdpa"}
    assert all(r["dtype"] == "bfloat16" and r["device"] == "cpu" for r in bench + dilated)
    assert max(int(r["n"]) for r in dilated) == PLANS["cpu"].dilated_ns[-1]
    assert any(r["backend"].startswith("w=64 256") for r in dilated)
    if not HAS_FLEX:
        assert not (tmp_path / "flex_cpu.csv").exists()
        return
    flex = list(csv.DictReader((tmp_path / "flex_cpu.csv").open()))
    assert {r["impl"] for r in flex} == {"flex-si", "sdpa-causal"} and all(r["status"] == "ok" for r in flex)


def test_the_notebooks_sweep_commands_carry_the_cuda_plan_sizes(monkeypatch):
    """Notebook 06's and 07's GPU commands, as they were written by hand before `sweep_command`."""
    monkeypatch.setattr(plans, "device_slug", lambda device: "nvidia-h100")  # this machine may have no GPU
    cuda, out_dir = torch.device("cuda"), Path("results")
    sizes = ["--device", "cuda", "--dtype", "bfloat16", "--heads", "8", "--d", "64"]
    assert sweep_command("bench", cuda, out_dir=out_dir)[1:] == [
        *("-m", "course_utils.bench", *sizes, "--impls", "sdpa", "naive", "online"),
        *("--ns", *[str(2**p) for p in range(12, 19)], "--out", "results/bench_nvidia-h100.csv"),
    ]
    assert sweep_command("dilated", cuda, out_dir=out_dir, repeats=1)[1:] == [
        *("-m", "course_utils.bench", *sizes, "--impls", "dilated", "sdpa", "--pattern-base", "512", "--repeats", "1"),
        *("--ns", *[str(2**p) for p in range(14, 21)], "--out", "results/dilated_nvidia-h100.csv"),
    ]
    with pytest.raises(ValueError, match="unknown sweep"):
        sweep_command("flex", cuda)


def test_a_sweep_command_runs_on_the_cpu_at_the_cpu_plan_sizes(tmp_path):
    bench_sweep.main(sweep_command("dilated", torch.device("cpu"), out_dir=tmp_path, repeats=1)[3:])
    rows = list(csv.DictReader((tmp_path / "dilated_cpu.csv").open()))
    assert [int(r["n"]) for r in rows if r["impl"] == "dilated"] == list(PLANS["cpu"].dilated_ns)
    dilated = [r for r in rows if r["impl"] == "dilated"]
    assert dilated[-1]["backend"].startswith("w=64 256") and all(r["heads"] == "2" for r in rows)


def test_a_failing_check_stops_before_the_sweeps(tmp_path, monkeypatch):
    monkeypatch.setitem(gpu.MAX_RELATIVE_ERROR, "bfloat16", 1e-9)
    assert gpu.main(["--device", "cpu", "--out-dir", str(tmp_path)]) == 1
    assert not list(tmp_path.glob("*.csv"))


def test_the_module_imports_without_tqdm_seaborn_or_pandas():
    """A GPU machine may have only torch, numpy and matplotlib: the import chain must not need the rest
    (torch itself tries tqdm and carries on without it)."""
    code = (
        "import sys\n"
        "for name in ('tqdm', 'seaborn', 'pandas'):\n    sys.modules[name] = None  # import fails\n"
        "import course_utils.bench.gpu\nprint('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "ok"
