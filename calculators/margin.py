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

Every function takes keyword arguments only, checks them, and raises :class:`MarginInputError`
naming the field and the value when one is unusable. No function returns NaN, an infinity or a
negative price: where no positive price exists the result is ``None``, and where a result would
overflow the input that makes it so is refused.

Public sources of the formulas (each function names the one it follows):

- Binance FAQ, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (2020-08-14),
  https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93
- Binance FAQ, "Leverage and Margin of USDⓈ-M Futures",
  https://www.binance.com/en/support/faq/360033162192
- Binance FAQ, "How to Calculate Profit and Loss for Futures Contracts",
  https://www.binance.com/en/support/faq/3a55a23768cb416fb404f06ffedde4b2
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
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterable, Mapping, Sequence

from .errors import MarginInputError

__all__ = [
    "MODELS",
    "SIDES",
    "AccountState",
    "MarginInputError",
    "ModeOutcome",
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
    "tier_for_notional",
    "TIER_TABLES",
]

SIDES = {"long": 1, "short": -1}
MODELS = ("exchange", "simple")


# --------------------------------------------------------------------------------------------
# Input checks: one place, one error type.
# --------------------------------------------------------------------------------------------

def _number(field: str, value: Any) -> float:
    # bool is an int in Python; a checkbox value is never a price.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MarginInputError(field, value, "must be a number")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise MarginInputError(field, value, "must be a finite number")
    return number


def _positive(field: str, value: Any) -> float:
    number = _number(field, value)
    if number <= 0:
        raise MarginInputError(field, value, "must be greater than zero")
    return number


def _non_negative(field: str, value: Any) -> float:
    number = _number(field, value)
    if number < 0:
        raise MarginInputError(field, value, "must not be negative")
    return number


def _rate(field: str, value: Any) -> float:
    number = _number(field, value)
    if not 0 <= number < 1:
        raise MarginInputError(field, value, "must be at least 0 and below 1 (0.005 means 0.5%)")
    return number


def _leverage(field: str, value: Any) -> float:
    number = _number(field, value)
    if number < 1:
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


def _price_or_none(price: float) -> float | None:
    """A computed price, or None where it is not a positive finite number."""
    if math.isfinite(price) and price > 0:
        return price
    return None


def _finite(field: str, value: Any, result: float, *, positive: bool = False) -> float:
    """``result`` if it is a finite number (and above zero with ``positive``), else refuse ``field``.

    Valid inputs can still make a double overflow (a margin of 1e300 at 10x) or underflow to zero
    (a notional of 1e-300 at a price of 1e300); the input that makes it so is named rather than an
    infinity or a zero returned.
    """
    if not math.isfinite(result):
        raise MarginInputError(field, value, "is too large: the result would overflow")
    if positive and result <= 0:
        raise MarginInputError(field, value, "is too small: the result would round to zero")
    # -0.0 (a short's zero profit) prints as "-0"; it is the same number as 0
    return result + 0.0


# --------------------------------------------------------------------------------------------
# Isolated positions
# --------------------------------------------------------------------------------------------

def initial_margin(*, notional: float, leverage: float) -> float:
    """Initial margin of a position: ``IM = N / L``.

    Source: the definition of leverage on every exchange's futures help pages (Binance "Leverage and
    Margin of USDⓈ-M Futures"; Bybit "Initial margin"). At 20x the margin is 5% of the notional:

    >>> initial_margin(notional=10_000, leverage=20)
    500.0
    """
    return _positive("notional", notional) / _leverage("leverage", leverage)


def maintenance_margin(
    *,
    notional: float,
    mmr: float,
    maintenance_amount: float = 0.0,
) -> float:
    """Maintenance margin for a notional value: ``MM = N * MMR - cum``, never below zero.

    Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (2020-08-14),
    where ``cum`` is the maintenance amount of the notional's tier.

    >>> maintenance_margin(notional=10_000, mmr=0.005)
    50.0
    >>> maintenance_margin(notional=100_000, mmr=0.005, maintenance_amount=50)
    450.0
    """
    value = _non_negative("notional", notional) * _rate("mmr", mmr) - _non_negative(
        "maintenance_amount", maintenance_amount
    )
    return max(value, 0.0)


