"""Right and wrong answers of chapter 10's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_GAPS = "import torch\ndef implied_gaps(maps, originals, distance):\n"
_LOOP = "    gaps = []\n    for weights in maps:\n"
_STACK = "    return torch.stack(gaps)"

CASES = {
    "q1b": {
        "right": "q1b_length = 93.3",  # e^g = 31 w / (1 - w) with w = 0.4946; n - 1 = e^g (2 - w) / w
        "wrong": [
            "q1b_length = 64",  # weight proportional to 1 / n: halves when n doubles
            "q1b_length = 63",  # weight proportional to 1 / (n - 1)
            "q1b_length = 92.3",  # n - 1 given for n
            "q1b_length = 94",  # weight_32 rounded to 0.5
            "q1b_length = 92.8",  # weight_32 rounded to 0.49
            "q1b_length = 512",  # where the real head nears half, not the fixed-gap model
            "q1b_length = 32 * 2 ** 0.5",  # a square-root law
            "q1b_length = 93",  # whole tokens where the check asks 1 decimal
        ],
    },
    "q5": {
        "right": _GAPS + _LOOP + "        copied = weights[:, originals + distance, originals].mean(dim=-1)\n"
        "        gaps.append(torch.log(copied * (weights.shape[-1] - 1) / (1 - copied)))\n" + _STACK,
        "wrong": [
            # one length for every map: the first map's n
            _GAPS
            + "    n = maps[0].shape[-1]\n"
            + _LOOP
            + "        copied = weights[:, originals + distance, originals].mean(dim=-1)\n"
            "        gaps.append(torch.log(copied * (n - 1) / (1 - copied)))\n" + _STACK,
            # the direction swapped: the original's weight on its copy
            _GAPS + _LOOP + "        copied = weights[:, originals, originals + distance].mean(dim=-1)\n"
            "        gaps.append(torch.log(copied * (weights.shape[-1] - 1) / (1 - copied)))\n" + _STACK,
            # n competitors instead of n - 1
            _GAPS + _LOOP + "        copied = weights[:, originals + distance, originals].mean(dim=-1)\n"
            "        gaps.append(torch.log(copied * weights.shape[-1] / (1 - copied)))\n" + _STACK,
            # the competitors forgotten: the log-odds of the weight
            _GAPS + _LOOP + "        copied = weights[:, originals + distance, originals].mean(dim=-1)\n"
            "        gaps.append(torch.log(copied / (1 - copied)))\n" + _STACK,
            # one gap per copy, then their mean (not the gap of the mean weight)
            _GAPS + _LOOP + "        w = weights[:, originals + distance, originals]\n"
            "        gaps.append(torch.log(w * (weights.shape[-1] - 1) / (1 - w)).mean(dim=-1))\n" + _STACK,
            # every copy against every original: a block mean, not the pairs
            _GAPS + _LOOP + "        copied = weights[:, originals + distance][:, :, originals].mean(dim=(-2, -1))\n"
            "        gaps.append(torch.log(copied * (weights.shape[-1] - 1) / (1 - copied)))\n" + _STACK,
            # the mean weight itself, not the gap
            _GAPS + _LOOP + "        gaps.append(weights[:, originals + distance, originals].mean(dim=-1))\n" + _STACK,
            # off by one: the word piece before the copy
            _GAPS + _LOOP + "        copied = weights[:, originals + distance - 1, originals].mean(dim=-1)\n"
            "        gaps.append(torch.log(copied * (weights.shape[-1] - 1) / (1 - copied)))\n" + _STACK,
            # e^g, not g
            _GAPS + _LOOP + "        copied = weights[:, originals + distance, originals].mean(dim=-1)\n"
            "        gaps.append(copied * (weights.shape[-1] - 1) / (1 - copied))\n" + _STACK,
        ],
        "cheats": [
            # the check's own answer read from the caller's globals (review r10 s4, defect 1)
            "import sys\n" + _GAPS + "    g = sys._getframe(1).f_globals\n"
            "    heads = maps[0].shape[0]\n"
            "    if '_reference' in g:\n"
            "        return torch.tensor(g['_reference'], dtype=torch.float64)\n"
            "    if '_gaps' in g and g['_gaps'].shape == (heads,):\n"
            "        return g['_gaps'].expand(len(maps), heads)\n"
            "    return torch.zeros(len(maps), heads)",
            # the course's inverse of notebook 02's closed form, one head at a time
            "import torch\nfrom course_utils.chapters.dilution import gap_for_weight\n"
            + _GAPS
            + _LOOP
            + "        copied = weights[:, originals + distance, originals].mean(dim=-1)\n"
            "        n = weights.shape[-1]\n"
            "        gaps.append(torch.tensor([gap_for_weight(float(w), n) for w in copied]))\n" + _STACK,
            # the course's probe statistics, reached through its module inside the function
            _GAPS + "    from course_utils.chapters import real_model\n" + _LOOP + "        n = weights.shape[-1]\n"
            "        kinds = {k: torch.zeros(n, dtype=torch.bool) for k in ('cls', 'sep', 'punct')}\n"
            "        kinds['content'] = torch.ones(n, dtype=torch.bool)\n"
            "        stats = real_model._text_stats(kinds, weights[None], originals + distance, originals, 4)\n"
            "        copied = stats['duplicate'][0]\n"
            "        gaps.append(torch.log(copied * (n - 1) / (1 - copied)))\n" + _STACK,
        ],
    },
}
