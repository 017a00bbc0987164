"""Publishing rules: which pages are published, at which address, and who signs them.

A page's front matter ``status`` decides: ``ready`` (or no status at all, for the site's own pages such
as the home page) is published; ``draft`` is left out of ``mkdocs build`` -- the site, the navigation,
the search index and the sitemap -- and shown, marked as a draft, by ``mkdocs serve`` or by a build
with the preview setting (``extra.publishing.preview_drafts``, environment ``LIVECALC_PREVIEW_DRAFTS``).

A page's address is ``/<slug>/``: the file ``docs/<slug>.md`` with MkDocs' directory URLs.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from mkdocs.utils.meta import YAML_RE, get_data

from macros.problems import banner as problems_banner, log_past_strict_mode  # noqa: F401 - for the hooks

try:  # the loader MkDocs reads front matter with (mkdocs.utils.meta): libyaml's when PyYAML has it
    from mkdocs.utils.meta import SafeLoader as MKDOCS_LOADER
except ImportError:  # pragma: no cover - an older MkDocs
    MKDOCS_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STATUSES = ("draft", "ready")


class PublishingError(Exception):
    """A page whose front matter breaks a publishing rule (for example an unknown status)."""


class FrontMatterProblem(str):
    """Why a page's front matter cannot be read, with ``line``: the line of the page to look at."""

    line: int | None = None

    def __new__(cls, text: str, line: int | None = None) -> "FrontMatterProblem":
        problem = super().__new__(cls, text)
        problem.line = line
        return problem


def front_matter(markdown: str) -> dict[str, Any]:
    """The YAML front matter of a Markdown text (empty when it has none), read the way MkDocs reads it."""
    _, meta = get_data(markdown)
    return dict(meta or {})


def front_matter_problem(markdown: str) -> str | None:
    """Why a page's ``---`` block is not front matter, or None. MkDocs says nothing: it shows the block
    as text and drops the page's title, description and status. (:func:`checked_front_matter` gives
    this and the front matter with one reading of the YAML.)

    >>> front_matter_problem("---\\ntitle: Margin: a guide\\n---\\n")
    'front matter is not valid YAML (column 14: mapping values are not allowed here); a value that holds ": " must be quoted: title: "Margin: a guide"'
    >>> front_matter_problem("---\\ntitle: Margin: a guide\\n---\\n").line
    2
    >>> front_matter_problem("---\\ntitle: 'Margin: a guide'\\n---\\n") is None
    True
    """
    return checked_front_matter(markdown)[1]


_KEY_AND_QUOTE = re.compile(r"""^(\s*(?:-\s+)?)([^\s:#'"][^:#]*?):\s+(["'])(.*)$""")


def _unclosed_quote(lines: list[str], last: int) -> tuple[int, str, str] | None:
    """``(index, key, quote)`` of the first of ``lines[:last + 1]`` whose value opens a quote that the
    line does not close (YAML would read on, to the next quote or the end of the block)."""
    for index, line in enumerate(lines[:last + 1]):
        match = _KEY_AND_QUOTE.match(line)
        if not match:
            continue
        key, quote, rest = match.group(2), match.group(3), match.group(4)
        rest = rest.replace("\\\\", "").replace('\\"', "") if quote == '"' else rest.replace("''", "")
        if quote not in rest:
            return index, key.strip(), quote
    return None


def _yaml_problem(error: yaml.YAMLError, block: str = "") -> FrontMatterProblem:
    """What is wrong with a front matter that YAML cannot read, at the line to look at, and how to fix
    it: an unclosed quote (YAML reports where it gave up, often the end of the block), a value with
    ': ' in it, an indentation slip, a tab, an unclosed [ or {."""
    mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    lines = block.split("\n")
    index = mark.line if mark else len(lines) - 1
    unclosed = _unclosed_quote(lines, min(index, len(lines) - 1))
    if unclosed is not None:
        at, key, quote = unclosed
        return FrontMatterProblem(f"front matter: the value of {key}: opens a quote ({quote}) that this line does "
                                  f"not close; end the value with {quote}", at + 2)  # +2: the '---' line, 1-based
    if mark is None:
        return FrontMatterProblem(f"front matter is not valid YAML ({problem})")
    line, column = mark.line + 2, mark.column + 1
    found = f"front matter is not valid YAML (column {column}: {problem})"
    text = lines[mark.line] if mark.line < len(lines) else ""
    if "\t" in problem or text[:mark.column + 1].lstrip(" ").startswith("\t"):
        return FrontMatterProblem(f"{found}; indent with spaces, not tabs", line)
    if context.startswith("while parsing a flow") and context_mark is not None:
        bracket = "[" if "sequence" in context else "{"
        closing = "]" if bracket == "[" else "}"
        return FrontMatterProblem(f"front matter: the {bracket} opened on this line (column {context_mark.column + 1}) "
                                  f"is not closed; end it with {closing}", context_mark.line + 2)
    # a second ': ' on a line that starts with a key (the first ': ' at the mark is an indentation slip)
    if problem.startswith("mapping values are not allowed") and -1 < text.find(": ") < mark.column \
            and re.match(r"^\s*(?:-\s+)?[^\s:#][^:#]*:\s", text):
        key, value = text.split(":", 1)
        quoted = value.strip().replace("\\", "\\\\").replace('"', '\\"')
        return FrontMatterProblem(f'{found}; a value that holds ": " must be quoted: {key.strip()}: "{quoted}"', line)
    if problem.startswith(("mapping values are not allowed", "expected <block end>", "did not find expected key")) \
            or "block mapping" in context:
        return FrontMatterProblem(f"{found}; check the indentation: the keys of one mapping start in the same "
                                  "column, and a key's inputs are indented under it by the same number of spaces", line)
    return FrontMatterProblem(found, line)


