"""The on-page SEO audit (``livecalc check`` and the end of every build): each rule with a page that
passes and one that fails, the command's output and exit status, and the real site passing.

The pages here are written by hand in the shape of Material's HTML (a ``<title>``, head meta tags, an
``<article class="md-content__inner">`` holding the H1 and the paragraphs), so each test changes one
thing of a page that otherwise passes every rule.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import strategies
from livecalc import audit
from publishing_support import REPO, build, build_as_a_writer, copy_project, livecalc, livecalc_as_a_writer

SITE = "https://guides.example.org/"
SLUG = "funding-rates-explained"
KEYWORD = "funding rates"
TITLE = "Funding Rates Explained for Perpetual Futures Traders"  # 53 characters
DESCRIPTION = (  # 117 characters
    "What perpetual futures funding rates are, who pays whom, and how funding changes the cost of holding a position."
)
FIRST = "Funding rates keep a perpetual contract's price close to the index price."


def json_ld(url: str, title: str, description: str, **changes) -> list[str]:
    article = {
        "@context": "https://schema.org", "@type": "Article", "headline": title, "description": description,
        "datePublished": "2026-11-26", "dateModified": "2026-11-26",
        "author": [{"@type": "Organization", "name": "livecalc editorial team"}],
        "publisher": {"@type": "Organization", "name": "livecalc", "logo": {"@type": "ImageObject", "url": SITE + "logo.png"}},
        "image": [SITE + f"assets/social/{SLUG}.png"],
    }
    article.update(changes)
    article = {k: v for k, v in article.items() if v is not None}
    crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "name": "livecalc", "item": SITE},
        {"@type": "ListItem", "position": 2, "name": title, "item": url},
    ]}
    return [json.dumps(article), json.dumps(crumbs)]


def page_html(
    url_path: str = f"{SLUG}/",
    *,
    title: str | None = TITLE,
    description: str | None = DESCRIPTION,
    keyword: str | None = KEYWORD,
    h1: tuple[str, ...] = (TITLE,),
    first_paragraph: str = FIRST,
    body: str = "",
    canonical: str | None = "auto",
    og_url: str | None = "auto",
    og_image: str | None = "auto",
    og_type: str = "article",
    ld: list[str] | None = None,
    robots: str = "index, follow",
) -> str:
    url = SITE + url_path
    canonical = url if canonical == "auto" else canonical
    og_url = url if og_url == "auto" else og_url
    og_image = SITE + f"assets/social/{SLUG}.png" if og_image == "auto" else og_image
    ld = json_ld(url, title or "", description or "") if ld is None and og_type == "article" else (ld or [])
    tags = [f'<meta name="robots" content="{robots}">']
    if description is not None:
        tags.append(f'<meta name="description" content="{html.escape(description)}">')
    if keyword is not None:
        tags.append(f'<meta name="keywords" content="{html.escape(keyword)}">')
    if canonical is not None:
        tags.append(f'<link rel="canonical" href="{canonical}">')
    tags.append(f'<meta property="og:type" content="{og_type}">')
    if og_url is not None:
        tags.append(f'<meta property="og:url" content="{og_url}">')
    if og_image is not None:
        tags.append(f'<meta property="og:image" content="{og_image}">')
    tags += [f'<script type="application/ld+json">{block}</script>' for block in ld]
    title_tag = f"<title>{html.escape(title)}</title>" if title is not None else ""
    headings = "".join(f'<h1 id="h{n}">{html.escape(text)}<a class="headerlink" href="#h{n}">¶</a></h1>' for n, text in enumerate(h1))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">{''.join(tags)}{title_tag}</head>
<body><header><a href="{'../' * url_path.count('/')}">Home</a></header>
<div class="md-content"><article class="md-content__inner md-typeset">
{headings}
<div class="livecalc-trust"><p class="livecalc-byline">By the team</p></div>
<p>{html.escape(first_paragraph)}</p>
<h2 id="more">More</h2>
{body}
</article></div></body></html>"""


HOME = page_html(
    "", title="livecalc: guides to margin trading, with figures", keyword=None, og_type="website",
    description="Guides to margin trading whose every worked figure is computed by one tested module.",
    h1=("Figures you can check",), og_image=SITE + "assets/social/index.png",
)


def make_site(folder: Path, pages: dict[str, str] | None = None) -> Path:
    """A built site: the home page, the pages given (by address), their social cards and a logo."""
    pages = {"": HOME, f"{SLUG}/": page_html(), **(pages or {})}
    for address, markup in pages.items():
        target = folder / address / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markup, "utf-8")
    (folder / "assets" / "social").mkdir(parents=True, exist_ok=True)
    for name in ("index", SLUG):
        (folder / "assets" / "social" / f"{name}.png").write_bytes(b"\x89PNG")
    (folder / "logo.png").write_bytes(b"\x89PNG")
    return folder