# --------------------------------------------------------------------------------------------
# Derived figures of an isolated position
# --------------------------------------------------------------------------------------------

def notional(*, margin: float, leverage: float) -> float:
    """Position value at entry of an isolated position opened with ``margin``: ``N = M * L``.

    The inverse of :func:`initial_margin` (``IM = N / L``). Source: Binance FAQ "Leverage and Margin
    of USDⓈ-M Futures", https://www.binance.com/en/support/faq/360033162192 (initial margin is the
    position value divided by the leverage).

    1,000 of margin at 10x opens 10,000 of position:

    >>> notional(margin=1_000, leverage=10)
    10000.0
    """
    m = _positive("margin", margin)
    return _finite("margin", margin, m * _leverage("leverage", leverage))


def quantity(*, notional: float, entry_price: float) -> float:
    """Quantity in base units of a position of value ``notional`` at ``entry_price``: ``Q = N / EP``.

    Source: Binance FAQ "How to Calculate Profit and Loss for Futures Contracts",
    https://www.binance.com/en/support/faq/3a55a23768cb416fb404f06ffedde4b2 (initial margin
    = quantity * entry price * IMR, so the position value is quantity times entry price).

    10,000 of BTC at 65,000 is 10,000 / 65,000 = 0.153846... BTC; 10,000 at 50,000 is 0.2 BTC:

    >>> round(quantity(notional=10_000, entry_price=65_000), 6)
    0.153846
    >>> quantity(notional=10_000, entry_price=50_000)
    0.2
    """
    n = _positive("notional", notional)
    ep = _positive("entry_price", entry_price)
    return _finite("notional", notional, n / ep, positive=True)


def initial_margin_rate(*, leverage: float) -> float:
    """Initial margin as a fraction of the notional: ``IMR = 1 / L``.

    Source: Binance FAQ "How to Calculate Profit and Loss for Futures Contracts",
    https://www.binance.com/en/support/faq/3a55a23768cb416fb404f06ffedde4b2 ("IMR = 1 / leverage").
    At 20x the margin is 5% of the position:

    >>> initial_margin_rate(leverage=20)
    0.05
    """
    return 1.0 / _leverage("leverage", leverage)


def distance_to_liquidation(*, reference_price: float, liquidation_price: float | None) -> float | None:
    """How far the liquidation price is from a reference price, as a fraction of the reference:
    ``|LP - ref| / ref``; ``None`` when there is no liquidation price.

    The reference is the entry price for a position about to open, the mark price for an open one.
    Source: the definition of a relative change; the prices follow the Binance FAQ "How to Calculate
    Liquidation Price of USDⓈ-M Futures Contracts",
    https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93.

    The guide's 10x long from 65,000 liquidated at 58,825 (simple model) is
    (65,000 - 58,825) / 65,000 = 6,175 / 65,000 = 9.5% away:

    >>> distance_to_liquidation(reference_price=65_000, liquidation_price=58_825)
    0.095
    >>> distance_to_liquidation(reference_price=65_000, liquidation_price=None) is None
    True
    """
    ref = _positive("reference_price", reference_price)
    if liquidation_price is None:
        return None
    lp = _positive("liquidation_price", liquidation_price)
    return _finite("liquidation_price", liquidation_price, abs(lp - ref) / ref)


