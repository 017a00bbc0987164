"""The live calculators in a real browser: the guide served on 127.0.0.1, Chromium driven by Playwright.

Every expected figure below is worked by hand from the formulas of shared/reference/margin-formulas.md
(the arithmetic is written next to it); none is copied from what the page prints.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from tiny import BTC_FRONT_MATTER, TINY_CONFIG

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: everything the calculators add to a page lives here (the widget module, the worker, Pyodide, the zips)
ENGINE_ASSETS = "/assets/livecalc/"
#: the engine itself: the worker, the Pyodide runtime, the standard library and the app
ENGINE_FILES = ("worker.mjs", "/pyodide-", "python_stdlib-", "/assets/livecalc/livecalc-")


def open_guide(page, site, query: str = "") -> None:
    page.goto(site.guide + query)


# ------------------------------------------------------------------------------------------- figures

def test_isolated_calculator_recomputes_the_liquidation_price_worked_by_hand(page, site, calculator):
    open_guide(page, site)
    calc = calculator(page, "isolated")
    # First paint, before the engine: the guide's BTC 10x example, simple model.
    # 65,000 x (1 - 1/10 + 0.005) = 65,000 x 0.905 = 58,825
    calc.expect("liquidation_price", "$58,825.00")
    calc.go_live()
    for name, value in {"side": "long", "entry_price": "50000", "leverage": "20", "margin": "1000",
                        "mmr": "0.4", "tier_table": "none", "model": "simple"}.items():
        calc.set(name, value)
    # Notional 1,000 x 20 = 20,000; quantity 20,000 / 50,000 = 0.4.
    # Simple model, long: EP x (1 - 1/L + MMR) = 50,000 x (1 - 0.05 + 0.004) = 47,700.
    # Bankruptcy: EP x (1 - 1/L) = 47,500. Move to liquidation: 2,300 / 50,000 = 4.60%.
    # Maintenance at entry: 20,000 x 0.4% = 80.
    calc.expect("liquidation_price", "$47,700.00")
    calc.expect("bankruptcy_price", "$47,500.00")
    # The move is shown with its sign and direction (the liquidation is below a long's entry).
    calc.expect("liquidation_move", "−4.60% (down)")
    calc.expect("notional", "$20,000.00")
    calc.expect("quantity", "0.4 BTC")  # in its asset, the field "Asset" (BTC by default)
    calc.expect("maintenance_margin", "$80.00")
    calc.expect("max_loss", "$1,000.00")
    calc.set("model", "exchange")
    # Exchange model (maintenance on mark value), long: (EP x Q - M) / (Q x (1 - MMR))
    # = (20,000 - 1,000) / (0.4 x 0.996) = 19,000 / 0.3984 = 47,690.763...
    calc.expect("liquidation_price", "$47,690.76")


def test_cross_calculator_adds_and_removes_positions(page, site, calculator, page_errors):
    open_guide(page, site)
    calc = calculator(page, "cross")
    calc.go_live()
    assert calc.rows() == 3
    # Remove SOL (the third position): BTC long and ETH short remain, 10,000 each at 0.5%.
    calc.root.locator("[data-input-row]").nth(2).get_by_role("button", name=re.compile("Remove")).click()
    assert calc.rows() == 2
    # the result rows of the old state show no figures of it until the answer comes
    assert calc.root.locator('tbody[data-rows="positions"] tr').count() in (2, 3)
    calc.set("wallet_balance", "2000")
    # Simple model: requirement = 2 x 10,000 x 0.5% = 100; marks at entry, so equity = 2,000 and
    # margin ratio = 100 / 2,000 = 5%. BTC, ETH held: 2,000 + Q (P - 65,000) = 100 with
    # Q = 10,000 / 65,000, so P = 65,000 - 1,900 x 6.5 = 52,650.
    # ETH short, BTC held: P = 3,400 + 1,900 x (3,400 / 10,000) = 3,400 + 646 = 4,046.
    calc.expect("equity", "$2,000.00")
    calc.expect("maintenance_requirement", "$100.00")
    calc.expect("margin_ratio", "5.00%")
    calc.expect("positions.0.liquidation_price", "$52,650.00")
    calc.expect("positions.1.liquidation_price", "$4,046.00")
    # Add a position: the description's default position (a 10,000 long from 65,000 marked there,
    # 0.5%), with no asset name, so another asset than BTC. Requirement 150:
    # BTC: 65,000 - 1,850 x 6.5 = 52,975, and the new long the same; ETH: 3,400 + 1,850 x 0.34 = 4,029.
    calc.root.get_by_role("button", name="Add a position").click()
    assert calc.rows() == 3
    assert calc.field("positions.2.label").input_value() == ""
    calc.expect("positions.0.liquidation_price", "$52,975.00")
    calc.expect("positions.1.liquidation_price", "$4,029.00")
    calc.expect("positions.2.liquidation_price", "$52,975.00")
    calc.expect("positions.2.label", "Position 3")  # named by its place, as its box is
    assert page_errors == []


def test_cross_calculator_takes_no_more_positions_than_its_description_allows(page, site, calculator):
    open_guide(page, site)
    calc = calculator(page, "cross")
    calc.go_live()
    from calculators.descriptions import describe

    maximum = describe("cross")["rows"]["max_rows"]
    assert maximum >= 10  # the issue asks for at least 10
    add = calc.root.get_by_role("button", name="Add a position")
    while calc.rows() < maximum:
        add.click()
    expect(add).to_be_disabled()
    calc.expect(f"positions.{maximum - 1}.label", f"Position {maximum}")


def test_compare_calculator_shows_both_modes_side_by_side_and_moves_all_prices(page, site, calculator):
    open_guide(page, site)
    calc = calculator(page, "compare")
    # First paint: the guide's squeeze, ETH +30%. Isolated: the 10x short (margin 10,000 / 10 = 1,000)
    # loses 10,000 x 30% = 3,000 > 1,000, so it is liquidated and 3,000 - 1,000 = 2,000 is left.
    # Cross: equity 3,000 - 3,000 = 0 <= requirement, every position closed, 0 left.
    calc.expect("isolated.balance_left", "$2,000.00")
    calc.expect("cross.balance_left", "$0.00")
    calc.go_live()
    calc.set("positions.1.move", "5")
    # ETH +5%: the short loses 500, keeps 1,000 - 500 = 500 above its 50 requirement, open in both
    # modes; isolated 3,000 - 500 = 2,500; cross equity 2,500 > 150.
    calc.expect("positions.1.isolated", "open, loss $500.00")
    calc.expect("positions.1.cross", "open, loss $500.00")
    calc.expect("isolated.balance_left", "$2,500.00")
    calc.expect("cross.balance_left", "$2,500.00")
    marker = calc.root.locator('[data-svg="marker"]')
    before = marker.get_attribute("x1")
    calc.set("move_all", "-10")
    # Every price 10% lower on top of its own move: BTC and SOL longs lose 1,000 each, which eats
    # each one's whole 1,000 margin: isolated, both are liquidated; ETH short (+5% - 10% = -5%)
    # gains 500. Isolated: 3,000 - 1,000 - 1,000 + 500 = 1,500. Cross: equity 3,000 - 2,000 + 500
    # = 1,500 > 150, nothing is closed.
    calc.expect("positions.0.isolated", "liquidated")
    calc.expect("positions.0.cross", "open, loss $1,000.00")
    calc.expect("positions.1.isolated", "open, profit $500.00")
    calc.expect("isolated.liquidated_labels", "BTC, SOL")
    calc.expect("cross.liquidated_labels", "none")
    calc.expect("isolated.balance_left", "$1,500.00")
    calc.expect("cross.balance_left", "$1,500.00")
    # The chart's marker moved left of where it stood for a common move of 0.
    expect(marker).not_to_have_attribute("x1", before)
    assert float(marker.get_attribute("x1")) < float(before)
    # 41 points from the module's chart (-50%..+50% in 2.5% steps), drawn for each mode.
    for mode in ("isolated", "cross"):
        points = calc.root.locator(f'[data-svg="{mode}"]').get_attribute("points").split()
        assert len(points) == 41


def test_average_entry_adds_and_removes_fills_like_any_row_input(page, site, calculator, page_errors):
    page.goto(site.url(site.page_of("average_entry")))
    calc = calculator(page, "average_entry")
    calc.go_live()
    assert calc.rows() == 2
    # 0.1 at 65,000 and 0.2 at 60,000: (6,500 + 12,000) / 0.3 = 61,666.67
    calc.set("fills.1.quantity", "0.2")
    calc.expect("average_price", "$61,666.67")
    # A new fill is the description's default fill (0.1 at 65,000), not a copy of the last:
    # (6,500 + 12,000 + 6,500) / 0.4 = 62,500
    calc.root.get_by_role("button", name="Add a fill").click()
    assert calc.rows() == 3
    expect(calc.field("fills.2.price")).to_have_value("65000")
    calc.expect("average_price", "$62,500.00")
    calc.expect("total_quantity", "0.4 BTC")
    # Without the first fill: 0.2 at 60,000 and 0.1 at 65,000: 18,500 / 0.3 = 61,666.67
    calc.remove_row(0)
    assert calc.rows() == 2
    calc.expect("average_price", "$61,666.67")
    page.wait_for_function("location.search.includes('average_entry.fills.1.price=65000')")
    assert page_errors == []


# ------------------------------------------------------------------------------------------- bad input

def test_a_bad_field_gets_an_inline_message_and_the_last_good_results_stay(page, site, calculator, page_errors):
    open_guide(page, site)
    calc = calculator(page, "isolated")
    calc.go_live()
    calc.set("leverage", "20")
    # 65,000 x (1 - 1/20 + 0.005) = 65,000 x 0.955 = 62,075
    calc.expect("liquidation_price", "$62,075.00")
    for bad, message in [("abc", "Leverage is not a number."), ("", "Leverage is empty."),
                         ("500", "Leverage must be at most 125x."), ("1e309", "Leverage must be a finite number.")]:
        calc.set("leverage", bad)
        expect(calc.error("leverage")).to_have_text(message)
        expect(calc.field("leverage")).to_have_attribute("aria-invalid", "true")
        described = calc.field("leverage").get_attribute("aria-describedby").split()
        assert calc.field("leverage").get_attribute("data-error-id") in described
        calc.expect("liquidation_price", "$62,075.00")
    calc.set("leverage", "10")
    expect(calc.error("leverage")).to_be_hidden()
    expect(calc.field("leverage")).not_to_have_attribute("aria-invalid", "true")
    calc.expect("liquidation_price", "$58,825.00")
    assert page_errors == []


def test_an_error_raised_by_the_module_comes_back_to_its_field(page, site, calculator):
    open_guide(page, site)
    calc = calculator(page, "isolated")
    calc.go_live()
    # 100,000 of margin at 125x is a 12.5 million position: the shipped Binance table allows 10x at
    # that size (tier 10,000,000 to 20,000,000), so the module refuses the leverage. The browser's own
    # checks cannot know this: only the description's bounds are checked before the engine.
    calc.set("tier_table", "binance-btcusdt-2021-03-18")
    calc.set("margin", "100000")
    calc.set("leverage", "125")
    expect(calc.error("leverage")).to_contain_text("is above the 10x")
    expect(calc.field("leverage")).to_have_attribute("aria-invalid", "true")
    calc.set("leverage", "5")
    expect(calc.error("leverage")).to_be_hidden()


def test_results_are_written_as_text_never_as_markup(page, site, calculator, page_errors):
    open_guide(page, site)
    calc = calculator(page, "cross")
    calc.go_live()
    hostile = '<img src=x onerror="window.__owned=1">'
    calc.set("positions.0.label", hostile)
    calc.expect("positions.0.label", hostile)
    assert calc.root.locator("img").count() == 0
    assert page.evaluate("window.__owned") is None
    assert page_errors == []


# ------------------------------------------------------------------------------------------- URL state

def test_inputs_are_kept_in_the_url_and_a_shared_url_restores_them(page, site, calculator, context):
    open_guide(page, site)
    calc = calculator(page, "isolated")
    calc.go_live()
    calc.set("leverage", "20")
    calc.expect("liquidation_price", "$62,075.00")
    page.wait_for_function("location.search.includes('isolated.leverage=20')")
    query = parse_qs(urlsplit(page.url).query)
    assert query["isolated.leverage"] == ["20"]
    assert query["isolated.entry_price"] == ["65000"]

    shared = context.new_page()
    shared.goto(page.url)
    restored = calculator(shared, "isolated")
    expect(restored.field("leverage")).to_have_value("20")
    restored.expect("liquidation_price", "$62,075.00")  # 65,000 x 0.955, computed live
    # The page itself, as served, still carries the worked example (the canonical content).
    html = shared.request.get(site.guide).text()
    assert "$58,825.00" in html


def test_a_shared_url_with_positions_restores_the_rows(page, site, calculator):
    query = ("?cross.wallet_balance=2000&cross.model=simple"
             "&cross.positions.0.label=BTC&cross.positions.0.side=long&cross.positions.0.entry_price=65000"
             "&cross.positions.0.size=10000&cross.positions.0.mark_price=65000&cross.positions.0.mmr=0.5")
    open_guide(page, site, query)
    calc = calculator(page, "cross")
    assert calc.rows() == 1
    # One BTC long alone: requirement 50; 65,000 - (2,000 - 50) x 6.5 = 65,000 - 12,675 = 52,325.
    calc.expect("positions.0.liquidation_price", "$52,325.00")
    calc.expect("maintenance_requirement", "$50.00")


# ------------------------------------------------------------------------------------------- the engine

def test_the_engine_waits_until_a_calculator_nears_the_viewport(browser, site, calculator):
    context = browser.new_context(viewport={"width": 1000, "height": 600})
    try:
        page = context.new_page()
        site.clear_requests()
        open_guide(page, site)
        page.wait_for_load_state("networkidle")
        top = page.evaluate("Math.min(...[...document.querySelectorAll('[data-calculator]')]"
                            ".map(el => el.getBoundingClientRect().top))")
        assert top > 600 + 600 + 100, "the first calculator must start out of reach for this test to mean anything"
        assert [p for p in site.requests if any(f in p for f in ENGINE_FILES)] == []
        calc = calculator(page, "compare")
        calc.go_live()
        assert len(site.requested("pyodide.asm.wasm")) == 1
    finally:
        context.close()


def test_instant_navigation_keeps_the_one_engine(page, site, calculator):
    site.clear_requests()
    open_guide(page, site)
    calc = calculator(page, "isolated")
    calc.go_live()
    page.evaluate("window.__sameDocument = true")
    page.locator("a[href$='methodology/']:visible").first.click()
    page.wait_for_url("**/methodology/")
    expect(page.locator("[data-calculator]")).to_have_count(0)
    page.locator("a[href$='crypto-isolated-margin-vs-cross-margin/']:visible").first.click()
    page.wait_for_url("**/crypto-isolated-margin-vs-cross-margin/")
    # The navigation was Material's instant one (no reload) ...
    assert page.evaluate("window.__sameDocument") is True
    # ... and the new page's calculators answer at once, from the same worker.
    again = calculator(page, "isolated")
    expect(again.status).to_have_attribute("data-status", "live")
    again.set("leverage", "20")
    again.expect("liquidation_price", "$62,075.00")  # 65,000 x (1 - 1/20 + 0.005)
    assert page.evaluate("livecalc.engine.workersStarted") == 1
    assert len(site.requested("pyodide.asm.wasm")) == 1
    assert len(site.requested("python_stdlib-")) == 1


def test_a_page_without_a_calculator_downloads_none_of_the_engine(page, site):
    for path in ("", "methodology/"):
        site.clear_requests()
        page.goto(site.url(path))
        assert page.locator("[data-calculator]").count() == 0
        page.mouse.wheel(0, 20000)
        page.wait_for_load_state("networkidle")
        assert site.requests, "the page was served"
        assert [p for p in site.requests if ENGINE_ASSETS in p] == []
        assert page.evaluate("typeof livecalc") == "undefined"


@pytest.mark.parametrize("fault, reason", [
    ({"missing": ("pyodide.asm.wasm",)}, "pyodide.asm.wasm could not be loaded"),
    ({"missing": ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")}, "could not be loaded (HTTP 404)"),
    ({"missing": ("python_stdlib-",)}, "python_stdlib-"),
    ({"missing": ("/livecalc-",)}, "livecalc-"),
    ({"types": {".wasm": "text/plain"}}, "must be application/wasm"),
], ids=["wasm-missing", "pyodide-missing", "stdlib-missing", "app-missing", "wasm-wrong-mime"])
def test_when_the_engine_cannot_start_the_page_says_so_and_keeps_its_figures(page, serve_site, calculator, fault, reason):
    broken = serve_site(**fault)
    page.goto(broken.guide)
    calc = calculator(page, "isolated")
    calc.wake()
    # The bound: "failed" with a short reason within 20 seconds of the engine's start.
    calc.root.locator('[data-status="failed"]').wait_for(state="attached", timeout=20_000)
    expect(calc.status).to_contain_text(reason)
    # The build-time figures stay: 65,000 x (1 - 1/10 + 0.005) = 58,825.
    calc.expect("liquidation_price", "$58,825.00", timeout=1_000)
    # Typing still validates in the page, and nothing breaks.
    calc.set("leverage", "abc")
    expect(calc.error("leverage")).to_have_text("Leverage is not a number.")


# ------------------------------------------------------------------------------------------- access

@pytest.mark.parametrize("where", ["guide", "other pages"])
def test_every_input_is_labelled_and_the_results_are_announced(page, site, where):
    paths = [path for path in site.pages if (site.url(path) == site.guide) == (where == "guide")]
    assert paths, site.pages
    for path in paths:
        page.goto(site.url(path))
        for name in site.pages[path]:
            root = page.locator(f'[data-calculator="{name}"]')
            controls = root.locator("input, select")
            assert controls.count() > 0
            for index in range(controls.count()):
                control = controls.nth(index)
                label = control.evaluate("el => [...el.labels].map(l => l.textContent.trim()).join(' ')")
                assert label, f"{name}: {control.get_attribute('name')} has no label"
            assert root.locator('[aria-live="polite"][data-results]').count() == 1
            assert root.locator('[data-status][role="status"]').count() == 1


def test_the_calculator_works_from_the_keyboard(page, site, calculator):
    open_guide(page, site)
    calc = calculator(page, "cross")
    calc.go_live()
    calc.field("wallet_balance").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2000")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "model"
    add = calc.root.get_by_role("button", name="Add a position")
    add.focus()
    page.keyboard.press("Enter")
    assert calc.rows() == 4
    # Focus moves into the new row, ready to type.
    assert page.evaluate("document.activeElement.name") == "positions.3.label"
    # Three positions of 10,000 at 0.5% plus the default one (10,000 at 0.5%): requirement 4 x 50 = 200 (simple).
    calc.expect("maintenance_requirement", "$200.00")


# ------------------------------------------------------------------------------------------- looks

@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 360])
def test_screenshots_and_no_horizontal_scroll(browser, site, calculator, screenshot, scheme, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        open_guide(page, site)
        expected_scheme = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected_scheme
        for name in site.pages[site.page_of("isolated")]:
            calc = calculator(page, name)
            calc.go_live()
            overflow = calc.root.evaluate(
                "el => [el.scrollWidth - el.clientWidth, el.getBoundingClientRect().right - document.documentElement.clientWidth]")
            assert overflow[0] <= 0, f"{name} scrolls sideways inside at {width}px"
            assert overflow[1] <= 0, f"{name} sticks out of the page at {width}px"
            path = screenshot(f"calculator-{name}-{width}-{scheme}", calc.root)
            assert path.stat().st_size > 0
        # and the page as a whole does not scroll sideways (wide prose tables scroll inside their own box)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    finally:
        context.close()


# ------------------------------------------------------------------------------------------- the build

TINY_WITH_CALCULATOR = BTC_FRONT_MATTER + """\
# Tiny

