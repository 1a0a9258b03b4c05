"""TaskBatch, the data contract of every task (what it holds and what it refuses), and the helpers tasks share."""

import pytest
import torch

from course_utils.core.batch import (
    IGNORE_INDEX,
    TaskBatch,
    answer_targets,
    as_generator,
    check_positive,
    draw_from_range,
    next_token_targets,
    parse_range,
)
from course_utils.core.vocabs import CopyVocab


def _batch(**extras) -> TaskBatch:
    tokens = torch.tensor([[0, 2, 3, 1, 2, 3], [0, 4, 5, 1, 4, 5]])
    targets = torch.full_like(tokens, IGNORE_INDEX)
    targets[:, 3:5] = tokens[:, 1:3]
    return TaskBatch("copy", tokens, targets, torch.tensor([4, 4]), torch.tensor([2, 2]), **extras)


def test_a_batch_holds_its_tensors_and_the_task_s_extras():
    batch = _batch(vocab=CopyVocab(n_symbols=4), copy_len=2)
    assert batch.vocab is not None
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
    assert moved.copy_mask is not None
    assert {
        t.device.type for t in (moved.tokens, moved.targets, moved.answer_pos, moved.relevant_pos, moved.copy_mask)
    } == {"meta"}
    assert moved.vocab is batch.vocab and moved.task == "copy" and batch.tokens.device.type == "cpu"


@pytest.mark.parametrize("generator", ["0", 1.5, True])
def test_bad_generator(generator):
    with pytest.raises(ValueError, match="generator"):
        as_generator(generator)


def test_an_int_seed_and_a_generator_seeded_with_it_draw_the_same():
    assert torch.equal(
        torch.rand(3, generator=as_generator(7)), torch.rand(3, generator=torch.Generator().manual_seed(7))
    )


@pytest.mark.parametrize("value", [0, -1, 2.0, True, "3"])
def test_check_positive_names_the_bad_argument(value):
    with pytest.raises(ValueError, match="n_keys must be a positive int"):
        check_positive(batch_size=4, n_keys=value)


@pytest.mark.parametrize(
    "value, kwargs, expected",
    [
        (5, {}, (5, 5)),
        ((2, 9), {}, (2, 9)),
        ([3, 3], {"hi": 3}, (3, 3)),
        ((-2, 1), {"lo": None}, (-2, 1)),
    ],
)
def test_parse_range(value, kwargs, expected):
    assert parse_range("n", value, **kwargs) == expected


@pytest.mark.parametrize(
    "value, kwargs",
    [
        (0, {}),
        ((4, 2), {}),
        ((1, 9), {"hi": 8}),
        ((1.0, 2), {}),
        ((1, 2, 3), {}),
        (True, {}),
        ("3", {}),
    ],
)
def test_parse_range_errors(value, kwargs):
    with pytest.raises(ValueError, match="inclusive range"):
        parse_range("n", value, **kwargs)


def test_draw_from_range_covers_the_range_and_spares_the_generator_for_one_value():
    g = torch.Generator().manual_seed(0)
    assert {draw_from_range((2, 4), g) for _ in range(100)} == {2, 3, 4}
    state = g.get_state()
    assert draw_from_range((6, 6), g) == 6 and torch.equal(g.get_state(), state)


def test_answer_and_next_token_targets():
    tokens = torch.tensor([[0, 5, 6, 7], [0, 8, 9, 10]])
    targets = answer_targets(tokens, torch.tensor([3, 2]), torch.tensor([1, 2]))
    assert targets.tolist() == [[IGNORE_INDEX] * 3 + [5], [IGNORE_INDEX] * 2 + [9, IGNORE_INDEX]]
    assert next_token_targets(tokens).tolist() == [[5, 6, 7, IGNORE_INDEX], [8, 9, 10, IGNORE_INDEX]]
