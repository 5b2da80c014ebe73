"""`chiso explain`: one unit's index for one year, leaf by leaf, in Vietnamese, as plain text.

Pure: takes the published frames (marts and the loaded rulesets) and returns the text, so the
CLI, a notebook and the tests print the same thing. Every number is read from the warehouse and
the sums are redone here, so the text shows that the leaves add up to the unit's
`marts.par_index` row (a mismatch would be printed, not hidden). Numbers use a decimal comma.
Rules are quoted by seed: 000 Hưng Yên 1708/QĐ-UBND, 003 Quảng Ninh 2022, 004 Quảng Trị 1820/QĐ-UBND.
"""

from __future__ import annotations

import polars as pl

from reports.text import FINAL_SOURCE_LABELS as SOURCE_LABELS
from reports.text import GROUP_LABELS


def num(x: float | None, digits: int = 4) -> str:
    """`90.046` → `90,046`; `3.0` → `3`; None → `—`."""
    if x is None:
        return "—"
    text = f"{round(x, digits):.{digits}f}".rstrip("0").rstrip(".")
    text = "0" if text in ("-0", "") else text
    return text.replace("-", "−").replace(".", ",")


def explain(
    year: int,
    unit_id: str,
    *,
    par_index: pl.DataFrame,
    lineage: pl.DataFrame,
    components: pl.DataFrame,
    criteria: pl.DataFrame,
    rulesets: pl.DataFrame,
    bands: pl.DataFrame,
    band_gap: pl.DataFrame | None = None,
    history: pl.DataFrame | None = None,
    uncertainty: pl.DataFrame | None = None,
    trend: pl.DataFrame | None = None,
) -> str:
    """The explanation of `unit_id` in `year`; the frames may hold more rows (they are filtered)."""
    rows = par_index.filter((pl.col("year") == year) & (pl.col("unit_id") == unit_id))
    if rows.is_empty():
        return f"Không có kết quả Chỉ số CCHC năm {year} của đơn vị {unit_id} trong kho dữ liệu."
    u = rows.row(0, named=True)
    rs = rulesets.filter(pl.col("ruleset_id") == u["ruleset_id"]).row(0, named=True)
    leaves = lineage.filter((pl.col("year") == year) & (pl.col("unit_id") == unit_id)).sort(
        pl.col("leaf_code").str.split(".").list.eval(pl.element().cast(pl.Int64, strict=False))
    )
    comps = components.filter((pl.col("year") == year) & (pl.col("unit_id") == unit_id))
    tree = criteria.filter((pl.col("ruleset_id") == u["ruleset_id"]) & (pl.col("unit_group") == u["unit_group"]))
    titles = dict(zip(tree["code"], tree["title"], strict=True))
    ladder = bands.filter(pl.col("ruleset_id") == u["ruleset_id"]).sort("position")
    out: list[str] = []
    w = out.append

    group = GROUP_LABELS.get(u["unit_group"], u["unit_group"])
    w(f"GIẢI TRÌNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}")
    w(f"Đơn vị: {u['unit_name']} ({unit_id}) — {group} — {u['province']}")
    w(f"Bộ chỉ số: {u['decision_no']} ({u['ruleset_id']}), thang điểm {num(rs['scale'])}")
    if u.get("synthetic"):
        w("⚠ Dữ liệu tổng hợp, không phải số liệu thật.")
    w("")

    # 1. Leaf by leaf --------------------------------------------------------------------------
    w("1. Điểm từng tiêu chí: tự chấm → thẩm định → phúc khảo → điểm tính")
    comp_of = {r["node_code"]: r for r in comps.iter_rows(named=True)}
    for (field,), part in leaves.group_by("field_code", maintain_order=True):
        head = comp_of.get(field)
        bonus_field = part["method"].is_in(["bonus", "penalty"]).all()
        title = titles.get(field) or f"Lĩnh vực {field}"
        if head is not None:
            w(
                f"Lĩnh vực {field} — {title}: {num(head['achieved'])}/{num(head['max_points'])} điểm "
                f"({num(head['pct'], 1)}%)"
            )
        elif bonus_field:
            w(f"Lĩnh vực {field} — {title} (ngoài điểm tối đa)")
        else:
            w(f"Lĩnh vực {field} — {title}: không áp dụng với đơn vị")
        for leaf in part.iter_rows(named=True):
            w("  " + _leaf_line(leaf, titles.get(leaf["leaf_code"]) or ""))
    w("")

    # 2. Totals --------------------------------------------------------------------------------
    scored_mask = pl.col("method").is_in(["appraised", "survey"]) & pl.col("applicable")
    scored = leaves.filter(scored_mask)["final_score"].sum()
    bonus = leaves.filter(pl.col("method") == "bonus")["final_score"].fill_null(0).sum()
    penalty = leaves.filter(pl.col("method") == "penalty")["final_score"].fill_null(0).sum()
    achieved = scored + bonus - penalty
    w(
        "2. Tổng điểm đạt = điểm thẩm định và điều tra + điểm thưởng − điểm trừ "
        "(1708/QĐ-UBND Điều 4.3.a; 1820/QĐ-UBND Điều 4)"
    )
    w(f"  Điểm các tiêu chí thẩm định và điều tra: {num(scored)} ({leaves.filter(scored_mask).height} tiêu chí)")
    w(f"  Điểm thưởng: +{num(bonus)}")
    w(f"  Điểm trừ: −{num(penalty)}")
    w(f"  Tổng điểm đạt = {num(scored)} + {num(bonus)} − {num(penalty)} = {num(achieved)}")
    if abs(achieved - u["achieved_points"]) > 1e-6:
        w(f"  ⚠ KHÔNG KHỚP với marts.par_index: {num(u['achieved_points'])}")
    w("")

    # 3. Normalisation -------------------------------------------------------------------------
    w("3. Quy đổi về thang điểm")
    out_of_max = leaves.filter(pl.col("method").is_in(["appraised", "survey"]) & ~pl.col("applicable"))
    kept = leaves.filter(
        pl.col("method").is_in(["appraised", "survey"])
        & pl.col("applicable")
        & pl.col("final_source").is_in(["not_applicable", "not_surveyed"])
    )
    full_max = leaves.filter(pl.col("method").is_in(["appraised", "survey"]))["max_points"].sum()
    max_points = leaves.filter(scored_mask)["max_points"].sum()
    if rs["index_max"] == "scale":
        w(
            f"  Bộ chỉ số tính trên tổng điểm tối đa {num(rs['scale'])} điểm, không quy đổi "
            "(QĐ Quảng Ninh 2022 mục II.1.d): "
            + (
                "các tiêu chí ghi không áp dụng vẫn giữ điểm tối đa và được 0 điểm: "
                + ", ".join(f"{r['leaf_code']} ({num(r['max_points'])})" for r in kept.iter_rows(named=True))
                if kept.height
                else "mọi tiêu chí đều áp dụng."
            )
        )
    elif out_of_max.height:
        listed = ", ".join(f"{r['leaf_code']} ({num(r['max_points'])})" for r in out_of_max.iter_rows(named=True))
        w(
            f"  Tiêu chí không áp dụng với đơn vị: {listed} → điểm tối đa của đơn vị {num(max_points)} thay vì "
            f"{num(full_max)}; chỉ số quy về thang {num(rs['scale'])} "
            "(1708/QĐ-UBND Điều 3.3, 4.3.b; 1820/QĐ-UBND Điều 3)"
        )
    else:
        w(f"  Mọi tiêu chí đều áp dụng: điểm tối đa {num(max_points)}.")
    raw_index = achieved / max_points * rs["scale"] if max_points else None
    clamp = "" if raw_index is None or 0 <= raw_index <= rs["scale"] else f" (giới hạn trong 0–{num(rs['scale'])})"
    w(f"  Chỉ số = {num(achieved)} / {num(max_points)} × {num(rs['scale'])}{clamp} = {num(u['index_pct'])}")
    if abs(max_points - u["max_points"]) > 1e-6:
        w(f"  ⚠ KHÔNG KHỚP điểm tối đa với marts.par_index: {num(u['max_points'])}")
    w("")

    # 4. Band ----------------------------------------------------------------------------------
    w(f"4. Xếp loại: {u['band']}")
    scale_text = "; ".join(f"{b['band']} ≥ {num(b['min_index'])}" for b in ladder.iter_rows(named=True))
    before = u.get("band_before_downgrade") or u["band"]
    w(f"  Chỉ số {num(u['index_pct'], 2)} thuộc khoảng {before} ({_band_range(ladder, before)}); thang: {scale_text}")
    if u.get("downgraded"):
        w(f"  Hạ bậc theo quy định của bộ chỉ số (1708/QĐ-UBND Điều 5.5): {u['band_reason']}")
    if u.get("band_decided"):
        w(f"  Xếp loại do quyết định (1820/QĐ-UBND Điều 7): {u['band_reason']}")
    w("")

    # 5. Rank ----------------------------------------------------------------------------------
    peers = par_index.filter(
        (pl.col("year") == year)
        & (pl.col("province_code") == u["province_code"])
        & (pl.col("unit_group") == u["unit_group"])
    )
    w(f"5. Xếp hạng: {u['rank']}/{peers.height} trong nhóm {group} ({u['province']}, năm {year})")
    same = peers.filter((pl.col("index_pct") - u["index_pct"]).abs() < 1e-9).filter(pl.col("unit_id") != unit_id)
    if same.height:
        names = ", ".join(f"{r['unit_name']} ({r['unit_id']}, hạng {r['rank']})" for r in same.iter_rows(named=True))
        w(f"  Bằng chỉ số {num(u['index_pct'])} với: {names}")
        tb_codes = ", ".join(leaves.filter(pl.col("tiebreak"))["leaf_code"].to_list())
        if rs.get("tiebreak") == "flagged_leaves":
            mine = u["tiebreak_points"]
            others = "; ".join(
                f"{r['unit_id']} {num(r['tiebreak_points'])} → "
                + (
                    "đơn vị xếp trên"
                    if mine > r["tiebreak_points"] + 1e-9
                    else "đơn vị xếp dưới"
                    if mine < r["tiebreak_points"] - 1e-9
                    else "bằng nhau, đồng hạng"
                )
                for r in same.iter_rows(named=True)
            )
            w(
                f"  Tiêu chí ưu tiên khi bằng điểm ({tb_codes}; 1708/QĐ-UBND Điều 5.5): "
                f"đơn vị {num(mine)} điểm; {others}"
            )
        else:
            w("  Bộ chỉ số không quy định tiêu chí phân định khi bằng điểm: các đơn vị bằng điểm đồng hạng.")
    if u.get("parent_rank") is not None:
        w(f"  Xếp hạng trong đơn vị cấp trên ({u['parent_unit_id']}): {u['parent_rank']}")
    spread = None
    if uncertainty is not None:
        mine = uncertainty.filter(
            (pl.col("year") == year) & (pl.col("unit_id") == unit_id) & (pl.col("index_kind") == "par_index")
        )
        spread = mine.row(0, named=True) if mine.height else None
    if spread is not None:
        w("  " + _spread_line(spread))
    w("")

    # 6. Gap to the next band -------------------------------------------------------------------
    gap = None if band_gap is None else band_gap.filter((pl.col("year") == year) & (pl.col("unit_id") == unit_id))
    if gap is not None and gap.height:
        w("6. Khoảng cách lên bậc trên")
        first = gap.row(0, named=True)
        if first["target_band"] is None or first["leaf_code"] is None:
            w(f"  {first['note'] or 'Không cần thêm điểm'}")
        else:
            w(
                f"  Lên {first['target_band']} (chỉ số ≥ {num(first['target_min_index'])}): cần thêm ít nhất "
                f"{num(first['points_needed'])} điểm"
                + (f"; {first['blocked_by']}" if first["blocked_by"] else "")
                + ("" if first["reachable"] else " — không đủ điểm còn trống")
            )
            for r in gap.sort("step").iter_rows(named=True):
                area = f", để lĩnh vực {r['for_content_area']} đạt ngưỡng" if r["for_content_area"] else ""
                w(
                    f"  {r['step']}. {r['leaf_code']} +{num(r['add_points'])} "
                    f"(còn trống {num(r['headroom'])}; {r['kind']}{area})"
                )
        w("")

    # 7. History (re-classification, 1820/QĐ-UBND Art. 7) --------------------------------------------
    hist = None if history is None else history.filter((pl.col("year") == year) & (pl.col("unit_id") == unit_id))
    if hist is not None and hist.height > 1:
        w("7. Lịch sử kết quả (hủy kết quả và xếp loại lại, 1820/QĐ-UBND Điều 7)")
        for h in hist.sort("version").iter_rows(named=True):
            state = "hiện hành" if h["valid"] else f"đã hủy bởi {h['voided_by']} ngày {_d(h['voided_on'])}"
            why = f" — {h['void_reason']}" if not h["valid"] and h["change_kind"] == "voided" else ""
            rerank = " (xếp hạng lại do kết quả của đơn vị khác bị hủy)" if h["change_kind"] == "reranked" else ""
            w(
                f"  Phiên bản {h['version']}: chỉ số {num(h['index_pct'], 2)}, {h['band']}, hạng {h['rank']} — "
                f"{state}{why}{rerank}"
            )
        w("")

    # 8. Predecessors (units merged, split, renamed or moved: marts.unit_trend) ---------------------
    mine = None if trend is None else trend.filter((pl.col("unit_id") == unit_id) & (pl.col("year") <= year))
    if mine is not None and mine.filter(pl.col("role") != "own").height:
        w("8. Đơn vị tiền thân (mỗi đơn vị một dãy số, không cộng gộp; chỉ số tổng hợp chỉ khi có trọng số)")
        for role in ("predecessor", "composite"):
            part = mine.filter(pl.col("role") == role)
            for key, rows in part.group_by("label", maintain_order=True):
                series = "; ".join(
                    f"{r['year']}: {num(r['index_pct'], 2)}" for r in rows.sort("year").iter_rows(named=True)
                )
                members = rows["members"][0] if role == "composite" else None
                w(f"  {key[0]}: {series}" + (f" (thành phần: {members})" if members else ""))
        w("")
    return "\n".join(out).rstrip() + "\n"


