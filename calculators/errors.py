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
        try:
            shown = repr(value)
        except ValueError:
            # CPython will not print an int of more than 4,300 digits in decimal (a Fraction of
            # 2**20001 is refused for its size; its message must not fail in turn)
            shown = f"<{type(value).__name__} too long to show>"
        if len(shown) > 60:
            shown = shown[:57] + "..."
        super().__init__(f"{field}: {reason} (got {shown})")
