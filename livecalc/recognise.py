"""Recognising figures and worked examples in a writer's prose: a small grammar of regular expressions.

A **figure** is a money amount, a percentage or a leverage multiple (:data:`FIGURE`):

=================  ===========================================================================
kind               written as
=================  ===========================================================================
money              ``$65,000``, ``$1,000.50``, ``-$508.20``, ``$65k``, ``$1.2 million``,
                   ``65,000 USD``, ``65,000 USDT``, ``65,000 dollars``
percent            ``0.5%``, ``10 %``, ``5 percent``
multiple           ``10x``, ``10×`` (leverage)
=================  ===========================================================================

A draft is read paragraph by paragraph (one draft line), sentence by sentence, and each sentence
chunk by chunk (split at commas, semicolons and "and" before an article or a figure). A **position**
starts at a chunk that names a side (``long``, ``short``) or a leverage with an asset or the word
"position"; the figures of its chunk, and of later chunks and sentences of the paragraph until the
next position, are read by the words around them (:data:`INPUT_CUES`, :data:`RESULT_CUES`):

- the words *before* a figure, back to the previous figure or the start of its sentence, are read
  first; a result's words there win over an input's;
- then the words *after* it, up to the next figure or the end of its sentence;
- a figure with no words for it that repeats an input ("your $1,000") is that input again; one
  whose value agrees with exactly one result is that result ("from the values"); any other is
  unverified.

A paragraph that names a wallet (``a $3,000 account``, ``wallet balance of $3,000``) is one cross
margin account holding all its positions; otherwise each position is its own isolated example.
Nothing is guessed: an input a result depends on but the text does not give leaves that result
unverified (:mod:`livecalc.claims` tests the dependence by computing it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

MONEY, PERCENT, MULTIPLE = "money", "percent", "multiple"

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALES = {"k": 1000, "thousand": 1000, "m": 10**6, "million": 10**6, "bn": 10**9, "billion": 10**9}

#: Every figure of a text; one of the named groups tells its kind.
FIGURE = re.compile(
    rf"(?<![\w.,$])(?P<sign>[-\u2212])?\$\s?(?P<dollars>{_NUMBER})(?:\s?(?P<scale>k|K|m|M|bn|thousand|million|billion)\b)?"
    rf"|(?<![\w.,$])(?P<usd>{_NUMBER})(?:\s?(?P<usd_scale>k|thousand|million|billion))?\s?(?:USDT?|US dollars|dollars)\b"
    rf"|(?<![\w.,$])(?P<percent>{_NUMBER})\s?(?:%|percent\b|per cent\b)"
    rf"|(?<![\w.,$])(?P<multiple>\d+(?:\.\d+)?)\s?[x\u00d7](?![\w])"
)


# Where a figure can start: its first character (a sign, "$" or a digit), not after a letter, digit,
# point, comma or "$" (the look-behind every branch of FIGURE starts with). Found by a scan for the
# character, where FIGURE's own search tries all four branches at every character of the text.
_FIGURE_START = re.compile(r"[-\u2212$\d](?<![\w.,$].)")
_FIGURE_START_ASCII = re.compile(r"[-$0-9](?<![\w.,$].)")  # the same in ASCII text, scanned faster


def _figure_matches(text: str):
    """``FIGURE.finditer(text)``, several times faster on a page of prose: FIGURE is tried only
    where a figure can start, from the end of the last one found."""
    match_at = FIGURE.match
    end = 0
    for start in (_FIGURE_START_ASCII if text.isascii() else _FIGURE_START).finditer(text):
        position = start.start()
        if position < end:
            continue
        match = match_at(text, position)
        if match:
            end = match.end()
            yield match


@dataclass(frozen=True)
class Figure:
    """A figure as written: its kind, its exact value (dollars; percent points, 0.5 for 0.5%;
    the multiple), where it is in its paragraph and on which line of the draft or page."""

    kind: str
    value: Fraction
    text: str
    start: int
    end: int
    line: int
    #: half a unit of the last digit written, in the figure's own scale (``$65k``: 500)
    half_unit: Fraction

    @property
    def stated(self) -> str:
        """The figure as ``fig(stated=...)`` reads it: ``$65,000``, ``0.5%``."""
        if self.kind == PERCENT:
            return f"{_plain(self.value)}%"
        if self.kind == MULTIPLE:
            return f"{_plain(self.value)}x"
        sign = "-" if self.value < 0 else ""
        text = _plain(abs(self.value))
        whole, _, decimals = text.partition(".")
        return f"{sign}${int(whole):,}" + (f".{decimals}" if decimals else "")

    @property
    def decimals(self) -> int:
        """How many decimals the writer gave (``$65k``: none)."""
        exponent = Decimal(str(float(self.half_unit * 2))).normalize().as_tuple().exponent
        return max(0, -int(exponent))

    @property
    def scaled(self) -> bool:
        """Written with a scale word (``$65k``, ``$1.2 million``): agreement is to the scale's digit."""
        return self.half_unit > Fraction(1, 2)


