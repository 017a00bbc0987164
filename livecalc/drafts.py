"""A writer's draft: read it, refuse it with the file and line of the problem, or render it as a page.

The draft format (``shared/drafts/*.txt``) is plain UTF-8 text::

    Title: Crypto Isolated Margin vs Cross Margin: A Technical Breakdown
    Slug: crypto-isolated-margin-vs-cross-margin
    Meta: Understand the key differences between ...
    Target Keyword: crypto isolated margin vs cross margin
    DRAFT_READY
    First paragraph, on one line.
    Second paragraph, on one line.

The header is the run of ``Name: value`` lines (and the optional ``DRAFT_READY`` line) at the top; it
ends at the first blank line or the first line that is not a header. Header names are matched without
regard to case or repeated spaces. Every later non-blank line is one paragraph.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

#: Header name (normalised: lower case, single spaces) -> front matter key.
HEADERS = {
    "title": "title",
    "slug": "slug",
    "meta": "description",
    "target keyword": "target_keyword",
}
REQUIRED = ("title", "slug", "meta")
DISPLAY = {"title": "Title", "slug": "Slug", "meta": "Meta", "target keyword": "Target Keyword"}
READY_MARKER = "DRAFT_READY"

#: A line that looks like ``Name: value``: a name of at most three words of letters, then a colon.
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z_-]*(?: [A-Za-z][A-Za-z_-]*){0,2})\s*:(.*)$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Names the built site already uses at its root (theme assets, search index, error page).
RESERVED_SLUGS = frozenset({"assets", "search", "index", "404", "sitemap", "robots"})


class DraftError(Exception):
    """A draft refused: ``path:line: message``; ``line`` is 1-based, 0 when the file as a whole is at fault."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(path, line, message)
        self.path, self.line, self.message = Path(path), line, message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Draft:
    """A parsed draft. ``lines`` gives the line of each header (by front matter key) and paragraph."""

    path: Path
    title: str
    slug: str
    description: str
    target_keyword: str | None
    ready: bool
    paragraphs: tuple[str, ...]
    lines: dict[str, int] = field(default_factory=dict)
    paragraph_lines: tuple[int, ...] = ()

    @property
    def status(self) -> str:
        return "ready" if self.ready else "draft"


def suggest_slug(text: str) -> str:
    """A slug a writer could use instead: lower case, runs of anything else turned into one hyphen.

    >>> suggest_slug("Cross Margin: A Guide!")
    'cross-margin-a-guide'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot be a page's address, or None when it can.

    >>> slug_problem("crypto-isolated-margin-vs-cross-margin") is None
    True
    >>> slug_problem("Cross_Margin")
    "'Cross_Margin' is not a slug: use lowercase letters, digits and single hyphens, e.g. 'cross-margin'"
    """
    if not SLUG.match(slug):
        hint = suggest_slug(slug)
        example = f", e.g. '{hint}'" if hint else ""
        return f"'{slug}' is not a slug: use lowercase letters, digits and single hyphens{example}"
    if slug in RESERVED_SLUGS:
        return f"'{slug}' is a name the built site already uses ({', '.join(sorted(RESERVED_SLUGS))}): choose another slug"
    return None


