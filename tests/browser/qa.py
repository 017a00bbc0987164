"""Helpers of the QA browser suites (parity, hostile inputs, accessibility).

They use only the contracts of the calculators' markup (``macros/widgets.py``): the root
``[data-calculator=NAME]``, inputs ``name="FIELD"`` (``positions.N.FIELD`` in a position row), results
``[data-output=KEY]``, the ``[data-status]`` element, and the accessibility attributes a screen reader
relies on (``aria-invalid`` and ``aria-describedby`` on a refused input). For parity they use the
engine the widgets use, through ``globalThis.livecalc.run`` (``calculators/web/widgets.mjs``: "for
tests and benchmarks: the answer of the module itself, computed in the worker"), which posts the
worker's own ``run`` message.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Any, Iterable

from playwright.sync_api import Locator, Page

#: how long the engine may take to go live in a test (the issue's failure bound is 20 s)
LIVE_TIMEOUT_MS = 60_000


# --------------------------------------------------------------------------------------------------
# Exact comparison
# --------------------------------------------------------------------------------------------------

def bits(number: float) -> bytes:
    return struct.pack("<d", float(number))


def deep_diff(expected: Any, got: Any, path: str = "$") -> list[str]:
    """Differences between two JSON-like values; numbers must be the same double, bit for bit.

    ``int`` and ``float`` are one type here (JavaScript has one number type: 1000.0 arrives as 1000),
    but ``-0.0`` differs from ``0.0``, ``True`` from ``1`` and ``None`` from anything else.
    """
    number = (int, float)
    if isinstance(expected, bool) or isinstance(got, bool):
        same = type(expected) is type(got) and expected == got
        return [] if same else [f"{path}: expected {expected!r}, got {got!r}"]
    if isinstance(expected, number) and isinstance(got, number):
        if bits(expected) == bits(got) or (math.isnan(float(expected)) and math.isnan(float(got))):
            return []
        return [f"{path}: expected {float(expected)!r}, got {float(got)!r}"]
    if isinstance(expected, dict) and isinstance(got, dict):
        out: list[str] = []
        for key in sorted(set(expected) | set(got), key=str):
            if key not in got:
                out.append(f"{path}.{key}: missing in the browser's answer")
            elif key not in expected:
                out.append(f"{path}.{key}: only in the browser's answer ({got[key]!r})")
            else:
                out += deep_diff(expected[key], got[key], f"{path}.{key}")
        return out
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
        if len(expected) != len(got):
            return [f"{path}: expected {len(expected)} items, got {len(got)}"]
        out = []
        for index, (a, b) in enumerate(zip(expected, got)):
            out += deep_diff(a, b, f"{path}[{index}]")
        return out
    if type(expected) is type(got) and expected == got:
        return []
    return [f"{path}: expected {expected!r}, got {got!r}"]


def as_typed(raw: dict[str, Any]) -> dict[str, Any]:
    """A vector as the widgets send it: every value the text of its input (``control.value``)."""
    def text(value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)

    typed = {key: text(value) for key, value in raw.items() if key != "positions"}
    if "positions" in raw:
        typed["positions"] = [{key: text(value) for key, value in row.items()} for row in raw["positions"]]
    return typed


# --------------------------------------------------------------------------------------------------
# What a page did that it should not have
# --------------------------------------------------------------------------------------------------

@dataclass
class PageWatch:
    """Uncaught page errors, console errors and dialogs of one page (dialogs are dismissed)."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @classmethod
    def attach(cls, page: Page) -> "PageWatch":
        watch = cls()
        page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        page.on("console", lambda message: watch.console_errors.append(message.text)
                if message.type == "error" else None)

        def dialog(d):
            watch.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)
        return watch

    def problems(self) -> list[str]:
        return ([f"uncaught page error: {e}" for e in self.page_errors]
                + [f"console error: {e}" for e in self.console_errors]
                + [f"dialog opened: {d}" for d in self.dialogs])


