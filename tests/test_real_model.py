"""Chapter 10's measurements on all-MiniLM-L6-v2: the helpers, every claim the notebook makes (on
windows the notebook does not use, with tolerances that can fail), and the stored record (its claims,
and part of it recomputed)."""

from __future__ import annotations

from typing import cast

import numpy as np
import pytest
import torch

from course_utils.chapters import real_model
from course_utils.chapters.pretrained import CLS_ID, SEP_ID, Encoder, load_minilm


@pytest.fixture(scope="module")
def enc():
    return load_minilm()


@pytest.fixture(scope="module")
def corpus_ids(enc):
    return real_model.corpus_token_ids(enc)


@pytest.fixture(scope="module")
def record():
    return real_model.load_real_model_record()


# ----------------------------------------------------------------------------- helpers


def test_corpus_windows_are_seeded_disjoint_and_checked():
    ids = list(range(1000))
    a = real_model.corpus_windows(ids, count=5, tokens=100, seed=3)
    assert a == real_model.corpus_windows(ids, count=5, tokens=100, seed=3)
    assert a != real_model.corpus_windows(ids, count=5, tokens=100, seed=4)
    assert len({w[0] for w in a}) == 5 and all(w[0] % 100 == 0 and len(w) == 100 for w in a)
    with pytest.raises(ValueError, match="need 1100 ids"):
        real_model.corpus_windows(ids, count=11, tokens=100, seed=0)


def test_chunk_ids_wraps_every_piece_and_refuses_chunks_past_the_positions():
    chunks = real_model.chunk_ids(list(range(1000, 1010)), 4)
    assert chunks == [
        [CLS_ID, 1000, 1001, 1002, 1003, SEP_ID],
        [CLS_ID, 1004, 1005, 1006, 1007, SEP_ID],
        [CLS_ID, 1008, 1009, SEP_ID],
    ]
    for bad in (0, 511):
        with pytest.raises(ValueError, match="1..510"):
            real_model.chunk_ids([1], bad)


def test_plant_needle_puts_the_needle_at_its_depth_and_keeps_the_length():
    hay, needle = list(range(100)), [-1, -2, -3]
    assert real_model.plant_needle(hay, needle, length=20, depth=0.0)[:3] == needle
    assert real_model.plant_needle(hay, needle, length=20, depth=1.0)[-3:] == needle
    middle = real_model.plant_needle(hay, needle, length=21, depth=0.5)
    assert len(middle) == 21 and middle[9:12] == needle and middle[:9] == hay[:9]
    with pytest.raises(ValueError, match="0..1"):
        real_model.plant_needle(hay, needle, length=20, depth=1.5)
    with pytest.raises(ValueError, match="haystack"):
        real_model.plant_needle(hay, needle, length=200, depth=0.5)


def test_plant_copy_keeps_the_distance_and_refuses_short_content():
    content = list(range(100, 130))
    planted = real_model.plant_copy(content)
    assert planted[20:26] == content[4:10] and planted[:20] == content[:20] and planted[26:] == content[26:]
    with pytest.raises(ValueError, match="too short"):
        real_model.plant_copy(content[:20])


def test_token_classes(enc):
    ids = enc.token_ids("Hello, world (again).")
    kinds = real_model.token_classes(enc, ids)
    pieces = enc.tokens(ids)
    assert [p for p, c in zip(pieces, kinds["punct"]) if c] == [",", "(", ")", "."]
    assert kinds["cls"][0] and kinds["sep"][-1] and int(kinds["content"].sum()) == 3
    assert torch.equal(
        kinds["cls"] | kinds["sep"] | kinds["punct"] | kinds["content"], torch.ones(len(ids), dtype=torch.bool)
    )


def test_rank_of_answer():
    similarity = torch.tensor([[0.1, 0.9, 0.5], [0.3, 0.2, 0.1]])
    assert real_model.rank_of_answer(similarity, [{2}, {1, 2}]).tolist() == [2, 2]
    for relevant in ([{2}, set()], [{2}, {3}], [{2}]):  # a query with no relevant unit, or one set missing
        with pytest.raises(ValueError, match="query 1 has no relevant unit|one set of relevant units per query"):
            real_model.rank_of_answer(similarity, relevant)


@pytest.mark.parametrize("sizes", [(100,), (62, 93), (558,), ()])
def test_run_retrieval_refuses_chunk_sizes_that_can_split_a_fact(sizes):
    """Checked before anything is embedded (no encoder needed): a chunk size off the 62-piece planting
    block can cut a fact in two, and then no chunk holds it."""
    with pytest.raises(ValueError, match=r"multiples of the 62-piece block.*\(62, 124, 186, 248, 310, 372, 434, 496\)"):
        real_model.run_retrieval(cast(Encoder, None), [], seed=0, sizes=sizes)  # refused before any use


def test_planted_documents_hold_each_fact_inside_one_block(enc, corpus_ids):
    docs, where = real_model.planted_documents(corpus_ids, enc, seed=0)
    assert len(docs) == real_model.DOCUMENTS and all(len(d) == real_model.DOC_TOKENS for d in docs)
    for (fact, _), (d, a, b) in zip(real_model.NEEDLES, where):
        assert docs[d][a:b] == enc.token_ids(fact, special=False)
        assert a // 62 == (b - 1) // 62  # one 62-piece block, so one chunk at every size


def test_attention_stats_need_one_length(enc):
    with pytest.raises(ValueError, match="one length"):
        real_model.attention_stats(enc, [[1000] * 40, [1000] * 41])


