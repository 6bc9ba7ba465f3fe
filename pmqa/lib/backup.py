"""Backups: the database as JSON lines per model and every stored file, in one tar.gz with a
manifest of checksums; and their restore into an empty database of either engine.

An archive holds `db/<app_label>.<model>.jsonl` (one JSON array per row, the model's columns
in the order the manifest names them), `media/<name>` (every file of the default storage) and
`manifest.json`, written last: when it was made, by which version, the migrations its
database had, the rows per model, and the SHA-256 and size of every other member.

Rows keep their ids, so every foreign key stays right without natural keys (resolving one per
row would cost a query each). Only content types and permissions, which `migrate` makes on
the target with its own ids, are matched by their natural key and their ids translated.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext as _

FORMAT = "pmqa-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SECTIONS = ("migrations", "models", "members")
ENGINES = ("sqlite", "postgresql")
# Made by `migrate` on every database, each with the target's own ids: matched on restore by
# natural key, and the foreign keys to them translated.
CONTENT_TYPE, PERMISSION = "contenttypes.contenttype", "auth.permission"
MERGED = (CONTENT_TYPE, PERMISSION)
# Sessions are only logins in progress: a restored site asks everyone to log in again.
SKIPPED = ("sessions.session",)
CHUNK_ROWS = 2000
COPY_BUFFER = 1024 * 1024


class BackupRefused(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    sha256: str
    size: int
    rows: dict[str, int]
    files: int


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    migrated: bool = False


# ---------------------------------------------------------------------------------------------
# What is backed up


def backed_up_models() -> list[type[models.Model]]:
    """Every model with a table of its own, many-to-many tables included, by label."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped or meta.label_lower in SKIPPED:
            continue
        found.append(model)
    return sorted(found, key=lambda model: model._meta.label_lower)


def columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns of the model's own table (a child model's parent has its own)."""
    return [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]


def _base_field(column: models.Field[Any, Any]) -> models.Field[Any, Any]:
    while column.is_relation and column.target_field is not column:
        column = column.target_field
    return column


def _encoder(column: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """How a value read from the database becomes JSON: the text form `Field.to_python` reads
    back, as Django's serializers write it (full microseconds, unlike DjangoJSONEncoder)."""
    kind = _base_field(column).get_internal_type()
    if kind in {"DateTimeField", "DateField", "TimeField"}:
        return lambda value: value.isoformat()
    if kind in {"DecimalField", "UUIDField"}:
        return str
    if kind == "DurationField":
        return duration_iso_string
    if kind == "BinaryField":
        return lambda value: base64.b64encode(bytes(value)).decode("ascii")
    return lambda value: value


def _dump_rows(model: type[models.Model], using: str) -> Iterator[bytes]:
    cols = columns(model)
    encoders = [_encoder(c) for c in cols]
    pk = cols.index(model._meta.pk)
    table = model._base_manager.using(using).order_by("pk").values_list(*(c.attname for c in cols))
    # Page by primary key rather than one cursor: constant memory on either engine, also
    # behind PgBouncer, where Django opens no server-side cursor.
    rows = list(table[:CHUNK_ROWS])
    while rows:
        for row in rows:
            values = [None if v is None else e(v) for e, v in zip(encoders, row, strict=True)]
            yield json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        if len(rows) < CHUNK_ROWS:
            break
        rows = list(table.filter(pk__gt=rows[-1][pk])[:CHUNK_ROWS])


def stored_files(storage: Storage) -> Iterator[str]:
    """The name of every file in the storage. On the filesystem: regular files only, never
    through a symbolic link, so nothing outside PMQA_MEDIA_ROOT is read."""
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location)
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder) / name
                if path.is_file() and not path.is_symlink():
                    yield path.relative_to(root).as_posix()
        return
    yield from _listed(storage, "")


def _listed(storage: Storage, prefix: str) -> Iterator[str]:
    dirs, files = storage.listdir(prefix)
    for name in sorted(files):
        yield f"{prefix}{name}"
    for name in sorted(dirs):
        yield from _listed(storage, f"{prefix}{name}/")


