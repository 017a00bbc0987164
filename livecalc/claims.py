"""The claims ledger: every money amount, percentage and leverage multiple of a draft or a page, and
what it became.

For a draft (``livecalc import``), :func:`read_draft` turns the positions that :mod:`livecalc.recognise`
reads into worked examples, computes them with the calculators, and decides each figure:

- **input** of an example (the page shows it with ``inputs()``);
- **checked**: a result that agrees with the module (``fig(..., stated=...)``);
- **corrected**: a result that does not (``fig(..., draft=...)``: the page shows the computed value);
  the ledger gives the computed value under both models;
- **unverified**: anything else, kept as the writer wrote it, and listed, never silently accepted.

The model of an example: the one the paragraph names ("mark price": exchange; "entry value":
simple); otherwise the one under which every figure whose value depends on the model agrees, the
simple one first; otherwise the simple (textbook) model, and each correction names both models'
values. One example has one model, so that its figures agree with each other on the page.

For a page of ``docs/`` (``livecalc claims``, the audit), :func:`page_claims` reads the Markdown:
``fig()`` is **computed** (or checked with ``stated=``, corrected with ``draft=``), ``inputs()`` an
input, ``cite()`` **cited**; a figure typed in the prose is **unverified**. Code, ``{% raw %}``
blocks, link addresses and HTML tags are not prose.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable, Mapping

from calculators import descriptions
from calculators.errors import MarginInputError
from presentation import format as fmt

from . import recognise
from .drafts import Draft, markdown_text

INPUT, CHECKED, CORRECTED, COMPUTED, CITED, UNVERIFIED = "input", "checked", "corrected", "computed", "cited", "unverified"
STATUSES = (COMPUTED, INPUT, CHECKED, CORRECTED, CITED, UNVERIFIED)
MODELS = ("simple", "exchange")

#: Values an input takes to test whether a result depends on it, when the text does not give it.
_PROBES: dict[str, tuple[Any, ...]] = {
    "side": ("long", "short"), "entry_price": (65000, "1234.5"), "leverage": (10, 3),
    "margin": (1000, 370), "mmr": ("0.5%", "1.2%"),
}
POSITION_FIELDS = ("side", "entry_price", "leverage", "margin", "mmr")
#: the two kinds of worked example a draft's prose gives (see ``descriptions.PROSE_KINDS``)
POSITION, ACCOUNT = descriptions.PROSE_KINDS


@dataclass(frozen=True)
class Claim:
    """One figure and what it became."""

    line: int
    text: str
    status: str
    #: ``example.output`` or ``example`` and its input field
    ref: str = ""
    #: computed values as shown, by model (one entry when the model does not matter)
    computed: tuple[tuple[str, str], ...] = ()
    note: str = ""

    def describe(self) -> str:
        values = "; ".join(f"{model}: {shown}" if model else shown for model, shown in self.computed)
        if self.status == INPUT:
            what = f"input of {self.ref}"
        elif self.status == CHECKED:
            what = f"checked: {self.ref} = {values}"
        elif self.status == CORRECTED:
            what = f"corrected: {self.ref} stated {self.text}, computed {values}"
        elif self.status == COMPUTED:
            what = f"computed: {self.ref}" + (f" = {values}" if values else "")
        elif self.status == CITED:
            what = f"cited: {self.note}"
        else:
            what = f"unverified: {self.note}"
        if self.note and self.status not in (CITED, UNVERIFIED):
            what += f" ({self.note})"
        return what

    def __str__(self) -> str:
        return f"  line {self.line:>3}  {self.text:<12} {self.describe()}"


@dataclass
class Ledger:
    """The claims of one draft or page, in the order of the text."""

    source: str
    claims: list[Claim] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {status: sum(c.status == status for c in self.claims) for status in STATUSES}

    def summary(self) -> str:
        counts = self.counts()
        return ", ".join(f"{counts[s]} {s}" for s in STATUSES)

    def __str__(self) -> str:
        lines = [f"{self.source}: {len(self.claims)} figure(s): {self.summary()}"]
        lines += [str(claim) for claim in self.claims]
        return "\n".join(lines)


# ----------------------------------------------------------------------------------------- computing

class _Computer:
    """Computes an example's outputs through the macros' own code (``macros.figures.Examples``), so
    the import decides exactly as the build will."""

    def __init__(self, examples: Mapping[str, Any]) -> None:
        from macros.figures import BuildReport, Examples

        page = SimpleNamespace(meta={"examples": dict(examples)}, file=SimpleNamespace(abs_src_path=None, src_path="draft"))
        self.examples = Examples(SimpleNamespace(page=page), BuildReport())

    def value(self, ref: str, **overrides: Any) -> tuple[Any, str | None]:
        """``(exact value, unit)`` of ``example.output``; raises MarginInputError or MacroUsageError."""
        name, path = ref.split(".", 1)
        calculator, _, outputs = self.examples.results(name, overrides)
        return self.examples.lookup(calculator, outputs, path, ref)

    def shown(self, ref: str, **overrides: Any) -> str:
        value, unit = self.value(ref, **overrides)
        return fmt.by_unit(value, unit)


def agrees(figure: recognise.Figure, value: Any, unit: str | None) -> bool:
    """Whether a written figure agrees with a computed value, as ``fig(stated=...)`` decides: within
    half a unit of the last digit written (for ``$65k``, of the thousands), a half-way value not."""
    computed = fmt.exact(value)
    if computed is None:
        return False
    claimed = figure.value / 100 if unit in ("percent", "ratio") else figure.value
    half = figure.half_unit / 100 if unit in ("percent", "ratio") else figure.half_unit
    return abs(computed - claimed) < half


def _yaml_number(value: Fraction) -> int | str:
    return int(value) if value.denominator == 1 else recognise._plain(value)


def _percent(figure: recognise.Figure) -> str:
    return f"{recognise._plain(figure.value)}%"


# ----------------------------------------------------------------------------------------- drafts

@dataclass
class DraftClaims:
    """What import makes of a draft: the examples for the front matter, each paragraph as Markdown
    (figures turned into macro calls), and the ledger."""

    examples: dict[str, dict[str, Any]]
    paragraphs: list[str]
    ledger: Ledger


@dataclass
class _Example:
    name: str
    spec: dict[str, Any]
    #: what the prose gave: "position" or "account" (``descriptions.PROSE_KINDS``); the calculator
    #: that computes it is the one whose description says so (``spec["calculator"]``)
    kind: str
    #: input field of each input figure (by figure id)
    inputs: dict[int, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    incomplete: str = ""


def _name(position: recognise.Position, taken: set[str], prefix: str = "") -> str:
    parts = [prefix] if prefix else []
    if position.asset:
        parts.append(position.asset.lower())
    if "leverage" in position.inputs:
        parts.append(f"{recognise._plain(position.inputs['leverage'].value).replace('.', '_')}x")
    if position.side:
        parts.append(position.side)
    name = "_".join(parts) or "example"
    if name[0].isdigit():
        name = "example_" + name
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    taken.add(candidate)
    return candidate


def _position_example(position: recognise.Position, paragraph: recognise.Paragraph, taken: set[str]) -> _Example:
    given = dict(position.inputs)
    if "mmr" not in given and paragraph.shared_mmr is not None:
        given["mmr"] = paragraph.shared_mmr
    spec: dict[str, Any] = {"calculator": descriptions.for_prose(POSITION)}
    if position.side:
        spec["side"] = position.side
    if "entry_price" in given:
        spec["entry_price"] = _yaml_number(given["entry_price"].value)
    if "leverage" in given:
        spec["leverage"] = _yaml_number(given["leverage"].value)
    if "margin" in given:
        spec["margin"] = _yaml_number(given["margin"].value)
    if "size" in given:
        if "margin" not in given and "leverage" in given:
            spec["margin"] = _yaml_number(given["size"].value / given["leverage"].value)
        elif "leverage" not in given and "margin" in given and given["margin"].value:
            spec["leverage"] = _yaml_number(given["size"].value / given["margin"].value)
    if "mmr" in given:
        spec["mmr"] = _percent(given["mmr"])
    spec["tier_table"] = "none"
    example = _Example(_name(position, taken), spec, POSITION)
    example.inputs = {id(figure): name for name, figure in given.items()}
    example.missing = tuple(name for name in POSITION_FIELDS if name not in spec)
    return example


def _account_example(paragraph: recognise.Paragraph, taken: set[str]) -> _Example:
    rows, missing, inputs = [], [], {id(paragraph.wallet): "wallet_balance"}
    labels: list[str] = []
    for number, position in enumerate(paragraph.positions, 1):
        given = dict(position.inputs)
        if "mmr" not in given and paragraph.shared_mmr is not None:
            given["mmr"] = paragraph.shared_mmr
        label = position.asset or f"Position {number}"
        row: dict[str, Any] = {"label": label}
        if position.side:
            row["side"] = position.side
        else:
            missing.append(f"the side of {label}")
        for name in ("entry_price",):
            if name in given:
                row[name] = _yaml_number(given[name].value)
            else:
                missing.append(f"the entry price of {label}")
        if "size" in given:
            row["size"] = _yaml_number(given["size"].value)
        elif "margin" in given and "leverage" in given:
            row["size"] = _yaml_number(given["margin"].value * given["leverage"].value)
        else:
            missing.append(f"the size of {label}")
        if "mmr" in given:
            row["mmr"] = _percent(given["mmr"])
        else:
            missing.append(f"the maintenance margin rate of {label}")
        rows.append(row)
        labels.append(label)
        inputs.update({id(figure): f"positions.{label}.{name}" for name, figure in given.items()
                       if name in ("entry_price", "size", "mmr")})
        inputs.update({id(figure): f"positions.{label}.{name}" for name, figure in given.items()
                       if name in ("margin", "leverage") and "size" not in given})
    spec = {"calculator": descriptions.for_prose(ACCOUNT), "wallet_balance": _yaml_number(paragraph.wallet.value), "positions": rows}
    name = _name(recognise.Position(0, asset=None), taken, "account")
    example = _Example(name, spec, ACCOUNT, inputs)
    if not paragraph.positions:
        example.incomplete = "an account with no position"
    elif missing:
        example.incomplete = "an account whose text does not give " + ", ".join(missing)
    return example


def _depends_on(computer: _Computer, ref: str, missing: Iterable[str], overrides: Mapping[str, Any]) -> str | None:
    """The first input the text does not give on which ``ref`` depends (computed with two values)."""
    for name in missing:
        if name in overrides:
            continue
        values = []
        for probe in _PROBES[name]:
            try:
                values.append(computer.value(ref, **{**overrides, name: probe})[0])
            except Exception:  # noqa: BLE001 - a probe the calculator refuses: treat as dependent
                return name
        if len(set(values)) > 1:
            return name
    return None


_FIELD_WORDS = {"side": "the side (long or short)", "entry_price": "the entry price", "leverage": "the leverage",
                "margin": "the margin or position size", "mmr": "the maintenance margin rate"}


def read_draft(draft: Draft) -> DraftClaims:
    """Recognise the draft's worked examples and decide every figure (see the module's docstring)."""
    ledger = Ledger(str(draft.path))
    examples: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    paragraphs: list[str] = []
    for text, line in zip(draft.paragraphs, draft.paragraph_lines):
        paragraph = recognise.read_paragraph(text, line)
        made = _decide_paragraph(paragraph, examples, taken)
        ledger.claims.extend(claim for _, claim, _ in made)
        paragraphs.append(_markdown(text, [(role.figure, macro) for role, _, macro in made if macro]))
    return DraftClaims(examples, paragraphs, ledger)


def _decide_paragraph(paragraph: recognise.Paragraph, examples: dict[str, dict[str, Any]],
                      taken: set[str]) -> list[tuple[recognise.Role, Claim, str]]:
    """Each figure of the paragraph: its role, its claim and the macro that replaces it ("" to keep it)."""
    account = paragraph.wallet is not None
    built: list[_Example] = []
    if account:
        built = [_account_example(paragraph, taken)]
    else:
        built = [_position_example(position, paragraph, taken) for position in paragraph.positions]

    def example_of(role: recognise.Role) -> _Example | None:
        if role.role == "wallet":
            return built[0] if account else None
        if role.position is None:
            # a rate given for every position ("each with a 0.5% maintenance margin rate")
            shared = role.figure is paragraph.shared_mmr and built
            return built[0] if shared else None
        return built[0] if account else built[role.position]

    # Results: their output, their value under each model, whether the model matters.
    decided: dict[int, tuple[recognise.Role, Claim, str]] = {}
    pending: dict[str, list[tuple[recognise.Role, str, dict[str, Any], dict[str, Any]]]] = {}
    used: set[str] = set()
    for role in paragraph.roles:
        example = example_of(role)
        fig = role.figure
        if example is None or example.incomplete:
            reason = example.incomplete if example is not None else _no_example_reason(role, paragraph)
            decided[id(role)] = (role, Claim(fig.line, fig.text, UNVERIFIED, note=reason), "")
            continue
        if role.role in ("input", "wallet"):
            continue
        if role.role != "result":
            decided[id(role)] = (role, Claim(fig.line, fig.text, UNVERIFIED, note="not recognised as an input or a result of a worked example"), "")
            continue
        computer = _Computer({example.name: example.spec})
        output = _output_of(role, example)
        if not output:
            note = ("no words name the result it reports, and its value is none of the results that "
                    "the text's inputs determine" if role.by_value else
                    "a result this kind of example does not compute, or of no position named")
            decided[id(role)] = (role, Claim(fig.line, fig.text, UNVERIFIED, note=note), "")
            continue
        ref = f"{example.name}.{output}"
        values: dict[str, Any] = {}
        try:
            for model in MODELS:
                values[model] = computer.value(ref, model=model, **role.overrides)
        except Exception as error:  # noqa: BLE001 - a result that cannot be computed is not verified
            decided[id(role)] = (role, Claim(fig.line, fig.text, UNVERIFIED, ref=ref, note=f"cannot be computed: {error}"), "")
            continue
        dependent = _depends_on(computer, ref, example.missing, role.overrides) if example.missing else None
        if dependent:
            decided[id(role)] = (role, Claim(fig.line, fig.text, UNVERIFIED, ref=ref,
                                             note=f"{ref} depends on {_FIELD_WORDS.get(dependent, dependent)}, which the text does not give"), "")
            continue
        pending.setdefault(example.name, []).append((role, ref, values, role.overrides))
        used.add(example.name)

    # The model of each example, then each result's verdict.
    for name, results in pending.items():
        example = next(e for e in built if e.name == name)
        model = paragraph.model or _model_of(results)
        example.spec["model"] = model
        for role, ref, values, overrides in results:
            fig = role.figure
            shown = {m: fmt.by_unit(*values[m]) for m in MODELS}
            both = tuple((m, shown[m]) for m in MODELS) if shown["simple"] != shown["exchange"] else (("", shown[model]),)
            extra = "".join(f", {key}={value!r}" for key, value in overrides.items())
            if agrees(fig, *values[model]):
                stated = f'stated="{fig.stated}"' + (f", tol={fig.half_unit}" if fig.scaled else "")
                if values[model][1] in ("percent", "ratio"):
                    decimals = fig.decimals
                else:
                    decimals = 0 if fig.scaled else fig.decimals
                macro = f'{{{{ fig("{ref}"{extra}, {stated}, decimals={decimals}) }}}}'
                note = "; ".join(f"{k}={v}" for k, v in overrides.items())
                decided[id(role)] = (role, Claim(fig.line, fig.text, CHECKED, ref=ref, computed=((model, shown[model]),)
                                                 if len(both) > 1 else both, note=note), macro)
            else:
                macro = f'{{{{ fig("{ref}"{extra}, draft="{fig.stated}") }}}}'
                note = f"the page uses the {model} model" + ("".join(f"; {k}={v}" for k, v in overrides.items()))
                decided[id(role)] = (role, Claim(fig.line, fig.text, CORRECTED, ref=ref, computed=both, note=note), macro)

    # Inputs: of a declared example (one with a result, or complete), else unverified.
    for example in built:
        if example.incomplete:
            continue
        if example.name not in used:
            lacking = [name for name in example.missing]
            if lacking:
                example.incomplete = ("a position whose text does not give " +
                                      ", ".join(_FIELD_WORDS[name] for name in lacking))
                continue
            example.spec.setdefault("model", paragraph.model or "simple")
        examples[example.name] = example.spec
    for role in paragraph.roles:
        if id(role) in decided or role.role not in ("input", "wallet"):
            continue
        example = example_of(role)
        fig = role.figure
        if example is None or example.incomplete:
            reason = example.incomplete if example is not None else "a figure outside any worked example"
            decided[id(role)] = (role, Claim(fig.line, fig.text, UNVERIFIED, note=reason), "")
            continue
        field_name = example.inputs.get(id(role.figure)) or _same_input(example, role)
        if example.kind == POSITION and field_name == "size":
            ref = f"{example.name}.notional"
            macro = f'{{{{ fig("{ref}", stated="{fig.stated}", decimals={0 if fig.scaled else fig.decimals}) }}}}'
            decided[id(role)] = (role, Claim(fig.line, fig.text, INPUT, ref=f"{example.name} (size: margin = size / leverage)"), macro)
            continue
        macro = f'{{{{ inputs("{example.name}", "{field_name}") }}}}'
        decided[id(role)] = (role, Claim(fig.line, fig.text, INPUT, ref=f"{example.name} ({field_name})"), macro)
    return [decided[id(role)] for role in paragraph.roles]


def _same_input(example: _Example, role: recognise.Role) -> str:
    """The field of an input figure said again ("your $1,000"): the field it was first read as; a
    rate shared by every position: the first position's."""
    if example.kind == ACCOUNT and role.position is None and role.name == "mmr":
        return f"positions.{example.spec['positions'][0]['label']}.mmr"
    if example.kind == ACCOUNT:
        return role.name if role.name == "wallet_balance" else f"positions.{role.asset}.{role.name}"
    return role.name


