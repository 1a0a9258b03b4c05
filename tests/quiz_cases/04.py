"""Right and wrong answers of chapter 04's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_P = "    p_sink = 1.0 - weights.sum(-1)\n"
_O = "    out = weights @ values\n"
_RET = "    return -(p_sink * (grad_out * out).sum(-1)).sum(dim=(0, 2))"

#: The start of the autograd cheats of Q5: the scores rebuilt from the weights against a zero sink logit.
_REBUILT_SCORES = (
    "import torch\ndef sink_logit_grad(weights, values, grad_out):\n"
    "    w = weights.double()\n"
    "    p = (1.0 - w.sum(-1, keepdim=True)).clamp_min(1e-300)\n"
    "    s = (w.clamp_min(1e-300).log() - p.log()).masked_fill(w == 0, float('-inf'))\n"
)

CASES = {
    "q5": {
        "right": "import torch\ndef sink_logit_grad(weights, values, grad_out):\n" + _P + _O + _RET,
        "wrong": [
            # the sign flipped: raising b_h takes weight from the real keys, so dL/db = -sum p (g . o)
            "import torch\ndef sink_logit_grad(weights, values, grad_out):\n"
            + _P
            + _O
            + "    return (p_sink * (grad_out * out).sum(-1)).sum(dim=(0, 2))",
            # the real keys' total weight in place of the extra key's
            "import torch\ndef sink_logit_grad(weights, values, grad_out):\n    p_sink = weights.sum(-1)\n" + _O + _RET,
            # p (1 - p), the derivative of the extra key's own weight, as the factor
            "import torch\ndef sink_logit_grad(weights, values, grad_out):\n"
            + _P
            + _O
            + "    return -(p_sink * (1 - p_sink) * (grad_out * out).sum(-1)).sum(dim=(0, 2))",
            # the factor p_i left out
            "import torch\ndef sink_logit_grad(weights, values, grad_out):\n"
            + _O
            + "    return -(grad_out * out).sum(-1).sum(dim=(0, 2))",
            # averaged over the batch and the queries, not summed
            "import torch\ndef sink_logit_grad(weights, values, grad_out):\n"
            + _P
            + _O
            + "    return -(p_sink * (grad_out * out).sum(-1)).mean(dim=(0, 2))",
            # the softmax Jacobian's diagonal, -w (1 - w), per key, in place of -w p
            "import torch\ndef sink_logit_grad(weights, values, grad_out):\n"
            "    dw = -weights * (1 - weights)  # (B, H, n_q, n_k)\n"
            "    return (dw * (grad_out @ values.transpose(-2, -1))).sum(dim=(0, 2, 3))",
            # the values summed without their weights: -sum p (g . sum_j v_j)
            "import torch\ndef sink_logit_grad(weights, values, grad_out):\n"
            + _P
            + "    out = values.sum(-2, keepdim=True).expand_as(grad_out)\n"
            + _RET,
        ],
        "cheats": [
            # autograd through the course's sink_softmax, on scores rebuilt from the weights
            "import torch\nfrom course_utils.core.sink_fixes import sink_softmax\n"
            "def sink_logit_grad(weights, values, grad_out):\n"
            "    p_sink = 1.0 - weights.sum(-1, keepdim=True)\n"
            "    b = torch.zeros(weights.shape[1], 1, 1, dtype=weights.dtype, requires_grad=True)\n"
            "    w = sink_softmax(weights.log() - p_sink.log(), b)\n"
            "    (grad,) = torch.autograd.grad(((w @ values) * grad_out).sum(), b)\n"
            "    return grad.flatten()",
            # no derivation and no course code: logits rebuilt against a zero sink logit, then torch.autograd.grad
            _REBUILT_SCORES + "    b = torch.zeros(w.shape[1], dtype=w.dtype, requires_grad=True)\n"
            "    full = torch.cat([s, b.view(1, -1, 1, 1).expand(*s.shape[:-1], 1)], -1)\n"
            "    loss = ((full.softmax(-1)[..., :-1] @ values.double()) * grad_out.double()).sum()\n"
            "    (g,) = torch.autograd.grad(loss, b)\n"
            "    return g.to(weights.dtype)",
            # the same through Tensor.backward
            _REBUILT_SCORES + "    b = torch.zeros(w.shape[1], dtype=w.dtype, requires_grad=True)\n"
            "    full = torch.cat([s, b.view(1, -1, 1, 1).expand(*s.shape[:-1], 1)], -1)\n"
            "    ((full.softmax(-1)[..., :-1] @ values.double()) * grad_out.double()).sum().backward()\n"
            "    return b.grad.to(weights.dtype)",
            # the same through torch.func.grad
            _REBUILT_SCORES + "    def loss(b):\n"
            "        full = torch.cat([s, b.view(1, -1, 1, 1).expand(*s.shape[:-1], 1)], -1)\n"
            "        return ((full.softmax(-1)[..., :-1] @ values.double()) * grad_out.double()).sum()\n"
            "    return torch.func.grad(loss)(torch.zeros(w.shape[1], dtype=w.dtype)).to(weights.dtype)",
            # forward mode: a dual number per head through torch.autograd.forward_ad
            _REBUILT_SCORES + "    import torch.autograd.forward_ad as fwAD\n"
            "    out = []\n"
            "    for k in range(w.shape[1]):\n"
            "        with fwAD.dual_level():\n"
            "            t = torch.zeros(w.shape[1], dtype=w.dtype)\n"
            "            t[k] = 1.0\n"
            "            b = fwAD.make_dual(torch.zeros(w.shape[1], dtype=w.dtype), t)\n"
            "            full = torch.cat([s, b.view(1, -1, 1, 1).expand(*s.shape[:-1], 1)], -1)\n"
            "            loss = ((full.softmax(-1)[..., :-1] @ values.double()) * grad_out.double()).sum()\n"
            "            out.append(fwAD.unpack_dual(loss).tangent)\n"
            "    return torch.stack(out).to(weights.dtype)",
            # forward mode through torch.func.jacfwd
            _REBUILT_SCORES + "    def loss(b):\n"
            "        full = torch.cat([s, b.view(1, -1, 1, 1).expand(*s.shape[:-1], 1)], -1)\n"
            "        return ((full.softmax(-1)[..., :-1] @ values.double()) * grad_out.double()).sum()\n"
            "    return torch.func.jacfwd(loss)(torch.zeros(w.shape[1], dtype=w.dtype)).to(weights.dtype)",
            # one Jacobian-vector product per head through torch.func.jvp
            _REBUILT_SCORES + "    def loss(b):\n"
            "        full = torch.cat([s, b.view(1, -1, 1, 1).expand(*s.shape[:-1], 1)], -1)\n"
            "        return ((full.softmax(-1)[..., :-1] @ values.double()) * grad_out.double()).sum()\n"
            "    zero, eye = torch.zeros(w.shape[1], dtype=w.dtype), torch.eye(w.shape[1], dtype=w.dtype)\n"
            "    return torch.stack([torch.func.jvp(loss, (zero,), (e,))[1] for e in eye]).to(weights.dtype)",
            # complex-step differentiation: the weights rebuilt as functions of b, L(i h) in complex128, Im L / h
            "import torch\ndef sink_logit_grad(weights, values, grad_out):\n"
            "    w = weights.double()\n"
            "    p = 1.0 - w.sum(-1, keepdim=True)\n"
            "    h, res = 1e-20, []\n"
            "    for k in range(w.shape[1]):\n"
            "        b = torch.zeros(w.shape[1], dtype=torch.complex128)\n"
            "        b[k] = 1j * h\n"
            "        eb = torch.exp(b).view(1, -1, 1, 1)\n"
            "        wc = w.to(torch.complex128) / (p.to(torch.complex128) * eb + w.sum(-1, keepdim=True))\n"
            "        loss = ((wc @ values.to(torch.complex128)) * grad_out.to(torch.complex128)).sum()\n"
            "        res.append(loss.imag / h)\n"
            "    return torch.stack(res).to(weights.dtype)",
        ],
    },
    "q6": {
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
}
