"""The calculators' own tests, run inside Pyodide: the mathematics tested in the runtime readers use.

``tests/pyodide/run_pytest.mjs`` starts the pinned npm Pyodide (314.0.7, Python 3.14) under Node,
installs pytest and hypothesis from wheels that ``make test`` downloaded (``make pyodide-wheels``;
no network here), copies ``calculators/`` and the pure-module test files into Pyodide's memory file
system and runs pytest there. This test checks what came back:

* the inner pytest exited 0 and every test it ran passed (none skipped, none failed);
* it ran exactly the tests that CPython collects from the same files (so it cannot pass by
  collecting less), and at least the calculators' doctests, which this test counts itself with
  :mod:`doctest`;
* the module tests named in the issue (``tests/test_margin.py``, ``test_tiers.py``,
  ``test_descriptions.py``) were among them wherever they exist;
* ``tests/strategies.py``, where every Hypothesis strategy of the tests lives, was copied in with
  them, and imports nothing Pyodide lacks (the standard library, Hypothesis, ``calculators``).

It is never skipped: without Node, the npm package or the wheels it fails saying what to run.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "tests" / "pyodide" / "run_pytest.mjs"
WHEELS = ROOT / ".cache" / "pyodide-wheels"
PYODIDE = ROOT / "node_modules" / "pyodide" / "pyodide.mjs"
#: the pure-module test files of the issue: when one exists, it must run inside Pyodide
MODULE_TESTS = ("tests/test_margin.py", "tests/test_tiers.py", "tests/test_descriptions.py")
#: the one module of Hypothesis strategies, which the pure tests import
STRATEGIES = "tests/strategies.py"
#: Hypothesis examples per property inside Pyodide (CPython runs the full default; here the point is
#: the runtime, and 100 examples a property took 400 s of a 5-minute suite, 10 take 40 s)
MAX_EXAMPLES = int(os.environ.get("LIVECALC_PYODIDE_MAX_EXAMPLES", "10"))

pytestmark = pytest.mark.slow


def _doctest_count() -> int:
    """How many doctests calculators/*.py hold, counted by the standard library's doctest finder."""
    finder = doctest.DocTestFinder()
    count = 0
    for path in sorted((ROOT / "calculators").glob("*.py")):
        module = importlib.import_module(f"calculators.{path.stem}" if path.stem != "__init__" else "calculators")
        count += sum(1 for test in finder.find(module) if test.examples)
    return count


def _cpython_collection(paths: list[str]) -> list[str]:
    """The test ids CPython's pytest collects from the same paths, with the project's own config."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, f"CPython could not collect {paths}:\n{done.stdout}\n{done.stderr}"
    return [line.strip() for line in done.stdout.splitlines() if "::" in line]


@pytest.fixture(scope="module")
def pyodide_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not on PATH: the module's tests run inside Pyodide under Node "
                    "(install Node 20+, then `make test`).")
    if not PYODIDE.exists():
        pytest.fail(f"{PYODIDE.relative_to(ROOT)} is missing: run `make test` (npm ci installs the pinned Pyodide).")
    if not WHEELS.is_dir() or not any(WHEELS.glob("*.whl")):
        pytest.fail(f"{WHEELS.relative_to(ROOT)} holds no wheels: run `make pyodide-wheels` "
                    "(part of `make test`) to download pytest and hypothesis for Pyodide.")
    out = tmp_path_factory.mktemp("pyodide") / "result.json"
    done = subprocess.run(
        [node, str(RUNNER), "--json", str(out), "--max-examples", str(MAX_EXAMPLES)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    transcript = f"--- stdout ---\n{done.stdout[-20000:]}\n--- stderr ---\n{done.stderr[-5000:]}"
    assert out.exists(), f"the Pyodide runner wrote no result (exit {done.returncode}):\n{transcript}"
    result = json.loads(out.read_text("utf-8"))
    result["transcript"] = transcript
    result["node_exit"] = done.returncode
    return result


def test_runtime_is_the_pinned_pyodide(pyodide_run: dict) -> None:
    pinned = json.loads((ROOT / "package.json").read_text("utf-8"))["devDependencies"]["pyodide"]
    assert pyodide_run["pyodide"] == pinned
    assert pyodide_run["platform"] == "emscripten"
    assert pyodide_run["python"].startswith("3.14")


def test_every_test_passed_inside_pyodide(pyodide_run: dict) -> None:
    outcomes = pyodide_run["outcomes"]
    bad = {node: outcome for node, outcome in outcomes.items() if outcome != "passed"}
    assert not bad, f"inside Pyodide: {bad}\n{pyodide_run['transcript']}"
    assert pyodide_run["exit_code"] == 0, pyodide_run["transcript"]
    assert pyodide_run["node_exit"] == 0, pyodide_run["transcript"]
    assert sorted(outcomes) == sorted(pyodide_run["collected"]), "a collected test has no outcome"


def test_ran_the_same_tests_as_cpython(pyodide_run: dict) -> None:
    paths = ["calculators", *pyodide_run["selected"]]
    expected = _cpython_collection(paths)
    ran = sorted(pyodide_run["outcomes"])
    missing = sorted(set(expected) - set(ran))
    extra = sorted(set(ran) - set(expected))
    assert not missing and not extra, f"not run in Pyodide: {missing[:20]}; only in Pyodide: {extra[:20]}"
    doctests = [node for node in ran if node.startswith("calculators/")]
    assert len(doctests) >= _doctest_count() >= 10, doctests


def test_module_tests_of_the_issue_run_inside_pyodide(pyodide_run: dict) -> None:
    for rel in MODULE_TESTS:
        if (ROOT / rel).exists():
            assert rel in pyodide_run["selected"], (
                f"{rel} was not run in Pyodide: {pyodide_run['excluded'].get(rel)}")
            assert any(node.startswith(rel + "::") for node in pyodide_run["outcomes"]), rel


def test_the_strategies_import_only_what_pyodide_has() -> None:
    # checked here too, not only by the runner's selection: a strategy module that pulled in, say,
    # presentation/ would be left out in Pyodide, and every test drawing from it with it
    tree = ast.parse((ROOT / STRATEGIES).read_text("utf-8"))
    roots = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    roots |= {node.module.split(".")[0] for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module}
    foreign = sorted(root for root in roots
                     if root not in sys.stdlib_module_names and root not in {"__future__", "hypothesis", "calculators"})
    assert not foreign, f"{STRATEGIES} imports {foreign}: not available inside Pyodide"


def test_the_strategies_were_copied_into_pyodide(pyodide_run: dict) -> None:
    assert STRATEGIES in pyodide_run["helpers"], (pyodide_run["helpers"], pyodide_run["excluded"])
