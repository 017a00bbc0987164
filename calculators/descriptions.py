"""The one description of each calculator: entry function, input fields and outputs.

The build renders each calculator's form from these descriptions, the browser validates and
dispatches with them (they travel as JSON), and the tests generate input vectors from them. Inputs
arrive as plain data in the units a reader types (prices in USD, rates in percent, leverage as a
multiple); :func:`run` parses and checks them, converts percentages to fractions, calls the margin
module, and returns plain data. Nothing here is specific to a runtime: it is the same in CPython at
build time and in Pyodide in the browser.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Mapping

from . import margin
from .errors import MarginInputError

__all__ = ["CALCULATORS", "Calculator", "Field", "Output", "complete_inputs", "compute", "describe", "parse_inputs", "run"]

_GROUPED = re.compile(r"^[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?$")  # no leading 0 group: "0,005" is a decimal
_PLAIN_NUMBER = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")

# A cap on what a reader may type, so that a pasted novel is refused before it is parsed.
MAX_TEXT = 64


@dataclass(frozen=True)
class Field:
    """One input. ``unit`` is how the reader types it: ``usd``, ``percent``, ``multiple`` or ``none``."""

    name: str
    label: str
    kind: str  # "number" or "choice"
    unit: str = "none"
    minimum: float | None = None
    maximum: float | None = None
    #: whether ``minimum`` itself is allowed (a price must be above 0, a rate may be 0)
    minimum_inclusive: bool = True
    step: str = "any"
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Output:
    """One result. ``unit``: ``usd`` (money), ``price``, ``percent`` (a fraction shown as %),
    ``quantity``, ``ratio`` (a fraction shown as %), ``text`` or ``flag``."""

    name: str
    label: str
    unit: str


@dataclass(frozen=True)
class Calculator:
    name: str
    title: str
    fields: tuple[Field, ...]
    outputs: tuple[Output, ...]
    function: Callable[[dict[str, Any]], dict[str, Any]]
    #: fields of each row of the ``positions`` list, for calculators that take one
    position_fields: tuple[Field, ...] = ()
    position_outputs: tuple[Output, ...] = ()
    max_positions: int = 0
    defaults: Mapping[str, Any] = field(default_factory=dict)
    #: results nested inside the outputs (per-mode, per-position), so each one has a unit too
    nested_outputs: tuple[Output, ...] = ()

    def unit_of(self, name: str) -> str | None:
        for output in self.outputs + self.position_outputs + self.nested_outputs:
            if output.name == name:
                return output.unit
        return None


SIDE = Field("side", "Side", "choice", choices=(("long", "Long"), ("short", "Short")))
MODEL = Field(
    "model", "Liquidation model", "choice",
    choices=(("exchange", "Exchange (maintenance on mark value)"),
             ("simple", "Simple (maintenance on entry value)")),
    help="Exchange: Binance USD-M and Hyperliquid. Simple: the classic textbook formula (Bybit legacy, KuCoin).",
)
TIER_TABLE = Field(
    "tier_table", "Maintenance tiers", "choice",
    choices=(("none", "None: use the rate above"),) + tuple(
        (key, margin.load_tier_table(key).label) for key in margin.TIER_TABLES
    ),
    help="A tier table sets the rate and maintenance amount from the position's size.",
)
# Prices from a hundred-millionth of a dollar (the smallest coins) to a billion: beyond those, the
# figures would be too small or too large to print, and ratios of them could overflow.
PRICE_MIN, PRICE_MAX = 1e-8, 1e9
ENTRY = Field("entry_price", "Entry price", "number", "usd", PRICE_MIN, PRICE_MAX, True)
LEVERAGE = Field("leverage", "Leverage", "number", "multiple", 1, 125, True)
MMR = Field("mmr", "Maintenance margin rate", "number", "percent", 0, 50, True,
            help="0.5 means 0.5% of the position's value.")
WALLET = Field("wallet_balance", "Wallet balance", "number", "usd", 0, 1e12, False)
LABEL = Field("label", "Asset", "text")


def _checked(fields: tuple[Field, ...], raw: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in fields:
        where = prefix + f.name
        if f.name not in raw:
            raise MarginInputError(where, None, "is missing")
        values[f.name] = _parse(f, where, raw[f.name])
    return values


def _parse(f: Field, where: str, value: Any) -> Any:
    if f.kind == "text":
        text = "" if value is None else str(value)
        if len(text) > MAX_TEXT:
            raise MarginInputError(where, text, f"is longer than {MAX_TEXT} characters")
        return text.strip()
    if f.kind == "choice":
        allowed = [key for key, _ in f.choices]
        if value not in allowed:
            raise MarginInputError(where, value, "must be one of " + ", ".join(allowed))
        return value
    if isinstance(value, str):
        text = value.strip().replace("$", "")
        if f.unit == "percent":
            text = text.removesuffix("%").strip()
        if f.unit == "multiple":
            text = text.removesuffix("x").strip()
        if not text:
            raise MarginInputError(where, value, "is empty")
        if len(text) > MAX_TEXT:
            raise MarginInputError(where, value, f"is longer than {MAX_TEXT} characters")
        if "," in text:
            # "65,000" groups thousands; "0,5" is a European decimal that would silently read as 5.
            if not _GROUPED.match(text):
                raise MarginInputError(where, value, "has a comma that does not group thousands: write decimals with a point (0.5)")
            text = text.replace(",", "")
        # ASCII digits only, as the browser's check reads them (Python's float() would also take
        # "1_000", "inf" or other scripts' digits).
        if not _PLAIN_NUMBER.match(text):
            raise MarginInputError(where, value, "is not a number")
        number = float(text)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        raise MarginInputError(where, value, "is not a number")
    if not math.isfinite(number):
        raise MarginInputError(where, value, "must be a finite number")
    if f.minimum is not None:
        if number < f.minimum or (number == f.minimum and not f.minimum_inclusive):
            word = "at least" if f.minimum_inclusive else "above"
            raise MarginInputError(where, value, f"must be {word} {_plain(f.minimum)}")
    if f.maximum is not None and number > f.maximum:
        raise MarginInputError(where, value, f"must be at most {_plain(f.maximum)}")
    return number / 100 if f.unit == "percent" else number


def complete_inputs(calculator: Calculator, given: Mapping[str, Any]) -> dict[str, Any]:
    """Fill what a worked example or a shared URL leaves out, so writers state only what matters.

    Scalar fields take the calculator's defaults. In each position a missing ``mark_price`` is the
    entry price, a missing ``move`` is 0 and a missing ``label`` is "Position n"; a ``moves`` list at
    the top sets each position's ``move``. Fields that belong to another calculator (an example shared
    by the cross and the compare calculators) are dropped; a field no calculator knows is an error.
    """
    if not isinstance(given, Mapping):
        raise MarginInputError("inputs", given, "must be a mapping of field names to values")
    known = {f.name for c in CALCULATORS.values() for f in c.fields + c.position_fields}
    unknown = sorted(set(given) - known - {"positions", "moves"})
    if unknown:
        raise MarginInputError(unknown[0], given[unknown[0]], "is not an input of any calculator")
    values = {f.name: given.get(f.name, calculator.defaults.get(f.name)) for f in calculator.fields}
    if calculator.position_fields:
        rows = given.get("positions", calculator.defaults.get("positions"))
        if not isinstance(rows, (list, tuple)):
            raise MarginInputError("positions", rows, "must be a list of positions")
        moves = given.get("moves")
        if moves is not None and (not isinstance(moves, (list, tuple)) or len(moves) != len(rows)):
            raise MarginInputError("moves", moves, f"must have {len(rows)} values, one per position")
        names = {f.name for f in calculator.position_fields}
        completed = []
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise MarginInputError(f"positions[{index}]", row, "must be a position")
            strange = sorted(set(row) - known)
            if strange:
                raise MarginInputError(f"positions[{index}].{strange[0]}", row[strange[0]],
                                       "is not a field of a position")
            filled = {key: value for key, value in row.items() if key in names}
            filled.setdefault("label", f"Position {index + 1}")
            if "mark_price" in names:
                filled.setdefault("mark_price", row.get("entry_price"))
            if "move" in names:
                filled["move"] = moves[index] if moves is not None else row.get("move", 0)
            completed.append(filled)
        values["positions"] = completed
    return values


def _plain(bound: float) -> str:
    """A bound as a reader would write it: 0.00000001, 1,000,000,000 (never 1e-08)."""
    return f"{bound:,.8f}".rstrip("0").rstrip(".")


def parse_inputs(calculator: Calculator, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Parse a plain mapping of reader inputs; raise :class:`MarginInputError` naming the field."""
    if not isinstance(raw, Mapping):
        raise MarginInputError("inputs", raw, "must be a mapping of field names to values")
    values = _checked(calculator.fields, raw)
    if calculator.position_fields:
        rows = raw.get("positions")
        if not isinstance(rows, (list, tuple)) or not rows:
            raise MarginInputError("positions", rows, "must list at least one position")
        if len(rows) > calculator.max_positions:
            raise MarginInputError("positions", len(rows), f"may list at most {calculator.max_positions}")
        parsed = []
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise MarginInputError(f"positions[{index}]", row, "must be a position")
            parsed.append(_checked(calculator.position_fields, row, f"positions[{index}]."))
        values["positions"] = parsed
    return values