# --------------------------------------------------------------------------------------------------
# Driving one calculator through its markup
# --------------------------------------------------------------------------------------------------

class Calculator:
    """One calculator of a page, driven the way a reader drives it (typing into its inputs)."""

    def __init__(self, page: Page, name: str, index: int = 0) -> None:
        self.page = page
        self.name = name
        self.root: Locator = page.locator(f'[data-calculator="{name}"]').nth(index)

    # ---------------------------------------------------------------------------- engine
    def go_live(self) -> None:
        self.root.scroll_into_view_if_needed()
        self.root.locator("[data-status]").first.wait_for(state="attached")
        self.page.wait_for_function(
            "root => { const s = root.querySelector('[data-status]'); return s && s.dataset.status !== 'loading'; }",
            arg=self.root.element_handle(), timeout=LIVE_TIMEOUT_MS)
        status = self.status()
        assert status == "live", f"{self.name}: engine status {status!r}: {self.status_text()}"

    def status(self) -> str:
        return self.root.locator("[data-status]").first.get_attribute("data-status") or ""

    def status_text(self) -> str:
        return self.root.locator("[data-status]").first.inner_text()

    # ---------------------------------------------------------------------------- inputs
    def control(self, name: str) -> Locator:
        return self.root.locator(f'[name="{name}"]')

    def value(self, name: str) -> str:
        return self.control(name).input_value()

    def set(self, name: str, value: str) -> None:
        """Type ``value`` into input ``name`` (or choose it in a select) and wait until the
        calculator has dealt with it: an inline error, a form error, or new results."""
        control = self.control(name)
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_function(
            """root => root.dataset.stale === undefined
                     || root.querySelector('[aria-invalid="true"]') !== null
                     || [...root.querySelectorAll('[role="alert"]')].some(e => !e.hidden && e.textContent.trim())""",
            arg=self.root.element_handle(), timeout=LIVE_TIMEOUT_MS)

    def inline_error(self, name: str) -> str | None:
        """The message a screen reader hears for input ``name`` when it is refused, else None."""
        return self.control(name).evaluate(
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
        messages = self.root.evaluate(
            """root => [...root.querySelectorAll('[aria-invalid="true"]')].map(el => el.name)""")
        return ", ".join(messages) or self.form_error()

    # ---------------------------------------------------------------------------- results
    def outputs(self) -> dict[str, str]:
        return self.root.evaluate(
            "root => Object.fromEntries([...root.querySelectorAll('[data-output]')]"
            ".map(e => [e.dataset.output, e.textContent]))")

    def stale(self) -> bool:
        return self.root.evaluate("root => root.dataset.stale !== undefined")

    def positions(self) -> int:
        return self.root.evaluate("root => root.querySelectorAll('[name$=\".side\"][name^=\"positions.\"]').length")


def engine_run(page: Page, batch: Iterable[tuple[str, dict[str, Any]]],
               timeout_ms: int = 60_000) -> list[dict[str, Any]]:
    """Compute a batch of (calculator, inputs) in the page's engine worker, all in flight at once.

    A batch that is not answered within ``timeout_ms`` fails the test (instead of hanging it)."""
    return page.evaluate(
        """async ([batch, timeoutMs]) => {
            if (!globalThis.livecalc || typeof globalThis.livecalc.run !== 'function')
                throw new Error('globalThis.livecalc.run is missing: widgets.mjs no longer exposes the engine');
            let answered = 0;
            const all = Promise.all(batch.map(([name, inputs]) =>
                globalThis.livecalc.run(name, inputs).then((answer) => { answered += 1; return answer; })));
            const late = new Promise((_, reject) => setTimeout(() => reject(new Error(
                `the engine answered ${answered} of ${batch.length} runs in ${timeoutMs} ms ` +
                `(engine state: ${globalThis.livecalc.engine && globalThis.livecalc.engine.state})`)), timeoutMs));
            return Promise.race([all, late]);
        }""",
        [[list(item) for item in batch], timeout_ms])
