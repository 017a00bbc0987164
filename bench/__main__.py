"""``make bench`` (``python -m bench``): every benchmark, merged into ``bench/results.json``, and a table.

    python -m bench                      # everything (several minutes)
    python -m bench --quick              # fewer pages and runs, for development
    python -m bench --only build,lighthouse

Modules: ``bench.build`` (build overhead, scaling, memory), ``bench.engine`` (the calculators in the
browser: start, edits, recompute, bytes; when present), ``bench.lighthouse`` and ``bench.differential``
(the module against the tests' exact oracle, 100,000 cases per function). Each returns figures
made by ``bench.common.figure`` / ``ratio``: median, min and max over repeated runs, and for every
comparison the ratio to a baseline measured in the same run. The results file keeps the figures of
modules not run this time, each with the time and the command that measured it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import inspect
import json
import platform
import sys
import time
import traceback
from typing import Any, Callable

from bench.common import RESULTS, ROOT

MODULES = ("build", "engine", "lighthouse", "differential")

# The keys, in its order, with their targets ("report" where the issue asks only for a figure).
# A module may set its own "target" and "ok"; these apply when it does not.
TARGETS: dict[str, tuple[str, Callable[[float], bool] | None]] = {
    "build_overhead_ratio_200_clean": ("<= 2.0", lambda v: v <= 2.0),
    "build_overhead_ratio_200": ("<= 1.4", lambda v: v <= 1.4),
    "build_overhead_ratio_200_clean_no_engine_cache": ("report", None),
    "build_seconds_per_page_1000": ("report", None),
    "build_scaling_ratio": ("<= 1.2", lambda v: v <= 1.2),
    "build_peak_rss_mb_1000": ("report", None),
    "page_bytes_ratio_1000_vs_10": ("<= 1.2", lambda v: v <= 1.2),
    "engine_cold_ratio_naive": ("<= 0.3", lambda v: v <= 0.3),
    "engine_warm_ratio_naive": ("<= 0.15", lambda v: v <= 0.15),
    "engine_cold_ms": ("<= 1200", lambda v: v <= 1200),
    "engine_warm_ms": ("<= 600", lambda v: v <= 600),
    "edit_to_figure_ms_at_1s": ("report", None),
    "edit_to_figure_ms_at_5s": ("<= 300", lambda v: v <= 300),
    "recompute_p50_ms": ("report", None),
    "recompute_p95_ms": ("<= 16", lambda v: v <= 16),
    "bytes_before_calculator": ("<= 350 KB", lambda v: v <= 350_000),
    "bytes_engine": ("report, reduce", None),
    "lighthouse_performance": (">= 0.98", lambda v: v >= 0.98),
    "lighthouse_cls": ("0", lambda v: round(v, 3) == 0),
    "lighthouse_tbt_ms": ("<= 50", lambda v: v <= 50),
    "lighthouse_lcp_ms": ("report", None),
    "lighthouse_performance_plain": ("report", None),
    "differential_disagreements": ("0", lambda v: v == 0),
    "differential_cases_per_function": (">= 100000", lambda v: v >= 100_000),
}
OWNER = {key: key.split("_")[0] for key in TARGETS}
OWNER.update({k: "engine" for k in TARGETS if k.startswith(("engine_", "edit_", "recompute_", "bytes_"))})


def _normalise(value: Any) -> dict[str, Any]:
    """A module's figure as a dict; a bare number (a module that returns one) becomes a one-run figure."""
    if isinstance(value, dict) and "median" in value:
        return value
    if isinstance(value, (int, float)):
        return {"median": float(value), "min": float(value), "max": float(value), "runs": 1}
    return {"median": None, "value": value}


def run_module(name: str, quick: bool, log: Callable[[str], None]) -> dict[str, Any] | None:
    """The figures of ``bench.<name>``, or None when the module does not exist yet."""
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"bench.{name}":
            return None
        raise
    entry = getattr(module, "run", None)
    if entry is None:
        raise RuntimeError(f"bench/{name}.py has no run() function returning its figures")
    accepted = inspect.signature(entry).parameters
    kwargs = {key: value for key, value in (("quick", quick), ("log", log)) if key in accepted}
    return entry(**kwargs)