def _plain(value: Fraction) -> str:
    """An exact decimal as plain digits: 65000, 0.5, 1234.56 (the values here come from decimals)."""
    number = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(number.normalize(), "f")
    return text


def _exact(digits: str) -> tuple[Fraction, Fraction]:
    """The value of written digits and half a unit of their last digit."""
    number = Decimal(digits.replace(",", ""))
    exponent = number.as_tuple().exponent
    return Fraction(number), Fraction(Decimal(5).scaleb(exponent - 1))


def figures(text: str, line: int = 0, offset: int = 0) -> list[Figure]:
    """Every figure of ``text`` (positions are ``offset`` + the position in ``text``).

    >>> [f.stated for f in figures("A 10x long at $65k, 0.5% maintenance, 1,000 USD of margin")]
    ['10x', '$65,000', '0.5%', '$1,000']
    """
    found = []
    for match in _figure_matches(text):
        if match.group("dollars") or match.group("usd"):
            digits = match.group("dollars") or match.group("usd")
            value, half = _exact(digits)
            scale = (match.group("scale") or match.group("usd_scale") or "").lower()
            if scale:
                value, half = value * _SCALES[scale], half * _SCALES[scale]
            if match.group("sign"):
                value = -value
            kind = MONEY
        elif match.group("percent"):
            value, half = _exact(match.group("percent"))
            kind = PERCENT
        else:
            value, half = _exact(match.group("multiple"))
            kind = MULTIPLE
        found.append(Figure(kind, value, match.group(0), offset + match.start(), offset + match.end(), line, half))
    return found


# ----------------------------------------------------------------------------------------- words

#: Assets by the names a writer uses (case-insensitive names, upper-case tickers).
ASSETS = {"bitcoin": "BTC", "ethereum": "ETH", "ether": "ETH", "solana": "SOL", "dogecoin": "DOGE",
          "cardano": "ADA", "ripple": "XRP", "litecoin": "LTC", "avalanche": "AVAX", "chainlink": "LINK"}
_ASSET = re.compile(r"\b(?:(?i:" + "|".join(ASSETS) + r")|(?P<ticker>BTC|ETH|SOL|XRP|DOGE|ADA|BNB|LTC|AVAX|LINK))\b")
_SIDE = re.compile(r"(?<!\bas )(?<!\bhow )\b(?P<side>long|short)(?:s|ing)?\b(?!-term| as\b| time\b| run\b)", re.I)
_POSITION_WORD = re.compile(r"\bposition\b|\btrade\b", re.I)
_RANGE = re.compile(r"^\s*(?:to|and|-|–|—)\s*$")
_CHUNK = re.compile(r",\s+(?:and\s+)?|;\s*|\s+and\s+(?=(?:an?|the)\s|\$|\d)")
_SENTENCE = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z\"“(])")
_NO_MAINTENANCE = re.compile(r"\b(?:before|without|ignoring|excluding)\s+(?:accounting\s+for\s+|counting\s+)?(?:the\s+|any\s+)?maintenance\b", re.I)
_EXCHANGE_MODEL = re.compile(r"\bmark price\b|\bexchange model\b|\bmark value\b", re.I)
_SIMPLE_MODEL = re.compile(r"\bentry value\b|\bsimple model\b|\btextbook\b", re.I)

