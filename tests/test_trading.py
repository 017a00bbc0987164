"""The trade mathematics of ``calculators.trading``: worked values, published examples, bad inputs,
and properties.

Every expected value is derived in the test by hand (the arithmetic is in the comment next to it) or
is a public worked example whose source is named. s = +1 long, -1 short; Q quantity; EP entry price;
L leverage; f fee rate.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import math
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings

from calculators import trading
from calculators.errors import MarginInputError
from calculators.trading import (
    AverageEntry,
    FundingCost,
    PositionSize,
    ProfitAndLoss,
    TargetPrice,
    average_entry,
    funding_cost,
    position_size,
    profit_and_loss,
    target_price,
)

import strategies

#: at most 200 examples a property: the whole suite stays within its time budget in CI
PROPERTY = settings(max_examples=200, deadline=None)


# ============================================================================================
# profit_and_loss
# ============================================================================================

class TestProfitAndLoss:
    def test_long_with_fees(self):
        # 10x long of 10,000 from 50,000 closed at 55,000, 0.04% fee:
        # Q = 10,000 / 50,000 = 0.2; IM = 10,000 / 10 = 1,000
        # fees = 0.0004 * (10,000 + 0.2 * 55,000) = 0.0004 * 21,000 = 8.4
        # PnL = 0.2 * (55,000 - 50,000) - 8.4 = 1,000 - 8.4 = 991.6; ROE = 991.6 / 1,000 = 0.9916
        result = profit_and_loss(side="long", entry_price=50_000, exit_price=55_000, size=10_000, leverage=10,
                                 fee_rate=0.0004)
        assert result.quantity == pytest.approx(0.2, rel=1e-15)
        assert result.initial_margin == 1_000
        assert result.fees == pytest.approx(8.4, rel=1e-12)
        assert result.pnl == pytest.approx(991.6, rel=1e-12)
        assert result.roe == pytest.approx(0.9916, rel=1e-12)

    def test_short_with_fees(self):
        # 20x short of 10,000 from 50,000 closed at 45,000, 0.05% fee:
        # Q = 0.2; IM = 10,000 / 20 = 500; fees = 0.0005 * (10,000 + 0.2 * 45,000) = 0.0005 * 19,000 = 9.5
        # PnL = -1 * 0.2 * (45,000 - 50,000) - 9.5 = 1,000 - 9.5 = 990.5; ROE = 990.5 / 500 = 1.981
        result = profit_and_loss(side="short", entry_price=50_000, exit_price=45_000, size=10_000, leverage=20,
                                 fee_rate=0.0005)
        assert result.initial_margin == 500
        assert result.fees == pytest.approx(9.5, rel=1e-12)
        assert result.pnl == pytest.approx(990.5, rel=1e-12)
        assert result.roe == pytest.approx(1.981, rel=1e-12)

    def test_a_losing_short_without_fees(self):
        # The guide's ETH short: 10,000 from 3,400 at 10x, ETH +15% to 3,910:
        # PnL = -1 * (10,000 / 3,400) * 510 = -1,500; ROE = -1,500 / 1,000 = -150% (more than the margin:
        # in reality liquidated first; this function prices the exit, not the path)
        result = profit_and_loss(side="short", entry_price=3_400, exit_price=3_910, size=10_000, leverage=10)
        assert result.fees == 0
        assert result.pnl == pytest.approx(-1_500, rel=1e-12)
        assert result.roe == pytest.approx(-1.5, rel=1e-12)

    def test_a_long_losing_with_fees_loses_the_fees_too(self):
        # 5x long of 2,000 from 100 closed at 90, 0.1% fee: Q = 20, IM = 400
        # fees = 0.001 * (2,000 + 20 * 90) = 0.001 * 3,800 = 3.8; PnL = 20 * -10 - 3.8 = -203.8
        # ROE = -203.8 / 400 = -0.5095
        result = profit_and_loss(side="long", entry_price=100, exit_price=90, size=2_000, leverage=5, fee_rate=0.001)
        assert result.pnl == pytest.approx(-203.8, rel=1e-12)
        assert result.roe == pytest.approx(-0.5095, rel=1e-12)

    def test_a_round_trip_at_the_same_price_costs_the_fees(self):
        # 10,000 in and 10,000 out at 0.04%: fees 0.0004 * 20,000 = 8, PnL -8, ROE -8 / 500 at 20x
        for side in ("long", "short"):
            result = profit_and_loss(side=side, entry_price=100, exit_price=100, size=10_000, leverage=20,
                                     fee_rate=0.0004)
            assert result.pnl == pytest.approx(-8, rel=1e-12)
            assert result.roe == pytest.approx(-0.016, rel=1e-12)

    def test_no_profit_is_zero_not_minus_zero(self):
        result = profit_and_loss(side="short", entry_price=100, exit_price=100, size=1_000, leverage=1)
        assert result.pnl == 0 and math.copysign(1, result.pnl) == 1

    def test_default_fee_is_zero(self):
        assert profit_and_loss(side="long", entry_price=100, exit_price=110, size=1_000, leverage=2) == \
            profit_and_loss(side="long", entry_price=100, exit_price=110, size=1_000, leverage=2, fee_rate=0)


# ============================================================================================
# target_price
# ============================================================================================

class TestTargetPrice:
    def test_long_and_short(self):
        # 10x from 50,000 for +50%: move = s * 0.5 / 10 = +/-5%; long 50,000 * 1.05 = 52,500, short 47,500
        # (Binance's calculator: long = entry * (ROE / leverage + 1), short = entry * (1 - ROE / leverage))
        assert target_price(side="long", entry_price=50_000, leverage=10, target_roe=0.5) == \
            TargetPrice(target_price=pytest.approx(52_500, rel=1e-15), price_move=pytest.approx(0.05, rel=1e-15))
        assert target_price(side="short", entry_price=50_000, leverage=10, target_roe=0.5) == \
            TargetPrice(target_price=pytest.approx(47_500, rel=1e-15), price_move=pytest.approx(-0.05, rel=1e-15))

    def test_a_negative_roe_is_a_stop(self):
        # 20x long from 50,000, stop at -50%: move -0.5 / 20 = -2.5%, 50,000 * 0.975 = 48,750
        result = target_price(side="long", entry_price=50_000, leverage=20, target_roe=-0.5)
        assert result.target_price == pytest.approx(48_750, rel=1e-15)
        assert result.price_move == pytest.approx(-0.025, rel=1e-15)
        # the short's stop: 50,000 * 1.025 = 51,250
        assert target_price(side="short", entry_price=50_000, leverage=20, target_roe=-0.5).target_price == \
            pytest.approx(51_250, rel=1e-15)

    def test_a_short_at_one_times_can_make_almost_all_its_notional(self):
        # 1x short from 1,000 for +99%: move -0.99, 1,000 * 0.01 = 10
        assert target_price(side="short", entry_price=1_000, leverage=1, target_roe=0.99).target_price == \
            pytest.approx(10, rel=1e-12)

    def test_zero_roe_is_the_entry(self):
        result = target_price(side="short", entry_price=123.45, leverage=7, target_roe=0)
        assert result == TargetPrice(target_price=123.45, price_move=0.0)
        assert math.copysign(1, result.price_move) == 1

    @pytest.mark.parametrize("side, leverage, roe", [
        ("short", 1, 1.0),    # move -1: price 0
        ("short", 2, 3.0),    # move -1.5: price below 0
        ("long", 1, -1.0),    # move -1: price 0 (a long cannot lose more than 100% at 1x)
        ("long", 10, -25.0),  # move -2.5
    ])
    def test_an_unreachable_roe_is_refused(self, side, leverage, roe):
        with pytest.raises(MarginInputError) as caught:
            target_price(side=side, entry_price=50_000, leverage=leverage, target_roe=roe)
        assert caught.value.field == "target_roe"
        assert "cannot be reached" in caught.value.reason
        assert "zero or below" in caught.value.reason


# ============================================================================================
# position_size
# ============================================================================================

class TestPositionSize:
    def test_published_long_example(self):
        # Traders Make Money, "Position Size Calculator" (https://tradersmakemoney.com/tools/position-size-calculator):
        # a 10,000 account risking 1%, long ETH at 3,000 with a stop at 2,880:
        # risk 10,000 * 0.01 = 100; distance 120; size 100 / 120 = 0.833 ETH; value 0.833 * 3,000 = 2,500.
        # By hand as well: stop distance 120 / 3,000 = 4%, and 100 / 4% = 2,500 (Binance Academy's
        # "account size * account risk / invalidation point").
        result = position_size(balance=10_000, risk_pct=Fraction("0.01"), entry_price=3_000, stop_price=2_880)
        assert result.side == "long"
        assert result.risk_amount == 100
        assert result.quantity == Fraction(100, 120)
        assert round(float(result.quantity), 3) == 0.833
        assert result.size == 2_500
        assert result.stop_distance_pct == Fraction("0.04")

    def test_a_stop_above_the_entry_is_a_short(self):
        # 5,000 risking 2% = 100; short BTC at 60,000, stop 61,500: distance 1,500 (2.5%)
        # Q = 100 / 1,500 = 0.0666...; size = 0.0666... * 60,000 = 4,000 (= 100 / 2.5%)
        result = position_size(balance=5_000, risk_pct=Fraction("0.02"), entry_price=60_000, stop_price=61_500)
        assert result == PositionSize(side="short", risk_amount=Fraction(100), quantity=Fraction(1, 15),
                                      size=Fraction(4_000), stop_distance_pct=Fraction("0.025"))

    def test_the_whole_balance_at_risk(self):
        # risk_pct 1 (100%): 1,000 at risk; entry 10, stop 5: Q = 1,000 / 5 = 200, size 2,000
        result = position_size(balance=1_000, risk_pct=1, entry_price=10, stop_price=5)
        assert (result.quantity, result.size) == (200, 2_000)

    def test_a_stop_at_the_entry_is_refused(self):
        with pytest.raises(MarginInputError) as caught:
            position_size(balance=1_000, risk_pct=0.01, entry_price=100, stop_price=100)
        assert caught.value.field == "stop_price"
        assert caught.value.reason == "must differ from the entry price"

    @pytest.mark.parametrize("risk", [0, 0.0, -0.01, 1.01, 5, float("nan")])
    def test_risk_must_be_a_fraction_above_zero(self, risk):
        with pytest.raises(MarginInputError) as caught:
            position_size(balance=1_000, risk_pct=risk, entry_price=100, stop_price=90)
        assert caught.value.field == "risk_pct"


# ============================================================================================
# average_entry
# ============================================================================================

class TestAverageEntry:
    def test_bybit_published_example(self):
        # Bybit help centre, "How to Calculate Average Entry Price" (USDT perpetual): 1 BTC at 10,000 and
        # 2 BTC at 13,000: (1 * 10,000 + 2 * 13,000) / (1 + 2) = 36,000 / 3 = 12,000 USDT
        result = average_entry(fills=[{"price": 10_000, "quantity": 1}, {"price": 13_000, "quantity": 2}])
        assert result == AverageEntry(average_price=12_000.0, total_quantity=3.0, total_size=36_000.0)

    def test_bitget_published_example(self):
        # Bitget, "Bitget futures: How to calculate your average entry price" (USDT-M perpetual),
        # https://www.bitgetapp.com/ph/support/articles/12560603826531: 0.1 BTC at 30,000 and 0.2 BTC at
        # 31,000: (3,000 + 6,200) / 0.3 = 9,200 / 0.3 = 30,666.67
        result = average_entry(fills=[{"price": 30_000, "quantity": Fraction("0.1")},
                                      {"price": 31_000, "quantity": Fraction("0.2")}])
        assert (result.total_size, result.total_quantity) == (9_200, Fraction("0.3"))
        assert result.average_price == Fraction(92_000, 3)
        assert round(float(result.average_price), 2) == 30_666.67

    def test_three_fills_by_hand(self):
        # 2 at 100, 1 at 130, 1 at 70: (200 + 130 + 70) / 4 = 400 / 4 = 100
        result = average_entry(fills=[{"price": 100, "quantity": 2}, {"price": 130, "quantity": 1},
                                      {"price": 70, "quantity": 1}])
        assert (result.average_price, result.total_quantity, result.total_size) == (100, 4, 400)

    def test_one_fill_is_its_own_average(self):
        assert average_entry(fills=[{"price": 0.1234, "quantity": 5}]).average_price == 0.1234

    def test_the_order_of_the_fills_does_not_matter(self):
        rows = [{"price": 0.1 * (i + 1), "quantity": 0.3 + i} for i in range(12)]
        assert average_entry(fills=rows) == average_entry(fills=list(reversed(rows)))

    def test_accepts_a_tuple_of_fills(self):
        assert average_entry(fills=({"price": 10, "quantity": 1},)).average_price == 10

    @pytest.mark.parametrize("fills, field", [
        ([], "fills"),
        ([{"price": 1, "quantity": 1}] * 13, "fills"),
        ("10000x1", "fills"),
        ({"price": 1, "quantity": 1}, "fills"),
        (None, "fills"),
        (5, "fills"),
        ([{"price": 1, "quantity": 1}, 42], "fills[1]"),
        ([{"price": 1, "quantity": 1}, {"price": 0, "quantity": 1}], "fills[1].price"),
        ([{"price": 1, "quantity": -1}], "fills[0].quantity"),
        ([{"price": "100", "quantity": 1}], "fills[0].price"),
        ([{"price": float("nan"), "quantity": 1}], "fills[0].price"),
        ([{"price": 1, "quantity": True}], "fills[0].quantity"),
        ([{"price": 1}], "fills[0].quantity"),
        ([{"quantity": 1}], "fills[0].price"),
        ([{"price": 1, "quantity": 1, "side": "long"}], "fills[0].side"),
        ([{"price": 1, "quantity": 1, 7: 1}], "fills[0].7"),
    ])
    def test_a_bad_fill_is_named_with_its_index(self, fills, field):
        with pytest.raises(MarginInputError) as caught:
            average_entry(fills=fills)
        assert caught.value.field == field
        assert str(caught.value).startswith(f"{field}: ")

    def test_at_most_twelve_fills(self):
        assert trading.MAX_FILLS == 12
        assert average_entry(fills=[{"price": 1, "quantity": 1}] * 12).total_quantity == 12


# ============================================================================================
# funding_cost
# ============================================================================================

class TestFundingCost:
    def test_long_pays_a_positive_rate(self):
        # 10,000 long, 0.01% per 8 hours, 3 days: 3 * 24 / 8 = 9 intervals; 10,000 * 0.0001 * 9 = 9 paid
        # annualized: 0.0001 * (24 / 8) * 365 = 0.0001 * 1,095 = 0.1095
        result = funding_cost(side="long", size=10_000, funding_rate=0.0001, interval_hours=8, days=3)
        assert result.intervals == 9 and isinstance(result.intervals, int)
        assert result.funding_paid == pytest.approx(9, rel=1e-12)
        assert result.annualized_rate == pytest.approx(0.1095, rel=1e-12)

    def test_short_receives_a_positive_rate(self):
        # the same short: -1 * 10,000 * 0.0001 * 9 = -9, received
        result = funding_cost(side="short", size=10_000, funding_rate=0.0001, days=3)
        assert result.funding_paid == pytest.approx(-9, rel=1e-12)

    def test_a_negative_rate_pays_the_shorts(self):
        # -0.02% per 8 hours over 1 day: 3 intervals; long -1 * ... : 10,000 * -0.0002 * 3 = -6 (received);
        # short: -1 * 10,000 * -0.0002 * 3 = +6 (paid)
        long_ = funding_cost(side="long", size=10_000, funding_rate=-0.0002, days=1)
        short = funding_cost(side="short", size=10_000, funding_rate=-0.0002, days=1)
        assert long_.funding_paid == pytest.approx(-6, rel=1e-12)
        assert short.funding_paid == pytest.approx(6, rel=1e-12)
        # annualized -0.0002 * 3 * 365 = -0.219
        assert long_.annualized_rate == pytest.approx(-0.219, rel=1e-12)

    def test_binance_default_interest_rate_per_interval(self):
        # Binance FAQ "Introduction to Binance Futures Funding Rates": Funding Amount = Nominal Value of
        # Positions x Funding Rate; with the rate at its 0.01% per 8-hour interval, 10,000 pays
        # 10,000 * 0.0001 = 1 at one funding time (12 hours held: floor(12 / 8) = 1 interval)
        result = funding_cost(side="long", size=10_000, funding_rate=0.0001, days=0.5)
        assert result.intervals == 1
        assert result.funding_paid == pytest.approx(1, rel=1e-12)

    def test_only_completed_intervals_are_paid(self):
        # 1.2 days on 8-hour funding: 28.8 hours / 8 = 3.6, so 3 funding times
        assert funding_cost(side="long", size=1_000, funding_rate=0.0001, days=1.2).intervals == 3
        # 0.5 day on 8 hours: 12 / 8 = 1.5, so 1; on 4 hours: 12 / 4 = 3 exactly
        assert funding_cost(side="long", size=1_000, funding_rate=0.0001, days=0.5).intervals == 1
        assert funding_cost(side="long", size=1_000, funding_rate=0.0001, interval_hours=4, days=0.5).intervals == 3
        # less than one interval: nothing
        assert funding_cost(side="long", size=1_000, funding_rate=0.0001, days=0.3).funding_paid == 0

    def test_hourly_funding(self):
        # Hourly 0.00125% (0.0000125): 1 day = 24 intervals; 100,000 * 0.0000125 * 24 = 30
        # annualized 0.0000125 * 24 * 365 = 0.1095, the same yearly rate as 0.01% every 8 hours
        result = funding_cost(side="long", size=100_000, funding_rate=0.0000125, interval_hours=1, days=1)
        assert result.intervals == 24
        assert result.funding_paid == pytest.approx(30, rel=1e-12)
        assert result.annualized_rate == pytest.approx(0.1095, rel=1e-12)

    def test_days_are_taken_at_their_exact_value(self):
        # 8 / 24 as a double is 0.33333333333333331 (just below a third): 7.99999... hours, no funding
        # time completed. A reader types 0.5 or 1, not a third of a day; the rule is the exact one.
        assert funding_cost(side="long", size=1_000, funding_rate=0.0001, days=8 / 24).intervals == 0

    def test_no_time_no_funding_and_not_minus_zero(self):
        result = funding_cost(side="short", size=1_000, funding_rate=0.0001, days=0)
        assert result.intervals == 0
        assert result.funding_paid == 0 and math.copysign(1, result.funding_paid) == 1

    @pytest.mark.parametrize("hours", [0, -8, 24.01, 48, float("inf"), "8", None])
    def test_interval_hours_above_zero_up_to_a_day(self, hours):
        with pytest.raises(MarginInputError) as caught:
            funding_cost(side="long", size=1_000, funding_rate=0.0001, interval_hours=hours, days=1)
        assert caught.value.field == "interval_hours"

    def test_a_daily_interval_is_accepted(self):
        assert funding_cost(side="long", size=1_000, funding_rate=0.001, interval_hours=24, days=2).intervals == 2

    @pytest.mark.parametrize("rate", [1, -1, 1.5, float("nan"), "0.01%"])
    def test_the_rate_is_a_fraction_between_minus_one_and_one(self, rate):
        with pytest.raises(MarginInputError) as caught:
            funding_cost(side="long", size=1_000, funding_rate=rate, days=1)
        assert caught.value.field == "funding_rate"


# ============================================================================================
# Bad input, for every function: one error type, naming the field and the value
# ============================================================================================

CALLS = {
    "profit_and_loss": (profit_and_loss, {"side": "long", "entry_price": 100.0, "exit_price": 110.0,
                                          "size": 1_000.0, "leverage": 10.0, "fee_rate": 0.0004}),
    "target_price": (target_price, {"side": "long", "entry_price": 100.0, "leverage": 10.0, "target_roe": 0.5}),
    "position_size": (position_size, {"balance": 1_000.0, "risk_pct": 0.01, "entry_price": 100.0,
                                      "stop_price": 95.0}),
    "funding_cost": (funding_cost, {"side": "long", "size": 1_000.0, "funding_rate": 0.0001,
                                    "interval_hours": 8.0, "days": 1.0}),
}

NAN, INF = float("nan"), float("inf")
NOT_NUMBERS = ["100", True, False, None, [1.0], NAN, INF, -INF]
POSITIVE = NOT_NUMBERS + [0, 0.0, -1, -1e-9]
BAD = {
    "side": ["Long", "buy", "", 1, None, True],
    "entry_price": POSITIVE, "exit_price": POSITIVE, "size": POSITIVE, "balance": POSITIVE,
    "stop_price": POSITIVE,
    "leverage": NOT_NUMBERS + [0, 0.5, 0.999, -10],
    "fee_rate": NOT_NUMBERS + [1, 1.0, -0.0001, "0.04%"],
    "target_roe": NOT_NUMBERS,
    "risk_pct": NOT_NUMBERS + [0, -0.01, 1.5],
    "funding_rate": NOT_NUMBERS + [1, -1, 2],
    "interval_hours": NOT_NUMBERS + [0, -1, 25],
    "days": NOT_NUMBERS + [-1, -1e-9],
}


def bad_cases():
    for name, (function, kwargs) in CALLS.items():
        for field in kwargs:
            for value in BAD[field]:
                yield pytest.param(function, kwargs, field, value, id=f"{name}-{field}={value!r}")


@pytest.mark.parametrize("function, kwargs, field, value", list(bad_cases()))
def test_bad_input_names_the_field_and_the_value(function, kwargs, field, value):
    with pytest.raises(MarginInputError) as caught:
        function(**{**kwargs, field: value})
    error = caught.value
    assert error.field == field
    assert error.value is value
    assert str(error).startswith(f"{field}: ")
    assert repr(value)[:57] in str(error)


def test_every_argument_of_every_function_is_in_the_bad_input_table():
    # average_entry's one argument, fills, has its own table (TestAverageEntry)
    for name, (function, kwargs) in CALLS.items():
        assert set(inspect.signature(function).parameters) == set(kwargs), name


@pytest.mark.parametrize("call, field", [
    # Q = 1e308 / 1e-10 overflows
    (lambda: profit_and_loss(side="long", entry_price=1e-10, exit_price=1e-10, size=1e308, leverage=1), "size"),
    # Q * exit = 1 * 1e308 * 10 overflows at the exit
    (lambda: profit_and_loss(side="long", entry_price=1, exit_price=1e308, size=10, leverage=1, fee_rate=0.001),
     "exit_price"),
    # a margin of 1e-300 / 1e300 rounds to 0: the ROE has no denominator
    (lambda: profit_and_loss(side="long", entry_price=1, exit_price=2, size=1e-300, leverage=1e300), "leverage"),
    # 1 + 1e308 at 1x, times an entry of 10, overflows
    (lambda: target_price(side="long", entry_price=10, leverage=1, target_roe=1e308), "target_roe"),
    # a stop one ulp from a tiny entry: risk / distance overflows
    (lambda: position_size(balance=1e9, risk_pct=1, entry_price=1e-300, stop_price=math.nextafter(1e-300, 1)),
     "stop_price"),
    # 1e300 * 1e10 overflows in one fill's value
    (lambda: average_entry(fills=[{"price": 1e300, "quantity": 1e10}]), "fills"),
    # 1e308 days of 8-hour funding
    (lambda: funding_cost(side="long", size=1e9, funding_rate=0.5, days=1e308), "days"),
    # a funding interval of 1e-307 hours: 24 / 1e-307 = 2.4e308 overflows the annualized rate
    (lambda: funding_cost(side="long", size=1, funding_rate=0.01, interval_hours=1e-307, days=0), "interval_hours"),
])
def test_a_result_that_would_overflow_names_the_input(call, field):
    with pytest.raises(MarginInputError) as caught:
        call()
    assert caught.value.field == field


@pytest.mark.parametrize("function", [profit_and_loss, target_price, position_size, average_entry, funding_cost])
def test_keyword_arguments_only(function):
    with pytest.raises(TypeError):
        function("long", 100, 110)  # type: ignore[call-arg]


@pytest.mark.parametrize("result_type", [ProfitAndLoss, TargetPrice, PositionSize, AverageEntry, FundingCost])
def test_results_are_frozen_dataclasses(result_type):
    assert dataclasses.is_dataclass(result_type)
    assert result_type.__dataclass_params__.frozen


def test_the_module_imports_the_standard_library_and_this_package_only():
    # it runs in Pyodide as it is: no third-party import, and only errors and margin of this package
    tree = ast.parse(Path(trading.__file__).read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] in sys.stdlib_module_names, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert node.module in ("errors", "margin"), node.module
            else:
                assert node.module.split(".")[0] in sys.stdlib_module_names or node.module == "__future__"


def test_every_public_name_is_exported():
    assert set(trading.__all__) == {
        "MAX_FILLS", "AverageEntry", "FundingCost", "PositionSize", "ProfitAndLoss", "TargetPrice",
        "average_entry", "funding_cost", "position_size", "profit_and_loss", "target_price",
    }


# ============================================================================================
# Properties
# ============================================================================================

@PROPERTY
@given(strategies.target_cases())
def test_the_target_price_gives_back_the_target_roe(case):
    # ROE = s*Q*(T - EP) / (Q*EP/L) = s*L*move = ROE: profit_and_loss at the target, fees 0, undoes it
    target = target_price(**case)
    result = profit_and_loss(side=case["side"], entry_price=case["entry_price"], exit_price=target.target_price,
                             size=1_000.0, leverage=case["leverage"])
    # T - EP loses digits of EP to rounding: an error of about 1e-16 * EP, that is L * 1e-16 in ROE
    assert result.roe == pytest.approx(case["target_roe"], rel=1e-9, abs=1e-12 * case["leverage"])


@PROPERTY
@given(strategies.risk_cases())
def test_the_loss_at_the_stop_is_the_risk_amount(case):
    sized = position_size(**case)
    assert sized.risk_amount == pytest.approx(case["balance"] * case["risk_pct"], rel=1e-15)
    at_stop = profit_and_loss(side=sized.side, entry_price=case["entry_price"], exit_price=case["stop_price"],
                              size=sized.size, leverage=1)
    assert at_stop.pnl == pytest.approx(-sized.risk_amount, rel=1e-9)
    # and the stop is on the losing side
    assert (case["stop_price"] < case["entry_price"]) == (sized.side == "long")


@PROPERTY
@given(strategies.PRICES, strategies.FILL_QUANTITY_LISTS)
def test_the_average_of_one_price_is_that_price(price, quantities):
    result = average_entry(fills=[{"price": price, "quantity": q} for q in quantities])
    assert result.average_price == pytest.approx(price, rel=1e-12)
    assert result.total_quantity == pytest.approx(math.fsum(quantities), rel=1e-15)


@PROPERTY
@given(strategies.fills())
def test_the_average_lies_between_the_lowest_and_the_highest_fill(rows):
    result = average_entry(fills=rows)
    prices = [row["price"] for row in rows]
    assert min(prices) * (1 - 1e-12) <= result.average_price <= max(prices) * (1 + 1e-12)
    assert result.average_price * result.total_quantity == pytest.approx(result.total_size, rel=1e-12)


@PROPERTY
@given(strategies.NOTIONALS, strategies.FUNDING_RATES, strategies.INTERVAL_HOURS, strategies.DAYS)
def test_funding_long_and_short_of_one_size_net_to_zero(size, rate, hours, days):
    long_ = funding_cost(side="long", size=size, funding_rate=rate, interval_hours=hours, days=days)
    short = funding_cost(side="short", size=size, funding_rate=rate, interval_hours=hours, days=days)
    assert long_.funding_paid + short.funding_paid == 0
    assert long_.intervals == short.intervals
    # the intervals are the completed ones, computed on the exact values of the two doubles
    assert long_.intervals == math.floor(Fraction(days) * 24 / Fraction(hours))
    # a long pays a positive rate and receives a negative one
    assert (long_.funding_paid > 0) == (rate > 0 and long_.intervals > 0)


@PROPERTY
@given(strategies.trades())
def test_long_and_short_profits_mirror_less_both_fees(trade):
    long_ = profit_and_loss(**{**trade, "side": "long"})
    short = profit_and_loss(**{**trade, "side": "short"})
    assert long_.fees == short.fees
    # exact: the two price terms cancel
    assert long_.pnl + short.pnl == -2 * long_.fees


@PROPERTY
@given(strategies.trades())
def test_profit_and_loss_is_never_nan_or_infinite(trade):
    result = profit_and_loss(**trade)
    assert all(type(getattr(result, f.name)) is Fraction and math.isfinite(float(getattr(result, f.name)))
               for f in dataclasses.fields(result))
    assert result.quantity > 0 and result.initial_margin > 0 and result.fees >= 0
    assert result.roe == result.pnl / result.initial_margin
