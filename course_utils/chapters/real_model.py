"""The course's measurements on a real pretrained model, all-MiniLM-L6-v2 (chapter 10).

Every function takes the encoder of `course_utils.chapters.pretrained.load_minilm()` and token ids from the
shipped corpus (`course_utils/data/corpus.txt`). The slow sweeps (the needle grid, retrieval at every
chunk size, three plantings) are stored in `notebooks/results/real_model.json`, so that notebook 10
only reads them; rebuild them with

    python -m course_utils.chapters.real_model rebuild

and `tests/test_real_model.py` recomputes part of the record and compares.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from pathlib import Path
from typing import NamedTuple

import torch

from course_utils.chapters.pretrained import CLS_ID, MAX_TOKENS, SEP_ID, Encoder, load_minilm
from course_utils.core.corpus import load_corpus
from course_utils.core.device import model_device
from course_utils.core.metrics import js_divergence
from course_utils.core.records import read_json, round_floats, write_json
from course_utils.paths import REAL_MODEL_RECORD, require_checkout

#: The command that writes `notebooks/results/real_model.json` (`main`); the record stores it.
REBUILD_COMMAND = "python -m course_utils.chapters.real_model rebuild"

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


def corpus_token_ids(encoder: Encoder) -> list[int]:
    """The whole shipped corpus as word-piece ids (no `[CLS]` / `[SEP]`): tokenize once, then cut windows from it."""
    return encoder.token_ids(load_corpus(), special=False)


def corpus_windows(corpus_ids: list[int], *, count: int, tokens: int, seed: int) -> list[list[int]]:
    """`count` windows of `tokens` consecutive corpus word pieces at seeded, non-overlapping starts.

    Example:
        >>> corpus_windows(list(range(20)), count=3, tokens=4, seed=0)
        [[12, 13, 14, 15], [16, 17, 18, 19], [0, 1, 2, 3]]
    """
    if count * tokens > len(corpus_ids):
        raise ValueError(
            f"{count} windows of {tokens} need {count * tokens} ids; the corpus has {len(corpus_ids)}: "
            "ask for fewer or shorter windows"
        )
    slots = len(corpus_ids) // tokens
    starts = random.Random(seed).sample(range(slots), count)
    return [corpus_ids[slot * tokens : (slot + 1) * tokens] for slot in starts]


def chunk_ids(ids: list[int], size: int) -> list[list[int]]:
    """Consecutive pieces of `size` ids (the last may be shorter), each wrapped as `[CLS] ... [SEP]`.

    Example:
        `[CLS]` is id 101 and `[SEP]` 102:

        >>> chunk_ids([7, 8, 9, 10, 11], 2)
        [[101, 7, 8, 102], [101, 9, 10, 102], [101, 11, 102]]
    """
    if not 1 <= size <= MAX_TOKENS - 2:
        raise ValueError(
            f"chunk size must be 1..{MAX_TOKENS - 2} word pieces (two positions go to [CLS] and [SEP]), got {size}; "
            "pass a size in that range"
        )
    return [[CLS_ID, *ids[start : start + size], SEP_ID] for start in range(0, len(ids), size)]


def token_classes(encoder: Encoder, ids: list[int]) -> dict[str, torch.Tensor]:
    """Boolean masks (n,) of a wrapped sequence: `cls`, `sep`, `punct` and `content`.

    `punct` is a word piece of punctuation only; `content` is everything else.
    """
    pieces = [piece.removeprefix("##") for piece in encoder.tokens(ids)]
    cls = torch.tensor([token == CLS_ID for token in ids])
    sep = torch.tensor([token == SEP_ID for token in ids])
    punct = torch.tensor([piece != "" and set(piece) <= PUNCTUATION for piece in pieces])
    return {"cls": cls, "sep": sep, "punct": punct & ~cls & ~sep, "content": ~(cls | sep | punct)}


# ----------------------------------------------------------------------------- attention statistics


def plant_copy(content: list[int], *, span: int = 6, start: int = 4, distance: int = 16) -> list[int]:
    """`content` with its `span` word pieces at `start` copied over those at `start + distance`.

    The copy and its original stay `distance` apart, at the same place, at every length
    (`attention_stats` reads the weight the copy puts on its original).

    Example:
        >>> plant_copy(list(range(10)), span=2, start=1, distance=5)
        [0, 1, 2, 3, 4, 5, 1, 2, 8, 9]
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
    encoder: Encoder,
    contents: list[list[int]],
    *,
    span: int = 6,
    start: int = 4,
    distance: int = 16,
    js_queries: int = 32,
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
    if len({len(content) for content in contents}) != 1:
        raise ValueError("pass contents of one length (cut them to the same n - 2 word pieces)")
    texts = [encoder.wrap(plant_copy(content, span=span, start=start, distance=distance)) for content in contents]
    with torch.no_grad():
        ids = torch.tensor(texts, device=model_device(encoder.model, torch.device("cpu")))
        weights = torch.stack(encoder.model(ids)[1], dim=1).cpu()  # (B, L, H, n, n)
    copy = torch.arange(start + distance, start + distance + span) + 1  # token index = content index + 1
    per_text = [
        _text_stats(token_classes(encoder, text), text_weights, copy, copy - distance, js_queries)
        for text, text_weights in zip(texts, weights)
    ]
    return {name: torch.stack([stats[name] for stats in per_text]) for name in per_text[0]}


