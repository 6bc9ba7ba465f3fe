"""The Excel workbooks as official Thai documents: the Feedback Report and the agency's answers.

Read back with openpyxl: codes are text in every sheet, scores numbers with two decimals, every
cell in the Thai government's font, dates B.E. text, and each visible sheet set up to print on
A4. Then printed for real: LibreOffice (headless) turns both workbooks into a PDF, whose text
layer (pdftotext) must show the codes as written and whose pages must stay few.

The LibreOffice test is the slow one (a few seconds): an integration test, run with the rest of
the suite; `scripts/ensure-packages` installs LibreOffice, so a missing `soffice` fails it.
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from pmqa.assessments.excel import GROUP_SHEETS
from pmqa.assessments.models import Assessment
from pmqa.demo.services import DEMO_PASSWORD
from pmqa.lib.fonts import fontpkg_sarabun_files
from pmqa.lib.xlsx import FONT_NAME
from pmqa.reports import builders
from pmqa.reports.xlsx import build_workbook
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db

CODE_HEADERS = {"ข้อ", "หมวด", "รหัส", "ส่วน"}
# Sheets of a title and its values, no table below a header row.
UNTABLED = {"ข้อมูลรายงาน", "คำอธิบาย"}
# The profile's lists: tables without codes.
UNCODED = {*UNTABLED, *GROUP_SHEETS.values()}
THAI_MONTH = re.compile(
    r"มกราคม|กุมภาพันธ์|มีนาคม|เมษายน|พฤษภาคม|มิถุนายน|กรกฎาคม|สิงหาคม|กันยายน|ตุลาคม|พฤศจิกายน|ธันวาคม"
)
GREGORIAN_YEAR = re.compile(r"\b(19|20)\d\d\b")
BE_YEAR = re.compile(r"\b25\d\d\b")
# Codes that would read back as other numbers if a cell were numeric: 1.10 as 1.1, 1.20 as 1.2.
LOOKALIKE_ITEMS = [
    ("1.10", "ข้อทดสอบที่สิบ", "10.00", "20.00", "-10.00"),
    ("1.20", "ข้อทดสอบที่ยี่สิบ", "30.00", "40.00", "-10.00"),
]


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, verbosity=0)


def narathiwat():
    return Assessment.objects.get(organisation__code="TH-96", cycle__fiscal_year=2561)


def report_bytes() -> bytes:
    """The Narathiwat report, with two items whose codes look like other numbers and a KPI."""
    data = builders.build(narathiwat())
    data = dataclasses.replace(
        data,
        item_scores=[*data.item_scores, *LOOKALIKE_ITEMS],
        kpis=[
            *data.kpis,
            {
                "item": "7.1",
                "name": "ร้อยละความพึงพอใจของผู้รับบริการ",
                "unit": "ร้อยละ",
                "direction": "higher",
                "values": {"2559": "80", "2560": "85"},
                "target": "90",
            },
        ],
    )
    return build_workbook(data, data.published_date)


def code_columns(sheet) -> list[int]:
    if sheet.sheet_state == "hidden":  # the answers' system sheet: answer keys in column A
        return [1]
    return [cell.column for cell in sheet[1] if cell.value in CODE_HEADERS]


def assert_thai_document(book, *, dated: bool) -> None:
    """What every workbook the application writes must be."""
    assert book._fonts[0].name == FONT_NAME  # cells without a font of their own
    assert book._named_styles["Normal"].font.name == FONT_NAME  # what Excel gives new cells
    found_date = False
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.font.name == FONT_NAME, (sheet.title, cell.coordinate)
                assert not hasattr(cell.value, "year"), (sheet.title, cell.coordinate)
                if isinstance(cell.value, float):
                    assert cell.number_format == "0.00", (sheet.title, cell.coordinate)
                if isinstance(cell.value, str) and THAI_MONTH.search(cell.value):
                    found_date = True
                    assert BE_YEAR.search(cell.value), cell.value
                    assert not GREGORIAN_YEAR.search(cell.value), cell.value
        columns = code_columns(sheet)
        assert columns or sheet.title in UNCODED, sheet.title
        for column in columns:
            cells = [c for (c,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column)]
            for cell in cells:
                assert cell.number_format == "@", (sheet.title, cell.coordinate)
                assert cell.value in (None, "") or cell.data_type == "s", (sheet.title, cell)
        if sheet.sheet_state == "hidden":
            continue
        if sheet.title not in UNTABLED:  # a bold header row, printed on top of every page
            assert all(cell.font.b for cell in sheet[1] if cell.value), sheet.title
            assert sheet.print_title_rows == "$1:$1", sheet.title  # row 1, as read back
        setup = sheet.page_setup
        assert setup.paperSize == 9  # A4
        assert setup.orientation in ("portrait", "landscape")
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        margins = sheet.page_margins
        assert 0.5 <= margins.left <= 1 and 0.5 <= margins.right <= 1
        assert 0.6 <= margins.top <= 1.2 and 0.6 <= margins.bottom <= 1.2
        footer = sheet.oddFooter
        assert footer.left.text == sheet.title
        assert footer.right.text == "หน้า &P จาก &N"
        assert footer.right.font.startswith(FONT_NAME)
    assert found_date == dated


def test_the_report_workbook_is_a_thai_document(client, demo):
    assert client.login(username="narathiwat.approver", password=DEMO_PASSWORD)
    response = client.get(reverse("reports:xlsx", args=[narathiwat().pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert_thai_document(book, dated=True)

    info = book["ข้อมูลรายงาน"]
    assert info["B4"].value == "26 พฤศจิกายน 2561" and info["B4"].data_type == "s"
    assert info["B2"].value == "TH-96" and info["B2"].number_format == "@"
    assert info["B5"].value == 443.10 and info["B5"].number_format == "0.00"
    categories = [row for row in book["คะแนนรายหมวด"].iter_rows(min_row=2) if row[0].value]
    assert [row[0].value for row in categories] == [str(n) for n in range(1, 8)]
    assert categories[0][2].value == 450.0 and categories[0][2].number_format == "0.00"
    # Every item's row (a last row may say that the report has no item scores).
    items = [row for row in book["คะแนนรายข้อ"].iter_rows(min_row=2) if row[0].value]
    codes = [row[0].value for row in items]
    assert codes[0] == "1.1" and codes[-6:] == [f"7.{n}" for n in range(1, 7)]
    assert all(isinstance(code, str) for code in codes)
    assert book["คะแนนรายข้อ"].column_dimensions["A"].number_format == "@"  # typed codes too
    orientation = {sheet.title: sheet.page_setup.orientation for sheet in book.worksheets}
    assert orientation["ข้อมูลรายงาน"] == "portrait"
    assert orientation["จุดแข็งและข้อเสนอแนะ"] == "landscape"


def test_item_codes_that_look_like_numbers_stay_as_written(demo):
    book = load_workbook(io.BytesIO(report_bytes()))
    assert_thai_document(book, dated=True)
    rows = {row[0].value: row for row in book["คะแนนรายข้อ"].iter_rows(min_row=2)}
    assert {"1.1", "1.10", "1.20"} <= set(rows)
    assert rows["1.10"][0].data_type == "s" and rows["1.10"][0].number_format == "@"
    assert rows["1.10"][2].value == 10.0 and rows["1.10"][2].number_format == "0.00"
    kpis = list(book["ตัวชี้วัดผลลัพธ์"].iter_rows(min_row=2, values_only=True))
    assert kpis[-1][0] == "7.1"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def download_answers(client, assessment):
    response = client.get(reverse("assessments:excel", args=[assessment.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def upload_answers(client, assessment, book):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "filled.xlsx"
    return client.post(reverse("assessments:excel_import", args=[assessment.pk]), {"file": buffer})


def test_the_answers_workbook_is_a_thai_document_and_imports_back(client, personas, work_a):
    login(client, personas.editor_a)
    book = download_answers(client, work_a)
    assert_thai_document(book, dated=True)  # the help sheet says when the file was made
    checkpoints = book["ประเด็นพิจารณา"]
    assert checkpoints["A2"].value == "1.1" and checkpoints["A2"].number_format == "@"
    assert book["ข้อมูลระบบ"].sheet_state == "hidden"
    assert upload_answers(client, work_a, book).status_code == 302  # imports back as it is

    # A KPI row typed in, its code as text: imported, and written back as text.
    book = download_answers(client, work_a)  # the versions the first import made
    book["ตัวชี้วัด"].append(
        ["7.1", "ร้อยละความสำเร็จ", "ร้อยละ", "ค่ามากดี", 60, 70, 80, 80]
        + [None, None, 50, None, None, None, None, 90]
    )
    response = upload_answers(client, work_a, book)
    assert response.status_code == 302, re.findall(r"<td>.*?</tr>", response.content.decode())
    again = download_answers(client, work_a)
    assert_thai_document(again, dated=True)
    kpi = again["ตัวชี้วัด"]["A2"]
    assert (kpi.value, kpi.data_type, kpi.number_format) == ("7.1", "s", "@")


# ---------------------------------------------------------------------------------------------
# Integration: LibreOffice prints the workbooks


FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
  <alias binding="same"><family>{name}</family><prefer><family>Sarabun</family></prefer></alias>
</fontconfig>
"""
FOOTER = re.compile(r"^\s*(\S.*?)\s+หน้า (\d+) จาก (\d+)\s*$")


