"""livecalc's calculators: the margin mathematics and the calculators' entry points.

Standard library only, so the same files run in CPython when the site builds and in Pyodide in the
reader's browser. ``calculators.margin`` holds the formulas; ``calculators.descriptions`` the one
description of each calculator (fields, outputs, entry function).
"""

from .descriptions import CALCULATORS, compute, describe, run
from .errors import MarginInputError

__all__ = ["CALCULATORS", "MarginInputError", "compute", "describe", "run"]
