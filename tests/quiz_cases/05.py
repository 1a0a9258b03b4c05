"""Right and wrong answers of chapter 05's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_KEEP = "    keep = (torch.arange(h.shape[1]) < lengths[:, None])[..., None]\n"
_REAL = "    real = torch.where(keep, h, torch.zeros_like(h))\n"
_MEAN = "    mean = real.sum(dim=1, keepdim=True) / lengths[:, None, None]\n"
_CENTRED = "    centred = torch.where(keep, h - mean, torch.zeros_like(h))\n"
_RES = "import torch\ndef residual(h, lengths):\n"

_LAYER = "import torch\ndef layer_js_bits(weights):\n"
_ENT = "    def entropy(p):\n        return -torch.where(p > 0, p * p.log2(), torch.zeros_like(p)).sum(dim=-1)\n"
_JSQ = "    per_query = entropy(weights.mean(dim=0)) - entropy(weights).mean(dim=0)\n"


CASES = {
    "q7": {
        "right": _RES
        + _KEEP
        + _REAL
        + _MEAN
        + _CENTRED
        + "    return centred.norm(dim=(1, 2)) / real.norm(dim=(1, 2))",
        "wrong": [
            # the padding counted as tokens: the residual of all n rows
            _RES + "    return (h - h.mean(dim=1, keepdim=True)).norm(dim=(1, 2)) / h.norm(dim=(1, 2))",
            # the mean over the real tokens, but the padding left in the norm of H
            _RES + _KEEP + _REAL + _MEAN + _CENTRED + "    return centred.norm(dim=(1, 2)) / h.norm(dim=(1, 2))",
            # the padding zeroed, but the mean divided by n instead of the sequence's length
            _RES
            + _KEEP
            + _REAL
            + "    mean = real.mean(dim=1, keepdim=True)\n"
            + _CENTRED
            + "    return centred.norm(dim=(1, 2)) / real.norm(dim=(1, 2))",
            # one global mean per sequence (over tokens and features), not the mean token
            _RES
            + _KEEP
            + _REAL
            + "    mean = real.sum(dim=(1, 2), keepdim=True) / (lengths[:, None, None] * h.shape[2])\n"
            + _CENTRED
            + "    return centred.norm(dim=(1, 2)) / real.norm(dim=(1, 2))",
            # not divided by the norm of H: depends on scale
            _RES + _KEEP + _REAL + _MEAN + _CENTRED + "    return centred.norm(dim=(1, 2))",
        ],
        "cheats": [
            "import torch\nfrom course_utils.chapters.collapse import rank_residual\n"
            "def residual(h, lengths):\n"
            "    return torch.stack([rank_residual(x[:k]) for x, k in zip(h, lengths.tolist())])",
        ],
    },
    "q8": {
        "right": _LAYER + _ENT + _JSQ + "    return per_query[1:].mean().item()",
        "wrong": [
            # natural logarithms: nats, not bits
            _LAYER + _ENT.replace("log2", "log") + _JSQ + "    return per_query[1:].mean().item()",
            # 0 · log 0 not handled: NaN
            _LAYER
            + "    entropy = lambda p: -(p * p.log2()).sum(-1)\n"
            + _JSQ
            + "    return per_query[1:].mean().item()",
            # query 0 counted: off by one
            _LAYER + _ENT + _JSQ + "    return per_query.mean().item()",
            # the two terms the wrong way round: mean entropy minus the mean's entropy
            _LAYER + _ENT + "    per_query = entropy(weights).mean(dim=0) - entropy(weights.mean(dim=0))\n"
            "    return per_query[1:].mean().item()",
            # section 2's pairwise JS, averaged over the pairs of heads
            "import torch\nimport itertools\ndef layer_js_bits(weights):\n"
            + _ENT
            + "    pairs = [entropy((a + b) / 2) - (entropy(a) + entropy(b)) / 2"
            " for a, b in itertools.combinations(weights, 2)]\n"
            "    return torch.stack(pairs).mean(0)[1:].mean().item()",
            # entropies averaged over the queries before subtracting: the same here, so summed instead
            _LAYER + _ENT + _JSQ + "    return per_query[1:].sum().item()",
        ],
        "cheats": [
            "import itertools\nimport torch\nfrom course_utils.core.metrics import js_divergence\n"
            "def layer_js_bits(weights):\n    return js_divergence(weights.mean(0)[1:], weights[0, 1:]).mean().item()",
            "import torch\nfrom course_utils.core.metrics import normalized_entropy\n"
            "def layer_js_bits(weights):\n"
            "    n = torch.arange(1, weights.shape[-1] + 1).log2()\n"
            "    h = lambda p: normalized_entropy(p) * n\n"
            "    return (h(weights.mean(0)) - h(weights).mean(0))[1:].mean().item()",
            # scipy's entropy (the guard blocks scipy's code too)
            "import torch\nfrom scipy.stats import entropy\n"
            "def layer_js_bits(weights):\n"
            "    w = weights.double().numpy()\n"
            "    per_query = entropy(w.mean(0), base=2, axis=-1) - entropy(w, base=2, axis=-1).mean(0)\n"
            "    return float(per_query[1:].mean())",
        ],
    },
    "q1": {
        "right": "q1_answer = {2, 4, 5, 6, 7, 9}",
        "wrong": [
            "q1_answer = {2, 4, 5, 6, 7}",  # lost in the middle missed (the old key)
            "q1_answer = {2, 4, 5, 7, 9}",  # the naive kernel's quadratic memory and FLOPs missed
            "q1_answer = {2, 4, 5, 6, 9}",  # self-reinforcing repetition not seen as a failure of long contexts
            "q1_answer = {2, 5, 6, 7, 9}",  # look-alike near misses missed
            "q1_answer = {1, 2, 4, 5, 6, 7, 9}",  # dilution read as a temperature that rises with n
            "q1_answer = {2, 3, 4, 5, 6, 7, 9}",  # RoPE's cos and sin read as overflowing
            "q1_answer = {2, 4, 5, 6, 7, 8, 9}",  # the KV cache read as quadratic too
            "q1_answer = {2, 4, 5, 7, 8, 9}",  # the quadratic memory put in the KV cache, not in the score matrix
            "q1_answer = {2, 4, 6, 7, 9}",  # unseen positions missed
            "q1_answer = {4, 5, 6, 7, 9}",  # dilution missed
            "q1_answer = {1, 3, 8}",  # the distractors alone
            "q1_answer = {1, 2, 3, 4, 5, 6, 7, 8, 9}",  # every mode
            "q1_answer = set()",  # none
        ],
    },
    "q10": {
        "right": "q10_first = (0.08531, 0.103318, 0.091833)",  # asked to 3 decimals each: 0.085, 0.103, 0.092
        "wrong": [
            "q10_first = (0.08531, 0.08531, 0.08531)",  # seed 0's model three times
            "q10_first = (0.091833, 0.103318, 0.08531)",  # the seeds in reverse order
            "q10_first = (0.085488, 0.081408, 0.096087)",  # the prompt with one copy, not eight
            "q10_first = (0.08525, 0.10285, 0.08937)",  # the prompt with nine copies
            "q10_first = (0.06, 0.0874, 0.0761)",  # the whole ninth copy's probability (copy_log_probs)
            "q10_first = (0.09335, 0.11566, 0.10122)",  # p / (1 - p): the copy against all the others together
            "q10_first = (0.08424, 0.10038, 0.0916)",  # the median, not the mean
            "q10_first = (0.0202, 0.0207, 0.0202)",  # the runner-up's probability
            "q10_first = (-2.46594, -2.28454, -2.39239)",  # the log-probability
            "q10_first = (4.233, 5.0073, 4.555)",  # the copy's probability over the runner-up's: a ratio
            "q10_first = (0.015625, 0.015625, 0.015625)",  # chance: 1 of 64 symbols
        ],
    },
    "q5": {
        "right": "import math\ndef filler_equivalent(n, m, g, g_prime):\n    return n - m + m * math.exp(g_prime)",
        "wrong": [
            # a near miss added to the n tokens, not in a filler token's place
            "import math\ndef filler_equivalent(n, m, g, g_prime):\n    return n + m * math.exp(g_prime)",
            # e^(g' - g) per near miss: the gap over filler taken from the needle's
            "import math\ndef filler_equivalent(n, m, g, g_prime):\n    return n - m + m * math.exp(g_prime - g)",
            # the needle's own token left out
            "import math\ndef filler_equivalent(n, m, g, g_prime):\n    return n - m + m * math.exp(g_prime) - 1",
            # a near miss counted as one filler token: no change
            "import math\ndef filler_equivalent(n, m, g, g_prime):\n    return float(n)",
            # rounded to a whole token
            "import math\ndef filler_equivalent(n, m, g, g_prime):\n"
            "    return float(round(n - m + m * math.exp(g_prime)))",
            # the near misses' weight alone
            "import math\ndef filler_equivalent(n, m, g, g_prime):\n    return m * math.exp(g_prime)",
        ],
        "cheats": [
            # a search over lengths with the course's closed form
            "from course_utils.chapters.dilution import relevant_weight\n"
            "def filler_equivalent(n, m, g, g_prime):\n"
            "    w = float(relevant_weight(n, g, decoys=m, decoy_gap=g_prime))\n"
            "    lo, hi = 1.0, 1e9\n"
            "    for _ in range(200):\n"
            "        mid = (lo + hi) / 2\n"
            "        lo, hi = (mid, hi) if float(relevant_weight(mid, g)) > w else (lo, mid)\n"
            "    return lo",
        ],
    },
}
