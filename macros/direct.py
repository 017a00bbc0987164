"""A page whose only template syntax is macro calls with literal arguments, rendered without Jinja.

A guide's macros are calls such as ``{{ fig("main.notional", stated="$1,500") }}``: a name, then
strings and numbers. mkdocs-macros hands every page to Jinja, which compiles it into a Python module
(lexing, parsing, generating and compiling Python code) to run it once. For a guide with 27 calls
that compile is about 6 ms, more than the macros' own work: 1.2 s of a 6.7 s rebuild of 200
generated guides, against 3.7 s for plain Material building the same pages (``python -m bench.build
--breakdown 200``); a page's Jinja cost, as far as we could measure it, grows with its calls.

So :func:`render` reads such a page itself: when every ``{{`` starts a call of one of our macros
with literal arguments (quoted strings without backslashes, numbers, ``True``/``False``/``None``),
on one line, and the page has no other template syntax at all (no ``{%``, ``{#``, no changed
delimiters or line statements), it calls the macros in the page's order, as Jinja would, each with
its line, and puts their text in place (``str()`` of the result, as ``{{ }}`` does; Jinja's
dropping of one trailing newline kept). Any other page, or any call outside that grammar, goes to
Jinja whole, unchanged: this is only ever a shorter road to the same text, and
``tests/test_direct.py`` holds it to Jinja's rendering of generated pages, problems and their lines
included.

mkdocs-macros is then told, through the page's own switch ``render_macros: false`` (on its copy of
the page's variables, never on the page), that the page has nothing left to render.
"""

from __future__ import annotations

import re
from copy import copy
from typing import Any

#: One argument: an optional keyword, then a literal, then a comma or the end of the list.
_LITERAL = r"""(?:"[^"\\\n]*"|'[^'\\\n]*'|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?|True|False|None|true|false|none)"""
_ARGUMENT = re.compile(rf"[ \t]*(?:([A-Za-z_]\w*)[ \t]*=(?!=)[ \t]*)?({_LITERAL})[ \t]*(?:,|$)")
#: A call on one line: ``{{ name(arguments) }}``, nothing else between the braces.
_CALL = re.compile(r"\{\{[ \t]*([A-Za-z_]\w*)\(((?:[^\n()\"'{}]|\"[^\"\\\n]*\"|'[^'\\\n]*')*)\)[ \t]*\}\}")
_OPENING = re.compile(r"(?=\{\{)")
_CONSTANTS = {"True": True, "true": True, "False": False, "false": False, "None": None, "none": None}
#: the marker a macro that Jinja may skip carries (macros/__init__.py's guarded macros)
MARK = "livecalc_direct"


def _value(text: str) -> Any:
    if text[0] in "\"'":
        return text[1:-1]
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    return float(text) if "." in text else int(text)


def _arguments(text: str) -> tuple[list[Any], dict[str, Any]] | None:
    """The positional and keyword arguments written in ``text``, or None when it is not a list of
    literals that Jinja would read the same way (a positional after a keyword, a keyword twice)."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    if not text.strip():
        return args, kwargs
    at, end = 0, len(text)
    while at < end:
        match = _ARGUMENT.match(text, at)
        if match is None:
            return None
        name, literal = match.groups()
        if name is None:
            if kwargs:
                return None
            args.append(_value(literal))
        else:
            if name in kwargs:
                return None
            kwargs[name] = _value(literal)
        at = match.end()
        if text[at - 1] == "," and not text[at:].strip():
            return None  # a trailing comma: Jinja takes it, but it is rare enough to leave to Jinja
    return args, kwargs


def _plan(env: Any, markdown: str) -> list[tuple[re.Match[str], Any, list[Any], dict[str, Any]]] | None:
    """Each call of the page with its macro and arguments, or None when Jinja must read the page."""
    jinja = env.env
    if (jinja.variable_start_string, jinja.variable_end_string, jinja.block_start_string,
            jinja.comment_start_string) != ("{{", "}}", "{%", "{#"):
        return None
    if jinja.line_statement_prefix or jinja.line_comment_prefix or jinja.keep_trailing_newline:
        return None
    if "{%" in markdown or "{#" in markdown or "\r" in markdown:
        return None
    page = env.variables.get("page")
    meta = getattr(page, "meta", None) or {}
    if meta.get("render_macros") is not True and (meta.get("render_macros") is False
                                                   or not env.config.get("render_by_default", True)):
        return None  # mkdocs-macros leaves this page alone; so do we
    title = getattr(page, "title", None)
    if isinstance(title, str) and ("{{" in title or "{%" in title or "{#" in title):
        return None  # mkdocs-macros renders the title through the same switch
    calls = []
    for match in _CALL.finditer(markdown):
        name = match.group(1)
        # a page variable or front-matter key of that name hides the macro in Jinja: leave it to Jinja
        if name in env.variables or name in meta:
            return None
        macro = jinja.globals.get(name)
        if not getattr(macro, MARK, False):
            return None
        arguments = _arguments(match.group(2))
        if arguments is None:
            return None
        calls.append((match, macro, *arguments))
    # every "{{" (overlapping ones too: "{{{") must start one of these calls
    if [match.start() for match, *_ in calls] != [found.start() for found in _OPENING.finditer(markdown)]:
        return None
    return calls


def render(env: Any, at_line: Any) -> bool:
    """Render the page in ``env.markdown`` without Jinja when it is made only of literal macro calls.

    ``at_line(line)`` is told the page line (of the Markdown mkdocs-macros renders) of each call before
    it is made, and ``None`` after the last. Returns whether the page was rendered here.
    """
    markdown = env.markdown
    calls = _plan(env, markdown)
    if calls is None:
        return False
    parts, done, line = [], 0, 1
    try:
        for match, macro, args, kwargs in calls:
            start = match.start()
            line += markdown.count("\n", done, start)
            parts.append(markdown[done:start])
            at_line(line)
            parts.append(str(macro(*args, **kwargs)))
            done = match.end()
    finally:
        at_line(None)
    parts.append(markdown[done:])
    text = "".join(parts)
    # Jinja drops the template's last newline (keep_trailing_newline is off: see _plan); the page's
    # last characters are text, never a call, so that newline is the text's last character too
    env.markdown = text[:-1] if markdown.endswith("\n") else text
    shown = copy(env.variables["page"])
    shown.meta = {**(getattr(shown, "meta", None) or {}), "render_macros": False}
    env.variables["page"] = shown
    return True
