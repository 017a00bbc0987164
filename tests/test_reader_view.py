"""What a reader is told beside the figures (issue 12): the states of the results, signed figures
and units, and messages in the reader's language. Every expected value is worked by hand in the
comment above it; the formulas are those of calculators/margin.py's docstrings (Binance's FAQ
"How to Calculate Liquidation Price of USDⓈ-M Futures Contracts")."""

from __future__ import annotations

from fractions import Fraction

import pytest

from calculators.descriptions import CALCULATORS, Output, run
from presentation import format as fmt
from presentation.display import answer, figure

MINUS = fmt.MINUS

ISOLATED_125X = {"side": "long", "entry_price": "70000", "leverage": "125", "margin": "1000", "mmr": "2",
                 "tier_table": "none", "model": "exchange", "asset": "BTC"}

#: the guide's three positions (10,000 each, 0.5%, simple model, 3,000 wallet) with BTC marked at 46,000
THREE_BTC_AT_46000 = {"wallet_balance": "3000", "model": "simple", "positions": [
    {"label": "BTC", "side": "long", "entry_price": "65000", "size": "10000", "mark_price": "46000", "mmr": "0.5"},
    {"label": "ETH", "side": "short", "entry_price": "3400", "size": "10000", "mark_price": "3400", "mmr": "0.5"},
    {"label": "SOL", "side": "long", "entry_price": "185", "size": "10000", "mark_price": "185", "mmr": "0.5"},
]}

THREE_COMPARE = {"wallet_balance": "3000", "model": "simple", "move_all": "0", "positions": [
    {"label": "BTC", "side": "long", "entry_price": "65000", "size": "10000", "leverage": "10", "mmr": "0.5", "move": "0"},
    {"label": "ETH", "side": "short", "entry_price": "3400", "size": "10000", "leverage": "10", "mmr": "0.5", "move": "0"},
    {"label": "SOL", "side": "long", "entry_price": "185", "size": "10000", "leverage": "10", "mmr": "0.5", "move": "0"},
]}


def states(result):
    return {state["name"]: state for state in result["states"]}


class TestIsolatedStates:
    def test_a_125x_long_with_2_percent_maintenance_is_liquidated_at_entry(self):
        shown = answer("isolated", ISOLATED_125X)
        # Exchange model, long: (EP x Q - M) / (Q x (1 - MMR)), Q = 125,000 / 70,000:
        # (125,000 - 1,000) / (125,000 / 70,000 x 0.98) = 124,000 / 1.75 = 70,857.142857...
        assert shown["texts"]["liquidation_price"] == "$70,857.14"
        state = states(shown)["liquidated_at_entry"]
        assert state["level"] == "danger"
        # margin 1,000; maintenance at entry 125,000 x 2% = 2,500
        assert state["message"].startswith("Liquidated as soon as it opens: the margin, $1,000.00, does not cover "
                                           "the maintenance margin at entry, $2,500.00, so the liquidation price, "
                                           "$70,857.14,")
        # no distance is shown for a liquidation already passed: it says so instead
        assert shown["texts"]["liquidation_move"] == "none: already passed"
        assert shown["marks"]["liquidation_move"] == "danger"
        assert shown["marks"]["liquidation_price"] == "danger"

    def test_the_guide_10x_long_has_no_state_and_a_move_down(self):
        shown = answer("isolated", {**ISOLATED_125X, "entry_price": "65000", "leverage": "10", "mmr": "0.5",
                                    "model": "simple"})
        assert shown["states"] == []
        # 65,000 x (1 - 1/10 + 0.005) = 58,825; (58,825 - 65,000) / 65,000 = -9.5%
        assert shown["texts"]["liquidation_move"] == f"{MINUS}9.50% (down)"
        assert "liquidation_move" not in shown["marks"]  # a move is not a gain or a loss

    def test_a_short_liquidates_up(self):
        shown = answer("isolated", {**ISOLATED_125X, "side": "short", "entry_price": "65000", "leverage": "10",
                                    "mmr": "0.5", "model": "simple"})
        # short, simple: 65,000 x (1 + 1/10 - 0.005) = 71,175; +6,175 / 65,000 = +9.5%
        assert shown["texts"]["liquidation_price"] == "$71,175.00"
        assert shown["texts"]["liquidation_move"] == "+9.50% (up)"

    def test_a_1x_long_has_no_liquidation_price_and_says_why(self):
        shown = answer("isolated", {**ISOLATED_125X, "entry_price": "65000", "leverage": "1", "mmr": "0.5"})
        # 1x: the margin is the whole position (1,000 of 1,000): the price would have to reach 0
        state = states(shown)["no_liquidation_price"]
        assert state["level"] == "note"
        assert "1x" in state["message"] and "zero" in state["message"]
        assert shown["texts"]["liquidation_price"] == "none"
        assert shown["texts"]["liquidation_move"] == "none"

    def test_quantity_carries_the_asset_as_its_unit(self):
        shown = answer("isolated", {**ISOLATED_125X, "entry_price": "65000", "leverage": "10", "asset": "ETH"})
        # 1,000 x 10 / 65,000 = 0.153846... -> 0.1538
        assert shown["texts"]["quantity"] == "0.1538 ETH"
        shown = answer("isolated", {**ISOLATED_125X, "entry_price": "65000", "leverage": "10", "asset": ""})
        assert shown["texts"]["quantity"] == "0.1538"

    def test_the_maintenance_amount_used_is_shown_under_a_tier_table(self):
        calc = CALCULATORS["isolated"]
        shown_names = {node.name for node in calc.outputs if isinstance(node, Output)}
        assert "maintenance_amount_used" in shown_names
        mmr = next(f for f in calc.fields if f.name == "mmr")
        assert mmr.used_when == ("tier_table", "none")


