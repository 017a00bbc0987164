"""The calculators' results for worked examples, kept between builds: a rebuild computes only what changed.

``calculators.descriptions.compute`` is a pure function of a calculator's name and its completed
inputs: the same inputs give the same results until the ``calculators`` package changes. A generated
guide with three worked examples and a computed table asks for ~5 distinct results, and the compare
calculator's chart alone is 41 shocks; in a build of 200 guides computing was 0.23 s of CPU, the largest
single part of the macros' time (``python -m bench.build --breakdown 200``). Writers rebuild many times
a day and change a page or two in between, so the results are kept in ``.cache/livecalc-results/``,
in a file named by a digest of everything that can change them: the Python version and every file of
the ``calculators`` package (its code and its data, the tier tables). Any edit there starts a fresh
file; a clean checkout's first build computes everything.

Only results are kept, never a verdict: every stated figure is compared with its result, and every
macro formats and reports, on every build. Errors are not kept either (an example that cannot be
computed raises again, with its message, at each build). Entries are stored with ``marshal`` (as
Python's own bytecode cache and ``macros/compiled.py`` do: plain data only, nothing is executed on
load); a result ``marshal`` cannot store is simply not kept. Entries no page used are dropped when the
build ends, so the file holds the current site's results only.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import sys
from pathlib import Path
from typing import Any, Callable

import calculators
from livecalc.keep import write_atomically

log = logging.getLogger("mkdocs.plugins.livecalc")

FOLDER = Path(".cache") / "livecalc-results"


def fingerprint(*extra: Path) -> str:
    """A digest of the Python version and every file of the calculators package (code and data), and of
    the folders ``extra`` (for what is made from results by other code: the calculators' forms)."""
    digest = hashlib.sha256(sys.implementation.cache_tag.encode())
    for root in (Path(calculators.__file__).parent, *extra):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not _ignored(p.relative_to(root))):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:40]


def _ignored(relative: Path) -> bool:
    """Files that cannot change a result: bytecode, and the browser side (``web/``: the worker, the
    widgets' script and styles), whose digests are in the calculators' URLs and so in a form's key."""
    return "__pycache__" in relative.parts or relative.parts[0] == "web"


class KeptResults:
    """A mapping of result keys to results, read from disk at the first use and written after the build."""

    def __init__(self, folder: Path, depends_on: tuple[Path, ...] = ()) -> None:
        self.folder = folder
        self.path = folder / f"{fingerprint(*depends_on)}.marshal"
        self._kept: dict[str, Any] | None = None
        self.used: dict[str, Any] = {}
        self.loaded = self.computed = 0

    def _read(self) -> dict[str, Any]:
        if self._kept is None:
            try:
                kept = marshal.loads(self.path.read_bytes())
                self._kept = kept if isinstance(kept, dict) else {}
            except (OSError, ValueError, EOFError, TypeError):
                self._kept = {}  # not there yet, or unreadable: compute
        return self._kept

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        """The result kept under ``key``, or ``compute()`` (whose exceptions pass through, unkept)."""
        if key in self.used:
            return self.used[key]
        kept = self._read()
        if key in kept:
            self.loaded += 1
            result = kept[key]
        else:
            self.computed += 1
            result = compute()
        self.used[key] = result
        return result

    def save(self) -> None:
        """Write this build's results (if any was computed or one kept was not used) and drop old files."""
        if self._kept is not None and not self.computed and len(self.used) == len(self._kept):
            return  # the file on disk is exactly this build's results
        if not self.used:
            return
        try:
            data = marshal.dumps(self.used)
        except ValueError:  # a result marshal cannot store: keep those it can
            storable = {}
            for key, value in self.used.items():
                try:
                    marshal.dumps(value)
                except ValueError:
                    continue
                storable[key] = value
            data = marshal.dumps(storable)
        try:
            write_atomically(self.path, data)
            for path in self.folder.iterdir():
                if path != self.path and not path.name.startswith(".tmp-"):
                    path.unlink()
        except OSError as error:  # a read-only checkout still builds, only without the cache
            log.debug("livecalc: results not kept: %s", error)
        log.debug("livecalc: %d result(s) read from the cache, %d computed", self.loaded, self.computed)


def install(env: Any, folder: Path = FOLDER, depends_on: tuple[Path, ...] = ()) -> KeptResults:
    """Keep this build's results in the project's ``.cache`` and write them after the build."""
    kept = KeptResults(Path(env.project_dir) / folder, depends_on)
    env.post_build_functions.append(lambda env_: kept.save())
    return kept
