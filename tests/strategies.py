"""Every Hypothesis strategy of the tests, kept in one place (as numpy-financial keeps its own).

Sections: isolated positions and cross accounts (``calculators.margin``), shocks and the exact sweep,
tiered positions (``test_tiers``), the trading calculators (``calculators.trading``), what a reader
types into the calculators (``calculators.descriptions``), and the numbers the formatters print
(``presentation.format``). Test files import this module (``import strategies``) and define none of
their own; a single built-in call used in one ``@given`` may stay inline. A test narrows its examples
with ``assume``, never a bare ``return``. Only the standard library, Hypothesis and ``calculators``
are imported here: the module runs inside Pyodide too (``tests/test_in_pyodide.py``).

Positions are built from what a trader chooses (side, entry price, notional, leverage, maintenance
rate) rather than filtered out of random numbers, so that no example is thrown away and every
property runs on the thousands of examples it asks for.

The numbers are floats, which the calculators take at their exact binary value; the properties
compare exactly. Maintenance amounts are drawn on both sides of ``N * MMR`` (the clamp at zero is a
rule to test, not an input to avoid), and accounts may hold several positions on one asset (the same
label, one mark: hedge mode).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from hypothesis import strategies as st

from calculators import CALCULATORS, margin
from calculators.descriptions import MAX_TEXT

SIDES = st.sampled_from(["long", "short"])
MODELS = st.sampled_from(["exchange", "simple"])


def magnitudes(low: float, high: float) -> st.SearchStrategy[float]:
    """Positive floats spread evenly over orders of magnitude (a price of 0.0001 and of 100,000)."""
    return st.floats(min_value=math.log10(low), max_value=math.log10(high)).map(lambda e: 10.0 ** e)


#: prices from a micro-cap token to far above Bitcoin
PRICES = magnitudes(1e-4, 1e7)
#: position values at entry, from a dollar to a billion
NOTIONALS = magnitudes(1.0, 1e9)
#: leverage from 1x to the 125x of Binance's first BTCUSDT tier, plus some very high values
LEVERAGES = st.one_of(st.floats(min_value=1.0, max_value=125.0), st.sampled_from([1.0, 2.0, 10.0, 20.0, 125.0]))
#: every rate the API accepts, [0, 1)
RATES = st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
                  st.sampled_from([0.004, 0.005, 0.01, 0.025, 0.5]))


@st.composite
def isolated_positions(draw, *, leverage=LEVERAGES, rates=RATES, with_amount: bool = True) -> dict:
    """An isolated position as keyword arguments of ``liquidation_price_isolated``, plus its leverage.

    ``maintenance_amount`` (when drawn) is 0, a share of the requirement at entry ``N * MMR``, or
    above it (up to twice the notional's 1%): the requirement then clamps at zero over part or all
    of the price range.
    """
    entry = draw(PRICES)
    notional = draw(NOTIONALS)
    lev = draw(leverage)
    mmr = draw(rates)
    amount = 0.0
    if with_amount:
        amount = draw(st.one_of(
            st.just(0.0),
            st.floats(min_value=0.0, max_value=1.0).map(lambda u: u * notional * mmr),
            st.floats(min_value=1.0, max_value=3.0).map(lambda u: u * notional * max(mmr, 0.01)),
        ))
    return {
        "side": draw(SIDES),
        "entry_price": entry,
        "quantity": notional / entry,
        "margin": notional / lev,
        "mmr": mmr,
        "maintenance_amount": amount,
        "leverage": lev,
    }


@st.composite
def safe_isolated_positions(draw, *, min_leverage: float = 1.01, mmr_zero: bool = False) -> dict:
    """A position that is not liquidated as it opens: ``0 <= MMR < 1/L``, no maintenance amount.

    The rate is drawn as a fraction u of 1/L with u in [0.001, 0.999] (or exactly 0 when
    ``mmr_zero``): with u closer to 0 or 1 the liquidation price differs from the bankruptcy price or
    the entry by less than a double can tell apart, and a strict inequality would test the float
    format, not the formula.
    """
    position = draw(isolated_positions(
        leverage=st.floats(min_value=min_leverage, max_value=125.0),
        rates=st.just(0.0), with_amount=False,
    ))
    if not mmr_zero:
        position["mmr"] = draw(st.floats(min_value=0.001, max_value=0.999)) / position["leverage"]
    return position


def position_rows(*, marks: bool = True) -> st.SearchStrategy[dict]:
    """One position of a cross account, as a mapping ``calculators.margin`` accepts (unlabelled: its
    own asset), with a maintenance amount on either side of its ``Q * EP * MMR``."""

    @st.composite
    def row(draw) -> dict:
        entry = draw(PRICES)
        notional = draw(NOTIONALS)
        mmr = draw(st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=0.2)))
        item = {
            "side": draw(SIDES),
            "entry_price": entry,
            "quantity": notional / entry,
            "mmr": mmr,
            "maintenance_amount": draw(st.one_of(
                st.just(0.0), st.floats(min_value=0.0, max_value=2.0).map(lambda u: u * notional * mmr))),
        }
        if marks:
            # marks within a factor of two of the entry: the positions an account actually holds
            item["mark_price"] = entry * draw(st.floats(min_value=0.5, max_value=2.0))
        return item

    return row()


@st.composite
def _hedged(draw, rows: list[dict]) -> list[dict]:
    """Give some rows a shared label: those are one asset, with the first one's mark (hedge mode)."""
    labels = draw(st.lists(st.sampled_from(["", "A", "B"]), min_size=len(rows), max_size=len(rows)))
    marks: dict[str, float] = {}
    result = []
    for row, label in zip(rows, labels):
        row = dict(row, label=label)
        if label:
            mark = marks.setdefault(label, row.get("mark_price", row["entry_price"]))
            row["mark_price"] = mark
        result.append(row)
    return result


def accounts(*, min_size: int = 1, max_size: int = 5, marks: bool = True,
             hedged: bool = False) -> st.SearchStrategy[tuple[float, list[dict]]]:
    """A wallet balance and the positions of a cross-margin account; with ``hedged``, some positions
    share an asset (a label, and so a mark)."""
    rows = st.lists(position_rows(marks=marks), min_size=min_size, max_size=max_size)
    if hedged:
        rows = rows.flatmap(_hedged)
    return st.tuples(magnitudes(1.0, 1e9), rows)


#: margin added to a position, as a fraction of its margin: from a millionth to ten times over
EXTRA_MARGIN_FRACTIONS = magnitudes(1e-6, 10.0)


# --------------------------------------------------------------------------------------------
# Shocks (margin.shock) and the exact sweep (margin.shock_sweep)
# --------------------------------------------------------------------------------------------

@st.composite
def shocks(draw) -> tuple[float, list[dict], list[float], list[float]]:
    """A wallet, positions, one margin each (together at most the wallet, to rounding of the drawn
    shares) and one move each (one move per asset: positions sharing a label share it)."""
    wallet, rows = draw(accounts(max_size=4, hedged=True))
    shares = draw(st.lists(st.floats(min_value=1e-3, max_value=1.0), min_size=len(rows), max_size=len(rows)))
    scale = draw(st.floats(min_value=0.01, max_value=1.0)) / max(sum(shares), 1.0)
    margins = [wallet * share * scale for share in shares]
    moves = draw(st.lists(st.floats(min_value=-0.99, max_value=3.0), min_size=len(rows), max_size=len(rows)))
    first: dict[str, float] = {}
    moves = [first.setdefault(row["label"], move) if row["label"] else move for row, move in zip(rows, moves)]
    return wallet, rows, margins, moves


@st.composite
def sweep_accounts(draw) -> tuple[Fraction, list[margin.Position], list[Fraction], list[Fraction]]:
    """``(wallet, positions, margins, moves)`` for ``margin.shock_sweep``, all exact Fractions: one to
    four assets, entries of a cent to a million, marks within -50%..+50% of the entry, rates 0..10%,
    maintenance amounts 0..500 (above ``N * MMR`` too), leverage 1..125, moves -60%..+60%, and a
    wallet of the margins plus up to 5,000."""
    count = draw(st.integers(min_value=1, max_value=4))
    positions, margins, moves = [], [], []
    for index in range(count):
        entry = Fraction(draw(st.integers(1, 10**6)), draw(st.sampled_from([1, 10, 100])))
        size = Fraction(draw(st.integers(1, 10**5)))
        positions.append(margin.Position(
            side=draw(st.sampled_from(["long", "short"])), entry_price=entry, quantity=size / entry,
            mark_price=entry * Fraction(draw(st.integers(50, 150)), 100),
            mmr=Fraction(draw(st.integers(0, 100)), 1000),
            # maintenance amounts above N * MMR too: the one clamp rule must hold along the sweep
            maintenance_amount=Fraction(draw(st.integers(0, 500))),
            label=f"asset {index}",
        ))
        margins.append(size / draw(st.integers(1, 125)))
        moves.append(Fraction(draw(st.integers(-60, 60)), 100))
    wallet = sum(margins) + draw(st.integers(0, 5000))
    return wallet, positions, margins, moves


# --------------------------------------------------------------------------------------------
# Tiered positions (margin.liquidation_price_tiered)
# --------------------------------------------------------------------------------------------

def tiered_positions(max_leverage: Callable[[float], float]) -> st.SearchStrategy[dict]:
    """A position within an exchange's limits: entry 1..1e6, notional 10..5e8, leverage from 1x up to
    ``max_leverage(notional)`` (the test's own transcription of the published brackets, so that the
    limits do not come from the table under test)."""

    @st.composite
    def position(draw) -> dict:
        entry = draw(magnitudes(1.0, 1e6))
        notional = draw(magnitudes(10.0, 5e8))
        leverage = draw(st.floats(min_value=1.0, max_value=max_leverage(notional)))
        return {"side": draw(SIDES), "entry_price": entry, "quantity": notional / entry,
                "margin": notional / leverage, "leverage": leverage}

    return position()


# --------------------------------------------------------------------------------------------
# Derived figures and the trading calculators (calculators.trading)
# --------------------------------------------------------------------------------------------

#: isolated margins, from a dollar to a hundred million
MARGINS = magnitudes(1.0, 1e8)
#: trading fee rates as fractions: none, the usual maker/taker rates, and anything up to 1%
FEE_RATES = st.one_of(st.just(0.0), st.sampled_from([0.0002, 0.0004, 0.0005, 0.001]),
                      st.floats(min_value=0.0, max_value=0.01))
#: funding rates per interval as fractions, either sign: up to +/-1% (exchanges cap them well inside)
FUNDING_RATES = st.one_of(st.just(0.0), st.sampled_from([0.0001, -0.0001, 0.000125, -0.0075, 0.0075]),
                          st.floats(min_value=-0.01, max_value=0.01))
#: funding intervals in hours: the exchanges' 1, 4 and 8, and anything above 0 up to 24
INTERVAL_HOURS = st.one_of(st.sampled_from([1.0, 4.0, 8.0]), st.floats(min_value=0.25, max_value=24.0))
#: holding periods in days, from none to ten years
DAYS = st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=3_650.0))


