"""Accessibility of the guide with its live calculators: axe-core (npm, pinned in package.json).

axe-core's rules for WCAG 2.0/2.1/2.2 A and AA and its best practices run on the whole built guide,
in Material's light and dark schemes, in the states a reader meets: the page as first painted,
the calculators live, the calculators showing inline errors, and a 360 px wide phone screen. No
violation of impact ``serious`` or ``critical`` is allowed; every result (all impacts) is written to
``test-artifacts/axe-*.json`` and summarised on the test's output, so lower-impact findings are seen.

Violations found when this suite was written and not yet fixed are listed in :data:`KNOWN`, each with
where it lives and who owns the fix. The list is a ratchet, not a waiver: any other serious or
critical violation fails at once, and an entry that no longer occurs anywhere fails the last test
until it is deleted from the list, so the list can only shrink. The issue is done when it is empty.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calculators import descriptions

import qa

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}

#: (axe rule, where) -> what it is and who fixes it. "where" is "calculator" (inside a
#: [data-calculator] section), "calculator-stale" (inside one whose results are marked stale) or "theme".
KNOWN: dict[tuple[str, str], str] = {}
#: what the tests of this module saw, and which pages they scanned, for the ratchet (the last test)
SEEN: set[tuple[str, str]] = set()
SCANNED: set[str] = set()
SCANS = {"light-first-paint", "light-live", "dark-first-paint", "dark-live", "light-errors", "dark-errors",
         "light-360px"}


def run_axe(page) -> dict:
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(REPO)} is missing: run `make test` (npm ci installs the pinned axe-core)")
    page.add_script_tag(path=str(AXE))
    settle(page)
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations', 'incomplete']});
            const where = (target) => {
                let el = null;
                try { el = document.querySelector(target[target.length - 1]); } catch { return 'theme'; }
                const calc = el && el.closest('[data-calculator]');
                return !calc ? 'theme' : calc.hasAttribute('data-stale') ? 'calculator-stale' : 'calculator';
            };
            const slim = (list) => list.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, where: where(n.target), html: n.html.slice(0, 300),
                                          summary: n.failureSummary}))}));
            return {version: axe.version, violations: slim(r.violations), incomplete: slim(r.incomplete)};
        }""",
        TAGS)


def settle(page) -> None:
    """Let running CSS transitions and finite animations end before axe measures colours.

    axe blends a node's colour with its opacity at the instant it looks. Material fades its
    "Back to top" button in when the page scrolls up (as scrolling a calculator into view can), and a
    scan in the middle of that fade once measured a half-transparent button as failing contrast
    (CI, stop 6). The reader sees the steady state, so that is what is scanned; animations that never
    end (a spinner) are not waited for.
    """
    page.evaluate(
        """async () => {
            const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
            for (let round = 0; round < 20; round++) {  // one ending transition may start another
                const running = document.getAnimations().filter(a => a.playState === 'running' &&
                    a.effect && a.effect.getComputedTiming().endTime !== Infinity);
                if (!running.length) return;
                await Promise.all(running.map(a => a.finished.catch(() => null)));
                await frame();
            }
        }""")


def record(name: str, result: dict) -> str:
    SCANNED.add(name)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(result, indent=2), "utf-8")
    lines = [f"axe-core {result['version']} on the guide, {name}:"]
    for kind in ("violations", "incomplete"):
        for item in result[kind]:
            lines.append(f"  {kind[:-1] if kind == 'violations' else 'needs review'}: {item['impact']} "
                         f"{item['id']} ({len(item['nodes'])} nodes): {item['help']}")
    if len(lines) == 1:
        lines.append("  nothing found")
    summary = "\n".join(lines)
    print(summary)
    return summary


def blocking(result: dict) -> list[str]:
    """Serious or critical violations that are not in KNOWN (those are recorded in SEEN)."""
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            key = (violation["id"], node["where"])
            if key in KNOWN:
                SEEN.add(key)
            else:
                found.append(f"{violation['impact']} {violation['id']} ({node['where']}): {violation['help']} "
                             f"at {node['target']}: {node['html'][:120]}")
    return found


