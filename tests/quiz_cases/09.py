"""Right and wrong answers of chapter 09's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_TOP2 = (
    "import torch\n\n"
    "def retrieve_top2(tokens, pairs_per_chunk, table, queries, tau):\n"
    "    batch = tokens.shape[0]\n"
    "    body = tokens[:, 1:-2].reshape(batch, -1, 2 * pairs_per_chunk)\n"
    "    keys = table[body[:, :, {places}]]\n"
    "    query = {query}[:, None, None, :]\n"
    "    cosines = torch.nn.functional.cosine_similarity(keys, query, dim=-1)\n"
    "    score = {score}\n"
    "    top = {top}\n"
    "    kept = body[torch.arange(batch)[:, None], top].reshape(batch, -1)\n"
    "    return torch.cat([tokens[:, :1], kept, tokens[:, -2:]], dim=1)\n"
)
_RIGHT = {
    "places": "0::2",
    "query": "queries",
    "score": "tau * torch.logsumexp(cosines / tau, dim=-1)",
    "top": "score.topk(2, dim=1).indices.sort(dim=1).values",
}


def _top2(**changes: str) -> str:
    return _TOP2.format(**{**_RIGHT, **changes})


CASES: dict[str, dict] = {
    "q6": {
        "right": _top2(),
        "wrong": [
            _top2(top="score.topk(2, dim=1).indices"),  # in score order, not in their original order
            _top2(score="cosines.amax(dim=-1)"),  # the best key: tau ignored (its limit as tau -> 0)
            _top2(score="cosines.mean(dim=-1)"),  # the mean cosine: tau ignored (its limit for large tau)
            _top2(  # section 2's retriever: the mean key embedding per chunk
                score="torch.nn.functional.cosine_similarity(keys.mean(dim=2), query[:, :, 0], dim=-1)"
            ),
            _top2(score="torch.logsumexp(cosines, dim=-1) / tau"),  # tau applied outside the log only
            _top2(score="tau * torch.logsumexp(cosines * tau, dim=-1)"),  # multiplied by tau, not divided
            _top2(score="(torch.softmax(cosines / tau, dim=-1) * cosines).sum(dim=-1)"),  # softmax-weighted mean
            _top2(score="tau * torch.logsumexp(-cosines / tau, dim=-1)"),  # the sign flipped
            _top2(score="tau * torch.logsumexp((keys * query).sum(-1) / tau, dim=-1)"),  # dot products, not cosines
            _top2(places="1::2"),  # the values scored, not the keys
            _top2(places=":"),  # keys and values scored together
            _top2(top="(-score).topk(2, dim=1).indices.sort(dim=1).values"),  # the two worst chunks
            _top2(top="score.argmax(dim=1, keepdim=True).expand(-1, 2)"),  # the best chunk twice
            _top2(query="table[tokens[:, -1]]"),  # the query key's own embedding, not the query vector: exact match
            _top2(top="score.topk(2, dim=1).indices.sort(dim=1, descending=True).values"),  # later chunk first
            _top2(  # only the two limits, switched at a middle tau
                score="cosines.amax(dim=-1) if tau < 0.5 else cosines.mean(dim=-1)"
            ),
        ],
        "cheats": [
            "import torch\nfrom course_utils.chapters.retrieval import split_pairs\n\n"
            "def retrieve_top2(tokens, pairs_per_chunk, table, queries, tau):\n"
            "    batch = tokens.shape[0]\n"
            "    body, q = split_pairs(tokens, pairs_per_chunk)\n"
            "    keys = table[body[:, :, 0::2]]\n"
            "    score = torch.nn.functional.cosine_similarity(keys, queries[:, None, None, :], dim=-1)\n"
            "    score = tau * torch.logsumexp(score / tau, dim=-1)\n"
            "    top = score.topk(2, dim=1).indices.sort(dim=1).values\n"
            "    kept = body[torch.arange(batch)[:, None], top].reshape(batch, -1)\n"
            "    return torch.cat([tokens[:, :1], kept, tokens[:, -2:]], dim=1)\n",
            "import torch\nfrom course_utils.chapters.retrieval import retrieve_by_embedding\n\n"
            "def retrieve_top2(tokens, pairs_per_chunk, table, queries, tau):\n"
            "    first, best = retrieve_by_embedding(tokens, pairs_per_chunk, table)\n"
            "    batch = tokens.shape[0]\n"
            "    body = tokens[:, 1:-2].reshape(batch, -1, 2 * pairs_per_chunk)\n"
            "    keys = table[body[:, :, 0::2]]\n"
            "    query = queries[:, None, None, :]\n"
            "    score = tau * torch.logsumexp(torch.nn.functional.cosine_similarity(keys, query, dim=-1) / tau, -1)\n"
            "    top = score.topk(2, dim=1).indices.sort(dim=1).values\n"
            "    kept = body[torch.arange(batch)[:, None], top].reshape(batch, -1)\n"
            "    return torch.cat([tokens[:, :1], kept, tokens[:, -2:]], dim=1)\n",
        ],
    },
}
