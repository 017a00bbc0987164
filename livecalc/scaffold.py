"""``livecalc new SLUG``: a new guide's page, complete enough to build on the first ``mkdocs build``.

The page has every front matter key the site reads, each with a comment saying what it does and its
format, one worked example with every input of its calculator written out (the calculator's own
defaults, from its description), and a body that shows the example's primary figures with ``fig()``
and ``stated=`` (computed here, from ``calculators``, so the build's check passes), its inputs with
``inputs()`` and the live calculator with ``calculator()``. The writer then changes what they need;
``docs/authoring.md`` explains each part.

The keys and where they are read:

- ``title``, ``description``: the ``<title>``, H1 and search snippet (``overrides/partials/livecalc-page.html``);
  the audit wants 30 to 60 and 70 to 160 characters (:data:`livecalc.audit.TITLE_RANGE`);
- ``slug``: the page's address, which must be its file name (:func:`livecalc.publishing.check_page`);
- ``target_keyword``: the phrase the audit looks for (:mod:`livecalc.audit`);
- ``topic``: the menu section (the guides' navigation by topic);
- ``status``: ``draft`` or ``ready`` (:data:`livecalc.publishing.STATUSES`);
- ``date``: published, ``YYYY-MM-DD`` (the byline, JSON-LD ``datePublished``, the sitemap);
- ``examples``: the worked examples (``macros/figures.py``).
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calculators import descriptions, grammar
from calculators.descriptions import Calculator, Field, Modes, Output
from presentation import format as fmt

from . import audit, publishing

#: a slug: lowercase words of letters and digits joined by single hyphens (the page's address)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: the example's name in the page (fig("example.liquidation_price"))
EXAMPLE = "example"

#: the menu section when the writer names none (the guides' navigation falls back to it too)
DEFAULT_TOPIC = "Guides"

#: units whose figures a writer can state (fmt.parse_stated reads them)
STATABLE = ("usd", "price", "percent", "ratio", "quantity", "count")


class ScaffoldRefused(Exception):
    """The page cannot be written (a bad slug, a slug in use, a title of the wrong length); one line."""


@dataclass(frozen=True)
class Written:
    path: Path
    replaced: bool
    slug: str
    status: str


def check_slug(slug: str) -> None:
    """Refuse a slug that is not lowercase words joined by hyphens.

    >>> check_slug("my-first-guide")
    >>> check_slug("My_Guide")
    Traceback (most recent call last):
    ...
    livecalc.scaffold.ScaffoldRefused: 'My_Guide' is not a slug: use lowercase letters and digits in words joined by single hyphens, for example my-first-guide
    """
    if not SLUG.match(slug):
        raise ScaffoldRefused(f"{slug!r} is not a slug: use lowercase letters and digits in words joined by "
                              f"single hyphens, for example my-first-guide")


def default_title(keyword: str) -> str:
    """The keyword as a title, lengthened to the audit's 30 characters when it is shorter.

    >>> default_title("my first guide")
    'My first guide: a worked example with a calculator'
    >>> default_title("guide with profit and loss")
    'Guide with profit and loss: a worked example'
    >>> default_title("crypto isolated margin vs cross margin")
    'Crypto isolated margin vs cross margin'
    """
    title = keyword[:1].upper() + keyword[1:]
    low, high = audit.TITLE_RANGE
    if len(title) < low:
        for suffix in (": a worked example with a calculator", ": a worked example", ", a worked example with a calculator"):
            if low <= len(title + suffix) <= high:
                return title + suffix
    return title


def default_description(keyword: str) -> str:
    """A search snippet holding the keyword, 70 characters or more.

    >>> default_description("my first guide")
    'My first guide, with a worked example whose figures are computed and checked when the site is built, and a live calculator.'
    """
    return (f"{keyword[:1].upper() + keyword[1:]}, with a worked example whose figures are computed and checked "
            f"when the site is built, and a live calculator.")


def _yaml(value: Any) -> str:
    """A scalar as YAML: JSON's double-quoted string is valid YAML (a title may hold ': ' or '#')."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _typed(field: Field, value: Any) -> str:
    """An input as a writer types it in the front matter: 65000, 0.5%, 10, long."""
    if field.kind == "number" and field.unit == "percent":
        return f"{value}%"
    if field.kind == "text":
        return _yaml(value)
    return str(value)