# ---------------------------------------------------------------------------------------------
# Entry functions: parsed values in, plain data out.
# ---------------------------------------------------------------------------------------------

def _isolated(v: dict[str, Any]) -> dict[str, Any]:
    notional = v["margin"] * v["leverage"]
    quantity = notional / v["entry_price"]
    if v["tier_table"] == "none":
        mmr, cum, table_label = v["mmr"], 0.0, ""
        price = margin.liquidation_price_isolated(
            side=v["side"], entry_price=v["entry_price"], quantity=quantity, margin=v["margin"],
            mmr=mmr, model=v["model"],
        )
    else:
        table = margin.load_tier_table(v["tier_table"])
        try:
            tier = margin.tier_for_notional(table=table, notional=notional)
        except MarginInputError as error:
            raise MarginInputError("margin", v["margin"], f"gives a position {error.reason}") from None
        if v["leverage"] > tier.max_leverage:
            raise MarginInputError(
                "leverage", v["leverage"],
                f"is above the {tier.max_leverage:g}x that {table.label} allow for this size",
            )
        price = margin.liquidation_price_tiered(
            side=v["side"], entry_price=v["entry_price"], quantity=quantity, margin=v["margin"],
            table=table, model=v["model"],
        )
        basis = quantity * (price if (price and v["model"] == "exchange") else v["entry_price"])
        # the last tier goes on applying above the table's cap (a short's liquidation notional)
        used = margin.tier_for_notional(table=table, notional=min(basis, table.tiers[-1].cap))
        mmr, cum, table_label = used.mmr, used.maintenance_amount, table.label
    bankruptcy = margin.bankruptcy_price(
        side=v["side"], entry_price=v["entry_price"], quantity=quantity, margin=v["margin"]
    )
    distance = None if price is None else abs(price - v["entry_price"]) / v["entry_price"]
    return {
        "notional": notional,
        "quantity": quantity,
        "initial_margin": margin.initial_margin(notional=notional, leverage=v["leverage"]),
        "initial_margin_rate": margin.initial_margin(notional=notional, leverage=v["leverage"]) / notional,
        "maintenance_margin": margin.maintenance_margin(notional=notional, mmr=mmr, maintenance_amount=cum),
        "mmr_used": mmr,
        "maintenance_amount_used": cum,
        "tier_table_used": table_label,
        "liquidation_price": price,
        "bankruptcy_price": bankruptcy,
        "distance_pct": distance,
        "max_loss": v["margin"],
        "liquidated_at_entry": price is not None and (
            (v["side"] == "long" and price >= v["entry_price"])
            or (v["side"] == "short" and price <= v["entry_price"])
        ),
    }


