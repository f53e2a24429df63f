"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, readable by screen readers.

Every chart has a ``<title>`` and a ``<desc>`` listing its values, each mark has its own
``<title>`` tooltip, and marks given a URL are links (the drill-down to the mentions behind
them). Pages also print the same numbers as a table under the chart. Every text is escaped.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

HEIGHT = 140
BAR = 22
GAP = 6
TOP = 16
BOTTOM = 18
LABEL_CHAR = 6  # the width of an axis label's character, in the chart's units

_ids = itertools.count(1)


def _frame(title: str, desc: str, width: float, body: Sequence[str]) -> SafeString:
    uid = next(_ids)
    head = format_html(
        '<svg class="chart" viewBox="-24 0 {} {}" role="img" aria-labelledby="chart-t{} chart-d{}" '
        'xmlns="http://www.w3.org/2000/svg"><title id="chart-t{}">{}</title><desc id="chart-d{}">{}</desc>',
        round(width) + 24,  # room on the left for the value axis
        HEIGHT + TOP + BOTTOM,
        uid,
        uid,
        uid,
        title,
        uid,
        desc,
    )
    # ``body`` parts are built with format_html below, so they are already escaped.
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308


def _link(url: str | None, inner: str) -> str:
    if not url:
        return inner
    return format_html('<a href="{}">', url) + inner + "</a>"


def bar_chart(
    points: Sequence[tuple[str, int]], *, title: str, urls: Sequence[str | None] | None = None
) -> SafeString:
    """Vertical bars, one per (label, value); ``urls`` makes each bar a link."""
    highest = max((value for _label, value in points), default=0) or 1
    every = max(len(points) // 12, 1)
    # Each bar's slot is as wide as its axis label needs (9px text, about 6 units a character):
    # the first-response histogram read "8-24h24-48h>48h" with 28-unit slots.
    shown = [label for index, (label, _value) in enumerate(points) if index % every == 0]
    slot = max(BAR + GAP, max((len(label) for label in shown), default=0) * LABEL_CHAR // every + GAP)
    width = max(len(points) * slot, BAR)
    body = []
    for index, (label, value) in enumerate(points):
        x = index * slot + (slot - GAP - BAR) // 2
        h = round(value / highest * HEIGHT)
        y = TOP + HEIGHT - h
        mark = format_html(
            '<g><title>{} : {}</title><rect x="{}" y="{}" width="{}" height="{}" rx="2"></rect>'
            '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
            label,
            value,
            x,
            y,
            BAR,
            max(h, 0),
            x + BAR // 2,
            y - 3,
            value,
        )
        body.append(_link(urls[index] if urls else None, mark))
        if index % every == 0:
            body.append(
                format_html(
                    '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    x + BAR // 2,
                    TOP + HEIGHT + 13,
                    label,
                )
            )
    desc = " ; ".join(f"{label} : {value}" for label, value in points)
    return _frame(title, desc, width, body)


def stacked_chart(
    points: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    series: Sequence[tuple[str, str]],
    urls: Sequence[Sequence[str | None]] | None = None,
) -> SafeString:
    """Stacked bars: each point has one value per series (``series`` = (label, css class))."""
    highest = max((sum(values) for _label, values in points), default=0) or 1
    width = max(len(points) * (BAR + GAP), BAR)
    every = max(len(points) // 12, 1)
    body = []
    for index, (label, values) in enumerate(points):
        x = index * (BAR + GAP)
        y = TOP + HEIGHT
        for s_index, ((s_label, s_class), value) in enumerate(zip(series, values, strict=True)):
            h = round(value / highest * HEIGHT)
            y -= h
            if h <= 0:
                continue
            mark = format_html(
                '<g><title>{} — {} : {}</title><rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect></g>',
                label,
                s_label,
                value,
                s_class,
                x,
                y,
                BAR,
                h,
            )
            body.append(_link(urls[index][s_index] if urls else None, mark))
        if index % every == 0:
            body.append(
                format_html(
                    '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    x + BAR // 2,
                    TOP + HEIGHT + 13,
                    label,
                )
            )
    desc = " ; ".join(
        f"{label} : " + ", ".join(f"{s[0]} {v}" for s, v in zip(series, values, strict=True))
        for label, values in points
    )
    return _frame(title, desc, width, body)


def line_chart(
    points: Sequence[tuple[str, float | None]], *, title: str, low: float, high: float
) -> SafeString:
    """A line through the values (gaps where a value is None) on a fixed ``low``..``high`` scale."""
    width = max(len(points) * (BAR + GAP), BAR)
    span = (high - low) or 1
    every = max(len(points) // 12, 1)
    body = []
    for v in (low, (low + high) / 2, high):
        y = TOP + HEIGHT - round((v - low) / span * HEIGHT)
        body.append(format_html('<line class="grid" x1="0" x2="{}" y1="{}" y2="{}"></line>', width, y, y))
        body.append(
            format_html('<text class="axis" x="-3" y="{}" text-anchor="end">{}</text>', y + 3, f"{v:g}")
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for index, (label, value) in enumerate(points):
        x = index * (BAR + GAP) + BAR // 2
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            y = TOP + HEIGHT - round((value - low) / span * HEIGHT)
            segment.append(f"{x},{y}")
            body.append(
                format_html(
                    '<g><title>{} : {}</title><circle cx="{}" cy="{}" r="3"></circle></g>', label, value, x, y
                )
            )
        if index % every == 0:
            body.append(
                format_html(
                    '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    x,
                    TOP + HEIGHT + 13,
                    label,
                )
            )
    if segment:
        segments.append(segment)
    for seg in segments:
        body.insert(
            0, format_html('<polyline class="line" fill="none" points="{}"></polyline>', " ".join(seg))
        )
    desc = " ; ".join(f"{label} : {'—' if value is None else value}" for label, value in points)
    return _frame(title, desc, width, body)


def sparkline(points: Sequence[tuple[str, int]], *, title: str) -> SafeString:
    """A row-sized column chart of counts (one column per (label, value)) that fits a table cell
    whatever the number of days: the theme trends' table of one column per day ran 1,900 px wide
    in a 540 px card. Its ``<title>`` lists every value for the tooltip and screen readers."""
    slot, bar, height = 4, 3, 24
    highest = max((value for _label, value in points), default=0) or 1
    width = max(len(points) * slot, slot)
    body = []
    for index, (_label, value) in enumerate(points):
        h = round(value / highest * (height - 2)) if value else 0
        body.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}"></rect>',
                index * slot,
                height - max(h, 1),
                bar,
                max(h, 1),
            )
            if value
            else format_html(
                '<rect class="zero" x="{}" y="{}" width="{}" height="1"></rect>',
                index * slot,
                height - 1,
                bar,
            )
        )
    desc = " ; ".join(f"{label} : {value}" for label, value in points)
    head = format_html(
        '<svg class="sparkline" viewBox="0 0 {} {}" preserveAspectRatio="none" role="img" '
        'aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>',
        width,
        height,
        f"{title} : {desc}",
        f"{title} : {desc}",
    )
    # ``body`` parts are built with format_html, so they are already escaped.
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308
