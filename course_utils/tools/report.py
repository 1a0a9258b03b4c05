"""Printing measured errors so that a notebook's stored output is the same on every CPU.

Two CPUs (or two code paths of one math library) round the same float computation differently.
An error of 2.2e-16 on one machine is 2.0e-16 on another, and a stored notebook output that prints
it fails `pytest --nbval` there. Below the floor of its float type an error is rounding noise, not a
measurement, so it prints as a bound.
"""

import math


def error_text(error: float, floor: float = 1e-12) -> str:
    """`error` as `"1.8e-01"`, or `"<1e-12"` when it is below `floor` (rounding noise).

    Use floor 1e-12 for float64 results and 1e-6 for float32 ones (machine epsilon times the
    small sizes these checks use, with room to spare).

    Example:
        >>> error_text(0.18), error_text(2.2e-16), error_text(3e-7, floor=1e-6)
        ('1.8e-01', '<1e-12', '<1e-06')
    """
    if not floor > 0 or not math.isfinite(floor):
        raise ValueError(f"floor must be a positive finite number, got {floor}")
    if math.isnan(error) or error < 0:
        raise ValueError(f"error must be a non-negative number (an absolute difference), got {error}")
    return f"{error:.1e}" if error >= floor else f"<{floor:.0e}"
