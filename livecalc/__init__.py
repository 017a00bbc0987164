"""livecalc's publishing pipeline: writer's drafts into pages, publishing rules, and the on-page SEO audit.

- :mod:`livecalc.drafts` reads a writer's draft and renders it as a page (``livecalc import``).
- :mod:`livecalc.publishing` says which pages are published (front matter ``status``).
- :mod:`livecalc.audit` checks a built site page by page (``livecalc check``).
- :mod:`livecalc.social` draws each page's social card (a PNG, standard library only).

The MkDocs side is a thin hooks file (``overrides/hooks/publishing.py``) and the theme overrides; every
rule lives here so that the command line, the build and the tests apply the same one.
"""

from __future__ import annotations

from .audit import Finding, audit_site
from .drafts import Draft, DraftError, parse_draft, render_page
from .publishing import PublishingError, is_draft, page_status

__all__ = [
    "Draft",
    "DraftError",
    "Finding",
    "PublishingError",
    "audit_site",
    "is_draft",
    "page_status",
    "parse_draft",
    "render_page",
]
