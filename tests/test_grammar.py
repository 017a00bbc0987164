"""One number grammar, two readers: ``calculators.grammar.parse`` and ``browser/grammar.mjs`` agree.

The grammar is data (:data:`calculators.grammar.GRAMMAR`, each field's ``rules``); the module reads it
in Python (at build time and in the browser's worker) and the form reads it in JavaScript (the inline
check before the engine is asked). Every string of :data:`TABLE` is given to a real field of a real
description (``calculators.descriptions.describe``) and read by both: Python here, JavaScript under
``node`` once for the whole table. Each must give the verdict written in the table (accepted, or the
message of the grammar or rule named there) and both must give the same message, character for
character. A disagreement fails; none is tolerated.

The verdicts are the grammar's own rules (``calculators/grammar.py``'s docstring): ``$`` anywhere
goes, surrounding spaces and no-break spaces go, a unit's suffix goes (``%`` for a percent, ``x`` or
``×`` for a multiple), commas only group thousands, only ASCII digits, then the field's bounds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from calculators import descriptions, grammar
from calculators.errors import MarginInputError

ROOT = Path(__file__).resolve().parents[1]
MODULE = ROOT / "browser" / "grammar.mjs"

OK = None


def _field(calculator: str, name: str) -> dict[str, Any]:
    """A field of a real description: ``name`` or ``ROWS.name`` for a row input's field."""
    described = descriptions.describe(calculator)
    if "." in name:
        rows_name, field_name = name.split(".")
        assert described["rows"]["name"] == rows_name, (calculator, name)
        fields = described["rows"]["fields"]
    else:
        field_name, fields = name, described["fields"]
    return next(f for f in fields if f["name"] == field_name)


# (calculator, field, typed text, verdict). A verdict is OK, a key of GRAMMAR["messages"] ("number",
# "empty", ...) or a key of the field's rules ("minimum", "exclusiveMinimum", "maximum").
ENTRY = ("isolated", "entry_price")           # usd, 0.00000001 .. 1,000,000,000 (both included)
LEVERAGE = ("isolated", "leverage")           # multiple, 1 .. 125
MMR = ("isolated", "mmr")                     # percent, 0 .. 50
WALLET = ("cross", "wallet_balance")          # usd, above 0, at most 1,000,000,000,000
MOVE_ALL = ("compare", "move_all")            # percent, -99 .. 1000
ROW_MOVE = ("compare", "positions.move")      # a row's percent, -99 .. 1000
HOURS = ("funding_cost", "interval_hours")    # none, above 0, at most 24
RATE = ("funding_cost", "funding_rate")       # percent, -10 .. 10
QUANTITY = ("average_entry", "fills.quantity")  # none, above 0
ROE = ("target_price", "target_roe")          # percent, -10000 .. 100000
RISK = ("position_size", "risk_pct")          # percent, above 0, at most 100
SIDE = ("isolated", "side")                   # choice
LABEL = ("cross", "positions.label")          # text

NBSP, NNBSP = "\u00a0", "\u202f"

