"""The one description of each calculator: its entry function, its inputs and its outputs as a tree.

A calculator is a function of the mathematics (``calculators.margin``, ``calculators.trading``) and
one :class:`Calculator` here. Everything else reads the description: the build renders the form and
the prerendered results from it, the browser validates with it (it ships as JSON, with the number
grammar of :mod:`calculators.grammar`), the presentation code walks its output tree, ``fig()`` finds
each output's unit in it, and the tests generate their vectors from it. Nothing outside this package
names a calculator.

Inputs arrive as plain data in the units a reader types (prices in USD, rates in percent, leverage
as a multiple); :func:`run` parses and checks them, converts percentages to fractions, calls the
entry function and returns plain data. Outputs give rates as fractions (``distance_pct`` 0.095 is
shown as 9.50%). The same code runs in CPython at build time and in Pyodide in the browser.

Adding a calculator: write its function (formula, public source, worked example as a doctest) in
the mathematics, an entry function here that turns parsed inputs into a dict of plain data, and one
:class:`Calculator` in :data:`CALCULATORS`; then give it a section on a page.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Mapping, Union

from . import grammar, margin, trading
from .errors import MarginInputError
from .grammar import MAX_TEXT

__all__ = [
    "CALCULATORS", "CHART_STEPS", "MAX_TEXT", "Calculator", "Chart", "Field", "Modes", "Output", "RowInputs",
    "Rows", "State", "complete_inputs", "compute", "describe", "evaluate", "parse_inputs", "plain", "run",
]


# ---------------------------------------------------------------------------------------------
# The vocabulary of a description
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """One input. ``kind``: ``number``, ``choice`` or ``text``. ``unit`` is how the reader types a
    number: ``usd``, ``percent`` (0.5 means 0.5%), ``multiple`` (10 or 10x) or ``none``."""

    name: str
    label: str
    kind: str
    unit: str = "none"
    minimum: float | None = None
    maximum: float | None = None
    #: whether ``minimum`` itself is allowed (a price must be above 0, a rate may be 0)
    minimum_inclusive: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    #: ``(other field, value)``: this field is used only while the other field has that value (a
    #: maintenance rate under a tier table is not); the form shows it as not used otherwise
    used_when: tuple[str, str] | tuple[()] = ()
    #: rarely changed: the form folds it under "More"
    more: bool = False
    #: a field that only names things (a quantity's asset) may be left out of the inputs: it is then empty
    required: bool = True

    def bound_text(self, bound: float) -> str:
        """A bound as the field shows its value: ``$0.00000001``, ``$1,000,000,000``, ``50%``, ``125x``."""
        digits = grammar.plain(bound)
        if self.unit == "usd":
            return f"-${digits[1:]}" if digits.startswith("-") else f"${digits}"
        if self.unit == "percent":
            return f"{digits}%"
        if self.unit == "multiple":
            return f"{digits}x"
        return digits

    @functools.cached_property
    def rules(self) -> dict[str, Any]:
        """The bounds in JSON Schema's words, each with the message a reader sees when it is broken,
        in the units the field shows (``must be at least $0.00000001``, ``must be at most 125x``)."""
        rules: dict[str, Any] = {"messages": {}}
        if self.minimum is not None:
            key = "minimum" if self.minimum_inclusive else "exclusiveMinimum"
            rules[key] = self.minimum
            if not self.minimum_inclusive and self.minimum == 0:
                rules["messages"][key] = "must be more than " + self.bound_text(0)
            else:
                word = "at least" if self.minimum_inclusive else "more than"
                rules["messages"][key] = f"must be {word} {self.bound_text(self.minimum)}"
        if self.maximum is not None:
            rules["maximum"] = self.maximum
            rules["messages"]["maximum"] = f"must be at most {self.bound_text(self.maximum)}"
        return rules

    @functools.cached_property
    def spec(self) -> dict[str, Any]:
        """What :func:`calculators.grammar.parse` and the browser's check read."""
        spec = {"name": self.name, "label": self.label, "kind": self.kind, "unit": self.unit,
                "choices": [list(choice) for choice in self.choices], "rules": self.rules}
        if self.used_when:
            spec["used_when"] = list(self.used_when)
        return spec

    def parse(self, where: str, value: Any) -> Any:
        number = grammar.parse(self.spec, where, value)
        return number / 100 if self.kind == "number" and self.unit == "percent" else number


@dataclass(frozen=True)
class Output:
    """One figure at ``outputs[name]``. ``unit``: ``usd`` (money), ``price``, ``percent`` and ``ratio``
    (fractions shown as %), ``quantity``, ``count``, ``multiple``, ``text``, ``flag`` (yes/no) or
    ``outcome`` (a position after a shock: liquidated, or open with its profit or loss)."""

    name: str
    label: str
    unit: str
    help: str = ""
    #: shown large, first: the figures a reader came for
    primary: bool = False
    #: how the panel shows the figure's sign: ``move`` (a price move: ``+15.00% (up)``), ``gain`` (a
    #: profit or loss: ``−$500.00 (loss)``, coloured), ``cost`` (positive is paid: ``$8.00 (you pay)``)
    signed: str = ""
    #: the input (of the calculator, or of the row) whose text is the figure's unit: a quantity's asset
    per: str = ""
    node: str = field(default="output", init=False)


@dataclass(frozen=True)
class Rows:
    """A table with one row per item of the list ``outputs[name]`` and one column per output of a row.

    The row's header is ``header`` formatted with the row (``"{label}"``, ``"{label} ({side})"``).
    """

    name: str
    caption: str
    columns: tuple[Output, ...]
    header: str = "{label}"
    header_label: str = "Position"
    node: str = field(default="rows", init=False)