def decode(path: Path, data: bytes) -> str:
    """The draft's text; a DraftError naming the line of the first byte that is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise DraftError(
            path, line,
            f"not UTF-8: byte 0x{data[error.start]:02x} at column {column}; save the draft as UTF-8 text",
        ) from None
    return text.removeprefix("\ufeff")


def parse_draft(path: Path | str, data: bytes | None = None) -> Draft:
    """Read a draft file (or ``data``, its bytes) and return a :class:`Draft`, or raise DraftError."""
    path = Path(path)
    if data is None:
        data = path.read_bytes()
    text = decode(path, data)

    headers: dict[str, tuple[int, str]] = {}  # normalised name -> (line, value)
    ready = False
    paragraphs: list[str] = []
    paragraph_lines: list[int] = []
    in_header = True
    header_end = 1  # the first line after the header, for "missing" messages

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if in_header:
            if not line:
                if headers or ready:
                    in_header = False
                    header_end = number
                continue
            if line == READY_MARKER:
                ready = True
                continue
            match = _HEADER_LINE.match(line)
            if match:
                name = " ".join(match.group(1).lower().split())
                value = match.group(2).strip()
                if name not in HEADERS:
                    known = ", ".join(f"{DISPLAY[n]}:" for n in HEADERS)
                    raise DraftError(
                        path, number,
                        f"unknown header '{match.group(1)}:' (the headers are {known} and the line "
                        f"{READY_MARKER}); if this line is the first paragraph, put a blank line before it",
                    )
                if name in headers:
                    raise DraftError(
                        path, number,
                        f"second '{DISPLAY[name]}:' header (the first is on line {headers[name][0]}); keep one",
                    )
                headers[name] = (number, value)
                continue
            in_header = False
            header_end = number
        if not line:
            continue
        if line == READY_MARKER:
            raise DraftError(
                path, number,
                f"{READY_MARKER} is in the body; move it up to the header, right after the 'Name: value' lines",
            )
        paragraphs.append(line)
        paragraph_lines.append(number)
    else:
        if in_header:
            header_end = len(text.splitlines()) + 1

    for name in REQUIRED:
        if name not in headers:
            raise DraftError(
                path, header_end if headers else 1,
                f"no '{DISPLAY[name]}:' header; the header (the 'Name: value' lines at the top) needs "
                f"{', '.join(DISPLAY[n] + ':' for n in REQUIRED)}",
            )
        line, value = headers[name]
        if not value:
            raise DraftError(path, line, f"'{DISPLAY[name]}:' is empty; write the {DISPLAY[name].lower()} after the colon")
    title_line, title = headers["title"]
    if any(marker in title for marker in ("{{", "{%", "{#")):
        # mkdocs-macros renders a page title that holds template syntax; the build would stop on it.
        raise DraftError(
            path, title_line,
            "the title holds '{{', '{%' or '{#', which the site's macros would read as a template; rephrase it",
        )
    slug_line, slug = headers["slug"]
    problem = slug_problem(slug)
    if problem:
        raise DraftError(path, slug_line, problem)
    if "target keyword" in headers and not headers["target keyword"][1]:
        raise DraftError(
            path, headers["target keyword"][0],
            "'Target Keyword:' is empty; write the search phrase the page targets, or remove the line",
        )
    if not paragraphs:
        raise DraftError(path, header_end, "the draft has no body: write the article's paragraphs after the header")

    keyword = headers.get("target keyword", (0, None))[1]
    return Draft(
        path=path,
        title=headers["title"][1],
        slug=slug,
        description=headers["meta"][1],
        target_keyword=keyword,
        ready=ready,
        paragraphs=tuple(paragraphs),
        lines={HEADERS[name]: line for name, (line, _) in headers.items()},
        paragraph_lines=tuple(paragraph_lines),
    )


# --- Rendering ---------------------------------------------------------------------------------------

_INLINE = re.compile(r"[\\`*_\[\]]")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ORDERED = re.compile(r"^(\d+)([.)])(\s)")


def markdown_text(text: str) -> str:
    """``text`` as Markdown that renders as exactly this text, in this site's Markdown and macros.

    Python-Markdown would otherwise read emphasis, links, code, raw HTML, entities and line-start
    blocks (headings, quotes, lists, rules, definitions, fences); mkdocs-macros would read ``{{``,
    ``{%`` and ``{#``. Ordinary prose (``$65,000``, ``5% to 15%``, quotes, dashes) is left as written.

    >>> markdown_text("A *bold* [claim] costs {{ nothing }} & <b>more</b>")
    'A \\\\*bold\\\\* \\\\[claim\\\\] costs &#123;&#123; nothing }} & &lt;b>more&lt;/b>'
    >>> markdown_text("1. First")
    '1\\\\. First'
    """
    text = _ENTITY.sub("&amp;", text)  # before any entity of our own is added
    text = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    text = text.replace("{", "&#123;")  # Jinja's {{ {% {# and attr_list's {: never reach their readers
    text = _TAG_START.sub("&lt;", text)
    if text[:1] in ("#", ">", "+", "-"):
        text = "\\" + text
    elif text[:1] == ":":
        text = "&#58;" + text[1:]  # a definition list's marker; ':' has no backslash escape
    elif text[:1] in ("~", "="):
        text = f"&#{ord(text[0])};" + text[1:]  # a fence (~~~) or a heading underline (===)
    else:
        text = _ORDERED.sub(r"\1\\\2\3", text)
    return text


def front_matter(draft: Draft, date: datetime.date, examples: dict[str, object] | None = None) -> dict[str, object]:
    """The page's front matter, in the order an editor reads it: the worked examples import
    recognised (:mod:`livecalc.claims`) come last."""
    data: dict[str, object] = {
        "title": draft.title,
        "description": draft.description,
        "slug": draft.slug,
    }
    if draft.target_keyword:
        data["target_keyword"] = draft.target_keyword
    data["status"] = draft.status
    data["date"] = date
    if examples:
        data["examples"] = examples
    return data


def render_page(draft: Draft, date: datetime.date, examples: dict[str, object] | None = None,
                paragraphs: list[str] | None = None) -> str:
    """The Markdown page for ``draft``: front matter, the title as the H1, one paragraph per draft line.

    ``paragraphs``, when given, are the draft's paragraphs already as Markdown (with figures turned
    into macro calls by :func:`livecalc.claims.read_draft`); otherwise each line is escaped as is.
    """
    header = yaml.safe_dump(
        front_matter(draft, date, examples), sort_keys=False, allow_unicode=True, width=10_000,
        default_flow_style=False,
    )
    if paragraphs is None:
        paragraphs = [markdown_text(paragraph) for paragraph in draft.paragraphs]
    body = "\n\n".join(paragraphs)
    return f"---\n{header}---\n\n# {markdown_text(draft.title)}\n\n{body}\n"
