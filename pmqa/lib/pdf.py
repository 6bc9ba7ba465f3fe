"""HTML to PDF with the system's headless Chromium, driven by Playwright.

Chromium writes each Thai cluster's text as /ActualText, so text copied or extracted from the
PDF equals the text in the page. The browser comes from the Debian package `chromium`
(Playwright's own browser download is never used). One `PdfPrinter` keeps one browser and one
page open, so a batch pays the start-up once.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

INSTALL_COMMAND = "sudo apt-get install -y chromium"
PRINT_TIMEOUT_SECONDS = 120
# Flags for a closed network: no background requests, no component updates.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


class ChromiumMissing(RuntimeError):
    """No Chromium to print with; the message gives the install command."""

    def __init__(self) -> None:
        super().__init__("ยังไม่ได้ติดตั้ง Chromium ซึ่งใช้สร้างไฟล์ PDF กรุณาติดตั้งด้วยคำสั่ง: " + INSTALL_COMMAND)


def chromium_path() -> str | None:
    configured = os.environ.get("PMQA_CHROMIUM", "")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_available() -> bool:
    return chromium_path() is not None


class PdfPrinter:
    """`with PdfPrinter() as printer: data = printer.print(html)`.

    Playwright's sync API runs an event loop in the thread that uses it, which would make
    Django refuse database access there; so the browser lives in a worker thread of its own
    and the caller's thread stays an ordinary one.
    """

    def __init__(self) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")
        self._playwright: Any = None
        self._browser: Any = None
        self._page: Any = None

    def __enter__(self) -> PdfPrinter:
        path = chromium_path()
        if path is None:
            self._worker.shutdown()
            raise ChromiumMissing
        try:
            self._worker.submit(self._start, path).result()
        except BaseException:
            self._worker.submit(self._stop).result()
            self._worker.shutdown()
            raise
        return self

    def _start(self, path: str) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        self._page = self._browser.new_page()

    def _print(self, html: str) -> bytes:
        self._page.set_content(html, wait_until="load")
        data: bytes = self._page.pdf(prefer_css_page_size=True, print_background=True)
        return data

    def print(self, html: str) -> bytes:
        """A4 PDF of a complete HTML document whose @page rules set size and margins."""
        # A print that hangs (a stuck browser) is given up after PRINT_TIMEOUT_SECONDS.
        return self._worker.submit(self._print, html).result(timeout=PRINT_TIMEOUT_SECONDS)

    def _stop(self) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._playwright is not None:
                self._playwright.stop()
            self._browser = self._playwright = self._page = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            self._worker.submit(self._stop).result()
        finally:
            self._worker.shutdown()


class PrinterBusy(RuntimeError):
    """PMQA_PRINT_QUEUE prints were already running or waiting in this process, and none
    finished within PMQA_PRINT_WAIT_SECONDS."""


_shared_lock = threading.Lock()  # guards the creation of _slots
_turn = threading.Lock()  # one print at a time on the shared page
_shared: PdfPrinter | None = None
_slots: threading.BoundedSemaphore | None = None


def _shared_printer() -> PdfPrinter:
    global _shared
    if _shared is None:
        printer = PdfPrinter()
        printer.__enter__()
        # Not closed at exit: by then its thread cannot be used; when this process ends,
        # Playwright's driver sees its pipe close and ends the browser.
        _shared = printer
    return _shared


def _discard_shared(*, hung: bool = False) -> None:
    global _shared
    printer, _shared = _shared, None
    if printer is not None and hung:
        # Its thread is stuck in the browser: closing would wait for it. Left to itself; the
        # next print starts a new browser.
        printer._worker.shutdown(wait=False, cancel_futures=True)
        log.error("a print hung; its browser is abandoned and a new one started")
    elif printer is not None:
        try:
            printer.__exit__(None, None, None)
        except Exception:  # noqa: BLE001 - a browser that died may not close cleanly
            log.warning("the shared browser did not close cleanly", exc_info=True)


def print_html(html: str) -> bytes:
    """Print with this process's one browser, started on first use and kept open: an
    on-demand print costs the page, not a browser's start-up, and memory stays that of one
    browser however many downloads come. Prints take turns on its one page; at most
    PMQA_PRINT_QUEUE of them run or wait at once, each waiting up to PMQA_PRINT_WAIT_SECONDS,
    and the others get PrinterBusy at once. A browser that has died is started again once."""
    global _slots
    from django.conf import settings

    if chromium_path() is None:  # removed since the browser started: say so, as at start
        raise ChromiumMissing
    with _shared_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(settings.PMQA_PRINT_QUEUE)
    if not _slots.acquire(blocking=False):
        raise PrinterBusy
    try:
        if not _turn.acquire(timeout=settings.PMQA_PRINT_WAIT_SECONDS):
            raise PrinterBusy
        try:
            for attempt in (1, 2):
                printer = _shared_printer()
                try:
                    return printer.print(html)
                except Exception as error:
                    _discard_shared(hung=isinstance(error, TimeoutError))
                    if attempt == 2:
                        raise
                    log.warning("the shared browser failed; starting a new one", exc_info=True)
            raise AssertionError("unreachable")
        finally:
            _turn.release()
    finally:
        _slots.release()
