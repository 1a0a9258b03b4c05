"""Right and wrong answers of chapter 02's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_REFERENCE = """\
import math


def log_n_weight(n, gap, s):
    return 1.0 / (1.0 + (n - 1) * math.exp(-s * math.log(n) * gap))
"""


def _variant(old: str, new: str) -> str:
    assert old in _REFERENCE
    return _REFERENCE.replace(old, new)


CASES = {
    "q4": {
        "right": "q4_gap = 7.470224135899966",
        "wrong": [
            "q4_gap = 5.389",  # the 512-key gap of section 1
            "q4_gap = 7.11",  # log(0.3 * 4095): the factor 1 / (1 - w) forgotten
            "q4_gap = 8.318",  # log 4096
            "q4_gap = 7.5",  # right, but rounded to one decimal
        ],
    },
    "q5": {
        "right": "q5_deficit = 2.0",
        "wrong": [
            "q5_deficit = 0.5",  # section 2's σ = 1 value, recalled
            "q5_deficit = 1.0",  # σ / 2
            "q5_deficit = 4.0",  # σ²
            "q5_deficit = 0.0",  # uniform weights
            "q5_deficit = 11.09",  # log n: as if H did not grow
        ],
    },
    "q6": {
        "right": _REFERENCE,
        "wrong": [
            "def log_n_weight(n, gap, s):\n    return 1.0 / n\n",  # passes only at gap 0
            _variant("s * math.log(n) * gap", "s * gap"),  # the log n factor forgotten
            _variant("s * math.log(n) * gap", "gap"),  # no scaling at all
            _variant("math.log(n)", "math.log10(n)"),  # the wrong logarithm
            _variant("(n - 1)", "n"),  # n distractors instead of n - 1
            _variant("-s * math.log(n) * gap", "-math.log(n) * gap"),  # s forgotten
        ],
        "cheats": [
            "from course_utils.chapters.dilution import relevant_weight\n\n\n"
            "def log_n_weight(n, gap, s):\n    return relevant_weight(n, gap, log_n_scale=s).item()\n"
        ],
    },
    "q6b": {
        "right": "q6b_weight = 0.3033211400121571",
        "wrong": [
            "q6b_weight = 0.5",  # the s·g = 1 answer, n / (2n - 1)
            "q6b_weight = 0.0015",  # no scaling: e^1.8 / (e^1.8 + 4095)
            "q6b_weight = 0.00060",  # s·g = 0.9 without the log n factor
            "q6b_weight = 0.30",  # rounded to 2 decimals only
            "q6b_weight = 0.435",  # n^(sg - 1) alone: the large-n tail, far from it at 4096
        ],
    },
}
