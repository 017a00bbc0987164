"""The module against the exact-arithmetic oracle written in the tests (``tests/oracle.py``), at a size
CI cannot afford: 100,000 random typed-decimal cases per public function (``--quick``: 10,000).

``make test`` runs the same comparison at 300 cases per function (``tests/test_differential.py``);
this is its large run. Figures: ``differential_disagreements`` (target 0, summed over the functions)
and ``differential_cases_per_function``; each function's own counts are kept in the results file.

    python -m bench --only differential
    python tests/test_differential.py 100000     # the same, printing each function's line
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from bench.common import ROOT, figure

FULL = 100_000
QUICK = 10_000


def run(quick: bool = False, log: Callable[[str], None] = print) -> dict[str, Any]:
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)  # the oracle and the cases are the tests' own modules
    import test_differential

    count = QUICK if quick else FULL
    results = test_differential.run_differential(count, report=log)
    per_function = {name: {"cases": stats["cases"], "boundary": stats["boundary"], "refused": stats["refused"],
                           "disagreements": stats["disagreement_count"], "seconds": round(stats["seconds"], 1)}
                    for name, stats in results.items()}
    disagreements = sum(stats["disagreement_count"] for stats in results.values())
    return {
        "differential_disagreements": figure(
            [disagreements], unit="count", target="0", ok=disagreements == 0, functions=per_function,
            note=f"{count:,} random typed-decimal cases per public function against tests/oracle.py"),
        "differential_cases_per_function": figure([min(s["cases"] for s in results.values())], unit="count"),
    }
