"""The course's measurements on a real pretrained model, all-MiniLM-L6-v2 (chapter 10).

Every function takes the encoder of `course_utils.chapters.pretrained.load_minilm()` and token ids from the
shipped corpus (`course_utils/data/corpus.txt`). The slow sweeps (the needle grid, retrieval at every
chunk size, three plantings) are stored in `notebooks/results/real_model.json`; rebuild them with

    python -m course_utils.chapters.real_model rebuild          # about 6 min on 2 cores

and `tests/test_real_model.py` recomputes part of the record and compares.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from pathlib import Path

import torch

from course_utils.chapters.pretrained import CLS_ID, MAX_TOKENS, SEP_ID, Encoder, load_minilm
from course_utils.core.corpus import load_corpus
from course_utils.core.metrics import js_divergence
from course_utils.core.records import read_json, round_floats, write_json
from course_utils.paths import REAL_MODEL_RECORD, require_checkout

#: Lengths (tokens, `[CLS]` and `[SEP]` included) of the attention measurements.
LENGTHS: tuple[int, ...] = (32, 64, 128, 256, 512)
PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

#: Facts to plant and a question about each that shares few words with it. Not in the corpus
#: (Python's documentation): a question's best match is its fact, or nothing.
NEEDLES: tuple[tuple[str, str], ...] = (
    (
        "The lighthouse keeper on Gull Rock feeds his three cats sardines every Tuesday.",
        "What does the lighthouse keeper give his cats to eat?",
    ),
    (
        "The glacier on Mount Velora shrank by forty metres during the summer of the drought.",
        "How much did the glacier on Mount Velora melt?",
    ),
    (
        "The bakery on Elm Street sells a cardamom bun that won the city's pastry prize.",
        "Which pastry from the Elm Street bakery won a prize?",
    ),
    (
        "Captain Ines Moreau sailed the schooner Petrel from Lisbon to Recife in nineteen days.",
        "How long did the Petrel's voyage to Recife take?",
    ),
    (
        "The orchestra's new cellist learned to play on an instrument carved from walnut by her grandfather.",
        "Who made the cellist's first instrument?",
    ),
    (
        "Farmers in the valley plant buckwheat after the rice harvest to restore the soil.",
        "What crop do the valley farmers sow after harvesting rice?",
    ),
    (
        "The museum's oldest tapestry shows a hunting party chasing a white stag through a forest.",
        "What animal is pursued in the museum's oldest tapestry?",
    ),
    (
        "A flock of migrating cranes rested on the frozen lake for two nights before flying south.",
        "Where did the cranes stop during their migration?",
    ),
    (
        "The chess champion opened every game of the final with the queen's gambit.",
        "Which opening did the chess champion play in the final?",
    ),
    (
        "Grandmother's recipe for plum jam calls for a cinnamon stick and a splash of rum.",
        "What goes into grandmother's plum jam besides plums?",
    ),
    (
        "The volcano on the northern island last erupted in 1783 and buried two villages in ash.",
        "When did the northern island's volcano last erupt?",
    ),
    (
        "The marathon winner trained at altitude in the Kenyan highlands for six months.",
        "Where did the marathon winner prepare for the race?",
    ),
    (
        "The library's rarest book is a hand-coloured atlas of the moon printed in 1647.",
        "What is the most valuable book in the library?",
    ),
    (
        "Beekeepers on the hillside harvest heather honey at the end of every August.",
        "When do the hillside beekeepers collect their honey?",
    ),
    (
        "The village choir sang a lullaby in Welsh at the opening of the new bridge.",
        "What did the choir perform when the bridge opened?",
    ),
    (
        "The tailor's shop on the corner has made wedding suits for four generations of the Okafor family.",
        "Which family has bought its wedding clothes from the corner tailor?",
    ),
    (
        "A storm in March tore the copper roof off the old observatory on the ridge.",
        "What damaged the observatory's roof?",
    ),
    (
        "The children's favourite teacher keeps a tortoise named Admiral in the classroom.",
        "What pet lives in the classroom?",
    ),
    (
        "The vineyard's cellar stores its sparkling wine in chalk caves dug by monks.",
        "Where does the vineyard age its sparkling wine?",
    ),
    (
        "The retired pilot restores vintage gliders in a barn behind his farmhouse.",
        "What does the old pilot repair in his barn?",
    ),
)

#: Needle grid: lengths (content word pieces; +2 with `[CLS]` and `[SEP]`), depths, haystack seed.
MINILM_NEEDLE_LENGTHS: tuple[int, ...] = (62, 126, 254, 510)
NEEDLE_DEPTHS: tuple[float, ...] = (0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0)
NEEDLE_COUNT, HAYSTACKS, HAYSTACK_SEED = 10, 5, 7

#: Retrieval: documents of 16 x 62 content word pieces; chunks of 62 * 2^k; plantings (seeds).
CHUNK_SIZES: tuple[int, ...] = (62, 124, 248, 496)
DOC_TOKENS, DOCUMENTS, RETRIEVAL_SEEDS = 992, 12, (0, 1, 2)
#: sentence-transformers embeds at most this many tokens of a text unless told otherwise (`max_seq_length`).
LIBRARY_MAX_TOKENS = 256


# ----------------------------------------------------------------------------- corpus windows


def corpus_token_ids(enc: Encoder) -> list[int]:
    """The whole shipped corpus as word-piece ids (no `[CLS]` / `[SEP]`): about 300k ids, 1.6 s."""
    return enc.token_ids(load_corpus(), special=False)


def corpus_windows(corpus_ids: list[int], *, count: int, tokens: int, seed: int) -> list[list[int]]:
    """`count` windows of `tokens` consecutive corpus word pieces at seeded, non-overlapping starts."""
    if count * tokens > len(corpus_ids):
        raise ValueError(f"{count} windows of {tokens} need {count * tokens} ids; the corpus has {len(corpus_ids)}")
    slots = len(corpus_ids) // tokens
    starts = random.Random(seed).sample(range(slots), count)
    return [corpus_ids[s * tokens : (s + 1) * tokens] for s in starts]


def chunk_ids(ids: list[int], size: int) -> list[list[int]]:
    """Consecutive pieces of `size` ids (the last may be shorter), each wrapped as `[CLS] ... [SEP]`."""
    if not 1 <= size <= MAX_TOKENS - 2:
        raise ValueError(
            f"chunk size must be 1..{MAX_TOKENS - 2} word pieces (two positions go to [CLS] and [SEP]), got {size}"
        )
    return [[CLS_ID, *ids[i : i + size], SEP_ID] for i in range(0, len(ids), size)]


def token_classes(enc: Encoder, ids: list[int]) -> dict[str, torch.Tensor]:
    """Boolean masks (n,) of a wrapped sequence: `cls`, `sep`, `punct` (a word piece of punctuation only)
    and `content` (everything else)."""
    pieces = enc.tokens(ids)
    cls = torch.tensor([i == CLS_ID for i in ids])
    sep = torch.tensor([i == SEP_ID for i in ids])
    punct = torch.tensor([p.removeprefix("##") != "" and set(p.removeprefix("##")) <= PUNCTUATION for p in pieces])
    return {"cls": cls, "sep": sep, "punct": punct & ~cls & ~sep, "content": ~(cls | sep | punct)}


# ----------------------------------------------------------------------------- attention statistics


def plant_copy(content: list[int], *, span: int = 6, start: int = 4, distance: int = 16) -> list[int]:
    """`content` with its `span` word pieces at `start` copied over those at `start + distance`.

    The copy and its original stay `distance` apart at every length, so only the number of other keys
    changes with n (`attention_stats` reads the weight the copy puts on its original).
    """
    if len(content) < start + distance + span:
        raise ValueError(
            f"content of {len(content)} word pieces is too short for a copy at {start + distance} "
            f"of {span}; pass at least {start + distance + span}"
        )
    planted = list(content)
    planted[start + distance : start + distance + span] = content[start : start + span]
    return planted


def attention_stats(
    enc: Encoder, contents: list[list[int]], *, span: int = 6, start: int = 4, distance: int = 16, js_queries: int = 32
) -> dict[str, torch.Tensor]:
    """Sinks, dilution and head similarity of texts `[CLS] + content + [SEP]` of one length n, in one batch.

    Each content gets a planted copy (`plant_copy`). Over the content queries (not `[CLS]`, `[SEP]`,
    punctuation or the two copies), each (texts, layers, heads): `cls`, `sep`, `punct` the mean weight on
    those keys (summed over the class); `max_content` the mean largest weight on one content key;
    `entropy` the mean entropy over log n (1 = uniform). `duplicate` (texts, layers, heads): the mean
    weight each token of the copy puts on its original. `head_js` (texts, layers): the mean
    Jensen-Shannon divergence (bits) between the rows of every pair of heads, over `js_queries` evenly
    spaced content queries.
    """
    if len({len(c) for c in contents}) != 1:
        raise ValueError("pass contents of one length (cut them to the same n - 2 word pieces)")
    ids = [enc.wrap(plant_copy(c, span=span, start=start, distance=distance)) for c in contents]
    n = len(ids[0])
    with torch.no_grad():
        maps = torch.stack(enc.model(torch.tensor(ids))[1], dim=1)  # (B, L, H, n, n)
    copy = torch.arange(start + distance, start + distance + span) + 1  # token index = content index + 1
    out: dict[str, list[torch.Tensor]] = {}
    for text, m in zip(ids, maps):
        kinds = token_classes(enc, text)
        queries = kinds["content"].clone()
        queries[copy] = False
        queries[copy - distance] = False
        rows = m[:, :, queries]  # (L, H, q, n)
        classes = torch.stack([kinds["cls"], kinds["sep"], kinds["punct"]], dim=-1).to(rows.dtype)  # (n, 3)
        mass = (rows @ classes).mean(-2)  # (L, H, 3)
        stats = {"cls": mass[..., 0], "sep": mass[..., 1], "punct": mass[..., 2]}
        stats["max_content"] = rows.masked_fill(~kinds["content"], 0.0).amax(-1).mean(-1)
        stats["entropy"] = (torch.special.entr(rows).sum(-1) / math.log(n)).mean(-1)
        stats["duplicate"] = m[:, :, copy, copy - distance].mean(-1)
        pick = torch.linspace(0, rows.shape[2] - 1, min(js_queries, rows.shape[2])).round().long()
        sample = rows[:, :, pick]  # (L, H, q', n)
        first, second = torch.triu_indices(sample.shape[1], sample.shape[1], offset=1)
        stats["head_js"] = js_divergence(sample[:, first], sample[:, second]).mean(dim=(1, 2))  # (L,)
        for name, value in stats.items():
            out.setdefault(name, []).append(value)
    return {name: torch.stack(values) for name, values in out.items()}


def length_sweep(
    enc: Encoder, windows: list[list[int]], lengths: tuple[int, ...] = LENGTHS, *, batch: int = 4
) -> dict[str, torch.Tensor]:
    """`attention_stats` of every window's first n - 2 word pieces, at every n.

    Returns {stat: tensor (len(lengths), windows, layers[, heads])}, the stats of `attention_stats`.
    """
    if any(len(w) < max(lengths) - 2 for w in windows):
        raise ValueError(f"every window needs at least {max(lengths) - 2} word pieces for n = {max(lengths)}")
    per_length = []
    for n in lengths:
        parts = [
            attention_stats(enc, [w[: n - 2] for w in windows[i : i + batch]]) for i in range(0, len(windows), batch)
        ]
        per_length.append({k: torch.cat([p[k] for p in parts]) for k in parts[0]})
    return {k: torch.stack([p[k] for p in per_length]) for k in per_length[0]}


# ----------------------------------------------------------------------------- needles


def plant(haystack: list[int], needle: list[int], *, length: int, depth: float) -> list[int]:
    """`length` word pieces: the haystack's, with the needle inserted at `depth` (0 = first, 1 = last)."""
    if len(needle) >= length or len(haystack) < length:
        raise ValueError(f"a needle of {len(needle)} in a document of {length} needs a haystack of >= {length}")
    if not 0.0 <= depth <= 1.0:
        raise ValueError(f"depth is a fraction of the document, 0..1; got {depth}")
    at = round(depth * (length - len(needle)))
    return haystack[:at] + needle + haystack[at : length - len(needle)]


