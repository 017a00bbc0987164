"""How a calculator's results appear: the same code at build time and in the reader's browser.

The build calls :func:`present` to prerender each calculator's figures; the browser's worker imports
this package (the same files, from the app zip) and calls :func:`answer` on every edit, so a live
figure is formatted exactly as the prerendered one. Everything is read from the calculator's
description (:mod:`calculators.descriptions`): its output tree says what is shown and in which unit.
Presentation only: every number comes from ``calculators``; the chart's coordinates here only scale
the points the module returns onto the drawing.

Keys of ``texts`` are the ``data-output`` names of the page:

- an output: its name (``liquidation_price``);
- a row of a :class:`~calculators.descriptions.Rows` table: ``NAME.N.COLUMN`` and ``NAME.N.label``
  for its header (``positions.1.liquidation_price``);
- a figure of a :class:`~calculators.descriptions.Modes` group: ``MODE.OUTPUT`` (``cross.total_loss``).

Keys of ``svg`` are ``data-svg`` names of a chart's elements, each with the attributes to set
(``text`` is the element's text).

``marks`` gives the figures (by ``data-output`` key) that carry a sign the page colours, as well as
says in words: ``gain``, ``loss`` or ``danger``. ``states`` lists the calculator's
:class:`~calculators.descriptions.State` that hold for these results, as ``{"name", "level",
"message"}``, in the description's order; a state replaces the figures that mean nothing in it
(the move to a liquidation price already passed) with words.

Standard library only at import time: Pyodide loads this module when a reader starts a calculator,
so every import here costs the reader start-up time.
"""

from __future__ import annotations

import string
from typing import Any, Mapping

from calculators import descriptions
from calculators.descriptions import Calculator, Chart, Modes, Output, Rows, State

from . import format as fmt

__all__ = ["CHART", "answer", "chart", "figure", "present", "row_header", "text_of"]

#: the chart's drawing box (SVG user units) and the plot area inside it
CHART = {"width": 320, "height": 180, "left": 56, "right": 10, "top": 10, "bottom": 26}


