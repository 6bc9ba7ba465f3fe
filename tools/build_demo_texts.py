"""Extract the Feedback Report texts of the two seed documents into demo data files.

Run: .venv/bin/python tools/build_demo_texts.py ../shared/seeds
Writes pmqa/demo/data/narathiwat_2561.yaml and pmqa/demo/data/isoc_2563.yaml.
"""

import re
import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parent.parent / "pmqa" / "demo" / "data"
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def paragraphs(cell: str) -> list[str]:
    found = re.findall(r"<p>(.*?)</p>", cell, flags=re.S)
    parts = found if found else [cell]
    return [re.sub(r"\s+", " ", p).strip() for p in parts if p.strip()]


def strip_number(text: str) -> str:
    return re.sub(r"^[๐-๙0-9]+\s*\.\s*", "", text).strip()


def narathiwat(text: str) -> dict:
    categories: dict[int, dict[str, list[str]]] = {}
    current = None
    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) < 3 and not (current and line.startswith("\t")):
            continue
        head = re.sub(r"</?p>", "", cells[0]).strip()
        match = re.match(r"หมวด(?:ที่)?\s*([๐-๙0-9])\s", head.translate(THAI_DIGITS) + " ")
        if match and len(cells) >= 2 and "จุดแข็ง" not in line:
            current = int(match.group(1))
            categories[current] = {"strengths": [], "ofis": []}
            strength_cell, ofi_cell = cells[1], cells[2] if len(cells) > 2 else ""
        elif current and line.startswith("\t") and "จุดแข็ง" not in line:
            strength_cell, ofi_cell = cells[1] if len(cells) > 1 else "", cells[-1]
        elif current and re.match(r"^<p>หมวดที่", line):
            continue
        else:
            continue
        categories[current]["strengths"] += (
            paragraphs(strength_cell) if strength_cell.strip() else []
        )
        categories[current]["ofis"] += (
            [strip_number(p) for p in paragraphs(ofi_cell)] if ofi_cell.strip() else []
        )
    return {
        "organisation": "TH-96",
        "fiscal_year": 2561,
        "self": ["450", "500", "450", "475", "475", "425", "326.67"],
        "assessor": ["300", "350", "300", "150", "225", "150", "326.67"],
        "categories": {k: categories[k] for k in sorted(categories)},
    }


def isoc(text: str) -> dict:
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index("ผลงานที่โดดเด่น")
    ofi_start = lines.index("โอกาสในการปรับปรุง", start)
    pillars = {"open_connected": [], "citizen_centric": [], "smart_high_performance": []}
    order = list(pillars)
    current = -1
    buffer: list[str] = []
    for line in lines[start + 1 : ofi_start]:
        if line.startswith("ระบบราชการ"):
            current += 1
            continue
        if (
            not line
            or current < 0
            or line in ("ที่เปิดกว้างและ", "เชื่อมโยงกัน", "ที่ยึดประชาชน", "เป็นศูนย์กลาง", "สมรรถนะสูงทันสมัย")
        ):
            continue
        if line.startswith("- (") or line.startswith("-("):
            pillars[order[current]][-1] += "\n" + line[2:].strip()
            continue
        item = re.sub(r"^-\s*\d\)\s*", "", line)
        pillars[order[current]].append(item)
    del buffer
    items: dict[str, list[str]] = {}
    current_item = None
    end = next(i for i, line in enumerate(lines) if line == "หมวด 7 ผลลัพธ์การดำเนินการ")
    for line in lines[ofi_start:end]:
        if re.fullmatch(r"\d\.\d", line):
            current_item = line
            items[current_item] = []
        elif line.startswith("- ") and current_item:
            items[current_item].append(line[2:].strip())
    cat7 = []
    index = end + 1
    while re.fullmatch(r"\d", lines[index]) or not lines[index]:
        if lines[index]:
            cat7.append(lines[index + 1])
            index += 2
        else:
            index += 1
    conclusion = lines[index]
    themes = []
    index += 1
    while index < len(lines):
        match = re.fullmatch(r"(\d) (.+)", lines[index])
        if match:
            body = next(line for line in lines[index + 1 :] if line)
            themes.append({"title": match.group(2), "text": body})
        index += 1
    return {
        "organisation": "DEP-ISOC",
        "fiscal_year": 2563,
        "self": ["500", "500", "500", "500", "500", "500", "423.33"],
        "assessor": ["411.46", "453.13", "434.90", "404.51", "484.38", "449.65", "403.33"],
        "round2": "345",
        "achievements": pillars,
        "items": items,
        "category7_ofis": cat7,
        "conclusion": conclusion,
        "themes": themes,
    }


def main() -> None:
    seeds = Path(sys.argv[1])
    OUT.mkdir(parents=True, exist_ok=True)
    header = (
        "# Extracted from the seed documents by tools/build_demo_texts.py;"
        " the texts are verbatim.\n"
    )
    for name, data in (
        (
            "narathiwat_2561.yaml",
            narathiwat((seeds / "003_8a0df4265a8163f5.txt").read_text("utf-8")),
        ),
        ("isoc_2563.yaml", isoc((seeds / "000_3cbcbb8420a0d958.txt").read_text("utf-8"))),
    ):
        (OUT / name).write_text(
            header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000),
            encoding="utf-8",
        )
        print("wrote", OUT / name)


if __name__ == "__main__":
    main()
