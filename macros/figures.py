"""Worked examples (declared as inputs in a page's front matter), figures, stated claims and tables.

A page declares its worked examples once, as inputs::

    examples:
      btc_10x:
        calculator: isolated
        side: long
        entry_price: 65000
        ...

and shows results with ``{{ fig("btc_10x.liquidation_price") }}``. A writer may state a figure:
``{{ fig("btc_10x.liquidation_price", stated="$58,825") }}`` fails the build when the module
disagrees beyond half a unit of the last stated digit (or ``tol=``); ``draft="$58,465"`` records a
figure of the writer's draft that the page corrects, and the build prints the correction.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Callable, Mapping

from calculators import descriptions, margin
from calculators.errors import MarginInputError

from presentation import display, reference
from presentation import format as fmt

from .problems import MARKER, BuildReport, FrontMatterLines, did_you_mean

__all__ = ["BuildReport", "Examples", "MacroUsageError"]


class MacroUsageError(Exception):
    """A macro call that cannot be carried out; the message names page and line."""

    def __init__(self, message: str, example: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        #: the worked example whose inputs are at fault, if that is the problem (``message`` then
        #: says what is wrong with it, without its name), and the input at fault (``positions[1].mmr``)
        self.example = example
        self.field = field


def _path(field: str | None) -> list[str]:
    """``positions[1].mmr`` as ``["positions", "1", "mmr"]``."""
    return re.findall(r"[^.\[\]]+", field or "")


def _template_line() -> int | None:
    """The line of the page template that is calling a macro (Jinja maps compiled lines back)."""
    frame = sys._getframe(1)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            return template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return None


class Examples:
    """The macros that read worked examples. One instance per build."""

    def __init__(self, env: Any, report: BuildReport) -> None:
        self.env = env
        self.report = report
        # where the current page's front matter writes each value (read only to place a problem)
        self._lines: tuple[Any, FrontMatterLines] | None = None
        #: the holder of HTML kept out of Markdown's way (macros/slots.py), set by define_env
        self.slots: Any = None
        # inputs_of() results for the page being rendered, and what is made from them (see there)
        self._memo_page: Any = None
        self._memo: dict[tuple[Any, ...], Any] = {}
        #: the page line of the call being made when the page is rendered without Jinja (macros/direct.py)
        self._direct_line: int | None = None

    # ----------------------------------------------------------------------------- where we are

    def call_line(self) -> int | None:
        """The line of the page (front matter counted) of the macro call being rendered."""
        line = self._direct_line if self._direct_line is not None else _template_line()
        return None if line is None else line + self.front_matter_lines()

    def at_line(self, line: int | None) -> None:
        """The line of the call about to be made by macros/direct.py (None: no longer rendering)."""
        self._direct_line = line

    def front_matter_lines(self) -> int:
        """How many lines the front matter takes: mkdocs hands the macros the page without it."""
        source = self.env.page.file.content_string or ""
        return max(source.count("\n") - (self.env.markdown or "").count("\n"), 0)

    def where(self) -> str:
        """``docs/page.md:42``: the page and the line of the macro call being rendered."""
        line = self.call_line()
        return self.page_path() if line is None else f"{self.page_path()}:{line}"

    def fail(self, message: str, example: str | None = None, field: str | None = None) -> str:
        """Record a misuse and put a visible marker where the figure would be.

        A fault of a worked example (``example``; ``message`` says what, without the example's name)
        is reported once, at the line of the value at fault (``field``) in the front matter, and
        each macro that uses it adds its line to that one report."""
        use = self.call_line()
        page = self.page_path()
        marker = MARKER.format(where=f" on line {use}" if use else "")
        try:
            declared = self.declared()
        except MacroUsageError:
            declared = {}
        if example is None or example not in declared:
            self.report.add(page, use, message)
            return marker
        if self._lines is None or self._lines[0] is not self.env.page:
            self._lines = (self.env.page, FrontMatterLines(self.env.page.file.content_string or ""))
        owner, line = self._lines[1].value(example, field, declared)
        problem = self.report.add(page, line, f"worked example {owner!r}: {message}",
                                  key=(page, owner, field, message), counts_uses=True)
        if use is not None:
            problem.uses.add(use)
        return marker

    def fail_calculator(self, name: Any, example: Any, overrides: Mapping[str, Any], error: Exception) -> str:
        """:meth:`fail_with` for the ``calculator`` macro (macros/widgets.py): a refusal of the
        example's inputs is the example's, reported at the value's line."""
        if isinstance(error, MarginInputError) and isinstance(example, str) and name in descriptions.CALCULATORS:
            error = self.input_error(example, name, error)
        return self.fail_with(error, prefix=f"calculator({name!r}): ", overrides=overrides)

    def fail_with(self, error: Exception, prefix: str = "", overrides: Mapping[str, Any] = {}) -> str:
        """:meth:`fail` for whatever a macro raised: a usage error, a calculator's refusal of an
        input (the example's fault unless the call itself gave that input), or anything else (its
        message, never a traceback)."""
        if isinstance(error, MacroUsageError):
            if error.example is not None and _path(error.field)[:1] and _path(error.field)[0] in overrides:
                return self.fail(f"{prefix}worked example {error.example!r}: {error}")
            if error.example is not None:
                return self.fail(str(error), error.example, error.field)
            # a message that already names its macro (sweep_table(): ...) is not named twice
            named = re.match(r"\w+\(\)", str(error)) is not None
            return self.fail(str(error) if named else prefix + str(error))
        if isinstance(error, MarginInputError):
            return self.fail(f"{prefix}{error}")
        return self.fail(f"{prefix}{type(error).__name__}: {error}")

    # ----------------------------------------------------------------------------- examples

    def declared(self) -> Mapping[str, Any]:
        meta = self.env.page.meta or {}
        examples = meta.get("examples") or {}
        if not isinstance(examples, Mapping):
            raise MacroUsageError("the front matter's 'examples' must be a mapping of names to inputs")
        return examples

    def check_declared(self) -> None:
        """Report each declared example that cannot be computed, at the line of the value at fault
        (an example on a bad base is the base's fault, reported once)."""
        self.report.pages += 1
        try:
            names = list(self.declared())
        except MacroUsageError as error:
            self.report.add(self.page_path(), None, f"front matter: {error}")
            return
        for name in sorted(names, key=lambda n: self.depth(n)):
            try:
                self.results(name, {})
            except MacroUsageError as error:
                self.fail(str(error) if error.example else f"worked example {name!r}: {error}",
                          error.example, error.field)
            except Exception as error:  # noqa: BLE001 - a bug of ours, reported without a traceback
                self.fail(f"worked example {name!r}: {type(error).__name__}: {error}")

    def depth(self, name: str) -> int:
        """How many bases an example stands on (0 for one declared outright)."""
        declared, seen = self.declared(), set()
        while isinstance(declared.get(name), Mapping) and declared[name].get("base") and name not in seen:
            seen.add(name)
            name = declared[name]["base"]
        return len(seen)

    def page_path(self) -> str:
        page = self.env.page
        return os.path.relpath(page.file.abs_src_path) if page.file.abs_src_path else page.file.src_path

    def definition(self, name: str, _seen: tuple[str, ...] = ()) -> tuple[str, dict[str, Any]]:
        """An example's calculator and inputs, with ``base:`` examples merged in."""
        examples = self.declared()
        if not isinstance(name, str) or name not in examples:
            known = ", ".join(sorted(examples)) or "none declared in this page's front matter"
            raise MacroUsageError(f"unknown worked example {name!r}{did_you_mean(name, examples)} (known: {known})")
        spec = examples[name]
        if not isinstance(spec, Mapping):
            raise MacroUsageError("is not a list of 'input: value' lines", example=name)
        spec = dict(spec)
        base = spec.pop("base", None)
        calculator = spec.pop("calculator", None)
        inputs: dict[str, Any] = {}
        if base is not None:
            if not isinstance(base, str) or base not in examples:
                others = sorted(set(examples) - {name})
                raise MacroUsageError(f"base: no worked example {base!r} on this page{did_you_mean(base, others)} "
                                      f"(examples: {', '.join(others) or 'none'})", example=name, field="base")
            if base in _seen or base == name:
                # reported once, at the base: line of the first of the loop's examples
                loop = sorted((*_seen[_seen.index(base):], name) if base in _seen else (name,))
                raise MacroUsageError(f"base: {', '.join(map(repr, loop))} stand on one another; an example "
                                      "cannot be its own base", example=loop[0], field="base")
            calculator_of_base, inputs = self.definition(base, _seen + (name,))
            calculator = calculator or calculator_of_base
        inputs.update(spec)
        if calculator not in descriptions.CALCULATORS:
            known = ", ".join(descriptions.CALCULATORS)
            if calculator is None:
                raise MacroUsageError(f"calculator: is missing; add calculator: with one of {known}",
                                      example=name, field="calculator")
            raise MacroUsageError(f"calculator: is not a calculator (got {calculator!r})"
                                  f"{did_you_mean(calculator, descriptions.CALCULATORS)}; use one of {known}",
                                  example=name, field="calculator")
        return calculator, inputs

    def inputs_of(self, name: str, overrides: Mapping[str, Any], calculator: str | None = None) -> tuple[str, dict]:
        """An example's calculator and completed inputs (the result is shared: do not modify it).

        Kept for the page being rendered: a guide asks for the same example's inputs at every figure
        (~25 times), and merging bases and completing the inputs was a third of the macros' time
        (``python -m bench.build --profile 200``). Failures are not kept: each use reports its own.
        """
        if self._memo_page is not self.env.page:
            self._memo_page, self._memo = self.env.page, {}
        try:
            key = (name, calculator, json.dumps(overrides, sort_keys=True, default=repr) if overrides else "")
        except (TypeError, ValueError):  # overrides that JSON cannot key (a writer's odd argument)
            key = None
        if key is not None and key in self._memo:
            return self._memo[key]
        own_calculator, inputs = self.definition(name)
        calculator = calculator or own_calculator
        inputs.update(overrides)
        try:
            found = calculator, descriptions.complete_inputs(descriptions.CALCULATORS[calculator], inputs)
        except MarginInputError as error:
            raise self.input_error(name, calculator, error) from None
        if key is not None:
            self._memo[key] = found
        return found

    def _made_from(self, what: Any, inputs: dict[str, Any], make: Callable[[], Any]) -> Any:
        """``make()`` once per page for completed inputs that inputs_of() shares for the page: keyed by
        the inputs' identity (no JSON to build), kept in the same per-page memo, so it lives exactly as
        long as the inputs it was made from. Exceptions pass through, unkept."""
        key = (what, id(inputs))
        kept = self._memo.get(key)
        if kept is not None and kept[0] is inputs:
            return kept[1]
        made = make()
        self._memo[key] = (inputs, made)
        return made

    def results(self, name: str, overrides: Mapping[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        calculator, inputs = self.inputs_of(name, overrides)
        try:
            return calculator, inputs, self._made_from(("results", calculator), inputs,
                                                       lambda: self.compute(calculator, inputs))
        except MarginInputError as error:
            raise self.input_error(name, calculator, error) from None

    @staticmethod
    def input_error(name: str, calculator: str, error: MarginInputError) -> MacroUsageError:
        """A calculator's refusal of an example's input, with how to fix it: the close valid name
        of a misspelt input or choice, or how a number is written."""
        calc = descriptions.CALCULATORS[calculator]
        path = _path(error.field)
        field_name = path[-1] if path else ""
        advice = ""
        if error.reason.startswith(("is not an input of", "is not a field of")):
            in_row = len(path) > 1 and calc.rows is not None
            names = [f.name for f in (calc.rows.fields if in_row else calc.fields)]
            if calc.rows is not None and not in_row:
                names += [calc.rows.name, *calc.rows.spread]
            advice = did_you_mean(field_name, names) or f" (inputs of {calculator!r}: {', '.join(names)})"
        else:
            described = next((f for f in calc.all_fields if f.name == field_name), None)
            if described is not None and described.kind == "choice":
                advice = did_you_mean(str(error.value), [key for key, _ in described.choices])
            elif described is not None and error.reason == "is not a number":
                default = calc.defaults.get(field_name)
                example = f", for example {field_name}: {default}" if isinstance(default, (int, float)) else ""
                advice = f"; write it in digits{example}"
        return MacroUsageError(f"{error}{advice}", example=name, field=error.field)

    def check_arguments(self, macro: str, own: tuple[str, ...], name: Any, overrides: Mapping[str, Any],
                        calculator: str | None = None) -> None:
        """Refuse a keyword argument that is neither the macro's own nor an input of the example's
        calculator (``decimal=0`` for ``decimals=0``), naming the close one."""
        if not overrides or (calculator is None and not isinstance(name, str)):
            return
        if calculator is None:
            calculator, _ = self.definition(name)
        calc = descriptions.CALCULATORS[calculator]
        inputs = [f.name for f in calc.fields] + ([calc.rows.name, *calc.rows.spread] if calc.rows else [])
        for argument in overrides:
            if argument not in inputs:
                hint = did_you_mean(argument, (*own, *inputs)) or (
                    f" ({macro}() takes {', '.join(own)}; {calculator!r} inputs: {', '.join(inputs)})")
                raise MacroUsageError(f"{macro}(): {argument}= is neither an argument of {macro}() nor an input "
                                      f"of the calculator {calculator!r}{hint}")

    def compute(self, calculator: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """``descriptions.compute`` once per page for the same completed inputs (a page's figures,
        tables and calculators share it). Raises MarginInputError. The result must not be modified."""
        if self._memo_page is not self.env.page:
            self._memo_page, self._memo = self.env.page, {}
        key = ("compute", json.dumps([calculator, inputs], sort_keys=True, default=str))
        if key not in self._memo:
            self._memo[key] = descriptions.compute(calculator, inputs)
        return self._memo[key]

    @staticmethod
    def describe_inputs(inputs: Mapping[str, Any]) -> str:
        return ", ".join(f"{key}={json.dumps(value, default=str)}" for key, value in inputs.items())

    # ----------------------------------------------------------------------------- macros

    def fig(self, ref: str, stated: Any = None, draft: Any = None, tol: Any = None,
            decimals: int | None = None, **overrides: Any) -> str:
        """``{{ fig("example.output") }}``: a computed figure, formatted by its unit.

        ``stated=``: a figure the writer asserts; the build fails when it disagrees.
        ``draft=``: a wrong figure of the draft that the page replaces; the build reports it.
        ``tol=``: how far a stated figure may be off ("1%" relative, or a number in the figure's scale).
        Other keyword arguments override the example's inputs (``leverage=20``).
        """
        try:
            if not isinstance(ref, str) or "." not in ref:
                raise MacroUsageError(f"fig() takes 'example.output', got {ref!r}")
            name, path = ref.split(".", 1)
            self.check_arguments("fig", ("stated", "draft", "tol", "decimals"), name, overrides)
            calculator, inputs, outputs = self.results(name, overrides)
            value, unit = self.lookup(calculator, outputs, path, ref)
            shown = fmt.by_unit(value, unit, decimals)
            if stated is not None:
                self.check(ref, stated, tol, value, unit, shown, inputs, kind="stated")
                self.report.claims += 1
            if draft is not None:
                self.check(ref, draft, tol, value, unit, shown, inputs, kind="draft")
            self.report.figures += 1
            return shown
        except Exception as error:  # noqa: BLE001 - every problem is the writer's line, not a traceback
            return self.fail_with(error, overrides=overrides)

    def lookup(self, calculator: str, outputs: Mapping[str, Any], path: str, ref: str) -> tuple[Any, str | None]:
        value: Any = outputs
        for part in path.split("."):
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, list):
                labels = [row.get("label") for row in value if isinstance(row, Mapping)]
                if part in labels:
                    value = value[labels.index(part)]
                else:
                    raise MacroUsageError(f"{ref!r}: no position {part!r}{did_you_mean(part, map(str, labels))} "
                                          f"(positions: {', '.join(map(str, labels))})")
            else:
                options = sorted(value) if isinstance(value, Mapping) else []
                raise MacroUsageError(f"{ref!r}: unknown output {part!r}{did_you_mean(part, options)} "
                                      f"(outputs here: {', '.join(options) or 'none'})")
        if isinstance(value, (Mapping, list)):
            raise MacroUsageError(f"{ref!r} is a group of results, not one figure; name one of them")
        named = [part for part in path.split(".") if not part.isdigit()]
        unit = descriptions.CALCULATORS[calculator].unit_of(named[-1])
        return value, unit

    def check(self, ref: str, claim: Any, tol: Any, value: Any, unit: str | None, shown: str,
              inputs: Mapping[str, Any], kind: str) -> None:
        try:
            claimed, half_unit = fmt.parse_stated(claim, unit)
            allowed = half_unit if tol is None else fmt.parse_tolerance(tol, value or 0.0)
        except (ValueError, ArithmeticError) as error:
            raise MacroUsageError(f"{ref}: {error}") from None
        computed = fmt.exact(value)
        if computed is None:
            agrees = False
        elif tol is None:
            # Rounding the computed figure to the digits the writer gave must give the writer's figure,
            # decided exactly: a figure exactly half-way (9.5% stated as 10%) does not agree.
            agrees = abs(computed - claimed) < allowed
        else:
            agrees = abs(computed - claimed) <= allowed
        where = self.where()
        if kind == "stated" and not agrees:
            self.report.add(self.page_path(), self.call_line(),
                            f"{ref} is stated as {claim} but the module computes {shown} "
                            f"(example inputs: {self.describe_inputs(inputs)})")
        elif kind == "draft":
            if agrees:
                self.report.corrections.append(
                    f"{where}: {ref}: the draft's {claim} agrees with the computed {shown}; use stated= instead of draft="
                )
            else:
                self.report.corrections.append(f"{where}: {ref}: draft said {claim}, the page shows {shown}")

    def inputs(self, name: str, field: str | None = None, **overrides: Any) -> str:
        """An example's input as a reader would type it: ``{{ inputs("btc_10x", "entry_price") }}``; a
        row's input by index or label: ``inputs("three_positions", "positions.ETH.entry_price")``."""
        try:
            calculator, values = self.inputs_of(name, overrides)
            calc = descriptions.CALCULATORS[calculator]
            if field is None:
                raise MacroUsageError("inputs() needs a field name, for example inputs('btc_10x', 'entry_price')")
            if not isinstance(field, str):
                raise MacroUsageError(f"inputs() takes a field name as text, got {field!r}")
            parsed_all = self._made_from("parsed", values, lambda: descriptions.parse_inputs(calc, values))
            if calc.rows is not None and field.startswith(calc.rows.name + "."):
                # positions.1.entry_price or positions.ETH.entry_price
                _, which, field = (field.split(".") + ["", ""])[:3]
                rows = parsed_all[calc.rows.name]
                labels = [str(row.get("label", "")) for row in rows]
                index = int(which) if which.isdigit() else labels.index(which) if which in labels else None
                if index is None or index >= len(rows):
                    raise MacroUsageError(f"{name!r} has no {calc.rows.label.lower()} {which!r}"
                                          f"{did_you_mean(which, labels)} ({calc.rows.name}: {', '.join(labels)})")
                described = {f.name: f for f in calc.rows.fields}
                parsed_all = rows[index]
            else:
                described = {f.name: f for f in calc.fields}
            if field not in described:
                raise MacroUsageError(f"{name!r} has no input {field!r}{did_you_mean(field, described)} "
                                      f"(inputs: {', '.join(described)})")
            return self._typed_input(described[field], parsed_all[field])
        except MarginInputError as error:
            return self.fail_with(self.input_error(name, calculator, error), overrides=overrides)
        except Exception as error:  # noqa: BLE001 - every problem is the writer's line, not a traceback
            return self.fail_with(error, overrides=overrides)

    @staticmethod
    def _typed_input(f: descriptions.Field, parsed: Any) -> str:
        """A parsed input shown as a writer would type it in prose: $65,000, 0.5%, 10x."""
        if f.kind == "choice":
            return str(dict(f.choices).get(parsed, parsed))
        if f.unit == "usd":
            return fmt.money(parsed, 0 if float(parsed).is_integer() else 2)
        if f.unit == "percent":
            # as many decimals as the writer gave, up to four: 0.5%, 1%, 0.04%
            return fmt.percent(parsed, 4).removesuffix("%").rstrip("0").rstrip(".") + "%"
        if f.unit == "multiple":
            return fmt.multiple(parsed)
        return fmt.number(parsed, 8) if f.kind == "number" else str(parsed)

    def example_data(self, name: str, calculator: str | None = None) -> dict[str, Any]:
        """The completed inputs of an example (for a calculator's first state)."""
        return dict(self.inputs_of(name, {}, calculator)[1])  # a copy: the caller may update it

    def sweep_table(self, name: str, field: str, values: Any, outputs: Any, _macro: str = "sweep_table",
                    _values_name: str = "values", **overrides: Any) -> str:
        """A Markdown table of an example's outputs as one input takes each of ``values``.

        ``{{ sweep_table("btc_10x", "leverage", [2, 5, 10], ["liquidation_price", "distance_pct"]) }}``:
        the first column is the input (formatted by its unit), the others the outputs (labels and
        units from the calculator's description).
        """
        try:
            if not isinstance(values, (list, tuple)) or not values:
                raise MacroUsageError(f"{_macro}(): {_values_name} must be a list of numbers, got {values!r}")
            if isinstance(outputs, str) or not isinstance(outputs, (list, tuple)) or not outputs:
                raise MacroUsageError(f"{_macro}(): outputs must be a list of output names, got {outputs!r}")
            if field in overrides:  # leverage_table(..., leverage=[2, 5]) for leverages=[2, 5]
                raise MacroUsageError(f"{_macro}(): {field}= is the input this table varies; list its values as "
                                      f"{_values_name}=[...]")
            self.check_arguments(_macro, ("outputs",) if _macro != "sweep_table" else (), name, overrides)
            calculator, _ = self.inputs_of(name, overrides)
            calc = descriptions.CALCULATORS[calculator]
            described = {f.name: f for f in calc.fields}
            if field not in described:
                raise MacroUsageError(f"{_macro}(): {name!r} has no input {field!r}{did_you_mean(field, described)} "
                                      f"(inputs: {', '.join(described)})")
            labels = {out.name: out.label for out in calc.all_outputs}
            unknown = [out for out in outputs if out not in labels]
            if unknown:
                raise MacroUsageError(f"{_macro}(): {name!r} has no output {unknown[0]!r}"
                                      f"{did_you_mean(unknown[0], labels)} (outputs: {', '.join(labels)})")
            rows = ["| " + " | ".join([described[field].label] + [labels[out] for out in outputs]) + " |",
                    "|" + "---:|" * (len(outputs) + 1)]
            for value in values:
                _, inputs, results = self.results(name, {**overrides, field: value})
                typed = self._typed_input(described[field], described[field].parse(field, inputs[field]))
                cells = [fmt.by_unit(results.get(out), calc.unit_of(out)) for out in outputs]
                rows.append("| " + " | ".join([typed] + cells) + " |")
            self.report.tables += 1
            return "\n".join(rows)
        except Exception as error:  # noqa: BLE001 - every problem is the writer's line, not a traceback
            # a value of the list is the call's own input: its refusal is reported at the call
            return self.fail_with(error, prefix=f"{_macro}(): ", overrides={**overrides, field: None})

    def leverage_table(self, name: str, leverages: Any = (2, 3, 5, 10, 20, 25, 50, 75, 100, 125),
                       outputs: Any = ("notional", "liquidation_price", "distance_pct"), **overrides: Any) -> str:
        """:meth:`sweep_table` over the input ``leverage``: by default position size, liquidation price
        and the move to it at each of ``leverages``."""
        return self.sweep_table(name, "leverage", leverages, list(outputs), _macro="leverage_table",
                                _values_name="leverages", **overrides)

    def results_table(self, name: str, table: str | None = None, **overrides: Any) -> str:
        """A Markdown table of an example's per-row results (a :class:`~calculators.descriptions.Rows`
        output of its calculator; ``table=`` names one when there are several), with the headline
        figures of a :class:`~calculators.descriptions.Modes` group whose modes are columns of the table
        as its last row."""
        try:
            self.check_arguments("results_table", ("table",), name, overrides)
            calculator, _, out = self.results(name, overrides)
            calc = descriptions.CALCULATORS[calculator]
            tables = [node for node in calc.outputs if isinstance(node, descriptions.Rows)]
            chosen = [node for node in tables if table is None or node.name == table]
            if not chosen:
                if tables:
                    known = ", ".join(node.name for node in tables)
                    raise MacroUsageError(f"results_table(): {name!r} has no table {table!r}"
                                          f"{did_you_mean(table, known.split(', '))} (tables: {known})")
                having = ", ".join(key for key, c in descriptions.CALCULATORS.items()
                                   if any(isinstance(node, descriptions.Rows) for node in c.outputs))
                raise MacroUsageError(f"results_table(): {name!r} is an example of {calculator!r}, which has no "
                                      f"table of rows (calculators with one: {having})")
            node = chosen[0]
            columns = [column.name for column in node.columns]
            rows = ["| " + " | ".join([node.header_label] + [column.label for column in node.columns]) + " |",
                    "|---|" + "".join("---:|" if column.unit in ("percent", "usd", "price") else "---|"
                                      for column in node.columns)]
            for row in out.get(node.name) or []:
                # As the calculator's own table shows them: a move with its sign and direction.
                cells = [display.figure(row.get(column.name), column)[0] for column in node.columns]
                rows.append("| " + " | ".join([display.row_header(node, row)] + cells) + " |")
            for group in calc.outputs:
                if isinstance(group, descriptions.Modes) and {mode for mode, _ in group.modes} <= set(columns):
                    for figure in (o for o in group.outputs if o.primary):
                        cells = [f"**{display.text_of(out[column][figure.name], figure.unit)}**"
                                 if column in out and isinstance(out[column], Mapping) else "" for column in columns]
                        rows.append(f"| **{figure.label}** | " + " | ".join(cells) + " |")
            self.report.tables += 1
            return "\n".join(rows)
        except Exception as error:  # noqa: BLE001 - every problem is the writer's line, not a traceback
            return self.fail_with(error, overrides=overrides)

    def calculator_reference(self, level: int = 3) -> str:
        """Every calculator's inputs (unit, bounds, default) and outputs (unit), as Markdown read from
        the descriptions: the writers' reference, complete by construction."""
        units = {"usd": "dollars", "percent": "percent", "multiple": "multiple (10 or 10x)", "none": "number"}
        out_units = {"usd": "money", "price": "money", "percent": "percentage", "ratio": "percentage",
                     "quantity": "quantity", "count": "count", "multiple": "multiple", "text": "text",
                     "flag": "yes/no", "outcome": "liquidated, or open with its profit or loss"}
        bound_words = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤"}
        parts = []
        for key, calc in descriptions.CALCULATORS.items():
            parts += [f"{'#' * level} `{key}`: {calc.title}", "", calc.summary, "",
                      "| Input | What | Typed as | Allowed | Default |", "|---|---|---|---|---|"]
            for name, f, default in reference.inputs(calc):
                typed = ", ".join(f"`{k}`" for k, _ in f.choices) if f.kind == "choice" else (
                    units.get(f.unit, f.unit) if f.kind == "number" else "text")
                allowed = "; ".join(f"{bound_words[rule]} {value}" for rule, value in reference.bounds(f))
                if default.startswith("its "):
                    default = f"its `{default[4:]}`"
                parts.append(f"| `{name}` | {f.label} | {typed} | {allowed} | {default} |")
            if calc.rows:
                parts += ["", f"`{calc.rows.name}` lists up to {calc.rows.max_rows} rows."]
            parts += ["", "| Output | What | Shown as |", "|---|---|---|"]
            for name, label, output, _ in reference.outputs(calc):
                if output in calc.more_outputs:  # the figures only fig() shows: by their own name here
                    name, what = output.name, label
                else:
                    what = f"{label} (row N, from 0, or its label)" if ".N." in name else label
                parts.append(f"| `{name}` | {what} | {out_units.get(output.unit, output.unit)} |")
            parts.append("")
        return "\n".join(parts)

    def tier_table(self, key: str = margin.TIER_TABLES[0]) -> str:
        """The shipped tier table as Markdown, with its source and date."""
        try:
            table = margin.load_tier_table(key)
        except Exception as error:  # noqa: BLE001 - every problem is the writer's line, not a traceback
            return self.fail(f"tier_table(): {error}{did_you_mean(key, margin.TIER_TABLES)} "
                             f"(tier tables: {', '.join(margin.TIER_TABLES)})")
        self.report.tables += 1
        rows = [f"*{table.label}.* Source: {table.source}", "",
                "| Position size (USD) | Max leverage | Maintenance rate | Maintenance amount |",
                "|---|---:|---:|---:|"]
        for tier in table.tiers:
            rows.append(f"| {fmt.money(tier.floor, 0)} to {fmt.money(tier.cap, 0)} | {fmt.multiple(tier.max_leverage)} | "
                        f"{fmt.percent(tier.mmr)} | {fmt.money(tier.maintenance_amount, 0)} |")
        return "\n".join(rows)

