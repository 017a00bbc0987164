"""The margin mathematics of ``calculators.margin``: worked values, bad inputs, and properties.

Every expected value is derived in the test, by hand (the arithmetic is in the comment next to it)
or from a public worked example whose source is named. Notation as in the module: s = +1 long,
-1 short; Q quantity; EP entry price; MP mark price; N = Q*EP; M isolated margin; WB wallet
balance; MMR maintenance margin rate; cum maintenance amount.

The module computes exactly (``fractions.Fraction``), so the expected values are exact: a reader's
typed decimals are passed as Fractions (``F("0.005")``), and a float is its exact binary value.
The properties at the end check the formulas against a second description of the same thing: the
definition of liquidation (equity equals the maintenance requirement), written here from scratch in
Fraction and compared for equality. ``tests/oracle.py`` and ``tests/test_differential.py`` compare
every function with an independent exact implementation of the published formulas.
"""

from __future__ import annotations

import math
import sys
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calculators import margin
from calculators.errors import MarginInputError
from calculators.margin import (
    Position,
    account_state,
    bankruptcy_price,
    distance_to_liquidation,
    initial_margin,
    initial_margin_rate,
    liquidated_at_entry,
    liquidation_price_cross,
    liquidation_price_isolated,
    maintenance_margin,
    notional,
    position_pnl,
    quantity,
    shock,
)

import strategies

F = Fraction

#: Q of the guide's BTC example: a 10,000 position at 65,000, exactly 2/13 BTC
BTC_Q = Fraction(10_000, 65_000)
#: the rates a reader types, exactly
HALF_PCT = F("0.005")


def sign(side: str) -> int:
    return 1 if side == "long" else -1


# The definition of liquidation, written independently of the module: an isolated position is
# liquidated when its equity, margin plus profit, falls to its maintenance requirement.
def equity_isolated(p: dict, price: float) -> float:
    return p["margin"] + sign(p["side"]) * p["quantity"] * (price - p["entry_price"])


def requirement_isolated(p: dict, price: float, model: str) -> float:
    basis = price if model == "exchange" else p["entry_price"]
    return p["quantity"] * basis * p["mmr"] - p.get("maintenance_amount", 0.0)


def isolated_kwargs(p: dict, **changes) -> dict:
    keys = ("side", "entry_price", "quantity", "margin", "mmr", "maintenance_amount")
    return {**{k: p[k] for k in keys if k in p}, **changes}


# ============================================================================================
# initial_margin, maintenance_margin
# ============================================================================================

class TestInitialMargin:
    def test_is_notional_over_leverage(self):
        # 10,000 / 20 = 500: at 20x the margin is 5% of the position (the guide's "20x / 5%" claim)
        assert initial_margin(notional=10_000, leverage=20) == 500
        # 10,000 / 10 = 1,000: the guide's BTC example
        assert initial_margin(notional=10_000, leverage=10) == 1_000

    def test_at_one_times_leverage_is_the_whole_notional(self):
        assert initial_margin(notional=3_400, leverage=1) == 3_400

    def test_fractional_leverage_above_one(self):
        # 1,000 / 2.5 = 400
        assert initial_margin(notional=1_000, leverage=2.5) == pytest.approx(400, rel=1e-15)


class TestMaintenanceMargin:
    def test_is_notional_times_rate(self):
        # 10,000 * 0.5% = 50
        assert maintenance_margin(notional=10_000, mmr=0.005) == pytest.approx(50, rel=1e-15)

    def test_subtracts_the_maintenance_amount(self):
        # Binance tier 2 of BTCUSDT: 100,000 * 0.5% - 50 = 450
        assert maintenance_margin(notional=100_000, mmr=0.005, maintenance_amount=50) == pytest.approx(450)

    def test_binance_coin_m_worked_example(self):
        # Binance FAQ "How to Calculate Liquidation Price of COIN-M Futures Contracts" (2021-02-05):
        # 100 contracts of 100 USD at a mark of 25,000 are 0.4 BTC, level 1: 0.4 * 0.4% - 0 = 0.0016 BTC.
        assert maintenance_margin(notional=100 * 100 / 25_000, mmr=0.004) == pytest.approx(0.0016, rel=1e-12)

    def test_never_below_zero(self):
        # 5,000 * 0.5% - 50 = -25, which the docstring clamps to 0
        assert maintenance_margin(notional=5_000, mmr=0.005, maintenance_amount=50) == 0.0

    def test_zero_notional_is_allowed_and_needs_nothing(self):
        assert maintenance_margin(notional=0, mmr=0.005) == 0.0


# ============================================================================================
# bankruptcy_price
# ============================================================================================

class TestBankruptcyPrice:
    def test_long_and_short(self):
        # BP = EP - s*M/Q: 50,000 -/+ 1,000 / 0.2 = 50,000 -/+ 5,000
        assert bankruptcy_price(side="long", entry_price=50_000, quantity=0.2, margin=1_000) == pytest.approx(45_000)
        assert bankruptcy_price(side="short", entry_price=50_000, quantity=0.2, margin=1_000) == pytest.approx(55_000)

    def test_guide_btc_example(self):
        # 65,000 - 1,000 / (10,000 / 65,000) = 65,000 - 6,500 = 58,500: a 10x long is bankrupt after 10%
        assert bankruptcy_price(side="long", entry_price=65_000, quantity=BTC_Q, margin=1_000) == pytest.approx(58_500)

    def test_long_at_one_times_has_no_positive_bankruptcy_price(self):
        # M = N: 3,400 - 3,400 / 1 = 0, which is not a price
        assert bankruptcy_price(side="long", entry_price=3_400, quantity=1, margin=3_400) is None
        # over-collateralised: 3,400 - 5,000 < 0
        assert bankruptcy_price(side="long", entry_price=3_400, quantity=1, margin=5_000) is None

    def test_short_at_one_times_is_bankrupt_at_twice_the_entry(self):
        # 3,400 + 3,400 / 1 = 6,800
        assert bankruptcy_price(side="short", entry_price=3_400, quantity=1, margin=3_400) == pytest.approx(6_800)


# ============================================================================================
# Derived figures: notional, quantity, initial_margin_rate, distance_to_liquidation,
# liquidated_at_entry
# ============================================================================================

class TestNotional:
    def test_is_margin_times_leverage(self):
        # the guide's BTC example: 1,000 * 10 = 10,000
        assert notional(margin=1_000, leverage=10) == 10_000
        # 400 * 2.5 = 1,000
        assert notional(margin=400, leverage=2.5) == 1_000

    def test_at_one_times_is_the_margin(self):
        assert notional(margin=3_400, leverage=1) == 3_400

    def test_undoes_initial_margin(self):
        # IM = N / L and N = M * L: 500 at 20x is 10,000, whose margin at 20x is 500
        assert initial_margin(notional=notional(margin=500, leverage=20), leverage=20) == 500

    def test_an_overflowing_notional_names_the_margin(self):
        # 1e308 * 10 is beyond the largest double (about 1.8e308)
        with pytest.raises(MarginInputError) as caught:
            notional(margin=1e308, leverage=10)
        assert caught.value.field == "margin"
        assert "overflow" in caught.value.reason


class TestQuantity:
    def test_is_notional_over_entry_price(self):
        # 10,000 / 50,000 = 0.2 BTC
        assert quantity(notional=10_000, entry_price=50_000) == pytest.approx(0.2, rel=1e-15)
        # the guide's Q: 10,000 / 65,000 = 0.153846...
        assert quantity(notional=10_000, entry_price=65_000) == pytest.approx(BTC_Q, rel=1e-15)
        # 3,000 / 0.5 = 6,000 units of a token priced below one dollar
        assert quantity(notional=3_000, entry_price=0.5) == 6_000

    def test_a_quantity_beyond_doubles_names_the_notional(self):
        for value, price, word in ((1e300, 1e-300, "overflow"), (1e-300, 1e300, "zero")):
            with pytest.raises(MarginInputError) as caught:
                quantity(notional=value, entry_price=price)
            assert caught.value.field == "notional"
            assert word in caught.value.reason


class TestInitialMarginRate:
    @pytest.mark.parametrize("leverage, rate", [
        (1, 1.0),      # 1x: the whole notional
        (10, 0.1),     # 1 / 10
        (20, 0.05),    # the guide's "20x is 5%"
        (125, 0.008),  # Binance BTCUSDT tier 1's maximum: 1 / 125 = 0.8%
    ])
    def test_is_one_over_leverage(self, leverage, rate):
        assert initial_margin_rate(leverage=leverage) == pytest.approx(rate, rel=1e-15)

    def test_times_the_notional_is_the_initial_margin(self):
        # 10,000 * 5% = 500 = 10,000 / 20
        assert 10_000 * initial_margin_rate(leverage=20) == pytest.approx(initial_margin(notional=10_000, leverage=20))


class TestDistanceToLiquidation:
    def test_guide_btc_long_and_short(self):
        # simple model, 10x at 0.5%: long 58,825, short 71,175, both 6,175 / 65,000 = 9.5% from 65,000
        assert distance_to_liquidation(reference_price=65_000, liquidation_price=58_825) == pytest.approx(0.095)
        assert distance_to_liquidation(reference_price=65_000, liquidation_price=71_175) == pytest.approx(0.095)

    def test_from_a_mark_price(self):
        # an open long marked at 62,000 with its price at 58,900: 3,100 / 62,000 = 5%
        assert distance_to_liquidation(reference_price=62_000, liquidation_price=58_900) == pytest.approx(0.05)

    def test_no_liquidation_price_no_distance(self):
        assert distance_to_liquidation(reference_price=3_400, liquidation_price=None) is None

    def test_at_the_reference_itself_is_zero(self):
        assert distance_to_liquidation(reference_price=100, liquidation_price=100) == 0.0