@dataclass(frozen=True)
class Modes:
    """The same figures under several modes, side by side: ``outputs[mode][output.name]``."""

    caption: str
    modes: tuple[tuple[str, str], ...]
    outputs: tuple[Output, ...]
    node: str = field(default="modes", init=False)


@dataclass(frozen=True)
class Chart:
    """Lines of ``outputs[name]`` (a list of points): ``x`` across, one line per series, and a marker
    at the value of the input ``marker`` (a percent input)."""

    name: str
    title: str
    caption: str
    x: str
    series: tuple[tuple[str, str], ...]
    marker: str = ""
    marker_label: str = ""
    node: str = field(default="chart", init=False)


Node = Union[Output, Rows, Modes, Chart]


@dataclass(frozen=True)
class State:
    """A condition of the exact results that a reader must not miss (liquidated at entry, an account
    being liquidated, no liquidation price), and what the page says about it.

    ``when`` is a predicate over the exact outputs (over one row of ``outputs[rows]`` when ``rows``
    is given). ``message`` names outputs in braces (``{liquidation_price}``), each shown by its unit;
    a row's state may also name the row's own values. ``level``: ``danger`` (a warning) or ``note``.
    ``replaces``: the figures that mean nothing in this state (``distance_pct``, a row's
    ``positions.*.distance_pct``), with the words shown instead (``{text}`` is the figure's own text).
    ``marks``: the figures marked as dangerous (text and colour).
    """

    name: str
    when: Callable[[Mapping[str, Any]], bool]
    message: str
    level: str = "danger"
    rows: str = ""
    replaces: Mapping[str, str] = field(default_factory=dict)
    marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowInputs:
    """A list input: rows of ``fields`` (positions of an account, fills of an order).

    ``fill``: what a worked example may leave out of a row; a value ``"=field"`` copies another field
    of the row, ``"{n}"`` in a text is the row's number. ``spread``: a list given once for all rows
    (``moves: [0, 15%, 0]``) that sets one field of each row.
    """

    name: str
    label: str
    fields: tuple[Field, ...]
    max_rows: int
    fill: Mapping[str, Any] = field(default_factory=dict)
    spread: Mapping[str, str] = field(default_factory=dict)
    #: a sentence shown next to the rows
    note: str = ""


@dataclass(frozen=True)
class Calculator:
    name: str
    title: str
    summary: str
    fields: tuple[Field, ...]
    outputs: tuple[Node, ...]
    function: Callable[[dict[str, Any]], dict[str, Any]]
    rows: RowInputs | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)
    #: results ``fig()`` can show that the calculator's panel does not (nested in groups, per row)
    more_outputs: tuple[Output, ...] = ()
    #: conditions of the results the page announces (:class:`State`), in order of importance
    states: tuple[State, ...] = ()
    #: the worked example a writer's prose gives that this calculator computes, when a draft is
    #: imported (``livecalc import``): one of :data:`PROSE_KINDS`, or "" for none
    prose: str = ""

    @functools.cached_property
    def all_outputs(self) -> tuple[Output, ...]:
        """Every output, wherever it sits in the tree, and the outputs only ``fig()`` shows."""
        return tuple(_all_outputs(self.outputs + self.more_outputs))

    @functools.cached_property
    def units(self) -> dict[str, str]:
        """Every output's unit by its name (the first output of a name, in the tree's order)."""
        found: dict[str, str] = {}
        for output in reversed(self.all_outputs):
            found[output.name] = output.unit
        return found

    def unit_of(self, name: str) -> str | None:
        return self.units.get(name)

    @functools.cached_property
    def all_fields(self) -> tuple[Field, ...]:
        return self.fields + (self.rows.fields if self.rows else ())


def _all_outputs(nodes: tuple[Node, ...]) -> list[Output]:
    found: list[Output] = []
    for node in nodes:
        if isinstance(node, Output):
            found.append(node)
        elif isinstance(node, Rows):
            found.extend(node.columns)
        elif isinstance(node, Modes):
            found.extend(node.outputs)
    return found


# ---------------------------------------------------------------------------------------------
# Inputs: completing a worked example, parsing what a reader typed
# ---------------------------------------------------------------------------------------------

@functools.cache
def _known_fields() -> frozenset[str]:
    """Every input name of every calculator (the descriptions are fixed once this module is imported)."""
    known: set[str] = set()
    for calc in CALCULATORS.values():
        known |= {f.name for f in calc.all_fields}
        if calc.rows:
            known |= {calc.rows.name} | set(calc.rows.spread)
    return frozenset(known)