def needle_grid(
    enc: Encoder,
    haystacks: list[list[int]],
    *,
    needles: tuple[tuple[str, str], ...] = NEEDLES[:NEEDLE_COUNT],
    lengths: tuple[int, ...] = MINILM_NEEDLE_LENGTHS,
    depths: tuple[float, ...] = NEEDLE_DEPTHS,
) -> dict:
    """Cosine between each question and its fact planted in each haystack, at every length and depth.

    Returns `cosine` (lengths, depths, needles, haystacks), `baseline` (lengths, needles, haystacks): the
    question against the haystack with no needle, and `alone` (needles,): against the fact by itself.
    """
    questions = enc.embed([q for _, q in needles])  # (N, D)
    facts = [enc.token_ids(f, special=False) for f, _ in needles]
    alone = (enc.embed([f for f, _ in needles]) * questions).sum(-1)
    docs, base = [], []
    for length in lengths:
        base.append([enc.wrap(h[:length]) for h in haystacks])
        docs += [
            enc.wrap(plant(h, fact, length=length, depth=depth))
            for depth in depths
            for fact in facts
            for h in haystacks
        ]
    emb = enc.embed_ids(docs).view(len(lengths), len(depths), len(needles), len(haystacks), -1)
    cosine = (emb * questions[None, None, :, None]).sum(-1)
    base_emb = enc.embed_ids([d for row in base for d in row]).view(len(lengths), 1, len(haystacks), -1)
    baseline = (base_emb * questions[None, :, None]).sum(-1)  # (lengths, needles, haystacks)
    return {"cosine": cosine, "baseline": baseline, "alone": alone}


