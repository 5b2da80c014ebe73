"""Writes the analyst notebooks in notebooks/ (kept as code so their cells are reviewed like code).

Each notebook reads the published warehouse read-only through `reports.analysis.query` (parameterised
SQL) and draws plotly charts with `reports.analysis.show`. Headings and explanations are Vietnamese;
the first code cell holds the parameters (tagged `parameters`). Written without outputs: run
`.venv/bin/python -m scripts.make_notebook` after changing a cell; tests/test_notebook.py executes them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat as nbf

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

SYNTHETIC = (
    "**Dữ liệu đi kèm dự án là dữ liệu mẫu tổng hợp** (Tỉnh Mẫu và hai tỉnh mẫu chấm theo quy tắc của "
    "Quảng Ninh, Quảng Trị), không phải số liệu thật."
)
HELPER = (
    "Mọi truy vấn đi qua `query(sql, tham_số)` (reports/analysis.py): mở kho dữ liệu ở chế độ chỉ đọc, "
    "giá trị truyền riêng, không ghép vào câu SQL. Kho mặc định là `data/curated/warehouse.duckdb` "
    "(chạy `make run` trước), hoặc biến môi trường `CHISO_WAREHOUSE`."
)

TRENDS = [
    (
        "md",
        "# Xu hướng Chỉ số CCHC qua các năm\n\n"
        "Chỉ số bình quân theo năm của từng tỉnh và nhóm đơn vị, xếp hạng trong một tỉnh và một nhóm, "
        f"thay đổi so với năm trước và số đơn vị theo xếp loại.\n\n{SYNTHETIC}\n\n{HELPER}",
    ),
    (
        "parameters",
        "# Tham số: mã tỉnh, nhóm đơn vị và năm (None: năm gần nhất có kết quả)\n"
        'PROVINCE = "MAU"\nGROUP = "department"\nYEAR = None',
    ),
    (
        "code",
        "import plotly.express as px\nimport polars as pl\n\n"
        "from reports.analysis import query, show\nfrom reports.text import GROUP_LABELS\n\n"
        "if YEAR is None:\n"
        '    YEAR = query("SELECT max(year) FROM marts.par_index WHERE province_code = ? AND unit_group = ?", '
        "[PROVINCE, GROUP]).item()\n"
        "PROVINCE, GROUP, YEAR",
    ),
    (
        "md",
        "## 1. Dữ liệu trong kho\n\nMỗi tỉnh chấm theo quyết định của tỉnh mình; đơn vị chỉ được xếp hạng "
        "trong tỉnh và nhóm của mình.",
    ),
    (
        "code",
        "query(\n"
        '    """SELECT province, province_code, unit_group, min(year) AS from_year, max(year) AS to_year,\n'
        "              count(DISTINCT unit_id) AS units, any_value(decision_no) AS decision_no,\n"
        "              bool_or(synthetic) AS synthetic\n"
        '       FROM marts.par_index GROUP BY ALL ORDER BY province, unit_group"""\n'
        ")",
    ),
    (
        "md",
        "## 2. Chỉ số bình quân theo năm, từng tỉnh và nhóm\n\nSo sánh giữa các tỉnh chỉ để tham khảo: "
        "mỗi tỉnh có bộ tiêu chí và thang xếp loại riêng.",
    ),
    (
        "code",
        "trend = query(\n"
        '    """SELECT year, province, unit_group, avg(index_pct) AS mean_index, count(*) AS units\n'
        '       FROM marts.par_index GROUP BY ALL ORDER BY province, unit_group, year"""\n'
        ').with_columns(pl.col("unit_group").replace(GROUP_LABELS).alias("group"))\n'
        "fig = px.line(\n"
        '    trend, x="year", y="mean_index", color="group", facet_col="province", facet_col_wrap=1, markers=True,\n'
        '    labels={"year": "Năm", "mean_index": "Chỉ số bình quân (%)", "group": "Nhóm", "province": "Tỉnh"},\n'
        '    title="Chỉ số bình quân theo năm", height=700,\n'
        ")\n"
        "fig.update_xaxes(dtick=1)\nshow(fig)\n"
        'trend.select("province", "group", "year", pl.col("mean_index").round(2), "units")',
    ),
    (
        "md",
        "## 3. Xếp hạng trong một tỉnh và một nhóm\n\nHạng 1 là cao nhất trong tỉnh và nhóm đó, năm đó; đơn vị "
        "bằng điểm xếp theo tiêu chí ưu tiên của quy định, nếu quy định có.",
    ),
    (
        "code",
        "ranking = query(\n"
        '    """SELECT province, unit_group, year, rank, unit_name, round(index_pct, 2) AS index_pct,\n'
        "              band, band_reason\n"
        "       FROM marts.par_index\n"
        "       WHERE province_code = $province AND unit_group = $group AND year = $year\n"
        '       ORDER BY rank, unit_name""",\n'
        '    {"province": PROVINCE, "group": GROUP, "year": YEAR},\n'
        ")\n"
        "fig = px.bar(\n"
        '    ranking, x="index_pct", y="unit_name", color="band", orientation="h", text="rank",\n'
        '    labels={"index_pct": "Chỉ số (%)", "unit_name": "", "band": "Xếp loại"},\n'
        "    title=f\"Xếp hạng năm {YEAR}: {GROUP_LABELS.get(GROUP, GROUP)}, {ranking['province'][0]}\",\n"
        "    height=200 + 22 * ranking.height,\n"
        ")\n"
        'fig.update_yaxes(categoryorder="array", categoryarray=ranking["unit_name"].to_list(), autorange="reversed")\n'
        "show(fig)\nranking",
    ),
    (
        "md",
        "## 4. Thay đổi so với năm trước\n\nCùng đơn vị, cùng tỉnh, cùng nhóm; năm trước là năm gần nhất trước đó "
        "có kết quả của đơn vị. Hạng tăng > 0 là lên hạng. Đơn vị chưa có năm trước được liệt kê riêng "
        "(không in giá trị trống).",
    ),
    (
        "code",
        "history = query(\n"
        '    """SELECT province, unit_group, unit_id, unit_name, year, index_pct, rank, band,\n'
        "              lag(year) OVER w AS prev_year, lag(index_pct) OVER w AS prev_index,\n"
        "              lag(rank) OVER w AS prev_rank, lag(band) OVER w AS prev_band\n"
        "       FROM marts.par_index\n"
        "       WHERE province_code = $province AND unit_group = $group\n"
        '       WINDOW w AS (PARTITION BY province_code, unit_group, unit_id ORDER BY year)""",\n'
        '    {"province": PROVINCE, "group": GROUP},\n'
        ').filter(pl.col("year") == YEAR)\n'
        "changes = (\n"
        '    history.filter(pl.col("prev_year").is_not_null())\n'
        "    .with_columns(\n"
        '        (pl.col("index_pct") - pl.col("prev_index")).alias("change"),\n'
        '        (pl.col("prev_rank") - pl.col("rank")).alias("rank_up"),\n'
        "    )\n"
        '    .select("province", "unit_group", "unit_name", "prev_year", "year", pl.col("prev_index").round(2),\n'
        '            pl.col("index_pct").round(2), pl.col("change").round(2), "prev_rank", "rank", "rank_up",\n'
        '            "prev_band", "band")\n'
        '    .sort(["change", "unit_name"], descending=[True, False])\n'
        ")\n"
        'new_units = history.filter(pl.col("prev_year").is_null())["unit_name"].to_list()\n'
        "if changes.height:\n"
        "    fig = px.bar(\n"
        '        changes, x="change", y="unit_name", orientation="h", color="rank_up",\n'
        '        color_continuous_scale="RdYlGn",\n'
        '        labels={"change": "Thay đổi chỉ số (điểm %)", "unit_name": "", "rank_up": "Hạng tăng"},\n'
        '        title=f"Thay đổi năm {YEAR} so với năm trước", height=200 + 22 * changes.height,\n'
        "    )\n"
        '    fig.update_yaxes(autorange="reversed")\n'
        "    show(fig)\n"
        'print("Chưa có năm trước:", ", ".join(new_units) or "không có")\n'
        "changes",
    ),
    ("md", "## 5. Số đơn vị theo xếp loại, từng năm\n\nThứ tự xếp loại theo quy định của tỉnh (cao nhất trước)."),
    (
        "code",
        "bands = query(\n"
        '    """SELECT p.year, p.band, count(*) AS units, min(b.position) AS position\n'
        "       FROM marts.par_index p\n"
        "       LEFT JOIN staging.ruleset_bands b ON b.ruleset_id = p.ruleset_id AND b.band = p.band\n"
        "       WHERE p.province_code = ? AND p.unit_group = ?\n"
        '       GROUP BY p.year, p.band ORDER BY p.year, position""",\n'
        "    [PROVINCE, GROUP],\n"
        ")\n"
        "fig = px.bar(\n"
        '    bands, x="year", y="units", color="band", text="units",\n'
        '    category_orders={"band": bands.sort("position")["band"].unique(maintain_order=True).to_list()},\n'
        '    labels={"year": "Năm", "units": "Số đơn vị", "band": "Xếp loại"}, title="Số đơn vị theo xếp loại",\n'
        ")\n"
        'fig.update_xaxes(dtick=1)\nshow(fig)\nbands.pivot(on="year", index="band", values="units").fill_null(0)',
    ),
    (
        "md",
        "## 6. Qua đợt sắp xếp tháng 7/2025: đơn vị hiện nay bên cạnh đơn vị tiền thân\n\n"
        "Từ 01/7/2025, 63 tỉnh thành 34 tỉnh (Nghị quyết 202/2025/QH15), không còn cấp huyện; đơn vị sáp nhập, "
        "chia tách, đổi tên hay điều chuyển có mã mới. `marts.unit_lineage` nối mỗi đơn vị với đơn vị tiền thân; "
        "`marts.unit_trend` đặt dãy số của từng đơn vị tiền thân bên cạnh, không cộng gộp (dòng `composite` chỉ "
        "khi có trọng số trong unit_weights.csv, và ghi rõ là số suy ra). Mẫu tổng hợp: Tỉnh Mẫu E, G → EG.",
    ),
    (
        "code",
        'query("SELECT unit_id, predecessor_id, relation, effective_date, decision_no FROM marts.unit_lineage '
        'ORDER BY ALL")',
    ),
    (
        "code",
        "query(\n"
        '    """SELECT unit_id, year, role, series_unit_id, round(index_pct, 2) AS index_pct, members, label\n'
        "       FROM marts.unit_trend\n"
        "       WHERE unit_id IN (SELECT unit_id FROM marts.unit_trend WHERE role <> 'own')\n"
        '       ORDER BY unit_id, year, role"""\n'
        ")",
    ),
    ("md", "### PAPI của một tỉnh trong 34 tỉnh (Cần Thơ mới), bên cạnh ba tỉnh tiền thân (marts.papi_trend)"),
    (
        "code",
        "query(\"SELECT year, series_unit_name, score FROM marts.papi_trend WHERE unit_id = ?\", ['92@2025'])"
        '.pivot(on="series_unit_name", index="year", values="score").sort("year")',
    ),
]

