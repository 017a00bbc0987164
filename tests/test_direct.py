"""macros/direct.py: a page made only of literal macro calls is rendered without Jinja, to Jinja's text.

The expected side is Jinja itself, not a value written here: the same drawn pages are built twice in
this process, once as the build runs and once with the direct road closed (``direct.render``
declining every page, so that mkdocs-macros hands each page to Jinja), and every page's HTML, the
build's verdict and each problem it reports (page, line, message) must be the same. Pages are drawn
from pieces (``strategies.page_pieces``): prose with stray braces, literal calls that succeed, calls
that are a writer's mistake (a wrong stated figure, a misspelt output, an argument the macro does not
take, a citation without its source), and syntax that only Jinja may read (a filter, a name that is
not a macro, a block, a comment, a trailing comma, a hex number, "{{{").

Two more tests pin which road a page takes, so that the gain cannot vanish unnoticed: a page of
literal calls goes the direct road and each construct of the last kind sends its page to Jinja; and
the site's own guides, as written, are within the direct road's grammar.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import macros
import strategies
from conftest import build_tiny_site
from macros import direct
from tiny import BTC_FRONT_MATTER

REPO = Path(__file__).resolve().parent.parent

#: Calls that the direct road takes; some of them are a writer's mistake that the build reports.
LITERAL_CALLS = [
    '{{ fig("btc.liquidation_price") }}',
    "{{ fig('btc.notional', stated=\"$10,000\") }}",
    '{{ fig("btc.notional", stated="$9,000") }}',  # contradicted by the module: a problem at its line
    '{{ fig("btc.liquidation_pric") }}',  # a misspelt output
    '{{ fig("btc.distance_pct", decimals=1) }}',
    '{{ fig("btc.notional", nope=1) }}',  # an argument fig() does not take
    '{{ inputs("btc", "leverage") }}',
    "{{money(1234.5)}}",
    "{{ money(-5, 0) }}",
    "{{ percent(0.095) }}",
    "{{ percent(1, decimals=0) }}",
    "{{ money(none) }}",
    "{{ money(True) }}",
    '{{ cite("5%") }}',  # a citation without its source
    '{{ cite("12%", source="Kaiko, 2024 — “Q1 report”") }}',
]
#: Template syntax that sends the whole page to Jinja.
JINJA_ONLY = [
    "{{ money(1000) | upper }}",
    '{{ figg("btc.notional") }}',
    "{{ money(1000,) }}",
    "{% if true %}yes{% endif %}",
    "{# a comment #}",
    "{{ money(0x10) }}",
    "{{{ money(5) }}",
    "{{- money(5) }}",
    "{{ page.title }}",
    "{{ money(1e3) }}",
    "{{ fig ('btc.notional') }}",
]
PROSE = ["Some prose.", "A brace { alone } and }} too.", "Price $65,000 at 10x.", "", "Ünïcode — “quoted”.",
         "| a | b |\n|---|---|\n| 1 | 2 |", "{ single }", "Two on a line: {{ money(1) }} and {{ percent(0.5) }}."]


def _build(root: Path, pages: dict[str, str], *, direct_road: bool, monkeypatch: pytest.MonkeyPatch):
    """The build's result, whether each page took the direct road, and each page's Markdown as the
    macros left it (before Markdown, which would hide a newline's difference)."""
    taken: list[bool] = []
    rendered: dict[str, str] = {}
    real_render, real_post = direct.render, macros.on_post_page_macros

    def counted(env, at_line):
        taken.append(real_render(env, at_line) if direct_road else False)
        return taken[-1]

    def kept(env):
        real_post(env)
        rendered[env.page.file.src_path] = env.markdown

    with monkeypatch.context() as patch:
        patch.setattr(direct, "render", counted)
        patch.setattr(macros, "on_post_page_macros", kept)  # mkdocs-macros reads it when the build starts
        result = build_tiny_site(root, pages)
    return result, taken, rendered


def _same_as_jinja(pages: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    with tempfile.TemporaryDirectory() as folder:
        ours, taken, ours_markdown = _build(Path(folder) / "direct", pages, direct_road=True, monkeypatch=monkeypatch)
        jinja, _, jinja_markdown = _build(Path(folder) / "jinja", pages, direct_road=False, monkeypatch=monkeypatch)
        assert sorted(ours_markdown) == sorted(pages)
        assert ours_markdown == jinja_markdown
        assert ours.ok == jinja.ok
        assert ours.errors() == jinja.errors()
        assert {name: ours.html(name) for name in pages} == {name: jinja.html(name) for name in pages}
    return taken


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(strategies.page_bodies(PROSE + LITERAL_CALLS, JINJA_ONLY), min_size=3, max_size=3))
def test_a_drawn_page_renders_as_jinja_renders_it(monkeypatch, bodies):
    _same_as_jinja({f"p{i}.md": BTC_FRONT_MATTER + body for i, body in enumerate(bodies)}, monkeypatch)


def test_a_page_of_literal_calls_goes_the_direct_road_and_other_syntax_goes_to_jinja(monkeypatch):
    literal = "\n\n".join(PROSE + LITERAL_CALLS) + "\n"
    pages = {"literal.md": BTC_FRONT_MATTER + literal}
    pages |= {f"jinja{i}.md": BTC_FRONT_MATTER + literal + construct + "\n" for i, construct in enumerate(JINJA_ONLY)}
    taken = _same_as_jinja(dict(sorted(pages.items())), monkeypatch)
    names = sorted(pages)
    assert dict(zip(names, taken)) == {name: name == "literal.md" for name in names}


def test_the_sites_guides_are_within_the_direct_roads_grammar():
    """Every page of docs/ with macro calls and no block ({% raw %} shows macros to writers) is planned
    for the direct road, with every macro it calls marked as one that never raises."""
    from jinja2 import Environment
    from types import SimpleNamespace

    from mkdocs.utils.meta import get_data

    checked = 0
    for path in sorted((REPO / "docs").glob("*.md")):
        markdown, _ = get_data(path.read_text("utf-8"))
        if "{{" not in markdown or "{%" in markdown:
            continue
        jinja = Environment()
        marked = lambda *args, **kwargs: ""  # noqa: E731
        setattr(marked, direct.MARK, True)
        jinja.globals.update({name: marked for name in re.findall(r"\{\{\s*(\w+)\(", markdown)})
        env = SimpleNamespace(env=jinja, variables={"page": SimpleNamespace(meta={}, title="A guide")},
                              config={"render_by_default": True})
        assert direct._plan(env, markdown) is not None, path.name
        checked += 1
    assert checked >= 2  # the guide and the calculators' page at least
