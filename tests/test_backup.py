"""Backups: `pmqa backup` then `pmqa restore` into an empty database (SQLite, or PostgreSQL when
the suite runs on it) finds every row, score, text and file of the original; a damaged archive,
a database in use, other migrations and paths that leave the media folder are refused."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from pmqa.accounts.models import User
from pmqa.assessments import evidence as evidence_services
from pmqa.assessments import services
from pmqa.assessments.models import Answer, Cycle, Evidence, Round
from pmqa.audit.models import AuditEntry
from pmqa.feedback.models import FeedbackEntry
from pmqa.lib import backup
from pmqa.organisations.models import Organisation
from tests.builders import PDF, PMQA, ROOT, database_contents

pytestmark = pytest.mark.django_db

NARRATIVE = "มีแผนยุทธศาสตร์ที่ทบทวนทุกปี โดยรับฟังผู้มีส่วนได้ส่วนเสียทุกกลุ่ม"
STORED_REPORT = "reports/2563/รายงานผลการตรวจประเมิน DEP-ISOC.pdf"


# Run in the restored installation: what its database holds, a backup of it (read outside any
# transaction of a test, as in production) and the id a new row gets.
READ_RESTORED = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from pmqa.audit.models import AuditEntry
from tests.builders import database_contents
contents = database_contents()
call_command("backup", output=sys.argv[1], verbosity=0)  # prints nothing
new = AuditEntry.objects.create(action="test.new", object_type="x", object_id="1")
print(json.dumps({"contents": contents, "new_audit_id": new.pk}))
"""


def files_in(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def tables_in(sqlite_file: Path) -> list[str]:
    if not sqlite_file.exists():
        return []
    with closing(sqlite3.connect(sqlite_file)) as db:
        return [name for (name,) in db.execute("SELECT name FROM sqlite_master")]


def installation(database_url: str, media: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMQA_", "DATABASE_URL"))}
    env.update(
        PMQA_ENV_FILE="",
        PMQA_SECRET_KEY="test-only",
        DATABASE_URL=database_url,
        PMQA_MEDIA_ROOT=str(media),
        DJANGO_SETTINGS_MODULE="pmqa.settings",
    )
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        list(args), capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False
    )


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def rewrite(archive: Path, out: Path, *, change=None, extra=(), manifest=None) -> Path:
    """A copy of the archive with members changed (`change(name, data)` gives new data),
    extra members added first (TarInfo, data) and the manifest edited."""
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for info, data in extra:
            target.addfile(info, io.BytesIO(data) if data is not None else None)
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json" and manifest is not None:
                content = json.loads(data)
                manifest(content)
                data = json.dumps(content).encode()
            elif change is not None:
                data = change(member.name, data)
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return out


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def original(media, edition):
    """The demo (published reports with their scores and texts, a submitted assessment with
    its team), and a new assessment with a typed answer and an uploaded evidence file."""
    call_command("seed_demo", force=True, verbosity=0)
    editor = User.objects.get(username="isoc.editor")
    today = timezone.localdate()
    cycle = Cycle.objects.create(fiscal_year=2575, edition=edition)
    Round.objects.create(
        cycle=cycle,
        number=1,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=20),
    )
    assessment = services.start_assessment(
        cycle=cycle, organisation=Organisation.objects.get(code="DEP-ISOC"), by=editor
    )
    row = Answer.objects.get(assessment=assessment, key="1.1")
    services.save_answer(
        answer=row,
        data={"ticks": {"basic": [1]}, "narrative": {"basic": {"approach": NARRATIVE}}},
        base_version=row.version,
        by=editor,
    )
    evidence_services.add_evidence_file(
        assessment=assessment,
        upload=SimpleUploadedFile("แผนยุทธศาสตร์ 2575.pdf", PDF, "application/pdf"),
        raw_name=None,
        label="แผนยุทธศาสตร์ 2575",
        by=editor,
    )
    # A stored file no row names is kept too: everything in the media folder is.
    default_storage.save(STORED_REPORT, ContentFile(PDF + b"report"))
    return assessment


