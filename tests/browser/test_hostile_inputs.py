"""Hostile inputs: what a reader (or a pasted link) may throw at the calculators.

For each calculator, each case is typed into one input of the live form, the way a reader types:

* a value that is not a usable number for that field must give an **inline error at that field**
  (``aria-invalid="true"`` and a visible message the input's ``aria-describedby`` points to), and the
  last good results must stay on the page, unchanged;
* a value that *is* a valid spelling (``" 65,000 "``, ``"0.5%"``, ``"10x"``) must give exactly the
  figures of its plain spelling (``"65000"``, ``"0.5"``, ``"10"``), typed into the same form;
* a few spellings are accepted by Python's ``float`` but not by the page's own check (full-width or
  Arabic-Indic digits, ``1_000``): those may be refused, or give the plain spelling's figures, and
  never anything else;
* nothing may raise an uncaught error in the page or log a console error, open a dialog, or run
  script; the engine stays ``live``;
* after each case the good value is typed back and the calculator answers it with the same figures
  as before; at the end a new good input gives the build's formatting of CPython's result.

Which value is valid for which field is decided here, by hand, from the field's bounds in the
description (``calculators/descriptions.py``): an entry price must be above 0; a maintenance rate is
0..50 (percent, 0 included); leverage 1..125; a move -99..1000 percent; a wallet above 0 up to 1e12.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from macros import display

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))
import qa  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ERROR, SAME, EITHER = "error", "same", "either"


@dataclass(frozen=True)
class Case:
    text: str
    expect: str = ERROR
    #: for SAME / EITHER: the plain spelling whose figures this must give
    plain: str | None = None

    def __str__(self) -> str:
        shown = self.text if len(self.text) <= 40 else f"{self.text[:30]}... ({len(self.text)} chars)"
        return repr(shown)


#: not a number in any field: each must be refused at the field
NOT_A_NUMBER = [
    Case(""), Case("   "), Case("\t"), Case("abc"), Case("NaN"), Case("nan"), Case("Infinity"), Case("-Infinity"),
    Case("inf"), Case("1e309"), Case("-1e309"), Case("9" * 100), Case("a" * 10_000), Case("1" * 100_000),
    Case("</script><script>alert(1)</script>"), Case('"><img src=x onerror=alert(1)>'),
    Case("__import__('os').system('id')"), Case("{{7*7}}"), Case("${7*7}"), Case("0x10"), Case("1.2.3"),
    Case("--5"), Case("null"), Case("undefined"), Case("None"), Case("true"), Case("[]"), Case("{}"),
    Case("\u200b5"), Case("5 5"), Case("1e"), Case("e5"), Case("."), Case("-"), Case("5;alert(1)"),
    Case("'; DROP TABLE positions; --"), Case("5%%"), Case("\\x35"),
]

CASES: dict[str, dict[str, list[Case]]] = {
    "isolated": {
        "entry_price": NOT_A_NUMBER + [
            Case("-1"), Case("0"), Case("-0"), Case("0.0"), Case("1e-400"),  # not above 0
            Case(" 65000 ", SAME, "65000"), Case("65,000", SAME, "65000"), Case("$65,000", SAME, "65000"),
            Case("+65000", SAME, "65000"), Case("6.5e4", SAME, "65000"), Case("\u00a065000", SAME, "65000"),
            Case("65000.", SAME, "65000"),
            Case("６５０００", EITHER, "65000"), Case("٦٥٠٠٠", EITHER, "65000"), Case("65_000", EITHER, "65000"),
        ],
        "mmr": [
            Case("-1"), Case("50.01"), Case("51"), Case("NaN"), Case("1e309"), Case(""), Case("abc"),
            Case("0.5 %", SAME, "0.5"), Case("0.5%", SAME, "0.5"), Case("-0", SAME, "0"), Case("1e-400", SAME, "0"),
            Case("50", SAME, "50"),
            # a European decimal comma would read as 5%, ten times the rate: refused, never guessed
            Case("0,5"), Case("1,5"), Case("0,005"),
        ],
        "leverage": [
            Case("0"), Case("0.99"), Case("125.01"), Case("-10"), Case("10xx"), Case("10X"), Case("Infinity"),
            Case("10x", SAME, "10"), Case("1", SAME, "1"), Case("125", SAME, "125"),
        ],
        "margin": [Case("-1000"), Case("0"), Case("1e13"), Case("1000000000001"), Case("$"), Case(","),
                   Case("1,00"), Case("10,00.5"), Case("1,000", SAME, "1000"), Case("1,000.50", SAME, "1000.5")],
    },
    "cross": {
        "wallet_balance": NOT_A_NUMBER + [
            Case("-1"), Case("0"), Case("1000000000001"), Case("1e13"), Case("1e-400"),
            Case("3,000", SAME, "3000"), Case("1e12", SAME, "1000000000000"), Case(" 3000\t", SAME, "3000"),
        ],
        "positions.1.mark_price": [Case("0"), Case("-3400"), Case("NaN"), Case(""), Case("3400$", SAME, "3400")],
        "positions.2.mmr": [Case("50.5"), Case("-0.1"), Case("0", SAME, "0")],
        "positions.0.size": [Case("0"), Case("1e13"), Case("ten thousand")],
        # a label is text: the input keeps the first 64 characters typed (maxlength), all of them text
        "positions.0.label": [Case("x" * 65, SAME, "x" * 64), Case("<b>" * 30, SAME, ("<b>" * 30)[:64])],
    },
    "compare": {
        "move_all": NOT_A_NUMBER + [
            Case("-100"), Case("-99.5"), Case("1001"), Case("1e4"),
            Case("-99", SAME, "-99"), Case("-1", SAME, "-1"), Case("5%", SAME, "5"), Case("-0", SAME, "0"),
            Case("1000", SAME, "1000"), Case("+15", SAME, "15"),
        ],
        "positions.0.leverage": [Case("0"), Case("126"), Case("10x", SAME, "10")],
        "positions.1.move": [Case("-100"), Case("1000.5"), Case("30%", SAME, "30")],
        "positions.2.entry_price": [Case("0"), Case("-185"), Case("1e309")],
        "positions.1.label": [Case("y" * 100, SAME, "y" * 64)],
    },
}

#: labels are text and are echoed on the page: they must come back as text, never as markup
MARKUP_LABELS = [
    "</script><script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "<svg onload=alert(1)>",
    "{{7*7}} ${7*7} <!--",
    "&lt;b&gt;&amp;",
]


@pytest.fixture(scope="module")
def guide(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = qa.PageWatch.attach(page)
    page.goto(site.guide)
    yield page, watch
    context.close()


def _form_inputs(calc: qa.Calculator) -> dict:
    """The form's current values, as the widgets collect them (``name`` -> value, rows nested)."""
    flat = calc.root.evaluate(
        "root => Object.fromEntries([...root.querySelectorAll('input[name], select[name]')].map(e => [e.name, e.value]))")
    state: dict = {}
    rows: dict[int, dict] = {}
    for name, value in flat.items():
        if name.startswith("positions."):
            _, index, field = name.split(".", 2)
            rows.setdefault(int(index), {})[field] = value
        else:
            state[name] = value
    if rows:
        state["positions"] = [rows[i] for i in sorted(rows)]
    return state