def _row_position(row: dict[str, Any], price_field: str | None = None) -> margin.Position:
    return margin.Position(
        side=row["side"], entry_price=row["entry_price"], quantity=row["size"] / row["entry_price"],
        mark_price=row[price_field] if price_field else None, mmr=row["mmr"], label=row["label"],
    )


def _cross(v: dict[str, Any]) -> dict[str, Any]:
    positions = [_row_position(row, "mark_price") for row in v["positions"]]
    state = margin.account_state(wallet_balance=v["wallet_balance"], positions=positions, model=v["model"])
    rows = []
    for index, position in enumerate(positions):
        price = margin.liquidation_price_cross(
            wallet_balance=v["wallet_balance"], positions=positions, target=index, model=v["model"]
        )
        rows.append({
            "label": position.label or f"Position {index + 1}",
            "quantity": position.quantity,
            "pnl": margin.position_pnl(position),
            "liquidation_price": price,
            "distance_pct": None if price is None else abs(price - position.mark) / position.mark,
        })
    return {
        "equity": state.equity,
        "unrealized_pnl": state.unrealized_pnl,
        "maintenance_requirement": state.maintenance_requirement,
        "margin_ratio": state.margin_ratio,
        "liquidated": state.liquidated,
        "positions": rows,
    }


#: the moves at which the compare calculator samples the balance for its chart (as fractions)
CHART_STEPS = 41


