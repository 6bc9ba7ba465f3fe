"""The self-hosted Sarabun font files (from the fontpkg-sarabun package), and the copy of them
that printed reports embed.

Why printed reports embed an adjusted copy: a cluster of a tall consonant, an upper vowel and
a tone mark (ปั่ ฝึ้ ฟื้) is drawn with the font's alternate forms, so Chromium writes it as one
/ActualText span, and a PDF reader takes a span to end where its last glyph ends. That glyph
is the tone mark, which has no width, and which the font's mark-to-mark rule draws up to
0.3 em left of the vowel it sits on, that is of where the cluster ends; `pdftotext` read the
gap between it and the next letter as a space ("ฟื้ นฟู").

`print_font` gives each mark, after each mark that moves it left, a copy of itself whose
advance width is exactly that move. The copy draws the same outline in the same place (a
shaper gives marks no advance of their own, so the page looks the same to the pixel), but the
span now ends where the mark below it starts: where the cluster ends, for the vowel and tone
mark of every Thai spelling (a third mark stacked on those is not adjusted). One added
substitution, run after all of the font's own, picks the copies. Nothing is added to the
text. (The Open Font License allows a modified copy; Sarabun reserves no font name.)
"""

from __future__ import annotations

import copy
import io
import re
from functools import lru_cache
from pathlib import Path

import fontpkg_sarabun  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import otTables
from fontTools.ttLib.tables._g_l_y_f import Glyph, GlyphComponent

MARK_CLASS = 3  # GDEF glyph class of a combining mark


def fontpkg_sarabun_files() -> Path:
    return Path(fontpkg_sarabun.__file__).resolve().parent / "files"


def _thai(glyph: str) -> bool:
    return glyph.startswith("uni0E")


class UnexpectedFontTables(RuntimeError):
    """The font uses layout tables the adjustment does not handle (a new release of the font
    package): printing stops rather than embed a copy whose marks may be misplaced."""


def _check_supported(font: TTFont) -> None:
    found = []
    for tag, extension in (("GSUB", 7), ("GPOS", 9)):
        types = {lookup.LookupType for lookup in font[tag].table.LookupList.Lookup}
        if extension in types:
            found.append(f"{tag} extension lookups")
    if 5 in {lookup.LookupType for lookup in font["GPOS"].table.LookupList.Lookup}:
        found.append("GPOS mark-to-ligature lookups")
    if getattr(font["GDEF"].table, "MarkGlyphSetsDef", None) is not None:
        found.append("GDEF mark glyph sets")
    if any(re.search(r"\.w\d+$", glyph) for glyph in font.getGlyphOrder()):
        found.append("glyph names like the copies'")
    if found:
        raise UnexpectedFontTables(", ".join(found))


def _stacked_moves(font: TTFont) -> dict[str, dict[str, int]]:
    """{upper mark: {mark stacked on it: how far left of it the font draws that mark}}."""
    moves: dict[str, dict[str, int]] = {}
    for lookup in font["GPOS"].table.LookupList.Lookup:
        if lookup.LookupType != 6:  # mark-to-mark attachment
            continue
        for sub in lookup.SubTable:
            records = sub.Mark1Array.MarkRecord
            for lower, record2 in zip(
                sub.Mark2Coverage.glyphs, sub.Mark2Array.Mark2Record, strict=True
            ):
                if not _thai(lower):
                    continue
                for upper, record1 in zip(sub.Mark1Coverage.glyphs, records, strict=True):
                    anchor = record2.Mark2Anchor[record1.Class]
                    if anchor is None or not _thai(upper):
                        continue
                    move = record1.MarkAnchor.XCoordinate - anchor.XCoordinate
                    if move > 0:
                        moves.setdefault(lower, {})[upper] = move
    return moves


