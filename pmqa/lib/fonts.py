"""Where the self-hosted Sarabun font files are (from the fontpkg-sarabun package)."""

from pathlib import Path

import fontpkg_sarabun  # type: ignore[import-untyped]


def fontpkg_sarabun_files() -> Path:
    return Path(fontpkg_sarabun.__file__).resolve().parent / "files"
