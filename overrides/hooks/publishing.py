"""MkDocs hooks (mkdocs.yml ``hooks:``) for livecalc's publishing rules: plain functions, no plugin class.

Why a hooks file: MkDocs 1.6 marks drafts by file name (``draft_docs`` patterns), but a page's
publishing status is in its front matter (``status: draft``), which neither ``draft_docs``,
``exclude_docs`` nor ``not_in_nav`` can read. ``on_files`` reads it and sets MkDocs' own
``InclusionLevel.DRAFT`` (left out of ``mkdocs build``: pages, search index, sitemap; shown by
``mkdocs serve`` with a draft banner). MkDocs still lists a draft named in ``nav:``, so ``on_nav``
takes it out. After the build, ``on_post_build`` draws each page's social card and runs the audit
(its errors fail the build; its warnings are INFO lines, which ``--strict`` lets through).

The library of guides (``livecalc.library``): mkdocs.yml's ``nav:`` lists the site's own pages; every
other published page is a guide, shelved by its front matter ``topic:``. ``on_files`` reads the
topics (and marks those pages "not in nav", so MkDocs does not list them as forgotten: the hook places
them), ``on_nav`` puts one section per topic after the home page, ``on_page_markdown`` replaces the
:data:`GUIDES_MARKER` comment of a page (the home page's) by the list of every guide by topic, and
``on_page_context`` gives each guide its related guides (``partials/livecalc-related.html``). Material's
``navigation.prune`` folds every topic but the page's own to one link, and ``on_page_context`` narrows
that one to the guides near the page (``library.window``), so a page does not grow with the library.

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
from mkdocs.plugins import event_priority
from mkdocs.structure.files import InclusionLevel
from mkdocs.structure.nav import Section
from mkdocs.structure.pages import Page

from livecalc import audit, library, publishing, social

log = logging.getLogger("mkdocs.livecalc.publishing")

_serving = False
_built: list[tuple[str, str]] = []  # (page URL, title) of every page written by this build
_problems_of: dict[str, list[str]] = {}  # mkdocs serve: a page's front matter problems (src_uri -> lines)
_shelves: list[library.Shelf] = []  # the library of this build, by topic
_shelf_of: dict[str, library.Shelf] = {}  # a guide's file (src_uri) -> its topic's shelf
_page_of: dict[str, Page] = {}  # a guide's file (src_uri) -> its page in the navigation
_narrowed: list[tuple[Section, list]] = []  # the topic narrowed for the page being rendered, and its guides

#: Where a page wants the list of every guide by topic (docs/index.md has it).
GUIDES_MARKER = "<!-- livecalc: guides by topic -->"


def on_startup(command: str, dirty: bool) -> None:
    global _serving
    _serving = command == "serve"


def on_config(config):
    settings = publishing.settings(config.extra)
    settings["preview_drafts"] = publishing.truthy(settings["preview_drafts"])
    # mkdocs serve shows a page's problems in the page and keeps serving (the macros read this too)
    settings["serving"] = _serving
    config.extra["publishing"] = settings
    return config


def on_pre_build(config) -> None:
    _built.clear()
    _problems_of.clear()


def _nav_paths(items) -> set[str]:
    """Every page file named in mkdocs.yml's ``nav:`` (its entries are paths, titled or not, or sections)."""
    found: set[str] = set()
    for item in items or []:
        value = next(iter(item.values())) if isinstance(item, dict) and len(item) == 1 else item
        if isinstance(value, list):
            found |= _nav_paths(value)
        elif isinstance(value, str) and value.endswith(".md"):
            found.add(value.lstrip("/"))
    return found


