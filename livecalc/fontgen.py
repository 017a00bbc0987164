"""Developer tool, not used by the build: render the social cards' glyphs, and the publisher's logo.

The build draws cards with the standard library only, so it cannot read a font file. This tool has
headless Chromium draw each glyph of DejaVu Sans (Bitstream Vera licence, which allows this use) on a
canvas once, and stores the coverage (alpha) of every glyph with its advance width in
``livecalc/data/card-font.json``. Run it again only to change the font, the sizes or the characters::

    .venv/bin/python -m livecalc.fontgen            # needs Chromium (Debian's /usr/bin/chromium)

It also renders ``overrides/assets/images/livecalc-logo.png`` (the publisher logo of the JSON-LD).
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ATLAS = Path(__file__).resolve().parent / "data" / "card-font.json"
LOGO = ROOT / "overrides" / "assets" / "images" / "livecalc-logo.png"

CHARACTERS = "".join(chr(c) for c in range(32, 127)) + "’‘“”–—…×·°±≈€£¥éèêëàâäáôöóòûüúùîïíìçñÉÈÀÇ"
FACES = {
    "title": "bold 60px 'DejaVu Sans'",
    "label": "bold 30px 'DejaVu Sans'",
    "small": "26px 'DejaVu Sans'",
}

_SCRIPT = """
([font, characters]) => {
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d");
  context.font = font;
  const probe = context.measureText("ÉgjpqyÀ|");
  const ascent = Math.ceil(probe.fontBoundingBoxAscent), descent = Math.ceil(probe.fontBoundingBoxDescent);
  const pad = Math.ceil(parseInt(font.match(/(\\d+)px/)[1]) / 6);
  const glyphs = {};
  for (const ch of characters) {
    const advance = context.measureText(ch).width;
    const width = Math.ceil(advance) + 2 * pad, height = ascent + descent;
    canvas.width = width; canvas.height = height;
    context.font = font;
    context.fillStyle = "#000";
    context.textBaseline = "alphabetic";
    context.fillText(ch, pad, ascent);
    const data = context.getImageData(0, 0, width, height).data;
    const alpha = [];
    for (let i = 3; i < data.length; i += 4) alpha.push(data[i]);
    glyphs[ch] = {advance, width, alpha};
  }
  return {ascent, descent, pad, glyphs};
}
"""

_LOGO_HTML = """<!doctype html><html><body style="margin:0">
<div style="width:512px;height:512px;background:#303f9f;display:flex;align-items:center;justify-content:center;
 font:bold 230px 'DejaVu Sans';color:#fff;letter-spacing:-8px">lc<span style="color:#ffd54f">.</span></div>
</body></html>"""


def _browser(playwright):
    executable = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    return playwright.chromium.launch(
        executable_path=executable,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--no-first-run"],
    )


def main() -> None:
    faces = {}
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page()
        page.set_content("<!doctype html><html><body></body></html>")
        for name, font in FACES.items():
            result = page.evaluate(_SCRIPT, [font, CHARACTERS])
            glyphs = {
                ch: {
                    "advance": round(glyph["advance"], 3),
                    "width": glyph["width"],
                    "alpha": base64.b64encode(zlib.compress(bytes(glyph["alpha"]), 9)).decode("ascii"),
                }
                for ch, glyph in result["glyphs"].items()
            }
            faces[name] = {"font": font, "ascent": result["ascent"], "descent": result["descent"],
                           "pad": result["pad"], "glyphs": glyphs}
        logo = browser.new_page(viewport={"width": 512, "height": 512})
        logo.set_content(_LOGO_HTML)
        LOGO.parent.mkdir(parents=True, exist_ok=True)
        logo.screenshot(path=str(LOGO))
        browser.close()
    ATLAS.parent.mkdir(parents=True, exist_ok=True)
    ATLAS.write_text(json.dumps({
        "about": "Glyph coverage of DejaVu Sans (Bitstream Vera licence) rendered by Chromium; "
                 "made by `python -m livecalc.fontgen`, read by livecalc.social.",
        "faces": faces,
    }, ensure_ascii=False, separators=(",", ":")), "utf-8")
    print(f"wrote {ATLAS} ({ATLAS.stat().st_size} bytes) and {LOGO}")


if __name__ == "__main__":
    main()
