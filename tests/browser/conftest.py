"""Fixtures for the browser tests: the real site built once, served on 127.0.0.1, and Chromium.

What each fixture yields (all reusable by any test in ``tests/browser/``):

``site`` (session)
    A :class:`SiteServer`: the repository's site, built once with ``mkdocs build --strict`` into a
    temporary folder for ``SITE_URL`` = this server's own origin (Material's instant navigation only
    works when the two match), served with correct MIME types (``.wasm`` application/wasm, ``.mjs``
    text/javascript) and ``Cache-Control: no-store``, so every file a page loads shows up in
    ``site.requests`` (a second Pyodide download could not hide in a cache). ``site.url(path)``,
    ``site.guide`` (the guide's URL), ``site.clear_requests()``, ``site.requested(fragment)``, and
    ``site.pages`` / ``site.page_of(name)``: where the built site shows each calculator, read from
    the built pages (``data-calculator``), never from a list written here.
``serve_site`` (function)
    A factory for a second server of the same built folder with faults:
    ``serve_site(missing=("pyodide.asm.wasm",), types={".wasm": "text/plain"})`` answers 404 for any
    path containing one of ``missing`` and serves the given types; it is stopped after the test.
``browser`` (session)
    Playwright's Chromium, launched as the house rules say (Debian's ``/usr/bin/chromium`` when it
    exists, else Playwright's own browser).
``context`` / ``page`` (function)
    A fresh context (1280x900, light scheme, no cache shared with other tests) and a page in it.
    ``page_errors`` is the list of uncaught page errors and console errors seen by ``page``.
``calculator`` (session)
    The :class:`Calculator` class, the one page object of the browser tests: ``calculator(page,
    "isolated")`` is a handle on a page's calculator through the contracts of its markup.
``live`` (session)
    ``live(path)``: a page of the site at ``path`` whose engine is live, opened once per session in
    one shared context (so tests that only ask the engine, or that leave the form as they found it,
    share one started engine per page) and its :class:`PageWatch`.
``screenshot`` (function)
    ``screenshot("isolated-360-dark", locator_or_page)`` writes ``test-artifacts/<name>.png``
    (git-ignored) and returns its path; Material's sticky header is hidden while it shoots.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import qa
from livecalc.serve import StaticSite

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
GUIDE = "crypto-isolated-margin-vs-cross-margin/"

#: the engine starts within seconds on a quiet machine; under a loaded CI machine allow much more
ENGINE_TIMEOUT_MS = 60_000

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


# ------------------------------------------------------------------------------------------- serving

@dataclass
class SiteServer:
    """A built site served on 127.0.0.1 (livecalc/serve.py, the server the bench uses too: ``no-store``,
    so every visit downloads); ``requests`` lists every path asked for, in order."""

    folder: Path
    server: StaticSite

    @property
    def base(self) -> str:
        return self.server.base

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")

    @property
    def guide(self) -> str:
        return self.url(GUIDE)

    @property
    def requests(self) -> list[str]:
        return self.server.requests

    def clear_requests(self) -> None:
        self.server.clear_requests()

    def requested(self, fragment: str) -> list[str]:
        """The requested paths that contain ``fragment`` (``"pyodide.asm.wasm"``)."""
        return [path for path in self.requests if fragment in path]

    @functools.cached_property
    def pages(self) -> dict[str, list[str]]:
        """Each built page that shows calculators (its path, ``guide/``) and their names, in page order."""
        found: dict[str, list[str]] = {}
        for html in sorted(self.folder.rglob("index.html")):
            names = re.findall(r'<section[^>]* data-calculator="([^"]+)"', html.read_text("utf-8"))
            if names:
                found[html.parent.relative_to(self.folder).as_posix() + "/"] = names
        return found

    def page_of(self, name: str) -> str:
        """The path of the page that shows calculator ``name`` (the guide when it does)."""
        paths = [path for path, names in self.pages.items() if name in names]
        if not paths:
            pytest.fail(f"no built page shows the calculator {name!r}", pytrace=False)
        return GUIDE if GUIDE in paths else paths[0]

    def start(self) -> "SiteServer":
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()


def build_site(site_dir: Path, site_url: str) -> None:
    """``mkdocs build --strict`` of the repository into ``site_dir`` for ``site_url``."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": site_url}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )
    if done.returncode != 0:
        pytest.fail(f"the site did not build:\n{(done.stdout + done.stderr)[-4000:]}", pytrace=False)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[SiteServer]:
    folder = tmp_path_factory.mktemp("browser-site") / "site"
    folder.mkdir()
    server = SiteServer(folder, StaticSite(folder))  # bound first: the build needs the port for SITE_URL
    build_site(folder, server.base)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def serve_site(site) -> Iterator[Callable[..., SiteServer]]:
    started: list[SiteServer] = []

    def serve(missing: tuple[str, ...] = (), types: dict[str, str] | None = None) -> SiteServer:
        server = SiteServer(site.folder, StaticSite(site.folder, missing=missing, types=types)).start()
        started.append(server)
        return server

    yield serve
    for server in started:
        server.stop()


