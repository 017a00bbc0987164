"""The audit's cache of page facts (``.cache/livecalc-audit``) and the hooks' single reading of front matter.

A rebuild parses only pages whose HTML changed; these tests show that a cached result never hides a
change: a finding appears after an edit on a warm cache (also an edit that keeps the file's size), a
change of the audit's own code empties the cache, a damaged cache is ignored, and an audit with the
cache reports exactly what one without it reports. The findings expected are the ones the rules in
``livecalc/audit.py``'s table define for the hand-written pages of ``test_audit.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from livecalc import audit, publishing  # noqa: E402
from publishing_support import build, copy_project  # noqa: E402
from test_audit import SITE, SLUG, TITLE, make_site, page_html  # noqa: E402

OTHER = "isolated-margin-basics"


def read_directly(site: Path) -> list[audit.PageFacts]:
    """Every page parsed from its file by ``read_page``, as the audit read pages before it had a cache."""
    return [audit.read_page(site, file) for file in audit.page_files(site)]


def findings_directly(site: Path) -> list[audit.Finding]:
    return audit.audit_pages(site, read_directly(site))


def audited(site: Path, cache: Path | None) -> tuple[list[audit.Finding], audit.FactsCache | None]:
    """The findings, and the cache as the audit left it (read again from disk), hits and misses counted."""
    counts: dict[str, int] = {}
    original = audit.FactsCache.save

    def save(self):
        counts.update(hits=self.hits, misses=self.misses)
        original(self)

    audit.FactsCache.save = save
    try:
        found = audit.audit_site(site, cache)
    finally:
        audit.FactsCache.save = original
    return found, counts


def site_with_findings(folder: Path) -> Path:
    """Three pages; the second one has two errors (two H1s, a link to a missing id) and a warning."""
    return make_site(folder, {
        f"{OTHER}/": page_html(f"{OTHER}/", title="Isolated Margin Basics for Perpetual Futures", keyword="isolated margin",
                               h1=("Isolated margin basics", "A second top heading"),
                               body='<p><a href="#no-such-heading">see below</a></p>'),
    })


def test_a_warm_audit_reports_what_a_cold_one_reports_and_parses_nothing(tmp_path):
    site = site_with_findings(tmp_path / "site")
    cache = tmp_path / "cache"
    uncached = findings_directly(site)
    rules = {(f.page, f.rule) for f in uncached}
    assert (f"/{OTHER}/", "h1-count") in rules and (f"/{OTHER}/", "broken-link") in rules  # the page's two errors

    cold, counts = audited(site, cache)
    assert counts == {"hits": 0, "misses": 3}  # home, the guide, the other page
    warm, counts = audited(site, cache)
    assert counts == {"hits": 3, "misses": 0}
    assert cold == warm == uncached


def test_a_finding_appears_after_an_edit_on_a_warm_cache(tmp_path):
    site = make_site(tmp_path / "site")
    cache = tmp_path / "cache"
    assert audited(site, cache)[0] == []
    assert audited(site, cache)[1]["hits"] == 2  # warm

    page = site / SLUG / "index.html"
    page.write_text(page.read_text("utf-8").replace("</article>", '<img src="../logo.png"></article>'), "utf-8")
    found, counts = audited(site, cache)
    assert counts == {"hits": 1, "misses": 1}  # only the edited page is read again
    assert [(f.page, f.rule, f.severity) for f in found] == [(f"/{SLUG}/", "image-alt", "error")]

    page.write_text(page.read_text("utf-8").replace('<img src="../logo.png">', ""), "utf-8")  # fixed again
    assert audited(site, cache)[0] == []


def test_an_edit_that_keeps_the_size_of_the_page_is_seen(tmp_path):
    """The key is the HTML's digest, not its size or time: a same-length edit breaks a link."""
    site = make_site(tmp_path / "site", {f"{SLUG}/": page_html(body='<p><a href="#more">More</a></p>')})
    cache = tmp_path / "cache"
    assert audited(site, cache)[0] == []
    page = site / SLUG / "index.html"
    before = page.read_bytes()
    page.write_bytes(before.replace(b'href="#more"', b'href="#mxre"'))
    assert len(page.read_bytes()) == len(before)
    found, _ = audited(site, cache)
    assert [(f.page, f.rule) for f in found] == [(f"/{SLUG}/", "broken-link")]
    assert 'has no element with id "mxre"' in found[0].found


