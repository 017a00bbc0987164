"""The build step that packs the calculators' engine for the browser and puts it into the site.

A reader's browser runs ``calculators/`` through Pyodide. The site carries, under
``assets/livecalc/``:

- ``pyodide-<version>/``: ``pyodide.mjs``, ``pyodide.asm.mjs`` and ``pyodide.asm.wasm``, copied from
  the pinned npm package (``node_modules/pyodide``); nothing else of the package is needed;
- ``python_stdlib-<hash>.zip``: the part of Python's standard library that Pyodide and the
  calculators import, precompiled to bytecode *inside the same Pyodide* by ``browser/pack.mjs``
  under Node (the npm package ships source only, and compiling it is most of a naive start-up);
- ``livecalc-<hash>.zip``: the app, the packages ``calculators/`` and ``presentation/`` as they are
  in the repository, also precompiled. Pyodide imports it straight from the zip (it is put on
  ``PYTHONPATH``), so no wheel, no micropip, no pyodide-build and no network are involved: the code
  is pure Python and needs no compiling for WebAssembly;
- ``calculators/<name>-<hash>.json``: each calculator's description (fields, grammar, output tree),
  once for the whole site, which the form's script reads;
- the browser's modules and styles from ``browser/`` (``*.mjs`` but this build step's own, ``*.css``).

The Node step is cached in ``.cache/livecalc/`` under a key made of the Pyodide version and the
contents of everything that goes into the two zips, so it runs once per change, not once per build.
With ``extra: livecalc: pyodide_url: https://...`` in ``mkdocs.yml`` the three Pyodide files come
from that address instead (an opt-in CDN); the two zips are always served by the site.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.plugins.livecalc")

#: where the engine lives inside the built site
ASSETS = "assets/livecalc"
#: the files of the npm package a browser needs (the rest is for Node, types and the console demo)
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")
#: the packages that run in the browser, as they are in the repository
APP_PACKAGES = ("calculators", "presentation")
#: how many prepared engines to keep in the cache
KEEP_CACHED = 4
#: the repository: the npm package, ``calculators/`` and the cache are found from this package's own
#: place, not from the site being built (tests build small sites in temporary folders with it)
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PreparedEngine:
    """The two zips made by ``browser/pack.mjs``, in the cache, and what the browser needs to know."""

    directory: Path
    stdlib_name: str
    app_name: str
    lock_info: dict[str, Any]
    manifest: dict[str, Any]


class EngineBuild:
    """Prepares the engine once per build and copies it into the site after the pages are written."""

    def __init__(self, extra: dict[str, Any] | None = None, root: Path = ROOT) -> None:
        self.project_dir = Path(root)
        settings = (extra or {}).get("livecalc") or {}
        if not isinstance(settings, dict):
            raise PluginError("livecalc: 'extra: livecalc:' in mkdocs.yml must be a mapping")
        self.pyodide_url: str | None = settings.get("pyodide_url") or None
        if self.pyodide_url and not self.pyodide_url.endswith("/"):
            self.pyodide_url += "/"
        self.pyodide_dir = self.project_dir / "node_modules" / "pyodide"
        self.web_dir = Path(__file__).resolve().parent
        self.cache_dir = self.project_dir / ".cache" / "livecalc"
        self._prepared: PreparedEngine | None = None
        self._descriptions: dict[str, tuple[str, bytes]] | None = None
        self.used = False

    # ------------------------------------------------------------------------------------ version

    @functools.cached_property
    def pyodide_version(self) -> str:
        """The installed Pyodide's version, checked against package.json's pin (read once per build:
        every calculator asks for it, and reading two JSON files each time was 0.09 s per 200 guides)."""
        package = self.pyodide_dir / "package.json"
        if not package.is_file():
            raise PluginError(
                f"livecalc: {package} is missing: the calculators need the pinned Pyodide npm package "
                "(run `make setup`, which runs `npm ci`)"
            )
        installed = json.loads(package.read_text("utf-8"))["version"]
        pinned = json.loads((self.project_dir / "package.json").read_text("utf-8"))["devDependencies"]["pyodide"]
        if installed != pinned:
            raise PluginError(
                f"livecalc: node_modules has Pyodide {installed} but package.json pins {pinned} (run `npm ci`)"
            )
        return installed

    # ------------------------------------------------------------------------------------ the app tree

    def app_files(self) -> dict[str, bytes]:
        """The app zip's contents before compiling: the packages of :data:`APP_PACKAGES`, their Python
        modules (tests left out) and their data files."""
        files: dict[str, bytes] = {}
        for package_name in APP_PACKAGES:
            package = self.project_dir / package_name
            for path in sorted(package.rglob("*")):
                relative = path.relative_to(self.project_dir).as_posix()
                parts = path.relative_to(package).parts
                if not path.is_file() or "__pycache__" in parts:
                    continue
                if path.suffix == ".py" and not (path.name.startswith("test_") or path.name == "conftest.py"):
                    files[relative] = path.read_bytes()
                elif path.suffix == ".json" and parts[0] == "data":
                    files[relative] = path.read_bytes()
        return files

    def web_files(self) -> list[str]:
        """The browser's files: its modules (not this build step's own) and styles."""
        return sorted(p.name for p in self.web_dir.iterdir()
                      if p.suffix in (".mjs", ".css") and p.name != "pack.mjs")

    def descriptions(self) -> dict[str, tuple[str, bytes]]:
        """Each calculator's description as JSON, by name: ``(file name with its hash, bytes)``."""
        if self._descriptions is None:
            from calculators import descriptions

            self._descriptions = {}
            for name in descriptions.CALCULATORS:
                data = json.dumps(descriptions.describe(name), separators=(",", ":"), ensure_ascii=False).encode()
                self._descriptions[name] = (f"{name}-{hashlib.sha256(data).hexdigest()[:10]}.json", data)
        return self._descriptions

    # ------------------------------------------------------------------------------------ prepare

    def prepare(self) -> PreparedEngine:
        """The precompiled zips for this Pyodide and these sources, made now or taken from the cache."""
        if self._prepared is not None:
            return self._prepared
        version = self.pyodide_version
        files = self.app_files()
        script = Path(__file__).with_suffix(".mjs")
        digest = hashlib.sha256()
        digest.update(version.encode())
        digest.update(script.read_bytes())
        for name, data in files.items():
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        key = digest.hexdigest()[:16]
        target = self.cache_dir / f"engine-{version}-{key}"
        if not (target / "manifest.json").is_file():
            self._run_node(files, target)
        manifest = json.loads((target / "manifest.json").read_text("utf-8"))
        stdlib, app = target / "python_stdlib.zip", target / "livecalc.zip"
        self._prepared = PreparedEngine(
            directory=target,
            stdlib_name=f"python_stdlib-{_short_hash(stdlib)}.zip",
            app_name=f"livecalc-{_short_hash(app)}.zip",
            lock_info=manifest["lock_info"],
            manifest=manifest,
        )
        return self._prepared

    def _run_node(self, files: dict[str, bytes], target: Path) -> None:
        node = shutil.which("node")
        if node is None:
            raise PluginError(
                "livecalc: `node` was not found; it precompiles the Python the calculators run in the "
                "browser (install Node 20, as `make setup` expects)"
            )
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="livecalc-app-") as staging:
            for name, data in files.items():
                path = Path(staging, name)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            building = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=self.cache_dir))
            log.info("livecalc: precompiling the browser's Python with Pyodide under Node (cached afterwards)")
            try:
                done = subprocess.run(
                    [node, str(Path(__file__).with_suffix(".mjs")), str(self.pyodide_dir), staging, str(building)],
                    capture_output=True, text=True, timeout=600, cwd=self.project_dir,
                )
            except subprocess.TimeoutExpired:
                shutil.rmtree(building, ignore_errors=True)
                raise PluginError("livecalc: precompiling the browser's Python took more than 10 minutes") from None
            if done.returncode != 0:
                shutil.rmtree(building, ignore_errors=True)
                lines = [line for line in (done.stderr or done.stdout).strip().splitlines() if len(line) < 400]
                tail = "\n".join(lines[-15:])
                raise PluginError(f"livecalc: precompiling the browser's Python failed:\n{tail[-3000:]}")
            log.info("livecalc: %s", done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "engine ready")
            try:
                os.replace(building, target)
            except OSError:  # another build made the same engine meanwhile: theirs is as good
                shutil.rmtree(building, ignore_errors=True)
        self._prune()

    def _prune(self) -> None:
        engines = sorted(self.cache_dir.glob("engine-*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in engines[KEEP_CACHED:]:
            if old.is_dir() and "." not in old.name.split("-")[-1]:
                shutil.rmtree(old, ignore_errors=True)

    # ------------------------------------------------------------------------------------ URLs

    @functools.cached_property
    def web_folder(self) -> str:
        """``web-<hash>``: the browser's files sit together in a folder named by a digest of them all,
        so that their relative imports of one another need no version of their own and a reader's
        browser never mixes an old module with a new one."""
        digest = hashlib.sha256()
        for name in self.web_files():
            digest.update(name.encode() + b"\0" + (self.web_dir / name).read_bytes())
        return f"web-{digest.hexdigest()[:10]}"

    def description_url(self, name: str, relative_to_root: str) -> str:
        """The address of a calculator's description, relative to a page."""
        return f"{relative_to_root}{ASSETS}/calculators/{self.descriptions()[name][0]}"

    def urls(self, relative_to_root: str) -> dict[str, Any]:
        """What a page's calculators need to start the engine, as URLs relative to that page."""
        engine = self.prepare()
        base = relative_to_root + ASSETS + "/"
        index = self.pyodide_url or f"{base}pyodide-{self.pyodide_version}/"
        return {
            "worker": f"{base}{self.web_folder}/worker.mjs",
            "indexURL": index,
            "stdLibURL": base + engine.stdlib_name,
            "appURL": base + engine.app_name,
            "lockInfo": engine.lock_info,
        }

    def page_assets(self, relative_to_root: str) -> str:
        """The stylesheet and the widget module, written once per page before its first calculator."""
        base = relative_to_root + ASSETS + "/"
        return (
            f'<link rel="stylesheet" href="{base}{self.web_folder}/livecalc.css">'
            f'<script type="module" src="{base}{self.web_folder}/widgets.mjs"></script>'
        )

    # ------------------------------------------------------------------------------------ copy

    def copy_into(self, site_dir: Path) -> None:
        """Put the engine into the built site (after the pages are written); only when a page uses it."""
        if not self.used:
            return
        engine = self.prepare()
        assets = Path(site_dir) / ASSETS
        assets.mkdir(parents=True, exist_ok=True)
        web = assets / self.web_folder
        web.mkdir(exist_ok=True)
        for name in self.web_files():
            _copy(self.web_dir / name, web / name)
        described = assets / "calculators"
        described.mkdir(exist_ok=True)
        for file_name, data in self.descriptions().values():
            if not (described / file_name).is_file():
                (described / file_name).write_bytes(data)
        _copy(engine.directory / "python_stdlib.zip", assets / engine.stdlib_name)
        _copy(engine.directory / "livecalc.zip", assets / engine.app_name)
        if not self.pyodide_url:
            runtime = assets / f"pyodide-{self.pyodide_version}"
            runtime.mkdir(exist_ok=True)
            for name in PYODIDE_FILES:
                _copy(self.pyodide_dir / name, runtime / name)


def _short_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def _copy(source: Path, target: Path) -> None:
    """Copy unless the target is already the same file (``mkdocs serve`` rebuilds into the same folder)."""
    if target.is_file():
        a, b = source.stat(), target.stat()
        if a.st_size == b.st_size and int(a.st_mtime) == int(b.st_mtime):
            return
    shutil.copy2(source, target)
