"""Differential test: every public function of ``calculators.margin`` and ``calculators.trading``
against the independent exact oracle (``tests/oracle.py``), on random typed decimals.

Inputs are what a reader types: decimal strings with 0 to 4 decimals at realistic magnitudes,
handed to the module as a ``Fraction`` or a ``Decimal`` (the parser's exact values) and to the
oracle as a ``Fraction``. A share of the cases seeks the boundaries where floating point used to
decide wrongly: rates equal to 1/leverage, losses that leave exactly the requirement, wallets equal
to the sum of the margins, notionals and liquidation prices exactly on tier caps, hedged assets,
targets exactly at zero, stops at the entry, holding periods of whole funding intervals. Results are
compared for exact equality (a refusal counts as a result: its field).

The CI run (a few hundred cases a function) is the test below. The long run is a script:

    .venv/bin/python tests/test_differential.py 100000

prints, per function, the cases run, how many hit a boundary, and every disagreement.
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from fractions import Fraction as F
from pathlib import Path
from typing import Any, Callable

if __name__ == "__main__":  # run as a script from the repository's root or from tests/
    sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import oracle
from calculators import margin, trading
from calculators.errors import MarginInputError

SIDES = ("long", "short")
TIERS = margin.load_tier_table("binance-btcusdt-2021-03-18").tiers
MODELS = ("exchange", "simple")
LEVERAGES = (1, 2, 3, 4, 5, 10, 20, 25, 50, 75, 100, 125)


class Case:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.boundary = False

    def typed(self, low: float, high: float, places: int | None = None) -> F:
        """A decimal a reader might type, between ``low`` and ``high``, with 0 to 4 decimals."""
        places = self.rng.randint(0, 4) if places is None else places
        scale = 10 ** places
        value = self.rng.randint(max(1, int(low * scale)), max(1, int(high * scale)))
        return F(value, scale)

    def price(self) -> F:
        return self.typed(*self.rng.choice([(0.01, 10), (1, 1_000), (1_000, 100_000)]))

    def given(self, value: F) -> Any:
        """The number as the module receives it: a Fraction, a Decimal of its digits, or an int."""
        if value.denominator == 1 and self.rng.random() < 0.3:
            return int(value)
        if self.rng.random() < 0.5:
            decimal = Decimal(value.numerator) / Decimal(value.denominator)
            if F(decimal) == value:
                return decimal
        return value


def outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except MarginInputError as error:
        return f"refused:{error.field}"


# ----------------------------------------------------------------------------------------------
# One generator a function: returns (module result, oracle result, hit a boundary)
# ----------------------------------------------------------------------------------------------

def isolated_case(c: Case):
    side, model = c.rng.choice(SIDES), c.rng.choice(MODELS)
    entry, size = c.price(), c.typed(10, 1_000_000)
    leverage = F(c.rng.choice(LEVERAGES))
    q, m = size / entry, size / leverage
    roll = c.rng.random()
    if roll < 0.2 and leverage > 1:
        mmr, c.boundary = 1 / leverage, True          # liquidated exactly at entry
    elif roll < 0.3:
        mmr = F(0)
    else:
        mmr = c.typed(0.001, 0.2, 4)
    cum = c.rng.choice([F(0), F(0), c.typed(0, 5_000), size * mmr * c.typed(0.5, 3, 2)])
    if leverage == 1 and side == "long":
        c.boundary = True                              # exact price 0: no price
    args = dict(side=side, entry_price=c.given(entry), quantity=q, margin=c.given(m), mmr=c.given(mmr),
                maintenance_amount=c.given(cum), model=model)
    got = outcome(lambda: margin.liquidation_price_isolated(**args))
    flag = outcome(lambda: margin.liquidated_at_entry(side=side, entry_price=entry, liquidation_price=got))
    distance = outcome(lambda: margin.distance_to_liquidation(reference_price=entry, liquidation_price=got))
    want = oracle.liquidation_price_isolated(side, entry, q, m, mmr, cum, model)
    want_flag = oracle.liquidated_at_entry(side, entry, q, m, mmr, cum, model)
    want_distance = None if want is None else abs(want - entry) / entry
    return (got, flag, distance), (want, want_flag, want_distance)


def bankruptcy_case(c: Case):
    side, entry, size = c.rng.choice(SIDES), c.price(), c.typed(10, 1_000_000)
    leverage = F(c.rng.choice(LEVERAGES))
    if leverage == 1:
        c.boundary = True
    q, m = size / entry, size / leverage
    mmr = c.typed(0, 0.1, 4)
    cum = size * mmr if c.rng.random() < 0.2 else c.typed(0, 5_000)   # a requirement of exactly 0
    got = (outcome(lambda: margin.bankruptcy_price(side=side, entry_price=c.given(entry), quantity=q, margin=c.given(m))),
           outcome(lambda: margin.initial_margin(notional=c.given(size), leverage=c.given(leverage))),
           outcome(lambda: margin.maintenance_margin(notional=c.given(size), mmr=c.given(mmr),
                                                     maintenance_amount=c.given(cum))))
    want = (oracle.bankruptcy_price(side, entry, q, m), oracle.initial_margin(size, leverage),
            oracle.requirement(size, mmr, cum))
    return got, want


def tiered_case(c: Case):
    side, model = c.rng.choice(SIDES), c.rng.choice(MODELS)
    entry = c.price()
    caps = [row[1] for row in oracle.BTCUSDT]
    roll = c.rng.random()
    if roll < 0.25:
        notional, c.boundary = c.rng.choice(caps), True        # the entry notional on a cap
    else:
        notional = c.typed(10, 400_000_000)
    q = notional / entry
    max_leverage = oracle.BTCUSDT[oracle.tier_index(notional)][2]
    m = notional / c.typed(1, float(max_leverage), 2)
    if roll > 0.75 and model == "exchange":
        # the margin that puts the liquidation notional exactly on a cap: equity = requirement there
        cap_index = c.rng.randrange(len(caps) - 1)
        p = caps[cap_index] / q
        _, _, _, mmr, cum = oracle.BTCUSDT[cap_index]
        s = oracle.SIGN[side]
        candidate = q * p * mmr - cum - s * q * (p - entry)
        if candidate > 0:
            m, c.boundary = candidate, True
    got = outcome(lambda: margin.liquidation_price_tiered(side=side, entry_price=c.given(entry), quantity=q,
                                                          margin=c.given(m), table="binance-btcusdt-2021-03-18",
                                                          model=model))
    tiers = TIERS
    if not isinstance(got, str):
        got = (got.price, tiers.index(got.tier))
    # the tier of the entry, by the module's lookup, against the oracle's brackets
    entry_tier = margin.tier_for_notional(table="binance-btcusdt-2021-03-18", notional=c.given(notional))
    return (got, tiers.index(entry_tier)), (oracle.liquidation_price_tiered(side, entry, q, m, model),
                                            oracle.tier_index(notional))


def account_rows(c: Case, count: int) -> list[dict]:
    rows, marks = [], {}
    for _ in range(count):
        entry, size = c.price(), c.typed(10, 1_000_000)
        label = c.rng.choice(["", "", "A", "B"])
        mark = marks.setdefault(label, entry * c.typed(0.8, 1.2, 2)) if label else entry * c.typed(0.8, 1.2, 2)
        mmr = c.rng.choice([F(0), F("0.004"), F("0.005"), F("0.01"), c.typed(0.001, 0.1, 4)])
        rows.append({"side": c.rng.choice(SIDES), "entry_price": entry, "quantity": size / entry, "mark_price": mark,
                     "mmr": mmr, "maintenance_amount": c.rng.choice([F(0), F(0), c.typed(0, 2_000)]),
                     "label": label})
    if len({r["label"] for r in rows if r["label"]}) < sum(1 for r in rows if r["label"]):
        c.boundary = True                                          # a hedged asset
    return rows


def given_rows(c: Case, rows: list[dict]) -> list[dict]:
    return [{k: (c.given(v) if isinstance(v, F) and k != "quantity" else v) for k, v in r.items()} for r in rows]


def account_case(c: Case):
    model = c.rng.choice(MODELS)
    rows = account_rows(c, c.rng.randint(1, 5))
    wallet = c.typed(0, 1_000_000)
    if c.rng.random() < 0.3:
        # the wallet that leaves equity exactly on the requirement
        _, pnl, req, _, _ = oracle.account_state(F(0), rows, model)
        if req - pnl >= 0:
            wallet, c.boundary = req - pnl, True
    got = outcome(lambda: margin.account_state(wallet_balance=c.given(wallet), positions=given_rows(c, rows), model=model))
    if not isinstance(got, str):
        got = (got.equity, got.unrealized_pnl, got.maintenance_requirement, got.margin_ratio, got.liquidated)
    return got, oracle.account_state(wallet, rows, model)


def cross_case(c: Case):
    model = c.rng.choice(MODELS)
    rows = account_rows(c, c.rng.randint(1, 5))
    if c.rng.random() < 0.3:
        # a fully hedged pair: a long and a short of one quantity on one asset
        base = dict(rows[0], label="H")
        rows[0] = base
        rows.insert(1, dict(base, side="short" if base["side"] == "long" else "long",
                            entry_price=base["entry_price"] * c.typed(0.9, 1.1, 2)))
        c.boundary = True
    wallet = c.typed(0, 1_000_000)
    target = c.rng.randrange(len(rows))
    got = outcome(lambda: margin.liquidation_price_cross(wallet_balance=c.given(wallet), positions=given_rows(c, rows),
                                                         target=target, model=model))
    return got, oracle.liquidation_price_cross(wallet, rows, target, model)


def shock_case(c: Case):
    model = c.rng.choice(MODELS)
    count = c.rng.randint(1, 12)
    rows, moves, margins, by_label = [], [], [], {}
    for _ in range(count):
        entry, size = c.price(), c.typed(10, 100_000)
        leverage = F(c.rng.choice(LEVERAGES))
        label = c.rng.choice(["", "", "", "A", "B"])
        mmr = c.rng.choice([F("0.005"), F("0.01"), c.typed(0.001, 0.1, 4)])
        cum = c.rng.choice([F(0), F(0), c.typed(0, 500)])
        if label in by_label:
            entry, move = by_label[label]
        else:
            move = F(0) if c.rng.random() < 0.05 else c.typed(0, 0.9, c.rng.randint(1, 4)) * c.rng.choice([-1, 1])
            if label:
                by_label[label] = (entry, move)
        row = {"side": c.rng.choice(SIDES), "entry_price": entry, "quantity": size / entry, "mmr": mmr,
               "maintenance_amount": cum, "label": label}
        m = size / leverage
        if c.rng.random() < 0.3:
            # the margin that leaves exactly the requirement after the move (compare's marks are entries)
            p = entry * (1 + move)
            candidate = oracle._req(row, p, model) - oracle._pnl(row, p)
            if candidate > 0:
                m, c.boundary = candidate, True
        rows.append(row)
        moves.append(move)
        margins.append(m)
    wallet = sum(margins, F(0))
    if c.rng.random() < 0.5:
        wallet += c.typed(0, 10_000)
    else:
        c.boundary = True                                  # the wallet exactly the margins
    got = outcome(lambda: margin.shock(wallet_balance=c.given(wallet), positions=given_rows(c, rows),
                                       moves=[c.given(m) for m in moves], margins=[c.given(m) for m in margins],
                                       model=model))
    if not isinstance(got, str):
        got = (tuple(p.price_after for p in got.isolated.positions), tuple(p.pnl for p in got.isolated.positions),
               got.isolated.liquidated, tuple(p.loss for p in got.isolated.positions), got.isolated.balance_left,
               got.isolated.total_loss, bool(got.cross.liquidated), got.cross.equity_after, got.cross.balance_left,
               got.cross.total_loss)
    return got, oracle.shock(wallet, rows, moves, margins, model)


def pnl_case(c: Case):
    side, entry, size = c.rng.choice(SIDES), c.price(), c.typed(10, 1_000_000)
    exit_ = entry if c.rng.random() < 0.2 else entry * c.typed(0.5, 1.5, 3)
    c.boundary = exit_ == entry                             # no move: the fees alone
    leverage, fee = F(c.rng.choice(LEVERAGES)), c.rng.choice([F(0), F("0.0002"), F("0.0004"), c.typed(0, 0.01, 4)])
    got = outcome(lambda: trading.profit_and_loss(side=side, entry_price=c.given(entry), exit_price=c.given(exit_),
                                                  size=c.given(size), leverage=c.given(leverage), fee_rate=c.given(fee)))
    if not isinstance(got, str):
        got = (got.quantity, got.initial_margin, got.fees, got.pnl, got.roe)
    return got, oracle.profit_and_loss(side, entry, exit_, size, leverage, fee)


def target_case(c: Case):
    side, entry, leverage = c.rng.choice(SIDES), c.price(), F(c.rng.choice(LEVERAGES))
    if c.rng.random() < 0.2:
        roe, c.boundary = -oracle.SIGN[side] * leverage, True   # a target of exactly 0: refused
    else:
        roe = c.typed(0, 5, 2) * c.rng.choice([-1, 1])
    got = outcome(lambda: trading.target_price(side=side, entry_price=c.given(entry), leverage=c.given(leverage),
                                               target_roe=c.given(roe)))
    if not isinstance(got, str):
        got = (got.target_price, got.price_move)
    return got, oracle.target_price(side, entry, leverage, roe)


def size_case(c: Case):
    entry = c.price()
    stop = entry if c.rng.random() < 0.1 else entry * c.typed(0.5, 1.5, 3)
    if stop == entry:
        c.boundary = True
    balance, risk = c.typed(10, 1_000_000), c.typed(0.0001, 1, 4)
    got = outcome(lambda: trading.position_size(balance=c.given(balance), risk_pct=c.given(risk),
                                                entry_price=c.given(entry), stop_price=c.given(stop)))
    if not isinstance(got, str):
        got = (got.side, got.risk_amount, got.quantity, got.size, got.stop_distance_pct)
    return got, oracle.position_size(balance, risk, entry, stop)


def average_case(c: Case):
    fills = [(c.price(), c.typed(0.0001, 100)) for _ in range(c.rng.randint(1, 12))]
    got = outcome(lambda: trading.average_entry(fills=[{"price": c.given(p), "quantity": c.given(q)} for p, q in fills]))
    if not isinstance(got, str):
        got = (got.average_price, got.total_quantity, got.total_size)
    return got, oracle.average_entry(fills)


def funding_case(c: Case):
    side, size = c.rng.choice(SIDES), c.typed(10, 1_000_000)
    rate = c.typed(0, 0.01, 4) * c.rng.choice([-1, 1])
    hours = F(c.rng.choice([1, 4, 8, 6, 12])) if c.rng.random() < 0.8 else c.typed(0.25, 24, 2)
    if c.rng.random() < 0.3:
        days, c.boundary = hours * c.rng.randint(0, 400) / 24, True   # whole intervals, exactly
    else:
        days = c.typed(0, 365, 2)
    got = outcome(lambda: trading.funding_cost(side=side, size=c.given(size), funding_rate=c.given(rate),
                                               interval_hours=c.given(hours), days=c.given(days)))
    if not isinstance(got, str):
        got = (got.intervals, got.funding_paid, got.annualized_rate)
    return got, oracle.funding_cost(side, size, rate, hours, days)


FUNCTIONS: dict[str, Callable[[Case], tuple]] = {
    "liquidation_price_isolated (+ liquidated_at_entry, distance)": isolated_case,
    "bankruptcy_price (+ initial_margin, maintenance_margin)": bankruptcy_case,
    "liquidation_price_tiered (+ tier_for_notional)": tiered_case,
    "account_state": account_case,
    "liquidation_price_cross": cross_case,
    "shock": shock_case,
    "profit_and_loss": pnl_case,
    "target_price": target_case,
    "position_size": size_case,
    "average_entry": average_case,
    "funding_cost": funding_case,
}


def run_differential(count: int, *, seed: int = 9, report: Callable[[str], None] | None = None) -> dict[str, dict]:
    """``count`` cases per function; returns per function the cases, boundary cases, refusals agreed,
    seconds taken and the disagreements (at most 20 kept)."""
    results = {}
    for name, make in FUNCTIONS.items():
        rng = random.Random(f"{seed}:{name}")
        stats = {"cases": 0, "boundary": 0, "refused": 0, "disagreements": [], "disagreement_count": 0}
        started = time.perf_counter()
        for _ in range(count):
            case = Case(rng)
            got, want = make(case)
            stats["cases"] += 1
            stats["boundary"] += case.boundary
            stats["refused"] += isinstance(want, str) and got == want
            if got != want:
                stats["disagreement_count"] += 1
                if len(stats["disagreements"]) < 20:
                    stats["disagreements"].append((got, want))
        stats["seconds"] = time.perf_counter() - started
        results[name] = stats
        if report:
            report(f"{name}: {stats['cases']} cases ({stats['boundary']} at a boundary, {stats['refused']} refused "
                   f"alike), {stats['disagreement_count']} disagreements, {stats['seconds']:.1f} s")
            for got, want in stats["disagreements"]:
                report(f"    module {got!r}\n    oracle {want!r}")
    return results


def test_the_module_agrees_exactly_with_the_oracle():
    # the CI-sized run: 300 cases a function, a few seconds in all
    results = run_differential(300)
    for name, stats in results.items():
        assert stats["disagreements"] == [], (name, stats["disagreements"][:3])
        assert stats["cases"] == 300


if __name__ == "__main__":
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    run_differential(total, report=lambda line: print(line, flush=True))
