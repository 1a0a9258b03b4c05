"""Stored measurement records: JSON files of numbers too slow to measure in a notebook.

Each record is written by one command. Round a record's floats before it is written (`round_floats`), write it
(`write_json`) and read it back, or say which command rebuilds it (`read_json`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch


def round_floats(record: Any, digits: int = 5) -> Any:
    """`record` with every float rounded to `digits` significant digits, anywhere in it.

    Floats are rounded in nested dicts, lists and tuples; tensors become lists, tuples lists and dict
    keys strings, as in JSON.

    Example:
        >>> round_floats({"loss": (0.123456789, 2), 3: torch.tensor([1 / 3])})
        {'loss': [0.12346, 2], '3': [0.33333]}
    """
    if isinstance(record, torch.Tensor):
        record = record.tolist()
    if isinstance(record, float):
        return float(f"{record:.{digits}g}")
    if isinstance(record, dict):
        return {str(key): round_floats(value, digits) for key, value in record.items()}
    if isinstance(record, (list, tuple)):
        return [round_floats(item, digits) for item in record]
    return record


def write_json(path: Path, record: Mapping[str, Any]) -> None:
    """Write `record` to `path` as JSON indented by one space, one value a line, keys in the record's order
    (creating its folder), so that a rebuilt record's diff shows which numbers changed.

    Example:
        Not run as a test: it overwrites a stored trial record.

        >>> write_json(TRIALS_DIR / "kv-si-nope-s0.json", round_floats(record))  # doctest: +SKIP
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, (json.dumps(record, indent=1) + "\n").encode("utf-8"))


def replace_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` in one step: into `path.partial` first, then renamed over `path`, so that an
    interrupted run leaves the old file, never half a new one.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "record.json"
        ...     replace_atomically(path, b"{}")
        ...     path.read_bytes(), sorted(p.name for p in path.parent.iterdir())
        (b'{}', ['record.json'])
    """
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def read_json(path: Path, rebuild_command: str) -> dict:
    """The record stored at `path`; a FileNotFoundError naming `rebuild_command`, which writes it, if there is none.

    Example:
        >>> from course_utils.paths import REAL_MODEL_RECORD
        >>> record = read_json(REAL_MODEL_RECORD, "python -m course_utils.chapters.real_model rebuild")
        >>> record["needles"]["lengths"]
        [62, 126, 254, 510]
    """
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; rebuild it with `{rebuild_command}`")
    return json.loads(path.read_text(encoding="utf-8"))
