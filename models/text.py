"""Parsing of values as officials type them: Vietnamese text, decimal commas, dates."""

from __future__ import annotations

import datetime as dt
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


def parse_number(value: object) -> float | None:
    """Parse `60,5`, `60.5`, `1.234,75`, `1,234.75`; None for blank.

    Raises ValueError for text that is not a number, so the caller can quarantine the row
    with the value and the rule.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = normalize_text(value)
    if text is None:
        return None
    text = text.replace(" ", "")
    if "," in text and "." in text:
        # The separator that comes last is the decimal one.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None


def parse_date(value: object) -> dt.date | None:
    """Parse `dd/mm/yyyy`, `dd-mm-yyyy`, ISO dates and spreadsheet date cells."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = normalize_text(value)
    if text is None:
        return None
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")
