"""Margin mathematics for linear (USDT-margined) perpetuals and futures, long and short.

Notation: ``s`` is +1 for a long and -1 for a short, ``Q`` the quantity in base units, ``EP`` the entry price,
``MP`` the mark price, ``N = Q * EP`` the notional at entry, ``L`` the leverage, ``M`` the isolated
margin, ``WB`` the wallet balance, ``MMR`` the maintenance margin rate and ``cum`` the maintenance
amount (Binance's "cum", Bybit's "MM deduction").

Two models of the maintenance requirement are offered wherever it matters:

``"simple"``
    maintenance margin on the value at entry, ``N * MMR - cum``. This is the formula of the guide's
    draft, Bybit's legacy USDT-contract formula and KuCoin's.
``"exchange"``
    maintenance margin on the value at the mark price, ``Q * MP * MMR - cum``. This is Binance
    USD-M futures (one-way mode) and Hyperliquid.

One requirement, one clamp rule: a position's maintenance requirement is
``max(Q * basis * MMR - cum, 0)`` with ``basis`` the price under ``"exchange"`` and the entry price
under ``"simple"`` (a maintenance amount larger than ``Q * basis * MMR`` asks for nothing, it never
pays the position). Every function uses that one rule (:func:`_requirement`), the liquidation-price
solvers included: there the clamp makes the requirement piecewise linear in the price.

Exact arithmetic
----------------
Every number is computed exactly, with :class:`fractions.Fraction`, and every decision (liquidated or
not, whether a liquidation price exists, liquidated at entry, whether a wallet covers its margins,
which tier holds a notional) is an exact comparison. A reader who types 0.095 means 19/200: 1,000 of
margin on a 10,000 position that moves -9.5% keeps exactly 50, which *equals* a 50 requirement, and
is liquidated; binary floating point says 50.00000000000057 and keeps it open. ``Fraction`` and not
``Decimal``: quotients (``Q = N / EP``, a liquidation price) and ratios stay exact with
``Fraction``, while ``Decimal`` rounds every division to its context's precision, which is the same
problem in base ten.

Numbers in: ``int``, ``float``, ``Fraction`` or ``Decimal`` (never ``bool``). A ``float`` is taken as
its exact binary value (``0.1`` is 3602879701896397/36028797018963968; pass ``Fraction("0.1")`` or
``Decimal("0.1")`` for a tenth), a ``Fraction`` or ``Decimal`` as given. Refused, with
:class:`MarginInputError` naming the field: NaN and infinities; magnitudes beyond the largest double
(about 1.8e308, so ``2**1100`` and ``10**400`` too), because every result must be convertible to a
double for display; and numbers whose numerator or denominator, in lowest terms, has more than
:data:`MAX_BITS` (20,000) bits. Every finite double fits that limit (its denominator is at most
2**1074), as does a typed decimal of up to 6,000 digits and every result of this package passed
back in; far larger numbers would only make the exact arithmetic slow.

Numbers out: every numeric field of a result and every price is a ``Fraction`` (exact, never a
float); ``None`` where no price exists; flags are ``bool`` and counts ``int``. ``float(x)`` gives the
nearest double for display. A result beyond the range of a double (or a positive result below the
smallest one) is refused, naming the input that makes it so, so that no caller ever meets NaN or an
infinity.

Every function takes keyword arguments only, checks them, and raises :class:`MarginInputError`
naming the field and the value when one is unusable.

Public sources of the formulas (each function names the one it follows):

- Binance FAQ, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (2020-08-14),
  https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93
- Binance FAQ, "Leverage and Margin of USDⓈ-M Futures",
  https://www.binance.com/en/support/faq/360033162192
- Binance FAQ, "How to Calculate Profit and Loss for Futures Contracts",
  https://www.binance.com/en/support/faq/3a55a23768cb416fb404f06ffedde4b2
- Binance announcement, "Updates to Leverage and Margin Tiers of Binance Futures Contracts"
  (2021-03-18), https://www.binance.com/en/support/announcement/86cf9aa472574b8cb2e05bb751c2a9a6
- Bybit help centre, "Liquidation Price (USDT Contract)" (legacy article 900000181046),
  https://help.bybit.com/hc/en-us/articles/900000181046-Liquidation-Price-USDT-Contract-
- Bybit help centre, "Bankruptcy Price (USDT Contract)" (the isolated-margin formulas
  ``EP * (1 -/+ 1/L)``, and: a liquidated position is closed at the bankruptcy price, so its whole
  initial margin is lost)
- Hyperliquid Docs, "Liquidations", https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations

This module imports the standard library only, so it runs unchanged in CPython and in Pyodide.
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence, Union

from .errors import MarginInputError

__all__ = [
    "MAX_BITS",
    "MODELS",
    "SIDES",
    "AccountState",
    "MarginInputError",
    "ModeOutcome",
    "Number",
    "Position",
    "PositionOutcome",
    "ShockResult",
    "Tier",
    "TierTable",
    "TieredLiquidation",
    "account_state",
    "bankruptcy_price",
    "distance_to_liquidation",
    "initial_margin",
    "initial_margin_rate",
    "liquidated_at_entry",
    "liquidation_price_cross",
    "liquidation_price_isolated",
    "liquidation_price_tiered",
    "load_tier_table",
    "maintenance_margin",
    "notional",
    "position_pnl",
    "quantity",
    "shock",
    "shock_sweep",
    "tier_for_notional",
    "TIER_TABLES",
]

SIDES = {"long": 1, "short": -1}
MODELS = ("exchange", "simple")

#: what the functions accept as a number
Number = Union[int, float, Fraction, Decimal]

#: the most bits the numerator or the denominator of an input may have: every finite double fits
#: (1,074 bits at most), and so does every result of this package computed from doubles, so that a
#: result (a liquidation price) can be passed back in; far larger numbers would only make the exact
#: arithmetic slow (a few milliseconds per operation at this size).
MAX_BITS = 20_000

_ZERO = Fraction(0)
_ONE = Fraction(1)
#: the largest double, exactly (about 1.8e308): the bound of every input and every result
_FLOAT_MAX = Fraction(sys.float_info.max)
#: the smallest positive double, 2**-1074: a positive result below it would print as 0
_FLOAT_TINY = Fraction(math.ulp(0.0))
# Decimal exponents beyond these cannot give a number within MAX_BITS; checked before converting, so
# that Decimal("1e-999999999") is refused at once rather than built as a billion-digit integer.
_DECIMAL_DIGITS = 6_100
_DECIMAL_EXPONENT = 6_100


# --------------------------------------------------------------------------------------------
# Input checks: one place, one error type.
# --------------------------------------------------------------------------------------------

def _too_large(field: str, value: Any) -> MarginInputError:
    return MarginInputError(field, value, "is too large: beyond the range of a double (about 1.8e308)")


def _too_many_digits(field: str, value: Any) -> MarginInputError:
    return MarginInputError(
        field, value, f"has too many digits (a numerator or denominator above {MAX_BITS:,} bits)"
    )


def _number(field: str, value: Any) -> Fraction:
    """``value`` as an exact Fraction, or MarginInputError naming ``field``."""
    if type(value) is Fraction:
        # The common case (the calculators pass their own exact figures on): a numerator at most 1,022
        # bits longer than the denominator puts |value| below 2**1023, inside a double's range, so the
        # exact comparisons with _FLOAT_MAX below (a third of a compute's time) cannot fail.
        top, bottom = value.numerator.bit_length(), value.denominator.bit_length()
        if top <= MAX_BITS and bottom <= MAX_BITS and top - bottom <= 1022:
            return value
    # bool is an int in Python; a checkbox value is never a price.
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction, Decimal)):
        raise MarginInputError(field, value, "must be a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise MarginInputError(field, value, "must be a finite number")
        # a double is a binary fraction: within MAX_BITS and within range by construction
        return Fraction(value)
    if isinstance(value, int):
        if value.bit_length() > 1024:
            raise _too_large(field, value)
        number = Fraction(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise MarginInputError(field, value, "must be a finite number")
        if value.is_zero():
            return _ZERO
        sign_, digits, exponent = value.as_tuple()
        if value.adjusted() > 308:
            raise _too_large(field, value)
        if len(digits) > _DECIMAL_DIGITS or exponent < -_DECIMAL_EXPONENT:
            raise _too_many_digits(field, value)
        number = Fraction(value)
    else:
        number = value if type(value) is Fraction else Fraction(value.numerator, value.denominator)
    if number.numerator.bit_length() > MAX_BITS or number.denominator.bit_length() > MAX_BITS:
        if not -_FLOAT_MAX <= number <= _FLOAT_MAX:
            raise _too_large(field, value)
        raise _too_many_digits(field, value)
    if not -_FLOAT_MAX <= number <= _FLOAT_MAX:
        raise _too_large(field, value)
    return number


def _positive(field: str, value: Any) -> Fraction:
    number = _number(field, value)
    if number.numerator <= 0:  # the sign of a Fraction is its numerator's (cheaper than comparing with 0)
        raise MarginInputError(field, value, "must be greater than zero")
    return number


def _non_negative(field: str, value: Any) -> Fraction:
    number = _number(field, value)
    if number.numerator < 0:
        raise MarginInputError(field, value, "must not be negative")
    return number


def _rate(field: str, value: Any) -> Fraction:
    number = _number(field, value)
    if not 0 <= number.numerator < number.denominator:  # 0 <= number < 1
        raise MarginInputError(field, value, "must be at least 0 and below 1 (0.005 means 0.5%)")
    return number


def _leverage(field: str, value: Any) -> Fraction:
    number = _number(field, value)
    if number.numerator < number.denominator:  # below 1
        raise MarginInputError(field, value, "must be at least 1")
    return number


def _side(field: str, value: Any) -> int:
    if not isinstance(value, str) or value not in SIDES:
        raise MarginInputError(field, value, "must be 'long' or 'short'")
    return SIDES[value]


def _model(field: str, value: Any) -> str:
    if not isinstance(value, str) or value not in MODELS:
        raise MarginInputError(field, value, "must be 'exchange' or 'simple'")
    return value


def _in_range(result: Fraction) -> bool:
    numerator, denominator = result.numerator, result.denominator
    # cheap first: far inside the range of a double when the bit lengths say so
    if abs(numerator).bit_length() - denominator.bit_length() < 1_020:
        return True
    return -_FLOAT_MAX <= result <= _FLOAT_MAX


def _result(field: str, value: Any, result: Fraction, *, positive: bool = False) -> Fraction:
    """``result`` if a double can show it (and, with ``positive``, show it above zero), else refuse
    ``field``, the input that makes it so.

    The arithmetic is exact, so nothing overflows inside; but every result is shown as a double, and
    valid inputs can still make one beyond its range (a margin of 1e300 at 1e10x) or, for a quantity
    that must be positive, below its smallest positive value (a notional of 1e-300 at a price of
    1e300).
    """
    if not _in_range(result):
        raise MarginInputError(field, value, "is too large: the result would overflow a double")
    if positive and result < _FLOAT_TINY:
        raise MarginInputError(field, value, "is too small: the result would round to zero")
    return result


def _sum(terms: Sequence[tuple[str, Any, Fraction]]) -> Fraction:
    """The exact sum of ``(field, value, term)`` terms; beyond the range of a double, the field of
    the largest term (the one that carries the sum out of range) is refused."""
    total = sum((term for _, _, term in terms), _ZERO)
    if not _in_range(total):
        field, value, _ = max(terms, key=lambda item: abs(item[2]))
        raise MarginInputError(field, value, "is too large: the result would overflow a double")
    return total


def _price_or_none(price: Fraction | None) -> Fraction | None:
    """A computed price, or None where it is not above zero (there is then no such price)."""
    if price is not None and price > 0:
        return price
    return None


def _requirement(value: Fraction, mmr: Fraction, maintenance_amount: Fraction) -> Fraction:
    """The one maintenance requirement of the package: ``max(value * MMR - cum, 0)``.

    ``value`` is ``Q * basis``: the value at the price (exchange model) or at entry (simple model).
    A maintenance amount larger than ``value * MMR`` asks for nothing rather than lending the
    position money: no exchange's table makes one, and a negative requirement would let a position
    lose more than its margin before it is liquidated. Source of ``value * MMR - cum``: Binance FAQ
    "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (2020-08-14).
    """
    required = value * mmr - maintenance_amount
    return required if required > 0 else _ZERO


# --------------------------------------------------------------------------------------------
# The one solver: the price of an asset at which equity meets the requirement
# --------------------------------------------------------------------------------------------

#: one position moving with the price being solved for: (s, Q, EP, MMR, cum)
_Leg = tuple[int, Fraction, Fraction, Fraction, Fraction]


def _liquidation_price(constant: Fraction, legs: Sequence[_Leg], model: str, mark: Fraction) -> Fraction | None:
    """The positive price ``P`` of one asset where equity equals the requirement, or None.

    Equity minus requirement, as a function of the asset's price, is
    ``g(P) = constant + sum s*Q*(P - EP) - sum _requirement(Q * basis, MMR, cum)`` over the legs
    (the positions on that asset), ``constant`` holding the wallet (or isolated margin) and whatever
    does not move with ``P``. Under the simple model the requirements do not depend on ``P`` and
    ``g`` is a line. Under the exchange model each requirement is zero up to ``cum / (Q*MMR)`` and
    ``Q*P*MMR - cum`` above it (the clamp), so ``g`` is linear between those breakpoints: each
    piece's line is solved, with the clamp itself deciding which legs are charged on the piece, and
    a root is kept where it lies on its piece.

    A single position's ``g`` is strictly monotonic (slope ``s*Q`` or ``Q*(s - MMR)``), so it has at
    most one root. Legs on both sides of one asset (hedge mode) can make ``g`` rise then fall (it is
    concave: each clamped requirement is convex), so there can be two roots, one below the mark and
    one above; the price returned is then the root nearest the mark (the lower of two equally near),
    the first the asset reaches from where it is. Where ``g`` is zero over a whole piece, the nearest
    point of it is taken. None where no positive price solves ``g(P) = 0``.
    """
    base = constant
    slope = _ZERO
    for s, q, ep, _, _ in legs:
        base -= s * q * ep
        slope += s * q
    if model == "simple":
        for _, q, ep, mmr, cum in legs:
            base -= _requirement(q * ep, mmr, cum)
        pieces = [(_ZERO, None, base, slope)]
    else:
        edges = sorted({cum / (q * mmr) for _, q, _, mmr, cum in legs if mmr > 0 and cum > 0})
        bounds: list[Fraction | None] = [_ZERO, *edges, None]
        pieces = []
        for low, high in zip(bounds, bounds[1:]):
            probe = low + 1 if high is None else (low + high) / 2
            piece_base, piece_slope = base, slope
            for _, q, _, mmr, cum in legs:
                # the clamp rule decides whether this leg is charged on this piece
                if _requirement(q * probe, mmr, cum) > 0:
                    piece_base += cum
                    piece_slope -= q * mmr
            pieces.append((low, high, piece_base, piece_slope))
    best: Fraction | None = None
    for low, high, piece_base, piece_slope in pieces:
        if piece_slope:
            root = -piece_base / piece_slope
            if root <= 0 or root < low or (high is not None and root > high):
                continue
        elif piece_base == 0:
            # every price of the piece solves it: the nearest to the mark
            root = max(mark, low) if high is None else min(max(mark, low), high)
            if root <= 0:
                continue
        else:
            continue
        if best is None or abs(root - mark) < abs(best - mark) or (
            abs(root - mark) == abs(best - mark) and root < best
        ):
            best = root
    return best


# --------------------------------------------------------------------------------------------
# Isolated positions
# --------------------------------------------------------------------------------------------

def initial_margin(*, notional: Number, leverage: Number) -> Fraction:
    """Initial margin of a position: ``IM = N / L``, exact.

    Source: the definition of leverage on every exchange's futures help pages (Binance "Leverage and
    Margin of USDⓈ-M Futures"; Bybit "Initial margin"). At 20x the margin is 5% of the notional:

    >>> initial_margin(notional=10_000, leverage=20)
    Fraction(500, 1)
    >>> float(initial_margin(notional=1_000, leverage=3))
    333.3333333333333
    """
    n = _positive("notional", notional)
    return _result("notional", notional, n / _leverage("leverage", leverage), positive=True)


def maintenance_margin(
    *,
    notional: Number,
    mmr: Number,
    maintenance_amount: Number = 0,
) -> Fraction:
    """Maintenance margin for a notional value: ``MM = max(N * MMR - cum, 0)``, exact.

    Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (2020-08-14),
    where ``cum`` is the maintenance amount of the notional's tier. The clamp at zero is the
    package's one rule (see the module's docstring).

    >>> maintenance_margin(notional=10_000, mmr=Fraction("0.005"))
    Fraction(50, 1)

    A float is its exact binary value: the double nearest 0.005 is a little above it.

    >>> maintenance_margin(notional=10_000, mmr=0.005) > 50
    True
    >>> maintenance_margin(notional=100_000, mmr=Fraction("0.005"), maintenance_amount=50)
    Fraction(450, 1)
    >>> maintenance_margin(notional=5_000, mmr=Fraction("0.005"), maintenance_amount=50)
    Fraction(0, 1)
    """
    n = _non_negative("notional", notional)
    value = _requirement(n, _rate("mmr", mmr), _non_negative("maintenance_amount", maintenance_amount))
    return _result("notional", notional, value)


# --------------------------------------------------------------------------------------------
# Derived figures of an isolated position
# --------------------------------------------------------------------------------------------

def notional(*, margin: Number, leverage: Number) -> Fraction:
    """Position value at entry of an isolated position opened with ``margin``: ``N = M * L``.

    The inverse of :func:`initial_margin` (``IM = N / L``). Source: Binance FAQ "Leverage and Margin
    of USDⓈ-M Futures", https://www.binance.com/en/support/faq/360033162192 (initial margin is the
    position value divided by the leverage).

    1,000 of margin at 10x opens 10,000 of position:

    >>> notional(margin=1_000, leverage=10)
    Fraction(10000, 1)
    """
    m = _positive("margin", margin)
    return _result("margin", margin, m * _leverage("leverage", leverage))


def quantity(*, notional: Number, entry_price: Number) -> Fraction:
    """Quantity in base units of a position of value ``notional`` at ``entry_price``: ``Q = N / EP``.

    Source: Binance FAQ "How to Calculate Profit and Loss for Futures Contracts",
    https://www.binance.com/en/support/faq/3a55a23768cb416fb404f06ffedde4b2 (initial margin
    = quantity * entry price * IMR, so the position value is quantity times entry price).

    10,000 of BTC at 65,000 is exactly 2/13 BTC (0.153846...); 10,000 at 50,000 is 0.2 BTC:

    >>> quantity(notional=10_000, entry_price=65_000)
    Fraction(2, 13)
    >>> quantity(notional=10_000, entry_price=50_000)
    Fraction(1, 5)
    """
    n = _positive("notional", notional)
    ep = _positive("entry_price", entry_price)
    return _result("notional", notional, n / ep, positive=True)


def initial_margin_rate(*, leverage: Number) -> Fraction:
    """Initial margin as a fraction of the notional: ``IMR = 1 / L``.

    Source: Binance FAQ "How to Calculate Profit and Loss for Futures Contracts",
    https://www.binance.com/en/support/faq/3a55a23768cb416fb404f06ffedde4b2 ("IMR = 1 / leverage").
    At 20x the margin is 5% of the position:

    >>> initial_margin_rate(leverage=20)
    Fraction(1, 20)
    """
    return _ONE / _leverage("leverage", leverage)


def distance_to_liquidation(*, reference_price: Number, liquidation_price: Number | None) -> Fraction | None:
    """How far the liquidation price is from a reference price, as a fraction of the reference:
    ``|LP - ref| / ref``; ``None`` when there is no liquidation price.

    The reference is the entry price for a position about to open, the mark price for an open one.
    Source: the definition of a relative change; the prices follow the Binance FAQ "How to Calculate
    Liquidation Price of USDⓈ-M Futures Contracts",
    https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93.

    The guide's 10x long from 65,000 liquidated at 58,825 (simple model) is
    (65,000 - 58,825) / 65,000 = 6,175 / 65,000 = 9.5% away:

    >>> distance_to_liquidation(reference_price=65_000, liquidation_price=58_825)
    Fraction(19, 200)
    >>> distance_to_liquidation(reference_price=65_000, liquidation_price=None) is None
    True
    """
    ref = _positive("reference_price", reference_price)
    if liquidation_price is None:
        return None
    lp = _positive("liquidation_price", liquidation_price)
    return _result("liquidation_price", liquidation_price, abs(lp - ref) / ref)


def liquidated_at_entry(*, side: str, entry_price: Number, liquidation_price: Number | None) -> bool:
    """Whether a position would be liquidated as soon as it opens: its liquidation price is at or
    beyond the entry on the losing side. ``True`` when a long's ``LP >= EP`` or a short's ``LP <= EP``
    (an exact comparison); ``False`` when there is no liquidation price (``None``).

    This happens when the margin is at or below the maintenance requirement at entry, for example
    when the maintenance rate is at or above ``1/L`` (at exactly ``1/L`` the exact price is the entry
    itself). Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
    https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 (liquidation once the
    margin balance falls to the maintenance margin).

    A 125x long from 65,000 at a 1% maintenance rate liquidates at 65,000 * (1 - 0.008 + 0.01)
    = 65,130 (simple model), above its entry:

    >>> liquidated_at_entry(side="long", entry_price=65_000, liquidation_price=65_130)
    True
    >>> liquidated_at_entry(side="short", entry_price=65_000, liquidation_price=65_130)
    False
    """
    s = _side("side", side)
    ep = _positive("entry_price", entry_price)
    if liquidation_price is None:
        return False
    lp = _positive("liquidation_price", liquidation_price)
    return lp >= ep if s == 1 else lp <= ep


def bankruptcy_price(*, side: str, entry_price: Number, quantity: Number, margin: Number) -> Fraction | None:
    """Price at which an isolated position's margin is fully lost: ``BP = EP - s * M / Q``, exact.

    Returns ``None`` where that price is not above zero: a long whose margin covers its whole
    notional (1x or over-collateralised) cannot lose all of it.

    Source: Bybit help centre, "Bankruptcy Price (USDT Contract)": for isolated margin
    ``BP = EP * (1 - s * IMR)`` with ``IMR = 1/L``, which is ``EP - s*M/Q`` when ``M = Q*EP/L``.
    Its example, a 50x long from 10,000: 10,000 * (1 - 2%) = 9,800.

    A long of 0.2 BTC at 50,000 with 1,000 of margin is bankrupt after a 1,000 / 0.2 = 5,000 fall:

    >>> bankruptcy_price(side="long", entry_price=50_000, quantity=Fraction("0.2"), margin=1_000)
    Fraction(45000, 1)
    >>> bankruptcy_price(side="short", entry_price=50_000, quantity=Fraction("0.2"), margin=1_000)
    Fraction(55000, 1)
    """
    s = _side("side", side)
    ep = _positive("entry_price", entry_price)
    q = _positive("quantity", quantity)
    m = _positive("margin", margin)
    price = _price_or_none(ep - s * m / q)
    return None if price is None else _result("margin", margin, price)


def liquidation_price_isolated(
    *,
    side: str,
    entry_price: Number,
    quantity: Number,
    margin: Number,
    mmr: Number,
    maintenance_amount: Number = 0,
    model: str = "exchange",
) -> Fraction | None:
    """Price at which an isolated position reaches its maintenance margin and is liquidated, exact.

    The position is liquidated when ``M + s*Q*(P - EP) <= requirement``, the requirement being
    ``max(Q*basis*MMR - cum, 0)`` (the package's one clamp rule). The liquidation price solves
    equity = requirement.

    ``model="simple"`` (maintenance margin on the value at entry; the draft's formula, Bybit's legacy
    USDT-contract formula, KuCoin)::

        LP = EP - s * (M - max(N * MMR - cum, 0)) / Q    # = EP * (1 - s*M/N + s*MMR) when cum = 0

    Source: Bybit help centre, "How to calculate liquidation price (USDT contract)", legacy article
    900000181046.

    ``model="exchange"`` (maintenance margin on the value at the mark price; Binance USDⓈ-M one-way
    mode, Hyperliquid): liquidation when ``M + s*Q*(P - EP) = Q*P*MMR - cum``, so::

        LP = (s*Q*EP - M - cum) / (Q * (s - MMR))

    where that price keeps ``Q*LP*MMR - cum`` at or above zero; below the clamp's breakpoint the
    requirement is zero and the position is liquidated at its bankruptcy price ``EP - s*M/Q``.

    Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"
    (2020-08-14); Hyperliquid docs, "Liquidations".

    Returns ``None`` where the exact price is not above zero (for example a long at 1x under the
    exchange model: its margin covers any fall; the exact price is 0). A price at or beyond the entry
    on the losing side means the position is liquidated as soon as it opens (margin at or below the
    maintenance requirement at entry; see :func:`liquidated_at_entry`).

    The guide's example: a 10x long of 10,000 USDT of BTC at 65,000 with 1,000 of margin and a 0.5%
    maintenance rate. Simple: 65,000 * (1 - 0.1 + 0.005) = 58,825. Exchange:
    (10,000 - 1,000) / (Q * 0.995) with Q = 10,000 / 65,000, that is 65,000 * 9,000 / 9,950:

    >>> q = quantity(notional=10_000, entry_price=65_000)
    >>> liquidation_price_isolated(side="long", entry_price=65_000, quantity=q,
    ...                            margin=1_000, mmr=Fraction("0.005"), model="simple")
    Fraction(58825, 1)
    >>> price = liquidation_price_isolated(side="long", entry_price=65_000, quantity=q,
    ...                                    margin=1_000, mmr=Fraction("0.005"))
    >>> price, round(float(price), 2)
    (Fraction(11700000, 199), 58793.97)
    """
    s = _side("side", side)
    ep = _positive("entry_price", entry_price)
    q = _positive("quantity", quantity)
    m = _positive("margin", margin)
    rate = _rate("mmr", mmr)
    cum = _non_negative("maintenance_amount", maintenance_amount)
    model = _model("model", model)
    price = _liquidation_price(m, [(s, q, ep, rate, cum)], model, ep)
    if price is None:
        return None
    return _result("maintenance_amount" if cum > m else "margin", maintenance_amount if cum > m else margin, price)


# --------------------------------------------------------------------------------------------
# Maintenance tiers
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tier:
    """One bracket of a tier table: notionals above ``floor`` up to and including ``cap``.

    The numbers are stored as exact Fractions of what was given (a table's ``0.004`` is 1/250).
    """

    floor: Fraction
    cap: Fraction
    max_leverage: Fraction
    mmr: Fraction
    maintenance_amount: Fraction

    def __post_init__(self) -> None:
        object.__setattr__(self, "floor", _non_negative("floor", self.floor))
        object.__setattr__(self, "cap", _positive("cap", self.cap))
        object.__setattr__(self, "max_leverage", _leverage("max_leverage", self.max_leverage))
        object.__setattr__(self, "mmr", _rate("mmr", self.mmr))
        object.__setattr__(self, "maintenance_amount", _non_negative("maintenance_amount", self.maintenance_amount))


@dataclass(frozen=True)
class TierTable:
    """A dated, sourced table of maintenance tiers for one contract."""

    key: str
    symbol: str
    exchange: str
    date: str
    source: str
    tiers: tuple[Tier, ...]

    @property
    def label(self) -> str:
        return f"{self.exchange} {self.symbol} tiers of {self.date}"


def load_tier_table(key: str) -> TierTable:
    """Read a tier table shipped in ``calculators/data/<key>.json``.

    The JSON numbers are read as written, in decimal (``0.004`` is exactly 1/250), not as doubles.
    """
    if not isinstance(key, str) or not key.replace("-", "").replace("_", "").isalnum():
        raise MarginInputError("tier_table", key, "is not a known tier table")
    try:
        # The module's own loader reads the file from a folder or from the zip the browser imports it
        # from; importlib.resources would do the same but costs ~10 ms to import in Pyodide.
        text = __loader__.get_data(os.path.join(os.path.dirname(__file__), "data", f"{key}.json")).decode("utf-8")
    except (FileNotFoundError, OSError):
        raise MarginInputError("tier_table", key, "is not a known tier table") from None
    data = json.loads(text, parse_float=Fraction, parse_int=Fraction)
    tiers = tuple(
        Tier(
            floor=row["floor"],
            cap=row["cap"],
            max_leverage=row["max_leverage"],
            mmr=row["mmr"],
            maintenance_amount=row["maintenance_amount"],
        )
        for row in data["tiers"]
    )
    return TierTable(
        key=key,
        symbol=data["symbol"],
        exchange=data["exchange"],
        date=data["date"],
        source=data["source"],
        tiers=tiers,
    )


#: The tier tables this package ships, by key.
TIER_TABLES = ("binance-btcusdt-2021-03-18",)

_LOADED: dict[str, TierTable] = {}


def _table(value: Any) -> TierTable:
    if isinstance(value, TierTable):
        return value
    if isinstance(value, str) and value in TIER_TABLES:
        # the shipped files do not change while the package runs; read each once
        if value not in _LOADED:
            _LOADED[value] = load_tier_table(value)
        return _LOADED[value]
    raise MarginInputError("tier_table", value, f"must be one of {', '.join(TIER_TABLES)}")


def _bracket(tiers: Sequence[Tier], value: Fraction) -> Tier | None:
    """The tier holding ``value`` (``floor < value <= cap``, the first tier from 0), None above."""
    for tier in tiers:
        if value <= tier.cap:
            return tier
    return None


def tier_for_notional(*, table: TierTable | str, notional: Number) -> Tier:
    """The tier whose bracket holds ``notional``: ``floor < notional <= cap``, the first tier holding 0.

    A notional exactly on a cap belongs to the LOWER tier, compared exactly (a Fraction or Decimal
    50,000 is tier 1 of the BTCUSDT table, 50,000.000001 tier 2). Source: Binance's announcement of
    2021-03-18, "Updates to Leverage and Margin Tiers of Binance Futures Contracts",
    https://www.binance.com/en/support/announcement/86cf9aa472574b8cb2e05bb751c2a9a6, which writes
    its brackets as "50,000 < Position <= 250,000". A notional above the last cap is refused.

    >>> tier = tier_for_notional(table="binance-btcusdt-2021-03-18", notional=100_000)
    >>> tier.mmr, tier.maintenance_amount
    (Fraction(1, 200), Fraction(50, 1))
    >>> tier_for_notional(table="binance-btcusdt-2021-03-18", notional=50_000).mmr
    Fraction(1, 250)
    """
    tiers = _table(table).tiers
    n = _non_negative("notional", notional)
    tier = _bracket(tiers, n)
    if tier is None:
        raise MarginInputError(
            "notional", notional, f"is above the largest tier of the table ({float(tiers[-1].cap):,.0f})"
        )
    return tier


@dataclass(frozen=True)
class TieredLiquidation:
    """A tiered liquidation price and the tier whose rate and maintenance amount gave it."""

    #: exact; ``None`` when no positive price liquidates the position
    price: Fraction | None
    #: exchange model: the tier holding ``Q * price`` (the last tier above the table's cap);
    #: simple model, or no price: the tier of the notional at entry
    tier: Tier


def liquidation_price_tiered(
    *,
    side: str,
    entry_price: Number,
    quantity: Number,
    margin: Number,
    table: TierTable | str,
    model: str = "exchange",
) -> TieredLiquidation:
    """Isolated liquidation price with the MMR and maintenance amount taken from a tier table, and
    the tier it settled on; exact, the tier chosen by exact comparisons.

    Under ``model="exchange"`` the requirement is on the value at the liquidation price, so the tier
    is the one that holds ``Q * LP`` (a notional on a cap in the lower tier: see
    :func:`tier_for_notional`): start from the entry's tier, compute the price with
    :func:`liquidation_price_isolated`'s solver, and move to the tier of the new notional until the
    tier no longer changes. Because each tier's maintenance amount keeps the requirement continuous
    (``cum_n = floor_n * (MMR_n - MMR_n-1) + cum_n-1``), equity minus requirement is strictly
    monotonic in the price and exactly one tier is consistent (at a bracket edge both neighbours give
    the same price, which belongs to the lower); if the iteration were ever to cycle, or a tier's
    line has no positive root, every tier is tried. Above the table's last cap (a short whose
    notional grows as the price rises) the last tier applies. The price is ``None`` only when no
    positive price liquidates the position; the tier is then the entry's. Under ``model="simple"``
    the requirement is on the value at entry, so the entry's tier is used.

    Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (2020-08-14),
    https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 ("If your position
    (calculated at the liquidation price) and the current position (calculated at the opening price)
    are of different levels", recalculate with the level at the liquidation price); tier table:
    Binance announcement of 2021-03-18,
    https://www.binance.com/en/support/announcement/86cf9aa472574b8cb2e05bb751c2a9a6.

    A 2 BTC long at 60,000 (notional 120,000, tier 2: MMR 0.5%, cum 50) with 12,000 of margin:
    (120,000 - 12,000 - 50) / (2 * 0.995) = 107,950 / 1.99 = 54,246.23..., whose notional 108,492
    stays in tier 2:

    >>> result = liquidation_price_tiered(side="long", entry_price=60_000, quantity=2,
    ...                                   margin=12_000, table="binance-btcusdt-2021-03-18")
    >>> result.price, round(float(result.price), 2), result.tier.mmr, result.tier.maintenance_amount
    (Fraction(10795000, 199), 54246.23, Fraction(1, 200), Fraction(50, 1))
    """
    tiers = _table(table)
    s = _side("side", side)
    ep = _positive("entry_price", entry_price)
    q = _positive("quantity", quantity)
    m = _positive("margin", margin)
    model = _model("model", model)
    entry_tier = tier = tier_for_notional(table=tiers, notional=q * ep)

    def price_in(t: Tier) -> Fraction | None:
        return _liquidation_price(m, [(s, q, ep, t.mmr, t.maintenance_amount)], model, ep)

    def settled(price: Fraction | None, t: Tier) -> TieredLiquidation:
        if price is not None:
            _result("margin", margin, price)
        return TieredLiquidation(price=price, tier=t)

    if model == "simple":
        return settled(price_in(tier), tier)
    last = tiers.tiers[-1]
    seen: set[Tier] = set()
    while tier not in seen:
        seen.add(tier)
        price = price_in(tier)
        if price is None:
            # This tier's line has no positive root, but a lower tier's smaller maintenance amount
            # may have one (a low-leverage long in a high tier): let the search below decide.
            break
        # A rise can carry a short's notional past the last cap; the table caps what may be
        # opened, and the last tier goes on applying above it.
        next_tier = _bracket(tiers.tiers, q * price) or last
        if next_tier == tier:
            return settled(price, tier)
        tier = next_tier
    for candidate in tiers.tiers:
        price = price_in(candidate)
        if price is not None and (_bracket(tiers.tiers, q * price) or last) == candidate:
            return settled(price, candidate)
    return TieredLiquidation(price=None, tier=entry_tier)


# --------------------------------------------------------------------------------------------
# Cross margin
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Position:
    """One position of a cross-margin account (or one isolated position in :func:`shock`).

    ``mark_price`` defaults to the entry price; ``mmr`` and ``maintenance_amount`` default to 0. The
    numbers are checked and stored as exact Fractions of what was given.

    ``label`` names the position's asset: positions with the same non-empty label are the same asset
    (a long and a short of one contract in hedge mode) and move with one price, so they must have the
    same mark. The empty label means "no asset given": each unlabelled position is its own asset.
    """

    side: str
    entry_price: Fraction
    quantity: Fraction
    mark_price: Fraction | None = None
    mmr: Fraction = _ZERO
    maintenance_amount: Fraction = _ZERO
    label: str = ""

    def __post_init__(self) -> None:
        _side("side", self.side)
        object.__setattr__(self, "entry_price", _positive("entry_price", self.entry_price))
        object.__setattr__(self, "quantity", _positive("quantity", self.quantity))
        if self.mark_price is not None:
            object.__setattr__(self, "mark_price", _positive("mark_price", self.mark_price))
        object.__setattr__(self, "mmr", _rate("mmr", self.mmr))
        object.__setattr__(self, "maintenance_amount", _non_negative("maintenance_amount", self.maintenance_amount))
        if not isinstance(self.label, str):
            raise MarginInputError("label", self.label, "must be text (the asset's name, or empty)")

    @property
    def sign(self) -> int:
        return SIDES[self.side]

    @property
    def mark(self) -> Fraction:
        return self.entry_price if self.mark_price is None else self.mark_price


_POSITION_FIELDS = ("side", "entry_price", "quantity", "mark_price", "mmr", "maintenance_amount", "label")


def _positions(field: str, positions: Any) -> list[Position]:
    """The positions, checked; positions sharing a label (one asset) must share their mark price."""
    if isinstance(positions, (str, bytes, Mapping)) or not isinstance(positions, Iterable):
        raise MarginInputError(field, positions, "must be a list of positions")
    result = []
    for index, item in enumerate(positions):
        where = f"{field}[{index}]"
        if isinstance(item, Position):
            result.append(item)
            continue
        if not isinstance(item, Mapping):
            raise MarginInputError(where, item, "must be a position (side, entry_price, quantity, ...)")
        unknown = sorted((key for key in item if key not in _POSITION_FIELDS), key=str)
        if unknown:
            raise MarginInputError(f"{where}.{unknown[0]}", item[unknown[0]], "is not a field of a position")
        try:
            result.append(Position(**item))
        except MarginInputError as error:
            raise MarginInputError(f"{where}.{error.field}", error.value, error.reason) from None
        except TypeError:
            missing = [name for name in ("side", "entry_price", "quantity") if name not in item]
            raise MarginInputError(f"{where}.{missing[0]}" if missing else where, None, "is missing") from None
    if not result:
        raise MarginInputError(field, positions, "must hold at least one position")
    first: dict[str, int] = {}
    for index, position in enumerate(result):
        if not position.label:
            continue
        if position.label not in first:
            first[position.label] = index
            continue
        other = first[position.label]
        if position.mark != result[other].mark:
            raise MarginInputError(
                f"{field}[{index}].mark_price", position.mark_price,
                f"must equal the mark price of {field}[{other}] ({float(result[other].mark):g}): both are "
                f"labelled {position.label!r}, one asset with one price (no mark given means the entry price)",
            )
    return result


def _asset_members(items: Sequence[Position], index: int) -> list[int]:
    """The indices of the positions on the same asset as position ``index`` (itself included)."""
    label = items[index].label
    if not label:
        return [index]
    return [i for i, p in enumerate(items) if p.label == label]


def _leg(position: Position) -> _Leg:
    return (position.sign, position.quantity, position.entry_price, position.mmr, position.maintenance_amount)


def _position_requirement(position: Position, price: Fraction, model: str) -> Fraction:
    # The exchange model charges maintenance on the value at the price; the simple one on entry value.
    basis = price if model == "exchange" else position.entry_price
    return _requirement(position.quantity * basis, position.mmr, position.maintenance_amount)


def position_pnl(position: Position, price: Number | None = None) -> Fraction:
    """Unrealised profit or loss of a linear position at ``price`` (default: its mark): ``s*Q*(P - EP)``,
    exact.

    >>> position_pnl(Position(side="short", entry_price=3_400, quantity=2), 3_500)
    Fraction(-200, 1)
    """
    if not isinstance(position, Position):
        raise MarginInputError("position", position, "must be a Position")
    p = position.mark if price is None else _positive("price", price)
    pnl = position.sign * position.quantity * (p - position.entry_price)
    return _result("price" if price is not None else "quantity", price if price is not None else position.quantity, pnl)


@dataclass(frozen=True)
class AccountState:
    """A cross-margin account at its positions' mark prices; every number exact (a Fraction)."""

    equity: Fraction
    unrealized_pnl: Fraction
    maintenance_requirement: Fraction
    #: requirement / equity; liquidation at 1 (100%) or above. ``None`` when equity is not positive.
    margin_ratio: Fraction | None
    liquidated: bool


def account_state(*, wallet_balance: Number, positions: Sequence[Any], model: str = "exchange") -> AccountState:
    """Equity, maintenance requirement and margin ratio of a cross-margin account, exact.

    Equity = WB + sum_i s_i*Q_i*(MP_i - EP_i); requirement = sum_i max(Q_i*MP_i*MMR_i - cum_i, 0)
    (at entry value under ``model="simple"``; the clamp is the package's one rule); the account is
    liquidated when equity <= requirement (an exact comparison), that is a margin ratio
    (requirement / equity) of 100% or more. Positions with the same label are one asset and must
    share their mark.

    Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (2020-08-14),
    cross-margin mode; Binance "Margin ratio".

    A 1,000 wallet with a 0.2 BTC long from 50,000 marked at 49,000 (loss 200) at 0.5% MMR:
    equity 800, requirement 0.2 * 49,000 * 0.005 = 49, ratio 49 / 800 = 6.125%:

    >>> state = account_state(wallet_balance=1_000, positions=[Position(
    ...     side="long", entry_price=50_000, quantity=Fraction("0.2"), mark_price=49_000, mmr=Fraction("0.005"))])
    >>> state.equity, state.maintenance_requirement, state.margin_ratio, state.liquidated
    (Fraction(800, 1), Fraction(49, 1), Fraction(49, 800), False)
    """
    wb = _non_negative("wallet_balance", wallet_balance)
    items = _positions("positions", positions)
    model = _model("model", model)
    pnl_terms = [
        (f"positions[{i}].quantity", p.quantity, p.sign * p.quantity * (p.mark - p.entry_price))
        for i, p in enumerate(items)
    ]
    pnl = _sum(pnl_terms)
    requirement = _sum([
        (f"positions[{i}].quantity", p.quantity, _position_requirement(p, p.mark, model))
        for i, p in enumerate(items)
    ])
    equity = _sum([("wallet_balance", wallet_balance, wb), *pnl_terms])
    ratio = None
    if equity > 0:
        ratio = _result("wallet_balance", wallet_balance, requirement / equity)
    return AccountState(
        equity=equity,
        unrealized_pnl=pnl,
        maintenance_requirement=requirement,
        margin_ratio=ratio,
        liquidated=equity <= requirement,
    )


def liquidation_price_cross(
    *,
    wallet_balance: Number,
    positions: Sequence[Any],
    target: int,
    model: str = "exchange",
) -> Fraction | None:
    """Price of the asset of position ``target`` at which the whole cross account is liquidated,
    the other assets held at their marks; exact.

    The target's asset moves to ``P``: the target and every position with the same label (hedge
    mode: a long and a short of one contract) are valued at ``P``; positions on other assets stay at
    their marks. ``P`` solves equity(P) = requirement(P)::

        WB + sum_i s_i*Q_i*(price_i - EP_i) = sum_i max(Q_i*basis_i*MMR_i - cum_i, 0)

    with ``price_i = P`` on the target's asset and ``MP_i`` elsewhere, ``basis_i = price_i``
    (exchange model) or ``EP_i`` (simple). Both sides are linear in ``P`` between the clamp's
    breakpoints. One unhedged position gives the Binance cross form::

        P_k = (WB + sum_{i!=k} s_i*Q_i*(MP_i - EP_i) - sum_{i!=k} (Q_i*MP_i*MMR_i - cum_i)
               + cum_k - s_k*Q_k*EP_k) / (Q_k * (MMR_k - s_k))

    and a long and a short of one asset Binance's hedge-mode form::

        P = (WB_rest + cum_long + cum_short - Q_long*EP_long + Q_short*EP_short)
            / (Q_long*MMR_long + Q_short*MMR_short - Q_long + Q_short)

    With one position and WB = M this is :func:`liquidation_price_isolated`. Legs on both sides of
    an asset can leave two prices that liquidate the account, one below the mark and one above: the
    one nearest the asset's mark is returned (the lower of two equally near). Returns ``None`` where
    no positive price solves the equation: no price liquidates the account (a long that the rest of
    the account covers down to zero), or, for a hedged asset, the account is short of its
    requirement at every price (:func:`account_state` says which). A price on the far side of the
    mark means the account is already being liquidated.

    Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"
    (2020-08-14), https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 (cross
    margin, one-way and hedge mode).

    One long of 0.2 BTC at 50,000 in a 1,000 wallet at 0.5%: (1,000 - 10,000) / (0.2 * -0.995):

    >>> price = liquidation_price_cross(wallet_balance=1_000, target=0, positions=[
    ...     {"side": "long", "entry_price": 50_000, "quantity": Fraction("0.2"), "mmr": Fraction("0.005")}])
    >>> price, round(float(price), 2)
    (Fraction(9000000, 199), 45226.13)

    Hedged: a 1 BTC long from 60,000 and a 1 BTC short from 62,000, marked at 61,000, in a 3,000
    wallet at 0.5%. Equity is 3,000 + (P - 60,000) - (P - 62,000) = 5,000 at any price, the
    requirement 0.005 P + 0.005 P = 0.01 P: liquidation at P = 500,000, for both positions:

    >>> hedge = [{"side": "long", "entry_price": 60_000, "quantity": 1, "mark_price": 61_000,
    ...           "mmr": Fraction("0.005"), "label": "BTC"},
    ...          {"side": "short", "entry_price": 62_000, "quantity": 1, "mark_price": 61_000,
    ...           "mmr": Fraction("0.005"), "label": "BTC"}]
    >>> [liquidation_price_cross(wallet_balance=3_000, positions=hedge, target=k) for k in (0, 1)]
    [Fraction(500000, 1), Fraction(500000, 1)]
    """
    wb = _non_negative("wallet_balance", wallet_balance)
    items = _positions("positions", positions)
    model = _model("model", model)
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < len(items):
        raise MarginInputError("target", target, f"must be a position index from 0 to {len(items) - 1}")
    members = _asset_members(items, target)
    constant = wb
    for i, p in enumerate(items):
        if i not in members:
            mark = p.mark
            constant += p.sign * p.quantity * (mark - p.entry_price) - _position_requirement(p, mark, model)
    price = _liquidation_price(constant, [_leg(items[i]) for i in members], model, items[target].mark)
    if price is None:
        return None
    return _result("wallet_balance", wallet_balance, price)


# --------------------------------------------------------------------------------------------
# Isolated against cross under a price shock
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PositionOutcome:
    """What a shock did to one position under one margin mode; numbers exact (Fractions)."""

    label: str
    price_after: Fraction
    pnl: Fraction
    liquidated: bool
    #: what the position cost the account: its whole margin if liquidated in isolated mode,
    #: otherwise minus its profit (negative when it gained).
    loss: Fraction


@dataclass(frozen=True)
class ModeOutcome:
    """A whole account after a shock under one margin mode; numbers exact (Fractions)."""

    positions: tuple[PositionOutcome, ...]
    liquidated: tuple[int, ...]
    equity_after: Fraction
    balance_left: Fraction
    #: wallet balance before the shock minus the balance left
    total_loss: Fraction


@dataclass(frozen=True)
class ShockResult:
    wallet_balance: Fraction
    isolated: ModeOutcome
    cross: ModeOutcome


def shock(
    *,
    wallet_balance: Number,
    positions: Sequence[Any],
    moves: Sequence[Number],
    margins: Sequence[Number],
    model: str = "exchange",
) -> ShockResult:
    """Move each position's price by a relative amount and compare isolated with cross margin, exact.

    Each position's price becomes ``MP_i * (1 + moves[i])`` (a jump: the path is not modelled).
    One asset has one price: positions with the same non-empty label share their mark (checked as
    everywhere) and must be given the same move; a different move is refused, naming the later
    position's ``moves[i]``. The margins must add up to at most the wallet (exactly: margins of 0.1
    and 0.2 fit a wallet of 0.3).

    Isolated: position ``i`` holds ``margins[i]`` of the wallet and is liquidated when
    ``margins[i] + pnl_i <= requirement_i`` (exact; the requirement clamped at zero, the package's one
    rule); a liquidated position loses its whole margin (the rest of the maintenance margin goes to
    fees and the insurance fund), the others keep their profit or loss. Balance left = WB - sum of
    liquidated margins + sum of the survivors' pnl. Hedged legs are separate isolated positions.

    Cross: the whole wallet is shared. The account is liquidated when ``WB + sum pnl <= sum
    requirement``; then every position is closed and the whole balance is lost, the cross counterpart
    of the isolated convention (real exchanges may close positions one by one; this is the bound a
    reader should plan for). Otherwise nothing is closed and the balance left is the equity.

    Source: Bybit help centre, "Bankruptcy Price (USDT Contract)": a liquidated position is closed
    at its bankruptcy price, so its whole initial margin is lost (what is left above the bankruptcy
    price goes to the insurance fund); Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M
    Futures Contracts", https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93,
    for the cross-margin condition.

    A 3,000 wallet, a 10x short of 10,000 of ETH from 3,400 with 1,000 of margin, ETH +15%:
    isolated, the short is liquidated (loss 1,500 exceeds its margin) and 2,000 is left; cross, the
    loss of 1,500 leaves 1,500 of equity above a requirement of 11,500 * 0.005 = 57.5, and the short
    stays open:

    >>> eth = Position(side="short", entry_price=3_400, quantity=quantity(notional=10_000, entry_price=3_400),
    ...                mmr=Fraction("0.005"))
    >>> result = shock(wallet_balance=3_000, positions=[eth], moves=[Fraction("0.15")], margins=[1_000])
    >>> result.isolated.liquidated, result.isolated.balance_left
    ((0,), Fraction(2000, 1))
    >>> result.cross.liquidated, result.cross.balance_left
    ((), Fraction(1500, 1))
    """
    wb = _positive("wallet_balance", wallet_balance)
    items = _positions("positions", positions)
    model = _model("model", model)
    move_list = _sequence("moves", moves, len(items))
    margin_list = _sequence("margins", margins, len(items))
    move_values = []
    for index, move in enumerate(move_list):
        value = _number(f"moves[{index}]", move)
        if value <= -1:
            raise MarginInputError(f"moves[{index}]", move, "must be above -1 (a price cannot fall 100%)")
        move_values.append(value)
    first: dict[str, int] = {}
    for index, p in enumerate(items):
        if p.label:
            other = first.setdefault(p.label, index)
            if move_values[index] != move_values[other]:
                raise MarginInputError(
                    f"moves[{index}]", move_list[index],
                    f"must equal moves[{other}]: positions {other} and {index} are both labelled "
                    f"{p.label!r}, one asset that moves with one price",
                )
    margin_values = [_positive(f"margins[{i}]", m) for i, m in enumerate(margin_list)]
    margins_total = sum(margin_values, _ZERO)
    if margins_total > wb:
        raise MarginInputError(
            "margins", list(margin_list), f"add up to more than the wallet balance {float(wb):g}"
        )

    prices = [
        _result(f"moves[{i}]", move_list[i], p.mark * (1 + move_values[i]), positive=True)
        for i, p in enumerate(items)
    ]
    pnls = [
        _result(f"positions[{i}].quantity", p.quantity, p.sign * p.quantity * (price - p.entry_price))
        for i, (p, price) in enumerate(zip(items, prices))
    ]
    requirements = [
        _result(f"positions[{i}].quantity", p.quantity, _position_requirement(p, price, model))
        for i, (p, price) in enumerate(zip(items, prices))
    ]
    labels = [p.label or f"position {i + 1}" for i, p in enumerate(items)]

    isolated = []
    for i in range(len(items)):
        liquidated = margin_values[i] + pnls[i] <= requirements[i]
        isolated.append(PositionOutcome(
            label=labels[i], price_after=prices[i], pnl=pnls[i], liquidated=liquidated,
            loss=margin_values[i] if liquidated else -pnls[i],
        ))
    isolated_left = _sum([("wallet_balance", wallet_balance, wb)] + [
        (f"positions[{i}].quantity", items[i].quantity, -outcome.loss) for i, outcome in enumerate(isolated)
    ])
    pnl_terms = [(f"positions[{i}].quantity", items[i].quantity, pnl) for i, pnl in enumerate(pnls)]
    equity = _sum([("wallet_balance", wallet_balance, wb), *pnl_terms])
    cross_liquidated = equity <= sum(requirements, _ZERO)
    cross = [
        PositionOutcome(label=labels[i], price_after=prices[i], pnl=pnls[i],
                        liquidated=cross_liquidated, loss=-pnls[i])
        for i in range(len(items))
    ]
    return ShockResult(
        wallet_balance=wb,
        isolated=ModeOutcome(
            positions=tuple(isolated),
            liquidated=tuple(i for i, p in enumerate(isolated) if p.liquidated),
            equity_after=isolated_left,
            balance_left=isolated_left,
            total_loss=_sum([("wallet_balance", wallet_balance, wb),
                             ("wallet_balance", wallet_balance, -isolated_left)]),
        ),
        cross=ModeOutcome(
            positions=tuple(cross),
            liquidated=tuple(range(len(items))) if cross_liquidated else (),
            equity_after=equity,
            balance_left=_ZERO if cross_liquidated else equity,
            total_loss=wb if cross_liquidated else _sum([("wallet_balance", wallet_balance, wb),
                                                          ("wallet_balance", wallet_balance, -equity)]),
        ),
    )


def shock_sweep(
    *,
    wallet_balance: Number,
    positions: Sequence[Any],
    moves: Sequence[Number],
    margins: Sequence[Number],
    common_moves: Sequence[Number],
    model: str = "exchange",
) -> list[tuple[Fraction, Fraction, Fraction]]:
    """:func:`shock` at each of ``common_moves`` added to every position's own move, for a chart:
    ``(common move, balance left isolated, balance left cross)`` per common move that keeps every
    price above zero, exact.

    The same rules as :func:`shock`, which checks the inputs once (at the first common move); the
    sweep then does only the arithmetic, so that a chart of 41 points costs about what 3 shocks
    cost. ``tests/test_margin.py`` checks every point against :func:`shock` itself.

    >>> eth = Position(side="short", entry_price=3_400, quantity=quantity(notional=10_000, entry_price=3_400),
    ...                mmr=Fraction("0.005"))
    >>> [(float(m), float(i), float(c)) for m, i, c in shock_sweep(wallet_balance=3_000, positions=[eth],
    ...     moves=[0], margins=[1_000], common_moves=[Fraction("0.15"), Fraction("0.30")])]
    [(0.15, 2000.0, 1500.0), (0.3, 2000.0, 0.0)]
    """
    # (a chart is redrawn on every edit: exact Fractions given are taken as they are, unchecked)
    steps = [m if type(m) is Fraction else _number(f"common_moves[{i}]", m) for i, m in enumerate(common_moves)]
    items = _positions("positions", positions)
    own = [_number(f"moves[{i}]", m) for i, m in enumerate(_sequence("moves", moves, len(items)))]
    lowest = min(own)
    valid = [m for m in steps if lowest + m > -1]
    if not valid:
        return []
    checked = shock(wallet_balance=wallet_balance, positions=items, moves=[o + valid[0] for o in own],
                    margins=margins, model=model)
    margin_values = [_number(f"margins[{i}]", m) for i, m in enumerate(margins)]
    # Along the sweep every quantity is linear in the common move c: the price is MP * (1 + o) + MP * c,
    # so the pnl is pnl0 + pnl1 * c and the requirement before its clamp req0 + req1 * c. Written over
    # one common denominator they are integers, and every decision is an exact integer comparison.
    lines = []
    for p, o in zip(items, own):
        pnl1 = p.sign * p.quantity * p.mark
        pnl0 = p.sign * p.quantity * (p.mark * (1 + o) - p.entry_price)
        if model == "exchange":
            req1 = p.quantity * p.mark * p.mmr
            req0 = p.quantity * p.mark * (1 + o) * p.mmr - p.maintenance_amount
        else:
            req1, req0 = _ZERO, p.quantity * p.entry_price * p.mmr - p.maintenance_amount
        lines.append((pnl0, pnl1, req0, req1))
    def common_denominator(values: Iterable[Fraction]) -> int:
        found = 1
        for value in values:
            found = found * value.denominator // math.gcd(found, value.denominator)
        return found

    steps_scale = common_denominator(valid)  # each common move c is k / steps_scale, k an integer
    scale = common_denominator([checked.wallet_balance, *margin_values, *(t for line in lines for t in line)])
    total = scale * steps_scale  # every figure times total is an integer along the sweep
    wb = int(checked.wallet_balance * total)
    whole = [(int(m * total), int(pnl0 * total), int(pnl1 * scale), int(req0 * total), int(req1 * scale))
             for m, (pnl0, pnl1, req0, req1) in zip(margin_values, lines)]
    points = []
    for common in valid:
        k = int(common * steps_scale)
        isolated_left = cross_equity = wb
        requirement_total = 0
        for m, pnl0, pnl1, req0, req1 in whole:
            pnl = pnl0 + pnl1 * k
            requirement = max(req0 + req1 * k, 0)
            isolated_left -= m if m + pnl <= requirement else -pnl
            cross_equity += pnl
            requirement_total += requirement
        cross_left = 0 if cross_equity <= requirement_total else cross_equity
        points.append((common, Fraction(isolated_left, total), Fraction(cross_left, total)))
    return points


def _sequence(field: str, values: Any, length: int) -> list[Any]:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise MarginInputError(field, values, "must be a list with one value per position")
    result = list(values)
    if len(result) != length:
        raise MarginInputError(field, values, f"must have {length} values, one per position")
    return result
