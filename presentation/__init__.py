"""livecalc's presentation: the one formatter for money and percentages (``format``) and the turning of
a calculator's results into the texts, tables and chart a page shows (``display``).

Shared by the build (the macros prerender every figure with it) and the reader's browser (the
worker imports these same files from the app zip). It imports only ``calculators`` and the
standard library.
"""
