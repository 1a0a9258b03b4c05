"""How zoo checkpoints are stored: a state dict as byte planes, saved by `torch.save` and xz-compressed."""

from __future__ import annotations

import io
import lzma
from pathlib import Path
from typing import Any, TypedDict

import torch

from course_utils.core.records import replace_atomically


class Provenance(TypedDict):
    """The recipe a stored record opens with (`ZooEntry.provenance()`), checkpoint or trial.

    `init_from` names the entry whose trained weights training started from, or is None for a fresh init.
    """

    name: str
    description: str
    task: str
    task_kwargs: dict[str, Any]
    model_config: dict[str, Any]  # GPTConfig.to_dict()
    train_config: dict[str, Any]  # TrainConfig.to_dict()
    seed: int
    init_from: str | None


class CheckpointRecord(Provenance):
    """A checkpoint as `zoo.training.build_entry` stores it: the recipe, then what training gave.

    `losses` is stored as a float32 tensor (compact, and exact: every loss is a float32 value) and read back as
    a list of floats. `history` holds the
    tracker's measurements, `{"step": step, TRACKER: value}` each; it is empty when the recipe has no tracker.
    """

    torch_version: str
    losses: list[float]
    history: list[dict[str, Any]]
    accuracy: float  # held-out, `evaluate_entry`
    build_seconds: float
    state_dict: dict[str, torch.Tensor]


def _byte_planes(state: dict[str, torch.Tensor]) -> dict[str, dict | str]:
    """A state dict as byte planes: each tensor's bytes regrouped so that all first bytes of its
    elements come first, then all second bytes, and so on. The bytes holding a float's sign and
    exponent vary slowly across a weight matrix, so grouped together they compress better under xz.
    A tensor stored under several names (a shared table) is stored once, the other names pointing to
    the first.

    state: {name: tensor} -> {name: {"dtype", "shape", "planes": (itemsize, numel) uint8} or the name it aliases}.
    """
    out: dict[str, dict | str] = {}
    first_name: dict[tuple, str] = {}
    for key, tensor in state.items():
        identity = (tensor.data_ptr(), tensor.dtype, tuple(tensor.shape), tuple(tensor.stride()))
        if identity in first_name:
            out[key] = first_name[identity]
            continue
        first_name[identity] = key
        flat = tensor.detach().contiguous().reshape(-1)
        planes = flat.view(torch.uint8).reshape(flat.numel(), flat.element_size()).T.contiguous()
        out[key] = {"dtype": str(flat.dtype).removeprefix("torch."), "shape": list(tensor.shape), "planes": planes}
    return out


def _from_byte_planes(packed: dict[str, dict | str]) -> dict[str, torch.Tensor]:
    """The state dict `_byte_planes` packed (aliases become the same tensor again)."""
    state: dict[str, torch.Tensor] = {}
    for key, item in packed.items():
        if isinstance(item, str):
            state[key] = state[item]
            continue
        dtype = getattr(torch, item["dtype"])
        state[key] = item["planes"].T.contiguous().view(dtype).reshape(item["shape"])
    return state


def write_checkpoint(record: CheckpointRecord, path: Path) -> None:
    """Store a checkpoint record: its state dict as byte planes, then `torch.save`'s bytes
    xz-compressed. Lossless; together the two shrink trained float32 weights by about 17 %, which
    is what keeps the zoo inside the repository's size budget.

    Example:
        >>> import tempfile
        >>> from course_utils.zoo.recipes import checkpoint_path
        >>> record = read_checkpoint(checkpoint_path("copy-s0"))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "m.pt.xz"
        ...     write_checkpoint({**record, "state_dict": {"w": torch.arange(6.0).view(2, 3)}}, path)
        ...     read_checkpoint(path)["state_dict"]["w"]
        tensor([[0., 1., 2.],
                [3., 4., 5.]])
    """
    buffer = io.BytesIO()
    losses = torch.tensor(record["losses"], dtype=torch.float32)
    torch.save({**record, "losses": losses, "state_dict": _byte_planes(record["state_dict"])}, buffer)
    replace_atomically(path, lzma.compress(buffer.getvalue(), preset=9))


def read_checkpoint(path: Path) -> CheckpointRecord:
    """The record `write_checkpoint` stored at `path`: tensors on the CPU, the losses a list of floats.

    Example:
        >>> from course_utils.zoo.recipes import checkpoint_path
        >>> read_checkpoint(checkpoint_path("copy-s0"))["accuracy"]
        1.0
    """
    record = torch.load(io.BytesIO(lzma.decompress(path.read_bytes())), map_location="cpu", weights_only=True)
    record["state_dict"] = _from_byte_planes(record["state_dict"])
    record["losses"] = record["losses"].tolist()
    return record