def findings(tmp_path: Path, **page) -> list[audit.Finding]:
    """The audit's findings for the guide page built from ``page_html(**page)``."""
    site = make_site(tmp_path / "site", {f"{SLUG}/": page_html(**page)})
    return [f for f in audit.audit_site(site) if f.page == f"/{SLUG}/"]


def rules(found: list[audit.Finding]) -> dict[str, str]:
    return {f.rule: f.severity for f in found}


def test_the_reference_page_passes_every_rule(tmp_path):
    site = make_site(tmp_path / "site")
    assert audit.audit_site(site) == []


# --- Title and description lengths -------------------------------------------------------------------


def sized(n: int, start: str = "Funding rates ") -> str:
    """A text of exactly ``n`` characters that starts with the keyword (``start`` then 'a's)."""
    return start + "a" * (n - len(start))


@pytest.mark.parametrize("length, passes", [(29, False), (30, True), (60, True), (61, False)])
def test_title_length_is_30_to_60_characters(tmp_path, length, passes):
    title = sized(length)
    assert len(title) == length
    found = findings(tmp_path, title=title)
    assert ("title-length" not in rules(found)) == passes
    if not passes:
        (finding,) = [f for f in found if f.rule == "title-length"]
        assert finding.severity == "error"
        assert f"<title> has {length} characters" in finding.found
        assert "front matter `title:`" in finding.fix and "30-60" in finding.fix


def test_a_page_without_a_title_fails(tmp_path):
    found = findings(tmp_path, title=None)
    assert rules(found)["title-length"] == "error"


@pytest.mark.parametrize("length, passes", [(69, False), (70, True), (160, True), (161, False)])
def test_meta_description_is_70_to_160_characters(tmp_path, length, passes):
    description = sized(length)
    found = findings(tmp_path, description=description)
    assert ("description-length" not in rules(found)) == passes
    if not passes:
        (finding,) = [f for f in found if f.rule == "description-length"]
        assert finding.severity == "error" and f"{length} characters" in finding.found
        assert "`description:`" in finding.fix


def test_lengths_count_characters_not_bytes_nor_html_entities(tmp_path):
    # 30 characters, of which "—" is 3 bytes in UTF-8 and "&" is written &amp; in the HTML.
    title = "Funding rates — R&D aaaaaaaaaa"
    assert len(title) == 30
    assert "title-length" not in rules(findings(tmp_path, title=title))


# --- Target keyword ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule, change", [
    ("keyword-title", {"title": "Perpetual Futures: Who Pays Whom, Every Eight Hours"}),
    ("keyword-h1", {"h1": ("Perpetual futures: who pays whom",)}),
    ("keyword-first-paragraph", {"first_paragraph": "Perpetual contracts have no expiry date."}),
    ("keyword-description", {"description": "What perpetual futures funding is, who pays whom, and how it changes the cost of a held position."}),
])
def test_the_target_keyword_missing_from_a_place_is_a_warning_for_that_place(tmp_path, rule, change):
    found = findings(tmp_path, **change)
    assert rules(found) == {rule: "warning"}
    assert f'target keyword "{KEYWORD}" is not in the' in found[0].found


def test_the_target_keyword_missing_from_the_slug_is_a_warning(tmp_path):
    site = make_site(tmp_path / "site", {f"{SLUG}/": page_html(keyword="funding fees")})
    found = [f for f in audit.audit_site(site) if f.rule == "keyword-slug"]
    assert [(f.page, f.severity) for f in found] == [(f"/{SLUG}/", "warning")]


def test_keyword_matching_ignores_case_and_punctuation_but_not_word_forms():
    assert audit.contains_keyword("FUNDING-RATES, explained", "funding rates")
    assert audit.contains_keyword("Understanding crypto isolated margin vs. cross margin", "crypto isolated margin vs cross margin")
    assert not audit.contains_keyword("funding-rate explained", "funding rates")  # no stemming
    assert not audit.contains_keyword("rates of funding", "funding rates")  # the words in order
    assert not audit.contains_keyword("prefunding rates", "funding rates")  # whole words


def test_the_first_paragraph_is_the_articles_own_not_the_byline(tmp_path):
    # The byline (in .livecalc-trust) says "funding rates"; the article's first paragraph does not.
    markup = page_html(first_paragraph="Perpetual contracts have no expiry date.").replace("By the team", "By the funding rates desk")
    site = make_site(tmp_path / "site", {f"{SLUG}/": markup})
    assert "keyword-first-paragraph" in rules(audit.audit_site(site))