def _spread_line(r: dict) -> str:
    """Rank uncertainty (marts.rank_uncertainty, models/surveys/uncertainty.py), in one sentence."""
    if r["rank_best"] == r["rank_worst"]:
        where = f"vị trí {r['rank_best']} không đổi"
    else:
        where = f"vị trí có thể từ {r['rank_best']} đến {r['rank_worst']}"
    band = (
        f"xếp loại {r['band_low']} không đổi"
        if r["band_stable"]
        else f"xếp loại có thể từ {r['band_low']} đến {r['band_high']}"
    )
    if r["interval_from"] == "respondents":
        return (
            f"Sai số chọn mẫu: với khoảng tin cậy 95% của {r['survey_leaves']} tiêu chí điều tra xã hội học tính "
            f"từ phiếu khảo sát, chỉ số trong khoảng {num(r['index_low'], 2)} – {num(r['index_high'], 2)}; "
            f"{where}; {band}."
        )
    return (
        "Sai số chọn mẫu: chỉ số của đơn vị không có tiêu chí tính từ phiếu khảo sát, nhưng chỉ số của các đơn vị "
        f"cùng nhóm có khoảng tin cậy 95%: {where}."
    )


def _d(value) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else "—"


def _band_range(ladder: pl.DataFrame, band: str) -> str:
    items = ladder.to_dicts()
    for i, b in enumerate(items):
        if b["band"] == band:
            upper = items[i - 1]["min_index"] if i > 0 else None
            if i == len(items) - 1 and b["min_index"] <= 0:
                return f"dưới {num(upper)}" if upper is not None else "mọi mức"
            if upper is None:
                return f"từ {num(b['min_index'])} trở lên"
            return f"từ {num(b['min_index'])} đến dưới {num(upper)}"
    return "không có trong thang xếp loại"


