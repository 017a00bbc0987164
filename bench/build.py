"""Build benchmarks: how much our machinery adds to a Material build, and how the build grows with the site.

A generated site is the real project (its ``mkdocs.yml``, macros, theme overrides, calculators and
Pyodide files) with N generated guides added to its docs, each shelved by the publishing hook under
its front matter topic (six topics). The code it builds with is a
copy of the working tree taken once per run (:func:`snapshot`), so that other people's edits during a
run neither change what is measured nor send the engine's Node step off again halfway. Each generated
guide is realistic: about 1,500 words, three worked examples declared in its front matter as the real
guide declares them, figures and stated claims the build checks, a computed leverage table and two
live calculators (isolated and compare).

The baseline, built in the same run, is a plain Material build of the same Markdown with the macros
rendered away: the full build's own output Markdown for every page (captured after mkdocs-macros ran,
front matter kept), built with the same theme settings and Markdown extensions but without the macros
plugin, without our theme overrides (head tags), without hooks or extra scripts, and so without
Pyodide or the calculators package copied into the site, and without the calculators (plain Material
has none; see :func:`plain_baseline`), with the same navigation (the guides shelved by topic, listed
in its ``nav:`` as a plain site's writer would list them: :func:`plain_nav`). Both builds therefore turn
the same Markdown into the same prose, tables and menus; the ratio of their times is the cost of
computing, checking, rendering and carrying the calculators, the SEO head tags, the publishing audit
and social cards, and copying the engine.

Two caches are kept between builds, each named by a digest of what makes it: the engine's zips
(``.cache/livecalc/engine-*``, the Node step of ``browser/pack.py``) and the social cards
(``.cache/livecalc-social``). A full build is timed three ways:

- rebuild: both caches filled, as a writer's second ``mkdocs build``;
- clean: no ``.cache`` in the project and no ``site/``, as a fresh checkout, but the engine's zips
  taken from the engine cache of the run (seeded from the repository's own);
- clean without the engine cache: the same with the engine's zips made afresh by Node, as a CI
  checkout that keeps no cache (the Node step does not grow with the site).

    python -m bench.build                  # every build figure (several minutes)
    python -m bench.build --quick          # fewer pages and runs, for development
    python -m bench.build --breakdown 200  # where the CPU time of the builds of 200 guides goes
    python -m bench.build --profile 200    # cProfile of one full build of 200 guides, top functions
    python -m bench.build --page-bytes 1000  # a page's gzip size at 1,000 guides against 10 (two builds)
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import json
import os
import pstats
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

if __package__ in (None, ""):  # ``python bench/build.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, figure, mkdocs_env, ratio, run_process  # noqa: E402

MKDOCS = [str(ROOT / ".venv" / "bin" / "python"), "-m", "mkdocs"]
if not (ROOT / ".venv" / "bin" / "python").exists():
    MKDOCS = [sys.executable, "-m", "mkdocs"]

# What a generated project links from the real one; docs/ is copied (guides are added to it), and the
# site and the configuration are its own.
NOT_LINKED = {"docs", "site", "mkdocs.yml", ".git", ".venv", "bench", "tests", ".pytest_cache", ".hypothesis",
              "test-artifacts", "build", ".cache"}
# The code a build runs, copied once per run into a snapshot that every generated project links to.
# browser/pack.py finds node_modules, package.json and its engine cache from its own (resolved) place,
# so the snapshot also holds the run's engine cache: ``<snapshot>/.cache/livecalc``.
SNAPSHOT_CODE = ("browser", "calculators", "livecalc", "macros", "overrides", "presentation")
SNAPSHOT_LINKED = ("node_modules", "package.json", "package-lock.json", "pyproject.toml")
ENGINE_CACHE = Path(".cache") / "livecalc"

# ------------------------------------------------------------------------------------------- generation

ASSETS = [  # label, name, a round entry price in dollars
    ("BTC", "Bitcoin", 65000), ("ETH", "Ethereum", 3400), ("SOL", "Solana", 185), ("BNB", "BNB", 600),
    ("XRP", "XRP", 0.6), ("DOGE", "Dogecoin", 0.15), ("ADA", "Cardano", 0.45), ("AVAX", "Avalanche", 35),
    ("LINK", "Chainlink", 14), ("DOT", "Polkadot", 7), ("LTC", "Litecoin", 85), ("TRX", "Tron", 0.12),
]
EXCHANGES = ["Binance", "Bybit", "OKX", "Kraken", "KuCoin", "Hyperliquid", "Gate", "Bitget"]
TOPICS = [
    ("liquidation price", "how far {name} can move before a {lev}x position is closed"),
    ("isolated vs cross margin", "what a shared pool of collateral means for a {name} book"),
    ("maintenance margin", "why the maintenance rate moves the liquidation price of {name}"),
    ("leverage", "how leverage narrows the room a {name} position has"),
    ("position sizing", "sizing {name} positions so that one move cannot end the account"),
    ("funding and fees", "what carrying a leveraged {name} position costs and when it is closed"),
]

# Paragraphs of ordinary explanatory prose (about 110 words each), as a writer's draft gives them.
PROSE = [
    "Leverage lets a trader hold a position larger than the collateral behind it, and every exchange that "
    "offers it has to decide what happens when the position loses more than the trader can cover. The answer "
    "is the liquidation engine: a process that watches the mark price, compares the account's equity with "
    "the maintenance requirement and closes positions before the exchange itself would carry the loss. For a "
    "{name} trader the practical question is simple to ask and harder to answer: at what price does my "
    "position stop being mine? This guide answers it with figures computed from the same formulas the "
    "calculators below use, so the prose and the tools never disagree.",
    "On {exchange}, the margin mode is chosen per position or per account before the order is sent, and it "
    "changes more than the label on the screen. Isolated margin assigns a fixed amount of collateral to one "
    "position and nothing else; the worst outcome is the loss of that amount. Cross margin pools the whole "
    "wallet balance behind every open position, so a loser can borrow from a winner until the account as a "
    "whole falls below its maintenance requirement. Neither mode is safer in every market. Each moves risk "
    "to a different place, and a trader who knows where it sits can choose deliberately instead of by "
    "habit or by the exchange's default setting.",
    "The maintenance margin rate is the part of the position value the exchange insists on keeping as a "
    "buffer. When equity falls to that level the position is handed to the liquidation engine, which "
    "closes it at the market and keeps whatever is left to pay for the slippage of doing so. Rates are "
    "small, often half a percent for the most liquid contracts, but at high leverage they are a large share "
    "of the collateral and they pull the liquidation price noticeably closer to the entry. Larger positions "
    "pay higher rates on most venues because they are harder to close without moving the book, which is "
    "why exchanges publish tiered tables.",
    "A useful habit is to translate every leveraged position into a single percentage: the move from entry "
    "that would liquidate it. Prices are hard to compare across assets, but percentages are not. A {name} "
    "position that survives a move of a few percent is fragile on a day when the asset swings more than "
    "that between breakfast and lunch, whatever the absolute numbers look like. The calculators on this "
    "page show that distance directly, and the table below shows how it shrinks as leverage grows, which "
    "is the single most important relationship in margin trading and the one most often misjudged by "
    "traders who think in dollars.",
    "Mark prices, not last traded prices, decide liquidations on every major venue. The mark is a fair "
    "price built from several spot indexes and a damped funding basis, designed so that one thin trade on "
    "one exchange cannot trigger a cascade of forced closures. For the trader this means two things. A "
    "wick on the chart does not always liquidate a position, because the mark may not have followed it; "
    "and a position can be closed at a moment when the last price on the screen still looks safe, because "
    "the index moved first. Both surprise people who watch only the order book and forget the index.",
    "Gaps are the enemy of every stop and every liquidation threshold. Crypto markets trade around the "
    "clock, but liquidity is thin at weekends and around major announcements, and prices can jump through "
    "several levels at once. A liquidation price is therefore a threshold, not a promise about the price "
    "at which the position is actually closed. When the market gaps through it the engine sells at "
    "whatever the book offers, and the difference is absorbed by the remaining margin, then by the "
    "insurance fund, and in rare and extreme cases by other traders through auto-deleveraging.",
    "Position sizing is where most of the risk is decided, long before any liquidation engine is involved. "
    "A trader who risks a fixed small share of the account on each idea can be wrong many times in a row "
    "and still trade the next day. Leverage changes the size of the position, not the size of the risk, "
    "if the margin is chosen first and the stop is placed sensibly. It is when the margin is the whole "
    "account, as it effectively is under cross margin, that leverage and risk become the same number, and "
    "a single move decides the outcome for everything held.",
    "Funding payments keep perpetual contract prices close to spot. When the contract trades above the "
    "index, longs pay shorts at each funding interval; when it trades below, shorts pay longs. The "
    "payments are taken from or added to the margin of the position, so a long held through a period of "
    "high positive funding slowly moves its own liquidation price closer to the mark even if the market "
    "does nothing at all. On an isolated position the effect is visible and bounded; on a cross account "
    "it is spread over the whole balance and easy to overlook for weeks.",
    "Fees are small per trade and large per year. Every entry and exit pays the taker or maker fee on the "
    "full notional value, not on the margin, so a {lev}x position pays {lev} times the fee that the same "
    "collateral would pay unleveraged. Liquidations add a further charge on most venues, taken by the "
    "insurance fund. A strategy that looks profitable before costs can lose money after them, and the "
    "higher the leverage and the turnover, the more the fee schedule matters. It deserves the same "
    "attention as the maintenance margin rate when choosing where to trade.",
    "Hedged books behave differently under the two margin modes. A long in one asset and a short in a "
    "correlated one offset each other's moves most of the time, and under cross margin the winner pays for "
    "the loser's maintenance requirement without any transfer. Under isolated margin each leg must survive "
    "on its own collateral, so a sharp move against one leg can liquidate it while the other leg is "
    "showing a profit that the trader cannot use. Hedgers therefore tend to prefer cross margin, provided "
    "the hedge really holds when markets are stressed, which is exactly when correlations tend to break.",
    "Exchanges publish their formulas, but not always in the same form, and small differences matter at "
    "high leverage. Some charge maintenance on the value of the position at entry, others on its value at "
    "the current mark; some include the closing fee in the threshold; some subtract a maintenance amount "
    "that keeps tiered requirements continuous. The figures in this guide state which model they use, and "
    "the methodology page gives the formulas and their sources. A calculator that hides its model is not "
    "wrong, but it cannot be checked, and a figure that cannot be checked should not be trusted with money.",
    "The psychology of margin deserves a paragraph of its own. A position with a distant liquidation "
    "price feels safe, so traders add to it; a position close to liquidation feels urgent, so traders add "
    "margin to it from the rest of the account. Both reactions are understandable and both move risk in "
    "the wrong direction at the wrong time. Writing down the liquidation distance before entering, and "
    "deciding in advance what will be done if the market approaches it, turns a stressful decision under "
    "pressure into a routine step that was already agreed with oneself.",
    "Stress testing a book takes minutes and is worth doing before every large trade. Take each open "
    "position, apply a move that has happened before in that asset within a single day, and ask what the "
    "account would look like afterwards under the margin mode actually in use. The compare calculator on "
    "this page does exactly that for a small book of three positions, under isolated and under cross "
    "margin side by side. Edit the moves to match the history of the assets you trade, and the balance "
    "left under each mode shows which choice would have kept you trading.",
    "Insurance funds and auto-deleveraging are the last lines of defence, and they are rarely explained "
    "well. When a position is liquidated at a price worse than its bankruptcy price, the shortfall is paid "
    "from the exchange's insurance fund, which is filled by the remaining margin of positions liquidated "
    "at better prices. If the fund is exhausted, the engine reduces the positions of profitable traders "
    "on the other side, in order of profit and leverage. Traders rarely see it happen, but it means that "
    "even a winning position is not entirely independent of other people's risk.",
]
HEADINGS = ["Why it matters", "How exchanges decide", "Reading the numbers", "Costs that move the threshold",
            "Managing the risk", "When markets gap", "Hedged and unhedged books", "The bottom line"]


def _money_text(amount: float) -> str:
    return f"${amount:,.0f}" if float(amount).is_integer() else f"${amount:,.2f}"


def guide_markdown(index: int, with_calculators: bool) -> str:
    """The Markdown of generated guide ``index``: front matter with three worked examples, then prose.

    Deterministic: the same index always gives the same guide.
    """
    rng = random.Random(index)
    label, name, price = ASSETS[index % len(ASSETS)]
    label2, name2, price2 = ASSETS[(index + 1 + rng.randrange(len(ASSETS) - 1)) % len(ASSETS)]
    label3, _, price3 = rng.choice([asset for asset in ASSETS if asset[0] not in (label, label2)])
    topic, angle = TOPICS[index % len(TOPICS)]
    exchange = EXCHANGES[rng.randrange(len(EXCHANGES))]
    leverage = rng.choice([3, 5, 10, 20, 25])
    margin = rng.choice([500, 1000, 2000, 2500])
    leverage2 = rng.choice([5, 10, 20])
    margin2 = rng.choice([400, 800, 1500])
    size = rng.choice([5000, 10000, 20000])
    wallet = size * 3 // rng.choice([5, 10])
    move = rng.choice([8, 10, 12, 15, 20, 30])
    keyword = f"{name.lower()} {topic}"
    slug = f"{re.sub(r'[^a-z0-9]+', '-', keyword).strip('-')}-{index:04d}"
    title = f"{name} {topic} at {leverage}x, example {index}"
    fill = {"name": name, "exchange": exchange, "lev": leverage}
    description = (f"{name} {topic} with checked figures: a {leverage}x position with {_money_text(margin)} of "
                   f"margin, a leverage table and live calculators ({index}).")
    # The site's audit (livecalc/audit.py) holds every page to these; a generated guide passes it.
    assert 30 <= len(title) <= 60 and 70 <= len(description) <= 160, (title, description)
    intro = (f"This guide works through {keyword} with figures the build computes and checks: "
             f"{angle.format(**fill)}.")
    paragraphs = [intro] + [p.format(**fill) for p in rng.sample(PROSE, 13)]
    headings = rng.sample(HEADINGS[:-1], 4) + [HEADINGS[-1]]

    front = f"""---
