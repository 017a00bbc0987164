"""The one formatter for money and the one for percentages, and the parser for figures as writers type them.

Formatting is presentation, not finance: no formula lives here.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

MINUS = "\u2212"  # a real minus sign: readers (and screen readers) see "−$1,000.00", not a hyphen


def money(value: Any, decimals: int | None = None) -> str:
    """``$58,825.00``. Below one dollar, enough decimals for four significant digits."""
    number = _finite(value)
    if number is None:
        return "n/a"
    if decimals is None:
        decimals = 2 if abs(number) >= 1 or number == 0 else max(2, 3 - math.floor(math.log10(abs(number))))
    text = f"{abs(number):,.{decimals}f}"
    sign = MINUS if number < 0 and float(text.replace(",", "")) != 0 else ""
    return f"{sign}${text}"


def percent(value: Any, decimals: int = 2) -> str:
    """A fraction as a percentage: ``0.095`` -> ``9.50%``."""
    number = _finite(value)
    if number is None:
        return "n/a"
    text = f"{abs(number) * 100:,.{decimals}f}"
    sign = MINUS if number < 0 and float(text.replace(",", "")) != 0 else ""
    return f"{sign}{text}%"


def number(value: Any, decimals: int = 4) -> str:
    """A plain quantity: ``0.1538``."""
    figure = _finite(value)
    if figure is None:
        return "n/a"
    text = f"{abs(figure):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    sign = MINUS if figure < 0 and text.strip("0.,") else ""
    return sign + text


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


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


_FIGURE = re.compile(r"^\s*([+\-\u2212]?)\s*\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+)\s*(%|x)?\s*$")


def parse_stated(text: Any, unit: str | None) -> tuple[float, float]:
    """A figure as a writer states it, in the output's own scale, and half a unit of its last digit.

    ``"$58,825"`` -> (58825.0, 0.5); ``"9.5%"`` -> (0.095, 0.0005); ``10`` -> (10.0, 0.5).
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
        return float(value / 100), float(half_unit / 100)
    if suffix == "%":
        raise ValueError(f"stated value {raw!r} is a percentage, but the figure is not")
    return float(value), float(half_unit)


def parse_tolerance(text: Any, reference: float) -> float:
    """``tol="1%"`` is relative to the computed value; a bare number is absolute in the figure's scale."""
    raw = str(text).strip()
    relative = raw.endswith("%")
    try:
        amount = Decimal(raw[:-1].strip() if relative else raw)
    except ArithmeticError:  # decimal's InvalidOperation, whose own message is unreadable
        raise ValueError(f"tol={text!r} is not a number (tol=50) or a percentage (tol=\"1%\")") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"tol={text!r} must be a finite number, zero or more")
    return abs(reference) * float(amount) / 100 if relative else float(amount)


__all__ = ["money", "percent", "number", "multiple", "outcome", "by_unit", "parse_stated", "parse_tolerance"]
