"""Text as officials type it: NFC, single spaces, names compared without case or the `UBND` prefix.

Numbers and dates are typed in `models.ingest.values`."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
NOT_APPLICABLE = {"kad", "không áp dụng", "khong ap dung", "n/a", "na", "không đánh giá"}


def normalize_text(value: object) -> str | None:
    """NFC, single spaces, trimmed: the same name typed two ways compares equal."""
    if value is None:
        return None
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()
    return text or None


def name_key(value: object) -> str | None:
    """Key for matching unit names: case-folded, and 'UBND huyện X' equals 'Huyện X'."""
    text = normalize_text(value)
    if text is None:
        return None
    text = text.casefold()
    for prefix in ("ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def is_not_applicable(value: object) -> bool:
    text = normalize_text(value)
    return text is not None and text.casefold() in NOT_APPLICABLE
