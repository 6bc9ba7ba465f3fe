"""Write every published Feedback Report of a cycle as PDF and Excel, and a zip of them all."""

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pmqa.lib.pdf import ChromiumMissing
from pmqa.reports.bulk import build_reports
from pmqa.reports.stored import queue_cycle


class Command(BaseCommand):
    help = "Build every published Feedback Report of a cycle (PDF, Excel, zip); resumable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cycle", type=int, required=True, help="fiscal year (B.E.), e.g. 2563"
        )
        parser.add_argument("--round", type=int, choices=[1, 2], default=1)
        parser.add_argument("--layout", choices=["full", "short"], default="full")
        parser.add_argument("--out", help="output folder (default var/reports/<cycle>-<layout>)")
        parser.add_argument(
            "--thai-digits", action="store_true", help="print Thai numerals, in the tables too"
        )
        parser.add_argument(
            "--store",
            action="store_true",
            help="instead: queue the storing of each published report that the agencies "
            "download (both layouts, PDF and Excel), one background task per report",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = int(options["cycle"])
        if options.get("store"):
            queued, done = queue_cycle(cycle)
            if queued + done == 0:
                raise CommandError(f"ไม่มีรายงานที่เผยแพร่แล้วของปีงบประมาณ {cycle}")
            self.stdout.write(f"เข้าคิว {queued} · จัดเก็บครบแล้ว {done}")
            return
        layout = str(options["layout"])
        out = Path(
            str(options["out"])
            if options.get("out")
            else Path(settings.BASE_DIR).parent / "var" / "reports" / f"{cycle}-{layout}"
        )
        interactive = sys.stderr.isatty()

        def progress(index: int, total: int, code: str) -> None:
            width = 30
            filled = int(width * index / total) if total else width
            bar = "#" * filled + "." * (width - filled)
            line = f"[{bar}] {index}/{total} {code}"
            if interactive:
                sys.stderr.write("\r" + line.ljust(70))
                sys.stderr.flush()
            elif index == total or index % max(1, total // 10) == 0:
                sys.stderr.write(line + "\n")

        try:
            result = build_reports(
                fiscal_year=cycle,
                layout=layout,
                out=out,
                round_number=int(options["round"]),
                thai=bool(options.get("thai_digits")),
                progress=progress,
            )
        except ChromiumMissing as error:
            raise CommandError(str(error)) from None
        except KeyboardInterrupt:
            sys.stderr.write("\nหยุดแล้ว เรียกคำสั่งเดิมอีกครั้งเพื่อทำต่อ (รายงานที่เสร็จแล้วจะถูกข้าม)\n")
            raise SystemExit(130) from None
        if interactive:
            sys.stderr.write("\n")
        total = len(result.written) + len(result.skipped) + len(result.failed)
        if total == 0:
            raise CommandError(f"ไม่มีรายงานที่เผยแพร่แล้วของปีงบประมาณ {cycle}")
        self.stdout.write(
            f"เขียนใหม่ {len(result.written)} · เป็นปัจจุบันอยู่แล้ว {len(result.skipped)} · "
            f"ล้มเหลว {len(result.failed)} · โฟลเดอร์ {out}"
        )
        if result.zip_path:
            self.stdout.write(f"ไฟล์รวม: {result.zip_path}")
        if result.failed:
            self.stdout.write("รายงานที่สร้างไม่สำเร็จ:")
            for code, message in result.failed:
                self.stdout.write(f"  {code}: {message}")
            raise SystemExit(1)
