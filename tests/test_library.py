"""The library of guides: a guide is in the menu, on the home page's list and among its topic's related
guides by its own front matter, with nothing added to mkdocs.yml; drafts are in none of them.

A copy of the site (its mkdocs.yml, hooks and theme overrides, unedited) is built in process with the
site's own pages replaced by short stand-ins (they are not under test, and carry calculators that need
the engine) and six guides written here: three on "Margin" (one more as a draft), two on "Funding",
one with no topic. The expected lists are worked out by hand from the rules in livecalc/library.py:
topics alphabetically, guides alphabetically by title, a guide's related guides the next ones of its
topic, wrapping round.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from livecalc import library
from publishing_support import build, copy_project

#: name -> (title, topic or None, status)
GUIDES = {
    "margin-call.md": ("Margin calls and what they ask of a trader", "Margin", "ready"),
    "isolated-basics.md": ("Isolated margin: the basics, worked through", "Margin", "ready"),
    "cross-basics.md": ("Cross margin: one pool behind every position", "Margin", "ready"),
    "maintenance-draft.md": ("Maintenance margin rates: a draft still", "Margin", "draft"),
    "funding-rates.md": ("Funding rates on perpetual futures, explained", "Funding", "ready"),
    "funding-costs.md": ("Funding costs of a leveraged position held", "Funding", "ready"),
    "no-topic.md": ("A guide whose front matter names no topic", None, "ready"),
}
# The site's own pages (mkdocs.yml's nav), as stand-ins with distinct titles and descriptions.
OWN_PAGES = {
    "futures-calculators.md": "Futures calculators, a stand-in for this test",
    "methodology.md": "Methodology of the figures, a stand-in page",
    "authoring.md": "For writers: a stand-in page for this test",
}


def _page(title: str, topic: str | None, status: str | None) -> str:
    lines = ["---", f'title: "{title}"',
             f'description: "{title}. A page written for the library test, long enough for the audit."']
    if topic:
        lines.append(f"topic: {topic}")
    if status:
        lines.append(f"status: {status}")
    return "\n".join(lines + ["date: 2026-11-26", "---", "", f"# {title}", "", "Some prose of the guide.", ""])


def write_library(docs: Path, guides: dict[str, tuple[str, str | None, str]] = GUIDES) -> None:
    (docs / "crypto-isolated-margin-vs-cross-margin.md").unlink()  # the real guide: a Margin guide more
    for name, title in OWN_PAGES.items():
        (docs / name).write_text(_page(title, None, None), "utf-8")
    for name, (title, topic, status) in guides.items():
        (docs / name).write_text(_page(title, topic, status), "utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    project = copy_project(root / "project")
    write_library(project / "docs")
    built = build(project, root / "site")
    assert built.ok, built.output
    return built


class Menu(HTMLParser):
    """The primary navigation of a page: its links (href, text) and the labels of its sections."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.sections: list[str] = []
        self._depth = 0  # inside <nav class="md-nav--primary">
        self._href: str | None = None
        self._label = False
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "nav" and ("md-nav--primary" in classes or self._depth):
            self._depth += 1
        if not self._depth:
            return
        if tag == "a" and "md-nav__link" in classes:
            self._href, self._text = attrs["href"], []
        if tag == "label" and "md-nav__title" in classes and self._depth > 1:
            self._label, self._text = True, []

    def handle_endtag(self, tag):
        if not self._depth:
            return
        text = " ".join("".join(self._text).split())
        if tag == "a" and self._href is not None:
            self.links.append((self._href, text))
            self._href = None
        if tag == "label" and self._label:
            self.sections.append(text)
            self._label = False
        if tag == "nav":
            self._depth -= 1

    def handle_data(self, data):
        self._text.append(data)


def menu(html: str) -> Menu:
    parser = Menu()
    parser.feed(html)
    return parser


# --- the menu ---------------------------------------------------------------------------------------------


def test_each_topic_is_a_section_of_the_menu_after_home_in_alphabetical_order(site):
    # Home first (mkdocs.yml), then the topics alphabetically: Funding, Guides (no topic), Margin, each
    # folded to a link to its first guide; then the rest of mkdocs.yml's nav. (The stand-in pages have
    # no headings below the H1, so the menu holds no table of contents.)
    nav = menu(site.html("methodology"))
    assert nav.links == [("..", "Home"), ("../funding-costs/", "Funding"), ("../no-topic/", "Guides"),
                         ("../cross-basics/", "Margin"), ("../futures-calculators/", "Calculators"),
                         ("./", "Methodology"), ("../authoring/", "For writers")]
    assert nav.sections == []  # every topic folded


def test_a_guide_page_opens_its_own_topic_in_the_menu_and_folds_the_others(site):
    nav = menu(site.html("isolated-basics"))
    hrefs = [href for href, _ in nav.links]
    # Margin, alphabetically by title: Cross..., Isolated..., Margin calls... (the draft left out)
    margin = [text for href, text in nav.links if text in {t for t, topic, _ in GUIDES.values() if topic == "Margin"}]
    assert margin == ["Cross margin: one pool behind every position", "Isolated margin: the basics, worked through",
                      "Margin calls and what they ask of a trader"]
    assert nav.sections == ["Margin"]  # the only section rendered open
    # Funding is folded to one link, to its first guide (Material's navigation.prune): no Funding guide's title
    assert "Funding costs of a leveraged position held" not in [text for _, text in nav.links]
    assert ("../funding-costs/", "Funding") in nav.links
    assert not any("maintenance-draft" in href for href in hrefs)


def test_a_guide_without_a_topic_is_in_the_guides_section(site):
    nav = menu(site.html("no-topic"))
    assert nav.sections == ["Guides"]
    assert ("./", "A guide whose front matter names no topic") in nav.links


