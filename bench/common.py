"""What every benchmark shares: summaries of repeated runs, timing a child process, serving a folder, Chromium.

Each figure is a median over repeated runs, reported with its min and max, and each comparison is a
ratio against a baseline measured in the same run (these machines are shared and noisy). A benchmark
module returns a dict of figures, each made by :func:`figure` (or :func:`ratio`), and
``python -m bench`` merges them into ``bench/results.json``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from livecalc.serve import COMPRESSIBLE, TYPES, StaticSite, content_type  # noqa: F401 - the bench's names for them

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"

# Chromium as the house rules launch it (shared/DESIGN.md): Debian's binary, no sandbox, no GPU, nothing
# fetched in the background that would add noise to a measurement.
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's Chromium when installed (these machines), else None: Playwright then uses its own browser."""
    for candidate in (os.environ.get("CHROME_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


# ------------------------------------------------------------------------------------------- figures

def figure(samples: Sequence[float], *, unit: str, target: str | None = None, ok: bool | None = None,
           note: str | None = None, **extra: Any) -> dict[str, Any]:
    """A measured figure: median, min and max of its samples, with the unit and, when it has one, the target.

    ``ok`` says whether the target holds (None where the issue only asks for a report).
    """
    values = [float(s) for s in samples]
    if not values:
        raise ValueError("a figure needs at least one sample")
    result: dict[str, Any] = {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": len(values),
        "samples": values,
        "unit": unit,
    }
    if target is not None:
        result["target"] = target
    if ok is not None:
        result["ok"] = bool(ok)
    if note:
        result["note"] = note
    result.update(extra)
    return result


def ratio(numerators: Sequence[float], denominators: Sequence[float], *, target_max: float | None = None,
          note: str | None = None, **extra: Any) -> dict[str, Any]:
    """A comparison against a baseline measured in the same run, pair by pair (run i against run i).

    Pairing the runs that were taken back to back cancels most of the machine's drift; the median of
    the pairwise ratios is the figure.
    """
    if len(numerators) != len(denominators) or not numerators:
        raise ValueError("a ratio needs as many baseline runs as measured runs")
    ratios = [a / b for a, b in zip(numerators, denominators)]
    target = None if target_max is None else f"<= {target_max:g}"
    ok = None if target_max is None else statistics.median(ratios) <= target_max
    return figure(ratios, unit="ratio", target=target, ok=ok, note=note, **extra)


# ------------------------------------------------------------------------------------------- processes

@dataclass(frozen=True)
class Run:
    """One child process: wall-clock seconds, CPU seconds (user + system, its own and its children's),
    its own peak resident memory, and what it printed."""
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    output: str


def run_process(command: Sequence[str], *, cwd: Path | str | None = None, env: dict[str, str] | None = None,
                check: bool = True) -> Run:
    """Run ``command`` and measure it. The peak RSS is the child's own (wait4), not the largest child so far."""
    started = time.perf_counter()
    process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    run = Run(seconds=seconds, cpu_seconds=cpu, peak_rss_mb=usage.ru_maxrss / 1024, returncode=process.returncode, output=output)
    if check and run.returncode != 0:
        tail = "\n".join(output.splitlines()[-30:])
        raise RuntimeError(f"{' '.join(command)} failed with exit code {run.returncode}:\n{tail}")
    return run


def mkdocs_env() -> dict[str, str]:
    """The environment of a build: Material's end-of-life banner off (it is not part of the work)."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


# ------------------------------------------------------------------------------------------- serving

# One static server for the tests and the bench (livecalc/serve.py): content types as a static host
# must send them, gzip with entity tags and 304s.


@contextlib.contextmanager
def serve(folder: Path | str, *, compress: bool = True) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) and yield its base URL, ``http://127.0.0.1:PORT/``.

    ``compress=True`` gzips text, JavaScript, JSON and WebAssembly when the client accepts it, as a
    static host does; byte counts measured through it are then the bytes a reader downloads. Every
    response says ``no-cache``: a browser revalidates each time, as GitHub Pages' short max-age would
    after ten minutes, so a "warm" visit measures the browser's HTTP cache with 304s.
    """
    site = StaticSite(folder, compress=compress, cache="no-cache").start()
    try:
        yield site.base
    finally:
        site.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def npm_bin(name: str) -> Path | None:
    """A tool installed by ``npm ci`` (node_modules/.bin), or None when it is not installed."""
    path = ROOT / "node_modules" / ".bin" / name
    return path if path.exists() else None


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
