"""The calculators' inputs and outputs as the rows of a reference, read from the descriptions: one
source for the writers' page (``calculator_reference()`` in ``macros/``, Markdown) and for the terminal
(``livecalc calculators``, aligned columns), which each only lay the rows out.

Not imported by the browser's worker (it ships in the app zip with the rest of the package).
"""

from __future__ import annotations

from typing import Any

from calculators import descriptions, grammar
from calculators.descriptions import Calculator, Field, Modes, Output, Rows

#: the bounds of a number input, by the rule of its description, with the words for each
BOUND_RULES = ("minimum", "exclusiveMinimum", "maximum")


def bounds(field: Field) -> list[tuple[str, str]]:
    """``[(rule, value), ...]`` of a number input, in the order ``minimum``, ``exclusiveMinimum``,
    ``maximum`` (the value written as the grammar writes it: ``0.00000001``, not ``1e-08``)."""
    return [(rule, grammar.plain(field.rules[rule])) for rule in BOUND_RULES if rule in field.rules]


def default_text(value: Any) -> str:
    """A default as a reference shows it: none for a list, ``N`` for a row's number, ``its label``
    for a row input's copy of another field of its row (``"=label"``)."""
    if value is None or isinstance(value, (list, tuple, dict)):
        return ""
    text = str(value)
    if text.startswith("="):
        return f"its {text[1:]}"
    return text.replace("{n}", "N")


def inputs(calc: Calculator) -> list[tuple[str, Field, str]]:
    """``(name, field, default)`` of every input: the calculator's fields, then each field of a row of
    its list input under ``ROWS[].FIELD``."""
    found = [(f.name, f, default_text(calc.defaults.get(f.name))) for f in calc.fields]
    if calc.rows is not None:
        found += [(f"{calc.rows.name}[].{f.name}", f, default_text(calc.rows.fill.get(f.name)))
                  for f in calc.rows.fields]
    return found


def outputs(calc: Calculator) -> list[tuple[str, str, Output, str]]:
    """``(name, label, output, note)`` of every output, under the name ``fig()`` takes after the
    example's name: ``ROWS.N.COLUMN`` for a table's column, ``MODE.OUTPUT`` for a group's figure, and
    for the outputs only ``fig()`` shows, the path found in the results of the calculator's own
    defaults (``note`` then names the other paths where the same figure is)."""
    found: list[tuple[str, str, Output, str]] = []
    for node in calc.outputs:
        if isinstance(node, Output):
            found.append((node.name, node.label, node, ""))
        elif isinstance(node, Rows):
            found += [(f"{node.name}.N.{o.name}", o.label, o, "") for o in node.columns]
        elif isinstance(node, Modes):
            found += [(f"{mode}.{o.name}", f"{o.label}, {label.lower()}", o, "")
                      for mode, label in node.modes for o in node.outputs]
    if calc.more_outputs:
        paths = _paths(descriptions.compute(calc.name, descriptions.complete_inputs(calc, {})))
        for o in calc.more_outputs:
            where = [path for path in paths if path == o.name or path.endswith("." + o.name)
                     or path.startswith(o.name + ".")] or [o.name]
            note = "Also at " + ", ".join(where[1:]) + "." if len(where) > 1 else ""
            found.append((where[0], o.label, o, note))
    return found


def _paths(value: Any) -> list[str]:
    """Every figure's path in a calculator's results: ``a.b`` for mappings, ``N`` for a list's items,
    shortest first (then in the results' order)."""
    found: list[str] = []

    def walk(item: Any, path: str) -> None:
        if isinstance(item, dict):
            for key, inner in item.items():
                walk(inner, f"{path}.{key}" if path else str(key))
        elif isinstance(item, list):
            if item:
                walk(item[0], f"{path}.N")
        elif path not in found:
            found.append(path)

    walk(value, "")
    return sorted(found, key=lambda path: path.count("."))