# ----------------------------------------------------------------------------- retrieval


def planted_documents(
    corpus_ids: list[int],
    enc: Encoder,
    *,
    seed: int,
    needles=NEEDLES,
    documents: int = DOCUMENTS,
    tokens: int = DOC_TOKENS,
    block: int = CHUNK_SIZES[0],
):
    """Corpus documents with one fact each planted inside a `block`-aligned block (so that every chunk
    size, a multiple of `block`, holds the whole fact in one chunk).

    Returns (documents: list of id lists, where: list of (document, first id, last id + 1) per fact).
    """
    rng = random.Random(1000 + seed)
    docs = corpus_windows(corpus_ids, count=documents, tokens=tokens, seed=1000 + seed)
    blocks_per_doc = tokens // block
    free = {d: list(range(blocks_per_doc)) for d in range(documents)}
    where = []
    for i, (fact, _) in enumerate(needles):
        fact_ids = enc.token_ids(fact, special=False)
        if len(fact_ids) > block:
            raise ValueError(f"fact {i} has {len(fact_ids)} word pieces, more than a block of {block}")
        d = i % documents
        b = free[d].pop(rng.randrange(len(free[d])))
        at = b * block + rng.randrange(block - len(fact_ids) + 1)
        docs[d][at : at + len(fact_ids)] = fact_ids
        where.append((d, at, at + len(fact_ids)))
    return docs, where


