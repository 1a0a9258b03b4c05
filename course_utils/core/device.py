"""Seeds, threads and device choice (the first code cell of every notebook calls these; commands take `--device`),
and the device a model sits on."""

from __future__ import annotations

import argparse
import os
import random

import numpy as np
import torch
from torch import nn


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and PyTorch, and the environment's PYTHONHASHSEED; returns a `torch.Generator`
    seeded with `seed` for code that wants its own stream.

    PYTHONHASHSEED: a running interpreter fixed its string hashing at start-up, so this reaches only the
    child processes started afterwards (the CPU processes of chapter 11's `distributed_runs.spawn`, the
    commands a notebook runs): their set orders repeat from run to run.

    Example:
        Not run as a test: it sets the whole process's seeds.

        >>> generator = seed_everything(0)  # doctest: +SKIP
    """
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}; pass e.g. 0")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def set_threads(threads: int) -> int:
    """Set torch's CPU thread count for the whole process to `threads`, or to the environment variable
    `COURSE_THREADS` when it is set; returns the count set.

    A fixed thread count keeps CPU reductions in the same order, so training repeats bit for bit on one
    machine. `make nbval` sets `COURSE_THREADS=1` and runs two notebooks at once, which on 2 cores is
    faster than one notebook on two threads (the printed results are the same).

    Example:
        Not run as a test: it sets the whole process's thread count.

        >>> set_threads(2)  # doctest: +SKIP
        2
    """
    override = os.environ.get("COURSE_THREADS", "").strip()
    if override:
        if not override.isdigit() or int(override) < 1:
            raise ValueError(f"COURSE_THREADS must be a positive integer, got {override!r}; unset it or set e.g. 1")
        threads = int(override)
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}; pass e.g. 1")
    torch.set_num_threads(threads)
    return threads


def pick_device(prefer: str | None = None) -> torch.device:
    """CUDA when it is present (or when `prefer="cuda"`), else the CPU (or when `prefer="cpu"`).

    Example:
        >>> pick_device("cpu")
        device(type='cpu')
    """
    if prefer is not None:
        if prefer not in ("cpu", "cuda"):
            raise ValueError(f"prefer must be 'cpu', 'cuda' or None, got {prefer!r}; pass one of those")
        if prefer == "cuda" and not torch.cuda.is_available():
            raise ValueError("prefer='cuda' but no CUDA device is available; use prefer=None")
        return torch.device(prefer)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def model_device(model: nn.Module, fallback: torch.device) -> torch.device:
    """The device of the model's parameters, or `fallback` for a module without any (a stand-in).

    Example:
        >>> model_device(nn.Linear(2, 2), torch.device("meta"))
        device(type='cpu')
        >>> model_device(nn.ReLU(), torch.device("meta"))
        device(type='meta')
    """
    parameter = next(model.parameters(), None)
    return fallback if parameter is None else parameter.device


def add_device_argument(parser: argparse.ArgumentParser, *, default: str, help: str) -> None:
    """Give a command line `--device auto|cpu|cuda`, parsed into a torch.device by `pick_device`.

    "auto" is CUDA when available, else the CPU; a choice the machine cannot serve (cuda without a GPU)
    is a usage error.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_device_argument(parser, default="auto", help="auto (default): cuda when available")
        >>> parser.parse_args(["--device", "cpu"]).device
        device(type='cpu')
    """

    def parse_device(choice: str) -> torch.device:
        if choice not in ("auto", "cpu", "cuda"):
            raise argparse.ArgumentTypeError(f"choose auto, cpu or cuda, not {choice!r}")
        try:
            return pick_device(None if choice == "auto" else choice)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parser.add_argument("--device", default=default, type=parse_device, metavar="{auto,cpu,cuda}", help=help)
