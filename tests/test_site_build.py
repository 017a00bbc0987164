"""The real site: ``mkdocs build --strict`` of the repository's mkdocs.yml into a temporary folder,
then the HTML read back as a reader would see it.

The figures expected in the guide are worked by hand here from the worked examples declared in its
front matter; the build is expected to print each correction of the writer's draft.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
GUIDE = "crypto-isolated-margin-vs-cross-margin.md"


@pytest.fixture(scope="module")
def site(real_site):
    assert real_site.ok, real_site.output
    return real_site


@pytest.fixture(scope="module")
def guide(site) -> str:
    return site.text(GUIDE)


def test_the_strict_build_passes_without_warnings(site):
    warnings = [line for line in site.output.splitlines() if line.startswith("WARNING")]
    assert not warnings, warnings
    for page in ("index.md", GUIDE, "methodology.md", "authoring.md"):
        assert "livecalc error" not in site.html(page), page


# ============================================================================================
# The guide's figures
# ============================================================================================

def test_btc_10x_example(guide):
    # 10x long, 1,000 of margin, entry 65,000, MMR 0.5%, the draft's (simple) formula:
    # 65,000 * (1 - 1,000/10,000 + 0.005) = 65,000 * 0.905 = 58,825, a move of 6,175 / 65,000 = 9.5%
    assert "falls at $58,825.00" in guide
    assert "A 9.50% adverse move" in guide
    # position size 1,000 * 10 = 10,000; maximum loss the 1,000 of margin
    assert "$10,000.00" in guide
    assert "capped at your $1,000 allocation" in guide


def test_exchange_model_note(guide):
    # maintenance on mark value: 65,000 * 9,000 / 9,950 = 58,793.97, a move of 950 / 9,950 = 9.55%;
    # bankrupt at 65,000 - 1,000 / (10,000 / 65,000) = 65,000 - 6,500 = 58,500
    assert "$58,793.97" in guide
    assert "9.55%" in guide
    assert "$58,500.00" in guide


def test_twenty_times_statements(guide):
    # 500 of margin on 10,000 at 20x is 5% of the position; the buffer is that 5% before maintenance,
    # 5% - 0.5% = 4.5% after it (simple model: 3,400 * (1 - 0.05 + 0.005) is 4.5% below 3,400)
    assert "must post 5% of the position value" in guide
    assert "roughly 5% before accounting for maintenance margin" in guide
    assert "4.50% after a 0.5% maintenance margin" in guide


def test_leverage_table(guide):
    # size 1,000 * L; simple model: 65,000 * (1 - 1/L + 0.005); distance 1/L - 0.005
    # 2x: 2,000; 65,000 * 0.505 = 32,825; 49.5%
    assert "2x $2,000.00 $32,825.00 49.50%" in guide
    # 100x: 100,000; 65,000 * 0.995 = 64,675; 0.5%
    assert "100x $100,000.00 $64,675.00 0.50%" in guide
    # 125x: 125,000; 65,000 * 0.997 = 64,805; 0.3%
    assert "125x $125,000.00 $64,805.00 0.30%" in guide


def test_three_positions_shock_tables(guide):
    # Three 10x positions of 10,000 (1,000 of isolated margin each) in a 3,000 wallet.
    # ETH +15%: the short loses 1,500. Isolated: beyond its 1,000 of margin, liquidated, 3,000 - 1,000
    # = 2,000 left. Cross: equity 3,000 - 1,500 = 1,500, far above 3 * 10,000 * 0.5% = 150: open.
    assert "ETH (short) +15.00% (up) liquidated open, loss $1,500.00" in guide
    assert "Balance left $2,000.00 $1,500.00" in guide
    # ETH +30%: the short loses 3,000. Isolated: still 1,000 lost, 2,000 left. Cross: equity 0 <= 150:
    # every position closed, 0 left.
    assert "ETH (short) +30.00% (up) liquidated liquidated" in guide
    assert "BTC (long) 0.00% open, no change liquidated" in guide
    assert "Balance left $2,000.00 $0.00" in guide


def test_three_positions_prose(guide):
    # the inputs as a reader would type them, and the outcomes in words
    assert "a long on Bitcoin at $65,000" in guide
    assert "a short on Ethereum at $3,400" in guide
    assert "a long on Solana at $185" in guide
    assert "each has $1,000 of its own, $3,000 in all" in guide
    assert "it has lost $1,500, and the account is down to $1,500" in guide


def test_weekend_gap(guide):
    # 5x ETH long of 10,000 in a 2,000 wallet, -8%: loses 800, keeps 2,000 - 800 = 1,200
    assert "loses $800 and keeps $1,200 of equity" in guide
    # The buffer, simple model (the article's formula): 1/5 - 0.5% = 19.50%; 1/12 - 0.5% = 7.8333% -> 7.83%,
    # less than the 8% gap: the prose says so itself instead of a box contradicting it.
    assert "a 5x position is liquidated only after a 19.50% move" in guide
    assert "at 12x the buffer is 7.83%, less than the gap" in guide
    assert "Checked by the numbers" not in guide


def test_the_prose_credits_no_margin_mode_with_what_exchanges_do(guide):
    # Negative balance protection and auto-deleveraging are exchange-level mechanisms, not margin modes
    # (ESMA's 2018 CFD measures; Binance's auto-deleveraging FAQ): the guide says so, with its sources.
    assert "This is not “negative balance protection”" in guide
    assert "Isolated and cross accounts are both in that queue" in guide
    assert "in ways that isolated accounts are not" not in guide
    assert "bleed account equity" not in guide


def test_the_draft_sources_are_links(site):
    html = site.html(GUIDE)
    for host in ("en.wikipedia.org", "www.bis.org", "www.investopedia.com"):
        assert re.search(rf'<a href="https://{re.escape(host)}/', html), host


def test_methodology_shows_the_tiered_example_and_the_dated_table(site):
    text = site.text("methodology.md")
    # 12,000 at 10x from 60,000: 120,000, 2 BTC, tier 2 (0.5%, 50):
    # (120,000 - 12,000 - 50) / (2 * 0.995) = 54,246.23, notional 108,492, still tier 2
    assert "size $120,000" in text
    assert "uses a rate of 0.50%" in text
    assert "liquidated at $54,246.23" in text
    assert "BTCUSDT tiers of 2021-03-18" in text
    assert "$300,000,000 to $500,000,000 1x 50.00% $100,016,300" in text


def test_the_build_counts_what_it_corrected_from_the_draft(site):
    """The two draft= figures of the guide are counted in the build's summary; the corrections are
    listed only with mkdocs build -v (tests/test_writer_errors.py reads them, with their lines)."""
    (summary,) = [line for line in site.output.splitlines() if "-  livecalc: " in line]
    assert summary.endswith("; 2 draft figures corrected (mkdocs build -v lists them)")
    assert "livecalc: corrected" not in site.output


# ============================================================================================
# No request to a third-party host
# ============================================================================================

#: link relations that do not make the browser fetch anything
NO_FETCH_RELS = {"canonical", "alternate", "next", "prev", "author", "license", "me", "sitemap", "help"}
THIRD_PARTY_MARKERS = ("fonts.googleapis", "fonts.gstatic", "cdn.jsdelivr", "unpkg.com", "cdnjs",
                       "googletagmanager", "google-analytics")


class Requests(HTMLParser):
    """The URLs a page makes the browser fetch as it loads (not the links a reader may follow)."""

    ATTRIBUTES = {"script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"), "iframe": ("src",),
                  "video": ("src", "poster"), "audio": ("src",), "embed": ("src",), "object": ("data",),
                  "track": ("src",), "input": ("src",)}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            rels = set((attrs.get("rel") or "").lower().split())
            if rels and not rels <= NO_FETCH_RELS and attrs.get("href"):
                self.urls.append(attrs["href"])
        for name in self.ATTRIBUTES.get(tag, ()):
            if attrs.get(name):
                self.urls.extend(part.strip().split(" ")[0] for part in attrs[name].split(","))
        if attrs.get("style"):
            self.urls.extend(css_urls(attrs["style"]))
        self._style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._style = False

    def handle_data(self, data):
        if self._style:
            self.urls.extend(css_urls(data))


def css_urls(css: str) -> list[str]:
    urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    urls += re.findall(r"@import\s+['\"]([^'\"]+)", css)
    return urls


def third_party(url: str, own_host: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("", "data", "blob") and not url.startswith("//"):
        return False
    return parts.hostname not in (own_host, None)


def test_the_request_finder_sees_what_a_browser_would_fetch():
    parser = Requests()
    parser.feed('<link rel="preconnect" href="https://fonts.gstatic.com"><link rel="canonical" href="https://x.org/">'
                '<script src="//cdn.example.net/a.js"></script><img srcset="a.png 1x, https://img.example/b.png 2x">'
                '<style>@import "https://fonts.googleapis.com/css?family=Roboto";</style>'
                '<div style="background: url(../local.png)"></div><a href="https://www.bis.org/">BIS</a>')
    assert [u for u in parser.urls if third_party(u, "127.0.0.1")] == [
        "https://fonts.gstatic.com", "//cdn.example.net/a.js", "https://img.example/b.png",
        "https://fonts.googleapis.com/css?family=Roboto"]


def own_host(site) -> str:
    """The site's own host, from its canonical URL (site_url may be set for a deployment)."""
    match = re.search(r'<link rel="canonical" href="([^"]+)"', site.html("index.md"))
    return urlsplit(match.group(1)).hostname if match else "127.0.0.1"


