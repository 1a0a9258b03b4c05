"""Right and wrong answers of chapter 09's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_TOP2 = (
    "import torch\n\n"
    "def retrieve_top2(tokens, pairs_per_chunk, table):\n"
    "    batch = tokens.shape[0]\n"
    "    body = tokens[:, 1:-2].reshape(batch, -1, 2 * pairs_per_chunk)\n"
    "    pooled = table[body[:, :, {places}]].mean(dim=2)\n"
    "    query = table[tokens[:, -1]][:, None, :]\n"
    "    score = {score}\n"
    "    top = {top}\n"
    "    kept = body[torch.arange(batch)[:, None], top].reshape(batch, -1)\n"
    "    return torch.cat([tokens[:, :1], kept, tokens[:, -2:]], dim=1)\n"
)
_RIGHT = {
    "places": "0::2",
    "score": "torch.nn.functional.cosine_similarity(pooled, query, dim=-1)",
    "top": "score.topk(2, dim=1).indices.sort(dim=1).values",
}


def _top2(**changes: str) -> str:
    return _TOP2.format(**{**_RIGHT, **changes})


CASES: dict[str, dict] = {
    "q5b": {
        "right": "q5b_width = 28.1",
        "wrong": [
            "q5b_width = 113.44",  # chunks of 16 pairs, section 4's map-reduce
            "q5b_width = 64",  # the present width
            "q5b_width = 56.4",  # all 131² and 16 × 11² pairs, not the causal ones
            "q5b_width = 84.3",  # the projections alone, 8·d² per token
            "q5b_width = 42.2",  # the MLP alone, 16·d² per token
            "q5b_width = 14.1",  # 2·d per pair instead of 4·d
            "q5b_width = 56.6",  # chunks of 8 pairs
            "q5b_width = 44.6",  # each chunk framed with 2 tokens, not 3 (SEP forgotten)
        ],
    },
    "q6": {
        "right": _top2(),
        "wrong": [
            _top2(top="score.topk(2, dim=1).indices"),  # in score order, not in their original order
            _top2(score="(pooled * query).sum(-1)"),  # dot product, not cosine similarity
            _top2(places="1::2"),  # the values pooled, not the keys
            _top2(places=":"),  # keys and values pooled together
            _top2(top="(-score).topk(2, dim=1).indices.sort(dim=1).values"),  # the two worst chunks
            _top2(top="score.argmax(dim=1, keepdim=True).expand(-1, 2)"),  # the best chunk twice
        ],
        "cheats": [
            "import torch\nfrom course_utils.chapters.retrieval import split_pairs\n\n"
            "def retrieve_top2(tokens, pairs_per_chunk, table):\n"
            "    batch = tokens.shape[0]\n"
            "    body, q = split_pairs(tokens, pairs_per_chunk)\n"
            "    pooled = table[body[:, :, 0::2]].mean(dim=2)\n"
            "    score = torch.nn.functional.cosine_similarity(pooled, table[q][:, None, :], dim=-1)\n"
            "    top = score.topk(2, dim=1).indices.sort(dim=1).values\n"
            "    kept = body[torch.arange(batch)[:, None], top].reshape(batch, -1)\n"
            "    return torch.cat([tokens[:, :1], kept, tokens[:, -2:]], dim=1)\n",
            "import torch\nfrom course_utils.chapters.retrieval import retrieve_by_embedding\n\n"
            "def retrieve_top2(tokens, pairs_per_chunk, table):\n"
            "    first, best = retrieve_by_embedding(tokens, pairs_per_chunk, table)\n"
            "    batch = tokens.shape[0]\n"
            "    body = tokens[:, 1:-2].reshape(batch, -1, 2 * pairs_per_chunk)\n"
            "    pooled = table[body[:, :, 0::2]].mean(dim=2)\n"
            "    score = torch.nn.functional.cosine_similarity(pooled, table[tokens[:, -1]][:, None, :], dim=-1)\n"
            "    top = score.topk(2, dim=1).indices.sort(dim=1).values\n"
            "    kept = body[torch.arange(batch)[:, None], top].reshape(batch, -1)\n"
            "    return torch.cat([tokens[:, :1], kept, tokens[:, -2:]], dim=1)\n",
        ],
    },
}
