"""An exact-arithmetic oracle for ``calculators.margin`` and ``calculators.trading``, written
independently of them: it imports nothing from the package, and states the published formulas
directly in ``fractions.Fraction``.

Where the module solves piecewise (sorted breakpoints of the clamped requirement), the oracle takes
another road to the same definitions: the isolated price by a case analysis of the closed forms, the
tiered price by brute force over every tier of a transcription of Binance's published table, and the
cross price by trying every subset of the asset's positions as "the ones charged maintenance" and
keeping the roots consistent with that choice.

Sources (the same public ones the module cites):

- Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (2020-08-14),
  https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93: exchange-model isolated
  price ``LP = (s*Q*EP - M - cum) / (Q*(s - MMR))``; cross and hedge-mode forms; tiers at the price.
- Bybit help centre, legacy article 900000181046: simple-model ``LP = EP - s*(M - N*MMR + cum)/Q``;
  "Bankruptcy Price (USDT Contract)": ``BP = EP - s*M/Q``.
- Binance announcement of 2021-03-18 (BTCUSDT tiers; "50,000 < Position <= 250,000"),
  https://www.binance.com/en/support/announcement/86cf9aa472574b8cb2e05bb751c2a9a6.
- Binance FAQ "How to Calculate Profit and Loss for Futures Contracts" (PnL, ROE, IMR = 1/L);
  Binance Academy "How to Calculate Position Size in Trading"; Bybit "How to Calculate Average Entry
  Price"; Binance FAQ "Introduction to Binance Futures Funding Rates".

Conventions shared with the module because they are the specification (issue 9): the requirement is
``max(Q*basis*MMR - cum, 0)``; a price that is not above zero is no price (None); a notional on a cap
belongs to the lower tier; of two prices that liquidate a hedged asset the one nearest its mark is
reported (the lower of two equally near).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction as F

SIGN = {"long": 1, "short": -1}

#: Binance BTCUSDT, 2021-03-18, as published: (floor, cap, max leverage, MMR, maintenance amount)
BTCUSDT = [
    (F(0), F(50_000), F(125), F("0.004"), F(0)),
    (F(50_000), F(250_000), F(100), F("0.005"), F(50)),
    (F(250_000), F(1_000_000), F(50), F("0.01"), F(1_300)),
    (F(1_000_000), F(10_000_000), F(20), F("0.025"), F(16_300)),
    (F(10_000_000), F(20_000_000), F(10), F("0.05"), F(266_300)),
    (F(20_000_000), F(50_000_000), F(5), F("0.10"), F(1_266_300)),
    (F(50_000_000), F(100_000_000), F(4), F("0.125"), F(2_516_300)),
    (F(100_000_000), F(200_000_000), F(3), F("0.15"), F(5_016_300)),
    (F(200_000_000), F(300_000_000), F(2), F("0.25"), F(25_016_300)),
    (F(300_000_000), F(500_000_000), F(1), F("0.50"), F(100_016_300)),
]


def requirement(value: F, mmr: F, cum: F) -> F:
    return max(value * mmr - cum, F(0))


def positive_or_none(price: F) -> F | None:
    return price if price > 0 else None


# ----------------------------------------------------------------------------------------------
# Isolated
# ----------------------------------------------------------------------------------------------

def initial_margin(notional: F, leverage: F) -> F:
    return notional / leverage


def bankruptcy_price(side: str, entry: F, q: F, margin: F) -> F | None:
    return positive_or_none(entry - SIGN[side] * margin / q)


def liquidation_price_isolated(side: str, entry: F, q: F, margin: F, mmr: F, cum: F, model: str) -> F | None:
    s = SIGN[side]
    if model == "simple":
        # Bybit legacy: LP = EP - s*(M - N*MMR + cum)/Q, with the requirement N*MMR - cum clamped at 0
        return positive_or_none(entry - s * (margin - requirement(q * entry, mmr, cum)) / q)
    # Binance: LP = (s*Q*EP - M - cum) / (Q*(s - MMR)), valid where the requirement there is not
    # negative; otherwise nothing is charged at the root and it is the bankruptcy price
    line = (s * q * entry - margin - cum) / (q * (s - mmr))
    if q * line * mmr - cum >= 0:
        return positive_or_none(line)
    return positive_or_none(entry - s * margin / q)


def liquidated_at_entry(side: str, entry: F, q: F, margin: F, mmr: F, cum: F, model: str) -> bool:
    # from the definition, not from a price: the margin at or below the requirement at entry
    return margin <= requirement(q * entry, mmr, cum)


def tier_index(notional: F) -> int:
    """Brackets "floor < N <= cap", the first from 0, the last above its cap too."""
    for index, (floor, cap, *_rest) in enumerate(BTCUSDT):
        if (notional > floor or index == 0) and notional <= cap:
            return index
    return len(BTCUSDT) - 1


def liquidation_price_tiered(side: str, entry: F, q: F, margin: F, model: str) -> tuple[F | None, int]:
    entry_index = tier_index(q * entry)
    if model == "simple":
        _, _, _, mmr, cum = BTCUSDT[entry_index]
        return liquidation_price_isolated(side, entry, q, margin, mmr, cum, "simple"), entry_index
    consistent = []
    for index, (floor, cap, _, mmr, cum) in enumerate(BTCUSDT):
        price = liquidation_price_isolated(side, entry, q, margin, mmr, cum, "exchange")
        if price is None:
            continue
        n = q * price
        last = index == len(BTCUSDT) - 1
        if (n > floor or index == 0) and (n <= cap or last):
            consistent.append((price, index))
    if not consistent:
        return None, entry_index
    assert len(consistent) == 1, consistent
    return consistent[0]


# ----------------------------------------------------------------------------------------------
# Cross
# ----------------------------------------------------------------------------------------------

def _mark(row: dict) -> F:
    return row["mark_price"] if row.get("mark_price") is not None else row["entry_price"]


def _pnl(row: dict, price: F) -> F:
    return SIGN[row["side"]] * row["quantity"] * (price - row["entry_price"])


def _req(row: dict, price: F, model: str) -> F:
    basis = price if model == "exchange" else row["entry_price"]
    return requirement(row["quantity"] * basis, row.get("mmr", F(0)), row.get("maintenance_amount", F(0)))


def account_state(wallet: F, rows: list[dict], model: str) -> tuple:
    pnl = sum((_pnl(r, _mark(r)) for r in rows), F(0))
    req = sum((_req(r, _mark(r), model) for r in rows), F(0))
    equity = wallet + pnl
    ratio = req / equity if equity > 0 else None
    return equity, pnl, req, ratio, equity <= req


def liquidation_price_cross(wallet: F, rows: list[dict], target: int, model: str) -> F | None:
    label = rows[target].get("label", "")
    group = [i for i, r in enumerate(rows) if i == target or (label and r.get("label", "") == label)]
    rest = wallet + sum((_pnl(r, _mark(r)) - _req(r, _mark(r), model) for i, r in enumerate(rows) if i not in group),
                        F(0))
    mark = _mark(rows[target])
    roots: list[F] = []
    if model == "simple":
        # requirement fixed on entry value: rest + sum s*Q*(P - EP) - sum R = 0, one line
        a = sum((SIGN[rows[i]["side"]] * rows[i]["quantity"] for i in group), F(0))
        b = rest - sum((SIGN[rows[i]["side"]] * rows[i]["quantity"] * rows[i]["entry_price"]
                        + _req(rows[i], F(0), "simple") for i in group), F(0))
        if a:
            roots.append(-b / a)
        elif b == 0:
            roots.append(mark)
    else:
        # every subset of the group as "charged" (Q*P*MMR - cum >= 0), the others uncharged (<= 0)
        for charged in itertools.product((False, True), repeat=len(group)):
            a, b = F(0), rest
            constraints = []
            for on, i in zip(charged, group):
                r = rows[i]
                s, q, ep = SIGN[r["side"]], r["quantity"], r["entry_price"]
                mmr, cum = r.get("mmr", F(0)), r.get("maintenance_amount", F(0))
                a += s * q
                b -= s * q * ep
                if on:
                    a -= q * mmr
                    b += cum
                constraints.append((on, q * mmr, cum))

            def fits(p: F) -> bool:
                return all((slope * p - cum >= 0) if on else (slope * p - cum <= 0) for on, slope, cum in constraints)

            if a:
                p = -b / a
                if p > 0 and fits(p):
                    roots.append(p)
            elif b == 0:
                # every price the constraints allow solves it: the allowed interval's point nearest the mark
                low, high = F(0), None
                for on, slope, cum in constraints:
                    if slope == 0:
                        if (on and -cum < 0) or (not on and -cum > 0):
                            low, high = F(1), F(0)  # empty
                        continue
                    edge = cum / slope
                    if on:
                        low = max(low, edge)
                    else:
                        high = edge if high is None else min(high, edge)
                if high is None or low <= high:
                    p = max(mark, low) if high is None else min(max(mark, low), high)
                    if p > 0:
                        roots.append(p)
    roots = [p for p in roots if p > 0]
    if not roots:
        return None
    return min(roots, key=lambda p: (abs(p - mark), p))


def shock(wallet: F, rows: list[dict], moves: list[F], margins: list[F], model: str) -> tuple:
    prices = [_mark(r) * (1 + m) for r, m in zip(rows, moves)]
    pnls = [_pnl(r, p) for r, p in zip(rows, prices)]
    reqs = [_req(r, p, model) for r, p in zip(rows, prices)]
    iso_liq = tuple(i for i in range(len(rows)) if margins[i] + pnls[i] <= reqs[i])
    losses = [margins[i] if i in iso_liq else -pnls[i] for i in range(len(rows))]
    iso_left = wallet - sum(losses, F(0))
    equity = wallet + sum(pnls, F(0))
    cross_liq = equity <= sum(reqs, F(0))
    return (tuple(prices), tuple(pnls), iso_liq, tuple(losses), iso_left, wallet - iso_left,
            cross_liq, equity, F(0) if cross_liq else equity, wallet if cross_liq else wallet - equity)


# ----------------------------------------------------------------------------------------------
# Trading
# ----------------------------------------------------------------------------------------------

def profit_and_loss(side: str, entry: F, exit_: F, size: F, leverage: F, fee: F) -> tuple:
    q = size / entry
    im = size / leverage
    fees = fee * size + fee * q * exit_
    pnl = SIGN[side] * q * (exit_ - entry) - fees
    return q, im, fees, pnl, pnl / im


def target_price(side: str, entry: F, leverage: F, roe: F) -> tuple | str:
    # Binance's calculator: long entry * (ROE / L + 1), short entry * (1 - ROE / L)
    price = entry * (1 + roe / leverage) if side == "long" else entry * (1 - roe / leverage)
    if price <= 0:
        return "refused:target_roe"
    return price, price / entry - 1


def position_size(balance: F, risk: F, entry: F, stop: F) -> tuple | str:
    if stop == entry:
        return "refused:stop_price"
    amount = balance * risk
    q = amount / abs(entry - stop)
    return ("long" if stop < entry else "short"), amount, q, q * entry, abs(entry - stop) / entry


def average_entry(fills: list[tuple[F, F]]) -> tuple:
    size = sum((p * q for p, q in fills), F(0))
    total = sum((q for _, q in fills), F(0))
    return size / total, total, size


def funding_cost(side: str, size: F, rate: F, hours: F, days: F) -> tuple:
    intervals = math.floor(days * 24 / hours)
    return intervals, SIGN[side] * size * rate * intervals, rate * 24 * 365 / hours
