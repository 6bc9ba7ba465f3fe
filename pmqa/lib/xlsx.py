"""Small openpyxl helpers shared by the workbooks the application writes.

Every workbook is a Thai document: set in the Thai government's font, codes written as text,
dates as B.E. text, and each sheet ready to print on A4 with its header row on every page.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook import Workbook
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")

# A workbook names its font and does not carry it, so the name must be one the reader's machine
# has. Thai government documents are set in TH Sarabun New (the update of TH SarabunPSK, the
# national font the Cabinet made the standard for official documents in 2010), and that is the
# font Thai government office machines have installed. Sarabun, the project's font
# (fontpkg-sarabun), is the open licence release of the same design, so a workbook in TH Sarabun
# New looks like the PDF report; a workbook naming "Sarabun" would be shown in some substitute
# on an office machine, which does not have it. 16 pt is the size of an official document in
# TH Sarabun New (docs/decisions/0001-report-font-size.md).
FONT_NAME = "TH Sarabun New"
FONT_SIZE = 16
THAI_CHARSET = 222
# scheme=None: a font of the theme's "minor" scheme would be shown in the theme's font instead.
BODY_FONT = Font(name=FONT_NAME, size=FONT_SIZE, charset=THAI_CHARSET, scheme=None)
HEADER_FONT = Font(name=FONT_NAME, size=FONT_SIZE, charset=THAI_CHARSET, scheme=None, bold=True)
FOOTER_FONT = f"{FONT_NAME},Regular"
FOOTER_SIZE = 12

# About one line of TH Sarabun New 16 pt, the height Excel gives a row of it; Sarabun at the same
# size (LibreOffice's substitute in the tests) needs 21 pt a line (ascent and descent 1.3 em).
LINE_HEIGHT = 24.0
ROW_PADDING = 3.0
# Thai vowel and tone marks above and below a consonant take no width of their own.
_THAI_MARKS = frozenset(chr(c) for c in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)))

TEXT_FORMAT = "@"
SCORE_FORMAT = "0.00"

PAPER_A4 = 9  # A4 in the paper-size list of the spreadsheet format (Worksheet.PAPERSIZE_A4)
# Column widths are counted in digits of the body font: TH Sarabun New 16 pt has about 6.75 pt
# a digit, so A4 between 1.5 cm margins holds about 74 digits portrait and 111 landscape.
PORTRAIT_WIDTH = 74
# Inches, as Excel keeps them: 1.5 cm at the sides, 2 cm at top and bottom, header and footer
# 0.8 cm from the edge.
MARGINS = PageMargins(left=0.6, right=0.6, top=0.8, bottom=0.8, header=0.3, footer=0.3)


def _digits_wide(text: str) -> float:
    """About how many digits of the body font a text is wide (a Thai letter is a little wider
    than a digit, a space half as wide)."""
    return sum(0 if ch in _THAI_MARKS else 0.5 if ch == " " else 1.05 for ch in text)


def line_count(value: object, width: float) -> int:
    """How many lines a wrapped cell of this width (in digits) takes: a little more than the
    letters alone, as a line breaks between words."""
    if value is None or value == "":
        return 1
    room = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(_digits_wide(part) / room)) for part in str(value).split("\n"))


def fit_rows(sheet: Worksheet, min_row: int = 1) -> None:
    """Give each row that wraps the height of its longest cell. Excel fits a row without a
    height by itself, but LibreOffice keeps one line and cuts the rest off, on screen and on
    paper. A row of one line keeps no height of its own, so Excel still fits it to what a user
    types into it; the sheet's default height is one line of the body font."""
    sheet.sheet_format.defaultRowHeight = LINE_HEIGHT + ROW_PADDING
    sheet.sheet_format.customHeight = True
    widths = {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()}
    for row in sheet.iter_rows(min_row=min_row):
        lines = max(
            (
                line_count(cell.value, widths.get(cell.column_letter, 9))
                for cell in row
                if cell.alignment.wrap_text
            ),
            default=1,
        )
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = lines * LINE_HEIGHT + ROW_PADDING


