"""The calculators in the browser: engine start, edits, recompute latency, bytes (issue 3, "Measured").

The real site is built once (``mkdocs build --strict`` into a temporary folder) and served on
127.0.0.1 by :func:`bench.common.serve`, which gzips what a static host gzips and asks the browser to
revalidate (``Cache-Control: no-cache``, as GitHub Pages does after its ten minutes). Chromium runs
headless as the house rules say. Every figure is the median of repeated runs, with min and max:

``engine_cold_ratio_naive`` / ``engine_warm_ratio_naive``
    our start to the first live figure (``engine_*_first_figure_ms``) over a naive self-hosted start
    measured in the same browser session, run by run: a page (``bench-naive/``, written into the
    built site by :func:`write_naive_page`) that imports the site's ``pyodide.mjs``, runs
    ``loadPyodide({indexURL})`` with Pyodide's default standard library (the npm package's
    ``python_stdlib.zip`` and ``pyodide-lock.json``, served beside the site's copy of the runtime),
    unpacks the app's sources (``calculators/`` and ``presentation/``, not precompiled) into its file
    system, imports them and answers the same edit with ``presentation.display.answer``. Cold: each
    side in a fresh profile; warm: the second visit in that profile (ours may start from its snapshot);
``engine_cold_ms``
    engine start (the worker is created) to live (it can answer), in a fresh browser profile;
``engine_warm_ms``
    the same on a second visit with that profile (HTTP cache, V8's code caches, and the start-up
    snapshot the first visit stored once its engine was idle; the bench stays on the first page until then);
``engine_warm_nosnapshot_ms``
    the same on a third visit whose stored start-up snapshot was deleted first (the fallback start);
``snapshot_stored_bytes`` / ``snapshot_make_ms`` / ``snapshot_worker_blocked_ms``
    the start-up snapshot the first visit stores (on the reader's device), the idle time spent
    making it and how long it kept the worker from answering an edit;
``engine_cold_first_figure_ms`` / ``engine_warm_first_figure_ms``
    engine start to the first live figure on the page (a queued edit answered);
``edit_to_figure_ms_at_1s`` / ``edit_to_figure_ms_at_5s``
    a reader's edit made 1 s / 5 s after the page's load event, fresh profile, the calculator in
    view from the start: the input event to the correct figure written into the page;
``recompute_p50_ms`` / ``recompute_p95_ms``
    200 edits of the compare calculator (the heaviest: 41 shocks for its chart per edit), input
    event to figures written, one edit per frame (each starts after the previous one was rendered,
    as a fast typist's keystrokes do); per calculator as ``recompute_<name>_p50_ms``/``_p95_ms``, and
    ``recompute_<name>_frame_p95_ms`` to the next animation frame after the figures were written;
``bytes_before_calculator``
    bytes transferred (compressed, headers included) loading the guide and scrolling to just above
    the first calculator's start margin, so before the engine starts;
``bytes_engine``
    what starting the engine transfers: worker, Pyodide runtime, standard library, app.

    python -m bench.engine            # all figures (a few minutes)
    python -m bench.engine --quick    # fewer runs
    python -m bench.engine --build /tmp/before          # build a site to compare later
    python -m bench.engine --start-only --site /tmp/before --site /tmp/after --runs 7
    python -m bench.engine --naive-only --site /tmp/site --runs 5   # the two naive ratios only

The server is bench's own (:func:`bench.common.serve`), not the browser tests' one: the tests' server
sends ``Cache-Control: no-store`` and no gzip, so a warm visit would download everything again.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):  # ``python bench/engine.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CHROME_FLAGS, ROOT, chromium_path, figure, mkdocs_env, ratio, run_process, serve  # noqa: E402

GUIDE = "crypto-isolated-margin-vs-cross-margin/"
# An edit and the figure it must produce, worked by hand: the guide's BTC 10x example at 20x,
# 65,000 x (1 - 1/20 + 0.005) = 62,075 (simple model).
EDIT = ("isolated", "leverage", "20", "liquidation_price", "$62,075.00")
# Values that keep each calculator valid and change its result on every edit.
RECOMPUTE = {
    "isolated": ("leverage", [str(2 + (i * 7) % 120) for i in range(200)]),
    "cross": ("wallet_balance", [str(2000 + (i * 37) % 900) for i in range(200)]),
    "compare": ("move_all", [str(-40 + (i * 3) % 80) for i in range(200)]),
}

_MEASURE_START = """async () => {
  const engine = livecalc.engine;
  while (engine.state !== "live" && engine.state !== "failed") await new Promise(r => setTimeout(r, 5));
  return {state: engine.state, reason: engine.reason, live: engine.liveAt - engine.startedAt,
          timings: {...engine.timings, ...Object.fromEntries(Object.entries(engine.pageTimings || {})
                                                                .map(([k, v]) => ["page_" + k, v]))},
          startedAt: engine.startedAt};
}"""

_WAIT_SNAPSHOT = """async () => {
  // The engine reports whether it stored a start-up snapshot; an engine without them has no such field.
  const engine = livecalc.engine;
  const until = performance.now() + 60000;
  while (engine.snapshot === null && performance.now() < until) await new Promise(r => setTimeout(r, 50));
  return engine.snapshot || null;
}"""

_EDIT_AND_WAIT = """async ([name, field, value, output, expected]) => {
  const root = document.querySelector(`[data-calculator="${name}"]`);
  const input = root.querySelector(`[name="${field}"]`);
  const target = root.querySelector(`[data-output="${output}"]`);
  const began = performance.now();
  input.value = value;
  input.dispatchEvent(new Event("input", {bubbles: true}));
  while (target.textContent !== expected) {
    await new Promise(r => root.addEventListener("livecalc:painted", r, {once: true}));
  }
  return performance.now() - began;
}"""

_RECOMPUTE = """async ([name, field, values]) => {
  // One edit per frame at most, as a fast typist makes them: each edit starts after the previous one
  // has been rendered, so a frame's style and layout work is not counted in the next edit's time.
  const root = document.querySelector(`[data-calculator="${name}"]`);
  const input = root.querySelector(`[name="${field}"]`);
  const written = [];
  const shown = [];
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  for (const value of values) {
    await frame();
    const painted = new Promise(r => root.addEventListener("livecalc:painted", e => r(e.detail), {once: true}));
    const began = performance.now();
    input.value = value;
    input.dispatchEvent(new Event("input", {bubbles: true}));
    const detail = await painted;
    written.push(detail.paintedAt - began);
    await new Promise(r => requestAnimationFrame(r));
    shown.push(performance.now() - began);
  }
  return {written, shown};
}"""

# The naive start: what a page that self-hosts Pyodide does by the book, with none of our engine's work
# (no precompiled standard library or app, no worker, no snapshot, no early fetches but the app's).
NAIVE = "bench-naive/"
_NAIVE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Naive Pyodide start (bench)</title></head>
<body><p>Naive self-hosted Pyodide start: loadPyodide, the app's sources, one answer.</p>
<script type="module">
const indexURL = new URL(%(index)s, location.href).href;
globalThis.naive = (async () => {
  const began = performance.now();
  const app = fetch("app.zip").then(response => response.arrayBuffer());
  const { loadPyodide } = await import(indexURL + "pyodide.mjs");
  const pyodide = await loadPyodide({ indexURL });
  const loaded = performance.now() - began;
  pyodide.unpackArchive(await app, "zip", { extractDir: "/home/pyodide/app" });
  pyodide.globals.set("raw_inputs", %(inputs)s);
  const answer = pyodide.runPython(`
import json, sys
sys.path.insert(0, "/home/pyodide/app")
from presentation import display
json.dumps(display.answer(%(name)s, json.loads(raw_inputs)), default=str)
`);
  return { ms: performance.now() - began, loaded, answer: JSON.parse(answer) };
})().catch(error => ({ error: String((error && error.stack) || error) }));
</script></body></html>
"""


