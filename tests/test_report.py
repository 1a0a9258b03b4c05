"""error_text: measured errors print as numbers, rounding noise as a bound, bad input as a clear error."""

import pytest

from course_utils.tools.report import error_text


def test_errors_above_the_floor_print_as_numbers():
    assert error_text(0.18) == "1.8e-01"
    assert error_text(1e-12) == "1.0e-12"


def test_rounding_noise_prints_as_a_bound():
    assert error_text(2.2e-16) == error_text(2.0e-16) == error_text(0.0) == "<1e-12"
    assert error_text(3e-7, floor=1e-5) == "<1e-05"


@pytest.mark.parametrize("error, floor", [(-1.0, 1e-12), (float("nan"), 1e-12), (1.0, 0.0), (1.0, float("inf"))])
def test_bad_input_is_a_clear_error(error, floor):
    with pytest.raises(ValueError, match="must be"):
        error_text(error, floor)
