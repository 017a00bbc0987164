"""The one description of each calculator (``calculators.descriptions``): parsing, bounds, defaults,
and the entry functions' outputs against values worked by hand.

Inputs here are what a reader types: prices in dollars, rates in percent (0.5 means 0.5%), leverage
as a multiple. The bound tests are generated from the descriptions themselves, so a field added
later is tested without anyone remembering to.
"""

from __future__ import annotations

import copy
import re
import json
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import CALCULATORS, compute, describe, run
from calculators.descriptions import CHART_STEPS, MAX_TEXT, complete_inputs, parse_inputs
from calculators.errors import MarginInputError

import strategies

TABLE = "binance-btcusdt-2021-03-18"

#: the guide's BTC example as a reader types it (the isolated calculator's defaults, simple model)
BTC = {"side": "long", "entry_price": 65000, "leverage": 10, "margin": 1000, "mmr": 0.5,
       "tier_table": "none", "model": "simple"}

THREE = {"wallet_balance": 3000, "model": "simple", "move_all": 0, "positions": [
    {"label": "BTC", "side": "long", "entry_price": 65000, "size": 10000, "leverage": 10, "mmr": 0.5, "move": 0},
    {"label": "ETH", "side": "short", "entry_price": 3400, "size": 10000, "leverage": 10, "mmr": 0.5, "move": 15},
    {"label": "SOL", "side": "long", "entry_price": 185, "size": 10000, "leverage": 10, "mmr": 0.5, "move": 0},
]}

#: the two-position account of test_margin.py, as a reader types it
ACCOUNT = {"wallet_balance": 10000, "model": "exchange", "positions": [
    {"label": "BTC", "side": "long", "entry_price": 60000, "size": 60000, "mark_price": 58000, "mmr": 0.5},
    {"label": "ETH", "side": "short", "entry_price": 3000, "size": 30000, "mark_price": 3200, "mmr": 1},
]}


def ok(name: str, raw: dict) -> dict:
    result = run(name, raw)
    assert result["ok"], result
    return result["outputs"]


def error(name: str, raw) -> dict:
    result = run(name, raw)
    assert result["ok"] is False, result
    return result


def defaults(name: str) -> dict:
    return complete_inputs(CALCULATORS[name], {})


# ============================================================================================
# run: the shapes the browser relies on
# ============================================================================================

class TestRunShapes:
    def test_success(self):
        result = run("isolated", BTC)
        assert set(result) == {"ok", "outputs"}
        assert result["ok"] is True
        assert isinstance(result["outputs"], dict)

    def test_bad_input(self):
        result = run("isolated", {**BTC, "entry_price": -5})
        assert set(result) == {"ok", "field", "message", "reason"}
        assert result["ok"] is False
        assert result["field"] == "entry_price"
        assert "entry_price" in result["message"] and "-5" in result["message"]
        assert result["reason"] in result["message"]

    @pytest.mark.parametrize("name", ["nope", "", None, 3, "ISOLATED"])
    def test_unknown_calculator(self, name):
        result = run(name, BTC)
        assert result["ok"] is False
        assert result["field"] == "calculator"
        assert repr(name) in result["message"]

    @pytest.mark.parametrize("raw", [None, [], "side=long", 42])
    def test_inputs_that_are_not_a_mapping(self, raw):
        result = error("isolated", raw)
        assert result["field"] == "inputs"

    def test_results_are_plain_json(self):
        for name in CALCULATORS:
            json.dumps(run(name, defaults(name)), allow_nan=False)

    def test_run_does_not_change_its_input(self):
        raw = copy.deepcopy(THREE)
        run("compare", raw)
        assert raw == THREE

    def test_compute_raises_what_run_reports(self):
        with pytest.raises(MarginInputError) as caught:
            compute("isolated", {**BTC, "leverage": 0.5})
        assert caught.value.field == "leverage"
        with pytest.raises(MarginInputError) as caught:
            compute("nope", BTC)
        assert caught.value.field == "calculator"
        # compute gives the exact results, run the same as plain JSON numbers
        from calculators.descriptions import plain
        assert plain(compute("isolated", BTC)) == run("isolated", BTC)["outputs"]
        assert compute("isolated", BTC)["distance_pct"] == Fraction(19, 200)  # 9.5% exactly