@st.composite
def trades(draw) -> dict:
    """Keyword arguments of ``profit_and_loss``: a position closed between a fifth and five times
    its entry price."""
    entry = draw(PRICES)
    return {
        "side": draw(SIDES),
        "entry_price": entry,
        "exit_price": entry * draw(st.floats(min_value=0.2, max_value=5.0)),
        "size": draw(NOTIONALS),
        "leverage": draw(LEVERAGES),
        "fee_rate": draw(FEE_RATES),
    }


@st.composite
def target_cases(draw) -> dict:
    """Keyword arguments of ``target_price`` whose target is reachable.

    The price move (between -95% and +400%) is drawn and the ROE made from it, ``ROE = s * move * L``,
    so that no example is thrown away for a target at or below zero.
    """
    side = draw(SIDES)
    leverage = draw(LEVERAGES)
    move = draw(st.floats(min_value=-0.95, max_value=4.0))
    return {
        "side": side,
        "entry_price": draw(PRICES),
        "leverage": leverage,
        "target_roe": (1 if side == "long" else -1) * move * leverage,
    }


@st.composite
def risk_cases(draw) -> dict:
    """Keyword arguments of ``position_size``: the stop between 0.1% and 95% below the entry (a long)
    or between 0.1% and 20 times above it (a short)."""
    entry = draw(PRICES)
    below = draw(st.booleans())
    factor = draw(st.floats(min_value=0.05, max_value=0.999) if below else st.floats(min_value=1.001, max_value=20.0))
    return {
        "balance": draw(magnitudes(1.0, 1e9)),
        "risk_pct": draw(st.one_of(st.sampled_from([0.005, 0.01, 0.02]), st.floats(min_value=1e-4, max_value=1.0))),
        "entry_price": entry,
        "stop_price": entry * factor,
    }


