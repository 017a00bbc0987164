"""The results kept between builds (macros/computed.py): a rebuild may read them, never trust them blindly.

What must hold: a result is kept only for the very calculators package that computed it (any change
of its code or data starts afresh); an error is never kept; an unreadable cache is recomputed; and a
warm build checks and reports exactly what a cold one does (a wrong stated figure fails both).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import calculators
from macros import computed, widgets
from tiny import BTC_FRONT_MATTER

CALCULATORS = Path(calculators.__file__).parent


def test_a_kept_result_is_read_back_without_computing(tmp_path):
    first = computed.KeptResults(tmp_path)
    assert first.get("k", lambda: {"x": [1.5, None, True]}) == {"x": [1.5, None, True]}
    first.save()

    def must_not_run():
        raise AssertionError("computed again although kept")

    second = computed.KeptResults(tmp_path)
    assert second.get("k", must_not_run) == {"x": [1.5, None, True]}
    assert (second.loaded, second.computed) == (1, 0)


def test_floats_come_back_bit_for_bit(tmp_path):
    value = {"p": 58825.000000000015, "q": 0.1 + 0.2, "r": -0.0, "s": 1e-300}
    kept = computed.KeptResults(tmp_path)
    kept.get("k", lambda: value)
    kept.save()
    back = computed.KeptResults(tmp_path).get("k", dict)
    assert {k: v.hex() for k, v in back.items()} == {k: v.hex() for k, v in value.items()}


def test_another_calculators_package_starts_afresh(tmp_path, monkeypatch):
    kept = computed.KeptResults(tmp_path)
    kept.get("k", lambda: 1)
    kept.save()
    monkeypatch.setattr(computed, "fingerprint", lambda *extra: "another-package")
    fresh = computed.KeptResults(tmp_path)
    assert fresh.get("k", lambda: 2) == 2
    fresh.save()
    assert [p.name for p in tmp_path.iterdir()] == ["another-package.marshal"], "the stale file is removed"


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """A copy of the calculators package that computed.fingerprint() reads instead of the real one."""
    copy = tmp_path / "calculators"
    shutil.copytree(CALCULATORS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(computed.calculators, "__file__", str(copy / "__init__.py"))
    return copy


@pytest.mark.parametrize("edit", ["code", "data"])
def test_the_fingerprint_changes_with_any_file_of_the_package(package_copy, edit):
    copy = package_copy
    before = computed.fingerprint()
    assert computed.fingerprint() == before, "the digest is deterministic"
    target = copy / "margin.py" if edit == "code" else next((copy / "data").glob("*.json"))
    target.write_bytes(target.read_bytes() + b"\n")
    assert computed.fingerprint() != before


def test_an_error_is_never_kept(tmp_path):
    kept = computed.KeptResults(tmp_path)

    def fails():
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        kept.get("k", fails)
    kept.save()
    with pytest.raises(ValueError, match="bad input"):
        computed.KeptResults(tmp_path).get("k", fails)


def test_an_unreadable_cache_is_recomputed(tmp_path):
    kept = computed.KeptResults(tmp_path)
    tmp_path.mkdir(exist_ok=True)
    kept.path.write_bytes(b"not marshal data")
    assert kept.get("k", lambda: 3) == 3
    assert kept.computed == 1


def test_results_of_pages_gone_are_dropped(tmp_path):
    kept = computed.KeptResults(tmp_path)
    kept.get("old", lambda: 1), kept.get("new", lambda: 2)
    kept.save()
    rebuild = computed.KeptResults(tmp_path)
    rebuild.get("new", lambda: 0)
    rebuild.save()
    assert computed.KeptResults(tmp_path).get("old", lambda: "computed") == "computed"


WRONG = BTC_FRONT_MATTER + 'The liquidation price is {{ fig("btc.liquidation_price", stated="$58,465") }}.\n'
RIGHT = BTC_FRONT_MATTER + 'The liquidation price is {{ fig("btc.liquidation_price", stated="$58,825") }}.\n'


def test_a_warm_build_checks_stated_figures_as_a_cold_one_does(build_site):
    cold = build_site({"index.md": WRONG})
    assert not cold.ok
    cache = list((cold.project_dir / computed.FOLDER).glob("*.marshal"))
    assert cache, "the first build kept its results"
    warm = build_site({"index.md": WRONG})
    assert not warm.ok
    # $58,825.00: 65,000 * (1 - 1/10 + 0.005), the draft's formula worked by hand (tests/test_margin.py)
    assert warm.errors() == cold.errors() and "computes $58,825.00" in warm.errors()[0]
    fixed = build_site({"index.md": RIGHT})
    assert fixed.ok, fixed.output
    assert "$58,825.00" in fixed.text("index.md")


def calculator_page(leverage: int) -> str:
    front = BTC_FRONT_MATTER.replace("leverage: 10", f"leverage: {leverage}")
    return front + '{{ calculator("isolated", example="btc") }}\n'


def test_a_kept_form_is_the_form_a_cold_build_writes_and_follows_an_edit(tmp_path):
    """The calculator's markup read back on a rebuild is byte for byte the cold build's, and editing the
    worked example changes it (the example's inputs are part of what the form is kept under)."""
    from conftest import build_tiny_site

    project = tmp_path / "project"
    project.mkdir()
    for name in ("node_modules", "package.json"):  # the engine's pinned Pyodide, as in the real project
        (project / name).symlink_to(Path(__file__).resolve().parents[1] / name)

    def guide_html(leverage: int) -> str:
        result = build_tiny_site(tmp_path, {"index.md": calculator_page(leverage)})
        assert result.ok, result.output
        html = result.html("index.md")
        return html[html.index("<section"):html.index("</section>")]

    cold = guide_html(10)
    assert list((project / widgets.FORMS).glob("*.marshal")), "the first build kept its forms"
    assert guide_html(10) == cold
    twenty = guide_html(20)
    assert twenty != cold
    # leverage 20 on $1,000 of margin: a $20,000 position; at 10x it was $10,000 (margin x leverage)
    assert "$20,000.00" in twenty and "$20,000.00" not in cold


def test_the_browser_side_does_not_change_the_fingerprint(package_copy):
    """An edit of the worker or the widgets' script cannot change a computed result; the forms that
    point to those files carry their digests in the URLs they are kept under."""
    before = computed.fingerprint()
    worker = package_copy / "web" / "worker.mjs"
    worker.write_text(worker.read_text("utf-8") + "\n// edited\n", "utf-8")
    assert computed.fingerprint() == before