def on_files(files, config):
    """Drafts (front matter ``status: draft``) become MkDocs drafts, unless previewing; the pages that
    ``nav:`` does not name are shelved in the library by their topic."""
    preview = config.extra["publishing"]["preview_drafts"]
    listed = _nav_paths(config.nav) if config.nav is not None else None
    problems = []
    guides = []
    for file in files.documentation_pages(inclusion=InclusionLevel.all):
        if file.inclusion.is_excluded():
            continue
        where = f"{Path(config.docs_dir).name}/{file.src_uri}"
        text = file.content_string  # also for a page that another plugin generated
        meta, found, draft = publishing.read_page(text, where, file.src_uri)
        if not draft or preview or _serving:
            found += publishing.required_fields(meta, text, where)
        problems.extend(found)
        if found and _serving:  # shown in the page (on_page_content) instead of stopping the preview
            _problems_of[file.src_uri] = found
            if not meta and publishing.checked_front_matter(text)[1]:
                file.content_string = publishing.unreadable_page(text, where)
        # Without a nav: in mkdocs.yml, MkDocs lists every page itself; a page marked not_in_nav stays out.
        if listed is None or file.src_uri in listed or file.inclusion == InclusionLevel.NOT_IN_NAV:
            if draft and not preview:
                file.inclusion = InclusionLevel.DRAFT
            continue
        if draft and not preview:
            file.inclusion = InclusionLevel.DRAFT
        else:
            file.inclusion = InclusionLevel.NOT_IN_NAV  # on_nav places it: no "omitted from the nav" notice
        if not draft or preview or _serving:
            guides.append(library.guide(file.src_uri, meta))
    if problems and _serving:
        publishing.log_past_strict_mode(log, logging.ERROR, "livecalc: " + "\n".join(problems))
    elif problems:
        raise PluginError("livecalc: " + "\n".join(problems))
    _shelves[:] = library.shelves(guides)
    _shelf_of.clear()
    _shelf_of.update({entry.src_uri: shelf for shelf in _shelves for entry in shelf.guides})
    return files


def _keep(item) -> bool:
    if isinstance(item, Page):
        return not item.file.inclusion.is_excluded()
    if isinstance(item, Section):
        item.children = [child for child in item.children if _keep(child)]
        return bool(item.children)
    return True


def _pages(items) -> list[Page]:
    pages = []
    for item in items:
        if isinstance(item, Page):
            pages.append(item)
        elif isinstance(item, Section):
            pages.extend(_pages(item.children))
    return pages


def on_nav(nav, config, files):
    """One section per topic of the library, after the home page; drafts out of the navigation of a
    build (``mkdocs serve`` keeps them, to preview them)."""
    sections = []
    _page_of.clear()
    for shelf in _shelves:
        pages = []
        for entry in shelf.guides:
            file = files.get_file_from_path(entry.src_uri)
            if file is None:
                continue
            pages.append(file.page or Page(None, file, config))  # a Page sets itself as file.page
            _page_of[entry.src_uri] = pages[-1]
        section = Section(shelf.topic, pages)
        for page in pages:
            page.parent = section
        sections.append(section)
    nav.items[1:1] = sections
    if not _serving:
        nav.items = [item for item in nav.items if _keep(item)]
    nav.pages = [page for page in _pages(nav.items) if _serving or not page.file.inclusion.is_excluded()]
    for number, page in enumerate(nav.pages):
        page.previous_page = nav.pages[number - 1] if number else None
        page.next_page = nav.pages[number + 1] if number + 1 < len(nav.pages) else None
    return nav


@event_priority(-50)  # after mkdocs-macros: the list is Markdown, never a template
def on_page_markdown(markdown: str, page, config, files) -> str:
    """The list of every guide by topic where a page asks for it (:data:`GUIDES_MARKER`)."""
    if GUIDES_MARKER in markdown:
        markdown = markdown.replace(GUIDES_MARKER, library.listing_markdown(_shelves, page.file.src_uri))
    return markdown


def on_page_context(context, page, config, nav):
    """A guide's related guides: the next few of its topic (``partials/livecalc-related.html``)."""
    shelf = _shelf_of.get(page.file.src_uri)
    entries = library.related(shelf, page.file.src_uri) if shelf is not None else []
    context["livecalc_related"] = [_page_of[entry.src_uri] for entry in entries if entry.src_uri in _page_of]
    # The menu of a guide's page shows its topic open (navigation.prune folds the others to one link):
    # only the guides near it, so that a page does not carry a whole topic of hundreds of guides.
    # Put back after the page is rendered (on_post_page): other pages show the topic folded, or their
    # own part of it.
    section = page.parent
    if shelf is not None and isinstance(section, Section) and page in section.children:
        everything = list(section.children)
        narrowed = library.window(everything, everything.index(page))
        if len(narrowed) < len(everything):
            _narrowed.append((section, everything))
            section.children = narrowed
    return context


def on_page_content(html: str, page, config, files) -> str:
    """mkdocs serve: a page's front matter problems at its top, with the terminal's text."""
    found = _problems_of.get(page.file.src_uri)
    return publishing.problems_banner(found) + html if found else html


def on_post_page(output: str, page, config) -> str:
    while _narrowed:
        section, everything = _narrowed.pop()
        section.children = everything
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
