"""Generate a SYNTHETIC sample across the July 2025 reorganisation (deterministic).

Run from the repository root (``make sample`` runs it too, after scripts/make_sample_rulesets.py)::

    .venv/bin/python -m scripts.make_sample_2025            # writes into data/raw/
    .venv/bin/python -m scripts.make_sample_2025 --out DIR  # elsewhere (frameworks still read from data/raw)

Two made-up provinces, "Tỉnh Mẫu E" (``MTE``) and "Tỉnh Mẫu G" (``MTG``), are scored for 2024 with
departments, districts and communes; on 1/7/2025 they merge into "Tỉnh Mẫu EG" (``MEG``) as 63 provinces
became 34 (Nghị quyết 202/2025/QH15), the district level ends, some communes merge, one splits, the
others move to the province, and departments merge or are renamed. 2025 is scored with departments and
communes only. Frameworks (ILLUSTRATIVE, not decisions: they reuse 1708/QĐ-UBND's criteria trees):
``frameworks/mau-ba-cap-2024`` (2024: three levels; a commune's parent is its district) and
``frameworks/mau-hai-cap-2025`` (2025-: two levels; a commune's parent is the province).

Files: ``provinces_2025.csv``, ``units_2025.csv``, ``unit_changes.csv``, ``unit_weights.csv``,
``submissions/<year>/sap-xep-2025/<group>.csv``, ``README_2025.md``. The Tỉnh Mẫu samples are not touched.
Made-up units, decisions and numbers throughout; the decisions of the synthetic provinces are marked
"(tổng hợp)".
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_RAW = REPO / "data" / "raw"
FRAMEWORKS = DEFAULT_RAW / "frameworks"
SEED = 20250701  # the day the reorganisation took effect; any fixed value would do
BEFORE, AFTER = "mau-ba-cap-2024", "mau-hai-cap-2025"
NQ202 = "Nghị quyết 202/2025/QH15"
NQ_XA = "Nghị quyết sắp xếp đơn vị hành chính cấp xã của tỉnh Mẫu EG (tổng hợp)"
QD_SO = "Quyết định tổ chức các sở của tỉnh Mẫu EG (tổng hợp)"
ENDED, STARTS, SO_STARTS, SO_ENDED = "30/06/2025", "01/07/2025", "01/03/2025", "28/02/2025"

PROVINCES = [
    ("MTE", "Tỉnh Mẫu E (dữ liệu tổng hợp)", "", ENDED),
    ("MTG", "Tỉnh Mẫu G (dữ liệu tổng hợp)", "", ENDED),
    ("MEG", "Tỉnh Mẫu EG — sau sắp xếp 2025 (dữ liệu tổng hợp)", STARTS, ""),
]
# unit_id, name, group, parent, province, valid_from, valid_to
UNITS = [
    ("ES01", "Sở Nội vụ", "department", "", "MTE", "", SO_ENDED),
    ("ES02", "Sở Tư pháp", "department", "", "MTE", "", ENDED),
    ("ES03", "Sở Giao thông vận tải", "department", "", "MTE", "", SO_ENDED),
    ("GS01", "Sở Nội vụ", "department", "", "MTG", "", SO_ENDED),
    ("GS02", "Sở Tư pháp", "department", "", "MTG", "", ENDED),
    ("EH1", "UBND huyện Đông", "district", "", "MTE", "", ENDED),
    ("EH2", "UBND huyện Tây", "district", "", "MTE", "", ENDED),
    ("GH1", "UBND huyện Nam", "district", "", "MTG", "", ENDED),
    ("EX11", "UBND xã Đông An", "commune", "EH1", "MTE", "", ENDED),
    ("EX12", "UBND xã Đông Bình", "commune", "EH1", "MTE", "", ENDED),
    ("EX21", "UBND xã Tây Hòa", "commune", "EH2", "MTE", "", ENDED),
    ("EX22", "UBND xã Tây Sơn", "commune", "EH2", "MTE", "", ENDED),
    ("GX11", "UBND xã Nam Phú", "commune", "GH1", "MTG", "", ENDED),
    ("GX12", "UBND xã Nam Thịnh", "commune", "GH1", "MTG", "", ENDED),
    ("MS01", "Sở Nội vụ", "department", "", "MEG", SO_STARTS, ""),
    ("MS02", "Sở Tư pháp", "department", "", "MEG", STARTS, ""),
    ("MS03", "Sở Xây dựng", "department", "", "MEG", SO_STARTS, ""),
    ("MX01", "UBND xã Đông An Bình", "commune", "", "MEG", STARTS, ""),
    ("MX02", "UBND xã Tây Hòa", "commune", "", "MEG", STARTS, ""),
    ("MX03", "UBND xã Tây Sơn", "commune", "", "MEG", STARTS, ""),
    ("MX04", "UBND xã Sơn Thủy", "commune", "", "MEG", STARTS, ""),
    ("MX05", "UBND xã Nam Phú Thịnh", "commune", "", "MEG", STARTS, ""),
]
# predecessor, relation, successor, effective date, decision
CHANGES = [
    ("MTE", "merged_into", "MEG", STARTS, NQ202),
    ("MTG", "merged_into", "MEG", STARTS, NQ202),
    ("ES01", "merged_into", "MS01", SO_STARTS, QD_SO),
    ("GS01", "merged_into", "MS01", SO_STARTS, QD_SO),
    ("ES02", "merged_into", "MS02", STARTS, QD_SO),
    ("GS02", "merged_into", "MS02", STARTS, QD_SO),
    ("ES03", "renamed", "MS03", SO_STARTS, QD_SO),
    ("EX11", "merged_into", "MX01", STARTS, NQ_XA),
    ("EX12", "merged_into", "MX01", STARTS, NQ_XA),
    ("EX21", "moved", "MX02", STARTS, NQ_XA),
    ("EX22", "split_into", "MX03", STARTS, NQ_XA),
    ("EX22", "split_into", "MX04", STARTS, NQ_XA),
    ("GX11", "merged_into", "MX05", STARTS, NQ_XA),
    ("GX12", "merged_into", "MX05", STARTS, NQ_XA),
]
# Weights a user supplies for a derived composite (made-up populations): only for EX11 + EX12 → MX01.
WEIGHTS = [("EX11", "8200", "dân số năm 2024 (tổng hợp)"), ("EX12", "5400", "dân số năm 2024 (tổng hợp)")]
YEAR_OF = {BEFORE: 2024, AFTER: 2025}


def leaves(ruleset: str, group: str) -> list[dict]:
    with open(FRAMEWORKS / ruleset / f"{group}.csv", encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if (r["method"] or "").strip() in ("appraised", "bonus", "penalty")]


def submissions(rng: random.Random) -> dict[Path, list[dict]]:
    files: dict[Path, list[dict]] = {}
    for unit_id, _, group, _, province, _, _ in UNITS:
        ruleset = AFTER if province == "MEG" else BEFORE
        year = YEAR_OF[ruleset]
        skill = rng.uniform(0.6, 0.98)
        for leaf in leaves(ruleset, group):
            top = float(leaf["max_points"])
            if leaf["method"] == "appraised":
                score = round(min(top, top * rng.uniform(skill - 0.15, skill + 0.1)) * 4) / 4
            else:
                score = 0.0
            files.setdefault(Path("submissions") / str(year) / "sap-xep-2025" / f"{group}.csv", []).append(
                {
                    "unit_id": unit_id,
                    "year": year,
                    "criterion_code": leaf["code"],
                    "self_score": f"{max(score, 0):g}",
                    "evidence_refs": f"{rng.randint(10, 300)}/BC-{unit_id}",
                    "explanation": "",
                    "submitted_at": f"20/11/{year}",
                }
            )
    return files


def write_csv(path: Path, header: list[str], rows: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row[h] for h in header] if isinstance(row, dict) else row)


README = """# Sample across the July 2025 reorganisation (SYNTHETIC)

