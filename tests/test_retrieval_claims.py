"""Notebook 09's claims on the kv models of the zoo, on every seed that learned the task."""

import functools

import pytest
import torch

from course_utils import zoo
from course_utils.evaluate import last_token_accuracy
from course_utils.retrieval import hierarchical_answer, retrieve_best_chunk
from course_utils.tasks import kv_retrieval_batch

pytestmark = pytest.mark.claims

# (positional, seed) of the kv models that learned the task; kv-rope-s1 never did.
LEARNED = [("alibi", 0), ("alibi", 1), ("alibi", 2), ("rope", 0), ("rope", 2)]


@functools.lru_cache(maxsize=None)
@torch.no_grad()
def _accuracies(positional: str, seed: int) -> dict[str, float]:
    model = zoo.load(zoo.family("kv", positional=positional)[seed], verbose=False)[0]
    long, short = kv_retrieval_batch(256, 64, generator=64), kv_retrieval_batch(256, 16, generator=16)
    answers = long.targets[:, -1]
    return {"full": last_token_accuracy(model, long.tokens, answers),
            "in distribution": last_token_accuracy(model, short.tokens, short.targets[:, -1]),
            "retrieval": last_token_accuracy(model, retrieve_best_chunk(long.tokens, 16), answers),
            "hierarchical": (hierarchical_answer(model, long.tokens, 16)[0] == answers).float().mean().item()}


@pytest.mark.parametrize("positional, seed", LEARNED)
def test_retrieval_wins_back_the_in_distribution_accuracy(positional, seed):
    acc = _accuracies(positional, seed)
    assert acc["retrieval"] >= acc["full"] + 0.2 and acc["retrieval"] >= acc["in distribution"] - 0.1, acc


@pytest.mark.parametrize("positional, seed", LEARNED)
def test_hierarchy_helps_only_models_unsure_without_the_answer(positional, seed):
    acc = _accuracies(positional, seed)
    if positional == "rope":
        assert acc["hierarchical"] >= acc["full"] + 0.2, acc
    else:
        assert acc["hierarchical"] <= acc["full"] + 0.05, acc
