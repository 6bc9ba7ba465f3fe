"""The two seed reports reproduced in the PDF: their lines and cells found verbatim, the rest
listed with its reason (docs/fidelity.md); no page ending in clipped Thai marks; the demo data
holding every seed paragraph once, in its place; the text layer reading back each paragraph as
the database holds it, and every Thai cluster as typed."""

import base64
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import otTables
from playwright.sync_api import sync_playwright

from pmqa.assessments.models import Answer, Assessment
from pmqa.feedback.models import FeedbackEntry
from pmqa.lib.fonts import (
    UnexpectedFontTables,
    fontpkg_sarabun_files,
    print_font,
    widen_stacked_marks,
)
from pmqa.lib.pdf import CHROMIUM_ARGS, PdfPrinter, chromium_path
from pmqa.lib.wordbreak import words
from pmqa.reports.builders import build
from pmqa.reports.render import render_html

pytestmark = pytest.mark.django_db

DATA = Path(__file__).with_name("data")

# What the report prints otherwise, and why (the same list is in docs/fidelity.md).
NARATHIWAT_DIFFERENCES = {
    "326.00": "seed inconsistency: 326.67 in the score table",
    "หมวด ๒ การวางแผนเชิงยุทธศาสตร์": "seed inconsistency: หมวดที่ elsewhere",
    "สามารถดาวน์โหลดสิ่งที่ส่งมาด้วยได้ทางเว็บไซต์จังหวัดนราธิวาส (www.narathiwat.go.th) "
    'หัวข้อ "เอกสาร/รายงาน" > PMQA ๔.๐': "the province's covering letter",
    **{
        unit: "transcription's misspelling corrected"
        for unit in (DATA / "seed_narathiwat_2561.txt").read_text("utf-8").splitlines()
        if "ควรมีการพัฒนาาระบบ" in unit
    },
}
ISOC_DIFFERENCES = {
    "ประจำปี พ.ศ 2563": "seed typo: พ.ศ. without its full stop",
    "ลักษณะสำคัญขององค์กร (2)": "seed spelling: องค์การ on the other pages",
    "ลักษณะสำคัญขององค์กร (3)": "seed spelling",
    "ลักษณะสำคัญขององค์กร (5)": "seed spelling",
    "สมรรถนะหลักขององค์กร :": "seed spelling",
    "345 -": "figures print with two decimals: - 345.00 -",
    "4. พระราชบัญญัติการจัตยาเหตุศาสตร์ชาติ พ.ศ. 2560": "transcription's misspelling corrected",
    "1. ติดตาม แจ่งเตือน และประเมินแนวโน้มสถานการณ์": "transcription's misspelling corrected",
}
# The short layout numbers every point as the letter does ("๑."), the achievements too.
ISOC_SHORT_DIFFERENCES = {
    unit: "numbered ๑. in the short layout"
    for unit in (DATA / "seed_isoc_2563.txt").read_text("utf-8").splitlines()
    if re.match(r"[12]\) (การแก้ปัญหา|โครงการบูรณาการ|การพัฒนาระบบ|มีแผนพัฒนา)", unit)
}
UPPER_MARKS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages(pdf: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def text_layer(pdf: bytes) -> str:
    """The PDF's text, pages joined, without the page numbers at their feet."""
    return "\n".join(
        "\n".join(line for line in page.splitlines() if not line.startswith("หน้า "))
        for page in pages(pdf)
    )


def as_printed(paragraph: str) -> re.Pattern[str]:
    """The paragraph, character for character, where the page may break a line between any
    two characters (a break at a space takes the space's place)."""
    words = ["\n?".join(re.escape(character) for character in word) for word in paragraph.split()]
    return re.compile("[ \n]".join(words))


def clipped_endings(pdf: bytes) -> list[str]:
    """Pages whose last line is made only of short clusters with marks above the line: the
    tops of the next page's first line, drawn at this page's foot."""
    found = []
    for number, page in enumerate(pages(pdf), start=1):
        lines = [line for line in page.splitlines() if line.strip() and not line.startswith("หน้า ")]
        if not lines:
            continue
        tokens = lines[-1].split()
        if all(len(t) <= 4 and any(m in t for m in UPPER_MARKS) for t in tokens):
            found.append(f"page {number}: {lines[-1]!r}")
    return found


LAYOUT_OF_SEED = {"narathiwat": "short", "isoc": "full"}


def lone_lines(pdf: bytes) -> list[str]:
    """Pages that hold one line of text (the page number aside)."""
    found = []
    for number, page in enumerate(pages(pdf), start=1):
        lines = [line for line in page.splitlines() if line.strip() and not line.startswith("หน้า ")]
        if len(lines) == 1:
            found.append(f"page {number}: {lines[0]!r}")
    return found


def print_reports() -> dict[str, bytes]:
    """Both seed reports in both layouts: "narathiwat" and "isoc" are each in its seed's own
    layout, "narathiwat-full" and "isoc-short" in the other."""
    narathiwat = Assessment.objects.get(organisation__code="TH-96", cycle__fiscal_year=2561)
    isoc = Assessment.objects.get(organisation__code="DEP-ISOC", cycle__fiscal_year=2563)
    printed = {}
    with PdfPrinter() as printer:
        for name, assessment in (("narathiwat", narathiwat), ("isoc", isoc)):
            for layout in ("full", "short"):
                key = name if layout == LAYOUT_OF_SEED[name] else f"{name}-{layout}"
                html = render_html(build(assessment, layout), for_print=True)
                printed[key] = printer.print(html)
    return printed


@pytest.fixture
def reports(db):
    call_command("seed_demo", force=True, verbosity=0)
    return print_reports()


def missing(pdf: bytes, seed: str) -> tuple[list[str], list[str]]:
    units = (DATA / seed).read_text("utf-8").splitlines()
    # Whitespace aside: the seeds type a point's number and a label's colon with and without
    # a space after them (15 times "๑.ควร", 4 times "๑. ควร"); the report spaces them one way.
    flat = squash(text_layer(pdf))
    return units, [u for u in units if squash(u) not in flat]


def test_the_seed_reports_are_found_verbatim_but_for_the_listed_differences(reports):
    found = total = 0
    for name, seed, differences in (
        ("narathiwat", "seed_narathiwat_2561.txt", NARATHIWAT_DIFFERENCES),
        ("narathiwat-full", "seed_narathiwat_2561.txt", NARATHIWAT_DIFFERENCES),
        ("isoc", "seed_isoc_2563.txt", ISOC_DIFFERENCES),
        ("isoc-short", "seed_isoc_2563.txt", {**ISOC_DIFFERENCES, **ISOC_SHORT_DIFFERENCES}),
    ):
        units, absent = missing(reports[name], seed)
        assert set(absent) == set(differences), name
        assert (len(units) - len(absent)) / len(units) >= 0.95, name
        found += len(units) - len(absent)
        total += len(units)
    assert found / total >= 0.95

    # Each seed year's names, in full (not a word that happens to be elsewhere on the page).
    isoc_text = squash(text_layer(reports["isoc"]))
    for pillar in ("เปิดกว้างและเชื่อมโยงกัน", "ยึดประชาชนเป็นศูนย์กลาง", "มีขีดสมรรถนะสูงทันสมัย"):
        assert squash(f"ระบบราชการที่{pillar}") in isoc_text
    assert squash("หมวด 4 การวัด การวิเคราะห์ และการจัดการความรู้") in isoc_text
    narathiwat_text = squash(text_layer(reports["narathiwat"]))
    assert squash("หมวด 4 การวัด การวิเคราะห์ และจัดการความรู้") in narathiwat_text

    # No page ends in the clipped tops of the next page's first line, and none holds a lone
    # line.
    for name, pdf in reports.items():
        assert clipped_endings(pdf) == [], name
        assert lone_lines(pdf) == [], name

    # The demo holds every seed paragraph once, in its place.
    isoc = Assessment.objects.get(organisation__code="DEP-ISOC", cycle__fiscal_year=2563)
    entries = list(isoc.feedback.entries.all())
    texts = [e.text for e in entries]
    assert len(texts) == len(set(texts))
    category7 = [e.text for e in sorted(entries, key=lambda e: e.position) if e.key == "7"]
    assert len(category7) == 5 and all(category7)
    assert category7[0].startswith("ควรกำหนดค่าเป้าหมายให้ท้าทาย")
    assert isoc.feedback.conclusion.startswith("กอ.รมน. มีการพัฒนาผลการดำเนินงาน")
    for level in ("(Basic)", "(Advance)", "(Significance)"):
        assert level in isoc.feedback.conclusion
    assert isoc.feedback.published_on is None  # the seed report carries no date
    profile = {a.key: a.data for a in Answer.objects.filter(assessment=isoc, kind="profile")}
    distinctions = [s["distinction"] for s in profile["OP1a"]["services"] if s["distinction"]]
    assert len(distinctions) == 1 and len(profile["OP1a"]["services"]) == 9
    environment = profile["OP2a"]["competitive_environment"]
    assert "2. การเปลี่ยนแปลงความสามารถในการแข่งขัน" in environment
    assert "ภายใน" in environment and "ภายนอก" in environment
    # Printed as the seed prints it: no revenue of its own is "ไม่มี", not "0".
    flat = squash("".join(pages(reports["isoc"])))
    assert squash("รายได้ : ไม่มี") in flat
    assert squash("จำนวนบุคลากร : 64,695 คน (ข้อมูล ณ 15 ม.ค. 63)") in flat
    for number in range(1, 6):
        assert f"ลักษณะสำคัญขององค์การ ({number})" in "".join(pages(reports["isoc"]))

    # Official names; Thai numerals for the letter's points and headings.
    text = "".join(pages(reports["narathiwat"]))
    assert "จังหวัดนราธิวาส เป็นระบบราชการ" in text
    assert "สรุปภาพรวมผลการประเมิน : จังหวัดนราธิวาส" in text
    assert squash("หมวดที่ ๑ การนำองค์การ") in squash(text)
    assert re.search(r"^๑\. ", text, flags=re.M)
    # Figures in tables stay Arabic, as the letter prints them.
    assert "443.10" in text and "๔๔๓" not in text


def test_headings_and_first_lines_at_page_tops_leave_nothing_on_the_page_before(db):
    """Many one-line points, so that headings and first lines start pages all through."""
    call_command("seed_demo", force=True, verbosity=0)
    isoc = Assessment.objects.get(organisation__code="DEP-ISOC", cycle__fiscal_year=2563)
    feedback = isoc.feedback
    words = "การฟื้นฟูที่ทั้งสัมฤทธิ์ฝั่งปิ่น"
    FeedbackEntry.objects.bulk_create(
        FeedbackEntry(
            feedback=feedback,
            scope="item",
            key=f"{c}.{i}",
            kind="ofi",
            position=50 + n,
            text=f"ข้อ {n} {words}",
        )
        for c in range(1, 7)
        for i in range(1, 5)
        for n in range(1, 6)
    )
    with PdfPrinter() as printer:
        pdf = printer.print(render_html(build(isoc, "full"), for_print=True))
    assert len(pages(pdf)) >= 15
    assert clipped_endings(pdf) == []


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_every_paragraph_reads_back_from_the_pdf_as_the_database_holds_it(reports):
    """No space the database does not have, none lost, no character changed: pdftotext of
    each report against each paragraph and profile text of its assessment."""
    for name, code, year in SEED_ASSESSMENTS:
        paragraphs = seed_paragraphs(code, year)
        for key in (name, f"{name}-{'short' if LAYOUT_OF_SEED[name] == 'full' else 'full'}"):
            text = text_layer(reports[key])
            absent = [p for p in paragraphs if not as_printed(p).search(text)]
            assert len(paragraphs) > (100 if name == "isoc" else 20), key
            assert absent == [], key


SEED_ASSESSMENTS = (("isoc", "DEP-ISOC", 2563), ("narathiwat", "TH-96", 2561))


def seed_paragraphs(code: str, year: int) -> list[str]:
    """Every paragraph of the report's texts and the profile's texts, as the database holds
    them."""
    assessment = Assessment.objects.get(organisation__code=code, cycle__fiscal_year=year)
    feedback = assessment.feedback
    paragraphs = _strings(feedback.conclusion)
    for entry in feedback.entries.all():
        paragraphs += _strings(entry.title) + _strings(entry.text)
    for answer in Answer.objects.filter(assessment=assessment, kind="profile"):
        # Figures are formatted and codes (a partner's kind) named, so only texts count.
        paragraphs += [
            s for s in _strings(answer.data) if not re.fullmatch(r"[\d.,\s-]+|[a-z_]+", s)
        ]
    return paragraphs


def breaks_inside_words(paragraph: str, text: str) -> list[str]:
    """Where the page broke a line of the paragraph other than at a space or between two of
    its words (PyThaiNLP's boundaries, as lib.wordbreak cuts them): each as "before|after"."""
    match = as_printed(paragraph).search(text)
    assert match, paragraph[:60]
    printed = match.group(0)
    boundaries, at = set(), 0
    for word in words(paragraph):
        at += len(word)
        boundaries.add(at)
    found, i = [], 0
    for character in printed:
        if i < len(paragraph) and paragraph[i].isspace():
            i += 1  # a space, printed as one or as the line's end
        elif character == "\n":
            if i not in boundaries:
                found.append(f"{paragraph[max(0, i - 12) : i]}|{paragraph[i : i + 12]}")
        else:
            i += 1
    return found


def test_no_line_of_either_seed_report_breaks_inside_a_thai_word(reports):
    """Every line break of every paragraph and profile text, in both layouts of both seed
    reports, falls at a space or between two words."""
    for name, code, year in SEED_ASSESSMENTS:
        paragraphs = seed_paragraphs(code, year)
        for key in (name, f"{name}-{'short' if LAYOUT_OF_SEED[name] == 'full' else 'full'}"):
            text = text_layer(reports[key])
            inside = [b for p in paragraphs for b in breaks_inside_words(p, text)]
            assert inside == [], key


def thai_clusters() -> list[str]:
    """Every consonant with every upper vowel, tone mark and lower vowel, then a letter."""
    consonants = [chr(c) for c in range(0x0E01, 0x0E2F)]
    uppers = ["", "\u0e31", "\u0e34", "\u0e35", "\u0e36", "\u0e37", "\u0e47"]
    lowers = ["\u0e38", "\u0e39", "\u0e3a"]
    tones = ["", "\u0e48", "\u0e49", "\u0e4a", "\u0e4b", "\u0e4c"]
    words = []
    for c in consonants:
        words += [
            c + u + t + "น" for u in uppers for t in tones if (u or t) and not (u == "\u0e47" and t)
        ]
        words += [c + lower + t + "น" for lower in lowers for t in tones]
        words += [c + "\u0e4dา", c + "\u0e33", c + "\u0e49\u0e33", c + "\u0e34\u0e4c"]
    return words


def cluster_page(font: Callable[[str], bytes]) -> str:
    words = " ".join(thai_clusters())
    faces = "".join(
        f"@font-face {{ font-family: P; font-weight: {weight}; "
        f'src: url("{data_uri(font(name))}"); }}'
        for weight, name in ((400, "Sarabun-Regular.ttf"), (700, "Sarabun-Bold.ttf"))
    )
    return (
        f'<!doctype html><html lang="th"><head><meta charset="utf-8"><style>{faces}'
        "body { font-family: P; font-size: 12pt; line-height: 1.45; }</style></head>"
        f"<body><p>{words}</p><p>BOLD</p><p><b>{words}</b></p></body></html>"
    )


def data_uri(font: bytes) -> str:
    return "data:font/ttf;base64," + base64.b64encode(font).decode("ascii")


def packaged_font(name: str) -> bytes:
    return (fontpkg_sarabun_files() / name).read_bytes()


def raster(pdf: bytes) -> bytes:
    return subprocess.run(
        ["pdftoppm", "-r", "100", "-gray", "-"], input=pdf, capture_output=True, check=True
    ).stdout


def screenshots(*pages: str) -> list[bytes]:
    """Chromium's own drawing of each page: a second rasteriser beside poppler's."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 900, "height": 700})
        shots = []
        for html in pages:
            tab.set_content(html)
            tab.evaluate("document.fonts.ready")
            shots.append(tab.screenshot(full_page=True))
        browser.close()
    return shots


def test_every_thai_cluster_reads_back_from_the_print_fonts_and_looks_the_same():
    """The fonts a printed report embeds: each word comes back from pdftotext as typed, in
    both weights, with no space inside ("ฟื้ นฟู" was the known case); and the pages are,
    pixel for pixel, those the packaged font draws, in the PDF and on the screen."""
    with PdfPrinter() as printer:
        adjusted = printer.print(cluster_page(print_font))
        packaged = printer.print(cluster_page(packaged_font))
    words = thai_clusters()
    regular, bold = text_layer(adjusted).split("BOLD")
    assert regular.split() == words
    assert bold.split() == words
    assert raster(adjusted) == raster(packaged), "the print fonts draw what the packaged ones do"
    on_screen = screenshots(cluster_page(print_font), cluster_page(packaged_font))
    assert on_screen[0] == on_screen[1], "Chromium draws the print fonts as the packaged ones"


def test_a_font_with_layout_tables_the_adjustment_does_not_know_stops_the_print():
    font = TTFont(fontpkg_sarabun_files() / "Sarabun-Regular.ttf")
    extension = otTables.Lookup()
    extension.LookupType, extension.LookupFlag, extension.SubTable = 9, 0, []
    font["GPOS"].table.LookupList.Lookup.append(extension)
    with pytest.raises(UnexpectedFontTables, match="GPOS extension lookups"):
        widen_stacked_marks(font)