def migration_state(connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    """The migrations applied to the database that this code knows, by app."""
    loader = MigrationLoader(connection)
    state: dict[str, list[str]] = {}
    for app_label, name in sorted(loader.applied_migrations):
        if (app_label, name) in loader.graph.nodes:
            state.setdefault(app_label, []).append(name)
    return state


def code_migrations(connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    """The migrations a database migrated by this code has applied, by app."""
    state: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationLoader(connection, load=True).graph.nodes):
        state.setdefault(app_label, []).append(name)
    return state


def app_version() -> str:
    """The release that made the archive: the package's version and, from a git checkout (as
    docs/deploy.md installs), its commit, "0.1.0+3f2a9c1e04bd"."""
    try:
        version = metadata.version("pmqa")
    except metadata.PackageNotFoundError:
        version = "unknown"
    commit = _commit()
    return f"{version}+{commit}" if commit else version


def _commit() -> str:
    root = Path(__file__).resolve().parents[2]
    try:
        found = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return ""  # not a checkout (a copied release), or no git on the machine
    return found.stdout.strip()


def _check_engine(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor not in ENGINES:
        raise BackupRefused(
            _("Backups work on SQLite and PostgreSQL only; this database is %(vendor)s.")
            % {"vendor": connection.vendor}
        )


@contextmanager
def read_snapshot(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Every read inside sees the database as it was at the first one, while others go on
    writing: REPEATABLE READ on PostgreSQL; on SQLite a deferred transaction, which in WAL
    mode reads a snapshot without taking the write lock (the configured BEGIN IMMEDIATE would
    hold every autosave until the backup ends)."""
    if connection.in_atomic_block:
        # Already inside one transaction (a caller's, or a test's): it is the snapshot.
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")


# ---------------------------------------------------------------------------------------------
# Writing


class _Hashing(io.RawIOBase):
    """A file read through, its SHA-256 and size taken on the way (tarfile reads it once)."""

    def __init__(self, wrapped: IO[bytes]) -> None:
        self.wrapped, self.digest, self.size = wrapped, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.wrapped.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def archive_path(output: Path, now: datetime.datetime) -> Path:
    """A file named by the caller, or a new file named by the time in the folder named."""
    if output.name.endswith((".tar.gz", ".tgz")) and not output.is_dir():
        return output
    return output / f"pmqa-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def write_backup(
    output: Path,
    *,
    using: str = DEFAULT_DB_ALIAS,
    storage: Storage | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> BackupResult:
    """Write the database (read in one transaction) and then every stored file to a new
    archive. The archive appears under its name only once complete."""
    storage = storage or default_storage
    connection = connections[using]
    _check_engine(connection)
    now = timezone.now()
    path = archive_path(output, now)
    if path.exists():
        raise BackupRefused(
            _("%(path)s already exists; name a new file or a folder.") % {"path": path}
        )
    if isinstance(storage, FileSystemStorage) and _inside(path, Path(storage.location)):
        raise BackupRefused(
            _(
                "Write the backup outside PMQA_MEDIA_ROOT (%(media)s): the next backup would "
                "hold this one."
            )
            % {"media": storage.location}
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    members: dict[str, dict[str, Any]] = {}
    rows: dict[str, dict[str, Any]] = {}
    handle, part_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    part = Path(part_name)
    try:
        with (
            tempfile.TemporaryDirectory(prefix=".pmqa-backup-", dir=path.parent) as scratch,
            tarfile.open(part, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar,
        ):
            with read_snapshot(connection):
                migrations = migration_state(connection)
                for model in backed_up_models():
                    label = model._meta.label_lower
                    member = f"db/{label}.jsonl"
                    scratch_file = Path(scratch) / f"{label}.jsonl"
                    count = 0
                    with scratch_file.open("wb") as out:
                        for line in _dump_rows(model, using):
                            out.write(line)
                            count += 1
                    rows[label] = {
                        "member": member,
                        "rows": count,
                        "fields": [c.attname for c in columns(model)],
                    }
                    with scratch_file.open("rb") as source:
                        members[member] = _add(tar, member, source, now)
                    scratch_file.unlink()
                    if progress:
                        progress(label, count)
            # Read after the rows, so every file a row names is here (files are written
            # before their row and never changed).
            files = 0
            for name in stored_files(storage):
                with storage.open(name, "rb") as source:
                    members[f"media/{name}"] = _add(
                        tar, f"media/{name}", source, now, size=storage.size(name)
                    )
                files += 1
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created": now.isoformat(),
                "app_version": app_version(),
                "engine": connection.vendor,
                "migrations": migrations,
                "models": rows,
                "files": files,
                "members": members,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            _add(tar, MANIFEST, io.BytesIO(data), now)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    digest = hashlib.sha256()
    with path.open("rb") as written:
        for block in iter(lambda: written.read(COPY_BUFFER), b""):
            digest.update(block)
    return BackupResult(
        path=path,
        sha256=digest.hexdigest(),
        size=path.stat().st_size,
        rows={label: entry["rows"] for label, entry in rows.items()},
        files=files,
    )


def _add(
    tar: tarfile.TarFile,
    name: str,
    source: IO[bytes],
    now: datetime.datetime,
    *,
    size: int | None = None,
) -> dict[str, Any]:
    # The size goes in the member's header, before the content: measure, then stream.
    if size is None:
        size = source.seek(0, os.SEEK_END)
        source.seek(0)
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(now.timestamp()), 0o644
    hashing = _Hashing(source)
    tar.addfile(info, hashing)
    return {"sha256": hashing.digest.hexdigest(), "size": hashing.size}


# ---------------------------------------------------------------------------------------------
# Reading and checking


def _some(names: list[str], shown: int = 5) -> str:
    return ", ".join(names[:shown]) + (", …" if len(names) > shown else "")


def _safe_member(name: str) -> PurePosixPath | None:
    """The member's path when it stays inside the archive's own folders, else None."""
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or path.is_absolute()
        or any(part in {"", ".", ".."} for part in name.split("/"))
    ):
        return None
    if name == MANIFEST or (len(path.parts) >= 2 and path.parts[0] in {"db", "media"}):
        return path
    return None


def unpack(archive: Path, into: Path) -> dict[str, Any]:
    """Check every member of the archive against its manifest, extracting the rows and the
    manifest into a scratch folder (the files are only read: they are stored later, from the
    archive, so they need no room twice). Refuses links, devices, paths that leave the
    archive's folders, and any member that is missing, extra or not as the manifest says."""
    if not archive.is_file():
        raise BackupRefused(_("%(path)s is not a file.") % {"path": archive})
    found: dict[str, dict[str, Any]] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                path = _safe_member(member.name)
                if path is None or not member.isfile():
                    raise BackupRefused(
                        _(
                            "The archive holds “%(name)s”, which is not a plain file inside its "
                            "own folders; it was not made by pmqa backup. Nothing was restored."
                        )
                        % {"name": member.name}
                    )
                if member.name in found:
                    raise BackupRefused(
                        _("The archive holds “%(name)s” twice. Nothing was restored.")
                        % {"name": member.name}
                    )
                source = tar.extractfile(member)
                assert source is not None  # a regular file always has content
                hashing = _Hashing(source)
                if path.parts[0] == "media":
                    while hashing.read(COPY_BUFFER):
                        pass
                else:
                    target = into.joinpath(*path.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with target.open("wb") as out:
                        shutil.copyfileobj(hashing, out, COPY_BUFFER)
                found[member.name] = {"sha256": hashing.digest.hexdigest(), "size": hashing.size}
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise BackupRefused(
            _("The archive cannot be read (%(error)s); it is damaged or not a pmqa backup.")
            % {"error": error}
        ) from None
    if MANIFEST not in found:
        raise BackupRefused(_("The archive has no manifest.json; it is not a pmqa backup."))
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except ValueError:
        raise BackupRefused(_("The archive's manifest.json cannot be read.")) from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not all(isinstance(manifest.get(key), dict) for key in SECTIONS)
    ):
        raise BackupRefused(_("The archive's manifest.json is not a pmqa backup's."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(
            _(
                "The archive is in backup format %(found)s; this version of pmqa reads "
                "format %(known)s. Restore it with the version that made it (%(version)s)."
            )
            % {
                "found": manifest.get("format_version"),
                "known": FORMAT_VERSION,
                "version": manifest.get("app_version"),
            }
        )
    del found[MANIFEST]
    listed = manifest["members"]
    wrong = sorted(name for name in set(found) | set(listed) if found.get(name) != listed.get(name))
    if wrong:
        raise BackupRefused(
            _(
                "%(count)s members of the archive do not match its manifest (%(names)s): a "
                "checksum, a size or the member itself differs. The archive is damaged or was "
                "changed; use another copy. Nothing was restored."
            )
            % {"count": len(wrong), "names": _some(wrong)}
        )
    return manifest


def check_migrations(manifest: dict[str, Any], connection: BaseDatabaseWrapper) -> None:
    theirs, ours = manifest["migrations"], code_migrations(connection)
    if theirs == ours:
        return
    archive_only = sorted(
        f"{app}.{name}"
        for app, names in theirs.items()
        for name in names
        if name not in ours.get(app, [])
    )
    code_only = sorted(
        f"{app}.{name}"
        for app, names in ours.items()
        for name in names
        if name not in theirs.get(app, [])
    )
    raise BackupRefused(
        _(
            "The archive's database and this code have different migrations (only in the "
            "archive: %(archive)s; only in the code: %(code)s). Restore with the version that "
            "made it (%(version)s), then upgrade. Nothing was restored."
        )
        % {
            "archive": ", ".join(archive_only) or "-",
            "code": ", ".join(code_only) or "-",
            "version": manifest.get("app_version"),
        }
    )


def _models_of(manifest: dict[str, Any]) -> list[tuple[type[models.Model], dict[str, Any]]]:
    known = {model._meta.label_lower: model for model in backed_up_models()}
    found = []
    for label, entry in sorted(manifest["models"].items()):
        model = known.get(label)
        if (
            model is None
            or not isinstance(entry, dict)
            or entry.get("member") != f"db/{label}.jsonl"
            or entry.get("fields") != [c.attname for c in columns(model)]
        ):
            raise BackupRefused(
                _(
                    "The archive's table %(label)s does not match this code's. Restore with "
                    "the version that made it (%(version)s). Nothing was restored."
                )
                % {"label": label, "version": manifest.get("app_version")}
            )
        found.append((model, entry))
    return found


def rows_present(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows the database already holds, by model (content types and permissions, which every
    migrated database has, do not count)."""
    tables = set(connection.introspection.table_names())
    present = {}
    for model in backed_up_models():
        label = model._meta.label_lower
        if label in MERGED or model._meta.db_table not in tables:
            continue
        count = model._base_manager.using(connection.alias).count()
        if count:
            present[model._meta.label] = count
    return present


def _check_empty(connection: BaseDatabaseWrapper) -> None:
    present = rows_present(connection)
    if present:
        shown = sorted(present.items(), key=lambda item: -item[1])
        raise BackupRefused(
            _(
                "The database is not empty (rows of %(rows)s). A restore goes into a new, empty "
                "database: create one and point DATABASE_URL at it. Nothing was restored."
            )
            % {"rows": _some([f"{label}: {count}" for label, count in shown])}
        )


def _sha256_of(source: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: source.read(COPY_BUFFER), b""):
        digest.update(block)
    return digest.hexdigest()


def _files_to_place(manifest: dict[str, Any], storage: Storage) -> list[str]:
    """The archive's files the storage lacks; refuses when one is there with other content."""
    missing, clashing = [], []
    for member, entry in sorted(manifest["members"].items()):
        if not member.startswith("media/"):
            continue
        name = member.removeprefix("media/")
        if not storage.exists(name):
            missing.append(name)
            continue
        with storage.open(name, "rb") as existing:
            if _sha256_of(existing) != entry["sha256"]:
                clashing.append(name)
    if clashing:
        raise BackupRefused(
            _(
                "PMQA_MEDIA_ROOT already holds other files under the archive's names "
                "(%(names)s). Restore into an empty folder. Nothing was restored."
            )
            % {"names": _some(clashing)}
        )
    return missing


# ---------------------------------------------------------------------------------------------
# Restoring


def _json_lines(path: Path) -> Iterator[list[Any]]:
    with path.open("rb") as source:  # binary: only \n ends a line
        for line in source:
            yield json.loads(line)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _merge_reference_rows(
    scratch: Path, manifest: dict[str, Any], using: str
) -> dict[str, dict[Any, Any]]:
    """Content types and permissions of the archive, found or made on the target by natural
    key: old id → the target's id."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    ids: dict[str, dict[Any, Any]] = {CONTENT_TYPE: {}, PERMISSION: {}}
    entries = manifest["models"]
    if CONTENT_TYPE in entries:
        fields = entries[CONTENT_TYPE]["fields"]
        for values in _json_lines(scratch / entries[CONTENT_TYPE]["member"]):
            row = dict(zip(fields, values, strict=True))
            found, _created = ContentType.objects.db_manager(using).get_or_create(
                app_label=row["app_label"], model=row["model"]
            )
            ids[CONTENT_TYPE][row["id"]] = found.pk
        ContentType.objects.clear_cache()
    if PERMISSION in entries:
        fields = entries[PERMISSION]["fields"]
        for values in _json_lines(scratch / entries[PERMISSION]["member"]):
            row = dict(zip(fields, values, strict=True))
            found, _created = Permission.objects.db_manager(using).get_or_create(
                content_type_id=ids[CONTENT_TYPE][row["content_type_id"]],
                codename=row["codename"],
                defaults={"name": row["name"]},
            )
            ids[PERMISSION][row["id"]] = found.pk
    return ids


def _converter(
    column: models.Field[Any, Any],
    connection: BaseDatabaseWrapper,
    ids: dict[str, dict[Any, Any]],
) -> Callable[[Any], Any]:
    """JSON value → the parameter the database takes, through the field's own methods."""
    translated = None
    if column.is_relation and column.related_model is not None:
        translated = ids.get(column.related_model._meta.label_lower)
    json_null = isinstance(column, models.JSONField) and not column.null

    def convert(value: Any) -> Any:
        if value is None:
            # A JSON null in a column that cannot be SQL NULL.
            return connection.ops.adapt_json_value(None, column.encoder) if json_null else None
        if translated is not None:
            value = translated[value]
        return column.get_db_prep_save(column.to_python(value), connection)

    return convert


def _insert(
    model: type[models.Model],
    entry: dict[str, Any],
    scratch: Path,
    connection: BaseDatabaseWrapper,
    ids: dict[str, dict[Any, Any]],
) -> int:
    cols = columns(model)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  (names from the models)
        quote(model._meta.db_table),
        ", ".join(quote(c.column) for c in cols),
        ", ".join(["%s"] * len(cols)),
    )
    converters = [_converter(c, connection, ids) for c in cols]
    count = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(_json_lines(scratch / entry["member"]), CHUNK_ROWS):
            cursor.executemany(
                sql,
                [
                    [convert(v) for convert, v in zip(converters, values, strict=True)]
                    for values in chunk
                ],
            )
            count += len(chunk)
    return count


def _place_files(
    names: list[str], archive: Path, manifest: dict[str, Any], storage: Storage
) -> list[str]:
    """Store the archive's files the storage lacks, read again from the archive and checked
    again on the way; on any failure the files stored so far are taken away."""
    wanted = {f"media/{name}" for name in names}
    placed: list[str] = []
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name not in wanted:
                    continue
                name = member.name.removeprefix("media/")
                source = tar.extractfile(member)
                assert source is not None
                hashing = _Hashing(source)
                saved = storage.save(name, File(hashing, name=name))
                placed.append(saved)
                expected = manifest["members"][member.name]
                if saved != name or hashing.digest.hexdigest() != expected["sha256"]:
                    raise BackupRefused(
                        _("The file %(name)s could not be stored as the archive holds it.")
                        % {"name": name}
                    )
    except BaseException:
        _remove(placed, storage)
        raise
    return placed


def _remove(names: list[str], storage: Storage) -> None:
    for name in names:
        storage.delete(name)


def check_archive(archive: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Whether the archive is whole and fits this code; changes nothing."""
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="pmqa-restore-") as scratch:
        manifest = unpack(archive, Path(scratch))
    check_migrations(manifest, connection)
    _models_of(manifest)
    return manifest


def restore_backup(
    archive: Path,
    *,
    using: str = DEFAULT_DB_ALIAS,
    storage: Storage | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> RestoreResult:
    """Restore an archive into an empty database and the file storage. Every check comes
    first (the checksums, the migrations, an empty database, no clashing file); then the
    database is migrated if it is new, the files are stored, and the rows loaded in one
    transaction, whose failure takes the stored files away again."""
    storage = storage or default_storage
    connection = connections[using]
    _check_engine(connection)
    with tempfile.TemporaryDirectory(prefix="pmqa-restore-") as scratch_name:
        scratch = Path(scratch_name)
        manifest = unpack(archive, scratch)
        check_migrations(manifest, connection)
        to_load = _models_of(manifest)
        _check_empty(connection)
        names = _files_to_place(manifest, storage)
        result = RestoreResult(manifest=manifest)
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", database=using, interactive=False, verbosity=0)
            result.migrated = True
        placed = _place_files(names, archive, manifest, storage)
        try:
            with transaction.atomic(using=using):
                # Foreign keys are checked at commit on both engines (Django makes them
                # DEFERRABLE INITIALLY DEFERRED), so the tables load in any order.
                ids = _merge_reference_rows(scratch, manifest, using)
                loaded = []
                for model, entry in to_load:
                    label = model._meta.label_lower
                    if label in MERGED:
                        continue
                    count = _insert(model, entry, scratch, connection, ids)
                    if count != entry["rows"]:
                        raise BackupRefused(
                            _(
                                "The archive's %(label)s holds %(found)s rows where its "
                                "manifest says %(rows)s. Nothing was restored."
                            )
                            % {"label": label, "found": count, "rows": entry["rows"]}
                        )
                    result.rows[label] = count
                    loaded.append(model)
                    if progress:
                        progress(label, count)
                connection.check_constraints(table_names=[model._meta.db_table for model in loaded])
                # New rows take ids after the restored ones (PostgreSQL's sequences; SQLite
                # follows the largest id by itself).
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), loaded):
                        cursor.execute(sql)
        except BaseException:
            _remove(placed, storage)
            raise
        result.files = sum(1 for member in manifest["members"] if member.startswith("media/"))
    return result
