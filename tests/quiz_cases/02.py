"""Right and wrong answers of chapter 02's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_REFERENCE = """\
import math


def log_n_gap(n, w, s, sigma):
    scale = s * math.log(n)
    return (math.log(w / (1 - w)) + math.log(n - 1) + 0.5 * (scale * sigma) ** 2) / scale
"""


def _variant(old: str, new: str) -> str:
    assert old in _REFERENCE
    return _REFERENCE.replace(old, new)


CASES = {
    "q5": {
        "right": "q5_sigma = 1.49",
        "wrong": [
            "q5_sigma = 1.05",  # sigma^2 = 0.1 log n: the 1/2 of sigma^2 / 2 forgotten
            "q5_sigma = 2.22",  # sigma^2, not sigma
            "q5_sigma = 0.45",  # a shortfall of 0.1 nats instead of 0.1 log n
            "q5_sigma = 4.47",  # 0.90 read as the shortfall's share of log n
            "q5_sigma = 2.0",  # the spread of the earlier version of this question
            "q5_sigma = 1.0",  # section 2's spread, recalled
        ],
    },
    "q6": {
        "right": _REFERENCE,
        "wrong": [
            _variant("0.5 * (scale * sigma) ** 2", "(scale * sigma) ** 2"),  # the 1/2 of sigma^2 / 2 forgotten
            _variant("0.5 * (scale * sigma) ** 2", "0.5 * (sigma * math.log(n)) ** 2"),  # s left out of the noise
            _variant("0.5 * (scale * sigma) ** 2", "0.5 * sigma**2"),  # the noise not scaled at all
            _variant("0.5 * (scale * sigma) ** 2", "0.5 * s * sigma**2 * math.log(n)"),  # spread scaled, not sigma
            _variant(" + 0.5 * (scale * sigma) ** 2", ""),  # the noise term forgotten: equal distractors only
            _variant(" + 0.5 * (scale * sigma) ** 2", " - 0.5 * (scale * sigma) ** 2"),  # the noise's sign flipped
            _variant(") / scale", ")"),  # the scaled gap, not the gap before scaling
            _variant(") / scale", ") * scale"),  # scaled the wrong way
            _variant("math.log(n - 1)", "math.log(n)"),  # n distractors instead of n - 1
            _variant("scale = s * math.log(n)", "scale = s * math.log10(n)"),  # the wrong logarithm
            _variant("scale = s * math.log(n)", "scale = math.log(n)"),  # s forgotten
            _variant("math.log(w / (1 - w))", "math.log(w)"),  # w / (1 - w) read as w
            _variant("math.log(w / (1 - w)) + math.log(n - 1)", "math.log(w * n)"),  # as if w = e^g / n
        ],
        "cheats": [
            # the course's inverse for equal distractors, with the noise and the scaling added by hand
            "import math\nfrom course_utils.chapters.dilution import gap_for_weight\n\n\n"
            "def log_n_gap(n, w, s, sigma):\n"
            "    scale = s * math.log(n)\n"
            "    return (gap_for_weight(w, n) + 0.5 * (scale * sigma) ** 2) / scale\n",
            # the course's closed form, inverted by bisection
            "from course_utils.chapters.dilution import relevant_weight\n\n\n"
            "def log_n_gap(n, w, s, sigma):\n"
            "    lo, hi = -100.0, 100.0\n"
            "    for _ in range(200):\n"
            "        mid = (lo + hi) / 2\n"
            "        if relevant_weight(n, mid, distractor_std=sigma, log_n_scale=s).item() < w:\n"
            "            lo = mid\n"
            "        else:\n"
            "            hi = mid\n"
            "    return (lo + hi) / 2\n",
            # the same, the course function captured as a keyword-only default argument, and in a closure
            "from course_utils.chapters.dilution import relevant_weight\n\n\n"
            "def log_n_gap(n, w, s, sigma, *, _weight=relevant_weight):\n"
            "    lo, hi = -100.0, 100.0\n"
            "    for _ in range(200):\n"
            "        mid = (lo + hi) / 2\n"
            "        if _weight(n, mid, distractor_std=sigma, log_n_scale=s).item() < w:\n"
            "            lo = mid\n"
            "        else:\n"
            "            hi = mid\n"
            "    return (lo + hi) / 2\n",
            "import math\nfrom course_utils.chapters import dilution\n\n\n"
            "def _make():\n    f = dilution.gap_for_weight\n\n"
            "    def log_n_gap(n, w, s, sigma):\n"
            "        scale = s * math.log(n)\n"
            "        return (f(w, n) + 0.5 * (scale * sigma) ** 2) / scale\n\n"
            "    return log_n_gap\n\n\nlog_n_gap = _make()\n",
        ],
    },
}