def _field_comment(field: Field) -> str:
    """``Entry price, dollars, above 0 ...``: what the input is and what it accepts, from its description."""
    if field.kind == "choice":
        return f"{field.label}: " + " or ".join(key for key, _ in field.choices)
    unit = {"usd": "dollars (a $ and thousands commas may be typed)", "percent": "percent", "multiple": "a multiple (10 or 10x)",
            "none": "a number"}.get(field.unit, field.unit) if field.kind == "number" else "text"
    rules = field.rules
    bounds = [f"{word} {grammar.plain(rules[key])}" for key, word in
              (("minimum", "at least"), ("exclusiveMinimum", "above"), ("maximum", "at most")) if key in rules]
    return f"{field.label}, {unit}" + (f"; {', '.join(bounds)}" if bounds else "")


def example_inputs(calc: Calculator) -> dict[str, Any]:
    """The worked example: every input of ``calc``, from its defaults."""
    return descriptions.complete_inputs(calc, {})


def _example_yaml(calc: Calculator, inputs: dict[str, Any]) -> list[str]:
    lines = [f"  {EXAMPLE}:"]
    entries = [("calculator", calc.name, f"{calc.title}: `livecalc calculators {calc.name}` lists its inputs")]
    entries += [(f.name, _typed(f, inputs[f.name]), _field_comment(f)) for f in calc.fields]
    width = max(len(f"{name}: {value}") for name, value, _ in entries)
    lines += [f"    {f'{name}: {value}'.ljust(width)}  # {comment}" for name, value, comment in entries]
    if calc.rows is not None:
        rows = calc.rows
        lines.append(f"    # {rows.name}: one line per {rows.label.lower()} (up to {rows.max_rows}), each with")
        lines += [f"    #   {f.name}: {_field_comment(f)}" for f in rows.fields]
        lines.append(f"    {rows.name}:")
        for row in inputs[rows.name]:
            cells = ", ".join(f"{f.name}: {_typed(f, row[f.name])}" for f in rows.fields if f.name in row)
            lines.append(f"      - {{{cells}}}")
    return lines


def _stated(value: Any, unit: str) -> str | None:
    """The figure as ``fig()`` shows it, if the build's check would accept it as stated (a value exactly
    half-way between two shown figures is not: it is stated with more digits, or not at all)."""
    exact = fmt.exact(value)
    if exact is None:
        return None
    for decimals in (None, 4, 6, 8):
        shown = fmt.by_unit(value, unit, decimals)
        claimed, half = fmt.parse_stated(shown.replace(fmt.MINUS, "-"), unit)
        if abs(exact - claimed) < half:
            return shown.replace(fmt.MINUS, "-")
    return None


