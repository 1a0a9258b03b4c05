"""Right and wrong answers of chapter 12's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_E01 = "import math\nimport torch\n\n\ndef window_attention(q, k, v, w):\n"
_E01_CHEAT = "import torch\n\n\ndef window_attention(q, k, v, w):\n"
_BAND = "    i = torch.arange(q.shape[0])\n    keep = (i[None, :] <= i[:, None]) & (i[None, :] > i[:, None] - w)\n"
_E04 = "import torch\n\n\ndef sink_share(weights, queries, sinks):\n"
_E05 = "import torch\n\n\ndef rank1_residual(h):\n"
_E07 = (
    "def count_dilated_flops(n, d, heads, segment_lengths, dilation_rates):\n"
    "    pairs = zip(segment_lengths, dilation_rates)\n"
)
_E09 = "import torch\n\n\ndef best_chunk(tokens, chunk):\n"

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
        ],
    },
    "e02": {
        "right": "e02_gap = 4.143134726391533",
        "wrong": [
            "e02_gap = 4.1589",  # ln 64: the relevant key counted among its own competitors
            "e02_gap = 1.7993",  # base-10 logarithm
            "e02_gap = 5.9773",  # base-2 logarithm
            "e02_gap = 0.5",  # the weight itself
            "e02_gap = 0.0",
            "e02_gap = 63.0",  # e^g, not g
            "e02_gap = 6.9305",  # ln 1023: the question at another n
        ],
    },
    "e03": {
        "right": "import torch\n\n\ndef alibi_bias(n, slope):\n"
        "    pos = torch.arange(n, dtype=torch.float32)\n"
        "    return -slope * (pos[:, None] - pos[None, :]).abs()\n",
        "wrong": [
            # the sign
            "import torch\n\n\ndef alibi_bias(n, slope):\n"
            "    pos = torch.arange(n, dtype=torch.float32)\n"
            "    return slope * (pos[:, None] - pos[None, :]).abs()\n",
            # signed distance, no |.|
            "import torch\n\n\ndef alibi_bias(n, slope):\n"
            "    pos = torch.arange(n, dtype=torch.float32)\n"
            "    return -slope * (pos[:, None] - pos[None, :])\n",
            # the distance to the start, not between the two tokens
            "import torch\n\n\ndef alibi_bias(n, slope):\n"
            "    pos = torch.arange(n, dtype=torch.float32)\n"
            "    return -slope * pos[None, :].expand(n, n)\n",
        ],
        "cheats": [
            "import torch\n\nfrom course_utils.core.positional import ALiBi\n\n\ndef alibi_bias(n, slope):\n"
            "    alibi = ALiBi(1)\n"
            "    return alibi.bias(torch.arange(n), torch.arange(n))[0] / alibi.slopes[0] * slope\n",
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
        "right": "e06_tokens = 23170",
        "wrong": [
            "e06_tokens = 23171",  # rounded up: does not fit
            "e06_tokens = 22360",  # GB (10**9 bytes), not GiB
            "e06_tokens = 32768",  # bf16 (2 bytes)
            "e06_tokens = 146543",  # heads forgotten
            "e06_tokens = 536870912",  # n squared
            "e06_tokens = 16384",  # 80 heads
        ],
    },
    "e07": {
        "right": _E07 + "    return sum(4 * (n // w) * (w // r) ** 2 * d * heads for w, r in pairs)\n",
        "wrong": [
            # 2 FLOPs per score instead of two matmuls of 2 each
            _E07 + "    return sum(2 * (n // w) * (w // r) ** 2 * d * heads for w, r in pairs)\n",
            # rows kept not squared
            _E07 + "    return sum(4 * (n // w) * (w // r) * w * d * heads for w, r in pairs)\n",
            # forgot the n / w segments
            _E07 + "    return sum(4 * (w // r) ** 2 * d * heads for w, r in pairs)\n",
            # forgot the heads
            _E07 + "    return sum(4 * (n // w) * (w // r) ** 2 * d for w, r in pairs)\n",
            # dense attention
            _E07 + "    return 4 * n * n * d * heads\n",
            # each segment keeps all w rows (dilation ignored)
            _E07 + "    return sum(4 * (n // w) * w**2 * d * heads for w, r in pairs)\n",
            # dilation applied to the whole sequence: (n / r)^2 per pattern
            _E07 + "    return sum(4 * (n // r) ** 2 * d * heads for w, r in pairs)\n",
        ],
        "cheats": [
            "from course_utils.chapters.flops import dilated_flops\n\n\n"
            + _E07
            + "    return dilated_flops(n, d, heads, segment_lengths, dilation_rates)\n",
            "from course_utils.chapters.flops import attention_flops\n\n\n"
            + _E07
            + "    return sum((n // w) * attention_flops(w // r, d, heads) for w, r in pairs)\n",
        ],
    },
    "e08": {
        "right": "e08_distance = 535.9815003314424",
        "wrong": [
            "e08_distance = 545.9815",  # ln(t / tau), without the 1 +
            "e08_distance = 17.1828",  # the square root forgotten
            "e08_distance = 53.5982",  # tau forgotten
            "e08_distance = 99990.0",  # base-10 logarithm
            "e08_distance = 3.0",  # the multiplier itself
            "e08_distance = 128.0462",  # a_t = 2.5
        ],
    },
    "e09": {
        "right": _E09 + "    keys = tokens[:, 1:-2:2]\n    return (keys == tokens[:, -1:]).long().argmax(1) // chunk\n",
        "wrong": [
            _E09 + "    return (tokens[:, 1:-2:2] == tokens[:, -1:]).long().argmax(1)\n",  # pair index, not chunk
            _E09 + "    return (tokens[:, 2:-2:2] == tokens[:, -1:]).long().argmax(1) // chunk\n",  # value positions
            _E09 + "    return (tokens[:, 0:-2:2] == tokens[:, -1:]).long().argmax(1) // chunk\n",  # off by one (BOS)
            _E09
            + "    return (tokens[:, 1:-2:2] == tokens[:, -1:]).long().argmax(1) // (2 * chunk)\n",  # tokens, not pairs
        ],
        "cheats": [
            "from course_utils.chapters.retrieval import chunk_with_key\n\n\ndef best_chunk(tokens, chunk):\n"
            "    return chunk_with_key(tokens, chunk)\n",
        ],
    },
}
