"""The one static server of the tests and the bench (livecalc/serve.py), over HTTP on 127.0.0.1.

What it must do is what a static host does for the calculators: WebAssembly as application/wasm,
gzip with an entity tag and a 304 for an unchanged file (bench.engine's warm visits depend on it), and
for the tests a 404 on purpose, a wrong content type on purpose, and the list of requested paths.
"""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request

import pytest

from livecalc.serve import serve


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text("<!doctype html><title>t</title>" + "x" * 2000, "utf-8")
    (tmp_path / "engine.wasm").write_bytes(b"\0asm" + bytes(4000))
    (tmp_path / "lib.zip").write_bytes(b"PK" + bytes(100))
    return tmp_path


def _get(url, **headers):
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10)
    except urllib.error.HTTPError as error:
        return error


def test_gzip_with_an_entity_tag_and_a_304_when_unchanged(folder):
    with serve(folder, compress=True, cache="no-cache") as site:
        first = _get(site.base + "engine.wasm", **{"Accept-Encoding": "gzip"})
        assert first.status == 200
        assert first.headers["Content-Type"] == "application/wasm"
        assert first.headers["Content-Encoding"] == "gzip"
        assert first.headers["Cache-Control"] == "no-cache"
        assert gzip.decompress(first.read()) == b"\0asm" + bytes(4000)
        again = _get(site.base + "engine.wasm", **{"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
        assert again.status == 304
        # already compressed: sent as it is
        packed = _get(site.base + "lib.zip", **{"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] is None and packed.read() == b"PK" + bytes(100)
        # a directory's index, through its slash
        assert _get(site.base + "page/", **{"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"


def test_what_the_tests_ask_for_missing_files_wrong_types_and_the_requests(folder):
    with serve(folder, missing=("lib.zip",), types={".wasm": "application/octet-stream"}) as site:
        assert _get(site.base + "lib.zip").status == 404
        plain = _get(site.base + "engine.wasm", **{"Accept-Encoding": "gzip"})
        assert plain.headers["Content-Type"] == "application/octet-stream"
        assert plain.headers["Content-Encoding"] is None  # not compressing unless asked
        assert plain.headers["Cache-Control"] == "no-store"
        assert site.requests == ["/lib.zip", "/engine.wasm"]
        site.clear_requests()
        assert site.requests == []


def test_the_command_refuses_a_folder_that_is_not_a_built_site(tmp_path, capsys):
    from livecalc.serve import main

    assert main([str(tmp_path)]) == 2
    assert "has no index.html; build the site first (make site)" in capsys.readouterr().err