class TestLiquidatedAtEntry:
    @pytest.mark.parametrize("side, price, expected", [
        ("long", 65_130, True),    # 125x long at a 1% rate: 65,000 * (1 - 0.008 + 0.01), above its entry
        ("long", 65_000, True),    # exactly at the entry: liquidated as it opens
        ("long", 58_825, False),   # the guide's 10x long
        ("short", 64_870, True),   # the 125x short's mirror: 65,000 * (1 + 0.008 - 0.01)
        ("short", 65_000, True),
        ("short", 71_175, False),  # the guide's 10x short
    ])
    def test_a_price_on_the_far_side_of_the_entry(self, side, price, expected):
        assert liquidated_at_entry(side=side, entry_price=65_000, liquidation_price=price) is expected

    @pytest.mark.parametrize("side", ["long", "short"])
    def test_no_liquidation_price_is_never_liquidated(self, side):
        assert liquidated_at_entry(side=side, entry_price=3_400, liquidation_price=None) is False

    def test_agrees_with_the_isolated_price_of_a_125x_long_at_1_percent(self):
        # 1 BTC at 65,000 with 520 of margin (125x), 1% rate: simple 65,130 (above the entry)
        price = liquidation_price_isolated(side="long", entry_price=65_000, quantity=1, margin=520, mmr=0.01,
                                           model="simple")
        assert liquidated_at_entry(side="long", entry_price=65_000, liquidation_price=price) is True


# ============================================================================================
# liquidation_price_isolated
# ============================================================================================

class TestLiquidationPriceIsolated:
    def test_guide_btc_long_simple_model(self):
        # The guide's example: 65,000 * (1 - 1,000/10,000 + 0.5%) = 65,000 * 0.905 = 58,825
        price = liquidation_price_isolated(side="long", entry_price=65_000, quantity=BTC_Q, margin=1_000,
                                           mmr=0.005, model="simple")
        assert price == pytest.approx(58_825, rel=1e-12)

    def test_guide_btc_long_exchange_model(self):
        # (Q*EP - M) / (Q*(1 - MMR)) = (10,000 - 1,000) / (Q * 0.995) = 65,000 * 9,000 / 9,950 = 58,793.97...
        price = liquidation_price_isolated(side="long", entry_price=65_000, quantity=BTC_Q, margin=1_000, mmr=HALF_PCT)
        assert price == F(65_000 * 9_000, 9_950)
        assert round(float(price), 2) == 58_793.97

    def test_guide_btc_short_simple_model(self):
        # 65,000 * (1 + 0.1 - 0.005) = 65,000 * 1.095 = 71,175
        price = liquidation_price_isolated(side="short", entry_price=65_000, quantity=BTC_Q, margin=1_000,
                                           mmr=0.005, model="simple")
        assert price == pytest.approx(71_175, rel=1e-12)

    def test_guide_btc_short_exchange_model(self):
        # s = -1: (-N - M) / (Q*(-1 - MMR)) = (10,000 + 1,000) / (Q * 1.005) = 65,000 * 11,000 / 10,050
        price = liquidation_price_isolated(side="short", entry_price=65_000, quantity=BTC_Q, margin=1_000, mmr=0.005)
        assert price == pytest.approx(65_000 * 11_000 / 10_050, rel=1e-12)

    def test_kucoin_worked_example(self):
        # KuCoin help centre, "How to Calculate Futures Liquidation Price" (article 26694703491737): a short
        # at 28,000 with 100x leverage and 0.4% MMR liquidates at 28,000 * [1 + (1% - 0.4%)] = 28,168.
        # The simple model is KuCoin's formula; 1 BTC at 100x has 280 of margin.
        price = liquidation_price_isolated(side="short", entry_price=28_000, quantity=1, margin=280,
                                           mmr=0.004, model="simple")
        assert price == pytest.approx(28_168, rel=1e-12)

    def test_maintenance_amount_both_models(self):
        # 2 BTC long at 60,000, 12,000 of margin, MMR 0.5%, cum 50 (Binance BTCUSDT tier 2).
        # exchange: (120,000 - 12,000 - 50) / (2 * 0.995) = 107,950 / 1.99 = 54,246.23...
        exchange = liquidation_price_isolated(side="long", entry_price=60_000, quantity=2, margin=12_000,
                                              mmr=0.005, maintenance_amount=50)
        assert exchange == pytest.approx(107_950 / 1.99, rel=1e-12)
        # simple: 60,000 - (12,000 - 120,000 * 0.005 + 50) / 2 = 60,000 - 11,450 / 2 = 54,275
        simple = liquidation_price_isolated(side="long", entry_price=60_000, quantity=2, margin=12_000,
                                            mmr=0.005, maintenance_amount=50, model="simple")
        assert simple == pytest.approx(54_275, rel=1e-12)

    def test_zero_rate_liquidates_at_bankruptcy(self):
        # MMR = 0: nothing is kept back, so the margin is gone exactly at BP = 65,000 - 6,500 = 58,500
        for model in margin.MODELS:
            price = liquidation_price_isolated(side="long", entry_price=65_000, quantity=BTC_Q, margin=1_000,
                                               mmr=0, model=model)
            assert price == pytest.approx(58_500, rel=1e-12)

    def test_default_model_is_exchange(self):
        explicit = liquidation_price_isolated(side="long", entry_price=100, quantity=1, margin=10, mmr=0.01,
                                              model="exchange")
        default = liquidation_price_isolated(side="long", entry_price=100, quantity=1, margin=10, mmr=0.01)
        # (100 - 10) / 0.99 = 90.909...
        assert default == explicit == pytest.approx(90 / 0.99, rel=1e-12)

    def test_long_at_one_times_exchange_model_has_no_liquidation_price(self):
        # (N - N) / (Q*(1 - MMR)) = 0: a 1x long's margin covers a fall to zero (Binance shows "--")
        assert liquidation_price_isolated(side="long", entry_price=3_400, quantity=1, margin=3_400, mmr=0.005) is None

    def test_over_collateralised_long_simple_model_has_no_liquidation_price(self):
        # 3,400 - (6,800 - 3,400 * 0.005) / 1 = 3,400 - 6,783 < 0
        assert liquidation_price_isolated(side="long", entry_price=3_400, quantity=1, margin=6_800, mmr=0.005,
                                          model="simple") is None

    def test_long_at_one_times_simple_model_still_liquidates_near_zero(self):
        # Simple model: requirement on entry value, N*MMR = 17; 3,400 - (3,400 - 17) = 17
        price = liquidation_price_isolated(side="long", entry_price=3_400, quantity=1, margin=3_400, mmr=0.005,
                                           model="simple")
        assert price == pytest.approx(17, rel=1e-12)

    def test_short_at_one_times_always_has_a_price(self):
        # exchange: (3,400 + 3,400) / 1.005 = 6,766.17...
        price = liquidation_price_isolated(side="short", entry_price=3_400, quantity=1, margin=3_400, mmr=0.005)
        assert price == pytest.approx(6_800 / 1.005, rel=1e-12)

    def test_rate_above_initial_margin_puts_the_price_beyond_entry(self):
        # 125x long (0.8% margin) with a 1% rate: liquidated as it opens. Simple:
        # 65,000 * (1 - 0.008 + 0.01) = 65,130, above the entry (documented, not hidden)
        price = liquidation_price_isolated(side="long", entry_price=65_000, quantity=1, margin=520, mmr=0.01,
                                           model="simple")
        assert price == pytest.approx(65_130, rel=1e-12)
        assert price > 65_000


# ============================================================================================
# Bad input: one error type, naming the field and the value
# ============================================================================================

GOOD_POSITION = {"side": "long", "entry_price": 100.0, "quantity": 2.0, "mmr": 0.01}

#: the call to make, with every argument valid
CALLS = {
    "initial_margin": (initial_margin, {"notional": 1_000.0, "leverage": 10.0}),
    "maintenance_margin": (maintenance_margin, {"notional": 1_000.0, "mmr": 0.005, "maintenance_amount": 0.0}),
    "bankruptcy_price": (bankruptcy_price, {"side": "long", "entry_price": 100.0, "quantity": 2.0, "margin": 20.0}),
    "liquidation_price_isolated": (liquidation_price_isolated, {
        "side": "long", "entry_price": 100.0, "quantity": 2.0, "margin": 20.0, "mmr": 0.01,
        "maintenance_amount": 0.0, "model": "exchange"}),
    "liquidation_price_tiered": (margin.liquidation_price_tiered, {
        "side": "long", "entry_price": 100.0, "quantity": 2.0, "margin": 20.0,
        "table": "binance-btcusdt-2021-03-18", "model": "exchange"}),
    "tier_for_notional": (margin.tier_for_notional, {"table": "binance-btcusdt-2021-03-18", "notional": 1_000.0}),
    "notional": (notional, {"margin": 1_000.0, "leverage": 10.0}),
    "quantity": (quantity, {"notional": 1_000.0, "entry_price": 100.0}),
    "initial_margin_rate": (initial_margin_rate, {"leverage": 10.0}),
    "distance_to_liquidation": (distance_to_liquidation, {"reference_price": 100.0, "liquidation_price": 90.0}),
    "liquidated_at_entry": (liquidated_at_entry, {"side": "long", "entry_price": 100.0, "liquidation_price": 90.0}),
    "account_state": (account_state, {"wallet_balance": 100.0, "positions": [GOOD_POSITION], "model": "exchange"}),
    "liquidation_price_cross": (liquidation_price_cross, {
        "wallet_balance": 100.0, "positions": [GOOD_POSITION], "target": 0, "model": "exchange"}),
    "shock": (shock, {"wallet_balance": 100.0, "positions": [GOOD_POSITION], "moves": [0.1], "margins": [20.0],
                      "model": "exchange"}),
}

