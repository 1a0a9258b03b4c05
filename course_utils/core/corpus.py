"""A small text corpus that ships with the course, a character tokenizer and language-model batches.

The corpus (`course_utils/data/corpus.txt`, about 1.2 MB) is the docstrings of a fixed, sorted list
of Python standard-library modules, their public functions, classes and methods, read with
`inspect` and cleaned to printable ASCII. The text is Python documentation, Copyright Python
Software Foundation, used under the PSF License Agreement; the file's first line says so. It was
generated once with `python scripts/build_corpus.py build` (Python 3.11.7) and is committed, so
nothing is downloaded at run time; `python scripts/build_corpus.py check` rebuilds it in memory and
compares (docstrings change between Python versions, so only the same version reproduces it).

The task registry (`course_utils.core.tasks.make_batch_fn("text", ...)`) serves `text_batch` and
`TextVocab` from here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np
import torch

from course_utils.core.batch import TaskBatch, as_generator, check_positive
from course_utils.core.vocabs import BOS_ID, TokenRange, Vocab
from course_utils.paths import CORPUS_PATH


def load_corpus() -> str:
    """The shipped corpus text without its licence header line.

    Example:
        >>> text = load_corpus()
        >>> len(text), text[:10]
        (1176288, 'MODULE abc')
    """
    if not CORPUS_PATH.exists():
        raise FileNotFoundError(f"{CORPUS_PATH} is missing; rebuild it with `python scripts/build_corpus.py build`")
    return CORPUS_PATH.read_text(encoding="ascii").split("\n", 1)[1]


class CharTokenizer:
    """Character-level tokenizer: id 0 is BOS, ids 1.. the sorted characters of the vocabulary.

    No character uses `BOS_ID`.

    Example:
        >>> tok = CharTokenizer.from_text(load_corpus())
        >>> tok.decode(tok.encode("def f():"))
        'def f():'
    """

    bos_id = BOS_ID

    def __init__(self, chars: str):
        if not chars or len(set(chars)) != len(chars):
            raise ValueError(
                "chars must be a non-empty string of distinct characters; "
                "use CharTokenizer.from_text(text) to build one from a text"
            )
        self.chars = "".join(sorted(chars))
        self._codepoints = np.array([ord(char) for char in self.chars], dtype=np.int64)

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        """A tokenizer whose vocabulary is every character in `text`.

        Example:
            >>> CharTokenizer.from_text("abca").vocab_size  # a, b, c and BOS
            4
        """
        return cls("".join(set(text)))

    @property
    def vocab_size(self) -> int:
        """Number of ids, BOS included."""
        return len(self.chars) + 1

    def encode(self, text: str) -> torch.Tensor:
        """Ids of the characters of `text`, shape (len(text),), no BOS.

        Example:
            >>> tok = CharTokenizer.from_text("abc")
            >>> tok.encode("cab")
            tensor([3, 1, 2])
        """
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        idx = np.minimum(np.searchsorted(self._codepoints, codes), len(self._codepoints) - 1)
        known = self._codepoints[idx] == codes
        if not known.all():
            unknown = sorted({chr(code) for code in codes[~known]})
            raise ValueError(
                f"characters {unknown[:10]} are not in the vocabulary; build the "
                "tokenizer from a text that contains them"
            )
        return torch.from_numpy(idx + 1)

    def decode(self, ids: torch.Tensor | list[int]) -> str:
        """Text of a 1-D sequence of ids; BOS ids are dropped.

        Example:
            >>> tok = CharTokenizer.from_text("abc")
            >>> tok.decode(tok.encode("abc")), tok.decode([tok.bos_id, 1, 2])
            ('abc', 'ab')
        """
        ids = torch.as_tensor(ids).tolist()
        if not isinstance(ids, list) or not all(
            isinstance(token, int) and 0 <= token < self.vocab_size for token in ids
        ):
            raise ValueError(
                f"decode takes a 1-D sequence of ids in [0, {self.vocab_size}); got {str(ids)[:60]}: "
                "pass one row of ids, such as tokens[0]"
            )
        return "".join(self.chars[token - 1] for token in ids if token != self.bos_id)


@functools.cache
def corpus_splits() -> tuple[CharTokenizer, torch.Tensor, torch.Tensor]:
    """The shipped corpus tokenized once: (tokenizer, train_ids, val_ids), split 90 / 10.

    Example:
        >>> tok, train_ids, val_ids = corpus_splits()
        >>> tok.vocab_size, len(train_ids), len(val_ids)
        (97, 1058659, 117629)
    """
    text = load_corpus()
    tokenizer = CharTokenizer.from_text(text)
    return (tokenizer, *split_corpus(tokenizer.encode(text)))


def split_corpus(ids: torch.Tensor, val_fraction: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """Fixed split of a 1-D id tensor: the first (1 - val_fraction) for training, the rest for validation.

    A contiguous split, so no validation window overlaps the training text.

    Example:
        >>> train_ids, val_ids = split_corpus(torch.arange(10))
        >>> val_ids
        tensor([9])
    """
    if ids.dim() != 1:
        raise ValueError(f"ids must be 1-D (n,); got shape {tuple(ids.shape)}: pass the whole text's ids, flattened")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1); got {val_fraction}: pass a share such as 0.1")
    cut = int(len(ids) * (1.0 - val_fraction))
    return ids[:cut], ids[cut:]


def lm_batch(
    text_ids: torch.Tensor, batch_size: int, n: int, *, generator: torch.Generator | int, bos: bool = True
) -> TaskBatch:
    """Random windows of the text for next-character prediction, loss at every position.

    With bos=True each row is BOS followed by n - 1 characters and the targets are the n characters
    that follow (the first character after BOS, ..., the character after the window); with
    bos=False the row is n characters. answer_pos = relevant_pos = n - 1 (language modelling has
    no single relevant token). The batch carries window_starts (batch,), the window offsets in text_ids.

    text_ids: (len,) · tokens, targets: (batch, n).

    Example:
        >>> batch = lm_batch(torch.arange(1, 100), 2, 4, generator=0)
        >>> batch.tokens
        tensor([[ 0, 45, 46, 47],
                [ 0, 16, 17, 18]])
        >>> batch.targets
        tensor([[45, 46, 47, 48],
                [16, 17, 18, 19]])
    """
    check_positive(batch_size=batch_size, n=n)
    generator = as_generator(generator)
    if text_ids.dim() != 1 or text_ids.dtype != torch.long:
        raise ValueError(
            f"text_ids must be a 1-D long tensor; got {tuple(text_ids.shape)} {text_ids.dtype}: "
            "pass the ids CharTokenizer.encode returns"
        )
    width = n if bos else n + 1  # characters taken from the text per row
    if len(text_ids) < width:
        raise ValueError(f"text of {len(text_ids)} ids is too short for windows of n={n}; use a smaller n")
    starts = torch.randint(0, len(text_ids) - width + 1, (batch_size,), generator=generator)
    windows = text_ids[starts[:, None] + torch.arange(width)]  # (B, width)
    if bos:
        tokens = torch.cat([torch.full((batch_size, 1), BOS_ID), windows[:, :-1]], dim=1)
        targets = windows
    else:
        tokens, targets = windows[:, :-1], windows[:, 1:]
    last = torch.full((batch_size,), n - 1)
    return TaskBatch("text", tokens, targets.clone(), last, last.clone(), window_starts=starts)


@dataclass(frozen=True)
class TextVocab(Vocab):
    """The course corpus's characters: BOS=0, then one id per character (labels c0, c1, ...).

    Example:
        >>> TextVocab().vocab_size == corpus_splits()[0].vocab_size
        True
    """

    def token_ranges(self) -> tuple[TokenRange, ...]:
        return (TokenRange("character", corpus_splits()[0].vocab_size - 1, "c"),)


def text_batch(batch_size: int, n: int, *, split: str = "train", generator: torch.Generator | int) -> TaskBatch:
    """Character-level language modelling on the course corpus: `BOS` + n - 1 characters, loss everywhere.

    split: "train" or "val" (the last 10 % of the corpus). The batch carries window_starts (batch,) and vocab
    (a TextVocab).
    tokens, targets: (batch, n).

    Example:
        >>> text_batch(32, 128, generator=0).tokens.shape
        torch.Size([32, 128])
    """
    if split not in ("train", "val"):
        raise ValueError(f"split must be 'train' or 'val'; got {split!r}: pass one of those two")
    _, train_ids, val_ids = corpus_splits()
    batch = lm_batch(train_ids if split == "train" else val_ids, batch_size, n, generator=generator)
    return replace(batch, vocab=TextVocab())
