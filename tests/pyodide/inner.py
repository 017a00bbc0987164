"""Runs inside Pyodide (started by run_pytest.mjs): install the wheels, copy the code, run pytest.

The Node script mounts the checkout at ``/mnt/repo`` and the wheel cache at ``/mnt/wheels`` (both
host folders, read only in practice) and then runs this file with ``CONFIG`` set to a dict:
``{"extra_args": [...], "max_examples": int}``. Nothing here touches the network.

What is tested: the doctests of ``calculators/*.py`` and every pure-module test file in ``tests/``,
that is a top-level ``tests/test_*.py`` that imports ``calculators`` and otherwise only the standard
library, pytest and hypothesis (no ``macros``, no browser, no subprocess: those belong to CPython).
The selection is written to the result so the CPython side can check it against its own.

The result is left as JSON text in the global ``RESULT``.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import shutil
import site
import sys
import zipfile
from pathlib import Path

REPO = Path("/mnt/repo")
WHEELS = Path("/mnt/wheels")
WORK = Path("/home/pyodide/livecalc")

#: imports that a pure-module test may use besides the standard library
ALLOWED_THIRD_PARTY = {"pytest", "_pytest", "hypothesis", "calculators"}
#: standard-library modules that mean "this test drives a process, a server or the OS", not the module
HOST_ONLY_STDLIB = {"subprocess", "multiprocessing", "socket", "socketserver", "http", "urllib",
                    "webbrowser", "ctypes", "concurrent", "asyncio", "threading", "signal"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def helper_modules() -> dict[str, Path]:
    """Helper modules of the tests folder (``strategies.py``, ``vectors.py``): tests import them by name."""
    return {p.stem: p for p in (REPO / "tests").glob("*.py")
            if not p.name.startswith("test_") and p.name != "conftest.py"}


def why_not_pure(path: Path, need_calculators: bool = True, host_ok: bool = False,
                 seen: frozenset[str] = frozenset()) -> str | None:
    """None when the file can run in Pyodide, else the reason it cannot.

    ``host_ok``: importing a host-only standard module is fine (conftest.py only defines fixtures,
    which the pure tests do not use). A helper module of the tests folder counts as pure when it is.
    """
    roots = imported_roots(path)
    host = sorted(roots & HOST_ONLY_STDLIB)
    if host and not host_ok:
        return "imports " + ", ".join(host)
    helpers = helper_modules()
    foreign = []
    for root in sorted(roots):
        if root in sys.stdlib_module_names or root in ALLOWED_THIRD_PARTY or root == "__future__":
            continue
        if root in helpers and root not in seen:
            reason = why_not_pure(helpers[root], need_calculators=False, seen=seen | {root})
            if reason is None:
                continue
            foreign.append(f"{root} (which {reason})")
        else:
            foreign.append(root)
    if foreign:
        return "imports " + ", ".join(foreign)
    if need_calculators and "calculators" not in roots and not (roots & set(helpers)):
        return "does not import calculators"
    return None


def install_wheels() -> list[str]:
    target = Path(site.getsitepackages()[0])
    names = sorted(p.name for p in WHEELS.glob("*.whl"))
    if not names:
        raise SystemExit(f"no wheels in {WHEELS} (run `make pyodide-wheels`)")
    for name in names:
        with zipfile.ZipFile(WHEELS / name) as wheel:
            wheel.extractall(target)
    importlib.invalidate_caches()
    return names


def copy_code() -> tuple[list[str], dict[str, str], list[str]]:
    """Copy calculators/ and the pure test files into Pyodide's memory file system.

    Returns the test files selected, the reason each other one was not, and the helper modules
    copied (``tests/strategies.py`` among them: the pure tests draw their examples from it).
    """
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "web")
    shutil.copytree(REPO / "calculators", WORK / "calculators", ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", WORK / "pyproject.toml")
    (WORK / "tests").mkdir()
    selected: list[str] = []
    excluded: dict[str, str] = {}
    conftest = REPO / "tests" / "conftest.py"
    if conftest.exists():
        reason = why_not_pure(conftest, need_calculators=False, host_ok=True)
        if reason is None:
            shutil.copy(conftest, WORK / "tests" / "conftest.py")
        else:
            excluded["tests/conftest.py"] = reason
    helpers: list[str] = []
    for name, path in sorted(helper_modules().items()):
        if why_not_pure(path, need_calculators=False) is None:
            shutil.copy(path, WORK / "tests" / path.name)
            helpers.append(f"tests/{path.name}")
    for path in sorted((REPO / "tests").glob("test_*.py")):
        rel = f"tests/{path.name}"
        reason = why_not_pure(path)
        if reason is None:
            shutil.copy(path, WORK / rel)
            selected.append(rel)
        else:
            excluded[rel] = reason
    return selected, excluded, helpers


def make_plugin(max_examples: int):
    """A pytest plugin that sets Hypothesis' Pyodide profile and keeps each test's outcome."""
    import pytest

    class PyodideRun:
        def __init__(self) -> None:
            self.collected: list[str] = []
            self.outcomes: dict[str, str] = {}
            self.capped = 0

        @pytest.hookimpl(trylast=True)
        def pytest_configure(self, config):
            # After hypothesis' own plugin and any conftest: wasm is several times slower than
            # native CPython, so no deadline and fewer examples; no database (nothing to keep
            # between runs in a memory file system).
            from hypothesis import HealthCheck, settings

            settings.register_profile(
                "pyodide", max_examples=max_examples, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow],
            )
            settings.load_profile("pyodide")

        def pytest_collection_modifyitems(self, items):
            self.collected = [item.nodeid for item in items]
            # A test's own @settings(max_examples=1_000) wins over any profile: cap it here, so the
            # suite stays a few minutes in wasm. CPython runs the full counts.
            from hypothesis import settings

            for item in items:
                function = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
                current = getattr(function, "_hypothesis_internal_use_settings", None)
                if current is not None and current.max_examples > max_examples:
                    function._hypothesis_internal_use_settings = settings(
                        current, max_examples=max_examples, deadline=None)
                    self.capped += 1

        def pytest_runtest_logreport(self, report):
            previous = self.outcomes.get(report.nodeid)
            if report.failed:
                self.outcomes[report.nodeid] = "failed" if report.when == "call" else "error"
            elif report.skipped and previous is None:
                self.outcomes[report.nodeid] = "skipped"
            elif report.passed and report.when == "call" and previous is None:
                self.outcomes[report.nodeid] = "passed"

    return PyodideRun()


def recorder_max_examples(config: dict) -> int:
    return int(config.get("max_examples", 100))


def main(config: dict) -> dict:
    wheels = install_wheels()
    selected, excluded, helpers = copy_code()
    import pytest

    os.chdir(WORK)
    # the helper modules are imported by name, as tests/conftest.py arranges in CPython
    sys.path[:0] = [str(WORK), str(WORK / "tests")]
    recorder = make_plugin(recorder_max_examples(config))
    args = ["-p", "no:cacheprovider", "-q", "--color=no",
            "calculators", *selected, *config.get("extra_args", [])]
    code = int(pytest.main(args, plugins=[recorder]))
    counts: dict[str, int] = {}
    for outcome in recorder.outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return {
        "exit_code": code,
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "pytest": pytest.__version__,
        "hypothesis": importlib.import_module("hypothesis").__version__,
        "hypothesis_profile": str(importlib.import_module("hypothesis").settings.default),
        "wheels": wheels,
        "selected": selected,
        "excluded": excluded,
        "helpers": helpers,
        "args": args,
        "collected": recorder.collected,
        "outcomes": recorder.outcomes,
        "counts": counts,
        "max_examples": recorder_max_examples(config),
        "hypothesis_tests_capped": recorder.capped,
    }


# Only when run_pytest.mjs runs this file (it sets CONFIG); importing it (pytest's doctest
# collection does) has no effect.
if __name__ == "__main__" and "CONFIG" in globals():
    RESULT = json.dumps(main(CONFIG))  # noqa: F821