NAN, INF = float("nan"), float("inf")
NOT_NUMBERS = ["100", True, False, None, [1.0], NAN, INF, -INF,
               # beyond a double, or too many digits (margin.MAX_BITS), or not finite
               2**1100, 10**400, Fraction(10**400, 7), Decimal("1e400"), Decimal("NaN"), Decimal("-Infinity"),
               Decimal("1e-7000")]
POSITIVE = NOT_NUMBERS + [0, 0.0, -1, -1e-9]
NON_NEGATIVE = NOT_NUMBERS + [-1, -1e-9]
LEVERAGE = NOT_NUMBERS + [0, 0.5, 0.999, -10]
RATE = NOT_NUMBERS + [1, 1.0, 1.5, -0.001, "0.5%"]
SIDE = ["Long", "buy", "", 1, None, True]
MODEL = ["binance", "Simple", "", None, 0]

BAD = {
    "notional": POSITIVE, "leverage": LEVERAGE, "mmr": RATE, "maintenance_amount": NON_NEGATIVE,
    "side": SIDE, "entry_price": POSITIVE, "quantity": POSITIVE, "margin": POSITIVE, "model": MODEL,
    "wallet_balance": NON_NEGATIVE, "reference_price": POSITIVE,
    # None is "no liquidation price", a valid input
    "liquidation_price": [value for value in POSITIVE if value is not None],
}


def bad_cases():
    for name, (function, kwargs) in CALLS.items():
        for field in kwargs:
            values = BAD.get(field)
            if field == "notional" and name in ("maintenance_margin", "tier_for_notional"):
                values = NON_NEGATIVE  # a notional of 0 needs no maintenance and sits in the first tier
            if field == "wallet_balance" and name == "shock":
                values = POSITIVE  # a shock needs money to lose
            for value in values or ():
                yield pytest.param(function, kwargs, field, value, id=f"{name}-{field}={value!r}")


@pytest.mark.parametrize("function, kwargs, field, value", list(bad_cases()))
def test_bad_scalar_input_names_the_field_and_the_value(function, kwargs, field, value):
    with pytest.raises(MarginInputError) as caught:
        function(**{**kwargs, field: value})
    error = caught.value
    assert error.field == field
    assert error.value is value
    message = str(error)
    assert message.startswith(f"{field}: ")
    assert repr(value)[:57] in message
    assert error.reason in message


def test_the_error_is_a_value_error_so_callers_that_catch_value_error_still_work():
    assert issubclass(MarginInputError, ValueError)


def test_a_long_value_is_shortened_in_the_message():
    with pytest.raises(MarginInputError) as caught:
        initial_margin(notional="9" * 200, leverage=10)
    assert "..." in str(caught.value)
    assert len(str(caught.value)) < 150


@pytest.mark.parametrize("table", ["binance-btcusdt-1999-01-01", "../data/binance-btcusdt-2021-03-18", "", 7, None])
def test_unknown_tier_table(table):
    with pytest.raises(MarginInputError) as caught:
        margin.tier_for_notional(table=table, notional=1_000)
    assert caught.value.field == "tier_table"
    assert repr(table) in str(caught.value)


@pytest.mark.parametrize("key", ["no-such-table", "../../etc/passwd", "a/b"])
def test_load_tier_table_refuses_unknown_and_path_like_keys(key):
    with pytest.raises(MarginInputError) as caught:
        margin.load_tier_table(key)
    assert caught.value.field == "tier_table"


def test_keyword_arguments_only():
    with pytest.raises(TypeError):
        initial_margin(10_000, 20)  # type: ignore[misc]


class TestPositionsInput:
    @pytest.mark.parametrize("field, value", [
        ("side", "sideways"), ("entry_price", 0), ("quantity", -2), ("mark_price", NAN), ("mmr", 1.0),
        ("maintenance_amount", -5), ("entry_price", "100"),
    ])
    def test_a_bad_field_of_a_position_is_named_with_its_index(self, field, value):
        positions = [GOOD_POSITION, {**GOOD_POSITION, field: value}]
        with pytest.raises(MarginInputError) as caught:
            account_state(wallet_balance=100, positions=positions)
        assert caught.value.field == f"positions[1].{field}"
        assert f"positions[1].{field}" in str(caught.value)
        assert repr(value) in str(caught.value)

    def test_a_missing_field_is_named(self):
        with pytest.raises(MarginInputError) as caught:
            account_state(wallet_balance=100, positions=[{"side": "long", "entry_price": 100}])
        assert caught.value.field == "positions[0].quantity"
        assert "missing" in str(caught.value)

    def test_an_unknown_field_is_named(self):
        with pytest.raises(MarginInputError) as caught:
            account_state(wallet_balance=100, positions=[{**GOOD_POSITION, "leverage": 10}])
        assert caught.value.field == "positions[0].leverage"

    @pytest.mark.parametrize("positions", [[], "long", {"side": "long"}, 3, None])
    def test_positions_must_be_a_non_empty_list(self, positions):
        with pytest.raises(MarginInputError) as caught:
            account_state(wallet_balance=100, positions=positions)
        assert caught.value.field == "positions"

    def test_a_row_that_is_not_a_position(self):
        with pytest.raises(MarginInputError) as caught:
            account_state(wallet_balance=100, positions=[GOOD_POSITION, 42])
        assert caught.value.field == "positions[1]"

    def test_position_dataclass_checks_itself(self):
        with pytest.raises(MarginInputError) as caught:
            Position(side="long", entry_price=100, quantity=0)
        assert caught.value.field == "quantity"

    @pytest.mark.parametrize("target", [-1, 1, 2, True, 0.0, "0", None])
    def test_target_must_be_an_index(self, target):
        with pytest.raises(MarginInputError) as caught:
            liquidation_price_cross(wallet_balance=100, positions=[GOOD_POSITION], target=target)
        assert caught.value.field == "target"
        assert repr(target) in str(caught.value)


class TestShockInput:
    def test_margins_above_the_wallet(self):
        # 60 + 50 = 110 > 100
        with pytest.raises(MarginInputError) as caught:
            shock(wallet_balance=100, positions=[GOOD_POSITION, GOOD_POSITION], moves=[0, 0], margins=[60, 50])
        assert caught.value.field == "margins"

    @pytest.mark.parametrize("move", [-1, -1.5])
    def test_a_move_of_minus_100_percent_or_worse(self, move):
        with pytest.raises(MarginInputError) as caught:
            shock(wallet_balance=100, positions=[GOOD_POSITION], moves=[move], margins=[20])
        assert caught.value.field == "moves[0]"

    @pytest.mark.parametrize("move", [NAN, INF, "0.1", True, None])
    def test_a_move_that_is_not_a_number(self, move):
        with pytest.raises(MarginInputError) as caught:
            shock(wallet_balance=100, positions=[GOOD_POSITION], moves=[move], margins=[20])
        assert caught.value.field == "moves[0]"

    @pytest.mark.parametrize("field, value", [("moves", [0, 0]), ("margins", [10, 10]), ("moves", "0"),
                                              ("margins", 20), ("moves", {"a": 1})])
    def test_one_value_per_position(self, field, value):
        kwargs = {"wallet_balance": 100, "positions": [GOOD_POSITION], "moves": [0], "margins": [20], field: value}
        with pytest.raises(MarginInputError) as caught:
            shock(**kwargs)
        assert caught.value.field == field

    def test_a_bad_margin_is_named_with_its_index(self):
        with pytest.raises(MarginInputError) as caught:
            shock(wallet_balance=100, positions=[GOOD_POSITION], moves=[0], margins=[0])
        assert caught.value.field == "margins[0]"


# ============================================================================================
# position_pnl, account_state, liquidation_price_cross
# ============================================================================================

def test_position_pnl_long_short_and_default_mark():
    # short 2 ETH from 3,400 to 3,500: -1 * 2 * 100 = -200
    assert position_pnl(Position(side="short", entry_price=3_400, quantity=2), 3_500) == -200
    # long 0.5 BTC from 60,000 to 62,000: 0.5 * 2,000 = 1,000
    assert position_pnl(Position(side="long", entry_price=60_000, quantity=0.5), 62_000) == 1_000
    # no price given: the mark, 58,000, so 0.5 * -2,000 = -1,000
    assert position_pnl(Position(side="long", entry_price=60_000, quantity=0.5, mark_price=58_000)) == -1_000
    # no mark either: the entry, no profit
    assert position_pnl(Position(side="long", entry_price=60_000, quantity=0.5)) == 0


#: A two-position account worked by hand below: 10,000 of wallet, a 1 BTC long from 60,000 marked
#: at 58,000 (MMR 0.5%) and a 10 ETH short from 3,000 marked at 3,200 (MMR 1%).
ACCOUNT = [
    {"side": "long", "entry_price": 60_000, "quantity": 1, "mark_price": 58_000, "mmr": 0.005, "label": "BTC"},
    {"side": "short", "entry_price": 3_000, "quantity": 10, "mark_price": 3_200, "mmr": 0.01, "label": "ETH"},
]