UNIT = [
    (
        "md",
        "# Phân tích sâu một đơn vị\n\nKết quả qua các năm, điểm từng tiêu chí qua các vòng (tự chấm → thẩm định "
        "→ phúc khảo → điểm tính), cơ quan thẩm định, khoảng cách lên xếp loại trên và lịch sử xếp loại lại, "
        f"rồi bản giải trình đầy đủ như lệnh `chiso explain`.\n\n{SYNTHETIC}\n\n{HELPER}",
    ),
    ("parameters", '# Tham số: mã đơn vị và năm\nUNIT = "S11"\nYEAR = 2024'),
    (
        "code",
        "import plotly.express as px\nimport polars as pl\n\n"
        "from reports.analysis import query, show\nfrom reports.explain import explain",
    ),
    (
        "md",
        "## 1. Đơn vị qua các năm\n\nHạng là hạng trong tỉnh và nhóm của đơn vị (`group_size`: số đơn vị của nhóm).",
    ),
    (
        "code",
        "years = query(\n"
        '    """SELECT year, province, unit_group, unit_name, rank, group_size, round(index_pct, 2) AS index_pct,\n'
        "              band, band_reason\n"
        "       FROM (SELECT *, count(*) OVER (PARTITION BY year, province_code, unit_group) AS group_size\n"
        "             FROM marts.par_index)\n"
        '       WHERE unit_id = ? ORDER BY year""",\n'
        "    [UNIT],\n"
        ")\n"
        "fig = px.line(\n"
        '    years, x="year", y="index_pct", markers=True, text="band",\n'
        '    labels={"year": "Năm", "index_pct": "Chỉ số (%)"},\n'
        "    title=f\"{years['unit_name'][0]}: chỉ số qua các năm\",\n"
        ")\n"
        'fig.update_traces(textposition="top center")\nfig.update_xaxes(dtick=1)\nshow(fig)\nyears',
    ),
    (
        "md",
        "## 2. Điểm từng tiêu chí qua các vòng\n\nTổng theo lĩnh vực: điểm tự chấm so với điểm tính; bảng dưới là "
        "các tiêu chí mà điểm tính khác điểm tự chấm.",
    ),
    (
        "code",
        "lineage = query(\n"
        '    """SELECT leaf_code, field_code, method, max_points, self_score, appraised_score, appeal_score,\n'
        "              final_score, final_source, appraisal_agency, appraisal_reason, appeal_reason\n"
        '       FROM marts.score_lineage WHERE unit_id = ? AND year = ? ORDER BY field_code, leaf_code""",\n'
        "    [UNIT, YEAR],\n"
        ")\n"
        "by_field = (\n"
        '    lineage.filter(pl.col("method") == "appraised")\n'
        '    .group_by("field_code")\n'
        "    .agg(\n"
        '        pl.col("self_score").fill_null(0).sum().alias("tự chấm"),\n'
        '        pl.col("final_score").sum().alias("điểm tính"),\n'
        "    )\n"
        '    .sort(pl.col("field_code").cast(pl.Int64, strict=False))\n'
        '    .unpivot(index="field_code", variable_name="round", value_name="points")\n'
        ")\n"
        "fig = px.bar(\n"
        '    by_field, x="field_code", y="points", color="round", barmode="group",\n'
        '    labels={"field_code": "Lĩnh vực", "points": "Điểm", "round": ""},\n'
        '    title=f"Tự chấm và điểm tính theo lĩnh vực, năm {YEAR}",\n'
        ")\n"
        'show(fig)\nprint(lineage["final_source"].value_counts(sort=True))\n'
        'lineage.filter(pl.col("final_score") != pl.col("self_score").fill_null(0))',
    ),
    (
        "md",
        "## 3. Cơ quan thẩm định\n\nMỗi cơ quan: số tiêu chí được giao thẩm định, số tiêu chí đã thay đổi điểm "
        "(hạ, nâng) và mức thay đổi bình quân.",
    ),
    (
        "code",
        "query(\n"
        '    """SELECT agency, leaves, changed_leaves, lowered_leaves, raised_leaves,\n'
        "              round(mean_change, 3) AS mean_change,\n"
        "              appealed_leaves, appeals_changed, changed_codes\n"
        '       FROM marts.agency_appraisal WHERE unit_id = ? AND year = ? ORDER BY changed_leaves DESC, agency""",\n'
        "    [UNIT, YEAR],\n"
        ")",
    ),
    (
        "md",
        "## 4. Khoảng cách lên xếp loại trên\n\nSố điểm ít nhất cần thêm, tiêu chí nào trước (ít tốn nhất trước): "
        "điểm bị trừ khi thẩm định, tiêu chí bỏ trống, rồi các tiêu chí còn trống điểm.",
    ),
    (
        "code",
        "gap = query(\n"
        '    """SELECT step, leaf_code, round(add_points, 3) AS add_points, kind, band, target_band,\n'
        "              round(points_needed, 3) AS points_needed, blocked_by, note\n"
        '       FROM marts.band_gap WHERE unit_id = ? AND year = ? ORDER BY step""",\n'
        "    [UNIT, YEAR],\n"
        ")\n"
        'steps = gap.filter(pl.col("step") > 0)\n'
        "if steps.height:\n"
        "    fig = px.bar(\n"
        '        steps, x="leaf_code", y="add_points", text="add_points",\n'
        '        labels={"leaf_code": "Tiêu chí", "add_points": "Điểm cần thêm"},\n'
        "        title=f\"Lên {gap['target_band'][0]}: cần thêm ít nhất {gap['points_needed'][0]} điểm\",\n"
        "    )\n"
        "    show(fig)\n"
        "gap",
    ),
    ("md", "## 5. Hủy kết quả, xếp loại lại\n\nMỗi phiên bản kết quả của năm; phiên bản đang áp dụng có `valid`."),
    (
        "code",
        "query(\n"
        '    """SELECT version, valid, round(index_pct, 2) AS index_pct, band, rank,\n'
        "              decided_by, voided_by, void_reason\n"
        '       FROM marts.par_index_history WHERE unit_id = ? AND year = ? ORDER BY version""",\n'
        "    [UNIT, YEAR],\n"
        ")",
    ),
    ("md", "## 6. Bản giải trình đầy đủ (như lệnh `chiso explain`)"),
    (
        "code",
        'peers = query("SELECT * FROM marts.par_index WHERE year = ?", [YEAR])\n'
        "print(\n"
        "    explain(\n"
        "        YEAR,\n"
        "        UNIT,\n"
        "        par_index=peers,\n"
        '        lineage=query("SELECT * FROM marts.score_lineage WHERE unit_id = ? AND year = ?", [UNIT, YEAR]),\n'
        "        components=query(\n"
        '            "SELECT * FROM marts.par_component_index WHERE unit_id = ? AND year = ?", [UNIT, YEAR]\n'
        "        ),\n"
        '        criteria=query("SELECT * FROM staging.criteria"),\n'
        '        rulesets=query("SELECT * FROM staging.rulesets"),\n'
        '        bands=query("SELECT * FROM staging.ruleset_bands"),\n'
        '        band_gap=query("SELECT * FROM marts.band_gap WHERE unit_id = ? AND year = ?", [UNIT, YEAR]),\n'
        '        history=query("SELECT * FROM marts.par_index_history WHERE unit_id = ? AND year = ?", [UNIT, YEAR]),\n'
        "    )\n"
        ")",
    ),
]

