"""FLOPs counted from the shapes: dense attention, dilated attention, and how the two relate."""

import pytest

from course_utils.chapters.flops import attention_flops, dilated_flops


def test_dense_attention_flops():
    assert attention_flops(4096, 64, 8) == 4 * 4096**2 * 64 * 8
    assert attention_flops(10, 2, 1, causal=True) == 400


def test_dilated_flops_are_dense_calls_on_the_kept_rows():
    assert dilated_flops(8192, 64, 8, [2048], [1]) == 4 * 4 * 2048**2 * 64 * 8
    assert dilated_flops(8192, 64, 8, [8192], [1]) == attention_flops(8192, 64, 8)  # one dense pattern
    both = dilated_flops(256, 64, 1, [64, 128], [1, 2])
    assert both == 4 * 4 * 64**2 * 64 + 4 * 2 * 64**2 * 64
    assert dilated_flops(256, 64, 1, [64, 128], [1, 2], causal=True) == both / 2
    with pytest.raises(ValueError, match="one dilation rate per segment length; got 2 lengths and 1 rates: pass lists"):
        dilated_flops(256, 64, 1, [64, 128], [1])
