"""Right and wrong answers of chapter 06's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_HEAD = "import torch\ndef update(m, l, acc, s, v):\n    m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))\n"
_MID = "    scale = torch.exp(m - m_new)\n    p = torch.exp(s - m_new)\n"
_L = "    l_new = scale * l + p.sum(dim=-1, keepdim=True)\n"

CASES = {
    "q3": {
        "right": _HEAD + _MID + _L + "    return m_new, l_new, scale * acc + p @ v",
        "wrong": [
            # the accumulator not rescaled to the new maximum
            _HEAD + _MID + _L + "    return m_new, l_new, acc + p @ v",
            # the normaliser not rescaled
            _HEAD + _MID + "    return m_new, l + p.sum(dim=-1, keepdim=True), scale * acc + p @ v",
            # section 2's normalised output, not the unnormalised accumulator the question asks for
            _HEAD + _MID + _L + "    return m_new, l_new, (scale * l * acc + p @ v) / l_new",
            # the new maximum taken from the block alone
            "import torch\ndef update(m, l, acc, s, v):\n    m_new = s.amax(dim=-1, keepdim=True)\n"
            + _MID
            + _L
            + "    return m_new, l_new, scale * acc + p @ v",
            # the block's exponentials taken against the old maximum: exp(100) at the first block
            _HEAD
            + "    scale = torch.exp(m - m_new)\n    p = torch.exp(s - torch.where(torch.isinf(m), m_new, m))\n"
            + _L
            + "    return m_new, l_new, scale * acc + p @ v",
            # unshifted exponentials: exp overflows past ~88 (float32), ~709 (float64)
            _HEAD
            + "    scale = m.exp() / m_new.exp()\n    p = s.exp() / m_new.exp()\n"
            + _L
            + "    return m_new, l_new, scale * acc + p @ v",
        ],
        "cheats": [
            # section 2's update from the course, its normalised output turned back into the accumulator
            "import torch\nfrom course_utils.chapters.flash import online_softmax_update\n"
            "def update(m, l, acc, s, v):\n"
            "    o = torch.where(l > 0, acc / l.clamp_min(1e-300), torch.zeros_like(acc))\n"
            "    m_new, l_new, o_new = online_softmax_update(m, l, o, s, v)\n"
            "    return m_new, l_new, o_new * l_new",
            # the same through the module, inside the function
            "import torch\ndef update(m, l, acc, s, v):\n    import course_utils.chapters.flash as flash\n"
            "    o = torch.where(l > 0, acc / l.clamp_min(1e-300), torch.zeros_like(acc))\n"
            "    m_new, l_new, o_new = flash.online_softmax_update(m, l, o, s, v)\n"
            "    return m_new, l_new, o_new * l_new",
        ],
    },
    "q4": {
        "right": "q4_ktokens = 427.0",
        "wrong": [
            "q4_ktokens = 53.0",  # the 64 query heads instead of the 8 key-value heads
            "q4_ktokens = 854.0",  # keys only (no factor 2), or 1 byte per number
            "q4_ktokens = 214.0",  # an fp32 cache, 4 bytes per number
            "q4_ktokens = 459.0",  # 140 GiB (2**30 bytes) instead of 140 GB
            "q4_ktokens = 417.0",  # thousands of 1024 tokens
            "q4_ktokens = 131.0",  # the context length of the old question, not the crossing
            "q4_ktokens = 34180.0",  # one layer only
        ],
    },
    "q2": {
        "right": "q2_answer = (16, 4)",
        "wrong": [
            "q2_answer = (16, 16)",  # the scores held somewhere: the naive method
            "q2_answer = (4, 4)",  # a kernel that visits each block once: linear work
            "q2_answer = (4, 1)",  # tiling read as skipping far blocks, with a fixed tile
            "q2_answer = (16, 1)",  # the memory of a fixed tile only, not of the n-sized output
            "q2_answer = (4, 16)",  # the two factors swapped
            "q2_answer = (2, 2)",  # the doubling of the introduction, not 4 times the context
        ],
    },
}
