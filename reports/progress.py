"""Progress reports on the improvement plan: one offline HTML page per reporting period, in Vietnamese.

2639/QĐ-UBND Part III.1.d: the Department of Home Affairs "định kỳ hàng quý, 6 tháng, năm tổng hợp,
báo cáo UBND tỉnh về tình hình và kết quả thực hiện kế hoạch". Each page follows that report:
a summary, targets met and not met by field, the targets not met (those at risk first), the lead
agencies behind, and the comparison with the same period of the previous year.

Built from `marts.plan_tracking` and `core.plan_scorecard`. Plain HTML with inline CSS: no script,
no font, no image and no link is fetched when the page is opened. Every text that comes from
input files (names, titles, agencies, sources) goes through `html.escape`; the text an official reads
names no file, table or variant id (the choice of a variant is said in words, `VARIANT_BASIS_LABELS`).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from models.plan.inputs import period_label, period_name
from models.plan.tracking import CHANGE_VI, TREND_VI, fmt_number
from reports.text import SYNTHETIC_BANNER, VARIANT_BASIS_LABELS, esc, nfc

PERIOD_KIND_VI = {"quarter": "quý", "half_year": "6 tháng", "year": "năm"}

_CSS = """
body { font-family: "Times New Roman", "Noto Serif", "DejaVu Serif", serif; margin: 2em auto; max-width: 1100px;
       color: #111; line-height: 1.45; padding: 0 1em; }
.banner { background: #cf222e; color: #fff; font-weight: bold; font-size: 1.25em; text-align: center;
          padding: .6em; margin-bottom: 1em; border-radius: 4px; letter-spacing: .02em; }
.head { display: flex; justify-content: space-between; text-align: center; font-weight: bold; }
.head div { width: 48%; }
h1 { text-align: center; font-size: 1.35em; margin: 1.2em 0 .2em; }
h1 + p.sub { text-align: center; font-weight: bold; margin-top: 0; }
h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 1px solid #999; }
h3 { font-size: 1em; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #888; padding: .25em .4em; vertical-align: top; }
th { background: #eef1f4; }
td.num { text-align: right; white-space: nowrap; }
.met { color: #1a7f37; font-weight: bold; }
.not_met { color: #cf222e; font-weight: bold; }
.no_data { color: #6e7781; font-style: italic; }
.risk { background: #fff1e5; }
.tag { display: inline-block; background: #cf222e; color: #fff; font-size: .8em; padding: 0 .35em;
       border-radius: 3px; margin-left: .3em; }
.small { font-size: .85em; color: #444; }
footer { margin-top: 2em; font-size: .9em; }
"""


def _pct(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{fmt_number(part / whole * 100, 1)}%"


def source_vi(source: str | None) -> str:
    """The section as an official reads it: `2639/QĐ-UBND Annex 1, 8.2.1` → `Phụ lục 1, mục 8.2.1`."""
    text = nfc(source)
    for en, vi in (("2639/QĐ-UBND ", ""), ("Annex ", "Phụ lục "), ("Part ", "Phần "), (", ", ", mục ")):
        text = text.replace(en, vi)
    return text.replace("; mục ", "; ")


def _seed_words(text: str | None) -> str:
    return nfc(text).replace("2639/QĐ-UBND Annex ", "Phụ lục ").replace("2639/QĐ-UBND Part ", "Phần ")


def other_variants_vi(text: str | None) -> str:
    """`phan-2 (2639/QĐ-UBND Part II I.8.b, Tăng ≥ 30%): Chưa đạt` → `Phần II I.8.b, Tăng ≥ 30%: Chưa đạt`
    (the variant's id is internal: the section of the decision names it)."""
    items = []
    for item in nfc(text).split("; ") if text else []:
        m = re.fullmatch(r"[a-z0-9][a-z0-9-]* \((.*)\): (.*)", item)
        items.append(f"{_seed_words(m[1])}: {m[2]}" if m else _seed_words(item))
    return "; ".join(items)


def report_filename(period: str) -> str:
    """`bao-cao-tien-do-2024.html`, `bao-cao-tien-do-2024-Q1.html`, `...-2024-H1.html`."""
    return f"bao-cao-tien-do-{period}.html"


def value_text(value: float | None, unit: str | None) -> str:
    """A target's value in its unit, as the report prints it: `98,5%`, `hạng 28`, `Đã thực hiện`."""
    if value is None:
        return "—"
    if unit == "có/không":
        return "Đã thực hiện" if value >= 1 else "Chưa thực hiện"
    if unit == "%":
        return f"{fmt_number(value)}%"
    if unit == "hạng":
        return f"hạng {fmt_number(value, 0)}"
    return f"{fmt_number(value)} {unit or ''}".strip()


def _status(row: dict) -> str:
    return f'<span class="{esc(row["status"])}">{esc(row["status_vi"])}</span>'


def _change(row: dict) -> str:
    if row["delta"] is None:
        return "—"
    sign = "+" if row["delta"] > 0 else ""
    words = CHANGE_VI.get(row["change"] or "", "")
    unit = "" if row["unit"] in ("có/không", "hạng") else (" điểm %" if row["unit"] == "%" else "")
    return f"{sign}{esc(fmt_number(row['delta']))}{unit}" + (f" ({esc(words)})" if words else "")


def _counts(rows: pl.DataFrame) -> dict[str, int]:
    return {s: int((rows["status"] == s).sum()) if rows.height else 0 for s in ("met", "not_met", "no_data")}


def _summary(now: pl.DataFrame, before: pl.DataFrame, label_before: str) -> str:
    c, b = _counts(now), _counts(before)
    with_data = c["met"] + c["not_met"]
    at_risk = int(now["at_risk"].sum()) if now.height else 0
    lines = [
        f"Số chỉ tiêu theo dõi trong kỳ: <b>{now.height}</b> (<span class='met'>{c['met']} đạt</span>, "
        f"<span class='not_met'>{c['not_met']} chưa đạt</span>, "
        f"<span class='no_data'>{c['no_data']} chưa có số liệu</span>).",
        f"Tỷ lệ chỉ tiêu đạt (trên các chỉ tiêu có số liệu): <b>{_pct(c['met'], with_data)}</b>.",
    ]
    if before.height:
        lines.append(
            f"{esc(label_before)}: {b['met']} đạt, {b['not_met']} chưa đạt, {b['no_data']} chưa có số liệu "
            f"(tỷ lệ đạt {_pct(b['met'], b['met'] + b['not_met'])})."
        )
    else:
        lines.append(f"{esc(label_before)}: chưa có số liệu để so sánh.")
    lines.append(f"Chỉ tiêu có nguy cơ không đạt (chưa đạt và xấu đi so với cùng kỳ năm trước): <b>{at_risk}</b>.")
    return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"


def _by_field(now: pl.DataFrame, before: pl.DataFrame) -> str:
    fields = (
        now.group_by("field_code", "field_title")
        .agg(
            pl.col("seq").min().alias("order"),
            pl.len().alias("n"),
            (pl.col("status") == "met").sum().alias("met"),
            (pl.col("status") == "not_met").sum().alias("not_met"),
            (pl.col("status") == "no_data").sum().alias("no_data"),
        )
        .sort("order")
    )
    prev = {
        r["field_code"]: r
        for r in before.group_by("field_code")
        .agg((pl.col("status") == "met").sum().alias("met"), (pl.col("status") == "not_met").sum().alias("not_met"))
        .iter_rows(named=True)
    }
    body = []
    for r in fields.iter_rows(named=True):
        p = prev.get(r["field_code"])
        body.append(
            f"<tr><td>{esc(r['field_code'])}. {esc(r['field_title'])}</td><td class='num'>{r['n']}</td>"
            f"<td class='num met'>{r['met']}</td><td class='num not_met'>{r['not_met']}</td>"
            f"<td class='num'>{r['no_data']}</td><td class='num'>{_pct(r['met'], r['met'] + r['not_met'])}</td>"
            f"<td class='num'>{_pct(p['met'], p['met'] + p['not_met']) if p else '—'}</td></tr>"
        )
    return (
        "<table><tr><th>Lĩnh vực</th><th>Số chỉ tiêu</th><th>Đạt</th><th>Chưa đạt</th><th>Chưa có số liệu</th>"
        "<th>Tỷ lệ đạt</th><th>Tỷ lệ đạt cùng kỳ năm trước</th></tr>" + "".join(body) + "</table>"
    )


def _not_met(now: pl.DataFrame) -> str:
    rows = now.filter(pl.col("status") == "not_met")
    if rows.is_empty():
        return "<p>Tất cả chỉ tiêu có số liệu đều đạt.</p>"
    body = []
    for r in rows.sort(pl.col("at_risk"), "seq", descending=[True, False]).iter_rows(named=True):
        tag = '<span class="tag">Có nguy cơ</span>' if r["at_risk"] else ""
        streak = (
            f"{r['streak_length']} năm" if r["streak_status"] == "not_met" and (r["streak_length"] or 0) > 1 else ""
        )
        body.append(
            f"<tr class='{'risk' if r['at_risk'] else ''}'><td>{esc(r['target_code'])}{tag}</td>"
            f"<td>{esc(r['title'])}</td><td>{esc(r['lead_agency'])}</td>"
            f"<td class='num'>{esc(value_text(r['actual'], r['unit']))}</td><td>{esc(r['target_text'])}</td>"
            f"<td class='num'>{esc(value_text(r['prev_actual'], r['unit']))}</td><td class='num'>{_change(r)}</td>"
            f"<td>{esc(TREND_VI.get(r['trend'] or '', '—'))}</td><td class='num'>{esc(streak) or '—'}</td></tr>"
        )
    return (
        "<table><tr><th>Mã</th><th>Chỉ tiêu</th><th>Cơ quan chủ trì</th><th>Kết quả kỳ này</th>"
        "<th>Yêu cầu</th><th>Cùng kỳ năm trước</th><th>Thay đổi</th><th>Xu hướng các năm</th>"
        "<th>Liên tiếp chưa đạt</th></tr>" + "".join(body) + "</table>"
    )


def _agencies(card: pl.DataFrame) -> str:
    behind = card.filter(pl.col("not_met") > 0)
    if behind.is_empty():
        return "<p>Không có cơ quan chủ trì nào còn chỉ tiêu chưa đạt.</p>"
    body = "".join(
        f"<tr><td>{esc(r['lead_agency'])}</td><td class='num'>{r['targets']}</td>"
        f"<td class='num met'>{r['met']}</td><td class='num not_met'>{r['not_met']}</td>"
        f"<td class='num'>{r['at_risk']}</td><td class='num'>{r['no_data']}</td>"
        f"<td class='num'>{_pct(r['met'], r['met'] + r['not_met'])}</td></tr>"
        for r in behind.sort(["not_met", "at_risk", "lead_agency"], descending=[True, True, False]).iter_rows(
            named=True
        )
    )
    return (
        "<table><tr><th>Cơ quan chủ trì</th><th>Số chỉ tiêu</th><th>Đạt</th><th>Chưa đạt</th>"
        "<th>Có nguy cơ</th><th>Chưa có số liệu</th><th>Tỷ lệ đạt</th></tr>" + body + "</table>"
    )


def _compare(now: pl.DataFrame, before: pl.DataFrame, label_before: str) -> str:
    if before.is_empty():
        return f"<p>{esc(label_before)} chưa có số liệu để so sánh.</p>"
    joined = now.join(
        before.select("target_code", pl.col("status").alias("status_before")), on="target_code", how="left"
    )
    up = joined.filter((pl.col("status") == "met") & (pl.col("status_before") == "not_met"))
    down = joined.filter((pl.col("status") == "not_met") & (pl.col("status_before") == "met"))

    def items(rows: pl.DataFrame) -> str:
        if rows.is_empty():
            return "<p class='small'>Không có.</p>"
        return (
            "<ul>"
            + "".join(
                f"<li>{esc(r['target_code'])}: {esc(r['title'])} "
                f"({esc(value_text(r['prev_actual'], r['unit']))} → {esc(value_text(r['actual'], r['unit']))})</li>"
                for r in rows.sort("seq").iter_rows(named=True)
            )
            + "</ul>"
        )

    return (
        f"<h3>Chỉ tiêu chuyển từ chưa đạt sang đạt ({up.height})</h3>{items(up)}"
        f"<h3>Chỉ tiêu chuyển từ đạt sang chưa đạt ({down.height})</h3>{items(down)}"
    )


def _no_data(now: pl.DataFrame) -> str:
    rows = now.filter(pl.col("status") == "no_data")
    if rows.is_empty():
        return "<p>Tất cả chỉ tiêu đều có số liệu.</p>"
    return (
        "<ul>"
        + "".join(
            f"<li>{esc(r['target_code'])}: {esc(r['title'])} ({esc(r['lead_agency'])}): {esc(r['status_reason'])}</li>"
            for r in rows.sort("seq").iter_rows(named=True)
        )
        + "</ul>"
    )


def _variants(now: pl.DataFrame) -> str:
    rows = now.filter(pl.col("variants_available") > 1)
    if rows.is_empty():
        return ""
    items = "".join(
        f"<li>{esc(r['target_code'])}: áp dụng mức ghi tại <b>{esc(source_vi(r['source']))}</b> "
        f"({esc(r['target_text'])}; {esc(VARIANT_BASIS_LABELS.get(r['variant_basis'] or '', ''))}), kết quả "
        f"{_status(r)}. Mức ghi khác: {esc(other_variants_vi(r['other_variants']) or '—')}.</li>"
        for r in rows.sort("seq").iter_rows(named=True)
    )
    return (
        "<h2>VI. Chỉ tiêu quyết định ghi khác nhau</h2><p>Quyết định ghi hai mức cho cùng một chỉ tiêu; "
        f"báo cáo dùng phương án đang áp dụng và nêu kết quả theo phương án còn lại.</p><ul>{items}</ul>"
    )


def _detail(now: pl.DataFrame) -> str:
    body = []
    field = None
    for r in now.sort("seq").iter_rows(named=True):
        if r["field_code"] != field:
            field = r["field_code"]
            body.append(f"<tr><th colspan='7' style='text-align:left'>{esc(field)}. {esc(r['field_title'])}</th></tr>")
        body.append(
            f"<tr><td>{esc(r['target_code'])}</td><td>{esc(r['title'])}</td>"
            f"<td class='num'>{esc(value_text(r['actual'], r['unit']))}</td><td>{esc(r['target_text'])}</td>"
            f"<td>{_status(r)}</td><td>{esc(r['lead_agency'])}</td>"
            f"<td class='small'>{esc(source_vi(r['source']))}</td></tr>"
        )
    return (
        "<table><tr><th>Mã</th><th>Chỉ tiêu</th><th>Kết quả</th><th>Yêu cầu</th><th>Đánh giá</th>"
        "<th>Cơ quan chủ trì</th><th>Nguồn</th></tr>" + "".join(body) + "</table>"
    )


def build_progress_report(
    tracking: pl.DataFrame,
    scorecard: pl.DataFrame,
    plans: pl.DataFrame,
    *,
    period: str,
    synthetic: bool,
    quarantined_rows: int = 0,
) -> str:
    """One report for `period` (e.g. `2024-Q1`), one section per province tracked in it.

    `tracking` is `marts.plan_tracking` (every period: the same period a year earlier is found
    in it), `scorecard` is `core.plan_scorecard`, `plans` is `staging.plans`.
    """
    now_all = tracking.filter(pl.col("period") == period)
    if now_all.is_empty():
        raise ValueError(f"no tracked targets for period {period}")
    first = now_all.row(0, named=True)
    title_period = first["period_label"]
    sections = []
    for province in sorted(now_all["province_code"].unique().to_list()):
        now = now_all.filter(pl.col("province_code") == province)
        row = now.row(0, named=True)
        plan = plans.filter(pl.col("plan_id") == row["plan_id"]).row(0, named=True)
        prev_period = period_name(row["year"] - 1, row["period_code"])
        before = tracking.filter((pl.col("province_code") == province) & (pl.col("period") == prev_period))
        label_before = f"Cùng kỳ năm trước ({period_label(row['year'] - 1, row['period_code'])})"
        card = scorecard.filter((pl.col("province_code") == province) & (pl.col("period") == period))
        reporter = esc(plan["reported_by"])
        reporter_upper = esc(nfc(plan["reported_by"]).upper())
        sections.append(
            f"""
<section>
<div class="head"><div>ỦY BAN NHÂN DÂN {esc(nfc(row["province"]).upper())}<br>{reporter_upper}</div>
<div>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</div></div>
<h1>BÁO CÁO<br>Tình hình, kết quả thực hiện Kế hoạch cải thiện Chỉ số Par Index, Chỉ số SIPAS
và Chỉ số PAPI</h1>
<p class="sub">{esc(title_period)} — {esc(row["province"])}</p>
<p>Kính gửi: {esc(plan["reported_to"])}.</p>
<p>Thực hiện Quyết định số {esc(plan["decision_no"])} ngày {esc(_date_vi(plan["decision_date"]))} ban hành
{esc(plan["title"])} (Phần III, mục 1.d: định kỳ hàng quý, 6 tháng, năm tổng hợp, báo cáo Ủy ban nhân dân tỉnh),
{reporter} báo cáo tình hình, kết quả thực hiện kế hoạch ({esc(title_period)}) như sau. Số liệu lũy kế từ
đầu năm và được so sánh với cùng kỳ năm trước; kỳ báo cáo {esc(PERIOD_KIND_VI[row["period_kind"]])} chỉ gồm
các chỉ tiêu có kỳ báo cáo này trong danh mục chỉ tiêu.</p>
<h2>I. Tóm tắt kết quả</h2>{_summary(now, before, label_before)}
<h2>II. Kết quả theo lĩnh vực</h2>{_by_field(now, before)}
<h2>III. Chỉ tiêu chưa đạt (chỉ tiêu có nguy cơ xếp trước)</h2>{_not_met(now)}
<h2>IV. Cơ quan chủ trì còn chỉ tiêu chưa đạt</h2>{_agencies(card)}
<h2>V. So sánh với cùng kỳ năm trước</h2>{_compare(now, before, label_before)}
{_variants(now)}
<h2>VII. Chỉ tiêu chưa có số liệu</h2>{_no_data(now)}
<h2>Phụ lục: Kết quả từng chỉ tiêu</h2>{_detail(now)}
</section>"""
        )
    banner = f'<div class="banner">{esc(SYNTHETIC_BANNER)}</div>' if synthetic else ""
    quarantine_note = (
        f"<p>Có {quarantined_rows} dòng số liệu bị loại khi đọc tệp đầu vào (tệp, trang, dòng, cột và lý do: "
        '<a href="../dashboard/chat-luong-du-lieu.html">trang Chất lượng dữ liệu</a>).</p>'
        if quarantined_rows
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Báo cáo tiến độ {esc(title_period)}{" (dữ liệu mẫu tổng hợp)" if synthetic else ""}</title>
<style>{_CSS}</style>
</head>
<body>
{banner}
{"".join(sections)}
<footer>
{quarantine_note}
<p><b>Nơi nhận:</b> {esc(plans["reported_to"][0] if plans.height else "Ủy ban nhân dân tỉnh")}; Lưu: VT.</p>
<p class="small">Báo cáo được lập tự động từ kho dữ liệu Chỉ số cải cách hành chính. "Có nguy cơ": chỉ tiêu
chưa đạt và kết quả xấu đi so với cùng kỳ năm trước. Nguồn của từng chỉ tiêu ghi theo phụ lục, mục
của quyết định.</p>
{banner}
</footer>
</body>
</html>
"""


def _date_vi(iso: str) -> str:
    parts = str(iso).split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else str(iso)


def write_progress_reports(
    folder: Path,
    tracking: pl.DataFrame,
    scorecard: pl.DataFrame,
    plans: pl.DataFrame,
    *,
    synthetic: bool,
    quarantined_rows: int = 0,
) -> list[Path]:
    """One file per period tracked: `<folder>/bao-cao-tien-do-<period>.html`."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(report_filename("*")):  # a period no longer tracked leaves no old report
        stale.unlink()  # (this is the run's working folder; publication replaces the curated one)
    written = []
    periods = tracking.select("period", "period_end").unique().sort("period_end", "period")["period"].to_list()
    for period in periods:
        path = folder / report_filename(period)
        path.write_text(
            build_progress_report(
                tracking, scorecard, plans, period=period, synthetic=synthetic, quarantined_rows=quarantined_rows
            ),
            encoding="utf-8",
        )
        written.append(path)
    return written
