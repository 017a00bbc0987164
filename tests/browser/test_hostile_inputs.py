"""Hostile inputs: what a reader (or a pasted link) may throw at the calculators.

For every calculator of the descriptions (``calculators.descriptions.CALCULATORS``), on the page that
shows it, cases are typed into its inputs the way a reader types:

* every number field gets values around its own bounds (``rules``: at, just beyond and far beyond
  each), its unit's spellings (``$65,000``, ``0.5%``, ``10x``) and not-numbers; the first number
  field gets the whole list of :data:`NOT_A_NUMBER`; a row input's first row gets the same, and a
  text field a value longer than the input keeps;
* what the module's own parser (``calculators.grammar.parse``, proven equal to the page's check by
  ``tests/test_grammar.py``) refuses must give an **inline error at that field** with the module's
  reason after the field's label (``aria-invalid="true"`` and a visible message the input's
  ``aria-describedby`` points to), and the last good results must stay on the page, unchanged;
* what it accepts must give exactly the figures (or the refusal) of its plain spelling, the number it
  reads, typed into the same form;
* nothing may raise an uncaught error in the page or log a console error, open a dialog, or run
  script; the engine stays ``live``;
* after each case the good value is typed back and the calculator answers it with the same figures
  as before; at the end a new good input gives the build's formatting of CPython's result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from calculators import descriptions, grammar
from calculators.errors import MarginInputError
from presentation import display

import qa

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass(frozen=True)
class Case:
    field: str  # the form's name of the input
    text: str

    def __str__(self) -> str:
        shown = self.text if len(self.text) <= 40 else f"{self.text[:30]}... ({len(self.text)} chars)"
        return f"{self.field} = {shown!r}"


#: not a number in any field: each must be refused at the field
NOT_A_NUMBER = [
    "", "   ", "abc", "NaN", "-Infinity", "inf", "1e309", "9" * 100, "1" * 100_000,
    "</script><script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "__import__('os').system('id')",
    "{{7*7}}", "0x10", "1.2.3", "--5", "undefined", "\u200b5", "5 5", "1e", "-", "'; DROP TABLE positions; --",
    "0,5", "1,00", "６５０００", "٦٥٠٠٠", "65_000", "ınf",
]


def _plain(number: float) -> str:
    return repr(float(number))


def number_cases(field: dict[str, Any], name: str, everything: bool) -> list[Case]:
    """Cases for one number field, from its own bounds and unit: each bound, and just beyond it."""
    rules = field["rules"]
    texts: list[str] = list(NOT_A_NUMBER) if everything else ["abc"]
    for key, beyond in (("minimum", -1), ("exclusiveMinimum", -1), ("maximum", 1)):
        if key in rules:
            bound = float(rules[key])
            texts += [_plain(bound), _plain(bound + beyond * max(abs(bound) * 1e-6, 1e-9))]
    texts.append({"usd": "$1,000.50", "percent": "1 %", "multiple": "10 ×", "none": "+8."}[field["unit"]])
    return [Case(name, text) for text in dict.fromkeys(texts)]


def cases_of(name: str) -> list[Case]:
    described = descriptions.describe(name)
    cases: list[Case] = []
    first = True
    for field in described["fields"]:
        if field["kind"] == "number":
            cases += number_cases(field, field["name"], everything=first)
            first = False
    rows = described["rows"]
    if rows:
        for field in rows["fields"]:
            where = f"{rows['name']}.0.{field['name']}"
            if field["kind"] == "number":
                cases += number_cases(field, where, everything=first)
                first = False
            elif field["kind"] == "text":
                cases.append(Case(where, "x" * 100))
    return cases


def _field(name: str, form_name: str) -> dict[str, Any]:
    described = descriptions.describe(name)
    path = form_name.split(".")
    fields = described["rows"]["fields"] if len(path) == 3 else described["fields"]
    return next(f for f in fields if f["name"] == path[-1])


def verdict(name: str, case: Case) -> tuple[str | None, str | None]:
    """(the inline message the module's parser gives, or None; the plain spelling of what it reads)."""
    field = _field(name, case.field)
    text = case.text[:grammar.MAX_TEXT] if field["kind"] == "text" else case.text  # the input's maxlength
    try:
        value = grammar.parse(field, case.field, text)
    except MarginInputError as error:
        return f"{field['label']} {error.reason}.", None
    return None, value if field["kind"] == "text" else _plain(value)


#: labels are text and are echoed on the page: they must come back as text, never as markup
MARKUP_LABELS = [
    "</script><script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "<svg onload=alert(1)>",
    "{{7*7}} ${7*7} <!--",
    "&lt;b&gt;&amp;",
]


def _refusal(calc, field: str) -> str | None:
    """The field's inline message when it is refused (a screen reader hears its hint, then this), else None."""
    return calc.error(field).text_content() if calc.inline_error(field) is not None else None


def test_at_least_thirty_hostile_inputs_per_calculator():
    counts = {name: len(cases_of(name)) for name in descriptions.CALCULATORS}
    assert all(count >= 30 for count in counts.values()), counts


@pytest.mark.parametrize("name", list(descriptions.CALCULATORS))
def test_hostile_inputs_give_inline_errors_and_break_nothing(live, site, calculator, name):
    page, watch = live(site.page_of(name))
    calc = calculator(page, name)
    calc.go_live()
    before = calc.outputs()
    plain_figures: dict[tuple[str, str], tuple[dict[str, str], str | None]] = {}
    failures: list[str] = []
    watch.page_errors.clear(), watch.console_errors.clear(), watch.dialogs.clear()

    cases = cases_of(name)
    goods: dict[str, str] = {}
    for number, case in enumerate(cases):
        good = goods.setdefault(case.field, calc.value(case.field))  # read before the field's first case
        refused, plain = verdict(name, case)
        if plain is not None and (case.field, plain) not in plain_figures:
            calc.set(case.field, plain)
            plain_figures[(case.field, plain)] = calc.outputs(), _refusal(calc, case.field)
            calc.set(case.field, good)
        calc.set(case.field, case.text)
        error = _refusal(calc, case.field)
        shown = calc.outputs()
        if refused is not None:
            if error != refused:
                failures.append(f"{case}: inline error {error!r}, the module says {refused!r}")
            if shown != before:
                changed = {k: (before.get(k), v) for k, v in shown.items() if before.get(k) != v}
                failures.append(f"{case}: the last good results changed: {changed}")
        elif (shown, error) != plain_figures[(case.field, plain)]:
            failures.append(f"{case}: figures or refusal differ from those of {plain!r} "
                            f"({error!r} vs {plain_figures[(case.field, plain)][1]!r})")
        if calc.state() != "live":
            failures.append(f"{case}: the engine is now {calc.state()!r}: {calc.status_text()}")
        for problem in watch.problems():
            failures.append(f"{case}: {problem}")
        watch.page_errors.clear(), watch.console_errors.clear(), watch.dialogs.clear()
        last_of_field = number + 1 == len(cases) or cases[number + 1].field != case.field
        if refused is not None and not last_of_field:
            continue  # the next case replaces it; the good value is typed back after a field's last case
        calc.set(case.field, good)
        if calc.any_error() is not None or calc.outputs() != before:
            failures.append(f"{case}: typing the good value {good!r} back did not restore the results "
                            f"(error: {calc.any_error()!r})")

    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:40])
    assert page.evaluate("() => window.__pwned") is None
    # Still answering: the build's formatting of CPython's result for what the form holds.
    expected = display.answer(name, calc.inputs())
    assert expected["ok"], expected
    shown = calc.outputs()
    differs = {k: (v, shown.get(k)) for k, v in expected["texts"].items() if shown.get(k) != v}
    assert not differs, f"(expected, shown): {differs}"


