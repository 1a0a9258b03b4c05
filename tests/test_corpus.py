from typing import Any

import pytest
import torch

from course_utils.core.corpus import (
    CORPUS_PATH,
    CharTokenizer,
    lm_batch,
    load_corpus,
    split_corpus,
)
from course_utils.core.vocabs import BOS_ID


@pytest.fixture(scope="module")
def text():
    return load_corpus()


@pytest.fixture(scope="module")
def tokenizer(text):
    return CharTokenizer.from_text(text)


@pytest.fixture(scope="module")
def ids(text, tokenizer):
    return tokenizer.encode(text)


def test_corpus_file_and_stats(text):
    header = CORPUS_PATH.read_text(encoding="ascii").split("\n", 1)[0]
    assert header.startswith("# Python") and "PSF License" in header
    assert 1_000_000 < len(text) < 2_000_000
    assert set(text) <= {chr(c) for c in range(0x20, 0x7F)} | {"\n"}  # printable ASCII
    assert text.count("MODULE ") == 165 and "MODULE json\n" in text
    assert "\n\n\n" not in text and text.endswith("\n")


def test_tokenizer_round_trip(text, tokenizer, ids):
    assert tokenizer.bos_id == BOS_ID == 0 and tokenizer.vocab_size == len(set(text)) + 1
    assert ids.dtype == torch.long and ids.shape == (len(text),) and ids.min() >= 1
    assert tokenizer.decode(ids[:500]) == text[:500]
    assert tokenizer.decode([BOS_ID, *tokenizer.encode("def f():").tolist()]) == "def f():"
    assert tokenizer.encode("").shape == (0,)


def test_tokenizer_errors():
    tokenizer = CharTokenizer("abc")
    assert tokenizer.encode("cab").tolist() == [3, 1, 2]
    with pytest.raises(ValueError, match="not in the vocabulary"):
        tokenizer.encode("abz")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        tokenizer.encode(" ")  # below the smallest code point of the vocabulary
    bad_inputs: tuple[Any, ...] = ([4], [-1], [1.0], torch.tensor(1), [[1]])  # some of them no list of ints at all
    for bad in bad_inputs:
        with pytest.raises(ValueError, match="decode"):
            tokenizer.decode(bad)
    with pytest.raises(ValueError, match="distinct"):
        CharTokenizer("aab")


def test_split_corpus(ids):
    train, val = split_corpus(ids, val_fraction=0.1)
    assert len(train) + len(val) == len(ids) and abs(len(val) / len(ids) - 0.1) < 1e-3
    assert torch.equal(torch.cat([train, val]), ids)
    for bad in (0.0, 1.0):
        with pytest.raises(ValueError, match="val_fraction"):
            split_corpus(ids, val_fraction=bad)
    with pytest.raises(ValueError, match="1-D"):
        split_corpus(ids[:10].view(2, 5))


@pytest.mark.parametrize("bos", [True, False])
def test_lm_batch_windows(ids, bos):
    n = 32
    batch = lm_batch(ids, 8, n, generator=0, bos=bos)
    assert batch.tokens.shape == batch.targets.shape == (8, n)
    assert (batch.answer_pos == n - 1).all() and (batch.relevant_pos == n - 1).all()
    assert batch.window_starts is not None
    for start, tokens, targets in zip(batch.window_starts, batch.tokens, batch.targets):
        if bos:
            assert tokens[0] == BOS_ID and torch.equal(tokens[1:], ids[start : start + n - 1])
            assert torch.equal(targets, ids[start : start + n])
        else:
            assert torch.equal(tokens, ids[start : start + n])
            assert torch.equal(targets, ids[start + 1 : start + n + 1])
    again = lm_batch(ids, 8, n, generator=torch.Generator().manual_seed(0), bos=bos)
    assert torch.equal(again.tokens, batch.tokens)


def test_lm_batch_errors(ids):
    with pytest.raises(ValueError, match="too short"):
        lm_batch(ids[:10], 2, 11, generator=0)
    with pytest.raises(ValueError, match="1-D long"):
        lm_batch(ids[:100].float(), 2, 8, generator=0)
    with pytest.raises(ValueError, match="positive"):
        lm_batch(ids, 0, 8, generator=0)


def test_missing_corpus_file_raises_file_not_found(monkeypatch, tmp_path):
    import course_utils.core.corpus as corpus

    monkeypatch.setattr(corpus, "CORPUS_PATH", tmp_path / "corpus.txt")
    with pytest.raises(FileNotFoundError, match="python scripts/build_corpus.py build"):
        corpus.load_corpus()


def test_text_task_lives_here():
    from course_utils.core.corpus import TextVocab, corpus_splits, text_batch

    batch = text_batch(2, 16, generator=0)
    assert batch.tokens.shape == (2, 16) and batch.vocab == TextVocab()
    assert TextVocab().vocab_size == corpus_splits()[0].vocab_size