def _leaf_line(leaf: dict, title: str) -> str:
    code, mx, method, source = leaf["leaf_code"], leaf["max_points"], leaf["method"], leaf["final_source"]
    head = f"{code} {title} (tối đa {num(mx)})".replace("  ", " ")
    if method == "survey":
        if source == "not_surveyed" and not leaf["applicable"]:
            return f"{head}: không khảo sát năm này — không tính vào điểm tối đa"
        if source == "not_surveyed":
            return f"{head}: không khảo sát năm này, vẫn giữ điểm tối đa ⇒ 0 (không khảo sát)"
        if leaf.get("satisfied_pct") is None:
            return f"{head}: điều tra xã hội học không có số liệu hợp lệ ⇒ {num(leaf['final_score'])} (thiếu số liệu)"
        return (
            f"{head}: điều tra xã hội học {num(leaf['satisfied_pct'], 2)}% hài lòng × {num(mx)} "
            f"⇒ {num(leaf['final_score'])} (điều tra xã hội học)"
        )
    if source == "not_applicable" and not leaf["applicable"]:
        return f"{head}: đơn vị ghi không áp dụng — không tính vào điểm tối đa"
    rounds = [f"tự chấm {num(leaf['self_score']) if leaf['self_score'] is not None else '(trống)'}"]
    if source == "not_applicable":
        rounds = ["tự chấm: không áp dụng (vẫn giữ điểm tối đa)"]
    if leaf.get("facts_basis"):
        rule = leaf.get("facts_rule") or ""
        article = rule[rule.find("(") + 1 : rule.rfind(")")].replace("Art.", "Điều") if "(" in rule else ""
        rounds.append(f"số liệu: {leaf['facts_basis']}" + (f" [{article}]" if article else ""))
    if leaf.get("appraised_score") is not None:
        rounds.append(f"thẩm định {num(leaf['appraised_score'])}{_why(leaf, 'appraisal')}")
    else:
        rounds.append("thẩm định —")
    if leaf.get("appeal_score") is not None:
        rounds.append(f"phúc khảo {num(leaf['appeal_score'])}{_why(leaf, 'appeal')}")
    else:
        rounds.append("phúc khảo —")
    if leaf.get("reclassified_score") is not None:
        rounds.append(f"xếp loại lại {num(leaf['reclassified_score'])}{_why(leaf, 'reclassification')}")
    sign = {"bonus": "+", "penalty": "−"}.get(method, "")
    kind = {"bonus": "điểm thưởng, ", "penalty": "điểm trừ, "}.get(method, "")
    label = SOURCE_LABELS.get(source, source)
    return f"{head}: {' → '.join(rounds)} ⇒ {sign}{num(leaf['final_score'])} ({kind}{label})"


def _why(leaf: dict, round_name: str) -> str:
    parts = [leaf.get(f"{round_name}_agency"), leaf.get(f"{round_name}_decision_no")]
    who = ", ".join(p for p in parts if p)
    reason = leaf.get(f"{round_name}_reason")
    if not who and not reason:
        return ""
    return f" [{who}{': ' if who and reason else ''}{reason or ''}]"
