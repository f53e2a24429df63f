"""Look at the printed report as a director would, page by page: a PNG of every sheet, and the
problems a reader would frown at: a text cut at the edge of its sheet or of its box, two texts
on top of each other, a sheet nearly empty.

Used by the tests (on every rendering) and by ``vigie report --png DIR`` to look at the pages.
The geometry comes from the browser's own layout: each line of text is a range of a text node
(its client rects), so two words that overlap on paper overlap here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from vigie.insights.report_pdf import FONTS_BASE, with_report_page

# Below this share of non-white pixels a sheet reads as empty (a header, a footer, a line).
MIN_INK = 0.02
# Boxes closer than this (CSS pixels) are not counted as overlapping: glyph boxes of adjacent
# lines touch by design.
TOLERANCE = 1.5

_GEOMETRY = """
() => {
  const pages = [...document.querySelectorAll('section.page')];
  return pages.map((page) => {
    const box = page.getBoundingClientRect();
    const pad = getComputedStyle(page);
    const left = box.left + parseFloat(pad.paddingLeft), right = box.right - parseFloat(pad.paddingRight);
    const outside = [];
    for (const el of page.querySelectorAll('*')) {
      // The running head and foot sit in the margins by design; everything else stays inside.
      if (el.closest('.head, .foot')) continue;
      const r = el.getBoundingClientRect();
      if (r.width && (r.left < left - 1 || r.right > right + 1)) {
        outside.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' (' +
                     Math.round(r.left - box.left) + '..' + Math.round(r.right - box.left) + ' px)');
      }
    }
    const texts = [];
    const clipped = [];
    const walker = document.createTreeWalker(page, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (!node.textContent.trim()) continue;
      const parent = node.parentElement;
      if (parent.closest('title, desc, style')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (r.width < 0.5 || r.height < 0.5) continue;
        texts.push({text: node.textContent.trim().slice(0, 60), x: r.left - box.left, y: r.top - box.top,
                    w: r.width, h: r.height});
      }
    }
    for (const el of page.querySelectorAll('*')) {
      const style = getComputedStyle(el);
      if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible' && el.clientWidth > 0
          && !el.matches('svg, svg *')) {
        clipped.push(el.tagName.toLowerCase() + '.' + el.className + ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')');
      }
    }
    return {width: box.width, height: box.height, scrollHeight: page.scrollHeight, texts, clipped, outside};
  });
}
"""


@dataclass
class PageCheck:
    number: int
    png: bytes
    ink: float
    problems: list[str] = field(default_factory=list)


def _overlaps(texts: list[dict[str, Any]]) -> list[str]:
    found = []
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if (
                a["x"] + a["w"] - TOLERANCE > b["x"]
                and b["x"] + b["w"] - TOLERANCE > a["x"]
                and a["y"] + a["h"] - TOLERANCE > b["y"]
                and b["y"] + b["h"] - TOLERANCE > a["y"]
            ):
                found.append(f"« {a['text']} » chevauche « {b['text']} »")
    return found


def ink_ratio(png: bytes) -> float:
    """The share of pixels that are not (nearly) white."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    histogram = image.histogram()
    return sum(histogram[:240]) / max(sum(histogram), 1)


def check_pages(html: str) -> list[PageCheck]:
    """Render ``html`` (a report from ``render_html``) and check every sheet."""

    def look(page: Any) -> list[PageCheck]:
        page.emulate_media(media="print")
        geometry = page.evaluate(_GEOMETRY)
        sheets = page.locator("section.page")
        checks = []
        for index, sheet in enumerate(geometry):
            png = sheets.nth(index).screenshot(type="png")
            check = PageCheck(index + 1, png, ink_ratio(png))
            if sheet["scrollHeight"] > sheet["height"] + 1:
                check.problems.append(
                    f"contenu coupé en bas ({sheet['scrollHeight']} > {sheet['height']:.0f} px)"
                )
            for text in sheet["texts"]:
                if (
                    text["x"] < -0.5
                    or text["y"] < -0.5
                    or text["x"] + text["w"] > sheet["width"] + 0.5
                    or text["y"] + text["h"] > sheet["height"] + 0.5
                ):
                    check.problems.append(f"texte hors de la page : « {text['text']} »")
            check.problems += [f"boîte débordante : {c}" for c in sheet["clipped"]]
            check.problems += [f"dépasse la marge : {c}" for c in sheet["outside"][:5]]
            check.problems += _overlaps(sheet["texts"])
            if check.ink < MIN_INK:
                check.problems.append(f"page presque vide (encre {check.ink:.1%})")
            checks.append(check)
        return checks

    return with_report_page(html, look)


def report_fonts_base() -> str:
    return FONTS_BASE
