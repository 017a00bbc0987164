"""``livecalc import``: writers' drafts into ``docs/<slug>.md``, all or nothing.

Each draft's worked examples are recognised and its figures decided (:mod:`livecalc.claims`): the
page declares the examples in its front matter and shows computed figures; ``Written.ledger`` lists
every figure and what it became.

Every draft is read and checked before anything is written: one refused draft (bad header, bad or
taken slug, empty body, not UTF-8, a page that exists without ``force``) means no file is written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .claims import Ledger, read_draft
from .drafts import Draft, DraftError, parse_draft, render_page
from .publishing import slug_users


class ImportRefused(Exception):
    """One or more drafts refused; ``errors`` lists each with its file and line."""

    def __init__(self, errors: list[DraftError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Planned:
    draft: Draft
    target: Path
    replaces: bool


@dataclass(frozen=True)
class Written:
    draft: Draft
    path: Path
    replaced: bool
    #: every figure of the draft and what it became (see :mod:`livecalc.claims`)
    ledger: Ledger | None = None


def plan(drafts: Iterable[Path], docs_dir: Path, *, force: bool = False) -> list[Planned]:
    """Check every draft against the format and the docs folder; raise ImportRefused on any problem."""
    docs_dir = Path(docs_dir)
    errors: list[DraftError] = []
    planned: list[Planned] = []
    claimed: dict[str, Path] = {}  # slug -> the draft of this import that takes it
    for source in drafts:
        source = Path(source)
        try:
            if not source.is_file():
                raise DraftError(source, 0, "no such file")
            draft = parse_draft(source)
            target = docs_dir / f"{draft.slug}.md"
            slug_line = draft.lines["slug"]
            if draft.slug in claimed:
                raise DraftError(
                    source, slug_line, f"slug '{draft.slug}' is also the slug of {claimed[draft.slug]} in this import"
                )
            others = [p for p in slug_users(docs_dir, draft.slug) if p.resolve() != target.resolve()]
            if others:
                raise DraftError(
                    source, slug_line,
                    f"slug '{draft.slug}' is already used by {others[0]}; choose another slug",
                )
            exists = target.exists()
            if exists and not force:
                raise DraftError(
                    source, slug_line,
                    f"{target} already exists and an editor may have worked on it; "
                    f"pass --force to replace it with this draft",
                )
        except DraftError as error:
            errors.append(error)
            continue
        claimed[draft.slug] = source
        planned.append(Planned(draft, target, exists))
    if errors:
        raise ImportRefused(errors)
    return planned


def import_drafts(
    drafts: Iterable[Path], docs_dir: Path, *, force: bool = False, date: datetime.date | None = None
) -> list[Written]:
    """Import ``drafts`` into ``docs_dir``; nothing is written unless every draft passes."""
    date = date or datetime.date.today()
    planned = plan(drafts, docs_dir, force=force)
    pages = []
    for item in planned:  # render all before writing any
        claims = read_draft(item.draft)
        pages.append((item, render_page(item.draft, date, claims.examples, claims.paragraphs), claims.ledger))
    written = []
    for item, text, ledger in pages:
        item.target.parent.mkdir(parents=True, exist_ok=True)
        item.target.write_text(text, "utf-8")
        written.append(Written(item.draft, item.target, item.replaces, ledger))
    return written
