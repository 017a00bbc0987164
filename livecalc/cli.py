"""The ``livecalc`` command.

    livecalc import DRAFT... [--force] [--docs-dir DIR] [--date YYYY-MM-DD]
    livecalc check [--site-dir DIR]
    livecalc claims [PAGE...]
    livecalc new SLUG [--force] [--ready] [--title T] [--description D] [--keyword K] [--topic T]
                      [--calculator NAME] [--docs-dir DIR] [--date YYYY-MM-DD]
    livecalc calculators [NAME...]

Exit status: 0 when done (``check``: no error, warnings allowed), 1 when a draft is refused or the
audit finds an error, 2 for a usage error (such as a site folder that does not exist, a page that
``new`` would overwrite without ``--force``, a bad slug, or an unknown calculator).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import Sequence

import yaml

from . import audit, reference, scaffold
from . import claims
from .importer import ImportRefused, import_drafts


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving its tags (``!ENV``, ``!!python/name``): only plain keys are used."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


def project_settings(start: Path | None = None) -> tuple[Path, Path]:
    """``(docs_dir, site_dir)`` of the MkDocs project around ``start`` (the nearest mkdocs.yml above it).

    Without a mkdocs.yml: ``docs`` and ``site`` in the current folder.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        config_file = folder / "mkdocs.yml"
        if config_file.is_file():
            try:
                config = yaml.load(config_file.read_text("utf-8"), Loader=_IgnoreTags) or {}
            except yaml.YAMLError:
                config = {}
            docs = config.get("docs_dir") if isinstance(config.get("docs_dir"), str) else "docs"
            site = config.get("site_dir") if isinstance(config.get("site_dir"), str) else "site"
            return folder / docs, folder / site
    return Path("docs"), Path("site")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def command_import(args: argparse.Namespace) -> int:
    docs_dir = Path(args.docs_dir) if args.docs_dir else project_settings()[0]
    try:
        written = import_drafts([Path(d) for d in args.drafts], docs_dir, force=args.force, date=args.date)
    except ImportRefused as refused:
        for error in refused.errors:
            print(f"livecalc import: {error}", file=sys.stderr)
        print(f"livecalc import: refused; nothing was written ({len(refused.errors)} problem(s))", file=sys.stderr)
        return 1
    for item in written:
        verb = "replaced" if item.replaced else "wrote"
        state = (
            "status: ready, published by the next build"
            if item.draft.ready
            else "status: draft, left out of the built site until its front matter says status: ready"
        )
        print(f"{verb} {_relative(item.path)} ({state}) -> /{item.draft.slug}/")
        if item.ledger is not None:
            print(item.ledger)
    if written:
        print("next: `make site` builds and audits it; `make serve` previews it (drafts included); "
              "a published guide is listed in the menu and on the home page under its front matter's "
              "topic: (Guides when it has none)")
    return 0


def command_check(args: argparse.Namespace) -> int:
    site_dir = Path(args.site_dir) if args.site_dir else project_settings()[1]
    if not (site_dir / "index.html").is_file():
        print(f"livecalc check: {site_dir} is not a built site (no index.html); run `make site` first",
              file=sys.stderr)
        return 2
    pages = audit.page_files(site_dir)
    docs_dir = project_settings()[0]
    facts: list[audit.PageFacts] = []
    findings = audit.audit_site(site_dir, pages=facts, docs_dir=docs_dir)
    for finding in sorted(findings, key=lambda f: (f.severity != audit.ERROR, f.page, f.rule)):
        print(finding)
    if docs_dir.is_dir():
        print("livecalc check: figures per page (see `livecalc claims PAGE`):")
        for line in audit.figure_counts(audit.page_ledgers(docs_dir, facts)):
            print(f"  {line}")
    print(f"livecalc check: {_relative(site_dir)}: {audit.summary(findings, len(pages))}")
    return 1 if any(f.severity == audit.ERROR for f in findings) else 0


def command_new(args: argparse.Namespace) -> int:
    docs_dir = Path(args.docs_dir) if args.docs_dir else project_settings()[0]
    try:
        written = scaffold.write_page(
            args.slug, docs_dir, force=args.force, title=args.title, description=args.description,
            keyword=args.keyword, topic=args.topic, status="ready" if args.ready else "draft",
            date=args.date, calculator=args.calculator,
        )
    except scaffold.ScaffoldRefused as refused:
        print(f"livecalc new: {refused}", file=sys.stderr)
        return 2
    verb = "replaced" if written.replaced else "wrote"
    state = ("status: ready, published by the next build" if written.status == "ready" else
             "status: draft, shown by `make serve`; set status: ready to publish it")
    print(f"{verb} {_relative(written.path)} ({state}) -> /{written.slug}/")
    print("next: edit the page (docs/authoring.md explains every part), `make serve` to preview, "
          "`livecalc calculators` for every calculator's inputs and outputs")
    return 0


