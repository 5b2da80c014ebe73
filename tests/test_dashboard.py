"""Tests for the leadership dashboard (reports/dashboard.py).

The static checks read the generated HTML; the render check opens the file in a real
headless Chromium and inspects the DOM after plotly.js has drawn the figures.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import unicodedata
from pathlib import Path

import polars as pl
import pytest
from plotly.offline import get_plotlyjs

from reports.dashboard import (
    DOWNGRADE_NOTE,
    SYNTHETIC_BANNER,
    build_dashboard,
    write_dashboard,
)

XSS_NAME = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
GENERATED_AT = "2025-02-01 08:00"

FIELDS = [
    ("1", "Công tác chỉ đạo, điều hành cải cách hành chính"),
    ("2", "Cải cách thủ tục hành chính"),
    ("3", "Xây dựng và phát triển chính quyền điện tử, chính quyền số"),
]

# (unit_group, unit_id, unit_name, {year: (index_pct, band, band_before, downgraded, rank, field pcts)})
UNITS = [
    (
        "department",
        "dep-noivu",
        "Sở Nội vụ",
        {
            2023: (88.5, "Tốt", "Tốt", False, 1, (90.0, 88.0, 87.5)),
            2024: (91.2, "Tốt", "Xuất sắc", True, 2, (95.0, 68.0, 99.0)),
        },
    ),
    (
        "department",
        "dep-tuphap",
        "Sở Tư pháp",
        {
            2023: (76.0, "Khá", "Khá", False, 2, (80.0, 75.0, 73.0)),
            2024: (82.4, "Tốt", "Tốt", False, 3, (85.0, 80.0, 82.2)),
        },
    ),
    (
        "department",
        "dep-xss",
        XSS_NAME,
        {
            2023: (64.0, "Trung bình", "Trung bình", False, 3, (60.0, 70.0, 62.0)),
            2024: (92.0, "Xuất sắc", "Xuất sắc", False, 1, (91.0, 93.0, 92.0)),
        },
    ),
    (
        "district",
        "dis-vanlam",
        "Huyện Văn Lâm",
        {
            2023: (81.0, "Tốt", "Tốt", False, 2, (82.0, 80.0, 81.0)),
            2024: (79.5, "Khá", "Khá", False, 2, (80.0, 79.0, 79.5)),
        },
    ),
    (
        "district",
        "dis-myhao",
        "Thị xã Mỹ Hào",
        {
            2023: (92.0, "Xuất sắc", "Xuất sắc", False, 1, (93.0, 91.0, 92.0)),
            2024: (93.5, "Xuất sắc", "Xuất sắc", False, 1, (94.0, 92.5, 94.0)),
        },
    ),
    (
        "district",
        "dis-anthi",
        "Huyện Ân Thi",
        {
            2023: (58.0, "Yếu", "Yếu", False, 3, (55.0, 60.0, 59.0)),
            2024: (66.0, "Trung bình", "Trung bình", False, 3, (65.0, 67.0, 66.0)),
        },
    ),
]


def _frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    par_rows, comp_rows = [], []
    for group, unit_id, name, years in UNITS:
        for year, (pct, band, before, down, rank, fields) in years.items():
            par_rows.append(
                {
                    "year": year,
                    "province": "Hưng Yên",
                    "province_code": "33",
                    "unit_group": group,
                    "unit_id": unit_id,
                    "unit_name": name,
                    "parent_unit_id": None,
                    "achieved_points": pct,
                    "max_points": 100.0,
                    "index_pct": pct,
                    "band": band,
                    "band_before_downgrade": before,
                    "downgraded": down,
                    "rank": rank,
                    "tiebreak_points": 1.5,
                }
            )
            for (code, title), fpct in zip(FIELDS, fields, strict=True):
                comp_rows.append(
                    {
                        "year": year,
                        "unit_id": unit_id,
                        "node_code": code,
                        "node_level": 1,
                        "node_title": title,
                        "achieved": fpct / 10,
                        "max_points": 10.0,
                        "pct": fpct,
                    }
                )
            # A level-2 criterion: must not appear in the field heatmap.
            comp_rows.append(
                {
                    "year": year,
                    "unit_id": unit_id,
                    "node_code": "1.1",
                    "node_level": 2,
                    "node_title": "Tiêu chí cấp hai không hiển thị",
                    "achieved": 1.0,
                    "max_points": 2.0,
                    "pct": 50.0,
                }
            )
    return pl.DataFrame(par_rows), pl.DataFrame(comp_rows)


@pytest.fixture(scope="module")
def dashboard_html() -> str:
    par, comps = _frames()
    return build_dashboard(par, comps, synthetic=True, generated_at=GENERATED_AT)


def _in_plotly_json(text: str) -> str:
    """``text`` as plotly.io writes it inside figure JSON (ASCII-only, ``< > /`` escaped)."""
    encoded = json.dumps(text)[1:-1]
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("/", "\\u002f")


def _figure_ids(html_text: str) -> list[str]:
    return re.findall(r'<div id="([^"]+)" class="plotly-graph-div"', html_text)


def _chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


# ----------------------------------------------------------------------------- static checks


def test_written_file_is_self_contained(dashboard_html: str, tmp_path: Path) -> None:
    path = write_dashboard(tmp_path / "out" / "dashboard.html", dashboard_html)
    assert path.exists()
    text = path.read_text(encoding="utf-8")
    assert text == dashboard_html
    assert text.startswith("<!DOCTYPE html>")

    # Nothing is fetched at view time: no remote (or protocol-relative) src/href, no external script.
    assert not re.search(r"""\bsrc\s*=\s*["']?\s*(?:https?:)?//""", text, re.IGNORECASE)
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.IGNORECASE)
    assert not re.search(r"<link\b", text, re.IGNORECASE)
    # Outside the bundle (whose map attributions carry inert links) there is no remote link at all.
    ours = text.replace(get_plotlyjs(), "")
    assert not re.search(r"""\bhref\s*=\s*["']?\s*(?:https?:)?//""", ours, re.IGNORECASE)
    assert not re.search(r"https?:", ours)

    # plotly.js inlined exactly once; the figures do not bring their own copy or MathJax.
    assert text.count(get_plotlyjs()) == 1
    assert text.count("plotly.js v") == 1
    assert "mathjax" not in ours.lower()
    assert '"displaylogo": false' in ours
    assert ours.count("Plotly.newPlot(") == len(_figure_ids(text))