def _count() -> dict[str, int]:
    return {name: sum(len(cases) for cases in fields.values()) for name, fields in CASES.items()}


def test_at_least_thirty_hostile_inputs_per_calculator():
    assert all(count >= 30 for count in _count().values()), _count()


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_inputs_give_inline_errors_and_break_nothing(guide, name):
    page, watch = guide
    calc = qa.Calculator(page, name)
    calc.go_live()
    before = calc.outputs()
    plain_figures: dict[tuple[str, str], dict[str, str]] = {}
    failures: list[str] = []

    for field, cases in CASES[name].items():
        good = calc.value(field)
        for case in cases:
            if case.plain is not None and (field, case.plain) not in plain_figures:
                calc.set(field, case.plain)
                assert calc.any_error() is None, f"{field}={case.plain!r} should be valid: {calc.any_error()}"
                plain_figures[(field, case.plain)] = calc.outputs()
                calc.set(field, good)
            calc.set(field, case.text)
            error = calc.inline_error(field)
            shown = calc.outputs()
            where = f"{name}.{field} = {case}"
            if case.expect == ERROR:
                if not error:
                    failures.append(f"{where}: no inline error (form error: {calc.form_error()!r})")
                if shown != before:
                    changed = {k: (before.get(k), v) for k, v in shown.items() if before.get(k) != v}
                    failures.append(f"{where}: the last good results changed: {changed}")
            elif case.expect == SAME or (case.expect == EITHER and not error):
                if error:
                    failures.append(f"{where}: refused ({error}) but it means {case.plain!r}")
                elif shown != plain_figures[(field, case.plain)]:
                    failures.append(f"{where}: figures differ from those of {case.plain!r}")
            elif shown != before:
                failures.append(f"{where}: refused, but the last good results changed")
            if calc.status() != "live":
                failures.append(f"{where}: the engine is now {calc.status()!r}: {calc.status_text()}")
            for problem in watch.problems():
                failures.append(f"{where}: {problem}")
            watch.page_errors.clear(), watch.console_errors.clear(), watch.dialogs.clear()
            calc.set(field, good)
            if calc.any_error() is not None or calc.outputs() != before:
                failures.append(f"{where}: typing the good value {good!r} back did not restore the results "
                                f"(error: {calc.any_error()!r})")

    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:40])
    assert page.evaluate("() => window.__pwned") is None
    # Still answering: a new good input gives the build's formatting of CPython's result for the form.
    field, value = {"isolated": ("entry_price", "50000"), "cross": ("wallet_balance", "2500"),
                    "compare": ("move_all", "-7.5")}[name]
    calc.set(field, value)
    assert calc.any_error() is None, calc.any_error()
    expected = display.answer(name, _form_inputs(calc))
    assert expected["ok"], expected
    shown = calc.outputs()
    differs = {k: (v, shown.get(k)) for k, v in expected["texts"].items() if shown.get(k) != v}
    assert not differs, f"(expected, shown): {differs}"


