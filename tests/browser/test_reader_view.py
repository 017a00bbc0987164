"""A reader's view of the calculators in Chromium (issue 12): danger states shown and announced,
errors at the field the reader changed, results visibly stale while the inputs cannot be computed,
rows and reset, and every macro's output on a 360 px phone.

Every expected figure is worked by hand in the comment above it (the formulas of
calculators/margin.py's docstrings); none is copied from what the page prints.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from calculators import descriptions

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MINUS = "\u2212"


def state(calc, name):
    """A state's paragraph, inside the calculator's live region (announced to screen readers)."""
    return calc.root.locator(f'[data-states][aria-live] [data-state="{name}"]')


# ------------------------------------------------------------------------------------------- danger

def test_a_125x_long_at_70000_with_2_percent_maintenance_is_shown_liquidated_at_entry(page, site, calculator):
    page.goto(site.guide)
    calc = calculator(page, "isolated")
    calc.go_live()
    calc.set("entry_price", "70000")
    calc.set("leverage", "125")
    calc.set("mmr", "2")
    calc.set("model", "exchange")
    # Exchange model, long: (EP x Q - M) / (Q x (1 - MMR)) with Q = 125,000 / 70,000:
    # 124,000 / (125,000 / 70,000 x 0.98) = 124,000 / 1.75 = 70,857.14, above the entry.
    calc.expect("liquidation_price", "$70,857.14")
    warning = state(calc, "liquidated_at_entry")
    expect(warning).to_be_visible()
    # in words, not colour alone; margin 1,000 against a maintenance of 125,000 x 2% = 2,500
    expect(warning).to_contain_text("Warning: Liquidated as soon as it opens")
    expect(warning).to_contain_text("$2,500.00")
    # no distance for a liquidation already passed (it was "1.22%"): it says so instead
    calc.expect("liquidation_move", "none: already passed")
    expect(calc.output("liquidation_move")).to_have_attribute("data-sign", "danger")
    # back to 10x: the warning goes, the move comes back with its direction.
    # 1,000 x 10 = 10,000, Q = 1/7: (10,000 - 1,000) / (1/7 x 0.98) = 64,285.71;
    # (64,285.71 - 70,000) / 70,000 = -8.16%
    calc.set("leverage", "10")
    calc.expect("liquidation_move", f"{MINUS}8.16% (down)")
    expect(warning).to_have_count(0)


def test_btc_marked_at_46000_shows_the_cross_account_being_liquidated(page, site, calculator):
    page.goto(site.guide)
    calc = calculator(page, "cross")
    calc.go_live()
    calc.set("positions.0.mark_price", "46000")
    # BTC: Q = 10,000 / 65,000, P&L = Q x (46,000 - 65,000) = -2,923.08; equity 3,000 - 2,923.08 = 76.92;
    # requirement (simple) 3 x 10,000 x 0.5% = 150; margin ratio 150 / 76.92 = 195.00%.
    calc.expect("equity", "$76.92")
    calc.expect("margin_ratio", "195.00%: liquidation at 100%")
    expect(calc.output("margin_ratio")).to_have_attribute("data-sign", "danger")
    calc.expect("unrealized_pnl", f"{MINUS}$2,923.08 (loss)")
    expect(calc.output("unrealized_pnl")).to_have_attribute("data-sign", "loss")
    warning = state(calc, "account_liquidated")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("The account is being liquidated")
    # the table no longer offers 1.03% for BTC and 0.73% for ETH and SOL
    for row in range(3):
        calc.expect(f"positions.{row}.liquidation_move", "none: already passed")
    # the danger also reaches the colour: not the same colour as a plain figure
    colours = calc.root.evaluate("""root => [getComputedStyle(root.querySelector('[data-output="margin_ratio"]')).color,
                                          getComputedStyle(root.querySelector('[data-output="maintenance_requirement"]')).color]""")
    assert colours[0] != colours[1]


# ------------------------------------------------------------------------------------------- errors

def test_a_refused_leverage_is_reported_at_the_leverage_naming_the_wallet(page, site, calculator):
    page.goto(site.guide)
    calc = calculator(page, "compare")
    calc.go_live()
    calc.set("positions.0.leverage", "2")
    # isolated margins: 10,000 / 2 + 10,000 / 10 + 10,000 / 10 = 7,000, more than the 3,000 wallet
    message = calc.inline_error("positions.0.leverage")
    assert message is not None and "needs a wallet balance of at least $7,000.00" in message, message
    assert "$3,000.00" in message
    assert calc.inline_error("wallet_balance") is None
    # while refused, every result is marked as not updated, chart included, and the status says so
    assert calc.root.get_attribute("data-invalid") is not None
    expect(calc.status).to_contain_text("last valid inputs")
    assert float(calc.root.locator('[data-svg="cross"]').evaluate("el => getComputedStyle(el).opacity")) < 1
    # The same refusal met at the wallet (the field changed last) is reported there.
    calc.set("positions.0.leverage", "10")
    calc.set("wallet_balance", "2000")
    # 1,000 x 3 = 3,000 of margins for a 2,000 wallet
    message = calc.inline_error("wallet_balance")
    assert message is not None and "must be at least $3,000.00" in message, message
    calc.set("wallet_balance", "3000")
    calc.expect("isolated.balance_left", "$2,000.00")
    assert calc.root.get_attribute("data-invalid") is None
    expect(calc.status).to_have_text("Live: the results follow your inputs.")


def test_while_a_field_is_invalid_every_result_is_visibly_stale(page, site, calculator):
    page.goto(site.guide)
    calc = calculator(page, "isolated")
    calc.go_live()
    value = calc.output("liquidation_price")
    weight_before = value.evaluate("el => getComputedStyle(el).fontWeight")
    calc.set("leverage", "abc")
    assert calc.inline_error("leverage") == "Leverage is not a number."
    assert calc.root.get_attribute("data-invalid") is not None
    expect(calc.status).to_contain_text("Not updated: the results are for the last valid inputs")
    # dimmed: the figure loses its weight and the panel its plain ground (a hatching)
    assert value.evaluate("el => getComputedStyle(el).fontWeight") != weight_before
    assert "gradient" in calc.root.locator("[data-results]").evaluate("el => getComputedStyle(el).backgroundImage")
    calc.expect("liquidation_price", "$58,825.00")  # the last valid inputs' figure, still shown
    calc.set("leverage", "10")
    assert calc.root.get_attribute("data-invalid") is None


def test_a_rate_under_a_tier_table_is_shown_as_not_used(page, site, calculator):
    page.goto(site.guide)
    calc = calculator(page, "isolated")
    calc.go_live()
    expect(calc.field("mmr")).to_be_enabled()
    calc.set("tier_table", "binance-btcusdt-2021-03-18")
    expect(calc.field("mmr")).to_be_disabled()
    note = calc.root.locator(".livecalc__field", has=page.locator('[name="mmr"]')).locator("[data-unused-note]")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Not used")
    # a 10,000 position is in Binance's first BTCUSDT tier (0 to 50,000): 0.4%, no maintenance amount
    calc.expect("mmr_used", "0.40%")
    calc.expect("maintenance_amount_used", "$0.00")
    calc.set("tier_table", "none")
    expect(calc.field("mmr")).to_be_enabled()
    expect(note).to_be_hidden()
    # A refused rate does not stay in the field once it is not used (the reader could not correct it
    # there): it goes back to the default, and the results follow the tier table.
    calc.set("mmr", "abc")
    assert calc.inline_error("mmr")
    calc.set("tier_table", "binance-btcusdt-2021-03-18")
    assert calc.inline_error("mmr") is None and calc.any_error() is None
    calc.expect("mmr_used", "0.40%")
    assert calc.value("mmr") == str(descriptions.describe("isolated")["defaults"]["mmr"])


# ------------------------------------------------------------------------------------------- rows

def test_rows_get_empty_labels_focus_stays_in_the_form_and_no_old_figure_stays(page, site, calculator):
    page.goto(site.guide)
    calc = calculator(page, "compare")
    calc.go_live()
    # Removing a row: in the same task, before any answer, no figure of the three positions is left
    # (the balance was $2,000.00).
    shown = calc.root.evaluate("""root => {
        root.querySelectorAll('[data-action=remove-row]')[2].click();
        return [root.querySelector('[data-output="isolated.balance_left"]').textContent,
                root.querySelector('[data-svg="isolated"]').getAttribute('points')];
    }""")
    assert shown == ["\u2026", ""]
    # focus went to the add button (the last row was removed), not to the top of the page
    assert page.evaluate("document.activeElement.dataset.action") == "add-row"
    # BTC long and ETH short (+30%) remain: the short loses 3,000, liquidated in isolated (1,000 margin):
    # isolated 3,000 - 1,000 = 2,000; cross: equity 3,000 - 3,000 = 0, all closed.
    calc.expect("isolated.balance_left", "$2,000.00")
    calc.expect("cross.balance_left", "$0.00")
    # Removing the first row: focus to the next row's first field (which took its place)
    calc.remove_row(0)
    assert page.evaluate("document.activeElement.name") == "positions.0.label"
    assert calc.value("positions.0.label") == "ETH"
    # A new row: empty asset, the description's default numbers (not a copy of ETH), named by its place
    calc.add_row()
    assert calc.value("positions.1.label") == ""
    assert calc.value("positions.1.entry_price") == "65000"
    assert calc.value("positions.1.side") == "long"
    assert page.evaluate("document.activeElement.name") == "positions.1.label"
    calc.expect("positions.1.label", "Position 2 (long)")
    expect(calc.root.locator("[data-input-row]").nth(1).locator("legend")).to_have_text("Position 2")


def test_reset_restores_the_worked_example_and_clears_the_address(page, site, calculator):
    page.goto(site.guide)
    calc = calculator(page, "compare")
    calc.go_live()
    calc.set("wallet_balance", "5000")
    calc.remove_row(2)
    page.wait_for_function("location.search.includes('compare.wallet_balance=5000')")
    calc.root.get_by_role("button", name="Reset to the worked example").click()
    assert calc.rows() == 3
    assert calc.value("wallet_balance") == "3000"
    assert calc.value("positions.2.label") == "SOL"
    assert "compare." not in page.evaluate("location.search")
    # the guide's squeeze again: isolated 3,000 - 1,000 = 2,000 left, cross 0
    calc.expect("isolated.balance_left", "$2,000.00")
    calc.expect("cross.balance_left", "$0.00")
    page.wait_for_timeout(400)  # past the address's rewrite delay: it stays clean
    assert "compare." not in page.evaluate("location.search")


# ------------------------------------------------------------------------------------------- phone

#: each table, whether it shows its last column whole or scrolls inside its box with its first column
#: fixed; and the page itself
FITS = """() => {
  const root = document.documentElement;
  const tables = [...document.querySelectorAll('article table')].map((table) => {
    const box = table.closest('.md-typeset__scrollwrap, .livecalc__table-wrap') || table.parentElement;
    const last = table.querySelector('tr > :last-child').getBoundingClientRect();
    const edge = box.getBoundingClientRect();
    const first = table.querySelector('tbody tr > :first-child');
    const scrolls = box.scrollWidth > box.clientWidth && getComputedStyle(box).overflowX !== 'visible';
    // scrolled to its end, the first column must still stand at the box's left edge
    let stickyFirst = false;
    if (scrolls) {
      box.scrollLeft = box.scrollWidth;
      stickyFirst = Math.abs(first.getBoundingClientRect().left - box.getBoundingClientRect().left) <= 1.5;
      box.scrollLeft = 0;
    }
    return {
      what: (table.querySelector('caption, th') || table).textContent.trim().slice(0, 40),
      lastShown: last.right <= Math.min(edge.right, root.clientWidth) + 0.5, scrolls, stickyFirst,
    };
  });
  return {overflow: root.scrollWidth - root.clientWidth, tables};
}"""


def test_every_macro_output_is_readable_at_360_px(browser, site, calculator, screenshot):
    context = browser.new_context(viewport={"width": 360, "height": 780})
    try:
        page = context.new_page()
        seen = 0
        for path in ["crypto-isolated-margin-vs-cross-margin/", "futures-calculators/", "methodology/", "authoring/"]:
            page.goto(site.url(path))
            found = page.evaluate(FITS)
            assert found["overflow"] <= 0, f"{path} scrolls sideways at 360 px"
            for table in found["tables"]:
                seen += 1
                assert table["lastShown"] or (table["scrolls"] and table["stickyFirst"]), (path, table)
            for name in site.pages.get(path, []):
                calc = calculator(page, name)
                width = calc.root.evaluate("el => [el.scrollWidth - el.clientWidth, el.getBoundingClientRect().right]")
                assert width[0] <= 0 and width[1] <= 360, (path, name, width)
        # the guide's shock, leverage tables and the tier table are among them
        assert seen >= 6
        # A long calculator keeps its key figures in view while a field at its top is edited.
        page.goto(site.guide)
        calc = calculator(page, "compare")
        calc.field("positions.0.size").scroll_into_view_if_needed()
        summary = calc.root.locator("[data-summary]")
        expect(summary).to_be_visible()
        expect(summary.locator('[data-summary-output="cross.balance_left"]')).to_have_text("$0.00")
        # ...and why one is in the warning colour, in words: the danger state's own first words
        # (ETH +30% drains the shared 3,000 wallet: every position is closed under cross margin).
        alert = summary.locator("[data-summary-alert]")
        expect(alert).to_have_text("Under cross margin every position is liquidated")
        box = summary.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 780.5 and box["y"] > 600, box
        screenshot("reader-compare-editing-360", page)
        # Without the squeeze no position is liquidated: the words go with the danger.
        calc.set("positions.1.move", "0")
        expect(alert).to_be_hidden()
        expect(summary.locator('[data-summary-output="cross.balance_left"]')).to_have_text("$3,000.00")
    finally:
        context.close()


def test_the_summary_is_not_shown_on_a_desktop(page, site, calculator):
    page.goto(site.guide)
    expect(calculator(page, "compare").root.locator("[data-summary]")).to_be_hidden()
