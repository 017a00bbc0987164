"""The recogniser's grammar (livecalc/recognise.py) on phrasings written for the tests: each figure is
read as the input or the result its words say, and decided against the module by livecalc.claims.

Expected values are computed by hand in the comments, from the formulas of docs/methodology.md:
simple model LP = EP × (1 − s/L + s × MMR) (s = +1 long, −1 short); exchange model
LP = (s × Q × EP − M) / (Q × (s − MMR)); bankruptcy BP = EP − s × M / Q.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import strategies
from calculators import descriptions
from livecalc import recognise
from livecalc.claims import _decide_paragraph


def decide(text: str) -> tuple[list[tuple[str, str, str]], dict]:
    """``[(figure text, status, ref)]`` and the examples of one paragraph."""
    paragraph = recognise.read_paragraph(text, 1)
    examples: dict = {}
    made = _decide_paragraph(paragraph, examples, set())
    return [(claim.text, claim.status, claim.ref) for _, claim, _ in made], examples


# --- figures -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, kind, value", [
    ("$65,000", "money", Fraction(65000)),
    ("65,000 USD", "money", Fraction(65000)),
    ("65,000 USDT", "money", Fraction(65000)),
    ("$65k", "money", Fraction(65000)),
    ("$1.2 million", "money", Fraction(1200000)),
    ("-$508.20", "money", Fraction(-50820, 100)),
    ("0.5%", "percent", Fraction(1, 2)),
    ("5 percent", "percent", Fraction(5)),
    ("10x", "multiple", Fraction(10)),
    ("10×", "multiple", Fraction(10)),
])
def test_each_way_of_writing_a_figure_is_one_figure_of_its_kind_and_value(text, kind, value):
    (figure,) = recognise.figures(f"A figure of {text} here.")
    assert (figure.kind, figure.value, figure.text) == (kind, value, text)


def test_a_scaled_figure_agrees_to_its_last_written_digit():
    # "$58.8k" is 58,800 give or take half of the last digit, 0.1k: 50 dollars
    (figure,) = recognise.figures("$58.8k")
    assert figure.half_unit == 50 and figure.stated == "$58,800"


def test_years_and_plain_numbers_are_not_figures():
    assert recognise.figures("In its 2023 reports, 3 exchanges and 125 tiers") == []


# Pieces that make figures, near-figures and their neighbours: signs, "$", digits (a Unicode one too),
# separators, units, scale words, and the letters, points, commas and "$" that stop a figure starting.
FIGURE_PIECES = ["$", "-", "\u2212", "-$", "\u2212$", "$ ", "0", "5", "65", "9", "2.75", "1234", "1,000", ",000", ".5", ".", ",", "\u0663", "%", " ",
                 "\u00a0", "x", "\u00d7", "k", "K", "m", "bn", " million", " thousand", " USD", "USDT", " dollars",
                 " US dollars", " percent", " per cent", "a", "_", "é", "\n", ";"]


ASCII_PIECES = [piece for piece in FIGURE_PIECES if piece.isascii()]  # ASCII text is scanned its own way


@given(st.one_of(strategies.figure_texts(FIGURE_PIECES), strategies.figure_texts(ASCII_PIECES)))
@example("a -$5, \u2212$6 and $-7; 8,000 USDT")
@settings(max_examples=600)
def test_figures_are_found_where_the_figure_expressions_own_search_finds_them(text):
    # figures() tries the expression only where a figure can start; the expression's own search
    # (which tries every character) must find the same figures, with the same parts.
    found = [(m.span(), m.groupdict()) for m in recognise._figure_matches(text)]
    assert found == [(m.span(), m.groupdict()) for m in recognise.FIGURE.finditer(text)]


@pytest.mark.parametrize("text, expected", [
    ("$5 and -$6, 7% or 8x", ["$5", "-$6", "7%", "8x"]),
    # after a letter, "$", point or comma: none ("2,5%" is "2," then "5%" after a comma)
    ("a5% b$6 1.5% 2,5% $$7 .5% ,5%", ["1.5%"]),
    # one right after another ("%" is no letter); "10x5%" is neither a multiple (a digit follows the
    # "x") nor a percentage (after the letter "x")
    ("5% 6%7% 10x5%", ["5%", "6%", "7%"]),
])
def test_a_figure_starts_only_where_nothing_word_like_is_before_it(text, expected):
    assert [f.text for f in recognise.figures(text)] == expected


# --- phrasings ------------------------------------------------------------------------------------------

BTC_INPUTS = {"side": "long", "entry_price": 65000, "leverage": 10, "margin": 1000, "mmr": "0.5%"}

PHRASINGS = [
    # (text, expected [(figure, status)] in order, inputs of the one example (or None))
    # 1. "10x long"; simple LP = 65,000 × (1 − 0.1 + 0.005) = 58,825
    ("A 10x long on BTC at $65,000 with $1,000 of margin and a 0.5% maintenance margin is liquidated at $58,825.",
     [("10x", "input"), ("$65,000", "input"), ("$1,000", "input"), ("0.5%", "input"), ("$58,825", "checked")], BTC_INPUTS),
    # 2. "long at 10x", "65,000 USD", "a maintenance margin rate of 0.5%"
    ("Go long at 10x on Bitcoin at 65,000 USD with $1,000 margin; with a maintenance margin rate of 0.5%, liquidation comes at $58,825.",
     [("10x", "input"), ("65,000 USD", "input"), ("$1,000", "input"), ("0.5%", "input"), ("$58,825", "checked")], BTC_INPUTS),
    # 3. "$65k", "$1k"; "$58.8k" is 58,800 ± 50 and 58,825 is within it
    ("A 10x long on Bitcoin from $65k with $1k margin and 0.5% maintenance margin: liquidation near $58.8k.",
     [("10x", "input"), ("$65k", "input"), ("$1k", "input"), ("0.5%", "input"), ("$58.8k", "checked")], BTC_INPUTS),
    # 4. a short, simple model: 3,400 × (1 + 0.1 − 0.005) = 3,723
    ("A 10x short on ETH at $3,400 with $500 of margin and a maintenance margin of 0.5% is liquidated at $3,723.",
     [("10x", "input"), ("$3,400", "input"), ("$500", "input"), ("0.5%", "input"), ("$3,723", "checked")],
     {"side": "short", "entry_price": 3400, "leverage": 10, "margin": 500, "mmr": "0.5%", "model": "simple"}),
    # 5. the same short, exchange model: (Q×EP + M) / (Q × 1.005) = 5,500 / (5,000/3,400 × 1.005) = 3,721.39
    ("A 10x short on ETH at $3,400 with $500 of margin and a maintenance margin of 0.5% is liquidated at $3,721.39.",
     [("10x", "input"), ("$3,400", "input"), ("$500", "input"), ("0.5%", "input"), ("$3,721.39", "checked")],
     {"side": "short", "model": "exchange"}),
    # 6. the move: 1/20 − 0.005 = 4.5% (simple; exchange 1 − 0.95/0.995 = 4.52%, also "4.5%")
    ("A 20x long on SOL at $185 with $100 of margin and 0.5% maintenance margin: a 4.5% drop liquidates it.",
     [("20x", "input"), ("$185", "input"), ("$100", "input"), ("0.5%", "input"), ("4.5%", "checked")], {"leverage": 20}),
    # 7. the bankruptcy price: 65,000 − 1,000 / (10,000/65,000) = 58,500; size given, margin = 10,000/10
    ("A $10,000 long on BTC at $65,000 at 10x with a 0.5% maintenance margin is bankrupt at $58,500.",
     [("$10,000", "input"), ("$65,000", "input"), ("10x", "input"), ("0.5%", "input"), ("$58,500", "checked")],
     {"margin": 1000, "leverage": 10}),
    # 8. "leverage of 10x", "0.5% MMR"
    ("A long on BTC at $65,000 with leverage of 10x, $1,000 of margin and a 0.5% MMR is liquidated at $58,825.",
     [("$65,000", "input"), ("10x", "input"), ("$1,000", "input"), ("0.5%", "input"), ("$58,825", "checked")], BTC_INPUTS),
    # 9. the initial margin rate depends on the leverage alone: 1/25 = 4%
    ("At 25x leverage, the initial margin is 4% of the position.", [("25x", "input"), ("4%", "checked")], {"leverage": 25}),
    # 10. the maximum loss is the margin; the position size is margin × leverage = 10,000
    ("A 10x long on BTC at $65,000 with $1,000 of margin and 0.5% maintenance margin has a position size of $10,000 "
     "and the most you can lose is $1,000.",
     [("10x", "input"), ("$65,000", "input"), ("$1,000", "input"), ("0.5%", "input"), ("$10,000", "checked"),
      ("$1,000", "checked")], BTC_INPUTS),
    # 11. a wrong liquidation price (the guide's draft's figure) is corrected
    ("A 10x long on BTC at $65,000 with $1,000 of margin and 0.5% maintenance margin is liquidated at $58,465.",
     [("10x", "input"), ("$65,000", "input"), ("$1,000", "input"), ("0.5%", "input"), ("$58,465", "corrected")], BTC_INPUTS),
    # 12. a result found by its value, no words: 58,825 is the liquidation price and no other result
    ("A 10x long on BTC at $65,000 with $1,000 of margin and 0.5% maintenance margin: $58,825.",
     [("10x", "input"), ("$65,000", "input"), ("$1,000", "input"), ("0.5%", "input"), ("$58,825", "checked")], BTC_INPUTS),
    # 13. the maintenance margin at entry: 10,000 × 0.5% = 50
    ("A 10x long on BTC at $65,000 with $1,000 of margin and 0.5% maintenance margin keeps a maintenance margin of $50.",
     [("10x", "input"), ("$65,000", "input"), ("$1,000", "input"), ("0.5%", "input"), ("$50", "checked")], BTC_INPUTS),
    # 14. "before accounting for maintenance margin": the move with a rate of 0, 1/20 = 5%
    ("A 20x leveraged isolated position on Ethereum has a liquidation buffer of roughly 5% before accounting for maintenance margin.",
     [("20x", "input"), ("5%", "checked")], {"leverage": 20}),
    # 15. the text names the model: at the mark price the long liquidates at
    # (10,000 − 1,000) / (10,000/65,000 × 0.995) = 58,793.97, so the simple model's 58,825 is corrected
    ("Under the mark price rule, a 10x long on BTC at $65,000 with $1,000 of margin and 0.5% maintenance margin "
     "is liquidated at $58,825.",
     [("10x", "input"), ("$65,000", "input"), ("$1,000", "input"), ("0.5%", "input"), ("$58,825", "corrected")],
     {"model": "exchange"}),
]


@pytest.mark.parametrize("text, expected, inputs", PHRASINGS, ids=[f"phrasing-{n}" for n in range(1, len(PHRASINGS) + 1)])
def test_a_phrasing_of_a_worked_example_gives_its_inputs_and_checks_its_results(text, expected, inputs):
    claims, examples = decide(text)
    assert [(figure, status) for figure, status, _ in claims] == expected
    (example,) = examples.values()
    assert {key: example.get(key) for key in inputs} == inputs


def test_several_isolated_positions_in_one_paragraph_are_several_examples():
    # BTC: 58,825 as above; ETH short at 5x: 3,400 × (1 + 0.2 − 0.005) = 4,063
    claims, examples = decide(
        "A 10x long on BTC at $65,000 with $1,000 of margin and 0.5% maintenance margin is liquidated at $58,825, "
        "and a 5x short on ETH at $3,400 with $2,000 of margin and 0.5% maintenance margin is liquidated at $4,063.")
    assert set(examples) == {"btc_10x_long", "eth_5x_short"}
    assert [ref for _, status, ref in claims if status == "checked"] == [
        "btc_10x_long.liquidation_price", "eth_5x_short.liquidation_price"]
    assert examples["eth_5x_short"]["side"] == "short" and examples["eth_5x_short"]["margin"] == 2000


def test_a_wallet_and_several_positions_are_one_cross_margin_account():
    # Simple model, ETH held at its entry: equity 3,000 + Q × (P − 65,000) meets the requirement
    # (10,000 + 10,000) × 0.5% = 100 at P = 65,000 − 2,900 × 6.5 = 46,150 (Q = 10,000/65,000);
    # margin ratio = 100 / 3,000 = 3.33%.
    claims, examples = decide(
        "A $3,000 account holds a $10,000 long on BTC at $65,000 and a $10,000 short on ETH at $3,400, each with a "
        "0.5% maintenance margin rate. Bitcoin would liquidate the account at $46,150, and the margin ratio is 3.33%.")
    (account,) = examples.values()
    assert account["calculator"] == "cross" and account["wallet_balance"] == 3000
    assert [(p["label"], p["side"], p["size"], p["mmr"]) for p in account["positions"]] == [
        ("BTC", "long", 10000, "0.5%"), ("ETH", "short", 10000, "0.5%")]
    assert [status for _, status, _ in claims] == ["input"] * 6 + ["checked", "checked"]
    assert claims[-2][2].endswith("positions.BTC.liquidation_price")


POSITION_TEXT = ("A 10x long on BTC at $65,000 with $1,000 of margin and 0.5% maintenance margin is liquidated "
                 "at $58,825.")
ACCOUNT_TEXT = ("A $3,000 account holds a $10,000 long on BTC at $65,000 and a $10,000 short on ETH at $3,400, "
                "each with a 0.5% maintenance margin rate. Bitcoin would liquidate the account at $46,150.")


def test_the_import_computes_each_kind_of_example_with_the_calculator_whose_description_claims_it(monkeypatch):
    # The recogniser reads kinds of example (a position, an account); which calculator computes each is
    # said by the descriptions alone. Moved to same-function copies under other names, the claim moves
    # the import's examples with it, and every figure is decided as before (58,825 and 46,150 by hand above).
    before = {text: decide(text) for text in (POSITION_TEXT, ACCOUNT_TEXT)}
    assert [e["calculator"] for _, examples in before.values() for e in examples.values()] == ["isolated", "cross"]
    for kind in descriptions.PROSE_KINDS:
        old = descriptions.CALCULATORS[descriptions.for_prose(kind)]
        monkeypatch.setitem(descriptions.CALCULATORS, old.name, replace(old, prose=""))
        monkeypatch.setitem(descriptions.CALCULATORS, f"{kind}_copy", replace(old, name=f"{kind}_copy"))
    for text, (claims, examples) in before.items():
        claims_now, examples_now = decide(text)
        assert [(figure, status) for figure, status, _ in claims_now] == [(figure, status) for figure, status, _ in claims]
        assert ["checked"] == [status for _, status, _ in claims_now if status == "checked"]
        (example,), (example_now,) = examples.values(), examples_now.values()
        kind = "position" if example["calculator"] == "isolated" else "account"
        assert example_now == {**example, "calculator": f"{kind}_copy"}


@pytest.mark.parametrize("claimed_by, message", [
    ((), "0 calculators compute a draft's 'position' examples (exactly one must): none"),
    (("isolated", "cross"), "2 calculators compute a draft's 'position' examples (exactly one must): isolated, cross"),
])
def test_a_kind_of_example_that_not_exactly_one_description_claims_is_refused_by_name(monkeypatch, claimed_by, message):
    for name, calc in list(descriptions.CALCULATORS.items()):
        monkeypatch.setitem(descriptions.CALCULATORS, name, replace(calc, prose="position" if name in claimed_by else ""))
    with pytest.raises(LookupError) as refused:
        descriptions.for_prose("position")
    assert str(refused.value) == message


@pytest.mark.parametrize("text, reason", [
    # the liquidation price depends on the entry price, which is not given: nothing is guessed
    ("A 10x long on Bitcoin is liquidated at $58,825.", "depends on the entry price"),
    # no position at all
    ("Bitcoin fell 30% in a week, from $69,000.", "not part of a worked example"),
    # a range is context, never an example's figure
    ("Bitcoin and Ethereum swing 5% to 15% in a day.", "part of a range"),
    # an account without sizes
    ("A $3,000 account holds a long on BTC at $65,000 and a short on ETH at $3,400.", "does not give the size"),
    # positions without leverage or margin
    ("You hold a long on Bitcoin at $65,000 and a short on Ethereum at $3,400.", "does not give the leverage"),
])
def test_what_is_not_recognised_is_listed_as_unverified_never_accepted(text, reason):
    claims, examples = decide(text)
    unverified = [c for c in claims if c[1] == "unverified"]
    assert unverified and all(status != "checked" for _, status, _ in claims)
    paragraph = recognise.read_paragraph(text, 1)
    notes = [claim.note for _, claim, _ in _decide_paragraph(paragraph, {}, set())]
    assert any(reason in note for note in notes), notes


def test_an_ambiguous_side_word_does_not_open_a_position():
    # "as long as" and "long-term" are not sides; no figure is read as an input
    claims, _ = decide("As long as the long-term trend holds at $65,000, nothing happens.")
    assert [status for _, status, _ in claims] == ["unverified"]
