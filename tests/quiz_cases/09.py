"""Right and wrong answers of chapter 09's questions that are not multiple choice (tests/test_quiz_questions.py)."""

CASES = {
    "q1": {
        "right": "q1_predicted = 0.8083",  # recall@1 0.8516 x oracle accuracy 0.9492
        "wrong": [
            "q1_predicted = 0.8516",  # recall@1 alone
            "q1_predicted = 0.9492",  # the oracle's accuracy alone
            "q1_predicted = 0.8008",  # recall + oracle - 1 (a lower bound), also the measured 0.80
            "q1_predicted = 0.9004",  # the mean of the two
            "q1_predicted = 0.9925",  # 1 - (1 - recall)(1 - oracle): either step suffices
            "q1_predicted = 0.125",  # chance: one chunk in 8
        ],
    },
}
