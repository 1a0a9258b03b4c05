"""Right and wrong answers of chapter 12's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_E01 = "import math\nimport torch\n\n\ndef causal_attention(q, k, v):\n"
_E04 = "import torch\n\n\ndef bos_mass(weights):\n"
_E05 = "import torch\n\n\ndef rank_residual(h):\n"
_E07 = (
    "def count_dilated_flops(n, d, heads, segment_lengths, dilation_rates):\n"
    "    pairs = zip(segment_lengths, dilation_rates)\n"
)
_E09 = "import torch\n\n\ndef best_chunk(tokens, chunk):\n"

CASES = {
    "e01": {
        "right": _E01 + "    n = q.shape[0]\n"
        "    s = q @ k.T / math.sqrt(q.shape[-1])\n"
        "    s = s.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float('-inf'))\n"
        "    return torch.softmax(s, dim=-1) @ v\n",
        "wrong": [
            # no 1/sqrt(d)
            _E01 + "    n = q.shape[0]\n"
            "    s = (q @ k.T).masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float('-inf'))\n"
            "    return torch.softmax(s, dim=-1) @ v\n",
            # no causal mask
            _E01 + "    return torch.softmax(q @ k.T / math.sqrt(q.shape[-1]), dim=-1) @ v\n",
            # off by one: each query also hides itself (row 0 sees key 0 only through a fallback)
            _E01 + "    n = q.shape[0]\n"
            "    s = q @ k.T / math.sqrt(q.shape[-1])\n"
            "    hide = torch.ones(n, n, dtype=torch.bool).triu(0)\n"
            "    hide[0, 0] = False\n"
            "    return torch.softmax(s.masked_fill(hide, float('-inf')), dim=-1) @ v\n",
            # mask transposed: queries see the future
            _E01 + "    n = q.shape[0]\n"
            "    s = q @ k.T / math.sqrt(q.shape[-1])\n"
            "    s = s.masked_fill(torch.ones(n, n, dtype=torch.bool).tril(-1), float('-inf'))\n"
            "    return torch.softmax(s, dim=-1) @ v\n",
            # scaled by 1/d instead of 1/sqrt(d)
            _E01 + "    n = q.shape[0]\n"
            "    s = q @ k.T / q.shape[-1]\n"
            "    s = s.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float('-inf'))\n"
            "    return torch.softmax(s, dim=-1) @ v\n",
        ],
        "cheats": [
            _E01 + "    import torch.nn.functional as F\n\n"
            "    return F.scaled_dot_product_attention(q, k, v, is_causal=True)\n",
            "import torch.nn.functional as F\n\n\ndef causal_attention(q, k, v):\n"
            "    return F.scaled_dot_product_attention(q, k, v, is_causal=True)\n",
            "from course_utils.core.attention import attention\n\n\ndef causal_attention(q, k, v):\n"
            "    return attention(q, k, v, causal=True)[0]\n",
            "from course_utils.chapters.flash import online_softmax_attention\n\n\ndef causal_attention(q, k, v):\n"
            "    return online_softmax_attention(q, k, v, causal=True)\n",
            "from course_utils.core.lse_attention import attention_with_lse\n\n\ndef causal_attention(q, k, v):\n"
            "    return attention_with_lse(q, k, v, q_start=0)[0]\n",
            "from course_utils.core.lse_attention import segment_attention\n\n\ndef causal_attention(q, k, v):\n"
            "    return segment_attention(q[None, None], k[None, None], v[None, None], causal=True)[0][0, 0]\n",
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
        "right": _E04 + "    return weights[:, 1:, 0].mean(dim=-1)\n",
        "wrong": [
            _E04 + "    return weights[:, :, 0].mean(dim=-1)\n",  # query 0 included
            _E04 + "    return weights[:, 0, 1:].mean(dim=-1)\n",  # rows and columns swapped
            _E04 + "    return weights[:, 1:, 0].sum(dim=-1)\n",  # a sum, not a mean
            _E04 + "    return weights[:, 1:, 1].mean(dim=-1)\n",  # off by one: key 1
            _E04 + "    return weights[:, 1:, 0].mean(dim=0)\n",  # mean over heads, not queries
        ],
        "cheats": [
            "from course_utils.core.metrics import sink_mass\n\n\ndef bos_mass(weights):\n"
            "    return sink_mass(weights[None, None])[0]\n",
        ],
    },
    "e05": {
        "right": _E05 + "    return (h - h.mean(dim=0, keepdim=True)).norm() / h.norm()\n",
        "wrong": [
            _E05 + "    return (h - h.mean(dim=1, keepdim=True)).norm() / h.norm()\n",  # mean over features
            _E05 + "    return (h - h.mean(dim=0, keepdim=True)).norm()\n",  # not divided
            _E05 + "    c = h - h.mean(dim=0, keepdim=True)\n    return c.norm() / c.norm().clamp_min(1e-12)\n",
            _E05 + "    return (h - h.mean()).norm() / h.norm()\n",  # one scalar mean
        ],
        "cheats": [
            "from course_utils.chapters import collapse\n\n\ndef rank_residual(h):\n"
            "    return collapse.rank_residual(h)\n",
        ],
    },
    "e06": {
        "right": "e06_gib = 256.0",
        "wrong": ["e06_gib = 128.0", "e06_gib = 16.0", "e06_gib = 274.9", "e06_gib = 64.0", "e06_gib = 512.0"],
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
        "right": "e08_logit = 0.12987793878871656",
        "wrong": [
            "e08_logit = 1.4641",  # base-10 logarithm
            "e08_logit = 9.3403",  # offset with the wrong sign
            "e08_logit = 0.2510",  # ln(t / tau), without the 1 +
            "e08_logit = 4.7351",  # the multiplier only
            "e08_logit = -2.6052",  # the offset only, on a raw score of 2
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
