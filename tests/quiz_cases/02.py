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
        "right": "q4_gap_cost = 1.2992829841302609",
        "wrong": [
            "q4_gap_cost = 1.099",  # log 3: the large-n limit, not 4 -> 12
            "q4_gap_cost = 0.693",  # log 2: per doubling, recalled
            "q4_gap_cost = 1.386",  # log(12 / 3): keys at one length, distractors at the other
            "q4_gap_cost = 0.564",  # log10(11 / 3): the wrong logarithm
            "q4_gap_cost = 1.0",  # one nat
            "q4_gap_cost = 0.0",  # as if the gap needed did not depend on n
            "q4_gap_cost = 3.0",  # the factor on n, not a gap
        ],
    },
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