class TestCrossStates:
    def test_btc_marked_at_46000_is_an_account_being_liquidated(self):
        shown = answer("cross", THREE_BTC_AT_46000)
        # BTC: Q = 10,000 / 65,000; P&L = Q x (46,000 - 65,000) = -190,000,000 / 65,000 = -2,923.08
        # equity = 3,000 - 2,923.08 = 76.92; requirement (simple) = 3 x 10,000 x 0.5% = 150;
        # margin ratio = 150 / (1,000 / 13) = 1.95 = 195.00%
        assert shown["texts"]["equity"] == "$76.92"
        assert shown["texts"]["unrealized_pnl"] == f"{MINUS}$2,923.08 (loss)"
        assert shown["marks"]["unrealized_pnl"] == "loss"
        state = states(shown)["account_liquidated"]
        assert state["level"] == "danger"
        assert "$76.92" in state["message"] and "$150.00" in state["message"]
        assert shown["texts"]["margin_ratio"] == "195.00%: liquidation at 100%"
        assert shown["marks"]["margin_ratio"] == "danger"
        for row in range(3):  # no move to liquidation is left: said instead of 1.03% and 0.73%
            assert shown["texts"][f"positions.{row}.liquidation_move"] == "none: already passed"
            assert shown["marks"][f"positions.{row}.liquidation_move"] == "danger"

    def test_an_account_above_its_requirement_has_no_state(self):
        shown = answer("cross", {**THREE_BTC_AT_46000, "positions": [
            {**row, "mark_price": row["entry_price"]} for row in THREE_BTC_AT_46000["positions"]]})
        assert shown["states"] == []
        assert shown["texts"]["margin_ratio"] == "5.00%"  # 150 / 3,000
        assert "margin_ratio" not in shown["marks"]
        # BTC, the others held: 3,000 + Q (P - 65,000) = 150, P = 65,000 - 2,850 x 6.5 = 46,475;
        # (46,475 - 65,000) / 65,000 = -28.5%
        assert shown["texts"]["positions.0.liquidation_move"] == f"{MINUS}28.50% (down)"
        assert shown["texts"]["positions.0.pnl"] == "$0.00"  # no sign, no gain or loss, for nothing
        assert "positions.0.pnl" not in shown["marks"]


