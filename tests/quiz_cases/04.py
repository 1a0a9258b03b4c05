"""Right and wrong answers of chapter 04's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_TOP = (
    "    extra = sink_logit.to(scores.dtype).expand(*scores.shape[:-1], 1)\n"
    "    top = torch.maximum(scores.amax(dim=-1, keepdim=True), extra)\n"
    "    exp = torch.exp(scores - top)\n"
)
_ALL = "    return exp / (torch.exp(extra - top) + exp.sum(dim=-1, keepdim=True))"

CASES = {
    "q3": {
        "right": "import torch\ndef softmax_with_sink(scores, sink_logit):\n" + _TOP + _ALL,
        "wrong": [
            # the head's logit ignored: softmax1 (logit 0) for every head
            "import torch\ndef softmax_with_sink(scores, sink_logit):\n"
            "    top = scores.amax(-1, keepdim=True).clamp_min(0.0)\n    e = (scores - top).exp()\n"
            "    return e / ((-top).exp() + e.sum(-1, keepdim=True))",
            # the extra key's exp(b) not rescaled by exp(-max)
            "import torch\ndef softmax_with_sink(scores, sink_logit):\n"
            + _TOP
            + "    return exp / (extra.exp() + exp.sum(dim=-1, keepdim=True))",
            # the maximum over the real keys only: NaN on a fully masked row
            "import torch\ndef softmax_with_sink(scores, sink_logit):\n"
            "    extra = sink_logit.to(scores.dtype).expand(*scores.shape[:-1], 1)\n"
            "    top = scores.amax(dim=-1, keepdim=True)\n    exp = torch.exp(scores - top)\n" + _ALL,
            # no maximum subtracted: exp(1000) overflows
            "import torch\ndef softmax_with_sink(scores, sink_logit):\n"
            "    e = scores.exp()\n    return e / (sink_logit.exp() + e.sum(-1, keepdim=True))",
            # the sign of the logit flipped
            "import torch\ndef softmax_with_sink(scores, sink_logit):\n"
            "    return softmax_with_sink_ok(scores, -sink_logit)\n"
            + "def softmax_with_sink_ok(scores, sink_logit):\n"
            + _TOP
            + _ALL,
            # plain softmax: no extra key
            "import torch\ndef softmax_with_sink(scores, sink_logit):\n    return scores.softmax(-1)",
            # the extra key's weight returned as one more column
            "import torch\ndef softmax_with_sink(scores, sink_logit):\n"
            "    extra = sink_logit.to(scores.dtype).expand(*scores.shape[:-1], 1)\n"
            "    return torch.cat([scores, extra], -1).softmax(-1)",
        ],
        "cheats": [
            "import torch\nfrom course_utils.core.sink_fixes import sink_softmax\n"
            "def softmax_with_sink(scores, sink_logit):\n    return sink_softmax(scores, sink_logit)",
            # the course function reached through its module
            "import torch\nimport course_utils.core.sink_fixes as fixes\n"
            "def softmax_with_sink(scores, sink_logit):\n    return fixes.sink_softmax(scores, sink_logit)",
            # the course's stable softmax on the scores and the extra key
            "import torch\nfrom course_utils.core.attention import stable_softmax\n"
            "def softmax_with_sink(scores, sink_logit):\n"
            "    extra = sink_logit.to(scores.dtype).expand(*scores.shape[:-1], 1)\n"
            "    return stable_softmax(torch.cat([scores, extra], -1))[..., :-1]",
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
        # asked to 3 decimals each: (0.491, 0.264), (0.859, 0.037), (0.357, 0.332), (0.030, 0.794)
        "right": "q6_fractions = [(0.4912, 0.2638), (0.8588, 0.0368), (0.3573, 0.3318), (0.0301, 0.7941)]",
        "wrong": [
            # the mean weight on BOS per block, twice, not fractions of queries
            "q6_fractions = [(0.3475, 0.3475), (0.0675, 0.0675), (0.4372, 0.4372), (0.8556, 0.8556)]",
            # the TRIGGER (copy) queries counted too
            "q6_fractions = [(0.5231, 0.2503), (0.8229, 0.0622), (0.3831, 0.3223), (0.1123, 0.7217)]",
            # uniform over the longest row, 1/256, for every query
            "q6_fractions = [(0.4519, 0.2638), (0.8523, 0.0368), (0.3428, 0.3318), (0.029, 0.7941)]",
            # 1/i for the even weight at query i: one key short
            "q6_fractions = [(0.4912, 0.2638), (0.8588, 0.0368), (0.3581, 0.3318), (0.0301, 0.7941)]",
            # 1/(i + 2): one key too many
            "q6_fractions = [(0.4908, 0.2638), (0.8588, 0.0368), (0.3563, 0.3318), (0.0301, 0.7941)]",
            # above one half, not above 0.9
            "q6_fractions = [(0.4912, 0.3524), (0.8588, 0.0644), (0.3573, 0.4411), (0.0301, 0.8589)]",
            # each pair in the other order
            "q6_fractions = [(0.2638, 0.4912), (0.0368, 0.8588), (0.3318, 0.3573), (0.7941, 0.0301)]",
            # the blocks in reverse order
            "q6_fractions = [(0.0301, 0.7941), (0.3573, 0.3318), (0.8588, 0.0368), (0.4912, 0.2638)]",
            # the below-even fractions alone, with the above-0.9 ones left at 0
            "q6_fractions = [(0.4912, 0.0), (0.8588, 0.0), (0.3573, 0.0), (0.0301, 0.0)]",
        ],
    },
}