#: quantities of one fill, from 0.0001 to 10,000 units
FILL_QUANTITIES = magnitudes(1e-4, 1e4)
#: the quantities of one to twelve fills (all at one price, in the test that draws them)
FILL_QUANTITY_LISTS = st.lists(FILL_QUANTITIES, min_size=1, max_size=12)


def fills(*, max_size: int = 12) -> st.SearchStrategy[list[dict]]:
    """Fills of one position, as ``average_entry`` takes them (at most 12 rows)."""
    row = st.fixed_dictionaries({"price": PRICES, "quantity": FILL_QUANTITIES})
    return st.lists(row, min_size=1, max_size=max_size)


def maybe_without_liquidation_price() -> st.SearchStrategy[tuple[dict, str]]:
    """``(position, model)`` pairs that may have no liquidation price: half of them 1x longs with no
    maintenance amount under the exchange model, whose liquidation price (N - M) / (Q (1 - MMR)) is 0
    at 1x (none; the margin is exactly the entry value EP x Q, since the float quotient N / EP times EP
    is not N), half any position at all (a maintenance amount above the requirement can also leave
    none), so that a property about positions without a price keeps most examples."""
    return st.one_of(
        st.tuples(isolated_positions(leverage=st.just(1.0), with_amount=False).map(
            lambda p: {**p, "side": "long", "margin": Fraction(p["entry_price"]) * Fraction(p["quantity"])}),
            st.just("exchange")),
        st.tuples(isolated_positions(), MODELS),
    )



