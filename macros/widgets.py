"""The ``calculator`` macro: a live calculator's form and its build-time results, from its description.

``{{ calculator(NAME, example="my_example") }}`` writes the calculator's form, rendered from its
one description in ``calculators.descriptions`` (fields, row inputs, labels, units, choices and its
output tree), with the example's inputs filled in and its results computed at build time by
:func:`presentation.display.present`, so the page is complete before any script runs. The browser side
(``browser/``) binds to this markup and, when the reader nears the calculator, starts the Python
engine in a worker. Nothing here names a calculator, a field or an output: all of it is read from
the description.

Contracts of the markup (tests and scripts rely on them):

- the root has ``data-calculator="NAME"`` and a ``data-livecalc-key`` (the prefix of its inputs in
  the URL: the calculator's name, ``-2``, ``-3``... for further copies on one page);
- every input has ``name="FIELD"``; the fields of the n-th row of a row input (from 0) are named
  ``ROWS.N.FIELD`` (``positions.0.entry_price``, ``fills.1.price``), inside an element with
  ``data-input-row="N"`` inside the element ``data-input-rows``;
- every result is an element with ``data-output="KEY"``, exactly the keys of
  :func:`presentation.display.present`;
- one element carries ``data-status``: ``loading``, ``live`` or ``failed``;
- a figure's sign or danger is ``data-sign`` (``gain``, ``loss``, ``danger``) on its ``data-output``;
- the element ``data-states`` (a live region) holds one ``data-state="NAME"`` paragraph per state of
  the results (:class:`calculators.descriptions.State`); ``data-summary-output="KEY"`` repeats a key
  figure in the compact summary kept in view on a phone (hidden from screen readers: a copy);
- ``data-action``: ``add-row``, ``remove-row``, ``reset``; a field used only while another field has
  a value carries ``data-used-when="FIELD=VALUE"``; rarely changed fields sit in ``details[data-more]``;
- ``data-livecalc-config`` on the root: JSON of the calculator's name, its key, the address of its
  description (one static file for the whole site), the first state and the engine's addresses.
"""

from __future__ import annotations

import html
import json
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Mapping

from browser.pack import EngineBuild
from calculators import descriptions, grammar
from calculators.descriptions import Chart, Field, Modes, Output, Rows
from calculators.errors import MarginInputError
from presentation import display

from .figures import MacroUsageError
from .problems import did_you_mean

__all__ = ["register", "render", "typed_inputs"]

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

    def calculator(name: str, example: str | None = None, **overrides: Any) -> str:
        """``{{ calculator(NAME, example="my_example") }}``: a live calculator."""
        page = env.page
        where = page.file.src_uri if page is not None else ""
        first_on_page = where not in seen
        count = seen[f"{where}\0{name}"] = seen.get(f"{where}\0{name}", 0) + 1
        seen[where] = 1
        try:
            inputs = _first_state(examples, name, example, overrides)
            root = _relative_root(page.url if page is not None else "")
            urls = {**engine.urls(root), "description": engine.description_url(name, root)}
            key = name if count == 1 else f"{name}-{count}"
            form = render(name, inputs, key=key, engine_urls=urls, compute=examples.compute)
        except Exception as error:  # noqa: BLE001 - a writer's mistake is one line at its line, never a traceback
            return examples.fail_calculator(name, example, overrides, error)
        engine.used = True
        examples.report.calculators += 1
        return (engine.page_assets(root) if first_on_page else "") + form

    calculator.__name__ = "calculator"
    env.macro(calculator, "calculator")
    env.post_build_functions.append(lambda env_: engine.copy_into(Path(env_.conf["site_dir"])))


def _first_state(examples: Any, name: str, example: str | None, overrides: Mapping[str, Any]) -> dict[str, Any]:
    if name not in descriptions.CALCULATORS:
        raise MacroUsageError(f"unknown calculator{did_you_mean(name, descriptions.CALCULATORS)} "
                              f"(known: {', '.join(descriptions.CALCULATORS)})")
    calc = descriptions.CALCULATORS[name]
    examples.check_arguments("calculator", ("example",), example, overrides, calculator=name)
    if example is None:
        return descriptions.complete_inputs(calc, dict(overrides))
    inputs = examples.example_data(example, name)  # its usage errors name the example's line
    inputs.update(overrides)
    return descriptions.complete_inputs(calc, inputs)


def _relative_root(page_url: str) -> str:
    """``../`` for ``guide/``, nothing for the home page: the way from a page back to the site root."""
    depth = page_url.count("/") if page_url else 0
    return "../" * depth