def complete_inputs(calculator: Calculator, given: Mapping[str, Any]) -> dict[str, Any]:
    """Fill what a worked example or a shared URL leaves out, so writers state only what matters.

    Scalar fields take the calculator's defaults; each row takes its :attr:`RowInputs.fill`; a
    :attr:`RowInputs.spread` list sets one field of every row. Fields that belong to another
    calculator (an example shared by two calculators) are dropped; a field no calculator knows is
    an error.
    """
    if not isinstance(given, Mapping):
        raise MarginInputError("inputs", given, "must be a mapping of field names to values")
    known = _known_fields()
    unknown = sorted(set(given) - known)
    if unknown:
        raise MarginInputError(unknown[0], given[unknown[0]], "is not an input of any calculator")
    values = {f.name: given.get(f.name, calculator.defaults.get(f.name)) for f in calculator.fields}
    rows_input = calculator.rows
    if rows_input is None:
        return values
    rows = given.get(rows_input.name, calculator.defaults.get(rows_input.name))
    if not isinstance(rows, (list, tuple)):
        raise MarginInputError(rows_input.name, rows, f"must be a list of {rows_input.label.lower()}s")
    spread = {}
    for list_name, field_name in rows_input.spread.items():
        values_given = given.get(list_name)
        if values_given is not None:
            if not isinstance(values_given, (list, tuple)) or len(values_given) != len(rows):
                raise MarginInputError(list_name, values_given, f"must have {len(rows)} values, one per row")
            spread[field_name] = values_given
    names = {f.name for f in rows_input.fields}
    completed = []
    for index, row in enumerate(rows):
        where = f"{rows_input.name}[{index}]"
        if not isinstance(row, Mapping):
            raise MarginInputError(where, row, f"must be a {rows_input.label.lower()}")
        strange = sorted(set(row) - known)
        if strange:
            raise MarginInputError(f"{where}.{strange[0]}", row[strange[0]],
                                   f"is not a field of a {rows_input.label.lower()}")
        filled = {key: value for key, value in row.items() if key in names}
        for name, default in rows_input.fill.items():
            if name in filled:
                continue
            if isinstance(default, str) and default.startswith("="):
                filled[name] = row.get(default[1:])
            elif isinstance(default, str):
                filled[name] = default.format(n=index + 1)
            else:
                filled[name] = default
        for name, listed in spread.items():
            filled[name] = listed[index]
        completed.append(filled)
    values[rows_input.name] = completed
    return values


def parse_inputs(calculator: Calculator, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Parse a plain mapping of reader inputs; raise :class:`MarginInputError` naming the field."""
    if not isinstance(raw, Mapping):
        raise MarginInputError("inputs", raw, "must be a mapping of field names to values")
    values = _checked(calculator.fields, raw)
    rows_input = calculator.rows
    if rows_input is not None:
        rows = raw.get(rows_input.name)
        noun = rows_input.label.lower()
        if not isinstance(rows, (list, tuple)) or not rows:
            raise MarginInputError(rows_input.name, rows, f"must list at least one {noun}")
        if len(rows) > rows_input.max_rows:
            raise MarginInputError(rows_input.name, len(rows), f"may list at most {rows_input.max_rows}")
        parsed = []
        for index, row in enumerate(rows):
            where = f"{rows_input.name}[{index}]"
            if not isinstance(row, Mapping):
                raise MarginInputError(where, row, f"must be a {noun}")
            parsed.append(_checked(rows_input.fields, row, where + "."))
        values[rows_input.name] = parsed
    return values


def _checked(fields: tuple[Field, ...], raw: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in fields:
        where = prefix + f.name
        if f.name not in raw:
            if not f.required:
                values[f.name] = ""
                continue
            raise MarginInputError(where, None, "is missing")
        values[f.name] = f.parse(where, raw[f.name])
    return values


# ---------------------------------------------------------------------------------------------
# Entry functions: parsed values in, plain data out. The figures come from the mathematics.
# ---------------------------------------------------------------------------------------------

def _isolated(v: dict[str, Any]) -> dict[str, Any]:
    side, entry = v["side"], v["entry_price"]
    notional = margin.notional(margin=v["margin"], leverage=v["leverage"])
    quantity = margin.quantity(notional=notional, entry_price=entry)
    if v["tier_table"] == "none":
        mmr, cum, table_label = v["mmr"], 0.0, ""
        entry_mmr, entry_cum = mmr, cum
        price = margin.liquidation_price_isolated(
            side=side, entry_price=entry, quantity=quantity, margin=v["margin"], mmr=mmr, model=v["model"],
        )
    else:
        table = margin.load_tier_table(v["tier_table"])
        try:
            entry_tier = margin.tier_for_notional(table=table, notional=notional)
        except MarginInputError as error:
            raise MarginInputError("margin", v["margin"], f"gives a position {error.reason}") from None
        if v["leverage"] > entry_tier.max_leverage:
            raise MarginInputError(
                "leverage", v["leverage"],
                f"is above the {float(entry_tier.max_leverage):g}x that {table.label} allow for this size",
            )
        settled = margin.liquidation_price_tiered(
            side=side, entry_price=entry, quantity=quantity, margin=v["margin"], table=table, model=v["model"],
        )
        price = settled.price
        mmr, cum, table_label = settled.tier.mmr, settled.tier.maintenance_amount, table.label
        entry_mmr, entry_cum = entry_tier.mmr, entry_tier.maintenance_amount
    return {
        "notional": notional,
        "quantity": quantity,
        "initial_margin": margin.initial_margin(notional=notional, leverage=v["leverage"]),
        "initial_margin_rate": margin.initial_margin_rate(leverage=v["leverage"]),
        # at entry: the entry's tier, not the one the liquidation price settled in
        "maintenance_margin": margin.maintenance_margin(notional=notional, mmr=entry_mmr, maintenance_amount=entry_cum),
        "mmr_used": mmr,
        "maintenance_amount_used": cum,
        "tier_table_used": table_label,
        "liquidation_price": price,
        "bankruptcy_price": margin.bankruptcy_price(side=side, entry_price=entry, quantity=quantity, margin=v["margin"]),
        "distance_pct": margin.distance_to_liquidation(reference_price=entry, liquidation_price=price),
        "liquidation_move": _signed_move(entry, price),
        "max_loss": v["margin"],
        "liquidated_at_entry": margin.liquidated_at_entry(side=side, entry_price=entry, liquidation_price=price),
    }


def _signed_move(reference: Fraction, price: Fraction | None) -> Fraction | None:
    """The move from ``reference`` to ``price`` as a signed fraction of ``reference`` (up is
    positive): :func:`calculators.margin.distance_to_liquidation` with its direction."""
    if price is None:
        return None
    distance = margin.distance_to_liquidation(reference_price=reference, liquidation_price=price)
    return distance if price >= reference else -distance


def _row_position(row: dict[str, Any], mark: Any = None) -> margin.Position:
    return margin.Position(
        side=row["side"], entry_price=row["entry_price"],
        quantity=margin.quantity(notional=row["size"], entry_price=row["entry_price"]),
        mark_price=mark, mmr=row["mmr"], label=row["label"],
    )


def _shocked_positions(rows: list[dict[str, Any]]) -> list[margin.Position]:
    """The compare calculator's positions: each moves from its entry price, except that legs of one
    asset (the same label) share one price, the first leg's entry, since an asset has one price."""
    first: dict[str, Any] = {}
    positions = []
    for row in rows:
        price = first.setdefault(row["label"], row["entry_price"]) if row["label"] else row["entry_price"]
        positions.append(_row_position(row, price))
    return positions


def _cross(v: dict[str, Any]) -> dict[str, Any]:
    positions = [_row_position(row, row["mark_price"]) for row in v["positions"]]
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
            "distance_pct": margin.distance_to_liquidation(reference_price=position.mark, liquidation_price=price),
            "liquidation_move": _signed_move(position.mark, price),
        })
    return {
        "equity": state.equity,
        "unrealized_pnl": state.unrealized_pnl,
        "maintenance_requirement": state.maintenance_requirement,
        "margin_ratio": state.margin_ratio,
        "liquidated": state.liquidated,
        "positions": rows,
    }


