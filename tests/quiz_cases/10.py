"""Right and wrong answers of chapter 10's questions that are not multiple choice (tests/test_quiz_questions.py)."""

CASES = {
    "q1": {
        "right": "q1_predicted = 0.05604",  # e^g = 31 w / (1 - w) with w = 0.4946; e^g / (e^g + 511)
        "wrong": [
            "q1_predicted = 0.254",  # the measured weight at 512, not the fixed-gap prediction
            "q1_predicted = 0.4946",  # the weight at 32, as if n did not matter
            "q1_predicted = 0.4946 * 31 / 511",  # weight proportional to 1 / (n - 1)
            "q1_predicted = 0.4946 * 32 / 512",  # weight proportional to 1 / n
            "q1_predicted = 1 / 512",  # uniform
            "q1_predicted = 0.06",  # 2 decimals where the check asks 3
            "import math\nq1_predicted = math.log(30.34) / (math.log(30.34) + 511)",  # the gap g used as e^g
        ],
    },
    "q5": {
        "right": "import torch\n"
        "def first_token_share(weights, queries):\n"
        "    return weights[:, queries, 0].mean(dim=-1)",
        "wrong": [
            # row 0 (the [CLS] query's own row) instead of column 0 (the weight on [CLS])
            "import torch\ndef first_token_share(weights, queries):\n    return weights[:, 0, queries].mean(dim=-1)",
            # the mask ignored: every query, [CLS] and [SEP] included
            "import torch\ndef first_token_share(weights, queries):\n    return weights[:, :, 0].mean(dim=-1)",
            # masked sum divided by n instead of by the number of chosen queries
            "import torch\ndef first_token_share(weights, queries):\n"
            "    return (weights[:, :, 0] * queries).sum(dim=-1) / weights.shape[-1]",
            # the last key ([SEP]) instead of the first
            "import torch\ndef first_token_share(weights, queries):\n    return weights[:, queries, -1].mean(dim=-1)",
            # a sum over the queries instead of a mean
            "import torch\ndef first_token_share(weights, queries):\n    return weights[:, queries, 0].sum(dim=-1)",
            # the mask applied to the keys instead of the queries, and every column averaged
            "import torch\ndef first_token_share(weights, queries):\n"
            "    return weights[:, :, queries].mean(dim=(-2, -1))",
        ],
        "cheats": [
            "import torch\nfrom course_utils.core.metrics import sink_mass\n"
            "def first_token_share(weights, queries):\n"
            "    return sink_mass(weights[None, None], queries[None])[0, :]",
            # the course function reached through its module, inside the function
            "def first_token_share(weights, queries):\n"
            "    import course_utils.core.metrics as metrics\n"
            "    return metrics.sink_mass(weights[None, None], queries[None])[0, :]",
        ],
    },
}