# ============================================================================================
# Parsing: units, percentages, bounds generated from the descriptions
# ============================================================================================

class TestParsing:
    @pytest.mark.parametrize("typed", [0.5, "0.5", "0.5%", " 0.5 % ", "0.50"])
    def test_percent_fields_are_typed_in_percent(self, typed):
        # 0.5 typed means 0.5%, the fraction 0.005
        assert parse_inputs(CALCULATORS["isolated"], {**BTC, "mmr": typed})["mmr"] == pytest.approx(0.005)

    @pytest.mark.parametrize("typed, value", [("$65,000", 65000.0), (" 65000 ", 65000.0), ("6.5e4", 65000.0),
                                              (65000, 65000.0)])
    def test_money_may_be_typed_with_dollar_sign_and_commas(self, typed, value):
        assert parse_inputs(CALCULATORS["isolated"], {**BTC, "entry_price": typed})["entry_price"] == value

    @pytest.mark.parametrize("typed", ["10x", "10", 10, "10.0 x"])
    def test_leverage_may_carry_an_x(self, typed):
        assert parse_inputs(CALCULATORS["isolated"], {**BTC, "leverage": typed})["leverage"] == 10.0

    @pytest.mark.parametrize("typed, reason", [
        ("", "is empty"), ("  ", "is empty"), ("abc", "is not a number"), ("1.2.3", "is not a number"),
        # the grammar names these as what they are (calculators/grammar.py, step 5)
        ("nan", "must be a finite number"), ("inf", "must be a finite number"),
        ("Infinity", "must be a finite number"),
        (float("nan"), "must be a finite number"), (float("inf"), "must be a finite number"),
        (True, "is not a number"), (None, "is not a number"), ([65000], "is not a number"),
        ("9" * 100, "is longer than"), ("1_000", "is not a number"), ("\u0661\u0662", "is not a number"),
        ("0,5", "does not group thousands"), ("6,5000", "does not group thousands"),
        ("0,005", "does not group thousands"),
    ])
    def test_unusable_numbers(self, typed, reason):
        result = error("isolated", {**BTC, "entry_price": typed})
        assert result["field"] == "entry_price"
        assert reason in result["message"]

    def test_a_missing_field_is_named(self):
        raw = dict(BTC)
        del raw["margin"]
        result = error("isolated", raw)
        assert result["field"] == "margin"
        assert "missing" in result["message"]

    @pytest.mark.parametrize("field, value", [("side", "buy"), ("model", "binance"), ("tier_table", "okx"),
                                              ("side", None), ("model", 1)])
    def test_a_choice_outside_its_choices(self, field, value):
        result = error("isolated", {**BTC, field: value})
        assert result["field"] == field
        allowed = [key for key, _ in next(f for f in CALCULATORS["isolated"].fields if f.name == field).choices]
        assert all(key in result["message"] for key in allowed)

    def test_a_label_is_text_of_limited_length(self):
        raw = copy.deepcopy(ACCOUNT)
        raw["positions"][0]["label"] = "x" * (MAX_TEXT + 1)
        result = error("cross", raw)
        assert result["field"] == "positions[0].label"
        raw["positions"][0]["label"] = "  Bitcoin  "
        assert parse_inputs(CALCULATORS["cross"], raw)["positions"][0]["label"] == "Bitcoin"

    def test_positions_must_be_listed(self):
        for rows in ([], None, "BTC", {"label": "BTC"}):
            assert error("cross", {**ACCOUNT, "positions": rows})["field"] == "positions"

    def test_at_most_max_positions(self):
        calc = CALCULATORS["cross"]
        raw = {**ACCOUNT, "positions": [ACCOUNT["positions"][0]] * (calc.rows.max_rows + 1)}
        assert error("cross", raw)["field"] == "positions"
        raw["positions"] = raw["positions"][: calc.rows.max_rows]
        assert run("cross", raw)["ok"]

    def test_a_row_that_is_not_a_position(self):
        assert error("cross", {**ACCOUNT, "positions": [ACCOUNT["positions"][0], 7]})["field"] == "positions[1]"