#: the moves at which the compare calculator samples the balance for its chart
CHART_STEPS = 41


def _compare(v: dict[str, Any]) -> dict[str, Any]:
    positions = _shocked_positions(v["positions"])
    margins = [margin.initial_margin(notional=row["size"], leverage=row["leverage"]) for row in v["positions"]]
    if sum(margins) > v["wallet_balance"]:
        # Reported at the wallet, or at the size or leverage the reader changed (margins are size / leverage).
        needed, wallet = _dollars(sum(margins)), _dollars(v["wallet_balance"])
        for_position = (f"needs a wallet balance of at least {needed} for the isolated margins of the "
                        f"positions (the wallet balance is {wallet})")
        raise _refused_together(
            "wallet_balance", v["wallet_balance"],
            f"must be at least {needed}: the isolated margins of the positions (size / leverage) added up",
            {f"positions[{index}].{name}": for_position
             for index in range(len(v["positions"])) for name in ("size", "leverage")},
        )
    moves = [row["move"] + v["move_all"] for row in v["positions"]]
    for index, move in enumerate(moves):
        if move <= -1:
            label = v["positions"][index]["label"] or f"position {index + 1}"
            raise _refused_together(
                f"positions[{index}].move", v["positions"][index]["move"] * 100,
                "with the common move, takes the price to zero or below",
                {"move_all": f"with the price move of {label}, takes its price to zero or below"})
    try:
        result = margin.shock(wallet_balance=v["wallet_balance"], positions=positions, moves=moves,
                              margins=margins, model=v["model"])
    except MarginInputError as error:
        if not error.field.startswith("moves["):
            raise
        # Reported at the position's own move, the field a reader changed.
        index = int(error.field[len("moves["):].split("]")[0])
        raise MarginInputError(f"positions[{index}].move", v["positions"][index]["move"] * 100,
                               error.reason.replace("moves[", "the move of position ").replace("]", "")) from None
    # The chart: balance left under each mode as the common move sweeps -50%..+50% on top of the
    # per-position moves. Every point comes from the mathematics; the browser only draws them.
    sweep = margin.shock_sweep(
        wallet_balance=v["wallet_balance"], positions=positions, moves=[row["move"] for row in v["positions"]],
        margins=margins, model=v["model"],
        common_moves=[Fraction(step, CHART_STEPS - 1) - Fraction(1, 2) for step in range(CHART_STEPS)],
    )
    chart = [{"move": common, "isolated": isolated, "cross": cross} for common, isolated, cross in sweep]

    def outcome(p: margin.PositionOutcome) -> dict[str, Any]:
        return {"label": p.label, "price_after": p.price_after, "pnl": p.pnl, "liquidated": p.liquidated,
                "loss": p.loss}

    # a position without a label is named by its place, as its box in the form is
    names = [row["label"] or f"Position {index + 1}" for index, row in enumerate(v["positions"])]

    def mode(result_of_mode: margin.ModeOutcome) -> dict[str, Any]:
        return {
            "balance_left": result_of_mode.balance_left,
            "total_loss": result_of_mode.total_loss,
            "liquidated_count": len(result_of_mode.liquidated),
            "liquidated_labels": ", ".join(names[i] for i in result_of_mode.liquidated),
            "positions": [outcome(p) for p in result_of_mode.positions],
        }

    isolated, cross = mode(result.isolated), mode(result.cross)
    return {
        "isolated": isolated,
        "cross": cross,
        "positions": [
            {"label": names[index], "side": row["side"], "move": moves[index],
             "isolated": isolated["positions"][index], "cross": cross["positions"][index]}
            for index, row in enumerate(v["positions"])
        ],
        "isolated_balance_left": isolated["balance_left"],
        "cross_balance_left": cross["balance_left"],
        "isolated_liquidated": isolated["liquidated_labels"] or "none",
        "cross_liquidated": cross["liquidated_labels"] or "none",
        "margins": margins,
        "margins_total": sum(margins),
        "moves": moves,
        "chart": chart,
    }