def print_with_libreoffice(tmp_path: Path, files: dict[str, bytes]) -> dict[str, list[str]]:
    """Each workbook as LibreOffice prints it to PDF: the text of every page, by file name.

    The workbooks name TH Sarabun New, which a Linux machine lacks; a throwaway fontconfig file
    gives LibreOffice Sarabun (fontpkg-sarabun) for it, the open release of the same design, so
    the Thai text is drawn and the pages are counted with real Thai letters. LibreOffice's user
    profile is a throwaway too, so that runs never share state."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail(
            "Printing the workbooks needs LibreOffice: run scripts/ensure-packages as root, or "
            "sudo apt-get install -y libreoffice-calc-nogui"
        )
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        FONTS_CONF.format(
            fonts=fontpkg_sarabun_files(), cache=tmp_path / "fontconfig", name=FONT_NAME
        ),
        encoding="utf-8",
    )
    out = tmp_path / "pdf"
    paths = []
    for name, content in files.items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(content)
        paths.append(str(path))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *paths,
        ],
        env={**os.environ, "FONTCONFIG_FILE": str(conf)},
        capture_output=True,
        check=True,
        timeout=180,
    )
    pages = {}
    for name in files:
        pdf = out / f"{name}.pdf"
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
        assert "Sarabun" in fonts.stdout  # the cells asked for TH Sarabun New
        text = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        pages[name] = [page for page in text.split("\f") if page.strip()]
    return pages


def by_sheet(pages: list[str]) -> dict[str, list[str]]:
    """Pages grouped by the sheet title their footer names; every page has the footer."""
    sheets: dict[str, list[str]] = defaultdict(list)
    for number, page in enumerate(pages, start=1):
        last = [line for line in page.splitlines() if line.strip()][-1]
        match = FOOTER.match(last)
        assert match, last
        assert (int(match[2]), int(match[3])) == (number, len(pages))
        sheets[match[1]].append(page)
    return sheets


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_bound(sheet) -> int:
    """The most pages a sheet can take when it is one page wide: fitting to the width only
    ever shrinks it, so its rows (the header row repeated on each page) fill pages of the
    printable height at most at full size."""
    paper_height = 842 if sheet.page_setup.orientation == "portrait" else 595  # A4, points
    margins = sheet.page_margins
    header = sheet.row_dimensions[1].height or sheet.sheet_format.defaultRowHeight
    room = paper_height - 72 * (margins.top + margins.bottom) - header
    rows = sum(
        sheet.row_dimensions[r].height or sheet.sheet_format.defaultRowHeight
        for r in range(2, sheet.max_row + 1)
    )
    return max(1, math.ceil(rows / room))


def first_line(page: str) -> str:
    return squash(next(line for line in page.splitlines() if line.strip()))


def test_libreoffice_prints_both_workbooks_with_codes_as_text_on_few_pages(client, demo, tmp_path):
    report = report_bytes()
    assert client.login(username="narathiwat.editor", password=DEMO_PASSWORD)
    answers = client.get(reverse("assessments:excel", args=[narathiwat().pk]))
    assert answers.status_code == 200
    printed = print_with_libreoffice(tmp_path, {"report": report, "answers": answers.content})

    # The report: codes as written, 1.10 and 1.20 included, and the B.E. date.
    sheets = by_sheet(printed["report"])
    items = "\n".join(sheets["คะแนนรายข้อ"])
    for code in ("1.1", "1.10", "1.20", "2.4", "6.4", "7.1", "7.6"):
        assert re.search(rf"^\s*{re.escape(code)}\s", items, re.MULTILINE), code
    assert re.search(r"^\s*7\.1\s", sheets["ตัวชี้วัดผลลัพธ์"][0], re.MULTILINE)
    assert "2561" in sheets["ข้อมูลรายงาน"][0] and "2018" not in sheets["ข้อมูลรายงาน"][0]
    assert "443.10" in sheets["ข้อมูลรายงาน"][0]
    # Each page of a table starts with its header row, first column to last: one page wide.
    for title, first, last in (
        ("คะแนนรายข้อ", "ข้อ", "ผู้ตรวจ"),
        ("จุดแข็งและข้อเสนอแนะ", "ส่วน", "ข้อความ"),
    ):
        for page in sheets[title]:
            assert first_line(page).startswith(first) and first_line(page).endswith(last)
    # Few pages. Measured with this data: 1 + 1 + 2 + 5 + 1 = 10, where the workbook without
    # print setup took 14 with every wrapped text cut to one line. The small tables take one
    # page; the others at most what their rows fill at full size (fit to width only shrinks).
    book = load_workbook(io.BytesIO(report))
    assert list(sheets) == [s.title for s in book.worksheets]
    for title in ("ข้อมูลรายงาน", "คะแนนรายหมวด", "ตัวชี้วัดผลลัพธ์"):
        assert len(sheets[title]) == 1, title
    assert len(sheets["คะแนนรายข้อ"]) <= 2  # 32 rows
    for sheet in book.worksheets:
        assert len(sheets[sheet.title]) <= page_bound(sheet), sheet.title
    assert len(printed["report"]) <= 11

    # The answers: every visible sheet printed, one page wide, codes as written.
    sheets = by_sheet(printed["answers"])
    book = load_workbook(io.BytesIO(answers.content))
    visible = [s for s in book.worksheets if s.sheet_state == "visible"]
    assert list(sheets) == [s.title for s in visible]
    for page in sheets["ประเด็นพิจารณา"]:
        assert first_line(page).startswith("ข้อ") and first_line(page).endswith("ผ่าน")
    checkpoints = "\n".join(sheets["ประเด็นพิจารณา"])
    for code in ("1.1", "2.4", "6.4"):
        assert re.search(rf"^\s*{re.escape(code)}\s", checkpoints, re.MULTILINE), code
    # Measured: 24 pages, 11 of them the 160 checkpoints; no sheet beyond what its rows fill.
    for sheet in visible:
        assert len(sheets[sheet.title]) <= page_bound(sheet), sheet.title
    assert len(printed["answers"]) <= 26
