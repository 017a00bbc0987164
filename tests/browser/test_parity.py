"""Parity: the browser's answers are CPython's answers, exactly.

The calculators run ``calculators/`` in Pyodide; the build runs it in CPython. For the vectors
generated from every calculator's description (``tests/vectors.py``: about 300 a calculator, every
combination of its choices, every number of rows up to its maximum), computed in a page's own engine
worker (the ``run`` message the forms send, in batches), the answer must equal
``calculators.descriptions.run`` in CPython after a JSON round trip: the same keys, the same strings,
every float the same double bit for bit (``-0.0`` included). The figures the worker formats for the
page (``texts``, the chart's ``svg``) must equal what the build's own
``presentation.display.answer`` writes for the same inputs.

The expected values are not written here: they come from a second runtime (CPython) running the
same source, which is the claim under test ("the same Python gives the same answers").

Last, a handful of vectors of each calculator are typed into its form on the page that shows it, the
way a reader would, and the figures on the page must equal the build's formatting of CPython's results.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from calculators import descriptions
from presentation import display

import qa
import vectors

pytestmark = pytest.mark.browser

BATCH = 100
#: the answer's keys that come from calculators.descriptions.run; the rest is presentation
PRESENTATION = ("texts", "svg", "marks", "states", "ms")

VECTORS = vectors.vectors()


@pytest.fixture(scope="module")
def guide(live, site):
    """The guide with its engine live, shared with the other tests of the session (conftest.py)."""
    page, watch = live(site.page_of(next(iter(descriptions.CALCULATORS))))
    yield page, watch
    assert not watch.problems(), watch.problems()


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


def test_at_least_two_hundred_and_fifty_vectors_of_every_calculator():
    kinds = Counter(name for name, _ in VECTORS)
    assert set(kinds) == set(descriptions.CALCULATORS) and min(kinds.values()) >= 250, kinds


def test_worker_answers_equal_cpython_bit_for_bit(guide):
    page, _ = guide
    sent = [(name, qa.as_typed(raw)) for name, raw in VECTORS]  # text, as the widgets send it
    answers, failures = _compare_all(page, sent)
    assert not failures, f"{len(failures)} of {len(sent)} vectors differ:\n" + "\n".join(failures[:20])
    computed = Counter((name, answer["ok"]) for (name, _), answer in zip(sent, answers))
    for name in descriptions.CALCULATORS:
        assert computed[(name, True)] >= 200, computed  # mostly figures, not only refusals


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
        got = {key: answer.get(key) for key in PRESENTATION[:-1]}
        diff = qa.deep_diff({key: expected.get(key) for key in PRESENTATION[:-1]}, got)
        if diff:
            failures.append(f"{name} {json.dumps(raw)[:200]}: " + "; ".join(diff[:5]))
    assert not failures, f"{len(failures)} differ:\n" + "\n".join(failures[:20])


def _typed_into_form(calc, name: str, raw: dict) -> dict[str, str]:
    """``raw`` typed into the calculator's form (rows added or removed first); the figures shown."""
    described = descriptions.describe(name)
    rows = described["rows"]
    if rows:
        wanted = len(raw[rows["name"]])
        while calc.rows() < wanted:
            calc.add_row()
        while calc.rows() > wanted:
            calc.remove_row(calc.rows() - 1)
        for index, row in enumerate(raw[rows["name"]]):
            for f in rows["fields"]:
                calc.set(f"{rows['name']}.{index}.{f['name']}", row[f["name"]], settle=False)
    # A field used only with another's value (a rate without a tier table) after that one; while it is
    # not used it is disabled, as a reader finds it, and what it holds changes no figure.
    for f in sorted(described["fields"], key=lambda f: bool(f.get("used_when"))):
        if calc.field(f["name"]).is_disabled():
            continue
        calc.set(f["name"], raw[f["name"]], settle=False)
    calc.page.wait_for_function("root => root.dataset.stale === undefined", arg=calc.root.element_handle(),
                                timeout=qa.LIVE_TIMEOUT_MS)
    return calc.outputs()


@pytest.mark.parametrize("name", list(descriptions.CALCULATORS))
def test_figures_typed_into_the_form_equal_cpython(live, site, calculator, name):
    page, watch = live(site.page_of(name))
    calc = calculator(page, name)
    calc.go_live()
    before = calc.inputs()
    rows = descriptions.CALCULATORS[name].rows
    chosen = [qa.as_typed(raw) for n, raw in VECTORS
              if n == name and descriptions.run(n, raw)["ok"] and (rows is None or len(raw[rows.name]) <= 4)]
    for raw in chosen[::max(len(chosen) // 3, 1)][:3]:
        shown = _typed_into_form(calc, name, raw)
        expected = display.answer(name, raw)["texts"]
        differs = {key: (text, shown.get(key)) for key, text in expected.items() if shown.get(key) != text}
        assert not differs, f"{name} {raw}: (expected, shown) {differs}"
    _typed_into_form(calc, name, before)  # as found, for the tests that share the page
    assert not watch.problems(), watch.problems()