def rank_of_answer(similarity: torch.Tensor, relevant: list[set[int]]) -> torch.Tensor:
    """1-based rank of the best relevant unit for each query: similarity (queries, units) -> (queries,)."""
    order = similarity.argsort(dim=-1, descending=True)
    ranks = [next(r + 1 for r, u in enumerate(order[q].tolist()) if u in relevant[q]) for q in range(len(relevant))]
    return torch.tensor(ranks)


def retrieval_run(
    enc: Encoder, corpus_ids: list[int], *, seed: int, sizes: tuple[int, ...] = CHUNK_SIZES, whole: bool = True
) -> dict:
    """Recall of the chunk holding each fact, and of its document, for one planting (`seed`).

    Returns per chunk size: `chunk_rank` (facts,) rank of the chunk holding the fact; `doc_rank`
    (facts,) rank of its document when a document scores as its best chunk; `chunks` count;
    `seconds` to embed them. And per whole-document embedding (`first_256` as sentence-transformers
    cuts by default, `first_512` the model's limit, `mean_of_chunks` the mean of its 496-piece chunk
    embeddings): `doc_rank` and `fact_inside` (whether the fact lies in what was embedded).
    `whole=False` skips the whole-document embeddings.
    """
    docs, where = planted_documents(corpus_ids, enc, seed=seed)
    questions = enc.embed([q for _, q in NEEDLES])
    out: dict = {"chunks": {}, "whole": {}}
    for size in sizes:
        start = time.perf_counter()
        chunks, owner, first = [], [], []
        for d, doc in enumerate(docs):
            pieces = chunk_ids(doc, size)
            chunks += pieces
            owner += [d] * len(pieces)
            first += [i * size for i in range(len(pieces))]
        emb = enc.embed_ids(chunks)
        seconds = time.perf_counter() - start
        sim = questions @ emb.T  # (facts, chunks)
        holding = [
            {c for c in range(len(chunks)) if owner[c] == d and first[c] <= a and b <= first[c] + size}
            for d, a, b in where
        ]
        doc_sim = torch.stack(
            [sim[:, [c for c in range(len(chunks)) if owner[c] == d]].amax(-1) for d in range(len(docs))], dim=-1
        )  # (facts, documents)
        out["chunks"][size] = {
            "chunk_rank": rank_of_answer(sim, holding),
            "doc_rank": rank_of_answer(doc_sim, [{d} for d, _, _ in where]),
            "chunks": len(chunks),
            "seconds": seconds,
        }
    if not whole:
        return out
    for name, keep in (("first_256", LIBRARY_MAX_TOKENS - 2), ("first_512", MAX_TOKENS - 2)):
        emb = enc.embed_ids([enc.wrap(doc[:keep]) for doc in docs])
        out["whole"][name] = {
            "doc_rank": rank_of_answer(questions @ emb.T, [{d} for d, _, _ in where]),
            "fact_inside": torch.tensor([b <= keep for _, _, b in where]),
        }
    size = max(sizes)
    means = torch.stack([enc.embed_ids(chunk_ids(doc, size)).mean(0) for doc in docs])
    means = torch.nn.functional.normalize(means, dim=-1)
    out["whole"]["mean_of_chunks"] = {
        "doc_rank": rank_of_answer(questions @ means.T, [{d} for d, _, _ in where]),
        "fact_inside": torch.ones(len(where), dtype=torch.bool),
    }
    return out