def test_synthetic_banner_title_and_vietnamese_labels(dashboard_html: str) -> None:
    title = re.search(r"<title>(.*?)</title>", dashboard_html, re.DOTALL)
    assert title and SYNTHETIC_BANNER in title.group(1)
    assert 'class="synthetic-banner"' in dashboard_html
    assert SYNTHETIC_BANNER in dashboard_html.split("<body>", 1)[1]
    assert "Hưng Yên" in title.group(1) and "2023–2024" in title.group(1)

    for label in (
        "Chỉ số cải cách hành chính",
        "Sở, ban, ngành",
        "UBND cấp huyện",
        "Xếp hạng Chỉ số CCHC",
        "Chỉ số thành phần theo lĩnh vực",
        "Thay đổi so với năm trước",
        "Tổng hợp xếp loại",
        "Xuất sắc",
        "Trung bình",
        "Yếu",
        "hạ một bậc",
        GENERATED_AT,
    ):
        assert unicodedata.normalize("NFC", label) in dashboard_html, label
    # Labels that live only inside the figures (plotly writes them as JSON escapes).
    for label in (
        DOWNGRADE_NOTE,
        "Năm 2023",
        "Xếp loại",
        "1. Chỉ đạo, điều hành",
        "Thay đổi chỉ số năm 2024 so với năm 2023",
    ):
        assert _in_plotly_json(label) in dashboard_html, label
    # Diacritics survive as real characters (NFC), not as ASCII fallbacks.
    assert "Ho mot bac" not in dashboard_html and "Xep hang" not in dashboard_html
    assert unicodedata.normalize("NFC", dashboard_html) == dashboard_html

    # Level-2 nodes stay out of the field heatmap.
    assert _in_plotly_json("Tiêu chí cấp hai") not in dashboard_html


def test_untrusted_text_is_escaped(dashboard_html: str) -> None:
    assert XSS_NAME not in dashboard_html
    assert "alert(1)</script>" not in dashboard_html
    # Our own HTML: the KPI card "Cao nhất" names the top unit, html.escape'd.
    assert f'<div class="kpi-note">{XSS_ESCAPED}</div>' in dashboard_html
    # Plotly data: entity-escaped, so plotly.js draws it as literal text.
    assert _in_plotly_json(f"1. {XSS_ESCAPED}") in dashboard_html


