"""Right and wrong answers of chapter 08's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_OFFSET = "import torch\n\ndef offset(a, t, tau):\n    return {body}\n"
_TRANSFORM = (
    "import torch\n\n"
    "def transform(scores, tau):\n"
    "    n = scores.shape[-1]\n"
    "    t = (torch.arange(n)[:, None] - torch.arange(n)[None, :]).to(scores.dtype)\n"
    "    log_term = torch.log1p(t.clamp_min(0) / tau)\n"
    "    {body}\n"
)

CASES = {
    "q5": {
        "right": _OFFSET.format(body="0.5 - torch.log1p(t / tau) - a**2 / 2"),
        "wrong": [
            _OFFSET.format(body="-2 * torch.log1p(t / tau)"),  # the paper's m_t, right only for the paper's a_t
            _OFFSET.format(body="-torch.log1p(t / tau) - a**2 / 2"),  # the e^(1/2) of the target forgotten
            _OFFSET.format(body="0.5 - torch.log1p(t / tau) + a**2 / 2"),  # sign of a²/2
            _OFFSET.format(body="0.5 - torch.log1p(t / tau) - a**2"),  # a² instead of a²/2
            _OFFSET.format(body="0.5 - torch.log(t / tau + 1e-12) - a**2 / 2"),  # log(t/tau), not log(1 + t/tau)
            _OFFSET.format(body="0.5 - torch.log1p(t / tau) - a / 2"),  # a instead of a²
        ],
        "cheats": [
            "import torch\nfrom course_utils.chapters.scale_invariant import expected_mass\n\n"
            "def offset(a, t, tau):\n    return torch.log(expected_mass(t, tau)) - a**2 / 2\n",
        ],
    },
    "q6": {
        "right": _TRANSFORM.format(
            body="return (torch.sqrt(1 + 2 * log_term) * scores - 2 * log_term).masked_fill(t < 0, float('-inf'))"
        ),
        "wrong": [
            "import torch\n\ndef transform(scores, tau):\n    return scores.clone()",  # unchanged scores
            _TRANSFORM.format(body="return torch.sqrt(1 + 2 * log_term) * scores - 2 * log_term"),  # no causal mask
            _TRANSFORM.format(
                body="return (torch.sqrt(1 + 2 * log_term) * scores - 2 * log_term).masked_fill(t < 0, 0.0)"
            ),  # future keys set to 0, not -inf
            _TRANSFORM.format(
                body="return (torch.sqrt(1 + 2 * log_term) * scores - 2 * log_term).masked_fill(t <= 0, float('-inf'))"
            ),  # the diagonal masked too
            _TRANSFORM.format(
                body="return ((1 + 2 * log_term) * scores - 2 * log_term).masked_fill(t < 0, float('-inf'))"
            ),  # a_t² instead of a_t
            _TRANSFORM.format(
                body="return (torch.sqrt(1 + 2 * log_term) * scores - log_term).masked_fill(t < 0, float('-inf'))"
            ),  # m_t without its factor 2
            "import torch\n\ndef transform(scores, tau):\n"
            "    n = scores.shape[-1]\n"
            "    t = (torch.arange(n)[None, :] - torch.arange(n)[:, None]).to(scores.dtype)\n"
            "    log_term = torch.log1p(t.clamp_min(0) / tau)\n"
            "    return (torch.sqrt(1 + 2 * log_term) * scores - 2 * log_term).masked_fill(t > 0, float('-inf'))\n",
            # t = j - i: the distances of the transposed matrix
        ],
        "cheats": [
            "from course_utils.chapters.scale_invariant import scale_invariant_logits\n\n"
            "def transform(scores, tau):\n    return scale_invariant_logits(scores, tau=tau)\n",
        ],
    },
}
