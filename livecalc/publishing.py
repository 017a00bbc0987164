"""Publishing rules: which pages are published, at which address, and who signs them.

A page's front matter ``status`` decides: ``ready`` (or no status at all, for the site's own pages such
as the home page) is published; ``draft`` is left out of ``mkdocs build`` -- the site, the navigation,
the search index and the sitemap -- and shown, marked as a draft, by ``mkdocs serve`` or by a build
with the preview setting (``extra.publishing.preview_drafts``, environment ``LIVECALC_PREVIEW_DRAFTS``).

A page's address is ``/<slug>/``: the file ``docs/<slug>.md`` with MkDocs' directory URLs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from mkdocs.utils.meta import YAML_RE, get_data

try:  # the loader MkDocs reads front matter with (mkdocs.utils.meta): libyaml's when PyYAML has it
    from mkdocs.utils.meta import SafeLoader as MKDOCS_LOADER
except ImportError:  # pragma: no cover - an older MkDocs
    MKDOCS_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STATUSES = ("draft", "ready")


class PublishingError(Exception):
    """A page whose front matter breaks a publishing rule (for example an unknown status)."""


def front_matter(markdown: str) -> dict[str, Any]:
    """The YAML front matter of a Markdown text (empty when it has none), read the way MkDocs reads it."""
    _, meta = get_data(markdown)
    return dict(meta or {})


def front_matter_problem(markdown: str) -> str | None:
    """Why a page's ``---`` block is not front matter, or None. MkDocs says nothing: it shows the block
    as text and drops the page's title, description and status. (:func:`checked_front_matter` gives
    this and the front matter with one reading of the YAML.)

    >>> front_matter_problem("---\\ntitle: Margin: a guide\\n---\\n")
    "front matter is not valid YAML (line 2, column 14: mapping values are not allowed here); quote a value that holds ': ' or '#'"
    >>> front_matter_problem("---\\ntitle: 'Margin: a guide'\\n---\\n") is None
    True
    """
    return checked_front_matter(markdown)[1]


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 2}, column {mark.column + 1}: " if mark else ""  # +2: the '---' line, 1-based
    problem = getattr(error, "problem", None) or str(error)
    return f"front matter is not valid YAML ({where}{problem}); quote a value that holds ': ' or '#'"


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
        return {}, _yaml_problem(error)
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
        return meta, [f"{where}: {problem}"], False
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