def test_no_page_requests_a_third_party_host(site):
    own = own_host(site)
    pages = sorted(site.site_dir.rglob("*.html"))
    assert len(pages) >= 4
    offenders = {}
    for path in pages:
        html = path.read_text("utf-8")
        parser = Requests()
        parser.feed(html)
        bad = [url for url in parser.urls if third_party(url, own)]
        bad += [marker for marker in THIRD_PARTY_MARKERS if marker in html]
        if bad:
            offenders[str(path.relative_to(site.site_dir))] = bad
    assert not offenders, offenders


def test_our_stylesheets_and_scripts_fetch_nothing_from_elsewhere(site):
    # Material's own bundle names unpkg.com for two things it loads on demand only: a ResizeObserver
    # polyfill (every current browser has ResizeObserver) and Mermaid (for diagrams, of which we have
    # none; see the next test). Everything we add must name no other host.
    offenders = {}
    for path in site.site_dir.rglob("*"):
        if path.suffix not in (".css", ".js", ".mjs") or "bundle." in path.name or "pyodide" in path.parts[-2]:
            continue
        text = path.read_text("utf-8", errors="replace")
        found = [u for u in css_urls(text) if third_party(u, own_host(site))]
        found += re.findall(r"""(?:import|from)\s*\(?\s*['"](https?://[^'"]+)""", text)
        found += [m for m in THIRD_PARTY_MARKERS if m in text]
        if found:
            offenders[str(path.relative_to(site.site_dir))] = found
    assert not offenders, offenders


def test_no_page_would_make_material_load_mermaid_from_a_cdn(site):
    for path in site.site_dir.rglob("*.html"):
        assert 'class="mermaid"' not in path.read_text("utf-8"), path


def test_google_fonts_are_off_in_the_configuration():
    config = (REPO / "mkdocs.yml").read_text("utf-8")
    assert re.search(r"^\s*font:\s*false\s*$", config, re.MULTILINE)
