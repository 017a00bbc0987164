"""``{{ cite("5% to 15%", "https://...") }}``: a context figure (a statistic, a range, a date) with its
source. The page shows the text as written; the source is for editors, the claims ledger and the
audit, which count the figure as cited rather than unverified (``livecalc claims``)."""

from __future__ import annotations

from typing import Any


def cite(text: Any, source: Any) -> str:
    """The figure's text, unchanged; a missing text or source fails the build (mkdocs-macros raises)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"cite() needs the figure's text first, got {text!r}")
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"cite({text!r}, ...) needs its source: a URL or a named publication")
    return text