def _no_example_reason(role: recognise.Role, paragraph: recognise.Paragraph) -> str:
    if role.in_range:
        return "part of a range, not a worked example's figure: cite its source"
    return "not part of a worked example: cite its source, or give the position it belongs to"


def _output_of(role: recognise.Role, example: _Example) -> str:
    if role.by_value:
        return _by_value(role, example)
    if example.kind == ACCOUNT:
        if "{asset}" in role.cross_name:
            return role.cross_name.replace("{asset}", role.asset or "") if role.asset else ""
        return role.cross_name
    return role.name


def _by_value(role: recognise.Role, example: _Example) -> str:
    """The one result of a position example this figure's value agrees with, under either model ("" if none or several)."""
    if example.kind != POSITION:
        return ""
    computer = _Computer({example.name: example.spec})
    found = []
    for output in recognise.VALUE_MATCHED.get(role.figure.kind, ()):
        ref = f"{example.name}.{output}"
        if _depends_on(computer, ref, example.missing, role.overrides):
            continue
        for model in MODELS:
            try:
                value, unit = computer.value(ref, model=model, **role.overrides)
            except Exception:  # noqa: BLE001
                continue
            if agrees(role.figure, value, unit):
                found.append(output)
                break
    return found[0] if len(found) == 1 else ""