def _text_rows() -> list[str]:
    """The calculators whose row input has a text field (echoed on the page as a row's header)."""
    found = []
    for name in descriptions.CALCULATORS:
        rows = descriptions.describe(name)["rows"]
        if rows and any(f["kind"] == "text" for f in rows["fields"]):
            found.append(name)
    return found


@pytest.mark.parametrize("name", _text_rows())
def test_labels_with_markup_are_shown_as_text(live, site, calculator, name):
    page, watch = live(site.page_of(name))
    calc = calculator(page, name)
    calc.go_live()
    rows = descriptions.describe(name)["rows"]
    text = next(f["name"] for f in rows["fields"] if f["kind"] == "text")
    field = f"{rows['name']}.0.{text}"
    good = calc.value(field)
    for label in MARKUP_LABELS:
        calc.set(field, label)
        assert calc.any_error() is None, (label, calc.any_error())
        cells = calc.root.locator(f'[data-output^="{rows["name"]}.0."]')
        assert any(label.strip() in text for text in cells.all_text_contents()), label  # a header may add to it
        assert calc.root.locator(f'[data-output^="{rows["name"]}.0."] *').count() == 0, f"{label!r} became markup"
    assert page.evaluate("() => window.__pwned") is None
    assert not watch.problems(), watch.problems()
    calc.set(field, good)