# ----------------------------------------------------------------------------- the notebook's claims, fresh windows


@pytest.fixture(scope="module")
def sweep(enc, corpus_ids):
    """Windows the notebook does not read (seed 1 instead of 0), at the shortest and the longest n."""
    windows = real_model.corpus_windows(corpus_ids, count=8, tokens=510, seed=1)
    return {k: v.numpy() for k, v in real_model.length_sweep(enc, windows, lengths=(32, 512)).items()}


def test_claim_cls_is_a_sink_in_the_middle_layers_and_dilutes(sweep):
    cls = sweep["cls"].mean(-1)  # (2, windows, layers)
    assert cls[0, :, 1:5].mean() >= 0.4  # about half at 32 tokens
    assert (cls[0, :, 1:5].mean(-1) > 0.3).all()  # in every window
    assert cls[0, :, 0].mean() < 0.2  # not in layer 0
    assert (cls[1, :, 1:5].mean(-1) < cls[0, :, 1:5].mean(-1)).all()  # less at 512 in every window
    assert cls[1, :, 1:5].mean() < 0.3
    assert sweep["sep"].mean(axis=(1, 3)).max() < 0.05  # [SEP] gets little
    heads = sweep["cls"].mean(1)  # (2, layers, heads)
    assert (heads[0] > 0.5).sum() >= 10 and (heads[1] > 0.5).sum() <= 2  # many sink heads at 32, (almost) none at 512


def test_claim_dilution_of_the_copy_and_of_the_largest_weight(sweep):
    best = sweep["duplicate"].mean(1).max(-1)  # (2, layers)
    assert (best[1] < best[0]).all()  # every layer's best head gives the copy less at 512
    layer = int(best[0].argmax())
    assert best[0, layer] >= 0.35 and best[1, layer] <= 0.65 * best[0, layer]  # about half
    per_window = sweep["duplicate"][:, :, layer].max(-1)
    assert (per_window[1] < per_window[0]).mean() >= 0.75
    last = sweep["max_content"][:, :, 5].mean(axis=(1, 2))
    assert last[1] < 0.5 * last[0]
    assert (sweep["entropy"][1, :, 5].mean(-1) > sweep["entropy"][0, :, 5].mean(-1)).mean() >= 0.75


def test_claim_no_collapse_heads_differ_more_at_longer_inputs(sweep):
    js = sweep["head_js"].mean(1)  # (2, layers)
    assert js.min() > 0.15  # far from identical heads (0 bits)
    assert (js[1, :5] > js[0, :5]).all()
    assert js[1, 5] == js[1].min()  # the last layer's heads are the most alike


# ----------------------------------------------------------------------------- the stored record


def test_record_claim_the_start_counts_most_and_everything_fades_with_length(record):
    cosine = np.array(record["needles"]["cosine"])  # (lengths, depths, needles, haystacks)
    by_haystack = cosine.mean(2)  # (lengths, depths, haystacks)
    assert (by_haystack[:, 0] > by_haystack[:, 1:].max(1)).all()  # every length, every haystack
    assert (np.diff(cosine.mean(axis=(2, 3)), axis=0) < 0).all()  # every depth fades with length
    baseline = np.array(record["needles"]["baseline"])
    assert np.abs(baseline.mean(axis=(1, 2))).max() < 0.05
    assert cosine[-1].mean() < 0.5 * cosine[0].mean()


def test_record_claim_small_chunks_retrieve_better_on_every_seed(record):
    sizes = record["retrieval"]["sizes"]
    for seed, run in record["retrieval"]["seeds"].items():
        recall = {s: np.mean(np.array(run["chunks"][str(s)]["chunk_rank"]) <= 1) for s in sizes}
        assert recall[sizes[0]] >= 0.8, seed
        assert recall[sizes[0]] >= recall[sizes[-1]] + 0.3, seed
        assert run["chunks"][str(sizes[0])]["chunks"] == 8 * run["chunks"][str(sizes[-1])]["chunks"]
        best_chunk = np.mean(np.array(run["chunks"][str(sizes[0])]["doc_rank"]) <= 1)
        for method, entry in run["whole"].items():
            whole = np.mean(np.array(entry["doc_rank"]) <= 1)
            assert whole <= 0.5 and best_chunk >= whole + 0.3, (seed, method)


def test_record_recomputes(enc, corpus_ids, record):
    grid = record["needles"]
    live = real_model.needle_grid(enc, real_model.needle_haystacks(corpus_ids), lengths=(62,), depths=(0.0, 1.0))
    stored = np.array(grid["cosine"])[grid["lengths"].index(62)][[0, -1]]
    assert np.abs(live["cosine"][0].numpy() - stored).max() < 1e-4
    run = real_model.run_retrieval(enc, corpus_ids, seed=1, sizes=(62,), whole=False)
    stored_run = record["retrieval"]["seeds"]["1"]["chunks"]["62"]
    assert run["chunks"][62]["chunk_rank"].tolist() == stored_run["chunk_rank"]
    assert run["chunks"][62]["doc_rank"].tolist() == stored_run["doc_rank"]


def test_the_record_names_the_command_that_rebuilds_it(record):
    assert record["command"] == real_model.REBUILD_COMMAND == f"python -m {real_model.__name__} rebuild"
    assert record["torch_version"].startswith("2.")
    with pytest.raises(SystemExit):
        real_model.main(["--help"])  # the command line exists and takes `rebuild`
