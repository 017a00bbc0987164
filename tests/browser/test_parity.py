"""Parity: the browser's answers are CPython's answers, exactly.

The guide's calculators run ``calculators/`` in Pyodide; the build runs it in CPython. For 1,168
vectors generated from the calculators' descriptions (``tests/vectors.py``: long and short, both
models, fixed rate and tier table, cross accounts and shocks of 1 to 12 positions, with moves),
computed in the page's own engine worker (the ``run`` message the widgets send, in batches), the
answer must equal ``calculators.descriptions.run`` in CPython after a JSON round trip: the same keys,
the same strings, every float the same double bit for bit (``-0.0`` included). The figures the worker
formats for the page (``texts``, the chart's ``svg``) must equal what the build's own
``macros.display.present`` writes for the same inputs.

The expected values are not written here: they come from a second runtime (CPython) running the
same source, which is the claim under test ("the same Python gives the same answers").

Last, a handful of vectors are typed into the forms themselves, the way a reader would, and the
figures on the page must equal the build's formatting of CPython's results.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from calculators import descriptions
from macros import display

for _folder in (Path(__file__).parent, Path(__file__).parent.parent):  # qa.py, vectors.py by name
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))
import qa  # noqa: E402
import vectors  # noqa: E402

pytestmark = pytest.mark.browser

BATCH = 100
#: the answer's keys that come from calculators.descriptions.run; the rest is presentation
PRESENTATION = ("texts", "svg", "ms")

VECTORS = vectors.vectors()


@pytest.fixture(scope="module")
def guide(browser, site):
    """The guide, open once for the module, its engine live (``site`` and ``browser``: conftest.py)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = qa.PageWatch.attach(page)
    page.goto(site.guide)
    qa.Calculator(page, "isolated").go_live()
    yield page, watch
    assert not watch.problems(), watch.problems()
    context.close()


def _expected(name: str, raw: dict) -> dict:
    return json.loads(json.dumps(descriptions.run(name, raw), allow_nan=False))


def _compare_all(page, sent: list[tuple[str, dict]]) -> tuple[list[dict], list[str]]:
    answers: list[dict] = []
    for batch in vectors.iter_batches(sent, BATCH):
        answers += qa.engine_run(page, batch)
    assert len(answers) == len(sent)
    failures = []
    for index, ((name, raw), answer) in enumerate(zip(sent, answers)):
        module_part = {key: value for key, value in answer.items() if key not in PRESENTATION}
        diff = qa.deep_diff(_expected(name, raw), module_part)
        if diff:
            failures.append(f"vector {index} ({name}) {json.dumps(raw)[:300]}: " + "; ".join(diff[:5]))
    return answers, failures


def test_at_least_a_thousand_vectors_of_every_kind():
    kinds = Counter(name for name, _ in VECTORS)
    assert len(VECTORS) >= 1000 and set(kinds) == set(descriptions.CALCULATORS), kinds


def test_worker_answers_equal_cpython_bit_for_bit(guide):
    page, _ = guide
    sent = [(name, qa.as_typed(raw)) for name, raw in VECTORS]  # text, as the widgets send it
    answers, failures = _compare_all(page, sent)
    assert not failures, f"{len(failures)} of {len(sent)} vectors differ:\n" + "\n".join(failures[:20])
    computed = Counter((name, answer["ok"]) for (name, _), answer in zip(sent, answers))
    for name in descriptions.CALCULATORS:
        assert computed[(name, True)] >= 250, computed  # mostly figures, not only refusals


def test_numbers_sent_as_json_numbers_give_the_same_answers(guide):
    # The worker takes "a plain object"; a number may arrive as a JSON number (a shared scenario,
    # a script). Pyodide turns a whole JS number into a Python int: the answer must not change.
    page, _ = guide
    sent = VECTORS[::3]
    _, failures = _compare_all(page, sent)
    assert not failures, f"{len(failures)} of {len(sent)} vectors differ:\n" + "\n".join(failures[:20])


def test_page_figures_equal_the_builds_formatting(guide):
    page, _ = guide
    sent = [(name, qa.as_typed(raw)) for name, raw in VECTORS[::2]]
    answers: list[dict] = []
    for batch in vectors.iter_batches(sent, BATCH):
        answers += qa.engine_run(page, batch)
    failures = []
    for (name, raw), answer in zip(sent, answers):
        if not answer["ok"]:
            continue
        expected = json.loads(json.dumps(display.answer(name, raw)))
        got = {key: answer.get(key) for key in ("texts", "svg")}
        diff = qa.deep_diff({key: expected.get(key) for key in ("texts", "svg")}, got)
        if diff:
            failures.append(f"{name} {json.dumps(raw)[:200]}: " + "; ".join(diff[:5]))
    assert not failures, f"{len(failures)} differ:\n" + "\n".join(failures[:20])


def _typed_into_form(page, name: str, raw: dict) -> dict[str, str]:
    calc = qa.Calculator(page, name)
    description = descriptions.CALCULATORS[name]
    if description.position_fields:
        wanted = len(raw["positions"])
        while calc.positions() < wanted:
            calc.root.locator('[data-action="add-position"]').click()
        while calc.positions() > wanted:
            calc.root.locator('[data-action="remove-position"]').last.click()
        for index, row in enumerate(raw["positions"]):
            for f in description.position_fields:
                calc.set(f"positions.{index}.{f.name}", row[f.name])
    for f in description.fields:
        calc.set(f.name, raw[f.name])
    page.wait_for_function("root => root.dataset.stale === undefined", arg=calc.root.element_handle(),
                           timeout=qa.LIVE_TIMEOUT_MS)
    return calc.outputs()


@pytest.mark.parametrize("name,count", [("isolated", 12), ("cross", 4), ("compare", 4)])
def test_figures_typed_into_the_form_equal_cpython(guide, name, count):
    page, watch = guide
    chosen = [qa.as_typed(raw) for n, raw in VECTORS
              if n == name and descriptions.run(n, raw)["ok"] and len(raw.get("positions", ())) <= 4]
    step = max(len(chosen) // count, 1)
    for raw in chosen[::step][:count]:
        shown = _typed_into_form(page, name, raw)
        expected = display.answer(name, raw)["texts"]
        differs = {key: (text, shown.get(key)) for key, text in expected.items() if shown.get(key) != text}
        assert not differs, f"{name} {raw}: (expected, shown) {differs}"
    assert not watch.problems(), watch.problems()
