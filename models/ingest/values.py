"""Typing values as officials type them: decimal commas, thousands separators, dates in any form.

A value is only accepted when it has one reading. `1.450` is one thousand four hundred and fifty
to a Vietnamese officer and one point four five to a spreadsheet exported in English; it is
resolved only where the column's kind allows one of the two (a count is whole, a score is within
its leaf's max, a share within 0-100), and quarantined as `ambiguous_number` otherwise.
Only finite numbers pass: `NaN` or `inf` typed into a cell is not a score.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from typing import Literal

from models.ingest.records import RowProblem, label
from models.text import normalize_text

Kind = Literal["amount", "count", "score", "pct", "rate"]
# One separator, then exactly three digits: `1.450`. A leading 0 (`0.375`) cannot group thousands.
_ONE_GROUP = re.compile(r"^[+-]?[1-9]\d{0,2}([.,])\d{3}$")
_GROUPS = re.compile(r"^[+-]?[1-9]\d{0,2}(?:([.,])\d{3})(?:\1\d{3})+$")  # 1.234.567: only thousands
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class AmbiguousNumber(ValueError):
    """Text with two readings (decimal, thousands); the column's kind may pick one."""

    def __init__(self, text: str, decimal: float, thousands: float):
        super().__init__(f"ambiguous number: {text!r}")
        self.text, self.decimal, self.thousands = text, decimal, thousands


def parse_number(value: object) -> float | None:
    """`60,5`, `60.5`, `1.234,75`, `1,234.75`, `1.234.567` → a float; None for blank.

    Raises ValueError for text that is not a finite number, and AmbiguousNumber for `1.450`.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return float(value)
    text = normalize_text(value)
    if text is None:
        return None
    text = text.replace(" ", "")
    one = _ONE_GROUP.match(text)
    if one:
        return _raise_ambiguous(text, one.group(1))
    if _GROUPS.match(text):
        text = text.replace(",", "").replace(".", "")
    elif "," in text and "." in text:
        # The separator that comes last is the decimal one.
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        raise ValueError(f"not a number: {value!r}")  # also `nan`, `inf`, `Infinity`
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _raise_ambiguous(text: str, separator: str) -> float:
    decimal = float(text.replace(separator, "."))
    thousands = float(text.replace(separator, ""))
    raise AmbiguousNumber(text, decimal, thousands)


def _fits(number: float, kind: Kind, maximum: float | None) -> bool:
    if kind == "count":
        return number >= 0 and float(number).is_integer()
    if kind == "score":
        return 0 <= number <= (math.inf if maximum is None else maximum + 1e-9)
    if kind == "pct":
        return 0 <= number <= 100
    return True


def number(
    raw: dict, column: str, *, kind: Kind = "amount", required: bool = True, maximum: float | None = None
) -> float | None:
    """The column's value as a number of `kind`; RowProblem `not_a_number`, `required` or `ambiguous_number`.

    Range rules (above a max, negative, a fractional count) stay with the caller, which knows
    what to tell the officer; the kind is used here only to choose between two readings.
    """
    value = raw.get(column)
    try:
        parsed = parse_number(value)
    except AmbiguousNumber as amb:
        fitting = [n for n in (amb.decimal, amb.thousands) if _fits(n, kind, maximum)]
        if len(fitting) == 1:
            return fitting[0]
        if not fitting:
            return amb.decimal  # neither fits: the caller's range rule reports the usual reading
        raise RowProblem(
            column,
            "ambiguous_number",
            f"{label(column)} '{amb.text}' có thể là {_vn(amb.decimal)} hoặc {_vn(amb.thousands)}: "
            f"hãy ghi rõ (dấu phẩy cho phần thập phân, không dùng dấu phân cách hàng nghìn)",
            value,
        ) from None
    except ValueError:
        raise RowProblem(column, "not_a_number", f"{label(column)} '{value}' không phải là số", value) from None
    if parsed is None and required:
        raise RowProblem(column, "required", f"Thiếu {label(column)}", value)
    return parsed


def whole(raw: dict, column: str, *, required: bool = True) -> int | None:
    """A count: a whole number ≥ 0 (`bad_count` otherwise, e.g. 12,5 respondents)."""
    parsed = number(raw, column, kind="count", required=required)
    if parsed is None:
        return None
    if parsed < 0 or not float(parsed).is_integer():
        raise RowProblem(
            column, "bad_count", f"{label(column)} '{raw.get(column)}' phải là số nguyên không âm", raw.get(column)
        )
    return int(parsed)


YEARS = range(2000, 2101)  # the evaluation years chiso accepts, in a cell or as a folder name


def is_year(text: str) -> bool:
    """A folder name that is an evaluation year (`2024`; not `nam-2024`, not `1999`)."""
    return text.isdigit() and int(text) in YEARS


def year(raw: dict, column: str = "year") -> int:
    """An evaluation year, 2000-2100 (`bad_year`)."""
    value = raw.get(column)
    parsed = number(raw, column, kind="count")
    if not float(parsed).is_integer() or int(parsed) not in YEARS:
        raise RowProblem(column, "bad_year", f"{label(column)} '{value}' không phải năm hợp lệ", value)
    return int(parsed)


def parse_date(value: object) -> dt.date | None:
    """`dd/mm/yyyy`, `dd-mm-yyyy`, ISO dates, spreadsheet date cells and date serial numbers."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value), value)
    return _date_text(value) if isinstance(value, str) else _date_text.__wrapped__(value)


@functools.lru_cache(maxsize=1 << 12)
def _date_text(value: object) -> dt.date | None:
    """`parse_date` of a text. Cached: every row of a form carries its date, and `strptime` tried
    format by format is most of a row's staging time."""
    text = normalize_text(value)
    if text is None:
        return None
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # a date cell exported as its serial number
        return _serial(float(text), value)
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")


def _serial(days: float, value: object) -> dt.date:
    if not 20000 <= days <= 80000 or not days.is_integer():  # 1954-2119: a plausible date
        raise ValueError(f"not a date: {value!r}")
    return _EXCEL_EPOCH + dt.timedelta(days=int(days))


def date(raw: dict, column: str) -> dt.date | None:
    value = raw.get(column)
    try:
        return parse_date(value)
    except ValueError:
        raise RowProblem(column, "not_a_date", f"{label(column)} '{value}' không phải ngày dd/mm/yyyy", value) from None


def _vn(number: float) -> str:
    """A number as Vietnamese write it: decimal comma, no thousands separator (1450, 1,45)."""
    return f"{number:g}".replace(".", ",")