# ---------------------------------------------------------------------------------------------
# Inputs as the form shows them
# ---------------------------------------------------------------------------------------------

def _typed(field: Field, value: Any) -> str:
    """An input value as a reader types it into the form: ``65000``, ``0.5`` (percent), ``10``
    (leverage). A number is read by the one grammar (``$65,000`` and ``0.5%`` come back as the
    numbers they are) and written as its plain decimal; anything else as it is."""
    if value is None:
        return ""
    if field.kind != "number" or isinstance(value, bool):
        return str(value).strip()
    try:
        number = grammar.parse(field.spec, field.name, value)
    except MarginInputError:  # shown as given: the module names the problem when the form is used
        return str(value).strip()
    return _decimal(number)


def _decimal(number: Fraction) -> str:
    """A rational whose denominator divides a power of ten (a typed decimal) as its exact decimal."""
    places = 0
    while (number * 10 ** places).denominator != 1 and places < 40:
        places += 1
    scaled = number * 10 ** places
    if scaled.denominator != 1:  # not a typed decimal: the nearest double's shortest form
        return repr(float(number))
    digits = f"{abs(scaled.numerator):0{places + 1}d}"
    text = digits if places == 0 else f"{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")
    return ("-" if number < 0 else "") + text


def typed_inputs(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Completed inputs as the form shows them (all text), the state the browser starts from."""
    calc = descriptions.CALCULATORS[name]
    state: dict[str, Any] = {f.name: _typed(f, inputs.get(f.name)) for f in calc.fields}
    if calc.rows:
        state[calc.rows.name] = [{f.name: _typed(f, row.get(f.name)) for f in calc.rows.fields}
                                 for row in inputs[calc.rows.name]]
    return state


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _attrs(values: Mapping[str, Any]) -> str:
    parts = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        parts.append(key if value is True else f'{key}="{_e(value)}"')
    return (" " + " ".join(parts)) if parts else ""


def _json(data: Any) -> str:
    # An attribute, not a <script type="application/json">: Material's instant navigation re-creates
    # every inline <script> of a new page without its type, which would run the JSON as JavaScript.
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _field(f: Field, value: str, name: str, field_id: str, unused: bool = False) -> str:
    """One input. ``unused``: the field is not used with the other values of the form (see
    :attr:`~calculators.descriptions.Field.used_when`): disabled, and a note says why."""
    hint_id, error_id = f"{field_id}-hint", f"{field_id}-error"
    unit = UNIT_TEXT.get(f.unit) if f.kind == "number" else None
    spoken = f'<span class="livecalc__sr"> ({unit[2]})</span>' if unit else ""
    label = f'<label class="livecalc__label" for="{field_id}">{_e(f.label)}{spoken}</label>'
    common = {"id": field_id, "name": name, "aria-describedby": hint_id if f.help else None, "data-error-id": error_id,
              "data-used-when": "=".join(f.used_when) if f.used_when else None, "disabled": unused}
    if f.kind == "choice":
        options = "".join(f'<option{_attrs({"value": key, "selected": key == value})}>{_e(text)}</option>'
                          for key, text in f.choices)
        control = f'<select class="livecalc__select"{_attrs(common)}>{options}</select>'
    else:
        attributes = {
            **common, "type": "text", "value": value, "autocomplete": "off", "spellcheck": "false",
            "inputmode": "decimal" if f.kind == "number" else None,
            "maxlength": descriptions.MAX_TEXT if f.kind == "text" else None,
        }
        control = f'<input class="livecalc__input"{_attrs(attributes)}>'
        if unit:
            sign = f'<span class="livecalc__unit" aria-hidden="true">{_e(unit[0])}</span>'
            control = (sign + control) if unit[1] == "before" else (control + sign)
            control = f'<span class="livecalc__control livecalc__control--{unit[1]}">{control}</span>'
    hint = f'<span class="livecalc__hint" id="{hint_id}">{_e(f.help)}</span>' if f.help else ""
    if f.used_when:
        hint += (f'<span class="livecalc__unused" data-unused-note{"" if unused else " hidden"}>Not used: '
                 f'the {_e(f.used_when[0].replace("_", " "))} chosen sets it (the results show the value used).</span>')
    error = f'<span class="livecalc__error" id="{error_id}" hidden></span>'
    return f'<div class="livecalc__field livecalc__field--{f.kind}">{label}{control}{hint}{error}</div>'


def _unused(f: Field, state: Mapping[str, Any]) -> bool:
    return bool(f.used_when) and str(state.get(f.used_when[0], "")) != f.used_when[1]


def _fields(fields: tuple[Field, ...], render: Callable[[Field], str], css: str = "livecalc__fields") -> str:
    """The fields in a grid; the rarely changed ones folded under "More" after them."""
    shown = "".join(render(f) for f in fields if not f.more)
    folded = "".join(render(f) for f in fields if f.more)
    more = (f'<details class="livecalc__more" data-more><summary>More</summary>'
            f'<div class="{css}">{folded}</div></details>') if folded else ""
    return f'<div class="{css}">{shown}</div>{more}'


def _input_row(rows: descriptions.RowInputs, uid: str, index: str, number: str, row: Mapping[str, str]) -> str:
    fields = _fields(rows.fields, lambda f: _field(f, row.get(f.name, ""), f"{rows.name}.{index}.{f.name}",
                                                   f"{uid}-{rows.name}-{index}-{f.name}", _unused(f, row)),
                     "livecalc__fields livecalc__fields--position")
    noun = f"{rows.label} {number}"
    remove = (f'<button type="button" class="livecalc__button livecalc__button--quiet" data-action="remove-row"'
              f' aria-label="Remove {_e(noun.lower())}">Remove</button>')
    return (f'<fieldset class="livecalc__position" data-input-row="{index}">'
            f'<legend class="livecalc__legend">{_e(noun)}</legend>'
            f'{fields}{remove}</fieldset>')


def _figure(tag: str, key: str, texts: Mapping[str, str], marks: Mapping[str, str], extra: str = "") -> str:
    """A figure's element: its ``data-output`` key, its text and its ``data-sign``."""
    return (f'<{tag}{extra}{_attrs({"data-output": key, "data-sign": marks.get(key)})}>'
            f'{_e(texts.get(key, ""))}</{tag}>')


def _outputs(outputs: list[Output], texts: Mapping[str, str], marks: Mapping[str, str] = {}) -> str:
    items = []
    for out in outputs:
        css = "livecalc__output livecalc__output--primary" if out.primary else "livecalc__output"
        items.append(f'<div class="{css}"><dt>{_e(out.label)}</dt>{_figure("dd", out.name, texts, marks)}</div>')
    return f'<dl class="livecalc__outputs">{"".join(items)}</dl>{_explained(tuple(outputs))}'


def _explained(outputs: tuple[Output, ...]) -> str:
    """A table's columns explained, folded under a disclosure (a table has no room beside its figures)."""
    items = "".join(f"<dt>{_e(out.label)}</dt><dd>{_e(out.help)}</dd>" for out in outputs if out.help)
    if not items:
        return ""
    return (f'<details class="livecalc__explain"><summary>What these numbers mean</summary>'
            f'<dl>{items}</dl></details>')


def _result_row(node: Rows, index: str, texts: Mapping[str, str], marks: Mapping[str, str] = {}) -> str:
    cells = "".join(_figure("td", f"{node.name}.{index}.{out.name}", texts, marks) for out in node.columns)
    label = _e(texts.get(f"{node.name}.{index}.label", ""))
    return (f'<tr data-row="{index}"><th scope="row" data-output="{node.name}.{index}.label">{label}</th>'
            f'{cells}</tr>')


def _rows_table(node: Rows, count: int, texts: Mapping[str, str], marks: Mapping[str, str]) -> str:
    head = "".join(f'<th scope="col">{_e(out.label)}</th>' for out in node.columns)
    rows = "".join(_result_row(node, str(i), texts, marks) for i in range(count))
    return (f'<div class="livecalc__table-wrap"><table class="livecalc__table">'
            f'<caption>{_e(node.caption)}</caption>'
            f'<thead><tr><th scope="col">{_e(node.header_label)}</th>{head}</tr></thead>'
            f'<tbody data-rows="{_e(node.name)}">{rows}</tbody></table></div>'
            f'{_explained(node.columns)}'
            f'<template data-template="{_e(node.name)}">{_result_row(node, "__i__", {})}</template>')


def _modes_table(node: Modes, texts: Mapping[str, str], marks: Mapping[str, str]) -> str:
    head = "".join(f'<th scope="col">{_e(label)}</th>' for _, label in node.modes)
    rows = "".join(
        f'<tr><th scope="row">{_e(out.label)}</th>'
        + "".join(_figure("td", f"{mode}.{out.name}", texts, marks) for mode, _ in node.modes)
        + "</tr>"
        for out in node.outputs
    )
    return (f'<div class="livecalc__table-wrap"><table class="livecalc__table livecalc__table--modes">'
            f'<caption>{_e(node.caption)}</caption>'
            f'<thead><tr><td></td>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
            f'{_explained(node.outputs)}')


def _chart(node: Chart, uid: str, svg: Mapping[str, Mapping[str, str]]) -> str:
    box = display.CHART
    width, height = box["width"], box["height"]
    x0, x1 = box["left"], width - box["right"]
    y0, y1 = box["top"], height - box["bottom"]
    mid = (x0 + x1) / 2

    def attrs(key: str, **extra: Any) -> str:
        values = {k: v for k, v in svg.get(key, {}).items() if k != "text"}
        return _attrs({"data-svg": key, **extra, **values})

    def text(key: str) -> str:
        return _e(svg.get(key, {}).get("text", ""))

    lines = "".join(f'<polyline class="livecalc__line livecalc__line--{_e(key)}"{attrs(key)}/>' for key, _ in node.series)
    keys = "".join(f'<span class="livecalc__key livecalc__key--{_e(key)}">{_e(label)}</span>' for key, label in node.series)
    marker_key = f'<span class="livecalc__key livecalc__key--marker">{_e(node.marker_label)}</span>' if node.marker else ""
    title_id = f"{uid}-chart-title"
    return (
        f'<figure class="livecalc__chart">'
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{title_id}" focusable="false">'
        f'<title id="{title_id}">{_e(node.title)}</title>'
        f'<line class="livecalc__axis" x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}"/>'
        f'<line class="livecalc__axis" x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}"/>'
        f'<line class="livecalc__grid" x1="{mid}" y1="{y0}" x2="{mid}" y2="{y1}"/>'
        f'<line class="livecalc__marker"{attrs("marker", y1=y0, y2=y1)}/>'
        f'{lines}'
        f'<text class="livecalc__tick" x="{x0 - 4}" y="{y0 + 4}" text-anchor="end"{attrs("y_top")}>{text("y_top")}</text>'
        f'<text class="livecalc__tick" x="{x0 - 4}" y="{y1}" text-anchor="end"{attrs("y_bottom")}>{text("y_bottom")}</text>'
        f'<text class="livecalc__tick" x="{x0}" y="{height - 8}" text-anchor="start"{attrs("x_left")}>{text("x_left")}</text>'
        f'<text class="livecalc__tick" x="{mid}" y="{height - 8}" text-anchor="middle">0%</text>'
        f'<text class="livecalc__tick" x="{x1}" y="{height - 8}" text-anchor="end"{attrs("x_right")}>{text("x_right")}</text>'
        f'</svg>'
        f'<figcaption class="livecalc__legend-line">{keys}{marker_key}'
        f'<span class="livecalc__caption">{_e(node.caption)}</span>'
        f'</figcaption></figure>'
    )


def _results(calc: descriptions.Calculator, state: Mapping[str, Any], outputs: Mapping[str, Any],
             shown: Mapping[str, Any], uid: str) -> str:
    """The result panel, node by node of the output tree; consecutive figures share one list."""
    texts, marks, parts, figures = shown["texts"], shown["marks"], [], []
    for node in calc.outputs:
        if isinstance(node, Output):
            figures.append(node)
            continue
        if figures:
            parts.append(_outputs(figures, texts, marks))
            figures = []
        if isinstance(node, Rows):
            parts.append(_rows_table(node, len(outputs.get(node.name) or []), texts, marks))
        elif isinstance(node, Modes):
            parts.append(_modes_table(node, texts, marks))
        elif isinstance(node, Chart):
            parts.append(_chart(node, uid, shown["svg"]))
    if figures:
        parts.append(_outputs(figures, texts, marks))
    return "".join(parts)


STATE_WORDS = {"danger": "Warning", "note": "Note"}


def _states(states: list[Mapping[str, str]]) -> str:
    """The states of the results, said in words (a live region: a new state is announced)."""
    items = "".join(
        f'<p class="livecalc__state livecalc__state--{_e(item["level"])}" data-state="{_e(item["name"])}">'
        f'<strong>{STATE_WORDS.get(item["level"], "Note")}:</strong> {_e(item["message"])}</p>'
        for item in states)
    return f'<div class="livecalc__states" data-states aria-live="assertive" aria-atomic="true">{items}</div>'


def summary_alert(states: list[Mapping[str, str]]) -> str:
    """The pinned summary's words for the first danger state: its message up to the first colon
    ("Liquidated as soon as it opens"), so that a reader who sees a figure in the warning colour also
    reads why (browser/form.mjs writes the same on every answer)."""
    for state in states:
        if state.get("level") == "danger":
            return state["message"].split(":", 1)[0].strip()
    return ""


def _summary(calc: descriptions.Calculator, shown: Mapping[str, Any]) -> str:
    """The key figures (the primary outputs) in one compact line, kept in view at the bottom of a long
    calculator on a phone while the reader edits. A copy of figures the panel shows: hidden from
    screen readers, which read the panel."""
    keys: list[tuple[str, str]] = []
    for node in calc.outputs:
        if isinstance(node, Output) and node.primary:
            keys.append((node.name, node.label))
        elif isinstance(node, Modes):
            keys.extend((f"{mode}.{out.name}", f"{out.label}, {label.lower()}")
                        for out in node.outputs if out.primary for mode, label in node.modes)
    if not keys:
        return ""
    texts, marks = shown["texts"], shown["marks"]
    danger = summary_alert(shown["states"])
    alert = (f'<span class="livecalc__summary-alert" data-summary-alert'
             f'{"" if danger else " hidden"}>{_e(danger)}</span>')
    items = alert + "".join(
        f'<span class="livecalc__summary-item">{_e(label)} '
        f'<b{_attrs({"data-summary-output": key, "data-sign": marks.get(key)})}>{_e(texts.get(key, ""))}</b></span>'
        for key, label in keys)
    return f'<div class="livecalc__summary" data-summary aria-hidden="true">{items}</div>'


def render(name: str, inputs: Mapping[str, Any], key: str, engine_urls: Mapping[str, Any],
           compute: Callable[[str, Mapping[str, Any]], dict[str, Any]] = descriptions.compute) -> str:
    """A calculator's markup, with the results of ``inputs`` (completed inputs) computed now.

    ``compute``: the macros pass their per-page memo, so a calculator and the figures of its worked
    example compute once.
    """
    calc = descriptions.CALCULATORS[name]
    outputs = compute(name, inputs)
    values = descriptions.parse_inputs(calc, inputs)
    shown = display.present(name, outputs, values)
    state = typed_inputs(name, inputs)
    uid = f"livecalc-{key}"
    config = {"calculator": name, "key": key, "initial": state, "engine": dict(engine_urls)}

    fields = _fields(calc.fields, lambda f: _field(f, state[f.name], f.name, f"{uid}-{f.name}", _unused(f, state)))
    row_inputs = ""
    if calc.rows:
        rows = calc.rows
        filled = "".join(_input_row(rows, uid, str(i), str(i + 1), row) for i, row in enumerate(state[rows.name]))
        template = _input_row(rows, uid, "__i__", "__n__", {f.name: "" for f in rows.fields})
        row_inputs = (
            f'<div class="livecalc__positions" data-input-rows="{_e(rows.name)}">{filled}</div>'
            f'<template data-template="input-row">{template}</template>'
            f'<button type="button" class="livecalc__button" data-action="add-row">Add a {_e(rows.label.lower())}</button>'
            f'<span class="livecalc__note">Up to {rows.max_rows} {_e(rows.label.lower())}s.'
            f'{" " + _e(rows.note) if rows.note else ""}</span>'
        )

    title_id = f"{uid}-title"
    return (
        f'<section class="livecalc livecalc--{name}" id="{uid}" data-calculator="{name}" data-search-exclude '
        f'data-livecalc-key="{_e(key)}" aria-labelledby="{title_id}" '
        f'data-livecalc-config="{_e(_json(config))}">'
        f'<div class="livecalc__header">'
        f'<p class="livecalc__title" id="{title_id}">Calculator: {_e(calc.title)}</p>'
        f'<p class="livecalc__status" data-status="loading" role="status">'
        f'Showing the worked example, computed when this page was built. Edit any value to recompute.</p>'
        f'</div>'
        f'<form class="livecalc__form" novalidate autocomplete="off" aria-label="{_e(calc.title)}: inputs">'
        f'{fields}{row_inputs}'
        f'<p class="livecalc__form-error" data-form-error role="alert" hidden></p>'
        f'<p class="livecalc__actions"><button type="button" class="livecalc__button livecalc__button--quiet" '
        f'data-action="reset">Reset to the worked example</button></p>'
        f'</form>'
        f'{_summary(calc, shown)}'
        f'<div class="livecalc__results" aria-live="polite" data-results>'
        f'<p class="livecalc__results-title">Results</p>{_states(shown["states"])}'
        f'{_results(calc, state, outputs, shown, uid)}</div>'
        f'</section>'
    )
