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
        "right": "q4_keys = 111",
        "wrong": [
            "q4_keys = 112",  # 1 + 15 e^2 = 111.8 rounded up: the weight is already below w there
            "q4_keys = 118",  # 16 e^2: the keys multiplied, not the distractors
            "q4_keys = 119",  # 1 + 16 e^2
            "q4_keys = 110",  # the distractors, not the keys
            "q4_keys = 64",  # 16 x 2^2: each nat taken as a doubling
            "q4_keys = 44",  # 16 e: one nat, not two
            "q4_keys = 16",  # as if the gap did not have to keep pace with n
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