def answer(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """What the browser's worker returns for one edit: the module's answer, plus its figures as text."""
    result, values, exact = descriptions.evaluate(name, raw)
    if result["ok"]:
        result.update(present(name, exact, values))
    return result


def text_of(value: Any, unit: str | None) -> str:
    """One figure as the page shows it, by its unit."""
    if unit == "text":
        return str(value) if value else "none"
    return fmt.by_unit(value, unit)


#: the words after a signed figure, by :attr:`~calculators.descriptions.Output.signed` and sign
SIGN_WORDS = {
    "move": {1: "up", -1: "down"},
    "gain": {1: "gain", -1: "loss"},
    "cost": {1: "you pay", -1: "you receive"},
}
#: the mark (``data-sign``) of a signed figure, by its kind and sign
SIGN_MARKS = {
    "move": {},
    "gain": {1: "gain", -1: "loss"},
    "cost": {1: "loss", -1: "gain"},
}


def _sign_shown(text: str) -> int:
    """The sign of a figure as its text shows it (1, -1 or 0): a value that rounds to zero is shown
    without a sign, and so is not called a gain or a loss."""
    if not any(digit in text for digit in "123456789"):
        return 0
    return -1 if text.startswith(fmt.MINUS) else 1


def figure(value: Any, output: Output, unit_text: str = "") -> tuple[str, str | None]:
    """One figure as the calculator's panel shows it, and its mark (``gain``, ``loss``, ``danger``
    or None): by its unit, with its sign in words when the description asks for it (``+15.00% (up)``,
    ``−$2,923.08 (loss)``) and its unit of account (``0.1538 BTC``). ``fig()`` and the tables of the
    prose keep the plain :func:`text_of`, since their sentences say the direction themselves."""
    text = text_of(value, output.unit)
    mark = None
    if output.unit == "outcome" and isinstance(value, Mapping):
        mark = "danger" if value.get("liquidated") else {1: "gain", -1: "loss", 0: None}[
            _sign_shown(fmt.money(value.get("pnl") or 0))]
    elif output.signed and fmt.exact(value) is not None:
        sign = _sign_shown(text)
        if sign:
            if sign > 0 and not text.startswith("+"):
                text = "+" + text if output.signed != "cost" else text
            text = f"{text} ({SIGN_WORDS[output.signed][sign]})"
            mark = SIGN_MARKS[output.signed].get(sign)
    if unit_text and fmt.exact(value) is not None:
        text = f"{text} {unit_text}"
    return text, mark


def _unit_text(output: Output, values: Mapping[str, Any] | None) -> str:
    if not output.per or not values:
        return ""
    unit = values.get(output.per)
    return unit.strip() if isinstance(unit, str) else ""


def row_header(rows: Rows, row: Mapping[str, Any]) -> str:
    """A table row's header: the description's ``header`` filled with the row's values."""
    try:
        return rows.header.format_map({key: value for key, value in row.items() if not isinstance(value, (dict, list))})
    except (KeyError, ValueError):
        return str(row.get("label", ""))


def present(name: str, outputs: Mapping[str, Any], values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``{"texts": {data-output: text}, "svg": {data-svg: {attribute: value}}}`` for one result.

    ``values`` are the parsed inputs (:func:`calculators.descriptions.parse_inputs`); a chart marks
    the reader's input with them.
    """
    calc = descriptions.CALCULATORS[name]
    texts: dict[str, str] = {}
    marks: dict[str, str] = {}
    svg: dict[str, dict[str, str]] = {}

    def show(key: str, value: Any, output: Output, unit_values: Mapping[str, Any] | None) -> None:
        texts[key], mark = figure(value, output, _unit_text(output, unit_values))
        if mark:
            marks[key] = mark

    row_inputs = calc.rows.name if calc.rows else None
    for node in calc.outputs:
        if isinstance(node, Output):
            show(node.name, outputs.get(node.name), node, values)
        elif isinstance(node, Rows):
            typed_rows = (values or {}).get(row_inputs) or [] if node.name == row_inputs else []
            for index, row in enumerate(outputs.get(node.name) or []):
                texts[f"{node.name}.{index}.label"] = row_header(node, row)
                typed = typed_rows[index] if index < len(typed_rows) else None
                for column in node.columns:
                    show(f"{node.name}.{index}.{column.name}", row.get(column.name), column, typed)
        elif isinstance(node, Modes):
            for mode, _ in node.modes:
                for output in node.outputs:
                    show(f"{mode}.{output.name}", outputs[mode].get(output.name), output, values)
        elif isinstance(node, Chart):
            marker = (values or {}).get(node.marker) if node.marker else None
            svg.update(chart(node, outputs.get(node.name) or [], marker))
    states = _states(calc, outputs, texts, marks)
    return {"texts": texts, "svg": svg, "marks": marks, "states": states}


def _states(calc: Calculator, outputs: Mapping[str, Any], texts: dict[str, str],
            marks: dict[str, str]) -> list[dict[str, str]]:
    """The calculator's states that hold for ``outputs``; each replaces and marks its figures in
    ``texts`` and ``marks`` as it goes."""
    found: list[dict[str, str]] = []
    for state in calc.states:
        if state.rows:
            for index, row in enumerate(outputs.get(state.rows) or []):
                if state.when(row):
                    _apply(state, texts, marks, str(index))
                    found.append(_said(state, calc, row))
        elif state.when(outputs):
            _apply(state, texts, marks, None)
            found.append(_said(state, calc, outputs))
    return [item for item in found if item["message"]]


def _apply(state: State, texts: dict[str, str], marks: dict[str, str], row: str | None) -> None:
    """Replace and mark a state's figures; ``*`` in a key is every row, or the state's own row."""
    def keys(pattern: str) -> list[str]:
        if "*" not in pattern:
            return [pattern] if pattern in texts else []
        if row is not None:
            key = pattern.replace("*", row)
            return [key] if key in texts else []
        head, tail = pattern.split("*", 1)
        return [key for key in texts if key.startswith(head) and key.endswith(tail)
                and key[len(head):len(key) - len(tail)].isdigit()]

    for pattern, words in state.replaces.items():
        for key in keys(pattern):
            texts[key] = words.replace("{text}", texts[key])
            if state.level == "danger":
                marks[key] = "danger"
            else:
                marks.pop(key, None)
    for pattern in state.marks:
        for key in keys(pattern):
            marks[key] = "danger"


class _Figures(string.Formatter):
    """Fills a state's message: each ``{name}`` is the output (or row value) ``name`` by its unit."""

    def __init__(self, calc: Calculator) -> None:
        self.calc = calc

    def get_value(self, key: Any, args: Any, kwargs: Mapping[str, Any]) -> Any:
        return text_of(kwargs.get(key), self.calc.unit_of(key) or "text")


def _said(state: State, calc: Calculator, values: Mapping[str, Any]) -> dict[str, str]:
    return {"name": state.name, "level": state.level, "message": _Figures(calc).format(state.message, **values)}


def chart(node: Chart, points: list[Mapping[str, float]], marker: float | None = None) -> dict[str, dict[str, str]]:
    """Scale the module's chart points onto the drawing: one polyline per series (``data-svg`` is the
    series' key), the axis labels, and a vertical marker at the reader's input when it lies inside the
    plotted range."""
    box = CHART
    x0, x1 = box["left"], box["width"] - box["right"]
    y0, y1 = box["top"], box["height"] - box["bottom"]
    series = [key for key, _ in node.series]
    if not points:
        empty = {"points": ""}
        return {**{key: empty for key in series}, "marker": {"visibility": "hidden"},
                "y_top": {"text": ""}, "y_bottom": {"text": ""}, "x_left": {"text": ""}, "x_right": {"text": ""}}
    # A drawing: coordinates in floats, a tenth of a unit being far below a pixel.
    points = [{key: float(value) for key, value in point.items()} for point in points]
    marker = None if marker is None else float(marker)
    xs = [p[node.x] for p in points]
    values = [p[key] for p in points for key in series]
    low_x, high_x = xs[0], xs[-1]
    low, high = min(0.0, min(values)), max(values)
    if high <= low:
        high = low + 1.0
    span_x = (high_x - low_x) or 1.0

    def x(at: float) -> float:
        return x0 + (at - low_x) / span_x * (x1 - x0)

    def y(value: float) -> float:
        return y1 - (value - low) / (high - low) * (y1 - y0)

    def line(key: str) -> str:
        return " ".join(f"{x(p[node.x]):.1f},{y(p[key]):.1f}" for p in points)

    inside = marker is not None and low_x <= marker <= high_x
    where = f"{x(marker):.1f}" if inside else f"{x0:.1f}"
    return {
        **{key: {"points": line(key)} for key in series},
        "marker": {"x1": where, "x2": where, "visibility": "visible" if inside else "hidden"},
        "y_top": {"text": fmt.money(high, 0)},
        "y_bottom": {"text": fmt.money(low, 0)},
        "x_left": {"text": fmt.percent(low_x, 0)},
        "x_right": {"text": "+" + fmt.percent(high_x, 0) if high_x > 0 else fmt.percent(high_x, 0)},
    }