@pytest.mark.parametrize("name", ["cross", "compare"])
def test_labels_with_markup_are_shown_as_text(guide, name):
    page, watch = guide
    calc = qa.Calculator(page, name)
    calc.go_live()
    for label in MARKUP_LABELS:
        calc.set("positions.0.label", label)
        assert calc.any_error() is None, (label, calc.any_error())
        cell = calc.root.locator('[data-output="positions.0.label"]')
        assert cell.text_content() == label.strip(), label
        assert cell.evaluate("el => el.children.length") == 0, f"{label!r} became markup"
    assert page.evaluate("() => window.__pwned") is None
    assert not watch.problems(), watch.problems()
    calc.set("positions.0.label", "BTC")


@pytest.mark.parametrize("query,refused", [
    ("?isolated.entry_price=%3C/script%3E%3Cscript%3Ealert(1)%3C/script%3E", ["entry_price"]),
    ("?isolated.entry_price=NaN&isolated.leverage=1e309", ["entry_price", "leverage"]),
    ("?isolated.mmr=__import__('os').system('id')", ["mmr"]),
    ("?isolated.side=%3Cscript%3E&isolated.tier_table=../../etc/passwd", ["side", "tier_table"]),
    ("?cross.positions.0.label=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", []),
    ("?cross.positions.999.size=5&cross.positions.-1.size=5&cross.__proto__.x=1&cross.constructor=1", []),
    ("?compare.positions.0.move=" + "9" * 5000, ["positions.0.move"]),
], ids=lambda value: value[:60] if isinstance(value, str) else "-".join(value) or "none")
def test_hostile_values_in_a_shared_link(browser, site, query, refused):
    # A scenario is shared as a URL; a crafted link must not run script or break the page: a bad value
    # is shown as an inline error at its field, and the figures on the page stay readable.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        watch = qa.PageWatch.attach(page)
        page.goto(site.guide + query)
        name = query[1:].split(".", 1)[0]
        calc = qa.Calculator(page, name)
        calc.go_live()
        page.wait_for_timeout(300)  # let a restored state be validated and sent
        calc.settle()
        for field in refused:
            assert calc.inline_error(field), f"{field}: no inline error for {query[:80]}"
        figures = calc.outputs()
        assert all(text.strip() for key, text in figures.items() if not key.endswith(".label")), figures
        assert not any("NaN" in text or "undefined" in text or "Infinity" in text for text in figures.values()), figures
        if "label=" in query:
            cell = calc.root.locator('[data-output="positions.0.label"]')
            assert cell.evaluate("el => el.children.length") == 0
            assert cell.text_content() == '<img src=x onerror=alert(1)>'
        assert page.evaluate("() => window.__pwned") is None
        assert page.evaluate("() => Object.prototype.x") is None
        assert not watch.problems(), watch.problems()
        assert calc.status() == "live"
    finally:
        context.close()
