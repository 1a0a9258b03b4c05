"""Notebook 09's claims on the kv models of the zoo, on every seed that learned the task."""

import pytest
import torch

from course_utils import zoo
from course_utils.retrieval import hierarchical_answer, retrieve_best_chunk
from course_utils.tasks import kv_retrieval_batch

LEARNED = ["alibi-s0", "alibi-s1", "alibi-s2", "rope-s0", "rope-s2"]  # kv-rope-s1 never learned the task


@torch.no_grad()
def _accuracies(name):
    model = zoo.load(f"kv-{name}", verbose=False)[0]
    long, short = kv_retrieval_batch(256, 64, generator=64), kv_retrieval_batch(256, 16, generator=16)
    answers = long.targets[:, -1]
    return {"full": (model(long.tokens)[:, -1].argmax(-1) == answers).float().mean().item(),
            "in distribution": (model(short.tokens)[:, -1].argmax(-1) == short.targets[:, -1]).float().mean().item(),
            "retrieval": (model(retrieve_best_chunk(long.tokens, 16))[:, -1].argmax(-1) == answers).float().mean().item(),
            "hierarchical": (hierarchical_answer(model, long.tokens, 16)[0] == answers).float().mean().item()}


@pytest.mark.parametrize("name", LEARNED)
def test_retrieval_wins_back_the_in_distribution_accuracy(name):
    acc = _accuracies(name)
    assert acc["retrieval"] >= acc["full"] + 0.2 and acc["retrieval"] >= acc["in distribution"] - 0.1, acc


@pytest.mark.parametrize("name", LEARNED)
def test_hierarchy_helps_only_models_unsure_without_the_answer(name):
    acc = _accuracies(name)
    if name.startswith("rope"):
        assert acc["hierarchical"] >= acc["full"] + 0.2, acc
    else:
        assert acc["hierarchical"] <= acc["full"] + 0.05, acc