def test_a_change_of_the_audit_code_empties_the_cache(tmp_path, monkeypatch):
    """An entry made by other audit code is not used: its facts could be read differently now."""
    site = make_site(tmp_path / "site")
    cache = tmp_path / "cache"
    audited(site, cache)
    # Make the cached facts of the guide say it has no H1: a cache that is read gives that finding.
    stored = cache / audit.CACHE_FILE
    data = json.loads(stored.read_text("utf-8"))
    data["pages"][f"{SLUG}/index.html"]["facts"]["h1"] = []
    stored.write_text(json.dumps(data), "utf-8")
    # The entry is used (same code): no H1 is an error, and the keyword is then not in the H1 (a warning).
    assert [f.rule for f in audited(site, cache)[0]] == ["h1-count", "keyword-h1"]

    monkeypatch.setattr(audit, "reader_fingerprint", lambda: "other audit code")
    found, counts = audited(site, cache)
    assert counts == {"hits": 0, "misses": 2} and found == []  # read from the HTML again


def test_the_fingerprint_follows_the_audit_source():
    digest = audit.reader_fingerprint()
    assert len(digest) == 64
    import hashlib

    expected = hashlib.sha256(sys.version.encode() + b"\0" + Path(audit.__file__).read_bytes()).hexdigest()
    assert digest == expected


@pytest.mark.parametrize("damage", ["not json{", json.dumps([1, 2]), json.dumps({"fingerprint": None, "pages": 3}), ""])
def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path, damage):
    site = site_with_findings(tmp_path / "site")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / audit.CACHE_FILE).write_text(damage, "utf-8")
    found, counts = audited(site, cache)
    assert found == findings_directly(site) and counts["misses"] == 3
    assert audited(site, cache)[1]["hits"] == 3


def test_a_damaged_entry_is_read_again(tmp_path):
    site = make_site(tmp_path / "site")
    cache = tmp_path / "cache"
    audited(site, cache)
    stored = cache / audit.CACHE_FILE
    data = json.loads(stored.read_text("utf-8"))
    del data["pages"][f"{SLUG}/index.html"]["facts"]["links"]
    stored.write_text(json.dumps(data), "utf-8")
    found, counts = audited(site, cache)
    assert found == [] and counts == {"hits": 1, "misses": 1}


def test_the_cache_keeps_the_pages_of_the_last_audit_only(tmp_path):
    site = site_with_findings(tmp_path / "site")
    cache = tmp_path / "cache"
    audited(site, cache)
    (site / OTHER / "index.html").unlink()
    (site / OTHER).rmdir()
    audited(site, cache)
    pages = json.loads((cache / audit.CACHE_FILE).read_text("utf-8"))["pages"]
    assert sorted(pages) == sorted(["index.html", f"{SLUG}/index.html"])


def test_a_cached_page_has_the_facts_of_a_parsed_one(tmp_path):
    """Every field survives the cache: sets, tuples with None (an image without alt), JSON-LD text."""
    site = make_site(tmp_path / "site", {f"{SLUG}/": page_html(
        body='<img src="../logo.png"><img src="../logo.png" alt="Logo" role="presentation"><a name="old-anchor"></a>'
             '<p><a href="https://example.com/x">out</a> &amp; caf&eacute;</p>')})
    cache = tmp_path / "cache"
    parsed = read_directly(site)
    audit.read_site(site, cache)
    assert audit.read_site(site, cache) == parsed
    guide = next(p for p in parsed if p.url == f"/{SLUG}/")
    assert ("../logo.png", None) in guide.images and "old-anchor" in guide.ids and guide.title == TITLE


# --- The real hooks: a writer's second build -----------------------------------------------------------