def _initial_state(site: Path, name: str) -> dict[str, Any]:
    """The first state of the guide's calculator ``name``, as its page carries it."""
    page = (site / GUIDE / "index.html").read_text("utf-8")
    for match in re.finditer(r'data-calculator="(\w+)"[^>]*?data-livecalc-config="([^"]*)"', page):
        if match.group(1) == name:
            return json.loads(html.unescape(match.group(2)))["initial"]
    raise RuntimeError(f"the guide has no {name!r} calculator")


def write_naive_page(site: Path) -> str:
    """Write the naive page into ``site`` (``bench-naive/``) and return its path from the site's root.

    The runtime is the site's own copy of the npm package's three files; the npm package's default
    standard library and lock file are put beside them (the site does not carry them). The app is a
    zip of the same source files our engine precompiles (``browser.pack.EngineBuild.app_files``).
    """
    import zipfile

    from browser.pack import EngineBuild

    pyodide = ROOT / "node_modules" / "pyodide"
    runtimes = sorted((site / "assets" / "livecalc").glob("pyodide-*"))
    runtime = runtimes[0] if runtimes else site / NAIVE / "pyodide"
    runtime.mkdir(parents=True, exist_ok=True)
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"):
        if not (runtime / name).exists():
            shutil.copy2(pyodide / name, runtime / name)
    folder = site / NAIVE
    folder.mkdir(exist_ok=True)
    with zipfile.ZipFile(folder / "app.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in EngineBuild().app_files().items():
            archive.writestr(name, data)
    calculator, field, value, _, _ = EDIT
    inputs = dict(_initial_state(site, calculator), **{field: value})
    index = os.path.relpath(runtime, folder).replace(os.sep, "/") + "/"
    (folder / "index.html").write_text(_NAIVE_PAGE % {
        "index": json.dumps(index), "inputs": json.dumps(json.dumps(inputs)), "name": repr(calculator)}, "utf-8")
    return NAIVE


def build_site(folder: Path) -> None:
    run_process([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
                cwd=ROOT, env=mkdocs_env())


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]


class EngineDidNotStart(RuntimeError):
    """Our engine gave up (its own watchdog: no word from the worker for 12 s, which a loaded machine causes)."""


#: how many times a run whose engine did not start is taken again (each time in a fresh profile)
RETRIES = 2


class Bench:
    def __init__(self, playwright: Any, base: str, log: Callable[[str], None]) -> None:
        self.playwright = playwright
        self.base = base
        self.log = log
        self.failed_starts: list[str] = []  # each start that failed and was taken again, with its reason

    def retried(self, measure: Callable[[], Any]) -> Any:
        """``measure()``, taken again from scratch when our engine did not start (at most :data:`RETRIES`
        times); the failures are kept in ``failed_starts`` and reported beside the figures."""
        for attempt in range(RETRIES + 1):
            try:
                return measure()
            except EngineDidNotStart as error:
                self.failed_starts.append(str(error))
                self.log(f"  {error}; taking the run again ({attempt + 1}/{RETRIES})")
                if attempt == RETRIES:
                    raise

    def profile(self, width: int = 1280, height: int = 900) -> tuple[Any, Path]:
        """A fresh browser profile (its own disk cache and code caches), as a first-time reader's."""
        folder = Path(tempfile.mkdtemp(prefix="livecalc-profile-"))
        context = self.playwright.chromium.launch_persistent_context(
            str(folder), executable_path=chromium_path(), headless=True, args=CHROME_FLAGS[1:],
            viewport={"width": width, "height": height},
        )
        return context, folder

    @staticmethod
    def close(context: Any, folder: Path) -> None:
        context.close()
        shutil.rmtree(folder, ignore_errors=True)

    def visit_and_start(self, context: Any, forget_snapshot: bool = False) -> dict[str, Any]:
        """Open the guide at the isolated calculator (in view, so the engine starts) and wait for live;
        then stay on the page until the engine has stored its start-up snapshot (as a reader reading on
        would), which the next visit starts from. ``forget_snapshot`` deletes it before the visit."""
        page = context.new_page()
        if forget_snapshot:
            page.goto(self.base + "404.html")
            page.evaluate("async () => { if (self.caches) for (const k of await caches.keys()) await caches.delete(k); }")
        page.goto(self.base + GUIDE + "#livecalc-isolated")
        started = page.evaluate(_MEASURE_START)
        if started["state"] != "live":
            page.close()
            raise EngineDidNotStart(f"the engine did not start: {started['reason']}")
        first = page.evaluate(_EDIT_AND_WAIT, list(EDIT))
        started["first_figure"] = started["live"] + first
        started["snapshot"] = page.evaluate(_WAIT_SNAPSHOT)
        page.close()
        return started

    def naive_start(self, context: Any) -> dict[str, Any]:
        """One visit of the naive page: its start to the answer of :data:`EDIT`, checked."""
        page = context.new_page()
        page.goto(self.base + NAIVE)
        result = page.evaluate("() => globalThis.naive")
        page.close()
        if "error" in result:
            raise RuntimeError(f"the naive page failed: {result['error']}")
        _, _, _, output, expected = EDIT
        shown = ((result["answer"].get("texts") or {}).get(output))
        if shown != expected:
            raise RuntimeError(f"the naive page answered {shown!r} for {output}, not {expected!r}")
        return result

    def visit_twice(self, side: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """A first and a second visit in one fresh profile: of the guide (``ours``) or the naive page."""
        visit = self.visit_and_start if side == "ours" else self.naive_start
        context, folder = self.profile()
        try:
            return visit(context), visit(context)
        finally:
            self.close(context, folder)

    def naive_times(self, runs: int) -> dict[str, list[float]]:
        """Ours (start to the first live figure) and the naive page, each in its own fresh profile, cold
        then warm, the two sides alternating which goes first run by run."""
        out: dict[str, list[float]] = {key: [] for key in ("ours_cold", "ours_warm", "naive_cold", "naive_warm",
                                                           "naive_cold_loaded", "naive_warm_loaded")}
        for run in range(runs):
            for side in ("ours", "naive")[:: 1 if run % 2 == 0 else -1]:
                cold, warm = self.retried(lambda: self.visit_twice(side))
                if side == "ours":
                    out["ours_cold"].append(cold["first_figure"])
                    out["ours_warm"].append(warm["first_figure"])
                else:
                    out["naive_cold"].append(cold["ms"])
                    out["naive_warm"].append(warm["ms"])
                    out["naive_cold_loaded"].append(cold["loaded"])
                    out["naive_warm_loaded"].append(warm["loaded"])
            self.log(f"  naive run {run + 1}: ours cold {out['ours_cold'][-1]:.0f} / naive {out['naive_cold'][-1]:.0f} ms, "
                     f"ours warm {out['ours_warm'][-1]:.0f} / naive {out['naive_warm'][-1]:.0f} ms "
                     f"(naive loadPyodide {out['naive_cold_loaded'][-1]:.0f} / {out['naive_warm_loaded'][-1]:.0f} ms)")
        return out

    def start_times(self, runs: int) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {"cold": [], "warm": [], "cold_first": [], "warm_first": [],
                                       "warm_nosnapshot": [], "warm_nosnapshot_first": [],
                                       "snapshot_bytes": [], "snapshot_make_ms": [], "snapshot_blocked_ms": []}
        phases: list[dict[str, Any]] = []
        def three_visits() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
            context, folder = self.profile()
            try:
                return (self.visit_and_start(context), self.visit_and_start(context),
                        self.visit_and_start(context, forget_snapshot=True))
            finally:
                self.close(context, folder)

        for run in range(runs):
            cold, warm, plain = self.retried(three_visits)
            out["cold"].append(cold["live"])
            out["warm"].append(warm["live"])
            out["cold_first"].append(cold["first_figure"])
            out["warm_first"].append(warm["first_figure"])
            out["warm_nosnapshot"].append(plain["live"])
            out["warm_nosnapshot_first"].append(plain["first_figure"])
            made = cold["snapshot"] or {}
            if made.get("state") == "stored":
                out["snapshot_bytes"].append(made["bytes"])
                out["snapshot_make_ms"].append(made["ms"])
                out["snapshot_blocked_ms"].append(made["blocked_ms"])
            phases.append({"cold": cold["timings"], "warm": warm["timings"], "warm_nosnapshot": plain["timings"]})
            self.log(f"  start run {run + 1}: cold {cold['live']:.0f} ms {cold['timings']}, "
                     f"warm {warm['live']:.0f} ms {warm['timings']}, "
                     f"warm without snapshot {plain['live']:.0f} ms {plain['timings']}; snapshot {made}")
        out["phases"] = phases  # type: ignore[assignment]
        return out

    def edit_at(self, delay_ms: int, runs: int) -> list[float]:
        samples = []
        for _ in range(runs):
            context, folder = self.profile()
            try:
                page = context.new_page()
                page.goto(self.base + GUIDE + "#livecalc-isolated", wait_until="load")
                page.wait_for_timeout(delay_ms)
                samples.append(page.evaluate(_EDIT_AND_WAIT, list(EDIT)))
            finally:
                self.close(context, folder)
        self.log(f"  edit at {delay_ms} ms after load: {[round(s) for s in samples]}")
        return samples

    def recompute(self, runs: int) -> dict[str, list[dict[str, list[float]]]]:
        out: dict[str, list[dict[str, list[float]]]] = {name: [] for name in RECOMPUTE}
        for _ in range(runs):
            context, folder = self.profile()
            try:
                page = context.new_page()
                page.goto(self.base + GUIDE + "#livecalc-isolated")
                page.evaluate(_MEASURE_START)
                for name, (field, values) in RECOMPUTE.items():
                    page.locator(f'[data-calculator="{name}"]').scroll_into_view_if_needed()
                    out[name].append(page.evaluate(_RECOMPUTE, [name, field, values]))
            finally:
                self.close(context, folder)
        return out

    def bytes_before_calculator(self) -> tuple[float, list[str]]:
        """Bytes on the wire (encoded bodies and headers) for the guide, read down to just above the
        first calculator's start margin, measured with the DevTools protocol."""
        context, folder = self.profile(1280, 900)
        try:
            page = context.new_page()
            session = context.new_cdp_session(page)
            session.send("Network.enable")
            sizes: dict[str, float] = {}
            urls: dict[str, str] = {}
            session.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
            session.on("Network.loadingFinished",
                       lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
            page.goto(self.base + GUIDE)
            page.wait_for_load_state("networkidle")
            # Scroll to 700 px above the first calculator: the engine starts at 600 px.
            page.evaluate("""() => { const top = Math.min(...[...document.querySelectorAll('[data-calculator]')]
                .map(el => el.getBoundingClientRect().top + scrollY)); scrollTo(0, Math.max(0, top - innerHeight - 700)); }""")
            page.wait_for_timeout(500)
            page.wait_for_load_state("networkidle")
            state = page.evaluate("livecalc.engine.state")
            if state != "idle":
                raise RuntimeError(f"the engine started before the reader reached a calculator ({state})")
            return sum(sizes.values()), sorted(urls.get(k, k).replace(self.base, "/") for k in sizes)
        finally:
            self.close(context, folder)


def engine_bytes(site: Path) -> dict[str, Any]:
    """Each engine file's size, raw and as served (gzip where a static host compresses)."""
    import gzip

    from bench.common import COMPRESSIBLE, content_type

    assets = site / "assets" / "livecalc"
    # the worker and the module it imports (browser/worker.mjs), the runtime, the standard library, the app
    files = [*sorted(assets.glob("web-*/worker.mjs")), *sorted(assets.glob("web-*/snapshot.mjs")),
             *[path for path in sorted(assets.glob("pyodide-*/*")) if path.name.startswith("pyodide.")],
             *sorted(assets.glob("python_stdlib-*.zip")), *sorted(assets.glob("livecalc-*.zip"))]
    rows = {}
    for path in files:
        raw = path.read_bytes()
        wire = len(gzip.compress(raw, compresslevel=6, mtime=0)) if content_type(path).startswith(COMPRESSIBLE) else len(raw)
        rows[str(path.relative_to(site))] = {"raw": len(raw), "wire": wire}
    return rows


def naive_figures(naive: dict[str, list[float]]) -> dict[str, Any]:
    """The two ratios to the naive start, and the naive start's own times."""
    note = ("our engine's start to the first live figure (the guide's isolated calculator, an edit answered) / "
            "a naive self-hosted Pyodide start to the same answer (bench-naive/: loadPyodide with the npm "
            "package's standard library, the app's sources unpacked, presentation.display.answer), paired run "
            "by run, each side in its own browser profile")
    return {
        "engine_cold_ratio_naive": ratio(naive["ours_cold"], naive["naive_cold"], target_max=0.3,
                                         note=note + "; cold: fresh profiles (no HTTP cache, no stored snapshot)",
                                         ours=figure(naive["ours_cold"], unit="ms"),
                                         naive=figure(naive["naive_cold"], unit="ms")),
        "engine_warm_ratio_naive": ratio(naive["ours_warm"], naive["naive_warm"], target_max=0.15,
                                         note="the same on a second visit in each profile (ours may use its "
                                              "stored start-up snapshot)",
                                         ours=figure(naive["ours_warm"], unit="ms"),
                                         naive=figure(naive["naive_warm"], unit="ms")),
        "engine_naive_cold_ms": figure(naive["naive_cold"], unit="ms",
                                       loaded=figure(naive["naive_cold_loaded"], unit="ms"),
                                       note="the naive page's start to the answer, fresh profile (loaded = loadPyodide done)"),
        "engine_naive_warm_ms": figure(naive["naive_warm"], unit="ms",
                                       loaded=figure(naive["naive_warm_loaded"], unit="ms")),
    }


def naive_only(site: Path, runs: int, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Only the two ratios to the naive start (and their parts), for ``site`` (a built site)."""
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    write_naive_page(site)
    with serve(site) as base, sync_playwright() as playwright:
        naive = Bench(playwright, base, log).naive_times(runs)
    load = {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]}
    log(f"  load average (1, 5, 15 min): before {load['before']}, after {load['after']}")
    figures = naive_figures(naive)
    for value in figures.values():
        value["load_average"] = load
    return figures


def start_only(sites: list[Path], runs: int, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Engine start only, for comparing built sites (before/after a change) in one session: the sites'
    runs are interleaved, so a change in the machine's load falls on each of them alike."""
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    samples: dict[str, dict[str, list[float]]] = {str(site): {} for site in sites}
    with contextlib.ExitStack() as stack:
        playwright = stack.enter_context(sync_playwright())
        benches = [(str(site), Bench(playwright, stack.enter_context(serve(site)), log)) for site in sites]
        for run in range(runs):
            for name, bench in benches:
                log(f"  {name}:")
                for key, values in bench.start_times(1).items():
                    samples[name].setdefault(key, []).extend(values)
    load = {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]}
    log(f"  load average (1, 5, 15 min): before {load['before']}, after {load['after']}")
    figures: dict[str, Any] = {}
    for name, values in samples.items():
        for key, numbers in values.items():
            if key != "phases" and numbers:
                figures[f"{Path(name).name}:{key}"] = figure(numbers, unit="ms" if "bytes" not in key else "bytes",
                                                             load_average=load)
    return figures


def run(quick: bool = False, log: Callable[[str], None] = print, site: Path | None = None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    runs = 3 if quick else 7
    load_before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="livecalc-bench-site-"))
    try:
        if site is None:
            log("  building the site")
            build_site(folder / "site")
            site = folder / "site"
        sizes = engine_bytes(site)
        write_naive_page(site)
        with serve(site) as base, sync_playwright() as playwright:
            bench = Bench(playwright, base, log)
            naive = bench.naive_times(runs)
            starts = bench.start_times(runs)
            at_1s = bench.edit_at(1000, runs)
            at_5s = bench.edit_at(5000, max(3, runs // 2))
            recompute = bench.recompute(max(2, runs // 3))
            before, before_urls = bench.bytes_before_calculator()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    # These machines are shared: the load average says how much of the 2 cores the browser had.
    load = {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]}
    log(f"  load average (1, 5, 15 min): before {load['before']}, after {load['after']}")
    note_start = ("from the worker's creation to its 'live' message; phases in ms from the worker's creation "
                  "(browser/worker.mjs, start): worker = its module ran, start = told to start, "
                  "script / runtime_script = pyodide.mjs / pyodide.asm.mjs imported, fetched X = a file's response, "
                  "snapshot_found / _loaded / _unpacked = the stored snapshot, module = the page's compiled "
                  "WebAssembly received, instantiated, runtime = Python's file system being set up, "
                  "restored = loadPyodide from the snapshot done, pyodide = loadPyodide done (and checked), "
                  "imported = live; page_wasm_response / page_wasm_compiled = the page's share")
    figures: dict[str, Any] = {
        **naive_figures(naive),
        "engine_cold_ms": figure(starts["cold"], unit="ms", target="<= 1200", ok=statistics.median(starts["cold"]) <= 1200,
                                 note=note_start, phases=[p["cold"] for p in starts["phases"]]),
        "engine_warm_ms": figure(starts["warm"], unit="ms", target="<= 600", ok=statistics.median(starts["warm"]) <= 600,
                                 phases=[p["warm"] for p in starts["phases"]]),
        "engine_warm_nosnapshot_ms": figure(starts["warm_nosnapshot"], unit="ms",
                                            note="a second visit whose stored start-up snapshot was deleted first"),
        "engine_cold_first_figure_ms": figure(starts["cold_first"], unit="ms"),
        "engine_warm_first_figure_ms": figure(starts["warm_first"], unit="ms"),
        "edit_to_figure_ms_at_1s": figure(at_1s, unit="ms"),
        "edit_to_figure_ms_at_5s": figure(at_5s, unit="ms"),
        "bytes_before_calculator": figure([before], unit="bytes", files=before_urls),
        **({"snapshot_stored_bytes": figure(starts["snapshot_bytes"], unit="bytes",
                                            note="the start-up snapshot a first visit stores on the device "
                                                 "(its memory without the runs of zeros)"),
            "snapshot_worker_blocked_ms": figure(starts["snapshot_blocked_ms"], unit="ms",
                                                 note="the worker busy copying memory (an edit waits at most this)"),
            "snapshot_make_ms": figure(starts["snapshot_make_ms"], unit="ms", note="idle time, storing included")}
           if starts["snapshot_bytes"] else {}),
        "bytes_engine": figure([sum(row["wire"] for row in sizes.values())], unit="bytes",
                               raw=sum(row["raw"] for row in sizes.values()), files=sizes),
    }
    for name, runs_of_times in recompute.items():
        written = [run["written"] for run in runs_of_times]
        shown = [run["shown"] for run in runs_of_times]
        edits = len(written[0])
        figures[f"recompute_{name}_p50_ms"] = figure([statistics.median(t) for t in written], unit="ms", edits=edits,
                                                     note="input event to the figures written into the page")
        figures[f"recompute_{name}_p95_ms"] = figure([_percentile(t, 0.95) for t in written], unit="ms", edits=edits)
        figures[f"recompute_{name}_frame_p95_ms"] = figure(
            [_percentile(t, 0.95) for t in shown], unit="ms", edits=edits,
            note="input event to the next animation frame after the figures were written")
    for value in figures.values():
        value["load_average"] = load
    if bench.failed_starts:
        for key in ("engine_cold_ratio_naive", "engine_warm_ratio_naive", "engine_cold_ms", "engine_warm_ms"):
            figures[key]["failed_starts"] = list(bench.failed_starts)
            figures[key]["note"] = (figures[key].get("note", "") + f"; {len(bench.failed_starts)} start(s) of ours "
                                    f"failed under load and were taken again: {bench.failed_starts[0]}").lstrip("; ")
    figures["recompute_p50_ms"] = dict(figures["recompute_compare_p50_ms"], note="compare calculator, the heaviest")
    figures["recompute_p95_ms"] = dict(figures["recompute_compare_p95_ms"], target="<= 16",
                                       ok=figures["recompute_compare_p95_ms"]["median"] <= 16,
                                       note="compare calculator, the heaviest")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--build", metavar="DIR", help="only build the site into DIR (for --site later) and stop")
    parser.add_argument("--site", metavar="DIR", action="append",
                        help="measure this built site instead of building one (repeat with --start-only to compare)")
    parser.add_argument("--start-only", action="store_true", help="only the engine start, cold and warm")
    parser.add_argument("--naive-only", action="store_true", help="only the start against the naive Pyodide page")
    parser.add_argument("--runs", type=int, default=5, help="runs per site with --start-only / --naive-only (default 5)")
    args = parser.parse_args(argv)
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    if args.build:
        build_site(Path(args.build))
        return 0
    sites = [Path(s) for s in args.site or []]
    if args.naive_only:
        if not sites:
            sites = [Path(tempfile.mkdtemp(prefix="livecalc-bench-site-")) / "site"]
            build_site(sites[0])
        figures = naive_only(sites[0], args.runs, log=log)
    elif args.start_only:
        if not sites:
            sites = [Path(tempfile.mkdtemp(prefix="livecalc-bench-site-")) / "site"]
            build_site(sites[0])
        figures = start_only(sites, args.runs, log=log)
    else:
        figures = run(quick=args.quick, log=log, site=sites[0] if sites else None)
    for key, value in figures.items():
        extra = "" if value.get("target") is None else f"  (target {value['target']})"
        print(f"{key:32} median {value['median']:>12,.1f}  min {value['min']:>12,.1f}  max {value['max']:>12,.1f}"
              f"  {value['unit']}{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
