"""livecalc's mkdocs-macros module: worked examples, checked figures, computed tables, calculators.

Every number comes from ``calculators``; this module looks results up, formats them, compares stated
figures with them and reports. It holds no financial formula.
"""

from __future__ import annotations

import logging
from typing import Any

from mkdocs.exceptions import PluginError

from . import compiled, computed, slots
from . import format as fmt
from .figures import BuildReport, Examples

log = logging.getLogger("mkdocs.plugins.livecalc")


def define_env(env: Any) -> None:
    """Register livecalc's macros and filters (called by mkdocs-macros once per build)."""
    report = BuildReport()
    # Results of unchanged examples are read back from the last build (see macros/computed.py).
    examples = Examples(env, report, computed.install(env))
    # Keep each page's compiled template between builds: a rebuild compiles only the pages that
    # changed (see macros/compiled.py for the measurement).
    compiled.install(env)
    env.variables["livecalc_report"] = report
    env.variables["livecalc_examples"] = examples

    env.filter(fmt.money, "money")
    env.filter(fmt.percent, "percent")
    env.macro(fmt.money, "money")
    env.macro(fmt.percent, "percent")

    env.macro(examples.fig, "fig")
    env.macro(examples.inputs, "inputs")
    env.macro(examples.leverage_table, "leverage_table")
    env.macro(examples.shock_table, "shock_table")
    env.macro(examples.tier_table, "tier_table")
    env.macro(examples.example_data, "example_data")

    try:  # the live calculators' widgets (present once the browser side is built)
        from .widgets import register
    except ImportError:
        pass
    else:
        register(env, examples)
        # A calculator's markup bypasses Markdown (which only slowed it down and wrapped it in a <p>):
        # see macros/slots.py for the measurement.
        slots.install(env, ("calculator",))


def on_pre_page_macros(env: Any) -> None:
    """Compute every worked example a page declares, so one that no macro uses is checked too."""
    env.variables["livecalc_examples"].check_declared()


def on_post_build(env: Any) -> None:
    """Fail the build, after every page has been read, if any figure or macro call was wrong."""
    report: BuildReport = env.variables["livecalc_report"]
    for line in report.corrections:
        log.info("livecalc: corrected %s", line)
    if report.errors:
        listing = "\n".join(f"  {n}. {e}" for n, e in enumerate(report.errors, 1))
        raise PluginError(
            f"livecalc: {len(report.errors)} problem(s) with computed figures; fix them and build again:\n"
            f"{listing}"
        )