Written by `scripts/make_sample_2025.py` (run by `make sample`), deterministically (random seed {seed}).
Do not edit by hand. Made-up provinces, units, decisions and scores:

- 2024: **Tỉnh Mẫu E** (`MTE`: 3 departments, 2 districts, 4 communes) and **Tỉnh Mẫu G** (`MTG`: 2 departments,
  1 district, 2 communes), scored with `frameworks/mau-ba-cap-2024` (three levels; ILLUSTRATIVE, 1708/QĐ-UBND's trees).
- 1/3/2025: `ES01` and `GS01` (Sở Nội vụ) merge into `MS01`; `ES03` (Sở Giao thông vận tải) is renamed `MS03`
  (Sở Xây dựng). 1/7/2025: the provinces merge into **Tỉnh Mẫu EG** (`MEG`) as 63 provinces became 34
  ({nq202}); the districts end; `EX11` + `EX12` → `MX01`, `GX11` + `GX12` → `MX05` (merged), `EX22` splits into
  `MX03` and `MX04`, `EX21` moves to the province as `MX02`; `ES02` + `GS02` → `MS02`.
- 2025: `MEG` scored with `frameworks/mau-hai-cap-2025` (departments and communes; a commune's parent is the
  province; ILLUSTRATIVE). `marts.unit_lineage` links each 2025 unit to its predecessors, `marts.unit_trend`
  shows their 2024 index beside its own, and `unit_weights.csv` (made-up populations of `EX11`, `EX12`) adds a
  labelled composite for `MX01`.

Files: `provinces_2025.csv`, `units_2025.csv`, `unit_changes.csv`, `unit_weights.csv`,
`submissions/2024/sap-xep-2025/*.csv`, `submissions/2025/sap-xep-2025/*.csv` (docs/inputs.md).
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_RAW, help="folder to write (default data/raw)")
    out = parser.parse_args(argv).out
    rng = random.Random(SEED)
    write_csv(
        out / "provinces_2025.csv",
        ["province_code", "province_name", "ruleset_family", "synthetic", "valid_from", "valid_to"],
        [(code, name, "mau-sap-xep", "có", start, end) for code, name, start, end in PROVINCES],
    )
    write_csv(
        out / "units_2025.csv",
        ["unit_id", "unit_name", "unit_group", "parent_unit_id", "province_code", "valid_from", "valid_to"],
        UNITS,
    )
    write_csv(
        out / "unit_changes.csv", ["unit_id", "relation", "successor_id", "effective_date", "decision_no"], CHANGES
    )
    write_csv(out / "unit_weights.csv", ["unit_id", "weight", "basis"], WEIGHTS)
    header = ["unit_id", "year", "criterion_code", "self_score", "evidence_refs", "explanation", "submitted_at"]
    for path, rows in sorted(submissions(rng).items()):
        write_csv(out / path, header, rows)
    (out / "README_2025.md").write_text(README.format(seed=SEED, nq202=NQ202), encoding="utf-8")
    print(f"Synthetic sample across the 2025 reorganisation (MTE, MTG → MEG) written to {out}")


if __name__ == "__main__":
    main()
