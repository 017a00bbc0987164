"""The one error type for bad inputs, shared by every calculator."""

from __future__ import annotations


class MarginInputError(ValueError):
    """An input that the margin mathematics cannot accept.

    ``field`` names the input (``"entry_price"``, ``"positions[1].mmr"``, ...), ``value`` is what was
    given, and ``str(error)`` says both and why, so a calculator can show it next to the right field
    and a build can print it as it is.
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        super().__init__(f"{field}: {reason} (got {shown})")
