"""The organisation's colour and logo as the report prints them.

The logo travels inside the document as a data URI (PNG or JPEG only: an SVG could carry
scripts or fetch things), so the PDF and the HTML need nothing from outside.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from vigie.core.models import Organisation
from vigie.core.tenancy import scoped
from vigie.insights.models import ReportBranding

DEFAULT_COLOUR = "#1f4e79"
LOGO_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
MAX_LOGO_BYTES = 300_000
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Branding:
    """The organisation's colour and logo on the cover and the page headers."""

    colour: str = DEFAULT_COLOUR
    logo_data_uri: str = ""

    @property
    def ink_on_colour(self) -> str:
        """White or near-black, whichever reads better on ``colour`` (WCAG relative luminance)."""
        red, green, blue = (int(self.colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
        return "#ffffff" if luminance < 0.45 else "#1b1b1b"


def valid_colour(text: str) -> bool:
    return bool(_COLOUR.match(text))


def logo_type(content: bytes) -> str | None:
    """ "image/png" or "image/jpeg" from the file's first bytes, None for anything else."""
    for mime, magic in LOGO_TYPES.items():
        if content.startswith(magic):
            return mime
    return None


def branding_for(organisation: Organisation) -> Branding:
    row = scoped(ReportBranding, organisation).first()
    if row is None:
        return Branding()
    colour = row.colour if valid_colour(row.colour) else DEFAULT_COLOUR
    logo = bytes(row.logo or b"")
    uri = ""
    if logo and row.logo_type in LOGO_TYPES:
        uri = f"data:{row.logo_type};base64,{base64.b64encode(logo).decode()}"
    return Branding(colour=colour.lower(), logo_data_uri=uri)