def liquidated_at_entry(*, side: str, entry_price: float, liquidation_price: float | None) -> bool:
    """Whether a position would be liquidated as soon as it opens: its liquidation price is at or
    beyond the entry on the losing side. ``True`` when a long's ``LP >= EP`` or a short's ``LP <= EP``;
    ``False`` when there is no liquidation price (``None``).

    This happens when the margin is below the maintenance requirement at entry, for example when the
    maintenance rate is at or above ``1/L``. Source: Binance FAQ "How to Calculate Liquidation Price of
    USDⓈ-M Futures Contracts", https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93
    (liquidation once the margin balance falls to the maintenance margin).

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


def bankruptcy_price(*, side: str, entry_price: float, quantity: float, margin: float) -> float | None:
    """Price at which an isolated position's margin is fully lost: ``BP = EP - s * M / Q``.

    Returns ``None`` where that price is not positive: a long whose margin covers its whole notional
    (1x or over-collateralised) cannot lose all of it.

    Source: Bybit help centre, "Bankruptcy Price (USDT Contract)": for isolated margin
    ``BP = EP * (1 - s * IMR)`` with ``IMR = 1/L``, which is ``EP - s*M/Q`` when ``M = Q*EP/L``.
    Its example, a 50x long from 10,000: 10,000 * (1 - 2%) = 9,800.

    A long of 0.2 BTC at 50,000 with 1,000 of margin is bankrupt after a 1,000 / 0.2 = 5,000 fall:

    >>> bankruptcy_price(side="long", entry_price=50_000, quantity=0.2, margin=1_000)
    45000.0
    >>> bankruptcy_price(side="short", entry_price=50_000, quantity=0.2, margin=1_000)
    55000.0
    """
    s = _side("side", side)
    ep = _positive("entry_price", entry_price)
    q = _positive("quantity", quantity)
    m = _positive("margin", margin)
    return _price_or_none(ep - s * m / q)


def liquidation_price_isolated(
    *,
    side: str,
    entry_price: float,
    quantity: float,
    margin: float,
    mmr: float,
    maintenance_amount: float = 0.0,
    model: str = "exchange",
) -> float | None:
    """Price at which an isolated position reaches its maintenance margin and is liquidated.

    ``model="simple"`` (maintenance margin on the value at entry; the draft's formula, Bybit's legacy
    USDT-contract formula, KuCoin)::

        LP = EP - s * (M - N * MMR + cum) / Q        # = EP * (1 - s*M/N + s*MMR) when cum = 0

    Source: Bybit help centre, "How to calculate liquidation price (USDT contract)", legacy article
    900000181046.

    ``model="exchange"`` (maintenance margin on the value at the mark price; Binance USDⓈ-M one-way
    mode, Hyperliquid): liquidation when ``M + s*Q*(P - EP) = Q*P*MMR - cum``, so::

        LP = (s*Q*EP - M - cum) / (Q * (s - MMR))

    Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"
    (2020-08-14); Hyperliquid docs, "Liquidations".

    Returns ``None`` where no positive liquidation price exists (for example a long at 1x under the
    exchange model: its margin covers any fall). A price on the far side of the entry means the
    position would be liquidated as soon as it opens (margin below the maintenance requirement).

    The guide's example: a 10x long of 10,000 USDT of BTC at 65,000 with 1,000 of margin and a 0.5%
    maintenance rate. Simple: 65,000 * (1 - 0.1 + 0.005) = 58,825. Exchange:
    (10,000 - 1,000) / (Q * 0.995) with Q = 10,000 / 65,000, that is 65,000 * 9,000 / 9,950:

    >>> q = 10_000 / 65_000
    >>> round(liquidation_price_isolated(side="long", entry_price=65_000, quantity=q,
    ...                                  margin=1_000, mmr=0.005, model="simple"), 2)
    58825.0
    >>> round(liquidation_price_isolated(side="long", entry_price=65_000, quantity=q,
    ...                                  margin=1_000, mmr=0.005), 2)
    58793.97
    """
    s = _side("side", side)
    ep = _positive("entry_price", entry_price)
    q = _positive("quantity", quantity)
    m = _positive("margin", margin)
    rate = _rate("mmr", mmr)
    cum = _non_negative("maintenance_amount", maintenance_amount)
    if _model("model", model) == "simple":
        price = ep - s * (m - q * ep * rate + cum) / q
    else:
        price = (s * q * ep - m - cum) / (q * (s - rate))
    return _price_or_none(price)


# --------------------------------------------------------------------------------------------
# Maintenance tiers
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tier:
    """One bracket of a tier table: notionals above ``floor`` up to and including ``cap``."""

    floor: float
    cap: float
    max_leverage: float
    mmr: float
    maintenance_amount: float


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
    """Read a tier table shipped in ``calculators/data/<key>.json``."""
    if not isinstance(key, str) or not key.replace("-", "").replace("_", "").isalnum():
        raise MarginInputError("tier_table", key, "is not a known tier table")
    try:
        text = resources.files(__package__).joinpath("data", f"{key}.json").read_text("utf-8")
    except (FileNotFoundError, OSError):
        raise MarginInputError("tier_table", key, "is not a known tier table") from None
    data = json.loads(text)
    tiers = tuple(
        Tier(
            floor=float(row["floor"]),
            cap=float(row["cap"]),
            max_leverage=float(row["max_leverage"]),
            mmr=float(row["mmr"]),
            maintenance_amount=float(row["maintenance_amount"]),
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


def _table(value: Any) -> TierTable:
    if isinstance(value, TierTable):
        return value
    if isinstance(value, str) and value in TIER_TABLES:
        return load_tier_table(value)
    raise MarginInputError("tier_table", value, f"must be one of {', '.join(TIER_TABLES)}")


def tier_for_notional(*, table: TierTable | str, notional: float) -> Tier:
    """The tier whose bracket holds ``notional`` (floor < notional <= cap; the first tier holds 0).

    >>> tier = tier_for_notional(table="binance-btcusdt-2021-03-18", notional=100_000)
    >>> tier.mmr, tier.maintenance_amount
    (0.005, 50.0)
    """
    tiers = _table(table).tiers
    n = _non_negative("notional", notional)
    for tier in tiers:
        if n <= tier.cap:
            return tier
    raise MarginInputError(
        "notional", notional, f"is above the largest tier of the table ({tiers[-1].cap:,.0f})"
    )


@dataclass(frozen=True)
class TieredLiquidation:
    """A tiered liquidation price and the tier whose rate and maintenance amount gave it."""

    #: ``None`` when no positive price liquidates the position
    price: float | None
    #: exchange model: the tier holding ``Q * price`` (the last tier above the table's cap);
    #: simple model, or no price: the tier of the notional at entry
    tier: Tier


def liquidation_price_tiered(
    *,
    side: str,
    entry_price: float,
    quantity: float,
    margin: float,
    table: TierTable | str,
    model: str = "exchange",
) -> TieredLiquidation:
    """Isolated liquidation price with the MMR and maintenance amount taken from a tier table, and
    the tier it settled on.

    Under ``model="exchange"`` the requirement is on the value at the liquidation price, so the tier
    is the one that holds ``Q * LP``: start from the entry's tier, compute the price, and move to the
    tier of the new notional until the tier no longer changes. Because each tier's maintenance amount
    keeps the requirement continuous (``cum_n = floor_n * (MMR_n - MMR_n-1) + cum_n-1``), equity minus
    requirement is strictly monotonic in the price and exactly one tier is consistent; if the
    iteration were ever to cycle, or a tier's line has no positive root, every tier is tried. Above
    the table's last cap (a short whose notional grows as the price rises) the last tier applies.
    The price is ``None`` only when no positive price liquidates the position; the tier is then the
    entry's. Under ``model="simple"`` the requirement is on the value at entry, so the entry's tier
    is used.

    Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (2020-08-14),
    https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 ("If your position
    (calculated at the liquidation price) and the current position (calculated at the opening price)
    are of different levels", recalculate with the level at the liquidation price); tier table:
    Binance announcement of 2021-03-18 (``calculators/data``).

    A 2 BTC long at 60,000 (notional 120,000, tier 2: MMR 0.5%, cum 50) with 12,000 of margin:
    (120,000 - 12,000 - 50) / (2 * 0.995) = 54,246.23..., whose notional 108,492 stays in tier 2:

    >>> result = liquidation_price_tiered(side="long", entry_price=60_000, quantity=2,
    ...                                   margin=12_000, table="binance-btcusdt-2021-03-18")
    >>> round(result.price, 2), result.tier.mmr, result.tier.maintenance_amount
    (54246.23, 0.005, 50.0)
    """
    tiers = _table(table)
    ep = _positive("entry_price", entry_price)
    q = _positive("quantity", quantity)
    _model("model", model)
    entry_tier = tier = tier_for_notional(table=tiers, notional=q * ep)

    def price_in(t: Tier) -> float | None:
        return liquidation_price_isolated(
            side=side, entry_price=ep, quantity=q, margin=margin, mmr=t.mmr,
            maintenance_amount=t.maintenance_amount, model=model,
        )

    if model == "simple":
        return TieredLiquidation(price=price_in(tier), tier=tier)
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
        next_tier = last if q * price > last.cap else tier_for_notional(table=tiers, notional=q * price)
        if next_tier == tier:
            return TieredLiquidation(price=price, tier=tier)
        tier = next_tier
    for candidate in tiers.tiers:
        price = price_in(candidate)
        if price is not None and candidate.floor <= q * price and (q * price <= candidate.cap or candidate == last):
            return TieredLiquidation(price=price, tier=candidate)
    return TieredLiquidation(price=None, tier=entry_tier)


# --------------------------------------------------------------------------------------------
# Cross margin
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Position:
    """One position of a cross-margin account (or one isolated position in :func:`shock`).

    ``mark_price`` defaults to the entry price; ``mmr`` and ``maintenance_amount`` default to 0.
    """

    side: str
    entry_price: float
    quantity: float
    mark_price: float | None = None
    mmr: float = 0.0
    maintenance_amount: float = 0.0
    label: str = ""

    def __post_init__(self) -> None:
        _side("side", self.side)
        _positive("entry_price", self.entry_price)
        _positive("quantity", self.quantity)
        if self.mark_price is not None:
            _positive("mark_price", self.mark_price)
        _rate("mmr", self.mmr)
        _non_negative("maintenance_amount", self.maintenance_amount)

    @property
    def sign(self) -> int:
        return SIDES[self.side]

    @property
    def mark(self) -> float:
        return float(self.entry_price if self.mark_price is None else self.mark_price)


_POSITION_FIELDS = ("side", "entry_price", "quantity", "mark_price", "mmr", "maintenance_amount", "label")


def _positions(field: str, positions: Any) -> list[Position]:
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
        unknown = sorted(set(item) - set(_POSITION_FIELDS))
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
    return result


def position_pnl(position: Position, price: float | None = None) -> float:
    """Unrealised profit or loss of a linear position at ``price`` (default: its mark): ``s*Q*(P - EP)``.

    >>> position_pnl(Position(side="short", entry_price=3_400, quantity=2), 3_500)
    -200.0
    """
    p = position.mark if price is None else _positive("price", price)
    return position.sign * position.quantity * (p - position.entry_price)


def _requirement(position: Position, price: float, model: str) -> float:
    # The exchange model charges maintenance on the value at the mark; the simple one on entry value.
    basis = price if model == "exchange" else position.entry_price
    return position.quantity * basis * position.mmr - position.maintenance_amount


@dataclass(frozen=True)
class AccountState:
    """A cross-margin account at its positions' mark prices."""

    equity: float
    unrealized_pnl: float
    maintenance_requirement: float
    #: requirement / equity; liquidation at 1 (100%) or above. ``None`` when equity is not positive.
    margin_ratio: float | None
    liquidated: bool


def account_state(*, wallet_balance: float, positions: Sequence[Any], model: str = "exchange") -> AccountState:
    """Equity, maintenance requirement and margin ratio of a cross-margin account.

    Equity = WB + sum_i s_i*Q_i*(MP_i - EP_i); requirement = sum_i (Q_i*MP_i*MMR_i - cum_i) (at entry
    value under ``model="simple"``); the account is liquidated when equity <= requirement, that is a
    margin ratio (requirement / equity) of 100% or more.

    Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (2020-08-14),
    cross-margin mode; Binance "Margin ratio".

    A 1,000 wallet with a 0.2 BTC long from 50,000 marked at 49,000 (loss 200) at 0.5% MMR:
    equity 800, requirement 0.2 * 49,000 * 0.005 = 49, ratio 49 / 800 = 6.125%:

    >>> state = account_state(wallet_balance=1_000, positions=[
    ...     Position(side="long", entry_price=50_000, quantity=0.2, mark_price=49_000, mmr=0.005)])
    >>> state.equity, round(state.maintenance_requirement, 6), round(state.margin_ratio, 6), state.liquidated
    (800.0, 49.0, 0.06125, False)
    """
    wb = _non_negative("wallet_balance", wallet_balance)
    items = _positions("positions", positions)
    _model("model", model)
    pnl = math.fsum(position_pnl(p) for p in items)
    # A maintenance amount larger than a position's N*MMR would make its requirement negative (and
    # the margin ratio below zero); no exchange's table does that, so it counts as no requirement.
    requirement = math.fsum(max(_requirement(p, p.mark, model), 0.0) for p in items)
    equity = wb + pnl
    ratio = requirement / equity if equity > 0 else None
    return AccountState(
        equity=equity,
        unrealized_pnl=pnl,
        maintenance_requirement=requirement,
        margin_ratio=ratio,
        liquidated=equity <= requirement,
    )


def liquidation_price_cross(
    *,
    wallet_balance: float,
    positions: Sequence[Any],
    target: int,
    model: str = "exchange",
) -> float | None:
    """Price of position ``target`` at which the whole cross account is liquidated, the others held.

    The other positions stay at their mark prices. With ``k`` the target, the exchange model (Binance
    cross form) solves equity = requirement for ``P_k``::

        P_k = (WB + sum_{i!=k} s_i*Q_i*(MP_i - EP_i) - sum_{i!=k} (Q_i*MP_i*MMR_i - cum_i)
               + cum_k - s_k*Q_k*EP_k) / (Q_k * (MMR_k - s_k))

    and the simple model the same with every requirement on entry value. With one position and
    WB = M both reduce to :func:`liquidation_price_isolated`. Returns ``None`` where no positive price
    liquidates the account (a long that the rest of the account covers down to zero). A price on the
    far side of the target's mark means the account is already being liquidated.

    Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (2020-08-14).

    One long of 0.2 BTC at 50,000 in a 1,000 wallet at 0.5%: (1,000 - 10,000) / (0.2 * -0.995):

    >>> round(liquidation_price_cross(wallet_balance=1_000, target=0, positions=[
    ...     {"side": "long", "entry_price": 50_000, "quantity": 0.2, "mmr": 0.005}]), 2)
    45226.13
    """
    wb = _non_negative("wallet_balance", wallet_balance)
    items = _positions("positions", positions)
    _model("model", model)
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < len(items):
        raise MarginInputError("target", target, f"must be a position index from 0 to {len(items) - 1}")
    k = items[target]
    others = [p for i, p in enumerate(items) if i != target]
    others_pnl = math.fsum(position_pnl(p) for p in others)
    others_requirement = math.fsum(_requirement(p, p.mark, model) for p in others)
    free = wb + others_pnl - others_requirement
    s, q, ep = k.sign, k.quantity, k.entry_price
    if model == "simple":
        price = ep + (q * ep * k.mmr - k.maintenance_amount - free) / (s * q)
    else:
        price = (free + k.maintenance_amount - s * q * ep) / (q * (k.mmr - s))
    return _price_or_none(price)


# --------------------------------------------------------------------------------------------
# Isolated against cross under a price shock
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PositionOutcome:
    """What a shock did to one position under one margin mode."""

    label: str
    price_after: float
    pnl: float
    liquidated: bool
    #: what the position cost the account: its whole margin if liquidated in isolated mode,
    #: otherwise minus its profit (negative when it gained).
    loss: float


@dataclass(frozen=True)
class ModeOutcome:
    """A whole account after a shock under one margin mode."""

    positions: tuple[PositionOutcome, ...]
    liquidated: tuple[int, ...]
    equity_after: float
    balance_left: float
    #: wallet balance before the shock minus the balance left
    total_loss: float


@dataclass(frozen=True)
class ShockResult:
    wallet_balance: float
    isolated: ModeOutcome
    cross: ModeOutcome


def shock(
    *,
    wallet_balance: float,
    positions: Sequence[Any],
    moves: Sequence[float],
    margins: Sequence[float],
    model: str = "exchange",
) -> ShockResult:
    """Move each position's price by a relative amount and compare isolated with cross margin.

    Each position's price becomes ``MP_i * (1 + moves[i])`` (a jump: the path is not modelled).

    Isolated: position ``i`` holds ``margins[i]`` of the wallet and is liquidated when
    ``margins[i] + pnl_i <= requirement_i``; a liquidated position loses its whole margin (the rest of
    the maintenance margin goes to fees and the insurance fund), the others keep their profit or loss.
    Balance left = WB - sum of liquidated margins + sum of the survivors' pnl.

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

    >>> eth = Position(side="short", entry_price=3_400, quantity=10_000 / 3_400, mmr=0.005)
    >>> result = shock(wallet_balance=3_000, positions=[eth], moves=[0.15], margins=[1_000])
    >>> result.isolated.liquidated, result.isolated.balance_left
    ((0,), 2000.0)
    >>> result.cross.liquidated, round(result.cross.balance_left, 6)
    ((), 1500.0)
    """
    wb = _positive("wallet_balance", wallet_balance)
    items = _positions("positions", positions)
    _model("model", model)
    move_list = _sequence("moves", moves, len(items))
    margin_list = _sequence("margins", margins, len(items))
    for index, move in enumerate(move_list):
        if _number(f"moves[{index}]", move) <= -1:
            raise MarginInputError(f"moves[{index}]", move, "must be above -1 (a price cannot fall 100%)")
    margin_values = [_positive(f"margins[{i}]", m) for i, m in enumerate(margin_list)]
    if math.fsum(margin_values) > wb * (1 + 1e-12):
        raise MarginInputError("margins", list(margin_list), f"add up to more than the wallet balance {wb:g}")

    prices = [p.mark * (1 + float(move)) for p, move in zip(items, move_list)]
    pnls = [position_pnl(p, price) for p, price in zip(items, prices)]
    # A requirement below zero (a maintenance amount larger than N*MMR) would let a position lose
    # more than its margin before it is liquidated; no exchange's table produces one.
    requirements = [max(_requirement(p, price, model), 0.0) for p, price in zip(items, prices)]
    labels = [p.label or f"position {i + 1}" for i, p in enumerate(items)]

    isolated = []
    for i in range(len(items)):
        liquidated = margin_values[i] + pnls[i] <= requirements[i]
        isolated.append(PositionOutcome(
            label=labels[i], price_after=prices[i], pnl=pnls[i], liquidated=liquidated,
            loss=margin_values[i] if liquidated else -pnls[i],
        ))
    isolated_left = wb - math.fsum(p.loss for p in isolated)

    equity = wb + math.fsum(pnls)
    cross_liquidated = equity <= math.fsum(requirements)
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
            total_loss=wb - isolated_left,
        ),
        cross=ModeOutcome(
            positions=tuple(cross),
            liquidated=tuple(range(len(items))) if cross_liquidated else (),
            equity_after=equity,
            balance_left=0.0 if cross_liquidated else equity,
            total_loss=wb if cross_liquidated else wb - equity,
        ),
    )


def _sequence(field: str, values: Any, length: int) -> list[Any]:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise MarginInputError(field, values, "must be a list with one value per position")
    result = list(values)
    if len(result) != length:
        raise MarginInputError(field, values, f"must have {length} values, one per position")
    return result