def _dollars(amount: Fraction) -> str:
    """``$7,000.00``, as the form shows money: rounded half away from zero, grouped (a message of the
    calculators, which import nothing of the presentation)."""
    cents = (abs(amount) * 200 + 1) // 2
    return f"{'-' if amount < 0 and cents else ''}${cents // 100:,}.{cents % 100:02d}"


def _refused_together(field: str, value: Any, reason: str, also: Mapping[str, str]) -> MarginInputError:
    """Inputs each fine alone but refused together. Reported at ``field``; ``also`` gives, for each
    other field of the combination, the reason worded for it, so that the form can report the
    refusal at the field the reader changed, naming the other."""
    error = MarginInputError(field, value, reason)
    error.also = dict(also)  # type: ignore[attr-defined]
    return error


def _fields_of(function: Callable[..., Any], *names: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """An entry function for a function of the mathematics that takes the parsed inputs as keyword
    arguments (only ``names`` when given) and returns a dataclass: its fields, as a dict."""

    code = function.__code__
    # what the function takes: the inputs that only name things (an asset) are the page's, not its
    taken = names or code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]

    def entry(v: dict[str, Any]) -> dict[str, Any]:
        result = function(**{name: v[name] for name in taken if name in v})
        return {key: getattr(result, key) for key in result.__dataclass_fields__}

    return entry


# ---------------------------------------------------------------------------------------------
# The descriptions
# ---------------------------------------------------------------------------------------------

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
MONEY_MAX = 1e12
ENTRY = Field("entry_price", "Entry price", "number", "usd", PRICE_MIN, PRICE_MAX)
LEVERAGE = Field("leverage", "Leverage", "number", "multiple", 1, 125)
MMR = Field("mmr", "Maintenance margin rate", "number", "percent", 0, 50,
            help="0.5 means 0.5% of the position's value.")
WALLET = Field("wallet_balance", "Wallet balance", "number", "usd", 0, MONEY_MAX, False)
LABEL = Field("label", "Asset", "text")
#: the asset of a calculator without positions: only the unit its quantity is shown in
ASSET = Field("asset", "Asset", "text", help="Its name or ticker: the unit of the quantity.", more=True,
              required=False)
SIZE = Field("size", "Size (notional)", "number", "usd", 0, MONEY_MAX, False, help="Position value at entry, in USD.")

POSITION_FILL = {"label": "Position {n}"}
SAME_ASSET = ("Positions with the same asset label are one asset: they move together, with one price "
              "(a hedge: a long and a short on one asset).")
SAME_ASSET_SHOCK = SAME_ASSET[:-1] + ", the first one's entry price before the move."
#: a position's maintenance rate, rarely changed: folded under "More" in a row
ROW_MMR = Field("mmr", MMR.label, "number", "percent", 0, 50, more=True)
PAST_LIQUIDATION = "none: already passed"


#: What a draft's prose can describe, for the import of drafts (``livecalc import``) to recognise:
#: "position", one position with margin of its own (its side, entry price, leverage, margin and
#: maintenance rate); "account", a wallet balance shared by positions (each a row with its label,
#: side, entry price, size and maintenance rate). One calculator of the site computes each.
PROSE_KINDS = ("position", "account")

CALCULATORS: dict[str, Calculator] = {}


def _add(calculator: Calculator) -> None:
    CALCULATORS[calculator.name] = calculator


_add(Calculator(
    name="isolated",
    title="Isolated position",
    summary="Where an isolated position is liquidated, and what it risks.",
    fields=(SIDE, ENTRY, LEVERAGE,
            Field("margin", "Margin", "number", "usd", 0, MONEY_MAX, False, help="Collateral assigned to this position."),
            replace(MMR, used_when=("tier_table", "none")), TIER_TABLE, MODEL, ASSET),
    outputs=(
        Output("liquidation_price", "Liquidation price", "price", primary=True, help="The price at which the exchange closes the position because its margin has fallen to the maintenance requirement."),
        Output("liquidation_move", "Move from entry to liquidation", "percent", primary=True, signed="move", help="How far the price may move against the position, from the entry, before it is liquidated: down for a long, up for a short."),
        Output("bankruptcy_price", "Bankruptcy price", "price", help="The price at which the position's whole margin would be lost; liquidation comes a little before it."),
        Output("max_loss", "Maximum loss", "usd", help="The most an isolated position can lose: the margin assigned to it."),
        Output("notional", "Position size", "usd", help="The position's value at entry: margin times leverage."),
        Output("quantity", "Quantity", "quantity", per="asset", help="How much of the asset the position holds: its size divided by the entry price."),
        Output("initial_margin", "Initial margin", "usd", help="The collateral needed to open the position: its size divided by the leverage."),
        Output("initial_margin_rate", "Initial margin, share of size", "percent", help="The initial margin as a share of the position's size: one over the leverage."),
        Output("maintenance_margin", "Maintenance margin at entry", "usd", help="The collateral the position must keep at its entry price; below it the position is liquidated."),
        Output("mmr_used", "Maintenance rate used", "percent", help="The maintenance margin rate that gave the liquidation price (from the tier table when one is chosen)."),
        Output("maintenance_amount_used", "Maintenance amount used", "usd", help="The tier's fixed deduction from the maintenance margin, which keeps the requirement continuous between tiers ($0 without a tier table)."),
        Output("tier_table_used", "Tier table", "text", help="The exchange's table of maintenance tiers used, or none."),
    ),
    more_outputs=(
        Output("distance_pct", "Move from entry to liquidation", "percent", help="How far the price may move against the position, from the entry, before it is liquidated."),
        Output("liquidated_at_entry", "Liquidated as soon as it opens", "flag", help="Yes when the margin is already below the maintenance requirement at the entry price."),
    ),
    states=(
        State("liquidated_at_entry", lambda o: bool(o["liquidated_at_entry"]),
              "Liquidated as soon as it opens: the margin, {initial_margin}, does not cover the maintenance "
              "margin at entry, {maintenance_margin}, so the liquidation price, {liquidation_price}, is already "
              "past the entry price. Lower the leverage or the maintenance rate.",
              replaces={"liquidation_move": PAST_LIQUIDATION}, marks=("liquidation_price", "liquidation_move")),
        State("no_liquidation_price", lambda o: o["liquidation_price"] is None,
              "No liquidation price: the margin covers the position's whole value, so even a fall of the "
              "price to zero does not use it up (a long at 1x leverage).",
              level="note", replaces={"liquidation_price": "none", "liquidation_move": "none",
                                      "bankruptcy_price": "none"}),
    ),
    function=_isolated,
    prose="position",
    defaults={"side": "long", "entry_price": 65000, "leverage": 10, "margin": 1000, "mmr": 0.5,
              "tier_table": "none", "model": "exchange", "asset": "BTC"},
))

