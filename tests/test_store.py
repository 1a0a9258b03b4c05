"""How a checkpoint is stored (course_utils/zoo/store.py): losslessly, compressed, shared tensors once."""

import io
import lzma

import torch

from course_utils import zoo


def test_checkpoints_store_the_loss_curve_compactly():
    """As a float32 tensor on disk (exact: the losses are float32 values), a list of floats once read."""
    path = zoo.checkpoint_path("copy-s0")
    stored = torch.load(io.BytesIO(lzma.decompress(path.read_bytes())), weights_only=True)
    assert isinstance(stored["losses"], torch.Tensor) and stored["losses"].dtype == torch.float32
    assert zoo.read_checkpoint(path)["losses"] == stored["losses"].tolist()


def test_checkpoints_round_trip_losslessly_compressed_and_keep_shared_tensors_shared(tmp_path):
    model, record = zoo.load_entry(zoo.entry_name("kv", 0, positional="learned", filler=True), verbose=False)
    state = {**model.state_dict(), "step": torch.tensor(7), "half": torch.randn(5, dtype=torch.float16)}
    shared = [k for k, v in state.items() if v.data_ptr() == state["positional.table.weight"].data_ptr()]
    assert len(shared) > 1  # the learned table is used by every block
    path = tmp_path / "m.pt.xz"
    zoo.write_checkpoint({**record, "state_dict": state, "seed": 3}, path)
    back = zoo.read_checkpoint(path)
    assert back["seed"] == 3 and back["state_dict"].keys() == state.keys()
    for k, v in state.items():
        assert back["state_dict"][k].dtype == v.dtype and torch.equal(back["state_dict"][k], v), k
    assert len({back["state_dict"][k].data_ptr() for k in shared}) == 1
    raw = sum(v.numel() * v.element_size() for k, v in state.items() if k not in shared[1:])
    assert path.stat().st_size < 0.9 * raw
