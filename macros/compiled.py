"""Each page's compiled Jinja template, kept between builds, so a rebuild compiles only changed pages.

mkdocs-macros compiles every page as a Jinja template on every build. A guide is ~10 kB of Markdown
with ~25 macro calls, and compiling it (lexing, parsing, generating and compiling Python) costs about
5 ms of CPU: a third of what plain Material spends on the whole page (measured with
``python -m bench.build --breakdown 200``). Writers rebuild many times a day and change a page or two
in between, so the compiled code of each page is kept in ``.cache/livecalc-templates/``, named by a
digest of the page's source and of everything that can change the compiled code: the Python and
Jinja versions, mkdocs-macros' version, the environment's syntax settings and extensions, and the
source of this package (Jinja may fold a filter of ours into a constant at compile time). A build
loads the code of unchanged pages (``marshal``, as Jinja's own bytecode cache does) and compiles the
rest; the rendered Markdown is the same either way. A clean checkout's first build compiles everything.

Entries no page used in a build are removed after it, so the cache holds one entry per page.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import marshal
import sys
from pathlib import Path
from typing import Any

import jinja2

from livecalc.keep import write_atomically

log = logging.getLogger("mkdocs.plugins.livecalc")

FOLDER = Path(".cache") / "livecalc-templates"
SETTINGS = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
            "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
            "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
            "autoescape")


class CompiledPages:
    """A ``from_string`` for mkdocs-macros' Jinja environment that keeps compiled pages on disk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.loaded = self.compiled = 0
        self._fingerprint: bytes | None = None

    def fingerprint(self, environment: jinja2.Environment) -> bytes:
        if self._fingerprint is None:
            digest = hashlib.sha256()
            versions = (sys.implementation.cache_tag, jinja2.__version__,
                        importlib.metadata.version("mkdocs-macros-plugin"))
            digest.update(repr(versions).encode())
            digest.update(repr([(name, getattr(environment, name, None)) for name in SETTINGS]).encode())
            digest.update(repr(sorted(environment.extensions)).encode())
            for path in sorted(Path(__file__).parent.glob("*.py")):
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
            self._fingerprint = digest.digest()
        return self._fingerprint

    def install(self, environment: jinja2.Environment) -> None:
        if getattr(environment.from_string, "livecalc_cache", None) is self:
            return

        def from_string(source: str, globals: dict[str, Any] | None = None,  # noqa: A002 - Jinja's name
                        template_class: type[jinja2.Template] | None = None) -> jinja2.Template:
            code = self.code(environment, source)
            cls = template_class or environment.template_class
            return cls.from_code(environment, code, environment.make_globals(globals), None)

        from_string.livecalc_cache = self  # type: ignore[attr-defined]
        environment.from_string = from_string  # type: ignore[method-assign]

    def code(self, environment: jinja2.Environment, source: str) -> Any:
        name = hashlib.sha256(self.fingerprint(environment) + source.encode("utf-8")).hexdigest()[:40]
        self.used.add(name)
        path = self.folder / name
        try:
            code = marshal.loads(path.read_bytes())
            self.loaded += 1
            return code
        except (OSError, ValueError, EOFError, TypeError):
            pass  # not there (or unreadable): compile it
        code = environment.compile(source)
        self.compiled += 1
        try:
            write_atomically(path, marshal.dumps(code))
        except OSError as error:  # a read-only checkout still builds, only without the cache
            log.debug("livecalc: compiled page not cached: %s", error)
        return code

    def prune(self) -> None:
        """Remove the entries that no page of this build used (edited or removed pages)."""
        if not self.used or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name not in self.used and not path.name.startswith(".tmp-"):
                try:
                    path.unlink()
                except OSError:
                    pass
        log.debug("livecalc: %d page template(s) loaded compiled, %d compiled", self.loaded, self.compiled)


def install(env: Any) -> CompiledPages:
    """Use the cache for this build's pages (mkdocs-macros makes its Jinja environment after define_env,
    so it is patched before the first page is rendered) and prune it after the build."""
    pages = CompiledPages(Path(env.project_dir) / FOLDER)
    env.pre_macro_functions.append(lambda env_: pages.install(env_.env))
    env.post_build_functions.append(lambda env_: pages.prune())
    return pages
