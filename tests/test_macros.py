"""The mkdocs-macros module, in tiny sites built with the real ``macros`` package and read back as
HTML (as mkdocs-macros tests its own scenarios).

Every expected figure is worked by hand next to it. Misuse is checked by what a writer sees: the
build fails, and its message names the page, the line and what was wrong.
"""

from __future__ import annotations

import re
import textwrap

import pytest

FRONT = """\
---
examples:
  btc:
    calculator: isolated
    side: long
    entry_price: 65000
    leverage: 10
    margin: 1000
    mmr: 0.5%
    tier_table: none
    model: simple
  btc_exchange:
    base: btc
    model: exchange
  three:
    calculator: compare
    wallet_balance: 3000
    model: simple
    positions:
      - {label: BTC, side: long, entry_price: 65000, size: 10000, leverage: 10, mmr: 0.5%}
      - {label: ETH, side: short, entry_price: 3400, size: 10000, leverage: 10, mmr: 0.5%}
      - {label: SOL, side: long, entry_price: 185, size: 10000, leverage: 10, mmr: 0.5%}
  rally:
    base: three
    moves: [0, 15%, 0]
  account:
    calculator: cross
    wallet_balance: 10000
    model: exchange
    positions:
      - {label: BTC, side: long, entry_price: 60000, size: 60000, mark_price: 58000, mmr: 0.5%}
      - {label: ETH, side: short, entry_price: 3000, size: 30000, mark_price: 3200, mmr: 1%}
---
"""


def page(body: str, front: str = FRONT) -> str:
    return front + "\n# A page\n\n" + textwrap.dedent(body)