class TestAccountState:
    def test_exchange_model_by_hand(self):
        # pnl: BTC 1 * (58,000 - 60,000) = -2,000; ETH -10 * (3,200 - 3,000) = -2,000; total -4,000
        # equity 10,000 - 4,000 = 6,000
        # requirement on mark value: 58,000 * 0.5% + 10 * 3,200 * 1% = 290 + 320 = 610
        state = account_state(wallet_balance=10_000, positions=ACCOUNT)
        assert state.unrealized_pnl == pytest.approx(-4_000)
        assert state.equity == pytest.approx(6_000)
        assert state.maintenance_requirement == pytest.approx(610)
        assert state.margin_ratio == pytest.approx(610 / 6_000)
        assert state.liquidated is False

    def test_simple_model_by_hand(self):
        # requirement on entry value: 60,000 * 0.5% + 10 * 3,000 * 1% = 300 + 300 = 600; ratio 600 / 6,000
        state = account_state(wallet_balance=10_000, positions=ACCOUNT, model="simple")
        assert state.maintenance_requirement == pytest.approx(600)
        assert state.margin_ratio == pytest.approx(0.1)

    def test_liquidated_when_equity_falls_to_the_requirement(self):
        # With a wallet of 4,610 the equity, 610, equals the requirement, 610: a ratio of 100%, the line
        # itself. Where exactly 610 = 610 lands in doubles is rounding, so test a cent on either side.
        state = account_state(wallet_balance=4_610, positions=ACCOUNT)
        assert state.margin_ratio == pytest.approx(1.0, rel=1e-12)
        below = account_state(wallet_balance=4_609.99, positions=ACCOUNT)
        assert below.liquidated is True
        assert below.margin_ratio > 1
        above = account_state(wallet_balance=4_610.01, positions=ACCOUNT)
        assert above.liquidated is False
        assert above.margin_ratio < 1

    def test_no_margin_ratio_when_equity_is_not_positive(self):
        # wallet 4,000, pnl -4,000: equity 0
        state = account_state(wallet_balance=4_000, positions=ACCOUNT)
        assert state.equity == pytest.approx(0)
        assert state.margin_ratio is None
        assert state.liquidated is True

    def test_maintenance_amounts_are_subtracted(self):
        # 2 BTC at 60,000 with tier 2's 0.5% and 50: 120,000 * 0.005 - 50 = 550
        state = account_state(wallet_balance=12_000, positions=[
            Position(side="long", entry_price=60_000, quantity=2, mmr=0.005, maintenance_amount=50)])
        assert state.maintenance_requirement == pytest.approx(550)

    def test_accepts_position_objects_and_mappings_alike(self):
        objects = [Position(**row) for row in ACCOUNT]
        assert account_state(wallet_balance=10_000, positions=objects) == account_state(
            wallet_balance=10_000, positions=ACCOUNT)


class TestLiquidationPriceCross:
    def test_btc_exchange_model_by_hand(self):
        # ETH held at 3,200: pnl -2,000, requirement 320. At BTC price P:
        # equity 10,000 - 2,000 + (P - 60,000) = P - 52,000; requirement 0.005 P + 320
        # P - 52,000 = 0.005 P + 320  =>  P = 52,320 / 0.995 = 52,582.91...
        price = liquidation_price_cross(wallet_balance=10_000, positions=ACCOUNT, target=0)
        assert price == pytest.approx(52_320 / 0.995, rel=1e-12)

    def test_btc_simple_model_by_hand(self):
        # requirement on entry: 300 + 300 = 600 whatever P is; P - 52,000 = 600  =>  P = 52,600
        price = liquidation_price_cross(wallet_balance=10_000, positions=ACCOUNT, target=0, model="simple")
        assert price == pytest.approx(52_600, rel=1e-12)

    def test_eth_short_exchange_model_by_hand(self):
        # BTC held at 58,000: pnl -2,000, requirement 290. At ETH price P:
        # 10,000 - 2,000 - 10 (P - 3,000) = 290 + 10 P * 1%  =>  37,710 = 10.1 P  =>  P = 3,733.66...
        price = liquidation_price_cross(wallet_balance=10_000, positions=ACCOUNT, target=1)
        assert price == pytest.approx(37_710 / 10.1, rel=1e-12)

    def test_eth_short_simple_model_by_hand(self):
        # 38,000 - 10 P = 600  =>  P = 3,740
        price = liquidation_price_cross(wallet_balance=10_000, positions=ACCOUNT, target=1, model="simple")
        assert price == pytest.approx(3_740, rel=1e-12)

    def test_binance_docstring_example(self):
        # one long of 0.2 BTC at 50,000 in a 1,000 wallet at 0.5%: (1,000 - 10,000) / (0.2 * -0.995)
        price = liquidation_price_cross(wallet_balance=1_000, target=0, positions=[
            {"side": "long", "entry_price": 50_000, "quantity": 0.2, "mmr": 0.005}])
        assert price == pytest.approx(9_000 / 0.199, rel=1e-12)

    def test_a_long_covered_by_the_account_has_no_price(self):
        # wallet 100,000 behind a 1 BTC long at 60,000: it would need a price below zero
        assert liquidation_price_cross(wallet_balance=100_000, target=0, positions=[
            {"side": "long", "entry_price": 60_000, "quantity": 1, "mmr": 0.005}]) is None

    def test_the_other_marks_matter(self):
        # ETH falling back to its entry removes its 2,000 loss: BTC can fall 2,000 (and a little) further
        held = [ACCOUNT[0], {**ACCOUNT[1], "mark_price": 3_000}]
        # free = 10,000 - 0 - 300 = 9,700; P = (60,000 - 9,700) / 0.995 = 50,300 / 0.995
        assert liquidation_price_cross(wallet_balance=10_000, positions=held, target=0) == pytest.approx(
            50_300 / 0.995, rel=1e-12)


# ============================================================================================
# shock
# ============================================================================================

#: The guide's three positions: 10x each, 10,000 of size, 1,000 of isolated margin, a 3,000 wallet.
THREE = [
    Position(side="long", entry_price=65_000, quantity=10_000 / 65_000, mmr=0.005, label="BTC"),
    Position(side="short", entry_price=3_400, quantity=10_000 / 3_400, mmr=0.005, label="ETH"),
    Position(side="long", entry_price=185, quantity=10_000 / 185, mmr=0.005, label="SOL"),
]


class TestShock:
    @pytest.mark.parametrize("model", margin.MODELS)
    def test_eth_rally_of_15_percent(self, model):
        # ETH +15%: the short loses 10,000 * 15% = 1,500.
        # Isolated: 1,000 + (-1,500) < requirement, liquidated, its 1,000 lost: 3,000 - 1,000 = 2,000 left.
        # Cross: equity 3,000 - 1,500 = 1,500 against a requirement of 150 (simple: 3 * 10,000 * 0.5%)
        # or 157.5 (exchange: 50 + 11,500 * 0.5% + 50): it survives with 1,500.
        result = shock(wallet_balance=3_000, positions=THREE, moves=[0, 0.15, 0], margins=[1_000] * 3, model=model)
        assert result.isolated.liquidated == (1,)
        assert result.isolated.balance_left == pytest.approx(2_000)
        assert result.isolated.total_loss == pytest.approx(1_000)
        assert [p.loss for p in result.isolated.positions] == pytest.approx([0, 1_000, 0], abs=1e-9)
        assert result.cross.liquidated == ()
        assert result.cross.balance_left == pytest.approx(1_500)
        assert result.cross.positions[1].loss == pytest.approx(1_500)
        assert result.cross.total_loss == pytest.approx(1_500)

    @pytest.mark.parametrize("model", margin.MODELS)
    def test_eth_squeeze_of_30_percent(self, model):
        # ETH +30%: the short loses 3,000. Isolated: still only its 1,000: 2,000 left, BTC and SOL open.
        # Cross: equity 3,000 - 3,000 = 0 <= requirement: everything closed, nothing left.
        result = shock(wallet_balance=3_000, positions=THREE, moves=[0, 0.30, 0], margins=[1_000] * 3, model=model)
        assert result.isolated.liquidated == (1,)
        assert result.isolated.balance_left == pytest.approx(2_000)
        assert result.cross.liquidated == (0, 1, 2)
        assert result.cross.balance_left == 0
        assert result.cross.total_loss == 3_000
        assert result.cross.equity_after == pytest.approx(0, abs=1e-9)

    def test_a_loss_smaller_than_the_margin_keeps_the_position_open(self):
        # ETH +5%: loss 500; isolated equity 1,000 - 500 = 500 > 52.5 (10,500 * 0.5%): open.
        result = shock(wallet_balance=3_000, positions=THREE, moves=[0, 0.05, 0], margins=[1_000] * 3)
        assert result.isolated.liquidated == ()
        assert result.isolated.balance_left == pytest.approx(2_500)
        assert result.cross.balance_left == pytest.approx(2_500)

    def test_gains_offset_losses_only_under_cross(self):
        # BTC -9.6% and SOL +9.6% on 10x, ETH unchanged:
        # BTC loses 960; isolated equity 1,000 - 960 = 40 <= its requirement on 9,040 of value (45.2): liquidated.
        # Isolated balance: 3,000 - 1,000 (BTC's margin) + 960 (SOL's gain) = 2,960.
        # Cross: equity 3,000 - 960 + 960 = 3,000, far above the requirement: all open, 3,000 left.
        result = shock(wallet_balance=3_000, positions=THREE, moves=[-0.096, 0, 0.096], margins=[1_000] * 3)
        assert result.isolated.liquidated == (0,)
        assert result.isolated.balance_left == pytest.approx(2_960)
        assert result.cross.liquidated == ()
        assert result.cross.balance_left == pytest.approx(3_000)

    def test_prices_after_and_labels(self):
        result = shock(wallet_balance=3_000, positions=THREE, moves=[0.1, -0.2, 0], margins=[1_000] * 3)
        # 65,000 * 1.1 = 71,500; 3,400 * 0.8 = 2,720; 185 unchanged
        assert [p.price_after for p in result.isolated.positions] == pytest.approx([71_500, 2_720, 185])
        assert [p.label for p in result.cross.positions] == ["BTC", "ETH", "SOL"]

    def test_moves_apply_to_the_mark_not_the_entry(self):
        # a long from 100 marked at 90; +10% takes it to 99 (not 110): pnl 10 * (99 - 100) = -10
        held = Position(side="long", entry_price=100, quantity=10, mark_price=90, mmr=0.01)
        result = shock(wallet_balance=500, positions=[held], moves=[0.1], margins=[200])
        assert result.isolated.positions[0].price_after == pytest.approx(99)
        assert result.isolated.positions[0].pnl == pytest.approx(-10)

    def test_unlabelled_positions_are_numbered(self):
        result = shock(wallet_balance=100, positions=[GOOD_POSITION], moves=[0], margins=[20])
        assert result.isolated.positions[0].label == "position 1"

    def test_docstring_example_short_eth(self):
        # A 3,000 wallet, a 10x short of 10,000 of ETH from 3,400 with 1,000 of margin, ETH +15%.
        eth = Position(side="short", entry_price=3_400, quantity=10_000 / 3_400, mmr=0.005)
        result = shock(wallet_balance=3_000, positions=[eth], moves=[0.15], margins=[1_000])
        assert result.isolated.balance_left == pytest.approx(2_000)
        assert result.cross.balance_left == pytest.approx(1_500)