def test_a_guide_without_a_target_keyword_gets_a_warning(tmp_path):
    assert rules(findings(tmp_path, keyword=None)) == {"keyword-missing": "warning"}


# --- Headings and images -------------------------------------------------------------------------------


@pytest.mark.parametrize("h1, passes", [((), False), ((TITLE,), True), ((TITLE, "Funding rates again"), False)])
def test_exactly_one_h1(tmp_path, h1, passes):
    found = findings(tmp_path, h1=h1)
    assert ("h1-count" not in rules(found)) == passes
    if not passes:
        assert rules(found)["h1-count"] == "error"
        assert f"{len(h1)} <h1>" in found[0].found or "no <h1>" in found[0].found


@pytest.mark.parametrize("image, expected", [
    ('<img src="../logo.png" alt="The livecalc logo">', {}),
    ('<img src="../logo.png">', {"image-alt": "error"}),
    ('<img src="../logo.png" alt="">', {"image-alt": "error"}),  # what Markdown's ![](path) gives
    ('<img src="../logo.png" alt=" ">', {"image-alt": "error"}),
    ('<img src="../logo.png" alt="" role="presentation">', {}),  # declared decorative
])
def test_every_image_has_alt_text(tmp_path, image, expected):
    found = findings(tmp_path, body=f"<p>{image}</p>")
    assert rules(found) == expected


# --- Links ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("href, passes", [
    ("../", True),  # the home page
    ("../index.html", True),
    ("./#more", True),  # an id of this page
    ("#more", True),
    ("../logo.png", True),
    (SITE + f"{SLUG}/#more", True),  # absolute, on this site
    ("https://en.wikipedia.org/wiki/Perpetual_futures", True),  # external: not checked
    ("mailto:editors@example.org", True),
    ("../missing/", False),
    ("../funding-rates/", False),
    ("#nowhere", False),
    ("../#nowhere", False),
    (SITE + "missing/", False),
    ("../../outside/", False),  # above the site's root
])
def test_internal_links_lead_to_a_file_and_an_id_of_the_site(tmp_path, href, passes):
    found = findings(tmp_path, body=f'<p><a href="{href}">a link</a></p>')
    assert ("broken-link" not in rules(found)) == passes
    if not passes:
        (finding,) = found
        assert finding.severity == "error" and f"link to {href}" in finding.found


def test_links_resolve_under_a_site_that_lives_in_a_subfolder(tmp_path):
    """With site_url https://example.org/docs/, ``/docs/x/`` is the page ``x/`` and ``/other/`` is off the site."""
    base = "https://example.org/docs/"
    site = tmp_path / "site"
    (site / "x").mkdir(parents=True)
    (site / "index.html").write_text(f'<html><head><link rel="canonical" href="{base}"></head><body>'
                                     f'<a href="/docs/x/">in</a><a href="https://example.org/other/">off</a></body></html>', "utf-8")
    (site / "x" / "index.html").write_text(f'<html><head><link rel="canonical" href="{base}x/"></head><body>'
                                           f'<a href="../">home</a><a href="/docs/y/">missing</a></body></html>', "utf-8")
    broken = [(f.page, f.found) for f in audit.audit_site(site) if f.rule == "broken-link"]
    assert broken == [("/x/", "link to /docs/y/: no such page or file in the site")]


# --- Duplicates across pages -----------------------------------------------------------------------------


def test_two_pages_with_the_same_title_or_description_are_errors_naming_both(tmp_path):
    other = "funding-rates-faq"
    twin = page_html(f"{other}/", og_image=SITE + f"assets/social/{SLUG}.png")
    site = make_site(tmp_path / "site", {f"{other}/": twin})
    found = {f.rule: f for f in audit.audit_site(site) if f.rule.startswith("duplicate")}
    assert set(found) == {"duplicate-title", "duplicate-description"}
    # Pages are read in address order: funding-rates-explained/ before funding-rates-faq/.
    assert found["duplicate-title"].page == f"/{other}/"
    assert f"same title as /{SLUG}/" in found["duplicate-title"].found


def test_titles_that_differ_pass_the_duplicate_rule(tmp_path):
    other = "funding-rates-faq"
    page = page_html(f"{other}/", title="Funding Rates: Questions Traders Ask Most Often",
                     description=DESCRIPTION.replace("What", "Which"))
    site = make_site(tmp_path / "site", {f"{other}/": page})
    assert not [f for f in audit.audit_site(site) if f.rule.startswith("duplicate")]


