"""Evidence uploads: the file's real type from its content, and the name exactly as sent.

Django strips directory parts from upload names before any view sees them, which makes a
traversal attempt look like an ordinary name. `RawNameRecorder` keeps the name as the browser
sent it, so that such a name is refused with a message instead of silently accepted.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from functools import wraps
from typing import IO, Any

from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from pmqa.lib.middleware import clean_post

# Type key → (label shown to people, extensions that may carry it, MIME type served).
TYPES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "pdf": ("PDF", (".pdf",), "application/pdf"),
    "docx": (
        "Word",
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        "Excel",
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pptx": (
        "PowerPoint",
        (".pptx",),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "ole": ("Word/Excel/PowerPoint 97–2003", (".doc", ".xls", ".ppt"), "application/octet-stream"),
    "png": ("PNG", (".png",), "image/png"),
    "jpeg": ("JPEG", (".jpg", ".jpeg"), "image/jpeg"),
}
ACCEPT = ",".join(ext for _label, exts, _mime in TYPES.values() for ext in exts)
OLE_MIME = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}
# The parts an Office Open XML package of each kind always has.
_OOXML_MARKERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")


class UploadRefused(ValueError):
    """An upload that is not kept; the message tells the person what to do."""


def check_name(raw_name: str) -> str:
    """The name to keep, or UploadRefused for names that try to reach other directories."""
    if any(part in raw_name for part in ("/", "\\")) or raw_name.strip() in ("", ".", ".."):
        raise UploadRefused(
            _(
                "The file name “%(name)s” contains a folder path. Rename the file to a plain name "
                "such as report.pdf and upload it again."
            )
            % {"name": raw_name}
        )
    if any(not char.isprintable() for char in raw_name):
        raise UploadRefused(
            _("The file name contains control characters. Rename the file and upload it again.")
        )
    if len(raw_name) > 200:
        raise UploadRefused(_("The file name is too long. Use a name of at most 200 characters."))
    return raw_name


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def sniff(stream: IO[bytes]) -> str | None:
    """The type key the content really is, or None."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as package:
                names = package.namelist()
        except zipfile.BadZipFile:
            return None
        finally:
            stream.seek(0)
        if "[Content_Types].xml" not in names:
            return None
        for kind, marker in _OOXML_MARKERS.items():
            if any(name.startswith(marker) for name in names):
                return kind
    return None


def check_content(name: str, stream: IO[bytes], size: int, limit: int) -> tuple[str, str]:
    """(type key, MIME type) of an acceptable file; UploadRefused with the reason otherwise."""
    extension = _extension(name)
    allowed = {ext: kind for kind, (_label, exts, _mime) in TYPES.items() for ext in exts}
    if size == 0:
        raise UploadRefused(_("The file is empty. Choose the file again."))
    if size > limit:
        raise UploadRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Reduce it or split it.")
            % {"size": f"{size / 1_048_576:,.1f}", "limit": f"{limit / 1_048_576:,.0f}"}
        )
    if extension not in allowed:
        raise UploadRefused(
            _(
                "Files of type “%(ext)s” are not accepted. Upload PDF, Word, Excel, "
                "PowerPoint, PNG or JPEG."
            )
            % {"ext": extension or name}
        )
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(_EXECUTABLE_MAGIC):
        raise UploadRefused(
            _("“%(name)s” is a program, not a document, although its name ends in %(ext)s.")
            % {"name": name, "ext": extension}
        )
    kind = sniff(stream)
    expected = allowed[extension]
    if kind is None:
        raise UploadRefused(
            _(
                "The content of “%(name)s” is not a %(label)s file. Save it again as "
                "%(label)s and upload it."
            )
            % {"name": name, "label": TYPES[expected][0]}
        )
    if kind != expected:
        raise UploadRefused(
            _(
                "“%(name)s” is named as %(label)s but its content is %(actual)s. Correct "
                "the file name."
            )
            % {"name": name, "label": TYPES[expected][0], "actual": TYPES[kind][0]}
        )
    mime = OLE_MIME[extension] if kind == "ole" else TYPES[kind][2]
    return kind, mime


class _RecordingParser(MultiPartParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.raw_names: list[str] = []

    def sanitize_file_name(self, file_name: str) -> str | None:
        self.raw_names.append(file_name)
        return super().sanitize_file_name(file_name)


class RawNameRecorder(FileUploadHandler):
    """Parses the request with the other handlers and keeps the names as sent in
    `request.raw_upload_names`. Install it first in `request.upload_handlers`."""

    def handle_raw_input(  # type: ignore[override]
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> tuple[Any, Any]:
        others = [handler for handler in self.request.upload_handlers if handler is not self]
        parser = _RecordingParser(META, input_data, others, encoding)
        result = parser.parse()
        self.request.raw_upload_names = parser.raw_names
        return result

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def keep_upload_names(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let a view read `request.raw_upload_names`. The handler must be installed before the
    CSRF check reads the body, so CSRF protection is applied after it, not by the middleware."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method == "POST":
            request.upload_handlers.insert(0, RawNameRecorder(request))
            clean_post(request)
        return protected(request, *args, **kwargs)

    wrapped.keeps_upload_names = True  # type: ignore[attr-defined]
    return wrapped
