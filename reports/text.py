"""Text helpers every page shares: NFC, escaping for our HTML and for plotly, slugs, numbers."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any


def nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", "" if value is None else str(value))


def esc(value: Any) -> str:
    """Escape a value from the inputs for our own HTML (text and attribute context)."""
    return html.escape(nfc(value), quote=True)


def plotly_text(value: Any) -> str:
    """Sanitise text passed to plotly: entity-escape ``& < >`` so plotly shows it as text.

    plotly.js turns ``&lt;`` back into a literal ``<`` inside an SVG text node, so a name
    like ``<script>`` is displayed verbatim and never parsed as a tag.
    """
    return html.escape(nfc(value), quote=False)


def vi_number(value: float | None, digits: int, *, sign: bool = False) -> str:
    """Vietnamese number format: decimal comma, dot for thousands."""
    if value is None:
        return "—"
    text = f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def slug(value: Any) -> str:
    text = unicodedata.normalize("NFKD", nfc(value)).replace("đ", "d").replace("Đ", "D")
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"
