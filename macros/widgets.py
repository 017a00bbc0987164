"""The ``calculator`` macro: a live calculator's form and its build-time results, from its description.

``{{ calculator("isolated", example="btc_10x") }}`` writes the calculator's form, rendered from its one
description in ``calculators.descriptions`` (fields, labels, units, bounds, choices), with the
example's inputs filled in and its results already computed at build time, so the page is complete
before any script runs. The browser side (``calculators/web/widgets.mjs``) binds to this markup and,
when the reader nears the calculator, starts the Python engine in a worker.

Contracts of the markup (tests and scripts rely on them):

- the root has ``data-calculator="NAME"`` and a ``data-livecalc-key`` (the prefix of its inputs in
  the URL: the calculator's name, ``-2``, ``-3``... for further copies on one page);
- every input has ``name="FIELD"``; the fields of the n-th position (from 0) are named
  ``positions.N.FIELD`` (``positions.0.entry_price``);
- every result is an element with ``data-output="KEY"``: an output's name (``liquidation_price``), a
  position's output (``positions.1.liquidation_price``, ``positions.1.isolated``) or a mode's
  figure (``cross.total_loss``), exactly the keys of :func:`macros.display.present`;
- one element carries ``data-status``: ``loading``, ``live`` or ``failed``;
- ``data-livecalc-config`` on the root: JSON of the description and the first state, the only copy of
  them the browser reads.
"""

from __future__ import annotations

import functools
import html
import json
from pathlib import Path
from typing import Any, Callable, Mapping

from calculators import descriptions
from calculators.errors import MarginInputError

from . import computed, display
from .engine import EngineBuild

FORMS = Path(".cache") / "livecalc-forms"

__all__ = ["register", "render"]

#: how each unit of input is shown next to the field and told to a screen reader
UNIT_TEXT = {
    "usd": ("$", "before", "in US dollars"),
    "percent": ("%", "after", "in percent"),
    "multiple": ("×", "after", "as a multiple"),
}


def register(env: Any, examples: Any) -> None:
    """Add the ``calculator`` macro and the build step that copies the engine into the site."""
    engine = EngineBuild(env.conf.get("extra") or {})
    seen: dict[str, int] = {}
    # A calculator's markup, kept between builds like the results it shows (macros/computed.py), under
    # a digest that also covers this package's code (forms, display, formats). Measured: rendering the
    # forms was 0.17 s of CPU per 200 generated guides (python -m bench.build --breakdown 200).
    forms = computed.install(env, FORMS, depends_on=(Path(__file__).parent,))

    def calculator(name: str, example: str | None = None, **overrides: Any) -> str:
        """``{{ calculator("compare", example="eth_squeeze") }}``: a live calculator."""
        page = env.page
        where = page.file.src_uri if page is not None else ""
        first_on_page = where not in seen
        count = seen[f"{where}\0{name}"] = seen.get(f"{where}\0{name}", 0) + 1
        seen[where] = 1
        try:
            inputs = _first_state(examples, name, example, overrides)
        except (MarginInputError, ValueError, LookupError) as error:
            return examples.fail(f"calculator({name!r}): {error}")
        root = _relative_root(page.url if page is not None else "")
        prefix = engine.page_assets(root) if first_on_page else ""
        engine.used = True
        key = name if count == 1 else f"{name}-{count}"
        urls = engine.urls(root)
        # The form is a function of these and of the code (fingerprinted): kept between builds.
        kept_as = json.dumps([name, inputs, key, urls], sort_keys=True, default=str)
        return prefix + forms.get(kept_as, lambda: render(name, inputs, key=key, engine_urls=urls,
                                                          compute=examples.compute))

    calculator.__name__ = "calculator"
    env.macro(calculator, "calculator")
    env.post_build_functions.append(lambda env_: engine.copy_into(Path(env_.conf["site_dir"])))


def _first_state(examples: Any, name: str, example: str | None, overrides: Mapping[str, Any]) -> dict[str, Any]:
    if name not in descriptions.CALCULATORS:
        raise ValueError(f"unknown calculator (known: {', '.join(descriptions.CALCULATORS)})")
    calc = descriptions.CALCULATORS[name]
    if example is None:
        given: dict[str, Any] = dict(overrides)
        return descriptions.complete_inputs(calc, given)
    try:
        inputs = examples.example_data(example, name)
    except Exception as error:  # the macros' own usage error, with the known examples listed
        raise ValueError(str(error)) from None
    inputs.update(overrides)
    return descriptions.complete_inputs(calc, inputs)


