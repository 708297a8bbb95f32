"""Decimal helpers: exact inputs, and money rounded to 0.01 yuan half-up only at the end.

Inputs are converted through ``str`` so that a float such as 0.13 becomes exactly 0.13
(the value the user typed), not its binary approximation.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from cbec_policy.errors import InputError

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.000001")


def to_decimal(value: object, what: str) -> Decimal:
    """An exact Decimal from an int, float, str or Decimal; ``what`` names the input in errors."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise InputError(what, f"not a number: {value!r}")
    else:
        try:
            result = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise InputError(what, f"not a number: {value!r}") from None
    if not result.is_finite():
        raise InputError(what, f"not a finite number: {value!r}")
    return result


def round_half_up(value: Decimal | Fraction, places: int) -> Decimal:
    """Round exactly to ``places`` decimals, half away from zero.

    Fractions are rounded exactly, so a tax whose true value is a half fen (e.g. 10 % of
    12.35) rounds up, whatever binary or 28-digit decimal arithmetic would have produced.
    """
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    numerator, denominator = value.numerator * 10**places, value.denominator
    sign = -1 if numerator < 0 else 1
    quotient = (2 * abs(numerator) + denominator) // (2 * denominator)
    return Decimal(sign * quotient).scaleb(-places)


def money(value: Decimal | Fraction) -> Decimal:
    """Round to 0.01 yuan, half up (0.005 → 0.01)."""
    return round_half_up(value, 2)


def rate(value: Decimal | Fraction) -> Decimal:
    """Round a rate to six decimals, half up (23.0588235% → 0.230588)."""
    return round_half_up(value, 6)


def percent(value: Decimal) -> str:
    """A rate as a percentage without trailing zeros: Decimal('0.130') → '13%'."""
    text = f"{(value * 100).normalize():f}"
    return f"{text}%"
