"""Right and wrong answers of chapter 06's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_HEAD = "import torch\ndef update(m, l, o, s, v):\n    m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))\n"
_MID = "    scale = torch.exp(m - m_new)\n    p = torch.exp(s - m_new)\n"

CASES = {
    "q3": {
        "right": _HEAD
        + _MID
        + "    l_new = scale * l + p.sum(dim=-1, keepdim=True)\n"
        + "    return m_new, l_new, (scale * l * o + p @ v) / l_new",
        "wrong": [
            # the output so far not rescaled to the new maximum
            _HEAD
            + _MID
            + "    l_new = scale * l + p.sum(dim=-1, keepdim=True)\n"
            + "    return m_new, l_new, (l * o + p @ v) / l_new",
            # the normaliser not rescaled
            _HEAD
            + _MID
            + "    l_new = l + p.sum(dim=-1, keepdim=True)\n"
            + "    return m_new, l_new, (scale * l * o + p @ v) / l_new",
            # the output left unnormalised
            _HEAD
            + _MID
            + "    l_new = scale * l + p.sum(dim=-1, keepdim=True)\n"
            + "    return m_new, l_new, scale * l * o + p @ v",
            # the new maximum taken from the block alone
            "import torch\ndef update(m, l, o, s, v):\n    m_new = s.amax(dim=-1, keepdim=True)\n"
            + _MID
            + "    l_new = scale * l + p.sum(dim=-1, keepdim=True)\n"
            + "    return m_new, l_new, (scale * l * o + p @ v) / l_new",
            # each block softmaxed on its own, the outputs averaged
            "import torch\ndef update(m, l, o, s, v):\n"
            "    m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))\n"
            "    l_new = torch.exp(m - m_new) * l + torch.exp(s - m_new).sum(dim=-1, keepdim=True)\n"
            "    o_new = s.softmax(-1) @ v if torch.isinf(m).all() else (o + s.softmax(-1) @ v) / 2\n"
            "    return m_new, l_new, o_new",
        ],
        "cheats": [
            "from course_utils.chapters.flash import online_softmax_update\n"
            "def update(m, l, o, s, v):\n    return online_softmax_update(m, l, o, s, v)"
        ],
    },
    "q4": {
        "right": "q4_gib = 40.0",
        "wrong": [
            "q4_gib = 320.0",  # the 64 query heads instead of the 8 key-value heads
            "q4_gib = 20.0",  # keys only, or 1 byte per number
            "q4_gib = 80.0",  # fp32, 4 bytes per number
            "q4_gib = 0.5",  # one layer
            "q4_gib = 42.95",  # GB (10**9 bytes), not GiB
        ],
    },
}
