"""Right and wrong answers of chapter 08's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_OFFSET = "import torch\n\ndef offset(a, t, tau, sigma):\n    return {body}\n"
_TRANSFORM = (
    "import torch\n\n"
    "def transform(scores, tau, p, start):\n"
    "    m, n = scores.shape\n"
    "    t = ({t}).to(scores.dtype)\n"
    "    log_term = torch.log1p(t.clamp_min(0) / tau)\n"
    "    return ({logits}).masked_fill({mask}, {fill})\n"
)
_RIGHT = {
    "t": "(start + torch.arange(m))[:, None] - torch.arange(n)[None, :]",
    "logits": "torch.sqrt(2 + 2 * p * log_term) * scores - 1 - 2 * p * log_term",
    "mask": "t < 0",
    "fill": "float('-inf')",
}


def _transform(**changes: str) -> str:
    return _TRANSFORM.format(**{**_RIGHT, **changes})


CASES = {
    "q5": {
        "right": _OFFSET.format(body="0.5 - torch.log1p(t / tau) - (a * sigma) ** 2 / 2"),
        "wrong": [
            _OFFSET.format(body="0.5 - torch.log1p(t / tau) - a**2 / 2"),  # the spread sigma ignored
            _OFFSET.format(body="0.5 - torch.log1p(t / tau) - a**2 * sigma / 2"),  # sigma, not sigma squared
            _OFFSET.format(body="0.5 - torch.log1p(t / tau) - a**2 / (2 * sigma**2)"),  # divided by sigma squared
            _OFFSET.format(body="sigma**2 / 2 - torch.log1p(t / tau) - (a * sigma) ** 2 / 2"),  # e^(sigma²/2) target
            _OFFSET.format(body="-2 * torch.log1p(t / tau)"),  # the paper's m_t, right only for the paper's a_t
            _OFFSET.format(body="-torch.log1p(t / tau) - (a * sigma) ** 2 / 2"),  # the e^(1/2) of the target forgotten
            _OFFSET.format(body="0.5 - torch.log1p(t / tau) + (a * sigma) ** 2 / 2"),  # sign of a²σ²/2
            _OFFSET.format(body="0.5 - torch.log1p(t / tau) - (a * sigma) ** 2"),  # a²σ² instead of a²σ²/2
            _OFFSET.format(body="0.5 - torch.log(t / tau + 1e-12) - (a * sigma) ** 2 / 2"),  # log(t/tau)
            _OFFSET.format(body="1 - a**2"),  # Part (b)'s identity a² + m = 1 instead of the mass target
        ],
        "cheats": [
            "import torch\nfrom course_utils.chapters.scale_invariant import expected_mass\n\n"
            "def offset(a, t, tau, sigma):\n    return torch.log(expected_mass(t, tau)) - (a * sigma) ** 2 / 2\n",
            "import torch\nfrom course_utils.core.logits import scale_invariant_coefficients\n\n"
            "def offset(a, t, tau, sigma):\n"
            "    paper_a, paper_m = scale_invariant_coefficients(t, tau)\n"
            "    return paper_m + (paper_a**2 - (a * sigma) ** 2) / 2\n",
        ],
    },
    "q6": {
        "right": _transform(),
        "wrong": [
            _transform(logits="torch.sqrt(1 + 2 * p * log_term) * scores - 2 * p * log_term"),  # the paper's, p-scaled
            _transform(logits="torch.sqrt(1 + 2 * log_term) * scores - 2 * log_term"),  # p ignored (the paper)
            _transform(logits="torch.sqrt(2 + 2 * log_term) * scores - 1 - 2 * log_term"),  # p ignored
            _transform(logits="torch.sqrt(2 + 2 * p * log_term) * scores - 2 * p * log_term"),  # m_t without its -1
            _transform(logits="torch.sqrt(1 + 2 * p * log_term) * scores - 1 - 2 * p * log_term"),  # a_t² one short
            _transform(logits="torch.sqrt(2 + 2 * p * log_term) * scores - 1 - p * log_term"),  # m_t: p, not 2p
            _transform(logits="(2 + 2 * p * log_term) * scores - 1 - 2 * p * log_term"),  # a_t² instead of a_t
            _transform(logits="torch.sqrt(2 + p * log_term) * scores - 1 - p * log_term"),  # mass (1 + t/τ)^(-p/2)
            _transform(logits="torch.sqrt(1 + 2 * p * log_term) * scores - 0.5 - 2 * p * log_term"),  # other target
            _transform(t="torch.arange(m)[:, None] - torch.arange(n)[None, :]"),  # the block's own row index, no start
            _transform(t="torch.arange(n)[None, :] - (start + torch.arange(m))[:, None]", mask="t > 0"),  # t = j - i
            _transform(t="(start + 1 + torch.arange(m))[:, None] - torch.arange(n)[None, :]"),  # start off by one
            _transform(mask="(torch.arange(n)[None, :] > torch.arange(m)[:, None])"),  # mask by the block's rows
            _transform(mask="t <= 0"),  # the query's own key masked too
            _transform(fill="0.0"),  # future keys set to 0, not -inf
            _transform(fill="-1e9"),  # future keys set to a large finite logit, not -inf
            _transform(fill="torch.finfo(scores.dtype).min"),  # the dtype's smallest number, not -inf
            "import torch\n\ndef transform(scores, tau, p, start):\n    return scores.clone()\n",  # unchanged scores
        ],
        "cheats": [
            "import torch\nfrom course_utils.core.logits import scale_invariant_coefficients\n\n"
            "def transform(scores, tau, p, start):\n"
            "    m, n = scores.shape\n"
            "    t = ((start + torch.arange(m))[:, None] - torch.arange(n)[None, :]).to(scores.dtype)\n"
            "    a, off = scale_invariant_coefficients(t.clamp_min(0), tau)\n"
            "    out = torch.sqrt(2 + p * (a**2 - 1)) * scores - 1 + p * off\n"
            "    return out.masked_fill(t < 0, float('-inf'))\n",
            "import math\nimport torch\nfrom course_utils.chapters.scale_invariant import expected_mass\n\n"
            "def transform(scores, tau, p, start):\n"
            "    m, n = scores.shape\n"
            "    t = ((start + torch.arange(m))[:, None] - torch.arange(n)[None, :]).to(scores.dtype)\n"
            "    log_term = p * (0.5 - torch.log(expected_mass(t.clamp_min(0), tau)))\n"
            "    out = torch.sqrt(2 + 2 * log_term) * scores - 1 - 2 * log_term\n"
            "    return out.masked_fill(t < 0, float('-inf'))\n",
            "import torch\nfrom course_utils.core.logits import ScaleInvariantLogits\n\n"
            "def transform(scores, tau, p, start):\n"
            "    m, n = scores.shape\n"
            "    q_pos, k_pos = start + torch.arange(m), torch.arange(n)\n"
            "    off = ScaleInvariantLogits(tau, multiplier=False)(torch.zeros_like(scores), q_pos, k_pos)\n"
            "    a = ScaleInvariantLogits(tau, offset=False)(torch.ones_like(scores), q_pos, k_pos)\n"
            "    out = torch.sqrt(2 + p * (a**2 - 1)) * scores - 1 + p * off\n"
            "    return out.masked_fill(k_pos[None, :] > q_pos[:, None], float('-inf'))\n",
        ],
    },
}