def test_a_rebuild_with_a_warm_cache_fails_on_a_new_finding(tmp_path):
    project = copy_project(tmp_path / "project")
    first = build(project, tmp_path / "site", SITE_URL=SITE)
    assert first.ok, first.output
    cached = json.loads((project / ".cache" / "livecalc-audit" / audit.CACHE_FILE).read_text("utf-8"))
    assert "methodology/index.html" in cached["pages"]  # the build kept its pages' facts
    assert "4 page(s), 0 error(s)" in first.output

    # The hook reads the cache: make the unchanged home page's entry claim two H1s.
    stored = project / ".cache" / "livecalc-audit" / audit.CACHE_FILE
    cached["pages"]["index.html"]["facts"]["h1"] = ["One", "Two"]
    stored.write_text(json.dumps(cached), "utf-8")

    page = project / "docs" / "methodology.md"
    page.write_text(page.read_text("utf-8") + "\n![](../assets/images/livecalc-logo.png)\n", "utf-8")
    second = build(project, tmp_path / "site", SITE_URL=SITE)
    assert not second.ok
    assert '  1. /: error [h1-count] 2 <h1> elements: "One"; "Two"' in second.output  # from the cache
    assert "  2. /methodology/: error [image-alt] image ../assets/images/livecalc-logo.png has an empty alt" in second.output


# --- Front matter: one reading, the same answers ---------------------------------------------------------


