"""The task registry: every task draws a batch that keeps the contract, and options are checked by name."""

import inspect
from typing import Any

import pytest
import torch

from course_utils.core import corpus
from course_utils.core.batch import IGNORE_INDEX, TaskBatch
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.core.signatures import options_of
from course_utils.core.tasks import TASKS, make_batch_fn, task_vocab_size

# one small configuration per registered task
CONFIGS: dict[str, dict[str, Any]] = {
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


def test_options_are_read_from_the_signature():
    def rule(a, b=1, *args, c, d=2, seed=0, **kwargs): ...

    assert options_of(rule, leave_out="seed") == (("a", "c"), ("b", "d"))


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_each_task_takes_every_option_of_its_function(name):
    """Spelling out every optional argument at its default draws the same batch as leaving it out."""
    parameters = inspect.signature(TASKS[name].draw_batch).parameters.values()
    defaults = {p.name: p.default for p in parameters if p.default is not p.empty and p.name not in CONFIGS[name]}
    plain, spelled = make_batch_fn(name, **CONFIGS[name])(2), make_batch_fn(name, **CONFIGS[name], **defaults)(2)
    assert torch.equal(plain.tokens, spelled.tokens) and torch.equal(plain.targets, spelled.targets)
    assert task_vocab_size(name, **defaults) == task_vocab_size(name)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_each_task_names_what_is_missing_or_unknown(name):
    without_batch_size = {k: v for k, v in CONFIGS[name].items() if k != "batch_size"}
    with pytest.raises(ValueError, match=rf"task '{name}' needs \['batch_size'\]; pass every one of \['batch_size', "):
        make_batch_fn(name, **without_batch_size)
    with pytest.raises(ValueError, match=rf"task '{name}' has no option \['sed'\]; it takes \['batch_size', "):
        make_batch_fn(name, **CONFIGS[name], sed=1)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_batch_contract(name):
    kwargs = CONFIGS[name]
    batch = make_batch_fn(name, **kwargs)(torch.Generator().manual_seed(0))
    b, n = batch.tokens.shape
    assert b == kwargs["batch_size"] and batch.task == name
    assert batch.targets.shape == (b, n) and batch.tokens.dtype == batch.targets.dtype == torch.long
    assert batch.answer_pos.shape == batch.relevant_pos.shape == (b,)
    vocab_size = task_vocab_size(name, **kwargs)
    assert batch.vocab is not None
    assert batch.vocab.vocab_size == vocab_size
    assert batch.tokens.min() >= 0 and batch.tokens.max() < vocab_size
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


def test_the_registry_spells_the_filler_as_recipes_store_it():
    """The kv filler recipes' stored task_kwargs (`filler=True, n_filler=(0, 4)`) are kv_retrieval_batch's own."""
    kwargs: dict[str, Any] = dict(n_pairs=(1, 16), n_keys=128, n_values=64, filler=True, n_filler=(0, 4))
    registered = make_batch_fn("kv_retrieval", batch_size=8, **kwargs)(5)
    assert registered.vocab is not None
    assert torch.equal(registered.tokens, kv_retrieval_batch(8, **kwargs, generator=5).tokens)
    assert task_vocab_size("kv_retrieval", **kwargs) == registered.vocab.vocab_size == 2 + 128 + 64 + 1


def test_placing_fillers_needs_the_filler_token():
    with pytest.raises(ValueError, match="filler=True"):
        make_batch_fn("kv_retrieval", batch_size=2, n_pairs=4, filler_prefix=3)(0)
    with pytest.raises(ValueError, match="n_filler must be an int or an inclusive range"):
        make_batch_fn("kv_retrieval", batch_size=2, n_pairs=4, filler=True, n_filler=(3, 1))(0)


def test_the_needle_family_sizes_its_filler_vocabulary():
    """`filler_vocab` (needle, decoy_needle, near_miss) is how many distinct tokens the haystack is drawn from."""
    for name in ("needle", "decoy_needle", "near_miss"):
        batch = make_batch_fn(name, **CONFIGS[name], filler_vocab=3)(0)
        assert batch.vocab is not None
        fillers = {label for label in batch.vocab.labels(batch.tokens.flatten()) if label.startswith("f")}
        assert fillers == {"f0", "f1", "f2"}
        assert batch.vocab.vocab_size == task_vocab_size(name, filler_vocab=3) == task_vocab_size(name) - 125


def test_the_registry_serves_the_corpus_task():
    assert TASKS["text"].draw_batch is corpus.text_batch and TASKS["text"].vocab_cls is corpus.TextVocab
