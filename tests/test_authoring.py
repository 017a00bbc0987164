"""The writer's tools: the authoring page is complete, ``livecalc new`` writes a page that builds on the
first try, ``livecalc calculators`` lists every input and output.

The authoring page is checked as its rendered HTML (the ``real_site`` build), not its Markdown: the
outputs and inputs are listed by ``{{ calculator_reference() }}``, which exists only once the page is
built, and the rendered page is what a writer reads (a section lost to a Jinja slip would pass a check
of the Markdown).
"""

from __future__ import annotations

import datetime
import html
import inspect
import json
import re
from pathlib import Path

import pytest

from calculators import descriptions, grammar
from calculators.errors import MarginInputError
from livecalc import reference, scaffold
from publishing_support import build, copy_project, front_matter, livecalc
from tiny import TINY_CONFIG

FIRST = next(iter(descriptions.CALCULATORS))


# ------------------------------------------------------------------------------------ the authoring page

def registered(folder: Path) -> tuple[dict, dict]:
    """``(macros, filters)`` that ``define_env`` registers, by name: MkDocs' configuration of a tiny site
    loaded and its plugins' ``on_config`` run (where mkdocs-macros calls ``define_env``), without
    mkdocs-macros' own built-ins (``now``, ``pretty``, ...), which the page does not document."""
    from mkdocs.config import load_config

    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "docs" / "index.md").write_text("# Tiny\n", "utf-8")
    (folder / "mkdocs.yml").write_text(TINY_CONFIG, "utf-8")
    config = load_config(config_file=str(folder / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        plugin = config.plugins.on_config(config).plugins["macros"]
    finally:
        config.plugins.on_shutdown()

    def ours(functions: dict) -> dict:
        return {name: f for name, f in functions.items() if not f.__module__.startswith("mkdocs_macros")}

    return ours(plugin.macros), ours(plugin.filters)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).replace("¶", "").split())


def sections(markup: str, level: str) -> dict[str, str]:
    """The page's sections at heading ``level`` (``h3``): heading text -> HTML until the next heading
    of that level or above."""
    parts = re.split(rf"(<h[1-{level[1]}][^>]*>.*?</h[1-{level[1]}]>)", markup, flags=re.S)
    found = {}
    for index in range(1, len(parts) - 1, 2):
        if parts[index].startswith(f"<{level}"):
            found[_text(parts[index])] = parts[index + 1]
    return found


def _arguments(text: str) -> list[str]:
    """The arguments of ``a, b=[1, 2], **c) and ...`` up to the closing parenthesis, split at top-level commas."""
    arguments, depth, current = [], 0, ""
    for character in text:
        if character == ")" and depth == 0:
            break
        depth += character in "[("
        depth -= character in "])"
        if character == "," and depth == 0:
            arguments.append(current.strip())
            current = ""
        else:
            current += character
    return arguments + [current.strip()]


def _default(value) -> str:
    """A default as the page writes it: None, 3, "text", [2, 3] (a tuple as a list)."""
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(json.dumps(item) for item in value) + "]"
    return json.dumps(value) if isinstance(value, str) else str(value)


#: parameters with a default that the macro nonetheless refuses to run without, documented as required:
#: inputs() without a field reports "inputs() needs a field name" (macros/figures.py, Examples.inputs)
REQUIRED_IN_PRACTICE = {("inputs", "field")}


@pytest.fixture(scope="module")
def authoring(real_site) -> str:
    assert real_site.ok, real_site.output[-3000:]
    return real_site.html("authoring.md")


