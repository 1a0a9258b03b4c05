"""Right and wrong answers of chapter 05's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_KEEP = "    keep = (torch.arange(h.shape[1]) < lengths[:, None])[..., None]\n"
_REAL = "    real = torch.where(keep, h, torch.zeros_like(h))\n"
_MEAN = "    mean = real.sum(dim=1, keepdim=True) / lengths[:, None, None]\n"
_CENTRED = "    centred = torch.where(keep, h - mean, torch.zeros_like(h))\n"
_RES = "import torch\ndef residual(h, lengths):\n"

_JS = "import torch\ndef mean_js_bits(a, b):\n    m = (a + b) / 2\n"


def _kl(log="log2"):
    return f"    def kl(x):\n        return torch.where(x > 0, x * (x / m).{log}(), torch.zeros_like(x)).sum(dim=-1)\n"


CASES = {
    "q3": {
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
    "q4": {
        "right": _JS + _kl() + "    return (0.5 * kl(a) + 0.5 * kl(b))[1:].mean().item()",
        "wrong": [
            # natural logarithms: nats, not bits
            _JS + _kl("log") + "    return (0.5 * kl(a) + 0.5 * kl(b))[1:].mean().item()",
            # 0 · log 0 not handled: NaN
            _JS + "    kl = lambda x: (x * (x / m).log2()).sum(-1)\n"
            "    return (0.5 * kl(a) + 0.5 * kl(b))[1:].mean().item()",
            # query 0 counted: off by one
            _JS + _kl() + "    return (0.5 * kl(a) + 0.5 * kl(b)).mean().item()",
            # summed over the queries instead of averaged
            _JS + _kl() + "    return (0.5 * kl(a) + 0.5 * kl(b))[1:].sum().item()",
            # one side only
            _JS + _kl() + "    return kl(a)[1:].mean().item()",
            # the halves forgotten
            _JS + _kl() + "    return (kl(a) + kl(b))[1:].mean().item()",
            # chapter 2's one-pair recipe on the whole matrix: one sum over every row, not a mean of rows
            _JS + "    kl = lambda x: (x[x > 0] * (x[x > 0] / m[1:][x > 0]).log2()).sum()\n"
            "    return (0.5 * kl(a[1:]) + 0.5 * kl(b[1:])).item()",
        ],
        "cheats": [
            "from course_utils.core.metrics import js_divergence\n"
            "def mean_js_bits(a, b):\n    return js_divergence(a[1:], b[1:]).mean().item()",
            "import torch\nfrom course_utils.chapters.collapse import head_divergence\n"
            "def mean_js_bits(a, b):\n    return head_divergence(torch.stack([a, b]))[0, 1].item()",
            # scipy's Jensen-Shannon distance, squared (the guard blocks scipy's code too)
            "from scipy.spatial.distance import jensenshannon\n"
            "def mean_js_bits(a, b):\n"
            "    d = jensenshannon(a[1:].double().numpy(), b[1:].double().numpy(), base=2, axis=1)\n"
            "    return float((d**2).mean())",
        ],
    },
    "q6": {
        "right": "q6_prob = 0.0850059",
        "wrong": [
            "q6_prob = 1.0",  # how often greedy decoding repeats, not the probability it acts on
            "q6_prob = 0.1",  # the stream's p
            "q6_prob = 0.06",  # the model's P(one more repeat) of the whole sentence
            "q6_prob = 0.73",  # the per-token probability averaged over a whole copy
            "q6_prob = 1 / 64",  # chance among the symbols
        ],
    },
    "q7": {
        "right": "q7_length = 363.93",  # 32 e^2.125 + 96, asked to a whole token: 364
        "wrong": [
            "q7_length = 395.93",  # 32 e^g' added to all 128 tokens: a near miss also takes a filler token's place
            "q7_length = 362.93",  # the needle's own token left out: n' - 1 read as n'
            "q7_length = 267.93",  # the near misses' weight alone: the 95 filler tokens left out
            "q7_length = 1071.73",  # every one of the 128 tokens weighed as a near miss
            "q7_length = 96.35",  # e^(g' - g) per near miss: the gap over filler taken from the needle's
            "q7_length = 160",  # a near miss counted as two filler tokens
        ],
    },
}