# --- Head tags -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("change, found_text", [
    ({"canonical": None}, "canonical URL is None, not absolute"),
    ({"canonical": f"/{SLUG}/", "og_url": f"/{SLUG}/"}, "not absolute"),
    ({"og_url": SITE + "elsewhere/"}, "og:url 'https://guides.example.org/elsewhere/' differs from the canonical URL"),
])
def test_the_canonical_url_is_absolute_and_equal_to_og_url(tmp_path, change, found_text):
    found = [f for f in findings(tmp_path, **change) if f.rule == "canonical"]
    assert len(found) == 1 and found[0].severity == "error" and found_text in found[0].found


@pytest.mark.parametrize("og_image, passes", [
    ("auto", True),
    ("https://cdn.example.net/card.png", True),  # another host: not checked
    (None, False),
    (f"/assets/social/{SLUG}.png", False),  # relative
    (SITE + "assets/social/missing.png", False),
])
def test_the_social_image_is_absolute_and_exists(tmp_path, og_image, passes):
    found = findings(tmp_path, og_image=og_image)
    assert ("social-image" not in rules(found)) == passes


@pytest.mark.parametrize("ld, found_text", [
    (["{not json"], "JSON-LD does not parse"),
    ([json_ld(SITE + f"{SLUG}/", TITLE, DESCRIPTION)[1]], "no JSON-LD Article"),
    ([json_ld(SITE + f"{SLUG}/", TITLE, DESCRIPTION)[0]], "no JSON-LD BreadcrumbList"),
    (json_ld(SITE + f"{SLUG}/", TITLE, DESCRIPTION, dateModified=None, author=None), "JSON-LD Article lacks dateModified, author"),
    (json_ld(SITE + f"{SLUG}/", TITLE, DESCRIPTION, image=[SITE + "assets/social/gone.png"]), "names https://guides.example.org/assets/social/gone.png"),
])
def test_a_guides_structured_data_parses_and_has_its_fields(tmp_path, ld, found_text):
    found = [f for f in findings(tmp_path, ld=ld) if f.rule == "structured-data"]
    assert len(found) == 1 and found[0].severity == "error" and found_text in found[0].found


def test_canonical_urls_on_localhost_are_a_warning_to_set_site_url(tmp_path):
    local = "http://127.0.0.1:8000/"
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(f'<html><head><link rel="canonical" href="{local}"></head></html>', "utf-8")
    found = [f for f in audit.audit_site(site) if f.rule == "site-url"]
    assert [(f.page, f.severity) for f in found] == [("(site)", "warning")]
    assert "SITE_URL=" in found[0].fix


def test_a_draft_page_is_audited_but_its_findings_are_warnings(tmp_path):
    found = findings(tmp_path, robots="noindex, nofollow", title=sized(61))
    assert [(f.rule, f.severity) for f in found] == [("title-length", "warning")]
    assert found[0].found.startswith("(draft page) ")


# --- What the audit reads from a page --------------------------------------------------------------------


def test_a_page_is_read_for_every_fact_the_rules_use(tmp_path):
    """Images without alt (None) or decorative, ids from ``id`` and ``<a name>``, decoded entities, JSON-LD text."""
    site = make_site(tmp_path / "site", {f"{SLUG}/": page_html(
        body='<img src="../logo.png"><img src="../logo.png" alt="Logo" role="presentation"><a name="old-anchor"></a>'
             '<p><a href="https://example.com/x">out</a> &amp; caf&eacute;</p>')})
    guide = audit.read_page(site, f"{SLUG}/index.html")
    assert guide.url == f"/{SLUG}/" and guide.title == TITLE and guide.h1 == [TITLE]
    assert guide.images == [("../logo.png", None), ("../logo.png", "(decorative)")]
    assert {"old-anchor", "more", "h0"} <= guide.ids
    assert guide.first_paragraph == FIRST and guide.keyword == KEYWORD and guide.description == DESCRIPTION
    assert "https://example.com/x" in guide.links
    assert [json.loads(block)["@type"] for block in guide.json_ld] == ["Article", "BreadcrumbList"]
    assert audit.read_site(site) == [audit.read_page(site, file) for file in (f"{SLUG}/index.html", "index.html")]