def test_every_macro_of_define_env_has_a_heading_with_its_signature(authoring, tmp_path):
    headings = list(sections(authoring, "h3"))
    registered_macros, _ = registered(tmp_path)
    assert {"fig", "calculator", "money"} <= set(registered_macros)  # the real registrations were seen
    for name, function in registered_macros.items():
        heading = next((h for h in headings if re.search(rf"(^|\s){name}\(", h)), None)
        assert heading is not None, f"no heading documents {name}() in docs/authoring.md"
        documented = heading[heading.index(f"{name}("):]
        if documented.startswith(f"{name}(...)"):  # an alias, documented with the macro it names
            documented = heading
        section = heading + " " + _text(sections(authoring, "h3")[heading])
        parameters = [p for p in inspect.signature(function).parameters.values()
                      if not p.name.startswith("_") and p.kind != p.VAR_KEYWORD]
        for parameter in parameters:
            if parameter.default is not parameter.empty and (name, parameter.name) not in REQUIRED_IN_PRACTICE:
                # named in the heading, its default in the heading or in the section's list
                assert f"{parameter.name}=" in documented, (name, parameter, heading)
                assert f"{parameter.name}={_default(parameter.default)}" in section, (name, parameter, heading)
        required = [p for p in parameters if p.default is p.empty or (name, p.name) in REQUIRED_IN_PRACTICE]
        listed = _arguments(documented[documented.index("(") + 1:])
        assert len([a for a in listed if a and "=" not in a and not a.startswith("**")]) == len(required), heading
        # every macro has an example of its use in its section
        assert f"{name}(" in section[len(heading):], name


def test_every_filter_is_documented(authoring, tmp_path):
    _, filters = registered(tmp_path)
    assert filters
    for name in filters:
        assert f"| {name}" in _text(authoring), name


def test_every_output_and_input_of_every_calculator_is_listed_in_its_own_section(authoring):
    by_heading = sections(authoring, "h3")
    for key, calc in descriptions.CALCULATORS.items():
        section = next((body for heading, body in by_heading.items() if heading.startswith(f"{key}:")), None)
        assert section is not None, f"no section for the calculator {key}"
        codes = [html.unescape(code) for code in re.findall(r"<code>([^<]*)</code>", section)]
        for output in calc.all_outputs:
            assert any(code == output.name or code.endswith("." + output.name) for code in codes), (key, output.name)
        for field in calc.all_fields:
            assert any(code == field.name or code.endswith("." + field.name) for code in codes), (key, field.name)


def test_the_named_outputs_the_old_page_missed_are_there(authoring):
    # the list: outputs of the isolated calculator that only fig() shows
    text = _text(authoring)
    for name in ("liquidated_at_entry", "maintenance_amount_used", "tier_table_used"):
        assert name in text


def test_what_the_page_says_about_typing_inputs_is_what_the_grammar_does(authoring):
    text = _text(authoring)
    assert "no $ sign" not in text and "no commas" not in text
    fields = {f.name: f for f in descriptions.CALCULATORS[FIRST].all_fields}
    entry, mmr, leverage = fields["entry_price"], fields["mmr"], fields["leverage"]
    # each spelling the page names, as a reader would type it, and the number it must be
    for field, typed, number in ((entry, "$65,000", 65000), (entry, "65,000", 65000), (entry, "65000", 65000),
                                 (mmr, "0.5%", 0.5), (mmr, "0.5", 0.5), (leverage, "10x", 10)):
        assert f"{typed}" in text, typed
        assert grammar.parse(field.spec, field.name, typed) == number
    assert "0,5" in text
    with pytest.raises(MarginInputError):
        grammar.parse(mmr.spec, "mmr", "0,5")


def test_the_page_documents_the_front_matter_and_the_commands(authoring):
    text = _text(authoring)
    for key in ("title", "description", "status", "date", "target_keyword", "topic", "slug", "reviewed",
                "author", "reviewer", "image", "examples"):
        assert f"{key}" in text, key
    for phrase in ("YYYY-MM-DD", "draft", "ready", "livecalc new", "livecalc calculators", "--force"):
        assert phrase in text, phrase


# ------------------------------------------------------------------------------------ livecalc new

