"""How far dilated attention reaches (ch. 07).

Which keys a stack of dilated layers can route to each query, and which key-value pairs it can retrieve.
"""

from __future__ import annotations

import torch
from torch import Tensor

from course_utils.core.dilated import dilated_key_counts


def receptive_field(
    n: int, heads: int, segment_lengths: list[int], dilation_rates: list[int], layers: int, *, causal: bool = True
) -> Tensor:
    """Which keys can reach each query through `layers` stacked dilated layers: (layers, n, n) bool.

    One layer lets query i read key j if some head's pattern does (the union over heads), and the
    residual stream keeps each token's own state, so reach[l] = reach[l-1] composed with one layer.

    Example:
        The share of (query, key) pairs three layers connect:

        >>> receptive_field(64, 4, [8, 64], [1, 8], layers=3)[-1].float().mean()
        tensor(0.2480)
    """
    one = dilated_key_counts(n, heads, segment_lengths, dilation_rates, causal=causal).sum(0) > 0
    one |= torch.eye(n, dtype=torch.bool)  # the residual stream
    reach = [one]
    for _ in range(layers - 1):
        reach.append((reach[-1].float() @ one.float()) > 0)
    return torch.stack(reach)


def routable_pairs(reach: Tensor, n_pairs: int, layers: int) -> Tensor:
    """Which pairs of a key-value retrieval sequence a stack of `layers` attention layers can route: (K,) bool.

    The sequence is `BOS k1 v1 … kK vK SEP kq`: key i at 2i + 1, value at 2i + 2, the query answered at
    2K + 2.

    A route binds the pair, then delivers it: some position p holds both the key and the value after
    l layers, and the query reads p within the remaining layers - l (1 <= l < layers). `reach` is
    `receptive_field(...)` (reach[l - 1][i, j]: information at j can be at i after l layers), for a
    length of at least 2K + 3. It counts every relay, so it is an upper bound on what a model can
    learn to route; with two layers it is "bind in layer 1, read in layer 2".

    Example:
        >>> routable_pairs(receptive_field(48, 3, [8, 16, 48], [1, 2, 4], 2), 12, 2)
        tensor([ True,  True,  True, False,  True,  True,  True, False,  True,  True,
                 True,  True])
    """
    if layers < 2 or reach.shape[0] < layers - 1:
        raise ValueError(
            f"a route needs layers >= 2 and reach for layers - 1 of them; got layers={layers}, "
            f"reach for {reach.shape[0]}; pass layers >= 2 and reach=receptive_field(..., layers=layers)"
        )
    query = 2 * n_pairs + 2
    if reach.shape[-1] <= query:
        raise ValueError(
            f"reach covers {reach.shape[-1]} positions; {n_pairs} pairs need {query + 1}: "
            f"build it with receptive_field(n, ...) for n >= {query + 1}"
        )
    keys, values = 2 * torch.arange(n_pairs) + 1, 2 * torch.arange(n_pairs) + 2
    open_ = torch.zeros(n_pairs, dtype=torch.bool)
    for bind in range(1, layers):  # layers used to bind, then layers - bind to deliver
        holds = reach[bind - 1][:, keys] & reach[bind - 1][:, values]  # (n, K): p holds key i and value i
        delivered = reach[layers - bind - 1][query]  # (n,): p reaches the query
        open_ |= (holds & delivered[:, None]).any(dim=0)
    return open_
