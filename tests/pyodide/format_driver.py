# Shared by tests/test_format_platforms.py (CPython) and tests/pyodide/format_values.mjs (Pyodide):
# the same code formats the same values in both runtimes.
import json
from fractions import Fraction

from presentation.format import money, number, percent


def value_of(kind, text):
    return Fraction(text) if kind == "fraction" else float(text)


def format_all(values_json):
    texts = []
    for kind, text in json.loads(values_json):
        value = value_of(kind, text)
        texts.append([money(value), money(value, 2), percent(value), number(value)])
    return json.dumps(texts)