# ------------------------------------------------------------------------------------------- browser

@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser) -> Iterator[Any]:
    created = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    yield created
    created.close()


@pytest.fixture
def page_errors() -> list[str]:
    return []


@pytest.fixture
def page(context, page_errors) -> Any:
    opened = context.new_page()
    opened.on("pageerror", lambda error: page_errors.append(f"pageerror: {error}"))
    opened.on("console", lambda message: page_errors.append(f"console: {message.text}")
              if message.type == "error" else None)
    return opened


# ------------------------------------------------------------------------------------------- calculators

class Calculator:
    """One calculator of a page, driven the way a reader drives it, through the contracts of its markup.

    The root ``[data-calculator=NAME]``; inputs ``name="FIELD"`` and ``name="ROWS.N.FIELD"`` (inside
    ``[data-input-row=N]``); buttons ``[data-action=add-row]`` / ``[data-action=remove-row]``; results
    ``[data-output=KEY]``; the ``[data-status]`` element (loading, live, failed); ``data-stale`` on the
    root while the results do not match the form; ``aria-invalid`` and ``aria-describedby`` on a
    refused input. Nothing else of the page is assumed.
    """

    def __init__(self, page: Any, name: str, index: int = 0) -> None:
        self.page = page
        self.name = name
        self.root = page.locator(f'[data-calculator="{name}"]').nth(index)

    # ---------------------------------------------------------------------------- engine
    @property
    def status(self) -> Any:
        return self.root.locator("[data-status]")

    def state(self) -> str:
        """``loading``, ``live`` or ``failed``."""
        return self.status.get_attribute("data-status") or ""

    def status_text(self) -> str:
        return self.status.inner_text()

    def wake(self) -> None:
        """Bring the calculator into view, which starts the engine."""
        self.root.scroll_into_view_if_needed()

    def go_live(self, timeout: int = ENGINE_TIMEOUT_MS) -> None:
        """Wake the engine and wait until it is live (fails saying why when it failed instead)."""
        self.wake()
        self.root.locator('[data-status="live"], [data-status="failed"]').wait_for(state="attached", timeout=timeout)
        assert self.state() == "live", f"{self.name}: the engine did not start: {self.status_text()}"

    # ---------------------------------------------------------------------------- inputs
    def field(self, name: str) -> Any:
        return self.root.locator(f'[name="{name}"]')

    def value(self, name: str) -> str:
        return self.field(name).input_value()

    def set(self, name: str, value: str, settle: bool = True) -> None:
        """Type ``value`` into input ``name`` (or choose it in a select); with ``settle``, wait until
        the calculator has dealt with it: an inline error, a form error, or new results."""
        control = self.field(name)
        # a rarely changed field folded under "More" is unfolded first, as a reader would
        if control.evaluate("el => { const fold = el.closest('details'); if (fold && !fold.open) fold.open = true;"
                            " return el.tagName; }") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
        if settle:
            self.settle()

    def settle(self, timeout: int = ENGINE_TIMEOUT_MS) -> None:
        self.page.wait_for_function(
            """root => root.dataset.stale === undefined
                     || root.querySelector('[aria-invalid="true"]') !== null
                     || [...root.querySelectorAll('[role="alert"]')].some(e => !e.hidden && e.textContent.trim())
                     || root.querySelector('[data-status="failed"]') !== null""",
            arg=self.root.element_handle(), timeout=timeout)

    def rows(self) -> int:
        """How many rows the row input has (0 without one)."""
        return self.root.locator("[data-input-row]").count()

    def add_row(self) -> None:
        self.root.locator("[data-action=add-row]").click()

    def remove_row(self, index: int) -> None:
        self.root.locator("[data-input-row]").nth(index).locator("[data-action=remove-row]").click()

    def inputs(self) -> dict[str, Any]:
        """The form's values as the page sends them: ``{field: text, ROWS: [{field: text}, ...]}``."""
        flat = self.root.evaluate(
            "root => [...root.querySelectorAll('form input[name], form select[name]')].map(e => [e.name, e.value])")
        state: dict[str, Any] = {}
        for name, value in flat:
            path = name.split(".")
            if len(path) == 3:
                rows = state.setdefault(path[0], [])
                while len(rows) <= int(path[1]):
                    rows.append({})
                rows[int(path[1])][path[2]] = value
            else:
                state[name] = value
        return state

    # ---------------------------------------------------------------------------- errors
    def error(self, name: str) -> Any:
        """The inline message element of a field (its ``data-error-id``)."""
        return self.page.locator(f"#{self.field(name).get_attribute('data-error-id')}")

    def inline_error(self, name: str) -> str | None:
        """The message a screen reader hears for input ``name`` when it is refused, else None."""
        return self.field(name).evaluate(
            """el => {
                if (el.getAttribute('aria-invalid') !== 'true') return null;
                const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
                const text = ids.map(id => document.getElementById(id))
                                .filter(e => e && !e.hidden && e.offsetParent !== null)
                                .map(e => e.textContent.trim()).filter(Boolean).join(' ');
                return text || '(aria-invalid without a visible message)';
            }""")

    def form_error(self) -> str | None:
        texts = self.root.locator('[role="alert"]').evaluate_all(
            "els => els.filter(e => !e.hidden && e.textContent.trim()).map(e => e.textContent.trim())")
        return " ".join(texts) or None

    def any_error(self) -> str | None:
        names = self.root.evaluate("root => [...root.querySelectorAll('[aria-invalid=\"true\"]')].map(el => el.name)")
        return ", ".join(names) or self.form_error()

    # ---------------------------------------------------------------------------- results
    def output(self, key: str) -> Any:
        return self.root.locator(f'[data-output="{key}"]')

    def expect(self, key: str, text: str, timeout: int = ENGINE_TIMEOUT_MS) -> None:
        from playwright.sync_api import expect

        expect(self.output(key)).to_have_text(text, timeout=timeout)

    def outputs(self) -> dict[str, str]:
        """Every ``data-output`` of the calculator and its text."""
        return self.root.evaluate(
            "root => Object.fromEntries([...root.querySelectorAll('[data-output]')]"
            ".map(e => [e.dataset.output, e.textContent]))")

    def stale(self) -> bool:
        return self.root.evaluate("root => root.dataset.stale !== undefined")