# ----------------------------------------------------------------------------- the stored record


def needle_haystacks(corpus_ids: list[int]) -> list[list[int]]:
    """The needle grid's haystacks: HAYSTACKS corpus windows of the longest needle length."""
    return corpus_windows(corpus_ids, count=HAYSTACKS, tokens=max(MINILM_NEEDLE_LENGTHS), seed=HAYSTACK_SEED)


def rebuild_record(path: Path = REAL_MODEL_RECORD) -> dict:
    """Run the needle grid and the retrieval runs of every seed; write the record to `path`."""
    torch.manual_seed(0)
    enc = load_minilm()
    corpus_ids = corpus_token_ids(enc)
    start = time.perf_counter()
    grid = needle_grid(enc, needle_haystacks(corpus_ids))
    grid_seconds = time.perf_counter() - start
    runs = {seed: retrieval_run(enc, corpus_ids, seed=seed) for seed in RETRIEVAL_SEEDS}
    for run in runs.values():  # seconds vary with the machine: stored to 0.01 s, compared by no test
        for entry in run["chunks"].values():
            entry["seconds"] = round(entry["seconds"], 2)
    record = {
        "command": "python -m course_utils.chapters.real_model rebuild",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "needles": {
            "lengths": MINILM_NEEDLE_LENGTHS,
            "depths": NEEDLE_DEPTHS,
            "count": NEEDLE_COUNT,
            "haystacks": HAYSTACKS,
            "seconds": round(grid_seconds, 1),
            **grid,
        },
        "retrieval": {
            "sizes": CHUNK_SIZES,
            "documents": DOCUMENTS,
            "doc_tokens": DOC_TOKENS,
            "seeds": {str(s): r for s, r in runs.items()},
        },
    }
    record = round_floats(record)
    write_json(path, record)
    return record


def load_record(path: Path = REAL_MODEL_RECORD) -> dict:
    """The stored record of `rebuild_record`. Example: `load_record()["needles"]["lengths"]`"""
    return read_json(require_checkout(path), "python -m course_utils.chapters.real_model rebuild")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.chapters.real_model", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["rebuild"], help="rebuild notebooks/results/real_model.json")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    rebuild_record()
    print(f"wrote {REAL_MODEL_RECORD} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