@pytest.fixture
def small_archive(media, tmp_path):
    """A backup of the reference data and one file, for the refusals."""
    default_storage.save("evidence/1/plan.pdf", ContentFile(PDF))
    archive = tmp_path / "small.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    return archive


def postgres_server() -> dict[str, str]:
    params = connection.get_connection_params()
    return {k: str(params[k]) for k in ("host", "port", "user", "password") if params.get(k)}


def postgres_url(name: str, server: dict[str, str]) -> str:
    user = quote(server.get("user", ""))
    password = f":{quote(server['password'])}" if server.get("password") else ""
    host = server.get("host", "")
    if not host or host.startswith("/"):  # a unix socket's folder
        return f"postgres://{user}{password}@/{name}" + (f"?host={quote(host)}" if host else "")
    port = f":{server['port']}" if server.get("port") else ""
    return f"postgres://{user}{password}@{host}{port}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of a new, empty database: a SQLite file, or a second PostgreSQL database on
    the test database's server (only when the suite runs on PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    if connection.vendor != "postgresql":
        pytest.skip("the suite runs on SQLite here; make test-postgres restores into PostgreSQL")
    import psycopg

    server, test_database = postgres_server(), connection.settings_dict["NAME"]
    name = f"pmqa_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname=test_database, autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield postgres_url(name, server)
    with psycopg.connect(dbname=test_database, autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restore_into_an_empty_database_finds_every_score_text_and_file(
    empty_database, original, media, tmp_path, monkeypatch
):
    # Pages of 50 rows, so that the larger tables are read in several.
    monkeypatch.setattr(backup, "CHUNK_ROWS", 50)
    archive = tmp_path / "original.tar.gz"
    out = io.StringIO()
    call_command("backup", output=str(archive), stdout=out)
    assert str(archive) in out.getvalue() and "SHA-256" in out.getvalue()
    expected, expected_files = database_contents(), files_in(media)
    evidence = Evidence.objects.get(assessment=original)
    assert expected_files[evidence.file.name] == PDF and STORED_REPORT in expected_files

    restored_media = tmp_path / "restored-media"
    env = installation(empty_database, restored_media)
    done = run(env, PMQA, "restore", str(archive))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "กู้คืน" in done.stdout, done.stdout
    again = tmp_path / "again.tar.gz"
    read = run(env, sys.executable, "-c", READ_RESTORED, str(again))
    assert read.returncode == 0, read.stderr[-3000:]
    restored = json.loads(read.stdout)

    contents = restored["contents"]
    assert contents == expected
    assert files_in(restored_media) == expected_files
    # The comparison holds what the original holds: the seeds' scores and texts, the answer
    # typed and the evidence uploaded.
    snapshots = contents["assessments.scoresnapshot"]
    assert len(snapshots) > 900
    assert {"round_number": 2, "total": "345.00"} in [
        {"round_number": row["round_number"], "total": row["total"]} for row in snapshots
    ]
    texts = {row["text"] for row in contents["feedback.feedbackentry"]}
    assert len(texts) > 50
    assert texts == set(FeedbackEntry.objects.values_list("text", flat=True))
    typed = next(
        row
        for row in contents["assessments.answer"]
        if row["assessment_id"] == original.pk and row["key"] == "1.1"
    )
    assert typed["data"]["narrative"]["basic"]["approach"] == NARRATIVE
    assert files_in(restored_media)[evidence.file.name] == PDF
    # New rows get new ids, after the restored ones.
    assert restored["new_audit_id"] > max(AuditEntry.objects.values_list("pk", flat=True))
    # The restored database backs up to the same rows and files.
    first, second = manifest_of(archive), manifest_of(again)
    assert {k: v["rows"] for k, v in second["models"].items()} == {
        k: v["rows"] for k, v in first["models"].items()
    }
    media_members = {k: v for k, v in first["members"].items() if k.startswith("media/")}
    assert {k: v for k, v in second["members"].items() if k.startswith("media/")} == media_members
    assert len(media_members) == 2


def test_restore_check_says_the_archive_is_whole_and_changes_nothing(small_archive):
    out = io.StringIO()
    call_command("restore", str(small_archive), "--check", stdout=out)
    assert "ครบถ้วน" in out.getvalue(), out.getvalue()


def _tampered(archive, tmp_path, restored_media):
    def tamper(name, data):
        return data.replace(b"trailer", b"TRAILER") if name == "media/evidence/1/plan.pdf" else data

    return rewrite(archive, tmp_path / "tampered.tar.gz", change=tamper), "ไม่ตรงกับ manifest"


def _clashing(archive, tmp_path, restored_media):
    (restored_media / "evidence" / "1").mkdir(parents=True)
    (restored_media / "evidence" / "1" / "plan.pdf").write_bytes(b"another file")
    return archive, "มีไฟล์อื่นที่ใช้ชื่อเดียวกับ"


@pytest.mark.parametrize("case", [_tampered, _clashing], ids=["tampered", "clashing"])
def test_it_refuses_a_damaged_archive_or_a_clashing_file_and_changes_nothing(
    small_archive, tmp_path, case
):
    target, restored_media = tmp_path / "target.sqlite3", tmp_path / "restored-media"
    restored_media.mkdir()
    archive, message = case(small_archive, tmp_path, restored_media)
    before = files_in(restored_media)
    done = run(installation(f"sqlite:///{target}", restored_media), PMQA, "restore", str(archive))
    assert done.returncode != 0
    assert "evidence/1/plan.pdf" in done.stderr and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    # Refused before anything: the database not even migrated, the folder as it was.
    assert tables_in(target) == []
    assert files_in(restored_media) == before


def test_it_refuses_a_database_that_is_not_empty_and_names_what_is_there(
    small_archive, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "other-media"
    organisations = Organisation.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(small_archive))
    assert "organisations.Organisation" in str(refused.value)
    assert "ฐานข้อมูลไม่ว่าง" in str(refused.value), refused.value
    assert Organisation.objects.count() == organisations
    assert not (tmp_path / "other-media").exists()


def _link(name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


def _file(name, data=b"escaped"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


@pytest.mark.parametrize(
    "member",
    [
        lambda name: _file(f"media/../../{name}"),
        lambda name: _file(f"/tmp/{name}"),
        lambda name: _link("media/evidence/1/link.pdf", f"/tmp/{name}"),
        lambda name: _link("media/evidence/1/hard.pdf", f"../../{name}", tarfile.LNKTYPE),
    ],
    ids=["dot-dot", "absolute", "symlink", "hardlink"],
)
def test_it_refuses_a_path_that_escapes_the_media_folder(small_archive, member, settings, tmp_path):
    name = f"escaped-{uuid.uuid4().hex}.txt"
    info, data = member(name)

    def listed(manifest):
        if data is not None:
            manifest["members"][info.name] = {
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
            }

    crafted = rewrite(
        small_archive, tmp_path / "crafted.tar.gz", extra=[(info, data)], manifest=listed
    )
    settings.MEDIA_ROOT = tmp_path / "restore-media" / "media"
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(crafted))
    assert info.name in str(refused.value)
    assert not list(tmp_path.rglob(name)) and not (Path("/tmp") / name).exists()
    assert not (tmp_path / "restore-media").exists()


def test_it_refuses_an_archive_of_other_migrations(small_archive, tmp_path):
    def future(manifest):
        manifest["migrations"]["assessments"].append("9999_from_the_future")

    other = rewrite(small_archive, tmp_path / "future.tar.gz", manifest=future)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(other))
    assert "assessments.9999_from_the_future" in str(refused.value)


def test_a_backup_is_never_written_over_a_file_or_inside_the_media_folder(small_archive, media):
    for output in (small_archive, media / "backups"):
        with pytest.raises(CommandError):
            call_command("backup", output=str(output), stdout=io.StringIO())
    assert not (media / "backups").exists()


def test_the_archive_names_the_release_that_made_it(small_archive):
    # The package's version and the checkout's commit (CI runs on a clean clone).
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    out = io.StringIO()
    call_command("restore", str(small_archive), "--check", stdout=out)
    assert f"0.1.0+{commit}" in out.getvalue(), out.getvalue()
