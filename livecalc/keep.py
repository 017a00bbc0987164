"""Files the build keeps between runs under ``.cache/``: written whole or not at all.

Four caches share this: the compiled page templates and the calculators' results and forms
(``macros/compiled.py``, ``macros/computed.py``), the audit's page facts (``livecalc/audit.py``) and the
front-matter answers (``livecalc/publishing.py``).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, so that a reader (another build,
    one interrupted) never sees half a file. Raises OSError, with the temporary file removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_pages(path: Path | None, fingerprint: str) -> dict[str, Any]:
    """The ``pages`` mapping of a JSON cache file written by :func:`write_pages` with the same
    ``fingerprint``; empty when there is none, it is unreadable, or another code made it."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if isinstance(data, dict) and data.get("fingerprint") == fingerprint and isinstance(data.get("pages"), dict):
        return data["pages"]
    return {}


def write_pages(path: Path, fingerprint: str, pages: dict[str, Any]) -> None:
    """Keep ``pages`` under ``fingerprint``; a read-only checkout still builds, only without the cache."""
    try:
        write_atomically(path, json.dumps({"fingerprint": fingerprint, "pages": pages},
                                          separators=(",", ":")).encode("utf-8"))
    except OSError:
        pass
