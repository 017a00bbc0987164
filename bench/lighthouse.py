"""Lighthouse (mobile, pinned 12.2.3 from npm) on the guide, against a plain Material page of the same length.

The guide is the real site built from the working tree into a temporary folder. The baseline is the
same guide as a writer without livecalc would publish it on plain Material (its figures and tables as
text, no calculators, no theme overrides, no extra scripts: ``bench.build.plain_baseline``), so the two
pages carry the same prose and differ only by our machinery. Both are served on 127.0.0.1 by
``bench.common.serve`` (gzip, as a static host), and measured alternately, run by run.

Lighthouse runs its default mobile configuration (Moto G Power viewport, simulated slow 4G and 4x CPU
slowdown) with Debian's Chromium (``CHROME_PATH``) and the house flags.

    python -m bench.lighthouse [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import build as build_bench  # noqa: E402
from bench.common import CHROME_FLAGS, chromium_path, figure, npm_bin, ratio, serve  # noqa: E402

GUIDE = "crypto-isolated-margin-vs-cross-margin/"
KEYS = ("lighthouse_performance", "lighthouse_cls", "lighthouse_tbt_ms", "lighthouse_lcp_ms",
        "lighthouse_performance_plain")


def lighthouse(url: str, out: Path) -> dict[str, Any]:
    """One Lighthouse run on ``url``: the performance category only, JSON report kept at ``out``."""
    binary = npm_bin("lighthouse")
    if binary is None:
        raise RuntimeError("Lighthouse is not installed: run `make setup` (npm ci installs lighthouse 12.2.3)")
    chrome = chromium_path()
    env = dict(os.environ)
    if chrome:
        env["CHROME_PATH"] = chrome
    command = [str(binary), url, "--quiet", "--only-categories=performance", "--output=json",
               f"--output-path={out}", f"--chrome-flags={' '.join(CHROME_FLAGS)}", "--max-wait-for-load=45000"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse failed on {url}:\n{(done.stderr or done.stdout)[-2000:]}")
    report = json.loads(out.read_text("utf-8"))
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {report['runtimeError']}")
    audits = report["audits"]
    return {
        "performance": report["categories"]["performance"]["score"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "speed_index_ms": audits["speed-index"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
    }


def sites(workdir: Path, log) -> tuple[Path, Path]:
    """The real site (full build) and the plain Material baseline, built into ``workdir``."""
    full, plain = workdir / "full", workdir / "plain"
    build_bench.generate(full, 0)  # the real docs, no generated guides
    build_bench.plain_baseline(full, plain)
    for project in (full, plain):
        build_bench.build(project)
    log(f"lighthouse: built the guide and its plain baseline in {workdir}")
    return full / "site", plain / "site"


def run(quick: bool = False, log=print, runs: int | None = None, keep: Path | None = None) -> dict[str, Any]:
    """Lighthouse ``runs`` times on each page (3; 1 with ``quick``); ``keep``: a folder for the reports."""
    runs = runs or (1 if quick else 3)
    with tempfile.TemporaryDirectory(prefix="livecalc-lighthouse-") as tmp:
        workdir = Path(tmp)
        reports = keep or workdir
        reports.mkdir(parents=True, exist_ok=True)
        guide_site, plain_site = sites(workdir, log)
        samples: dict[str, list[dict[str, Any]]] = {"guide": [], "plain": []}
        with serve(guide_site) as guide_url, serve(plain_site) as plain_url:
            for number in range(runs):
                order = [("guide", guide_url), ("plain", plain_url)]
                for name, base in order if number % 2 == 0 else order[::-1]:
                    result = lighthouse(base + GUIDE, reports / f"{name}-{number}.json")
                    samples[name].append(result)
                    log(f"  lighthouse {name} {number + 1}/{runs}: performance {result['performance']:.2f}, "
                        f"LCP {result['lcp_ms']:.0f} ms, TBT {result['tbt_ms']:.0f} ms, CLS {result['cls']:.3f}, "
                        f"{result['bytes'] / 1024:.0f} KiB")
    guide, plain = samples["guide"], samples["plain"]

    def series(rows: list[dict[str, Any]], key: str) -> list[float]:
        return [row[key] for row in rows]

    def median(values: list[float]) -> float:
        return statistics.median(values)

    perf = series(guide, "performance")
    return {
        "lighthouse_performance": figure(perf, unit="score", target=">= 0.98", ok=median(perf) >= 0.98,
                                         note="Lighthouse 12.2.3 mobile on the guide",
                                         fcp_ms=figure(series(guide, "fcp_ms"), unit="ms"),
                                         speed_index_ms=figure(series(guide, "speed_index_ms"), unit="ms"),
                                         bytes=figure(series(guide, "bytes"), unit="bytes")),
        "lighthouse_cls": figure(series(guide, "cls"), unit="score", target="0",
                                 ok=round(median(series(guide, "cls")), 3) == 0),
        "lighthouse_tbt_ms": figure(series(guide, "tbt_ms"), unit="ms", target="<= 50",
                                    ok=median(series(guide, "tbt_ms")) <= 50),
        "lighthouse_lcp_ms": figure(series(guide, "lcp_ms"), unit="ms",
                                    plain=figure(series(plain, "lcp_ms"), unit="ms"),
                                    ratio_to_plain=ratio(series(guide, "lcp_ms"), series(plain, "lcp_ms"))),
        "lighthouse_performance_plain": figure(series(plain, "performance"), unit="score",
                                               note="the same guide as plain Material (no calculators, no overrides)",
                                               cls=figure(series(plain, "cls"), unit="score"),
                                               tbt_ms=figure(series(plain, "tbt_ms"), unit="ms"),
                                               bytes=figure(series(plain, "bytes"), unit="bytes")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lighthouse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the Lighthouse JSON reports in this folder")
    args = parser.parse_args(argv)
    print(json.dumps(run(runs=args.runs, keep=args.keep), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