@pytest.fixture(scope="session")
def calculator() -> type[Calculator]:
    return Calculator


@pytest.fixture(scope="session")
def live(browser, site) -> Iterator[Callable[[str], tuple[Any, Any]]]:
    """``live(path)`` -> (page, watch): the page at ``path`` with its engine live, opened once per session."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened: dict[str, tuple[Any, Any]] = {}

    def open_(path: str) -> tuple[Any, Any]:
        if path not in opened:
            page = context.new_page()
            watch = qa.PageWatch.attach(page)
            page.goto(site.url(path))
            Calculator(page, site.pages[path][0]).go_live()
            opened[path] = page, watch
        return opened[path]

    yield open_
    context.close()


# ------------------------------------------------------------------------------------------- artifacts

@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def screenshot(artifacts) -> Callable[[str, Any], Path]:
    def shoot(name: str, target: Any, hide: str = ".md-header, .md-tabs") -> Path:
        # Material's sticky header would lie over an element scrolled to the top of the viewport.
        path = artifacts / f"{name}.png"
        target.screenshot(path=str(path), style=f"{hide} {{ visibility: hidden !important; }}" if hide else None)
        return path

    return shoot


__all__ = ["Calculator", "SiteServer", "GUIDE", "ENGINE_TIMEOUT_MS", "build_site"]