_add(Calculator(
    name="cross",
    title="Cross-margin account",
    summary="One wallet shared by several positions: its margin ratio, and where each position would liquidate it.",
    fields=(WALLET, MODEL),
    outputs=(
        Output("equity", "Equity", "usd", primary=True, help="The wallet balance plus every position's unrealised profit or loss."),
        Output("unrealized_pnl", "Unrealised profit or loss", "usd", primary=True, signed="gain", help="What the open positions have gained or lost at their mark prices."),
        Output("maintenance_requirement", "Maintenance requirement", "usd", help="The collateral the account must keep; when equity falls to it, the account is liquidated."),
        Output("margin_ratio", "Margin ratio", "ratio", help="The maintenance requirement as a share of equity; the account is liquidated at 100%.", primary=True),
        Output("liquidated", "Being liquidated", "flag", help="Yes when equity is at or below the maintenance requirement."),
        Rows("positions", "Each position, the others held at their mark prices", columns=(
            Output("liquidation_price", "Liquidation price (others held)", "price", help="The price of this position's asset at which the whole account is liquidated, every other asset held at its mark."),
            Output("liquidation_move", "Move to liquidation", "percent", signed="move", help="How far this asset's price may move from its mark, against the account, before it is liquidated."),
            Output("pnl", "Profit or loss", "usd", signed="gain", help="The position's unrealised profit or loss at its mark price."),
        )),
    ),
    more_outputs=(
        Output("quantity", "Quantity", "quantity", help="How much of the asset the position holds: its size divided by the entry price."),
        Output("distance_pct", "Move to liquidation", "percent", help="How far this asset's price may move from its mark, against the account, before it is liquidated."),
    ),
    states=(
        State("account_liquidated", lambda o: bool(o["liquidated"]),
              "The account is being liquidated: its equity, {equity}, is at or below its maintenance "
              "requirement, {maintenance_requirement}: it is already past liquidation at these mark prices, "
              "so no move to liquidation is left.",
              replaces={"positions.*.liquidation_move": PAST_LIQUIDATION, "liquidated": "yes: equity at or below the requirement"},
              marks=("liquidated", "equity")),
        State("margin_ratio_at_100", lambda o: o["margin_ratio"] is not None and o["margin_ratio"] >= 1, "",
              replaces={"margin_ratio": "{text}: liquidation at 100%"}, marks=("margin_ratio",)),
        State("no_liquidation_price", lambda row: row["liquidation_price"] is None,
              "No liquidation price for {label}: with the other prices held, no price of it above zero takes "
              "the account's equity down to its maintenance requirement.",
              level="note", rows="positions",
              replaces={"positions.*.liquidation_price": "none", "positions.*.liquidation_move": "none"}),
    ),
    rows=RowInputs("positions", "Position", (
        LABEL, SIDE, ENTRY, SIZE,
        Field("mark_price", "Mark price", "number", "usd", PRICE_MIN, PRICE_MAX),
        ROW_MMR,
    ), max_rows=12, fill={**POSITION_FILL, "mark_price": "=entry_price"}, note=SAME_ASSET),
    function=_cross,
    prose="account",
    defaults={"wallet_balance": 3000, "model": "exchange", "positions": [
        {"label": "BTC", "side": "long", "entry_price": 65000, "size": 10000, "mark_price": 65000, "mmr": 0.5},
    ]},
))

