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

Standard library only at import time: Pyodide loads this module when a reader starts a calculator,
so every import here costs the reader start-up time.
"""

from __future__ import annotations

from typing import Any, Mapping

from calculators import descriptions
from calculators.descriptions import Chart, Modes, Output, Rows

from . import format as fmt

__all__ = ["CHART", "answer", "chart", "present", "row_header", "text_of"]

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
    svg: dict[str, dict[str, str]] = {}
    for node in calc.outputs:
        if isinstance(node, Output):
            texts[node.name] = text_of(outputs.get(node.name), node.unit)
        elif isinstance(node, Rows):
            for index, row in enumerate(outputs.get(node.name) or []):
                texts[f"{node.name}.{index}.label"] = row_header(node, row)
                for column in node.columns:
                    texts[f"{node.name}.{index}.{column.name}"] = text_of(row.get(column.name), column.unit)
        elif isinstance(node, Modes):
            for mode, _ in node.modes:
                for output in node.outputs:
                    texts[f"{mode}.{output.name}"] = text_of(outputs[mode].get(output.name), output.unit)
        elif isinstance(node, Chart):
            marker = (values or {}).get(node.marker) if node.marker else None
            svg.update(chart(node, outputs.get(node.name) or [], marker))
    return {"texts": texts, "svg": svg}


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
