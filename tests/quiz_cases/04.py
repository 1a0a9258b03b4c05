"""Right and wrong answers of chapter 04's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_STABLE = "    top = scores.amax(dim=-1, keepdim=True).clamp_min(0.0)\n    exp = torch.exp(scores - top)\n"

CASES = {
    "q3": {
        "right": "import torch\ndef softmax1(scores):\n"
        + _STABLE
        + "    return exp / (torch.exp(-top) + exp.sum(dim=-1, keepdim=True))",
        "wrong": [
            # plain softmax: no extra key
            "import torch\ndef softmax1(scores):\n    return scores.softmax(-1)",
            # no maximum subtracted: exp(1000) overflows
            "import torch\ndef softmax1(scores):\n    e = scores.exp()\n    return e / (1 + e.sum(-1, keepdim=True))",
            # the review's bug: the extra key's exp(0) is not rescaled by exp(-max)
            "import torch\ndef softmax1(scores):\n    top = scores.amax(-1, keepdim=True)\n"
            "    e = (scores - top).exp()\n    return e / (1 + e.sum(-1, keepdim=True))",
            # the sum over the wrong dimension
            "import torch\ndef softmax1(scores):\n"
            + _STABLE
            + "    return exp / (torch.exp(-top) + exp.sum(dim=0, keepdim=True))",
            # the review's clamping bug: exp(80) stands in for every larger score, so 200 and 100 tie
            "import torch\ndef softmax1(scores):\n    e = scores.clamp(max=80).exp()\n"
            "    return e / (1 + e.sum(-1, keepdim=True))",
            # the extra key's weight returned as one more column
            "import torch\ndef softmax1(scores):\n"
            "    return torch.cat([scores, torch.zeros_like(scores[..., :1])], -1).softmax(-1)",
        ],
        "cheats": [
            "import torch\nfrom course_utils.core.sink_fixes import sink_softmax\n"
            "def softmax1(scores):\n    return sink_softmax(scores, torch.zeros(1, 1))",
            # the course function reached through its module
            "import torch\nimport course_utils.core.sink_fixes as fixes\n"
            "def softmax1(scores):\n    return fixes.sink_softmax(scores, torch.zeros(1, 1))",
        ],
    },
    "q4": {
        "right": "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
        "    mass = weights[..., k:, :k].sum(-1).mean(dim=(1, 3))\n"
        "    return (mass > threshold).float().mean().item()",
        "wrong": [
            # section 1's metric: key 0 only, whatever k
            "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    mass = weights[..., k:, 0].mean(dim=(1, 3))\n"
            "    return (mass > threshold).float().mean().item()",
            # queries from 1, as for k = 1: queries 1..k-1 see only the first k keys and count 1
            "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    mass = weights[..., 1:, :k].sum(-1).mean(dim=(1, 3))\n"
            "    return (mass > threshold).float().mean().item()",
            # every query counted, query 0 included
            "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    mass = weights[..., :k].sum(-1).mean(dim=(1, 3))\n"
            "    return (mass > threshold).float().mean().item()",
            # off by one: query k-1, which sees only the first k keys, counted
            "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    mass = weights[..., k - 1 :, :k].sum(-1).mean(dim=(1, 3))\n"
            "    return (mass > threshold).float().mean().item()",
            # off by one: the first k + 1 keys
            "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    mass = weights[..., k:, : k + 1].sum(-1).mean(dim=(1, 3))\n"
            "    return (mass > threshold).float().mean().item()",
            # the mean weight per key of the first k, not their total
            "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    mass = weights[..., k:, :k].mean(-1).mean(dim=(1, 3))\n"
            "    return (mass > threshold).float().mean().item()",
            # the largest of the first k keys' weights, not their total
            "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    mass = weights[..., k:, :k].amax(-1).mean(dim=(1, 3))\n"
            "    return (mass > threshold).float().mean().item()",
            # thresholded per sequence, then averaged
            "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    mass = weights[..., k:, :k].sum(-1).mean(dim=3)\n"
            "    return (mass > threshold).float().mean().item()",
            # averaged over the wrong dimensions (heads instead of batch)
            "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    mass = weights[..., k:, :k].sum(-1).mean(dim=(2, 3))\n"
            "    return (mass > threshold).float().mean().item()",
            # the mean mass on the first k keys, not the fraction of heads above the threshold
            "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    return weights[..., k:, :k].sum(-1).mean().item()",
        ],
        "cheats": [
            # section 1's course metric on the first k keys' total, with the first k queries masked out
            "import torch\nfrom course_utils.core.metrics import sink_mass, sink_rate\n"
            "def sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    w = weights.clone()\n    w[..., 0] = weights[..., :k].sum(-1)\n"
            "    rows = torch.ones(weights.shape[1], weights.shape[-1], dtype=torch.bool)\n    rows[:, :k] = False\n"
            "    return sink_rate(sink_mass(w, rows), threshold)",
            # the course's metric reached through the module, inside the function
            "import torch\ndef sink_rate_first_k(weights, k, threshold=0.3):\n"
            "    import course_utils.core.metrics as m\n"
            "    w = weights.clone()\n    w[..., 0] = weights[..., :k].sum(-1)\n"
            "    rows = torch.ones(weights.shape[1], weights.shape[-1], dtype=torch.bool)\n    rows[:, :k] = False\n"
            "    return m.sink_rate(m.sink_mass(w, rows), threshold)",
        ],
    },
    "q6": {
        "right": "q6_weight = 0.4269",  # asked to 2 decimals: 0.43
        "wrong": [
            "q6_weight = 0.4067",  # the TRIGGER (copy) queries counted too
            "q6_weight = 0.4248",  # from position 63, not 64
            "q6_weight = 0.0771",  # the median, not the mean
            "q6_weight = 0.97",  # the training-length value: no change
            "q6_weight = 0.0072",  # uniform attention at positions 64-255
            "q6_weight = 1 / 256",  # uniform over the longest row
            "q6_weight = 0.5612",  # every idle query from 1 to 255, the training length included
        ],
    },
}