{{ calculator("isolated", example="btc") }}
"""


def test_the_form_is_rendered_from_the_description_with_the_example_filled_in(build_site):
    from calculators import descriptions
    from presentation import display

    built = build_site({"index.md": TINY_WITH_CALCULATOR})
    assert built.ok, built.output
    page = built.html("index.md")
    calc = descriptions.CALCULATORS["isolated"]
    for field in calc.fields:
        assert f'name="{field.name}"' in page
        assert field.label in page
    for key in display.present("isolated", descriptions.compute("isolated", descriptions.complete_inputs(calc, {})))["texts"]:
        assert f'data-output="{key}"' in page
    # The example's inputs as a reader types them: 0.5% is typed "0.5" in a percent field.
    typed = dict(re.findall(r'<input[^>]* name="([^"]+)"[^>]* value="([^"]*)"', page))
    assert typed == {"entry_price": "65000", "leverage": "10", "margin": "1000", "mmr": "0.5", "asset": "BTC"}
    # and its results, computed at build time: 65,000 x (1 - 1/10 + 0.005) = 58,825
    assert "$58,825.00" in page
    assert 'data-status="loading"' in page
    for name in ("pyodide.asm.wasm", "pyodide.asm.mjs", "pyodide.mjs"):
        assert (built.site_dir / "assets" / "livecalc" / "pyodide-314.0.7" / name).is_file()


CDN = "https://cdn.example.org/pyodide/v314.0.7/full/"
TINY_CONFIG_WITH_CDN = TINY_CONFIG + f"""\
extra:
  livecalc:
    pyodide_url: {CDN}
