"""Right and wrong answers of chapter 12's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_E01 = "import math\nimport torch\n\n\ndef window_attention(q, k, v, w):\n"
_E01_CHEAT = "import torch\n\n\ndef window_attention(q, k, v, w):\n"
_BAND = "    i = torch.arange(q.shape[0])\n    keep = (i[None, :] <= i[:, None]) & (i[None, :] > i[:, None] - w)\n"
_E04 = "import torch\n\n\ndef sink_share(weights, queries, sinks):\n"
_E05 = "import torch\n\n\ndef rank1_residual(h):\n"
_E03 = "import torch\n\n\ndef causal_alibi(n, heads):\n"
_POS = "    pos = torch.arange(n)\n    dist = (pos[:, None] - pos[None, :]).float()\n"
_E07 = (
    "def count_dilated_flops(n, d, heads, segment_lengths, dilation_rates):\n"
    "    pairs = zip(segment_lengths, dilation_rates)\n"
)
_E09 = "import torch\n\n\ndef chunk_hits(tokens, chunk, queries):\n"
_E08 = "import math\n\n\ndef crossover_distance(s_far, s_near, tau):\n"


def _frame_cheat(signature: str, names: tuple[str, ...], fallback: str) -> str:
    """An answer that returns the check's own reference, read from the caller's globals (review r10 s4, defect 1)."""
    return (
        "import sys\nimport torch\n\n\n"
        f"def {signature}:\n"
        "    g = sys._getframe(1).f_globals\n"
        f"    for name in {names!r}:\n"
        "        if name in g:\n"
        "            return g[name]\n"
        f"    return {fallback}\n"
    )


CASES = {
    "e01": {
        "right": _E01 + _BAND + "    s = (q @ k.T / math.sqrt(q.shape[-1])).masked_fill(~keep, float('-inf'))\n"
        "    return torch.softmax(s, dim=-1) @ v\n",
        "wrong": [
            # plain causal attention: the window ignored
            _E01 + "    n = q.shape[0]\n"
            "    s = q @ k.T / math.sqrt(q.shape[-1])\n"
            "    s = s.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float('-inf'))\n"
            "    return torch.softmax(s, dim=-1) @ v\n",
            # off by one: w + 1 keys
            _E01 + "    i = torch.arange(q.shape[0])\n"
            "    keep = (i[None, :] <= i[:, None]) & (i[None, :] >= i[:, None] - w)\n"
            "    s = (q @ k.T / math.sqrt(q.shape[-1])).masked_fill(~keep, float('-inf'))\n"
            "    return torch.softmax(s, dim=-1) @ v\n",
            # a symmetric band: future keys inside the window seen
            _E01 + "    i = torch.arange(q.shape[0])\n"
            "    keep = (i[None, :] - i[:, None]).abs() < w\n"
            "    s = (q @ k.T / math.sqrt(q.shape[-1])).masked_fill(~keep, float('-inf'))\n"
            "    return torch.softmax(s, dim=-1) @ v\n",
            # no 1/sqrt(d)
            _E01 + _BAND + "    s = (q @ k.T).masked_fill(~keep, float('-inf'))\n"
            "    return torch.softmax(s, dim=-1) @ v\n",
            # the first w keys instead of the last w
            _E01 + "    i = torch.arange(q.shape[0])\n"
            "    keep = (i[None, :] <= i[:, None]) & (i[None, :] < w)\n"
            "    s = (q @ k.T / math.sqrt(q.shape[-1])).masked_fill(~keep, float('-inf'))\n"
            "    return torch.softmax(s, dim=-1) @ v\n",
        ],
        "cheats": [
            _frame_cheat("window_attention(q, k, v, w)", ("_reference",), "torch.zeros_like(q)"),
            # the reviewer's: the course's scores and softmax
            "from course_utils.core.attention import attention_scores, stable_softmax\n\n\n"
            + _E01_CHEAT
            + _BAND
            + "    return stable_softmax(attention_scores(q, k, mask=keep)) @ v\n",
            "from course_utils.core.attention import attention_scores, stable_softmax\n\n\n"
            + _E01_CHEAT
            + "    return stable_softmax(attention_scores(q, k, causal=True)) @ v\n",
            # the reviewer's: the dense reference of dilated attention
            "from course_utils.core.dilated import dilated_reference\n\n\n" + _E01_CHEAT + "    n = q.shape[0]\n"
            "    return dilated_reference(q[None, None], k[None, None], v[None, None], [n], [1], causal=True)[0, 0]\n",
            "from course_utils.core.attention import attention\n\n\n"
            + _E01_CHEAT
            + _BAND
            + "    return attention(q, k, v, mask=keep)[0]\n",
            "import torch.nn.functional as F\n\n\n"
            + _E01_CHEAT
            + _BAND
            + "    return F.scaled_dot_product_attention(q, k, v, attn_mask=keep)\n",
            # the reviewer's: torch.nn.MultiheadAttention with identity projections, weights returned
            _E01_CHEAT + _BAND + "    d = q.shape[-1]\n"
            "    mha = torch.nn.MultiheadAttention(d, 1, bias=False, dtype=q.dtype)\n"
            "    with torch.no_grad():\n"
            "        mha.in_proj_weight.copy_(torch.eye(d, dtype=q.dtype).repeat(3, 1))\n"
            "        mha.out_proj.weight.copy_(torch.eye(d, dtype=q.dtype))\n"
            "    return mha(q, k, v, attn_mask=~keep, need_weights=True)[1] @ v\n",
            "import torch.nn.functional as F\n\n\n" + _E01_CHEAT + _BAND + "    d = q.shape[-1]\n"
            "    eye = torch.eye(d, dtype=q.dtype)\n"
            "    _, w_ = F.multi_head_attention_forward(\n"
            "        q[:, None], k[:, None], v[:, None], d, 1, eye.repeat(3, 1), None, None, None, False, 0.0,\n"
            "        eye, None,\n"
            "        attn_mask=~keep, need_weights=True\n"
            "    )\n"
            "    return w_[0] @ v\n",
        ],
    },
    "e02": {
        "right": "e02_gap = 3.7267269989572007",
        "wrong": [
            "e02_gap = 3.674",  # 2 + ln(256 / 48): the copies counted among their own competitors
            "e02_gap = 4.8254",  # 2 + ln(253 / 15): the three copies counted as one
            "e02_gap = 0.9014",  # 2 + ln(15 / 45): the longer context forgotten
            "e02_gap = 3.0123",  # ln(61 / 3): three copies at weight 0.5 among 64 keys
            "e02_gap = 2.0",  # the same score as in A
            "e02_gap = 2.7726",  # ln 16: sixteen times the keys, the copies forgotten
            "e02_gap = 2.7499",  # base-10 logarithm: 2 + log10(253 / 45)
            "e02_gap = 3.7346",  # 2 + ln(255 / 45): every other key counted as each copy's competitor
            "e02_gap = 3.7307",  # 2 + ln(254 / 45)
        ],
    },
    "e03": {
        "right": _E03
        + "    slopes = 2.0 ** (-8.0 * torch.arange(1, heads + 1) / heads)\n"
        + _POS
        + "    return (-slopes[:, None, None] * dist).masked_fill(dist < 0, float('-inf'))\n",
        "wrong": [
            # the sign
            _E03
            + "    slopes = 2.0 ** (-8.0 * torch.arange(1, heads + 1) / heads)\n"
            + _POS
            + "    return (slopes[:, None, None] * dist).masked_fill(dist < 0, float('-inf'))\n",
            # no mask: notebook 03's symmetric bias
            _E03
            + "    slopes = 2.0 ** (-8.0 * torch.arange(1, heads + 1) / heads)\n"
            + _POS
            + "    return -slopes[:, None, None] * dist.abs()\n",
            # the past masked instead of the future
            _E03
            + "    slopes = 2.0 ** (-8.0 * torch.arange(1, heads + 1) / heads)\n"
            + _POS
            + "    return (-slopes[:, None, None] * dist.abs()).masked_fill(dist > 0, float('-inf'))\n",
            # the diagonal masked too
            _E03
            + "    slopes = 2.0 ** (-8.0 * torch.arange(1, heads + 1) / heads)\n"
            + _POS
            + "    return (-slopes[:, None, None] * dist).masked_fill(dist <= 0, float('-inf'))\n",
            # slopes counted from h = 0
            _E03
            + "    slopes = 2.0 ** (-8.0 * torch.arange(heads) / heads)\n"
            + _POS
            + "    return (-slopes[:, None, None] * dist).masked_fill(dist < 0, float('-inf'))\n",
            # slopes in the reverse order
            _E03
            + "    slopes = 2.0 ** (-8.0 * torch.arange(heads, 0, -1) / heads)\n"
            + _POS
            + "    return (-slopes[:, None, None] * dist).masked_fill(dist < 0, float('-inf'))\n",
            # one slope for every head
            _E03
            + "    slopes = torch.full((heads,), 0.5)\n"
            + _POS
            + "    return (-slopes[:, None, None] * dist).masked_fill(dist < 0, float('-inf'))\n",
            # the reviewer's: slopes 2^-h, right only for 8 heads
            _E03
            + "    slopes = 2.0 ** (-torch.arange(1, heads + 1).float())\n"
            + _POS
            + "    return (-slopes[:, None, None] * dist).masked_fill(dist < 0, float('-inf'))\n",
            # the reviewer's: a large negative number instead of -inf
            _E03
            + "    slopes = 2.0 ** (-8.0 * torch.arange(1, heads + 1) / heads)\n"
            + _POS
            + "    return (-slopes[:, None, None] * dist).masked_fill(dist < 0, -1e9)\n",
            _E03
            + "    slopes = 2.0 ** (-8.0 * torch.arange(1, heads + 1) / heads)\n"
            + _POS
            + "    return (-slopes[:, None, None] * dist).masked_fill(dist < 0, torch.finfo(torch.float32).min)\n",
        ],
        "cheats": [
            _frame_cheat("causal_alibi(n, heads)", ("_reference",), "torch.zeros(heads, n, n)"),
            "import torch\n\nfrom course_utils.core.positional import ALiBi\n\n\ndef causal_alibi(n, heads):\n"
            "    bias = ALiBi(heads).bias(torch.arange(n), torch.arange(n))\n"
            "    return bias.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float('-inf'))\n",
        ],
    },
    "e04": {
        "right": _E04 + "    rows = queries.clone()\n    rows[:, :sinks] = False\n"
        "    on = weights[..., :sinks].sum(dim=-1)\n    m = rows[:, None, :].to(on.dtype)\n"
        "    return (on * m).sum(dim=(0, 2)) / m.sum(dim=(0, 2))\n",
        "wrong": [
            # the queries before the sinks kept
            _E04 + "    on = weights[..., :sinks].sum(dim=-1)\n    m = queries[:, None, :].to(on.dtype)\n"
            "    return (on * m).sum(dim=(0, 2)) / m.sum(dim=(0, 2))\n",
            # the mask ignored
            _E04 + "    return weights[:, :, sinks:, :sinks].sum(dim=-1).mean(dim=(0, 2))\n",
            # key 0 only
            _E04 + "    rows = queries.clone()\n    rows[:, :sinks] = False\n"
            "    on = weights[..., 0]\n    m = rows[:, None, :].to(on.dtype)\n"
            "    return (on * m).sum(dim=(0, 2)) / m.sum(dim=(0, 2))\n",
            # off by one: keys 0 .. sinks
            _E04 + "    rows = queries.clone()\n    rows[:, :sinks] = False\n"
            "    on = weights[..., : sinks + 1].sum(dim=-1)\n    m = rows[:, None, :].to(on.dtype)\n"
            "    return (on * m).sum(dim=(0, 2)) / m.sum(dim=(0, 2))\n",
            # mean per sequence, then over the batch (unequal counts weighted alike)
            _E04 + "    rows = queries.clone()\n    rows[:, :sinks] = False\n"
            "    on = weights[..., :sinks].sum(dim=-1)\n    m = rows[:, None, :].to(on.dtype)\n"
            "    return ((on * m).sum(dim=2) / m.sum(dim=2)).mean(dim=0)\n",
            # mean weight per sink key, not their total
            _E04 + "    rows = queries.clone()\n    rows[:, :sinks] = False\n"
            "    on = weights[..., :sinks].mean(dim=-1)\n    m = rows[:, None, :].to(on.dtype)\n"
            "    return (on * m).sum(dim=(0, 2)) / m.sum(dim=(0, 2))\n",
        ],
        "cheats": [
            _frame_cheat("sink_share(weights, queries, sinks)", ("_reference", "_share"), "weights[0, :, 0, 0]"),
            "import torch\n\nfrom course_utils.core.metrics import sink_mass\n\n\n"
            "def sink_share(weights, queries, sinks):\n"
            "    rows = queries.clone()\n    rows[:, :sinks] = False\n"
            "    rest = weights[..., 1:sinks].sum(dim=-1)\n    m = rows[:, None, :].to(rest.dtype)\n"
            "    return sink_mass(weights[None], rows)[0] + (rest * m).sum(dim=(0, 2)) / m.sum(dim=(0, 2))\n",
        ],
    },
    "e05": {
        "right": _E05
        + "    sv = torch.linalg.svdvals(h)\n    return sv[:, 1:].pow(2).sum(-1).sqrt() / sv.pow(2).sum(-1).sqrt()\n",
        "wrong": [
            # notebook 05's residual: the distance to the mean token
            _E05 + "    c = h - h.mean(dim=1, keepdim=True)\n"
            "    return c.flatten(1).norm(dim=-1) / h.flatten(1).norm(dim=-1)\n",
            # the largest singular value's share, not the rest
            _E05 + "    sv = torch.linalg.svdvals(h)\n    return sv[:, 0] / sv.pow(2).sum(-1).sqrt()\n",
            # singular values not squared
            _E05 + "    sv = torch.linalg.svdvals(h)\n    return sv[:, 1:].sum(-1) / sv.sum(-1)\n",
            # the squared ratio (an energy, not a norm)
            _E05 + "    sv = torch.linalg.svdvals(h)\n    return sv[:, 1:].pow(2).sum(-1) / sv.pow(2).sum(-1)\n",
            # the second singular value alone
            _E05 + "    sv = torch.linalg.svdvals(h)\n    return sv[:, 1] / sv.pow(2).sum(-1).sqrt()\n",
        ],
        "cheats": [
            _frame_cheat("rank1_residual(h)", ("_reference",), "torch.zeros(h.shape[0])"),
            "from course_utils.chapters import collapse\n\n\ndef rank1_residual(h):\n"
            "    return collapse.rank_residual(h)\n",
        ],
    },
    "e06": {
        "right": "e06_tokens = 10512",
        "wrong": [
            "e06_tokens = 10513",  # rounded up from 10512.02: does not fit
            "e06_tokens = 10575",  # q, k, v and o left out
            "e06_tokens = 14829",  # one n x n matrix, not two
            "e06_tokens = 14892",  # the batch of 2 forgotten
            "e06_tokens = 10448",  # q, k, v and o in fp32
            "e06_tokens = 10527",  # the output o left out
            "e06_tokens = 10142",  # GB (10**9 bytes), not GiB
            "e06_tokens = 21151",  # one fp32 score matrix, one sequence, nothing else (the old question)
        ],
    },
    "e07": {
        "right": _E07 + "    return sum(-(-n // w) * (w // r) * (w // r + 1) * 2 * d * heads for w, r in pairs)\n",
        "wrong": [
            # not causal: every pair of a segment
            _E07 + "    return sum(-(-n // w) * (w // r) ** 2 * 4 * d * heads for w, r in pairs)\n",
            # half the square (notebook 06's causal shortcut), not the exact count
            _E07 + "    return sum(-(-n // w) * (w // r) ** 2 * 2 * d * heads for w, r in pairs)\n",
            # the diagonal left out
            _E07 + "    return sum(-(-n // w) * (w // r) * (w // r - 1) * 2 * d * heads for w, r in pairs)\n",
            # the padded segment forgotten
            _E07 + "    return sum((n // w) * (w // r) * (w // r + 1) * 2 * d * heads for w, r in pairs)\n",
            # 2 FLOPs per pair instead of two matmuls of 2 each
            _E07 + "    return sum(-(-n // w) * (w // r) * (w // r + 1) * d * heads for w, r in pairs)\n",
            # forgot the heads
            _E07 + "    return sum(-(-n // w) * (w // r) * (w // r + 1) * 2 * d for w, r in pairs)\n",
            # dilation ignored
            _E07 + "    return sum(-(-n // w) * w * (w + 1) * 2 * d * heads for w, r in pairs)\n",
        ],
        "cheats": [
            _frame_cheat("count_dilated_flops(n, d, heads, segment_lengths, dilation_rates)", ("_want",), "1.0"),
            "from course_utils.chapters.flops import dilated_flops\n\n\n"
            + _E07
            + "    return dilated_flops(n, d, heads, segment_lengths, dilation_rates, causal=True)\n",
            "from course_utils.chapters.flops import attention_flops\n\n\n"
            + _E07
            + "    return sum(-(-n // w) * attention_flops(w // r, d, heads, causal=True) for w, r in pairs)\n",
        ],
    },
    "e08": {
        "right": _E08 + "    a = (s_far + math.sqrt(s_far**2 - 4 * (s_near - 1))) / 2\n"
        "    return tau * math.expm1((a * a - 1) / 2)\n",
        "wrong": [
            # the smaller root of the quadratic in a_t
            _E08 + "    a = (s_far - math.sqrt(s_far**2 - 4 * (s_near - 1))) / 2\n"
            "    return tau * math.expm1((a * a - 1) / 2)\n",
            # the offset m_t only (a_t left out): s_far + m_t = s_near
            _E08 + "    return tau * math.expm1((s_far - s_near) / 2)\n",
            # the multiplier a_t only (m_t left out): a_t * s_far = s_near
            _E08 + "    a = s_near / s_far\n    return tau * math.expm1((a * a - 1) / 2)\n",
            # the 1 of log(1 + t / tau) forgotten
            _E08 + "    a = (s_far + math.sqrt(s_far**2 - 4 * (s_near - 1))) / 2\n"
            "    return tau * math.exp((a * a - 1) / 2)\n",
            # tau forgotten
            _E08 + "    a = (s_far + math.sqrt(s_far**2 - 4 * (s_near - 1))) / 2\n"
            "    return math.expm1((a * a - 1) / 2)\n",
            # the square root of a_t forgotten (a_t = 1 + 2 log(1 + t / tau))
            _E08 + "    a = (s_far + math.sqrt(s_far**2 - 4 * (s_near - 1))) / 2\n"
            "    return tau * math.expm1((a - 1) / 2)\n",
            # base-10 logarithm
            _E08 + "    a = (s_far + math.sqrt(s_far**2 - 4 * (s_near - 1))) / 2\n"
            "    return tau * (10 ** ((a * a - 1) / 2) - 1)\n",
            # returns a_t, not t
            _E08 + "    return (s_far + math.sqrt(s_far**2 - 4 * (s_near - 1))) / 2\n",
        ],
        "cheats": [
            _frame_cheat("crossover_distance(s_far, s_near, tau)", ("_want",), "1.0"),
            # bisection on the course's coefficients
            "import torch\n\nfrom course_utils.core.logits import scale_invariant_coefficients\n\n\n"
            "def crossover_distance(s_far, s_near, tau):\n"
            "    lo, hi = 0.0, 1e6\n"
            "    for _ in range(200):\n"
            "        mid = (lo + hi) / 2\n"
            "        a, m = scale_invariant_coefficients(torch.tensor(mid, dtype=torch.float64), tau)\n"
            "        lo, hi = (mid, hi) if float(a * s_far + m) > s_near else (lo, mid)\n"
            "    return lo\n",
            # the course's logit module, scanned
            "import torch\n\nfrom course_utils.core.logits import ScaleInvariantLogits\n\n\n"
            "def crossover_distance(s_far, s_near, tau):\n"
            "    lo, hi = 0.0, 1e6\n"
            "    f = ScaleInvariantLogits(tau=tau)\n"
            "    for _ in range(200):\n"
            "        mid = (lo + hi) / 2\n"
            "        pos = torch.tensor([0.0, mid], dtype=torch.float64)\n"
            "        logits = f(torch.full((1, 1, 2, 2), s_far, dtype=torch.float64), pos, pos)\n"
            "        lo, hi = (mid, hi) if float(logits[0, 0, 1, 0]) > s_near else (lo, mid)\n"
            "    return lo\n",
        ],
    },
    "e09": {
        "right": _E09 + "    keys = tokens[:, 1 : -queries - 1 : 2]\n    asked = tokens[:, -queries:]\n"
        "    held = (keys[:, :, None] == asked[:, None, :]).any(-1)\n"
        "    return held.reshape(tokens.shape[0], -1, chunk).sum(-1)\n",
        "wrong": [
            # only the last query key
            _E09 + "    keys = tokens[:, 1 : -queries - 1 : 2]\n"
            "    held = keys == tokens[:, -1:]\n"
            "    return held.reshape(tokens.shape[0], -1, chunk).sum(-1)\n",
            # the values' positions
            _E09 + "    keys = tokens[:, 2 : -queries : 2]\n    asked = tokens[:, -queries:]\n"
            "    held = (keys[:, :, None] == asked[:, None, :]).any(-1)\n"
            "    return held.reshape(tokens.shape[0], -1, chunk).sum(-1)\n",
            # notebook 09's slice of the keys (one query key), kept for Q query keys
            _E09 + "    keys = tokens[:, 1:-2:2]\n"
            "    asked = tokens[:, -queries:]\n"
            "    held = (keys[:, :, None] == asked[:, None, :]).any(-1)\n"
            "    return held.reshape(tokens.shape[0], -1, chunk).sum(-1)\n",
            # whether a chunk holds any query key, not how many
            _E09 + "    keys = tokens[:, 1 : -queries - 1 : 2]\n    asked = tokens[:, -queries:]\n"
            "    held = (keys[:, :, None] == asked[:, None, :]).any(-1)\n"
            "    return held.reshape(tokens.shape[0], -1, chunk).any(-1).long()\n",
            # every (K / chunk)-th pair grouped together instead of consecutive pairs
            _E09 + "    keys = tokens[:, 1 : -queries - 1 : 2]\n    asked = tokens[:, -queries:]\n"
            "    held = (keys[:, :, None] == asked[:, None, :]).any(-1)\n"
            "    return held.reshape(tokens.shape[0], chunk, -1).sum(1)\n",
        ],
        "cheats": [
            _E09 + "    import sys\n"
            "    g = sys._getframe(1).f_globals\n"
            "    n_chunks = (tokens.shape[1] - 2 - queries) // 2 // chunk\n"
            "    hits = torch.zeros(tokens.shape[0], n_chunks, dtype=torch.long)\n"
            "    if '_pick' in g and g['_pick'].shape == (tokens.shape[0], queries):\n"
            "        hits.scatter_add_(1, g['_pick'] // chunk, torch.ones_like(g['_pick']))\n"
            "    return hits\n",
            "import torch\n\nfrom course_utils.chapters.retrieval import chunk_with_key\n\n\n"
            "def chunk_hits(tokens, chunk, queries):\n"
            "    head = tokens[:, : -queries]\n"
            "    counts = torch.zeros(tokens.shape[0], (head.shape[1] - 2) // (2 * chunk), dtype=torch.long)\n"
            "    for j in range(queries):\n"
            "        one = torch.cat([head, tokens[:, -queries + j :][:, :1]], 1)\n"
            "        counts[torch.arange(tokens.shape[0]), chunk_with_key(one, chunk)] += 1\n"
            "    return counts\n",
        ],
    },
}
