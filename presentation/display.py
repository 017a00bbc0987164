"""How a calculator's results appear on the page: the same code at build time and in the browser.

The build calls :func:`present` to prerender each calculator's figures; the browser's worker packs
this module (with :mod:`format`, the one formatter) next to ``calculators`` and calls :func:`answer`
on every edit, so a live figure is formatted exactly as the prerendered one. Presentation only: every
number comes from ``calculators.descriptions``; the chart's coordinates here only scale the points
the module returns onto the drawing.

Keys of ``texts`` are the ``data-output`` names of the page (``liquidation_price``,
``positions.0.liquidation_price``, ``positions.1.isolated``...); keys of ``svg`` are ``data-svg``
names of the chart's elements, each with the attributes to set (``text`` is the element's text).

Standard library only at import time: this module is loaded by Pyodide when a reader starts a
calculator, so every import here costs the reader start-up time.
"""

from __future__ import annotations

from typing import Any, Mapping

from calculators import descriptions

from . import format as fmt

__all__ = ["CHART", "answer", "present", "verdict"]

#: the chart's drawing box (SVG user units) and the plot area inside it
CHART = {"width": 320, "height": 180, "left": 56, "right": 10, "top": 10, "bottom": 26}


def answer(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """What the browser's worker returns for one edit: the module's answer, plus its figures as text."""
    result = descriptions.run(name, raw)
    if result.get("ok"):
        values = descriptions.parse_inputs(descriptions.CALCULATORS[name], raw)
        result.update(present(name, result["outputs"], values))
    return result


def verdict(outcome: Mapping[str, Any]) -> str:
    """One position after a shock, in words: ``liquidated`` or ``open, loss $1,000.00``."""
    if outcome["liquidated"]:
        return "liquidated"
    pnl = outcome["pnl"]
    if pnl < 0:
        return f"open, loss {fmt.money(-pnl)}"
    if pnl > 0:
        return f"open, profit {fmt.money(pnl)}"
    return "open, no change"


def _text(value: Any, unit: str | None) -> str:
    if unit == "text":
        return str(value) if value else "none"
    return fmt.by_unit(value, unit)


def present(name: str, outputs: Mapping[str, Any], values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``{"texts": {data-output: text}, "svg": {data-svg: {attribute: value}}}`` for one result.

    ``values`` are the parsed inputs (:func:`calculators.descriptions.parse_inputs`); the chart marks
    the reader's common move with them.
    """
    calc = descriptions.CALCULATORS[name]
    texts = {out.name: _text(outputs.get(out.name), out.unit) for out in calc.outputs}
    svg: dict[str, dict[str, str]] = {}
    if name == "cross":
        for index, row in enumerate(outputs["positions"]):
            texts[f"positions.{index}.label"] = str(row["label"])
            for out in calc.position_outputs:
                texts[f"positions.{index}.{out.name}"] = _text(row.get(out.name), out.unit)
    elif name == "compare":
        for mode in ("isolated", "cross"):
            texts[f"{mode}.total_loss"] = fmt.money(outputs[mode]["total_loss"])
            for index, row in enumerate(outputs[mode]["positions"]):
                texts[f"positions.{index}.{mode}"] = verdict(row)
                texts[f"positions.{index}.label"] = str(row["label"])
        texts["margins_total"] = fmt.money(outputs["margins_total"])
        svg = chart(outputs["chart"], (values or {}).get("move_all"))
    return {"texts": texts, "svg": svg}



def chart(points: list[Mapping[str, float]], marker: float | None = None) -> dict[str, dict[str, str]]:
    """Scale the module's chart points (balance left against the common move) onto the drawing.

    Two polylines (``isolated`` and ``cross``), the axis labels, and a vertical marker at the
    reader's current common move when it lies inside the plotted range.
    """
    box = CHART
    x0, x1 = box["left"], box["width"] - box["right"]
    y0, y1 = box["top"], box["height"] - box["bottom"]
    if not points:
        empty = {"points": ""}
        return {"isolated": empty, "cross": empty, "marker": {"visibility": "hidden"},
                "y_top": {"text": ""}, "y_bottom": {"text": ""}, "x_left": {"text": ""}, "x_right": {"text": ""}}
    moves = [p["move"] for p in points]
    values = [p[mode] for p in points for mode in ("isolated", "cross")]
    low_move, high_move = moves[0], moves[-1]
    low, high = min(0.0, min(values)), max(values)
    if high <= low:
        high = low + 1.0
    span_move = (high_move - low_move) or 1.0

    def x(move: float) -> float:
        return x0 + (move - low_move) / span_move * (x1 - x0)

    def y(value: float) -> float:
        return y1 - (value - low) / (high - low) * (y1 - y0)

    def line(mode: str) -> str:
        return " ".join(f"{x(p['move']):.1f},{y(p[mode]):.1f}" for p in points)

    inside = marker is not None and low_move <= marker <= high_move
    where = f"{x(marker):.1f}" if inside else f"{x0:.1f}"
    return {
        "isolated": {"points": line("isolated")},
        "cross": {"points": line("cross")},
        "marker": {"x1": where, "x2": where, "visibility": "visible" if inside else "hidden"},
        "y_top": {"text": fmt.money(high, 0)},
        "y_bottom": {"text": fmt.money(low, 0)},
        "x_left": {"text": fmt.percent(low_move, 0)},
        "x_right": {"text": "+" + fmt.percent(high_move, 0) if high_move > 0 else fmt.percent(high_move, 0)},
    }