# ============================================================================================
# Exact answers at every boundary (issue 9)
# ============================================================================================

class TestExactBoundaries:
    @pytest.mark.parametrize("side, entry, move", [
        ("long", 185, F("-0.095")),    # the compare calculator's SOL row
        ("long", F("0.5"), F("-0.095")),
        ("short", 3_400, F("0.095")),
    ])
    def test_a_loss_that_leaves_exactly_the_requirement_is_liquidated(self, side, entry, move):
        # simple model, size 10,000 at 10x: margin 1,000; the move loses 10,000 * 9.5% = 950, so
        # margin + pnl = 1,000 - 950 = 50, exactly the requirement 10,000 * 0.5% = 50: liquidated
        # (margin + pnl <= requirement). In doubles 50.00000000000057 was left and it stayed open.
        position = Position(side=side, entry_price=entry, quantity=quantity(notional=10_000, entry_price=entry),
                            mmr=HALF_PCT)
        result = shock(wallet_balance=3_000, positions=[position], moves=[move], margins=[1_000], model="simple")
        outcome = result.isolated.positions[0]
        assert outcome.pnl == -950
        assert outcome.liquidated is True and outcome.loss == 1_000
        # a cent less of a move and it stays open: 1,000 - 949.99... > 50
        nearer = move - F("0.0001") * sign(side) * -1
        assert shock(wallet_balance=3_000, positions=[position], moves=[nearer], margins=[1_000],
                     model="simple").isolated.liquidated == ()

    def test_a_one_times_long_has_no_liquidation_price(self):
        # the reader's figures: entry 10,257.29, margin 97,288.61 at 1x, 0.5%, exchange model.
        # N = M, so LP = (N - M) / (Q * 0.995) = 0 exactly: no price (doubles showed $0.000000000001574)
        entry, margin_ = F("10257.29"), F("97288.61")
        size = notional(margin=margin_, leverage=1)
        q = quantity(notional=size, entry_price=entry)
        assert liquidation_price_isolated(side="long", entry_price=entry, quantity=q, margin=margin_,
                                          mmr=HALF_PCT) is None
        assert bankruptcy_price(side="long", entry_price=entry, quantity=q, margin=margin_) is None

    @pytest.mark.parametrize("leverage, rate", [(2, F("0.5")), (20, F("0.05")), (10, F("0.1")), (125, F("0.008"))])
    @pytest.mark.parametrize("side", ["long", "short"])
    def test_a_rate_of_one_over_leverage_is_liquidated_at_entry(self, leverage, rate, side):
        # exchange model, M = N/L = N*MMR: LP = (s*N - N/L) / (Q*(s - 1/L)) = EP exactly
        entry = F("65000")
        q = quantity(notional=10_000, entry_price=entry)
        price = liquidation_price_isolated(side=side, entry_price=entry, quantity=q,
                                           margin=initial_margin(notional=10_000, leverage=leverage), mmr=rate)
        assert price == entry
        assert liquidated_at_entry(side=side, entry_price=entry, liquidation_price=price) is True

    @pytest.mark.parametrize("wallet", [F("0.3"), Decimal("0.3"), F(3, 10)])
    def test_a_wallet_exactly_equal_to_the_margins_is_accepted(self, wallet):
        # sizes 1 and 2 at 10x: margins 0.1 and 0.2, exactly 0.3 (0.1 + 0.2 == 0.3 in exact arithmetic)
        rows = [{"side": "long", "entry_price": 1, "quantity": 1, "mmr": HALF_PCT},
                {"side": "short", "entry_price": 1, "quantity": 2, "mmr": HALF_PCT}]
        margins = [initial_margin(notional=1, leverage=10), initial_margin(notional=2, leverage=10)]
        assert margins == [F(1, 10), F(1, 5)]
        result = shock(wallet_balance=wallet, positions=rows, moves=[0, 0], margins=margins)
        assert result.isolated.balance_left == F(3, 10)
        # a millionth less is refused, and the float 0.3 (just below 3/10 in binary) too
        for short_of in (F(3, 10) - F(1, 10**6), 0.3):
            with pytest.raises(MarginInputError) as caught:
                shock(wallet_balance=short_of, positions=rows, moves=[0, 0], margins=margins)
            assert caught.value.field == "margins"


class TestOneClampRule:
    """requirement = max(Q * basis * MMR - cum, 0), in every function."""

    def test_an_amount_above_the_requirement_asks_for_nothing(self):
        # 1 unit at 100, MMR 1%, cum 5: 100 * 1% - 5 = -4, so 0
        assert maintenance_margin(notional=100, mmr=F("0.01"), maintenance_amount=5) == 0

    @pytest.mark.parametrize("model", margin.MODELS)
    def test_isolated_long_below_the_breakpoint_liquidates_at_bankruptcy(self, model):
        # long 1 at 100, M 10, MMR 1%, cum 5. Exchange: the requirement is 0 below 5 / 0.01 = 500, so
        # liquidation where the margin is gone: 100 - 10 = 90 (unclamped: (100 - 10 - 5) / 0.99 = 85.86,
        # the requirement lending the position 5). Simple: max(1 - 5, 0) = 0, again 90.
        price = liquidation_price_isolated(side="long", entry_price=100, quantity=1, margin=10, mmr=F("0.01"),
                                           maintenance_amount=5, model=model)
        assert price == 90

    def test_isolated_short_on_the_charged_piece(self):
        # short 1 at 100, M 10, MMR 1%, cum 0.5: breakpoint 0.5 / 0.01 = 50, below the price found:
        # (-100 - 10 - 0.5) / (1 * (-1 - 0.01)) = 110.5 / 1.01; requirement there 1.094... - 0.5 > 0
        price = liquidation_price_isolated(side="short", entry_price=100, quantity=1, margin=10, mmr=F("0.01"),
                                           maintenance_amount=F("0.5"))
        assert price == F("110.5") / F("1.01")
        # with cum 5 the breakpoint is 500: the requirement is 0 at the bankruptcy price 110
        assert liquidation_price_isolated(side="short", entry_price=100, quantity=1, margin=10, mmr=F("0.01"),
                                          maintenance_amount=5) == 110

    def test_a_root_exactly_on_the_breakpoint(self):
        # long 1 at 100, M 20, MMR 10%, cum 8: breakpoint 8 / 0.1 = 80 = the bankruptcy price 100 - 20.
        # Both pieces meet there: (100 - 20 - 8) / 0.9 = 80 as well.
        assert liquidation_price_isolated(side="long", entry_price=100, quantity=1, margin=20, mmr=F("0.1"),
                                          maintenance_amount=8) == 80

    @pytest.mark.parametrize("model", margin.MODELS)
    def test_cross_and_account_state_use_the_same_rule(self, model):
        # one long (1 at 100, cum 5 > 100 * 1%) in a wallet of 10: the same 90 as isolated, and at 90
        # account_state has equity 0 = requirement 0: liquidated
        row = {"side": "long", "entry_price": 100, "quantity": 1, "mmr": F("0.01"), "maintenance_amount": 5}
        assert liquidation_price_cross(wallet_balance=10, positions=[row], target=0, model=model) == 90
        state = account_state(wallet_balance=10, positions=[dict(row, mark_price=90)], model=model)
        assert (state.equity, state.maintenance_requirement, state.liquidated) == (0, 0, True)
        moved = shock(wallet_balance=10, positions=[row], moves=[F("-0.1")], margins=[10], model=model)
        assert moved.isolated.liquidated == (0,) and moved.cross.liquidated == (0,)


