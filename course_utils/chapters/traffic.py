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
from collections.abc import Callable
from dataclasses import dataclass, field

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
        return self.read + self.written


class _TrafficMode(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.traffic = Traffic()
        self.live = 0
        self.refs: dict[int, int] = {}  # storage address -> tensors created by the call that use it

    def _release(self, address: int, nbytes: int) -> None:
        self.refs[address] -= 1
        if self.refs[address] == 0:
            del self.refs[address]
            self.live -= nbytes

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
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
            if address not in self.refs:
                self.refs[address] = 0
                self.live += nbytes
            self.refs[address] += 1
            weakref.finalize(t, self._release, address, nbytes)
        self.traffic.peak_live = max(self.traffic.peak_live, self.live)
        return out


@torch.no_grad()
def count_traffic(fn: Callable[..., object], *args, **kwargs) -> Traffic:
    """Run `fn(*args, **kwargs)` once without gradients and count its traffic (see the module docstring).

    Example: `count_traffic(attention, q, k, v).peak_live / (4 * n * n)` -> about 3 (three n x n fp32 buffers)
    """
    mode = _TrafficMode()
    with mode:
        fn(*args, **kwargs)
    return mode.traffic


def saved_for_backward_bytes(fn: Callable[..., object], *inputs: Tensor) -> int:
    """Bytes of the tensors autograd keeps for the backward pass of `fn(*inputs)`, not counting the
    inputs themselves (they exist anyway). Inputs must require grad.

    Example: `saved_for_backward_bytes(lambda q, k, v: attention(q, k, v)[0], q, k, v)` -> about 4·n²·4 bytes
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