def line_of(source: str, needle: str) -> int:
    """The 1-based line of the file on which ``needle`` is written."""
    for number, line in enumerate(source.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in the page")


def marked(text: str, name: str) -> str:
    """What the page shows between ``[name]`` and ``[/name]``."""
    match = re.search(rf"\[{name}\]\s*(.*?)\s*\[/{name}\]", text)
    assert match, f"[{name}] not found in the page"
    return match.group(1)


# ============================================================================================
# A page that uses every macro correctly
# ============================================================================================

GOOD = page("""\
    [lp]{{ fig("btc.liquidation_price") }}[/lp]

    [dist]{{ fig("btc.distance_pct") }}[/dist]

    [bp]{{ fig("btc.bankruptcy_price") }}[/bp]

    [override]{{ fig("btc.liquidation_price", model="exchange") }}[/override]

    [base]{{ fig("btc_exchange.liquidation_price") }}[/base]

    [maxloss]{{ fig("btc.max_loss", decimals=0) }}[/maxloss]

    [qty]{{ fig("btc.quantity") }}[/qty]

    [stated]{{ fig("btc.notional", stated="$10,000") }}[/stated]

    [stated2]{{ fig("btc.distance_pct", stated="9.5%") }}[/stated2]

    [tolrel]{{ fig("btc.liquidation_price", stated="$58,800", tol="0.1%") }}[/tolrel]

    [tolabs]{{ fig("btc.liquidation_price", stated="$58,800", tol=30) }}[/tolabs]

    [lev20]{{ fig("btc.liquidation_price", leverage=20) }}[/lev20]

    [in-entry]{{ inputs("btc", "entry_price") }}[/in-entry]

    [in-mmr]{{ inputs("btc", "mmr") }}[/in-mmr]

    [in-lev]{{ inputs("btc", "leverage") }}[/in-lev]

    [in-side]{{ inputs("btc", "side") }}[/in-side]

    [in-eth]{{ inputs("three", "positions.ETH.entry_price") }}[/in-eth]

    [in-row]{{ inputs("three", "positions.2.side") }}[/in-row]

    [in-wallet]{{ inputs("three", "wallet_balance") }}[/in-wallet]

    [iso]{{ fig("rally.isolated_balance_left") }}[/iso]

    [cross]{{ fig("rally.cross_balance_left") }}[/cross]

    [ethloss]{{ fig("rally.cross.positions.ETH.loss") }}[/ethloss]

    [ethliq]{{ fig("rally.isolated.positions.1.liquidated") }}[/ethliq]

    [move]{{ fig("rally.moves.1", decimals=0) }}[/move]

    [margin0]{{ fig("rally.margins.0", decimals=0) }}[/margin0]

    [ratio]{{ fig("account.margin_ratio") }}[/ratio]

    [crosslp]{{ fig("account.positions.BTC.liquidation_price") }}[/crosslp]

    [filter]{{ 1234.5 | money }} and {{ 0.0951 | percent }}[/filter]

    [data]{{ example_data("btc").entry_price }} {{ example_data("three", "cross").positions[1].label }}[/data]

    [corrected]{{ fig("btc.liquidation_price", draft="$58,465") }}[/corrected]

    [agreeing]{{ fig("btc.max_loss", draft="$1,000") }}[/agreeing]

    {{ shock_table("rally") }}

    {{ leverage_table("btc", leverages=[2, 10]) }}

    {{ tier_table() }}
    """)


@pytest.fixture(scope="module")
def good_site(build_site_once):
    return build_site_once({"index.md": GOOD})


def test_the_good_page_builds(good_site):
    assert good_site.ok, good_site.output
    assert "livecalc error" not in good_site.html("index.md")


@pytest.mark.parametrize("name, shown", [
    # the guide's example, simple model: 65,000 * (1 - 0.1 + 0.005) = 58,825; 6,175 / 65,000 = 9.5%
    ("lp", "$58,825.00"),
    ("dist", "9.50%"),
    # bankrupt after 1,000 / (10,000 / 65,000) = 6,500: 58,500
    ("bp", "$58,500.00"),
    # exchange model, by override and by base: 65,000 * 9,000 / 9,950 = 58,793.969...
    ("override", "$58,793.97"),
    ("base", "$58,793.97"),
    ("maxloss", "$1,000"),
    # Q = 10,000 / 65,000 = 0.153846...
    ("qty", "0.1538"),
    # a stated figure shows the computed one
    ("stated", "$10,000.00"),
    ("stated2", "9.50%"),
    ("tolrel", "$58,825.00"),
    ("tolabs", "$58,825.00"),
    # 20x on 1,000 of margin: 65,000 * (1 - 0.05 + 0.005) = 62,075
    ("lev20", "$62,075.00"),
    ("in-entry", "$65,000"),
    ("in-mmr", "0.5%"),
    ("in-lev", "10x"),
    ("in-side", "Long"),
    ("in-eth", "$3,400"),
    ("in-row", "Long"),
    ("in-wallet", "$3,000"),
    # ETH +15%: isolated loses the short's 1,000 of margin, 3,000 - 1,000; cross loses 1,500, 3,000 - 1,500
    ("iso", "$2,000.00"),
    ("cross", "$1,500.00"),
    ("ethloss", "$1,500.00"),
    ("ethliq", "yes"),
    ("move", "15%"),
    ("margin0", "$1,000"),
    # equity 10,000 - 2,000 - 2,000 = 6,000; requirement 290 + 320 = 610; 610 / 6,000 = 10.17%
    ("ratio", "10.17%"),
    # (60,000 - 7,680) / 0.995 = 52,582.914...
    ("crosslp", "$52,582.91"),
    ("filter", "$1,234.50 and 9.51%"),
    ("data", "65000 ETH"),
    ("corrected", "$58,825.00"),
    ("agreeing", "$1,000.00"),
])
def test_figures_on_the_page(good_site, name, shown):
    assert marked(good_site.text("index.md"), name) == shown


def test_shock_table(good_site):
    text = good_site.text("index.md")
    # BTC and SOL unchanged in both modes; ETH liquidated in isolated, open with a 1,500 loss in cross
    assert "BTC (long) 0.00% open, no change open, no change" in text
    assert "ETH (short) +15.00% (up) liquidated open, loss $1,500.00" in text
    assert "Balance left $2,000.00 $1,500.00" in text


def test_leverage_table(good_site):
    text = good_site.text("index.md")
    # 2x: size 2,000, 65,000 * (1 - 0.5 + 0.005) = 32,825, a move of 49.5%
    assert "2x $2,000.00 $32,825.00 49.50%" in text
    assert "10x $10,000.00 $58,825.00 9.50%" in text


def test_tier_table(good_site):
    text = good_site.text("index.md")
    assert "Binance USD-M futures BTCUSDT tiers of 2021-03-18" in text
    assert "$0 to $50,000 125x 0.40% $0" in text
    assert "$300,000,000 to $500,000,000 1x 50.00% $100,016,300" in text


def test_draft_corrections_are_counted_in_the_summary_and_listed_only_in_detail(good_site):
    # GOOD has two draft= figures, one wrong and one agreeing; 22 "[name]{{ fig(" calls (counted with
    # grep), 4 of them stated (stated, stated2, tolrel, tolabs); three tables (shock, leverage, tier).
    (summary,) = good_site.info_lines("livecalc: ")
    assert summary == ("1 page, 22 computed figures (4 stated and checked), 3 tables, 0 calculators; "
                       "2 draft figures corrected (mkdocs build -v lists them)")
    assert "livecalc: corrected" not in good_site.output  # detail: tests/test_writer_errors.py reads it with -v


# ============================================================================================
# A wrong stated figure
# ============================================================================================

def test_a_wrong_stated_figure_fails_the_build_naming_page_line_values_and_inputs(build_site):
    source = page("""\
        Some text first.

        The liquidation price is {{ fig("btc.liquidation_price", stated="$58,465") }}.
        """)
    result = build_site({"index.md": source})
    assert not result.ok
    line = line_of(source, 'stated="$58,465"')
    assert result.errors() == [
        f"docs/index.md:{line}: btc.liquidation_price is stated as $58,465 but the module computes $58,825.00 "
        '(example inputs: side="long", entry_price=65000, leverage=10, margin=1000, mmr="0.5%", '
        'tier_table="none", model="simple", asset="BTC")'
    ]
    assert "1 problem(s)" in result.output


def test_two_wrong_figures_on_one_page_are_both_listed(build_site):
    source = page("""\
        First {{ fig("btc.liquidation_price", stated="$58,000") }}.

        | a | b |
        |---|---|
        | 1 | 2 |

        Second {{ fig("btc.distance_pct", stated="10.5%") }}.
        """)
    result = build_site({"index.md": source})
    assert not result.ok
    first, second = line_of(source, "$58,000"), line_of(source, "10.5%")
    errors = result.errors()
    assert len(errors) == 2
    assert errors[0].startswith(f"docs/index.md:{first}: btc.liquidation_price is stated as $58,000")
    assert errors[1].startswith(f"docs/index.md:{second}: btc.distance_pct "
                                "is stated as 10.5% but the module computes 9.50%")


@pytest.mark.parametrize("call, why", [
    # half-way: 9.5% rounds to 10% only by rounding half up, and figures.py takes no side on a tie
    ('fig("btc.distance_pct", stated="10%")', "exactly half a unit off"),
    # 1% of 58,825 is 588.25 < 825
    ('fig("btc.liquidation_price", stated="$58,000", tol="1%")', "outside a relative tolerance"),
    # 58,825 - 58,800 = 25 > 20
    ('fig("btc.liquidation_price", stated="$58,800", tol=20)', "outside an absolute tolerance"),
    # 58,825.00 against 58,825.5: 0.5 > 0.05
    ('fig("btc.liquidation_price", stated="$58,825.5")', "wrong in the last digit"),
])
def test_claims_just_outside_the_rule_fail(build_site, call, why):
    result = build_site({"index.md": page(f"Claim: {{{{ {call} }}}}\n")})
    assert not result.ok, why
    assert "is stated as" in result.output and "but the module computes" in result.output


def test_a_wrong_figure_in_the_guide_names_the_guide(project_copy):
    # the real site, with the guide's stated "$10,000" position size changed to "$12,000"
    def edit(docs):
        guide = docs / "crypto-isolated-margin-vs-cross-margin.md"
        text = guide.read_text("utf-8")
        assert 'fig("btc_10x.notional", stated="$10,000")' in text
        guide.write_text(text.replace('fig("btc_10x.notional", stated="$10,000")',
                                      'fig("btc_10x.notional", stated="$12,000")'), "utf-8")
        edit.line = line_of(guide.read_text("utf-8"), 'stated="$12,000"')

    result = project_copy(edit)
    assert not result.ok
    expected = (f"docs/crypto-isolated-margin-vs-cross-margin.md:{edit.line}: btc_10x.notional is stated as "
                "$12,000 but the module computes $10,000.00 (example inputs: ")
    assert any(e.startswith(expected) for e in result.errors()), result.output
    assert 'entry_price=65000' in result.output and 'leverage=10' in result.output


# ============================================================================================
# Misuse: every problem named with page and line
# ============================================================================================

#: page name -> (source line with the misuse, what the error must say)
MISUSES = {
    "unknown-example": ('{{ fig("eth.liquidation_price") }}', "unknown worked example 'eth' (known: account, btc"),
    "unknown-output": ('{{ fig("btc.liq_price") }}', "'btc.liq_price': unknown output 'liq_price' "
                                                     "(did you mean 'liquidation_price'?) (outputs here: "),
    "no-output": ('{{ fig("btc") }}', "fig() takes 'example.output', got 'btc'"),
    "not-a-string": ('{{ fig(42) }}', "fig() takes 'example.output', got 42"),
    "a-group": ('{{ fig("rally.isolated") }}', "'rally.isolated' is a group of results, not one figure"),
    "unknown-position": ('{{ fig("rally.cross.positions.DOGE.loss") }}',
                         "no position 'DOGE' (positions: BTC, ETH, SOL)"),
    "bad-override": ('{{ fig("btc.liquidation_price", leverage="ten") }}',
                     "worked example 'btc': leverage: is not a number (got 'ten')"),
    "override-out-of-bounds": ('{{ fig("btc.liquidation_price", leverage=200) }}',
                               "worked example 'btc': leverage: must be at most 125x (got 200)"),
    "unknown-argument": ('{{ fig("btc.liquidation_price", colour="red") }}',
                         "fig(): colour= is neither an argument of fig() nor an input of the calculator 'isolated' "
                         "(fig() takes stated, draft, tol, decimals; 'isolated' inputs: side, entry_price, "),
    "stated-not-a-figure": ('{{ fig("btc.liquidation_price", stated="about 58k") }}',
                            "stated value 'about 58k' is not a figure"),
    "stated-percent-without-sign": ('{{ fig("btc.distance_pct", stated="9.5") }}', "needs a % sign"),
    "bad-tolerance": ('{{ fig("btc.liquidation_price", stated="$58,800", tol="some") }}',
                      "btc.liquidation_price: tol='some' is not a number (tol=50) or a percentage"),
    "inputs-unknown-field": ('{{ inputs("btc", "colour") }}', "'btc' has no input 'colour' (inputs: side, "),
    "inputs-no-field": ('{{ inputs("btc") }}', "inputs() needs a field name"),
    "inputs-unknown-position": ('{{ inputs("three", "positions.DOGE.size") }}', "'three' has no position 'DOGE'"),
    "shock-table-of-isolated": ('{{ shock_table("btc") }}',
                                "results_table(): 'btc' is an example of 'isolated', which has no table of rows "
                                "(calculators with one: cross, compare)"),
    "leverage-table-bad-list": ('{{ leverage_table("btc", leverages="abc") }}',
                                "leverage_table(): leverages must be a list of numbers, got 'abc'"),
    "leverage-table-bad-leverage": ('{{ leverage_table("btc", leverages=[10, 0.5]) }}',
                                    "leverage: must be at least 1x (got 0.5)"),
    "unknown-tier-table": ('{{ tier_table("okx-btcusdt") }}', "tier_table: is not a known tier table"),
}

#: a worked example that is itself wrong, as the lines of its front matter -> what the error must say
BAD_EXAMPLES = {
    "negative-price": ("calculator: isolated\nentry_price: -65000",
                       "worked example 'bad': entry_price: must be at least $0.00000001 (got -65000)"),
    "rate-too-high": ("calculator: isolated\nmmr: 60%", "worked example 'bad': mmr: must be at most 50% (got '60%')"),
    "not-a-number": ("calculator: isolated\nmargin: a thousand",
                     "worked example 'bad': margin: is not a number (got 'a thousand')"),
    "unknown-side": ("calculator: isolated\nside: up", "worked example 'bad': side: must be one of long, short (got 'up')"),
    "unknown-field": ("calculator: isolated\ncolour: red", "worked example 'bad': colour: is not an input of any calculator"),
    "no-calculator": ("side: long", "worked example 'bad': calculator: is missing; add calculator: with one of "
                                    "isolated, cross, compare, "),
}


def with_examples(extra: str) -> str:
    """FRONT with more worked examples declared (YAML lines, indented under ``examples:``)."""
    return FRONT.replace("examples:\n", "examples:\n" + textwrap.indent(extra, "  ") + "\n", 1)


def misuse_pages() -> dict[str, str]:
    pages = {"index.md": page("Nothing wrong here: {{ fig(\"btc.liquidation_price\") }}.\n")}
    for name, (call, _) in MISUSES.items():
        pages[f"{name}.md"] = page(f"Some prose.\n\nThe misuse: {call}\n")
    for name, (spec, _) in BAD_EXAMPLES.items():
        front = with_examples("bad:\n" + textwrap.indent(spec, "  "))
        pages[f"example-{name}.md"] = page("Its price: {{ fig(\"bad.liquidation_price\") }}\n", front=front)
    pages["cycle.md"] = page("Loop: {{ fig(\"a.liquidation_price\") }}\n",
                             front=with_examples("a:\n  base: b\nb:\n  base: a"))
    return pages


@pytest.fixture(scope="module")
def misuse_site(build_site_once):
    # One build holds every misuse, one per page: any recorded problem fails the build, so each
    # page's own line in the failure message shows that this misuse alone would fail it too
    # (test_a_misuse_alone_fails_the_build checks that on its own for one of them).
    return build_site_once(misuse_pages())


def test_misuse_fails_the_build(misuse_site):
    assert not misuse_site.ok
    # + 1: the cycle page, whose two examples are each other's base (reported once: the second
    # stands on the first)
    expected = len(MISUSES) + len(BAD_EXAMPLES) + 1
    assert f"livecalc: {expected} problem(s) with the pages' content" in misuse_site.output
    # nothing is reported against the page without a problem
    assert not [e for e in misuse_site.errors() if e.startswith("docs/index.md")]


@pytest.mark.parametrize("name", sorted(MISUSES))
def test_each_misuse_is_named_with_page_and_line(misuse_site, name):
    call, says = MISUSES[name]
    line = line_of(misuse_site.pages[f"{name}.md"], call)
    ours = [e for e in misuse_site.errors() if e.startswith(f"docs/{name}.md:")]
    assert len(ours) == 1, misuse_site.output
    assert ours[0].startswith(f"docs/{name}.md:{line}: ")
    assert says in ours[0]


@pytest.mark.parametrize("name", sorted(BAD_EXAMPLES))
def test_a_bad_worked_example_is_named(misuse_site, name):
    _, says = BAD_EXAMPLES[name]
    ours = [e for e in misuse_site.errors() if e.startswith(f"docs/example-{name}.md:")]
    assert len(ours) == 1, misuse_site.output
    assert says in ours[0]


def test_an_example_that_is_its_own_base(misuse_site):
    ours = [e for e in misuse_site.errors() if e.startswith("docs/cycle.md:")]
    assert ours == [f"docs/cycle.md:{line_of(misuse_site.pages['cycle.md'], 'base: b')}: worked example 'a': "
                    "base: 'a', 'b' stand on one another; an example cannot be its own base (used on 1 line: "
                    f"{line_of(misuse_site.pages['cycle.md'], 'Loop:')})"]


def test_an_unused_bad_example_fails_the_build(build_site):
    """A worked example no macro uses is still computed, so a writer learns of it before using it."""
    result = build_site({"index.md": "---\nexamples:\n  spare:\n    calculator: isolated\n"
                                     "    leverage: 500\n---\n\n# Home\n\nNo figures here.\n"})
    assert not result.ok
    # at the line of the value (5), and with no uses to count
    assert result.errors() == ["docs/index.md:5: worked example 'spare': leverage: must be at most 125x (got 500)"]


def test_the_page_shows_a_marker_where_the_figure_would_be(misuse_site):
    html = (misuse_site.site_dir / "unknown-example" / "index.html").read_text("utf-8")
    line = line_of(misuse_site.pages["unknown-example.md"], MISUSES["unknown-example"][0])
    assert f"[livecalc error on line {line}: see the list at the top of the page]" in html


def test_a_misuse_alone_fails_the_build(build_site):
    source = page("Oops: {{ fig(\"btc.liq_price\") }}\n")
    result = build_site({"index.md": source})
    assert not result.ok
    assert result.errors() == [
        f"docs/index.md:{line_of(source, 'liq_price')}: 'btc.liq_price': unknown output 'liq_price' "
        "(did you mean 'liquidation_price'?) (outputs here: bankruptcy_price, distance_pct, initial_margin, initial_margin_rate, liquidated_at_entry, "
        "liquidation_move, liquidation_price, maintenance_amount_used, maintenance_margin, max_loss, mmr_used, notional, quantity, "
        "tier_table_used)"
    ]


def test_a_bad_value_in_front_matter_alone_fails_the_build(build_site):
    source = page("Price {{ fig(\"btc.liquidation_price\") }}\n", front=FRONT.replace("mmr: 0.5%", "mmr: -1%", 1))
    result = build_site({"index.md": source})
    assert not result.ok
    # Reported once, at the value's line (not again at the macro, nor at the examples declared with
    # base: btc), with the macro's line as its one use
    assert result.errors() == [f"docs/index.md:{line_of(source, 'mmr: -1%')}: worked example 'btc': mmr: must be at "
                               f"least 0% (got '-1%') (used on 1 line: {line_of(source, 'Price')})"]


def test_an_undefined_macro_fails_the_build_naming_the_page(build_site):
    result = build_site({"index.md": page("{{ figure(\"btc.liquidation_price\") }}\n")})
    assert not result.ok
    assert result.errors() == ["docs/index.md:37: 'figure' is not a macro (did you mean 'fig'?)"]
    assert "Traceback" not in result.output
