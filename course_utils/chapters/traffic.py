"""What an attention call moves and keeps, counted op by op (notebook 06).

FlashAttention's title says *IO-aware*: at equal FLOPs it is faster because it does not write the
n x n scores to slow memory and read them back. `count_traffic` makes that countable. It runs a
function under a `TorchDispatchMode` that sees every ATen operation and adds up, for each one, the
bytes of the tensors it reads and writes (an unfused implementation goes through main memory
between operations), and the peak of the bytes held by the tensors the operations created.
`saved_for_backward_bytes` adds up what autograd keeps for the backward pass.

These are counts of one execution, not hardware measurements: caches can serve a re-read, and a
fused kernel re-reads K and V once per query block. They are the numbers to set against a
measured time or peak.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor
from torch.utils import _pytree as pytree
from torch.utils._python_dispatch import TorchDispatchMode


@dataclass
class Traffic:
    """Bytes one call moved, op by op. read, written: totals over the operations; peak_live: the most
    bytes held at once by tensors the call created (its inputs are not counted); ops: (name, bytes read
    + written) per operation that moved data (views and metadata operations move none)."""

    read: int = 0
    written: int = 0
    peak_live: int = 0
    ops: list[tuple[str, int]] = field(default_factory=list)

    @property
    def moved(self) -> int:
        """Bytes read plus bytes written."""
        return self.read + self.written


class _TrafficMode(TorchDispatchMode):
    """Counts, for every ATen operation run under it, the bytes it reads and writes and the bytes held."""

    def __init__(self) -> None:
        super().__init__()
        self.traffic = Traffic()
        self.live_bytes = 0
        self.tensors_per_storage: dict[int, int] = {}  # storage address -> tensors created by the call that use it

    def _release(self, address: int, nbytes: int) -> None:
        """A tensor the call created was freed: its storage stops counting when no such tensor uses it."""
        self.tensors_per_storage[address] -= 1
        if self.tensors_per_storage[address] == 0:
            del self.tensors_per_storage[address]
            self.live_bytes -= nbytes

    def __torch_dispatch__(
        self,
        func: torch._ops.OpOverload,
        types: Sequence[type],
        args: Sequence[Any] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        out = func(*args, **(kwargs or {}))
        inputs = [t for t in pytree.tree_leaves((args, kwargs)) if isinstance(t, Tensor)]
        outputs = [t for t in pytree.tree_leaves(out) if isinstance(t, Tensor)]
        input_storage = {t.untyped_storage().data_ptr() for t in inputs}
        fresh = [t for t in outputs if t.untyped_storage().data_ptr() not in input_storage]
        if not fresh:  # a view or an in-place update: no new memory, no copy
            return out
        moved_in, moved_out = sum(t.nbytes for t in inputs), sum(t.nbytes for t in fresh)
        self.traffic.read += moved_in
        self.traffic.written += moved_out
        self.traffic.ops.append((str(func.overloadpacket.__name__), moved_in + moved_out))
        for t in fresh:
            storage = t.untyped_storage()
            address, nbytes = storage.data_ptr(), storage.nbytes()
            if address not in self.tensors_per_storage:
                self.tensors_per_storage[address] = 0
                self.live_bytes += nbytes
            self.tensors_per_storage[address] += 1
            weakref.finalize(t, self._release, address, nbytes)
        self.traffic.peak_live = max(self.traffic.peak_live, self.live_bytes)
        return out


@torch.no_grad()
def count_traffic(fn: Callable[..., object], *args: Any, **kwargs: Any) -> Traffic:
    """Run `fn(*args, **kwargs)` once without gradients and count its traffic (see the module docstring).

    Naive attention holds three n x n fp32 buffers at once (scores, their exponentials, weights):

    Example:
        >>> from course_utils.core.attention import attention
        >>> x = torch.ones(1, 1, 256, 64)
        >>> round(count_traffic(attention, x, x, x).peak_live / (4 * 256**2))
        3
    """
    mode = _TrafficMode()
    with mode:
        fn(*args, **kwargs)
    return mode.traffic


def saved_for_backward_bytes(fn: Callable[..., object], *inputs: Tensor) -> int:
    """Bytes of the tensors autograd keeps for the backward pass of `fn(*inputs)`, not counting the
    inputs themselves (they exist anyway). Inputs must require grad.

    Autograd keeps three n x n fp32 tensors of naive attention:

    Example:
        >>> from course_utils.core.attention import attention
        >>> q, k, v = (torch.ones(1, 1, 256, 64, requires_grad=True) for _ in range(3))
        >>> round(saved_for_backward_bytes(lambda q, k, v: attention(q, k, v)[0], q, k, v) / (4 * 256**2))
        3
    """
    if not all(isinstance(t, Tensor) and t.requires_grad for t in inputs):
        raise ValueError("pass tensors that require grad (x.requires_grad_()), or autograd saves nothing")
    input_storage = {t.untyped_storage().data_ptr() for t in inputs}
    seen: set[int] = set()
    total = 0

    def pack(t: Tensor) -> Tensor:
        nonlocal total
        address = t.untyped_storage().data_ptr()
        if address not in input_storage and address not in seen:
            seen.add(address)
            total += t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(*inputs)
    return total