def _model_of(results: list[tuple[recognise.Role, str, dict[str, Any], dict[str, Any]]]) -> str:
    """The model under which every figure whose value depends on the model agrees; simple first, and
    simple when neither makes them all agree."""
    dependent = [(role, values) for role, _, values, _ in results
                 if fmt.exact(values["simple"][0]) != fmt.exact(values["exchange"][0])]
    for model in MODELS:
        if all(agrees(role.figure, *values[model]) for role, values in dependent):
            return model
    return "simple"


_PLACEHOLDER = "\x00{}\x00"


def _markdown(text: str, replacements: list[tuple[recognise.Figure, str]]) -> str:
    """The paragraph as Markdown that renders as written, with each replaced figure a macro call."""
    pieces, at = [], 0
    for number, (figure, _) in enumerate(sorted(replacements, key=lambda item: item[0].start)):
        pieces += [text[at:figure.start], _PLACEHOLDER.format(number)]
        at = figure.end
    pieces.append(text[at:])
    escaped = markdown_text("".join(pieces))
    for number, (_, macro) in enumerate(sorted(replacements, key=lambda item: item[0].start)):
        escaped = escaped.replace(_PLACEHOLDER.format(number), macro)
    return escaped


# ----------------------------------------------------------------------------------------- pages

_FRONT = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
_FENCE = re.compile(r"^(?P<fence>```+|~~~+).*?^(?P=fence)[ \t]*$", re.S | re.M)
_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}", re.S)
_MACRO = re.compile(r"\{\{(.*?)\}\}", re.S)
_NOT_PROSE = re.compile(
    r"\{%.*?%\}|\{#.*?#\}|<!--.*?-->|`[^`\n]*`|\]\([^)\s]*\)|<[A-Za-z/!][^>]*>|https?://\S+", re.S)