_add(Calculator(
    name="compare",
    title="Isolated vs cross under a price shock",
    summary="The same positions after a price move, once with isolated and once with cross margin.",
    fields=(WALLET, MODEL,
            Field("move_all", "Move all prices by", "number", "percent", -99, 1000,
                  help="Added to each position's own move.")),
    outputs=(
        Rows("positions", "The same positions after the moves, under each margin mode", header="{label} ({side})",
             columns=(
                 Output("move", "Price move", "percent", signed="move", help="The position's price move, its own plus the common move."),
                 Output("isolated", "Isolated margin", "outcome", help="What becomes of the position when each position has its own margin."),
                 Output("cross", "Cross margin", "outcome", help="What becomes of the position when the whole wallet backs every position."),
             )),
        Modes("Balance left, loss and liquidations under each margin mode",
              (("isolated", "Isolated margin"), ("cross", "Cross margin")), (
                  Output("balance_left", "Balance left", "usd", primary=True, help="The wallet after the moves: what is left of it, counting open positions at their new prices."),
                  Output("total_loss", "Total loss", "usd", help="The wallet before the moves minus the balance left."),
                  Output("liquidated_labels", "Liquidated", "text", help="The positions the exchange closes."),
              )),
        Output("margins_total", "Isolated margins, total", "usd", help="The margins the isolated positions take from the wallet: each position's size divided by its leverage."),
        Chart("chart", "Balance left under isolated and cross margin as all prices move together",
              "Balance left (vertical) against a move of every price by the same percentage, on top of each "
              "position’s own move (horizontal).",
              x="move", series=(("isolated", "Isolated"), ("cross", "Cross")),
              marker="move_all", marker_label="your common move"),
    ),
    more_outputs=(
        Output("isolated_balance_left", "Balance left, isolated", "usd"),
        Output("cross_balance_left", "Balance left, cross", "usd"),
        Output("isolated_liquidated", "Liquidated, isolated", "text"),
        Output("cross_liquidated", "Liquidated, cross", "text"),
        Output("liquidated_count", "Positions liquidated", "count"),
        Output("price_after", "Price after the move", "price"),
        Output("pnl", "Profit or loss", "usd", help="The position's unrealised profit or loss at its mark price."),
        Output("loss", "Loss", "usd"),
        Output("liquidated", "Liquidated", "flag"),
        Output("margins", "Isolated margin of each position", "usd"),
        Output("moves", "Price move of each position", "percent"),
    ),
    rows=RowInputs("positions", "Position", (
        LABEL, SIDE, ENTRY, SIZE,
        Field("leverage", "Leverage (isolated margin = size / leverage)", "number", "multiple", 1, 125),
        Field("move", "Price move", "number", "percent", -99, 1000),
        ROW_MMR,
    ), max_rows=12, fill={**POSITION_FILL, "move": 0}, spread={"moves": "move"}, note=SAME_ASSET_SHOCK),
    states=(
        State("cross_all_liquidated",
              lambda o: bool(o["positions"]) and o["cross"]["liquidated_count"] == len(o["positions"]),
              "Under cross margin every position is liquidated: the one shared wallet is down to "
              "{cross_balance_left}.", marks=("cross.balance_left",)),
    ),
    function=_compare,
    defaults={"wallet_balance": 3000, "model": "exchange", "move_all": 0, "positions": [
        {"label": "BTC", "side": "long", "entry_price": 65000, "size": 10000, "leverage": 10, "mmr": 0.5, "move": 0},
    ]},
))

_add(Calculator(
    name="profit_and_loss",
    title="Profit and loss",
    summary="What a futures trade made or lost, after fees, and its return on the margin.",
    fields=(SIDE, ENTRY,
            Field("exit_price", "Exit price", "number", "usd", PRICE_MIN, PRICE_MAX),
            Field("size", "Size (notional at entry)", "number", "usd", 0, MONEY_MAX, False),
            LEVERAGE,
            Field("fee_rate", "Fee rate, each side", "number", "percent", 0, 5,
                  help="0.05 means 0.05% of the value traded, paid on entry and on exit."),
            ASSET),
    outputs=(
        Output("pnl", "Profit or loss after fees", "usd", primary=True, signed="gain", help="The trade's result: the quantity times the price change, in the trade's direction, minus both fees."),
        Output("roe", "Return on margin (ROE)", "percent", primary=True, signed="gain", help="The profit or loss as a share of the initial margin."),
        Output("quantity", "Quantity", "quantity", per="asset", help="How much of the asset the position holds: its size divided by the entry price."),
        Output("initial_margin", "Initial margin", "usd", help="The collateral needed to open the position: its size divided by the leverage."),
        Output("fees", "Fees", "usd", help="The fee on the value bought plus the fee on the value sold."),
    ),
    function=_fields_of(trading.profit_and_loss),
    defaults={"side": "long", "entry_price": 65000, "exit_price": 68250, "size": 10000, "leverage": 10,
              "fee_rate": 0, "asset": "BTC"},
))

_add(Calculator(
    name="target_price",
    title="Target price",
    summary="The price at which a position reaches a return on its margin (fees excluded).",
    fields=(SIDE, ENTRY, LEVERAGE,
            Field("target_roe", "Target return on margin (ROE)", "number", "percent", -10000, 100000,
                  help="Negative for a stop: -50 means losing half the margin.")),
    outputs=(
        Output("target_price", "Target price", "price", primary=True, help="The price at which the position reaches the target return on its margin, before fees."),
        Output("price_move", "Price move from entry", "percent", primary=True, signed="move", help="The move from the entry price that gives the target return: the return divided by the leverage."),
    ),
    function=_fields_of(trading.target_price),
    defaults={"side": "long", "entry_price": 65000, "leverage": 10, "target_roe": 50},
))

_add(Calculator(
    name="position_size",
    title="Position size from risk",
    summary="How large a position may be so that its stop loses only the share of the balance you choose.",
    fields=(Field("balance", "Account balance", "number", "usd", 0, MONEY_MAX, False),
            Field("risk_pct", "Risk per trade", "number", "percent", 0, 100, False,
                  help="The share of the balance lost if the stop is hit."),
            ENTRY,
            Field("stop_price", "Stop price", "number", "usd", PRICE_MIN, PRICE_MAX,
                  help="Below the entry for a long, above it for a short."),
            ASSET),
    outputs=(
        Output("size", "Position size", "usd", primary=True, help="The position's value at entry such that the stop loses exactly the amount at risk."),
        Output("quantity", "Quantity", "quantity", primary=True, per="asset", help="How much of the asset the position holds: its size divided by the entry price."),
        Output("side", "Side", "text", help="Long when the stop is below the entry, short when it is above."),
        Output("risk_amount", "Amount at risk", "usd", help="The balance times the risk per trade: what the stop loses."),
        Output("stop_distance_pct", "Distance to the stop", "percent", help="How far the stop is from the entry, as a share of the entry price."),
    ),
    function=_fields_of(trading.position_size),
    defaults={"balance": 10000, "risk_pct": 1, "entry_price": 65000, "stop_price": 63700, "asset": "BTC"},
))

