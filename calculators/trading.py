"""Trade mathematics for linear (USDT-margined) perpetuals and futures: profit and loss, target
price, position size from risk, average entry price and funding cost.

Inputs are already parsed numbers: rates are fractions (``0.0004`` for 0.04%), sides are
``"long"`` or ``"short"``, ``size`` is the position value at entry in the quote currency (USDT) and
``quantity`` is in base units (BTC). ``s`` is +1 for a long and -1 for a short.

Every function takes keyword arguments only, checks them, raises :class:`MarginInputError` naming
the field when one is unusable, and returns a frozen dataclass.

Exact arithmetic, as in :mod:`calculators.margin` (whose module docstring says why ``Fraction`` and
not ``Decimal``): numbers in are ``int``, ``float`` (taken as its exact binary value), ``Fraction`` or
``Decimal`` (taken as written), with the same refusals (NaN, infinities, magnitudes beyond a double,
numerators or denominators above ``margin.MAX_BITS`` bits); every numeric field of a result is an
exact ``Fraction`` (``intervals`` is an ``int``), and every comparison (a target at or below zero, a
stop at the entry, a completed funding interval) is exact. No result is NaN or an infinity: where
valid inputs would make one beyond the range of a double, the input that makes it so is refused.

This module imports the standard library and this package's ``errors`` and ``margin`` only, so it
runs unchanged in CPython and in Pyodide.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

from .errors import MarginInputError
from .margin import _ZERO, Number, _leverage, _number, _positive, _rate, _result, _side

__all__ = [
    "MAX_FILLS",
    "AverageEntry",
    "FundingCost",
    "PositionSize",
    "ProfitAndLoss",
    "TargetPrice",
    "average_entry",
    "funding_cost",
    "position_size",
    "profit_and_loss",
    "target_price",
]

#: the most fills :func:`average_entry` takes (a calculator's rows, not an order history)
MAX_FILLS = 12


def _fraction_in(field: str, value: Any, *, low: int, high: int, reason: str,
                 include_low: bool = False, include_high: bool = False) -> Fraction:
    number = _number(field, value)
    above = number >= low if include_low else number > low
    below = number <= high if include_high else number < high
    if not (above and below):
        raise MarginInputError(field, value, reason)
    return number


# --------------------------------------------------------------------------------------------
# Profit and loss
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProfitAndLoss:
    """A closed trade: what it held, what it tied up, what it cost and what it made."""

    #: base units bought or sold, ``size / entry_price``
    quantity: Fraction
    #: margin at entry, ``size / leverage``
    initial_margin: Fraction
    #: trading fees on entry and exit value
    fees: Fraction
    #: profit (negative: loss) after fees
    pnl: Fraction
    #: return on the initial margin, a fraction (0.5 is 50%)
    roe: Fraction


def profit_and_loss(
    *,
    side: str,
    entry_price: Number,
    exit_price: Number,
    size: Number,
    leverage: Number,
    fee_rate: Number = 0,
) -> ProfitAndLoss:
    """Profit, fees and return on margin of a position opened at ``entry_price`` and closed at
    ``exit_price``::

        Q    = size / EP
        IM   = size / L
        fees = f * (size + Q * exit)          # one fee on the entry value, one on the exit value
        PnL  = s * Q * (exit - EP) - fees
        ROE  = PnL / IM

    Source: Binance FAQ "How to Calculate Profit and Loss for Futures Contracts",
    https://www.binance.com/en/support/faq/3a55a23768cb416fb404f06ffedde4b2 (initial margin =
    quantity * entry price * IMR with IMR = 1 / leverage; long PnL = (exit - entry) * quantity,
    short PnL = (entry - exit) * quantity; ROE = PnL / initial margin). The fees, a rate charged on
    the value traded at each end, follow Binance's fee schedule for futures (taker or maker rate
    times the order's value); the FAQ's own figures leave fees out.

    A 10x long of 10,000 of BTC from 50,000 (0.2 BTC, 1,000 of margin) closed at 55,000 with a 0.04%
    fee: fees 0.0004 * (10,000 + 0.2 * 55,000) = 0.0004 * 21,000 = 8.4; PnL 0.2 * 5,000 - 8.4 =
    991.6; ROE 991.6 / 1,000 = 99.16%:

    >>> result = profit_and_loss(side="long", entry_price=50_000, exit_price=55_000, size=10_000,
    ...                          leverage=10, fee_rate=Fraction("0.0004"))
    >>> [str(x) for x in (result.quantity, result.initial_margin, result.fees, result.pnl, result.roe)]
    ['1/5', '1000', '42/5', '4958/5', '2479/2500']
    """
    s = _side("side", side)
    ep = _positive("entry_price", entry_price)
    exit_ = _positive("exit_price", exit_price)
    value = _positive("size", size)
    lev = _leverage("leverage", leverage)
    fee = _rate("fee_rate", fee_rate)
    q = _result("size", size, value / ep, positive=True)
    margin = _result("leverage", leverage, value / lev, positive=True)
    exit_value = _result("exit_price", exit_price, q * exit_)
    fees = _result("exit_price", exit_price, fee * (value + exit_value))
    pnl = _result("exit_price", exit_price, s * q * (exit_ - ep) - fees)
    roe = _result("leverage", leverage, pnl / margin)
    return ProfitAndLoss(quantity=q, initial_margin=margin, fees=fees, pnl=pnl, roe=roe)


# --------------------------------------------------------------------------------------------
# Target price
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TargetPrice:
    """The exit price at which a position returns a chosen ROE (fees excluded)."""

    target_price: Fraction
    #: signed change of the price relative to the entry, a fraction (-0.05 is 5% down)
    price_move: Fraction


def target_price(*, side: str, entry_price: Number, leverage: Number, target_roe: Number) -> TargetPrice:
    """Exit price that gives a return of ``target_roe`` on the initial margin, fees excluded::

        move   = s * ROE / L
        target = EP * (1 + move)

    From ``ROE = s * Q * (target - EP) / (Q * EP / L)``. A negative ``target_roe`` is a loss (a
    stop). A target at or below zero cannot be reached (a short cannot gain more than 100% of its
    notional) and is refused on ``target_roe``.

    Source: Binance FAQ "How to Calculate Profit and Loss for Futures Contracts",
    https://www.binance.com/en/support/faq/3a55a23768cb416fb404f06ffedde4b2 (ROE = PnL / initial
    margin); Binance's futures calculator states the same target as "long target price = entry price
    * (ROE% / leverage + 1)", "short target price = entry price * (1 - ROE% / leverage)".

    A 10x long from 50,000 aiming at +50%: move 0.5 / 10 = 5%, target 52,500; the short: 47,500:

    >>> target_price(side="long", entry_price=50_000, leverage=10, target_roe=0.5)
    TargetPrice(target_price=Fraction(52500, 1), price_move=Fraction(1, 20))
    >>> target_price(side="short", entry_price=50_000, leverage=10, target_roe=0.5)
    TargetPrice(target_price=Fraction(47500, 1), price_move=Fraction(-1, 20))
    """
    s = _side("side", side)
    ep = _positive("entry_price", entry_price)
    lev = _leverage("leverage", leverage)
    roe = _number("target_roe", target_roe)
    move = _result("target_roe", target_roe, s * roe / lev)
    price = _result("target_roe", target_roe, ep * (1 + move))
    if price <= 0:
        raise MarginInputError(
            "target_roe", target_roe,
            f"cannot be reached at {float(lev):g}x: the price would be zero or below",
        )
    return TargetPrice(target_price=price, price_move=move)


# --------------------------------------------------------------------------------------------
# Position size from risk
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PositionSize:
    """The position whose loss at the stop is a chosen share of the balance."""

    #: "long" when the stop is below the entry, "short" when above
    side: str
    #: what the stop loses, ``balance * risk_pct``
    risk_amount: Fraction
    #: base units
    quantity: Fraction
    #: position value at entry
    size: Fraction
    #: ``|entry - stop| / entry``, a fraction
    stop_distance_pct: Fraction


def position_size(*, balance: Number, risk_pct: Number, entry_price: Number, stop_price: Number) -> PositionSize:
    """Position that loses ``risk_pct`` of ``balance`` if the stop is hit (fixed fractional risk)::

        risk     = balance * risk_pct
        Q        = risk / |EP - stop|
        size     = Q * EP                    # = risk / stop_distance_pct
        distance = |EP - stop| / EP

    The side follows from the stop: below the entry for a long, above it for a short. Fees, slippage
    past the stop and leverage are left out: leverage changes the margin the position ties up, not
    what the stop loses.

    Source: Binance Academy, "How to Calculate Position Size in Trading",
    https://academy.binance.com/en/articles/how-to-calculate-position-size-in-trading (position
    size = account size * account risk / invalidation point, the stop's distance as a fraction).

    A 10,000 account risking 1% on a long of ETH from 3,000 with a stop at 2,880: risk 100, distance
    120 (4%), quantity 100 / 120 = 0.8333 ETH, size 2,500:

    >>> result = position_size(balance=10_000, risk_pct=Fraction("0.01"), entry_price=3_000, stop_price=2_880)
    >>> result.side, [str(x) for x in (result.risk_amount, result.quantity, result.size, result.stop_distance_pct)]
    ('long', ['100', '5/6', '2500', '1/25'])
    """
    wallet = _positive("balance", balance)
    risk = _fraction_in("risk_pct", risk_pct, low=0, high=1, include_high=True,
                        reason="must be above 0 and at most 1 (0.01 means 1%)")
    ep = _positive("entry_price", entry_price)
    stop = _positive("stop_price", stop_price)
    if stop == ep:
        raise MarginInputError("stop_price", stop_price, "must differ from the entry price")
    risk_amount = _result("balance", balance, wallet * risk, positive=True)
    distance = abs(ep - stop)
    q = _result("stop_price", stop_price, risk_amount / distance, positive=True)
    size = _result("stop_price", stop_price, q * ep, positive=True)
    return PositionSize(
        side="long" if stop < ep else "short",
        risk_amount=risk_amount,
        quantity=q,
        size=size,
        stop_distance_pct=_result("stop_price", stop_price, distance / ep),
    )


# --------------------------------------------------------------------------------------------
# Average entry price
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AverageEntry:
    """Several fills of one position in one direction, merged."""

    average_price: Fraction
    total_quantity: Fraction
    #: position value at the fills' prices, ``sum(price * quantity)``
    total_size: Fraction


_FILL_FIELDS = ("price", "quantity")


def _fills(field: str, fills: Any) -> list[tuple[float, float]]:
    if isinstance(fills, (str, bytes, Mapping)) or not isinstance(fills, Iterable):
        raise MarginInputError(field, fills, "must be a list of fills (price, quantity)")
    rows = list(fills)
    if not rows:
        raise MarginInputError(field, fills, "must hold at least one fill")
    if len(rows) > MAX_FILLS:
        raise MarginInputError(field, fills, f"must hold at most {MAX_FILLS} fills")
    result = []
    for index, row in enumerate(rows):
        where = f"{field}[{index}]"
        if not isinstance(row, Mapping):
            raise MarginInputError(where, row, "must be a fill with a price and a quantity")
        unknown = sorted((key for key in row if key not in _FILL_FIELDS), key=str)
        if unknown:
            raise MarginInputError(f"{where}.{unknown[0]}", row[unknown[0]], "is not a field of a fill")
        for name in _FILL_FIELDS:
            if name not in row:
                raise MarginInputError(f"{where}.{name}", None, "is missing")
        result.append((_positive(f"{where}.price", row["price"]), _positive(f"{where}.quantity", row["quantity"])))
    return result


def average_entry(*, fills: Sequence[Mapping[str, float]]) -> AverageEntry:
    """Quantity-weighted average entry price of several fills (at most :data:`MAX_FILLS`)::

        total_size     = sum(price_i * quantity_i)
        total_quantity = sum(quantity_i)
        average        = total_size / total_quantity

    Sums are exact, so the order of the fills does not change the result.

    Source: Bybit help centre, "How to Calculate Average Entry Price" (USDT perpetual: "Average entry
    price = Total contract value / Total quantity of contracts", total contract value = sum of
    quantity * price), article 000001113, https://testnet.bybit.com/en/help-center/article?id=000001113.
    Its example, 1 BTC at 10,000 then 2 BTC at 13,000: (10,000 + 26,000) / 3 = 12,000:

    >>> average_entry(fills=[{"price": 10_000, "quantity": 1}, {"price": 13_000, "quantity": 2}])
    AverageEntry(average_price=Fraction(12000, 1), total_quantity=Fraction(3, 1), total_size=Fraction(36000, 1))
    """
    rows = _fills("fills", fills)
    total_size = _result("fills", fills, sum((price * q for price, q in rows), _ZERO), positive=True)
    total_quantity = _result("fills", fills, sum((q for _, q in rows), _ZERO))
    average = _result("fills", fills, total_size / total_quantity, positive=True)
    return AverageEntry(average_price=average, total_quantity=total_quantity, total_size=total_size)


# --------------------------------------------------------------------------------------------
# Funding
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FundingCost:
    """Funding over a holding period at a constant rate."""

    #: funding timestamps passed while the position was held
    intervals: int
    #: paid by the trader (negative: received)
    funding_paid: Fraction
    #: the rate per interval over a year of 365 days, a fraction (not compounded)
    annualized_rate: Fraction


def funding_cost(
    *,
    side: str,
    size: Number,
    funding_rate: Number,
    interval_hours: Number = 8,
    days: Number,
) -> FundingCost:
    """Funding paid by a position of value ``size`` held ``days`` at a constant ``funding_rate``::

        intervals  = floor(days * 24 / interval_hours)
        paid       = s * size * rate * intervals
        annualized = rate * (24 / interval_hours) * 365

    Funding is exchanged only at the funding timestamps, and only by positions open at that moment,
    so only completed intervals count: a position held 20 hours on an 8-hour schedule is charged
    twice (the convention here assumes the position opens just after a timestamp; one opened just
    before one pays once more). A positive rate makes longs pay shorts, a negative one shorts pay
    longs, so ``paid`` is negative when the trader receives. The size is held constant (in reality
    the payment is on the value at the mark price at each timestamp).

    Source: Binance FAQ "Introduction to Binance Futures Funding Rates",
    https://www.binance.com/en/support/faq/360033525031 ("Funding Amount = Nominal Value of Positions
    x Funding Rate", every 8 hours at 00:00, 08:00 and 16:00 UTC on most contracts; traders pay or
    receive only if they hold a position at a funding time). Exchanges use intervals of 1, 4 and 8
    hours; ``interval_hours`` may be any value above 0 up to 24.

    A 10,000 long held 3 days at 0.01% per 8 hours: 9 intervals, 10,000 * 0.0001 * 9 = 9 paid;
    annualized 0.0001 * 3 * 365 = 10.95%. The short of the same size receives the 9:

    >>> result = funding_cost(side="long", size=10_000, funding_rate=Fraction("0.0001"), days=3)
    >>> result.intervals, result.funding_paid, result.annualized_rate
    (9, Fraction(9, 1), Fraction(219, 2000))
    >>> funding_cost(side="short", size=10_000, funding_rate=Fraction("0.0001"), days=3).funding_paid
    Fraction(-9, 1)
    """
    s = _side("side", side)
    value = _positive("size", size)
    rate = _fraction_in("funding_rate", funding_rate, low=-1, high=1,
                        reason="must be above -1 and below 1 (0.0001 means 0.01% per interval)")
    hours = _fraction_in("interval_hours", interval_hours, low=0, high=24, include_high=True,
                         reason="must be above 0 and at most 24 (exchanges use 1, 4 and 8)")
    held = _number("days", days)
    if held < 0:
        raise MarginInputError("days", days, "must not be negative")
    # Exact: 0.5 days of 4-hour funding is 3 intervals, not 2.9999999999999996 rounded down to 2.
    intervals = math.floor(held * 24 / hours)
    if intervals > sys.float_info.max:
        raise MarginInputError("days", days, "is too long: the result would overflow a double")
    paid = _result("days", days, s * value * rate * intervals)
    annualized = _result("interval_hours", interval_hours, rate * 24 / hours * 365)
    return FundingCost(intervals=intervals, funding_paid=paid, annualized_rate=annualized)