def _compare(v: dict[str, Any]) -> dict[str, Any]:
    positions = [_row_position(row) for row in v["positions"]]
    margins = [row["size"] / row["leverage"] for row in v["positions"]]
    if math.fsum(margins) > v["wallet_balance"]:
        # Reported at the wallet, the field a reader can change (margins are size / leverage).
        raise MarginInputError(
            "wallet_balance", v["wallet_balance"],
            f"is less than the isolated margins of the positions (size / leverage) added up: {math.fsum(margins):,.2f}",
        )
    moves = [row["move"] + v["move_all"] for row in v["positions"]]
    for index, move in enumerate(moves):
        if move <= -1:
            raise MarginInputError(f"positions[{index}].move", v["positions"][index]["move"] * 100,
                                   "with the common move, takes the price to zero or below")
    result = margin.shock(wallet_balance=v["wallet_balance"], positions=positions, moves=moves,
                          margins=margins, model=v["model"])
    # The chart: balance left under each mode as the common move sweeps -50%..+50% on top of the
    # per-position moves. Every point comes from margin.shock; the browser only draws them.
    chart = []
    for step in range(CHART_STEPS):
        common = -0.5 + step / (CHART_STEPS - 1)
        swept = [row["move"] + common for row in v["positions"]]
        if min(swept) <= -1:
            continue
        point = margin.shock(wallet_balance=v["wallet_balance"], positions=positions, moves=swept,
                             margins=margins, model=v["model"])
        chart.append({"move": common, "isolated": point.isolated.balance_left,
                      "cross": point.cross.balance_left})

    def mode(outcome: margin.ModeOutcome) -> dict[str, Any]:
        return {
            "balance_left": outcome.balance_left,
            "total_loss": outcome.total_loss,
            "liquidated_count": len(outcome.liquidated),
            "positions": [
                {"label": p.label, "price_after": p.price_after, "pnl": p.pnl,
                 "liquidated": p.liquidated, "loss": p.loss}
                for p in outcome.positions
            ],
        }

    return {
        "isolated": mode(result.isolated),
        "cross": mode(result.cross),
        "isolated_balance_left": result.isolated.balance_left,
        "cross_balance_left": result.cross.balance_left,
        "isolated_liquidated": ", ".join(result.isolated.positions[i].label for i in result.isolated.liquidated) or "none",
        "cross_liquidated": ", ".join(result.cross.positions[i].label for i in result.cross.liquidated) or "none",
        "margins": margins,
        "margins_total": math.fsum(margins),
        "moves": moves,
        "chart": chart,
    }


POSITION_BASE = (
    LABEL,
    SIDE,
    ENTRY,
    Field("size", "Size (notional)", "number", "usd", 0, 1e12, False,
          help="Position value at entry, in USD."),
)

