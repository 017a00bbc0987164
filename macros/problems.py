"""A build's problems with a page's content: each one once, at its line, in the terminal and in the page.

A writer's mistake is reported as one line, ``docs/page.md:14: what is wrong; how to fix it``, with a
"did you mean" when a name is close to a valid one (:func:`did_you_mean`, from difflib). A mistake
in a worked example's inputs is reported once, at the line of the value in the front matter
(:class:`FrontMatterLines`), whatever number of macros use the example; the lines of those uses are
counted in the same line ("used on 4 lines: 25, 27, 33, 35").

``mkdocs build`` fails at its end, listing every problem of every page. ``mkdocs serve`` (the hooks
file tells us: ``extra.publishing.serving``) lists them in the terminal too, but keeps serving: each
page shows its own problems at its top (:func:`banner`, a Material "failure" admonition with the
same text), so the browser, reloaded by the rebuild, shows them, and shows the page again once they
are fixed. They are logged past MkDocs' strict-mode counter (:func:`log_past_strict_mode`): a
warning counted there would abort the rebuild, and the browser would keep the last good page.
"""

from __future__ import annotations

import difflib
import html
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import yaml

#: the line in a page where a problem is reported, for the problems that have one
MARKER = "**[livecalc error{where}: see the list at the top of the page]**"


def did_you_mean(name: Any, options: Iterable[str]) -> str:
    """``" (did you mean 'decimals'?)"`` when ``name`` is close to one of ``options``, else ``""``.

    >>> did_you_mean("decimal", ["stated", "draft", "tol", "decimals"])
    " (did you mean 'decimals'?)"
    >>> did_you_mean("colour", ["stated", "draft"])
    ''
    """
    if not isinstance(name, str):
        return ""
    options = [str(option) for option in options]
    close = difflib.get_close_matches(name, options, n=2, cutoff=0.6)
    if not close:
        return ""
    # a second name as close as the first is offered too (liquidation: liquidation_move or _price)
    ratio = [difflib.SequenceMatcher(None, name, option).ratio() for option in close]
    if len(close) > 1 and ratio[1] >= ratio[0] - 0.05:
        return f" (did you mean {close[0]!r} or {close[1]!r}?)"
    return f" (did you mean {close[0]!r}?)"


@dataclass
class Problem:
    """One mistake of a page, at one line; ``uses``: the lines of the macros that met it (an example's)."""

    page: str
    line: int | None
    message: str
    counts_uses: bool = False
    uses: set[int] = field(default_factory=set)

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}" if self.line else self.page

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        if self.counts_uses and self.uses:
            lines = sorted(self.uses)
            plural = "s" if len(lines) > 1 else ""
            text += f" (used on {len(lines)} line{plural}: {', '.join(map(str, lines))})"
        return text


@dataclass
class BuildReport:
    """Every problem and correction of one build, and what was computed (for the summary)."""

    problems: list[Problem] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    pages: int = 0
    figures: int = 0
    claims: int = 0
    tables: int = 0
    calculators: int = 0
    _keys: dict[Any, Problem] = field(default_factory=dict)

    def add(self, page: str, line: int | None, message: str, *, key: Any = None, counts_uses: bool = False) -> Problem:
        """Record a problem once: a second report with the same ``key`` (by default its place and
        message) returns the first."""
        key = key if key is not None else (page, line, message)
        if key not in self._keys:
            self._keys[key] = Problem(page, line, message, counts_uses)
            self.problems.append(self._keys[key])
        return self._keys[key]

    @property
    def errors(self) -> list[str]:
        return [str(problem) for problem in self.problems]

    def of_page(self, page: str) -> list[Problem]:
        return [problem for problem in self.problems if problem.page == page]

    def summary(self) -> str:
        """``livecalc: 6 pages, 61 computed figures (12 stated and checked), ...``: one line."""
        def n(count: int, noun: str) -> str:
            return f"{count} {noun}{'' if count == 1 else 's'}"

        text = (f"livecalc: {n(self.pages, 'page')}, {n(self.figures, 'computed figure')} "
                f"({self.claims} stated and checked), {n(self.tables, 'table')}, {n(self.calculators, 'calculator')}")
        if self.corrections:
            text += f"; {n(len(self.corrections), 'draft figure')} corrected (mkdocs build -v lists them)"
        return text


def failure_message(problems: list[Problem]) -> str:
    """What the terminal shows when a build has problems: a count, then one numbered line each."""
    listing = "\n".join(f"  {n}. {problem}" for n, problem in enumerate(problems, 1))
    return f"livecalc: {len(problems)} problem(s) with the pages' content; fix them and build again:\n{listing}"


