"""error_text: measured errors print as numbers, rounding noise as a bound, bad input as a clear error;
loglog_slope: the exponent of a power law, as numpy's least-squares fit finds it."""

import numpy as np
import pytest

from course_utils.tools.report import error_text, loglog_slope


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


def test_loglog_slope_is_a_power_laws_exponent_and_numpys_fit():
    ns = [1024, 2048, 4096, 8192]
    assert loglog_slope(ns, [3e-9 * n**1.5 for n in ns]) == pytest.approx(1.5, abs=1e-12)
    noisy = [0.011, 0.05, 0.17, 0.71]
    assert loglog_slope(ns, noisy) == pytest.approx(np.polyfit(np.log(ns), np.log(noisy), 1)[0], abs=1e-12)


@pytest.mark.parametrize(
    "xs, ys", [([1.0], [1.0]), ([2.0, 2.0], [1.0, 3.0]), ([1.0, 2.0], [1.0]), ([1.0, 2.0], [0.0, 1.0])]
)
def test_loglog_slope_rejects_what_has_no_slope(xs, ys):
    with pytest.raises(ValueError, match="need"):
        loglog_slope(xs, ys)
