"""TaskBatch, the data contract of every task: what it holds and what it refuses."""

import pytest
import torch

from course_utils.core.batch import IGNORE_INDEX, TaskBatch
from course_utils.core.tasks import CopyVocab


def _batch(**extras) -> TaskBatch:
    tokens = torch.tensor([[0, 2, 3, 1, 2, 3], [0, 4, 5, 1, 4, 5]])
    targets = torch.full_like(tokens, IGNORE_INDEX)
    targets[:, 3:5] = tokens[:, 1:3]
    return TaskBatch("copy", tokens, targets, torch.tensor([4, 4]), torch.tensor([2, 2]), **extras)


def test_a_batch_holds_its_tensors_and_the_task_s_extras():
    batch = _batch(vocab=CopyVocab(n_symbols=4), copy_len=2)
    assert batch.task == "copy" and batch.copy_len == 2 and batch.vocab.vocab_size == 6
    assert batch.period is None  # the repeated_sequence task's length
    assert batch.copy_mask is None and batch.needle_pos is None  # extras another task would add
    rows = torch.arange(2)
    assert torch.equal(batch.targets[rows, batch.answer_pos], batch.tokens[rows, batch.relevant_pos])


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(tokens=torch.zeros(6, dtype=torch.long)), "tokens and targets"),  # not (batch, n)
        (dict(tokens=torch.zeros(2, 6)), "int64"),  # float tokens
        (dict(targets=torch.zeros(2, 5, dtype=torch.long)), "one shape"),
        (dict(answer_pos=torch.tensor([4])), "answer_pos and relevant_pos"),
        (dict(relevant_pos=torch.tensor([[2], [2]])), "one position per row"),
        (dict(copy_mask=torch.zeros(3, 6, dtype=torch.bool)), "copy_mask must have one entry per row"),
        (dict(needle_pos=torch.tensor(1)), "needle_pos"),
    ],
)
def test_a_batch_refuses_tensors_that_do_not_fit(change, match):
    good = _batch()
    fields = dict(
        task=good.task,
        tokens=good.tokens,
        targets=good.targets,
        answer_pos=good.answer_pos,
        relevant_pos=good.relevant_pos,
    )
    with pytest.raises(ValueError, match=match):
        TaskBatch(**{**fields, **change})


def test_to_moves_every_tensor_and_keeps_the_rest():
    batch = _batch(vocab=CopyVocab(n_symbols=4), copy_mask=torch.zeros(2, 6, dtype=torch.bool))
    moved = batch.to("meta")
    assert {
        t.device.type for t in (moved.tokens, moved.targets, moved.answer_pos, moved.relevant_pos, moved.copy_mask)
    } == {"meta"}
    assert moved.vocab is batch.vocab and moved.task == "copy" and batch.tokens.device.type == "cpu"
