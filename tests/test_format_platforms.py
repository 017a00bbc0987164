"""The same text on every platform: 10,000 and more values formatted by ``presentation.format`` in
CPython and inside the pinned Pyodide (the reader's runtime) must give the same texts, character for
character. The values gather where a libm function would once have decided a digit: next to powers
of ten (the number of decimals below a dollar), on rounding halves, huge and tiny, as exact rationals
and as floats.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _driver():
    """tests/pyodide/format_driver.py, the code that formats the values in both runtimes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("format_driver", ROOT / "tests" / "pyodide" / "format_driver.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def values() -> list[list[str]]:
    rng = random.Random(20261202)
    found: list[list[str]] = []
    for exponent in range(-12, 16):
        power = Fraction(10) ** exponent
        for nudge in (Fraction(0), Fraction(1, 10 ** 18), -Fraction(1, 10 ** 18)):
            for sign in (1, -1):
                value = sign * (power + nudge * power)
                found.append(["fraction", f"{value.numerator}/{value.denominator}"])
                found.append(["float", repr(float(value))])
        for _ in range(150):
            digits = rng.randint(1, 17)
            mantissa = rng.randint(1, 10 ** digits)
            value = Fraction(mantissa, 10 ** digits) * power * rng.choice((1, -1))
            found.append(["fraction", f"{value.numerator}/{value.denominator}"])
            found.append(["float", repr(float(value))])
            half = (Fraction(rng.randint(0, 10 ** 6)) + Fraction(1, 2)) / 10 ** rng.randint(0, 8)
            found.append(["fraction", f"{half.numerator}/{half.denominator}"])
    for text in ("9.99999999999999e-05", "1e300", "-1e-300", "5e-324", "0.0", "-0.0", "0.125", "0.005"):
        found.append(["float", text])
    return found


def test_cpython_and_pyodide_print_the_same_texts():
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not on PATH: this test formats inside Pyodide under Node (run `make test`).")
    given = values()
    assert len(given) >= 10_000
    done = subprocess.run([node, str(ROOT / "tests" / "pyodide" / "format_values.mjs")], input=json.dumps(given),
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    inside = json.loads(done.stdout)
    here = json.loads(_driver().format_all(json.dumps(given)))
    differ = [(value, a, b) for value, a, b in zip(given, here, inside) if a != b]
    assert len(inside) == len(given)
    assert not differ, f"{len(differ)} values print differently, for example {differ[:3]}"