@functools.lru_cache(maxsize=None)
def _description(name: str) -> dict[str, Any]:
    """The calculator's description as data: the same for every page, so made once (it is only read)."""
    return descriptions.describe(name)


def _relative_root(page_url: str) -> str:
    """``../`` for ``guide/``, nothing for the home page: the way from a page back to the site root."""
    depth = page_url.count("/") if page_url else 0
    return "../" * depth


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

def _attrs(values: Mapping[str, Any]) -> str:
    parts = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        parts.append(key if value is True else f'{key}="{html.escape(str(value), quote=True)}"')
    return (" " + " ".join(parts)) if parts else ""


def _typed(field: descriptions.Field, value: Any) -> str:
    """An input value as a reader types it: ``65000``, ``0.5`` (percent), ``10`` (leverage)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    text = str(value).strip()
    if field.kind == "number":
        text = text.replace("$", "").replace(",", "")
        if field.unit == "percent":
            text = text.removesuffix("%").strip()
        if field.unit == "multiple":
            text = text.removesuffix("x").strip()
    return text


def typed_inputs(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Completed inputs as the form shows them (all text), the state the browser starts from."""
    calc = descriptions.CALCULATORS[name]
    state: dict[str, Any] = {f.name: _typed(f, inputs.get(f.name)) for f in calc.fields}
    if calc.position_fields:
        state["positions"] = [{f.name: _typed(f, row.get(f.name)) for f in calc.position_fields}
                              for row in inputs["positions"]]
    return state


def _json(data: Any) -> str:
    # An attribute, not a <script type="application/json">: Material's instant navigation re-creates
    # every inline <script> of a new page without its type, which would run the JSON as JavaScript.
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _field(f: descriptions.Field, value: str, name: str, field_id: str) -> str:
    hint_id, error_id = f"{field_id}-hint", f"{field_id}-error"
    unit = UNIT_TEXT.get(f.unit)
    spoken = f'<span class="livecalc__sr"> ({unit[2]})</span>' if unit else ""
    label = f'<label class="livecalc__label" for="{field_id}">{html.escape(f.label)}{spoken}</label>'
    described = hint_id if f.help else None
    common = {"id": field_id, "name": name, "aria-describedby": described, "data-error-id": error_id}
    if f.kind == "choice":
        options = "".join(
            f'<option{_attrs({"value": key, "selected": key == value})}>{html.escape(text)}</option>'
            for key, text in f.choices
        )
        control = f'<select class="livecalc__select"{_attrs(common)}>{options}</select>'
    else:
        attributes = {
            **common, "type": "text", "value": value, "autocomplete": "off", "spellcheck": "false",
            "inputmode": "decimal" if f.kind == "number" else None,
            "maxlength": descriptions.MAX_TEXT if f.kind == "text" else None,
        }
        control = f'<input class="livecalc__input"{_attrs(attributes)}>'
        if unit:
            sign = f'<span class="livecalc__unit" aria-hidden="true">{html.escape(unit[0])}</span>'
            control = (sign + control) if unit[1] == "before" else (control + sign)
            control = f'<span class="livecalc__control livecalc__control--{unit[1]}">{control}</span>'
    hint = f'<span class="livecalc__hint" id="{hint_id}">{html.escape(f.help)}</span>' if f.help else ""
    error = f'<span class="livecalc__error" id="{error_id}" hidden></span>'
    kind = "choice" if f.kind == "choice" else "text" if f.kind == "text" else "number"
    return f'<div class="livecalc__field livecalc__field--{kind}">{label}{control}{hint}{error}</div>'


def _position(calc: descriptions.Calculator, uid: str, index: str, number: str, row: Mapping[str, str]) -> str:
    fields = "".join(
        _field(f, row.get(f.name, ""), f"positions.{index}.{f.name}", f"{uid}-positions-{index}-{f.name}")
        for f in calc.position_fields
    )
    remove = (f'<button type="button" class="livecalc__button livecalc__button--quiet" data-action="remove-position"'
              f' aria-label="Remove position {number}">Remove</button>')
    return (f'<fieldset class="livecalc__position" data-position="{index}">'
            f'<legend class="livecalc__legend">Position {number}</legend>'
            f'<div class="livecalc__fields livecalc__fields--position">{fields}</div>{remove}</fieldset>')


def _output(key: str, label: str, text: str, primary: bool = False) -> str:
    css = "livecalc__output livecalc__output--primary" if primary else "livecalc__output"
    return (f'<div class="{css}"><dt>{html.escape(label)}</dt>'
            f'<dd data-output="{html.escape(key)}">{html.escape(text)}</dd></div>')


