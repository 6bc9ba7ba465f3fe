"""The self-assessment as an Excel workbook, and the import of a filled one: all rows or none.

The workbook carries the version of every answer it was made from (hidden sheet), so an import
never overwrites a change someone saved in the system after the file was downloaded.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from pmqa.accounts.decorators import agency_required
from pmqa.assessments import answers as content
from pmqa.assessments import services
from pmqa.assessments.models import Answer
from pmqa.assessments.profile import SECTIONS
from pmqa.assessments.views.workspace import Workspace, load_workspace
from pmqa.audit import services as audit
from pmqa.criteria.models import Category, LevelCode
from pmqa.lib.thai import format_date_be
from pmqa.lib.xlsx import (
    HEADER_FONT,
    formula_cells,
    header,
    keep_text_as_text,
    new_workbook,
    print_all,
    text_column,
    wrap,
)
from pmqa.lib.xlsxcheck import Limits, WorkbookRefused, check_workbook

SHEET_HELP = "คำอธิบาย"
SHEET_PROFILE = "ลักษณะสำคัญ"
SHEET_CHECKPOINTS = "ประเด็นพิจารณา"
SHEET_NARRATIVES = "คำอธิบายการดำเนินการ"
SHEET_KPIS = "ตัวชี้วัด"
SHEET_SYSTEM = "ข้อมูลระบบ"
GROUP_SHEETS = {
    "services": "บริการหลัก",
    "customers": "กลุ่มผู้รับบริการ",
    "stakeholders": "ผู้มีส่วนได้ส่วนเสีย",
    "partners": "ผู้ส่งมอบและพันธมิตร",
}
TICK_YES = {"✓", "✔", "/", "x", "X", "ใช่", "ผ่าน", "1", "y", "Y", "yes", "Yes", "TRUE", "True"}
MAX_UPLOAD = 10 * 1_048_576
# The level names as the official documents write them.
LEVEL_NAMES = {
    LevelCode.BASIC: "ระดับพื้นฐาน",
    LevelCode.ADVANCE: "ระดับก้าวหน้า",
    LevelCode.SIGNIFICANCE: "ระดับพัฒนาจนเกิดผล",
}


def _level_names() -> dict[str, str]:
    return {str(code): name for code, name in LEVEL_NAMES.items()}


def build_workbook(ws: Workspace) -> Workbook:
    with translation.override("th"):
        return _build(ws)


def _build(ws: Workspace) -> Workbook:
    assessment = ws.assessment
    book = new_workbook()
    help_sheet = book.active
    help_sheet.title = SHEET_HELP
    # Narrower than a portrait page: LibreOffice does not shrink a sheet of one column to fit.
    help_sheet.column_dimensions["A"].width = 60
    for line in (
        f"แบบประเมินตนเอง PMQA 4.0 · {assessment.organisation.official_name_th}"
        f" · ปีงบประมาณ {assessment.cycle.fiscal_year}",
        "กรอกข้อมูลในแผ่นงานถัดไป แล้วนำเข้าที่หน้า “Excel” ของระบบ ระบบตรวจทุกแถวก่อน"
        " ถ้ามีข้อผิดพลาดจะไม่บันทึกข้อมูลใดเลย และแจ้งแผ่นงาน แถว และช่องที่ต้องแก้",
        "อย่าเปลี่ยนชื่อแผ่นงาน หัวตาราง หรือคอลัมน์ “รหัส”/“ข้อ”/“ระดับ” และอย่าแก้แผ่นงาน “ข้อมูลระบบ”",
        "วันที่กรอกเป็นปีพุทธศักราช เช่น 26/11/2568 · ตัวเลขใส่ได้ทั้งเลขอารบิกและเลขไทย",
        "ประเด็นพิจารณาที่ผ่าน: ใส่ ✓ ในคอลัมน์ “ผ่าน” (เว้นว่างถ้ายังไม่ผ่าน)",
        "หลักฐานและไฟล์แนบจัดการในระบบเท่านั้น การนำเข้าไม่เปลี่ยนหลักฐานที่อ้างถึง",
        f"สร้างไฟล์เมื่อ {format_date_be(timezone.localdate())} เวลา {timezone.localtime():%H:%M} น.",
    ):
        help_sheet.append([line])
    wrap(help_sheet, min_row=1)
    help_sheet["A1"].font = HEADER_FONT

    profile = book.create_sheet(SHEET_PROFILE)
    header(profile, ["รหัส", "หัวข้อ", "ข้อมูล"], [20, 32, 60])
    for section in SECTIONS:
        data = ws.answers[section.code].data
        for spec in section.scalar_fields():
            label = f"{section.title} · {spec.label}" + (" *" if spec.required else "")
            profile.append(
                [
                    f"{section.code}.{spec.key}",
                    label,
                    content.display_value(spec, data.get(spec.key, "")),
                ]
            )
    wrap(profile)
    text_column(profile)

    for section in SECTIONS:
        for group in section.groups():
            sheet = book.create_sheet(GROUP_SHEETS[group.key])
            header(
                sheet,
                [str(c.label) + (" *" if c.required else "") for c in group.columns],
                [24 if c.kind != "text" else 48 for c in group.columns],
            )
            choices = {c.key: dict(c.choices) for c in group.columns if c.kind == "choice"}
            for row in ws.answers[section.code].data.get(group.key) or []:
                sheet.append(
                    [
                        str(choices[c.key].get(row.get(c.key, ""), ""))
                        if c.key in choices
                        else content.display_value(c, row.get(c.key, ""))
                        for c in group.columns
                    ]
                )
            wrap(sheet)

    levels = _level_names()
    checkpoints = book.create_sheet(SHEET_CHECKPOINTS)
    header(checkpoints, ["ข้อ", "ระดับ", "ลำดับ", "ประเด็นพิจารณา", "ผ่าน"], [6, 14, 6, 76, 6])
    narratives = book.create_sheet(SHEET_NARRATIVES)
    parts = [str(label) for _key, label in content.NARRATIVE_PARTS]
    header(narratives, ["ข้อ", "ระดับ", *parts], [6, 14, *[28] * len(parts)])
    kpis = book.create_sheet(SHEET_KPIS)
    years = content.kpi_years(assessment.cycle.fiscal_year)
    directions = {key: str(label) for key, label in content.DIRECTIONS}
    header(
        kpis,
        [
            "ข้อ",
            "ชื่อตัวชี้วัด",
            "หน่วย",
            "ทิศทาง",
            *[f"ปี {year}" for year in years],
            "เป้าหมาย",
            "ค่าเปรียบเทียบ",
            "แหล่งข้อมูลเปรียบเทียบ",
            *[f"เกณฑ์ {score} คะแนน" for score in content.BAND_SCORES],
        ],
        [6, 28, 9, 11, *[8] * len(years), 9, 11, 16, *[7] * len(content.BAND_SCORES)],
    )
    for category in ws.tree:
        for item in category.items.all():
            data = ws.answers[item.code].data
            if category.kind == Category.Kind.RESULTS:
                for kpi in data.get("kpis") or []:
                    kpis.append(
                        [
                            item.code,
                            kpi.get("name", ""),
                            kpi.get("unit", ""),
                            directions.get(kpi.get("direction", "higher"), ""),
                            *[(kpi.get("values") or {}).get(year, "") for year in years],
                            kpi.get("target", ""),
                            kpi.get("comparison", ""),
                            kpi.get("comparison_source", ""),
                            *[(kpi.get("band") or {}).get(s, "") for s in content.BAND_SCORES],
                        ]
                    )
                continue
            ticks = data.get("ticks") or {}
            narrative = data.get("narrative") or {}
            for level in item.levels.all():
                ticked = set(ticks.get(level.level) or [])
                for cp in level.checkpoints.all():
                    checkpoints.append(
                        [
                            item.code,
                            levels[level.level],
                            cp.position,
                            cp.text_th,
                            "✓" if cp.position in ticked else "",
                        ]
                    )
                narratives.append(
                    [
                        item.code,
                        levels[level.level],
                        *[
                            (narrative.get(level.level) or {}).get(key, "")
                            for key, _label in content.NARRATIVE_PARTS
                        ],
                    ]
                )
    wrap(checkpoints)
    wrap(narratives)
    wrap(kpis)
    for sheet in (checkpoints, narratives, kpis):
        text_column(sheet)

    system = book.create_sheet(SHEET_SYSTEM)
    system.append(["assessment", assessment.pk])
    for key, answer in sorted(ws.answers.items()):
        system.append([key, answer.version])
    text_column(system, min_row=1)
    system.sheet_state = "hidden"
    return print_all(book)


@agency_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    ws = load_workspace(request, pk)
    buffer = io.BytesIO()
    keep_text_as_text(build_workbook(ws)).save(buffer)
    name = f"pmqa-{ws.assessment.cycle.fiscal_year}-{ws.assessment.organisation.code}.xlsx"
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record_download(request, action="export.answers", obj=ws.assessment)
    return response


# ---------------------------------------------------------------------------------------------
# Import


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None
    field: str
    message: str


def _cells(sheet: Worksheet) -> list[tuple[int, list[Any]]]:
    """Non-empty data rows as (row number, values), header skipped."""
    rows = []
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        cleaned = [value.strip() if isinstance(value, str) else value for value in values]
        if any(value not in (None, "") for value in cleaned):
            rows.append((number, cleaned))
    return rows


def _cell(values: list[Any], index: int) -> Any:
    value = values[index] if index < len(values) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if hasattr(value, "isoformat") else str(value)


def parse_workbook(ws: Workspace, book: Any) -> tuple[dict[str, dict[str, Any]], list[RowError]]:
    """New content per answer key from a filled workbook, and every problem found."""
    errors: list[RowError] = []
    needed = [
        SHEET_PROFILE,
        SHEET_CHECKPOINTS,
        SHEET_NARRATIVES,
        SHEET_KPIS,
        SHEET_SYSTEM,
        *GROUP_SHEETS.values(),
    ]
    missing_sheets = [name for name in needed if name not in book.sheetnames]
    if missing_sheets:
        for name in missing_sheets:
            errors.append(
                RowError(name, None, "", _("This sheet is missing; download a new template."))
            )
        return {}, errors
    formulas = formula_cells(book)
    if formulas:
        message = _(
            "This cell holds a formula. Type the value itself (or paste it as values only) "
            "and import again."
        )
        return {}, [RowError(sheet, row, field, message) for sheet, row, field in formulas]

    versions = {
        str(row[0]): row[1]
        for row in book[SHEET_SYSTEM].iter_rows(values_only=True)
        if row and row[0]
    }
    if str(versions.get("assessment")) != str(ws.assessment.pk):
        errors.append(
            RowError(
                SHEET_SYSTEM,
                None,
                "",
                _("This file was made for another assessment. Download the template of this one."),
            )
        )
        return {}, errors

    new: dict[str, dict[str, Any]] = {}

    # Profile: scalar fields by code, groups from their own sheets.
    scalar_rows: dict[str, tuple[int, Any]] = {}
    for number, values in _cells(book[SHEET_PROFILE]):
        code = str(_cell(values, 0))
        scalar_rows[code] = (number, _cell(values, 2))
    known_codes = {f"{s.code}.{f.key}" for s in SECTIONS for f in s.scalar_fields()}
    for code, (number, _value) in scalar_rows.items():
        if code not in known_codes:
            errors.append(
                RowError(
                    SHEET_PROFILE, number, "รหัส", _("Unknown code “%(code)s”.") % {"code": code}
                )
            )
    for section in SECTIONS:
        scalars = {
            spec.key: scalar_rows.get(f"{section.code}.{spec.key}", (0, ""))[1]
            for spec in section.scalar_fields()
        }
        groups: dict[str, list[dict[str, Any]]] = {}
        group_rows: dict[str, list[int]] = {}
        for group in section.groups():
            sheet_rows = _cells(book[GROUP_SHEETS[group.key]])
            groups[group.key] = [
                {c.key: _cell(values, i) for i, c in enumerate(group.columns)}
                for _n, values in sheet_rows
            ]
            group_rows[group.key] = [n for n, _values in sheet_rows]
        data, problems = content.clean_profile(section, scalars, groups)
        for key, message in problems.items():
            parts = key.split(".")
            if len(parts) == 3:
                group = next(g for g in section.groups() if g.key == parts[0])
                column = next(c for c in group.columns if c.key == parts[2])
                errors.append(
                    RowError(
                        GROUP_SHEETS[group.key],
                        group_rows[group.key][int(parts[1]) - 1],
                        str(column.label),
                        message,
                    )
                )
            else:
                spec = next(f for f in section.scalar_fields() if f.key == key)
                number = scalar_rows.get(f"{section.code}.{key}", (None, ""))[0]
                errors.append(RowError(SHEET_PROFILE, number, str(spec.label), message))
        new[section.code] = data

    # Process items: ticks and narratives per (item, level).
    level_codes = {name: str(code) for code, name in LEVEL_NAMES.items()}
    level_codes.update({str(label): code for code, label in LevelCode.choices})
    level_codes.update({code: code for code, _label in LevelCode.choices})
    ticks: dict[str, dict[str, list[int]]] = {}
    narratives: dict[str, dict[str, dict[str, Any]]] = {}
    where: dict[tuple[str, str], int] = {}
    process_items = {
        code: item for code, item in ws.items.items() if item.category.kind == Category.Kind.PROCESS
    }
    for number, values in _cells(book[SHEET_CHECKPOINTS]):
        code, level = str(_cell(values, 0)), level_codes.get(str(_cell(values, 1)))
        if code not in process_items or level is None:
            errors.append(
                RowError(SHEET_CHECKPOINTS, number, "ข้อ/ระดับ", _("Unknown item or level."))
            )
            continue
        mark = str(_cell(values, 4))
        if mark == "":
            continue
        if mark not in TICK_YES:
            errors.append(
                RowError(
                    SHEET_CHECKPOINTS,
                    number,
                    "ผ่าน",
                    _("Put ✓ for a checkpoint met, or leave the cell empty."),
                )
            )
            continue
        ticks.setdefault(code, {}).setdefault(level, []).append(_cell(values, 2))
        where.setdefault((code, f"ticks.{level}"), number)
    for number, values in _cells(book[SHEET_NARRATIVES]):
        code, level = str(_cell(values, 0)), level_codes.get(str(_cell(values, 1)))
        if code not in process_items or level is None:
            errors.append(
                RowError(SHEET_NARRATIVES, number, "ข้อ/ระดับ", _("Unknown item or level."))
            )
            continue
        narratives.setdefault(code, {})[level] = {
            key: _cell(values, 2 + i) for i, (key, _label) in enumerate(content.NARRATIVE_PARTS)
        }
        for key, _label in content.NARRATIVE_PARTS:
            where[(code, f"narrative.{level}.{key}")] = number
    allowed = {evidence.pk for evidence in ws.evidence}
    rule = ws.assessment.cycle.edition.item_rule
    part_labels = {
        f"narrative.{lv}.{k}": str(label)
        for lv in content.LEVELS
        for k, label in content.NARRATIVE_PARTS
    }
    for code, item in process_items.items():
        current = ws.answers[code].data
        data, problems = content.clean_process(
            item,
            ticks=ticks.get(code, {}),
            narrative=narratives.get(code, {}),
            evidence=current.get("evidence") or [],
            allowed_evidence=allowed,
            self_score=current.get("self_score", ""),
            rule=rule,
        )
        for key, message in problems.items():
            sheet = SHEET_CHECKPOINTS if key.startswith("ticks") else SHEET_NARRATIVES
            errors.append(
                RowError(sheet, where.get((code, key)), part_labels.get(key, "ลำดับ"), message)
            )
        new[code] = data

    # Results items: KPI rows grouped by item.
    years = content.kpi_years(ws.assessment.cycle.fiscal_year)
    columns = [
        "item",
        "name",
        "unit",
        "direction",
        *[f"value_{y}" for y in years],
        "target",
        "comparison",
        "comparison_source",
        *[f"band_{s}" for s in content.BAND_SCORES],
    ]
    headers = [c.value for c in book[SHEET_KPIS][1]]
    results_items = {
        code for code, item in ws.items.items() if item.category.kind == Category.Kind.RESULTS
    }
    kpi_rows: dict[str, list[tuple[int, dict[str, Any]]]] = {code: [] for code in results_items}
    for number, values in _cells(book[SHEET_KPIS]):
        row = {key: _cell(values, i) for i, key in enumerate(columns)}
        if row["item"] not in results_items:
            errors.append(
                RowError(SHEET_KPIS, number, "ข้อ", _("Use an item of category 7 (7.1–7.6)."))
            )
            continue
        kpi_rows[row["item"]].append((number, row))
    for code in sorted(results_items):
        current = ws.answers[code].data
        rows = kpi_rows[code]
        data, problems = content.clean_results(
            kpis=[row for _n, row in rows],
            note=current.get("note", ""),
            evidence=current.get("evidence") or [],
            allowed_evidence=allowed,
            years=years,
        )
        for key, message in problems.items():
            parts = key.split(".")
            number = rows[int(parts[1]) - 1][0] if len(parts) == 3 else None
            field = parts[2] if len(parts) == 3 else key
            label = headers[columns.index(field)] if field in columns else _("Score band")
            errors.append(RowError(SHEET_KPIS, number, str(label), message))
        new[code] = data

    # Someone saved in the system after the download: never overwrite that silently.
    for key, data in new.items():
        answer = ws.answers[key]
        if data != answer.data and str(versions.get(key)) != str(answer.version):
            who = answer.updated_by.get_full_name() if answer.updated_by else ""
            errors.append(
                RowError(
                    SHEET_SYSTEM,
                    None,
                    key,
                    _(
                        "%(key)s was changed in the system by %(who)s after this file was "
                        "downloaded (now version %(version)s). Download a new template and copy "
                        "your changes into it."
                    )
                    % {"key": key, "who": who or "—", "version": answer.version},
                )
            )
    return new, errors


@agency_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    ws = load_workspace(request, pk, write=request.method == "POST")
    errors: list[RowError] = []
    if request.method == "POST":
        if not ws.can_edit:
            messages.error(request, ws.readonly_reason)
            return redirect("assessments:excel_import", pk)
        upload_file = request.FILES.get("file")
        if upload_file is None:
            errors.append(RowError("", None, "", _("Choose the filled Excel file.")))
        elif upload_file.size > MAX_UPLOAD:
            errors.append(
                RowError(
                    "",
                    None,
                    "",
                    _("The file is larger than 10 MB; it cannot be a filled template."),
                )
            )
        else:
            book = None
            try:
                check_workbook(upload_file, _limits())
                # Formulas are read as written, not as cached results, so that they can be
                # refused: a formula without a cached value would read as an empty answer.
                book = load_workbook(upload_file, data_only=False)
            except WorkbookRefused as refused:
                errors.append(RowError("", None, "", _refusal(refused.reason)))
            except (
                InvalidFileException,
                zipfile.BadZipFile,
                ParseError,
                OSError,
                KeyError,
                ValueError,
                TypeError,
            ):
                errors.append(RowError("", None, "", _refusal(WorkbookRefused.NOT_A_WORKBOOK)))
            if book is not None:
                new, errors = parse_workbook(ws, book)
                if not errors:
                    changed = _apply(ws, new, request.user)
                    if changed is None:
                        errors.append(
                            RowError(
                                "",
                                None,
                                "",
                                _(
                                    "Someone saved in the system during the import. Nothing was "
                                    "imported; try again."
                                ),
                            )
                        )
                    else:
                        if changed == 0:
                            message = _(
                                "Imported. The file holds what is saved already: nothing changed."
                            )
                        else:
                            message = _(
                                "Imported. %(count)s parts changed; each change is a new "
                                "version in its history."
                            ) % {"count": changed}
                        messages.success(request, message)
                        return redirect("assessments:home", pk)
    return render(
        request,
        "assessments/excel.html",
        {"ws": ws, "assessment": ws.assessment, "errors": errors},
        status=400 if errors else 200,
    )


def _limits() -> Limits:
    return Limits(
        max_cells=settings.PMQA_EXCEL_IMPORT_MAX_CELLS,
        max_bytes=settings.PMQA_EXCEL_IMPORT_MAX_MB * 1_048_576,
    )


def _refusal(reason: str) -> str:
    if reason == WorkbookRefused.TOO_MANY_CELLS:
        return _(
            "This workbook has more cells than a filled template can have (at most "
            "%(limit)s). Delete the rows, columns and sheets that are not part of the "
            "template, or copy your answers into a new template, and try again."
        ) % {"limit": f"{settings.PMQA_EXCEL_IMPORT_MAX_CELLS:,}"}
    if reason == WorkbookRefused.TOO_LARGE:
        return _(
            "This workbook unpacks to more than %(limit)s MB, far more than a filled template. "
            "Delete the pictures and sheets that are not part of the template and try again."
        ) % {"limit": settings.PMQA_EXCEL_IMPORT_MAX_MB}
    return _("This is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")


def _apply(ws: Workspace, new: dict[str, dict[str, Any]], by: Any) -> int | None:
    note = _("Imported from Excel.")
    changed = 0
    try:
        with transaction.atomic():
            for key, data in new.items():
                answer: Answer = ws.answers[key]
                if content.filled(data) == content.filled(answer.data):
                    continue
                services.save_answer(
                    answer=answer, data=data, base_version=answer.version, by=by, note=note
                )
                changed += 1
    except services.EditConflict:
        return None
    return changed
