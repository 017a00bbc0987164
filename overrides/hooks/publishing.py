"""MkDocs hooks (mkdocs.yml ``hooks:``) for livecalc's publishing rules: plain functions, no plugin class.

Why a hooks file: MkDocs 1.6 marks drafts by file name (``draft_docs`` patterns), but a page's
publishing status is in its front matter (``status: draft``), which neither ``draft_docs``,
``exclude_docs`` nor ``not_in_nav`` can read. ``on_files`` reads it and sets MkDocs' own
``InclusionLevel.DRAFT`` (left out of ``mkdocs build``: pages, search index, sitemap; shown by
``mkdocs serve`` with a draft banner). MkDocs still lists a draft named in ``nav:``, so ``on_nav``
takes it out. After the build, ``on_post_build`` draws each page's social card and runs the audit
(its errors fail the build; its warnings are INFO lines, which ``--strict`` lets through).

Every rule is in the ``livecalc`` package (publishing, social, audit), so the command line
(``livecalc check``), the build and the tests apply the same ones. The file sits in the theme's
``overrides/`` folder so that a copy of the site's sources (config, docs, overrides) builds as is.

Each build reads every page's front matter and audits every built page afresh (a few milliseconds a
page, no cache to keep right). Only the social cards are kept between builds, in
``.cache/livecalc-social`` (git-ignored), each named by a digest of its title, the site's name and
tagline, and the drawing code and font (``livecalc.social.card_key``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import InclusionLevel
from mkdocs.structure.nav import Section
from mkdocs.structure.pages import Page

from livecalc import audit, publishing, social

log = logging.getLogger("mkdocs.livecalc.publishing")

_serving = False
_built: list[tuple[str, str]] = []  # (page URL, title) of every page written by this build


def on_startup(command: str, dirty: bool) -> None:
    global _serving
    _serving = command == "serve"


def on_config(config):
    settings = publishing.settings(config.extra)
    settings["preview_drafts"] = publishing.truthy(settings["preview_drafts"])
    config.extra["publishing"] = settings
    return config


def on_pre_build(config) -> None:
    _built.clear()


def on_files(files, config):
    """Drafts (front matter ``status: draft``) become MkDocs drafts, unless previewing."""
    preview = config.extra["publishing"]["preview_drafts"]
    problems = []
    for file in files.documentation_pages(inclusion=InclusionLevel.all):
        if file.inclusion.is_excluded():
            continue
        where = f"{Path(config.docs_dir).name}/{file.src_uri}"
        text = file.content_string  # also for a page that another plugin generated
        found, draft = publishing.check_page(text, where, file.src_uri)
        problems.extend(found)
        if draft and not preview:
            file.inclusion = InclusionLevel.DRAFT
    if problems:
        raise PluginError("livecalc: " + "\n".join(problems))
    return files


def _keep(item) -> bool:
    if isinstance(item, Page):
        return not item.file.inclusion.is_excluded()
    if isinstance(item, Section):
        item.children = [child for child in item.children if _keep(child)]
        return bool(item.children)
    return True


def on_nav(nav, config, files):
    """Take drafts out of the navigation of a build (``mkdocs serve`` keeps them, to preview them)."""
    if _serving:
        return nav
    nav.items = [item for item in nav.items if _keep(item)]
    nav.pages = [page for page in nav.pages if not page.file.inclusion.is_excluded()]
    for number, page in enumerate(nav.pages):
        page.previous_page = nav.pages[number - 1] if number else None
        page.next_page = nav.pages[number + 1] if number + 1 < len(nav.pages) else None
    return nav


def on_post_page(output: str, page, config) -> str:
    title = str(page.meta.get("title") or page.title or config.site_name)
    _built.append((page.url, title))
    return output


def on_post_build(config) -> None:
    site_dir = Path(config.site_dir)
    cards = Path(config.config_file_path).parent / ".cache" / "livecalc-social"
    tagline = config.extra["publishing"].get("card_tagline", social.TAGLINE)
    for url, title in _built:
        social.write_card(site_dir / social.card_path(url), title=title, site_name=config.site_name,
                          tagline=tagline, cache_dir=cards)

    pages: list[audit.PageFacts] = []
    findings = audit.audit_site(site_dir, pages=pages, docs_dir=Path(config.docs_dir))
    errors = [f for f in findings if f.severity == audit.ERROR]
    for finding in findings:
        if finding not in errors or _serving:
            log.info("livecalc audit: %s", finding)
    log.info("livecalc audit: %s", audit.summary(findings, len(pages)))
    if errors and not _serving:
        listing = "\n".join(f"  {n}. {e}" for n, e in enumerate(errors, 1))
        raise PluginError(
            f"livecalc audit: {len(errors)} error(s) in the built pages; fix them and build again "
            f"(`livecalc check` lists warnings too):\n{listing}"
        )
