"""`python -m course_utils.tools.gpu` (make gpu): the same code path, at tiny sizes on the CPU."""

import csv
import subprocess
import sys
from pathlib import Path

from course_utils.tools import gpu

ROOT = Path(__file__).resolve().parents[1]


def test_cpu_smoke_run_checks_measures_and_writes_both_csvs(tmp_path, capsys):
    assert gpu.main(["--device", "cpu", "--out-dir", str(tmp_path), "--budget-s", "8"]) == 0
    out = capsys.readouterr().out
    assert "torch " in out and "total wall time" in out and out.count("check ") == 5 and "FAIL" not in out
    bench = list(csv.DictReader((tmp_path / "bench_cpu.csv").open()))
    dilated = list(csv.DictReader((tmp_path / "dilated_cpu.csv").open()))
    assert {r["impl"] for r in bench} == {"sdpa", "naive", "online"}
    assert {r["impl"] for r in dilated} == {"dilated", "sdpa"}
    assert all(r["dtype"] == "bfloat16" and r["device"] == "cpu" for r in bench + dilated)
    assert max(int(r["n"]) for r in dilated) == gpu.PLANS["cpu"].dilated_ns[-1]
    assert any(r["backend"].startswith("w=64 256") for r in dilated)
    flex = list(csv.DictReader((tmp_path / "flex_cpu.csv").open()))
    assert {r["impl"] for r in flex} == {"flex-si", "sdpa-causal"} and all(r["status"] == "ok" for r in flex)


def test_a_failing_check_stops_before_the_sweeps(tmp_path, monkeypatch):
    monkeypatch.setitem(gpu.TOLERANCE, "bfloat16", 1e-9)
    assert gpu.main(["--device", "cpu", "--out-dir", str(tmp_path)]) == 1
    assert not list(tmp_path.glob("*.csv"))


def test_the_module_imports_without_tqdm_seaborn_or_pandas():
    """A GPU machine may have only torch, numpy and matplotlib: the import chain must not need the rest
    (torch itself tries tqdm and carries on without it)."""
    code = (
        "import sys\n"
        "for name in ('tqdm', 'seaborn', 'pandas'):\n    sys.modules[name] = None  # import fails\n"
        "import course_utils.tools.gpu\nprint('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "ok"
