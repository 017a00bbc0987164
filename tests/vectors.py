"""Input vectors generated from the calculators' single descriptions, with a fixed seed.

Used by the parity test (``tests/browser/test_parity.py``: the same vectors computed in the browser
through the worker and in CPython must give the same results, bit for bit) and checked by
``tests/test_vectors.py``. Every number is drawn from the field's own bounds and every choice from
the field's own choices in :data:`calculators.descriptions.CALCULATORS`, so a field added to a
description is exercised without editing this file; only the *shape* of realistic scenarios
(typical ranges inside the bounds, a wallet that covers the margins) is written here.

A vector is ``(calculator_name, raw_inputs)``; raw inputs are plain JSON data as a widget sends them
(numbers, or text as a reader types it: ``"65,000"``, ``"0.5%"``, ``"10x"``).
"""

from __future__ import annotations

import math
import random
from typing import Any, Iterator

from calculators.descriptions import CALCULATORS, Calculator, Field

SEED = 20261126

#: typical ranges inside the bounds, per field name; a field not listed is drawn from its bounds
TYPICAL: dict[str, tuple[float, float, str]] = {
    # name: (low, high, scale) with scale "log" or "linear"
    "entry_price": (0.0001, 250_000.0, "log"),
    "mark_price": (0.0001, 250_000.0, "log"),
    "leverage": (1.0, 125.0, "log"),
    "margin": (1.0, 5_000_000.0, "log"),
    "size": (10.0, 5_000_000.0, "log"),
    "wallet_balance": (10.0, 10_000_000.0, "log"),
    "mmr": (0.0, 5.0, "linear"),
    "move": (-50.0, 80.0, "linear"),
    "move_all": (-30.0, 50.0, "linear"),
}
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


def choice(rng: random.Random, f: Field) -> str:
    return rng.choice([key for key, _ in f.choices])


def scalar_fields(rng: random.Random, calc: Calculator, fixed: dict[str, Any]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for f in calc.fields:
        if f.name in fixed:
            raw[f.name] = fixed[f.name]
        elif f.kind == "choice":
            raw[f.name] = choice(rng, f)
        elif f.kind == "text":
            raw[f.name] = rng.choice(LABELS)
        else:
            raw[f.name] = spelled(rng, f, number(rng, f))
    return raw


def position(rng: random.Random, calc: Calculator, index: int) -> dict[str, Any]:
    row: dict[str, Any] = {}
    fields = {f.name: f for f in calc.position_fields}
    for f in calc.position_fields:
        if f.kind == "choice":
            row[f.name] = choice(rng, f)
        elif f.kind == "text":
            row[f.name] = LABELS[index % len(LABELS)] if rng.random() < 0.9 else f"Position {index + 1}"
        elif f.name == "mark_price":
            continue  # drawn from the entry below: marks are near entries in a live account
        else:
            row[f.name] = number(rng, f, edges=0.01)
    if "mark_price" in fields:
        entry = float(row["entry_price"])
        drift = rng.choice((0.0, rng.uniform(-0.3, 0.3), rng.uniform(-0.05, 0.05)))
        row["mark_price"] = _in_bounds(fields["mark_price"], _round_like_a_reader(rng, entry * (1 + drift)))
    for name, value in list(row.items()):
        if isinstance(value, float):
            row[name] = spelled(rng, fields[name], value)
    return row


def _plain(value: Any) -> float:
    """A spelled number back to a float, for shaping the wallet (never used as an expected value)."""
    if isinstance(value, str):
        return float(value.strip().replace(",", "").rstrip("%x"))
    return float(value)


def isolated(rng: random.Random, side: str, model: str, tier_table: str) -> dict[str, Any]:
    raw = scalar_fields(rng, CALCULATORS["isolated"],
                        {"side": side, "model": model, "tier_table": tier_table})
    if tier_table != "none" and rng.random() < 0.8:
        # Keep most tiered vectors inside the table (notional <= 500M, leverage within the tier) so
        # they exercise the tier walk, not only its refusal.
        notional = math.exp(rng.uniform(math.log(1_000), math.log(400_000_000)))
        leverage = min(_plain(raw["leverage"]), 125 if notional <= 50_000 else 100 if notional <= 250_000
                       else 50 if notional <= 1e6 else 20 if notional <= 1e7 else 10 if notional <= 2e7
                       else 5 if notional <= 5e7 else 4 if notional <= 1e8 else 3 if notional <= 2e8 else 2)
        leverage = max(1.0, round(leverage, 2))
        raw["leverage"] = leverage
        raw["margin"] = round(notional / leverage, 2)
    return raw


def account(rng: random.Random, name: str, model: str, count: int) -> dict[str, Any]:
    calc = CALCULATORS[name]
    raw = scalar_fields(rng, calc, {"model": model})
    raw["positions"] = [position(rng, calc, i) for i in range(count)]
    if name == "compare" and rng.random() < 0.85:
        # shock() requires the isolated margins (size / leverage) to fit in the wallet.
        margins = math.fsum(_plain(p["size"]) / _plain(p["leverage"]) for p in raw["positions"])
        raw["wallet_balance"] = min(round(margins * rng.uniform(1.0, 3.0), 2) + 1, 1e12)
    if name == "cross" and rng.random() < 0.7:
        sizes = math.fsum(_plain(p["size"]) for p in raw["positions"])
        raw["wallet_balance"] = min(round(sizes * rng.uniform(0.02, 0.6), 2) + 1, 1e12)
    return raw


def vectors(seed: int = SEED, isolated_each: int = 50, accounts_each: int = 16) -> list[tuple[str, dict[str, Any]]]:
    """The parity vectors, in a fixed order for a fixed seed.

    Isolated: ``isolated_each`` for every combination of side, model and tier mode (the fixed rate
    and each tier table): 2 * 2 * 2 * 50 = 400 with the shipped table. Cross and compare:
    ``accounts_each`` accounts of every size from 1 to ``max_positions`` under each model:
    2 * 12 * 16 = 384 each. 1,168 vectors in all.
    """
    rng = random.Random(seed)
    out: list[tuple[str, dict[str, Any]]] = []
    iso = CALCULATORS["isolated"]
    sides = [key for key, _ in _field(iso, "side").choices]
    models = [key for key, _ in _field(iso, "model").choices]
    tables = [key for key, _ in _field(iso, "tier_table").choices]
    for side in sides:
        for model in models:
            for table in tables:
                for _ in range(isolated_each):
                    out.append(("isolated", isolated(rng, side, model, table)))
    for name in ("cross", "compare"):
        calc = CALCULATORS[name]
        for model in [key for key, _ in _field(calc, "model").choices]:
            for count in range(1, calc.max_positions + 1):
                for _ in range(accounts_each):
                    out.append((name, account(rng, name, model, count)))
    return out


def _field(calc: Calculator, name: str) -> Field:
    return next(f for f in calc.fields if f.name == name)


def iter_batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
