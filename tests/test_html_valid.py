"""Valid HTML: the W3C Nu HTML Checker (vnu-jar, pinned in package.json) finds no error of ours on any
built page.

One site is built: a copy of the real one (every page, calculators included) with a small library of
guides added, two guides on one topic and one on another, so that the markup that only a library has
(an open topic in the menu, the home page's topic headings, a guide's related guides) is checked too.
The checker runs once over the whole folder: one JVM, which takes seconds to start.

The theme's own errors stay, each listed in :data:`THEME_ERRORS` with why it is the theme's; the test
also requires each of them to be found still, so that the list says what the pages are, not what they
were.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from publishing_support import REPO, build, copy_project

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

#: (what the checker says, a piece of the markup it quotes, why it is Material's and stays)
THEME_ERRORS = [
    ("Attribute “autocomplete” is only allowed when the input type is",
     'data-md-toggle="drawer" type="checkbox"',
     "Material's base.html writes autocomplete=\"off\" on its drawer toggle, a checkbox, so that a "
     "browser restoring the page does not reopen the drawer; the attribute is not valid on a checkbox"),
    ("Attribute “autocomplete” is only allowed when the input type is",
     'data-md-toggle="search" type="checkbox"',
     "the same on Material's search toggle (base.html)"),
]

#: A library of three guides (no calculators: the real pages carry those): name -> (title, topic)
LIBRARY = {
    "margin-calls-explained.md": ("Margin calls explained for futures traders", "Margin"),
    "margin-modes-compared.md": ("Margin modes compared, side by side & in full", "Margin"),
    "funding-rates-explained.md": ("Funding rates explained for perpetual futures", "Funding"),
}


def _guide(title: str, topic: str) -> str:
    return (f'---\ntitle: "{title}"\ndescription: "{title}: a guide of the library, written for the HTML '
            f'validity test of the built site."\ntopic: {topic}\nstatus: ready\ndate: 2026-11-26\n---\n\n'
            f"# {title}\n\nSome prose.\n\n## A section\n\nMore prose.\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("html-valid")
    project = copy_project(root / "project")
    for name, (title, topic) in LIBRARY.items():
        (project / "docs" / name).write_text(_guide(title, topic), "utf-8")
    built = build(project, root / "site")
    assert built.ok, built.output
    return built


@pytest.fixture(scope="module")
def messages(site) -> list[dict]:
    """The checker's messages for every HTML page of the site, from one run."""
    java = shutil.which("java")
    assert java, "java was not found: `make test` installs Debian's default-jre-headless"
    assert VNU.is_file(), f"{VNU} is missing: `make setup` installs package.json's vnu-jar"
    done = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--skip-non-html", str(site.site_dir)],
                          capture_output=True, text=True, timeout=600)
    report = json.loads(done.stderr)  # the checker writes its report to stderr, exit status 1 on errors
    pages = sorted(site.site_dir.rglob("*.html"))
    assert len(pages) >= 8, pages  # the real pages, the three guides and 404.html
    return report["messages"]


def _theme_reason(message: dict) -> str | None:
    for said, markup, reason in THEME_ERRORS:
        if message["message"].startswith(said) and markup in message.get("extract", ""):
            return reason
    return None


def _where(message: dict) -> str:
    return f"{message.get('url', '?').rsplit('/site/', 1)[-1]}:{message.get('lastLine', '?')}"


def test_no_page_has_an_html_error_of_ours(messages):
    ours = [f"{_where(m)}: {m['message']} [{m.get('extract', '').strip()[:120]}]"
            for m in messages if (m["type"] == "error" or m.get("subType") == "fatal") and not _theme_reason(m)]
    assert not ours, "\n".join(ours)


def test_the_checker_read_every_page(messages, site):
    # A page the checker could not read (bad encoding, I/O) is a "non-document-error", not a pass.
    assert not [m for m in messages if m["type"] == "non-document-error"]
    # and it did read pages: the theme's errors are found on every page (base.html writes them all)
    pages = {m["url"].rsplit("/site/", 1)[-1] for m in messages if _theme_reason(m)}
    built = {str(path.relative_to(site.site_dir)) for path in site.site_dir.rglob("*.html")}
    assert pages == built


def test_each_theme_error_listed_is_still_found(messages):
    for said, markup, _ in THEME_ERRORS:
        assert any(m["message"].startswith(said) and markup in m.get("extract", "") for m in messages), (said, markup)


def test_the_checker_finds_an_error_when_there_is_one(tmp_path):
    """The control: the checker and the way its report is read do see a wrong page (the formula's div
    as it was, with markdown="0", and a MathML attribute where MathML does not allow it)."""
    page = tmp_path / "page.html"
    page.write_text('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>'
                    '<div markdown="0"><math><mtable displaystyle="true"><mtr><mtd displaystyle="true"><mn>1</mn>'
                    '</mtd></mtr></mtable></math></div></body></html>', "utf-8")
    done = subprocess.run([shutil.which("java") or "java", "-jar", str(VNU), "--format", "json", str(page)],
                          capture_output=True, text=True, timeout=300)
    errors = [m["message"] for m in json.loads(done.stderr)["messages"] if m["type"] == "error"]
    assert any(re.match(r"Attribute “markdown” not allowed on element “div”", e) for e in errors), errors
    assert any(re.match(r"Attribute “displaystyle” not allowed on element “mtd”", e) for e in errors), errors
