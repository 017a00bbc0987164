"""Social cards: a 1200x630 PNG per page, drawn with the standard library (zlib) at build time.

Social sites read ``og:image`` and need PNG or JPEG (not SVG). The card shows the site's name, the
page's title and the site's tagline on the site's colours. Text is drawn from glyph coverage maps
rendered once from DejaVu Sans (``data/card-font.json``, made by ``python -m livecalc.fontgen``), so
the build reads no font file and needs no imaging library.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import shutil
import struct
import tempfile
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
BACKGROUND = (0x30, 0x3F, 0x9F)  # Material's indigo 700, as in the logo
TEXT = (0xFF, 0xFF, 0xFF)
MUTED = (0xC5, 0xCA, 0xE9)  # indigo 100
ACCENT = (0xFF, 0xD5, 0x4F)  # amber 300, the logo's dot
TITLE_LINES = 4
TAGLINE = "Every figure computed, checked at build time, live in your browser"
ATLAS = Path(__file__).resolve().parent / "data" / "card-font.json"


@dataclass(frozen=True)
class Glyph:
    advance: float
    width: int
    alpha: bytes  # width * face height coverage values, row by row


class Face:
    """One font face of the atlas: glyphs by character, each decoded on first use."""

    def __init__(self, data: dict) -> None:
        self.ascent, self.descent, self.pad = data["ascent"], data["descent"], data["pad"]
        self.height = self.ascent + self.descent
        self._raw = data["glyphs"]
        self._glyphs: dict[str, Glyph] = {}
        self._inked: dict[tuple, list[tuple[int, int, int, bytes]]] = {}

    def has(self, character: str) -> bool:
        return character in self._raw

    def glyph(self, character: str) -> Glyph:
        if character not in self._glyphs:
            raw = self._raw[character]
            self._glyphs[character] = Glyph(raw["advance"], raw["width"], zlib.decompress(base64.b64decode(raw["alpha"])))
        return self._glyphs[character]

    def inked_rows(self, character: str, color: tuple[int, int, int],
                   background: tuple[int, int, int]) -> list[tuple[int, int, int, bytes]]:
        """The rows of the glyph's box that have ink, each ``(row, first, end, pixels)``: its inked
        columns ``first`` to ``end`` (excluded) as RGB bytes, blended over plain ``background``."""
        key = (character, color, background)
        if key not in self._inked:
            glyph = self.glyph(character)
            tables = _blend_tables(background, color)
            rows: list[tuple[int, int, int, bytes]] = []
            for row in range(self.height):
                coverage = glyph.alpha[row * glyph.width:(row + 1) * glyph.width]
                inked = coverage.rstrip(b"\x00")
                if not inked:
                    continue
                first = len(inked) - len(inked.lstrip(b"\x00"))
                part = inked[first:]
                pixels = bytearray(len(part) * 3)
                for channel in range(3):
                    pixels[channel::3] = part.translate(tables[channel])
                rows.append((row, first, len(inked), bytes(pixels)))
            self._inked[key] = rows
        return self._inked[key]

    def printable(self, text: str) -> str:
        """``text`` with every character the atlas lacks replaced by its unaccented form, or ``?``."""
        out = []
        for character in text:
            if self.has(character):
                out.append(character)
                continue
            base = "".join(c for c in unicodedata.normalize("NFKD", character) if not unicodedata.combining(c))
            out.append(base if base and all(self.has(c) for c in base) else "?")
        return "".join(out)

    def width(self, text: str) -> float:
        return sum(self.glyph(c).advance for c in text)


@functools.lru_cache(maxsize=1)
def faces() -> dict[str, Face]:
    data = json.loads(ATLAS.read_text("utf-8"))
    return {name: Face(face) for name, face in data["faces"].items()}


def wrap(face: Face, text: str, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels; the last line ends with an ellipsis if text is left over."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if face.width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while face.width(word) > width:  # a word longer than a line: cut it
            cut = len(word)
            while cut > 1 and face.width(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and face.width(last + " …") > width:
            last = last[:-1].rstrip()
        lines = lines[: max_lines - 1] + [last.rstrip(" -–—,;:") + " …"]
    return lines


def blend(below: int, color: int, alpha: int) -> int:
    """One channel of ``color`` laid over ``below`` with coverage ``alpha`` (0-255), rounded."""
    return below + ((color - below) * alpha + 127) // 255


@functools.lru_cache(maxsize=64)
def _blend_tables(below: tuple[int, int, int], color: tuple[int, int, int]) -> tuple[bytes, bytes, bytes]:
    """For each channel, the blended value for every coverage 0-255 over the plain colour ``below``."""
    return tuple(bytes(blend(b, c, alpha) for alpha in range(256)) for b, c in zip(below, color))


def draw_text(canvas: bytearray, face: Face, text: str, x: int, top: int, color: tuple[int, int, int],
              background: tuple[int, int, int] = BACKGROUND) -> None:
    """Composite ``text`` onto the RGB ``canvas`` (``WIDTH`` wide), its line box's top-left at ``(x, top)``.

    Glyphs are blended over plain ``background`` once per process (:meth:`Face.inked_rows`) and
    copied where the canvas under a row's ink is indeed plain: right of the ink drawn before on that
    row of the line, when the canvas there is plain. Where two glyphs' ink meets (a few pixels), and
    on anything drawn before, pixels are blended one by one. Both compute :func:`blend` for every
    pixel, so the result is the same.
    """
    color, background = tuple(color), tuple(background)
    plain = memoryview(bytes(background) * WIDTH)  # a plain row, to compare the canvas with in place
    pen = float(x)
    inked_to = [0] * face.height  # per row of the line box: the canvas column where the ink so far ends
    for character in text:
        glyph = face.glyph(character)
        left = round(pen) - face.pad
        for row, first, end, pixels in face.inked_rows(character, color, background):
            y = top + row
            if not 0 <= y < HEIGHT:
                continue
            slow_to = end
            done = inked_to[row] - left
            split = first if first > done else done  # ink columns from here on: right of the ink drawn so far
            if split < end and 0 <= left + split and left + end <= WIDTH:
                start = (y * WIDTH + left + split) * 3
                stop = start + (end - split) * 3
                if canvas.startswith(plain[: stop - start], start):
                    canvas[start:stop] = pixels[(split - first) * 3:]
                    slow_to = split
            if first < slow_to:  # the rest, pixel by pixel
                coverage = glyph.alpha[row * glyph.width:(row + 1) * glyph.width]
                for column in range(first, slow_to):
                    alpha = coverage[column]
                    if not alpha or not 0 <= left + column < WIDTH:
                        continue
                    at = (y * WIDTH + left + column) * 3
                    for channel in range(3):
                        canvas[at + channel] = blend(canvas[at + channel], color[channel], alpha)
            if left + end > inked_to[row]:
                inked_to[row] = left + end
        pen += glyph.advance


def fill(canvas: bytearray, x: int, y: int, width: int, height: int, color: tuple[int, int, int]) -> None:
    run = bytes(color) * width
    for row in range(y, y + height):
        at = (row * WIDTH + x) * 3
        canvas[at:at + width * 3] = run


def card_path(page_url: str) -> str:
    """Where a page's card goes in the site: ``guide/`` -> ``assets/social/guide.png``, home -> ``index.png``.

    The theme (partials/livecalc-page.html) computes the same name for ``og:image``.

    >>> card_path("crypto-isolated-margin-vs-cross-margin/"), card_path(""), card_path("a/b/")
    ('assets/social/crypto-isolated-margin-vs-cross-margin.png', 'assets/social/index.png', 'assets/social/a-b.png')
    """
    key = page_url.strip("/").replace("/", "-") or "index"
    return f"assets/social/{key}.png"


def png_chunks(width: int, height: int, idat: bytes) -> bytes:
    """An 8-bit RGB PNG (PNG spec, ISO/IEC 15948) whose image data is the zlib stream ``idat``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit RGB PNG from ``rows`` (each ``width * 3`` bytes), filter type 0 (PNG spec, ISO/IEC 15948).

    zlib level 6, its default: a card is 10% larger than at level 9 (28 against 25.6 kB) and is
    compressed six times faster (8 against 51 ms), which was half the time of drawing a card.
    """
    raw = b"".join(b"\x00" + row for row in rows)
    return png_chunks(width, height, zlib.compress(raw, 6))


@functools.lru_cache(maxsize=8)
def card_frame(site_name: str, tagline: str) -> bytes:
    """The RGB pixels of a card without its title: what every page's card shares."""
    face = faces()
    canvas = bytearray(bytes(BACKGROUND) * (WIDTH * HEIGHT))
    label, small = face["label"], face["small"]
    fill(canvas, MARGIN, 78, 22, 22, ACCENT)
    draw_text(canvas, label, label.printable(site_name), MARGIN + 36, 89 - label.ascent + 8, TEXT)
    fill(canvas, MARGIN, 524, 96, 6, ACCENT)
    draw_text(canvas, small, wrap(small, small.printable(tagline), WIDTH - 2 * MARGIN, 1)[0] if tagline else "", MARGIN, 548, MUTED)
    return bytes(canvas)


