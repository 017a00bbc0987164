"""Helpers for the publishing tests: copy the site's sources, build them as a writer does, read the HTML.

:func:`build` runs what ``mkdocs build --strict`` runs (``load_config``, the plugins' start-up, MkDocs'
own ``build``) inside the test's process, with the log of the ``mkdocs`` loggers as its output, so the
hooks, the theme overrides and the macros are exactly the ones a writer's build uses, without a new
Python and a new import of MkDocs, Material and the macros for every build. :func:`build_as_a_writer`
runs the command itself in a child process, for the tests about the command. The same for the
``livecalc`` command: :func:`livecalc` calls its ``main``, :func:`livecalc_as_a_writer` runs it.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

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


#: Variables of the developer's shell that would change a build: each build sets them itself.
BUILD_VARIABLES = ("SITE_URL", "LIVECALC_PREVIEW_DRAFTS")


def build_environment(environment: dict[str, str]) -> dict[str, str]:
    """This process's environment without :data:`BUILD_VARIABLES`, with ``environment`` added."""
    env = {key: value for key, value in os.environ.items() if key not in BUILD_VARIABLES}
    env.update(NO_MKDOCS_2_WARNING="1", **environment)
    return env


def build_as_a_writer(project: Path, site_dir: Path, **environment: str) -> Build:
    """``python -m mkdocs build --strict`` of ``project`` in a child process, as ``make site`` runs it."""
    process = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project, env=build_environment(environment), capture_output=True, text=True, timeout=300,
    )
    return Build(process.returncode, process.stdout + process.stderr, site_dir)


class _LogLines(logging.Handler):
    """The records of the ``mkdocs`` loggers as the command prints them: ``INFO    -  message``."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname:<8}-  {self.format(record)}")


@contextlib.contextmanager
def _as_the_command_runs(project: Path, environment: dict[str, str]) -> Iterator[_LogLines]:
    """What ``mkdocs build`` has around a build, undone afterwards: its environment and working folder,
    the ``mkdocs`` logger at INFO into :class:`_LogLines` (and not to pytest's root handler), the
    build log's filter of repeated messages (one per command, so one per build), and ``sys.path``
    (mkdocs-macros puts the project folder on it)."""
    from mkdocs import utils
    from mkdocs.commands import build as build_command

    saved_environment, saved_folder, saved_path = dict(os.environ), os.getcwd(), list(sys.path)
    logger = logging.getLogger("mkdocs")
    saved_logger = (logger.level, logger.propagate)
    lines, repeated = _LogLines(), utils.DuplicateFilter()
    os.environ.clear()
    os.environ.update(environment)
    os.chdir(project)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(lines)
    build_command.log.addFilter(repeated)
    try:
        yield lines
    finally:
        build_command.log.removeFilter(repeated)
        logger.removeHandler(lines)
        logger.setLevel(saved_logger[0])
        logger.propagate = saved_logger[1]
        os.chdir(saved_folder)
        sys.path[:] = saved_path
        os.environ.clear()
        os.environ.update(saved_environment)


def build_in_process(project: Path, site_dir: Path, environment: dict[str, str]) -> tuple[int, str]:
    """``(exit status, output)`` of ``mkdocs build --strict --site-dir site_dir`` in ``project``, run in
    this process: the same calls as the command (mkdocs/__main__.py ``build_command``), and its exits:
    MkDocs' ``Abort`` (a BuildError or PluginError, a warning in strict mode, a bad configuration)
    and any other click error give 1 and their message, ``exit(n)`` gives n (mkdocs-macros' 100),
    anything else 1 and its traceback."""
    import click
    from mkdocs.commands import build as build_command
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    printed = io.StringIO()
    returncode = 0
    with _as_the_command_runs(project, environment) as log, \
            contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            config = load_config(config_file=str(project / "mkdocs.yml"), strict=True, site_dir=str(site_dir))
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build_command.build(config, dirty=False)
            finally:
                config.plugins.on_shutdown()
        except Abort as abort:
            returncode, ending = abort.exit_code, "\n" + abort.format_message()
        except click.ClickException as error:
            returncode, ending = error.exit_code, f"Error: {error.format_message()}"
        except SystemExit as leaving:  # mkdocs-macros ends a build with exit(100) after logging why
            code = leaving.code
            returncode, ending = (code or 0, "") if code is None or isinstance(code, int) else (1, f"{code}\n")
        except Exception:  # the command shows a traceback and exits with 1
            returncode, ending = 1, traceback.format_exc()
        else:
            ending = ""
    output = printed.getvalue() + "".join(line + "\n" for line in log.lines) + ending
    return returncode, output


def build(project: Path, site_dir: Path, **environment: str) -> Build:
    """``mkdocs build --strict`` of ``project`` into ``site_dir`` (in this process, see
    :func:`build_in_process`); ``environment`` adds variables (SITE_URL=...)."""
    returncode, output = build_in_process(Path(project), Path(site_dir), build_environment(environment))
    return Build(returncode, output, site_dir)


def livecalc_as_a_writer(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The ``livecalc`` command, run as the console script runs it (``python -m livecalc``), in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "livecalc", *args], cwd=cwd or REPO, capture_output=True, text=True, timeout=120
    )


def livecalc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """What :func:`livecalc_as_a_writer` gives (exit status, stdout, stderr), from the command's own
    ``livecalc.cli.main`` called in this process, in the folder ``cwd`` (the repository by default)."""
    from livecalc.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = os.getcwd()
    os.chdir(cwd or REPO)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                returncode = main(list(args))
            except SystemExit as leaving:  # argparse's usage errors: exit(2) after printing the usage
                code = leaving.code
                returncode = code if isinstance(code, int) else (0 if code is None else 1)
                if isinstance(code, str):
                    print(code, file=sys.stderr)
    finally:
        os.chdir(saved)
    return subprocess.CompletedProcess(["livecalc", *args], returncode, out.getvalue(), err.getvalue())


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