def number_fields():
    """Every number field of every calculator, with the path an error names it by."""
    for name, calc in CALCULATORS.items():
        for f in calc.fields:
            if f.kind == "number":
                yield pytest.param(name, f, None, id=f"{name}.{f.name}")
        for f in (calc.rows.fields if calc.rows else ()):
            if f.kind == "number":
                yield pytest.param(name, f, 0, id=f"{name}.{calc.rows.name}.{f.name}")


def with_value(name: str, field, row: int | None, value) -> dict:
    raw = copy.deepcopy(defaults(name))
    if row is None:
        raw[field.name] = value
    else:
        raw[CALCULATORS[name].rows.name][row][field.name] = value
    return raw


def bound_in(message: str) -> float:
    """The bound a message states, written as a reader would (no exponent: $0.00000001, $1,000,000,000,
    50%, 125x)."""
    found = re.search(r"must be (?:at least|more than|at most) (-?)\$?([0-9][0-9,]*(?:\.[0-9]+)?)[%x]?(?: |$)", message)
    assert found, f"no plainly written bound in {message!r}"
    return float(found.group(1) + found.group(2).replace(",", ""))


def path_of(name, field, row):
    return field.name if row is None else f"{CALCULATORS[name].rows.name}[{row}].{field.name}"


@pytest.mark.parametrize("name, field, row", list(number_fields()))
def test_every_field_minimum_is_enforced(name, field, row):
    if field.minimum is None:
        pytest.fail(f"{name}.{field.name} has no minimum: every number a reader types needs one")
    just_below = field.minimum - max(abs(field.minimum), 1) * 1e-6
    for value in ([just_below] if field.minimum_inclusive else [just_below, field.minimum]):
        with pytest.raises(MarginInputError) as caught:
            parse_inputs(CALCULATORS[name], with_value(name, field, row, value))
        assert caught.value.field == path_of(name, field, row)
        assert bound_in(str(caught.value)) == field.minimum
    if field.minimum_inclusive:
        parse_inputs(CALCULATORS[name], with_value(name, field, row, field.minimum))


@pytest.mark.parametrize("name, field, row", [p for p in number_fields() if p.values[1].maximum is not None])
def test_every_field_maximum_is_enforced(name, field, row):
    parse_inputs(CALCULATORS[name], with_value(name, field, row, field.maximum))
    with pytest.raises(MarginInputError) as caught:
        parse_inputs(CALCULATORS[name], with_value(name, field, row, field.maximum * (1 + 1e-6) + 1e-6))
    assert caught.value.field == path_of(name, field, row)
    assert bound_in(str(caught.value)) == field.maximum


@pytest.mark.parametrize("name, field, row", [p for p in number_fields() if p.values[1].unit == "percent"])
def test_every_percent_field_is_divided_by_100(name, field, row):
    value = max(field.minimum or 0, 0) + 0.5
    parsed = parse_inputs(CALCULATORS[name], with_value(name, field, row, value))
    got = parsed[field.name] if row is None else parsed[CALCULATORS[name].rows.name][row][field.name]
    assert got == pytest.approx(value / 100)


# ============================================================================================
# complete_inputs: what a worked example may leave out
# ============================================================================================