def hostile_link(name: str) -> tuple[str, list[str]]:
    """A query string that throws bad values at every kind of input of ``name`` (and at the address's
    own grammar), and the inputs that must show an inline error for it."""
    described = descriptions.describe(name)
    key = name
    params: list[tuple[str, str]] = []
    refused: list[str] = []
    numbers = [f for f in described["fields"] if f["kind"] == "number"]
    choices = [f for f in described["fields"] if f["kind"] == "choice"]
    bad = ["</script><script>window.__pwned=1</script>", "NaN", "__import__('os').system('id')", "9" * 5000]
    for field, text in zip(numbers, bad):
        params.append((f"{key}.{field['name']}", text))
        refused.append(field["name"])
    for field in choices[:1]:
        params.append((f"{key}.{field['name']}", "<script>"))
        refused.append(field["name"])
    rows = described["rows"]
    if rows:
        for field in rows["fields"]:
            if field["kind"] == "text":
                params.append((f"{key}.{rows['name']}.0.{field['name']}", '<img src=x onerror="window.__pwned=1">'))
        first = rows["fields"][-1]["name"]
        params += [(f"{key}.{rows['name']}.999.{first}", "5"), (f"{key}.{rows['name']}.-1.{first}", "5")]
    params += [(f"{key}.__proto__.x", "1"), (f"{key}.constructor", "1"), (f"{key}.constructor.prototype.x", "1")]
    return "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params), refused


@pytest.mark.parametrize("path", ["guide", "other pages"])
def test_hostile_values_in_a_shared_link(browser, site, calculator, path):
    # A scenario is shared as a URL; a crafted link must not run script or break the page: a bad value
    # is shown as an inline error at its field, and the figures on the page stay readable.
    wanted = [p for p in site.pages if (site.url(p) == site.guide) == (path == "guide")]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        for where in wanted:
            names = site.pages[where]
            links = [hostile_link(name) for name in names]
            query = "?" + "&".join(link[1:] for link, _ in links)
            page = context.new_page()
            watch = qa.PageWatch.attach(page)
            page.goto(site.url(where) + query)
            for name, (_, refused) in zip(names, links):
                calc = calculator(page, name)
                calc.go_live()
                page.wait_for_timeout(300)  # let a restored state be validated and sent
                calc.settle()
                for field in refused:
                    assert calc.inline_error(field), f"{name}.{field}: no inline error"
                figures = calc.outputs()
                assert all(text.strip() for text in figures.values()), figures
                assert not any("NaN" in text or "undefined" in text or "Infinity" in text
                               for text in figures.values()), figures
                assert calc.root.locator("[data-output] *").count() == 0, "a label became markup"
                assert calc.state() == "live"
            assert page.evaluate("() => window.__pwned") is None
            assert page.evaluate("() => Object.prototype.x") is None
            assert not watch.problems(), watch.problems()
            page.close()
    finally:
        context.close()
