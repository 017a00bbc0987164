"""The on-page SEO audit of a built site (``livecalc check``, and the end of every ``mkdocs build``).

It reads the HTML that MkDocs wrote -- what a search engine reads -- page by page, and reports each
finding with the page, the rule, what it found and how to fix it. The rules, and their severity:

=========================  ========  ===========================================================
rule                       severity  passes when
=========================  ========  ===========================================================
title-length               error     ``<title>`` has 30 to 60 characters
description-length         error     ``<meta name="description">`` has 70 to 160 characters
h1-count                   error     the page has exactly one ``<h1>``
image-alt                  error     every ``<img>`` has a non-empty ``alt`` (Markdown ``![](x)`` has
                                     none), unless marked decorative (``role="presentation"``)
broken-link                error     every internal link (``a``, ``img``, ``link``, ``script``)
                                     leads to a file of the site, and its ``#fragment`` to an id
duplicate-title            error     no two pages share a ``<title>``
duplicate-description      error     no two pages share a meta description
canonical                  error     an absolute ``http(s)`` canonical URL, equal to ``og:url``
social-image               error     ``og:image`` is absolute and, when on this site, exists
structured-data            error     a guide's JSON-LD parses: an ``Article`` with headline,
                                     description, datePublished, dateModified, author, publisher,
                                     image, and a ``BreadcrumbList``
keyword-title              warning   the target keyword is in the ``<title>``
keyword-h1                 warning   ... in the H1
keyword-first-paragraph    warning   ... in the article's first paragraph
keyword-slug               warning   ... in the slug (its words joined by hyphens)
keyword-description        warning   ... in the meta description
keyword-missing            warning   a guide (``og:type`` article) declares a target keyword
site-url                   warning   the canonical URLs are not on localhost (set ``SITE_URL``)
unverified-figure          warning   every money amount and percentage in a published page's prose
                                     is computed (``fig()``), an input (``inputs()``) or cited
                                     (``cite()``); read from the page's Markdown, with its line
=========================  ========  ===========================================================

Errors stop the build and make ``livecalc check`` exit non-zero; warnings are advice.

The target keyword comes from the page's ``<meta name="keywords">``, which the theme writes from the
front matter's ``target_keyword``. Matching ignores case and punctuation: both texts are lowercased
and every run of characters other than letters and digits becomes one space, then the keyword's words
must appear together and in order, as whole words ("cross-margin" matches "cross margin"; "margins"
does not match "margin": no stemming, no synonyms, no reordering).

A page marked ``noindex`` (a draft shown by ``mkdocs serve`` or a preview build) is audited too, but
its findings are warnings: a draft is allowed to be unfinished.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Iterable
from urllib.parse import unquote, urljoin, urlsplit

from . import recognise

if TYPE_CHECKING:
    from .claims import Ledger

TITLE_RANGE = (30, 60)
DESCRIPTION_RANGE = (70, 160)

ERROR = "error"
WARNING = "warning"

RULES: dict[str, str] = {
    "title-length": ERROR,
    "description-length": ERROR,
    "h1-count": ERROR,
    "image-alt": ERROR,
    "broken-link": ERROR,
    "duplicate-title": ERROR,
    "duplicate-description": ERROR,
    "canonical": ERROR,
    "social-image": ERROR,
    "structured-data": ERROR,
    "keyword-title": WARNING,
    "keyword-h1": WARNING,
    "keyword-first-paragraph": WARNING,
    "keyword-slug": WARNING,
    "keyword-description": WARNING,
    "keyword-missing": WARNING,
    "site-url": WARNING,
    "unverified-figure": WARNING,
}

ARTICLE_FIELDS = ("headline", "description", "datePublished", "dateModified", "author", "publisher", "image")

_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
_LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "iframe": "src"}
_NOT_CHECKED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "blob:")


@dataclass(frozen=True)
class Finding:
    """One thing to fix: the page (its address), the rule, what was found and how to fix it."""

    page: str
    rule: str
    severity: str
    found: str
    fix: str

    def __str__(self) -> str:
        return f"{self.page}: {self.severity} [{self.rule}] {self.found}. Fix: {self.fix}"


@dataclass
class PageFacts:
    """What the audit reads from one built page."""

    file: str  # relative to the site folder: "guide/index.html"
    url: str  # the page's address relative to the site root: "/guide/"
    title: str | None = None
    description: str | None = None
    keyword: str | None = None
    robots: str = ""
    canonical: str | None = None
    meta_properties: dict[str, str] = field(default_factory=dict)
    json_ld: list[str] = field(default_factory=list)
    h1: list[str] = field(default_factory=list)
    first_paragraph: str | None = None
    images: list[tuple[str, str | None]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

    @property
    def is_draft(self) -> bool:
        return "noindex" in self.robots.lower()

    @property
    def slug(self) -> str:
        return self.url.strip("/").rsplit("/", 1)[-1]


def fold(text: str) -> str:
    """Whitespace folded to single spaces, ends trimmed."""
    return " ".join(text.split())


def words(text: str) -> str:
    """Lowercase words separated by single spaces: punctuation, hyphens and symbols are dropped.

    >>> words("Crypto Isolated-Margin vs. Cross Margin: A Breakdown")
    'crypto isolated margin vs cross margin a breakdown'
    """
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def contains_keyword(text: str | None, keyword: str) -> bool:
    """Whether ``keyword``'s words appear in ``text`` together, in order, as whole words.

    >>> contains_keyword("Understanding crypto isolated margin vs. cross-margin today", "Crypto isolated margin vs cross margin")
    True
    >>> contains_keyword("isolated margins", "isolated margin")
    False
    """
    wanted = words(keyword)
    return bool(text) and bool(wanted) and f" {wanted} " in f" {words(text)} "


def _record(facts: PageFacts, tag: str, attributes: list[tuple[str, str | None]]) -> dict[str, str]:
    """What one start tag tells about its page (ids, links, images, head tags); its attributes with
    a missing value as "" (the tag's own rules read them so). No data-* attribute is read here
    (:func:`_attributes` leaves their entities undecoded)."""
    attrs = {name: (value if value is not None else "") for name, value in attributes}
    if "id" in attrs:
        facts.ids.add(attrs["id"])
    if tag == "a" and "name" in attrs:
        facts.ids.add(attrs["name"])
    if tag in _LINK_ATTRIBUTES and attrs.get(_LINK_ATTRIBUTES[tag]):
        if not (tag == "link" and attrs.get("rel", "").lower() in ("preconnect", "dns-prefetch")):
            facts.links.append(attrs[_LINK_ATTRIBUTES[tag]])
    if tag == "meta":
        name = attrs.get("name", "").lower()
        prop = attrs.get("property", "").lower()
        content = attrs.get("content", "")
        if name == "description" and facts.description is None:
            facts.description = fold(content)
        elif name == "keywords" and facts.keyword is None:
            facts.keyword = fold(content)
        elif name == "robots":
            facts.robots = content
        elif prop or name.startswith("twitter:"):
            facts.meta_properties.setdefault(prop or name, content)
    elif tag == "link" and attrs.get("rel", "").lower() == "canonical":
        facts.canonical = attrs.get("href")
    elif tag == "img":
        decorative = attrs.get("role", "").lower() in ("presentation", "none") or attrs.get("aria-hidden") == "true"
        facts.images.append((attrs.get("src", ""), "(decorative)" if decorative else dict(attributes).get("alt")))
    return attrs


class _PageParser(HTMLParser):
    def __init__(self, facts: PageFacts) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = facts
        self.stack: list[str] = []
        self.article_depth: int | None = None  # len(stack) inside Material's content <article>
        self.capture: str | None = None  # "title", "h1", "p", "ld"
        self.capture_depth = 0
        self.buffer: list[str] = []
        self.skip_depth: int | None = None  # inside a heading's permalink anchor

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = _record(self.facts, tag, attributes)
        facts = self.facts
        if tag in _VOID:
            return
        self.stack.append(tag)
        if tag == "article" and "md-content__inner" in attrs.get("class", "").split() and self.article_depth is None:
            self.article_depth = len(self.stack)
        if self.capture is None:
            if tag == "title" and facts.title is None and "head" in self.stack and "svg" not in self.stack:
                self._start("title")
            elif tag == "h1":
                self._start("h1")
            elif (
                tag == "p"
                and facts.first_paragraph is None
                and self.article_depth is not None
                and len(self.stack) == self.article_depth + 1
            ):
                self._start("p")
            elif tag == "script" and attrs.get("type", "").lower() == "application/ld+json":
                self._start("ld")
        elif tag == "a" and "headerlink" in attrs.get("class", "").split() and self.skip_depth is None:
            self.skip_depth = len(self.stack)

    def handle_startendtag(self, tag, attributes):
        self.handle_starttag(tag, attributes)
        if tag not in _VOID and self.stack and self.stack[-1] == tag:
            self.handle_endtag(tag)

    def _start(self, what: str) -> None:
        self.capture, self.capture_depth, self.buffer = what, len(self.stack), []

    def handle_data(self, data: str) -> None:
        if self.capture and self.skip_depth is None:
            self.buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in self.stack:
            return
        while self.stack:
            depth = len(self.stack)
            if self.skip_depth == depth:
                self.skip_depth = None
            if self.capture and self.capture_depth == depth:
                self._finish()
            if self.article_depth == depth:
                self.article_depth = -1  # closed: no first paragraph after the article
            if self.stack.pop() == tag:
                break

    def _finish(self) -> None:
        text = "".join(self.buffer)
        facts = self.facts
        if self.capture == "title":
            facts.title = fold(text)
        elif self.capture == "h1":
            facts.h1.append(fold(text))
        elif self.capture == "p":
            facts.first_paragraph = fold(text)
        elif self.capture == "ld":
            facts.json_ld.append(text)
        self.capture = None


def page_url(file: str) -> str:
    """A page file's address relative to the site root: ``a/index.html`` -> ``/a/``."""
    if file == "index.html":
        return "/"
    if file.endswith("/index.html"):
        return "/" + file[: -len("index.html")]
    return "/" + file


_ARTICLE = re.compile(r'<article\b[^>]*\bclass="[^"]*\bmd-content__inner\b')


def _audited_parts(html: str) -> list[str]:
    """The parts of a built page the audit reads: the ``<head>`` and Material's content ``<article>``.

    What lies between (the header, the navigation, the table of contents) and after (the footer) is
    the theme's, the same on every page, and its links are made by MkDocs from the pages themselves.
    The navigation lists every page of the site, so on a site of many guides it was most of every
    page's HTML, and parsing it for each page made the audit grow with the square of the number of
    pages (``python -m bench.build --breakdown 200``). A page without these markers is read whole.
    """
    head_end = html.find("</head>")
    article = _ARTICLE.search(html, head_end if head_end >= 0 else 0)
    if head_end < 0 or article is None:
        return [html]
    article_end = html.find("</article>", article.start())
    if article_end < 0:
        return [html]
    return [html[: head_end + len("</head>")], html[article.start(): article_end + len("</article>")]]


_CALCULATOR = re.compile(r'<section class="livecalc\b[^>]*>')
_SECTION_TAG = re.compile(r"<section|</section>")
# \bid="...": the literal first, so that the search skips along the text instead of trying every place
_ID = re.compile(r'id="(?<!\wid=")([^"]+)"')


def _without_calculators(part: str, ids: set[str]) -> str:
    """``part`` with each live calculator's inner markup left out, its ids added to ``ids``.

    A calculator (``macros/widgets.py``) is a form of some hundred elements with no heading, link,
    image or text the audit checks, and parsing it was most of the audit's time on a site of guides
    with two calculators each (``python -m bench.build --profile 200``). Its ids stay known, so a link
    to one of them is still checked; its own ``<section>`` tag stays in the page the parser reads. A
    calculator whose end cannot be told for certain (a ``<section>`` inside it) is read whole.
    """
    out: list[str] = []
    position = 0
    for match in _CALCULATOR.finditer(part):
        if match.start() < position:
            continue
        # its end: the first "</section>", unless a "<section" comes first (one search for both)
        after = _SECTION_TAG.search(part, match.end())
        if after is None or after.group() != "</section>":
            continue
        end = after.start()
        ids.update(_ID.findall(part, match.end(), end))
        out.append(part[position:match.end()])
        position = end
    out.append(part[position:])
    return "".join(out)


# Plain markup, as Python-Markdown and the theme write it, is read without HTMLParser's machinery:
# text without "<"; start tags whose attributes are all name="value" (or a bare name); end tags; a
# doctype; and the elements whose text is not markup -- a script or a style without "</" or "<!" in
# it, a title or a text area without "<" -- each read whole. On such markup HTMLParser, in every version,
# calls exactly the handlers that _read_plain calls, with the same tags, attributes and text; any other
# markup (a comment, an unquoted attribute, a stray "<", an element some versions read as raw text) is
# left to HTMLParser itself.
_SPACE = "[ \t\n\r\f]"  # what ends a tag's name for HTMLParser (not every \s does)
_NAME = r"[a-zA-Z][-.a-zA-Z0-9:_]*"
_ATTRIBUTE = rf'{_SPACE}+[a-zA-Z_:][-.a-zA-Z0-9_:]*(?:="[^"]*")?'
_END = rf"(?:{_SPACE}|/|>)"  # what may follow a tag's name
_RAW_TEXT = "script|style|title|textarea|xmp|iframe|noembed|noframes|noscript|plaintext"
_TOKEN = (
    r"(?P<text>[^<]++)"
    rf"|<(?P<start>(?!(?i:{_RAW_TEXT}){_END}){_NAME})(?P<attributes>(?:{_ATTRIBUTE})*+){_SPACE}*(?P<slash>/?)>"
    rf"|</(?P<end>{_NAME}){_SPACE}*>"
    r"|<!(?i:doctype)[^<>]*>"
    rf"|<(?P<raw>(?i:script)(?=(?:{_ATTRIBUTE})*+{_SPACE}*>(?:[^<]++|<(?![/!]))*+</(?i:script){_SPACE}*>)"
    rf"|(?i:style)(?=(?:{_ATTRIBUTE})*+{_SPACE}*>(?:[^<]++|<(?![/!]))*+</(?i:style){_SPACE}*>)"
    rf"|(?i:title|textarea)(?=(?:{_ATTRIBUTE})*+{_SPACE}*>[^<]*+</(?i:title|textarea){_SPACE}*>))"
    rf"(?P<raw_attributes>(?:{_ATTRIBUTE})*+){_SPACE}*>(?P<content>(?:[^<]++|<(?![/!]))*+)</(?P<raw_end>{_NAME}){_SPACE}*>"
)
_TOKENS = re.compile(_TOKEN)
# (without its groups: Python 3.11's possessive repetition of capturing groups can raise SystemError)
_PLAIN = re.compile("(?:" + re.sub(r"\(\?P<\w+>", "(?:", _TOKEN) + ")*+")
# After the first paragraph, what the parser's handlers must still see (see _tags_after): a heading or
# a title to read, text that is not markup. A script with nothing in it (``<script src=...></script>``,
# as a calculator loads its code) is only its tag, unless it is JSON-LD.
_READ_BY_THE_HANDLERS = re.compile(
    rf"<(?:h1|{_RAW_TEXT.replace('script|', '')}){_END}|<script(?!(?:{_ATTRIBUTE})*+{_SPACE}*(?:/>|></script>))", re.I)
_TELLING_TAGS = frozenset({*_LINK_ATTRIBUTES, "meta", "link", "img"})  # _record reads more than their id
_TAG_WITH_ATTRIBUTES = re.compile(rf"<({_NAME})((?:{_ATTRIBUTE})++){_SPACE}*/?>")
_ATTRIBUTE_PARTS = re.compile(r'([a-zA-Z_:][-.a-zA-Z0-9_:]*)(="([^"]*)")?')


def _attributes(text: str) -> list[tuple[str, str | None]]:
    """A plain tag's attributes as HTMLParser gives them: names lowercased, a bare name's value None,
    entities decoded (but in data-* attributes, which no rule reads: a calculator's configuration is long)."""
    return [
        (name.lower(), (unescape(value) if "&" in value and name[:5].lower() != "data-" else value) if equals else None)
        for name, equals, value in _ATTRIBUTE_PARTS.findall(text)
    ]


def _tags_after(facts: PageFacts, rest: str) -> bool:
    """Record the tags of ``rest``, plain markup after the article's first paragraph, without the
    parser's handlers; False (nothing recorded) when it holds what the handlers must see.

    Once the first paragraph is read and nothing is being captured, what a tag tells (:func:`_record`)
    no longer depends on where it stands, and only tags with attributes tell anything. The article's
    tables and paragraphs were most of the audit's parsing (``python -m bench.build --profile 200``).
    """
    if _READ_BY_THE_HANDLERS.search(rest):
        return False
    tags = []
    for match in _TAG_WITH_ATTRIBUTES.finditer(rest):
        tag = match.group(1).lower()
        if tag not in _TELLING_TAGS and "id" not in match.group(2).lower():
            continue  # no id and no link, image or head tag: nothing to record (a table cell's style)
        attributes = _attributes(match.group(2))
        if tag == "script" and (dict(attributes).get("type") or "").lower() == "application/ld+json":
            return False  # JSON-LD, even empty, is read by the handlers
        tags.append((tag, attributes))
    for tag, attributes in tags:
        _record(facts, tag, attributes)
    return True


def _read_plain(parser: _PageParser, part: str) -> None:
    """Call the parser's handlers for each tag and text of ``part``, plain markup (:data:`_PLAIN`),
    as HTMLParser would; after the article's first paragraph, :func:`_tags_after` when it can."""
    facts = parser.facts
    after_first_paragraph = False
    for match in _TOKENS.finditer(part):
        kind = match.lastgroup  # the last group of the branch that matched (None: a doctype)
        if kind == "text":
            if parser.capture:  # else the handler keeps nothing
                parser.handle_data(unescape(match.group("text")))
        elif kind == "slash":  # a start tag
            text = match.group("attributes")
            tag, attributes = match.group("start").lower(), _attributes(text) if text else []
            if match.group("slash"):
                parser.handle_startendtag(tag, attributes)
            else:
                parser.handle_starttag(tag, attributes)
        elif kind == "end" or kind == "raw_end":
            if kind == "end":
                parser.handle_endtag(match.group("end").lower())
            else:
                tag = match.group("raw").lower()
                parser.handle_starttag(tag, _attributes(match.group("raw_attributes")))
                content = match.group("content")
                if content:  # a script's or a style's text as written, a title's decoded
                    parser.handle_data(content if tag in ("script", "style") else unescape(content))
                parser.handle_endtag(tag)
            if not after_first_paragraph and facts.first_paragraph is not None and parser.capture is None:
                after_first_paragraph = True
                if _tags_after(facts, part[match.end():]):
                    return


def _feed(parser: _PageParser, part: str) -> None:
    """Read ``part``: plain markup by :func:`_read_plain`; other markup by the parser, fed up to each
    ``</p>`` in turn (it reads markup cut anywhere as it would read it whole) until it has read the
    first paragraph and holds nothing unfinished, the rest by :func:`_tags_after` when it is plain."""
    if not parser.rawdata and parser.cdata_elem is None and _PLAIN.fullmatch(part):
        _read_plain(parser, part)
        return
    facts = parser.facts
    at = 0
    while at < len(part):
        if (facts.first_paragraph is not None and parser.capture is None and not parser.rawdata
                and parser.cdata_elem is None):
            rest = part[at:]
            if _PLAIN.fullmatch(rest) and _tags_after(facts, rest):
                return
            break
        end = part.find("</p>", at)
        end = len(part) if end < 0 else end + len("</p>")
        parser.feed(part[at:end])
        at = end
    if at < len(part):
        parser.feed(part[at:])


def parse_page(file: str, html: str) -> PageFacts:
    """The facts of one page, ``file`` (relative to the site folder), from its HTML text."""
    facts = PageFacts(file=file, url=page_url(file))
    parser = _PageParser(facts)
    for part in _audited_parts(html):
        _feed(parser, _without_calculators(part, facts.ids))
    parser.close()
    if parser.capture:  # unterminated element at the end of the file
        parser._finish()
    return facts


def read_page(site_dir: Path, file: str) -> PageFacts:
    return parse_page(file, (Path(site_dir) / file).read_text("utf-8", errors="replace"))


def page_files(site_dir: Path) -> list[str]:
    """The site's pages: every ``index.html``, not under the theme's ``assets/`` or ``search/``."""
    site_dir = Path(site_dir)
    files = []
    for path in sorted(site_dir.rglob("index.html")):
        relative = path.relative_to(site_dir).as_posix()
        if relative.split("/", 1)[0] in ("assets", "search"):
            continue
        files.append(relative)
    return files


def site_root(pages: Iterable[PageFacts]) -> str | None:
    """The site's public address (``site_url``), from a canonical URL and the page's own address."""
    for page in pages:
        if page.canonical and page.canonical.endswith(page.url.lstrip("/")):
            return page.canonical[: len(page.canonical) - len(page.url.lstrip("/"))] or None
    return None


class _Site:
    """The built site on disk, with each HTML file's ids read once."""

    def __init__(self, site_dir: Path, root: str | None) -> None:
        self.dir = Path(site_dir)
        self.root = root
        split = urlsplit(root) if root else None
        self.netloc = split.netloc if split else None
        self.base_path = split.path if split and split.path else "/"
        self._ids: dict[str, set[str]] = {}
        self._resolved: dict[str, str | None] = {}

    def ids(self, file: str) -> set[str]:
        if file not in self._ids:
            self._ids[file] = read_page(self.dir, file).ids
        return self._ids[file]

    def internal_path(self, page: PageFacts, link: str) -> tuple[str, str] | None:
        """``(path relative to the site root, fragment)`` for an internal link, None for an external one."""
        split = urlsplit(link)
        if split.scheme and split.scheme not in ("http", "https"):
            return None
        if split.netloc:
            if split.netloc != self.netloc or not split.path.startswith(self.base_path):
                return None
            path = split.path[len(self.base_path):]
        else:
            joined = urljoin("http://site" + self.base_path + page.url.lstrip("/"), split.path)
            path = urlsplit(joined).path
            if not path.startswith(self.base_path):
                return (".." + path, split.fragment)  # climbs out of the site
            path = path[len(self.base_path):]
        return (unquote(path), unquote(split.fragment))

    def resolve(self, path: str) -> str | None:
        """The file a site path serves (``a/`` -> ``a/index.html``), or None (looked up once per path)."""
        if path not in self._resolved:
            self._resolved[path] = self._resolve(path)
        return self._resolved[path]

    def _resolve(self, path: str) -> str | None:
        path = path.lstrip("/")
        candidates = [path + "index.html"] if path == "" or path.endswith("/") else [path, path + "/index.html"]
        for candidate in candidates:
            candidate = posixpath.normpath(candidate)
            if candidate.startswith(".."):
                return None
            if (self.dir / candidate).is_file():
                return candidate
        return None


def _draftable(page: PageFacts, finding: Finding) -> Finding:
    if page.is_draft and finding.severity == ERROR:
        return Finding(finding.page, finding.rule, WARNING, f"(draft page) {finding.found}", finding.fix)
    return finding


def _length_finding(page: PageFacts, rule: str, label: str, key: str, text: str | None, bounds: tuple[int, int]) -> Finding | None:
    low, high = bounds
    if not text:
        return Finding(page.url, rule, ERROR, f"no {label}", f"write the page's `{key}:` in its front matter ({low}-{high} characters)")
    size = len(text)
    if low <= size <= high:
        return None
    action = "shorten" if size > high else "lengthen"
    return Finding(
        page.url, rule, ERROR, f'{label} has {size} characters: "{text}"',
        f"{action} the front matter `{key}:` to {low}-{high} characters",
    )


def check_page(page: PageFacts, site: _Site) -> list[Finding]:
    """Every rule that looks at one page alone."""
    found: list[Finding] = []
    url = page.url

    for finding in (
        _length_finding(page, "title-length", "<title>", "title", page.title, TITLE_RANGE),
        _length_finding(page, "description-length", "meta description", "description", page.description, DESCRIPTION_RANGE),
    ):
        if finding:
            found.append(finding)

    if len(page.h1) != 1:
        what = "no <h1>" if not page.h1 else f"{len(page.h1)} <h1> elements: " + "; ".join(f'"{h}"' for h in page.h1)
        found.append(Finding(url, "h1-count", ERROR, what,
                             "keep exactly one top-level heading (`# ...`); make the others `## ...`"))

    for src, alt in page.images:
        if alt is None or not alt.strip():
            found.append(Finding(
                url, "image-alt", ERROR, f"image {src} has {'no alt attribute' if alt is None else 'an empty alt'}",
                "describe the image: ![what it shows](path), or alt=\"...\" in HTML "
                "(a purely decorative image: add role=\"presentation\")",
            ))

    seen: set[str] = set()
    for link in page.links:
        if link in seen or link.lower().startswith(_NOT_CHECKED_SCHEMES):
            continue
        seen.add(link)
        target = site.internal_path(page, link)
        if target is None:
            continue
        path, fragment = target
        file = site.resolve(path) if path else page.file
        if file is None:
            found.append(Finding(url, "broken-link", ERROR, f"link to {link}: no such page or file in the site",
                                 "correct the link, or publish the page it points to (a draft is not published)"))
        elif fragment and file.endswith(".html") and fragment not in site.ids(file):
            found.append(Finding(url, "broken-link", ERROR, f"link to {link}: {file} has no element with id \"{fragment}\"",
                                 "link to an existing heading's anchor (see the heading's ¶ link)"))

    canonical = page.canonical
    og_url = page.meta_properties.get("og:url")
    if not canonical or urlsplit(canonical).scheme not in ("http", "https"):
        found.append(Finding(url, "canonical", ERROR, f"canonical URL is {canonical!r}, not absolute",
                             "set site_url (SITE_URL) so MkDocs writes absolute canonical URLs"))
    elif og_url != canonical:
        found.append(Finding(url, "canonical", ERROR, f"og:url {og_url!r} differs from the canonical URL {canonical!r}",
                             "render og:url from page.canonical_url in the theme's head partial"))

    image = page.meta_properties.get("og:image")
    if not image or urlsplit(image).scheme not in ("http", "https"):
        found.append(Finding(url, "social-image", ERROR, f"og:image is {image!r}, not an absolute URL",
                             "give the page an image (front matter `image:`) or let the build draw its card"))
    else:
        target = site.internal_path(page, image)
        if target is not None and site.resolve(target[0]) is None:
            found.append(Finding(url, "social-image", ERROR, f"og:image {image} is not in the built site",
                                 "check the front matter `image:` path, or that the build drew the card"))

    is_article = page.meta_properties.get("og:type") == "article"
    if is_article:
        found.extend(check_structured_data(page, site))

    keyword = page.keyword
    if is_article and not keyword:
        found.append(Finding(url, "keyword-missing", WARNING, "the guide declares no target keyword",
                             "add `target_keyword:` to its front matter"))
    if keyword:
        places = (
            ("keyword-title", "<title>", page.title, "the front matter `title:`"),
            ("keyword-h1", "H1", page.h1[0] if page.h1 else None, "the page's `# ` heading"),
            ("keyword-first-paragraph", "first paragraph", page.first_paragraph, "the first paragraph after the H1"),
            ("keyword-slug", "slug", page.slug.replace("-", " "), "the slug (file name); a published address should not change"),
            ("keyword-description", "meta description", page.description, "the front matter `description:`"),
        )
        for rule, label, text, where in places:
            if not contains_keyword(text, keyword):
                shown = page.slug if rule == "keyword-slug" else text
                found.append(Finding(url, rule, WARNING, f'target keyword "{keyword}" is not in the {label} ({shown!r})',
                                     f"use the phrase in {where}"))
    return [_draftable(page, f) for f in found]


def check_structured_data(page: PageFacts, site: _Site) -> list[Finding]:
    """A guide's JSON-LD: it parses, has an Article with its fields and a BreadcrumbList, and the
    images it names on this site (the article's image, the publisher's logo) exist."""
    fix = "see overrides/partials/livecalc-head.html (JSON-LD) and the page's front matter"
    items: list[dict] = []
    for block in page.json_ld:
        try:
            data = json.loads(block)
        except ValueError as error:
            return [Finding(page.url, "structured-data", ERROR, f"JSON-LD does not parse: {error}", fix)]
        graph = data.get("@graph", [data]) if isinstance(data, dict) else data
        items.extend(item for item in graph if isinstance(item, dict))
    types = {item.get("@type"): item for item in items}
    found = []
    article = types.get("Article")
    if article is None:
        found.append(Finding(page.url, "structured-data", ERROR, "no JSON-LD Article", fix))
    else:
        missing = [name for name in ARTICLE_FIELDS if not article.get(name)]
        if missing:
            found.append(Finding(page.url, "structured-data", ERROR,
                                 f"JSON-LD Article lacks {', '.join(missing)}",
                                 "give the page `date:` (and `title:`, `description:`) in its front matter; " + fix))
        images = article.get("image") or []
        images = images if isinstance(images, list) else [images]
        logo = (article.get("publisher") or {}).get("logo") or {}
        for url in [*images, logo.get("url") if isinstance(logo, dict) else logo]:
            if not isinstance(url, str) or not url:
                continue
            target = site.internal_path(page, url)
            if target is not None and site.resolve(target[0]) is None:
                found.append(Finding(page.url, "structured-data", ERROR, f"JSON-LD names {url}, which is not in the built site",
                                     "check extra.publishing.publisher.logo in mkdocs.yml, or the page's `image:`"))
    if "BreadcrumbList" not in types:
        found.append(Finding(page.url, "structured-data", ERROR, "no JSON-LD BreadcrumbList", fix))
    return found


def check_duplicates(pages: list[PageFacts]) -> list[Finding]:
    """No two pages with the same title, nor with the same description (compared without case)."""
    found = []
    for rule, attribute, key in (("duplicate-title", "title", "title"), ("duplicate-description", "description", "description")):
        first: dict[str, PageFacts] = {}
        for page in pages:
            text = getattr(page, attribute)
            if not text:
                continue
            folded = fold(text).casefold()
            if folded in first:
                other = first[folded]
                found.append(_draftable(page, Finding(
                    page.url, rule, ERROR, f'same {attribute} as {other.url}: "{text}"',
                    f"give one of the two pages its own front matter `{key}:`",
                )))
            else:
                first[folded] = page
    return found


def check_site_url(root: str | None) -> list[Finding]:
    host = urlsplit(root).hostname if root else None
    if host in ("127.0.0.1", "localhost", "0.0.0.0", "::1"):
        return [Finding("(site)", "site-url", WARNING, f"canonical URLs point to {root}",
                        "build for deployment with SITE_URL=https://your.domain/ make site")]
    return []


def audit_pages(site_dir: Path, pages: list[PageFacts]) -> list[Finding]:
    root = site_root(pages)
    site = _Site(site_dir, root)
    for page in pages:
        site._ids[page.file] = page.ids
    findings = check_site_url(root)
    for page in pages:
        findings.extend(check_page(page, site))
    findings.extend(check_duplicates(pages))
    return findings


def source_pages(docs_dir: Path | str) -> list[Path]:
    """The Markdown pages of a docs folder (``livecalc claims`` reads them all by default)."""
    from .publishing import pages as markdown_pages

    return list(markdown_pages(Path(docs_dir)))


def _sources_by_url(docs_dir: Path) -> dict[str, Path]:
    from .publishing import page_address

    found = {}
    for path in source_pages(docs_dir):
        address = page_address(docs_dir, path)
        found[f"/{address}/" if address else "/"] = path
    return found


def page_ledgers(docs_dir: Path | str, pages: list[PageFacts]) -> dict[str, Ledger]:
    """The claims ledger (:mod:`livecalc.claims`) of each published page's Markdown, by page address.
    Read from the source, not the HTML: a computed figure and a typed one print alike."""
    from .claims import page_claims

    docs_dir = Path(docs_dir)
    sources = _sources_by_url(docs_dir)
    ledgers = {}
    for page in pages:
        source = sources.get(page.url)
        if source is None or page.is_draft:
            continue
        shown = f"{docs_dir.name}/{source.relative_to(docs_dir).as_posix()}"
        ledgers[page.url] = page_claims(source.read_text("utf-8"), shown)
    return ledgers


def check_figures(ledgers: dict[str, Ledger]) -> list[Finding]:
    """``unverified-figure``: each figure typed in a published page's prose, with its page, line and text."""
    found = []
    for url, ledger in ledgers.items():
        for claim in ledger.claims:
            if claim.status != "unverified":
                continue
            figure = recognise.figures(claim.text)
            # the rule is about money and percentages; a leverage multiple is listed by the ledger only
            if figure and figure[0].kind != recognise.MULTIPLE:
                found.append(Finding(
                    url, "unverified-figure", WARNING,
                    f'{ledger.source}:{claim.line}: "{claim.text}" is neither computed, an input nor cited',
                    'compute it from a worked example ({{ fig("example.output") }}, {{ inputs("example", "field") }}) '
                    'or give its source: {{ cite("' + claim.text + '", "https://...") }}',
                ))
    return found


def figure_counts(ledgers: dict[str, Ledger]) -> list[str]:
    """One line per page: how many of its figures are computed, inputs, checked, corrected, cited, unverified."""
    return [f"{url}: {ledger.summary()}" for url, ledger in sorted(ledgers.items())]


def read_site(site_dir: Path | str) -> list[PageFacts]:
    """The facts of every page of the site."""
    site_dir = Path(site_dir)
    return [read_page(site_dir, file) for file in page_files(site_dir)]


def audit_site(site_dir: Path | str, *, pages: list[PageFacts] | None = None,
               docs_dir: Path | str | None = None) -> list[Finding]:
    """Every finding for every page of the site built into ``site_dir``; with ``docs_dir``, the
    site's Markdown, the figures of each published page too (``unverified-figure``).

    ``pages``, when given, is the list to fill with the pages' facts.
    """
    site_dir = Path(site_dir)
    read = read_site(site_dir)
    if pages is not None:
        pages[:] = read
    findings = audit_pages(site_dir, read)
    if docs_dir is not None and Path(docs_dir).is_dir():
        findings.extend(check_figures(page_ledgers(docs_dir, read)))
    return findings


def summary(findings: list[Finding], pages: int | None = None) -> str:
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    counted = f"{pages} page(s), " if pages is not None else ""
    return f"{counted}{errors} error(s), {warnings} warning(s)"