def _cross_row(calc: descriptions.Calculator, index: str, texts: Mapping[str, str]) -> str:
    cells = "".join(
        f'<td data-output="positions.{index}.{out.name}">{html.escape(texts.get(f"positions.{index}.{out.name}", ""))}</td>'
        for out in calc.position_outputs
    )
    label = html.escape(texts.get(f"positions.{index}.label", ""))
    return f'<tr data-row="{index}"><th scope="row" data-output="positions.{index}.label">{label}</th>{cells}</tr>'


def _compare_row(index: str, texts: Mapping[str, str]) -> str:
    cells = "".join(
        f'<td data-output="positions.{index}.{mode}">{html.escape(texts.get(f"positions.{index}.{mode}", ""))}</td>'
        for mode in ("isolated", "cross")
    )
    label = html.escape(texts.get(f"positions.{index}.label", ""))
    return f'<tr data-row="{index}"><th scope="row" data-output="positions.{index}.label">{label}</th>{cells}</tr>'


def _chart(uid: str, svg: Mapping[str, Mapping[str, str]]) -> str:
    box = display.CHART
    width, height = box["width"], box["height"]
    x0, x1 = box["left"], width - box["right"]
    y0, y1 = box["top"], height - box["bottom"]
    mid = (x0 + x1) / 2

    def attrs(key: str, **extra: Any) -> str:
        values = {k: v for k, v in svg.get(key, {}).items() if k != "text"}
        return _attrs({"data-svg": key, **extra, **values})

    def text(key: str) -> str:
        return html.escape(svg.get(key, {}).get("text", ""))

    title_id = f"{uid}-chart-title"
    return (
        f'<figure class="livecalc__chart">'
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{title_id}" focusable="false">'
        f'<title id="{title_id}">Balance left under isolated and cross margin as all prices move together</title>'
        f'<line class="livecalc__axis" x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}"/>'
        f'<line class="livecalc__axis" x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}"/>'
        f'<line class="livecalc__grid" x1="{mid}" y1="{y0}" x2="{mid}" y2="{y1}"/>'
        f'<line class="livecalc__marker"{attrs("marker", y1=y0, y2=y1)}/>'
        f'<polyline class="livecalc__line livecalc__line--isolated"{attrs("isolated")}/>'
        f'<polyline class="livecalc__line livecalc__line--cross"{attrs("cross")}/>'
        f'<text class="livecalc__tick" x="{x0 - 4}" y="{y0 + 4}" text-anchor="end"{attrs("y_top")}>{text("y_top")}</text>'
        f'<text class="livecalc__tick" x="{x0 - 4}" y="{y1}" text-anchor="end"{attrs("y_bottom")}>{text("y_bottom")}</text>'
        f'<text class="livecalc__tick" x="{x0}" y="{height - 8}" text-anchor="start"{attrs("x_left")}>{text("x_left")}</text>'
        f'<text class="livecalc__tick" x="{mid}" y="{height - 8}" text-anchor="middle">0%</text>'
        f'<text class="livecalc__tick" x="{x1}" y="{height - 8}" text-anchor="end"{attrs("x_right")}>{text("x_right")}</text>'
        f'</svg>'
        f'<figcaption class="livecalc__legend-line">'
        f'<span class="livecalc__key livecalc__key--isolated">Isolated</span>'
        f'<span class="livecalc__key livecalc__key--cross">Cross</span>'
        f'<span class="livecalc__key livecalc__key--marker">your common move</span>'
        f'<span class="livecalc__caption">Balance left (vertical) against a move of every price by the same '
        f'percentage, on top of each position’s own move (horizontal).</span>'
        f'</figcaption></figure>'
    )