def test_every_finding_of_every_page_is_reported_together(tmp_path):
    """A second page with two errors (two H1s, a link to a missing id): both, named by that page, and
    no error for the pages that pass."""
    other = "isolated-margin-basics"
    site = make_site(tmp_path / "site", {f"{other}/": page_html(
        f"{other}/", title="Isolated Margin Basics for Perpetual Futures", keyword="isolated margin",
        description="What isolated margin is, what a position can lose, and when the exchange closes it for you.",
        h1=("Isolated margin basics", "A second top heading"), body='<p><a href="#no-such-heading">see below</a></p>')})
    found = [f for f in audit.audit_site(site) if f.severity == audit.ERROR]
    assert [(f.page, f.rule, f.severity) for f in found] == [
        (f"/{other}/", "h1-count", "error"), (f"/{other}/", "broken-link", "error"),
    ]
    assert 'has no element with id "no-such-heading"' in found[1].found


def test_an_edit_to_a_built_page_is_seen_by_the_next_audit(tmp_path):
    site = make_site(tmp_path / "site", {f"{SLUG}/": page_html(body='<p><a href="#more">More</a></p>')})
    assert audit.audit_site(site) == []
    page = site / SLUG / "index.html"
    page.write_bytes(page.read_bytes().replace(b'href="#more"', b'href="#mxre"'))  # same size, same folder
    assert [(f.page, f.rule) for f in audit.audit_site(site)] == [(f"/{SLUG}/", "broken-link")]


# --- Reading the rest of the article without the parser, and bad HTML ----------------------------------
#
# After the article's first paragraph, plain markup (as Python-Markdown and the theme write it) is read
# by regular expressions instead of the parser; anything else still goes to the parser. Either way the
# facts must be what the parser reads when it is given every tag: parser_reading() is that reference.


def parser_reading(file: str, markup: str) -> audit.PageFacts:
    """The facts the parser reads from the same parts of the page, tag by tag, to the end."""
    facts = audit.PageFacts(file=file, url=audit.page_url(file))
    parser = audit._PageParser(facts)
    for part in audit._audited_parts(markup):
        parser.feed(audit._without_calculators(part, facts.ids))
    parser.close()
    if parser.capture:
        parser._finish()
    return facts


PLAIN_PIECES = [
    "<p>Prose &amp; more prose, 5 &lt; 6.</p>\n",
    '<h2 id="risk">Risk<a class="headerlink" href="#risk" title="Permanent link">&para;</a></h2>',
    '<table><thead><tr><th style="text-align: right;">Leverage</th></tr></thead><tbody><tr><td>10x</td></tr></tbody></table>',
    '<p><a href="../">home</a> <a href="../logo.png">logo</a> <a href="#more">more</a> <a href="../gone/">gone</a></p>',
    '<img src="../logo.png" alt="Logo &amp; mark">', '<img src="../logo.png">', '<img src="../logo.png" alt="">',
    '<img src="../logo.png" alt="" role="presentation"/>', "<br/>", '<a name="old-anchor"></a>',
    '<span id="s&amp;1" data-config="{&quot;a&quot;: 1}" hidden>x</span>',
    '<link rel="stylesheet" href="../style.css"><script type="module" src="../code.mjs"></script>',
    '<section class="livecalc livecalc--isolated" id="livecalc-isolated" data-calculator="isolated">'
    '<form><input id="livecalc-isolated-margin"><a href="#in-form">x</a></form></section>',
    '<meta property="og:extra" content="late">', "<ul>\n<li>one</li>\n<li>two</li>\n</ul>", "</p>", "</div>",
]

BAD_PIECES = [  # what a writer's raw HTML (or a plugin) may put in a page
    "<a href=../bare/>unquoted</a>", "<a href='../single/'>single quotes</a>", '<A HREF="../upper/">upper</A>',
    '<!-- <a href="../in-a-comment/">not a link</a> -->', "<!--->", "<h1>A second top heading</h1>",
    '<script type="application/ld+json">{"@type": "Thing"}</script>', '<script type="application/ld+json"></script>',
    '<script>if (a<b) document.write(\'<a href="../in-a-script/">\')</script>', "<style>a > b { }</style>",
    "a < b and a<b", '<p title="a > b" id="gt">x</p>', '<p title="a < b" id="lt">x</p>', '<a\xa0href="../nbsp/">x</a>',
    '<img src="../logo.png" alt>', '<div id="first" id="second">x</div>', '<a href="#more"/>',
    '<![CDATA[ <a href="../cdata/"> ]]>', '<?pi <a href="../pi/"> ?>', "</p >", "<p", "&", "&amp",
    "<svg><title>an icon</title></svg>", '<textarea><a href="../in-a-textarea/"></textarea>', "<div>",
    '<article class="md-content__inner"><p>nested article</p></article>', "</article>", "<h1", "<scrip",
    '<a href="../a/"b="c">x</a>', '<a href="../b/" / >x</a>', '<img src=x.png alt=bare>', "<p>\u00a0</p>",
    # calculators whose end is not certain: read whole
    '<section class="livecalc livecalc--cross" id="livecalc-cross"><a href="#in-an-unclosed-calculator">x</a>',
    '<section class="livecalc livecalc--pnl" id="livecalc-pnl"><section id="inner"></section><a href="#after">x</a></section>',
]