#: Words that make a figure an input, read at the end of the words before it (``before``) or at the
#: start of the words after it (``after``): (field, kind, before, after).
INPUT_CUES: tuple[tuple[str, str, re.Pattern | None, re.Pattern | None], ...] = (
    ("wallet_balance", MONEY,
     re.compile(r"\b(?:wallet|account|balance)(?:\s+balance)?\s+(?:of|holding|with|is|worth)\s*$|\baccount\s+(?:holding|with)\s*$", re.I),
     re.compile(r"^\s*(?:account|wallet|balance)\b", re.I)),
    ("mmr", PERCENT,
     re.compile(r"\b(?:maintenance(?:\s+margin)?(?:\s+rate)?|mmr)(?:\s+(?:on|at|of|for)\s+(?:the|this|that|each)?\s*\w+)?\s*(?:is|of|at|=|:|set\s+to|being)?\s*$", re.I),
     re.compile(r"^\s*(?:maintenance(?:\s+margin)?(?:\s+rate)?|mmr)\b", re.I)),
    ("margin", MONEY,
     re.compile(r"\b(?:margin|collateral)\s+(?:of|is)\s*$|\bputs?\s+up\s*$|\bposts?\s*$|\bwith\s+(?:only\s+|just\s+)?$", re.I),
     re.compile(r"^\s*(?:of\s+)?(?:isolated\s+|cross\s+|initial\s+)?(?:margin|collateral)\b", re.I)),
    ("size", MONEY,
     re.compile(r"\b(?:position\s+size|size|notional|position\s+worth|position)\s+(?:of|is|worth)\s*$|\bworth\s*$", re.I),
     re.compile(r"^\s*(?:(?:\w+\s+){0,2}(?:long|short|position)s?\b|worth\s+of\b|notional\b)", re.I)),
    ("entry_price", MONEY,
     re.compile(r"\b(?:at|from|entry(?:\s+price)?(?:\s+of|\s+at|\s+is)?|entered\s+at|opened\s+at|bought\s+at|sold\s+at|price\s+of)\s*$", re.I),
     None),
)

#: Words that make a figure a result: (pattern, kind, output of an isolated example, output of a
#: cross account; ``{asset}`` is the position's label).
RESULT_CUES: tuple[tuple[re.Pattern, str, str | None, str | None], ...] = (
    (re.compile(r"bankrupt", re.I), MONEY, "bankruptcy_price", None),
    (re.compile(r"margin ratio", re.I), PERCENT, None, "margin_ratio"),
    (re.compile(r"maintenance requirement|requirement", re.I), MONEY, "maintenance_margin", "maintenance_requirement"),
    (re.compile(r"\bequity\b", re.I), MONEY, None, "equity"),
    (re.compile(r"unreali[sz]ed", re.I), MONEY, None, "unrealized_pnl"),
    (re.compile(r"max(?:imum)?\s+loss|lose\s+at\s+most|most\s+(?:you|it|the position)\s+can\s+lose|capped\s+at|at\s+risk", re.I),
     MONEY, "max_loss", None),
    (re.compile(r"initial\s+margin", re.I), MONEY, "initial_margin", None),
    (re.compile(r"initial\s+margin", re.I), PERCENT, "initial_margin_rate", None),
    (re.compile(r"maintenance\s+margin", re.I), MONEY, "maintenance_margin", None),
    (re.compile(r"liquidat", re.I), MONEY, "liquidation_price", "positions.{asset}.liquidation_price"),
    (re.compile(r"position\s+size|\bnotional\b|\bsize\s+(?:equals|is|of|comes)|\bexposure\b|position\s+(?:is\s+)?worth", re.I),
     MONEY, "notional", None),
    (re.compile(r"\bmove|\bdrop|\bfall|\bdecline|\brall(?:y|ies)|\brise|\bbuffer|\bdistance|\baway\b|\badverse|\bcushion|\bswing|\bdip", re.I),
     PERCENT, "distance_pct", "positions.{asset}.distance_pct"),
)

# The isolated outputs that a stated figure with no words for it may be matched to by value.
VALUE_MATCHED = {MONEY: ("liquidation_price", "bankruptcy_price", "notional", "initial_margin", "maintenance_margin"),
                 PERCENT: ("distance_pct", "initial_margin_rate")}


# ----------------------------------------------------------------------------------------- reading

@dataclass
class Role:
    """What a figure of a paragraph is: an input of a position, a result, or nothing recognised."""

    figure: Figure
    #: "input", "result" or "" (unrecognised); "wallet" for an account's balance
    role: str = ""
    #: the input's field, or the result's output in an isolated example (``distance_pct``)
    name: str = ""
    #: the result's output in a cross-margin account (``positions.{asset}.liquidation_price``)
    cross_name: str = ""
    #: the position it belongs to (an index into Paragraph.positions), or None
    position: int | None = None
    #: inputs changed for this figure only (``mmr=0`` for "before accounting for maintenance margin")
    overrides: dict[str, object] = field(default_factory=dict)
    #: the asset named nearest before the figure in its sentence, for an account's results
    asset: str | None = None
    #: found by its value, no words: settled by :mod:`livecalc.claims`
    by_value: bool = False
    #: part of a range ("5% to 15%", "between 0.5% and 2%"): never an input or a result
    in_range: bool = False
    #: where the words read after the figure end ("0.5% maintenance margin"): the next figure's
    #: words before it start there
    consumed: int = 0