def render(name: str, inputs: Mapping[str, Any], key: str, engine_urls: Mapping[str, Any],
           compute: Callable[[str, Mapping[str, Any]], dict[str, Any]] = descriptions.compute) -> str:
    """A calculator's markup, with the results of ``inputs`` (completed inputs) computed now.

    ``compute``: the macros pass their per-build cache, so a calculator and the figures of its worked
    example compute once (the compare calculator's chart is 41 shocks).
    """
    calc = descriptions.CALCULATORS[name]
    outputs = compute(name, inputs)
    values = descriptions.parse_inputs(calc, inputs)
    shown = display.present(name, outputs, values)
    texts = shown["texts"]
    state = typed_inputs(name, inputs)
    uid = f"livecalc-{key}"
    config = {
        "calculator": name,
        "key": key,
        "description": _description(name),
        "initial": state,
        "max_text": descriptions.MAX_TEXT,
        "engine": dict(engine_urls),
    }

    fields = "".join(_field(f, state[f.name], f.name, f"{uid}-{f.name}") for f in calc.fields)
    positions = ""
    if calc.position_fields:
        rows = "".join(_position(calc, uid, str(i), str(i + 1), row) for i, row in enumerate(state["positions"]))
        template = _position(calc, uid, "__i__", "__n__", {f.name: "" for f in calc.position_fields})
        positions = (
            f'<div class="livecalc__positions" data-positions>{rows}</div>'
            f'<template data-template="position">{template}</template>'
            f'<button type="button" class="livecalc__button" data-action="add-position">Add a position</button>'
            f'<span class="livecalc__note">Up to {calc.max_positions} positions.</span>'
        )

    top = "".join(_output(out.name, out.label, texts[out.name], primary=i < 2) for i, out in enumerate(calc.outputs))
    results = f'<dl class="livecalc__outputs">{top}</dl>'
    if name == "cross":
        head = "".join(f'<th scope="col">{html.escape(out.label)}</th>' for out in calc.position_outputs)
        rows = "".join(_cross_row(calc, str(i), texts) for i in range(len(state["positions"])))
        results += (
            f'<div class="livecalc__table-wrap"><table class="livecalc__table">'
            f'<caption>Each position, the others held at their mark prices</caption>'
            f'<thead><tr><th scope="col">Position</th>{head}</tr></thead>'
            f'<tbody data-rows>{rows}</tbody></table></div>'
            f'<template data-template="row">{_cross_row(calc, "__i__", {})}</template>'
        )
    elif name == "compare":
        outputs_by_name = {out.name: out for out in calc.outputs + calc.nested_outputs}
        rows = "".join(_compare_row(str(i), texts) for i in range(len(state["positions"])))
        results = (
            f'<div class="livecalc__table-wrap"><table class="livecalc__table livecalc__table--compare">'
            f'<caption>The same positions after the moves, under each margin mode</caption>'
            f'<thead><tr><th scope="col">Position</th><th scope="col">Isolated</th><th scope="col">Cross</th></tr></thead>'
            f'<tbody data-rows>{rows}</tbody>'
            f'<tfoot>'
            f'<tr><th scope="row">{html.escape(outputs_by_name["balance_left"].label)}</th>'
            f'<td data-output="isolated_balance_left">{html.escape(texts["isolated_balance_left"])}</td>'
            f'<td data-output="cross_balance_left">{html.escape(texts["cross_balance_left"])}</td></tr>'
            f'<tr><th scope="row">{html.escape(outputs_by_name["total_loss"].label)}</th>'
            f'<td data-output="isolated.total_loss">{html.escape(texts["isolated.total_loss"])}</td>'
            f'<td data-output="cross.total_loss">{html.escape(texts["cross.total_loss"])}</td></tr>'
            f'<tr><th scope="row">Liquidated</th>'
            f'<td data-output="isolated_liquidated">{html.escape(texts["isolated_liquidated"])}</td>'
            f'<td data-output="cross_liquidated">{html.escape(texts["cross_liquidated"])}</td></tr>'
            f'</tfoot></table></div>'
            f'<template data-template="row">{_compare_row("__i__", {})}</template>'
            f'<dl class="livecalc__outputs livecalc__outputs--small">'
            f'{_output("margins_total", outputs_by_name["margins_total"].label, texts["margins_total"])}</dl>'
            + _chart(uid, shown["svg"])
        )

    title_id = f"{uid}-title"
    return (
        f'<section class="livecalc livecalc--{name}" id="{uid}" data-calculator="{name}" data-search-exclude '
        f'data-livecalc-key="{html.escape(key)}" aria-labelledby="{title_id}" '
        f'data-livecalc-config="{html.escape(_json(config), quote=True)}">'
        f'<div class="livecalc__header">'
        f'<p class="livecalc__title" id="{title_id}">Calculator: {html.escape(calc.title)}</p>'
        f'<p class="livecalc__status" data-status="loading" role="status">'
        f'Showing the worked example, computed when this page was built. Edit any value to recompute.</p>'
        f'</div>'
        f'<form class="livecalc__form" novalidate autocomplete="off" aria-label="{html.escape(calc.title)}: inputs">'
        f'<div class="livecalc__fields">{fields}</div>{positions}'
        f'<p class="livecalc__form-error" data-form-error role="alert" hidden></p>'
        f'</form>'
        f'<div class="livecalc__results" aria-live="polite" data-results>'
        f'<p class="livecalc__results-title">Results</p>{results}</div>'
        f'</section>'
    )