def _value_problem(error: ValueError, block: str) -> FrontMatterProblem:
    """A value YAML reads as a date but that no calendar has (``date: 2026-11-31``), at its line."""
    for index, line in enumerate(block.split("\n")):
        match = re.match(r"^\s*([\w-]+):\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$", line)
        if match:
            try:
                datetime.date(*map(int, match.groups()[1:]))
            except ValueError:
                return FrontMatterProblem(f"front matter: {match.group(1)}: {line.split(':', 1)[1].strip()} is not a "
                                          f"day of the calendar ({error}); write {match.group(1)}: YYYY-MM-DD", index + 2)
    return FrontMatterProblem(f"front matter: a value cannot be read ({error})")


def checked_front_matter(markdown: str) -> tuple[dict[str, Any], str | None]:
    """``(front_matter(markdown), front_matter_problem(markdown))``, reading the YAML block once.

    The block is read with the loader MkDocs itself uses (libyaml's when PyYAML has it: ~7 times
    faster than PyYAML's pure-Python one), so a block is a problem exactly when MkDocs would drop it.
    Only then is it read again with PyYAML's pure-Python loader, for its error message (libyaml's
    wording is terser: "mapping values are not allowed in this context").

    >>> checked_front_matter("---\\ntitle: A\\nstatus: draft\\n---\\n# A\\n")
    ({'title': 'A', 'status': 'draft'}, None)
    >>> checked_front_matter("---\\n- a\\n- b\\n---\\n")
    ({}, "front matter is not a list of 'key: value' lines")
    >>> checked_front_matter("# No front matter\\n")
    ({}, None)
    """
    match = YAML_RE.match(markdown)
    if not match:
        return front_matter(markdown), None  # MultiMarkdown meta lines, or nothing
    block = match.group(1)
    try:
        data = yaml.load(block, MKDOCS_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        try:
            yaml.safe_load(block)
        except yaml.YAMLError as pure_error:
            error = pure_error
        return {}, _yaml_problem(error, block)
    except ValueError as error:  # YAML read the text but cannot make its value: a date not in the calendar
        return {}, _value_problem(error, block)
    if data is not None and not isinstance(data, dict):
        return {}, "front matter is not a list of 'key: value' lines"
    return dict(data or {}), None


def read_front_matter(path: Path) -> dict[str, Any]:
    """The front matter of a Markdown file."""
    return front_matter(Path(path).read_text("utf-8", errors="replace"))


def page_status(meta: Mapping[str, Any], where: str = "page") -> str | None:
    """The page's status, ``"draft"`` or ``"ready"``, or None when its front matter has none.

    An unknown status is an error rather than "published": a typo must not publish a draft.

    >>> page_status({"status": "Ready"})
    'ready'
    >>> page_status({}) is None
    True
    """
    if "status" not in meta:
        return None
    status = str(meta["status"]).strip().lower()
    if status not in STATUSES:
        raise PublishingError(
            f"{where}: status is {meta['status']!r}; write 'status: ready' to publish the page or "
            f"'status: draft' to keep it out of the built site"
        )
    return status


def is_draft(meta: Mapping[str, Any], where: str = "page") -> bool:
    """Whether the page is a draft (left out of the built site unless previewing)."""
    return page_status(meta, where) == "draft"


def is_guide(meta: Mapping[str, Any]) -> bool:
    """A guide is a page with a publishing status, i.e. one that came from a writer's draft.

    Guides carry the article head tags (JSON-LD ``Article``), the byline and the risk notice; the site's
    own pages (home, methodology, for writers) do not.
    """
    return "status" in meta


def truthy(value: Any) -> bool:
    """A setting's value as a boolean: ``true``, ``1``, ``yes``, ``on`` (any case) are true.

    >>> [truthy(v) for v in (True, "1", "yes", "false", "", None, 0)]
    [True, True, True, False, False, False, False]
    """
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def address(src_uri: str) -> str:
    """The slug part of a page's address, ``/<this>/``, from its path in the docs folder.

    >>> address("guide.md"), address("a/b.md"), address("a/index.md"), address("index.md")
    ('guide', 'a/b', 'a', '')
    """
    relative = Path(src_uri).with_suffix("")
    if relative.name in ("index", "README"):
        relative = relative.parent
    return relative.as_posix().strip(".")


def page_address(docs_dir: Path, path: Path) -> str:
    """:func:`address` of a page file under ``docs_dir``."""
    return address(Path(path).relative_to(docs_dir).as_posix())


def pages(docs_dir: Path) -> Iterable[Path]:
    """Every Markdown page under ``docs_dir``, in a stable order."""
    return sorted(p for p in Path(docs_dir).rglob("*.md") if not any(part.startswith(".") for part in p.parts))


def slug_users(docs_dir: Path, slug: str) -> list[Path]:
    """The pages that already use ``slug``: as their address, or as the ``slug`` of their front matter."""
    users = []
    for path in pages(docs_dir):
        if page_address(docs_dir, path) == slug:
            users.append(path)
            continue
        try:
            meta = read_front_matter(path)
        except Exception:  # an unreadable page is the build's business, not the importer's
            continue
        if str(meta.get("slug", "")).strip() == slug:
            users.append(path)
    return users


def settings(extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """The site's publishing settings (``extra.publishing`` in mkdocs.yml) with their defaults."""
    given = dict((extra or {}).get("publishing") or {})
    given.setdefault("preview_drafts", False)
    return given


def check_page(markdown: str, where: str, src_uri: str) -> tuple[list[str], bool]:
    """What the build's ``on_files`` finds in one page: ``(problems, is a draft)``.

    Problems: front matter that is not YAML (MkDocs would drop it), an unknown status, or a ``slug``
    that is not the page's address. ``where`` names the page in messages (``docs/guide.md``).
    """
    _, problems, draft = read_page(markdown, where, src_uri)
    return problems, draft


def read_page(markdown: str, where: str, src_uri: str) -> tuple[dict[str, Any], list[str], bool]:
    """:func:`check_page` with the page's front matter first (the build shelves guides by it), read once."""
    meta, problem = checked_front_matter(markdown)
    if problem:
        line = getattr(problem, "line", None)
        return meta, [f"{where}:{line}: {problem}" if line else f"{where}: {problem}"], False
    try:
        draft = is_draft(meta, where)
    except PublishingError as error:
        return meta, [str(error)], False
    problems = []
    slug = str(meta.get("slug", "")).strip()
    published = address(src_uri)
    if slug and slug != published:
        problems.append(
            f"{where}: front matter slug '{slug}' but the page is published at /{published}/; "
            f"rename the file to {slug}.md or correct the slug (the file name is the address)"
        )
    return meta, problems, draft


#: What a published guide's front matter must give (its head tags and JSON-LD Article are made of
#: them), with how to write each.
REQUIRED = {
    "title": "write title: and the page's title, 30 to 60 characters",
    "description": "write description: and one or two sentences, 70 to 160 characters",
    "date": "write date: YYYY-MM-DD",
}
#: Front matter values that must be dates, when given.
DATES = ("date", "reviewed")


def required_fields(meta: Mapping[str, Any], markdown: str, where: str) -> list[str]:
    """What a guide (a page with a ``status``) lacks of :data:`REQUIRED`, and each of its :data:`DATES`
    that is not a date, one problem each, at the value's line (the page itself for a missing one).

    >>> required_fields({"status": "ready", "title": "T", "description": "D"}, "", "docs/g.md")
    ['docs/g.md: front matter: date: is missing; write date: YYYY-MM-DD']
    >>> required_fields({"status": "ready", "title": "T", "description": "D", "date": "30/11/2026"},
    ...                 "---\\nstatus: ready\\ndate: 30/11/2026\\n---\\n", "docs/g.md")
    ["docs/g.md:3: front matter: date: is not a date (got '30/11/2026'); write date: YYYY-MM-DD"]
    """
    if not is_guide(meta):
        return []
    problems = [f"{where}: front matter: {key}: is missing; {how}"
                for key, how in REQUIRED.items() if meta.get(key) in (None, "")]
    for key in DATES:
        value = meta.get(key)
        if value in (None, "") or isinstance(value, datetime.date):
            continue
        match = re.search(rf"^{key}:", markdown.split("\n---", 1)[0], re.MULTILINE)
        line = markdown[:match.start()].count("\n") + 1 if match else None
        problems.append(f"{where}{f':{line}' if line else ''}: front matter: {key}: is not a date (got {value!r}); "
                        f"write {key}: YYYY-MM-DD")
    return problems


def unreadable_page(markdown: str, where: str) -> str:
    """What ``mkdocs serve`` shows in place of a page whose front matter YAML cannot read (its problem
    above it): the page as written. No macro runs on it: its worked examples are in that front matter."""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", markdown)), default=0) + 1)
    return f"---\nrender_macros: false\n---\n\n# {where}, as written\n\n{fence}text linenums='1'\n{markdown}\n{fence}\n"