def test_new_writes_a_page_with_every_key_and_an_example_with_every_input(tmp_path):
    result = livecalc("new", "my-first-guide", "--docs-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    page = tmp_path / "my-first-guide.md"
    assert f"{page}" in result.stdout and "/my-first-guide/" in result.stdout
    text = page.read_text("utf-8")
    meta, body = front_matter(text)
    assert meta["slug"] == "my-first-guide"
    assert meta["target_keyword"] == "my first guide"
    assert meta["status"] == "draft"
    assert meta["topic"] == "Guides"
    assert meta["date"] == datetime.date.today()
    assert re.search(r"^date: \d{4}-\d{2}-\d{2}$", text, re.M)
    assert 30 <= len(meta["title"]) <= 60 and 70 <= len(meta["description"]) <= 160
    example = meta["examples"]["example"]
    assert example["calculator"] == FIRST
    assert set(example) - {"calculator"} == {f.name for f in descriptions.CALCULATORS[FIRST].fields}
    assert example["side"] == "long"
    # every key has a comment above it saying what it is
    lines = text.splitlines()
    for key in ("title", "description", "slug", "target_keyword", "topic", "status", "date", "examples"):
        index = next(n for n, line in enumerate(lines) if line.startswith(f"{key}:"))
        assert lines[index - 1].startswith("#"), key
    assert "menu section" in text
    for macro in ('fig("example.', 'stated="', 'inputs("example"', f'calculator("{FIRST}", example="example")'):
        assert macro in body, macro


def test_new_refuses_a_page_that_exists_unless_forced(tmp_path):
    assert livecalc("new", "my-guide", "--docs-dir", str(tmp_path)).returncode == 0
    page = tmp_path / "my-guide.md"
    page.write_text(page.read_text("utf-8") + "\nAn editor's sentence.\n", "utf-8")
    again = livecalc("new", "my-guide", "--docs-dir", str(tmp_path))
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "already exists" in again.stderr and "--force" in again.stderr
    assert "An editor's sentence." in page.read_text("utf-8")
    forced = livecalc("new", "my-guide", "--force", "--docs-dir", str(tmp_path))
    assert forced.returncode == 0 and forced.stdout.startswith("replaced ")
    assert "An editor's sentence." not in page.read_text("utf-8")


@pytest.mark.parametrize("slug", ["My-Guide", "my_guide", "my--guide", "-guide", "guide-", "my guide", "gúide", "my/guide"])
def test_new_refuses_a_slug_that_is_not_lowercase_hyphenated(tmp_path, slug):
    result = livecalc("new", "--docs-dir", str(tmp_path), "--", slug)  # "--": "-guide" is not an option
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "is not a slug" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_a_title_or_description_the_audit_would_stop(tmp_path):
    short = livecalc("new", "my-guide", "--title", "Too short", "--docs-dir", str(tmp_path))
    assert short.returncode == 2 and "30 to 60" in short.stderr
    long = livecalc("new", "my-guide", "--description", "x" * 161, "--docs-dir", str(tmp_path))
    assert long.returncode == 2 and "70 to 160" in long.stderr
    unknown = livecalc("new", "my-guide", "--calculator", "isolatd", "--docs-dir", str(tmp_path))
    assert unknown.returncode == 2 and "did you mean 'isolated'?" in unknown.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def new_pages_built(tmp_path_factory):
    """The site's sources with a page from `livecalc new` (as written, a draft) and one published page
    per calculator (`--ready`), built once with ``mkdocs build --strict``."""
    root = tmp_path_factory.mktemp("new-pages")
    project = copy_project(root / "project")
    assert livecalc("new", "writers-first-guide", cwd=project).returncode == 0
    for key in descriptions.CALCULATORS:
        written = livecalc("new", f"{key.replace('_', '-')}-guide", "--ready", "--calculator", key, cwd=project)
        assert written.returncode == 0, written.stderr
    return build(project, root / "site")


def test_pages_from_new_build_on_the_first_try_without_a_warning(new_pages_built):
    result = new_pages_built
    assert result.ok, result.output[-4000:]
    assert "WARNING" not in result.output
    # no audit finding for any new page (the keyword rules included): only the site-wide site-url one
    findings = [line for line in result.output.splitlines() if "livecalc audit: /" in line and "-guide/" in line]
    assert findings == []
    # as written, the page is a draft: out of the published site
    assert not result.page("writers-first-guide").exists()


def test_every_calculator_s_new_page_shows_its_figures_and_its_calculator(new_pages_built):
    for key in descriptions.CALCULATORS:
        markup = new_pages_built.html(f"{key.replace('_', '-')}-guide")
        assert f'data-calculator="{key}"' in markup, key
        assert "livecalc error" not in markup, key


def test_the_first_calculator_s_page_shows_the_figures_worked_by_hand(new_pages_built):
    text = _text(new_pages_built.html(f"{FIRST.replace('_', '-')}-guide"))
    # The isolated long of the defaults: $1,000 margin at 10x on $65,000, 0.5% maintenance on mark
    # value (Binance USD-M): quantity q = 10,000 / 65,000; liquidation where
    # 1,000 + q (P - 65,000) = 0.005 q P, so P = (10,000 - 1,000) / (0.995 q) = 58,793.97 (by hand),
    # a move of (65,000 - 58,793.97) / 65,000 = 9.55%.
    assert "$58,793.97" in text
    assert "9.55%" in text


# ------------------------------------------------------------------------------------ livecalc calculators

def test_calculators_lists_every_calculator_with_every_input_and_output():
    result = livecalc("calculators")
    assert result.returncode == 0 and result.stderr == ""
    assert "\x1b" not in result.stdout  # no colours
    for key, calc in descriptions.CALCULATORS.items():
        assert f"{key}: {calc.title}" in result.stdout
        for field in calc.all_fields:
            assert re.search(rf"\b{field.name}\b", result.stdout), field.name
        for output in calc.all_outputs:
            assert re.search(rf"\b{output.name}\b", result.stdout), output.name


def test_calculators_columns_are_aligned():
    lines = reference.listing(descriptions.CALCULATORS[FIRST], width=200).splitlines()
    start = lines.index("  Inputs (in a worked example: name: value)") + 1
    table = lines[start:lines.index("", start)]
    column = table[0].index("label")
    labels = [f.label for f in descriptions.CALCULATORS[FIRST].fields]
    assert [line[column:column + len(label)] for line, label in zip(table[1:], labels)] == labels


def test_calculators_name_shows_that_calculator_only_with_its_bounds_defaults_and_choices():
    calc = descriptions.CALCULATORS[FIRST]
    result = livecalc("calculators", FIRST)
    assert result.returncode == 0
    others = [f"{key}: {c.title}" for key, c in descriptions.CALCULATORS.items() if key != FIRST]
    assert not any(heading in result.stdout for heading in others)
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("    ")}
    # the description's leverage bounds (1 to 125), default (10) and the side's choices
    assert ">= 1, <= 125" in rows["leverage"] and rows["leverage"].rstrip().endswith(str(calc.defaults["leverage"]))
    assert "long | short" in rows["side"]


def test_calculators_output_names_are_paths_fig_takes():
    for key, calc in descriptions.CALCULATORS.items():
        results = descriptions.compute(key, descriptions.complete_inputs(calc, {}))
        for row in reference.outputs(calc):
            value = results
            for part in row.name.split("."):
                value = value[0 if part == "N" else int(part)] if isinstance(value, list) else value[part]
            assert not isinstance(value, (dict, list)) or row.unit == "outcome", (key, row.name)


def test_calculators_suggests_the_closest_name_for_an_unknown_one():
    result = livecalc("calculators", "isolatd")
    assert result.returncode == 2 and result.stdout == ""
    assert "no calculator 'isolatd'; did you mean 'isolated'?" in result.stderr
    far = livecalc("calculators", "zzz")
    assert far.returncode == 2 and "did you mean" not in far.stderr and "calculators: isolated" in far.stderr