def _blank(text: str, start: int, end: int) -> str:
    """``text`` with ``start:end`` replaced by spaces, newlines kept (so lines keep their numbers)."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _call(source: str) -> tuple[str, list[Any], dict[str, Any]] | None:
    """A macro call's name, positional and keyword arguments (literals only), or None."""
    try:
        node = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        return None
    try:
        args = [ast.literal_eval(arg) for arg in node.args]
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
    except ValueError:
        return None
    return node.func.id, args, kwargs


def page_claims(markdown: str, source: str = "page", *, compute: bool = False,
                examples: Mapping[str, Any] | None = None) -> Ledger:
    """The ledger of a page's Markdown (see the module's docstring). With ``compute``, checked,
    corrected and computed figures carry their values (from ``examples``, the page's front matter)."""
    ledger = Ledger(source)
    text = markdown
    front = _FRONT.match(text)
    if front:
        text = _blank(text, 0, front.end())
    for pattern in (_FENCE, _RAW):
        for match in list(pattern.finditer(text)):
            text = _blank(text, match.start(), match.end())
    computer = _Computer(examples) if compute and examples else None
    found: list[tuple[int, Claim]] = []

    def line_of(offset: int) -> int:
        return markdown.count("\n", 0, offset) + 1

    for match in list(_MACRO.finditer(text)):
        call = _call(match.group(1))
        text = _blank(text, match.start(), match.end())
        if call is None:
            continue
        name, args, kwargs = call
        line = line_of(match.start())
        if name == "fig" and args and isinstance(args[0], str):
            ref = args[0]
            overrides = {k: v for k, v in kwargs.items() if k not in ("stated", "draft", "tol", "decimals")}
            computed: tuple[tuple[str, str], ...] = ()
            if computer is not None:
                try:
                    computed = (("", computer.shown(ref, **overrides)),)
                except Exception:  # noqa: BLE001 - the build reports a bad call; the ledger only lists it
                    computed = ()
            note = ", ".join(f"{k}={v!r}" for k, v in overrides.items())
            if "draft" in kwargs:
                found.append((match.start(), Claim(line, str(kwargs["draft"]), CORRECTED, ref=ref, computed=computed, note=note)))
            elif "stated" in kwargs:
                found.append((match.start(), Claim(line, str(kwargs["stated"]), CHECKED, ref=ref, computed=computed, note=note)))
            else:
                found.append((match.start(), Claim(line, "fig()", COMPUTED, ref=ref, computed=computed, note=note)))
        elif name == "inputs" and len(args) >= 2:
            found.append((match.start(), Claim(line, "inputs()", INPUT, ref=f"{args[0]} ({args[1]})")))
        elif name == "cite" and len(args) >= 2 and isinstance(args[0], str):
            for figure in recognise.figures(args[0], line) or [None]:
                found.append((match.start(), Claim(line, figure.text if figure else args[0], CITED, note=str(args[1]))))
    for match in list(_NOT_PROSE.finditer(text)):
        text = _blank(text, match.start(), match.end())
    for figure in recognise.figures(text):
        line = line_of(figure.start)
        found.append((figure.start, Claim(line, figure.text, UNVERIFIED,
                                          note="typed in the prose: compute it with fig() or inputs(), or cite its source")))
    ledger.claims = [claim for _, claim in sorted(found, key=lambda item: item[0])]
    return ledger


def page_file_claims(path: Path, *, compute: bool = True) -> Ledger:
    """:func:`page_claims` of a page file, with its front matter's examples."""
    from .publishing import front_matter

    markdown = Path(path).read_text("utf-8")
    examples = front_matter(markdown).get("examples") if compute else None
    return page_claims(markdown, str(path), compute=compute, examples=examples if isinstance(examples, Mapping) else None)
