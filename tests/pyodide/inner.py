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


def why_not_pure(path: Path, need_calculators: bool = True) -> str | None:
    """None when the file can run in Pyodide, else the reason it cannot."""
    roots = imported_roots(path)
    host = sorted(roots & HOST_ONLY_STDLIB)
    if host:
        return "imports " + ", ".join(host)
    foreign = sorted(r for r in roots if r not in sys.stdlib_module_names and r not in ALLOWED_THIRD_PARTY
                     and r != "__future__")
    if foreign:
        return "imports " + ", ".join(foreign)
    if need_calculators and "calculators" not in roots:
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


def copy_code() -> tuple[list[str], dict[str, str]]:
    """Copy calculators/ and the pure test files into Pyodide's memory file system."""
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
        reason = why_not_pure(conftest, need_calculators=False)
        if reason is None:
            shutil.copy(conftest, WORK / "tests" / "conftest.py")
        else:
            excluded["tests/conftest.py"] = reason
    for path in sorted((REPO / "tests").glob("test_*.py")):
        rel = f"tests/{path.name}"
        reason = why_not_pure(path)
        if reason is None:
            shutil.copy(path, WORK / rel)
            selected.append(rel)
        else:
            excluded[rel] = reason
    return selected, excluded


def make_plugin(max_examples: int):
    """A pytest plugin that sets Hypothesis' Pyodide profile and keeps each test's outcome."""
    import pytest

    class PyodideRun:
        def __init__(self) -> None:
            self.collected: list[str] = []
            self.outcomes: dict[str, str] = {}

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

        def pytest_runtest_logreport(self, report):
            previous = self.outcomes.get(report.nodeid)
            if report.failed:
                self.outcomes[report.nodeid] = "failed" if report.when == "call" else "error"
            elif report.skipped and previous is None:
                self.outcomes[report.nodeid] = "skipped"
            elif report.passed and report.when == "call" and previous is None:
                self.outcomes[report.nodeid] = "passed"

    return PyodideRun()


def main(config: dict) -> dict:
    wheels = install_wheels()
    selected, excluded = copy_code()
    import pytest

    os.chdir(WORK)
    sys.path.insert(0, str(WORK))
    recorder = make_plugin(int(config.get("max_examples", 25)))
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
        "args": args,
        "collected": recorder.collected,
        "outcomes": recorder.outcomes,
        "counts": counts,
    }


# Only when run_pytest.mjs runs this file (it sets CONFIG); importing it (pytest's doctest
# collection does) has no effect.
if __name__ == "__main__" and "CONFIG" in globals():
    RESULT = json.dumps(main(CONFIG))  # noqa: F821
