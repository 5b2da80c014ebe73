"""Evidence documents that Quảng Trị's penalty 4.2.c looks for (1820/QĐ-UBND Art. 4.2.c).

"Tài liệu kiểm chứng có các văn bản chèn số (ví dụ: 11a, b, c, ...) hoặc trùng số hoặc ngày
ban hành trên hệ thống và ngày văn bản không trùng khớp: 01 điểm." chiso flags candidates;
the council decides whether the penalty applies, so nothing here changes a score.

Sources: the evidence references a unit cites on its self-assessment (`45/KH-UBND` or
`45/KH-UBND ngày 12/01/2024`, separated by `;`), and, where a unit keeps one, an evidence
register listing each document with its date on the document and its date in the system.

"Trùng số": two distinct documents sharing a number and symbol in one year, whatever their dates.
Documents are told apart by what the sources say of them: two register rows with another title or
another date on the document are two documents (even on the same date); a citation with a date no
register row of that number has is another document; a citation without a date, or the same
document cited for several leaves, is not. "In one year": the year of the document's date (numbers
restart each January), or the evaluation year when the date is not known. The number is kept as
written (`11a`, `045`): numbers are compared as written, letters in any case, and shown as written.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from models.ingest.values import parse_date
from models.text import normalize_text

_REF = re.compile(
    r"^(?P<number>\d+[a-zA-Z]*)\s*/\s*(?P<symbol>[^\s;,]+)(?:\s+ngày\s+(?P<date>\d{1,2}[/-]\d{1,2}[/-]\d{4}))?",
    re.IGNORECASE,
)
INSERTED = re.compile(r"^\d+[a-zA-Z]+$")
FLAG_SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "leaf_code": pl.String,
    "document": pl.String,
    "flag": pl.String,
    "detail": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
}


def parse_refs(text: str | None) -> list[dict]:
    """`12/QĐ-SNV; 11a/KH-UBND ngày 03/02/2024` → [{number, symbol, date, document}, ...], as written."""
    refs = []
    for part in re.split(r"[;\n]", normalize_text(text) or ""):
        part = part.strip()
        match = _REF.match(part)
        if not match:
            continue
        try:
            date = parse_date(match["date"]) if match["date"] else None
        except ValueError:
            date = None
        refs.append(
            {
                "number": match["number"],
                "symbol": match["symbol"],
                "date": date,
                "document": f"{match['number']}/{match['symbol']}",
            }
        )
    return refs


def _key(number: str, symbol: str) -> str:
    """Number and symbol as compared: as written, letters in any case, no spaces."""
    return f"{number}/{symbol}".replace(" ", "").casefold()


def _register_parts(document: str) -> tuple[str, str]:
    match = _REF.match(document or "")
    if match:
        return match["number"], match["symbol"]
    number, _, symbol = (document or "").partition("/")
    return number.strip(), symbol.strip()


def _shown(doc: tuple) -> str:
    title, date = doc[1], doc[2]
    when = date.strftime("%d/%m/%Y") if date is not None else "không rõ ngày"
    return f"'{title}' ({when})" if title else f"văn bản ngày {when}"


def evidence_flags(submissions: pl.DataFrame, register: pl.DataFrame | None = None) -> pl.DataFrame:
    """Candidates for penalty 1820/QĐ-UBND Art. 4.2.c, one row per document and reason.

    submissions: staging.submissions (year, unit_id, leaf_code, evidence_refs, source_file, source_row).
    register: optional (year, unit_id, document, title, doc_date, system_date, source_file, source_row).
    """
    cited = [
        {
            **ref,
            "title": None,
            "from_register": False,
            "year": s["year"],
            "unit_id": s["unit_id"],
            "leaf_code": s["leaf_code"],
            "source_file": s["source_file"],
            "source_row": s["source_row"],
        }
        for s in submissions.select("year", "unit_id", "leaf_code", "evidence_refs", "source_file", "source_row")
        .filter(pl.col("evidence_refs").is_not_null())
        .iter_rows(named=True)
        for ref in parse_refs(s["evidence_refs"])
    ]
    listed = []
    for r in register.iter_rows(named=True) if register is not None else []:
        number, symbol = _register_parts(r["document"])
        listed.append(
            {
                "year": r["year"],
                "unit_id": r["unit_id"],
                "leaf_code": None,
                "document": r["document"],
                "number": number,
                "symbol": symbol,
                "date": r["doc_date"],
                "title": normalize_text(r.get("title")),
                "from_register": True,
                "source_file": r["source_file"],
                "source_row": r["source_row"],
            }
        )
    mentions = cited + listed
    flags: list[dict] = [
        {**m, "flag": "inserted_number", "detail": f"Văn bản {m['document']} có số chèn (dạng 11a, 11b)"}
        for m in mentions
        if INSERTED.match(m["number"])
    ]
    # "Trùng số": the distinct documents behind each number and symbol of a unit, per year of issue.
    groups: dict[tuple, list[dict]] = {}
    for m in mentions:
        issued = m["date"].year if m["date"] is not None else m["year"]
        groups.setdefault((m["year"], m["unit_id"], _key(m["number"], m["symbol"]), issued), []).append(m)
    for (_, _, _, issued), group in groups.items():
        docs = {("register", (m["title"] or "").casefold() or None, m["date"]) for m in group if m["from_register"]}
        register_dates = {d[2] for d in docs}
        docs |= {
            ("cited", None, m["date"])
            for m in group
            if not m["from_register"] and m["date"] is not None and m["date"] not in register_dates
        }
        if len(docs) < 2:
            continue
        titles = {(m["title"] or "").casefold() or None: m["title"] for m in group}
        listed_docs = sorted(docs, key=lambda d: (d[2] is None, d[2] or dt.date.min, d[1] or ""))
        shown = "; ".join(_shown((d[0], titles.get(d[1]), d[2])) for d in listed_docs)
        for m in group:
            flags.append(
                {
                    **m,
                    "flag": "duplicate_number",
                    "detail": f"Số {m['document']} dùng cho {len(docs)} văn bản khác nhau trong năm {issued}: {shown}",
                }
            )
    if register is not None:
        for r in register.iter_rows(named=True):
            if r["doc_date"] and r["system_date"] and r["doc_date"] != r["system_date"]:
                flags.append(
                    {
                        "year": r["year"],
                        "unit_id": r["unit_id"],
                        "leaf_code": None,
                        "document": r["document"],
                        "flag": "date_mismatch",
                        "source_file": r["source_file"],
                        "source_row": r["source_row"],
                        "detail": f"Văn bản {r['document']}: ngày trên hệ thống {r['system_date']:%d/%m/%Y} "
                        f"khác ngày văn bản {r['doc_date']:%d/%m/%Y}",
                    }
                )
    return (
        pl.DataFrame([{k: f.get(k) for k in FLAG_SCHEMA} for f in flags], schema=FLAG_SCHEMA, orient="row")
        .unique()
        .sort(["year", "unit_id", "document", "flag", "leaf_code", "source_row"], nulls_last=True)
    )
