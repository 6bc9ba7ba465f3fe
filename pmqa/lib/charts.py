"""Charts as SVG in the reports' style: the radar chart of self-assessed and verified category
scores, and bar charts for the statistics pages.

Text stays text (svg.fonttype "none") set in Sarabun, the report's font, so the browser draws
it with the same face and it can be copied. The output is deterministic: no date, fixed ids.
The figure (axes, grid, labels) is drawn by matplotlib once per set of axis labels; for each
report only the two score polygons change, so their SVG paths are computed with the figure's
own transform and put into the saved drawing. A bulk run thus spends milliseconds, not a full
matplotlib draw, per chart.
"""

from __future__ import annotations

import functools
import html
import io
import math
import re
import threading
from decimal import Decimal
from typing import Any

_LOCK = threading.Lock()  # matplotlib figures are not thread-safe
_READY = False
_FIGURES: dict[tuple[tuple[str, ...], bool], tuple[Any, str]] = {}
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_DATA_PATH = re.compile(r'(<g id="pmqa-(line|fill)-(\d)">\s*<path d=")([^"]*)(")')
SERIES = (("ประเมินตนเอง", "#0b4f8a", "-"), ("ผู้ตรวจประเมิน", "#a4161a", "--"))


def _setup() -> None:
    global _READY
    if _READY:
        return
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    from pmqa.lib.fonts import fontpkg_sarabun_files

    for name in ("Sarabun-Regular.ttf", "Sarabun-Bold.ttf"):
        font_manager.fontManager.addfont(str(fontpkg_sarabun_files() / name))
    matplotlib.rcParams.update(
        {
            "font.family": "Sarabun",
            "svg.fonttype": "none",
            "svg.hashsalt": "pmqa-report",
            "font.size": 10,
        }
    )
    _READY = True


def _angles(count: int) -> list[float]:
    return [2 * math.pi * i / count for i in range(count)] + [0.0]


def _figure(labels: tuple[str, ...], thai: bool = False) -> tuple[Any, str]:
    """The axes and the SVG drawn once, with the data paths marked for replacement."""
    if (labels, thai) in _FIGURES:
        return _FIGURES[(labels, thai)]
    from matplotlib.figure import Figure

    angles = _angles(len(labels))
    fig = Figure(figsize=(4.6, 4.6))
    fig.subplots_adjust(left=0.14, right=0.86, top=0.9, bottom=0.16)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(0, 500)
    ax.set_yticks([100, 200, 300, 400, 500])
    ticks = ["100", "200", "300", "400", "500"]
    if thai:
        ticks = [tick.translate(_THAI_DIGITS) for tick in ticks]
    ax.set_yticklabels(ticks, fontsize=7, color="#555555")
    ax.set_xticks(angles[:-1])
    ax.set_xticklabels(list(labels))
    for index, (name, colour, style) in enumerate(SERIES):
        (line,) = ax.plot(
            angles, [250.0] * len(angles), style, color=colour, linewidth=1.6, label=name
        )
        (fill,) = ax.fill(angles, [250.0] * len(angles), color=colour, alpha=0.08)
        line.set_gid(f"pmqa-line-{index}")
        fill.set_gid(f"pmqa-fill-{index}")
    fig.legend(loc="lower center", ncol=2, frameon=False, fontsize=9)
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :].replace("{", "{{").replace("}", "}}")
    svg = _DATA_PATH.sub(
        lambda m: m.group(1) + "{" + m.group(2) + "_" + m.group(3) + "}" + m.group(5), svg
    )
    if svg.count("{line_") != len(SERIES) or svg.count("{fill_") != len(SERIES):
        raise RuntimeError("radar chart: the data paths were not found in matplotlib's SVG")
    _FIGURES[(labels, thai)] = (ax, svg)
    return _FIGURES[(labels, thai)]


def _number(value: float) -> str:
    # As matplotlib's SVG writer prints coordinates.
    return f"{value:f}".rstrip("0").rstrip(".")


def _paths(ax: Any, angles: list[float], values: list[float]) -> tuple[str, str]:
    fig = ax.figure
    scale = 72.0 / fig.dpi
    height = fig.get_size_inches()[1] * 72.0
    points = ax.transData.transform(list(zip(angles, values, strict=True)))
    coords = [(_number(x * scale), _number(height - y * scale)) for x, y in points]
    line = "".join(f"{'M' if i == 0 else 'L'} {x} {y} \n" for i, (x, y) in enumerate(coords))
    fill = line + "z \n"
    return line, fill


def radar_svg(rows: list[tuple[str, Decimal | None, Decimal | None]], *, thai: bool = False) -> str:
    """rows: (axis label, self score, verified score) per category, scores 0–500; `thai`
    writes the scale in Thai numerals (the labels come as the caller writes them)."""
    with _LOCK:
        _setup()
        ax, template = _figure(tuple(label for label, _s, _v in rows), thai)
        angles = _angles(len(rows))
        parts: dict[str, str] = {}
        for index in range(len(SERIES)):
            values = [float(row[1 + index] or 0) for row in rows]
            values.append(values[0])
            parts[f"line_{index}"], parts[f"fill_{index}"] = _paths(ax, angles, values)
    return template.format(**parts)


@functools.lru_cache(maxsize=256)
def bars_svg(
    labels: tuple[str, ...], values: tuple[float, ...], *, title: str, colour: str = "#0b4f8a"
) -> str:
    """A bar chart, as SVG text that names what it shows (role="img" with its title): one bar
    per label. Pages print the same figures in a table beside it. Drawn once per set of
    figures in a process; the figures of a closed cycle do not change."""
    with _LOCK:
        _setup()
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.4, 2.8))
        fig.subplots_adjust(left=0.09, right=0.99, top=0.95, bottom=0.26)
        ax = fig.add_subplot()
        positions = list(range(len(labels)))
        ax.bar(positions, values, color=colour, width=0.7)
        ax.set_xticks(positions)
        ax.set_xticklabels(list(labels), rotation=30, ha="right", fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    label = html.escape(title, quote=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
