"""Shared fixtures: a builder of tiny MkDocs sites that use the real ``macros`` package, the real site
built once into a temporary folder, and the Hypothesis profile.

Sites are built as ``mkdocs build --strict`` builds them, inside the test's process
(``publishing_support.build_in_process``: MkDocs' own calls, its log as the output), so that a test
reads the same log lines and the same HTML a writer would.

``make test`` runs the tests on every core (pytest-xdist, ``--dist loadgroup``: see
:func:`pytest_collection_modifyitems`); each worker is one process, so a session fixture is made once per worker.
The tests folder is on ``sys.path`` through pytest's ``pythonpath`` setting (pyproject.toml).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import settings

from publishing_support import build_environment, build_in_process, copy_project
from tiny import TINY_CONFIG  # the tiny sites' configuration, shared with tests/browser

REPO = Path(__file__).resolve().parent.parent

# No deadline: a slow example on a busy 2-core machine is not a wrong example (timing belongs in bench/).
settings.register_profile("livecalc", deadline=None, print_blob=True)
settings.load_profile("livecalc")


class _Text(HTMLParser):
    """The visible text of a page's article, tags removed and whitespace folded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    return re.sub(r"\s+", " ", "".join(parser.parts))


@dataclass
class BuildResult:
    """What ``mkdocs build --strict`` did: its exit status, its log and the folder it wrote."""

    returncode: int
    output: str
    site_dir: Path
    project_dir: Path
    #: the Markdown sources, by page name, when the test wrote them
    pages: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def html(self, page: str) -> str:
        """The HTML of a page by its source name: ``"index.md"``, ``"guide.md"``."""
        stem = page.removesuffix(".md")
        path = self.site_dir / ("index.html" if stem == "index" else f"{stem}/index.html")
        return path.read_text("utf-8")

    def text(self, page: str) -> str:
        return visible_text(self.html(page))

    def errors(self) -> list[str]:
        """The numbered problems of livecalc's failure message, one string per problem."""
        return [m.group(1) for m in re.finditer(r"^\s+\d+\. (.*)$", self.output, re.MULTILINE)]

    def info_lines(self, prefix: str) -> list[str]:
        return [line.split(prefix, 1)[1] for line in self.output.splitlines() if prefix in line]


def run_mkdocs(project_dir: Path, site_dir: Path) -> BuildResult:
    """``mkdocs build --strict`` of ``project_dir`` into ``site_dir``, in this process."""
    returncode, output = build_in_process(project_dir, site_dir, build_environment({}))
    return BuildResult(returncode, output, site_dir, project_dir)


def build_tiny_site(root: Path, pages: dict[str, str], config: str = TINY_CONFIG) -> BuildResult:
    """Write ``pages`` (name -> Markdown, dedented) and a config under ``root``, build, return the result."""
    project = root / "project"
    docs = project / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (project / "mkdocs.yml").write_text(config, "utf-8")
    for name, text in pages.items():
        (docs / name).write_text(textwrap.dedent(text), "utf-8")
    result = run_mkdocs(project, root / "site")
    result.pages = dict(pages)
    return result


@pytest.fixture
def build_site(tmp_path):
    """``build_site({"index.md": text, ...})``: a tiny site with the real macros, as a :class:`BuildResult`."""
    return lambda pages, config=TINY_CONFIG: build_tiny_site(tmp_path, pages, config)


@pytest.fixture(scope="module")
def build_site_once(tmp_path_factory):
    """The same, for a module-scoped fixture that builds one site shared by many tests."""
    return lambda pages, config=TINY_CONFIG: build_tiny_site(tmp_path_factory.mktemp("tiny"), pages, config)


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> BuildResult:
    """The repository's own site, ``mkdocs build --strict`` of its mkdocs.yml, built once per session."""
    return run_mkdocs(REPO, tmp_path_factory.mktemp("real-site") / "site")


@pytest.fixture
def project_copy(tmp_path):
    """``project_copy(edit)``: copy the real site, let ``edit(docs_dir)`` change it, build it."""

    def build(edit) -> BuildResult:
        project = copy_project(tmp_path / "project")
        edit(project / "docs")
        return run_mkdocs(project, tmp_path / "site")

    return build


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups into the test ids
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist's ``--dist loadgroup`` (``make test``), keep on one worker the tests that share
    something expensive: the browser tests of one file (each worker builds the site and starts one
    Chromium; the whole browser suite on one worker was the suite's critical path, 7.5 of its 8
    minutes, now that the engine's start-up watchdog allows 30 s instead of the 12 s that two
    Chromiums side by side used to trip), and the tests of a module that use a module- or
    session-scoped fixture of this project (a built site). Every other test goes to whichever worker
    is free."""
    browser = REPO / "tests" / "browser"
    for item in items:
        path = Path(str(item.path)).resolve()
        if path.is_relative_to(browser):
            item.add_marker(pytest.mark.xdist_group(path.relative_to(REPO).as_posix()))
            continue
        fixtures = getattr(item, "_fixtureinfo", None)
        if fixtures is None:  # a doctest
            continue
        if any(definitions and definitions[-1].baseid and definitions[-1].scope != "function"  # baseid "": a plugin's
               for definitions in fixtures.name2fixturedefs.values()):
            item.add_marker(pytest.mark.xdist_group(path.relative_to(REPO).as_posix()))
