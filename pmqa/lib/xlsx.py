"""Small openpyxl helpers shared by the workbooks the application writes."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")


def header(sheet: Worksheet, titles: list[str], widths: list[int]) -> Worksheet:
    """A bold, shaded first row with the given column widths, frozen while scrolling."""
    sheet.append(titles)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"
    return sheet


def wrap(sheet: Worksheet, min_row: int = 2) -> None:
    """Wrap long texts and align them to the top of their cells."""
    for row in sheet.iter_rows(min_row=min_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


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
