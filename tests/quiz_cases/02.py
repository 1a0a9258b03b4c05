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
    "q7b": {
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