_add(Calculator(
    name="average_entry",
    title="Average entry price",
    summary="The average price of a position built from several fills.",
    fields=(SIDE, ASSET),
    rows=RowInputs("fills", "Fill", (
        Field("price", "Price", "number", "usd", PRICE_MIN, PRICE_MAX),
        Field("quantity", "Quantity", "number", "none", 0, 1e12, False),
    ), max_rows=12),
    outputs=(
        Output("average_price", "Average entry price", "price", primary=True, help="The fills' prices weighted by their quantities."),
        Output("total_quantity", "Total quantity", "quantity", primary=True, per="asset", help="The quantities of all fills added up."),
        Output("total_size", "Total size", "usd", help="The value of all fills at their prices."),
    ),
    function=_fields_of(trading.average_entry, "fills"),
    defaults={"side": "long", "asset": "BTC", "fills": [{"price": 65000, "quantity": 0.1}, {"price": 60000, "quantity": 0.2}]},
))

_add(Calculator(
    name="funding_cost",
    title="Funding cost",
    summary="What a perpetual position pays or receives in funding over a holding period.",
    fields=(SIDE,
            Field("size", "Size (notional)", "number", "usd", 0, MONEY_MAX, False),
            Field("funding_rate", "Funding rate per interval", "number", "percent", -10, 10,
                  help="0.01 means 0.01% per interval; negative when shorts pay longs."),
            Field("interval_hours", "Funding interval (hours)", "number", "none", 0, 24, False,
                  help="8 on most exchanges; some contracts settle every 4 or 1 hours."),
            Field("days", "Days held", "number", "none", 0, 3650)),
    outputs=(
        Output("funding_paid", "Funding paid", "usd", primary=True, signed="cost",
               help="Positive when you pay, negative when you receive."),
        Output("intervals", "Funding payments", "count", primary=True, help="How many funding times fall in the holding period (only completed intervals count)."),
        Output("annualized_rate", "Rate per year", "percent", help="The funding rate per interval, as a yearly rate: times the intervals in a day, times 365."),
    ),
    function=_fields_of(trading.funding_cost),
    defaults={"side": "long", "size": 10000, "funding_rate": 0.01, "interval_hours": 8, "days": 30},
))


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------

def for_prose(kind: str) -> str:
    """The name of the calculator that computes the worked examples of ``kind`` (one of
    :data:`PROSE_KINDS`) that a draft's prose gives: the one whose description says so.

    >>> for_prose("position") in CALCULATORS
    True
    """
    found = [calc.name for calc in CALCULATORS.values() if calc.prose == kind]
    if len(found) != 1:
        raise LookupError(f"{len(found)} calculators compute a draft's {kind!r} examples (exactly one must): "
                          f"{', '.join(found) or 'none'}")
    return found[0]


def describe(name: str | None = None) -> Any:
    """The description(s) as plain data (JSON-ready), without the entry function, with each field's
    rules and the number grammar: what the browser reads."""
    if name is None:
        return {key: describe(key) for key in CALCULATORS}
    calc = CALCULATORS[name]
    return {
        "name": calc.name,
        "title": calc.title,
        "summary": calc.summary,
        "fields": [f.spec | {"help": f.help, "more": f.more} for f in calc.fields],
        "rows": None if calc.rows is None else {
            "name": calc.rows.name, "label": calc.rows.label, "max_rows": calc.rows.max_rows, "note": calc.rows.note,
            "fields": [f.spec | {"help": f.help, "more": f.more} for f in calc.rows.fields],
        },
        "outputs": [asdict(node) for node in calc.outputs],
        "defaults": dict(calc.defaults),
        "grammar": grammar.GRAMMAR,
    }


def plain(value: Any) -> Any:
    """Results as plain JSON data: exact rationals become the nearest floats (for the browser and for
    callers that want numbers); everything else is kept. The exact values are what is shown
    (:mod:`presentation.format` rounds them), so this is only for data that leaves Python."""
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def evaluate(name: str, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
    """``(answer, parsed inputs, exact outputs)``: :func:`run`'s answer, and on success the parsed
    inputs and the exact results it was made from (for the presentation). Never raises for bad input."""
    calc = CALCULATORS.get(name) if isinstance(name, str) else None
    if calc is None:
        return ({"ok": False, "field": "calculator", "message": f"calculator: unknown calculator {name!r}",
                 "reason": "is not a calculator"}, None, None)
    try:
        values = parse_inputs(calc, raw)
        outputs = calc.function(values)
    except MarginInputError as error:
        answer = {"ok": False, "field": error.field, "message": str(error), "reason": error.reason}
        also = getattr(error, "also", None)
        if also:
            answer["also"] = dict(also)
        return answer, None, None
    return {"ok": True, "outputs": plain(outputs)}, values, outputs


def run(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Run calculator ``name`` on reader inputs; never raises for bad input.

    Returns ``{"ok": True, "outputs": {...}}`` (plain JSON data: numbers as floats) or
    ``{"ok": False, "field": ..., "message": ..., "reason": ...}``.
    """
    return evaluate(name, raw)[0]


def compute(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The exact results (rationals, :class:`fractions.Fraction`), raising :class:`MarginInputError`:
    for the build, where bad data must stop it and figures are shown and checked exactly."""
    calc = CALCULATORS.get(name) if isinstance(name, str) else None
    if calc is None:
        raise MarginInputError("calculator", name, "is not a calculator (" + ", ".join(CALCULATORS) + ")")
    return calc.function(parse_inputs(calc, raw))