class TestCompleteInputs:
    def test_scalar_defaults(self):
        assert complete_inputs(CALCULATORS["isolated"], {"leverage": 20}) == {
            "side": "long", "entry_price": 65000, "leverage": 20, "margin": 1000, "mmr": 0.5,
            "tier_table": "none", "model": "exchange", "asset": "BTC"}

    def test_every_calculator_runs_on_its_defaults(self):
        for name in CALCULATORS:
            assert run(name, defaults(name))["ok"], name

    def test_position_defaults(self):
        done = complete_inputs(CALCULATORS["cross"], {"positions": [
            {"side": "long", "entry_price": 100, "size": 1000, "mmr": 1}]})
        assert done["positions"] == [{"side": "long", "entry_price": 100, "size": 1000, "mmr": 1,
                                      "label": "Position 1", "mark_price": 100}]
        assert done["wallet_balance"] == 3000 and done["model"] == "exchange"

    def test_moves_set_each_position_move(self):
        done = complete_inputs(CALCULATORS["compare"], {**THREE, "moves": [1, "30%", 0]})
        assert [row["move"] for row in done["positions"]] == [1, "30%", 0]

    def test_a_missing_move_is_zero(self):
        rows = [{k: v for k, v in row.items() if k != "move"} for row in THREE["positions"]]
        done = complete_inputs(CALCULATORS["compare"], {**THREE, "positions": rows})
        assert [row["move"] for row in done["positions"]] == [0, 0, 0]

    def test_fields_of_another_calculator_are_dropped(self):
        # an example shared by the cross and compare calculators: leverage and move mean nothing to cross
        done = complete_inputs(CALCULATORS["cross"], THREE)
        assert "move_all" not in done
        assert all("leverage" not in row and "move" not in row for row in done["positions"])
        assert run("cross", done)["ok"]

    def test_a_field_no_calculator_knows(self):
        with pytest.raises(MarginInputError) as caught:
            complete_inputs(CALCULATORS["isolated"], {**BTC, "levrage": 10})
        assert caught.value.field == "levrage"
        with pytest.raises(MarginInputError) as caught:
            complete_inputs(CALCULATORS["cross"], {"positions": [{"side": "long", "colour": "red"}]})
        assert caught.value.field == "positions[0].colour"

    def test_moves_need_one_value_per_position(self):
        with pytest.raises(MarginInputError) as caught:
            complete_inputs(CALCULATORS["compare"], {**THREE, "moves": [0, 15]})
        assert caught.value.field == "moves"

    @pytest.mark.parametrize("given", [None, [], "x"])
    def test_given_must_be_a_mapping(self, given):
        with pytest.raises(MarginInputError):
            complete_inputs(CALCULATORS["isolated"], given)

    def test_positions_must_be_a_list_and_rows_mappings(self):
        with pytest.raises(MarginInputError) as caught:
            complete_inputs(CALCULATORS["cross"], {"positions": "BTC"})
        assert caught.value.field == "positions"
        with pytest.raises(MarginInputError) as caught:
            complete_inputs(CALCULATORS["cross"], {"positions": [3]})
        assert caught.value.field == "positions[0]"


# ============================================================================================
# The entry functions, against hand-worked values
# ============================================================================================