def command_calculators(args: argparse.Namespace) -> int:
    try:
        print(reference.listings(args.names))
    except reference.UnknownCalculator as unknown:
        print(f"livecalc calculators: {unknown}", file=sys.stderr)
        return 2
    return 0


def command_claims(args: argparse.Namespace) -> int:
    """The claims ledger of pages of docs/ (all of them when none is named)."""
    pages = [Path(p) for p in args.pages] or list(audit.source_pages(project_settings()[0]))
    missing = [str(p) for p in pages if not p.is_file()]
    if missing:
        print(f"livecalc claims: no such page: {', '.join(missing)}", file=sys.stderr)
        return 2
    for page in pages:
        ledger = claims.page_file_claims(page)
        ledger.source = _relative(page)
        print(ledger)
    return 0


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-26") from None


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="livecalc", description="livecalc's publishing pipeline.")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    importing = commands.add_parser(
        "import", help="turn writers' drafts into docs/<slug>.md pages",
        description="Turn writers' drafts (Title:, Slug:, Meta:, Target Keyword:, DRAFT_READY, paragraphs) "
                    "into docs/<slug>.md. All drafts are checked first: if one is refused, nothing is written.",
    )
    importing.add_argument("drafts", nargs="+", metavar="DRAFT", help="a draft file (plain UTF-8 text)")
    importing.add_argument("--force", action="store_true", help="replace a page that already exists")
    importing.add_argument("--docs-dir", help="where pages go (default: docs_dir of the nearest mkdocs.yml)")
    importing.add_argument("--date", type=_date, help="the page's date (default: today), YYYY-MM-DD")
    importing.set_defaults(run=command_import)

    checking = commands.add_parser(
        "check", help="audit the built site's pages for on-page SEO",
        description="Audit every page of a built site: title and description lengths, target keyword "
                    "placement, one H1, image alt text, internal links, duplicates, head tags. "
                    "Exits 1 when there is an error; warnings are advice.",
    )
    checking.add_argument("--site-dir", help="the built site (default: site_dir of the nearest mkdocs.yml)")
    checking.set_defaults(run=command_check)

    listing = commands.add_parser(
        "claims", help="list every figure of pages and what it is: computed, input, checked, corrected, cited, unverified",
        description="The claims ledger of pages of docs/: each money amount, percentage and leverage multiple, "
                    "with its line, and whether it is computed, an input, checked, corrected, cited or unverified.",
    )
    listing.add_argument("pages", nargs="*", metavar="PAGE", help="a page (default: every page of docs/)")
    listing.set_defaults(run=command_claims)

    new = commands.add_parser(
        "new", help="write a new guide's page, docs/<slug>.md, ready to edit",
        description="Write docs/SLUG.md: commented front matter (title, description, slug, target keyword, "
                    "topic, status, date) and one worked example with every input of a calculator, then a "
                    "body showing its figures (fig() with stated=, computed now), its inputs and the live "
                    "calculator. It builds as written. Title, description and keyword default to the slug's words.",
    )
    new.add_argument("slug", metavar="SLUG", help="the page's address: lowercase words joined by hyphens")
    new.add_argument("--force", action="store_true", help="replace the page if it exists")
    new.add_argument("--ready", action="store_true", help="write status: ready (published) instead of status: draft")
    new.add_argument("--title", help="the title, 30 to 60 characters (default: from the slug)")
    new.add_argument("--description", help="the search snippet, 70 to 160 characters (default: from the keyword)")
    new.add_argument("--keyword", help="the target keyword (default: the slug's words)")
    new.add_argument("--topic", help=f"the menu section (default: {scaffold.DEFAULT_TOPIC})")
    new.add_argument("--calculator", metavar="NAME",
                     help="the worked example's calculator (default: the first one; see `livecalc calculators`)")
    new.add_argument("--docs-dir", help="where pages go (default: docs_dir of the nearest mkdocs.yml)")
    new.add_argument("--date", type=_date, help="the page's date (default: today), YYYY-MM-DD")
    new.set_defaults(run=command_new)

    listing = commands.add_parser(
        "calculators", help="list each calculator's inputs and outputs",
        description="Print each calculator's inputs (name, label, unit, bounds, default, choices; a list "
                    "input's rows too) and outputs (the names fig() takes, label, how shown, what it is), "
                    "read from the calculators' descriptions.",
    )
    listing.add_argument("names", nargs="*", metavar="NAME", help="only these calculators (default: all)")
    listing.set_defaults(run=command_calculators)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
