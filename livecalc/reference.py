"""``livecalc calculators [NAME]``: each calculator's inputs and outputs, as a terminal table.

Everything is read from the calculators' descriptions (:data:`calculators.descriptions.CALCULATORS`):
the inputs a worked example may set (name, label, unit, bounds, default, choices), the inputs of each
row of a list input (``positions[].entry_price``), and every output under the name ``fig()`` takes
(``liquidation_price``, ``isolated.balance_left`` for a figure per margin mode,
``positions.N.distance_pct`` for a figure per row). Plain text with aligned columns, no colours, so it
reads the same in a terminal, a pipe and a log.
"""

from __future__ import annotations

import difflib
import shutil
import textwrap
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from calculators import descriptions
from calculators.descriptions import Calculator, Field, Rows
from presentation import reference

#: how a number input is typed, in words (``unit`` of :class:`~calculators.descriptions.Field`)
INPUT_UNITS = {"usd": "dollars", "percent": "percent", "multiple": "multiple", "none": "number"}

#: the words for a number input's bounds (:func:`presentation.reference.bounds`)
BOUND_WORDS = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<="}

#: how an output is shown by fig() (``unit`` of :class:`~calculators.descriptions.Output`)
OUTPUT_UNITS = {"usd": "money", "price": "money", "percent": "percent", "ratio": "percent", "quantity": "quantity",
                "count": "count", "multiple": "multiple", "text": "text", "flag": "yes/no", "outcome": "outcome"}

#: a line that explains the input units once, under the first table that uses them
TYPING = ("dollars: 65000 or $65,000 (a $ and thousands commas are allowed); percent: 0.5% or 0.5 (the "
          "same rate); multiple: 10 or 10x; number: 0.25 or 1e-3. A decimal is written with a point: 0,5 "
          "is refused (calculators/grammar.py)")


class UnknownCalculator(LookupError):
    """A calculator name that is not in the descriptions; the message suggests the closest ones."""


@dataclass(frozen=True)
class InputRow:
    name: str
    label: str
    unit: str
    allowed: str
    default: str


@dataclass(frozen=True)
class OutputRow:
    name: str
    label: str
    unit: str
    help: str


def find(name: str) -> Calculator:
    """The calculator called ``name``, or :class:`UnknownCalculator` with a "did you mean" (difflib).

    The message then lists every calculator (``tests/test_authoring.py`` shows a "did you mean"):

    >>> try:
    ...     find("no such calculator")
    ... except UnknownCalculator as refused:
    ...     print(str(refused).partition(" (calculators: ")[0])
    no calculator 'no such calculator'
    """
    if name in descriptions.CALCULATORS:
        return descriptions.CALCULATORS[name]
    known = list(descriptions.CALCULATORS)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownCalculator(f"no calculator {name!r}{hint} (calculators: {', '.join(known)})")


def _allowed(field: Field) -> str:
    """Bounds in words (``>= 1, <= 125``) or a choice's values (``long | short``)."""
    if field.kind == "choice":
        return " | ".join(value for value, _ in field.choices)
    return ", ".join(f"{BOUND_WORDS[rule]} {value}" for rule, value in reference.bounds(field))


def _unit(field: Field) -> str:
    if field.kind == "number":
        return INPUT_UNITS.get(field.unit, field.unit)
    return field.kind  # choice, text


def inputs(calc: Calculator) -> list[InputRow]:
    """The inputs of ``calc``: its fields, then each field of a row of its list input (``rows[].field``)."""
    found = [InputRow(name, f.label, _unit(f), _allowed(f), default) for name, f, default in reference.inputs(calc)]
    if calc.rows is not None:
        rows = calc.rows
        count = len(calc.defaults.get(rows.name) or ())
        # the list itself, just before its rows' fields
        found.insert(len(calc.fields), InputRow(
            rows.name, f"{rows.label}s: a list of up to {rows.max_rows}", "list", "",
            f"{count} {rows.label.lower()}{'' if count == 1 else 's'}" if count else ""))
        for list_name, field_name in rows.spread.items():
            found.append(InputRow(list_name, f"one {field_name} per {rows.label.lower()}, as a list", "list", "", ""))
    return found


def outputs(calc: Calculator) -> list[OutputRow]:
    """Every output of ``calc`` under the name ``fig()`` takes after the example's name."""
    found = []
    for name, label, output, note in reference.outputs(calc):
        help_text = output.help
        if output in calc.more_outputs:
            help_text = " ".join(part for part in (help_text or "Shown by fig() only, not by the calculator.", note) if part)
        found.append(OutputRow(name, label, OUTPUT_UNITS.get(output.unit, output.unit), help_text))
    return found


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], width: int, indent: str = "    ") -> list[str]:
    """Aligned columns; the last column wraps under itself when the line would pass ``width``."""
    rows = [list(header)] + [list(row) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    start = len(indent) + sum(w + 2 for w in widths)
    room = max(width - start, 30)
    lines = []
    for row in rows:
        lead = indent + "".join(cell.ljust(w + 2) for cell, w in zip(row, widths))
        wrapped = textwrap.wrap(row[-1], room) or [""]
        lines.append((lead + wrapped[0]).rstrip())
        lines += [" " * start + more for more in wrapped[1:]]
    return lines


def listing(calc: Calculator, width: int | None = None) -> str:
    """One calculator's inputs and outputs as text."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    lines = [f"{calc.name}: {calc.title}", f"  {calc.summary}", "", "  Inputs (in a worked example: name: value)"]
    lines += _table(("name", "label", "unit", "allowed", "default"),
                    [(r.name, r.label, r.unit, r.allowed, r.default) for r in inputs(calc)], width)
    if calc.rows is not None and calc.rows.note:
        lines += [""] + textwrap.wrap(calc.rows.note, max(width - 4, 40), initial_indent="    ",
                                      subsequent_indent="    ")
    lines += ["", '  Outputs (in a page: fig("example.name"))']
    lines += _table(("name", "label", "shown as", "what it is"),
                    [(r.name, r.label, r.unit, r.help) for r in outputs(calc)], width)
    rows = [node.name for node in calc.outputs if isinstance(node, Rows)]
    if rows:
        lines += ["", f"    N: a row's number, from 0, or its label ({rows[0]}.0.<output> or {rows[0]}.BTC.<output>)"]
    return "\n".join(lines)


def listings(names: Sequence[str] = (), width: int | None = None) -> str:
    """The listing of each calculator named (every calculator when none is), with the input units explained
    once at the end. Raises :class:`UnknownCalculator` for a name that is not one."""
    chosen = [find(name) for name in names] or list(descriptions.CALCULATORS.values())
    width = width or shutil.get_terminal_size((100, 24)).columns
    parts = [listing(calc, width) for calc in chosen]
    note = textwrap.wrap("How inputs are typed: " + TYPING, max(width, 40))
    return "\n\n".join(parts) + "\n\n" + "\n".join(note)
