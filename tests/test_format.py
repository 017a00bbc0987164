"""``presentation/format.py``: the one formatter for money, the one for percentages, and the parser of the
figures writers state. Expected strings are written out by hand; the minus sign is U+2212.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from presentation.format import MINUS, by_unit, money, multiple, number, parse_stated, parse_tolerance, percent

import strategies


class TestMoney:
    @pytest.mark.parametrize("value, shown", [
        (58_825, "$58,825.00"),
        (65_000 * 9_000 / 9_950, "$58,793.97"),  # the guide's exchange-model price, 58,793.969...
        (1_000, "$1,000.00"),
        (0, "$0.00"),
        (1, "$1.00"),
        (1_000_000_000, "$1,000,000,000.00"),
        (Decimal("12.345"), "$12.35"),
    ])
    def test_dollars_and_cents_with_thousands_separators(self, value, shown):
        assert money(value) == shown

    def test_negative_amounts_take_a_real_minus_sign(self):
        assert money(-1_000) == f"{MINUS}$1,000.00"
        assert MINUS == "\u2212"

    def test_no_minus_on_an_amount_that_rounds_to_zero(self):
        assert money(-0.004, 2) == "$0.00"
        assert money(-0.0) == "$0.00"

    @pytest.mark.parametrize("value, decimals, shown", [(1_000, 0, "$1,000"), (58_825.5, 0, "$58,826"),
                                                        (0.5, 2, "$0.50"), (1.23456, 4, "$1.2346")])
    def test_decimals(self, value, decimals, shown):
        assert money(value, decimals) == shown

    @pytest.mark.parametrize("value, shown", [
        # below one dollar: four significant digits, so a micro-cap price does not print as $0.00
        (0.5, "$0.5000"), (0.01234, "$0.01234"), (0.0001234, "$0.0001234"), (-0.5, f"{MINUS}$0.5000"),
    ])
    def test_prices_below_a_dollar_keep_four_significant_digits(self, value, shown):
        assert money(value) == shown

    @pytest.mark.parametrize("value", [None, float("nan"), float("inf"), -float("inf"), True, False])
    def test_no_figure_is_n_a(self, value):
        assert money(value) == "n/a"


class TestPercent:
    @pytest.mark.parametrize("value, decimals, shown", [
        (0.095, 2, "9.50%"),            # the guide's BTC distance, 6,175 / 65,000
        (950 / 9_950, 2, "9.55%"),      # exchange model: 0.0954773...
        (0.05, 0, "5%"),
        (0.15, 1, "15.0%"),
        (1, 2, "100.00%"),
        (12.5, 0, "1,250%"),
        (0, 2, "0.00%"),
    ])
    def test_a_fraction_is_shown_as_a_percentage(self, value, decimals, shown):
        assert percent(value, decimals) == shown

    def test_negative_and_near_zero(self):
        assert percent(-0.08, 0) == f"{MINUS}8%"
        assert percent(-0.00001) == "0.00%"

    @pytest.mark.parametrize("value", [None, float("nan"), float("inf"), True])
    def test_no_figure_is_n_a(self, value):
        assert percent(value) == "n/a"


class TestNumberAndMultiple:
    @pytest.mark.parametrize("value, shown", [
        (10_000 / 65_000, "0.1538"),    # the BTC quantity, 0.153846...
        (10, "10"), (1_000, "1,000"), (2.5, "2.5"), (0.00001, "0"), (-2, f"{MINUS}2"), (-0.00001, "0"),
    ])
    def test_number_drops_trailing_zeros(self, value, shown):
        assert number(value) == shown

    def test_number_with_no_decimals_keeps_the_zeros_of_the_integer(self):
        assert number(100, 0) == "100"
        assert number(1_000, 0) == "1,000"

    @pytest.mark.parametrize("value, shown", [(10, "10x"), (2.5, "2.5x"), (125, "125x"), (1.333333, "1.33x")])
    def test_multiple(self, value, shown):
        assert multiple(value) == shown


class TestByUnit:
    @pytest.mark.parametrize("value, unit, shown", [
        (58_825, "usd", "$58,825.00"), (58_825, "price", "$58,825.00"), (0.095, "percent", "9.50%"),
        (0.1016666, "ratio", "10.17%"), (True, "flag", "yes"), (False, "flag", "no"), (10, "multiple", "10x"),
        (0.153846, "quantity", "0.1538"), (3, "count", "3"), ("ETH", "text", "ETH"), ("ETH", None, "ETH"),
        (None, "text", "n/a"), (None, "usd", "n/a"), (None, None, "n/a"),
    ])
    def test_each_unit_has_one_formatter(self, value, unit, shown):
        assert by_unit(value, unit) == shown

    def test_decimals_pass_through(self):
        assert by_unit(1_000, "usd", 0) == "$1,000"
        assert by_unit(0.15, "percent", 0) == "15%"
        assert by_unit(0.15384615, "quantity", 2) == "0.15"


class TestParseStated:
    @pytest.mark.parametrize("text, unit, value, half_unit", [
        ("$58,825", "usd", 58_825, 0.5),
        ("58,825.00", "price", 58_825, 0.005),
        ("$58,793.97", "price", 58_793.97, 0.005),
        ("9.5%", "percent", 0.095, 0.0005),     # 9.5 +- 0.05 points
        ("10%", "percent", 0.10, 0.005),
        ("5%", "ratio", 0.05, 0.005),
        (10, None, 10, 0.5),
        ("10x", "multiple", 10, 0.5),
        (".5", None, 0.5, 0.05),
        ("-1,000.5", "usd", -1_000.5, 0.05),
        (f"{MINUS}$1,000", "usd", -1_000, 0.5),
        ("+ $3", "usd", 3, 0.5),
        ("  $1,000  ", "usd", 1_000, 0.5),
    ])
    def test_value_and_half_a_unit_of_the_last_digit(self, text, unit, value, half_unit):
        parsed, half = parse_stated(text, unit)
        assert parsed == pytest.approx(value, rel=1e-15)
        assert half == pytest.approx(half_unit, rel=1e-12)

    @pytest.mark.parametrize("text, unit, reason", [
        ("9.5", "percent", "needs a % sign"),
        ("9.5%", "usd", "is a percentage"),
        ("9.5%", None, "is a percentage"),
        ("abc", "usd", "is not a figure"),
        ("", "usd", "is not a figure"),
        ("$", "usd", "is not a figure"),
        ("1e5", "usd", "is not a figure"),
        ("58 825", "usd", "is not a figure"),
        (True, "usd", "is not a figure"),
        (None, "usd", "is not a figure"),
    ])
    def test_what_is_not_a_figure(self, text, unit, reason):
        with pytest.raises(ValueError) as caught:
            parse_stated(text, unit)
        assert reason in str(caught.value)
        assert repr(text) in str(caught.value) or repr(str(text)) in str(caught.value)


class TestParseTolerance:
    def test_percent_is_relative_to_the_computed_figure(self):
        # 1% of 58,825 = 588.25
        assert parse_tolerance("1%", 58_825) == pytest.approx(588.25)
        assert parse_tolerance(" 0.5 % ", -200) == pytest.approx(1.0)

    def test_a_bare_number_is_absolute_in_the_figure_scale(self):
        assert parse_tolerance("50", 58_825) == 50
        assert parse_tolerance(0.001, 0.095) == pytest.approx(0.001)

    @pytest.mark.parametrize("text", ["abc", "%", "1,000", "x%"])
    def test_a_tolerance_that_is_not_a_number(self, text):
        with pytest.raises((ValueError, ArithmeticError)):
            parse_tolerance(text, 1.0)
        assert issubclass(InvalidOperation, ArithmeticError)


# The writer's safety net: copying a figure the page shows into ``stated=`` must never disagree with
# the module by more than half a unit of its last digit. (figures.py rejects a claim exactly half-way,
# on purpose; it is never shown, since a formatted figure is a rounding of the value.)

@settings(max_examples=800)
@given(strategies.MONEY_AMOUNTS, st.sampled_from([None, 0, 1, 2, 3]))
def test_a_shown_amount_parses_back_within_half_a_unit(value, decimals):
    shown = money(value, decimals)
    claimed, half_unit = parse_stated(shown, "usd")
    assert abs(value - claimed) <= half_unit * (1 + 1e-9) + 1e-9 * abs(value)


@settings(max_examples=800)
@given(st.floats(min_value=-100, max_value=100, allow_nan=False), st.integers(0, 4))
def test_a_shown_percentage_parses_back_within_half_a_unit(value, decimals):
    shown = percent(value, decimals)
    claimed, half_unit = parse_stated(shown, "percent")
    assert abs(value - claimed) <= half_unit * (1 + 1e-9) + 1e-12


@settings(max_examples=300)
@given(strategies.FORMATTABLE)
def test_formatters_never_print_nan_or_inf(value):
    for text in (money(value), percent(value), number(value)):
        assert "nan" not in text.lower() and "inf" not in text.lower()
        assert text == "n/a" or any(ch.isdigit() for ch in text)
    if not math.isfinite(value):
        assert money(value) == "n/a"


class TestExactRounding:
    """The rounding rule (presentation/format.py): the exact value, half away from zero, decided with
    integer arithmetic only. Expected texts are worked by hand from the exact values."""

    @pytest.mark.parametrize("value, shown", [
        (Fraction(48975, 100000), "48.98%"),     # 48.975% exactly: half, away from zero
        (Fraction(-48975, 100000), "\u221248.98%"),
        (Fraction(48974999, 100000000), "48.97%"),  # just below the half
        (Fraction(19, 200), "9.50%"),            # the guide's 9.5%
        (Fraction(1, 3), "33.33%"),
    ])
    def test_percent(self, value, shown):
        assert percent(value) == shown

    @pytest.mark.parametrize("value, shown", [
        (Fraction(5882500500, 100000), "$58,825.01"),  # 58,825.005 exactly: half, away from zero
        (Fraction(1, 8), "$0.1250"),                    # below a dollar: four significant digits
        (Fraction(-1, 200), "\u2212$0.005000"),
        (Fraction(1, 3) * 10 ** 9, "$333,333,333.33"),
        (Fraction(-1, 1000), "\u2212$0.001000"),
    ])
    def test_money(self, value, shown):
        assert money(value) == shown

    def test_half_a_cent_with_two_decimals_rounds_away_from_zero(self):
        assert money(Fraction(1, 8), 2) == "$0.13"
        assert money(Fraction(-1, 8), 2) == "\u2212$0.13"

    def test_next_to_a_power_of_ten_the_decimals_come_from_the_exact_value(self):
        # 9.99999999999999e-05 is below 10^-4, so it gets 3 + 5 = 8 decimals, and rounds up to 0.0001:
        # the same text wherever it is printed (CPython's log10 once said otherwise than Pyodide's)
        assert money(9.99999999999999e-05) == "$0.00010000"
        assert money(Fraction(1, 10000)) == "$0.0001000"
        # 0.000099999 has magnitude -5, so 8 decimals: 0.00009999|9 rounds up to 0.00010000
        assert money(Fraction(99999, 10 ** 9)) == "$0.00010000"

    def test_no_infinity_or_nan_is_ever_printed(self):
        for value in (float("inf"), float("-inf"), float("nan")):
            assert money(value) == percent(value) == number(value) == "n/a"

    def test_huge_and_tiny_values_print_every_digit(self):
        assert money(10 ** 20) == "$100,000,000,000,000,000,000.00"
        assert percent(Fraction(1, 10 ** 12)) == "0.00%"
        assert number(Fraction(-1, 10 ** 9)) == "0"
