"""The social card's fast drawing gives the pixels of the plain per-pixel compositing it replaced.

``draw_text`` blends most glyph rows a whole row at a time through lookup tables; the reference here
blends every pixel one by one with the formula of ``livecalc.social`` before that change
(``below + ((color - below) * alpha + 127) // 255``), on a canvas built the same way. The PNG is read
back by hand (zlib, filter type 0 per row), so the comparison is of pixels, not of compressed bytes.
Last, the one cache the build keeps: a card is named by a digest of everything that makes it.
"""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livecalc import social


def reference_draw_text(canvas: bytearray, face, text: str, x: int, top: int, color) -> None:
    pen = float(x)
    for character in text:
        glyph = face.glyph(character)
        left = round(pen) - face.pad
        for row in range(face.height):
            y = top + row
            if not 0 <= y < social.HEIGHT:
                continue
            for column in range(glyph.width):
                alpha = glyph.alpha[row * glyph.width + column]
                if not alpha or not 0 <= left + column < social.WIDTH:
                    continue
                at = (y * social.WIDTH + left + column) * 3
                for channel in range(3):
                    below = canvas[at + channel]
                    canvas[at + channel] = below + ((color[channel] - below) * alpha + 127) // 255
        pen += glyph.advance


def pixels(png: bytes) -> tuple[int, int, bytes]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat = 8, b""
    width = height = 0
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind, body = png[position + 4:position + 8], png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3 + 1
    assert all(raw[row * stride] == 0 for row in range(height))  # filter type 0 on every row
    return width, height, b"".join(raw[row * stride + 1:(row + 1) * stride] for row in range(height))


@pytest.mark.parametrize("text", [
    "Crypto isolated margin vs cross margin",
    "fi ffl AVA Tj gyq /// WWW",  # kerning-like overlaps of glyph boxes, descenders
    "Éa naïve façade “quoted” – 100 %",
    "W" * 40,  # runs past the right edge of the canvas
])
@pytest.mark.parametrize("face_name, color", [("title", social.TEXT), ("small", social.MUTED), ("label", social.ACCENT)])
def test_draw_text_gives_the_pixels_of_per_pixel_blending(text, face_name, color):
    face = social.faces()[face_name]
    text = face.printable(text)
    for x, top in ((social.MARGIN, 150), (-30, 600), (social.WIDTH - 300, -20)):  # inside, and cut by the edges
        fast = bytearray(bytes(social.BACKGROUND) * (social.WIDTH * social.HEIGHT))
        social.fill(fast, social.MARGIN, 160, 40, 30, social.ACCENT)  # a drawn shape under the text
        slow = bytearray(fast)
        social.draw_text(fast, face, text, x, top, color)
        social.draw_text(fast, face, text, x + 7, top + 9, color)  # text drawn over text
        reference_draw_text(slow, face, text, x, top, color)
        reference_draw_text(slow, face, text, x + 7, top + 9, color)
        assert fast == slow, (text, x, top)


