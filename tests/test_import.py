"""``livecalc import``: a writer's draft becomes ``docs/<slug>.md``; a malformed draft is refused, naming
the file and the line, and nothing is written; a draft without DRAFT_READY is not published. Also the
build's reading of each page's front matter: as MkDocs reads it, with its status and slug checked."""

from __future__ import annotations

import datetime
import json
import re
import textwrap
from pathlib import Path

import pytest
import yaml

from livecalc import publishing
from publishing_support import (
    GUIDE,
    GUIDE_DRAFT,
    REPO,
    article,
    build,
    copy_project,
    draft_headers,
    front_matter,
    head,
    livecalc,
    livecalc_as_a_writer,
)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: equal snapshots mean nothing was written."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_draft(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else textwrap.dedent(text).lstrip("\n").encode("utf-8"))
    return path


# --- The guide's draft --------------------------------------------------------------------------------


def test_the_guides_draft_imports_as_a_page_whose_front_matter_and_paragraphs_are_the_drafts(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    result = livecalc_as_a_writer("import", str(GUIDE_DRAFT), "--docs-dir", str(docs), "--date", "2026-11-26")
    assert result.returncode == 0, result.stderr
    page = docs / "crypto-isolated-margin-vs-cross-margin.md"
    assert f"{page}" in result.stdout or "crypto-isolated-margin-vs-cross-margin.md" in result.stdout
    assert "/crypto-isolated-margin-vs-cross-margin/" in result.stdout

    headers, ready, paragraphs = draft_headers(GUIDE_DRAFT)
    meta, body = front_matter(page.read_text("utf-8"))
    assert ready
    # The worked examples import recognised (tests/test_claims.py checks their figures).
    assert list(meta.pop("examples")) == ["btc_10x_long", "example_20x", "eth_20x"]
    assert meta == {
        "title": headers["Title"],
        "description": headers["Meta"],
        "slug": headers["Slug"],
        "target_keyword": headers["Target Keyword"],
        "status": "ready",
        "date": datetime.date(2026, 11, 26),
    }
    blocks = [block for block in body.strip().split("\n\n")]
    assert blocks[0] == f"# {headers['Title']}"
    # The draft's prose has no Markdown or template syntax, so each paragraph is the draft's line as is,
    # except the two whose worked figures became macro calls (fig(), inputs()).
    changed = [n for n, (block, paragraph) in enumerate(zip(blocks[1:], paragraphs)) if block != paragraph]
    assert changed == [7, 15]
    assert all("{{ " in blocks[1 + n] for n in changed)
    # 23 lines (`wc -l` counts 22 newlines: the last line has none) less 5 header lines.
    assert len(paragraphs) == 18


def test_the_imported_guide_draft_is_refused_by_the_audit_for_its_61_character_title(tmp_path):
    """The writer's title is 61 characters (counted by hand: 'Crypto Isolated Margin vs Cross Margin: '
    is 39, 'A Technical Breakdown' 22): the build names the page, the rule and the fix, which is why the
    published guide's front matter title is shorter."""
    project = copy_project(tmp_path / "project")
    result = livecalc("import", str(GUIDE_DRAFT), "--force", "--docs-dir", str(project / "docs"))
    assert result.returncode == 0, result.stderr
    built = build(project, tmp_path / "site")
    assert not built.ok
    assert "/crypto-isolated-margin-vs-cross-margin/: error [title-length] <title> has 61 characters" in built.output
    assert "shorten the front matter `title:` to 30-60 characters" in built.output


def test_importing_the_guides_draft_over_the_edited_guide_is_refused_without_force(tmp_path):
    project = copy_project(tmp_path / "project")
    docs = project / "docs"
    before = snapshot(docs)
    result = livecalc("import", str(GUIDE_DRAFT), "--docs-dir", str(docs))
    assert result.returncode == 1
    # Line 2 of the draft is its Slug: header.
    assert f"{GUIDE_DRAFT}:2: " in result.stderr
    assert "crypto-isolated-margin-vs-cross-margin.md already exists" in result.stderr
    assert "--force" in result.stderr
    assert snapshot(docs) == before
    # The repository's guide is the edited one: its front matter declares worked examples the draft has not.
    assert "examples" in front_matter(GUIDE.read_text("utf-8"))[0]


def test_force_replaces_an_existing_page_with_the_draft(tmp_path):
    project = copy_project(tmp_path / "project")
    page = project / "docs" / "crypto-isolated-margin-vs-cross-margin.md"
    result = livecalc("import", str(GUIDE_DRAFT), "--force", "--docs-dir", str(project / "docs"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("replaced ")
    # the edited guide's examples are gone: the page's are those import recognised in the draft
    assert set(front_matter(page.read_text("utf-8"))[0]["examples"]) == {"btc_10x_long", "example_20x", "eth_20x"}


# --- Malformed drafts ----------------------------------------------------------------------------------

GOOD_HEADERS = """\
Title: Funding Rates Explained for Perpetual Futures Traders
Slug: funding-rates-explained
Meta: What perpetual futures funding rates are, who pays whom, and how funding changes the cost of holding a position.
Target Keyword: funding rates
DRAFT_READY
"""
BODY = "Funding rates keep a perpetual contract's price close to the index.\nThey are paid every eight hours.\n"

MALFORMED = {
    # name: (draft text, line the message names, words the message contains)
    "missing title": (GOOD_HEADERS.replace("Title: Funding Rates Explained for Perpetual Futures Traders\n", "") + BODY,
                      5, "no 'Title:' header"),
    "empty title": ("Title:   \n" + GOOD_HEADERS.split("\n", 1)[1] + BODY, 1, "'Title:' is empty"),
    "missing slug": (GOOD_HEADERS.replace("Slug: funding-rates-explained\n", "") + BODY, 5, "no 'Slug:' header"),
    "empty slug": (GOOD_HEADERS.replace("Slug: funding-rates-explained", "Slug:"), 2, "'Slug:' is empty"),
    "missing meta": (GOOD_HEADERS.replace(GOOD_HEADERS.splitlines()[2] + "\n", "") + BODY, 5, "no 'Meta:' header"),
    "empty meta": (GOOD_HEADERS.replace(GOOD_HEADERS.splitlines()[2], "Meta:") + BODY, 3, "'Meta:' is empty"),
    "slug with capitals and underscore": (GOOD_HEADERS.replace("funding-rates-explained", "Funding_Rates") + BODY, 2,
                                          "'Funding_Rates' is not a slug: use lowercase letters, digits and single hyphens, e.g. 'funding-rates'"),
    "slug with a space": (GOOD_HEADERS.replace("funding-rates-explained", "funding rates") + BODY, 2, "is not a slug"),
    "slug with a double hyphen": (GOOD_HEADERS.replace("funding-rates-explained", "funding--rates") + BODY, 2, "is not a slug"),
    "empty body": (GOOD_HEADERS, 6, "the draft has no body"),
    "blank lines only after the header": (GOOD_HEADERS + "\n\n   \n", 6, "the draft has no body"),
    "unknown header": (GOOD_HEADERS.replace("Target Keyword: funding rates\n", "Target Keyword: funding rates\nAuthor: Jane Doe\n") + BODY,
                       5, "unknown header 'Author:'"),
    "header twice": (GOOD_HEADERS.replace("DRAFT_READY\n", "Slug: funding-rates\nDRAFT_READY\n") + BODY, 5,
                     "second 'Slug:' header (the first is on line 2)"),
    "DRAFT_READY in the body": (GOOD_HEADERS + BODY + "DRAFT_READY\n", 8, "DRAFT_READY is in the body"),
    "template syntax in the title": (GOOD_HEADERS.replace("Explained for", "{{ Explained }} for") + BODY, 1,
                                     "the title holds '{{', '{%' or '{#'"),
    "slug reserved by the site": (GOOD_HEADERS.replace("funding-rates-explained", "assets") + BODY, 2, "a name the built site already uses"),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_a_malformed_draft_is_refused_with_its_file_and_line_and_nothing_is_written(tmp_path, case):
    text, line, message = MALFORMED[case]
    drafts, docs = tmp_path / "drafts", tmp_path / "docs"
    drafts.mkdir()
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n", "utf-8")
    draft = write_draft(drafts, "draft.txt", text)
    before = snapshot(docs)
    result = livecalc("import", str(draft), "--docs-dir", str(docs))
    assert result.returncode == 1
    assert f"{draft}:{line}: " in result.stderr, result.stderr
    assert message in result.stderr, result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(docs) == before


def test_a_draft_that_is_not_utf8_is_refused_at_the_line_of_the_first_bad_byte(tmp_path):
    # "é" in Latin-1 is the single byte 0xE9: in UTF-8 it would open a three-byte sequence, and the
    # space after it is no continuation byte. Line 7 (5 header lines, then two paragraphs); column 30:
    # "The second paragraph says caf" is 3+1+6+1+9+1+4+1+3 = 29 characters.
    text = (GOOD_HEADERS + "A first paragraph.\nThe second paragraph says caf\xe9 twice.\n").encode("latin-1")
    docs = tmp_path / "docs"
    docs.mkdir()
    draft = write_draft(tmp_path, "latin1.txt", text)
    result = livecalc("import", str(draft), "--docs-dir", str(docs))
    assert result.returncode == 1
    assert f"{draft}:7: not UTF-8: byte 0xe9 at column 30" in result.stderr
    assert list(docs.iterdir()) == []


@pytest.mark.parametrize("taken_by", ["other.md", "funding-rates-explained/index.md"])
def test_a_slug_that_another_page_uses_is_refused(tmp_path, taken_by):
    """Taken as another page's front matter slug, or as another page's address (``/<slug>/``)."""
    docs = tmp_path / "docs"
    (docs / taken_by).parent.mkdir(parents=True, exist_ok=True)
    (docs / taken_by).write_text("---\ntitle: Another page\nslug: funding-rates-explained\n---\n\nText.\n", "utf-8")
    draft = write_draft(tmp_path, "draft.txt", GOOD_HEADERS + BODY)
    before = snapshot(docs)
    result = livecalc("import", str(draft), "--docs-dir", str(docs))
    assert result.returncode == 1
    assert f"{draft}:2: slug 'funding-rates-explained' is already used by {docs / taken_by}" in result.stderr
    assert snapshot(docs) == before


def test_one_refused_draft_means_no_draft_of_the_import_is_written(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    good = write_draft(tmp_path, "good.txt", GOOD_HEADERS + BODY)
    bad = write_draft(tmp_path, "bad.txt", GOOD_HEADERS.replace("funding-rates-explained", "Bad Slug") + BODY)
    same_slug = write_draft(tmp_path, "same.txt", GOOD_HEADERS + BODY)
    result = livecalc("import", str(good), str(bad), str(same_slug), "--docs-dir", str(docs))
    assert result.returncode == 1
    assert f"{bad}:2: 'Bad Slug' is not a slug" in result.stderr
    assert f"{same_slug}:2: slug 'funding-rates-explained' is also the slug of {good} in this import" in result.stderr
    assert list(docs.iterdir()) == []


def test_a_missing_draft_file_is_refused(tmp_path):
    result = livecalc("import", str(tmp_path / "nope.txt"), "--docs-dir", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path / 'nope.txt'}: no such file" in result.stderr


# --- What an imported page renders ----------------------------------------------------------------------

#: Paragraphs that Markdown or the macros would otherwise read as markup; each must render as written.
TRICKY = [
    "*Not emphasis* and _not either_ and **not bold** in a snake_case_name.",
    "[Not a link](https://example.com) and ![not an image](x.png) and a footnote[^1].",
    "{{ not_a_macro }} and {% not_a_tag %} and {# not a comment #} and {: .not-an-attribute }",
    "<b>Not bold</b> and <!-- not a comment --> and &copy; is not an entity, AT&T stays.",
    "# Not a heading",
    "> Not a quote",
    "- Not a list item",
    "+ Not a list item either",
    "1. Not an ordered list",
    ": Not a definition",
    "`Not code` and a back\\slash.",
    "~~~ not a fence",
    "--- not a rule",
    "=== not an underline",
    "Prices like $65,000, 5% to 15%, a 10x move — and “quotes” stay as written.",
]


TRICKY_TITLE = 'Funding Rates: "Who Pays" & <Whom> *Explained*'
TRICKY_META = 'What perpetual futures "funding rates" are & who pays <whom>, and how funding changes the {% cost %} of it.'


def test_markdown_and_template_characters_in_a_draft_render_exactly_as_written(tmp_path):
    project = copy_project(tmp_path / "project")
    headers = (GOOD_HEADERS.replace("funding-rates-explained", "tricky-characters")
               .replace("Funding Rates Explained for Perpetual Futures Traders", TRICKY_TITLE)
               .replace(GOOD_HEADERS.splitlines()[2], f"Meta: {TRICKY_META}"))
    draft = write_draft(tmp_path, "tricky.txt", headers + "\n".join(TRICKY) + "\n")
    result = livecalc("import", str(draft), "--docs-dir", str(project / "docs"))
    assert result.returncode == 0, result.stderr
    built = build(project, tmp_path / "site")
    assert built.ok, built.output
    markup = built.html("tricky-characters")
    page = article(markup)
    assert page.h1 == [TRICKY_TITLE]
    assert page.paragraphs == TRICKY
    # The head carries the same text, escaped once (an unescaped quote would cut the attribute short).
    tags = head(markup)
    assert tags.title == TRICKY_TITLE + " - livecalc"  # 46 + 11 characters: the suffix fits in 60
    assert tags.one("og:title") == TRICKY_TITLE
    assert tags.one("description") == tags.one("og:description") == TRICKY_META
    (article_ld,) = [block for block in tags.json_ld if block["@type"] == "Article"]
    assert (article_ld["headline"], article_ld["description"]) == (TRICKY_TITLE, TRICKY_META)


# --- Publishing: a draft without DRAFT_READY -------------------------------------------------------------

NOT_READY = GOOD_HEADERS.replace("DRAFT_READY\n", "")


def publish_not_ready_draft(tmp_path: Path, headers: str, **environment: str):
    """Import a draft into a copy of the site and build it: nothing else is edited (the publishing hook
    puts a published guide in the menu by its front matter; livecalc/library.py)."""
    project = copy_project(tmp_path / "project")
    draft = write_draft(tmp_path, "draft.txt", headers + BODY)
    result = livecalc("import", str(draft), "--docs-dir", str(project / "docs"))
    assert result.returncode == 0, result.stderr
    return result, build(project, tmp_path / "site", **environment)


def published_everywhere(built, slug: str) -> dict[str, bool]:
    """Where the page appears: its own file, another page's navigation, the search index, the sitemap."""
    index = json.loads((built.site_dir / "search" / "search_index.json").read_text("utf-8"))
    home = built.html("")
    return {
        "page": built.page(slug).exists(),
        "nav": f'href="{slug}/"' in home,
        "search": any(doc["location"].startswith(f"{slug}/") for doc in index["docs"]),
        "sitemap": f"/{slug}/</loc>" in (built.site_dir / "sitemap.xml").read_text("utf-8"),
    }


def test_a_draft_without_draft_ready_is_imported_as_a_draft_and_left_out_of_the_built_site(tmp_path):
    imported, built = publish_not_ready_draft(tmp_path, NOT_READY)
    assert "status: draft" in imported.stdout
    assert built.ok, built.output
    assert published_everywhere(built, "funding-rates-explained") == {
        "page": False, "nav": False, "search": False, "sitemap": False,
    }
    # The pages next to it in the nav link to each other, not to the draft. The menu: Home, then the
    # "Guides" topic (neither page names a topic), "Crypto ..." before "Funding ..." by title, then
    # mkdocs.yml's next page, the calculators: without the draft, the guide's next page is that one.
    guide = head(built.html("crypto-isolated-margin-vs-cross-margin"))
    assert guide.links["next"] == ["../futures-calculators/"]


def test_the_same_draft_with_draft_ready_is_published_everywhere(tmp_path):
    """The control of the test above: the same build finds the page when it is ready."""
    imported, built = publish_not_ready_draft(tmp_path, GOOD_HEADERS)
    assert "status: ready" in imported.stdout
    assert built.ok, built.output
    assert published_everywhere(built, "funding-rates-explained") == {
        "page": True, "nav": True, "search": True, "sitemap": True,
    }
    # and it is the guide's next page in the menu ("Crypto ..." then "Funding ..." in the "Guides" topic)
    assert head(built.html("crypto-isolated-margin-vs-cross-margin")).links["next"] == ["../funding-rates-explained/"]


def test_the_preview_setting_builds_drafts_marked_as_drafts_and_out_of_search_engines(tmp_path):
    _, built = publish_not_ready_draft(tmp_path, NOT_READY, LIVECALC_PREVIEW_DRAFTS="true")
    assert built.ok, built.output
    markup = built.html("funding-rates-explained")
    assert head(markup).one("robots") == "noindex, nofollow"
    assert "This page is not published" in " ".join(article(markup).by_class[".livecalc-draft-banner"])
    assert "Disallow: /" in (built.site_dir / "robots.txt").read_text("utf-8")
    assert "funding-rates-explained" not in (built.site_dir / "sitemap.xml").read_text("utf-8")


def test_an_unknown_status_stops_the_build_rather_than_publishing(tmp_path):
    project = copy_project(tmp_path / "project")
    page = project / "docs" / "typo.md"
    page.write_text("---\ntitle: A page whose status has a typo in it\nstatus: redy\n---\n\n# Typo\n", "utf-8")
    built = build(project, tmp_path / "site")
    assert not built.ok
    assert "docs/typo.md: status is 'redy'; write 'status: ready'" in built.output


def test_a_front_matter_slug_that_is_not_the_file_name_stops_the_build(tmp_path):
    """The address is /<file name>/; a page whose slug says otherwise would be found at neither."""
    project = copy_project(tmp_path / "project")
    (project / "docs" / "funding.md").write_text(
        "---\ntitle: Funding Rates Explained for Perpetual Futures Traders\nslug: funding-rates-explained\n---\n\n# Funding\n",
        "utf-8")
    built = build(project, tmp_path / "site")
    assert not built.ok
    assert ("docs/funding.md: front matter slug 'funding-rates-explained' but the page is published at /funding/; "
            "rename the file to funding-rates-explained.md") in built.output


def test_front_matter_that_is_not_valid_yaml_stops_the_build_with_its_line(tmp_path):
    """MkDocs alone would show the block as text and publish the page without title or status."""
    project = copy_project(tmp_path / "project")
    (project / "docs" / "broken.md").write_text(
        "---\ntitle: Funding rates: who pays whom, and how much\nstatus: draft\n---\n\n# Funding\n", "utf-8")
    built = build(project, tmp_path / "site")
    assert not built.ok
    # Line 2 of the file, column 21: the second ': ' (after "Funding rates"), counted by hand; the fix is
    # the line with its value quoted.
    assert ('docs/broken.md:2: front matter is not valid YAML (column 21: mapping values are not allowed here); '
            'a value that holds ": " must be quoted: title: "Funding rates: who pays whom, and how much"') in built.output


# --- Front matter: one reading, the rules of each page ---------------------------------------------------


def problem_by_pure_pyyaml(markdown: str) -> str | None:
    """The problem as PyYAML's pure-Python loader decides and places it (``checked_front_matter`` decides
    with MkDocs' own loader and asks this one only for the wording), explained by livecalc.publishing
    (its explanations: tests/test_writer_errors.py)."""
    end = markdown.find("\n---\n", 3)
    if not markdown.startswith("---\n") or end < 4:  # MkDocs' block holds at least one line
        return None
    block = markdown[4:end + 1]
    try:
        data = yaml.load(block, yaml.SafeLoader)
    except yaml.YAMLError as error:
        return publishing._yaml_problem(error, block)
    if data is not None and not isinstance(data, dict):
        return "front matter is not a list of 'key: value' lines"
    return None


FRONT_MATTERS = [
    "---\ntitle: A guide\nstatus: draft\nslug: a-guide\n---\n# A guide\n",
    "---\ntitle: Margin: a guide\n---\nText\n",  # a colon in a value
    "---\ntitle: 'Margin: a guide'\ndate: 2026-11-26\n---\nText\n",  # a date becomes a date
    "---\n- a\n- b\n---\nText\n",  # a list, not a mapping
    "---\n---\nText\n",  # empty
    "---\ntags: [a, b\n---\nText\n",  # unclosed flow sequence
    "---\nkey: value\n  bad indent: x\n---\n",
    "Title: MultiMarkdown meta\nStatus: draft\n\n# Body\n",  # no --- block: MkDocs' other meta style
    "# No front matter at all\n",
]


@pytest.mark.parametrize("markdown", FRONT_MATTERS)
def test_one_reading_of_front_matter_gives_what_mkdocs_and_pure_pyyaml_give(markdown):
    meta, problem = publishing.checked_front_matter(markdown)
    assert meta == publishing.front_matter(markdown)  # what MkDocs reads (mkdocs.utils.meta.get_data)
    assert problem == publishing.front_matter_problem(markdown) == problem_by_pure_pyyaml(markdown)


def test_the_sites_pages_front_matter_reads_the_same_both_ways():
    for path in publishing.pages(REPO / "docs"):
        text = path.read_text("utf-8")
        assert publishing.checked_front_matter(text) == (publishing.front_matter(text), problem_by_pure_pyyaml(text)), path


def test_the_multimarkdown_status_is_read():
    meta, problem = publishing.checked_front_matter(FRONT_MATTERS[-2])
    assert problem is None and publishing.is_draft(meta)


GUIDE_PAGE = "---\ntitle: A guide\nstatus: ready\n---\n# A guide\n\nText.\n"


@pytest.mark.parametrize("front, expected", [
    ("status: ready", ([], False)),
    ("status: draft", ([], True)),
    ("status: Draft", ([], True)),  # any case
    ("status: redy", (["docs/guide.md: status is 'redy'; write 'status: ready' to publish the page or "
                       "'status: draft' to keep it out of the built site"], False)),  # a typo: an error, not published
    ("status: ready\nslug: guide", ([], False)),
    ("status: ready\nslug: other-name", (["docs/guide.md: front matter slug 'other-name' but the page is published "
                                          "at /guide/; rename the file to other-name.md or correct the slug "
                                          "(the file name is the address)"], False)),
])
def test_the_build_finds_each_pages_draft_status_and_slug_problems(front, expected):
    """What the hooks' on_files asks of every page: ``(problems, is a draft)``."""
    page = GUIDE_PAGE.replace("status: ready", front)
    assert publishing.check_page(page, "docs/guide.md", "guide.md") == expected


def test_a_pages_slug_is_checked_against_its_own_file_name():
    text = GUIDE_PAGE.replace("status: ready", "status: ready\nslug: guide")
    assert publishing.check_page(text, "docs/guide.md", "guide.md") == ([], False)
    problems, _ = publishing.check_page(text, "docs/renamed.md", "renamed.md")
    assert problems[0].startswith("docs/renamed.md: front matter slug 'guide' but the page is published at /renamed/")
