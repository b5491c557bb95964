"""Numbers as the paper's software prints them.

Python's ``f"{x:.2f}"`` rounds a tie to even on the binary value, so 4.125 prints as
4.12 while SPSS and Stata print 4.13. Tables set beside the published ones use
:func:`half_up` so that a reproduced value shows the digits the paper would have shown.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def half_up(x: float, decimals: int) -> str:
    """`x` with `decimals` digits, ties rounded away from zero (as SPSS prints).

    The value is first cut to 10 decimals so that a mean such as 2.0249999999999995
    (floating-point noise around 81/40) counts as the tie it is.

    >>> half_up(4.125, 2), half_up(81 / 40, 2), half_up(-0.125, 2), half_up(18.75, 1)
    ('4.13', '2.03', '-0.13', '18.8')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    exact = Decimal(f"{x:.10f}")
    return str(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def mean_sd(mean: float, sd: float, decimals: int = 2) -> str:
    """``"mean (SD)"`` as the trial's tables print it.

    >>> mean_sd(4.125, 3.18)
    '4.13 (3.18)'
    """
    return f"{half_up(mean, decimals)} ({half_up(sd, decimals)})"


def format_p(p: float) -> str:
    """A p-value as the trial's tables print it: three decimals, or a bound below 0.001.

    >>> format_p(0.33559), format_p(0.0004), format_p(float("nan"))
    ('0.336', '< 0.001', '')
    """
    if p is None or math.isnan(p):
        return ""
    return "< 0.001" if p < 0.001 else half_up(p, 3)


def p_statement(p: float) -> str:
    """A p-value as a sentence states it: ``p = 0.336``, or ``p < 0.001``.

    >>> p_statement(0.33559), p_statement(0.0004), p_statement(1.0)
    ('p = 0.336', 'p < 0.001', 'p = 1.000')
    """
    text = format_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"
