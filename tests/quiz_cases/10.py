"""Right and wrong answers of chapter 10's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_GAP = "import torch\ndef implied_gap(weights, originals, distance):\n"

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
        "right": _GAP + "    copied = weights[:, originals + distance, originals].mean(dim=-1)\n"
        "    return torch.log(copied * (weights.shape[-1] - 1) / (1 - copied))",
        "wrong": [
            # the direction swapped: the original's weight on its copy
            _GAP + "    copied = weights[:, originals, originals + distance].mean(dim=-1)\n"
            "    return torch.log(copied * (weights.shape[-1] - 1) / (1 - copied))",
            # n competitors instead of n - 1
            _GAP + "    copied = weights[:, originals + distance, originals].mean(dim=-1)\n"
            "    return torch.log(copied * weights.shape[-1] / (1 - copied))",
            # the competitors forgotten: the log-odds of the weight
            _GAP + "    copied = weights[:, originals + distance, originals].mean(dim=-1)\n"
            "    return torch.log(copied / (1 - copied))",
            # one gap per copy, then their mean (not the gap of the mean weight)
            _GAP + "    w = weights[:, originals + distance, originals]\n"
            "    return torch.log(w * (weights.shape[-1] - 1) / (1 - w)).mean(dim=-1)",
            # every copy against every original: a block mean, not the pairs
            _GAP + "    copied = weights[:, originals + distance][:, :, originals].mean(dim=(-2, -1))\n"
            "    return torch.log(copied * (weights.shape[-1] - 1) / (1 - copied))",
            # the mean weight itself, not the gap
            _GAP + "    return weights[:, originals + distance, originals].mean(dim=-1)",
            # off by one: the word piece before the copy
            _GAP + "    copied = weights[:, originals + distance - 1, originals].mean(dim=-1)\n"
            "    return torch.log(copied * (weights.shape[-1] - 1) / (1 - copied))",
            # e^g, not g
            _GAP + "    copied = weights[:, originals + distance, originals].mean(dim=-1)\n"
            "    return copied * (weights.shape[-1] - 1) / (1 - copied)",
        ],
        "cheats": [
            # the course's inverse of notebook 02's closed form, one head at a time
            "import torch\nfrom course_utils.chapters.dilution import gap_for_weight\n"
            + _GAP
            + "    copied = weights[:, originals + distance, originals].mean(dim=-1)\n"
            "    return torch.tensor([gap_for_weight(float(w), weights.shape[-1]) for w in copied])",
            # the course's probe statistics, reached through its module inside the function
            _GAP + "    from course_utils.chapters import real_model\n"
            "    n = weights.shape[-1]\n"
            "    kinds = {k: torch.zeros(n, dtype=torch.bool) for k in ('cls', 'sep', 'punct')}\n"
            "    kinds['content'] = torch.ones(n, dtype=torch.bool)\n"
            "    stats = real_model._text_stats(kinds, weights[None], originals + distance, originals, 4)\n"
            "    copied = stats['duplicate'][0]\n"
            "    return torch.log(copied * (n - 1) / (1 - copied))",
        ],
    },
}