class TestIsolated:
    def test_guide_btc_example_simple_model(self):
        out = ok("isolated", BTC)
        # the guide: 65,000 * (1 - 0.1 + 0.005) = 58,825, a move of 6,175 / 65,000 = 9.5%
        assert out["liquidation_price"] == pytest.approx(58_825, rel=1e-12)
        assert out["distance_pct"] == pytest.approx(0.095, rel=1e-12)
        # bankrupt after 1,000 / Q = 6,500: 58,500
        assert out["bankruptcy_price"] == pytest.approx(58_500, rel=1e-12)
        # size 1,000 * 10 = 10,000; Q = 10,000 / 65,000; margin 1,000 = 10% of the size
        assert out["notional"] == 10_000
        assert out["quantity"] == pytest.approx(10_000 / 65_000, rel=1e-15)
        assert out["initial_margin"] == pytest.approx(1_000)
        assert out["initial_margin_rate"] == pytest.approx(0.1)
        assert out["max_loss"] == 1_000
        # maintenance at entry: 10,000 * 0.5% = 50
        assert out["maintenance_margin"] == pytest.approx(50)
        assert out["mmr_used"] == pytest.approx(0.005)
        assert out["tier_table_used"] == ""
        assert out["liquidated_at_entry"] is False

    def test_guide_btc_example_exchange_model(self):
        out = ok("isolated", {**BTC, "model": "exchange"})
        # 65,000 * 9,000 / 9,950 = 58,793.97; move 1 - 9,000 / 9,950 = 950 / 9,950 = 9.55%
        assert out["liquidation_price"] == pytest.approx(65_000 * 9_000 / 9_950, rel=1e-12)
        assert round(out["liquidation_price"], 2) == 58_793.97
        assert out["distance_pct"] == pytest.approx(950 / 9_950, rel=1e-12)

    def test_short(self):
        # 65,000 * (1 + 0.1 - 0.005) = 71,175
        out = ok("isolated", {**BTC, "side": "short"})
        assert out["liquidation_price"] == pytest.approx(71_175, rel=1e-12)
        assert out["bankruptcy_price"] == pytest.approx(71_500, rel=1e-12)

    def test_guide_eth_20x(self):
        eth = {**BTC, "entry_price": 3400, "leverage": 20, "margin": 500}
        out = ok("isolated", eth)
        # at 20x the margin is 500 / 10,000 = 5% of the position
        assert out["initial_margin_rate"] == pytest.approx(0.05)
        # before maintenance the buffer is the 5% margin; after a 0.5% maintenance rate, 4.5%
        assert ok("isolated", {**eth, "mmr": 0})["distance_pct"] == pytest.approx(0.05, rel=1e-12)
        assert out["distance_pct"] == pytest.approx(0.045, rel=1e-12)

    def test_with_the_tier_table(self):
        # 10,000 of size is tier 1 (0.4%, 0): exchange model 65,000 * 9,000 / (10,000 * 0.996) = 58,734.94
        out = ok("isolated", {**BTC, "model": "exchange", "tier_table": TABLE, "mmr": 2})
        assert out["liquidation_price"] == pytest.approx(65_000 * 9_000 / 9_960, rel=1e-12)
        assert out["mmr_used"] == pytest.approx(0.004)
        assert out["maintenance_amount_used"] == 0
        assert "2021-03-18" in out["tier_table_used"] and "BTCUSDT" in out["tier_table_used"]

    def test_tier_table_leverage_limit(self):
        # 1,000 at 125x = 125,000: tier 2, which allows 100x at most
        result = error("isolated", {**BTC, "tier_table": TABLE, "leverage": 125})
        assert result["field"] == "leverage"
        assert "100x" in result["message"]

    def test_tier_table_size_limit(self):
        # 1,000,000,000 at 1x is above the table's 500,000,000
        result = error("isolated", {**BTC, "tier_table": TABLE, "leverage": 1, "margin": 1e9})
        assert result["field"] == "margin"
        assert "500,000,000" in result["message"]

    def test_liquidated_at_entry(self):
        # 125x leaves 0.8% of margin, less than a 1% maintenance rate
        out = ok("isolated", {**BTC, "leverage": 125, "mmr": 1})
        assert out["liquidated_at_entry"] is True

    def test_no_liquidation_price(self):
        # 1x long, exchange model: its margin covers a fall to zero
        out = ok("isolated", {**BTC, "leverage": 1, "model": "exchange"})
        assert out["liquidation_price"] is None
        assert out["distance_pct"] is None
        assert out["liquidated_at_entry"] is False