RAW_TEXT_PIECES = [  # elements whose text is not markup, or is in some versions of HTMLParser
    "<title>A title &amp; more</title>", "<title></title>", "<textarea>a &amp; b</textarea>",
    "<script>var a = 1 < 2;</script>", "<script><!--<script></script>x</script>", "<script>a</style></script>", "<script>x</scRIPT >", "<style>p > a { }</style>",
    '<SCRIPT type="application/ld+json">{"@type": "Thing"}</SCRIPT>', '<noscript><a href="../ns/">x</a></noscript>',
    '<iframe src="../frame/"><a href="../in-a-frame/">x</a></iframe>', "<!DOCTYPE html>", "<!doctype <x>",
    '<xmp><a href="../xmp/">x</a></xmp>', "<svg><title>an icon</title></svg>",
]
HEAD_PIECES = [  # added at the start of the head, before its <title>
    '<meta name="description" content="A second description">', "<title>A second title</title>",
    "<svg><title>icon</title></svg>", "<script>if (a<b) {}</script>", '<script>document.write("</p>")</script>',
    "<!-- <title>commented out</title> -->", "<style>a>b{}</style>", '<link rel="preconnect" href="https://cdn.example.net">',
    '<meta name="robots" content="noindex">', '<base href="/">', '<meta property="og:url" content="&amp;x">',
    '<noscript><link rel="canonical" href="https://elsewhere.example/"></noscript>',
    '<script type="application/ld+json"></script>', "<script type=application/ld+json>{}</script>",
    '<script type="application/ld+json">{"a": "</b>"}</script>', "<title></title>", "<meta charset=utf-8>",
    "<title>A <br>title &amp; more</title>", '<script type="application/ld+json">{"a": "&amp;"}</script>',
    '<style>x</script><link rel="stylesheet" href="../after-a-style/"></style>', "<title>R&amp;D &mdash; guides</title>",
    "<svg/>", '<svg viewBox="0 0 1 1"/>',
]


@given(
    strategies.joined(PLAIN_PIECES + BAD_PIECES + RAW_TEXT_PIECES, 12),
    st.sampled_from([  # the article's first paragraph
        f"<p>{FIRST}</p>", "<p>Funding rates <em>matter</em> &amp; more</p>", "<p>Funding <!-- </p> --> rates</p>",
        # a first paragraph that ends early (</html> closes it and all), then markup unfinished at the next </p>
        '<p>Funding rates</html><!-- </p> <a href="../in-a-comment/"> --></p>',
        "<p>Funding rates</html><h1>Two<p>x</p>H1s</h1></p>",
        "<p>Funding rates</html><style></p><a href='../in-a-style/'></style></p>",
        # an empty first paragraph, then a heading with markup in it
        "<p/><h1>Two <b>bold</b> H1s</h1><p>Funding rates</p>",
    ]),
    strategies.joined(HEAD_PIECES, 4),
)
@example("".join(PLAIN_PIECES), f"<p>{FIRST}</p>", "")
@example("".join(RAW_TEXT_PIECES), f"<p>{FIRST}</p>", "".join(HEAD_PIECES))
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_a_page_is_read_as_the_parser_reads_every_tag_of_it(body, first, head):
    markup = page_html(body=body).replace(f"<p>{html.escape(FIRST)}</p>", first)
    markup = markup.replace('<head><meta charset="utf-8">', '<head><meta charset="utf-8">' + head)
    assert audit.parse_page(f"{SLUG}/index.html", markup) == parser_reading(f"{SLUG}/index.html", markup)


