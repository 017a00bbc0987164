"""The library of guides: where each guide is listed, read from its own front matter.

mkdocs.yml's ``nav:`` lists the site's own pages (home, calculators, methodology, for writers). Every
other published page is a guide of the library, shelved under its front matter ``topic:`` (a guide
without one is shelved under :data:`FALLBACK_TOPIC`), so that an imported or hand-written guide is in
the menu, on the home page's list and among its neighbours' related guides without anyone editing
mkdocs.yml. The build's hooks (``overrides/hooks/publishing.py``) put the shelves into MkDocs'
navigation, the home page's list and each guide's related guides; the rules are here, as plain data,
so that they can be tested without a build.

Order: topics alphabetically (case-insensitive); in a topic, guides alphabetically by title, then by
file. A guide's related guides are the next :data:`RELATED_COUNT` of its topic in that order, wrapping
round, so that every guide of a topic is linked from the guides before it, and each list stays short
however large the topic grows. In the menu, a guide's page opens its own topic and shows the guides
within :data:`MENU_REACH` of it (:func:`window`), so that no page carries a whole large topic.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence, TypeVar

T = TypeVar("T")

FALLBACK_TOPIC = "Guides"
RELATED_COUNT = 5
#: A guide's page shows this many guides of its own topic either side of it in the menu (the whole
#: topic, every guide, is on the home page's list).
MENU_REACH = 5


@dataclass(frozen=True)
class Guide:
    """One guide of the library: its file in the docs folder (``src_uri``), title and topic."""

    src_uri: str
    title: str
    topic: str


@dataclass(frozen=True)
class Shelf:
    """The guides of one topic, in reading order."""

    topic: str
    guides: tuple[Guide, ...]


def topic_of(meta: Mapping[str, Any]) -> str:
    """A page's topic: its front matter ``topic``, else :data:`FALLBACK_TOPIC`.

    >>> topic_of({"topic": "  Margin "}), topic_of({}), topic_of({"topic": ""})
    ('Margin', 'Guides', 'Guides')
    """
    topic = re.sub(r"\s+", " ", str(meta.get("topic") or "")).strip()
    return topic or FALLBACK_TOPIC


def guide(src_uri: str, meta: Mapping[str, Any]) -> Guide:
    """The library's entry for a page: its front matter title (MkDocs' own title for the page), else
    its file name, and its topic."""
    title = str(meta.get("title") or "").strip()
    if not title:
        title = posixpath.splitext(posixpath.basename(src_uri))[0].replace("-", " ").replace("_", " ").capitalize()
    return Guide(src_uri=src_uri, title=title, topic=topic_of(meta))


def shelves(guides: Iterable[Guide]) -> list[Shelf]:
    """The guides grouped by topic, topics and guides in reading order.

    Topics that differ only in case are one topic, named as its first guide (in file order) names it.

    >>> [(s.topic, [g.title for g in s.guides]) for s in shelves([
    ...     Guide("b.md", "Beta", "margin"), Guide("a.md", "Alpha", "Margin"), Guide("c.md", "Gamma", "Fees")])]
    [('Fees', ['Gamma']), ('Margin', ['Alpha', 'Beta'])]
    """
    by_topic: dict[str, list[Guide]] = {}
    names: dict[str, str] = {}
    for entry in sorted(guides, key=lambda g: g.src_uri):
        key = entry.topic.casefold()
        names.setdefault(key, entry.topic)
        by_topic.setdefault(key, []).append(entry)
    return [
        Shelf(names[key], tuple(sorted(by_topic[key], key=lambda g: (g.title.casefold(), g.src_uri))))
        for key in sorted(by_topic)
    ]


def related(shelf: Shelf, src_uri: str, count: int = RELATED_COUNT) -> list[Guide]:
    """The guides to link from ``src_uri``: the next ``count`` of its topic, wrapping round.

    >>> shelf = Shelf("T", tuple(Guide(f"{n}.md", n, "T") for n in "abcd"))
    >>> [g.title for g in related(shelf, "c.md", 2)], [g.title for g in related(shelf, "d.md")]
    (['d', 'a'], ['a', 'b', 'c'])
    """
    uris = [g.src_uri for g in shelf.guides]
    if src_uri not in uris:
        return []
    start = uris.index(src_uri)
    others = shelf.guides[start + 1:] + shelf.guides[:start]
    return list(others[:count])


def window(items: Sequence[T], index: int, reach: int = MENU_REACH) -> list[T]:
    """The items within ``reach`` of ``items[index]``: ``2 * reach + 1`` of them when there are that many,
    the window shifted inward at either end of the list so that it stays that long.

    >>> window("abcdefghij", 4, 2), window("abcdefghij", 0, 2), window("abcdefghij", 9, 2), window("abc", 1, 2)
    (['c', 'd', 'e', 'f', 'g'], ['a', 'b', 'c', 'd', 'e'], ['f', 'g', 'h', 'i', 'j'], ['a', 'b', 'c'])
    """
    size = 2 * reach + 1
    start = max(0, min(index - reach, len(items) - size))
    return list(items[start:start + size])


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")


def _link_text(title: str) -> str:
    """A title as Markdown link text that shows exactly the title."""
    text = title.replace("&", "&amp;").replace("<", "&lt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def listing_markdown(all_shelves: list[Shelf], from_uri: str, heading_level: int = 3) -> str:
    """The list of every guide, grouped by topic, as Markdown links relative to the page ``from_uri``
    (MkDocs checks and rewrites them like any link a writer types). A topic's heading is left out when
    the only topic is :data:`FALLBACK_TOPIC` (the page's own heading already says "Guides").

    >>> print(listing_markdown([Shelf("Fees", (Guide("fees/a.md", "A *b* [c]", "Fees"),))], "index.md"))
    ### Fees
    <BLANKLINE>
    - [A \\*b\\* \\[c\\]](fees/a.md)
    <BLANKLINE>
    """
    base = posixpath.dirname(from_uri)
    lone_fallback = len(all_shelves) == 1 and all_shelves[0].topic == FALLBACK_TOPIC
    lines: list[str] = []
    for shelf in all_shelves:
        if not lone_fallback:
            lines += [f"{'#' * heading_level} {_link_text(shelf.topic)}", ""]
        lines += [f"- [{_link_text(g.title)}]({posixpath.relpath(g.src_uri, base or '.')})" for g in shelf.guides]
        lines.append("")
    return "\n".join(lines)
