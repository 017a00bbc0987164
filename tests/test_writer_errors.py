"""A writer's mistakes, one at a time, each in its own page: every one is reported once, on one line
that names the file, the line of the offending value, what is wrong and how to fix it (with a "did you
mean" when a name is close to a valid one), never a Python traceback; ``mkdocs serve`` shows the same
lines at the top of the page and the page comes back once it is fixed; a good build prints a summary.

Each expected line is written out in full, its line number counted by :func:`line_of` in the page the
test wrote (the value's line for a worked example's input, the macro's line for a misused macro), and
each bound, choice and name copied from the calculators' descriptions (calculators/descriptions.py:
leverage 1x to 125x, mmr at most 50%, side long or short; isolated's default leverage 10).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from calculators.descriptions import CALCULATORS

from publishing_support import build_environment, copy_project
from tiny import TINY_CONFIG

REPO = Path(__file__).resolve().parent.parent

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
  btc_short:
    base: btc
    side: short
  three:
    calculator: compare
    wallet_balance: 3000
    model: simple
    positions:
      - {label: BTC, side: long, entry_price: 65000, size: 10000, leverage: 10, mmr: 0.5%}
      - {label: ETH, side: short, entry_price: 3400, size: 10000, leverage: 10, mmr: 0.5%}
---
"""

#: A page that uses the example ``btc`` on four lines: two figures, an input and a calculator.
USES_OF_BTC = """
The position is liquidated at {{ fig("btc.liquidation_price") }}.

The move to it is {{ fig("btc.distance_pct") }}.

Its entry price is {{ inputs("btc", "entry_price") }}.

{{ calculator("isolated", example="btc") }}
"""


