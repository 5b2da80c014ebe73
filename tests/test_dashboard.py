"""The leadership dashboard pack (reports/dashboard.py), built by the real job from the bundled sample.

Static checks read the published files; the browser checks (`@pytest.mark.browser`) open the pages in
headless Chromium through the DevTools protocol (tests/cdp.py). Expected values are worked out by hand
from the sample's documented cases (data/raw/README.md, data/raw/README_rulesets.md) or recomputed here
from the marts with SQL, never read back from the pages' own code.
"""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.reports import load_pack_data
from reports.dashboard import build_pack
from reports.text import FINAL_SOURCE_LABELS, PLOTLY_LOCALE_VI, RULE_LABELS, SYNTHETIC_BANNER
from tests.cdp import Browser, find_chromium, pdf_pages, png_ink
from tests.e2e_helpers import query

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "raw"
PAGE_BUDGET = 4  # A4 pages a leadership page may print on (issue 10)


@pytest.fixture(scope="module")
def curated(sample_warehouse: Path) -> Path:
    return sample_warehouse


@pytest.fixture(scope="module")
def pack(curated: Path) -> Path:
    return curated / "dashboard"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _text(page: str) -> str:
    """What a reader sees of a page's own HTML (scripts, styles and tags removed)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _table(page: str, table_class: str) -> list[list[str]]:
    """The body rows of `<table class="data {table_class}">`: the text of each cell."""
    table = re.search(rf'<table class="data {table_class}">(.*?)</table>', page, re.DOTALL)
    assert table, table_class
    body = table.group(1).split("</thead>", 1)[-1]
    return [
        [_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
    ]


def _rows(page: str, table_class: str, key: int = 2) -> dict[str, list[str]]:
    """The same rows by the text of column `key` (the unit's name in a ranking)."""
    return {cells[key]: cells for cells in _table(page, table_class)}


def _leadership_pages(pack: Path) -> list[Path]:
    return sorted(pack.glob("*/20*/*.html"))


# ---------------------------------------------------------------------------------- files, offline


def test_pack_layout_and_one_shared_plotly(pack: Path, curated: Path) -> None:
    assert (pack / "index.html").exists() and (pack / "chat-luong-du-lieu.html").exists()
    # One leadership page per province, year and unit group of the sample (README: MAU 2022-2024 with
    # 3 groups; MQN 2023-2024 with 4; MQT 2024 with 3; across the 2025 reorganisation, README_2025.md: MTE and
    # MTG 2024 with 3, MEG 2025 with 2, no district), and one page per unit (85 + 51 + 32 + 9 + 5 + 8 units).
    assert len(_leadership_pages(pack)) == 3 * 3 + 2 * 4 + 1 * 3 + 2 * 3 + 1 * 2
    assert len(list(pack.glob("*/don-vi/*.html"))) == 85 + 51 + 32 + 9 + 5 + 8
    plotly = pack / "assets" / "plotly.min.js"
    assert plotly.stat().st_size > 3_000_000
    pages = sorted(pack.rglob("*.html"))
    for page in pages:
        text = _read(page)
        assert "plotly.js v" not in text and len(text) < 400_000, page  # never inlined
        for src in re.findall(r'<script src="([^"]+)"', text) + re.findall(r'<link [^>]*href="([^"]+)"', text):
            assert not re.match(r"[a-z]+:", src), (page, src)  # relative, never a URL
            assert (page.parent / src).resolve().is_file(), (page, src)
        assert not re.search(r"https?://", text), page
    # The old single page opens the pack.
    assert "url=dashboard/index.html" in _read(curated / "dashboard.html")


def test_plotly_config_has_no_upload_edit_or_link(pack: Path) -> None:
    page = _read(pack / "mau" / "2024" / "so-ban-nganh.html")
    configs = re.findall(r'"displaylogo":false[^]]*?"modeBarButtons":\[\["toImage","resetScale2d"\]\]', page)
    assert len(configs) == page.count("Plotly.newPlot(") == 4
    assert page.count('"showSendToCloud":false') == 4 and page.count('"editable":false') == 4
    assert '"locale":"vi"' in page and "sendDataToCloud" not in page and 'plotlyServerURL":"http' not in page
    locale = _read(pack / "assets" / "plotly-locale-vi.js")
    assert '"Download plot as a PNG": "Tải biểu đồ xuống (PNG)"' in locale and '"name": "vi"' in locale


def test_every_page_is_marked_synthetic_in_vietnamese_without_internal_names(pack: Path) -> None:
    internal = [
        "seed",
        "marts.",
        "staging.",
        "quality.",
        "raw.",
        "phu-luc",
        "plan.yaml",
        "ruleset",
        "hung-yen",
        "quang-ninh",
        "quang-tri",
        "unit_group",
        "department",
        "district",
        "commune",
        *RULE_LABELS,
        *FINAL_SOURCE_LABELS,
    ]
    for page in sorted(pack.rglob("*.html")):
        text = _read(page)
        title = re.search(r"<title>(.*?)</title>", text).group(1)
        assert title.startswith("[Dữ liệu mẫu tổng hợp]"), page
        assert f'<div class="synthetic-banner" role="note">⚠ {SYNTHETIC_BANNER}</div>' in text, page
        assert SYNTHETIC_BANNER in re.search(r"@top-left \{ content: \"([^\"]*)\"", text).group(1)  # every printed page
        visible = _text(text)
        found = [w for w in internal if re.search(rf"(?<![\w.]){re.escape(w)}(?![\w])", visible)]
        assert not found, (page, found)
        if page.name != "chat-luong-du-lieu.html":  # the analysts' page names the files to fix
            assert not re.search(r"\.(csv|xlsx|yaml)\b", visible), page


def test_each_province_cites_its_own_decision(pack: Path) -> None:
    for page in (pack / "mqn").rglob("*.html"):
        text = _text(_read(page))
        assert "1708" not in text and "Hưng Yên" not in text and "Điều 5.5" not in text, page
        assert "Quyết định năm 2022 của UBND tỉnh Quảng Ninh" in text or "mục III.3" in text, page
    for page in (pack / "mqt").rglob("*.html"):
        text = _text(_read(page))
        assert "1708" not in text and "Hưng Yên" not in text and "hạ một bậc" not in text, page
        assert "Quyết định 1820/QĐ-UBND ngày 24/07/2024" in text, page
    mau = _text(_read(pack / "mau" / "2024" / "so-ban-nganh.html"))
    assert "Xếp loại (Quyết định 1708/QĐ-UBND ngày 14/07/2021, Điều 5.5)" in mau
    assert "dưới 70% điểm tối đa (Quyết định 1708/QĐ-UBND ngày 14/07/2021, Điều 5.5)" in mau
    mqt = _text(_read(pack / "mqt" / "2024" / "so-ban-nganh.html"))
    assert "Xếp loại (Quyết định 1820/QĐ-UBND ngày 24/07/2024, Điều 6.3)" in mqt
    assert "Hủy kết quả và xếp loại lại theo Quyết định 1820/QĐ-UBND ngày 24/07/2024, Điều 7" in mqt


# ----------------------------------------------------------------------- what a leader must see


def test_departments_2024_ranks_bands_changes_and_gap(pack: Path, curated: Path) -> None:
    page = _read(pack / "mau" / "2024" / "so-ban-nganh.html")
    rows = _rows(page, "ranking")
    # data/raw/README.md: S04 and S13 total 90.046, tiebreak leaves 4.75 > 4: S04 directly above S13.
    names = {r["unit_id"]: r["unit_name"] for r in pl.read_csv(SAMPLE / "units.csv").to_dicts()}  # the register
    s04, s13 = rows[names["S04"]], rows[names["S13"]]
    assert s04[3] == s13[3] == "90,05" and int(s13[0]) == int(s04[0]) + 1
    assert "Xuất sắc" in s04[5] and "Xuất sắc" in s13[5] and "tiêu chí ưu tiên" in s13[7]
    # S11: 92.03, Xuất sắc held back to Tốt by area 5 at 6.75/10 = 67.5% (< 70%, 1708/QĐ-UBND Art. 5.5).
    s11 = rows[names["S11"]]
    assert s11[3] == "92,03" and s11[5] == "Tốt ↓" and "lĩnh vực 5 đạt 67,5% < 70%" in s11[7]
    # ... and 0.25 points on area 5 (7/10 = 70%) lift it to Xuất sắc: the closest unit to its next band.
    gap = _text(re.search(r"Gần lên xếp loại trên nhất:(.*?)</p>", page, re.DOTALL).group(1))
    assert gap.startswith(f" {names['S11']} cần 0,25 điểm để lên Xuất sắc")
    # Rank change since 2023, recomputed here from the mart: ▲ k up, ▼ k down, = same.
    change = query(
        curated,
        "SELECT a.unit_id, b.rank - a.rank AS up FROM marts.par_index a JOIN marts.par_index b USING (unit_id) "
        "WHERE a.year = 2024 AND b.year = 2023 AND a.unit_group = 'department' AND a.province_code = 'MAU'",
    )
    assert change.height == 17
    for unit_id, up in change.iter_rows():
        expected = f"▲ {up}" if up > 0 else (f"▼ {-up}" if up < 0 else "=")
        assert rows[names[unit_id]][1] == expected, unit_id
    # Every unit links to its own page.
    assert 'href="../don-vi/s11.html"' in page
    # The appraising agencies' view: leaves each appraises for these units and how many it changed.
    agencies = query(
        curated,
        "SELECT agency, count(*) AS units, sum(leaves) AS leaves, sum(changed_leaves) AS changed "
        "FROM marts.agency_appraisal WHERE year = 2024 AND unit_group = 'department' AND province_code = 'MAU' "
        "GROUP BY agency HAVING sum(changed_leaves) > 0 ORDER BY changed DESC, agency",
    )
    shown = _table(page, "agencies")
    assert [r[0] for r in shown] == agencies["agency"].to_list()[: len(shown)] and len(shown) >= 3
    assert [(int(r[1]), int(r[2]), int(r[3].split()[0])) for r in shown] == [
        (u, n, c) for u, n, c in agencies.select("units", "leaves", "changed").head(len(shown)).iter_rows()
    ]


def test_ranks_a_survey_could_change_show_their_range(pack: Path, curated: Path) -> None:
    # A unit whose survey interval leaves its place open shows the places the interval allows, and a
    # unit whose place is certain shows none (marts.rank_uncertainty, 1708/QĐ-UBND Art. 5.3.c).
    rows = _rows(_read(pack / "mau" / "2024" / "so-ban-nganh.html"), "ranking")
    names = {r["unit_id"]: r["unit_name"] for r in pl.read_csv(SAMPLE / "units.csv").to_dicts()}
    ranges = query(
        curated,
        "SELECT r.unit_id, r.rank_best, r.rank_worst FROM marts.rank_uncertainty r JOIN marts.par_index p "
        "USING (year, unit_id) WHERE r.index_kind = 'par_index' AND r.year = 2024 "
        "AND p.unit_group = 'department' AND p.province_code = 'MAU'",
    )
    assert ranges.height == 17 and ranges.filter(pl.col("rank_best") != pl.col("rank_worst")).height > 0
    for unit_id, best, worst in ranges.iter_rows():
        note = f"Hạng có thể {best}–{worst}"
        assert (note in rows[names[unit_id]][7]) == (best != worst), unit_id


def test_district_band_move_and_downgrade_2023(pack: Path) -> None:
    # data/raw/README.md: H07 2022 total 89.732 after its appeal (Tốt); 2023 index 85.76, Tốt → Khá by area 6.
    rows = _rows(_read(pack / "mau" / "2023" / "ubnd-cap-huyen.html"), "ranking")
    h07 = rows["UBND huyện Minh Đức"]  # units.csv
    assert h07[3] == "85,76"
    assert h07[5] == "Khá ↓" and h07[6] == "↓ Tốt → Khá" and "lĩnh vực 6" in h07[7]
    unit = _rows(_read(pack / "mau" / "don-vi" / "h07.html"), "years", key=0)
    assert unit["2022"][1] == "89,73" and unit["2022"][2].startswith("Tốt")


def test_reclassified_and_shared_ranks(pack: Path) -> None:
    # data/raw/README_rulesets.md: QTS03 voided by 45/QĐ-UBND: 85.0000 Tốt (rank 6) → 79.7500 Khá (rank 7).
    mqt = _rows(_read(pack / "mqt" / "2024" / "so-ban-nganh.html"), "ranking")
    qts03 = mqt["Sở Tài chính"]
    assert (qts03[0], qts03[3], qts03[5]) == ("7", "79,75", "Khá") and "45/QĐ-UBND" in qts03[7]
    history = _table(_read(pack / "mqt" / "don-vi" / "qts03.html"), "history")
    assert [c[:5] for c in history] == [
        ["2024", "0", "85,00", "Tốt", "6"],
        ["2024", "1", "79,75", "Khá", "7"],
    ]
    # QTH02 88.9000 Tốt → Khá set by 52/QĐ-UBND.
    qth02 = next(
        c for c in _rows(_read(pack / "mqt" / "2024" / "ubnd-cap-huyen.html"), "ranking").values() if c[3] == "88,90"
    )
    assert qth02[5] == "Khá" and "52/QĐ-UBND" in qth02[7]
    # QNS05 and QNS12: 78.9570 each, no tiebreak in QĐ Quảng Ninh 2022: they share a rank.
    mqn = [c for c in _rows(_read(pack / "mqn" / "2024" / "so-ban-nganh.html"), "ranking").values() if c[3] == "78,96"]
    assert len(mqn) == 2 and mqn[0][0] == mqn[1][0] and all("Đồng hạng" in c[7] for c in mqn)


def test_surveys_plan_and_quality_on_the_leadership_page(pack: Path, curated: Path) -> None:
    page = _read(pack / "mau" / "2024" / "so-ban-nganh.html")
    text = _text(page)
    assert "khoảng tin cậy 95%" in text and 'id="chart-sipas-2024"' in page
    # PAPI scores real provinces only: the synthetic province is set against the plan's own province
    # (surveys.yaml: Vĩnh Long), with the real table's source, and no synthetic note on it.
    papi = query(
        curated,
        "SELECT rank, n_provinces FROM marts.papi_index WHERE province = 'Vĩnh Long' AND dimension = 'total' "
        "AND year = 2024",
    ).row(0)
    assert "PAPI không chấm Tỉnh Mẫu (dữ liệu tổng hợp); đây là số liệu của Vĩnh Long" in text
    assert re.search(rf"PAPI năm 2024: [\d,]+/80 điểm, hạng {papi[0]}/{papi[1]}", text)
    assert "papi.org.vn" in text and "Số liệu PAPI ở đây là dữ liệu tổng hợp" not in text
    # The plan: the year's reports are linked and exist beside the pack.
    links = re.findall(r'<a class="plan-report" href="([^"]+)">', page)
    assert [Path(link).name for link in links] == [
        "bao-cao-tien-do-2024-Q1.html",
        "bao-cao-tien-do-2024-H1.html",
        "bao-cao-tien-do-2024-Q3.html",
        "bao-cao-tien-do-2024.html",
    ]
    assert all((pack / "mau" / "2024" / link).resolve().is_file() for link in links)
    not_met = query(curated, "SELECT count(*) FROM marts.plan_tracking WHERE period = '2024' AND status = 'not_met'")
    assert f"{not_met.item()} chưa đạt" in text
    assert "kiểm tra dữ liệu đạt" in text and 'href="../../chat-luong-du-lieu.html"' in page


def test_missing_submissions_on_the_quality_page_and_the_group_page(curated: Path) -> None:
    with duckdb.connect(str(curated / "warehouse.duckdb"), read_only=True) as conn:
        data = load_pack_data(conn)
    assert data.missing is not None and data.missing.is_empty()  # every unit of the sample sent its form
    assert "Mọi đơn vị trong danh mục đều có kết quả tự đánh giá." in build_pack(data)["chat-luong-du-lieu.html"]
    missing = pl.DataFrame(
        {
            "year": [2024],
            "unit_id": ["S99"],
            "unit_name": ["Sở Thử Nghiệm"],
            "unit_group": ["department"],
            "province_code": ["MAU"],
            "reason": ["no_submission"],
            "message": ["Không có bản tự đánh giá nào của đơn vị cho năm này"],
        }
    )
    files = build_pack(dataclasses.replace(data, missing=missing))
    quality = _text(files["chat-luong-du-lieu.html"])
    assert "2024 Tỉnh Mẫu (dữ liệu tổng hợp) Sở, ban, ngành Sở Thử Nghiệm Không có bản tự đánh giá" in quality
    line = "1 đơn vị của nhóm không có kết quả tự đánh giá năm 2024: Sở Thử Nghiệm"
    assert line in files["mau/2024/so-ban-nganh.html"]
    assert "Sở Thử Nghiệm" not in files["mau/2024/ubnd-cap-huyen.html"]


def test_same_inputs_same_bytes(curated: Path, pack: Path) -> None:
    with duckdb.connect(str(curated / "warehouse.duckdb"), read_only=True) as conn:
        first, second = build_pack(load_pack_data(conn)), build_pack(load_pack_data(conn))
    assert first == second
    published = {p.relative_to(pack).as_posix(): _read(p) for p in pack.rglob("*") if p.is_file()}
    assert published == first


# ------------------------------------------------------------------------------- real browser


def _browser(tmp_path: Path) -> Browser:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (/usr/bin/chromium or on PATH)")
    return Browser(chromium, tmp_path / "profile")


def _check_offline(tab, page: Path, curated: Path) -> None:
    assert not tab.log.errors, (page, tab.log.errors)
    for url in tab.log.requests:  # the page itself, plotly.js, the stylesheet; images plotly draws inline
        assert url.startswith(("file://", "data:")), (page, url)
        if url.startswith("file://"):
            assert Path(url.removeprefix("file://")).resolve().is_relative_to(curated.resolve()), (page, url)


@pytest.mark.browser
def test_pages_open_offline_without_errors(pack: Path, curated: Path, tmp_path: Path) -> None:
    every = sorted(pack.rglob("*.html"))
    # Every index, leadership and quality page; unit pages share one template, so every 16th of them
    # (all of their content is checked statically above) keeps the run within the suite's budget.
    units = [p for p in every if "don-vi" in p.parts]
    pages = [p for p in every if "don-vi" not in p.parts] + units[::16]
    assert len(units) > 100 and len(pages) < len(every)
    english = set(PLOTLY_LOCALE_VI["dictionary"]) | {
        "Share chart...",
        "Produced with Plotly.js",
        "Edit in Chart Studio",
    }
    vietnamese = {"Tải biểu đồ xuống (PNG)", "Đặt lại trục"}
    with _browser(tmp_path) as browser:
        tabs = [browser.open("about:blank"), browser.open("about:blank")]  # two pages load at once
        for i in range(0, len(pages), len(tabs)):
            batch = list(zip(tabs, pages[i : i + len(tabs)], strict=False))
            for tab, page in batch:
                tab.start(page.resolve().as_uri())
            for tab, page in batch:
                charts = tab.finish()
                _check_offline(tab, page, curated)
                state = tab.eval(
                    "({undrawn: [...document.querySelectorAll('.plotly-graph-div')]"
                    ".filter(d => !d.querySelector('.main-svg')).length,"
                    " titles: [...new Set([...document.querySelectorAll('.modebar-btn')]"
                    ".map(b => b.getAttribute('data-title')))],"
                    " links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
                    ".filter(h => /^[a-z]+:/i.test(h))})"
                )
                assert state["undrawn"] == 0, page
                assert set(state["titles"]) <= vietnamese and not set(state["titles"]) & english, (page, state)
                assert (charts > 0) == bool(state["titles"]), page
                assert state["links"] == [], page


@pytest.mark.browser
def test_leader_finds_the_province_and_the_year_changes_every_chart(pack: Path, curated: Path, tmp_path: Path) -> None:
    with _browser(tmp_path) as browser:
        tab = browser.open((pack / "index.html").resolve().as_uri())
        _check_offline(tab, pack / "index.html", curated)
        # From the index, straight to the province's departments in 2024 (no other province on the way).
        href = tab.eval(
            "[...document.querySelectorAll('a')].find(a => a.textContent === 'Năm 2024 (17 đơn vị)')"
            ".getAttribute('href')"
        )
        assert href == "mau/2024/so-ban-nganh.html"
        tab.goto((pack / href).resolve().as_uri())
        _check_offline(tab, pack / href, curated)
        assert png_ink(tab.screenshot()) > 0.05  # not a blank page
        seen = tab.eval("document.body.innerText")
        for words in (
            "Tổng quan và xếp hạng năm 2024",
            "▲",
            "▼",
            "Xuất sắc",
            "↓ Xuất sắc → Tốt",
            "cần 0,25 điểm để lên Xuất sắc",
            "Báo cáo tiến độ năm 2024",
            SYNTHETIC_BANNER,
        ):
            assert words in seen, words
        charts_2024 = tab.eval(
            "Object.fromEntries([...document.querySelectorAll('.plotly-graph-div')]"
            ".map(d => [d.id, {title: d.layout.title.text, figure: JSON.stringify([d.data, d.layout])}]))"
        )
        assert set(charts_2024) == {
            "chart-xep-hang-2024",
            "chart-thanh-phan-2024",
            "chart-sipas-2024",
            "chart-papi-2024",
        }
        # The year choice: one click, and every chart of the page is the other year's.
        tab.eval("document.querySelector('nav.switch a[data-year=\"2023\"]').click()")
        tab.finish()
        assert tab.eval("location.pathname").endswith("/mau/2023/so-ban-nganh.html")
        charts_2023 = tab.eval(
            "Object.fromEntries([...document.querySelectorAll('.plotly-graph-div')]"
            ".map(d => [d.id, {title: d.layout.title.text, figure: JSON.stringify([d.data, d.layout])}]))"
        )
        assert len(charts_2023) == len(charts_2024)
        for (_, new), (_, old) in zip(sorted(charts_2023.items()), sorted(charts_2024.items()), strict=True):
            assert "2023" in new["title"] and "2024" not in new["title"]
            assert new["figure"] != old["figure"]  # (PAPI 2024 is not published: that chart marks the year so)
        cards = tab.eval("[...document.querySelectorAll('.card .label')].map(e => e.textContent)")
        assert "So với năm 2022" in cards


@pytest.mark.browser
def test_leadership_pages_print_within_budget_without_toolbars(pack: Path, tmp_path: Path) -> None:
    with _browser(tmp_path) as browser:
        tab = browser.open("about:blank")
        for page in _leadership_pages(pack):
            tab.goto(page.resolve().as_uri())
            assert pdf_pages(tab.pdf()) <= PAGE_BUDGET, page
        tab.call("Emulation.setEmulatedMedia", {"media": "print"})
        hidden = tab.eval(
            "[...document.querySelectorAll('.modebar-container, nav.switch')]"
            ".every(e => getComputedStyle(e).display === 'none')"
        )
        # No clipped title: the chart titles inside their charts, the page title within the page.
        titles = tab.eval(
            "[...document.querySelectorAll('.gtitle')].map(t => { const b = t.getBoundingClientRect(),"
            " s = t.closest('svg').getBoundingClientRect(); return b.left >= s.left - 1 && b.right <= s.right + 1; })"
        )
        h1 = tab.eval("(h => h.scrollWidth <= h.clientWidth)(document.querySelector('header.page h1'))")
        assert hidden and titles and all(titles) and h1


def test_publish_replaces_the_whole_pack(tmp_path: Path) -> None:
    from assets.publish import publish_pages

    working, curated = tmp_path / "working", tmp_path / "curated"
    for path, text in {
        working / "dashboard" / "index.html": "new",
        working / "dashboard" / "mau" / "2024" / "so-ban-nganh.html": "new page",
        working / "dashboard" / "assets" / "pack.css": "css",
        working / "reports" / "bao-cao-tien-do-2024.html": "report",
        working / "dashboard.html": "redirect",
        curated / "dashboard" / "index.html": "old",
        curated / "dashboard" / "mqt" / "2023" / "so-ban-nganh.html": "a page the run no longer writes",
        curated / "reports" / "bao-cao-tien-do-2019.html": "an old report",
    }.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    published = publish_pages(working, curated)
    files = sorted(p.relative_to(curated).as_posix() for p in curated.rglob("*") if p.is_file())
    assert files == [
        "dashboard.html",
        "dashboard/assets/pack.css",
        "dashboard/index.html",
        "dashboard/mau/2024/so-ban-nganh.html",
        "reports/bao-cao-tien-do-2024.html",
    ]
    assert _read(curated / "dashboard" / "index.html") == "new" and len(published) == 4
    assert not (working / "dashboard").exists() and not list(curated.glob(".*old"))
