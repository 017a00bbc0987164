"""Hypothesis strategies for the margin tests, kept in one place (as numpy-financial keeps its own).

Positions are built from what a trader chooses (side, entry price, notional, leverage, maintenance
rate) rather than filtered out of random numbers, so that no example is thrown away and every
property runs on the thousands of examples it asks for.
"""

from __future__ import annotations

from hypothesis import strategies as st

SIDES = st.sampled_from(["long", "short"])
MODELS = st.sampled_from(["exchange", "simple"])


def magnitudes(low: float, high: float) -> st.SearchStrategy[float]:
    """Positive floats spread evenly over orders of magnitude (a price of 0.0001 and of 100,000)."""
    import math

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

    ``maintenance_amount`` (when drawn) stays at or below the requirement at entry, ``N * MMR``: a
    tier table never produces more (its amounts keep the requirement continuous and positive).
    """
    entry = draw(PRICES)
    notional = draw(NOTIONALS)
    lev = draw(leverage)
    mmr = draw(rates)
    amount = 0.0
    if with_amount:
        amount = draw(st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=1.0).map(lambda u: u * notional * mmr)))
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
    """One position of a cross account, as a mapping ``calculators.margin`` accepts."""

    @st.composite
    def row(draw) -> dict:
        entry = draw(PRICES)
        item = {
            "side": draw(SIDES),
            "entry_price": entry,
            "quantity": draw(NOTIONALS) / entry,
            "mmr": draw(st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=0.2))),
        }
        if marks:
            # marks within a factor of two of the entry: the positions an account actually holds
            item["mark_price"] = entry * draw(st.floats(min_value=0.5, max_value=2.0))
        return item

    return row()


def accounts(*, min_size: int = 1, max_size: int = 5, marks: bool = True) -> st.SearchStrategy[tuple[float, list[dict]]]:
    """A wallet balance and the positions of a cross-margin account."""
    return st.tuples(magnitudes(1.0, 1e9), st.lists(position_rows(marks=marks), min_size=min_size, max_size=max_size))