#: Hedge mode: a 1 BTC long from 60,000 and a 1 BTC short from 62,000, both marked at 61,000, 0.5%.
HEDGE = [
    {"side": "long", "entry_price": 60_000, "quantity": 1, "mark_price": 61_000, "mmr": HALF_PCT, "label": "BTC"},
    {"side": "short", "entry_price": 62_000, "quantity": 1, "mark_price": 61_000, "mmr": HALF_PCT, "label": "BTC"},
]


class TestHedgedPositions:
    """Positions with the same label are one asset with one price. Expected values by hand from
    Binance's hedge-mode formula (FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures
    Contracts", 2020-08-14):
    P = (WB_rest + cum_L + cum_S - Q_L*EP_L + Q_S*EP_S) / (Q_L*MMR_L + Q_S*MMR_S - Q_L + Q_S)."""

    def test_a_fully_hedged_pair_liquidates_where_the_requirement_catches_the_equity(self):
        # (3,000 + 0 + 0 - 60,000 + 62,000) / (0.005 + 0.005 - 1 + 1) = 5,000 / 0.01 = 500,000.
        # Check: equity 3,000 + (P - 60,000) - (P - 62,000) = 5,000 at any P; requirement 0.01 P.
        for target in (0, 1):
            assert liquidation_price_cross(wallet_balance=3_000, positions=HEDGE, target=target) == 500_000
        at = [dict(row, mark_price=500_000) for row in HEDGE]
        state = account_state(wallet_balance=3_000, positions=at)
        assert (state.equity, state.maintenance_requirement, state.liquidated) == (5_000, 5_000, True)

    def test_a_fully_hedged_pair_in_the_simple_model_is_never_liquidated(self):
        # requirements on entry value, 300 + 310 = 610, below the constant 5,000: no price
        assert liquidation_price_cross(wallet_balance=3_000, positions=HEDGE, target=0, model="simple") is None

    def test_a_partly_hedged_asset_with_another_asset_held(self):
        # BTC long 2 from 60,000 and short 1 from 62,000 marked at 61,000 (0.5%); ETH short 10 from 3,000
        # marked at 3,200 (1%). WB_rest = 10,000 + ETH's -2,000 - its requirement 320 = 7,680.
        # P = (7,680 - 120,000 + 62,000) / (0.01 + 0.005 - 2 + 1) = -50,320 / -0.985 = 10,064,000 / 197
        rows = [dict(HEDGE[0], quantity=2), HEDGE[1], dict(ACCOUNT[1], mmr=F("0.01"))]
        for target in (0, 1):
            assert liquidation_price_cross(wallet_balance=10_000, positions=rows, target=target) == F(10_064_000, 197)

    def test_maintenance_amounts_and_the_clamp(self):
        # long 3 from 60,000 (1%, cum 1,300) and short 2 from 61,000 (0.5%, cum 50), marked 60,500; WB 20,000.
        # Binance's formula, both legs charged: (20,000 + 1,300 + 50 - 180,000 + 122,000) / (0.03 + 0.01 - 1)
        #   = -36,650 / -0.96 = 38,177.08; but there the long's requirement 3 * 38,177.08 * 1% - 1,300 is
        #   -154.69: the long is below its breakpoint 1,300 / 0.03 = 43,333.33 and charged 0 (the clamp).
        # With the long uncharged: 20,000 + 3(P - 60,000) - 2(P - 61,000) - (0.01 P - 50) = 0
        #   => -37,950 + 0.99 P = 0 => P = 37,950 / 0.99 = 1,265,000 / 33 = 38,333.33
        #   (the short is charged there: 2 * 38,333.33 * 0.5% = 383.33 > 50).
        rows = [
            {"side": "long", "entry_price": 60_000, "quantity": 3, "mark_price": 60_500, "mmr": F("0.01"),
             "maintenance_amount": 1_300, "label": "BTC"},
            {"side": "short", "entry_price": 61_000, "quantity": 2, "mark_price": 60_500, "mmr": HALF_PCT,
             "maintenance_amount": 50, "label": "BTC"},
        ]
        assert liquidation_price_cross(wallet_balance=20_000, positions=rows, target=1) == F(1_265_000, 33)

    @pytest.mark.parametrize("mark, expected", [(45, 40), (60, F(550, 9)), (100, F(550, 9))])
    def test_two_liquidation_prices_the_nearest_to_the_mark(self, mark, expected):
        # long 10 and short 9 from 100, MMR 10%, cum 50 and 45 (breakpoints both at 50), WB 60.
        # Below 50 nothing is charged: 60 + 10(P - 100) - 9(P - 100) = P - 40, root 40.
        # Above 50: P - 40 - (P - 50) - (0.9 P - 45) = 55 - 0.9 P, root 550 / 9 = 61.11 (Binance's formula:
        # (60 + 50 + 45 - 1,000 + 900) / (1 + 0.9 - 10 + 9) = 55 / 0.9). The account lives between them;
        # the price nearest the asset's mark is the one reported.
        rows = [
            {"side": "long", "entry_price": 100, "quantity": 10, "mark_price": mark, "mmr": F("0.1"),
             "maintenance_amount": 50, "label": "X"},
            {"side": "short", "entry_price": 100, "quantity": 9, "mark_price": mark, "mmr": F("0.1"),
             "maintenance_amount": 45, "label": "X"},
        ]
        assert liquidation_price_cross(wallet_balance=60, positions=rows, target=0) == expected

    def test_unlabelled_positions_are_separate_assets(self):
        # without labels the pair is two assets: the long alone moving, the short held at 61,000:
        # 3,000 + (P - 60,000) + 1,000 - 305 = 0.005 P  =>  P = 56,305 / 0.995
        rows = [dict(row, label="") for row in HEDGE]
        assert liquidation_price_cross(wallet_balance=3_000, positions=rows, target=0) == F(56_305) / F("0.995")

    def test_one_asset_must_have_one_mark(self):
        rows = [HEDGE[0], dict(HEDGE[1], mark_price=61_001)]
        for call in (lambda: account_state(wallet_balance=3_000, positions=rows),
                     lambda: liquidation_price_cross(wallet_balance=3_000, positions=rows, target=0)):
            with pytest.raises(MarginInputError) as caught:
                call()
            assert caught.value.field == "positions[1].mark_price"
            assert "'BTC'" in caught.value.reason

    def test_in_a_shock_one_asset_must_be_given_one_move(self):
        with pytest.raises(MarginInputError) as caught:
            shock(wallet_balance=3_000, positions=HEDGE, moves=[F("0.1"), F("0.2")], margins=[1_000, 1_000])
        assert caught.value.field == "moves[1]"
        assert "moves[0]" in caught.value.reason

    def test_a_shock_moves_both_legs_to_one_price(self):
        # +10%: both at 67,100. Long +7,100, short -5,100; cross equity 3,000 + 2,000 = 5,000
        # against 0.01 * 67,100 = 671: open. Isolated, with 1,000 each, the short loses 5,100: liquidated.
        result = shock(wallet_balance=3_000, positions=HEDGE, moves=[F("0.1")] * 2, margins=[1_000, 1_000])
        assert [p.price_after for p in result.cross.positions] == [67_100, 67_100]
        assert [p.pnl for p in result.cross.positions] == [7_100, -5_100]
        assert result.cross.balance_left == 5_000 and result.cross.liquidated == ()
        assert result.isolated.liquidated == (1,)
        # 3,000 - 1,000 (the short's margin) + 7,100 (the long's gain)
        assert result.isolated.balance_left == 9_100


