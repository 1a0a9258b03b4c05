"""Right and wrong answers of chapter 07's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_ROWS = "import torch\n\ndef kept_positions(n, w, r, head):\n    return {body}\n"

CASES = {
    "q1": {
        "right": "q1_predicted = 146.29",
        "wrong": [
            "q1_predicted = 36.57",  # r left out: 65,536 / (256 + 512 + 1024)
            "q1_predicted = 85.33",  # r not squared: 65,536 / (256 + 256 + 256)
            "q1_predicted = 256.0",  # the first pattern alone
            "q1_predicted = 53.0",  # the recorded speed-up, not the FLOP ratio
            "q1_predicted = 18.29",  # divided by the 8 heads once more
        ],
    },
    "q4": {
        "right": "q4_keys = (32, 33, 34, 35, 36, 37, 38, 39, 41, 45, 49, 53, 57, 61)",
        "wrong": [
            "q4_keys = (32, 33, 34, 35, 36, 37, 38, 39, 40, 44, 48, 52, 56, 60)",  # head 0's offset
            "q4_keys = (32, 33, 34, 35, 36, 37, 38, 39)",  # the w = 8 segment only
            "q4_keys = (33, 37, 41, 45, 49, 53, 57, 61)",  # the dilated pattern only
            "q4_keys = (32, 33, 34, 35, 36, 37)",  # a causal mask, which the question does not use
            "q4_keys = (0, 4, 8, 12, 16, 20, 24, 28, 32, 33, 34, 35, 36, 37, 38, 39)",  # stride from 0, wrong segment
        ],
    },
    "q5": {
        "right": _ROWS.format(body="torch.arange(n).view(n // w, w)[:, head % r :: r]"),
        "wrong": [
            _ROWS.format(body="torch.arange(n).view(n // w, w)[:, head::r]"),  # offset h, not h mod r
            _ROWS.format(body="torch.arange(n).view(n // w, w)[:, (head + 1) % r :: r]"),  # off by one
            _ROWS.format(body="torch.arange(w)[head % r :: r].repeat(n // w, 1)"),  # positions inside the segment
            _ROWS.format(body="torch.arange(n).view(n // w, w)[:, (r - 1 - head % r) :: r]"),  # offsets reversed
            _ROWS.format(body="torch.arange(n).view(n // w, w)[:, 0::r]"),  # every head keeps offset 0
        ],
        "cheats": [
            "import torch\nfrom course_utils.core.dilated import dilated_key_counts\n\n"
            "def kept_positions(n, w, r, head):\n"
            "    diagonal = dilated_key_counts(n, head + 1, [w], [r])[head].diagonal()\n"
            "    return torch.nonzero(diagonal).flatten().view(n // w, w // r)\n",
        ],
    },
}
