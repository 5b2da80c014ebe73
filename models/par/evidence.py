"""Evidence documents that Quảng Trị's penalty 4.2.c looks for (1820/QĐ-UBND Art. 4.2.c).

"Tài liệu kiểm chứng có các văn bản chèn số (ví dụ: 11a, b, c, ...) hoặc trùng số hoặc ngày
ban hành trên hệ thống và ngày văn bản không trùng khớp: 01 điểm." chiso flags candidates;
the council decides whether the penalty applies, so nothing here changes a score.

Sources: the evidence references a unit cites on its self-assessment (`45/KH-UBND` or
`45/KH-UBND ngày 12/01/2024`, separated by `;`), and, where a unit keeps one, an evidence
register listing each document with its date on the document and its date in the system.
"""

from __future__ import annotations

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
    """`12/QĐ-SNV; 11a/KH-UBND ngày 03/02/2024` → [{number, symbol, date, document}, ...]."""
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
                "symbol": match["symbol"].upper(),
                "date": date,
                "document": f"{match['number']}/{match['symbol'].upper()}",
            }
        )
    return refs


def evidence_flags(submissions: pl.DataFrame, register: pl.DataFrame | None = None) -> pl.DataFrame:
    """Candidates for penalty 1820/QĐ-UBND Art. 4.2.c, one row per document and reason.

    submissions: staging.submissions (year, unit_id, leaf_code, evidence_refs, source_file, source_row).
    register: optional (year, unit_id, document, doc_date, system_date, source_file, source_row).
    """
    cited = [
        {
            **ref,
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
    listed = [
        {
            "year": r["year"],
            "unit_id": r["unit_id"],
            "leaf_code": None,
            "document": r["document"],
            "number": r["document"].split("/")[0],
            "date": r["doc_date"],
            "source_file": r["source_file"],
            "source_row": r["source_row"],
        }
        for r in (register.iter_rows(named=True) if register is not None else [])
    ]
    mentions = cited + listed
    flags: list[dict] = [
        {**m, "flag": "inserted_number", "detail": f"Văn bản {m['document']} có số chèn (dạng 11a, 11b)"}
        for m in mentions
        if INSERTED.match(m["number"])
    ]
    # The same number and symbol with two different dates: two documents share a number.
    dates: dict[tuple, set] = {}
    for m in mentions:
        if m["date"] is not None:
            dates.setdefault((m["year"], m["unit_id"], m["document"]), set()).add(m["date"])
    for m in mentions:
        seen = dates.get((m["year"], m["unit_id"], m["document"]), set())
        if len(seen) > 1:
            shown = ", ".join(d.strftime("%d/%m/%Y") for d in sorted(seen))
            flags.append(
                {
                    **m,
                    "flag": "duplicate_number",
                    "detail": f"Số {m['document']} dùng cho văn bản có các ngày khác nhau: {shown}",
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
        .sort(["year", "unit_id", "document", "flag", "leaf_code"], nulls_last=True)
    )