SURVEYS = [
    (
        "md",
        "# Sự hài lòng (SIPAS) và PAPI\n\nSIPAS từng đơn vị với khoảng tin cậy 95%, đơn vị ít người trả lời và cỡ mẫu "
        "cần cho năm sau, SIPAS toàn tỉnh theo thành phần; PAPI của tỉnh qua các năm và từng nội dung so với các "
        f"tỉnh.\n\n{SYNTHETIC} Bảng PAPI là số liệu thật do PAPI công bố (data/raw/surveys/papi_source): PAPI chấm "
        "các tỉnh thật, nên tỉnh mẫu được đặt cạnh Vĩnh Long, tỉnh ban hành kế hoạch 2639/QĐ-UBND mà tỉnh mẫu theo "
        f"dõi (surveys.yaml).\n\n{HELPER}",
    ),
    (
        "parameters",
        '# Tham số: mã tỉnh (SIPAS), tên tỉnh trong bảng PAPI, năm\nPROVINCE = "MAU"\nPAPI_PROVINCE = "Vĩnh Long"\n'
        "YEAR = 2024",
    ),
    ("code", "import plotly.express as px\nimport polars as pl\n\nfrom reports.analysis import query, show"),
    (
        "md",
        '## 1. SIPAS từng đơn vị, với khoảng tin cậy 95%\n\nTỷ lệ phương án trả lời từ "hài lòng" trở lên. '
        "Khoảng tin cậy rộng: ít người trả lời, kết quả kém chắc chắn (điểm rỗng).",
    ),
    (
        "code",
        "sipas = query(\n"
        '    """SELECT unit_group, unit_id, unit_name, round(pct, 2) AS pct, round(ci_low, 2) AS ci_low,\n'
        "              round(ci_high, 2) AS ci_high, n_respondents, flag\n"
        "       FROM marts.sipas_index\n"
        "       WHERE province_code = ? AND year = ? AND level = 'unit' AND component = 'overall'\n"
        '       ORDER BY unit_group, pct""",\n'
        "    [PROVINCE, YEAR],\n"
        ").with_columns(\n"
        '    (pl.col("ci_high") - pl.col("pct")).alias("plus"),\n'
        '    (pl.col("pct") - pl.col("ci_low")).alias("minus"),\n'
        '    pl.when(pl.col("flag").is_null()).then(pl.lit("đủ người trả lời")).otherwise(pl.lit("ít người trả lời"))\n'
        '    .alias("sample"),\n'
        ")\n"
        "if sipas.height:\n"
        "    fig = px.scatter(\n"
        '        sipas, x="pct", y="unit_name", error_x="plus", error_x_minus="minus", color="unit_group",\n'
        '        symbol="sample", symbol_map={"đủ người trả lời": "circle", "ít người trả lời": "circle-open"},\n'
        '        labels={"pct": "Tỷ lệ hài lòng (%)", "unit_name": "", "unit_group": "Nhóm", "sample": ""},\n'
        '        title=f"SIPAS năm {YEAR}", height=200 + 20 * sipas.height,\n'
        "    )\n"
        "    show(fig)\n"
        'sipas.drop("plus", "minus", "sample")',
    ),
    (
        "md",
        "## 2. Ít người trả lời và cỡ mẫu cần\n\nn = N / (1 + N·e²) với N là số hồ sơ, e = 5%; "
        "`shortfall`: số người còn thiếu năm nay.",
    ),
    (
        "code",
        "query(\n"
        '    """SELECT s.unit_id, s.unit_name, s.dossiers, s.n_required, s.n_respondents, s.shortfall, s.n_planned,\n'
        "              s.warning\n"
        "       FROM marts.survey_sample_plan s\n"
        "       JOIN (SELECT DISTINCT unit_id, province_code FROM marts.par_index) u USING (unit_id)\n"
        "       WHERE u.province_code = ? AND s.year = ? AND s.sample_short\n"
        '       ORDER BY s.shortfall DESC, s.unit_id""",\n'
        "    [PROVINCE, YEAR],\n"
        ")",
    ),
    ("md", "## 3. SIPAS toàn tỉnh theo thành phần, qua các năm"),
    (
        "code",
        "parts = query(\n"
        '    """SELECT year, component_title, component_order, round(pct, 2) AS pct,\n'
        "              round(ci_high - pct, 2) AS plus, round(pct - ci_low, 2) AS minus, n_respondents\n"
        "       FROM marts.sipas_index WHERE province_code = ? AND level = 'province'\n"
        '       ORDER BY year, component_order""",\n'
        "    [PROVINCE],\n"
        ').with_columns(pl.col("year").cast(pl.Utf8))\n'
        "if parts.height:\n"
        "    fig = px.bar(\n"
        '        parts, x="component_title", y="pct", color="year", barmode="group",\n'
        '        error_y="plus", error_y_minus="minus",\n'
        '        labels={"component_title": "", "pct": "Tỷ lệ hài lòng (%)", "year": "Năm"},\n'
        '        title="SIPAS toàn tỉnh theo thành phần",\n'
        "    )\n"
        '    fig.update_yaxes(range=[max(0, parts["pct"].min() - 10), 100])\n'
        "    show(fig)\n"
        "parts",
    ),
    (
        "md",
        "## 4. PAPI của tỉnh qua các năm\n\nHạng 1 là cao nhất cả nước; đến 2017 tổng điểm tối đa 60, từ 2018 là 80 "
        "(không so sánh thay đổi giữa hai giai đoạn). Nguồn số liệu ở cột `source`.",
    ),
    (
        "code",
        "papi = query(\n"
        '    """SELECT year, round(score, 2) AS score, max_score, rank, n_provinces, tier_label,\n'
        "              round(delta_prev_year, 2) AS delta_prev_year, round(gap_to_top_n, 2) AS gap_to_top_n,\n"
        "              source\n"
        "       FROM marts.papi_index WHERE province = ? AND dimension = 'total' AND year <= ?\n"
        '       ORDER BY year""",\n'
        "    [PAPI_PROVINCE, YEAR],\n"
        ")\n"
        "if papi.height:\n"
        '    fig = px.line(papi, x="year", y="rank", markers=True, text="rank",\n'
        '                  title=f"Thứ hạng PAPI của {PAPI_PROVINCE} qua các năm",\n'
        '                  labels={"year": "Năm", "rank": "Hạng"})\n'
        '    fig.update_yaxes(autorange="reversed")\n'
        '    fig.update_traces(textposition="top center")\n'
        "    show(fig)\n"
        "papi",
    ),
    (
        "md",
        "## 5. PAPI: từng nội dung so với các tỉnh\n\nHộp: phân bố điểm của các tỉnh trong năm PAPI gần nhất "
        "(không muộn hơn năm đã chọn); hình thoi: tỉnh. Ô trống trong bảng công bố không tính là 0.",
    ),
    (
        "code",
        'papi_year = query("SELECT max(year) FROM marts.papi_index WHERE province = ? AND year <= ?", '
        "[PAPI_PROVINCE, YEAR]).item()\n"
        "field = query(\n"
        '    """SELECT province_code, province, dimension_no, dimension_name, score, rank, n_provinces\n'
        "       FROM marts.papi_index WHERE year = ? AND dimension <> 'total' AND score IS NOT NULL\n"
        '       ORDER BY dimension_no, score DESC""",\n'
        "    [papi_year],\n"
        ')\nown = field.filter(pl.col("province") == PAPI_PROVINCE)\n'
        "if field.height:\n"
        '    fig = px.box(field, x="score", y="dimension_name", points="all",\n'
        '                 labels={"score": "Điểm (tối đa 10)", "dimension_name": ""},\n'
        '                 title=f"PAPI {papi_year}: từng nội dung, tỉnh so với các tỉnh", height=520)\n'
        '    fig.update_traces(marker={"color": "#8c959f", "size": 4}, line={"color": "#8c959f"})\n'
        '    fig.add_scatter(x=own["score"], y=own["dimension_name"], mode="markers", name=PAPI_PROVINCE,\n'
        '                    marker={"symbol": "diamond", "size": 12, "color": "#0b3d91"})\n'
        "    show(fig)\n"
        'own.select("dimension_no", "dimension_name", "score", "rank", "n_provinces")',
    ),
]

NOTEBOOK_CELLS = {
    "par_trends.ipynb": TRENDS,
    "unit_deep_dive.ipynb": UNIT,
    "surveys_papi.ipynb": SURVEYS,
}


def notebook(cells: list[tuple[str, str]]) -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    out = []
    for i, (kind, src) in enumerate(cells):
        cell = nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src)
        cell["id"] = f"cell-{i:02d}"  # stable ids: the same cells give the same file
        if kind == "parameters":
            cell.metadata["tags"] = ["parameters"]
        out.append(cell)
    nb.cells = out
    return nb


def main(folder: Path = NOTEBOOKS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, cells in NOTEBOOK_CELLS.items():
        path = folder / name
        nbf.write(notebook(cells), path)
        written.append(path)
        print(path)
    return written


if __name__ == "__main__":
    main()
