"""Stored measurement records: rounding, writing, and a missing record's message."""

import math

import pytest
import torch

from course_utils.core.records import read_json, round_floats, write_json


def test_round_floats_rounds_every_float_to_significant_digits():
    record = {"loss": (0.123456789, 2), 3: torch.tensor([1 / 3, 2e-9]), "name": "kv", "ok": True}
    assert round_floats(record) == {"loss": [0.12346, 2], "3": [0.33333, 2e-9], "name": "kv", "ok": True}
    assert round_floats(123456.7, digits=2) == 120000.0 and math.isnan(round_floats(float("nan")))
    assert round_floats(round_floats(record)) == round_floats(record)  # stored numbers round to themselves


def test_a_record_round_trips_and_a_missing_one_names_its_command(tmp_path):
    path = tmp_path / "results" / "r.json"
    write_json(path, {"a": [1, 0.5]})
    assert path.read_text() == '{\n "a": [\n  1,\n  0.5\n ]\n}\n'
    assert read_json(path, "python -m x rebuild") == {"a": [1, 0.5]}
    with pytest.raises(FileNotFoundError, match="rebuild it with `python -m x rebuild`"):
        read_json(tmp_path / "none.json", "python -m x rebuild")