title: "{title}"
description: "{description}"
slug: {slug}
target_keyword: {keyword}
topic: {topic.capitalize()}
status: ready
date: 2026-11-26
examples:
  main:
    calculator: isolated
    side: long
    entry_price: {price}
    leverage: {leverage}
    margin: {margin}
    mmr: 0.5%
    tier_table: none
    model: simple
  hedge:
    calculator: isolated
    side: short
    entry_price: {price2}
    leverage: {leverage2}
    margin: {margin2}
    mmr: 0.5%
    tier_table: none
    model: exchange
  book:
    calculator: compare
    wallet_balance: {wallet}
    move_all: 0
    model: simple
    positions:
      - {{label: {label}, side: long, entry_price: {price}, size: {size}, leverage: 10, mmr: 0.5%, move: 0}}
      - {{label: {label2}, side: short, entry_price: {price2}, size: {size}, leverage: 10, mmr: 0.5%, move: {move}%}}
      - {{label: {label3}, side: long, entry_price: {price3}, size: {size}, leverage: 10, mmr: 0.5%, move: 0}}
---
"""
    notional = _money_text(margin * leverage)
    rate = f"{100 / leverage:g}%"
    figures_main = (
        f'A {{{{ inputs("main", "leverage") }}}} long on {name} at {{{{ inputs("main", "entry_price") }}}} with '
        f'{{{{ inputs("main", "margin") }}}} of isolated margin controls a position of '
        f'{{{{ fig("main.notional", stated="{notional}") }}}}, and must post {{{{ fig("main.initial_margin_rate", '
        f'stated="{rate}") }}}} of it as initial margin. With a maintenance rate of {{{{ inputs("main", "mmr") }}}} '
        f'it is liquidated at {{{{ fig("main.liquidation_price") }}}}, a move of {{{{ fig("main.distance_pct") }}}} '
        f'from entry; at {{{{ fig("main.bankruptcy_price") }}}} its margin is gone. Charged on the value at the mark, '
        f'as {exchange} does, the same position is liquidated at {{{{ fig("main.liquidation_price", model="exchange") }}}}. '
        f'The most it can lose is {{{{ fig("main.max_loss", stated="{_money_text(margin)}", decimals=0) }}}}.'
    )
    figures_hedge = (
        f'The other side of the trade: a {{{{ inputs("hedge", "leverage") }}}} short on {name2} at '
        f'{{{{ inputs("hedge", "entry_price") }}}} with {{{{ inputs("hedge", "margin") }}}} of margin is '
        f'liquidated at {{{{ fig("hedge.liquidation_price") }}}}, a rise of {{{{ fig("hedge.distance_pct") }}}}, '
        f'and keeps {{{{ fig("hedge.maintenance_margin") }}}} as maintenance margin.'
    )
    figures_book = (
        f'Now a book of three positions of {{{{ inputs("book", "positions.{label}.size") }}}} each, held in an '
        f'account of {{{{ inputs("book", "wallet_balance") }}}}. When {name2} rises by '
        f'{{{{ fig("book.moves.1", decimals=0) }}}}, isolated margin leaves {{{{ fig("book.isolated_balance_left") }}}} '
        f'and cross margin {{{{ fig("book.cross_balance_left") }}}}; the isolated margins add up to '
        f'{{{{ fig("book.margins_total", decimals=0) }}}}.'
    )
    table = ('The same margin at other leverages (maintenance rate {{ inputs("main", "mmr") }}):\n\n'
             '{{ leverage_table("main") }}')
    calculator_main = '{{ calculator("isolated", "main") }}' if with_calculators else ""
    calculator_book = '{{ calculator("compare", "book") }}' if with_calculators else ""

    body = [f"# {title}", "", paragraphs[0], "", paragraphs[1], "",
            f"## {headings[0]}", "", paragraphs[2], "", figures_main, "", paragraphs[3], "",
            calculator_main, "",
            f"## {headings[1]}", "", paragraphs[4], "", table, "", paragraphs[5], "",
            f"## {headings[2]}", "", paragraphs[6], "", figures_hedge, "", paragraphs[7], "",
            f"## {headings[3]}", "", paragraphs[8], "", figures_book, "", calculator_book, "",
            f"## {headings[4]}", "", paragraphs[9], "", paragraphs[10], "", paragraphs[11], "", paragraphs[12], "",
            paragraphs[13], ""]
    return front + "\n".join(line for line in body) + "\n"


def widgets_available() -> bool:
    """Whether the ``calculator`` macro exists (``macros/widgets.py``, the browser calculators).

    ``LIVECALC_BENCH_CALCULATORS=0`` generates guides without calculators (while they are being built).
    """
    if os.environ.get("LIVECALC_BENCH_CALCULATORS", "") == "0":
        return False
    return (ROOT / "macros" / "widgets.py").exists()


def _real_config() -> dict[str, Any]:
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    with open(ROOT / "mkdocs.yml", "rb") as handle:
        return yaml_load(handle, get_yaml_loader())


def generate(folder: Path, pages: int, *, with_calculators: bool | None = None,
             code: Path | None = None) -> dict[str, Any]:
    """A project in ``folder``: the real one linked in, its docs copied, ``pages`` guides added.

    ``code``: a :func:`snapshot` whose code the project links instead of the working tree's (and whose
    engine cache it then uses).

    The guides are listed as the site lists any guide: the publishing hook shelves each under its
    front matter topic (six topics, one per entry of :data:`TOPICS`), in the menu, on the home page's
    list and among the related guides; mkdocs.yml is the real one, unedited.

    Returns facts about what was generated (pages, words per guide, macro calls per guide, seconds).
    """
    started = time.perf_counter()
    if with_calculators is None:
        with_calculators = widgets_available()
    folder.mkdir(parents=True, exist_ok=True)
    for entry in ROOT.iterdir():
        if entry.name not in NOT_LINKED and not (folder / entry.name).exists():
            linked = code / entry.name if code is not None and entry.name in SNAPSHOT_CODE else entry
            (folder / entry.name).symlink_to(linked)
    docs = folder / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    shutil.copytree(ROOT / "docs", docs)
    words = calls = 0
    for index in range(pages):
        text = guide_markdown(index, with_calculators)
        head, body = text.split("\n---\n", 1)
        path = head.split("slug: ", 1)[1].split("\n", 1)[0] + ".md"  # docs/<slug>.md, as guides are imported
        (docs / path).write_text(text, encoding="utf-8")
        calls += body.count("{{")
        words += _words(body)
    config = {"INHERIT": str(ROOT / "mkdocs.yml"), "docs_dir": "docs", "site_dir": "site"}
    (folder / "mkdocs.yml").write_text(json.dumps(config, indent=1), encoding="utf-8")
    return {"pages": pages, "words_per_guide": words / max(pages, 1),
            "macro_calls_per_guide": calls / max(pages, 1),
            "calculators_per_guide": 2 if with_calculators else 0, "seconds": time.perf_counter() - started}


def _words(markdown: str) -> int:
    """Words a reader reads: macro calls count as the one figure each one shows."""
    text = re.sub(r"\{\{.*?\}\}", " figure ", markdown, flags=re.S)
    return len(re.findall(r"[A-Za-z0-9$%][\w,.%$'-]*", text))


CAPTURE_HOOK = '''
"""Writes each page's Markdown as the macros rendered it (front matter kept) for the plain baseline."""
import os
from mkdocs.plugins import event_priority

