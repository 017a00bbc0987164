"""Helpers of the browser tests besides the page object (``conftest.Calculator``): exact comparison
of answers, what a page did that it should not have, and the engine's answers in a batch.

``engine_run`` asks the engine the calculators use, through ``globalThis.livecalc.run``
(``browser/engine.mjs``: "for tests and benchmarks"), which posts the worker's own ``run`` message.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Any, Iterable

from playwright.sync_api import Page

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

    return {key: [{k: text(v) for k, v in row.items()} for row in value] if isinstance(value, list) else text(value)
            for key, value in raw.items()}


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
# The engine's answers
# --------------------------------------------------------------------------------------------------

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