# --------------------------------------------------------------------------------------------
# What a reader types into the calculators (calculators.descriptions, calculators.run)
# --------------------------------------------------------------------------------------------

#: the calculators' names, in sorted order
CALCULATOR_NAMES = st.sampled_from(sorted(CALCULATORS))

#: Narrowed price range. The descriptions let a price be any number above 0 with no maximum, and at
#: the extremes the arithmetic leaves the doubles: a mark price of 5e-324 (a subnormal) gives the
#: cross calculator a distance_pct of inf, an entry of 1e-300 an infinite quantity. Reported; until
#: the fields carry realistic bounds :func:`reader_values` covers prices from 1e-8 (below any listed
#: token) to 1e9, and sizes from a cent.
PRICE_RANGE = (1e-8, 1e9)
#: the smallest dollar amount drawn for a field whose minimum is 0
SMALLEST_AMOUNT = 0.01


def reader_values(f) -> st.SearchStrategy:
    """What a reader may type in a field: anything within its bounds, as a number or as text."""
    if f.kind == "choice":
        return st.sampled_from([key for key, _ in f.choices])
    if f.kind == "text":
        return st.text(max_size=MAX_TEXT)
    low = f.minimum if f.minimum is not None else -1e12
    high = f.maximum if f.maximum is not None else 1e12
    exclude_min = not f.minimum_inclusive
    if f.name.endswith("_price"):
        low, high, exclude_min = max(low, PRICE_RANGE[0]), min(high, PRICE_RANGE[1]), False
    elif f.unit == "usd" and low == 0:
        low, exclude_min = SMALLEST_AMOUNT, False
    number = st.floats(min_value=low, max_value=high, exclude_min=exclude_min)
    return st.one_of(number, number.map(repr))


def reader_inputs(name: str) -> st.SearchStrategy[dict]:
    """The raw inputs of calculator ``name``: every field within its bounds (:func:`reader_values`),
    and one to three rows for a calculator with rows."""
    calc = CALCULATORS[name]
    top = st.fixed_dictionaries({f.name: reader_values(f) for f in calc.fields})
    if not calc.rows:
        return top
    row = st.fixed_dictionaries({f.name: reader_values(f) for f in calc.rows.fields})
    return st.tuples(top, st.lists(row, min_size=1, max_size=3)).map(lambda t: {**t[0], calc.rows.name: t[1]})


#: any JSON-like value: None, booleans, integers, floats (nan and inf too), short text, and small
#: lists and objects of them
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
#: any JSON object of up to six keys: what a page could post to ``run``, valid or not
JSON_OBJECTS = st.dictionaries(st.text(max_size=12), JSONISH, max_size=6)


# --------------------------------------------------------------------------------------------
# Numbers the formatters print (presentation.format)
# --------------------------------------------------------------------------------------------

#: dollar amounts up to a billion either way, none in (0, 1e-6] (zero itself included)
MONEY_AMOUNTS = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-6)

#: any float a formatter may be handed, nan and the infinities too. percent() multiplies by 100
#: first, so a fraction above ~1.8e306 overflows to "inf%" (reported; no ratio the calculators
#: produce comes near it): the finite ones go up to 1e300.
FORMATTABLE = st.one_of(st.floats(min_value=-1e300, max_value=1e300), st.sampled_from([math.nan, math.inf, -math.inf]))


# --------------------------------------------------------------------------------------------
# Prose with figures in it (livecalc.recognise)
# --------------------------------------------------------------------------------------------

def figure_texts(pieces: list[str]) -> st.SearchStrategy[str]:
    """Text of up to 40 of ``pieces`` joined (the test's own list of figures' parts and neighbours)."""
    return joined(pieces, 40)


def joined(pieces: list[str], max_size: int) -> st.SearchStrategy[str]:
    """Up to ``max_size`` of ``pieces`` (a test's own list: markup, figures' parts), joined in any order."""
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --------------------------------------------------------------------------------------------
# Pages of macro calls (macros/direct.py)
# --------------------------------------------------------------------------------------------

@st.composite
def page_bodies(draw, pieces: list[str], rare: list[str]) -> str:
    """A page's Markdown: 1 to 12 of ``pieces`` (prose and macro calls) as lines, and in about half of
    the pages one of ``rare`` (syntax that changes how the whole page is read) at a drawn place."""
    lines = draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=12))
    extra = draw(st.one_of(st.none(), st.sampled_from(rare)))
    if extra is not None:
        lines.insert(draw(st.integers(0, len(lines))), extra)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))
