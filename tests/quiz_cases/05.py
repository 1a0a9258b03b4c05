"""Right and wrong answers of chapter 05's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_KL = "    def kl(a, b):\n        keep = a > 0\n        return (a[keep] * (a[keep] / b[keep]).log2()).sum()\n"

CASES = {
    "q3": {
        "right": "import torch\ndef residual(h):\n    return (h - h.mean(dim=0, keepdim=True)).norm() / h.norm()",
        "wrong": [
            # the review's bug: the global mean, one number for every feature
            "import torch\ndef residual(h):\n    return (h - h.mean()).norm() / h.norm()",
            # the mean over the features of each token instead of over the tokens
            "import torch\ndef residual(h):\n    return (h - h.mean(dim=1, keepdim=True)).norm() / h.norm()",
            # not divided by ‖H‖: depends on scale
            "import torch\ndef residual(h):\n    return (h - h.mean(dim=0, keepdim=True)).norm()",
            # the ratio of squared norms
            "import torch\ndef residual(h):\n    return ((h - h.mean(dim=0, keepdim=True)).norm() / h.norm()) ** 2",
            # divided by the norm of the centred tokens' complement, ‖1·mean(H)‖
            "import torch\ndef residual(h):\n    c = h.mean(dim=0, keepdim=True)\n"
            "    return (h - c).norm() / (c.norm() * h.shape[0] ** 0.5)",
        ],
        "cheats": [
            "from course_utils.chapters.collapse import rank_residual\ndef residual(h):\n    return rank_residual(h)"
        ],
    },
    "q4": {
        "right": "import torch\ndef js_bits(p, q):\n    m = (p + q) / 2\n"
        + _KL
        + "    return (0.5 * kl(p, m) + 0.5 * kl(q, m)).item()",
        "wrong": [
            # natural logarithms: nats, not bits
            "import torch\ndef js_bits(p, q):\n    m = (p + q) / 2\n"
            "    def kl(a, b):\n        keep = a > 0\n        return (a[keep] * (a[keep] / b[keep]).log()).sum()\n"
            "    return (0.5 * kl(p, m) + 0.5 * kl(q, m)).item()",
            # 0 · log 0 not handled: NaN
            "import torch\ndef js_bits(p, q):\n    m = (p + q) / 2\n"
            "    return (0.5 * (p * (p / m).log2()).sum() + 0.5 * (q * (q / m).log2()).sum()).item()",
            # one side only
            "import torch\ndef js_bits(p, q):\n    m = (p + q) / 2\n" + _KL + "    return kl(p, m).item()",
            # the halves forgotten
            "import torch\ndef js_bits(p, q):\n    m = (p + q) / 2\n" + _KL + "    return (kl(p, m) + kl(q, m)).item()",
            # KL between the heads, not to their mixture
            "import torch\ndef js_bits(p, q):\n" + _KL + "    return (0.5 * kl(p, q) + 0.5 * kl(q, p)).item()",
        ],
        "cheats": [
            "from course_utils.core.metrics import js_divergence\n"
            "def js_bits(p, q):\n    return js_divergence(p, q).item()"
        ],
    },
    "q6": {
        "right": "q6_rate = 1.0",
        "wrong": [
            "q6_rate = 0.1",  # the model's P(one more repeat): sampling, not greedy decoding
            "q6_rate = 0.0",  # "P(repeat) < 0.5, so never"
            "q6_rate = 0.5",  # the common stream's p
            "q6_rate = 0.9",  # one minus the repeat probability
        ],
    },
}
