"""livecalc's mkdocs-macros module: worked examples, checked figures, computed tables, calculators.

Every number comes from ``calculators`` and is formatted by ``presentation``; this module looks
results up, compares stated figures with them and reports. It holds no formula and names no
calculator: tables and forms are read from the calculators' descriptions.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.utils import missing
from mkdocs.exceptions import PluginError
from mkdocs_macros.errors import format_error

from presentation import format as fmt

from . import direct, problems, slots
from .citations import cite
from .figures import BuildReport, Examples, MacroUsageError
from .widgets import register

log = logging.getLogger("mkdocs.plugins.livecalc")

# mkdocs-macros' start-up lines are debug detail (mkdocs build -v); it has no option for them.
problems.quiet_macros_log()

#: The build being run (one at a time in a process): where a template error is reported.
_current: Examples | None = None


def define_env(env: Any) -> None:
    """Register livecalc's macros and filters (called by mkdocs-macros once per build)."""
    global _current
    report = BuildReport()
    examples = Examples(env, report)
    _current = examples
    env.variables["livecalc_report"] = report
    env.variables["livecalc_examples"] = examples
    # A template error (a macro left unclosed) is one of the page's problems, reported at its line
    # with the others, failing `mkdocs build` at its end and shown in the page by `mkdocs serve`
    # (see on_post_build): mkdocs-macros' own failure stops at the first page, with a traceback.
    env.config["on_error_fail"] = False

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
    env.macro(cite, "cite")

    register(env, examples)
    # A macro that raises (a call with an argument it does not take, cite() without its source) is
    # one problem at its line, and the rest of the page is still rendered, its other mistakes found.
    for name in ("money", "percent", "cite", "fig", "inputs", "sweep_table", "leverage_table", "results_table",
                 "shock_table", "tier_table", "calculator_reference", "example_data", "calculator"):
        if name in env.macros:
            env.macro(_guarded(examples, name, env.macros[name]), name)
    # A calculator's markup bypasses Markdown, which would only slow it down and wrap it in a <p>
    # (see macros/slots.py).
    examples.slots = slots.install(env, ("calculator",))


def on_pre_page_macros(env: Any) -> None:
    """Compute every worked example a page declares, so one that no macro uses is checked too."""
    examples: Examples = env.variables["livecalc_examples"]
    # A name that is not a macro is reported at its line like any other problem (on_undefined: strict
    # would stop the page there, with a traceback).
    env.env.undefined = _Undefined
    examples.check_declared()
    # A page made only of calls like {{ fig("a.b", stated="$1") }}: the calls made here, in order,
    # and Jinja's compile of the page skipped (macros/direct.py says why, and when it is not).
    direct.render(env, examples.at_line)


def on_post_page_macros(env: Any) -> None:
    """Put the page's problems at its top, with the text the terminal shows."""
    examples: Examples = env.variables["livecalc_examples"]
    found = examples.report.of_page(examples.page_path())
    if found:
        env.markdown = examples.slots.hold(problems.banner(found, _serving(env))) + "\n\n" + env.markdown


def on_post_build(env: Any) -> None:
    """Fail the build, after every page has been read, if any page had a problem (``mkdocs serve``:
    list them and keep serving, each page showing its own); else say in one line what was built."""
    report: BuildReport = env.variables["livecalc_report"]
    for line in report.corrections:
        log.debug("livecalc: corrected %s", line)
    if not report.problems:
        log.info(report.summary())
        return
    message = problems.failure_message(report.problems)
    if _serving(env):
        problems.log_past_strict_mode(log, logging.ERROR, message + "\n(each page shows its own problems at its top)")
        return
    raise PluginError(message)


def _serving(env: Any) -> bool:
    """Whether this is ``mkdocs serve`` (the hooks file, overrides/hooks/publishing.py, says so)."""
    return bool(((env.conf.get("extra") or {}).get("publishing") or {}).get("serving"))


# -------------------------------------------------------------------------------------------------
# Template errors: a name that is not a macro, a macro left unclosed
# -------------------------------------------------------------------------------------------------

class _Undefined(StrictUndefined):
    """A name that is neither a macro nor a variable (``figg(...)``): one problem at its line, with
    the close macro's name, and the marker in its place; the rest of the page is rendered."""

    def _report(self, *args: Any, **kwargs: Any) -> str:
        examples = _current
        if examples is None:
            return super()._fail_with_undefined_error(*args, **kwargs)
        if isinstance(self._undefined_obj, str) and self._undefined_obj.startswith("**[livecalc error"):
            return self._undefined_obj  # a part of a failed macro's result: that failure is reported already
        if self._undefined_obj is not missing:  # an attribute or key that its object lacks
            message = self._undefined_message
        else:
            names = sorted(examples.env.macros)
            close = problems.did_you_mean(self._undefined_name, names)
            message = f"{self._undefined_name!r} is not a macro{close or ' (macros: ' + ', '.join(names) + ')'}"
        return examples.fail(message)

    def __str__(self) -> str:
        return self._report()

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        return self._report()

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        return self._report()


def _explained(error: Exception, macros: Any) -> str:
    """A macro's exception as one line: its message (a macro called with an argument it does not take
    is told the close one), with the kind of error only when it is not a message for writers."""
    text = re.sub(r"\b\w+\.(\w+\(\))", r"\1", str(error))  # Examples.fig() -> fig()
    wrong = re.match(r"(\w+)\(\) got an unexpected keyword argument '(\w+)'", text)
    if wrong and wrong.group(1) in macros:
        parameters = inspect.signature(macros[wrong.group(1)]).parameters
        text += problems.did_you_mean(wrong.group(2), parameters)
    if not isinstance(error, (MacroUsageError, ValueError)):
        text = f"{type(error).__name__}: {text}"
    return text


def _guarded(examples: Examples, name: str, macro: Any) -> Any:
    @functools.wraps(macro)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return macro(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - a writer's mistake is a line of the report, not a traceback
            text = _explained(error, examples.env.macros)
            return examples.fail(text if re.match(r"\w+\(", text) or ": " in text[:20] else f"{name}(): {text}")

    # it never raises, so a page of literal calls to it may be rendered without Jinja (macros/direct.py)
    setattr(guarded, direct.MARK, True)
    return guarded


def _template_line_of(error: BaseException) -> int | None:
    """The template's line in a traceback that Jinja has rewritten to point into the template."""
    line, trace = None, error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _report_template_error(message: str, template_line: int | None, markdown: str) -> str:
    examples = _current
    if examples is None:
        return message
    line = template_line + examples.front_matter_lines() if template_line else None
    examples.report.add(examples.page_path(), line, message)
    problems.QuietMacros.swallow_next_warning = True  # mkdocs-macros' own report of it: the whole page
    return markdown  # mkdocs-macros shows this in place of the page: the page as its writer typed it


@format_error.register
def _syntax_error(error: TemplateSyntaxError, markdown: str, page: Any) -> str:
    """A macro whose template does not parse (``{{ fig("a.b" }}``): one problem at its line."""
    return _report_template_error(f"the macro does not read: {error.message}; close each {{{{ with }}}} "
                                  "and each quote and bracket", error.lineno, markdown)


@format_error.register
def _other_error(error: Exception, markdown: str, page: Any) -> str:
    """Anything else a page's template raised: its message at its line, never a traceback. A macro
    called with an argument it does not take is told the close one."""
    macros = _current.env.macros if _current is not None else {}
    return _report_template_error(_explained(error, macros), _template_line_of(error), markdown)