class TestNumbersInAndOut:
    @pytest.mark.parametrize("value", [F(1, 200), Decimal("0.005"), "float"])
    def test_every_number_type_is_exact(self, value):
        # a Fraction and a Decimal 0.005 are 1/200; a float is its binary value, also exact
        rate = 0.005 if value == "float" else value
        result = maintenance_margin(notional=10_000, mmr=rate)
        assert result == 10_000 * F(rate)
        assert type(result) is Fraction

    def test_an_int_beyond_a_double_is_refused_naming_the_field(self):
        for value in (2**1100, 10**400, -(2**1100), F(10**400, 3), Decimal("1e400")):
            with pytest.raises(MarginInputError) as caught:
                initial_margin(notional=10, leverage=value)
            assert caught.value.field == "leverage"
            assert "too large" in caught.value.reason

    def test_fractions_at_the_edge_of_a_doubles_range(self):
        # The largest double is (2 - 2**-52) * 2**1023 (IEEE 754 binary64): a Fraction up to it, exactly,
        # is accepted; one a hair above it, or 2**1024, is too large. Near it the input checks decide by
        # bit lengths first (a numerator up to 1,022 bits longer than the denominator is below 2**1023),
        # then exactly: both sides of that shortcut are here.
        largest = F(2**53 - 1, 2**52) * 2**1023
        assert largest == F(sys.float_info.max)
        accepted = (F(2**1023 - 1), F(2**1024 - 1, 3), largest, F(2**1030 - 1, 2**8))
        # distance_to_liquidation of a price to itself is 0, in range whatever the price: only the input
        # check can refuse it
        for value in accepted:
            assert distance_to_liquidation(reference_price=value, liquidation_price=value) == 0
        for value in (largest + F(1, 2**60), F(2**1024 - 1), F(2**1024), F(2**1030, 2**6)):
            with pytest.raises(MarginInputError) as caught:
                distance_to_liquidation(reference_price=value, liquidation_price=value)
            assert caught.value.field == "reference_price" and "too large" in caught.value.reason

    def test_a_number_with_too_many_digits_is_refused(self):
        for value in (F(1, 2**(margin.MAX_BITS + 1)), Decimal("1e-7000"), Decimal("1." + "1" * 7000)):
            with pytest.raises(MarginInputError) as caught:
                liquidation_price_isolated(side="long", entry_price=100, quantity=1, margin=10, mmr=value)
            assert caught.value.field == "mmr"
            assert "too many digits" in caught.value.reason
            assert str(caught.value).startswith("mmr: ")

    def test_a_result_can_be_passed_back_in(self):
        # a price computed from awkward doubles is accepted again by the functions that take one
        price = liquidation_price_isolated(side="long", entry_price=1e-300, quantity=3e299, margin=1e-310,
                                           mmr=2.5e-293, maintenance_amount=1e-320)
        assert distance_to_liquidation(reference_price=1e-300, liquidation_price=price) > 0

    def test_an_overflowing_profit_names_the_position(self):
        rows = [{"side": "long", "entry_price": 1, "quantity": 1e300, "mark_price": 1e300}]
        with pytest.raises(MarginInputError) as caught:
            account_state(wallet_balance=1, positions=rows)
        assert caught.value.field == "positions[0].quantity"
        with pytest.raises(MarginInputError) as caught:
            shock(wallet_balance=1, positions=[dict(rows[0], mark_price=1e10)], moves=[1], margins=[1])
        assert caught.value.field == "positions[0].quantity"

    def test_an_overflowing_price_after_a_shock_names_the_move(self):
        with pytest.raises(MarginInputError) as caught:
            shock(wallet_balance=1, positions=[{"side": "long", "entry_price": 1e300, "quantity": 1e-300}],
                  moves=[1e10], margins=[1])
        assert caught.value.field == "moves[0]"

    def test_a_sum_beyond_a_double_names_its_largest_term(self):
        # two profits of 1e308 each are within range; together they are not
        rows = [{"side": "long", "entry_price": 1, "quantity": 1, "mark_price": 1e308},
                {"side": "long", "entry_price": 1, "quantity": 2, "mark_price": 1e308}]
        with pytest.raises(MarginInputError) as caught:
            account_state(wallet_balance=1, positions=rows)
        assert caught.value.field == "positions[1].quantity"

    def test_results_are_never_floats(self):
        state = account_state(wallet_balance=10_000, positions=ACCOUNT)
        assert all(type(v) is Fraction for v in (state.equity, state.unrealized_pnl,
                                                 state.maintenance_requirement, state.margin_ratio))


# ============================================================================================
# Properties, exact: the definitions written here from scratch, in Fraction
# ============================================================================================

#: at most 200 examples a property: the whole suite stays within its time budget in CI
MANY = settings(max_examples=200, deadline=None)
SOME = settings(max_examples=100, deadline=None)


def exact(p: dict) -> dict:
    """The position's numbers as the exact Fractions of the floats drawn."""
    return {k: (Fraction(v) if isinstance(v, float) else v) for k, v in p.items()}


def surplus(p: dict, price: Fraction, model: str) -> Fraction:
    """Equity minus the (clamped) requirement of an isolated position at ``price``: liquidated at <= 0."""
    p = exact(p)
    basis = price if model == "exchange" else p["entry_price"]
    requirement = max(p["quantity"] * basis * p["mmr"] - p.get("maintenance_amount", 0), 0)
    return p["margin"] + sign(p["side"]) * p["quantity"] * (price - p["entry_price"]) - requirement


@MANY
@given(strategies.isolated_positions(), strategies.MODELS)
def test_at_the_liquidation_price_equity_equals_the_requirement_exactly(position, model):
    price = liquidation_price_isolated(**isolated_kwargs(position), model=model)
    assume(price is not None)  # no price: the next property
    assert isinstance(price, Fraction) and price > 0
    assert surplus(position, price, model) == 0
    # and the side of it on which the position loses is liquidated, the other side not
    step = price / 10**6
    s = sign(position["side"])
    assert surplus(position, price - s * step, model) < 0
    assert surplus(position, price + s * step, model) > 0


@MANY
@given(strategies.maybe_without_liquidation_price())
def test_none_means_no_positive_price_liquidates_the_position(case):
    position, model = case
    assume(liquidation_price_isolated(**isolated_kwargs(position), model=model) is None)
    # surplus is increasing in the price for a long (slopes Q or Q*(1 - MMR)) and a short always has a
    # price: it is enough that a long keeps a surplus of at least 0 at a price of 0 (the limit)
    assert position["side"] == "long"
    assert surplus(position, Fraction(0), model) >= 0


@MANY
@given(strategies.safe_isolated_positions(), strategies.MODELS)
def test_liquidation_lies_strictly_between_bankruptcy_and_entry(position, model):
    # 0 < MMR < 1/L and L > 1: exact, so no margin of rounding is needed
    kwargs = isolated_kwargs(position)
    price = liquidation_price_isolated(**kwargs, model=model)
    bankrupt = bankruptcy_price(**{k: kwargs[k] for k in ("side", "entry_price", "quantity", "margin")})
    entry = Fraction(position["entry_price"])
    if position["side"] == "long":
        assert bankrupt < price < entry
    else:
        assert entry < price < bankrupt


@MANY
@given(strategies.safe_isolated_positions(mmr_zero=True), strategies.MODELS)
def test_with_no_maintenance_rate_liquidation_is_bankruptcy(position, model):
    kwargs = isolated_kwargs(position)
    price = liquidation_price_isolated(**kwargs, model=model)
    assert price == bankruptcy_price(**{k: kwargs[k] for k in ("side", "entry_price", "quantity", "margin")})


@MANY
@given(strategies.isolated_positions(), strategies.MODELS, strategies.EXTRA_MARGIN_FRACTIONS)
def test_adding_margin_never_moves_liquidation_toward_the_entry(position, model, extra_fraction):
    kwargs = isolated_kwargs(position)
    before = liquidation_price_isolated(**kwargs, model=model)
    after = liquidation_price_isolated(**{**kwargs, "margin": kwargs["margin"] * (1 + extra_fraction)}, model=model)
    if position["side"] == "long":
        assert after is None or (before is not None and after < before)
    else:
        assert after > before


@SOME
@given(strategies.isolated_positions(), strategies.MODELS)
def test_one_position_in_cross_with_its_margin_as_wallet_is_the_isolated_price(position, model):
    kwargs = isolated_kwargs(position)
    row = {k: kwargs[k] for k in ("side", "entry_price", "quantity", "mmr", "maintenance_amount")}
    cross = liquidation_price_cross(wallet_balance=kwargs["margin"], positions=[row], target=0, model=model)
    assert cross == liquidation_price_isolated(**kwargs, model=model)


def requirement_of(row: dict, price: Fraction, model: str) -> Fraction:
    row = exact(row)
    basis = price if model == "exchange" else row["entry_price"]
    return max(row["quantity"] * basis * row["mmr"] - row.get("maintenance_amount", 0), 0)


def equity_minus_requirement(wallet: float, rows: list[dict], target: int, price: Fraction, model: str) -> Fraction:
    """The account with the target's asset (its label, or itself unlabelled) at ``price``."""
    label = rows[target].get("label", "")
    total = Fraction(wallet)
    for i, row in enumerate(rows):
        moves = i == target or (label and row.get("label", "") == label)
        at = price if moves else Fraction(row.get("mark_price", row["entry_price"]))
        r = exact(row)
        total += sign(row["side"]) * r["quantity"] * (at - r["entry_price"]) - requirement_of(row, at, model)
    return total


@SOME
@given(strategies.accounts(min_size=2, marks=False), st.data(), strategies.MODELS)
def test_cross_with_others_at_entry_equals_isolated_with_wallet_less_their_requirement(account, data, model):
    wallet, rows = account
    target = data.draw(st.integers(0, len(rows) - 1))
    others = [row for i, row in enumerate(rows) if i != target]
    # the others at their entry price: no profit, and the same (clamped) requirement in both models
    margin_left = Fraction(wallet) - sum(requirement_of(r, Fraction(r["entry_price"]), "simple") for r in others)
    assume(margin_left > 0)  # the isolated side needs a positive margin
    cross = liquidation_price_cross(wallet_balance=wallet, positions=rows, target=target, model=model)
    k = rows[target]
    isolated = liquidation_price_isolated(side=k["side"], entry_price=k["entry_price"], quantity=k["quantity"],
                                          margin=margin_left, mmr=k["mmr"],
                                          maintenance_amount=k["maintenance_amount"], model=model)
    assert cross == isolated


@SOME
@given(strategies.accounts(hedged=True), st.data(), strategies.MODELS)
def test_at_the_cross_price_the_account_equity_equals_its_requirement(account, data, model):
    wallet, rows = account
    target = data.draw(st.integers(0, len(rows) - 1))
    price = liquidation_price_cross(wallet_balance=wallet, positions=rows, target=target, model=model)
    assume(price is not None)
    assert equity_minus_requirement(wallet, rows, target, price, model) == 0
    # and account_state, with the target's asset moved to that price, is on its line
    label = rows[target].get("label", "")
    moved = [dict(row, mark_price=price) if i == target or (label and row["label"] == label) else row
             for i, row in enumerate(rows)]
    state = account_state(wallet_balance=wallet, positions=moved, model=model)
    assert state.equity == state.maintenance_requirement
    assert state.liquidated is True


@SOME
@given(strategies.accounts(hedged=True), st.data(), strategies.MODELS)
def test_every_position_of_one_asset_has_the_same_cross_price(account, data, model):
    wallet, rows = account
    by_label: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if row["label"]:
            by_label.setdefault(row["label"], []).append(i)
    for members in by_label.values():
        prices = {liquidation_price_cross(wallet_balance=wallet, positions=rows, target=i, model=model)
                  for i in members}
        assert len(prices) == 1