def line_of(source: str, needle: str) -> int:
    """The 1-based line of ``source`` on which ``needle`` is written (the first)."""
    for number, line in enumerate(source.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in the page")


def uses(source: str, *needles: str) -> str:
    lines = sorted(line_of(source, needle) for needle in needles)
    return f"(used on {len(lines)} line{'s' if len(lines) > 1 else ''}: {', '.join(map(str, lines))})"


def example_page(old: str, new: str, body: str = USES_OF_BTC) -> str:
    assert old in FRONT
    return FRONT.replace(old, new, 1) + "\n# A page\n" + body


def macro_page(body: str) -> str:
    return FRONT + "\n# A page\n\nSome prose.\n\n" + textwrap.dedent(body)


#: The outputs listed after the suggestion, in the description's order: context, not what is tested here.
ISOLATED_OUTPUTS = [output.name for output in CALCULATORS["isolated"].all_outputs]

BTC_USES = ('fig("btc.liquidation_price")', 'fig("btc.distance_pct")', 'inputs("btc"', 'calculator("isolated"')

#: page -> (its Markdown, a function of that Markdown giving the one line the build must print for it)
CONTENT_MISTAKES = {
    # The first case: a bad input in an example that a calculator uses was a traceback.
    "leverage-zero": (example_page("leverage: 10", "leverage: 0"), lambda s: (
        f"docs/leverage-zero.md:{line_of(s, 'leverage: 0')}: worked example 'btc': leverage: must be at least 1x "
        f"(got 0) {uses(s, *BTC_USES)}")),
    "leverage-in-words": (example_page("leverage: 10", "leverage: ten"), lambda s: (
        f"docs/leverage-in-words.md:{line_of(s, 'leverage: ten')}: worked example 'btc': leverage: is not a number "
        f"(got 'ten'); write it in digits, for example leverage: 10 {uses(s, *BTC_USES)}")),
    "misspelt-input": (example_page("entry_price: 65000", "entry_prize: 65000"), lambda s: (
        f"docs/misspelt-input.md:{line_of(s, 'entry_prize')}: worked example 'btc': entry_prize: is not an input of "
        f"any calculator (got 65000) (did you mean 'entry_price'?) {uses(s, *BTC_USES)}")),
    "misspelt-choice": (example_page("side: long", "side: lng"), lambda s: (
        f"docs/misspelt-choice.md:{line_of(s, 'side: lng')}: worked example 'btc': side: must be one of long, short "
        f"(got 'lng') (did you mean 'long'?) {uses(s, *BTC_USES)}")),
    "misspelt-calculator": (example_page("calculator: isolated", "calculator: isolatd"), lambda s: (
        f"docs/misspelt-calculator.md:{line_of(s, 'isolatd')}: worked example 'btc': calculator: is not a calculator "
        "(got 'isolatd') (did you mean 'isolated'?); use one of isolated, cross, compare, profit_and_loss, "
        f"target_price, position_size, average_entry, funding_cost {uses(s, *BTC_USES)}")),
    "missing-calculator": (example_page("    calculator: isolated\n", ""), lambda s: (
        f"docs/missing-calculator.md:{line_of(s, '  btc:')}: worked example 'btc': calculator: is missing; add "
        "calculator: with one of isolated, cross, compare, profit_and_loss, target_price, position_size, "
        f"average_entry, funding_cost {uses(s, *BTC_USES)}")),
    "misspelt-base": (example_page("base: btc", "base: btx", "\nShort: {{ fig(\"btc_short.liquidation_price\") }}\n"),
                      lambda s: (f"docs/misspelt-base.md:{line_of(s, 'base: btx')}: worked example 'btc_short': base: "
                                 "no worked example 'btx' on this page (did you mean 'btc'?) (examples: btc, three) "
                                 f"{uses(s, 'Short:')}")),
    # A fault of a base is the base's, once, at its value, counting the uses of the examples on it.
    "bad-base": (example_page("mmr: 0.5%\n    tier", "mmr: 60%\n    tier",
                              "\nLong {{ fig(\"btc.liquidation_price\") }}, short {{ fig(\"btc_short.liquidation_price\") }}.\n"
                              "\nShort again: {{ fig(\"btc_short.distance_pct\") }}\n"),
                 lambda s: (f"docs/bad-base.md:{line_of(s, 'mmr: 60%')}: worked example 'btc': mmr: must be at most 50% "
                            f"(got '60%') {uses(s, 'Long', 'Short again')}")),
    # An input of a row, written in flow style: the row's line.
    "bad-row": (example_page("size: 10000, leverage: 10, mmr: 0.5%}\n---", "size: 10000, leverage: 10, mmr: 60%}\n---",
                             "\n{{ results_table(\"three\") }}\n"),
                lambda s: (f"docs/bad-row.md:{line_of(s, 'mmr: 60%')}: worked example 'three': positions[1].mmr: must be "
                           f"at most 50% (got '60%') {uses(s, 'results_table')}")),
    "unknown-example": (macro_page('Price: {{ fig("btc_lng.liquidation_price") }}\n'), lambda s: (
        f"docs/unknown-example.md:{line_of(s, 'Price:')}: unknown worked example 'btc_lng' (did you mean 'btc'?) "
        "(known: btc, btc_short, three)")),
    "misspelt-output": (macro_page('Price: {{ fig("btc.liquidation") }}\n'), lambda s: (
        f"docs/misspelt-output.md:{line_of(s, 'Price:')}: 'btc.liquidation': unknown output 'liquidation' (did you mean "
        f"'liquidation_move' or 'liquidation_price'?) (outputs here: {', '.join(sorted(ISOLATED_OUTPUTS))})")),
    # The case: decimal=0 said "decimal: is not an input of any calculator".
    "misspelt-argument": (macro_page('Move: {{ fig("btc.distance_pct", decimal=0) }}\n'), lambda s: (
        f"docs/misspelt-argument.md:{line_of(s, 'Move:')}: fig(): decimal= is neither an argument of fig() nor an "
        "input of the calculator 'isolated' (did you mean 'decimals'?)")),
    # 65,000 * (1 - 1/10 + 0.005) = 58,825 (the guide's figure)
    "wrong-stated-figure": (macro_page('Price: {{ fig("btc.liquidation_price", stated="$58,465") }}\n'), lambda s: (
        f"docs/wrong-stated-figure.md:{line_of(s, 'Price:')}: btc.liquidation_price is stated as $58,465 but the module "
        'computes $58,825.00 (example inputs: side="long", entry_price=65000, leverage=10, margin=1000, mmr="0.5%", '
        'tier_table="none", model="simple", asset="BTC")')),
    "misspelt-input-name": (macro_page('Entry: {{ inputs("btc", "entry") }}\n'), lambda s: (
        f"docs/misspelt-input-name.md:{line_of(s, 'Entry:')}: 'btc' has no input 'entry' (did you mean 'entry_price'?) "
        "(inputs: side, entry_price, leverage, margin, mmr, tier_table, model, asset)")),
    "leverage-table-not-a-list": (macro_page('{{ leverage_table("btc", leverages="2, 5, 10") }}\n'), lambda s: (
        f"docs/leverage-table-not-a-list.md:{line_of(s, 'leverage_table')}: leverage_table(): leverages must be a list "
        "of numbers, got '2, 5, 10'")),
    "leverage-table-below-one": (macro_page('{{ leverage_table("btc", leverages=[0.5, 2]) }}\n'), lambda s: (
        f"docs/leverage-table-below-one.md:{line_of(s, 'leverage_table')}: leverage_table(): worked example 'btc': "
        "leverage: must be at least 1x (got 0.5)")),
    "sweep-table-output": (macro_page('{{ sweep_table("btc", "margin", [500, 1000], ["liq_price"]) }}\n'), lambda s: (
        f"docs/sweep-table-output.md:{line_of(s, 'sweep_table')}: sweep_table(): 'btc' has no output 'liq_price' "
        f"(did you mean 'liquidation_price'?) (outputs: {', '.join(ISOLATED_OUTPUTS)})")),
    "results-table-of-isolated": (macro_page('{{ results_table("btc") }}\n'), lambda s: (
        f"docs/results-table-of-isolated.md:{line_of(s, 'results_table')}: results_table(): 'btc' is an example of "
        "'isolated', which has no table of rows (calculators with one: cross, compare)")),
    "results-table-name": (macro_page('{{ results_table("three", table="position") }}\n'), lambda s: (
        f"docs/results-table-name.md:{line_of(s, 'results_table')}: results_table(): 'three' has no table 'position' "
        "(did you mean 'positions'?) (tables: positions)")),
    "tier-table-name": (macro_page('{{ tier_table("binance-btcusdt") }}\n'), lambda s: (
        f"docs/tier-table-name.md:{line_of(s, 'tier_table(')}: tier_table(): tier_table: is not a known tier table "
        "(got 'binance-btcusdt') (did you mean 'binance-btcusdt-2021-03-18'?) (tier tables: binance-btcusdt-2021-03-18)")),
    "calculator-name": (macro_page('{{ calculator("isolate", example="btc") }}\n'), lambda s: (
        f"docs/calculator-name.md:{line_of(s, 'calculator(')}: calculator('isolate'): unknown calculator (did you mean "
        "'isolated'?) (known: isolated, cross, compare, profit_and_loss, target_price, position_size, average_entry, "
        "funding_cost)")),
    "calculator-example": (macro_page('{{ calculator("isolated", example="btc_lng") }}\n'), lambda s: (
        f"docs/calculator-example.md:{line_of(s, 'calculator(')}: calculator('isolated'): unknown worked example "
        "'btc_lng' (did you mean 'btc'?) (known: btc, btc_short, three)")),
    "calculator-argument": (macro_page('{{ calculator("isolated", exmaple="btc") }}\n'), lambda s: (
        f"docs/calculator-argument.md:{line_of(s, 'calculator(')}: calculator(): exmaple= is neither "
        "an argument of calculator() nor an input of the calculator 'isolated' (did you mean 'example'?)")),
    "leverage-table-leverage": (macro_page('{{ leverage_table("btc", leverage=[2, 5, 10]) }}\n'), lambda s: (
        f"docs/leverage-table-leverage.md:{line_of(s, 'leverage_table')}: leverage_table(): leverage= is the input "
        "this table varies; list its values as leverages=[...]")),
    "example-data-name": (macro_page('Entry: {{ example_data("btc_lng").entry_price }}\n'), lambda s: (
        f"docs/example-data-name.md:{line_of(s, 'Entry:')}: example_data(): unknown worked example 'btc_lng' (did you "
        "mean 'btc'?) (known: btc, btc_short, three)")),
    "not-a-macro": (macro_page('Price: {{ figg("btc.liquidation_price") }}\n'), lambda s: (
        f"docs/not-a-macro.md:{line_of(s, 'Price:')}: 'figg' is not a macro (did you mean 'fig'?)")),
    "unclosed-macro": (macro_page('Price: {{ fig("btc.liquidation_price" }}\n'), lambda s: (
        f"docs/unclosed-macro.md:{line_of(s, 'Price:')}: the macro does not read: unexpected '}}', expected ')'; "
        "close each {{ with }} and each quote and bracket")),
    "reference-argument": (macro_page('{{ calculator_reference(levle=2) }}\n'), lambda s: (
        f"docs/reference-argument.md:{line_of(s, 'calculator_reference')}: TypeError: calculator_reference() got an "
        "unexpected keyword argument 'levle' (did you mean 'level'?)")),
}


@pytest.fixture(scope="module")
def content_site(build_site_once):
    pages = {"index.md": "# Home\n\nNothing wrong here.\n"}
    pages.update({f"{name}.md": source for name, (source, _) in CONTENT_MISTAKES.items()})
    return build_site_once(pages)


def test_the_build_fails_with_one_problem_per_mistake_and_no_traceback(content_site):
    assert not content_site.ok
    assert f"livecalc: {len(CONTENT_MISTAKES)} problem(s) with the pages' content" in content_site.output
    assert "Traceback" not in content_site.output and 'File "' not in content_site.output


@pytest.mark.parametrize("name", sorted(CONTENT_MISTAKES))
def test_each_content_mistake_is_one_line_word_for_word(content_site, name):
    source, expected = CONTENT_MISTAKES[name]
    line = expected(source)
    ours = [e for e in content_site.errors() if e.startswith(f"docs/{name}.md")]
    assert ours == [line], content_site.output
    assert content_site.output.count(line) == 1


def test_every_mistake_of_one_page_is_reported_not_only_the_first(build_site):
    source = macro_page("""\
        A {{ fig("btc.liquidation", decimal=0) }}

        B {{ calculator_reference(levle=2) }}

        C {{ figg("btc.notional") }}

        D {{ example_data("btc_lng").entry_price }}
        """)
    result = build_site({"index.md": source})
    assert [error.split(": ", 1)[0] for error in result.errors()] == [
        f"docs/index.md:{line_of(source, needle)}" for needle in ("A {{", "B {{", "C {{", "D {{")]


@pytest.mark.parametrize("name", ["leverage-zero", "misspelt-output", "not-a-macro"])
def test_the_page_shows_its_problems_at_its_top_and_a_marker_at_each_use(content_site, name):
    source, expected = CONTENT_MISTAKES[name]
    text = content_site.text(f"{name}.md")
    title = "livecalc: 1 problem on this page"
    assert text.count(expected(source)) == 1
    # the title, then the terminal's line, above the page's own heading
    assert text.index(title) < text.index(expected(source)) < text.rindex("A page")
    assert "[livecalc error on line " in text


# ------------------------------------------------------------------------------------------------
# Front matter: YAML, the fields a guide must have
# ------------------------------------------------------------------------------------------------

GUIDE = """\
---
title: "Leverage and liquidation: a worked guide"
description: "How leverage moves your liquidation price, with a worked example computed at build time."
status: ready
date: 2026-11-30
examples:
  btc:
    calculator: isolated
    side: long
    leverage: 10
---

# Leverage and liquidation

Liquidated at {{ fig("btc.liquidation_price") }}.
"""


def guide(old: str, new: str) -> str:
    assert old in GUIDE
    return GUIDE.replace(old, new, 1)


FRONT_MATTER_MISTAKES = {
    # The case: PyYAML reports "line 26 ... found unexpected end of stream" (where it gave up).
    "unclosed-quote": (guide('a worked guide"', "a worked guide"), lambda s: (
        f"docs/unclosed-quote.md:{line_of(s, 'title:')}: front matter: the value of title: opens a quote (\") that "
        "this line does not close; end the value with \"")),
    "colon-in-value": (guide('"Leverage and liquidation: a worked guide"', "Leverage and liquidation: a worked guide"),
                       lambda s: (f"docs/colon-in-value.md:{line_of(s, 'title:')}: front matter is not valid YAML (column "
                                  "32: mapping values are not allowed here); a value that holds \": \" must be quoted: "
                                  "title: \"Leverage and liquidation: a worked guide\"")),
    # an input indented one space less than its neighbours: no advice about quotes
    "indentation": (guide("    leverage: 10", "   leverage: 10"), lambda s: (
        f"docs/indentation.md:{line_of(s, '   leverage: 10')}: front matter is not valid YAML (column 4: expected "
        "<block end>, but found '<block mapping start>'); check the indentation: the keys of one mapping start in the "
        "same column, and a key's inputs are indented under it by the same number of spaces")),
    "indented-deeper": (guide("status: ready", "  status: ready"), lambda s: (
        f"docs/indented-deeper.md:{line_of(s, 'status:')}: front matter is not valid YAML (column 3: expected <block "
        "end>, but found '<block mapping start>'); check the indentation: the keys of one mapping start in the same column, and a key's "
        "inputs are indented under it by the same number of spaces")),
    "tab": (guide("    side: long", "\tside: long"), lambda s: (
        f"docs/tab.md:{line_of(s, 'side: long')}: front matter is not valid YAML (column 1: found character '\\t' "
        "that cannot start any token); indent with spaces, not tabs")),
    "unclosed-list": (guide("status: ready", "tags: [margin, leverage\nstatus: ready"), lambda s: (
        f"docs/unclosed-list.md:{line_of(s, 'tags:')}: front matter: the [ opened on this line (column 7) is not "
        "closed; end it with ]")),
    # The case: "[structured-data] JSON-LD Article lacks datePublished", pointing at a template.
    "no-date": (guide("date: 2026-11-30\n", ""), lambda s: (
        "docs/no-date.md: front matter: date: is missing; write date: YYYY-MM-DD")),
    "date-not-iso": (guide("date: 2026-11-30", "date: 30/11/2026"), lambda s: (
        f"docs/date-not-iso.md:{line_of(s, 'date:')}: front matter: date: is not a date (got '30/11/2026'); "
        "write date: YYYY-MM-DD")),
    # 2026 is not a leap year: November has 30 days
    "date-not-a-day": (guide("date: 2026-11-30", "date: 2026-11-31"), lambda s: (
        f"docs/date-not-a-day.md:{line_of(s, 'date:')}: front matter: date: 2026-11-31 is not a day of the calendar "
        "(day is out of range for month); write date: YYYY-MM-DD")),
    "no-description": (guide('description: "How leverage moves your liquidation price, with a worked example '
                             'computed at build time."\n', ""), lambda s: (
        "docs/no-description.md: front matter: description: is missing; write description: and one or two "
        "sentences, 70 to 160 characters")),
    "status-typo": (guide("status: ready", "status: redy"), lambda s: (
        "docs/status-typo.md: status is 'redy'; write 'status: ready' to publish the page or 'status: draft' to keep "
        "it out of the built site")),
}

HOOKED_CONFIG = TINY_CONFIG + f"hooks:\n  - {REPO / 'overrides' / 'hooks' / 'publishing.py'}\n"


@pytest.fixture(scope="module")
def front_matter_site(build_site_once):
    pages = {"index.md": "# Home\n\nNothing wrong here.\n"}
    pages.update({f"{name}.md": source for name, (source, _) in FRONT_MATTER_MISTAKES.items()})
    return build_site_once(pages, HOOKED_CONFIG)


def test_front_matter_mistakes_stop_the_build_without_a_traceback(front_matter_site):
    assert not front_matter_site.ok
    assert "Traceback" not in front_matter_site.output and "JSON-LD" not in front_matter_site.output
    assert "quote a value" not in front_matter_site.output


@pytest.mark.parametrize("name", sorted(FRONT_MATTER_MISTAKES))
def test_each_front_matter_mistake_is_one_line_word_for_word(front_matter_site, name):
    source, expected = FRONT_MATTER_MISTAKES[name]
    line = expected(source)
    assert front_matter_site.output.count(line) == 1, front_matter_site.output
    assert sum(f"docs/{name}.md" in out_line for out_line in front_matter_site.output.splitlines()) == 1


# ------------------------------------------------------------------------------------------------
# The preview: mkdocs serve shows a page's problems in the page, and the page once they are fixed
# ------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def _wait_for(url: str, condition, seconds: float = 90.0) -> str:
    deadline, text = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        try:
            text = _fetch(url)
            if condition(text):
                return text
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not come to the expected state in {seconds} s:\n{text[-2000:]}")


@pytest.mark.parametrize("mistake", ["leverage-zero", "unclosed-quote"])
def test_mkdocs_serve_shows_the_problems_in_the_page_then_the_page_once_fixed(tmp_path, mistake):
    """The real command on a free local port, with the site's own configuration and hooks: a content
    mistake and a front matter mistake, each shown in the page with the terminal's line; the writer
    fixes the file, the server rebuilds, and the same address serves the page again."""
    project = copy_project(tmp_path / "project")
    if mistake == "leverage-zero":
        good = GUIDE.replace("leverage: 10", "entry_price: 65000\n    leverage: 10\n    margin: 1000\n    mmr: 0.5%")
        broken = good.replace("leverage: 10", "leverage: 0")
        expected = (f"docs/my-guide.md:{line_of(broken, 'leverage: 0')}: worked example 'btc': leverage: must be at "
                    f"least 1x (got 0) (used on 1 line: {line_of(broken, 'Liquidated at')})")
    else:
        good, broken = GUIDE, GUIDE.replace('a worked guide"', "a worked guide", 1)
        expected = FRONT_MATTER_MISTAKES["unclosed-quote"][1](broken).replace("unclosed-quote", "my-guide")
    page = project / "docs" / "my-guide.md"
    page.write_text(broken, "utf-8")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=project,
        env=build_environment({}), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/my-guide/"
        shown = _wait_for(url, lambda text: "livecalc-problems" in text)
        assert expected.replace("'", "&#x27;").replace('"', "&quot;") in shown
        page.write_text(good, "utf-8")
        fixed = _wait_for(url, lambda text: "livecalc-problems" not in text)
        assert "Liquidated at $" in fixed
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert output.count(expected) == 1, output  # the terminal: the same line, once, in the failing rebuild
    assert "Traceback" not in output


# ------------------------------------------------------------------------------------------------
# Quiet logs
# ------------------------------------------------------------------------------------------------

def _build(project: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", *arguments], cwd=project,
                          env=build_environment({}), capture_output=True, text=True, timeout=300)


def test_a_good_build_prints_a_summary_and_the_detail_only_with_verbose(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "docs" / "my-guide.md").write_text(
        GUIDE.replace("leverage: 10", "entry_price: 65000\n    leverage: 10\n    margin: 1000\n    mmr: 0.5%")
        .replace('{{ fig("btc.liquidation_price") }}', '{{ fig("btc.liquidation_price", draft="$58,465") }}'), "utf-8")
    quiet = _build(project, "--site-dir", str(tmp_path / "quiet"))
    assert quiet.returncode == 0, quiet.stderr
    log = quiet.stdout + quiet.stderr
    assert "[macros]" not in log
    assert "livecalc: corrected" not in log  # other pages' corrections and this one's: detail
    summary = [line for line in log.splitlines() if "-  livecalc: " in line]
    assert len(summary) == 1 and "computed figures" in summary[0] and "draft figures corrected" in summary[0]
    verbose = _build(project, "-v", "--site-dir", str(tmp_path / "verbose"))
    detail = verbose.stdout + verbose.stderr
    # The draft's figure corrected, on this page and on the guide. This page's example takes the
    # calculator's default model, the exchange's: 65,000 * 9,000 / 9,950 = 58,793.97 (tests/test_macros.py);
    # the guide's the simple one: 65,000 * (1 - 1/10 + 0.005) = 58,825.
    mine = line_of((project / "docs" / "my-guide.md").read_text("utf-8"), 'draft="$58,465"')
    assert (f"livecalc: corrected docs/my-guide.md:{mine}: btc.liquidation_price: draft said $58,465, the page shows "
            "$58,793.97") in detail
    guide = "crypto-isolated-margin-vs-cross-margin.md"
    theirs = line_of((project / "docs" / guide).read_text("utf-8"), 'draft="$58,465"')
    assert (f"livecalc: corrected docs/{guide}:{theirs}: btc_10x.liquidation_price: draft said $58,465, the page "
            "shows $58,825.00") in detail
    # the draft's 10% distance against 6,175 / 65,000 = 9.5%
    assert "btc_10x.distance_pct: draft said 10%, the page shows 9.50%" in detail
    assert "[macros] - Found local Python module" in detail