def problem_by_pure_pyyaml(markdown: str) -> str | None:
    """What ``front_matter_problem`` said before: PyYAML's pure-Python loader decides and words it."""
    end = markdown.find("\n---\n", 3)
    if not markdown.startswith("---\n") or end < 4:  # MkDocs' block holds at least one line
        return None
    block = markdown[4:end + 1]
    try:
        data = yaml.load(block, yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = error.problem_mark
        return (f"front matter is not valid YAML (line {mark.line + 2}, column {mark.column + 1}: {error.problem}); "
                "quote a value that holds ': ' or '#'")
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
def test_one_reading_gives_what_the_two_readings_gave(markdown):
    meta, problem = publishing.checked_front_matter(markdown)
    assert meta == publishing.front_matter(markdown)  # what MkDocs reads (mkdocs.utils.meta.get_data)
    assert problem == publishing.front_matter_problem(markdown) == problem_by_pure_pyyaml(markdown)


def test_the_guides_front_matter_reads_the_same_both_ways():
    for path in publishing.pages(Path(__file__).resolve().parent.parent / "docs"):
        text = path.read_text("utf-8")
        assert publishing.checked_front_matter(text) == (publishing.front_matter(text), problem_by_pure_pyyaml(text)), path


def test_the_multimarkdown_status_is_read():
    meta, problem = publishing.checked_front_matter(FRONT_MATTERS[-2])
    assert problem is None and publishing.is_draft(meta)


# --- The hooks' answers per page (.cache/livecalc-pages) ---------------------------------------------------

GUIDE_PAGE = "---\ntitle: A guide\nstatus: ready\n---\n# A guide\n\nText.\n"


def checked(cache: Path, pages: dict[str, str]) -> tuple[dict[str, tuple[list[str], bool]], int]:
    checks = publishing.PageChecks(cache)
    answers = {src: checks.check(text, f"docs/{src}", src) for src, text in pages.items()}
    checks.save()
    return answers, checks.misses


def test_a_pages_answer_is_read_again_when_its_text_changes(tmp_path):
    cache = tmp_path / "cache"
    pages = {"guide.md": GUIDE_PAGE, "other.md": GUIDE_PAGE.replace("A guide", "Another")}
    assert checked(cache, pages) == ({"guide.md": ([], False), "other.md": ([], False)}, 2)
    assert checked(cache, pages)[1] == 0  # warm: no page read again

    pages["guide.md"] = GUIDE_PAGE.replace("status: ready", "status: draft")
    answers, misses = checked(cache, pages)
    assert misses == 1 and answers["guide.md"] == ([], True)  # now a draft

    pages["guide.md"] = GUIDE_PAGE.replace("status: ready", "status: redy")  # a typo: an error, not published
    answers, _ = checked(cache, pages)
    assert answers["guide.md"][0] == ["docs/guide.md: status is 'redy'; write 'status: ready' to publish the page or "
                                      "'status: draft' to keep it out of the built site"]

    pages["guide.md"] = GUIDE_PAGE.replace("status: ready", "status: ready\nslug: other-name")
    answers, _ = checked(cache, pages)
    assert answers["guide.md"][0][0].startswith("docs/guide.md: front matter slug 'other-name' but the page is published at /guide/")


def test_the_same_text_under_another_name_is_checked_for_that_name(tmp_path):
    cache = tmp_path / "cache"
    text = GUIDE_PAGE.replace("status: ready", "status: ready\nslug: guide")
    assert checked(cache, {"guide.md": text})[0]["guide.md"] == ([], False)
    answers, misses = checked(cache, {"renamed.md": text})
    assert misses == 1 and "published at /renamed/" in answers["renamed.md"][0][0]


def test_a_change_of_the_publishing_code_empties_the_page_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    checked(cache, {"guide.md": GUIDE_PAGE})
    stored = cache / publishing.PageChecks.FILE
    data = json.loads(stored.read_text("utf-8"))
    (key,) = data["pages"]
    data["pages"][key] = [["a cached problem"], False]
    stored.write_text(json.dumps(data), "utf-8")
    assert checked(cache, {"guide.md": GUIDE_PAGE})[0]["guide.md"] == (["a cached problem"], False)  # used

    monkeypatch.setattr(publishing, "checks_fingerprint", lambda: "other code")
    assert checked(cache, {"guide.md": GUIDE_PAGE}) == ({"guide.md": ([], False)}, 1)


def test_a_damaged_page_cache_is_ignored(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / publishing.PageChecks.FILE).write_text("{not json", "utf-8")
    assert checked(cache, {"guide.md": GUIDE_PAGE}) == ({"guide.md": ([], False)}, 1)
    data = json.loads((cache / publishing.PageChecks.FILE).read_text("utf-8"))
    data["pages"] = {key: ["not a list", 3] for key in data["pages"]}
    (cache / publishing.PageChecks.FILE).write_text(json.dumps(data), "utf-8")
    assert checked(cache, {"guide.md": GUIDE_PAGE}) == ({"guide.md": ([], False)}, 1)


def test_a_rebuild_leaves_out_a_page_made_a_draft_since(tmp_path):
    project = copy_project(tmp_path / "project")
    notes = ("title: Notes on how the figures are kept up to date\n"
             "description: How the site's figures are recomputed at every build, so that no worked example goes stale.\n"
             "---\n# Notes on the figures\n\nEvery figure is computed again at each build.\n")
    page = project / "docs" / "notes.md"
    page.write_text("---\n" + notes, "utf-8")
    first = build(project, tmp_path / "site", SITE_URL=SITE)
    assert first.ok, first.output
    assert (project / ".cache" / "livecalc-pages" / publishing.PageChecks.FILE).is_file()
    assert (tmp_path / "site" / "notes" / "index.html").is_file() and "5 page(s), 0 error(s)" in first.output

    page.write_text("---\nstatus: draft\n" + notes, "utf-8")  # the same page, now a draft
    second = build(project, tmp_path / "site", SITE_URL=SITE)
    assert second.ok, second.output
    assert not (tmp_path / "site" / "notes" / "index.html").exists()
    assert "4 page(s), 0 error(s)" in second.output


def test_a_page_with_carriage_returns_is_read_as_read_page_reads_it(tmp_path):
    """read_page reads text with universal newlines; the cache reads bytes and must see the same text."""
    body = '<script type="application/ld+json">{"@type": "Thing", "name": "a\r\nb"}</script>'
    site = make_site(tmp_path / "site", {f"{SLUG}/": page_html(body=body).replace("\n", "\r\n")})
    parsed = read_directly(site)
    assert audit.read_site(site, tmp_path / "cache") == parsed
    assert audit.audit_site(site, tmp_path / "cache") == findings_directly(site)