def test_plain_markup_after_the_first_paragraph_is_read_for_ids_links_and_images():
    body = "".join(PLAIN_PIECES)
    facts = audit.parse_page(f"{SLUG}/index.html", page_html(body=body))
    # the plain path is taken: the page is plain markup, and the rest of the article's tags are recorded
    # without the parser's handlers
    assert all(audit._PLAIN.fullmatch(part) for part in audit._audited_parts(page_html(body=body)))
    assert audit._tags_after(audit.PageFacts(file="x", url="/x/"), body)
    assert {"risk", "old-anchor", "s&1", "livecalc-isolated", "livecalc-isolated-margin"} <= facts.ids
    before = len(audit.parse_page(f"{SLUG}/index.html", page_html()).links)  # the head's, the header's, the H1's
    # the calculator's link (#in-form) is not the page's
    assert facts.links[before:] == ["#risk", "../", "../logo.png", "#more", "../gone/", "../logo.png", "../logo.png",
                                    "../logo.png", "../logo.png", "../style.css", "../code.mjs"]
    assert facts.images == [("../logo.png", "Logo & mark"), ("../logo.png", None), ("../logo.png", ""),
                            ("../logo.png", "(decorative)")]
    assert facts.meta_properties["og:extra"] == "late"
    assert facts.h1 == [TITLE] and facts.first_paragraph == FIRST


@pytest.mark.parametrize("body, read", [
    # links the parser sees: unquoted, single-quoted, upper-case names, a space that is not a tag's
    ("<a href=../bare/>x</a>", {"links": ["../bare/"]}),
    ("<a href='../single/'>x</a>", {"links": ["../single/"]}),
    ('<A HREF="../upper/">x</A>', {"links": ["../upper/"]}),
    ('<a\xa0href="../nbsp/">x</a>', {"links": []}),  # "a\xa0href=..." is the tag's name, not "a"
    # what is not a tag: a comment, a script's text, a processing instruction
    ('<!-- <a href="../in-a-comment/">x</a> -->', {"links": []}),
    ('<script>document.write(\'<a href="../in-a-script/">\')</script>', {"links": []}),
    ('<?pi <a href="../pi/"> ?>', {"links": []}),
    # what the parser reads itself: a second H1, JSON-LD in the article, an empty alt written bare
    ("<h1>A second top heading</h1>", {"h1": [TITLE, "A second top heading"]}),
    ('<script type="application/ld+json">{"@type": "Thing"}</script>', {"json_ld": ['{"@type": "Thing"}']}),
    ('<img src="../logo.png" alt>', {"images": [("../logo.png", None)]}),
    ('<img src=x.png alt=bare>', {"images": [("x.png", "bare")]}),
    ('<p title="a > b" id="gt">x</p>', {"ids": "gt"}),
])
def test_bad_html_after_the_first_paragraph_is_read_as_a_browser_would(body, read):
    markup = page_html(body=body)
    facts = audit.parse_page(f"{SLUG}/index.html", markup)
    for name, value in read.items():
        if name == "links":
            assert facts.links[len(audit.parse_page(f"{SLUG}/index.html", page_html()).links):] == value
        elif name == "ids":
            assert value in facts.ids
        elif name == "json_ld":
            assert facts.json_ld[-1:] == value
        else:
            assert getattr(facts, name) == value
    assert facts == parser_reading(f"{SLUG}/index.html", markup)


def test_the_real_sites_pages_are_read_as_the_parser_reads_them(production_build):
    files = audit.page_files(production_build.site_dir)
    assert len(files) >= 5
    for file in files:
        markup = (production_build.site_dir / file).read_text("utf-8")
        assert audit.parse_page(file, markup) == parser_reading(file, markup), file


# --- The command ---------------------------------------------------------------------------------------


def test_check_exits_1_and_names_page_rule_finding_and_fix_for_each_error(tmp_path):
    site = make_site(tmp_path / "site", {f"{SLUG}/": page_html(title=sized(61), h1=(), keyword=None)})
    result = livecalc_as_a_writer("check", "--site-dir", str(site))  # the command itself, in a child process
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f'/{SLUG}/: error [title-length] <title> has 61 characters: "{sized(61)}". Fix: shorten the front matter `title:` to 30-60 characters' in lines
    assert f"/{SLUG}/: error [h1-count] no <h1>. Fix: keep exactly one top-level heading (`# ...`); make the others `## ...`" in lines
    assert f"/{SLUG}/: warning [keyword-missing] the guide declares no target keyword. Fix: add `target_keyword:` to its front matter" in lines
    assert lines[-1].endswith("2 page(s), 2 error(s), 1 warning(s)")


def test_check_exits_0_when_there_are_only_warnings(tmp_path):
    site = make_site(tmp_path / "site", {f"{SLUG}/": page_html(keyword=None)})
    result = livecalc("check", "--site-dir", str(site))
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1].endswith("2 page(s), 0 error(s), 1 warning(s)")


