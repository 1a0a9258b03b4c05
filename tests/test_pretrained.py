"""The course's own encoder runs all-MiniLM-L6-v2 exactly: same embeddings as sentence-transformers,
same attention maps as transformers, the published weights file, and clear errors past 512 tokens."""

from __future__ import annotations

import os

import pytest
import torch

from course_utils.chapters.pretrained import MAX_TOKENS, MODEL_SHA256, file_sha256, load_minilm, model_dir

TEXTS = [
    "Attention is all you need.",
    "The lighthouse keeper on Gull Rock feeds his three cats sardines every Tuesday.",
    "Return a new sorted list from the items in iterable. " * 12,  # 133 word pieces: padding in the batch
]


@pytest.fixture(scope="module")
def enc():
    return load_minilm()


#: The locked transformers (5.x) and sentence-transformers load no model on a torch older than this; the
#: course's own encoder does (`make floor` runs these tests at torch 2.4, where the comparisons skip).
REFERENCES_NEED_TORCH = (2, 6)


@pytest.fixture(scope="module")
def reference_libraries():
    """The Hugging Face references, loaded from the installed folder: tell them never to look online."""
    if tuple(int(part) for part in torch.__version__.split(".")[:2]) < REFERENCES_NEED_TORCH:
        need = ".".join(map(str, REFERENCES_NEED_TORCH))
        pytest.skip(f"the locked transformers loads models on torch >= {need}; this is {torch.__version__}")
    old = {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    yield
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def test_the_weights_are_the_public_file():
    assert file_sha256(model_dir() / "model.safetensors") == MODEL_SHA256


def test_a_different_file_is_refused(tmp_path, monkeypatch):
    fake = tmp_path / "model"
    fake.mkdir()
    (fake / "model.safetensors").write_bytes(b"not the model")
    monkeypatch.setattr("course_utils.chapters.pretrained.model_dir", lambda: fake)
    load_minilm.cache_clear()
    try:
        with pytest.raises(ValueError, match="not the public all-MiniLM-L6-v2 file"):
            load_minilm()
    finally:
        load_minilm.cache_clear()


def test_parameter_count_is_the_published_one(enc):
    pooler = 384 * 384 + 384  # in the file, unused by sentence embeddings: 22.7M with it
    assert sum(p.numel() for p in enc.model.parameters()) == 22_565_376
    assert round((22_565_376 + pooler) / 1e6, 1) == 22.7


@pytest.fixture(scope="module")
def library(reference_libraries):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir()), device="cpu")


def test_embeddings_equal_sentence_transformers(enc, library):
    reference = library
    ours = enc.embed(TEXTS)
    theirs = torch.as_tensor(reference.encode(TEXTS, batch_size=3))
    assert ours.shape == (3, 384)
    assert torch.allclose(ours.norm(dim=-1), torch.ones(3), atol=1e-6)
    assert (ours - theirs).abs().max() <= 1e-5


def test_attention_maps_equal_transformers(enc, reference_libraries):
    from transformers import BertModel

    reference = BertModel.from_pretrained(str(model_dir()), attn_implementation="eager").eval()
    for text in TEXTS:
        ids = enc.token_ids(text)
        with torch.no_grad():
            theirs = torch.stack([a[0] for a in reference(torch.tensor([ids]), output_attentions=True).attentions])
        ours = enc.attention_maps(text)
        assert ours.shape == (6, 12, len(ids), len(ids))
        assert (ours - theirs).abs().max() <= 1e-5


def test_batching_and_padding_do_not_change_an_embedding(enc):
    together = enc.embed(TEXTS, batch_size=3)
    alone = torch.cat([enc.embed([t]) for t in TEXTS])
    assert (together - alone).abs().max() <= 1e-5


def test_attention_maps_hold_cls_and_sep_and_rows_sum_to_one(enc):
    ids = enc.token_ids(TEXTS[0])
    assert enc.tokens(ids)[0] == "[CLS]" and enc.tokens(ids)[-1] == "[SEP]"
    maps = enc.attention_maps(TEXTS[0])
    assert torch.allclose(maps.sum(-1), torch.ones(maps.shape[:-1]), atol=1e-5)


def test_the_longest_text_fits_and_one_more_word_piece_is_a_clear_error(enc):
    word = "attention "  # one word piece
    assert enc.embed([word * (MAX_TOKENS - 2)]).shape == (1, 384)
    with pytest.raises(ValueError, match="learned 512 positions"):
        enc.embed([word * (MAX_TOKENS - 1)])
    with pytest.raises(ValueError, match="learned 512 positions"):
        enc.attention_maps(word * 600)
    with pytest.raises(ValueError, match="longer than the 512 learned positions"):
        enc.embed_ids([[101] + [1000] * 600 + [102]])


@pytest.mark.parametrize(
    "bad, match",
    [
        ("one text", r"embed takes a list of texts; wrap a single text as \[text\]"),
        ([3, 4], "text must be a str, got int; pass one text at a time"),
    ],
)
def test_bad_texts_are_clear_errors(enc, bad, match):
    with pytest.raises(ValueError, match=match):
        enc.embed(bad)


def test_no_texts_is_a_clear_error(enc):
    with pytest.raises(ValueError, match="at least one"):
        enc.embed([])


def test_the_library_cuts_at_256_word_pieces_without_a_word(enc, library):
    """Chapter 10's claim: sentence-transformers' default embedding of a long text is that of its first 254
    word pieces (with [CLS] and [SEP]); nothing past them reaches it."""
    assert library.max_seq_length == 256
    pieces = enc.token_ids(TEXTS[2] * 3, special=False)  # 396 word pieces
    whole = torch.as_tensor(library.encode([TEXTS[2] * 3]))
    first = enc.embed_ids([enc.wrap(pieces[:254])])
    assert len(pieces) > 256 and (whole - first).abs().max() <= 1e-5