"""


def test_a_cdn_is_used_only_when_the_configuration_asks_for_it(build_site):
    import html as html_module
    import json as json_module

    built = build_site({"index.md": TINY_WITH_CALCULATOR}, config=TINY_CONFIG_WITH_CDN)
    assert built.ok, built.output
    attribute = re.search(r'data-livecalc-config="([^"]*)"', built.html("index.md")).group(1)
    engine = json_module.loads(html_module.unescape(attribute))["engine"]
    assert engine["indexURL"] == CDN
    # The standard library and the app are the site's own in any case; the runtime is not copied.
    assert engine["stdLibURL"].startswith("assets/livecalc/python_stdlib-")
    assert engine["appURL"].startswith("assets/livecalc/livecalc-")
    assert not list((built.site_dir / "assets" / "livecalc").glob("pyodide-*"))
    assert list((built.site_dir / "assets" / "livecalc").glob("python_stdlib-*.zip"))


def test_an_unknown_calculator_fails_the_build_naming_the_page(build_site):
    built = build_site({"index.md": "# Tiny\n\n{{ calculator('isolatd') }}\n"})
    assert not built.ok
    assert "index.md" in built.output and "unknown calculator" in built.output


def test_a_move_landing_exactly_on_the_liquidation_price_liquidates_in_the_browser(page, site, calculator):
    # The guide's three positions are simple-model, 10x, 0.5%. SOL long from 185, size 10,000, margin
    # 1,000: a move of -9.5% loses 10,000 x 9.5% = 950, leaving 1,000 - 950 = 50, exactly its
    # requirement 10,000 x 0.5% = 50: liquidated (binary floats once left $50.00000000000057 and
    # said open). Worked by hand; decided on the typed decimals in the reader's browser too.
    open_guide(page, site)
    calc = calculator(page, "compare")
    calc.go_live()
    calc.set("positions.1.move", "0")
    calc.set("positions.2.move", "-9.5")
    calc.expect("positions.2.isolated", "liquidated")
    calc.expect("isolated.liquidated_labels", "SOL")
    # isolated: 3,000 - 1,000 (SOL's margin) = 2,000; cross: 3,000 - 950 = 2,050, far above 150
    calc.expect("isolated.balance_left", "$2,000.00")
    calc.expect("cross.balance_left", "$2,050.00")