TABLE: list[tuple[tuple[str, str], str, str | None]] = [
    # plain numbers and their spellings
    (ENTRY, "65000", OK), (ENTRY, "65000.", OK), (ENTRY, ".5", OK), (ENTRY, "0.5", OK), (ENTRY, "+65000", OK),
    (ENTRY, "6.5e4", OK), (ENTRY, "6.5E4", OK), (ENTRY, "6.5e+4", OK), (ENTRY, "1e-8", OK), (ENTRY, "00065000", OK),
    # grouped thousands
    (ENTRY, "65,000", OK), (ENTRY, "1,000,000", OK), (ENTRY, "1,000.50", OK), (ENTRY, "65,000.", OK),
    (ENTRY, "-65,000", "minimum"), (ENTRY, "+1,234,567.891", OK),
    (ENTRY, "65,00", "grouped"), (ENTRY, "6,5000", "grouped"), (ENTRY, "1,00,000", "grouped"),
    (ENTRY, ",000", "grouped"), (ENTRY, "0,500", "grouped"), (ENTRY, "1000,000", "grouped"), (ENTRY, ",", "grouped"),
    (ENTRY, "1,000,", "grouped"), (ENTRY, "1,,000", "grouped"), (ENTRY, "1,000.5,0", "grouped"),
    # European decimal commas: never read as thousands
    (MMR, "0,5", "grouped"), (MMR, "1,5", "grouped"), (MMR, "0,005", "grouped"), (ENTRY, "65.000,50", "grouped"),
    # dollar signs anywhere, spaces and no-break spaces around
    (ENTRY, "$65,000", OK), (ENTRY, "65000$", OK), (ENTRY, "$ 65000", OK), (ENTRY, "6$5000", OK), (ENTRY, "$", "empty"),
    (ENTRY, " 65000 ", OK), (ENTRY, "\t65000\n", OK), (ENTRY, NBSP + "65000", OK), (ENTRY, "65000" + NNBSP, OK),
    (ENTRY, "\r\n 65000 \r\n", OK), (ENTRY, "5\n5", "number"), (MMR, "5\n%", OK), (ENTRY, "65000\n$", OK),
    (ENTRY, "65 000", "number"), (ENTRY, "65" + NBSP + "000", "number"),
    (ENTRY, "65" + NNBSP + "000", "number"), (ENTRY, "\u200b65000", "number"), (ENTRY, "\u200365000", "number"),
    # empty
    (ENTRY, "", "empty"), (ENTRY, "   ", "empty"), (ENTRY, NBSP, "empty"), (ENTRY, "\t\n", "empty"),
    (MMR, "%", "empty"), (MMR, " % ", "empty"), (LEVERAGE, "x", "empty"), (LEVERAGE, "×", "empty"),
    # percent suffixes
    (MMR, "0.5%", OK), (MMR, "0.5 %", OK), (MMR, "0.5" + NBSP + "%", OK), (MMR, " 0.5% ", OK), (MMR, "0.5%%", "number"),
    (MMR, "%0.5", "number"), (MMR, "0.5x", "number"), (ENTRY, "65000%", "number"), (MOVE_ALL, "-5%", OK),
    (MMR, "0.5" + NNBSP + "%", OK),  # a narrow no-break space is trimmed once the suffix has gone
    # multiple suffixes
    (LEVERAGE, "10x", OK), (LEVERAGE, "10 x", OK), (LEVERAGE, "10×", OK), (LEVERAGE, "10 ×", OK),
    (LEVERAGE, "10X", "number"), (LEVERAGE, "10xx", "number"), (LEVERAGE, "x10", "number"), (LEVERAGE, "10%", "number"),
    (HOURS, "8x", "number"), (QUANTITY, "0.1x", "number"),
    # exponents
    (ENTRY, "1e", "number"), (ENTRY, "e5", "number"), (ENTRY, "1e5.5", "number"), (ENTRY, "1e+", "number"),
    (ENTRY, "1e-400", "minimum"), (MMR, "1e-400", OK), (ENTRY, "1e309", "not_finite"), (ENTRY, "-1e309", "not_finite"),
    (ENTRY, "9" * 64, "maximum"), (ENTRY, "9" * 309, "too_long"), (WALLET, "1e12", OK), (WALLET, "1.0000000000001e12", "maximum"),
    # infinities and not-a-number, whatever their case
    (ENTRY, "inf", "not_finite"), (ENTRY, "-inf", "not_finite"), (ENTRY, "+Inf", "not_finite"),
    (ENTRY, "Infinity", "not_finite"), (ENTRY, "-INFINITY", "not_finite"), (ENTRY, "nan", "not_finite"),
    (ENTRY, "NaN", "not_finite"), (ENTRY, "-nan", "not_finite"), (ENTRY, "infinite", "number"), (ENTRY, "∞", "number"),
    (ENTRY, "\u0131nf", "number"), (ENTRY, "\u0130NF", "number"), (ENTRY, "ınfinity", "number"),  # Turkish I: not an ASCII letter
    (ENTRY, "Infinity%", "number"),
    # signs
    (ENTRY, "--5", "number"), (ENTRY, "+-5", "number"), (ENTRY, "- 5", "number"), (ENTRY, "5-", "number"),
    (ENTRY, "-", "number"), (ENTRY, "+", "number"), (ENTRY, ".", "number"), (ENTRY, "-.", "number"),
    (MMR, "-0", OK), (MMR, "+0", OK), (MOVE_ALL, "+15", OK), (MOVE_ALL, "−5", "number"),  # a minus sign, not a hyphen
    # not numbers
    (ENTRY, "abc", "number"), (ENTRY, "0x10", "number"), (ENTRY, "1.2.3", "number"), (ENTRY, "1_000", "number"),
    (ENTRY, "65_000.5", "number"), (ENTRY, "５", "number"), (ENTRY, "٦٥٠٠٠", "number"), (ENTRY, "६५", "number"),
    (ENTRY, "½", "number"), (ENTRY, "²", "number"), (ENTRY, "null", "number"), (ENTRY, "None", "number"),
    (ENTRY, "true", "number"), (ENTRY, "[]", "number"), (ENTRY, "5;alert(1)", "number"),
    (ENTRY, "</script><script>alert(1)</script>", "number"), (ENTRY, "__import__('os')", "number"),
    # too long (counted after the spaces, dollar signs and suffix go)
    (ENTRY, "1" * 64, "maximum"), (ENTRY, "1" * 65, "too_long"), (ENTRY, " " * 100 + "5", OK),
    (ENTRY, "$" * 100 + "5", OK), (ENTRY, "a" * 10_000, "too_long"), (ENTRY, "0." + "0" * 61 + "1", "minimum"),
    (MMR, "0." + "1" * 62 + "%", OK), (MMR, "0." + "1" * 63 + "%", "too_long"),
    # bounds: inclusive minimum and maximum
    (ENTRY, "0.00000001", OK), (ENTRY, "0.000000009", "minimum"), (ENTRY, "0", "minimum"), (ENTRY, "-0", "minimum"),
    (ENTRY, "1000000000", OK), (ENTRY, "1,000,000,000", OK), (ENTRY, "1000000000.01", "maximum"),
    (LEVERAGE, "1", OK), (LEVERAGE, "0.99", "minimum"), (LEVERAGE, "125", OK), (LEVERAGE, "125.01", "maximum"),
    (LEVERAGE, "125x", OK), (LEVERAGE, "126x", "maximum"), (LEVERAGE, "0", "minimum"), (LEVERAGE, "-10", "minimum"),
    (MMR, "0", OK), (MMR, "0%", OK), (MMR, "-0.0001", "minimum"), (MMR, "50", OK), (MMR, "50.0000001", "maximum"),
    (MMR, "51%", "maximum"), (MOVE_ALL, "-99", OK), (MOVE_ALL, "-99.5", "minimum"), (MOVE_ALL, "1000", OK),
    (MOVE_ALL, "1000.001", "maximum"), (MOVE_ALL, "1e3", OK), (ROW_MOVE, "-100%", "minimum"), (ROW_MOVE, "30%", OK),
    (RATE, "-10", OK), (RATE, "-10.01%", "minimum"), (RATE, "10%", OK), (RATE, "10.5", "maximum"),
    (ROE, "-10000", OK), (ROE, "-10,000.5", "minimum"), (ROE, "100,000%", OK), (ROE, "100,001", "maximum"),
    # bounds: exclusive minimum (above 0)
    (WALLET, "0", "exclusiveMinimum"), (WALLET, "-0", "exclusiveMinimum"), (WALLET, "0.0", "exclusiveMinimum"),
    (WALLET, "1e-400", "exclusiveMinimum"), (WALLET, "5e-324", OK), (WALLET, "0.01", OK), (WALLET, "-1", "exclusiveMinimum"),
    (WALLET, "1000000000000", OK), (WALLET, "1,000,000,000,001", "maximum"), (WALLET, "$3,000", OK),
    (HOURS, "0", "exclusiveMinimum"), (HOURS, "0.5", OK), (HOURS, "24", OK), (HOURS, "24.01", "maximum"),
    (HOURS, "$8", OK), (QUANTITY, "0", "exclusiveMinimum"), (QUANTITY, "1e-12", OK), (QUANTITY, "1e12", OK),
    (QUANTITY, "1.1e12", "maximum"), (RISK, "0%", "exclusiveMinimum"), (RISK, "100%", OK), (RISK, "100.1", "maximum"),
    # choices: one of the keys, exactly
    (SIDE, "long", OK), (SIDE, "short", OK), (SIDE, "Long", "choice"), (SIDE, " long", "choice"), (SIDE, "", "choice"),
    (SIDE, "<script>", "choice"),
    # text: trimmed, at most max_text characters
    (LABEL, "BTC", OK), (LABEL, "", OK), (LABEL, "x" * 64, OK), (LABEL, "x" * 65, "too_long"),
    (LABEL, "  " + "x" * 64 + "  ", OK), (LABEL, "é" * 64, OK), (LABEL, "😀" * 64, OK), (LABEL, "😀" * 65, "too_long"),
    (LABEL, "<img src=x onerror=alert(1)>", OK),
]


