"""Right and wrong answers of chapter 02's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_REFERENCE = """\
import math


def peak_n(g, s, sigma):
    return math.exp((s * g - 1) / (s * sigma) ** 2)
"""


def _variant(old: str, new: str) -> str:
    assert old in _REFERENCE
    return _REFERENCE.replace(old, new)


CASES = {
    "q6": {
        "right": _REFERENCE,
        "wrong": [
            _variant(
                "(s * g - 1) / (s * sigma) ** 2", "(s * g - 1) / (2 * (s * sigma) ** 2)"
            ),  # the 1/2 of the noise lost
            _variant("(s * g - 1) / (s * sigma) ** 2", "s * g / (s * sigma) ** 2"),  # the distractors' ln n forgotten
            _variant("(s * g - 1) / (s * sigma) ** 2", "(s * g - 1) / (s * sigma**2)"),  # s not squared in the noise
            _variant("(s * g - 1) / (s * sigma) ** 2", "(g - 1) / sigma**2"),  # s left out
            _variant("(s * g - 1) / (s * sigma) ** 2", "(s * g - 1) / (s**2 * sigma)"),  # sigma not squared
            _variant("(s * g - 1) / (s * sigma) ** 2", "(1 - s * g) / (s * sigma) ** 2"),  # the sign flipped
            _variant("math.exp((s * g - 1) / (s * sigma) ** 2)", "(s * g - 1) / (s * sigma) ** 2"),  # ln n, not n
            _variant("math.exp((s * g - 1) / (s * sigma) ** 2)", "10 ** ((s * g - 1) / (s * sigma) ** 2)"),  # log10
            _variant("math.exp((s * g - 1) / (s * sigma) ** 2)", "math.exp((s * g - 1) / (s * sigma) ** 2) - 1"),
            # the weight's peak found on the exact closed form, ln(n - 1) kept, by bisection on its slope
            "import math\n\n\n"
            "def peak_n(g, s, sigma):\n"
            "    lo, hi = 0.0, 200.0\n"
            "    for _ in range(200):\n"
            "        mid = (lo + hi) / 2\n"
            "        n = math.exp(mid) + 1\n"
            "        if s * g - (s * sigma) ** 2 * math.log(n) > n / (n - 1):\n"
            "            lo = mid\n"
            "        else:\n"
            "            hi = mid\n"
            "    return math.exp((lo + hi) / 2) + 1\n",
        ],
        "cheats": [
            # the course's closed form, maximised by a golden-section search over ln n
            "import math\nfrom course_utils.chapters.dilution import relevant_weight\n\n\n"
            "def peak_n(g, s, sigma):\n"
            "    lo, hi = 0.1, 60.0\n"
            "    for _ in range(200):\n"
            "        a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3\n"
            "        wa = relevant_weight(math.exp(a), g, distractor_std=sigma, log_n_scale=s).item()\n"
            "        wb = relevant_weight(math.exp(b), g, distractor_std=sigma, log_n_scale=s).item()\n"
            "        lo, hi = (lo, b) if wa > wb else (a, hi)\n"
            "    return math.exp((lo + hi) / 2)\n",
            # the same, the course function captured as a keyword-only default argument
            "import math\nfrom course_utils.chapters.dilution import relevant_weight\n\n\n"
            "def peak_n(g, s, sigma, *, _weight=relevant_weight):\n"
            "    best = max(range(1, 4000), key=lambda i: _weight(math.exp(i / 100), g, distractor_std=sigma,"
            " log_n_scale=s).item())\n"
            "    return math.exp(best / 100)\n",
        ],
    },
}