def verdict(key: str, fig: dict[str, Any]) -> tuple[str, str]:
    target, check = TARGETS.get(key, (fig.get("target") or "report", None))
    target = fig.get("target") or target
    median = fig.get("median")
    if "ok" in fig and fig["ok"] is not None:
        return target, "ok" if fig["ok"] else "MISSED"
    if check is None or median is None:
        return target, "report"
    return target, "ok" if check(median) else "MISSED"


def _number(value: Any, unit: str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if unit in ("bytes",) or (unit is None and abs(value) >= 10_000):
        return f"{value / 1000:,.1f} KB"
    if unit in ("ms",):
        return f"{value:,.0f}"
    if unit in ("s/page",):
        return f"{value * 1000:.2f} ms"
    if unit in ("ratio",):
        return f"{value:.3f}"
    if unit in ("score",):
        return f"{value:.3f}"
    if unit in ("s",):
        return f"{value:.2f} s"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"


def table(results: dict[str, Any]) -> str:
    # Figures only: data such as the build's breakdown stays in the file.
    keys = list(TARGETS) + sorted(k for k in results if k not in TARGETS and not k.startswith("_")
                                  and isinstance(results[k], dict) and results[k].get("median") is not None)
    rows = [("key", "median", "min", "max", "target", "verdict", "runs")]
    for key in keys:
        fig = results.get(key)
        if fig is None:
            rows.append((key, "not measured yet", "", "", TARGETS[key][0], "-", ""))
            continue
        unit = fig.get("unit")
        target, word = verdict(key, fig)
        rows.append((key, _number(fig.get("median"), unit), _number(fig.get("min"), unit),
                     _number(fig.get("max"), unit), target, word, str(fig.get("runs", ""))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) if i in (0, 4, 5) else cell.rjust(widths[i])
                       for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {key}: {results[key]['note']}" for key in keys if key in results and results[key].get("note")]
    return "\n".join(lines + (["", "notes:"] + notes if notes else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer pages and runs (development; keys say the sizes)")
    parser.add_argument("--only", default=",".join(MODULES), help=f"comma-separated, of: {', '.join(MODULES)}")
    parser.add_argument("--table", action="store_true", help="only print the table of bench/results.json")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {}
    if RESULTS.exists():
        try:
            results = json.loads(RESULTS.read_text("utf-8"))
        except ValueError:
            results = {}
    if args.table:
        print(table(results))
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    failures = []
    for name in [m.strip() for m in args.only.split(",") if m.strip()]:
        if name not in MODULES:
            parser.error(f"unknown benchmark {name!r} (known: {', '.join(MODULES)})")
        started = time.perf_counter()
        log(f"== bench.{name}")
        try:
            figures = run_module(name, args.quick, log)
        except Exception:  # one module failing must not lose the others' figures
            failures.append(name)
            log(f"bench.{name} failed:\n{traceback.format_exc()}")
            continue
        if figures is None:
            log(f"bench.{name}: not there yet (bench/{name}.py); its keys stay 'not measured yet'")
            continue
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        # A module's latest run replaces all of its previous figures (a quick run's keys included).
        results = {key: value for key, value in results.items()
                   if not (isinstance(value, dict) and value.get("module") == name)}
        for key, value in figures.items():
            fig = _normalise(value)
            fig.update(module=name, measured_at=stamp, command=command.strip(), quick=args.quick)
            results[key] = fig
        log(f"bench.{name}: {len(figures)} figures in {time.perf_counter() - started:.0f} s")

    results["_machine"] = {"python": platform.python_version(), "platform": platform.platform(),
                           "cpus": __import__("os").cpu_count(), "root": str(ROOT)}
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    if failures:
        print(f"FAILED: {', '.join(failures)} (see the messages above)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