def _python(field: dict[str, Any], text: str) -> str | None:
    try:
        grammar.parse(field, field["name"], text)
    except MarginInputError as error:
        return error.reason
    return None


def _expected_message(field: dict[str, Any], verdict: str | None) -> str | None:
    if verdict is None:
        return None
    if verdict in field["rules"]:
        return field["rules"]["messages"][verdict]
    message = grammar.GRAMMAR["messages"][verdict]
    return message.format(choices=", ".join(key for key, _ in field["choices"])) if verdict == "choice" else message


_DRIVER = """
import { check } from %s;
let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const { grammar, cases } = JSON.parse(input);
process.stdout.write(JSON.stringify(cases.map(([field, text]) => check(field, text, grammar))));
"""


@pytest.fixture(scope="module")
def javascript() -> list[str | None]:
    """``browser/grammar.mjs``'s verdict on every row of the table, from one run of ``node``."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the browser's grammar is checked under Node (install Node 20+)")
    grammars = {json.dumps(descriptions.describe(calc)["grammar"], sort_keys=True) for calc in descriptions.CALCULATORS}
    assert len(grammars) == 1, "every description carries the same grammar"
    cases = [[_field(*where), text] for where, text, _ in TABLE]
    payload = json.dumps({"grammar": json.loads(grammars.pop()), "cases": cases}, ensure_ascii=False)
    done = subprocess.run(
        [node, "--input-type=module", "-e", _DRIVER % json.dumps(MODULE.as_uri())],
        input=payload, capture_output=True, text=True, encoding="utf-8", timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_table_is_large_and_covers_every_unit_and_kind():
    assert len(TABLE) >= 100
    fields = [_field(*where) for where, _, _ in TABLE]
    assert {f["unit"] for f in fields if f["kind"] == "number"} == {"usd", "percent", "multiple", "none"}
    assert {f["kind"] for f in fields} == {"number", "choice", "text"}
    verdicts = {verdict for _, _, verdict in TABLE}
    assert set(grammar.GRAMMAR["messages"]) | {"minimum", "exclusiveMinimum", "maximum", None} == verdicts


@pytest.mark.parametrize("index", range(len(TABLE)), ids=lambda i: f"{TABLE[i][0][0]}.{TABLE[i][0][1]}={TABLE[i][1][:24]!r}")
def test_python_and_the_browser_give_the_same_verdict_and_message(javascript, index):
    where, text, verdict = TABLE[index]
    field = _field(*where)
    expected = _expected_message(field, verdict)
    assert _python(field, text) == expected, f"calculators.grammar.parse: {where} {text!r}"
    assert javascript[index] == expected, f"browser/grammar.mjs: {where} {text!r}"