@dataclass
class Position:
    """A position as the text gives it: only what is written."""

    sentence: int
    side: str | None = None
    asset: str | None = None
    inputs: dict[str, Figure] = field(default_factory=dict)


@dataclass
class Paragraph:
    text: str
    line: int
    roles: list[Role]
    positions: list[Position]
    #: a wallet figure: the paragraph is one cross-margin account
    wallet: Figure | None = None
    #: "simple" or "exchange" when the paragraph names the model
    model: str | None = None
    #: a maintenance rate given before any position, for every position of an account
    shared_mmr: Figure | None = None


def sentences(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each sentence of a paragraph."""
    spans, start = [], 0
    for match in _SENTENCE.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, at = [], start
    for match in _CHUNK.finditer(text, start, end):
        spans.append((at, match.start()))
        at = match.end()
    spans.append((at, end))
    return [span for span in spans if span[1] > span[0]]


def _asset_in(text: str) -> str | None:
    match = _ASSET.search(text)
    if not match:
        return None
    return match.group("ticker") or ASSETS[match.group(0).lower()]


def _last_asset(text: str) -> str | None:
    found = None
    for match in _ASSET.finditer(text):
        found = match.group("ticker") or ASSETS[match.group(0).lower()]
    return found


def read_paragraph(text: str, line: int) -> Paragraph:
    """Read one paragraph: its figures, its positions, and what each figure is by the words around it."""
    figs = figures(text, line)
    roles = [Role(f) for f in figs]
    paragraph = Paragraph(text, line, roles, [])
    if _EXCHANGE_MODEL.search(text):
        paragraph.model = "exchange"
    elif _SIMPLE_MODEL.search(text):
        paragraph.model = "simple"

    # ranges: "5% to 15%", "3x to 5x", "between 0.5% and 2%"
    for left, right in zip(roles, roles[1:]):
        if left.figure.kind == right.figure.kind and _RANGE.match(text[left.figure.end:right.figure.start]):
            left.in_range = right.in_range = True

    current: int | None = None
    for number, (s_start, s_end) in enumerate(sentences(text)):
        in_sentence = [r for r in roles if s_start <= r.figure.start < s_end]
        for c_start, c_end in _chunks(text, s_start, s_end):
            chunk = text[c_start:c_end]
            chunk_roles = [r for r in in_sentence if c_start <= r.figure.start < c_end]
            side = _SIDE.search(chunk)
            leverage = [r for r in chunk_roles if r.figure.kind == MULTIPLE and not r.in_range]
            asset = _asset_in(chunk)
            side_word = side.group("side").lower() if side else None
            if _starts_position(paragraph, current, chunk, chunk_roles, side_word, asset, leverage):
                position = Position(number, side=side_word, asset=asset)
                paragraph.positions.append(position)
                current = len(paragraph.positions) - 1
            for role in chunk_roles:
                _read_figure(text, role, in_sentence, (s_start, s_end), paragraph, current)
    return paragraph


def _starts_position(paragraph: Paragraph, current: int | None, chunk: str, chunk_roles: list[Role],
                     side: str | None, asset: str | None, leverage: list[Role]) -> bool:
    """Whether a chunk opens a new position: it names a side, or a leverage with an asset or the word
    position or leverage; it holds a figure (a money amount or a leverage); and it is not the current
    position named again ("the long", "your $1,000 multiplied by 10x leverage")."""
    if not (side or (leverage and (asset or _POSITION_WORD.search(chunk) or re.search(r"leverag", chunk, re.I)))):
        return False
    if not any(r.figure.kind in (MONEY, MULTIPLE) and not r.in_range for r in chunk_roles):
        return False
    if current is None or re.search(r"\b(?:another|second|third|other)\b", chunk, re.I):
        return True
    position = paragraph.positions[current]
    if side and position.side and side != position.side:
        return True
    if asset and asset != position.asset:
        return True
    given = position.inputs.get("leverage")
    if leverage and given is not None and leverage[0].figure.value != given.value:
        return True
    return False


def _window_before(text: str, role: Role, in_sentence: list[Role], sentence: tuple[int, int]) -> str:
    earlier = [max(r.figure.end, min(r.consumed, role.figure.start)) for r in in_sentence
               if r.figure.end <= role.figure.start]
    return text[max(earlier) if earlier else sentence[0]:role.figure.start]


def _window_after(text: str, role: Role, in_sentence: list[Role], sentence: tuple[int, int]) -> str:
    later = [r.figure.start for r in in_sentence if r.figure.start >= role.figure.end]
    return text[role.figure.end:min(later) if later else sentence[1]]


def _read_figure(text: str, role: Role, in_sentence: list[Role], sentence: tuple[int, int],
                 paragraph: Paragraph, current: int | None) -> None:
    fig = role.figure
    before = _window_before(text, role, in_sentence, sentence)
    after = _window_after(text, role, in_sentence, sentence)
    role.asset = _last_asset(text[sentence[0]:fig.start]) or _asset_in(text[fig.end:sentence[1]])
    if _NO_MAINTENANCE.search(after) or _NO_MAINTENANCE.search(before):
        role.overrides["mmr"] = 0
    if role.in_range:
        return

    # A wallet makes the paragraph an account, wherever the wallet is written.
    for name, kind, cue_before, cue_after in INPUT_CUES[:1]:
        match = cue_after.search(after) if fig.kind == kind and cue_after else None
        if fig.kind == kind and ((cue_before and cue_before.search(before)) or match):
            role.role, role.name = "wallet", name
            role.consumed = fig.end + match.end() if match else 0
            if paragraph.wallet is None:
                paragraph.wallet = fig
            return

    if fig.kind == MULTIPLE:
        if current is not None:
            position = paragraph.positions[current]
            if "leverage" not in position.inputs:
                position.inputs["leverage"] = fig
                role.role, role.name, role.position = "input", "leverage", current
            elif position.inputs["leverage"].value == fig.value:
                role.role, role.name, role.position = "input", "leverage", current  # said again
        return

    result = _result_cue(before, fig.kind, last=True)
    if result is None:
        inputs = [(name, kind, cue_before, cue_after) for name, kind, cue_before, cue_after in INPUT_CUES[1:]]
        if fig.kind == PERCENT and re.search(r"\b(?:each|both|all|every)\b", before, re.I) and any(
                cue.search(before) or (after_cue and after_cue.search(after))
                for field_name, _, cue, after_cue in inputs if field_name == "mmr" and cue):
            _input(role, "mmr", paragraph, None)  # "each with a 0.5% maintenance margin rate"
            return
        for name, kind, cue_before, cue_after in inputs:
            if fig.kind == kind and cue_before is not None and cue_before.search(before):
                _input(role, name, paragraph, current)
                return
        for name, kind, cue_before, cue_after in inputs:
            match = cue_after.search(after) if fig.kind == kind and cue_after is not None else None
            if match:
                role.consumed = fig.end + match.end()
                _input(role, name, paragraph, current)
                return
        result = _result_cue(after, fig.kind, last=False)
    if result is not None:
        if current is None:
            return
        position = paragraph.positions[current]
        # "a position size of $10,000" is the size given, unless margin and leverage already give it
        isolated_output, cross_output = result
        if isolated_output == "notional" and "size" not in position.inputs and not (
                "margin" in position.inputs and "leverage" in position.inputs):
            _input(role, "size", paragraph, current)
            return
        if isolated_output == "initial_margin" and "margin" not in position.inputs and "size" not in position.inputs:
            _input(role, "margin", paragraph, current)
            return
        role.role, role.name, role.cross_name, role.position = "result", isolated_output, cross_output, current
        return
    if current is None:
        return
    # No words for it: an input said again, or a result found by its value (settled in claims).
    for name, given in paragraph.positions[current].inputs.items():
        if given.kind == fig.kind and given.value == fig.value:
            role.role, role.name, role.position = "input", name, current
            return
    role.role, role.position, role.by_value = "result", current, True


def _input(role: Role, name: str, paragraph: Paragraph, current: int | None) -> None:
    if name == "mmr" and current is None:
        role.role, role.name = "input", "mmr"
        paragraph.shared_mmr = role.figure
        return
    if current is None:
        return
    position = paragraph.positions[current]
    if name in position.inputs and position.inputs[name].value != role.figure.value:
        if name == "mmr" and "mmr" in position.inputs:
            return  # a second rate in the same position's text: not read
        return
    position.inputs.setdefault(name, role.figure)
    role.role, role.name, role.position = "input", name, current


def _result_cue(window: str, kind: str, last: bool) -> tuple[str, str] | None:
    """``(isolated output, cross output)`` named by the cue nearest the figure in ``window`` (the
    window's end when ``last``, its start otherwise); either may be empty."""
    best: tuple[int, tuple[str, str]] | None = None
    for pattern, cue_kind, isolated_output, cross_output in RESULT_CUES:
        if cue_kind != kind:
            continue
        for match in pattern.finditer(window):
            where = match.end() if last else -match.start()
            if best is None or where > best[0]:
                best = (where, (isolated_output or "", cross_output or ""))
    return best[1] if best else None
