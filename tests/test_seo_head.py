"""The built guide's head tags, its trust signals, its social card, robots.txt and sitemap.xml.

The site is built as for deployment under a sub-folder (``SITE_URL=https://guides.example.org/margin/``)
so that every absolute URL must carry both the host and the folder. Expected values come from the
guide's front matter, from mkdocs.yml, or are written out by hand.
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ElementTree
import zlib

import pytest
import yaml

from publishing_support import GUIDE, REPO, article, build, copy_project, front_matter, head

SITE_URL = "https://guides.example.org/margin/"
SLUG = "crypto-isolated-margin-vs-cross-margin"
GUIDE_URL = SITE_URL + SLUG + "/"  # by hand: the site's address, the slug, a slash


class _Tags(yaml.SafeLoader):
    """mkdocs.yml with its !ENV tags left unresolved (None)."""


_Tags.add_multi_constructor("", lambda loader, suffix, node: None)
SETTINGS = yaml.load((REPO / "mkdocs.yml").read_text("utf-8"), Loader=_Tags)["extra"]["publishing"]
META, _ = front_matter(GUIDE.read_text("utf-8"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    built = build(REPO, tmp_path_factory.mktemp("seo") / "site", SITE_URL=SITE_URL)
    assert built.ok, built.output
    return built


@pytest.fixture(scope="module")
def guide(site):
    return head(site.html(SLUG))


def json_ld(page, kind: str) -> dict:
    (item,) = [block for block in page.json_ld if isinstance(block, dict) and block.get("@type") == kind]
    return item


# --- Title, description, canonical -----------------------------------------------------------------------


def test_the_title_is_the_front_matter_title_without_a_suffix_past_60_characters(guide):
    assert guide.title == META["title"] == "Crypto Isolated Margin vs Cross Margin: Technical Breakdown"
    assert len(guide.title) <= 60


def test_the_meta_description_is_the_front_matter_description(guide):
    assert guide.one("description") == META["description"]
    assert 70 <= len(META["description"]) <= 160


def test_canonical_and_og_url_are_absolute_and_equal(guide):
    assert guide.links["canonical"] == [GUIDE_URL]
    assert guide.one("og:url") == GUIDE_URL


def test_open_graph_and_twitter_card_describe_the_article(guide):
    assert guide.one("og:type") == "article"
    assert guide.one("og:title") == guide.one("twitter:title") == META["title"]
    assert guide.one("og:description") == guide.one("twitter:description") == META["description"]
    assert guide.one("og:site_name") == "livecalc"
    assert guide.one("twitter:card") == "summary_large_image"
    assert guide.one("og:image") == guide.one("twitter:image") == SITE_URL + f"assets/social/{SLUG}.png"
    assert guide.one("og:image:type") == "image/png"
    assert (guide.one("og:image:width"), guide.one("og:image:height")) == ("1200", "630")
    assert guide.one("article:published_time") == "2026-11-26"
    assert guide.one("robots") == "index, follow, max-image-preview:large"
    assert guide.one("keywords") == META["target_keyword"]


# --- JSON-LD ----------------------------------------------------------------------------------------------


def test_json_ld_article_has_headline_description_dates_author_publisher_and_image(guide):
    article_ld = json_ld(guide, "Article")
    assert article_ld["@context"] == "https://schema.org"
    assert article_ld["headline"] == META["title"]
    assert article_ld["description"] == META["description"]
    assert article_ld["datePublished"] == "2026-11-26"  # the guide's `date:`, ISO 8601
    assert article_ld["dateModified"] == "2026-11-26"  # no `reviewed:` yet: the date
    assert article_ld["author"] == [{
        "@type": SETTINGS["author"]["type"], "name": SETTINGS["author"]["name"], "url": SITE_URL + "methodology/",
    }]
    assert article_ld["publisher"] == {
        "@type": "Organization", "name": "livecalc", "url": SITE_URL,
        "logo": {"@type": "ImageObject", "url": SITE_URL + "assets/images/livecalc-logo.png"},
    }
    assert article_ld["image"] == [guide.one("og:image")]
    assert article_ld["mainEntityOfPage"] == {"@type": "WebPage", "@id": GUIDE_URL}


def test_json_ld_breadcrumbs_lead_from_the_home_page_to_the_guide(guide):
    crumbs = json_ld(guide, "BreadcrumbList")["itemListElement"]
    assert crumbs == [
        {"@type": "ListItem", "position": 1, "name": "livecalc", "item": SITE_URL},
        {"@type": "ListItem", "position": 2, "name": META["title"], "item": GUIDE_URL},
    ]


def test_the_home_page_is_a_website_not_an_article(site):
    home = head(site.html(""))
    assert home.one("og:type") == "website"
    assert json_ld(home, "WebSite")["url"] == SITE_URL
    assert not [b for b in home.json_ld if b.get("@type") in ("Article", "BreadcrumbList")]
    assert home.links["canonical"] == [SITE_URL]


def test_the_error_page_is_not_indexed_nor_shared(site):
    error_page = head((site.site_dir / "404.html").read_text("utf-8"))
    assert error_page.one("robots") == "noindex, nofollow"
    assert "og:url" not in error_page.meta


# --- The social card --------------------------------------------------------------------------------------


def png_size_and_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the raw scanlines of a PNG, read by hand (signature, IHDR, IDAT chunks)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, width, height = 8, b"", 0, 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        assert struct.unpack(">I", data[position + 8 + length:position + 12 + length])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    return width, height, zlib.decompress(idat)


def test_every_page_has_its_own_1200_by_630_png_card(site):
    cards = {}
    for slug in ("", SLUG, "methodology", "authoring"):
        url = head(site.html(slug)).one("og:image")
        assert url.startswith(SITE_URL)
        path = site.site_dir / url[len(SITE_URL):]
        width, height, pixels = png_size_and_pixels(path.read_bytes())
        assert (width, height) == (1200, 630)
        assert len(pixels) == height * (1 + width * 3)  # a filter byte and RGB per pixel, per row
        cards[slug] = pixels
    assert len(set(cards.values())) == 4  # each card shows its own title


# --- Trust signals ----------------------------------------------------------------------------------------


def test_the_guide_shows_its_author_last_review_and_risk_notice_under_the_h1(site):
    page = article(site.html(SLUG))
    (byline,) = page.by_class[".livecalc-byline"]
    assert byline == f"By {SETTINGS['author']['name']} · Last reviewed 26 November 2026"
    (risk,) = page.by_class[".livecalc-risk"]
    assert risk.startswith("Not financial advice.")
    assert "Leverage can lose more than you intended to risk" in risk
    # Under the H1, before the guide's first paragraph.
    markup = site.html(SLUG)
    assert markup.index("</h1>") < markup.index('class="livecalc-trust"') < markup.index("<p>Margin trading in cryptocurrency")


def test_the_sites_own_pages_carry_no_byline(site):
    for slug in ("", "methodology", "authoring"):
        assert "livecalc-trust" not in site.html(slug)


def test_front_matter_overrides_author_reviewer_and_review_date(tmp_path):
    project = copy_project(tmp_path / "project")
    page = project / "docs" / f"{SLUG}.md"
    text = page.read_text("utf-8")
    page.write_text(text.replace("status: ready\n", "status: ready\nauthor: Ada Lovelace\nreviewer: Grace Hopper\nreviewed: 2027-01-15\n", 1), "utf-8")
    built = build(project, tmp_path / "site", SITE_URL=SITE_URL)
    assert built.ok, built.output
    (byline,) = article(built.html(SLUG)).by_class[".livecalc-byline"]
    assert byline == "By Ada Lovelace · Reviewed by Grace Hopper · Last reviewed 15 January 2027"
    article_ld = json_ld(head(built.html(SLUG)), "Article")
    assert article_ld["author"] == [{"@type": "Person", "name": "Ada Lovelace"}]
    assert (article_ld["datePublished"], article_ld["dateModified"]) == ("2026-11-26", "2027-01-15")
    assert "<lastmod>2027-01-15</lastmod>" in (built.site_dir / "sitemap.xml").read_text("utf-8")


def test_a_short_title_gets_the_site_name_as_a_suffix_and_a_long_one_does_not(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "docs" / "short.md").write_text(
        "---\ntitle: Margin Basics for Crypto Traders\n"  # 32 characters; + " - livecalc" = 43
        "description: A short page to see the title suffix rule, what margin is, and why it is not a loan of free money.\n"
        "---\n\n# Margin basics\n\nText.\n", "utf-8")
    built = build(project, tmp_path / "site", SITE_URL=SITE_URL)
    assert built.ok, built.output
    assert head(built.html("short")).title == "Margin Basics for Crypto Traders - livecalc"
    assert head(built.html(SLUG)).title == META["title"]  # 59 + 11 > 60: no suffix


# --- robots.txt and sitemap.xml -------------------------------------------------------------------------------


def test_robots_txt_allows_crawling_and_names_the_absolute_sitemap(site):
    lines = (site.site_dir / "robots.txt").read_text("utf-8").splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines and "Disallow: /" not in lines
    assert f"Sitemap: {SITE_URL}sitemap.xml" in lines


def test_the_sitemap_lists_every_published_page_once_with_absolute_urls(site):
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.fromstring((site.site_dir / "sitemap.xml").read_bytes())
    urls = {u.findtext("s:loc", namespaces=namespace): u.findtext("s:lastmod", namespaces=namespace)
            for u in root.findall("s:url", namespace)}
    # Every page of docs/ (none is a draft today), at /<name>/, the home page at the root.
    expected = {SITE_URL + ("" if p.stem == "index" else p.stem + "/") for p in (REPO / "docs").glob("*.md")}
    assert set(urls) == expected
    assert len(root.findall("s:url", namespace)) == len(expected)
    assert urls[GUIDE_URL] == "2026-11-26"