def _text_stats(
    kinds: dict[str, torch.Tensor], weights: torch.Tensor, copy: torch.Tensor, original: torch.Tensor, js_queries: int
) -> dict[str, torch.Tensor]:
    """`attention_stats` of one text.

    kinds: its `token_classes`; weights: (layers, heads, n, n); copy, original: the token indices of
    the planted copy and of its original.
    """
    queries = kinds["content"].clone()
    queries[copy] = False
    queries[original] = False
    rows = weights[:, :, queries]  # (L, H, q, n)
    classes = torch.stack([kinds["cls"], kinds["sep"], kinds["punct"]], dim=-1).to(rows.dtype)  # (n, 3)
    mass = (rows @ classes).mean(-2)  # (L, H, 3)
    stats = {"cls": mass[..., 0], "sep": mass[..., 1], "punct": mass[..., 2]}
    stats["max_content"] = rows.masked_fill(~kinds["content"], 0.0).amax(-1).mean(-1)
    stats["entropy"] = (torch.special.entr(rows).sum(-1) / math.log(weights.shape[-1])).mean(-1)
    stats["duplicate"] = weights[:, :, copy, original].mean(-1)
    picked = torch.linspace(0, rows.shape[2] - 1, min(js_queries, rows.shape[2])).round().long()
    sample = rows[:, :, picked]  # (L, H, q', n)
    first, second = torch.triu_indices(sample.shape[1], sample.shape[1], offset=1)
    stats["head_js"] = js_divergence(sample[:, first], sample[:, second]).mean(dim=(1, 2))  # (L,)
    return stats


def length_sweep(
    encoder: Encoder, windows: list[list[int]], lengths: tuple[int, ...] = LENGTHS, *, batch: int = 4
) -> dict[str, torch.Tensor]:
    """`attention_stats` of every window's first n - 2 word pieces, at every n.

    Returns {stat: tensor (len(lengths), windows, layers[, heads])}, the stats of `attention_stats`.
    """
    if any(len(window) < max(lengths) - 2 for window in windows):
        raise ValueError(
            f"every window needs at least {max(lengths) - 2} word pieces for n = {max(lengths)}; cut longer "
            "windows (corpus_windows(..., tokens=...)) or pass shorter lengths"
        )
    per_length = []
    for n in lengths:
        parts = [
            attention_stats(encoder, [window[: n - 2] for window in windows[first : first + batch]])
            for first in range(0, len(windows), batch)
        ]
        per_length.append({name: torch.cat([part[name] for part in parts]) for name in parts[0]})
    return {name: torch.stack([stats[name] for stats in per_length]) for name in per_length[0]}


# ----------------------------------------------------------------------------- needles