def _scanlines(pixels: bytes | bytearray, first: int, end: int) -> bytes:
    """Rows ``first`` to ``end`` (excluded) of an RGB canvas as PNG scanlines: filter type 0, then the row."""
    stride = WIDTH * 3
    return b"".join(b"\x00" + pixels[row * stride:(row + 1) * stride] for row in range(first, end))


#: zlib's level for the title's rows, the part compressed for every card (the frame's rows are
#: compressed once, at level 6). Level 3 takes 1.7 ms less a card than level 6 (5.4 against 7.1 ms
#: with the drawing of the time), for 11% more bytes (36 against 32 kB; 200 titles, best of five runs).
#: A card is fetched by link previews, never by a reader of the page: the build's time counts for more.
TITLE_LEVEL = 3


def _deflate(raw: bytes, last: bool, level: int = 6) -> bytes:
    """``raw`` as raw deflate blocks (zlib ``level``). Not ``last``: ended by a sync flush (byte-aligned,
    the final bit unset), so that more blocks, compressed on their own, can follow."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(raw) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two byte strings joined, from each one's Adler-32 and the second's length
    (RFC 1950: A = 1 + the sum of the bytes, B = the sum of A after each byte, both mod 65521; zlib's
    adler32_combine).

    >>> adler32_combine(zlib.adler32(b"ab"), zlib.adler32(b"cd"), 2) == zlib.adler32(b"abcd")
    True
    """
    a1, b1, a2, b2 = first & 0xFFFF, first >> 16, second & 0xFFFF, second >> 16
    a = (a1 + a2 - 1) % 65521
    b = (b1 + b2 + second_length * (a1 - 1)) % 65521
    return (b << 16) | a


