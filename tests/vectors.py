"""Input vectors generated from the calculators' single descriptions, with a fixed seed.

Used by the parity tests (``tests/browser/test_parity.py``, ``test_snapshot.py``: the same vectors
computed in the browser through the worker and in CPython must give the same results, bit for bit)
and checked by ``tests/test_vectors.py``. Every calculator of
:data:`calculators.descriptions.CALCULATORS` gets vectors: every number is drawn from the field's own
bounds, every choice from the field's own choices, and a row input gets every number of rows from 1
to its ``max_rows``, so a field or a calculator added to the descriptions is exercised without editing
this file. Only the *shape* of realistic scenarios is written here, by field name: typical ranges
inside the bounds, a price near another price, a wallet that covers the margins.

A vector is ``(calculator_name, raw_inputs)``; raw inputs are plain JSON data as a widget sends them
(numbers, or text as a reader types it: ``"65,000"``, ``"0.5%"``, ``"10x"``).
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any, Iterator

from calculators.descriptions import CALCULATORS, Calculator, Field

SEED = 20261126
#: about this many vectors per calculator, spread evenly over its choices (and numbers of rows)
PER_CALCULATOR = 300

#: typical ranges inside the bounds, per field name; a field not listed is drawn from its bounds
TYPICAL: dict[str, tuple[float, float, str]] = {
    # name: (low, high, scale) with scale "log" or "linear"
    "entry_price": (0.0001, 250_000.0, "log"),
    "price": (0.0001, 250_000.0, "log"),
    "leverage": (1.0, 125.0, "log"),
    "margin": (1.0, 5_000_000.0, "log"),
    "size": (10.0, 5_000_000.0, "log"),
    "wallet_balance": (10.0, 10_000_000.0, "log"),
    "balance": (10.0, 10_000_000.0, "log"),
    "quantity": (0.0001, 10_000.0, "log"),
    "mmr": (0.0, 5.0, "linear"),
    "move": (-50.0, 80.0, "linear"),
    "move_all": (-30.0, 50.0, "linear"),
    "fee_rate": (0.0, 0.1, "linear"),
    "target_roe": (-90.0, 300.0, "linear"),
    "risk_pct": (0.1, 5.0, "linear"),
    "funding_rate": (-0.05, 0.05, "linear"),
    "interval_hours": (1.0, 8.0, "linear"),
    "days": (0.0, 365.0, "linear"),
}
#: prices drawn near another field's price (a mark near its entry, an exit or a stop near the entry)
NEAR: dict[str, str] = {"mark_price": "entry_price", "exit_price": "entry_price", "stop_price": "entry_price"}
LABELS = ("BTC", "ETH", "SOL", "XRP", "DOGE", "ADA", "AVAX", "LINK", "DOT", "TON", "SUI", "PEPE")


def _round_like_a_reader(rng: random.Random, value: float) -> float:
    """Most readers type a few significant digits; some paste a full float."""
    roll = rng.random()
    if roll < 0.15 or value == 0:
        return value
    digits = rng.choice((1, 2, 3, 4, 6))
    magnitude = math.floor(math.log10(abs(value)))
    return round(value, max(digits - 1 - magnitude, -12))


def _in_bounds(f: Field, value: float) -> float:
    low, high = f.minimum, f.maximum
    if high is not None:
        value = min(value, high)
    if low is not None:
        if value < low or (value == low and not f.minimum_inclusive):
            value = low if f.minimum_inclusive else math.nextafter(low, math.inf) if low != 0 else 1e-4
    return value


def number(rng: random.Random, f: Field, edges: float = 0.06) -> float:
    """A number for field ``f``: its typical range, sometimes (``edges``) its exact bounds, always
    inside them."""
    low, high, scale = TYPICAL.get(f.name, (f.minimum or 0.0, f.maximum or 1e6, "linear"))
    roll = rng.random()
    if roll < edges / 2 and f.minimum is not None and f.minimum_inclusive:
        return float(f.minimum)
    if roll < edges and f.maximum is not None:
        return float(f.maximum)
    if scale == "log":
        value = math.exp(rng.uniform(math.log(low), math.log(high)))
    else:
        value = rng.uniform(low, high)
    return _in_bounds(f, _round_like_a_reader(rng, value))


def near(rng: random.Random, f: Field, other: float) -> float:
    """A price near ``other``: the same, or a few percent to a third away (never exactly, for a stop)."""
    drift = rng.choice((0.0, rng.uniform(-0.3, 0.3), rng.uniform(-0.05, 0.05)))
    if drift == 0.0 and f.name == "stop_price":
        drift = rng.choice((-0.02, 0.02))
    return _in_bounds(f, _round_like_a_reader(rng, other * (1 + drift)))


def spelled(rng: random.Random, f: Field, value: float) -> Any:
    """The value as a widget may send it: mostly a number, sometimes the text a reader types."""
    roll = rng.random()
    if roll < 0.7:
        return value
    if roll < 0.8:
        return repr(value)
    if roll < 0.9 and f.unit == "usd" and abs(value) >= 1000 and value == int(value):
        return f"{int(value):,}"
    if f.unit == "percent":
        return f"{value!r}%"
    if f.unit == "multiple":
        return f"{value!r}x"
    return f" {value!r} "


def _plain(value: Any) -> float:
    """A spelled number back to a float, for shaping (never used as an expected value)."""
    if isinstance(value, str):
        return float(value.strip().replace(",", "").rstrip("%x"))
    return float(value)


def fields_of(rng: random.Random, fields: tuple[Field, ...], fixed: dict[str, Any], index: int = 0,
              edges: float = 0.06) -> dict[str, Any]:
    """Values for ``fields``: ``fixed`` ones as given, the rest drawn; near-prices after their reference."""
    raw: dict[str, Any] = {}
    by_name = {f.name: f for f in fields}
    for f in fields:
        if f.name in fixed:
            raw[f.name] = fixed[f.name]
        elif f.kind == "choice":
            raw[f.name] = rng.choice([key for key, _ in f.choices])
        elif f.kind == "text":
            raw[f.name] = LABELS[index % len(LABELS)] if rng.random() < 0.9 else f"Row {index + 1}"
        elif NEAR.get(f.name) not in by_name:
            raw[f.name] = number(rng, f, edges)
    for f in fields:
        if f.name not in fixed and NEAR.get(f.name) in by_name:
            raw[f.name] = near(rng, f, _plain(raw[NEAR[f.name]]))
    for name, value in list(raw.items()):
        if isinstance(value, float):
            raw[name] = spelled(rng, by_name[name], value)
    return raw


def _shape_tiers(rng: random.Random, raw: dict[str, Any]) -> None:
    # Keep most tiered vectors inside the shipped table (notional <= 500M, leverage within the tier) so
    # they exercise the tier walk, not only its refusal.
    notional = math.exp(rng.uniform(math.log(1_000), math.log(400_000_000)))
    leverage = min(_plain(raw["leverage"]), 125 if notional <= 50_000 else 100 if notional <= 250_000
                   else 50 if notional <= 1e6 else 20 if notional <= 1e7 else 10 if notional <= 2e7
                   else 5 if notional <= 5e7 else 4 if notional <= 1e8 else 3 if notional <= 2e8 else 2)
    leverage = max(1.0, round(leverage, 2))
    raw["leverage"] = leverage
    raw["margin"] = round(notional / leverage, 2)


def _shape_wallet(rng: random.Random, raw: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    if all("leverage" in row for row in rows) and rng.random() < 0.85:
        # A shock needs the isolated margins (size / leverage) to fit in the wallet.
        margins = math.fsum(_plain(row["size"]) / _plain(row["leverage"]) for row in rows)
        raw["wallet_balance"] = min(round(margins * rng.uniform(1.0, 3.0), 2) + 1, 1e12)
    elif not all("leverage" in row for row in rows) and rng.random() < 0.7:
        sizes = math.fsum(_plain(row["size"]) for row in rows)
        raw["wallet_balance"] = min(round(sizes * rng.uniform(0.02, 0.6), 2) + 1, 1e12)


def vector(rng: random.Random, calc: Calculator, fixed: dict[str, Any], count: int = 0) -> dict[str, Any]:
    """One vector of ``calc`` with the choices ``fixed`` and ``count`` rows (when it has a row input)."""
    raw = fields_of(rng, calc.fields, fixed)
    if fixed.get("tier_table", "none") != "none" and rng.random() < 0.8:
        _shape_tiers(rng, raw)
    if calc.rows is not None:
        rows = [fields_of(rng, calc.rows.fields, {}, index, edges=0.01) for index in range(count)]
        raw[calc.rows.name] = rows
        if "wallet_balance" in raw and all("size" in row for row in rows):
            _shape_wallet(rng, raw, rows)
    return raw


def choices(calc: Calculator) -> list[dict[str, str]]:
    """Every combination of the choices of ``calc``'s own fields (``[{}]`` when it has none)."""
    fields = [f for f in calc.fields if f.kind == "choice"]
    keys = [[key for key, _ in f.choices] for f in fields]
    return [dict(zip((f.name for f in fields), combo)) for combo in itertools.product(*keys)]


def vectors(seed: int = SEED, per_calculator: int = PER_CALCULATOR) -> list[tuple[str, dict[str, Any]]]:
    """The parity vectors, in a fixed order for a fixed seed: for every calculator, every combination
    of its choices alike and, for a row input, every number of rows from 1 to ``max_rows`` alike,
    about ``per_calculator`` in all."""
    rng = random.Random(seed)
    out: list[tuple[str, dict[str, Any]]] = []
    for name, calc in CALCULATORS.items():
        combos = choices(calc)
        counts = range(1, calc.rows.max_rows + 1) if calc.rows is not None else [0]
        each = math.ceil(per_calculator / (len(combos) * len(counts)))
        for fixed in combos:
            for count in counts:
                for _ in range(each):
                    out.append((name, vector(rng, calc, fixed, count)))
    return out


def iter_batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