def _add_mark_copy(font: TTFont, glyph: str, name: str, advance: int) -> None:
    # A composite of the one original glyph: the same drawing, stored once.
    component = GlyphComponent()
    component.glyphName = glyph
    component.x = component.y = 0
    component.flags = 0x0002  # ARGS_ARE_XY_VALUES: x and y are an offset, here none
    drawing = Glyph()
    drawing.numberOfContours = -1
    drawing.components = [component]
    font["glyf"][name] = drawing
    font["hmtx"][name] = (advance, font["hmtx"][glyph][1])
    gdef = font["GDEF"].table
    gdef.GlyphClassDef.classDefs[name] = MARK_CLASS
    attach = getattr(gdef, "MarkAttachClassDef", None)
    if attach is not None and glyph in attach.classDefs:
        attach.classDefs[name] = attach.classDefs[glyph]
    # Placed by the same anchors as the mark it copies, in every lookup that places it.
    for lookup in font["GPOS"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            if lookup.LookupType == 4:
                pairs = [(sub.MarkCoverage, sub.MarkArray.MarkRecord)]
            elif lookup.LookupType == 6:
                pairs = [
                    (sub.Mark1Coverage, sub.Mark1Array.MarkRecord),
                    (sub.Mark2Coverage, sub.Mark2Array.Mark2Record),
                ]
            else:
                continue
            for coverage, records in pairs:
                if glyph in coverage.glyphs:
                    # The copies come last in the glyph order, so appending keeps it sorted.
                    records.append(copy.deepcopy(records[coverage.glyphs.index(glyph)]))
                    coverage.glyphs.append(name)
            if lookup.LookupType == 4:
                sub.MarkArray.MarkCount = len(sub.MarkArray.MarkRecord)
            elif lookup.LookupType == 6:
                sub.Mark1Array.MarkCount = len(sub.Mark1Array.MarkRecord)
                sub.Mark2Array.Mark2Count = len(sub.Mark2Array.Mark2Record)


def _coverage(glyphs: list[str]) -> otTables.Coverage:
    coverage = otTables.Coverage()
    coverage.glyphs = glyphs
    return coverage


def _lookup(kind: int, subtables: list[object]) -> otTables.Lookup:
    lookup = otTables.Lookup()
    lookup.LookupType = kind
    lookup.LookupFlag = 0
    lookup.SubTable = subtables
    lookup.SubTableCount = len(subtables)
    return lookup


def widen_stacked_marks(font: TTFont) -> int:
    """Adjust `font` as the module's docstring says; returns the number of copies added."""
    _check_supported(font)
    moves = _stacked_moves(font)
    order = list(font.getGlyphOrder())
    copies: dict[tuple[str, int], str] = {}
    for lower in moves:
        for upper, move in moves[lower].items():
            copies.setdefault((upper, move), f"{upper}.w{move}")
    font.setGlyphOrder(order + list(copies.values()))
    for (upper, move), name in copies.items():
        _add_mark_copy(font, upper, name, move)

    gsub = font["GSUB"].table
    lookups = gsub.LookupList.Lookup
    chain_rules = []
    for lower in sorted(moves, key=order.index):
        single = otTables.SingleSubst()
        single.mapping = {upper: copies[(upper, move)] for upper, move in moves[lower].items()}
        lookups.append(_lookup(1, [single]))
        rule = otTables.ChainContextSubst()
        rule.Format = 3
        rule.BacktrackCoverage = [_coverage([lower])]
        rule.InputCoverage = [_coverage(sorted(moves[lower], key=order.index))]
        rule.LookAheadCoverage = []
        record = otTables.SubstLookupRecord()
        record.SequenceIndex = 0
        record.LookupListIndex = len(lookups) - 1
        rule.SubstLookupRecord = [record]
        rule.BacktrackGlyphCount = 1
        rule.InputGlyphCount = 1
        rule.LookAheadGlyphCount = 0
        rule.SubstCount = 1
        chain_rules.append(rule)
    lookups.append(_lookup(6, chain_rules))
    gsub.LookupList.LookupCount = len(lookups)
    # Run last: a shaper applies a feature's lookups in the order of the lookup list.
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag == "ccmp":
            record.Feature.LookupListIndex.append(len(lookups) - 1)
            record.Feature.LookupCount = len(record.Feature.LookupListIndex)
    return len(copies)


@lru_cache(maxsize=4)
def print_font(name: str) -> bytes:
    """The named Sarabun file as printed reports embed it."""
    font = TTFont(fontpkg_sarabun_files() / name)
    widen_stacked_marks(font)
    if "DSIG" in font:  # the signature is of the original file
        del font["DSIG"]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