def test_previous_and_next_follow_the_menu(site):
    # The menu's page order: Home; Funding (costs, rates); Guides (no-topic); Margin (cross, isolated,
    # margin-call); Calculators, Methodology, For writers.
    html = site.html("no-topic")
    assert '<link rel="prev" href="../funding-rates/">' in html
    assert '<link rel="next" href="../cross-basics/">' in html


def test_a_large_topic_shows_only_the_guides_near_the_page_in_its_menu(tmp_path):
    # 13 guides of one topic, "Topic guide 01" to "13" (alphabetical = numerical): a guide's menu shows
    # itself and MENU_REACH = 5 either side, 11 guides, shifted inward at the ends; every other page
    # shows the topic folded to a link to its first guide, and the home page lists all 13.
    project = copy_project(tmp_path / "project")
    write_library(project / "docs", {f"topic-guide-{n:02d}.md": (f"Topic guide {n:02d} of a large topic here", "Large",
                                                                 "ready") for n in range(1, 14)})
    built = build(project, tmp_path / "site")
    assert built.ok, built.output

    def shown(slug: str) -> list[int]:
        return [int(text.split()[2]) for _, text in menu(built.html(slug)).links if text.startswith("Topic guide")]

    assert shown("topic-guide-07") == list(range(2, 13))
    assert shown("topic-guide-01") == list(range(1, 12))
    assert shown("topic-guide-12") == list(range(3, 14))
    assert ("../topic-guide-01/", "Large") in menu(built.html("methodology")).links
    home = built.html("")
    assert all(f'href="topic-guide-{n:02d}/"' in home for n in range(1, 14))


# --- the home page's list ---------------------------------------------------------------------------------


def test_the_home_page_lists_every_published_guide_under_its_topic(site):
    html = site.html("")
    content = html[html.index('<h2 id="guides"'):html.index('<h2 id="calculators"')]
    headings = re.findall(r"<h3[^>]*>(.*?)<a", content)
    assert headings == ["Funding", "Guides", "Margin"]
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', content)
    assert links == [
        ("funding-costs/", "Funding costs of a leveraged position held"),
        ("funding-rates/", "Funding rates on perpetual futures, explained"),
        ("no-topic/", "A guide whose front matter names no topic"),
        ("cross-basics/", "Cross margin: one pool behind every position"),
        ("isolated-basics/", "Isolated margin: the basics, worked through"),
        ("margin-call/", "Margin calls and what they ask of a trader"),
    ]


# --- related guides ---------------------------------------------------------------------------------------


def related(html: str) -> list[tuple[str, str]]:
    match = re.search(r'<nav class="livecalc-related".*?</nav>', html, re.S)
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', match.group(0)) if match else []


def test_a_guide_links_to_the_other_guides_of_its_topic_after_it_wrapping_round(site):
    # Margin in order: cross, isolated, margin-call. After isolated: margin-call, then (wrapping) cross.
    assert related(site.html("isolated-basics")) == [
        ("../margin-call/", "Margin calls and what they ask of a trader"),
        ("../cross-basics/", "Cross margin: one pool behind every position"),
    ]
    assert related(site.html("funding-rates")) == [("../funding-costs/", "Funding costs of a leveraged position held")]


def test_a_guide_alone_in_its_topic_and_the_sites_own_pages_have_no_related_guides(site):
    assert related(site.html("no-topic")) == []
    for page in ("", "methodology", "futures-calculators"):
        assert 'class="livecalc-related"' not in site.html(page), page


def test_the_related_list_is_short_however_large_the_topic():
    # Nine guides of one topic: each links to the next five (RELATED_COUNT), never to itself.
    shelf = library.shelves(library.Guide(f"g{n}.md", f"Guide {n}", "T") for n in range(9))[0]
    for entry in shelf.guides:
        linked = library.related(shelf, entry.src_uri)
        assert len(linked) == 5 and entry not in linked


# --- drafts -----------------------------------------------------------------------------------------------


def test_a_draft_is_in_no_menu_list_related_guides_search_or_sitemap(site):
    assert not (site.site_dir / "maintenance-draft").exists()
    everywhere = [site.html(page) for page in ("", "isolated-basics", "margin-call", "cross-basics", "funding-rates")]
    assert not any("maintenance-draft" in html for html in everywhere)
    assert not any("Maintenance margin rates" in html for html in everywhere)
    index = json.loads((site.site_dir / "search" / "search_index.json").read_text("utf-8"))
    assert not any(doc["location"].startswith("maintenance-draft") for doc in index["docs"])
    assert "maintenance-draft" not in (site.site_dir / "sitemap.xml").read_text("utf-8")
    # the control: a published guide of the same topic is in both
    assert any(doc["location"].startswith("margin-call/") for doc in index["docs"])
    assert "/margin-call/</loc>" in (site.site_dir / "sitemap.xml").read_text("utf-8")


def test_the_build_does_not_call_the_guides_forgotten_by_the_nav(site):
    # MkDocs says "exist in the docs directory, but are not included in the nav" of pages nav: omits;
    # the library places them, so there is nothing to say.
    assert "not included in the \"nav\" configuration" not in site.output


# --- the rules --------------------------------------------------------------------------------------------


def test_a_title_with_markdown_characters_is_listed_as_written():
    shelf = library.Shelf("Fees & costs", (library.Guide("a.md", "Fees_and *costs* [2026] <b>", "Fees & costs"),))
    listing = library.listing_markdown([shelf], "index.md")
    import markdown

    html = markdown.markdown(listing)
    assert "<h3>Fees &amp; costs</h3>" in html
    assert '<a href="a.md">Fees_and *costs* [2026] &lt;b&gt;</a>' in html
