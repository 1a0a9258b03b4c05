"""Printing measured errors so that a notebook's stored output is the same on every CPU, and fitting
the log-log slope of a measured curve (`loglog_slope`).

Two CPUs (or two code paths of one math library) round the same float computation differently.
An error of 2.2e-16 on one machine is 2.0e-16 on another, and a stored notebook output that prints
it fails `pytest --nbval` there. Below the floor of its float type an error is rounding noise, not a
measurement, so it prints as a bound.
"""

import math
from collections.abc import Sequence


def error_text(error: float, floor: float = 1e-12) -> str:
    """`error` as `"1.8e-01"`, or `"<1e-12"` when it is below `floor` (rounding noise).

    Use floor 1e-12 for float64 results and 1e-6 for float32 ones (machine epsilon times the
    small sizes these checks use, with room to spare).

    Example:
        >>> error_text(0.18), error_text(2.2e-16), error_text(3e-7, floor=1e-6)
        ('1.8e-01', '<1e-12', '<1e-06')
    """
    if not floor > 0 or not math.isfinite(floor):
        raise ValueError(
            f"floor must be a positive finite number, got {floor}: use 1e-12 for float64 results, 1e-6 for float32"
        )
    if math.isnan(error) or error < 0:
        raise ValueError(
            f"error must be a non-negative number, got {error}: pass an absolute difference, (a - b).abs().max()"
        )
    return f"{error:.1e}" if error >= floor else f"<{floor:.0e}"


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log y against log x, in float64: the exponent p of a curve y ~ x^p.

    xs, ys: (points,) positive numbers, at least two distinct xs (e.g. sizes n and seconds).

    Example:
        >>> round(loglog_slope([1024, 2048, 4096], [1.0, 4.0, 16.0]), 4)
        2.0
    """
    if len(xs) != len(ys) or len(set(xs)) < 2:
        raise ValueError(
            f"need as many ys as xs and at least two distinct xs; got xs={list(xs)}, ys={list(ys)}: "
            "pass one y per x, measured at two sizes or more"
        )
    if min(xs) <= 0 or min(ys) <= 0:
        raise ValueError(
            f"a log-log slope needs positive values; got xs={list(xs)}, ys={list(ys)}: leave out points at or below 0"
        )
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)