def banner(problems: Iterable[Any], preview: bool = True) -> str:
    """A page's problems as a Material "failure" admonition: one item each, with the terminal's text."""
    lines = [str(problem) for problem in problems]
    count = f"{len(lines)} problem{'s' if len(lines) > 1 else ''}"
    title = f"livecalc: {count} on this page"
    if preview:
        title += "; mkdocs build stops until " + ("it is" if len(lines) == 1 else "they are") + " fixed"
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return (f'<div class="admonition failure livecalc-problems" id="livecalc-problems" role="alert">'
            f'<p class="admonition-title">{html.escape(title)}</p><ol>{items}</ol></div>')


# ------------------------------------------------------------------------------------------------
# Where a value is written in the front matter
# ------------------------------------------------------------------------------------------------

class FrontMatterLines:
    """The lines of a page's front matter, read as YAML nodes (which keep their line): where an
    example, and each of its inputs, is written. Read only when a problem must be placed."""

    def __init__(self, source: str) -> None:
        self.root: Any = None
        if source.startswith("---"):
            end = re.search(r"^(---|\.\.\.)[ \t]*$", source[3:], re.MULTILINE)
            if end is not None:
                block = source[3:][:end.start()].split("\n", 1)[-1]
                try:
                    self.root = yaml.compose(block, Loader=yaml.SafeLoader)
                except yaml.YAMLError:
                    self.root = None

    @staticmethod
    def _get(node: Any, key: str) -> tuple[Any, Any] | None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if getattr(key_node, "value", None) == key:
                    return key_node, value_node
        elif isinstance(node, yaml.SequenceNode) and key.isdigit() and int(key) < len(node.value):
            item = node.value[int(key)]
            return item, item
        return None

    @staticmethod
    def _line(node: Any) -> int:
        return node.start_mark.line + 2  # + 1 for the opening '---', + 1 to count from 1

    def example(self, name: str) -> Any:
        examples = self._get(self.root, "examples")
        return self._get(examples[1], name) if examples else None

    def value(self, name: str, path: str | None, declared: Any) -> tuple[str, int | None]:
        """``(example, line)``: the example whose front matter holds the input ``path``
        (``leverage``, ``positions[1].mmr``), following ``base:``, and its line; failing that, the
        line of the example ``name`` itself."""
        parts = re.findall(r"[^.\[\]]+", path or "")
        owner, seen = name, set()
        while parts and owner not in seen:
            seen.add(owner)
            found = self.example(owner)
            node = found[1] if found else None
            deepest = None
            for part in parts:
                step = self._get(node, part)
                if step is None:
                    break
                deepest, node = step[0], step[1]
            if deepest is not None:
                return owner, self._line(deepest)
            spec = declared.get(owner) if hasattr(declared, "get") else None
            base = spec.get("base") if hasattr(spec, "get") else None
            if not isinstance(base, str) or base not in declared:
                break
            owner = base
        found = self.example(name)
        return name, self._line(found[0]) if found else None


# ------------------------------------------------------------------------------------------------
# The terminal
# ------------------------------------------------------------------------------------------------

def log_past_strict_mode(logger: logging.Logger, level: int, message: str) -> None:
    """Log ``message`` for the terminal without MkDocs' strict-mode counter seeing it (``mkdocs serve``:
    see the module's docstring). The counter is the ``CountHandler`` a build adds to the ``mkdocs``
    logger; it is passed over for this one record."""
    from mkdocs.utils import CountHandler

    def not_counted(record: logging.LogRecord) -> bool:
        return record.msg is not message

    counters = [h for h in logging.getLogger("mkdocs").handlers if isinstance(h, CountHandler)]
    for counter in counters:
        counter.addFilter(not_counted)
    try:
        logger.log(level, message)
    finally:
        for counter in counters:
            counter.removeFilter(not_counted)


class QuietMacros(logging.Filter):
    """mkdocs-macros' start-up lines (modules found, the lists of variables, macros and filters) as
    debug detail: shown by ``mkdocs build -v`` only. It writes them at INFO, and its ``verbose``
    option governs only the macros' own ``chatter``. Its report of a template error is dropped when
    livecalc has reported the same error, at its line (:func:`swallow_next_macros_error`)."""

    swallow_next_warning = False

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            if QuietMacros.swallow_next_warning:
                QuietMacros.swallow_next_warning = False
                return False
            return True
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger("mkdocs").isEnabledFor(logging.DEBUG)


def quiet_macros_log() -> None:
    logger = logging.getLogger("mkdocs.plugins.mkdocs_macros.util")
    if not any(isinstance(f, QuietMacros) for f in logger.filters):
        logger.addFilter(QuietMacros())
