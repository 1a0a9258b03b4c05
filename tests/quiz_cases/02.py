"""Right and wrong answers of chapter 02's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_REFERENCE = """\
import math


def peak_n(g, s, a):
    ratio = (s * g - 1) / (s * a)
    if ratio >= 1:
        return math.inf
    return math.exp(math.atanh(ratio) / (s * a))
"""


def _variant(old: str, new: str) -> str:
    assert old in _REFERENCE
    return _REFERENCE.replace(old, new)


CASES = {
    "q5c": {
        "right": "q5c_thousands = 48",
        "wrong": [
            "q5c_thousands = 0",  # the number of copies k = e^g + 1 = 220 given instead of the number of keys k^2
            "q5c_thousands = 0.22",  # the same, 220 copies, written in thousands
            "q5c_thousands = 48400",  # n in keys, not in thousands of keys
            "q5c_thousands = 10",  # a pure 1/sqrt(n) fall from 0.7766 at 64 copies: k = 99.4, n = 9,881
            "q5c_thousands = 9.9",  # the same, unrounded
            "q5c_thousands = 0.44",  # a single key's half-weight count doubled, the copies' pooling misread
            "q5c_thousands = 49",  # k - 1 = e^g + 1: one copy too many, 221^2 = 48,841
        ],
    },
    "q7": {
        "right": "q7_hundreds = 1.1",
        "wrong": [
            "q7_hundreds = 111",  # n in keys, not in hundreds of keys
            "q7_hundreds = 1.18",  # all 16 keys multiplied by e^2, the relevant key counted with the distractors
            "q7_hundreds = 1.2",  # the same, 16 e^2 = 118.2 keys, rounded
            "q7_hundreds = 0.41",  # 2 nats taken as one factor of e: 1 + 15 e
            "q7_hundreds = 0.16",  # no gain assumed: the extra 2 nats ignored
            "q7_hundreds = 0.31",  # the 2 nats taken as a factor of 2: 1 + 15 * 2 = 31 keys
        ],
    },
    "q8": {
        "right": "q8_value = 5.8",
        "wrong": [
            "q8_value = 6.2",  # the ratio H / log n kept at 0.90: 0.9 ln 1024, fixed by the spread, not the shortfall
            "q8_value = 5.9",  # the direction right, the size guessed: H / log n a little below 0.90 (0.85)
            "q8_value = 5.5",  # a round guess, H / log n = 0.8, not the sigma^2 / 2 shortfall
            "q8_value = 4.7",  # a shortfall of sigma^2 instead of sigma^2 / 2
            "q8_value = 6.9",  # the row taken as uniform with fewer keys: H = log n
            "q8_value = 0.84",  # H / log n given instead of H
        ],
    },
    "q10": {
        "right": "q10_value = 1.9",
        "wrong": [
            "q10_value = 3.4",  # the Gaussian rule e^(sigma^2 / 2) = e^2 taken for the mean e^z
            "q10_value = 3.5",  # the same, from Gaussian draws of spread 2 (mean e^z 7.63, a factor 3.55)
            "q10_value = 2.0",  # doubling the spread taken to halve the weight
            "q10_value = 2.3",  # the ratio of the means of e^z, 3.76 / 1.65: the planted key's own e^(g + 1/2) dropped
            "q10_value = 1.0",  # an unchanged mean score taken to keep section 2's weight
            "q10_value = 0.7",  # e to the mean score, 1: the spread ignored, the weight rising to 0.414
            "q10_value = 3.8",  # the mean e^z itself instead of the factor
        ],
    },
    "q10b": {
        "right": _REFERENCE,
        "wrong": [
            # section 4's Gaussian closed form copied with sigma = a: E[e^z] taken as e^((s a ln n)^2 / 2)
            "import math\n\n\ndef peak_n(g, s, a):\n    return math.exp((s * g - 1) / (s * a) ** 2)\n",
            # the scaling left out of the spread: the ratio's s missing
            _variant("ratio = (s * g - 1) / (s * a)", "ratio = (s * g - 1) / a"),
            # the distractors' count (the - 1, from n - 1 ≈ n) forgotten
            _variant("ratio = (s * g - 1) / (s * a)", "ratio = s * g / (s * a)"),
            # the regime where the weight keeps rising not handled: atanh of a ratio >= 1 raises
            _variant("    if ratio >= 1:\n        return math.inf\n", ""),
            # the equal-distractor result with the spread ignored: for s g > 1 the weight taken to rise for ever
            "import math\n\n\ndef peak_n(g, s, a):\n    return math.inf\n",
            # ln n returned instead of n
            _variant("math.exp(math.atanh(ratio) / (s * a))", "math.atanh(ratio) / (s * a)"),
            # a base-10 logarithm
            _variant("math.exp(math.atanh(ratio) / (s * a))", "10 ** (math.atanh(ratio) / (s * a))"),
            # tanh's argument without its s: the peak of s g L - L - ln cosh(a L)
            _variant("math.exp(math.atanh(ratio) / (s * a))", "math.exp(math.atanh(ratio) / a)"),
            # every distractor taken at its largest score, +a: the log-odds are linear in ln n, no inner peak
            "import math\n\n\ndef peak_n(g, s, a):\n    return math.inf if s * g - 1 > s * a else 1.0\n",
            # section 4's Gaussian log-odds maximised numerically (a ternary search over ln n)
            "import math\n\n\n"
            "def peak_n(g, s, a):\n"
            "    f = lambda L: s * g * L - 0.5 * (s * a * L) ** 2 - L\n"
            "    lo, hi = 0.0, 200.0\n"
            "    for _ in range(300):\n"
            "        x, y = lo + (hi - lo) / 3, hi - (hi - lo) / 3\n"
            "        lo, hi = (x, hi) if f(x) < f(y) else (lo, y)\n"
            "    return math.exp((lo + hi) / 2)\n",
        ],
        "cheats": [
            # the course's closed form with decoys: the +a half as decoys 2a above the -a half, maximised over ln n
            "import math\nfrom course_utils.chapters.dilution import relevant_weight\n\n\n"
            "def peak_n(g, s, a):\n"
            "    if s * g - 1 >= s * a:\n"
            "        return math.inf\n"
            "    def weight(log_n):\n"
            "        n = math.exp(log_n)\n"
            "        return relevant_weight(n, g + a, log_n_scale=s, decoys=(n - 1) / 2, decoy_gap=2 * a).item()\n"
            "    lo, hi = 1e-6, 60.0\n"
            "    for _ in range(200):\n"
            "        x, y = lo + (hi - lo) / 3, hi - (hi - lo) / 3\n"
            "        lo, hi = (lo, y) if weight(x) > weight(y) else (x, hi)\n"
            "    return math.exp((lo + hi) / 2)\n",
        ],
    },
}
