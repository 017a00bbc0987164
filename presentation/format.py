"""The one formatter for money and the one for percentages, and the parser for figures as writers type them.

Formatting is presentation, not finance: no formula lives here.

**The rounding rule.** A figure is shown as its exact value rounded to the digits shown, half away
from zero (48.975% is shown as 48.98%, $0.125 with two decimals as $0.13). The calculators give exact
rationals (:class:`fractions.Fraction`); a float is taken as its exact binary value. The digits are
decided with integer arithmetic only, never a libm function such as ``log10``, so CPython at build
time and Pyodide in the browser print the same text for the same value, to the last digit.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

MINUS = "\u2212"  # a real minus sign: readers (and screen readers) see "−$1,000.00", not a hyphen


def exact(value: Any) -> Fraction | None:
    """``value`` as an exact rational, or None for no number (None, a flag, NaN, an infinity)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    try:
        return Fraction(value)  # float or Decimal: its exact value
    except (ValueError, OverflowError, TypeError):  # NaN, infinities, anything else
        return None


def _digits(value: Fraction, decimals: int, times: int = 1) -> tuple[bool, str]:
    """(negative, "1,234.57"): |value| times ``times`` rounded half away from zero to ``decimals``
    places, grouped. In integers: no Fraction is made (a guide's build formats thousands of figures)."""
    scale = 10 ** decimals
    top, bottom = abs(value.numerator) * times * scale, value.denominator
    units = (top * 2 + bottom) // (2 * bottom)  # floor(top / bottom + 1/2)
    whole, part = divmod(units, scale)
    text = f"{whole:,}" + (f".{part:0{decimals}d}" if decimals > 0 else "")
    return value.numerator < 0 and units != 0, text


def _magnitude(value: Fraction) -> int:
    """floor(log10(|value|)) for a non-zero value, by integer arithmetic."""
    value = abs(value)
    exponent = len(str(value.numerator)) - len(str(value.denominator))
    # 10**exponent is within a factor of ten of the value: step until 10**e <= value < 10**(e+1)
    while Fraction(10) ** exponent > value:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= value:
        exponent += 1
    return exponent


def money(value: Any, decimals: int | None = None) -> str:
    """``$58,825.00``. Below one dollar, enough decimals for four significant digits."""
    number = exact(value)
    if number is None:
        return "n/a"
    if decimals is None:
        decimals = 2 if abs(number) >= 1 or number == 0 else max(2, 3 - _magnitude(number))
    negative, text = _digits(number, decimals)
    return f"{MINUS if negative else ''}${text}"


def percent(value: Any, decimals: int = 2) -> str:
    """A fraction as a percentage: ``0.095`` -> ``9.50%``."""
    number = exact(value)
    if number is None:
        return "n/a"
    negative, text = _digits(number, decimals, 100)
    return f"{MINUS if negative else ''}{text}%"


def number(value: Any, decimals: int = 4) -> str:
    """A plain quantity: ``0.1538``."""
    figure = exact(value)
    if figure is None:
        return "n/a"
    negative, text = _digits(figure, decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (MINUS if negative and text.strip("0.,") else "") + text


def multiple(value: Any) -> str:
    """Leverage: ``10x``."""
    return number(value, 2) + "x"


def outcome(value: Any) -> str:
    """One position after a shock, in words: ``liquidated``, ``open, loss $1,000.00``, ``open, no change``."""
    if not isinstance(value, dict):
        return "n/a"
    if value.get("liquidated"):
        return "liquidated"
    pnl = value.get("pnl") or 0.0
    if pnl < 0:
        return f"open, loss {money(-pnl)}"
    if pnl > 0:
        return f"open, profit {money(pnl)}"
    return "open, no change"


def by_unit(value: Any, unit: str | None, decimals: int | None = None) -> str:
    """Format a result by the unit its calculator's description gives it."""
    if unit in ("usd", "price"):
        return money(value, decimals)
    if unit in ("percent", "ratio"):
        return percent(value, 2 if decimals is None else decimals)
    if unit == "flag":
        return "yes" if value else "no"
    if unit == "multiple":
        return multiple(value)
    if unit == "outcome":
        return outcome(value)
    if unit in ("quantity", "count"):
        return number(value, 4 if decimals is None else decimals)
    if value is None:
        return "n/a"
    return str(value)


_FIGURE = re.compile(r"^\s*([+\-\u2212]?)\s*\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+)\s*(%|x)?\s*$")


def parse_stated(text: Any, unit: str | None) -> tuple[Fraction, Fraction]:
    """A figure as a writer states it, in the output's own scale, and half a unit of its last digit,
    both exact.

    ``"$58,825"`` -> (58825, 1/2); ``"9.5%"`` -> (19/200, 1/2000); ``10`` -> (10, 1/2).
    Raises ValueError with a readable reason.
    """
    if isinstance(text, bool):
        raise ValueError(f"stated value {text!r} is not a figure")
    raw = str(text)
    match = _FIGURE.match(raw)
    if not match:
        raise ValueError(f"stated value {raw!r} is not a figure (write it as 58,825 or $58,825.00 or 9.5%)")
    sign, digits, suffix = match.groups()
    digits = digits.replace(",", "")
    value = Decimal(digits)
    exponent = value.as_tuple().exponent
    half_unit = Decimal(5).scaleb(exponent - 1) if isinstance(exponent, int) else Decimal(0)
    if sign in ("-", MINUS):
        value = -value
    if unit in ("percent", "ratio"):
        if suffix != "%":
            raise ValueError(f"stated value {raw!r} needs a % sign: the figure is a percentage")
        return Fraction(value) / 100, Fraction(half_unit) / 100
    if suffix == "%":
        raise ValueError(f"stated value {raw!r} is a percentage, but the figure is not")
    return Fraction(value), Fraction(half_unit)


def parse_tolerance(text: Any, reference: Any) -> Fraction:
    """``tol="1%"`` is relative to the computed value; a bare number is absolute in the figure's scale."""
    raw = str(text).strip()
    relative = raw.endswith("%")
    try:
        amount = Decimal(raw[:-1].strip() if relative else raw)
    except ArithmeticError:  # decimal's InvalidOperation, whose own message is unreadable
        raise ValueError(f"tol={text!r} is not a number (tol=50) or a percentage (tol=\"1%\")") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"tol={text!r} must be a finite number, zero or more")
    return abs(exact(reference) or 0) * Fraction(amount) / 100 if relative else Fraction(amount)


__all__ = ["exact", "money", "percent", "number", "multiple", "outcome", "by_unit", "parse_stated", "parse_tolerance"]