class TestSigns:
    @pytest.mark.parametrize("value, signed, text, mark", [
        (Fraction(3, 20), "move", "+15.00% (up)", None),
        (Fraction(-19, 200), "move", f"{MINUS}9.50% (down)", None),
        (Fraction(0), "move", "0.00%", None),
        (Fraction(500), "gain", "+$500.00 (gain)", "gain"),
        (Fraction(-500), "gain", f"{MINUS}$500.00 (loss)", "loss"),
        (Fraction(-1, 10**6), "move", "0.00%", None),  # -0.0001% shows as 0.00%: no sign, no direction
        (Fraction(8), "cost", "$8.00 (you pay)", "loss"),
        (Fraction(-8), "cost", f"{MINUS}$8.00 (you receive)", "gain"),
    ])
    def test_a_signed_figure_says_its_sign_in_words(self, value, signed, text, mark):
        unit = "percent" if signed == "move" else "usd"
        assert figure(value, Output("x", "X", unit, signed=signed)) == (text, mark)

    def test_profit_and_loss_is_a_gain_or_a_loss(self):
        raw = {"side": "long", "entry_price": "65000", "exit_price": "68250", "size": "10000", "leverage": "10",
               "fee_rate": "0"}
        shown = answer("profit_and_loss", raw)
        # 10,000 x (68,250 / 65,000 - 1) = 10,000 x 5% = 500; on 1,000 of margin, 50%
        assert shown["texts"]["pnl"] == "+$500.00 (gain)"
        assert shown["texts"]["roe"] == "+50.00% (gain)"
        shown = answer("profit_and_loss", {**raw, "side": "short"})
        assert shown["texts"]["pnl"] == f"{MINUS}$500.00 (loss)"
        assert shown["marks"]["pnl"] == "loss"

    def test_a_compare_outcome_marks_liquidations_as_danger(self):
        shown = answer("compare", {**THREE_COMPARE, "positions": [
            {**row, "move": move} for row, move in zip(THREE_COMPARE["positions"], ("0", "30", "0"))]})
        # ETH +30%: the short loses 3,000 > its 1,000 margin: liquidated in both modes
        assert shown["texts"]["positions.1.move"] == "+30.00% (up)"
        assert shown["texts"]["positions.1.isolated"] == "liquidated"
        assert shown["marks"]["positions.1.isolated"] == "danger"
        # cross: equity 3,000 - 3,000 = 0, every position closed
        assert "cross_all_liquidated" in states(shown)


class TestMessages:
    def test_bounds_are_written_as_the_field_shows_its_value(self):
        result = run("isolated", {**ISOLATED_125X, "entry_price": "-5"})
        assert result["reason"] == "must be at least $0.00000001"
        assert run("isolated", {**ISOLATED_125X, "leverage": "500"})["reason"] == "must be at most 125x"
        assert run("isolated", {**ISOLATED_125X, "mmr": "60"})["reason"] == "must be at most 50%"
        assert run("isolated", {**ISOLATED_125X, "margin": "0"})["reason"] == "must be more than $0"

    def test_margins_over_the_wallet_can_be_reported_at_the_leverage_that_was_changed(self):
        positions = [dict(row) for row in THREE_COMPARE["positions"]]
        positions[0]["leverage"] = "2"
        result = run("compare", {**THREE_COMPARE, "positions": positions})
        # 10,000 / 2 + 10,000 / 10 + 10,000 / 10 = 5,000 + 1,000 + 1,000 = 7,000 > 3,000
        assert result["field"] == "wallet_balance"
        assert result["reason"].startswith("must be at least $7,000.00")
        assert result["also"]["positions[0].leverage"] == (
            "needs a wallet balance of at least $7,000.00 for the isolated margins of the positions "
            "(the wallet balance is $3,000.00)")
        assert set(result["also"]) == {f"positions[{i}].{name}" for i in range(3) for name in ("size", "leverage")}

    def test_a_position_without_a_label_is_named_by_its_place(self):
        positions = [dict(row) for row in THREE_COMPARE["positions"]]
        positions[2]["label"] = ""
        shown = answer("compare", {**THREE_COMPARE, "positions": positions})
        assert shown["texts"]["positions.2.label"] == "Position 3 (long)"
