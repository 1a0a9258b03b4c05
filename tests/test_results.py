"""Benchmark rows in CSV files: written and read back unchanged, named by device, found by the device they
were recorded on."""

import csv
import math
from dataclasses import replace

import pytest
import torch

from course_utils.bench.results import BenchRow, device_slug, recorded_results, row_from_record, write_csv

ROW = BenchRow("sdpa", 64, 1, 64, "float32", True, "cpu", "CPU", "2.13.0", "default CPU dispatch", seconds=0.5)


def test_a_row_survives_its_csv_file(tmp_path):
    path = write_csv([ROW, replace(ROW, n=128, status="refused")], tmp_path / "sub" / "bench_cpu.csv")
    back = [row_from_record(r) for r in csv.DictReader(path.open())]
    assert back[0].seconds == 0.5 and back[0].causal is True and back[0].n == 64 and math.isnan(back[0].tflops)
    assert back[1].status == "refused" and back[1].n == 128


def test_writing_no_rows_says_what_to_pass(tmp_path):
    with pytest.raises(ValueError, match="at least one BenchRow"):
        write_csv([], tmp_path / "bench_cpu.csv")
    assert not (tmp_path / "bench_cpu.csv").exists()


def test_recorded_results_lists_the_gpu_files_only(tmp_path):
    write_csv([ROW], tmp_path / "bench_cpu.csv")
    write_csv([replace(ROW, device="cuda")], tmp_path / "bench_nvidia-h100.csv")
    write_csv([replace(ROW, device="cuda")], tmp_path / "dilated_nvidia-h100.csv")
    assert [p.name for p in recorded_results(tmp_path, "bench")] == ["bench_nvidia-h100.csv"]
    assert [p.name for p in recorded_results(tmp_path, "bench", device="cpu")] == ["bench_cpu.csv"]


def test_the_slug_names_the_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda dev=None: "NVIDIA H100 80GB HBM3")
    assert device_slug("cuda") == "nvidia-h100-80gb-hbm3" and device_slug("cpu") == "cpu"
