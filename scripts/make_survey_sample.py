"""Generate the SYNTHETIC survey sample in ``data/raw/surveys/`` (deterministic).

Run from the repository root::

    .venv/bin/python -m scripts.make_survey_sample            # writes data/raw/surveys/
    .venv/bin/python -m scripts.make_survey_sample --out DIR  # writes elsewhere

It reads, never writes, the files of ``scripts/make_sample.py`` (units.csv, survey_results.csv)
and the hand-written survey rules (surveys.yaml, questionnaires/), and writes:

- ``sipas/<year>/<unit>.csv|.xlsx``: SIPAS respondents of every department and district of
  "Tỉnh Mẫu (dữ liệu tổng hợp)", 2022-2024. Their satisfied shares reproduce the published
  aggregate ``survey_results.csv`` to its 0.1 rounding (exactly for the engineered 2024 tie of
  S04 and S13), so the PAR index keeps its meaning; one unit-year has very few respondents.
- ``civil_servant/<year>/<unit>.csv``: the civil-servant survey of a few units.
- ``dossiers.csv``: dossiers per unit and year (N of the sample-size formula).

The PAPI tables (``papi/``, ``papi_source/``, ``papi_provinces.csv``, ``papi_dimensions.csv``) are not
written here: they are PAPI's real published scores, copied (papi_source/README.md).
- ``README.md``: what is engineered where.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from scripts.make_sample import FIXED_DT, stable_xlsx_bytes, write_csv

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
SURVEYS = RAW / "surveys"
SEED = 20201002  # date of Vĩnh Long's Decision 2639/QĐ-UBND; any fixed value would do
YEARS = (2022, 2023, 2024)
MARGIN = Fraction(1, 20)  # e = 5% (surveys.yaml `planning`)
TOLERANCE = Fraction(4, 10000)  # |share − published share| < 0.04 percentage points: the same at 0.1 rounding

# The engineered 2024 tie of data/raw/README.md (S04 and S13 total 90.046) depends on their survey
# shares to the last digit, so their respondents reproduce the published shares exactly.
EXACT = {(2024, "S04"), (2024, "S13")}
TINY = {(2023, "S10"): 7}  # very few respondents: flagged, and disagrees with the published aggregate
WEIGHTED = {(2023, "H02"), (2024, "H02"), (2023, "H06"), (2024, "H06"), (2024, "S07")}
WEIGHTS = {"Thành thị": Fraction(3, 4), "Nông thôn": Fraction(7, 5)}  # post-stratification, by area
XLSX = {(2024, "H01"), (2024, "H03"), (2024, "H05"), (2024, "H08")}  # survey tool exports, unit by name
LABELLED = {(2023, "H04")}  # Likert answers written as words ("Hài lòng"), not codes
NO_DOSSIERS = {(2022, "S17")}
# Input problems on purpose (none changes a share: each sits on a cell or row that does not count).
OFF_SCALE = (2023, "S02")  # a '6' typed where the respondent left the question blank
DUPLICATE = (2022, "H03")  # a respondent typed twice
BAD_DATE = (2024, "S09")  # 31/02/2024

LIKERT_WORDS = {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng", 5: "Rất hài lòng"}
FIELDS = ["Đất đai", "Hộ tịch", "Đầu tư", "Xây dựng", "Tư pháp", "Lao động", "Giao thông", "Y tế", "Giáo dục"]
AGE_BANDS = ["18-29", "30-44", "45-59", "60+"]
CHANNELS = [("Trực tiếp", 0.7), ("Trực tuyến", 0.2), ("Bưu chính", 0.1)]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------------------ choosing counts


def _fits(s: int, d: int, p: Fraction, exact: bool) -> bool:
    return d > 0 and (Fraction(s, d) == p if exact else abs(Fraction(s, d) - p) < TOLERANCE)


def leaf_counts(cells: int, p: Fraction, exact: bool, prefer: int, most: int) -> tuple[int, int] | None:
    """(excluded cells, satisfied cells) with satisfied / (cells − excluded) ≈ p, excluded near `prefer`."""
    if exact:  # the valid cells must be a multiple of p's denominator
        d = p.denominator
        options = [k * d for k in range(max(1, -(-(cells - most) // d)), cells // d + 1)]
        if not options:
            return None
        valid = min(options, key=lambda v: (abs(cells - v - prefer), v))
        return cells - valid, int(p * valid)
    for excluded in sorted(range(0, most + 1), key=lambda e: (abs(e - prefer), e)):
        valid = cells - excluded
        if valid <= 0:
            continue
        satisfied = round(p * valid)
        if _fits(satisfied, valid, p, exact):
            return excluded, satisfied
    return None


def feedback_counts(r: int, q: int, p: Fraction, exact: bool, rng: random.Random) -> tuple[int, int, int] | None:
    """(respondents who sent feedback, don't-knows among their answers, satisfied) for the feedback block.

    Only people who sent a comment or complaint answer it (the others leave it blank).
    """
    prefer = round(r * rng.uniform(0.3, 0.5))
    for f in sorted(range(max(1, r // 5), r + 1), key=lambda f: (abs(f - prefer), f)):
        found = leaf_counts(f * q, p, exact, prefer=0, most=max(1, f * q // 20))
        if found:
            return f, found[0], found[1]
    return None


def weighted_counts(
    cells: dict[str, int], p: Fraction, rng: random.Random, most: dict[str, int]
) -> dict[str, tuple[int, int]]:
    """Per area: (excluded, satisfied) so that the weighted share Σw·s / Σw·a is within tolerance of p."""
    w = WEIGHTS
    areas = list(cells)
    for ex_u in sorted(range(most[areas[0]] + 1), key=lambda e: abs(e - most[areas[0]] // 2)):
        for ex_r in sorted(range(most[areas[1]] + 1), key=lambda e: abs(e - most[areas[1]] // 2)):
            d = {areas[0]: cells[areas[0]] - ex_u, areas[1]: cells[areas[1]] - ex_r}
            if min(d.values()) <= 0:
                continue
            total = sum(w[a] * d[a] for a in areas)
            centre = round(p * d[areas[0]])
            for s_u in sorted(
                range(max(0, centre - 4), min(d[areas[0]], centre + 4) + 1), key=lambda s: abs(s - centre)
            ):
                s_r = round((p * total - w[areas[0]] * s_u) / w[areas[1]])
                if not 0 <= s_r <= d[areas[1]]:
                    continue
                share = (w[areas[0]] * s_u + w[areas[1]] * s_r) / total
                if abs(share - p) < TOLERANCE:
                    return {areas[0]: (ex_u, s_u), areas[1]: (ex_r, s_r)}
    raise RuntimeError("no weighted allocation found")


# ------------------------------------------------------------------------------ respondents


class Survey:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.units = {u["unit_id"]: u for u in read_csv(RAW / "units.csv")}
        self.scored = [u for u in self.units.values() if u["unit_group"] in ("department", "district")]
        self.shares: dict[tuple[int, str], dict[str, Fraction]] = {}
        self.published_n: dict[tuple[int, str], int] = {}
        for r in read_csv(RAW / "survey_results.csv"):
            key = (int(r["year"]), r["unit_id"])
            if r["unit_id"] in self.units and self.units[r["unit_id"]]["unit_group"] in ("department", "district"):
                self.shares.setdefault(key, {})[r["criterion_code"]] = Fraction(r["satisfied_pct"]) / 100
                self.published_n[key] = int(r["respondents"])
        self.questions = read_csv(SURVEYS / "questionnaires" / "sipas.csv")
        self.by_leaf: dict[str, list[str]] = {}
        for q in self.questions:
            self.by_leaf.setdefault(q["leaf_code"], []).append(q["question_id"])
        self.feedback_leaf = next(q["leaf_code"] for q in self.questions if q["component_code"] == "feedback")
        self.summary: list[str] = []
        self.sizes: dict[tuple[int, str], int] = {}

    # A matrix of cell kinds per respondent and question: S satisfied, N not, K don't know, B blank.
    def plan(self, year: int, unit_id: str) -> tuple[list[dict], dict[str, dict[str, str]]]:
        key = (year, unit_id)
        shares = self.shares[key]
        exact = key in EXACT
        r = TINY.get(key) or self.published_n[key]
        if exact:
            r = self._exact_size(shares, r)
        people = self._people(year, unit_id, r, weighted=key in WEIGHTED)
        kinds: dict[str, dict[str, str]] = {p["id"]: {} for p in people}
        for leaf, qids in sorted(self.by_leaf.items()):
            p = shares[leaf]
            if key in WEIGHTED:
                self._fill_weighted(people, kinds, qids, p, feedback=leaf == self.feedback_leaf)
            else:
                self._fill(people, kinds, qids, p, exact, feedback=leaf == self.feedback_leaf, tiny=key in TINY)
        return people, kinds

    def _exact_size(self, shares: dict[str, Fraction], start: int) -> int:
        for r in range(start, 2000):
            ok = True
            for leaf, qids in self.by_leaf.items():
                q = len(qids)
                if leaf == self.feedback_leaf:
                    ok = ok and any(
                        leaf_counts(f * q, shares[leaf], True, 0, f * q // 10) for f in range(r // 4, r // 2)
                    )
                else:
                    ok = ok and leaf_counts(r * q, shares[leaf], True, r * q // 20, r * q // 4) is not None
                if not ok:
                    break
            if ok:
                return r
        raise RuntimeError("no exact sample size")

    def _people(self, year: int, unit_id: str, r: int, weighted: bool) -> list[dict]:
        rng = self.rng
        start = date(year, 8, 1)
        people = []
        for i in range(1, r + 1):
            channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
            people.append(
                {
                    "id": f"{unit_id}-{year}-{i:04d}",
                    "date": start + timedelta(days=rng.randrange(0, 110)),  # before 30/11 (1708/QĐ-UBND Art. 6.2.a)
                    "channel": channel,
                    "sex": rng.choice(["Nam", "Nữ"]),
                    "age": rng.choice(AGE_BANDS),
                    "area": "Thành thị" if rng.random() < 0.55 else "Nông thôn",
                    "field": rng.choice(FIELDS),
                    "weight": None,
                }
            )
        if weighted:
            for p in people:
                p["weight"] = WEIGHTS[p["area"]]
        return people

    def _fill(self, people, kinds, qids, p, exact, feedback, tiny) -> None:
        rng, r, q = self.rng, len(people), len(qids)
        if feedback:
            found = feedback_counts(r, q, p, exact, rng)
            if found is None and tiny:
                f = max(1, r // 2)
                found = (f, 0, round(p * f * q))
            f, dk, sat = found
            answering = set(rng.sample(range(r), f))
            cells = [(i, qid) for i in sorted(answering) for qid in qids]
            for i in range(r):
                if i not in answering:
                    for qid in qids:
                        kinds[people[i]["id"]][qid] = "B"
            self._scatter(people, kinds, cells, dk, sat, blank_share=0.0)
            return
        prefer = round(r * q * rng.uniform(0.02, 0.06))
        found = leaf_counts(r * q, p, exact, prefer, r * q // (4 if exact else 8))
        if found is None:
            if not tiny:
                raise RuntimeError(f"no counts for {r}×{q} at {p}")
            found = (0, round(p * r * q))
        excluded, sat = found
        self._scatter(people, kinds, [(i, qid) for i in range(r) for qid in qids], excluded, sat, blank_share=0.25)

    def _fill_weighted(self, people, kinds, qids, p, feedback) -> None:
        rng, q = self.rng, len(qids)
        by_area = {a: [i for i, person in enumerate(people) if person["area"] == a] for a in WEIGHTS}
        if feedback:
            answering = {
                a: sorted(rng.sample(idx, max(1, round(len(idx) * rng.uniform(0.3, 0.5)))))
                for a, idx in by_area.items()
            }
            cells = {a: len(idx) * q for a, idx in answering.items()}
            most = {a: max(1, c // 20) for a, c in cells.items()}
            counts = weighted_counts(cells, p, rng, most)
            for a, idx in by_area.items():
                for i in idx:
                    if i not in answering[a]:
                        for qid in qids:
                            kinds[people[i]["id"]][qid] = "B"
                ex, sat = counts[a]
                self._scatter(people, kinds, [(i, qid) for i in answering[a] for qid in qids], ex, sat, 0.0)
            return
        cells = {a: len(idx) * q for a, idx in by_area.items()}
        most = {a: max(1, c // 12) for a, c in cells.items()}
        counts = weighted_counts(cells, p, rng, most)
        for a, idx in by_area.items():
            ex, sat = counts[a]
            self._scatter(people, kinds, [(i, qid) for i in idx for qid in qids], ex, sat, 0.25)

    def _scatter(self, people, kinds, cells, excluded, satisfied, blank_share) -> None:
        rng = self.rng
        cells = list(cells)
        rng.shuffle(cells)
        for n, (i, qid) in enumerate(cells):
            if n < excluded:
                kind = "B" if rng.random() < blank_share else "K"
            elif n < excluded + satisfied:
                kind = "S"
            else:
                kind = "N"
            kinds[people[i]["id"]][qid] = kind

    def answer(self, kind: str, words: bool, dk_code: str) -> str:
        rng = self.rng
        if kind == "B":
            return ""
        if kind == "K":
            return dk_code
        value = (5 if rng.random() < 0.3 else 4) if kind == "S" else rng.choices([3, 2, 1], [0.6, 0.3, 0.1])[0]
        return LIKERT_WORDS[value] if words else str(value)

    # ---------------------------------------------------------------------------- files
    def write_sipas(self, out: Path) -> list[Path]:
        written = []
        qids = [q["question_id"] for q in self.questions]
        for year in YEARS:
            folder = out / "sipas" / str(year)
            folder.mkdir(parents=True, exist_ok=True)
            for unit in self.scored:
                key = (year, unit["unit_id"])
                people, kinds = self.plan(*key)
                self.sizes[key] = len(people)
                weighted = key in WEIGHTED
                rows = []
                for person in people:
                    k = kinds[person["id"]]
                    row = {
                        "Mã phiếu": person["id"],
                        "Mã đơn vị": unit["unit_id"],
                        "Tên đơn vị": unit["unit_name"],
                        "Ngày khảo sát": person["date"],
                        "Hình thức": person["channel"],
                        "Giới tính": person["sex"],
                        "Nhóm tuổi": person["age"],
                        "Khu vực": person["area"],
                        "Lĩnh vực": person["field"],
                    }
                    if weighted:
                        row["Trọng số"] = f"{float(person['weight']):g}"
                    dk_code = "KB" if key in XLSX else "9"
                    for qid in qids:
                        row[qid] = self.answer(k[qid], key in LABELLED, dk_code)
                    rows.append(row)
                self._problems(key, rows, qids)
                self._check(key, rows, qids)
                if key in XLSX:
                    written.append(self._write_xlsx(folder / f"{unit['unit_id']}.xlsx", year, unit, rows, qids))
                else:
                    columns = ["Mã phiếu", "Mã đơn vị", "Ngày khảo sát", "Hình thức", "Giới tính", "Nhóm tuổi"]
                    columns += ["Khu vực", "Lĩnh vực", *(["Trọng số"] if weighted else []), *qids]
                    for row in rows:
                        when = row["Ngày khảo sát"]
                        row["Ngày khảo sát"] = (
                            f"31/02/{year}" if row.pop("_bad_date", False) else when.strftime("%d/%m/%Y")
                        )
                        row.pop("Tên đơn vị")
                    written.append(write_csv(folder / f"{unit['unit_id']}.csv", columns, rows))
        return written

    def _problems(self, key, rows, qids) -> None:
        if key == OFF_SCALE:
            row, qid = next((r, q) for r in rows for q in qids if r[q] == "")
            row[qid] = "6"
            self.summary.append(f"off-scale answer: sipas/{key[0]}/{key[1]}.csv, {row['Mã phiếu']}, {qid} = 6")
        if key == DUPLICATE:
            rows.insert(11, dict(rows[10]))
            self.summary.append(f"duplicate respondent: sipas/{key[0]}/{key[1]}.csv, {rows[10]['Mã phiếu']} twice")
        if key == BAD_DATE:
            rows[4]["Ngày khảo sát"] = None
            rows[4]["_bad_date"] = True
            self.summary.append(f"bad date: sipas/{key[0]}/{key[1]}.csv, {rows[4]['Mã phiếu']} = 31/02/{key[0]}")

    def _check(self, key, rows, qids) -> None:
        """Recompute each leaf's share as chiso will (valid answers only, first of a duplicate) and compare."""
        seen, counts = set(), {}
        for row in rows:
            if row["Mã phiếu"] in seen:
                continue
            seen.add(row["Mã phiếu"])
            w = WEIGHTS[row["Khu vực"]] if key in WEIGHTED else 1
            for leaf, leaf_q in self.by_leaf.items():
                s, a = counts.get(leaf, (0, 0))
                for qid in leaf_q:
                    text = row[qid]
                    value = next((k for k, v in LIKERT_WORDS.items() if v == text), None) or (
                        int(text) if text.isdigit() else None
                    )
                    if value is not None and 1 <= value <= 5:
                        a += w
                        s += w * (value >= 4)
                counts[leaf] = (s, a)
        for leaf, (s, a) in counts.items():
            share, published = Fraction(s) / Fraction(a), self.shares[key][leaf]
            if key in EXACT:
                assert share == published, (key, leaf, share, published)
            elif key not in TINY:
                assert abs(share - published) < TOLERANCE, (key, leaf, float(share), float(published))
            else:
                self.summary.append(
                    f"few respondents: {key[1]} {key[0]} has {len(seen)} respondents; leaf {leaf} "
                    f"{float(share) * 100:.2f}% vs published {float(published) * 100:.1f}%"
                )
        if key in EXACT:
            self.summary.append(
                f"exact: {key[1]} {key[0]} has {len(seen)} respondents; shares equal survey_results.csv"
            )

    def _write_xlsx(self, path: Path, year: int, unit: dict, rows: list[dict], qids: list[str]) -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Kết quả khảo sát"
        ws["A1"] = f"KẾT QUẢ KHẢO SÁT SỰ HÀI LÒNG NĂM {year} (DỮ LIỆU TỔNG HỢP)"
        ws["A1"].font = Font(bold=True)
        ws["A2"] = f"Đơn vị được khảo sát: {unit['unit_name']}"
        header = ["STT", "Mã phiếu", "Tên đơn vị", "Ngày khảo sát", "Hình thức", "Giới tính", "Nhóm tuổi"]
        header += ["Khu vực", "Lĩnh vực", *qids]
        for c, h in enumerate(header, start=1):
            ws.cell(4, c, h).font = Font(bold=True)
        for n, row in enumerate(rows, start=1):
            short = unit["unit_name"].removeprefix("UBND ")
            values = [n, row["Mã phiếu"], unit["unit_name"] if n % 2 else short[:1].upper() + short[1:]]
            values += [row["Ngày khảo sát"], row["Hình thức"], row["Giới tính"], row["Nhóm tuổi"]]
            values += [row["Khu vực"], row["Lĩnh vực"]]
            values += [int(row[q]) if row[q].isdigit() else (row[q] or None) for q in qids]
            for c, v in enumerate(values, start=1):
                ws.cell(4 + n, c, v)
        end = 4 + len(rows) + 2
        ws.cell(end, 2, "Người tổng hợp")
        ws.cell(end, 8, "THỦ TRƯỞNG ĐƠN VỊ")
        ws.cell(end + 1, 8, "(Ký, ghi rõ họ tên)")
        props = wb.properties
        props.creator = props.lastModifiedBy = "scripts/make_survey_sample.py (dữ liệu tổng hợp)"
        props.created = props.modified = FIXED_DT
        path.write_bytes(stable_xlsx_bytes(wb))
        return path


# ------------------------------------------------------------------------------ civil servants


CIVIL_UNITS = {(2023, "S01"): 24, (2023, "H01"): 31, (2024, "S01"): 22, (2024, "S03"): 6, (2024, "H01"): 35}


def write_civil_servants(out: Path, rng: random.Random) -> list[Path]:
    questions = read_csv(SURVEYS / "questionnaires" / "civil_servant.csv")
    written = []
    for (year, unit_id), n in sorted(CIVIL_UNITS.items()):
        folder = out / "civil_servant" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        quality = rng.uniform(0.55, 0.85)
        rows = []
        for i in range(1, n + 1):
            row = {
                "respondent_id": f"CC-{unit_id}-{year}-{i:03d}",
                "unit_id": unit_id,
                "year": year,
                "survey_date": date(year, 10, 1 + rng.randrange(0, 30)).isoformat(),
                "channel": "trực tuyến",
                "sex": rng.choice(["Nam", "Nữ"]),
                "age_band": rng.choice(["dưới 30", "30-39", "40-49", "50+"]),
            }
            for q in questions:
                roll = rng.random()
                if q["answer_type"] == "options":
                    row[q["question_id"]] = "1" if roll < quality + 0.1 else "2"
                elif roll < 0.05:
                    row[q["question_id"]] = "9"
                elif roll < 0.08:
                    row[q["question_id"]] = ""
                else:
                    good = rng.random() < quality
                    row[q["question_id"]] = str(rng.choice([4, 5]) if good else rng.choice([2, 3, 3]))
            rows.append(row)
        columns = ["respondent_id", "unit_id", "year", "survey_date", "channel", "sex", "age_band"]
        written.append(write_csv(folder / f"{unit_id}.csv", columns + [q["question_id"] for q in questions], rows))
    return written


# ------------------------------------------------------------------------------ dossiers


def write_dossiers(out: Path, survey: Survey, respondents: dict[tuple[int, str], int]) -> Path:
    rng = survey.rng
    rows = []
    for year in YEARS:
        for unit in survey.scored:
            key = (year, unit["unit_id"])
            if key in NO_DOSSIERS:
                continue
            target = min(384, round(respondents[key] * rng.uniform(0.75, 1.3)))
            big_n = math.ceil(Fraction(target) / (1 - target * MARGIN * MARGIN))  # inverse of n = N/(1+N·e²)
            rows.append({"year": year, "unit_id": unit["unit_id"], "dossiers": big_n})
    return write_csv(out / "dossiers.csv", ["year", "unit_id", "dossiers"], rows)


# ------------------------------------------------------------------------------ README and main


def write_readme(out: Path, survey: Survey, short: list[str]) -> Path:
    weighted = ", ".join(f"{u} {y}" for y, u in sorted(WEIGHTED))
    xlsx = ", ".join(f"{u} {y}" for y, u in sorted(XLSX))
    ((tiny_key, tiny_n),) = TINY.items()
    exact = ", ".join(f"{u} {y} ({survey.sizes[(y, u)]} người)" for y, u in sorted(EXACT))
    lines = [
        "# Survey sample (SYNTHETIC, except the real PAPI tables)",
        "",
        "Everything in this folder except `surveys.yaml` and `questionnaires/` (the hand-written rules,",
        'docs/inputs.md "Surveys") and the PAPI files (real, see below) is **made-up data** written by',
        "`scripts/make_survey_sample.py` (`.venv/bin/python -m scripts.make_survey_sample`; deterministic,",
        f"random seed {SEED}). Do not edit it by hand: change the generator and run it again.",
        "",
        "## SIPAS respondents (`sipas/<year>/<unit>.csv|.xlsx`)",
        "Every department and district of Tỉnh Mẫu (dữ liệu tổng hợp), 2022-2024, one file per unit and",
        "year, one row per respondent, 22 questions of 2639/QĐ-UBND Annex 2 (Likert 1-5; `9`/`KB` = không biết;",
        "blank = not asked, e.g. the feedback block for people who sent no feedback).",
        "",
        "They are the respondents behind `../survey_results.csv` (written by scripts/make_sample.py): each",
        "leaf's satisfied share rounds to the published 0.1%, so the PAR index hardly moves when chiso",
        "takes the shares from respondents instead (docs/inputs.md, precedence). Engineered cases:",
        "",
        f"- exact shares: {exact}: the engineered 2024 tie of ../README.md depends on their survey",
        "  shares to the last digit, so their respondents reproduce the published shares exactly",
        "  (more respondents than the published count, which is why).",
        f"- very few respondents: {tiny_key[1]} {tiny_key[0]} has {tiny_n} respondents: flagged `few_respondents`;",
        "  its shares differ from the published ones (quarantine rule `respondents_disagree`) and its survey points",
        "  change a little.",
        f"- weighted (post-stratification by area, Thành thị 0.75, Nông thôn 1.4): {weighted}.",
        f"- survey-tool `.xlsx` exports (title rows, footer, unit by name, `KB` for không biết): {xlsx}.",
        f'- Likert answers written as words ("Hài lòng"): {", ".join(f"{u} {y}" for y, u in sorted(LABELLED))}.',
        "- input problems (quarantined, none changes a share):",
        *[f"  - {line}" for line in survey.summary if line.startswith(("off-scale", "duplicate", "bad date"))],
        "",
        "## Civil-servant survey (`civil_servant/<year>/<unit>.csv`)",
        "Illustrative questionnaire `questionnaires/civil_servant.csv` (one yes/no question, seven Likert).",
        "Units: " + ", ".join(f"{u} {y} ({n})" for (y, u), n in sorted(CIVIL_UNITS.items())) + "; S03 2024 is below",
        "`min_respondents` (10) and flagged. Hưng Yên's framework has no civil-servant leaf, so these feed",
        "`marts.civil_servant_index` only (Quảng Ninh's would feed leaves 9.2/10.2: docs/inputs.md).",
        "",
        "## Dossiers (`dossiers.csv`)",
        "Dossiers per unit and year, for n = N / (1 + N·e²), e = 5%. "
        + ", ".join(f"{u} {y}" for y, u in sorted(NO_DOSSIERS))
        + " has none (the plan says so).",
        f"Samples that fell short of n: {len(short)} unit-years.",
        "",
        "## PAPI (`papi/`, `papi_source/`, `papi_provinces.csv`, `papi_dimensions.csv`): real, not generated",
        "**PAPI's published sub-dimension scores** for all 63 provinces, 2011-2024 (CECODES, VFF-CRT, RTA and",
        "UNDP Viet Nam, papi.org.vn), as copied by the GitHub repository hnks-gh/ml-mcdm (MIT licence):",
        "source, licence, layout and gaps in `papi_source/README.md`. `papi_dimensions.csv` maps PAPI's",
        'structure year by year (docs/inputs.md, "PAPI"), `papi_provinces.csv` names the province codes.',
        "",
    ]
    path = out / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SURVEYS, help="folder to write (default data/raw/surveys)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    survey = Survey()
    written = survey.write_sipas(out)
    written += write_civil_servants(out, survey.rng)
    written.append(write_dossiers(out, survey, survey.sizes))
    short = []
    for r in read_csv(out / "dossiers.csv"):
        key = (int(r["year"]), r["unit_id"])
        need = math.ceil(Fraction(int(r["dossiers"])) / (1 + int(r["dossiers"]) * MARGIN * MARGIN))
        if survey.sizes.get(key, 0) < need:
            short.append(key)
    written.append(write_readme(out, survey, short))
    print(f"Synthetic survey sample (dữ liệu tổng hợp): {len(written)} files written to {out}")
    for line in survey.summary:
        print("  " + line)


if __name__ == "__main__":
    main()
