"""Helpers for the publishing tests: copy the site's sources, build them as a writer does, read the HTML.

Builds run ``python -m mkdocs build --strict`` in a child process (the same command as ``make site``), so
the hooks, the theme overrides and the macros are exactly the ones a writer's build uses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
#: The writer's draft of the guide, as handed in (a byte-for-byte copy kept in the repository).
GUIDE_DRAFT = REPO / "drafts" / "crypto-isolated-margin-vs-cross-margin.txt"
GUIDE = REPO / "docs" / "crypto-isolated-margin-vs-cross-margin.md"


@dataclass
class Build:
    returncode: int
    output: str
    site_dir: Path

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def page(self, slug: str) -> Path:
        return self.site_dir / (f"{slug}/index.html" if slug else "index.html")

    def html(self, slug: str) -> str:
        return self.page(slug).read_text("utf-8")


def copy_project(destination: Path) -> Path:
    """The site's sources (config, docs, theme overrides and hooks) in ``destination``; ``macros`` linked."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "mkdocs.yml", destination / "mkdocs.yml")
    shutil.copytree(REPO / "docs", destination / "docs")
    shutil.copytree(REPO / "overrides", destination / "overrides")
    (destination / "macros").symlink_to(REPO / "macros", target_is_directory=True)
    return destination


def build(project: Path, site_dir: Path, **environment: str) -> Build:
    """``mkdocs build --strict`` of ``project`` into ``site_dir``; ``environment`` adds variables (SITE_URL=...)."""
    env = {key: value for key, value in os.environ.items() if key not in ("SITE_URL", "LIVECALC_PREVIEW_DRAFTS")}
    env.update(NO_MKDOCS_2_WARNING="1", **environment)
    process = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )
    return Build(process.returncode, process.stdout + process.stderr, site_dir)


def livecalc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The ``livecalc`` command, run as the console script runs it (``python -m livecalc``)."""
    return subprocess.run(
        [sys.executable, "-m", "livecalc", *args], cwd=cwd or REPO, capture_output=True, text=True, timeout=120
    )


def front_matter(markdown: str) -> tuple[dict, str]:
    """``(front matter, body)`` of a Markdown page, split by hand at the ``---`` lines."""
    assert markdown.startswith("---\n"), markdown[:80]
    header, body = markdown[4:].split("\n---\n", 1)
    return yaml.safe_load(header), body


def draft_headers(path: Path) -> tuple[dict[str, str], bool, list[str]]:
    """A draft read independently of livecalc.drafts: ``(headers, has DRAFT_READY, paragraphs)``.

    Simple on purpose: the guide's draft has its four headers on lines 1-4, then DRAFT_READY, then
    one paragraph per line.
    """
    lines = path.read_text("utf-8").splitlines()
    headers = {}
    for line in lines[:4]:
        name, value = line.split(":", 1)
        headers[name] = value.strip()
    ready = lines[4] == "DRAFT_READY"
    return headers, ready, [line for line in lines[5 if ready else 4:] if line.strip()]


class Head(HTMLParser):
    """The head of a page as data: ``<title>``, meta by name/property, links by rel, JSON-LD blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self.json_ld: list[object] = []
        self._in: str | None = None
        self._text: list[str] = []
        self._head = True

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "body":
            self._head = False
        if not self._head:
            return
        if tag == "meta":
            key = attributes.get("name") or attributes.get("property")
            if key:
                self.meta.setdefault(key, []).append(attributes.get("content", ""))
        elif tag == "link" and attributes.get("rel"):
            self.links.setdefault(attributes["rel"], []).append(attributes.get("href", ""))
        elif tag == "title" or (tag == "script" and attributes.get("type") == "application/ld+json"):
            self._in, self._text = tag, []

    def handle_data(self, data):
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._in and tag == self._in:
            text = "".join(self._text)
            if tag == "title":
                self.title = text.strip()
            else:
                self.json_ld.append(json.loads(text))
            self._in = None

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]


def head(markup: str) -> Head:
    parser = Head()
    parser.feed(markup)
    return parser


class ArticleText(HTMLParser):
    """The H1 and the paragraphs of Material's content article, and the text of elements by class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.h1: list[str] = []
        self.paragraphs: list[str] = []  # direct <p> children of the article: the body's paragraphs
        self.by_class: dict[str, list[str]] = {}
        self._stack: list[tuple[str, str]] = []
        self._article: int | None = None
        self._captures: list[tuple[int, str, list[str]]] = []
        self._skip: int | None = None

    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "embed", "track", "param", "base"}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = dict(attrs).get("class") or ""
        self._stack.append((tag, classes))
        depth = len(self._stack)
        if tag == "article" and "md-content__inner" in classes.split():
            self._article = depth
        if "headerlink" in classes.split():
            self._skip = depth
        if tag == "h1":
            self._captures.append((depth, "h1", []))
        if tag == "p" and self._article is not None and depth == self._article + 1:
            self._captures.append((depth, "p", []))
        for name in classes.split():
            if name.startswith("livecalc-"):
                self._captures.append((depth, "." + name, []))

    def handle_data(self, data):
        if self._skip is None:
            for _, _, text in self._captures:
                text.append(data)

    def handle_endtag(self, tag):
        if tag in self.VOID or not any(t == tag for t, _ in self._stack):
            return
        while self._stack:
            depth = len(self._stack)
            if self._skip == depth:
                self._skip = None
            for capture in [c for c in self._captures if c[0] == depth]:
                self._captures.remove(capture)
                text = " ".join("".join(capture[2]).split())
                if capture[1] == "h1":
                    self.h1.append(text)
                elif capture[1] == "p":
                    self.paragraphs.append(text)
                else:
                    self.by_class.setdefault(capture[1], []).append(text)
            if self._article == depth:
                self._article = None
            if self._stack.pop()[0] == tag:
                break


def article(markup: str) -> ArticleText:
    parser = ArticleText()
    parser.feed(markup)
    return parser