OUT = {out!r}


@event_priority(-100)  # after every plugin, mkdocs-macros included
def on_page_markdown(markdown, page, config, files):
    source = page.file.content_string
    front = ""
    if source.startswith("---"):
        end = source.find("\\n---", 3)
        front = source[: end + 4] + "\\n"
    path = os.path.join(OUT, page.file.src_uri)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(front + markdown)
    return markdown
'''

# A calculator is one macro call on one line (authoring.md, macros/widgets.py).
CALCULATOR_CALL = re.compile(r"\{\{-?\s*calculator\(.*?\)\s*-?\}\}")


def plain_baseline(full: Path, plain: Path) -> None:
    """The baseline project: the guides as a writer without livecalc would have them, on plain Material.

    Every figure, input and table macro is replaced by the text it renders (the full build's own
    output Markdown, captured after mkdocs-macros ran; front matter kept), and the calculators are
    left out (plain Material has none; rendering and carrying them is our cost). Built with our
    configuration minus the macros plugin, hooks, extra scripts and theme overrides (see
    :func:`plain_config`). Runs one capture build of ``full`` (not timed).
    """
    plain.mkdir(parents=True, exist_ok=True)
    rendered = plain / "docs"
    shutil.rmtree(rendered, ignore_errors=True)
    source = full / "docs-without-calculators"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(full / "docs", source)
    for page in source.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        if "calculator(" in text:
            page.write_text(CALCULATOR_CALL.sub("", text), encoding="utf-8")
    hook = full / "_capture_hook.py"
    hook.write_text(CAPTURE_HOOK.format(out=str(rendered)), encoding="utf-8")
    config = json.loads((full / "mkdocs.yml").read_text(encoding="utf-8"))
    capture = dict(config, docs_dir=source.name, site_dir=str(full / "site-capture"),
                   hooks=[*(_real_config().get("hooks") or []), hook.name])
    capture_file = full / "mkdocs-capture.yml"
    capture_file.write_text(json.dumps(capture, indent=1), encoding="utf-8")
    run_process(MKDOCS + ["build", "-q", "-f", str(capture_file)], cwd=full, env=mkdocs_env())
    shutil.rmtree(full / "site-capture", ignore_errors=True)
    # Non-Markdown files of docs/ (images a page shows) are the same in both builds.
    for path in source.rglob("*"):
        target = rendered / path.relative_to(source)
        if path.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    leftovers = [p.name for p in rendered.rglob("*.md") if "{{" in p.read_text(encoding="utf-8")
                 and "{% raw %}" not in (source / p.relative_to(rendered)).read_text(encoding="utf-8")]
    if leftovers:
        raise RuntimeError(f"the capture left macro calls in {leftovers[:3]}")
    shutil.rmtree(source)
    (plain / "overrides").mkdir(exist_ok=True)
    (plain / "mkdocs.yml").write_text(json.dumps(plain_config(plain_nav(rendered)), indent=1), encoding="utf-8")


def plain_nav(docs: Path) -> list[Any]:
    """The navigation a writer of the plain site would list in its ``mkdocs.yml``: the same as ours.

    Our publishing hook shelves every guide under its front matter topic, after the home page; a
    plain Material site with the same guides lists the same sections in its ``nav:`` (without them
    its guides would be in no menu, and each page's navigation would be smaller than ours for no
    reason of content). Both builds prune the navigation (``navigation.prune``, inherited).
    """
    from livecalc import library
    from livecalc.publishing import read_front_matter

    real = list(_real_config().get("nav") or [])
    listed = {next(iter(item.values())) if isinstance(item, dict) else item for item in real}
    guides = [library.guide(uri, read_front_matter(path))
              for path in sorted(docs.rglob("*.md"))
              if (uri := path.relative_to(docs).as_posix()) not in listed]
    sections = [{shelf.topic: [entry.src_uri for entry in shelf.guides]} for shelf in library.shelves(guides)]
    return real[:1] + sections + real[1:]


def plain_config(nav: list[Any]) -> dict[str, Any]:
    """Our mkdocs.yml as plain Material would have it: same theme settings, Markdown extensions and nav;
    only MkDocs' and Material's own plugins; no macros, hooks or extra scripts and styles, and an empty
    ``overrides`` folder in place of ours (the baseline project has one)."""
    from importlib.metadata import entry_points

    own = {ep.name: ep.value for ep in entry_points(group="mkdocs.plugins")}
    plugins = []
    for entry in _real_config().get("plugins") or ["search"]:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        if own.get(name, "").startswith(("mkdocs.", "material.")):
            plugins.append(entry)
    return {"INHERIT": str(ROOT / "mkdocs.yml"), "docs_dir": "docs", "site_dir": "site", "nav": nav,
            "plugins": plugins, "hooks": [], "extra_javascript": [], "extra_css": [],
            "theme": {"static_templates": []}}


# ------------------------------------------------------------------------------------------- measuring

def build(project: Path, profile: Path | None = None):
    """One ``mkdocs build`` of ``project`` in a fresh process, as a writer runs it."""
    command = MKDOCS + ["build", "-q", "-f", str(project / "mkdocs.yml")]
    if profile is not None:
        command = [MKDOCS[0], "-m", "cProfile", "-o", str(profile), "-m", "mkdocs", *command[3:]]
    return run_process(command, cwd=project, env=mkdocs_env())


def _pages_built(project: Path) -> int:
    return sum(1 for _ in (project / "site").rglob("index.html"))


def snapshot(workdir: Path) -> Path:
    """The working tree's code as it is now, in ``workdir/code``, for every project of one run.

    Its engine cache starts as a copy of the repository's finished engines (the shared engine cache),
    so the run's first build runs Node only when the sources changed since the last build.
    """
    code = workdir / "code"
    code.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SNAPSHOT_CODE:
        shutil.copytree(ROOT / name, code / name, symlinks=True, ignore=ignore)
    for name in SNAPSHOT_LINKED:
        if (ROOT / name).exists():
            (code / name).symlink_to(ROOT / name)
    (code / ENGINE_CACHE).mkdir(parents=True)
    for engine in sorted((ROOT / ENGINE_CACHE).glob("engine-*")):
        if (engine / "manifest.json").is_file():
            shutil.copytree(engine, code / ENGINE_CACHE / engine.name)
    return code


def make_clean(project: Path, code: Path | None = None) -> None:
    """``project`` as a fresh checkout has it: no ``.cache`` (social cards) and no ``site/``. With
    ``code`` (its :func:`snapshot`), the engine cache is emptied too, so the engine's zips are made again."""
    shutil.rmtree(project / ".cache", ignore_errors=True)
    shutil.rmtree(project / "site", ignore_errors=True)
    if code is not None:
        for engine in (code / ENGINE_CACHE).glob("engine-*"):
            shutil.rmtree(engine, ignore_errors=True)


def measure_overhead(workdir: Path, code: Path, pages: int, runs: int, engine_runs: int, log) -> dict[str, Any]:
    """Full against plain builds of the same ``pages`` guides, alternated run by run: a rebuild, a clean
    build, and in the first ``engine_runs`` runs a clean build without the engine cache.

    The clock is CPU time (user + system) of the build process and its children (Node included): on a
    shared machine a build's wall time also counts other people's work. Wall times are kept beside it.
    """
    full, plain = workdir / f"full-{pages}", workdir / f"plain-{pages}"
    facts = generate(full, pages, code=code)
    log(f"  generated {pages} guides in {facts['seconds']:.1f} s "
        f"({facts['words_per_guide']:.0f} words, {facts['macro_calls_per_guide']:.0f} macro calls, "
        f"{facts['calculators_per_guide']} calculators each); capturing the rendered Markdown")
    plain_baseline(full, plain)
    # The first build of a fresh project (the capture build made the engine's zips if they were missing)
    # also warms the file cache; it is reported on its own, not counted.
    make_clean(full)
    first = build(full)
    build(plain)
    log(f"  {pages} guides, first full build: {first.cpu_seconds:.2f} s CPU, {first.seconds:.2f} s wall")
    names = ("rebuild", "plain", "clean", "clean_no_engine_cache")
    cpu: dict[str, list[float]] = {name: [] for name in names}
    wall: dict[str, list[float]] = {name: [] for name in names}
    # the plain builds paired with the clean builds without the engine cache (the first runs only)
    paired_plain: dict[str, list[float]] = {"cpu": [], "wall": []}
    for run in range(runs):
        sides = [name for name in names if name != "clean_no_engine_cache" or run < engine_runs]
        for name in sides[:: 1 if run % 2 == 0 else -1]:
            project = plain if name == "plain" else full
            if name == "clean":
                make_clean(full)
            elif name == "clean_no_engine_cache":
                make_clean(full, code)
            result = build(project)
            cpu[name].append(result.cpu_seconds)
            wall[name].append(result.seconds)
            log(f"  {pages} guides, {name} build {run + 1}/{runs}: {result.cpu_seconds:.2f} s CPU, "
                f"{result.seconds:.2f} s wall")
        if run < engine_runs:
            paired_plain["cpu"].append(cpu["plain"][-1])
            paired_plain["wall"].append(wall["plain"][-1])
    note = ("CPU time of our full build (macros, checks, calculators, SEO, social cards, audit, engine copy) / "
            "plain Material building the same guides with their figures and tables as text, paired run by run")
    results = {
        f"build_overhead_ratio_{pages}": ratio(
            cpu["rebuild"], cpu["plain"], target_max=1.4, wall=ratio(wall["rebuild"], wall["plain"]), facts=facts,
            note=note + "; a writer's rebuild: the engine's zips and the social cards kept in .cache"),
        f"build_overhead_ratio_{pages}_clean": ratio(
            cpu["clean"], cpu["plain"], target_max=2.0, wall=ratio(wall["clean"], wall["plain"]),
            note="the same from a fresh checkout (no .cache, no site/); the engine's zips from the engine "
                 "cache (.cache/livecalc, named by a digest of their sources), as a CI cache keyed on it gives"),
        f"build_overhead_ratio_{pages}_clean_no_engine_cache": ratio(
            cpu["clean_no_engine_cache"], paired_plain["cpu"],
            wall=ratio(wall["clean_no_engine_cache"], paired_plain["wall"]),
            note="a fresh checkout with no cache at all, as CI builds today: Node makes the engine's zips "
                 "(a fixed cost, the same for any number of guides)"),
        f"build_seconds_plain_{pages}": figure(cpu["plain"], unit="s", clock="cpu", wall=figure(wall["plain"], unit="s")),
        f"build_seconds_first_{pages}": figure([first.cpu_seconds], unit="s", clock="cpu",
                                               wall=figure([first.seconds], unit="s"),
                                               note="the first build of a fresh project (clean, engine cache filled)"),
    }
    for name in ("rebuild", "clean", "clean_no_engine_cache"):
        results[f"build_seconds_{name}_{pages}"] = figure(cpu[name], unit="s", clock="cpu",
                                                          wall=figure(wall[name], unit="s"))
    results[f"build_seconds_engine_node_step_{pages}"] = figure(
        [a - b for a, b in zip(cpu["clean_no_engine_cache"], cpu["clean"])], unit="s", clock="cpu",
        note="clean without the engine cache minus clean with it, run by run: the Node step's CPU time")
    return results


def measure_scaling(workdir: Path, code: Path, small: int, large: int, runs: int, log) -> dict[str, Any]:
    """Per-page CPU time of the full build at ``large`` guides against ``small``, alternated run by run."""
    projects = {}
    for pages in (small, large):
        projects[pages] = workdir / f"full-{pages}"
        if not (projects[pages] / "mkdocs.yml").exists():
            facts = generate(projects[pages], pages, code=code)
            log(f"  generated {pages} guides in {facts['seconds']:.1f} s")
        build(projects[pages])  # first build: fills the social cards' cache
    per_page: dict[int, list[float]] = {small: [], large: []}
    rss: list[float] = []
    cpu_large: list[float] = []
    wall_large: list[float] = []
    for run in range(runs):
        for pages in (small, large)[:: 1 if run % 2 == 0 else -1]:
            result = build(projects[pages])
            per_page[pages].append(result.cpu_seconds / pages)
            if pages == large:
                rss.append(result.peak_rss_mb)
                cpu_large.append(result.cpu_seconds)
                wall_large.append(result.seconds)
            log(f"  {pages} guides, full build {run + 1}/{runs}: {result.cpu_seconds:.2f} s CPU, "
                f"{result.seconds:.2f} s wall, {result.peak_rss_mb:.0f} MB peak")
    built = _pages_built(projects[large])
    return {
        f"build_seconds_per_page_{large}": figure(per_page[large], unit="s/page", clock="cpu", pages_built=built,
                                                  build_seconds=figure(cpu_large, unit="s"),
                                                  wall_seconds=figure(wall_large, unit="s")),
        f"build_seconds_per_page_{small}": figure(per_page[small], unit="s/page", clock="cpu"),
        "build_scaling_ratio": ratio(per_page[large], per_page[small], target_max=1.2,
                                     note=f"CPU seconds per page at {large} guides / at {small}, paired run by run"),
        f"build_peak_rss_mb_{large}": figure(rss, unit="MB", note="peak resident memory of the mkdocs process"),
    }


def _gzip_bytes(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))  # what a web server sends


def _page_file(site: Path, src_uri: str) -> Path:
    stem = src_uri.removesuffix(".md")
    return site / ("index.html" if stem == "index" else f"{stem}/index.html")


PAGE_BYTES_SMALL = 10  # the small site: a page's size at 1,000 guides against 10


def measure_page_bytes(workdir: Path, code: Path, small: int, large: int, log) -> dict[str, Any]:
    """The gzip size of the same pages in a site of ``large`` generated guides against ``small``.

    Pages compared: a generated guide (guide 0, in the first topic, whose section of the menu is open on
    its page) and every page of the real site except the home page, whose list of every guide grows
    with the library by design (reported on its own). The figure is the largest of their ratios.
    Sizes are deterministic: one build of each site.
    """
    sites = {}
    for pages in (small, large):
        project = workdir / f"full-{pages}"
        if not (project / "mkdocs.yml").exists():
            generate(project, pages, code=code)
        if not (project / "site" / "index.html").exists():
            build(project)
        sites[pages] = project / "site"
    first_guide = guide_markdown(0, widgets_available()).split("slug: ", 1)[1].split("\n", 1)[0] + ".md"
    compared = [first_guide] + sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")
                                      if p.name != "index.md")
    sizes = {src: (_gzip_bytes(_page_file(sites[small], src)), _gzip_bytes(_page_file(sites[large], src)))
             for src in compared + ["index.md"]}
    for src, (at_small, at_large) in sizes.items():
        log(f"  {src}: {at_small:,} B gzip at {small} guides, {at_large:,} B at {large} ({at_large / at_small:.3f})")
    worst = max(compared, key=lambda src: sizes[src][1] / sizes[src][0])
    per_page = {src: {f"gzip_bytes_{small}": a, f"gzip_bytes_{large}": b, "ratio": round(b / a, 4)}
                for src, (a, b) in sizes.items()}
    home_small, home_large = sizes["index.md"]
    return {
        f"page_bytes_ratio_{large}_vs_{small}": figure(
            [sizes[worst][1] / sizes[worst][0]], unit="ratio", page=worst, pages=per_page,
            note=f"gzip bytes of a page at {large} generated guides / at {small}, the largest over a generated "
                 f"guide (its topic open in the menu) and the site's own pages; the home page apart"),
        f"page_bytes_home_ratio_{large}_vs_{small}": figure(
            [home_large / home_small], unit="ratio",
            note="the home page, which lists every guide by topic: it grows with the library by design"),
    }


def run(quick: bool = False, log=print) -> dict[str, Any]:
    """Every build figure. ``quick``: fewer pages and runs, for development (the keys say the page counts)."""
    overhead_pages, small, large = (50, 20, 100) if quick else (200, 100, 1000)
    overhead_runs, engine_runs, scaling_runs = (2, 1, 1) if quick else (5, 3, 3)
    with tempfile.TemporaryDirectory(prefix="livecalc-bench-") as tmp:
        workdir = Path(tmp)
        code = snapshot(workdir)
        log(f"build: overhead at {overhead_pages} guides, {overhead_runs} paired runs "
            f"({engine_runs} of them also without the engine cache)")
        results = measure_overhead(workdir, code, overhead_pages, overhead_runs, engine_runs, log)
        log(f"build: where the time goes at {overhead_pages} guides (one instrumented build of each)")
        results[f"build_breakdown_{overhead_pages}"] = {
            **breakdowns(workdir / f"full-{overhead_pages}", workdir / f"plain-{overhead_pages}"),
            "unit": "CPU seconds", "median": None,
        }
        log(format_breakdown(results[f"build_breakdown_{overhead_pages}"]))
        log(f"build: scaling {small} -> {large} guides, {scaling_runs} runs")
        results.update(measure_scaling(workdir, code, small, large, scaling_runs, log))
        log(f"build: page size at {PAGE_BYTES_SMALL} and {large} guides")
        results.update(measure_page_bytes(workdir, code, PAGE_BYTES_SMALL, large, log))
    if not widgets_available():
        for value in results.values():
            value["note"] = (value.get("note", "") + "; guides generated WITHOUT calculators").lstrip("; ")
    return results


# Where a build's time goes: MkDocs' phases, every plugin's and hook's events, and our own functions.
BREAKDOWN_TARGETS = [
    ("mkdocs.commands.build", "_populate_page", "page: Markdown to HTML (on_page_markdown included)"),
    ("mkdocs.commands.build", "_build_page", "page: theme template (on_page_context, on_post_page included)"),
    ("mkdocs.commands.build", "_build_theme_template", "theme: 404, sitemap, robots"),
    ("jinja2", "Environment.from_string", "  macros: Jinja compiles each page"),
    ("macros.figures", "Examples.check_declared", "  macros: worked examples computed and checked"),
    ("macros.figures", "Examples.fig", "  macros: fig()"),
    ("macros.figures", "Examples.inputs", "  macros: inputs()"),
    ("macros.figures", "Examples.leverage_table", "  macros: leverage_table()"),
    ("macros.figures", "Examples.results_table", "  macros: results_table() / shock_table()"),
    ("calculators.descriptions", "compute", "    calculators: compute (figures, tables, forms)"),
    ("macros.widgets", "render", "  macros: calculator() forms"),
    ("presentation.display", "present", "    presentation: a form's figures as text"),
    ("browser.pack", "EngineBuild.prepare", "  engine: prepare (cache lookup / Node)"),
    ("browser.pack", "EngineBuild._run_node", "    engine: the Node step (no engine cache)"),
    ("browser.pack", "EngineBuild.copy_into", "  engine: copy into the site"),
    ("livecalc.audit", "audit_site", "  publishing: audit of the built site"),
    ("livecalc.social", "write_card", "  publishing: social cards (drawn or copied from the cache)"),
]

BREAKDOWN_SCRIPT = r"""
import collections, importlib, json, os, sys, time
clock = time.process_time
started = clock()
T = collections.Counter(); N = collections.Counter()
def timed(label, function):
    def wrapper(*args, **kwargs):
        begun = clock()
        try:
            return function(*args, **kwargs)
        finally:
            T[label] += clock() - begun; N[label] += 1
    return wrapper
sys.path.insert(0, os.getcwd())
from mkdocs.config import load_config
from mkdocs.commands import build as mkdocs_build
for module_name, attribute, label in json.loads(sys.argv[1]):
    try:
        owner = importlib.import_module(module_name)
    except ImportError:
        continue
    *path, name = attribute.split(".")
    for part in path:
        owner = getattr(owner, part, None)
    if owner is not None and hasattr(owner, name):
        setattr(owner, name, timed(label, getattr(owner, name)))
config = load_config("mkdocs.yml")
T["startup: imports and configuration"] = clock() - started
for event, methods in config.plugins.events.items():
    for index, method in enumerate(methods):
        owner = getattr(method, "__self__", None)
        name = next((key for key, plugin in config.plugins.items() if plugin is owner), None)
        if name is None:
            name = getattr(method, "__module__", "?")
        if event in ("page_markdown", "post_build", "config", "files", "nav", "page_context", "post_page",
                     "page_content", "env", "pre_build"):
            methods[index] = timed(f"event {event}: {name}", method)
config.plugins.on_startup(command="build", dirty=False)
mkdocs_build.build(config)
T["total"] = clock() - started
print(json.dumps({key: round(value, 4) for key, value in T.items()}))
"""


def breakdown(project: Path) -> dict[str, float]:
    """CPU seconds of one build of ``project`` by phase, plugin event and function (one instrumented run).

    Only the build process's own time: a Node step (no engine cache) shows as the wall time of
    ``_run_node`` spent waiting, which ``process_time`` does not count; bench.build's ratios count it.
    """
    result = run_process([MKDOCS[0], "-c", BREAKDOWN_SCRIPT, json.dumps(BREAKDOWN_TARGETS)], cwd=project,
                         env=mkdocs_env())
    last = [line for line in result.output.splitlines() if line.startswith("{")][-1]
    return json.loads(last)


def breakdowns(full: Path, plain: Path) -> dict[str, dict[str, float]]:
    """Where the time of a rebuild, a clean build (engine cache kept) and the plain build goes."""
    rebuild = breakdown(full)
    make_clean(full)
    return {"rebuild": rebuild, "clean": breakdown(full), "plain": breakdown(plain)}


def format_breakdown(columns: dict[str, Any]) -> str:
    names = [name for name in ("rebuild", "clean", "plain") if isinstance(columns.get(name), dict)]
    keys = sorted({key for name in names for key in columns[name]},
                  key=lambda k: -max(columns[name].get(k, 0) for name in names))
    lines = [f"{'CPU seconds':<72}" + "".join(f" {name:>8}" for name in names)]
    for key in keys:
        lines.append(f"{key:<72}" + "".join(f" {columns[name].get(key, 0):8.3f}" for name in names))
    return "\n".join(lines)


def profile(pages: int, top: int = 40) -> str:
    """cProfile of one full build of ``pages`` guides: the functions where the time goes."""
    with tempfile.TemporaryDirectory(prefix="livecalc-profile-") as tmp:
        project = Path(tmp) / "full"
        generate(project, pages, code=snapshot(Path(tmp)))
        build(project)
        stats_file = Path(tmp) / "build.prof"
        result = build(project, profile=stats_file)
        out = io.StringIO()
        stats = pstats.Stats(str(stats_file), stream=out)
        out.write(f"one full build of {pages} guides: {result.seconds:.2f} s (under cProfile)\n")
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer pages and runs")
    parser.add_argument("--profile", type=int, metavar="PAGES", help="profile one full build of PAGES guides")
    parser.add_argument("--generate", type=int, metavar="PAGES", help="only generate PAGES guides into --out")
    parser.add_argument("--breakdown", type=int, metavar="PAGES",
                        help="where the CPU time of a rebuild, a clean and a plain build of PAGES guides goes")
    parser.add_argument("--out", type=Path, help="where --generate writes the project")
    parser.add_argument("--page-bytes", type=int, metavar="PAGES",
                        help=f"only the page-size figure: PAGES guides against {PAGE_BYTES_SMALL}")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(args.profile))
        return 0
    if args.breakdown is not None:
        with tempfile.TemporaryDirectory(prefix="livecalc-breakdown-") as tmp:
            full, plain = Path(tmp) / "full", Path(tmp) / "plain"
            generate(full, args.breakdown, code=snapshot(Path(tmp)))
            plain_baseline(full, plain)
            build(full), build(plain)
            print(format_breakdown(breakdowns(full, plain)))
        return 0
    if args.page_bytes:
        with tempfile.TemporaryDirectory(prefix="livecalc-page-bytes-") as tmp:
            figures = measure_page_bytes(Path(tmp), snapshot(Path(tmp)), PAGE_BYTES_SMALL, args.page_bytes,
                                         lambda message: print(message, file=sys.stderr))
        print(json.dumps(figures, indent=1))
        return 0
    if args.generate:
        out = args.out or Path(tempfile.mkdtemp(prefix="livecalc-generated-"))
        print(json.dumps(generate(out, args.generate), indent=1), "\n", out)
        return 0
    print(json.dumps(run(quick=args.quick), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