def test_check_exits_2_when_the_site_is_not_built(tmp_path):
    result = livecalc("check", "--site-dir", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert "is not a built site" in result.stderr and "make site" in result.stderr


# --- The real site ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def production_build(tmp_path_factory):
    """The repository's site built as for deployment (SITE_URL set), as `make site` builds it."""
    built = build(REPO, tmp_path_factory.mktemp("production") / "site", SITE_URL="https://guides.example.org/margin/")
    assert built.ok, built.output
    return built


def test_the_real_site_passes_the_audit_without_a_finding(production_build):
    assert audit.audit_site(production_build.site_dir) == []
    pages = len(list((REPO / "docs").glob("*.md")))  # every page of docs/: none is a draft
    assert f"livecalc audit: {pages} page(s), 0 error(s), 0 warning(s)" in production_build.output
    result = livecalc("check", "--site-dir", str(production_build.site_dir))
    assert result.returncode == 0 and result.stdout.splitlines()[-1].endswith("0 error(s), 0 warning(s)")


def test_an_audit_error_fails_the_strict_build_with_the_finding(tmp_path):
    """Built by the command itself, in a child process, as ``make site`` runs it: exit status 1."""
    project = copy_project(tmp_path / "project")
    page = project / "docs" / "methodology.md"
    # The logo exists (no broken link); Markdown's ![](path) writes alt="".
    page.write_text(page.read_text("utf-8") + "\n![](../assets/images/livecalc-logo.png)\n", "utf-8")
    built = build_as_a_writer(project, tmp_path / "site")
    assert built.returncode == 1
    assert "livecalc audit: 1 error(s) in the built pages" in built.output
    assert "  1. /methodology/: error [image-alt] image ../assets/images/livecalc-logo.png has an empty alt" in built.output


# --- unverified-figure: every money amount and percentage of a published page is accounted for ------------

def test_a_figure_typed_in_a_published_pages_prose_is_an_unverified_figure_with_its_page_line_and_text(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md").write_text(
        "---\ntitle: A guide\n---\n\n# A guide\n\n"            # lines 1-6
        "Fees of 0.04% and a {{ cite('5% drop', 'https://example.com/study') }}.\n"  # line 7: 0.04% typed
        "`$9` in code, and 10x leverage, are not money amounts or percentages of the prose.\n", "utf-8")
    published = audit.PageFacts(file="guide/index.html", url="/guide/")
    draft = audit.PageFacts(file="other/index.html", url="/other/", robots="noindex")
    (docs / "other.md").write_text("# Other\n\nA typed $500.\n", "utf-8")
    findings = audit.check_figures(audit.page_ledgers(docs, [published, draft]))
    assert [(f.page, f.rule, f.severity, f.found) for f in findings] == [
        ("/guide/", "unverified-figure", audit.WARNING, 'docs/guide.md:7: "0.04%" is neither computed, an input nor cited')]
    assert 'cite("0.04%"' in findings[0].fix
    # the ledger lists the typed 10x too (every leverage multiple); the audit rule warns about money and
    # percentages only; one cite() of a "5% drop" is one cited figure
    assert audit.figure_counts(audit.page_ledgers(docs, [published])) == [
        "/guide/: 0 computed, 0 input, 0 checked, 0 corrected, 1 cited, 2 unverified"]


def test_a_calculators_form_is_not_parsed_but_its_ids_stay_known():
    # A page whose article holds a calculator (its markup as macros/widgets.py writes it, shortened):
    # the form's ids are still link targets, and nothing inside it counts as the first paragraph,
    # an h1 or a link of the page.
    page = (
        '<html><head><title>t</title></head><body>'
        '<article class="md-content__inner md-typeset"><h1>Guide</h1>'
        '<section class="livecalc livecalc--isolated" id="livecalc-isolated" data-calculator="isolated">'
        '<p class="livecalc__title">Calculator</p><form><input id="livecalc-isolated-leverage">'
        '<a href="#nowhere">not a link of the page</a><h1>not the page\'s</h1></form></section>'
        '<p>The first paragraph.</p></article></body></html>'
    )
    facts = audit.parse_page("guide/index.html", page)
    assert {"livecalc-isolated", "livecalc-isolated-leverage"} <= facts.ids
    assert facts.h1 == ["Guide"] and facts.links == [] and facts.first_paragraph == "The first paragraph."
    # A calculator whose end is not certain (a section inside it) is read whole: its link is seen.
    nested = page.replace("<form>", "<form><section>").replace("</form>", "</section></form>")
    assert audit.parse_page("guide/index.html", nested).links == ["#nowhere"]
    nested_after = page.replace("</form>", "<section></section></form>")  # after the link
    assert audit.parse_page("guide/index.html", nested_after).links == ["#nowhere"]
    unclosed = page.replace("</form></section>", "</form>")
    assert audit.parse_page("guide/index.html", unclosed).links == ["#nowhere"]
