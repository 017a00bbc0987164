"""A built site served on 127.0.0.1 the way a static host serves it: one server for the browser tests
and the benchmarks.

What a static host must get right for the calculators (and what this server does): ``.wasm`` as
``application/wasm`` (Pyodide does not start without it), ``.mjs`` as JavaScript, and, with
``compress=True``, text, JavaScript, JSON and WebAssembly gzipped with an entity tag, a 304 for an
unchanged file, as GitHub Pages and common CDNs answer (a "warm" visit then measures the browser's HTTP
cache, not a second download).

Test options: ``missing`` answers 404 for any path containing one of its fragments, ``types`` overrides
content types (a host that gets them wrong), and every requested path is recorded in order
(:attr:`StaticSite.requests`). ``cache`` is the ``Cache-Control`` of every response: ``no-store`` (the
tests: each visit downloads) or ``no-cache`` (the bench: each visit revalidates).

    with serve("site", compress=True, cache="no-cache") as site:
        print(site.base)          # http://127.0.0.1:PORT/
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import io
import mimetypes
import sys
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

#: the content types a static host must send for the site's files
TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".html": "text/html",
    ".png": "image/png",
}
#: compressed on the wire, as GitHub Pages and common CDNs do; zip files and wheels already are
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/wasm", "application/xml",
                "image/svg+xml")


def content_type(path: Path | str, types: Mapping[str, str] | None = None) -> str:
    suffix = Path(path).suffix
    return ({**TYPES, **(types or {})}.get(suffix) or mimetypes.guess_type(Path(path).name)[0]
            or "application/octet-stream")


class _Handler(http.server.SimpleHTTPRequestHandler):
    server_version = "livecalc-static"
    protocol_version = "HTTP/1.1"
    server: "StaticSite"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def guess_type(self, path: str) -> str:  # type: ignore[override]
        return content_type(path, self.server.types)

    def send_head(self):  # type: ignore[override]
        url_path = self.path.split("?", 1)[0].split("#", 1)[0]
        self.server.record(url_path)
        if any(fragment in url_path for fragment in self.server.missing):
            self.send_error(404, "missing on purpose (test)")
            return None
        if not self.server.compress:
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not url_path.endswith("/"):
                return super().send_head()  # the base class redirects to the slash
            path = path / "index.html"
        kind = self.guess_type(str(path))
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", "") \
                or not kind.startswith(COMPRESSIBLE):
            return super().send_head()
        body, etag = self.server.gzipped(path)
        if etag in [tag.strip() for tag in self.headers.get("If-None-Match", "").split(",")]:
            self.send_response(304)  # unchanged since the browser's copy, as a static host answers
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
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", self.server.cache)
        super().end_headers()


class StaticSite(http.server.ThreadingHTTPServer):
    """``folder`` served on 127.0.0.1 at ``port`` (0: a free one; bound at once: a build may need the
    address before the server starts); :meth:`start` serves it from a thread."""

    daemon_threads = True

    def __init__(self, folder: Path | str, *, compress: bool = False, cache: str = "no-store",
                 missing: Iterable[str] = (), types: Mapping[str, str] | None = None, port: int = 0) -> None:
        self.folder = Path(folder)
        self.compress = compress
        self.cache = cache
        self.missing = tuple(missing)
        self.types = dict(types or {})
        self._requests: list[str] = []
        self._gzipped: dict[tuple[Path, float], tuple[bytes, str]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__(("127.0.0.1", port), lambda *a: _Handler(*a, directory=str(self.folder)))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    @property
    def requests(self) -> list[str]:
        """Every path asked for, in order."""
        with self._lock:
            return list(self._requests)

    def record(self, path: str) -> None:
        with self._lock:
            self._requests.append(path)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def gzipped(self, path: Path) -> tuple[bytes, str]:
        """The file gzipped, and its entity tag. Without a validator a browser cannot revalidate a
        gzipped response, and every "warm" visit downloads the engine in full again where GitHub
        Pages answers 304."""
        key = (path, path.stat().st_mtime)
        with self._lock:
            if key not in self._gzipped:
                body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
                self._gzipped[key] = body, '"' + hashlib.sha256(body).hexdigest()[:20] + '-gz"'
            return self._gzipped[key]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser closed mid-download (a test or a run ends while Pyodide loads): nothing to report.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def start(self) -> "StaticSite":
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@contextlib.contextmanager
def serve(folder: Path | str, **options: Any) -> Iterator[StaticSite]:
    """Serve ``folder`` (options: :class:`StaticSite`) for the ``with`` block."""
    site = StaticSite(folder, **options).start()
    try:
        yield site
    finally:
        site.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m livecalc.serve [SITE] [--port N]``: look at a built site as a static host serves it
    (the content types the calculators need, gzip, 304s) before uploading it."""
    import argparse
    import time

    parser = argparse.ArgumentParser(prog="python -m livecalc.serve", description=main.__doc__.split("\n")[0])
    parser.add_argument("site", nargs="?", default="site", help="the built folder (default: site)")
    parser.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default: 8001)")
    args = parser.parse_args(argv)
    folder = Path(args.site)
    if not (folder / "index.html").is_file():
        print(f"livecalc.serve: {folder} has no index.html; build the site first (make site)", file=sys.stderr)
        return 2
    site = StaticSite(folder, compress=True, cache="no-cache", port=args.port).start()
    print(f"serving {folder} at {site.base} (Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