class TestCross:
    def test_two_positions_by_hand(self):
        out = ok("cross", ACCOUNT)
        # Q = 60,000 / 60,000 = 1 BTC and 30,000 / 3,000 = 10 ETH; worked in test_margin.py:
        # equity 6,000, requirement 290 + 320 = 610
        assert out["equity"] == pytest.approx(6_000)
        assert out["unrealized_pnl"] == pytest.approx(-4_000)
        assert out["maintenance_requirement"] == pytest.approx(610)
        assert out["margin_ratio"] == pytest.approx(610 / 6_000)
        assert out["liquidated"] is False
        btc, eth = out["positions"]
        assert btc["label"] == "BTC" and btc["quantity"] == pytest.approx(1)
        assert btc["pnl"] == pytest.approx(-2_000)
        assert btc["liquidation_price"] == pytest.approx(52_320 / 0.995, rel=1e-12)
        # the move is measured from the mark, where the reader stands: (58,000 - 52,582.91) / 58,000
        assert btc["distance_pct"] == pytest.approx((58_000 - 52_320 / 0.995) / 58_000, rel=1e-12)
        assert eth["quantity"] == pytest.approx(10)
        assert eth["liquidation_price"] == pytest.approx(37_710 / 10.1, rel=1e-12)

    def test_simple_model(self):
        out = ok("cross", {**ACCOUNT, "model": "simple"})
        # requirement on entry value: 300 + 300; BTC at 52,600, ETH at 3,740
        assert out["maintenance_requirement"] == pytest.approx(600)
        assert out["positions"][0]["liquidation_price"] == pytest.approx(52_600, rel=1e-12)
        assert out["positions"][1]["liquidation_price"] == pytest.approx(3_740, rel=1e-12)