def plant_needle(haystack: list[int], needle: list[int], *, length: int, depth: float) -> list[int]:
    """`length` word pieces: the haystack's, with the needle inserted at `depth` (0 = first, 1 = last).

    Example:
        >>> plant_needle([1, 2, 3, 4, 5, 6], [0, 0], length=5, depth=0.5)
        [1, 2, 0, 0, 3]
    """
    if len(needle) >= length or len(haystack) < length:
        raise ValueError(
            f"a needle of {len(needle)} word pieces in a document of {length} needs a haystack of at least "
            f"{length} (got {len(haystack)}) and a needle shorter than the document; pass a longer haystack "
            "or a smaller length"
        )
    if not 0.0 <= depth <= 1.0:
        raise ValueError(
            f"depth is a fraction of the document, 0..1; got {depth}: pass 0 for the first position, 1 for the last"
        )
    at = round(depth * (length - len(needle)))
    return haystack[:at] + needle + haystack[at : length - len(needle)]


def needle_grid(
    encoder: Encoder,
    haystacks: list[list[int]],
    *,
    needles: tuple[tuple[str, str], ...] = NEEDLES[:NEEDLE_COUNT],
    lengths: tuple[int, ...] = MINILM_NEEDLE_LENGTHS,
    depths: tuple[float, ...] = NEEDLE_DEPTHS,
) -> dict[str, torch.Tensor]:
    """Cosine between each question and its fact planted in each haystack, at every length and depth.

    Returns `cosine` (lengths, depths, needles, haystacks), `baseline` (lengths, needles, haystacks): the
    question against the haystack with no needle, and `alone` (needles,): against the fact by itself.
    """
    questions = encoder.embed([question for _, question in needles])  # (N, D)
    facts = [encoder.token_ids(fact, special=False) for fact, _ in needles]
    alone = (encoder.embed([fact for fact, _ in needles]) * questions).sum(-1)
    documents, unplanted = [], []
    for length in lengths:
        unplanted += [encoder.wrap(haystack[:length]) for haystack in haystacks]
        documents += [
            encoder.wrap(plant_needle(haystack, fact, length=length, depth=depth))
            for depth in depths
            for fact in facts
            for haystack in haystacks
        ]
    embedded = encoder.embed_ids(documents).view(len(lengths), len(depths), len(needles), len(haystacks), -1)
    cosine = (embedded * questions[None, None, :, None]).sum(-1)
    unplanted_embedded = encoder.embed_ids(unplanted).view(len(lengths), 1, len(haystacks), -1)
    baseline = (unplanted_embedded * questions[None, :, None]).sum(-1)  # (lengths, needles, haystacks)
    return {"cosine": cosine, "baseline": baseline, "alone": alone}


# ----------------------------------------------------------------------------- retrieval


class PlantedFact(NamedTuple):
    """Where `planted_documents` put a fact: its document and the span [start, end) of its ids."""

    document: int
    start: int
    end: int


