"""What a reader may type into a calculator's field, written once, as data.

:data:`GRAMMAR` holds the patterns and the messages; each field's bounds and their messages come with
the field (:meth:`calculators.descriptions.Field.rules`). Both readers of a typed value follow them:
:func:`parse` here (the module, at build time and in the browser's worker) and ``browser/grammar.mjs``
(the form's inline check, before the engine is asked). The patterns use only the regular-expression
syntax that Python's ``re`` and JavaScript's ``RegExp`` read alike (character classes written out, no
``\\s`` or ``\\d``, whose meanings differ between the two), and a test feeds the same strings to both
and requires the same verdict and the same message (``tests/test_grammar.py``).

The steps, in order, for a number field:

1. ``strip``: a ``$`` anywhere goes, then ``trim``: surrounding spaces (and no-break spaces);
2. ``suffix``: a unit's suffix (``%`` for percent, ``x`` or ``×`` for a multiple) goes from the
   end, with spaces before it, and the rest is trimmed again;
3. ``empty`` / ``too_long``: nothing left, or more than ``max_text`` characters;
4. ``grouped``: a comma is allowed only as a thousands separator (``65,000``); ``0,5`` (a European
   decimal that would silently read as 5) is refused; the commas then go;
5. ``not_finite`` / ``number``: ASCII digits with an optional sign, point and exponent only
   (Python's ``float`` would also take ``1_000``, ``inf`` or other scripts' digits);
6. the field's bounds (``minimum`` / ``exclusiveMinimum`` / ``maximum``, JSON Schema's words).

A choice must be one of its keys; a text is trimmed and at most ``max_text`` characters.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, Mapping

from .errors import MarginInputError

__all__ = ["GRAMMAR", "MAX_TEXT", "parse", "plain"]

#: A cap on what a reader may type, so that a pasted novel is refused before it is parsed.
MAX_TEXT = 64

GRAMMAR: dict[str, Any] = {
    "max_text": MAX_TEXT,
    "patterns": {
        "trim": "^[ \\t\\r\\n\\u00a0\\u202f]+|[ \\t\\r\\n\\u00a0\\u202f]+$",
        "strip": "\\$",
        "suffix": {"percent": "[ \\t\\u00a0]*%$", "multiple": "[ \\t\\u00a0]*[x\\u00d7]$"},
        "grouped": "^[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\\.[0-9]*)?$",
        # spelled out in both cases, not with an "ignore case" flag: Python's would also take the
        # Turkish dotless and dotted I ("ınf", "İnf"), JavaScript's would not (tests/test_grammar.py)
        "not_finite": "^[+-]?([iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN])$",
        "number": "^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$",
    },
    "flags": {},
    "messages": {
        "empty": "is empty",
        "too_long": f"is longer than {MAX_TEXT} characters",
        "grouped": "has a comma that does not group thousands: write decimals with a point (0.5)",
        "not_finite": "must be a finite number",
        "number": "is not a number",
        "choice": "must be one of {choices}",
    },
}

_P = GRAMMAR["patterns"]
_TRIM = re.compile(_P["trim"])
_STRIP = re.compile(_P["strip"])
_SUFFIX = {unit: re.compile(pattern) for unit, pattern in _P["suffix"].items()}
_GROUPED = re.compile(_P["grouped"])
_NOT_FINITE = re.compile(_P["not_finite"])
_NUMBER = re.compile(_P["number"])
_M = GRAMMAR["messages"]


def plain(bound: float) -> str:
    """A bound as a reader would write it: 0.00000001, 1,000,000,000 (never 1e-08)."""
    return f"{bound:,.8f}".rstrip("0").rstrip(".")


def parse(field: Mapping[str, Any], where: str, value: Any) -> Any:
    """``value`` as ``field`` reads it (its ``kind``, ``unit`` and ``rules``), or :class:`MarginInputError`
    naming ``where``. A number comes back EXACTLY as the reader or writer typed it, a
    :class:`~fractions.Fraction` in the field's own unit (a percent as typed: 1/2 for 0.5%), so that every
    decision the calculators make is made on the typed decimal; the caller converts units. A float (a
    number from a page's front matter) is taken as the shortest decimal that gives it back, which is
    the one its writer typed. The bounds are checked on the nearest double, as the browser checks them,
    so both agree on every string."""
    kind = field["kind"]
    if kind == "text":
        text = "" if value is None else _TRIM.sub("", str(value))
        if len(text) > MAX_TEXT:
            raise MarginInputError(where, value, _M["too_long"])
        return text
    if kind == "choice":
        keys = [key for key, _ in field["choices"]]
        if not isinstance(value, str) or value not in keys:
            raise MarginInputError(where, value, _M["choice"].format(choices=", ".join(keys)))
        return value
    if isinstance(value, str):
        typed = _number_text(field, where, value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        typed = value if isinstance(value, int) else repr(value)
    else:
        raise MarginInputError(where, value, _M["number"])
    try:
        number = float(typed)
    except OverflowError:  # an int beyond float range
        raise MarginInputError(where, value, _M["not_finite"]) from None
    if not math.isfinite(number):
        raise MarginInputError(where, value, _M["not_finite"])
    rules = field["rules"]
    if "minimum" in rules and number < rules["minimum"]:
        raise MarginInputError(where, value, rules["messages"]["minimum"])
    if "exclusiveMinimum" in rules and number <= rules["exclusiveMinimum"]:
        raise MarginInputError(where, value, rules["messages"]["exclusiveMinimum"])
    if "maximum" in rules and number > rules["maximum"]:
        raise MarginInputError(where, value, rules["messages"]["maximum"])
    return Fraction(typed)


def _number_text(field: Mapping[str, Any], where: str, value: str) -> str:
    text = _TRIM.sub("", _STRIP.sub("", value))
    suffix = _SUFFIX.get(field.get("unit", ""))
    if suffix is not None:
        text = _TRIM.sub("", suffix.sub("", text))
    if not text:
        raise MarginInputError(where, value, _M["empty"])
    if len(text) > MAX_TEXT:
        raise MarginInputError(where, value, _M["too_long"])
    if "," in text:
        if not _GROUPED.match(text):
            raise MarginInputError(where, value, _M["grouped"])
        text = text.replace(",", "")
    if _NOT_FINITE.match(text):
        raise MarginInputError(where, value, _M["not_finite"])
    if not _NUMBER.match(text):
        raise MarginInputError(where, value, _M["number"])
    return text
