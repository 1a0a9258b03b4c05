"""Right and wrong answers of chapter 11's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_UNMERGE = "import torch\ndef unmerge(o, lse, o_a, lse_a):\n"
_GUARDS = (
    "    no_key = torch.isneginf(lse)\n"
    "    diff = torch.where(no_key, torch.zeros_like(lse), lse_a - lse)\n"
    "    lse_b = torch.where(no_key, lse, lse + torch.log(-torch.expm1(diff)))\n"
    "    has_b = ~torch.isneginf(lse_b)\n"
    "    safe = torch.where(has_b, lse_b, torch.zeros_like(lse_b))\n"
)
_OB = "    o_b = torch.exp(lse - safe) * torch.nan_to_num(o) - torch.exp(lse_a - safe) * torch.nan_to_num(o_a)\n"
_RETURN = "    return torch.where(has_b, o_b, torch.zeros_like(o_b)), lse_b"

CASES = {
    "q1": {
        "right": "q1_factor = 1.6",  # q, k, v, o slices: 4 units -> 1 + 1/4 + 1/4 + 1 = 2.5 units
        "wrong": [
            "q1_factor = 4",  # the entry taken as key/value memory only
            "q1_factor = 1",  # the entry taken as the queries' memory only
            "q1_factor = 2",  # the output slice left out: 3 units -> 1.5
            "q1_factor = 2.29",  # the ring's entry: 8 units -> 3.5
            "q1_factor = 0.625",  # new / old
            "q1_factor = 1.23",  # only k shrinks: 4 -> 3.25
            "q1_factor = 1.3333",  # k and v halved instead of quartered
        ],
    },
    "q1b": {
        "right": "q1b_hundreds = 5.5",  # 4 m^2 (32 x 128) / F = 2 m (8 x 128) 2 bytes / B: m = F / 4B = 549
        "wrong": [
            "q1b_hundreds = 22.0",  # F / B: the key/value sharing forgotten, all 32 heads sent
            "q1b_hundreds = 2.7",  # only the keys sent, or one byte per number
            "q1b_hundreds = 11.0",  # a multiply-add counted as one FLOP
            "q1b_hundreds = 20.48",  # the table's smallest slice, 2,048 tokens per GPU
            "q1b_hundreds = 0.5",  # the answer left in thousands
            "q1b_hundreds = 549",  # the answer left in tokens
            "q1b_hundreds = 1.4",  # both slips that halve it
        ],
    },
    "q5": {
        "right": _UNMERGE + _GUARDS + _OB + _RETURN,
        "wrong": [
            # in exp space: exact, but exp(lse) overflows float32 for scores in the hundreds
            _UNMERGE + "    w, w_a = torch.exp(lse), torch.exp(lse_a)\n"
            "    w_b = w - w_a\n"
            "    o_b = (w * torch.nan_to_num(o) - w_a * torch.nan_to_num(o_a)) / torch.where(w_b > 0, w_b, 1)\n"
            "    return torch.where(w_b > 0, o_b, 0), torch.log(w_b)",
            # in exp space, upcast to float64: passes in the hundreds, but exp(lse) overflows float64 near 1000
            _UNMERGE + "    o, lse, o_a, lse_a = o.double(), lse.double(), o_a.double(), lse_a.double()\n"
            "    w, w_a = torch.exp(lse), torch.exp(lse_a)\n"
            "    w_b = w - w_a\n"
            "    o_b = (w * torch.nan_to_num(o) - w_a * torch.nan_to_num(o_a)) / torch.where(w_b > 0, w_b, 1)\n"
            "    return torch.where(w_b > 0, o_b, 0), torch.log(w_b)",
            # o_a's NaN kept: a query that sees no key of a gets NaN
            _UNMERGE
            + _GUARDS
            + "    o_b = torch.exp(lse - safe) * torch.nan_to_num(o) - torch.exp(lse_a - safe) * o_a\n"
            + _RETURN,
            # no guard: a query that sees no key of b gets NaN, not 0
            _UNMERGE + "    lse_b = lse + torch.log(-torch.expm1(lse_a - lse))\n"
            "    o_b = torch.exp(lse - lse_b) * torch.nan_to_num(o)\n"
            "    o_b = o_b - torch.exp(lse_a - lse_b) * torch.nan_to_num(o_a)\n"
            "    return o_b, lse_b",
            # the log-sum-exps subtracted, as if they were the sums
            _UNMERGE
            + _GUARDS
            + _OB
            + "    return torch.where(has_b, o_b, torch.zeros_like(o_b)), torch.where(has_b, lse - lse_a, lse_b)",
            # the outputs subtracted without their shares
            _UNMERGE + _GUARDS + "    o_b = torch.nan_to_num(o) - torch.nan_to_num(o_a)\n" + _RETURN,
            # a's share taken out, but the rest not rescaled to b's own total
            _UNMERGE
            + _GUARDS
            + "    o_b = torch.nan_to_num(o) - torch.exp(lse_a - lse) * torch.nan_to_num(o_a)\n"
            + _RETURN,
            # the right output, but the union's lse returned for b
            _UNMERGE
            + _GUARDS
            + _OB
            + "    return torch.where(has_b, o_b, torch.zeros_like(o_b)), torch.where(has_b, lse, lse_b)",
            # right in log space, but computed and returned in float32 whatever the inputs' dtype
            _UNMERGE
            + "    o, lse, o_a, lse_a = o.float(), lse.float(), o_a.float(), lse_a.float()\n"
            + _GUARDS
            + _OB
            + _RETURN,
            # the same in float32, cast back to the inputs' dtype: float32's error, which float64 inputs must not get
            "import torch\ndef unmerge(o, lse, o_a, lse_a):\n"
            "    o_b, lse_b = unmerge32(o.float(), lse.float(), o_a.float(), lse_a.float())\n"
            "    return o_b.to(o.dtype), lse_b.to(lse.dtype)\n"
            + _UNMERGE.replace("def unmerge(", "def unmerge32(")
            + _GUARDS
            + _OB
            + _RETURN,
            # the sign of the correction flipped: log(1 - p) added with the wrong sign
            _UNMERGE + _GUARDS + "    lse_b = torch.where(has_b, 2 * lse - lse_b, lse_b)\n" + _OB + _RETURN,
        ],
        "cheats": [
            # the course's merge run with a negative output: right, but not the student's own
            "import torch\nfrom course_utils.core.lse_attention import merge_partials\n"
            + _UNMERGE
            + _GUARDS
            + "    o_b = merge_partials([torch.nan_to_num(o), -torch.nan_to_num(o_a)], [lse[..., 0], lse_a[..., 0]],"
            " safe[..., 0])\n" + _RETURN,
            # the check's own reference read from the caller's globals (review s4's frame cheat)
            "import math\nimport sys\n" + _UNMERGE + "    g = sys._getframe(1).f_globals\n"
            "    for a, b in (('_reference_o', '_reference_lse'), ('_want_o', '_want_lse'), ('_o_b', '_lse_b')):\n"
            "        if a in g and tuple(g[a].shape) == tuple(o.shape):\n"
            "            return torch.nan_to_num(g[a]).to(o.dtype), g[b].to(lse.dtype)\n"
            "    return torch.zeros_like(o), torch.full_like(lse, -math.inf)",
            # b's result recomputed from the check's scores and values, read from the caller's globals
            "import math\nimport sys\n" + _UNMERGE + "    g = sys._getframe(1).f_globals\n"
            "    if '_s' not in g or '_v' not in g or g['_s'].shape[:-1] != o.shape[:-1]:\n"
            "        return torch.zeros_like(o), torch.full_like(lse, -math.inf)\n"
            "    s, v = g['_s'].double(), g['_v'].double()\n"
            "    for k in range(1, s.shape[-1]):  # the split: the k whose first keys give lse_a\n"
            "        la = torch.logsumexp(s[..., :k], -1, keepdim=True)\n"
            "        if torch.allclose(torch.nan_to_num(la, neginf=-1e300), "
            "torch.nan_to_num(lse_a.double(), neginf=-1e300), atol=1e-3):\n"
            "            break\n"
            "    o_b = torch.nan_to_num(torch.softmax(s[..., k:], -1) @ v[..., k:, :])\n"
            "    return o_b.to(o.dtype), torch.logsumexp(s[..., k:], -1, keepdim=True).to(lse.dtype)",
        ],
    },
}
