"""The tiny sites the tests build: a minimal configuration and the guide's BTC worked example.

Shared by ``tests/conftest.py`` and the browser tests (the tests folder is on ``sys.path`` through pytest's ``pythonpath``).
"""

#: A minimal configuration. mkdocs-macros finds a *local* module (``module_name``) only inside the
#: project folder; ``modules:`` imports an installed package by name, and livecalc is installed
#: (editable), so the tiny site runs the real ``macros`` package without copying it.
TINY_CONFIG = """\
site_name: tiny
site_url: http://127.0.0.1:8000/
theme:
  name: mkdocs
plugins:
  - macros:
      modules: [macros]
      on_error_fail: true
      on_undefined: strict
markdown_extensions: [tables, admonition]
"""

#: The guide's BTC example, for tiny pages that need one worked example.
BTC_FRONT_MATTER = """\
---
examples:
  btc:
    calculator: isolated
    side: long
    entry_price: 65000
    leverage: 10
    margin: 1000
    mmr: 0.5%
    tier_table: none
    model: simple
---
"""
