"""Seeds, threads and device choice (course_utils/core/device.py)."""

import pytest
import torch

from course_utils.core.device import model_device, pick_device, seed_everything, set_threads
from course_utils.core.model import GPTConfig, TinyGPT


def test_seed_everything_makes_init_repeatable():
    seed_everything(3)
    a = TinyGPT(GPTConfig(vocab_size=5, max_len=8)).state_dict()
    seed_everything(3)
    b = TinyGPT(GPTConfig(vocab_size=5, max_len=8)).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    with pytest.raises(ValueError, match="seed must be non-negative, got -1; pass e.g. 0"):
        seed_everything(-1)


def test_model_device_is_where_the_parameters_are_or_the_fallback():
    meta = torch.device("meta")
    assert model_device(TinyGPT(GPTConfig(vocab_size=5, max_len=8)).to(meta), torch.device("cpu")) == meta
    assert model_device(torch.nn.Linear(2, 2), meta) == torch.device("cpu")
    assert model_device(torch.nn.Sequential(), meta) == meta  # no parameters: the fallback


def test_seeding_leaves_the_thread_count(monkeypatch):
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        monkeypatch.setenv("COURSE_THREADS", "1")
        seed_everything(0)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_set_threads_sets_the_count_unless_course_threads_says_otherwise(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.delenv("COURSE_THREADS", raising=False)
        assert set_threads(1) == 1 and torch.get_num_threads() == 1
        assert set_threads(2) == 2 and torch.get_num_threads() == 2
        with pytest.raises(ValueError, match="threads must be >= 1"):
            set_threads(0)
        monkeypatch.setenv("COURSE_THREADS", "1")
        assert set_threads(2) == 1 and torch.get_num_threads() == 1
        monkeypatch.setenv("COURSE_THREADS", "two")
        with pytest.raises(ValueError, match="COURSE_THREADS"):
            set_threads(2)
    finally:
        torch.set_num_threads(before)


def test_pick_device(monkeypatch):
    assert pick_device() == torch.device("cuda" if torch.cuda.is_available() else "cpu")
    assert pick_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="prefer must be"):
        pick_device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device() == torch.device("cuda")
    assert pick_device("cpu") == torch.device("cpu")  # an explicit CPU wins over a present GPU
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert pick_device() == torch.device("cpu")
    with pytest.raises(ValueError, match="no CUDA device"):
        pick_device("cuda")
