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
        "right": "q4_gap_cost = 0.6931471805599453",
        "wrong": [
            "q4_gap_cost = 0.301",  # log10 2: the wrong logarithm
            "q4_gap_cost = 1.0",  # one nat per doubling
            "q4_gap_cost = 2.079",  # log 8: the step from 512 to 4096 keys, not one doubling
            "q4_gap_cost = 7.47",  # the gap itself at 4096 keys for a weight of 0.3
            "q4_gap_cost = 1.386",  # log 4
            "q4_gap_cost = 0.0",  # as if the gap needed did not depend on n
            "q4_gap_cost = 0.694",  # log(1023 / 511): the step from 512 to 1024, not the limit
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
            "q5_deficit = 3.4",  # with section 2's planted key kept and its score doubled too
        ],
    },
    "q6": {
        "right": _REFERENCE,
        "wrong": [
            "def log_n_weight(n, gap, s):\n    return 1.0 / n\n",  # passes only at gap 0
            _variant("s * math.log(n) * gap", "s * gap"),  # the log n factor forgotten
            _variant("s * math.log(n) * gap", "gap"),  # no scaling at all
            _variant("math.log(n)", "math.log10(n)"),  # the wrong logarithm
            _variant("math.log(n)", "math.log2(n)"),  # another wrong logarithm
            _variant("(n - 1)", "n"),  # n distractors instead of n - 1
            _variant("-s * math.log(n) * gap", "-math.log(n) * gap"),  # s forgotten
            _variant("-s * math.log(n) * gap", "-s * math.log(n - 1) * gap"),  # log of the distractors' count
        ],
        "cheats": [
            "from course_utils.chapters.dilution import relevant_weight\n\n\n"
            "def log_n_weight(n, gap, s):\n    return relevant_weight(n, gap, log_n_scale=s).item()\n",
            # the course function captured as a keyword-only default argument, and in a closure
            "from course_utils.chapters.dilution import relevant_weight\n\n\n"
            "def log_n_weight(n, gap, s, *, _weight=relevant_weight):\n"
            "    return _weight(n, gap, log_n_scale=s).item()\n",
            "from course_utils.chapters import dilution\n\n\n"
            "def _make():\n    f = dilution.relevant_weight\n\n"
            "    def log_n_weight(n, gap, s):\n        return f(n, gap, log_n_scale=s).item()\n\n"
            "    return log_n_weight\n\n\nlog_n_weight = _make()\n",
        ],
    },
}
