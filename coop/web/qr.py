"""QR codes as inline SVG, for a phone to open a link shown on a screen or on paper.

Drawn by `segno` (pure Python, no dependencies) on the server, so the page
needs no script and the code prints as sharp as the text around it. The
SVG is presentational: the element that holds it says what it is
(``role="img"`` and an ``aria-label`` the template writes), and the link is
always shown as text beside it.
"""

from __future__ import annotations

from functools import lru_cache

import segno
from markupsafe import Markup


@lru_cache(maxsize=256)
def _svg(url: str) -> str:
    # Error correction "M" survives a crease or a smudge on a printed sheet. With a viewBox
    # and no size, the page's CSS sizes it (``.qr svg``), on screen and on paper.
    return segno.make(url, error="m", micro=False).svg_inline(omitsize=True)


def qr_svg(url: str) -> Markup:
    """Return *url* as an inline SVG QR code (markup, safe to put in a page as it is)."""
    return Markup(_svg(url))
