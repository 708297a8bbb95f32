"""Decimal helpers: exact inputs, and money rounded to 0.01 yuan half-up only at the end.

Inputs are converted through ``str`` so that a float such as 0.13 becomes exactly 0.13
(the value the user typed), not its binary approximation.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


def money(value: Decimal) -> Decimal:
    """Round to 0.01 yuan, half up (0.005 → 0.01)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rate(value: Decimal) -> Decimal:
    """Round a rate to six decimals, half up (23.0588235% → 0.230588)."""
    return value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
