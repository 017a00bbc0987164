"""livecalc's mkdocs-macros module: worked examples, checked figures, computed tables, calculators.

Every number comes from ``calculators`` and is formatted by ``presentation``; this module looks
results up, compares stated figures with them and reports. It holds no formula and names no
calculator: tables and forms are read from the calculators' descriptions.
"""

from __future__ import annotations

import logging
from typing import Any

from mkdocs.exceptions import PluginError

from presentation import format as fmt

from . import slots
from .figures import BuildReport, Examples
from .widgets import register

log = logging.getLogger("mkdocs.plugins.livecalc")


def define_env(env: Any) -> None:
    """Register livecalc's macros and filters (called by mkdocs-macros once per build)."""
    report = BuildReport()
    examples = Examples(env, report)
    env.variables["livecalc_report"] = report
    env.variables["livecalc_examples"] = examples

    env.filter(fmt.money, "money")
    env.filter(fmt.percent, "percent")
    env.macro(fmt.money, "money")
    env.macro(fmt.percent, "percent")

    env.macro(examples.fig, "fig")
    env.macro(examples.inputs, "inputs")
    env.macro(examples.sweep_table, "sweep_table")
    env.macro(examples.leverage_table, "leverage_table")
    env.macro(examples.results_table, "results_table")
    # the guide's first name for a results table of isolated against cross margin
    env.macro(examples.results_table, "shock_table")
    env.macro(examples.tier_table, "tier_table")
    env.macro(examples.calculator_reference, "calculator_reference")
    env.macro(examples.example_data, "example_data")

    register(env, examples)
    # A calculator's markup bypasses Markdown, which would only slow it down and wrap it in a <p>
    # (see macros/slots.py).
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
