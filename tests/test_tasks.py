"""The task registry: every task draws a batch that keeps the contract, and options are checked by name."""

import inspect

import pytest
import torch

from course_utils.core import corpus
from course_utils.core.batch import IGNORE_INDEX, TaskBatch
from course_utils.core.retrieval_tasks import Filler, kv_retrieval_batch
from course_utils.core.tasks import TASKS, kv_retrieval_with_flat_filler, make_batch_fn, task_vocab_size

# one small configuration per registered task
CONFIGS = {
    "kv_retrieval": dict(batch_size=16, n_pairs=(2, 8)),
    "needle": dict(batch_size=16, n=40),
    "associative_recall": dict(batch_size=16, n_items=(3, 9), n_keys=5, n_values=3),
    "copy": dict(batch_size=16, seq_len=7, n_symbols=10),
    "repeated_sequence": dict(batch_size=16, seq_len=5, repeats=3),
    "backcopy": dict(batch_size=16, n=48),
    "decoy_needle": dict(batch_size=16, n=(20, 40), n_decoys=(0, 4)),
    "near_miss": dict(batch_size=16, n=(24, 48), n_decoys=(0, 4)),
    "text": dict(batch_size=4, n=32),
    "loop_stream": dict(batch_size=8, n_sentences=5, sentence_len=4, n_symbols=6),
}


def rows(batch: TaskBatch) -> torch.Tensor:
    return torch.arange(len(batch.tokens))


def test_every_task_has_a_config():
    assert set(CONFIGS) == set(TASKS)


def _arguments(fn) -> dict[str, bool]:
    """{argument: whether it has a default} of a batch function, but the generator and **options."""
    parameters = inspect.signature(fn).parameters.values()
    return {p.name: p.default is not p.empty for p in parameters if p.name != "generator" and p.kind != p.VAR_KEYWORD}


@pytest.mark.parametrize("name", sorted(TASKS))
def test_each_task_lists_the_arguments_of_its_function(name):
    """The table is the batch function's signature written out: required without a default, optional with one."""
    spec = TASKS[name]
    arguments = _arguments(spec.batch_fn)
    if spec.batch_fn is kv_retrieval_with_flat_filler:  # its flat filler options, then kv_retrieval_batch's
        arguments = {**_arguments(kv_retrieval_batch), **arguments}
    assert set(spec.required) == {a for a, has_default in arguments.items() if not has_default}
    assert set(spec.optional) == {a for a, has_default in arguments.items() if has_default}
    assert len(spec.required + spec.optional) == len(arguments)  # none twice


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_batch_contract(name):
    kwargs = CONFIGS[name]
    batch = make_batch_fn(name, **kwargs)(torch.Generator().manual_seed(0))
    b, n = batch.tokens.shape
    assert b == kwargs["batch_size"] and batch.task == name
    assert batch.targets.shape == (b, n) and batch.tokens.dtype == batch.targets.dtype == torch.long
    assert batch.answer_pos.shape == batch.relevant_pos.shape == (b,)
    vocab_size = task_vocab_size(name, **kwargs)
    assert batch.vocab.vocab_size == vocab_size
    assert 0 <= batch.tokens.min() and batch.tokens.max() < vocab_size
    has_loss = batch.targets != IGNORE_INDEX
    assert (batch.targets[has_loss] >= 0).all() and (batch.targets[has_loss] < vocab_size).all()
    assert (batch.tokens[:, 0] == 0).all()  # BOS everywhere
    answers = batch.targets[rows(batch), batch.answer_pos]
    assert (answers != IGNORE_INDEX).all()
    if name != "text":  # language modelling has no single relevant token (value answers: their own test)
        assert torch.equal(batch.tokens[rows(batch), batch.relevant_pos], answers)
    assert (batch.relevant_pos <= batch.answer_pos).all()


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_same_seed_same_batch(name):
    batch_fn = make_batch_fn(name, **CONFIGS[name])
    a, b, c = batch_fn(torch.Generator().manual_seed(3)), batch_fn(3), batch_fn(4)
    assert torch.equal(a.tokens, b.tokens) and torch.equal(a.targets, b.targets)
    assert torch.equal(a.answer_pos, b.answer_pos) and torch.equal(a.relevant_pos, b.relevant_pos)
    assert a.tokens.shape != c.tokens.shape or not torch.equal(a.tokens, c.tokens)


def test_registry_errors_and_vocab_size():
    assert task_vocab_size("kv_retrieval") == 2 + 128 + 64
    assert task_vocab_size("kv_retrieval", filler=True) == 2 + 128 + 64 + 1
    assert task_vocab_size("copy", batch_size=4, seq_len=3, n_symbols=10) == 12
    with pytest.raises(ValueError, match="unknown task"):
        make_batch_fn("kv", batch_size=4)
    with pytest.raises(ValueError, match=r"has no option \['n_key'\]; it takes .*'n_keys'"):
        make_batch_fn("kv_retrieval", batch_size=4, n_pairs=4, n_key=10)
    with pytest.raises(ValueError, match=r"has no option \['n_key'\]"):
        task_vocab_size("kv_retrieval", n_key=10)
    with pytest.raises(ValueError, match=r"needs \['n_pairs'\]; pass every one of \['batch_size', 'n_pairs'\]"):
        make_batch_fn("kv_retrieval", batch_size=4)
    with pytest.raises(ValueError, match="generator"):
        make_batch_fn("copy", batch_size=4, seq_len=3, generator=0)


@pytest.mark.parametrize(
    "flat, filler",
    [
        (dict(filler=True), Filler()),
        (dict(filler=True, filler_prefix=5), Filler(prefix=5)),
        (dict(filler=True, filler_gap=3, n_filler=(2, 7)), Filler(gap=3, scattered=(2, 7))),
        (dict(n_filler=0), None),
    ],
)
def test_the_registry_spells_the_filler_flat_as_recipes_store_it(flat, filler):
    registered = make_batch_fn("kv_retrieval", batch_size=8, n_pairs=(2, 6), **flat)(5)
    direct = kv_retrieval_batch(8, (2, 6), filler=filler, generator=5)
    assert torch.equal(registered.tokens, direct.tokens) and registered.vocab == direct.vocab


def test_placing_fillers_needs_the_filler_token():
    with pytest.raises(ValueError, match="filler=True"):
        kv_retrieval_with_flat_filler(batch_size=2, n_pairs=4, filler_prefix=3, generator=0)
    with pytest.raises(ValueError, match="scattered"):
        make_batch_fn("kv_retrieval", batch_size=2, n_pairs=4, filler=True, n_filler=(3, 1))(0)


def test_the_registry_serves_the_corpus_task():
    assert TASKS["text"].batch_fn is corpus.text_batch and TASKS["text"].vocab_cls is corpus.TextVocab