def test_band_summary_table(dashboard_html: str) -> None:
    tables = re.findall(r'<table class="band-table">.*?</table>', dashboard_html, re.DOTALL)
    assert len(tables) == 2  # one per group
    dep = tables[0]
    headers = re.findall(r'<th scope="col">(?:<span[^>]*></span>)?([^<]+)</th>', dep)
    assert headers[:7] == ["Năm", "Số đơn vị", "Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
    rows = re.findall(r"<tr><th scope=\"row\">(\d+)</th>(.*?)</tr>", dep)
    cells = {int(y): re.findall(r"<td[^>]*>([^<]*)</td>", body) for y, body in rows}
    # year: units, Xuất sắc, Tốt, Khá, Trung bình, Yếu, downgraded, mean
    assert cells[2023][:7] == ["3", "0", "1", "1", "1", "0", "0"]
    assert cells[2024][:7] == ["3", "1", "2", "0", "0", "0", "1"]
    assert cells[2024][7] == "88,53"  # Vietnamese decimal comma


def test_deterministic_and_non_synthetic() -> None:
    par, comps = _frames()
    one = build_dashboard(par, comps, synthetic=True, generated_at=GENERATED_AT)
    two = build_dashboard(par.reverse(), comps.reverse(), synthetic=True, generated_at=GENERATED_AT)
    assert one == two
    ids = _figure_ids(one)
    assert len(ids) == 6 and len(set(ids)) == 6  # 2 groups x (ranking, heatmap, change)
    assert all(re.fullmatch(r"chart-[a-z0-9-]+", i) for i in ids)

    real = build_dashboard(par, comps, synthetic=False, generated_at=GENERATED_AT)
    assert SYNTHETIC_BANNER not in real
    assert 'class="synthetic-banner"' not in real


def test_band_order_is_data() -> None:
    """Bands come from the argument (e.g. Quảng Trị's four bands), coloured by position."""
    par, comps = _frames()
    qt = {"Xuất sắc": "Tốt", "Tốt": "Tốt", "Khá": "Khá", "Trung bình": "Trung bình", "Yếu": "Thấp"}
    par = par.with_columns(pl.col("band").replace_strict(qt), pl.col("band_before_downgrade").replace_strict(qt))
    out = build_dashboard(
        par,
        comps,
        synthetic=False,
        generated_at=GENERATED_AT,
        band_order=["Tốt", "Khá", "Trung bình", "Thấp"],
    )
    assert f'"name":"{_in_plotly_json("Thấp")}"' in out
    assert f'"name":"{_in_plotly_json("Xuất sắc")}"' not in out
    assert "Xuất sắc" not in out  # not even in the summary table
    # Colour by position: first band -> first palette colour, last band -> last.
    assert re.search(r'"legendgroup":"T\\u1ed1t","marker":\{"color":"#1a7f37"', out)
    assert re.search(r'"legendgroup":"Th\\u1ea5p","marker":\{"color":"#cf222e"', out)


# ----------------------------------------------------------------------------- real browser


@pytest.mark.browser
def test_renders_in_headless_chromium(dashboard_html: str, tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (/usr/bin/chromium or on PATH): cannot render the dashboard")
    page = write_dashboard(tmp_path / "dashboard.html", dashboard_html)
    figure_ids = _figure_ids(dashboard_html)
    assert figure_ids

    cmd = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chrome-profile'}",
        "--virtual-time-budget=5000",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    # Own process group, so that a hung browser (e.g. blocked on an injected alert()) and its
    # helper processes are all stopped on timeout.
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        start_new_session=True,
    )
    try:
        dom, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("headless Chromium did not finish within 60 s (a script in the page may have blocked it)")
    assert proc.returncode == 0, stderr[-2000:]
    assert "<body" in dom, stderr[-2000:]
    # The DOM without script bodies (the inlined bundle holds inert URL strings and markup).
    markup = re.sub(r"<script\b.*?</script>", "", dom, flags=re.DOTALL | re.IGNORECASE)

    # plotly drew every figure: one main-svg (at least) per figure, each graph div initialised.
    assert dom.count('class="main-svg"') >= len(figure_ids)
    for div_id in figure_ids:
        tag = re.search(rf'<div id="{re.escape(div_id)}"[^>]*>', dom)
        assert tag, div_id
        assert "js-plotly-plot" in tag.group(0), f"{div_id} was not rendered by plotly.js"

    # Vietnamese text reached the SVG (legend of the ranking, axis labels, hover-free labels).
    assert re.search(r'class="legendtext"[^>]*>Xuất sắc<', markup)
    assert "Chỉ số (%)" in markup
    assert "1. Chỉ đạo, điều hành" in markup
    assert "Năm 2024" in markup  # year selector
    # No URL in the rendered markup apart from SVG namespace declarations.
    assert not re.search(r"https?://", re.sub(r'xmlns(?::\w+)?="http://www\.w3\.org/[^"]*"', "", markup))

    # The hostile unit name is shown as text inside the SVG and in the page, never as an element.
    assert XSS_NAME not in dom
    assert not re.search(r"<script[^>]*>\s*alert\(1\)", dom)
    assert re.search(r"<text[^>]*>[^<]*" + re.escape(XSS_ESCAPED), markup), "name not rendered as SVG text"
    assert f'<div class="kpi-note">{XSS_ESCAPED}</div>' in markup
