"""Rules that compute a bonus or penalty leaf from facts (criteria CSV column `computed_from`).

A rule is `<fact> <comparator> <number>`, e.g. `late_without_apology_pct > 30`: the leaf earns its
max points (a bonus) or loses them (a penalty) when the comparison holds, and 0 otherwise. The
comparator says which side of the threshold counts: `>=` includes the threshold ("từ 10 … trở
lên"), `>` does not ("trên 30%"). Kept free of other project imports so that the framework loader
can check rules when it reads a criteria file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

# fact → what it counts, in Vietnamese (explain output, lineage)
FACTS: dict[str, str] = {
    "simplified_procedures": "Số TTHC trong phương án đơn giản hóa được Chủ tịch UBND tỉnh phê duyệt",
    "par_news_items": "Số tin, bài về CCHC đăng trong năm",
    "late_without_apology_pct": "Tỷ lệ hồ sơ trễ hạn không có văn bản xin lỗi",
    "improper_apologies": "Số văn bản xin lỗi không đúng quy định",
}
COMPARATORS = {">=": "≥", ">": ">"}
NEGATED = {">=": "<", ">": "≤"}
_RULE = re.compile(r"^\s*(?P<fact>[a-z_]+)\s*(?P<op>>=|≥|>)\s*(?P<value>\d+(?:[.,]\d+)?)\s*$")


class FactRuleError(ValueError):
    pass


@dataclass(frozen=True)
class FactRule:
    fact: str
    comparator: str  # ">=" or ">"
    threshold: Fraction

    def holds(self, value: Fraction) -> bool:
        return value >= self.threshold if self.comparator == ">=" else value > self.threshold

    @property
    def text(self) -> str:
        return f"{COMPARATORS[self.comparator]} {_number(self.threshold)}"

    @property
    def negated_text(self) -> str:
        return f"{NEGATED[self.comparator]} {_number(self.threshold)}"


def _number(x: Fraction) -> str:
    """Exact, with a decimal comma: 30 → `30`, 61/2 → `30,5`, 2/3 → `66,67`."""
    if x.denominator == 1:
        return str(x.numerator)
    return f"{float(x):.2f}".rstrip("0").rstrip(".").replace(".", ",")


def parse_rule(text: str | None) -> FactRule | None:
    """`late_without_apology_pct > 30` → FactRule; empty → None; anything else raises FactRuleError."""
    if text is None or not str(text).strip():
        return None
    match = _RULE.match(str(text))
    if not match or match["fact"] not in FACTS:
        raise FactRuleError(
            f"'{text}' phải có dạng '<số liệu> >= <ngưỡng>' hoặc '<số liệu> > <ngưỡng>', "
            f"số liệu thuộc: {', '.join(FACTS)}"
        )
    op = ">=" if match["op"] in (">=", "≥") else ">"
    return FactRule(match["fact"], op, Fraction(match["value"].replace(",", ".")))


def show(x: Fraction) -> str:
    return _number(x)