class TestCompare:
    def test_eth_rally(self):
        out = ok("compare", THREE)
        # worked in test_margin.py: isolated 3,000 - 1,000 = 2,000; cross 3,000 - 1,500 = 1,500
        assert out["isolated_balance_left"] == pytest.approx(2_000)
        assert out["cross_balance_left"] == pytest.approx(1_500)
        assert out["isolated_liquidated"] == "ETH"
        assert out["cross_liquidated"] == "none"
        # margins: 10,000 / 10 each
        assert out["margins"] == pytest.approx([1_000] * 3)
        assert out["margins_total"] == pytest.approx(3_000)
        assert out["moves"] == pytest.approx([0, 0.15, 0])
        assert out["isolated"]["liquidated_count"] == 1
        assert out["cross"]["positions"][1]["loss"] == pytest.approx(1_500)

    def test_eth_squeeze(self):
        raw = copy.deepcopy(THREE)
        raw["positions"][1]["move"] = 30
        out = ok("compare", raw)
        assert out["isolated_balance_left"] == pytest.approx(2_000)
        assert out["cross_balance_left"] == 0
        assert out["cross_liquidated"] == "BTC, ETH, SOL"

    def test_move_all_adds_to_each_move(self):
        # -5% on everything: BTC and SOL lose 500 each, ETH's move becomes +10%: loses 1,000, which with its
        # margin of 1,000 leaves 0 <= its requirement: liquidated. Isolated: 3,000 - 500 - 1,000 - 500 = 1,000.
        # Cross: 3,000 - 2,000 = 1,000 against a requirement of 150: open, 1,000 left.
        out = ok("compare", {**THREE, "move_all": -5})
        assert out["moves"] == pytest.approx([-0.05, 0.10, -0.05])
        assert out["isolated_balance_left"] == pytest.approx(1_000)
        assert out["cross_balance_left"] == pytest.approx(1_000)
        assert out["isolated_liquidated"] == "ETH"

    def test_chart_sweeps_the_common_move(self):
        out = ok("compare", THREE)
        chart = out["chart"]
        assert len(chart) == CHART_STEPS
        assert [p["move"] for p in chart] == pytest.approx([-0.5 + i / (CHART_STEPS - 1) for i in range(CHART_STEPS)])
        # the middle point is the example itself
        middle = chart[(CHART_STEPS - 1) // 2]
        assert middle["move"] == pytest.approx(0, abs=1e-12)
        assert middle["isolated"] == pytest.approx(2_000) and middle["cross"] == pytest.approx(1_500)
        # the first, -50% on top: BTC -50% and SOL -50% lose 5,000 each (liquidated, 1,000 each in isolated),
        # ETH -35% gains 3,500. Isolated 3,000 - 2,000 + 3,500 = 4,500; cross 3,000 - 6,500 < 0: nothing left.
        assert chart[0]["isolated"] == pytest.approx(4_500)
        assert chart[0]["cross"] == 0

    def test_a_move_to_zero_is_refused_naming_the_position(self):
        raw = copy.deepcopy(THREE)
        raw["positions"][2]["move"] = -60
        result = error("compare", {**raw, "move_all": -40})
        assert result["field"] == "positions[2].move"

    def test_margins_above_the_wallet_are_refused(self):
        # 3 positions of 10,000 at 10x need 3,000 of isolated margin; the wallet holds 2,000
        result = error("compare", {**THREE, "wallet_balance": 2000})
        assert "2000" in result["message"]
        assert "margin" in result["message"]


# ============================================================================================
# describe, and properties over the descriptions
# ============================================================================================

def test_describe_is_json_without_the_functions():
    data = describe()
    assert set(data) == set(CALCULATORS)
    text = json.dumps(data, allow_nan=False)
    assert "function" not in json.loads(text)["isolated"]
    for name, calc in data.items():
        names = [f["name"] for f in calc["fields"]]
        assert len(names) == len(set(names)), name
        for f in calc["fields"] + (calc["rows"]["fields"] if calc["rows"] else []):
            assert f["kind"] in ("number", "choice", "text")
            if f["kind"] == "choice":
                assert f["choices"]


def test_every_declared_output_is_computed():
    """Every node of every output tree finds its figures where the description says they are."""
    from calculators.descriptions import Chart, Modes, Output, Rows

    for name, calc in CALCULATORS.items():
        out = ok(name, defaults(name))
        for node in calc.outputs:
            if isinstance(node, (Output, Chart)):
                assert node.name in out, (name, node.name)
            elif isinstance(node, Rows):
                assert out[node.name], (name, node.name)
                for row in out[node.name]:
                    assert all(column.name in row for column in node.columns), (name, node.name, row)
            elif isinstance(node, Modes):
                for mode, _ in node.modes:
                    assert all(output.name in out[mode] for output in node.outputs), (name, mode)
            if isinstance(node, Chart):
                assert all(node.x in point and all(key in point for key, _ in node.series) for point in out[node.name])


def finite_everywhere(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite_everywhere(v) for v in value.values())
    if isinstance(value, list):
        return all(finite_everywhere(v) for v in value)
    return True


@settings(max_examples=300)
@given(strategies.CALCULATOR_NAMES, strategies.JSON_OBJECTS)
def test_run_never_raises_on_any_data(name, raw):
    result = run(name, raw)
    assert result["ok"] in (True, False)
    if not result["ok"]:
        assert result["field"] and result["message"]


#: prices are drawn within strategies.PRICE_RANGE, not the descriptions' open-ended bounds (why: there)
@settings(max_examples=400)
@given(st.data())
def test_inputs_within_bounds_give_a_result_or_a_named_error_never_nan(data):
    name = data.draw(strategies.CALCULATOR_NAMES)
    raw = data.draw(strategies.reader_inputs(name))
    result = run(name, raw)
    if result["ok"]:
        assert finite_everywhere(result["outputs"]), result
    else:
        assert result["field"] and result["message"]


# ============================================================================================
# Exact answers at every boundary (the reader's typed decimals, decided exactly)
# ============================================================================================

class TestExactBoundaries:
    """Each case is worked by hand; with binary floats each of them once gave the other answer."""

    @pytest.mark.parametrize("side, entry, move", [("long", "185", "-9.5"), ("long", "0.5", "-9.5"),
                                                   ("short", "3400", "9.5")])
    def test_a_move_landing_on_the_liquidation_price_liquidates(self, side, entry, move):
        # size 10,000 at 10x: margin 1,000; a 9.5% adverse move loses 950; margin + pnl = 50 and the
        # simple model's requirement is 10,000 * 0.5% = 50: equal, so liquidated
        raw = {"wallet_balance": "3000", "model": "simple", "move_all": "0", "positions": [
            {"label": "SOL", "side": side, "entry_price": entry, "size": "10000", "leverage": "10", "mmr": "0.5",
             "move": move}]}
        out = compute("compare", raw)
        assert out["isolated_liquidated"] == "SOL"
        assert out["isolated_balance_left"] == 2000

    def test_a_one_times_long_has_no_liquidation_price(self):
        # exchange model, 1x: LP = (Q*EP - M) / (Q * (1 - MMR)) = 0 exactly, since M = Q * EP
        out = compute("isolated", {**BTC, "entry_price": "10257.29", "leverage": "1", "margin": "97288.61",
                                   "model": "exchange"})
        assert out["liquidation_price"] is None
        assert out["distance_pct"] is None

    @pytest.mark.parametrize("leverage, mmr", [("2", "50"), ("20", "5"), ("4", "25")])
    def test_a_rate_of_one_over_the_leverage_is_liquidated_at_entry(self, leverage, mmr):
        # exchange model: LP = EP * (1 - 1/L) / (1 - MMR) = EP when MMR = 1/L
        out = compute("isolated", {**BTC, "leverage": leverage, "mmr": mmr, "model": "exchange"})
        assert out["liquidation_price"] == 65000
        assert out["liquidated_at_entry"] is True

    def test_a_wallet_exactly_equal_to_the_margins_is_accepted(self):
        # sizes 1 and 2 at 10x: margins 0.1 + 0.2 = 0.3, exactly the wallet
        rows = [{"label": label, "side": "long", "entry_price": "100", "size": size, "leverage": "10",
                 "mmr": "0.5", "move": "0"} for label, size in (("A", "1"), ("B", "2"))]
        assert run("compare", {"wallet_balance": "0.3", "model": "exchange", "move_all": "0", "positions": rows})["ok"]

    def test_maintenance_at_entry_uses_the_entry_tier(self):
        # 1 BTC at 60,000, 2x, margin 30,000: the entry notional 60,000 is in tier 2 (0.5%, 50):
        # 60,000 * 0.5% - 50 = 250 (the liquidation notional falls in tier 1, which would give 240)
        out = compute("isolated", {**BTC, "entry_price": "60000", "leverage": "2", "margin": "30000",
                                   "tier_table": TABLE, "model": "exchange"})
        assert out["maintenance_margin"] == 250

    def test_hedged_legs_of_one_asset_share_one_liquidation_price(self):
        # wallet 3,000; 1 BTC long from 60,000 and 1 BTC short from 62,000, both marked 61,000, 0.5%:
        # equity = 3,000 + (P - 60,000) - (P - 62,000) = 5,000 at any P; requirement 0.005P + 0.005P,
        # so the account is liquidated at 0.01P = 5,000: P = 500,000, for both legs
        raw = {"wallet_balance": "3000", "model": "exchange", "positions": [
            {"label": "BTC", "side": "long", "entry_price": "60000", "size": "60000", "mark_price": "61000", "mmr": "0.5"},
            {"label": "BTC", "side": "short", "entry_price": "62000", "size": "62000", "mark_price": "61000", "mmr": "0.5"},
        ]}
        out = compute("cross", raw)
        assert [row["liquidation_price"] for row in out["positions"]] == [500_000, 500_000]
        assert out["equity"] == 5000

    @pytest.mark.parametrize("value", ["1e400", 10 ** 400, 2 ** 1100])
    def test_hostile_numbers_are_refused_naming_the_field(self, value):
        result = run("isolated", {**BTC, "margin": value})
        assert result["ok"] is False and result["field"] == "margin"
