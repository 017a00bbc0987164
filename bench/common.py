"""What every benchmark shares: summaries of repeated runs, timing a child process, serving a folder, Chromium.

Each figure is a median over repeated runs, reported with its min and max, and each comparison is a
ratio against a baseline measured in the same run (these machines are shared and noisy). A benchmark
module returns a dict of figures, each made by :func:`figure` (or :func:`ratio`), and
``python -m bench`` merges them into ``bench/results.json``.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import http.server
import mimetypes
import os
import shutil
import socket
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

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

# What a static host must get right (shared/DESIGN.md): Pyodide does not start without application/wasm.
TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
}
# Compressed on the wire as GitHub Pages and common CDNs do; zip files and wheels already are compressed.
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/wasm", "application/xml",
                "image/svg+xml")


def content_type(path: Path) -> str:
    return TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class _Handler(http.server.SimpleHTTPRequestHandler):
    server_version = "livecalc-bench"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def guess_type(self, path: str) -> str:  # type: ignore[override]
        return content_type(Path(path))

    def send_head(self):  # type: ignore[override]
        if not self.server.compress:  # type: ignore[attr-defined]
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the base class redirects to the slash
            path = path / "index.html"
        kind = content_type(path)
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not path.is_file() or not accepts_gzip or not kind.startswith(COMPRESSIBLE):
            return super().send_head()
        body, etag = self.server.gzipped(path)  # type: ignore[attr-defined]
        if etag in [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]:
            # Unchanged since the browser's copy: 304, as a static host answers a revalidation
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return io.BytesIO(b"")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self) -> None:
        if not any(h.startswith(b"Cache-Control") for h in getattr(self, "_headers_buffer", [])):
            # Revalidate every time, as GitHub Pages' short max-age would after ten minutes: a "warm" visit
            # then measures the browser's HTTP cache with 304s, not a memory of our own.
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, folder: Path, compress: bool) -> None:
        self.folder = folder
        self.compress = compress
        self._gzipped: dict[tuple[Path, float], tuple[bytes, str]] = {}
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), lambda *a: _Handler(*a, directory=str(folder)))

    def gzipped(self, path: Path) -> tuple[bytes, str]:
        """The file gzipped, and its entity tag. Without a validator a browser cannot revalidate the
        gzipped responses, so every "warm" visit downloaded the engine in full again, where GitHub
        Pages answers 304 (found measuring the warm start, issue 5)."""
        key = (path, path.stat().st_mtime)
        with self._lock:
            if key not in self._gzipped:
                body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
                self._gzipped[key] = body, '"' + hashlib.sha256(body).hexdigest()[:20] + '-gz"'
            return self._gzipped[key]


@contextlib.contextmanager
def serve(folder: Path | str, *, compress: bool = True) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) and yield its base URL, ``http://127.0.0.1:PORT/``.

    ``compress=True`` gzips text, JavaScript, JSON and WebAssembly when the client accepts it, as a
    static host does; byte counts measured through it are then the bytes a reader downloads.
    """
    server = _Server(Path(folder), compress)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


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
