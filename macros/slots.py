"""HTML a macro writes that Markdown has no business reading (a calculator's form), kept out of its way.

A calculator's markup is tens of kilobytes: its form, its build-time results, its description and first
state for the browser. Handed to Python-Markdown inside the page, it is read like any other text: its
raw HTML parsed, and, when its first tag is not a block-level one (``<link>``), every inline pattern run
over it inside a ``<p>`` that cannot legally hold a ``<section>``. Measured on a generated guide with two
calculators (``python -m bench.build --breakdown 50``): 18 ms of Markdown per page, against 5 ms for
the same page without them.

So the macro's output is held here and Markdown sees a one-line placeholder, ``<div
data-livecalc-slot="N"></div>``, a block of raw HTML it stashes untouched. The held HTML goes back
in its place only in the finished page (MkDocs' ``on_post_page``, before any other handler of that
event), so nothing between reads it either: Material's search plugin, which parses every page's
HTML in ``on_page_context`` with Python's HTMLParser, parsed the calculators only to drop them again
(they carry ``data-search-exclude``): 1.2 s of CPU in a build of 200 generated guides, more than its
whole cost for the plain pages (``python -m bench.build --breakdown 200``, before and after). The
page's HTML is the macro's HTML, byte for byte; only the stray ``<p>`` around a form that began with
``<link>`` is gone.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any, Callable

from mkdocs.plugins import event_priority

# Literal first, so that re scans for it instead of trying an optional <p> at every character of the page.
_PLACEHOLDER = re.compile(r'<div data-livecalc-slot="(\d+)"></div>')


class HtmlSlots:
    """Holds macro output until MkDocs has rendered the page, then puts it back (one per build)."""

    def __init__(self) -> None:
        self._held: dict[str, str] = {}
        self._numbers = itertools.count(1)

    def hold(self, html: str) -> str:
        """A placeholder for ``html``; :meth:`on_post_page` replaces it in the finished page."""
        number = str(next(self._numbers))
        self._held[number] = html
        return f'<div data-livecalc-slot="{number}"></div>'

    def wrap(self, macro: Callable[..., Any]) -> Callable[..., Any]:
        """``macro`` with its output held (its name and docstring kept, for mkdocs-macros' listings)."""

        @functools.wraps(macro)
        def held(*args: Any, **kwargs: Any) -> Any:
            output = macro(*args, **kwargs)
            return self.hold(output) if isinstance(output, str) and output.lstrip().startswith("<") else output

        return held

    def restore(self, text: str) -> str:
        if "data-livecalc-slot" not in text:
            return text
        parts, done = [], 0
        for match in _PLACEHOLDER.finditer(text):
            html = self._held.pop(match.group(1), None)
            if html is None:  # not ours (a writer typed this very markup): leave it
                continue
            start, end = match.span()
            # A placeholder alone in a paragraph had the <p> only because it was inline: drop both.
            if text.endswith("<p>", done, start) and text.startswith("</p>", end):
                start, end = start - 3, end + 4
            parts += (text[done:start], html)
            done = end
        parts.append(text[done:])
        return "".join(parts)

    # MkDocs' side: registered as a plugin of this build by install() ------------------------------

    @event_priority(100)  # before every other handler of the finished page (hooks that read it)
    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        return self.restore(output)


def install(env: Any, macro_names: tuple[str, ...]) -> HtmlSlots:
    """Hold the output of the macros ``macro_names`` (those that exist) for every page of this build.

    Called from ``define_env``, that is during MkDocs' ``on_config``; the holder joins this build's
    plugins (as MkDocs itself adds a hooks file) so that its ``on_post_page`` runs.
    """
    slots = HtmlSlots()
    env.conf["plugins"]["livecalc/slots"] = slots
    for name in macro_names:
        if name in env.macros:
            env.macro(slots.wrap(env.macros[name]), name)
    return slots