def new_workbook() -> Workbook:
    """An empty workbook whose default ("Normal") style is the Thai body font, so that every
    cell, empty ones and those a user adds included, is set in it."""
    book = Workbook()
    # Cells without a font of their own use the first font of the stylesheet, and the Normal
    # style names the font Excel gives new cells: both become the body font.
    book._fonts = IndexedList([BODY_FONT])
    book._named_styles["Normal"].font = BODY_FONT
    return book


def header(sheet: Worksheet, titles: list[str], widths: list[int]) -> Worksheet:
    """A bold, shaded first row with the given column widths, frozen while scrolling and
    printed at the top of every page."""
    sheet.append(titles)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    return sheet


def wrap(sheet: Worksheet, min_row: int = 2) -> None:
    """Wrap long texts and align them to the top of their cells."""
    for row in sheet.iter_rows(min_row=min_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def figure(value: Decimal | None) -> float | str:
    """A score for a cell: a number rounded half-up to two decimals, or empty."""
    if value is None:
        return ""
    return float(Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP))


def score_cells(sheet: Worksheet, min_row: int = 2) -> None:
    """Show every number of the sheet's table with two decimals, as scores are printed."""
    for row in sheet.iter_rows(min_row=min_row):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = SCORE_FORMAT


def text_column(sheet: Worksheet, column: int = 1, *, min_row: int = 2) -> None:
    """Keep a column of codes as text: "1.10" stays 1.10 and never becomes the number 1.1.
    Each written cell is a string in the text format "@", and so is the column itself, so a
    code a user types in a new row is kept as text too."""
    for (cell,) in sheet.iter_rows(min_row=min_row, min_col=column, max_col=column):
        if cell.value is not None and cell.value != "":
            cell.value = str(cell.value)
        cell.number_format = TEXT_FORMAT
    sheet.column_dimensions[get_column_letter(column)].number_format = TEXT_FORMAT


def print_setup(sheet: Worksheet, title: str | None = None) -> Worksheet:
    """A4, as wide as one page and as many pages long as it takes, portrait when the columns fit
    across and landscape otherwise; the footer names the sheet and numbers the pages."""
    letters = [get_column_letter(index) for index in range(1, sheet.max_column + 1)]
    widths = [
        sheet.column_dimensions[letter].width if letter in sheet.column_dimensions else 9
        for letter in letters
    ]
    setup = sheet.page_setup
    setup.paperSize = PAPER_A4
    setup.orientation = "portrait" if sum(widths) <= PORTRAIT_WIDTH else "landscape"
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = MARGINS
    sheet.print_options.horizontalCentered = True
    footer = sheet.oddFooter
    # "&" starts a code in a footer; a literal one is written twice.
    footer.left.text = (title or sheet.title).replace("&", "&&")
    footer.right.text = "หน้า &P จาก &N"
    for part in (footer.left, footer.right):
        part.font = FOOTER_FONT
        part.size = FOOTER_SIZE
    return sheet


def print_all(book: Workbook) -> Workbook:
    """Row heights and print setup for every visible sheet of a finished workbook."""
    for sheet in book.worksheets:
        if sheet.sheet_state == "visible":
            fit_rows(sheet)
            print_setup(sheet)
    return book


def keep_text_as_text(book: Workbook) -> Workbook:
    """Text the application writes is never a formula: openpyxl stores a string that starts
    with "=" as one, so such cells are marked as plain strings again. A text beginning with
    + - or @ is stored as a string already and stays one."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.data_type = "s"
    return book


def formula_cells(book: Workbook, *, min_row: int = 2) -> list[tuple[str, int, str]]:
    """Every cell of a filled workbook that holds a formula, as (sheet, row, column header)."""
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=min_row):
            for cell in row:
                if cell.data_type == "f":
                    heading = sheet.cell(row=1, column=cell.column).value
                    found.append((sheet.title, cell.row, str(heading or cell.column_letter)))
    return found