def _figures(calc: Calculator, outputs: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """``(path, label, stated)`` of the calculator's primary figures (its headline results)."""
    found = []
    for node in calc.outputs:
        if isinstance(node, Output) and node.primary:
            found.append((node.name, node.label, node.unit, outputs.get(node.name)))
        elif isinstance(node, Modes):
            for mode, mode_label in node.modes:
                found += [(f"{mode}.{o.name}", f"{o.label}, {mode_label.lower()}", o.unit, outputs[mode].get(o.name))
                          for o in node.outputs if o.primary]
    return [(path, label, _stated(value, unit) if unit in STATABLE else None) for path, label, unit, value in found]


def render(slug: str, *, title: str, description: str, keyword: str, topic: str, status: str,
           date: datetime.date, calculator: str) -> str:
    """The page's Markdown."""
    calc = descriptions.CALCULATORS[calculator]
    inputs = example_inputs(calc)
    outputs = descriptions.compute(calc.name, inputs)
    front = [
        "---",
        f"# Written by `livecalc new {slug}`. Every key is explained in docs/authoring.md (\"For writers\").",
        "# The <title>, the H1 and the card: 30 to 60 characters, with the target keyword.",
        f"title: {_yaml(title)}",
        "# The search snippet: 70 to 160 characters, with the target keyword.",
        f"description: {_yaml(description)}",
        "# The page's address, /<slug>/: the file's name, lowercase words joined by hyphens.",
        f"slug: {slug}",
        "# The phrase the audit looks for in the title, the H1, the first paragraph, the slug and the description.",
        f"target_keyword: {_yaml(keyword)}",
        "# The menu section the guide is listed under.",
        f"topic: {_yaml(topic)}",
        "# draft: left out of `make site`, shown by `make serve` marked as a draft. ready: published.",
        f"status: {status}",
        "# Published on, YYYY-MM-DD. Add `reviewed: YYYY-MM-DD` when an editor checks the page again.",
        f"date: {date.isoformat()}",
        "# Worked examples, each declared once as its inputs; fig(), inputs() and calculator() read them.",
        "# An input left out takes the calculator's default; every one is written out here to be changed.",
        "examples:",
        *_example_yaml(calc, inputs),
        "---",
    ]
    statements = []
    for path, label, stated in _figures(calc, outputs):
        claim = f', stated="{stated}"' if stated else ""
        statements.append(f'- {label}: {{{{ fig("{EXAMPLE}.{path}"{claim}) }}}}')
    shown_inputs = [f'- {f.label}: {{{{ inputs("{EXAMPLE}", "{f.name}") }}}}' for f in calc.fields]
    if calc.rows is not None:
        shown_inputs += [f'- {f.label} of the first {calc.rows.label.lower()}: '
                         f'{{{{ inputs("{EXAMPLE}", "{calc.rows.name}.0.{f.name}") }}}}'
                         for f in calc.rows.fields if f.kind == "number"]
    body = [
        "",
        f"# {title}",
        "",
        f"Replace this paragraph with the introduction to {keyword}. The audit looks for the target keyword "
        f"(\u201c{keyword}\u201d) in this first paragraph, so keep it here.",
        "",
        "## A worked example",
        "",
        "{# Each figure below is computed from the example in the front matter when the site is built.",
        "   stated= is the figure you expect: if the calculators disagree, the build stops and names this",
        "   line. Change an input above, build, and the build tells you the new figure. #}",
        f"The example's inputs, as a reader types them ({calc.title.lower()}):",
        "",
        *shown_inputs,
        "",
        "What the calculator gives for them:",
        "",
        *statements,
        "",
        "## Try it",
        "",
        "{# The live calculator starts from the example; the reader can change every input. #}",
        f'{{{{ calculator("{calc.name}", example="{EXAMPLE}") }}}}',
        "",
    ]
    return "\n".join(front + body)


def write_page(slug: str, docs_dir: Path, *, force: bool = False, title: str | None = None,
               description: str | None = None, keyword: str | None = None, topic: str | None = None,
               status: str = "draft", date: datetime.date | None = None, calculator: str | None = None) -> Written:
    """Write ``docs_dir/slug.md``; raise :class:`ScaffoldRefused` (nothing written) when it cannot be."""
    check_slug(slug)
    keyword = (keyword or slug.replace("-", " ")).strip()
    title = (title or default_title(keyword)).strip()
    description = (description or default_description(keyword)).strip()
    for what, text, (low, high) in (("title", title, audit.TITLE_RANGE),
                                    ("description", description, audit.DESCRIPTION_RANGE)):
        if not low <= len(text) <= high:
            raise ScaffoldRefused(f"the {what} has {len(text)} characters; the audit wants {low} to {high} "
                                  f"(give --{what} \"...\")")
    if status not in publishing.STATUSES:
        raise ScaffoldRefused(f"status {status!r}: use one of {', '.join(publishing.STATUSES)}")
    calculator = calculator or next(iter(descriptions.CALCULATORS))
    if calculator not in descriptions.CALCULATORS:
        from .reference import find  # its message suggests the closest names
        try:
            find(calculator)
        except LookupError as error:
            raise ScaffoldRefused(str(error.args[0])) from None
    path = Path(docs_dir) / f"{slug}.md"
    others = [p for p in publishing.slug_users(Path(docs_dir), slug) if p.resolve() != path.resolve()]
    if others:
        raise ScaffoldRefused(f"the slug {slug!r} is already used by {others[0]}; choose another slug")
    replaced = path.exists()
    if replaced and not force:
        raise ScaffoldRefused(f"{path} already exists; choose another slug, or give --force to replace it")
    text = render(slug, title=title, description=description, keyword=keyword, topic=topic or DEFAULT_TOPIC,
                  status=status, date=date or datetime.date.today(), calculator=calculator)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return Written(path, replaced, slug, status)