def reference_card(title: str, site_name: str, tagline: str) -> bytes:
    """The card's pixels drawn as before, in one pass in this order: name, title, accent, tagline."""
    faces = social.faces()
    canvas = bytearray(bytes(social.BACKGROUND) * (social.WIDTH * social.HEIGHT))
    label, heading, small = faces["label"], faces["title"], faces["small"]
    social.fill(canvas, social.MARGIN, 78, 22, 22, social.ACCENT)
    reference_draw_text(canvas, label, label.printable(site_name), social.MARGIN + 36, 89 - label.ascent + 8, social.TEXT)
    lines = social.wrap(heading, heading.printable(" ".join(title.split())), social.WIDTH - 2 * social.MARGIN, social.TITLE_LINES)
    line_height = round(heading.height * 1.12)
    top = 150 + max(0, (social.TITLE_LINES * line_height - line_height * len(lines)) // 2 - line_height // 2)
    for number, line in enumerate(lines):
        reference_draw_text(canvas, heading, line, social.MARGIN, top + number * line_height, social.TEXT)
    social.fill(canvas, social.MARGIN, 524, 96, 6, social.ACCENT)
    if tagline:
        line = social.wrap(small, small.printable(tagline), social.WIDTH - 2 * social.MARGIN, 1)[0]
        reference_draw_text(canvas, small, line, social.MARGIN, 548, social.MUTED)
    return bytes(canvas)


@pytest.mark.parametrize("title", [
    "Short title here",  # one line
    "Bitcoin liquidation price at 10x, example 12 with a second line",  # two
    "Crypto isolated margin vs cross margin: which one to use, when, and what it costs you",
    "Crypto isolated margin vs cross margin: " * 6,  # more than four lines: cut with an ellipsis
    "Jgyq ÉÀ fi “q” " * 5,
    "",  # no title: the card is compressed whole
])
@pytest.mark.parametrize("site_name, tagline", [("livecalc", social.TAGLINE), ("Ünïcode Site — Ω", ""), ("x", "y" * 300)])
def test_a_card_has_the_pixels_of_drawing_it_in_one_pass(title, site_name, tagline):
    """Cards share a frame (name, accent, tagline) drawn and compressed once; the title drawn on it, and
    its rows compressed and joined to the frame's, give the same pixels (``zlib.decompress`` also checks
    the joined stream's Adler-32)."""
    width, height, drawn = pixels(social.draw_card(title, site_name, tagline))
    assert (width, height) == (social.WIDTH, social.HEIGHT)
    assert drawn == reference_card(title, site_name, tagline)


@given(st.binary(max_size=300), st.binary(max_size=300), st.integers(0, 3))
def test_the_checksum_of_two_parts_joined_is_zlibs_checksum_of_the_whole(first, second, copies):
    """A card's Adler-32 is combined from its parts' (the frame's are computed once); zlib computes the
    whole. ``copies`` makes the second part long enough (up to 300 * 2**3 * 30 bytes) to pass 65521,
    the modulus, where a combination that forgot to reduce the length would go wrong."""
    second = second * (30 * 2 ** copies) if second else second
    combined = social.adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
    assert combined == zlib.adler32(first + second)


def test_a_card_is_a_1200_by_630_png_showing_its_title():
    width, height, one = pixels(social.draw_card("Bitcoin liquidation price at 10x", "livecalc"))
    assert (width, height) == (1200, 630)
    _, _, other = pixels(social.draw_card("Ethereum liquidation price at 10x", "livecalc"))
    assert one != other
    background = bytes(social.BACKGROUND)
    assert one[:3] == background and one[-3:] == background  # the corners are the background
    white = bytes(social.TEXT)
    assert white in {one[i:i + 3] for i in range(0, len(one), 3)}  # the title's full-coverage pixels


def test_a_cached_card_is_named_by_what_makes_it_so_an_edited_title_gets_a_new_card(tmp_path, monkeypatch):
    """``.cache/livecalc-social`` holds each card under a digest of its title, the site's name and
    tagline, and the drawing code and font: the same texts are copied, not drawn again; a new title is drawn."""
    cache, site = tmp_path / "cache", tmp_path / "site"
    drawn: list[str] = []
    draw = social.draw_card
    monkeypatch.setattr(social, "draw_card", lambda title, *rest: drawn.append(title) or draw(title, *rest))

    def card(title: str, target: str, **texts) -> bytes:
        texts = {"site_name": "livecalc", "tagline": social.TAGLINE, **texts}
        return social.write_card(site / target, title=title, cache_dir=cache, **texts).read_bytes()

    first = card("Bitcoin liquidation price at 10x", "a.png")
    assert card("Bitcoin liquidation price at 10x", "b.png") == first and drawn == ["Bitcoin liquidation price at 10x"]
    edited = card("Bitcoin liquidation price at 20x", "a.png")
    assert edited != first and drawn[-1] == "Bitcoin liquidation price at 20x"
    assert pixels(edited)[2] == reference_card("Bitcoin liquidation price at 20x", "livecalc", social.TAGLINE)
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        f"{social.card_key(title, 'livecalc', social.TAGLINE)}.png"
        for title in ("Bitcoin liquidation price at 10x", "Bitcoin liquidation price at 20x"))

    card("Bitcoin liquidation price at 20x", "c.png", site_name="other site")  # another site's name: drawn
    assert len(drawn) == 3
    monkeypatch.setattr(social, "drawing_digest", lambda: "other drawing code")
    card("Bitcoin liquidation price at 20x", "d.png")  # other drawing code: drawn again
    assert len(drawn) == 4
