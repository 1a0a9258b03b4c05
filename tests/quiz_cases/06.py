"""Right and wrong answers of chapter 06's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_KV = "def kv_cache_crossover_tokens(layers, query_heads, kv_heads, head_dim, bytes_per_number, weight_bytes):\n"


_DEF = "import torch\ndef merge(m1, l1, acc1, m2, l2, acc2):\n"
_MAX = "    m = torch.maximum(m1, m2)\n"
_SCALES = "    a1, a2 = torch.exp(m1 - m), torch.exp(m2 - m)\n"
_OUTS = (
    "    o1 = torch.where(l1 > 0, acc1 / l1, torch.zeros_like(acc1))\n"
    "    o2 = torch.where(l2 > 0, acc2 / l2, torch.zeros_like(acc2))\n"
)

CASES = {
    "q6": {
        "right": _DEF + _MAX + _SCALES + "    return m, a1 * l1 + a2 * l2, a1 * acc1 + a2 * acc2",
        "wrong": [
            # no rescaling: sums taken against different maxima added as they are
            _DEF + _MAX + "    return m, l1 + l2, acc1 + acc2",
            # the maximum not taken: the first worker's m kept, the second's sums scaled to it
            _DEF + "    a2 = torch.exp(m2 - m1)\n    return m1, l1 + a2 * l2, acc1 + a2 * acc2",
            # the rescaling factors inverted: exp(m - m_i)
            _DEF + _MAX + "    a1, a2 = torch.exp(m - m1), torch.exp(m - m2)\n"
            "    return m, a1 * l1 + a2 * l2, a1 * acc1 + a2 * acc2",
            # l rescaled, acc not
            _DEF + _MAX + _SCALES + "    return m, a1 * l1 + a2 * l2, acc1 + acc2",
            # acc rescaled, l not
            _DEF + _MAX + _SCALES + "    return m, l1 + l2, a1 * acc1 + a2 * acc2",
            # the normalised output returned for acc
            _DEF + _MAX + _SCALES + "    l = a1 * l1 + a2 * l2\n    return m, l, (a1 * acc1 + a2 * acc2) / l",
            # section 2's normalised update applied to unnormalised accumulators: acc weighted by l again
            _DEF + _MAX + _SCALES + "    l = a1 * l1 + a2 * l2\n    return m, l, (a1 * l1 * acc1 + a2 * l2 * acc2) / l",
            # unshifted exponentials: exp(1000) overflows, inf / inf
            _DEF + _MAX + "    l = (l1 * m1.exp() + l2 * m2.exp()) / m.exp()\n"
            "    return m, l, (acc1 * m1.exp() + acc2 * m2.exp()) / m.exp()",
            # the smaller maximum taken
            _DEF
            + "    m = torch.minimum(m1, m2)\n"
            + _SCALES
            + "    return m, a1 * l1 + a2 * l2, a1 * acc1 + a2 * acc2",
        ],
        "cheats": [
            # the course's merge by log-sum-exp, its output turned back into the unnormalised state
            "import torch\nfrom course_utils.core.lse_attention import merge_lse, merge_partials\n"
            "def merge(m1, l1, acc1, m2, l2, acc2):\n"
            + _OUTS
            + "    lses = [(m1 + l1.log())[..., 0], (m2 + l2.log())[..., 0]]\n"
            "    lse = merge_lse(lses)\n"
            "    m = torch.maximum(m1, m2)\n"
            "    l = torch.exp(lse[..., None] - m)\n"
            "    return m, l, merge_partials([o1, o2], lses, lse) * l",
            # section 2's update from the course, the second state folded in as one key per query
            "import torch\nfrom course_utils.chapters.flash import online_softmax_update\n"
            "def merge(m1, l1, acc1, m2, l2, acc2):\n"
            + _OUTS
            + "    mu, lu, ou = online_softmax_update(m1[:, None], l1[:, None], o1[:, None],"
            " (m2 + l2.log())[:, None], o2[:, None])\n"
            "    m = torch.maximum(m1, m2)\n"
            "    l = lu[:, 0] * torch.exp(mu[:, 0] - m)\n"
            "    return m, l, ou[:, 0] * l",
        ],
    },
    "q7": {
        "right": _KV + "    return weight_bytes / (2 * layers * kv_heads * head_dim * bytes_per_number)",
        "wrong": [
            # the query heads instead of the key-value heads: no grouped-query attention
            _KV + "    return weight_bytes / (2 * layers * query_heads * head_dim * bytes_per_number)",
            # keys only: the values forgotten
            _KV + "    return weight_bytes / (layers * kv_heads * head_dim * bytes_per_number)",
            # bf16 assumed whatever the cache's precision
            _KV + "    return weight_bytes / (2 * layers * kv_heads * head_dim * 2)",
            # one layer only
            _KV + "    return weight_bytes / (2 * kv_heads * head_dim * bytes_per_number)",
            # in thousands of tokens, as the old question asked
            _KV + "    return weight_bytes / (2 * layers * kv_heads * head_dim * bytes_per_number) / 1e3",
            # the head width left out: one number per head
            _KV + "    return weight_bytes / (2 * layers * kv_heads * bytes_per_number)",
            # a square-root crossing, as if the cache grew as n squared
            _KV + "    return (weight_bytes / (2 * layers * kv_heads * head_dim * bytes_per_number)) ** 0.5",
        ],
        "cheats": [
            # the course's byte counter does the product
            "import torch\nfrom course_utils.chapters.flash import score_matrix_bytes\n"
            + _KV
            + "    dtype = {1: torch.uint8, 2: torch.bfloat16, 4: torch.float32}[int(bytes_per_number)]\n"
            "    q = torch.empty(2 * layers * kv_heads, 1, 1, dtype=dtype, device='meta')\n"
            "    k = torch.empty(2 * layers * kv_heads, head_dim, 1, dtype=dtype, device='meta')\n"
            "    return weight_bytes / score_matrix_bytes(q, k)",
        ],
    },
    "q1": {
        "right": "q1_answer = (16, 4)",
        "wrong": [
            "q1_answer = (16, 16)",  # the scores held somewhere: the naive method
            "q1_answer = (4, 4)",  # a kernel that visits each block once: linear work
            "q1_answer = (4, 1)",  # tiling read as skipping far blocks, with a fixed tile
            "q1_answer = (16, 1)",  # the memory of a fixed tile only, not of the n-sized output
            "q1_answer = (4, 16)",  # the two factors swapped
            "q1_answer = (2, 2)",  # the doubling of the introduction, not 4 times the context
        ],
    },
    "q8": {
        "right": "q8_answer = 10",
        "wrong": [
            "q8_answer = 2",  # FLOPs of the 8 key-value heads only: grouped-query attention taken to cut FLOPs
            "q8_answer = 5",  # the scores only, not the weighted sum of the values; or the cache taken for bf16
            "q8_answer = 20",  # only the keys read, not the values
            "q8_answer = 296",  # an H100's balance taken for the decode step's intensity
            "q8_answer = 6",  # the cache size in GiB given for the intensity
            "q8_answer = 4",  # the old question's answer (a bf16 cache, 4 query heads per key-value head)
        ],
    },
}