def _bad_values(name: str) -> list[tuple[str, str]]:
    """A refused value for the first number field, and for the first row's first number field."""
    described = descriptions.describe(name)
    bad = [(f["name"], "abc") for f in described["fields"] if f["kind"] == "number"][:1]
    rows = described["rows"]
    if rows:
        bad += [(f"{rows['name']}.0.{f['name']}", "") for f in rows["fields"] if f["kind"] == "number"][:1]
    return bad


@pytest.fixture
def names(site) -> list[str]:
    """The guide's calculators, as the built guide shows them."""
    return site.pages[site.page_of(next(iter(descriptions.CALCULATORS)))]


@pytest.fixture
def open_guide(browser, site):
    contexts = []

    def open_(scheme: str, width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        watch = qa.PageWatch.attach(page)
        page.goto(site.guide)
        wanted = "slate" if scheme == "dark" else "default"
        shown = page.evaluate("() => document.body.getAttribute('data-md-color-scheme')")
        assert shown == wanted, f"Material shows the {shown!r} scheme for a {scheme} reader"
        return page, watch

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_guide_as_first_painted_and_live(open_guide, calculator, names, scheme):
    page, watch = open_guide(scheme)
    first = run_axe(page)  # before any calculator is near: the build-time figures
    record(f"{scheme}-first-paint", first)
    for name in names:
        calculator(page, name).go_live()
    live = run_axe(page)
    record(f"{scheme}-live", live)
    assert not blocking(first) and not blocking(live), blocking(first) + blocking(live)
    assert not watch.problems(), watch.problems()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_guide_with_inline_errors(open_guide, calculator, names, scheme):
    page, _ = open_guide(scheme)
    for name in names:
        calc = calculator(page, name)
        calc.go_live()
        for field, value in _bad_values(name):
            calc.set(field, value)
            assert calc.inline_error(field), f"{name}.{field}: no inline error to check"
    result = run_axe(page)
    record(f"{scheme}-errors", result)
    assert not blocking(result), blocking(result)


def test_guide_on_a_phone(open_guide, calculator, names):
    page, _ = open_guide("light", width=360)
    for name in names:
        calculator(page, name).go_live()
    result = run_axe(page)
    record("light-360px", result)
    assert not blocking(result), blocking(result)
    # Nothing of a calculator may stick out of a 360 px screen (the issue: usable without
    # horizontal scrolling); a wide table may scroll inside its own box.
    wide = page.evaluate(
        """() => [...document.querySelectorAll('[data-calculator] *')]
              .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5 && !e.closest('.livecalc__table-wrap'))
              .map(e => `${e.tagName.toLowerCase()}.${e.className.baseVal ?? e.className} ${e.getAttribute('name') || ''}`
                        + ` ends at ${Math.round(e.getBoundingClientRect().right)} px`)""")
    assert not wide, f"calculator elements past the right edge of a 360 px screen: {wide[:10]}"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        key = ("sideways-scroll", "theme")
        offenders = page.evaluate(
            """() => [...document.querySelectorAll('article *')]
                  .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5 && !e.closest('.md-typeset__scrollwrap'))
                  .map(e => e.closest('[data-calculator]') ? 'calculator' : (e.closest('.livecalc-formula') ? 'formula' : e.tagName))""")
        assert offenders and set(offenders) == {"formula"}, (
            f"the guide scrolls sideways by {overflow} px on a 360 px screen because of {sorted(set(offenders))}")
        assert key in KNOWN, f"the guide scrolls sideways by {overflow} px on a 360 px screen"
        SEEN.add(key)


def test_known_violations_still_occur():
    # The ratchet: a fixed violation must leave KNOWN (run after the tests above, which fill SEEN;
    # a partial run, such as `-k phone`, has not seen every page and cannot judge).
    if SCANNED != SCANS:
        print(f"ratchet not judged: scanned {sorted(SCANNED)} of {sorted(SCANS)}")
        return
    gone = {key: why for key, why in KNOWN.items() if key not in SEEN}
    assert not gone, f"no longer found, delete from KNOWN in {__file__}: {gone}"