@SOME
@given(strategies.accounts(hedged=True), strategies.MODELS)
def test_account_state_margin_ratio_and_flag_agree(account, model):
    wallet, rows = account
    state = account_state(wallet_balance=wallet, positions=rows, model=model)
    assert state.equity == Fraction(wallet) + state.unrealized_pnl
    assert state.maintenance_requirement == sum(
        requirement_of(r, Fraction(r.get("mark_price", r["entry_price"])), model) for r in rows)
    assert state.liquidated is (state.equity <= state.maintenance_requirement)
    if state.equity > 0:
        assert state.margin_ratio == state.maintenance_requirement / state.equity
        assert state.liquidated is (state.margin_ratio >= 1)
    else:
        assert state.margin_ratio is None
        assert state.liquidated


@SOME
@given(strategies.shocks(), strategies.MODELS)
def test_an_isolated_position_never_loses_more_than_its_margin(case, model):
    wallet, rows, margins, moves = case
    assume(sum(map(Fraction, margins)) <= Fraction(wallet))  # rounding of the drawn shares: refused, see TestShockInput
    result = shock(wallet_balance=wallet, positions=rows, moves=moves, margins=margins, model=model)
    for outcome, own in zip(result.isolated.positions, margins):
        assert outcome.loss <= Fraction(own)
        if outcome.liquidated:
            assert outcome.loss == Fraction(own)
    assert result.isolated.balance_left >= Fraction(wallet) - sum(map(Fraction, margins))
    assert 0 <= result.cross.balance_left
    assert result.cross.total_loss <= Fraction(wallet)


@SOME
@given(strategies.shocks(), strategies.MODELS)
def test_shock_follows_the_definitions(case, model):
    wallet, rows, margins, moves = case
    assume(sum(map(Fraction, margins)) <= Fraction(wallet))
    result = shock(wallet_balance=wallet, positions=rows, moves=moves, margins=margins, model=model)
    prices = [Fraction(r.get("mark_price", r["entry_price"])) * (1 + Fraction(m)) for r, m in zip(rows, moves)]
    pnls = [sign(r["side"]) * Fraction(r["quantity"]) * (p - Fraction(r["entry_price"])) for r, p in zip(rows, prices)]
    requirements = [requirement_of(r, p, model) for r, p in zip(rows, prices)]
    for i, outcome in enumerate(result.isolated.positions):
        assert (outcome.price_after, outcome.pnl) == (prices[i], pnls[i])
        assert outcome.liquidated is (Fraction(margins[i]) + pnls[i] <= requirements[i])
    assert result.isolated.balance_left == Fraction(wallet) - sum(p.loss for p in result.isolated.positions)
    equity = Fraction(wallet) + sum(pnls)
    assert result.cross.equity_after == equity
    assert bool(result.cross.liquidated) is (equity <= sum(requirements))
    assert result.cross.balance_left == (0 if result.cross.liquidated else equity)


@SOME
@given(strategies.isolated_positions(), strategies.MODELS)
def test_shock_liquidates_exactly_at_the_isolated_liquidation_price(position, model):
    # A jump exactly to the liquidation price liquidates (equity = requirement); a millionth short of
    # it does not: the boundary itself, decided exactly.
    kwargs = isolated_kwargs(position)
    price = liquidation_price_isolated(**kwargs, model=model)
    entry = Fraction(position["entry_price"])
    s = sign(position["side"])
    assume(price is not None and (entry - price) * s > 0)  # a price, and alive as it opens
    row = {k: kwargs[k] for k in ("side", "entry_price", "quantity", "mmr", "maintenance_amount")}
    for target, expected in ((price, True), (price + (entry - price) / 10**6, False)):
        result = shock(wallet_balance=kwargs["margin"], positions=[row], moves=[target / entry - 1],
                       margins=[kwargs["margin"]], model=model)
        assert result.isolated.positions[0].liquidated is expected
        assert result.cross.liquidated == ((0,) if expected else ())


@MANY
@given(strategies.isolated_positions())
def test_exchange_model_liquidates_no_earlier_than_simple(position):
    # Under the exchange model maintenance is on the value at the price, smaller than at entry for a
    # falling long and larger for a rising short: its price is at or below the simple model's, for a
    # position that opens alive under both.
    p = exact(position)
    assume(surplus(position, p["entry_price"], "simple") > 0 and surplus(position, p["entry_price"], "exchange") > 0)
    kwargs = isolated_kwargs(position)
    exchange = liquidation_price_isolated(**kwargs, model="exchange")
    simple = liquidation_price_isolated(**kwargs, model="simple")
    assert (exchange or 0) <= (simple or 0)


@MANY
@given(strategies.isolated_positions(), strategies.MODELS, st.sampled_from([Fraction(1, 100), Fraction(7, 3), 1000]))
def test_prices_scale_with_the_currency(position, model, k):
    # Quoting everything in cents instead of dollars multiplies the liquidation price by k, exactly.
    kwargs = isolated_kwargs(position)
    base = liquidation_price_isolated(**kwargs, model=model)
    scaled = liquidation_price_isolated(**{**kwargs, "entry_price": Fraction(kwargs["entry_price"]) * k,
                                           "margin": Fraction(kwargs["margin"]) * k,
                                           "maintenance_amount": Fraction(kwargs["maintenance_amount"]) * k},
                                        model=model)
    assert scaled == (None if base is None else base * k)


@MANY
@given(strategies.isolated_positions(with_amount=False))
def test_simple_model_long_and_short_mirror_around_the_entry(position):
    # simple model, cum = 0: EP*(1 - 1/L + MMR) and EP*(1 + 1/L - MMR) add up to 2*EP, exactly
    kwargs = isolated_kwargs(position)
    long_ = liquidation_price_isolated(**{**kwargs, "side": "long"}, model="simple")
    short = liquidation_price_isolated(**{**kwargs, "side": "short"}, model="simple")
    assume(long_ is not None)  # at 1x with no rate a long has no price to mirror
    assert long_ + short == 2 * Fraction(kwargs["entry_price"])


@MANY
@given(strategies.isolated_positions(), strategies.MODELS)
def test_results_are_fractions_or_none_never_floats(position, model):
    kwargs = isolated_kwargs(position)
    for value in (
        liquidation_price_isolated(**kwargs, model=model),
        bankruptcy_price(**{k: kwargs[k] for k in ("side", "entry_price", "quantity", "margin")}),
        liquidation_price_cross(wallet_balance=kwargs["margin"], target=0, model=model, positions=[
            {k: kwargs[k] for k in ("side", "entry_price", "quantity", "mmr", "maintenance_amount")}]),
    ):
        assert value is None or (type(value) is Fraction and value > 0 and math.isfinite(float(value)))


@MANY
@given(strategies.isolated_positions(), strategies.MODELS)
def test_liquidated_at_entry_exactly_when_the_margin_is_at_or_below_the_requirement_at_entry(position, model):
    # No "within rounding" exemption: a rate of exactly 1/L (drawn among the leverages 1, 2, 10, 20,
    # 125 with their rates) is liquidated as it opens.
    price = liquidation_price_isolated(**isolated_kwargs(position), model=model)
    flag = liquidated_at_entry(side=position["side"], entry_price=position["entry_price"], liquidation_price=price)
    assert flag is (surplus(position, Fraction(position["entry_price"]), model) <= 0)


@MANY
@given(st.sampled_from([1, 2, 4, 5, 10, 20, 25, 50, 125]), strategies.SIDES, strategies.MODELS, strategies.PRICES,
       strategies.NOTIONALS)
def test_a_rate_of_exactly_one_over_leverage_is_liquidated_at_entry(leverage, side, model, entry, size):
    # margin = N / L and MMR = 1/L: the requirement at entry, N*MMR, is exactly the margin
    n = Fraction(size)
    price = liquidation_price_isolated(side=side, entry_price=entry, quantity=n / Fraction(entry), margin=n / leverage,
                                       mmr=Fraction(1, leverage) if leverage > 1 else Fraction(0), model=model)
    if leverage == 1:
        # MMR 0 at 1x: a long's exact price is 0 (none), a short's twice the entry
        assert price == (None if side == "long" else 2 * Fraction(entry))
    else:
        assert price == Fraction(entry)
        assert liquidated_at_entry(side=side, entry_price=entry, liquidation_price=price) is True


@MANY
@given(strategies.MARGINS, strategies.LEVERAGES, strategies.PRICES)
def test_notional_quantity_and_margin_round_trip_exactly(margin_, leverage, entry):
    size = notional(margin=margin_, leverage=leverage)
    q = quantity(notional=size, entry_price=entry)
    assert q * Fraction(entry) == size
    assert initial_margin(notional=size, leverage=leverage) == Fraction(margin_)
    assert size * initial_margin_rate(leverage=leverage) == Fraction(margin_)


@MANY
@given(strategies.safe_isolated_positions(), strategies.MODELS)
def test_the_distance_to_liquidation_is_below_the_initial_margin_rate(position, model):
    kwargs = isolated_kwargs(position)
    price = liquidation_price_isolated(**kwargs, model=model)
    distance = distance_to_liquidation(reference_price=kwargs["entry_price"], liquidation_price=price)
    assert 0 < distance <= initial_margin_rate(leverage=position["leverage"])
    assert not liquidated_at_entry(side=kwargs["side"], entry_price=kwargs["entry_price"], liquidation_price=price)