CALCULATORS: dict[str, Calculator] = {
    "isolated": Calculator(
        name="isolated",
        title="Isolated position",
        fields=(SIDE, ENTRY, LEVERAGE,
                Field("margin", "Margin", "number", "usd", 0, 1e12, False, help="Collateral assigned to this position."),
                MMR, TIER_TABLE, MODEL),
        outputs=(
            Output("liquidation_price", "Liquidation price", "price"),
            Output("distance_pct", "Move from entry to liquidation", "percent"),
            Output("bankruptcy_price", "Bankruptcy price", "price"),
            Output("max_loss", "Maximum loss", "usd"),
            Output("notional", "Position size", "usd"),
            Output("quantity", "Quantity", "quantity"),
            Output("initial_margin", "Initial margin", "usd"),
            Output("initial_margin_rate", "Initial margin, share of size", "percent"),
            Output("maintenance_margin", "Maintenance margin at entry", "usd"),
            Output("mmr_used", "Maintenance rate used", "percent"),
            Output("tier_table_used", "Tier table", "text"),
        ),
        nested_outputs=(
            Output("maintenance_amount_used", "Maintenance amount used", "usd"),
            Output("liquidated_at_entry", "Liquidated as soon as it opens", "flag"),
        ),
        function=_isolated,
        defaults={"side": "long", "entry_price": 65000, "leverage": 10, "margin": 1000, "mmr": 0.5,
                  "tier_table": "none", "model": "exchange"},
    ),
    "cross": Calculator(
        name="cross",
        title="Cross-margin account",
        fields=(WALLET, MODEL),
        outputs=(
            Output("equity", "Equity", "usd"),
            Output("unrealized_pnl", "Unrealised profit or loss", "usd"),
            Output("maintenance_requirement", "Maintenance requirement", "usd"),
            Output("margin_ratio", "Margin ratio", "ratio"),
            Output("liquidated", "Being liquidated", "flag"),
        ),
        position_fields=POSITION_BASE + (
            Field("mark_price", "Mark price", "number", "usd", PRICE_MIN, PRICE_MAX, True),
            Field("mmr", MMR.label, "number", "percent", 0, 50, True),
        ),
        position_outputs=(
            Output("liquidation_price", "Liquidation price (others held)", "price"),
            Output("distance_pct", "Move to liquidation", "percent"),
            Output("pnl", "Profit or loss", "usd"),
        ),
        max_positions=12,
        function=_cross,
        nested_outputs=(Output("quantity", "Quantity", "quantity"),),
        defaults={"wallet_balance": 3000, "model": "exchange", "positions": [
            {"label": "BTC", "side": "long", "entry_price": 65000, "size": 10000, "mark_price": 65000, "mmr": 0.5},
        ]},
    ),
    "compare": Calculator(
        name="compare",
        title="Isolated vs cross under a price shock",
        fields=(WALLET, MODEL,
                Field("move_all", "Move all prices by", "number", "percent", -99, 1000, True,
                      help="Added to each position's own move.")),
        outputs=(
            Output("isolated_balance_left", "Balance left, isolated", "usd"),
            Output("cross_balance_left", "Balance left, cross", "usd"),
            Output("isolated_liquidated", "Liquidated, isolated", "text"),
            Output("cross_liquidated", "Liquidated, cross", "text"),
        ),
        position_fields=POSITION_BASE + (
            Field("leverage", "Leverage (isolated margin = size / leverage)", "number", "multiple", 1, 125, True),
            Field("mmr", MMR.label, "number", "percent", 0, 50, True),
            Field("move", "Price move", "number", "percent", -99, 1000, True),
        ),
        position_outputs=(
            Output("isolated", "Isolated", "text"),
            Output("cross", "Cross", "text"),
        ),
        max_positions=12,
        function=_compare,
        nested_outputs=(
            Output("balance_left", "Balance left", "usd"),
            Output("total_loss", "Total loss", "usd"),
            Output("liquidated_count", "Positions liquidated", "count"),
            Output("price_after", "Price after the move", "price"),
            Output("pnl", "Profit or loss", "usd"),
            Output("loss", "Loss", "usd"),
            Output("liquidated", "Liquidated", "flag"),
            Output("margins_total", "Isolated margins, total", "usd"),
            Output("margins", "Isolated margin of each position", "usd"),
            Output("moves", "Price move of each position", "percent"),
        ),
        defaults={"wallet_balance": 3000, "model": "exchange", "move_all": 0, "positions": [
            {"label": "BTC", "side": "long", "entry_price": 65000, "size": 10000, "leverage": 10, "mmr": 0.5, "move": 0},
        ]},
    ),
}


def describe(name: str | None = None) -> Any:
    """The description(s) as plain data (JSON-ready), without the entry function."""
    if name is None:
        return {key: describe(key) for key in CALCULATORS}
    calc = CALCULATORS[name]
    data = asdict(calc)
    data.pop("function")
    return data


def run(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Run calculator ``name`` on reader inputs; never raises for bad input.

    Returns ``{"ok": True, "outputs": {...}}`` or ``{"ok": False, "field": ..., "message": ...}``.
    """
    calc = CALCULATORS.get(name) if isinstance(name, str) else None
    if calc is None:
        return {"ok": False, "field": "calculator", "message": f"calculator: unknown calculator {name!r}",
                "reason": "is not a calculator"}
    try:
        values = parse_inputs(calc, raw)
        return {"ok": True, "outputs": calc.function(values)}
    except MarginInputError as error:
        return {"ok": False, "field": error.field, "message": str(error), "reason": error.reason}


def compute(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Like :func:`run` but raising :class:`MarginInputError`: for the build, where bad data must stop it."""
    calc = CALCULATORS.get(name) if isinstance(name, str) else None
    if calc is None:
        raise MarginInputError("calculator", name, "is not a calculator (" + ", ".join(CALCULATORS) + ")")
    return calc.function(parse_inputs(calc, raw))