def planted_documents(
    corpus_ids: list[int],
    encoder: Encoder,
    *,
    seed: int,
    needles: tuple[tuple[str, str], ...] = NEEDLES,
    documents: int = DOCUMENTS,
    tokens: int = DOC_TOKENS,
    block: int = CHUNK_SIZES[0],
) -> tuple[list[list[int]], list[PlantedFact]]:
    """Corpus documents with one fact each planted inside a `block`-aligned block.

    Every chunk size, a multiple of `block`, then holds the whole fact in one chunk. Returns the
    documents (lists of ids) and where each fact was planted.
    """
    rng = random.Random(1000 + seed)
    docs = corpus_windows(corpus_ids, count=documents, tokens=tokens, seed=1000 + seed)
    free_blocks = {document: list(range(tokens // block)) for document in range(documents)}
    places = []
    for index, (fact, _) in enumerate(needles):
        fact_ids = encoder.token_ids(fact, special=False)
        if len(fact_ids) > block:
            raise ValueError(
                f"fact {index} has {len(fact_ids)} word pieces, more than a block of {block}; shorten the "
                "fact or plant in larger blocks (block=...)"
            )
        document = index % documents
        chosen_block = free_blocks[document].pop(rng.randrange(len(free_blocks[document])))
        start = chosen_block * block + rng.randrange(block - len(fact_ids) + 1)
        docs[document][start : start + len(fact_ids)] = fact_ids
        places.append(PlantedFact(document, start, start + len(fact_ids)))
    return docs, places


def rank_of_answer(similarity: torch.Tensor, relevant: list[set[int]]) -> torch.Tensor:
    """1-based rank of the best relevant unit for each query: similarity (queries, units) -> (queries,).

    relevant[query]: the indices of the units that answer it; each query needs at least one.

    Example:
        >>> rank_of_answer(torch.tensor([[0.1, 0.9, 0.5]]), [{0, 2}])
        tensor([2])
    """
    _check_relevant(similarity, relevant)
    order = similarity.argsort(dim=-1, descending=True)
    ranks = [
        next(rank + 1 for rank, unit in enumerate(order[query].tolist()) if unit in relevant[query])
        for query in range(len(relevant))
    ]
    return torch.tensor(ranks)


def _check_relevant(similarity: torch.Tensor, relevant: list[set[int]]) -> None:
    """Raise ValueError unless `relevant` holds one set per query, each with at least one of the units."""
    queries, units = similarity.shape
    if len(relevant) != queries:
        raise ValueError(f"pass one set of relevant units per query: {queries} queries, {len(relevant)} sets")
    for query, answers in enumerate(relevant):
        if not any(0 <= unit < units for unit in answers):
            raise ValueError(
                f"query {query} has no relevant unit among the {units} units (got {sorted(answers)}); "
                "give every query the index of at least one unit that answers it"
            )


def _check_chunk_sizes(sizes: tuple[int, ...], block: int) -> None:
    """Raise ValueError unless every size is a multiple of the planting block that fits the positions."""
    fitting = tuple(range(block, MAX_TOKENS - 1, block))  # sizes whose chunks hold every fact whole
    if not sizes or any(size not in fitting for size in sizes):
        raise ValueError(
            f"chunk sizes must be multiples of the {block}-piece block the facts are planted in, up to "
            f"{MAX_TOKENS - 2}, so that one chunk holds each fact whole: pick from {fitting}; got {sizes}"
        )


def run_retrieval(
    encoder: Encoder, corpus_ids: list[int], *, seed: int, sizes: tuple[int, ...] = CHUNK_SIZES, whole: bool = True
) -> dict[str, dict]:
    """Recall of the chunk holding each fact, and of its document, for one planting (`seed`).

    Returns per chunk size (`"chunks"`): `chunk_rank` (facts,) rank of the chunk holding the fact;
    `doc_rank` (facts,) rank of its document when a document scores as its best chunk; `chunks` count;
    `seconds` to embed them. And per whole-document embedding (`"whole"`: `first_256` as
    sentence-transformers cuts by default, `first_512` the model's limit, `mean_of_chunks` the mean of
    its 496-piece chunk embeddings): `doc_rank` and `fact_inside` (whether the fact lies in what was
    embedded). `whole=False` skips the whole-document embeddings. Every chunk size must be a multiple of
    `CHUNK_SIZES[0]`, the block each fact is planted in (`planted_documents`).
    """
    _check_chunk_sizes(sizes, CHUNK_SIZES[0])
    docs, places = planted_documents(corpus_ids, encoder, seed=seed)
    questions = encoder.embed([question for _, question in NEEDLES])
    recall: dict[str, dict] = {
        "chunks": {size: _chunk_recall(encoder, docs, places, questions, size) for size in sizes},
        "whole": {},
    }
    if whole:
        recall["whole"] = _whole_document_recall(encoder, docs, places, questions, max(sizes))
    return recall


def _chunk_recall(
    encoder: Encoder, docs: list[list[int]], places: list[PlantedFact], questions: torch.Tensor, size: int
) -> dict[str, torch.Tensor | int | float]:
    """`run_retrieval`'s entry for one chunk size: the ranks of each fact's chunk and document."""
    start = time.perf_counter()
    chunks, owner, first_id = [], [], []
    for document, ids in enumerate(docs):
        pieces = chunk_ids(ids, size)
        chunks += pieces
        owner += [document] * len(pieces)
        first_id += [piece * size for piece in range(len(pieces))]
    embedded = encoder.embed_ids(chunks)
    seconds = time.perf_counter() - start
    similarity = questions @ embedded.T  # (facts, chunks)
    holding = [  # the chunks that hold each fact whole
        {
            chunk
            for chunk in range(len(chunks))
            if owner[chunk] == place.document and first_id[chunk] <= place.start and place.end <= first_id[chunk] + size
        }
        for place in places
    ]
    document_similarity = torch.stack(
        [
            similarity[:, [chunk for chunk in range(len(chunks)) if owner[chunk] == document]].amax(-1)
            for document in range(len(docs))
        ],
        dim=-1,
    )  # (facts, documents): each document scores as its best chunk
    return {
        "chunk_rank": rank_of_answer(similarity, holding),
        "doc_rank": rank_of_answer(document_similarity, [{place.document} for place in places]),
        "chunks": len(chunks),
        "seconds": seconds,
    }


def _whole_document_recall(
    encoder: Encoder, docs: list[list[int]], places: list[PlantedFact], questions: torch.Tensor, size: int
) -> dict[str, dict[str, torch.Tensor]]:
    """`run_retrieval`'s entries for whole-document embeddings.

    A document is embedded from its first 256 or 512 tokens, or as the mean of its chunks of `size`
    word pieces.
    """
    relevant = [{place.document} for place in places]
    recall = {}
    for name, kept in (("first_256", LIBRARY_MAX_TOKENS - 2), ("first_512", MAX_TOKENS - 2)):
        embedded = encoder.embed_ids([encoder.wrap(ids[:kept]) for ids in docs])
        recall[name] = {
            "doc_rank": rank_of_answer(questions @ embedded.T, relevant),
            "fact_inside": torch.tensor([place.end <= kept for place in places]),
        }
    means = torch.stack([encoder.embed_ids(chunk_ids(ids, size)).mean(0) for ids in docs])
    means = torch.nn.functional.normalize(means, dim=-1)
    recall["mean_of_chunks"] = {
        "doc_rank": rank_of_answer(questions @ means.T, relevant),
        "fact_inside": torch.ones(len(places), dtype=torch.bool),
    }
    return recall


# ----------------------------------------------------------------------------- the stored record


def needle_haystacks(corpus_ids: list[int]) -> list[list[int]]:
    """The needle grid's haystacks: HAYSTACKS corpus windows of the longest needle length.

    Example:
        >>> [len(haystack) for haystack in needle_haystacks(list(range(5000)))]
        [510, 510, 510, 510, 510]
    """
    return corpus_windows(corpus_ids, count=HAYSTACKS, tokens=max(MINILM_NEEDLE_LENGTHS), seed=HAYSTACK_SEED)


@torch.random.fork_rng(devices=[])  # seeds its own copy: the caller's random state stays as it was
def rebuild_real_model_record(path: Path = REAL_MODEL_RECORD) -> dict:
    """Run the needle grid and the retrieval runs of every seed; write the record to `path`."""
    torch.manual_seed(0)
    encoder = load_minilm()
    corpus_ids = corpus_token_ids(encoder)
    start = time.perf_counter()
    grid = needle_grid(encoder, needle_haystacks(corpus_ids))
    grid_seconds = time.perf_counter() - start
    runs = {seed: run_retrieval(encoder, corpus_ids, seed=seed) for seed in RETRIEVAL_SEEDS}
    for run in runs.values():  # seconds vary with the machine: stored to 0.01 s, compared by no test
        for entry in run["chunks"].values():
            entry["seconds"] = round(entry["seconds"], 2)
    record = {
        "command": REBUILD_COMMAND,
        "torch_version": torch.__version__,
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
            "seeds": {str(seed): run for seed, run in runs.items()},
        },
    }
    record = round_floats(record)
    write_json(require_checkout(path), record)
    return record


def load_real_model_record(path: Path = REAL_MODEL_RECORD) -> dict:
    """The stored record of `rebuild_real_model_record`.

    Example:
        >>> load_real_model_record()["needles"]["lengths"]
        [62, 126, 254, 510]
    """
    return read_json(require_checkout(path), REBUILD_COMMAND)


def main(argv: list[str] | None = None) -> None:
    """The command line: `REBUILD_COMMAND`."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.chapters.real_model", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["rebuild"], help="rebuild notebooks/results/real_model.json")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    rebuild_real_model_record()
    print(f"wrote {REAL_MODEL_RECORD} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
