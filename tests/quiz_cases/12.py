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
        "right": "e02_gap = 3.0122615755052013",
        "wrong": [
            "e02_gap = 4.1431",  # ln 63: one copy, as in notebook 02
            "e02_gap = 3.0445",  # ln 21: 63 / 3, the copies counted among their competitors
            "e02_gap = 3.0603",  # ln(64 / 3)
            "e02_gap = 4.1109",  # ln 61: the three copies counted as one
            "e02_gap = 1.3703",  # ln(61) / 3
            "e02_gap = 3.434",  # ln 31: two copies
            "e02_gap = 1.3083",  # base-10 logarithm
            "e02_gap = 0.5",  # the weight itself
            "e02_gap = 20.3333",  # e^g, not g
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
        ],
        "cheats": [
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
            "from course_utils.chapters import collapse\n\n\ndef rank1_residual(h):\n"
            "    return collapse.rank_residual(h)\n",
        ],
    },
    "e06": {
        "right": "e06_tokens = 21151",
        "wrong": [
            "e06_tokens = 21152",  # rounded, not rounded down: does not fit
            "e06_tokens = 20412",  # GB (10**9 bytes), not GiB
            "e06_tokens = 29912",  # bf16 (2 bytes)
            "e06_tokens = 146542",  # heads forgotten
            "e06_tokens = 447392426",  # n squared
            "e06_tokens = 23170",  # 40 heads
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
            "from course_utils.chapters.flops import dilated_flops\n\n\n"
            + _E07
            + "    return dilated_flops(n, d, heads, segment_lengths, dilation_rates, causal=True)\n",
            "from course_utils.chapters.flops import attention_flops\n\n\n"
            + _E07
            + "    return sum(-(-n // w) * attention_flops(w // r, d, heads, causal=True) for w, r in pairs)\n",
        ],
    },
    "e08": {
        "right": "e08_distance = 535.9815003314424",
        "wrong": [
            "e08_distance = 536.0",  # rounded to a whole token
            "e08_distance = 545.9815",  # ln(t / tau), without the 1 +
            "e08_distance = 17.1828",  # the square root forgotten
            "e08_distance = 53.5982",  # tau forgotten
            "e08_distance = 99990.0",  # base-10 logarithm
            "e08_distance = 3.0",  # the multiplier itself
            "e08_distance = 128.0462",  # a_t = 2.5
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