@functools.lru_cache(maxsize=32)
def _frame_band(site_name: str, tagline: str, first: int, end: int) -> tuple[bytes, int, int]:
    """Rows ``first`` to ``end`` of the frame as PNG scanlines: ``(deflated, adler32, length)``;
    deflated as the last band when it reaches the bottom of the card."""
    raw = _scanlines(card_frame(site_name, tagline), first, end)
    return _deflate(raw, last=end == HEIGHT), zlib.adler32(raw), len(raw)


def draw_card(title: str, site_name: str, tagline: str = TAGLINE) -> bytes:
    """The card's PNG bytes: the site's name, the title (up to four lines), an accent and the tagline.

    The title is drawn on the shared :func:`card_frame`; its lines lie between y = 150 and 454 (four
    lines of 78 px at most, from 150), clear of the name above and of the accent and tagline below.
    Only the rows of the title's lines are compressed for each card: the frame's rows above and below
    them are compressed once, and the three parts are joined into one zlib stream (RFC 1950/1951:
    deflate blocks, the Adler-32 of all the scanlines).
    """
    heading = faces()["title"]
    frame = card_frame(site_name, tagline)
    canvas = bytearray(frame)
    lines = wrap(heading, heading.printable(" ".join(title.split())), WIDTH - 2 * MARGIN, TITLE_LINES)
    line_height = round(heading.height * 1.12)
    block = line_height * len(lines)
    top = 150 + max(0, (TITLE_LINES * line_height - block) // 2 - line_height // 2)
    for number, line in enumerate(lines):
        draw_text(canvas, heading, line, MARGIN, top + number * line_height, TEXT)

    first = min(top, HEIGHT)
    end = min(HEIGHT, max(first, top + (len(lines) - 1) * line_height + heading.height))
    stride = WIDTH * 3
    if not (lines and 0 < first < end < HEIGHT and canvas[:first * stride] == frame[:first * stride]
            and canvas[end * stride:] == frame[end * stride:]):  # the title drew outside its lines
        return png(WIDTH, HEIGHT, [bytes(canvas[row * stride:(row + 1) * stride]) for row in range(HEIGHT)])
    above_deflated, above_adler, _ = _frame_band(site_name, tagline, 0, first)
    below_deflated, below_adler, below_length = _frame_band(site_name, tagline, end, HEIGHT)
    middle = _scanlines(canvas, first, end)
    checksum = adler32_combine(zlib.adler32(middle, above_adler), below_adler, below_length)
    stream = b"\x78\x9c" + above_deflated + _deflate(middle, last=False, level=TITLE_LEVEL) + below_deflated + struct.pack(">I", checksum)
    return png_chunks(WIDTH, HEIGHT, stream)


@functools.lru_cache(maxsize=1)
def drawing_digest() -> str:
    """A digest of what draws every card: this module's code and the glyph atlas, read once per process
    (the process draws with the code and the atlas it loaded, so a later edit takes a new process)."""
    return hashlib.sha256(Path(__file__).read_bytes() + b"\0" + ATLAS.read_bytes()).hexdigest()


def card_key(title: str, site_name: str, tagline: str) -> str:
    """The name of a card in the cache: a digest of everything that makes it (its texts, the drawing)."""
    made_of = "\0".join((drawing_digest(), site_name, tagline, title))
    return hashlib.sha256(made_of.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file beside ``path``: another build never reads half a card."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_card(
    target: Path, *, title: str, site_name: str, tagline: str = TAGLINE, cache_dir: Path | None = None
) -> Path:
    """Write the card for ``title`` to ``target``; a card drawn before from the same texts by the same
    code is copied from ``cache_dir`` (``.cache/livecalc-social`` in a build), named by :func:`card_key`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    cached = Path(cache_dir) / f"{card_key(title, site_name, tagline)}.png" if cache_dir else None
    if cached and cached.is_file():
        shutil.copyfile(cached, target)
        return target
    data = draw_card(title, site_name, tagline)
    target.write_bytes(data)
    if cached:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(cached, data)
        except OSError:
            pass  # a read-only checkout still builds, only without the cache
    return target
