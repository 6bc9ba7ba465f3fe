"""Report data → one HTML document per layout; the same document is printed and shown."""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from django.template.loader import render_to_string
from django.templatetags.static import static

from pmqa.lib.fonts import print_font
from pmqa.reports.builders import ReportData

PRINT_FONTS = ("Sarabun-Regular.ttf", "Sarabun-Bold.ttf")


@lru_cache(maxsize=2)
def _font_data_uri(name: str) -> str:
    return "data:font/ttf;base64," + base64.b64encode(print_font(name)).decode("ascii")


def warm_print_fonts() -> None:
    """Make the print fonts now (about half a second), not in the first print's request."""
    for name in PRINT_FONTS:
        _font_data_uri(name)


def render_html(data: ReportData, *, for_print: bool, toolbar: dict[str, Any] | None = None) -> str:
    """For print the fonts are embedded, so the document needs nothing else to load; they are
    the copies whose text layer reads back as typed (`pmqa.lib.fonts.print_font`)."""
    if for_print:
        fonts = {
            "font_regular": _font_data_uri(PRINT_FONTS[0]),
            "font_bold": _font_data_uri(PRINT_FONTS[1]),
        }
    else:
        fonts = {
            "font_regular": static("fonts/sarabun/Sarabun-Regular.ttf"),
            "font_bold": static("fonts/sarabun/Sarabun-Bold.ttf"),
        }
    return render_to_string("reports/report.html", {"r": data, "toolbar": toolbar, **fonts})
