"""The "my data" download: one zip holding the data for computers (JSON, its keys and ISO times
as they have always been) and the same data to read, a page in Thai with B.E. dates and
Thailand's time, for the person and for whoever audits the answer to their request."""

from __future__ import annotations

import base64
import datetime
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmqa.accounts.models import Role, User
from pmqa.audit.labels import action_label, object_label
from pmqa.audit.names import name_objects, name_of
from pmqa.lib.fonts import fontpkg_sarabun_files
from pmqa.lib.thai import format_date_be
from pmqa.notifications.models import Delivery, Kind
from pmqa.organisations.models import Organisation

JSON_NAME = "personal-data.json"
PAGE_NAME = "personal-data.html"

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def when(value: object) -> str | None:
    """An ISO date as a B.E. date, an ISO time as a B.E. date and Thailand's time; else None."""
    if not isinstance(value, str):
        return None
    try:
        if _ISO_DAY.match(value):
            return format_date_be(datetime.date.fromisoformat(value))
        if _ISO_TIME.match(value):
            moment = timezone.localtime(datetime.datetime.fromisoformat(value))
            return _("%(day)s at %(time)s") % {
                "day": format_date_be(moment.date()),
                "time": f"{moment:%H:%M:%S}",
            }
    except ValueError:
        return None
    return None


@dataclass
class Words:
    """What the codes and numbers of the data say, looked up once for the whole file."""

    organisations: dict[str, str] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)
    objects: dict[tuple[str, str], Any] = field(default_factory=dict)

    @classmethod
    def for_data(cls, data: dict[str, Any]) -> Words:
        codes = {
            row.get("organisation")
            for rows in data.values()
            if isinstance(rows, list)
            for row in rows
            if isinstance(row, dict)
        } - {None}
        people = {row.get("by") for row in data["about_the_account"]} - {None}
        pairs = [tuple(row["object"].split(":", 1)) for row in data["activity"]]
        return cls(
            organisations={o.code: o.name for o in Organisation.objects.filter(code__in=codes)},
            people={person.pk: str(person) for person in User.objects.filter(pk__in=people)},
            objects=name_objects(p for p in pairs if len(p) == 2),
        )

    def organisation(self, code: object) -> str:
        return self.organisations.get(str(code), str(code)) if code else ""

    def person(self, number: object) -> str:
        return self.people.get(number, str(number)) if isinstance(number, int) else ""

    def object(self, text: object) -> str:
        object_type, _sep, object_id = str(text).partition(":")
        named = name_of(self.objects, object_type, object_id)
        about = object_label(object_type)
        return f"{about}: {named.text}" if named else about


def _yes_no(value: object) -> str:
    return _("yes") if value else _("no")


def _choice(choices: Any) -> Callable[[object], str]:
    labels = dict(choices.choices)
    return lambda value: str(labels.get(value, value))


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy text
    show: Callable[[Words, object], str] | None = None


ASSESSMENT = (
    Column("fiscal_year", gettext_lazy("Fiscal year")),
    Column("organisation", gettext_lazy("Organisation"), Words.organisation),
)


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    columns: tuple[Column, ...]
    # A section that is one record (the account): a row per column, not a column.
    one: bool = False


SECTIONS = (
    Section(
        "account",
        gettext_lazy("Your account"),
        (
            Column("username", gettext_lazy("User name")),
            Column("full_name", gettext_lazy("Full name")),
            Column("first_name", gettext_lazy("First name")),
            Column("last_name", gettext_lazy("Last name")),
            Column("email", gettext_lazy("E-mail address")),
            Column("active", gettext_lazy("Account can be used"), lambda w, v: _yes_no(v)),
            Column("joined", gettext_lazy("Account made on")),
            Column("last_login", gettext_lazy("Last logged in on")),
        ),
        one=True,
    ),
    Section(
        "roles",
        gettext_lazy("Your roles"),
        (
            Column("role", gettext_lazy("Role"), lambda w, v: _choice(Role)(v)),
            Column("organisation", gettext_lazy("Organisation"), Words.organisation),
            Column("from", gettext_lazy("From")),
            Column("until", gettext_lazy("Until")),
        ),
    ),
    Section(
        "answers_saved",
        gettext_lazy("Answers you saved"),
        (
            *ASSESSMENT,
            Column("part", gettext_lazy("Part")),
            Column("version", gettext_lazy("Version")),
            Column("saved_at", gettext_lazy("Saved")),
        ),
    ),
    Section(
        "evidence_added",
        gettext_lazy("Evidence you added"),
        (
            *ASSESSMENT,
            Column("label", gettext_lazy("Evidence")),
            Column("file", gettext_lazy("File")),
            Column("at", gettext_lazy("Added")),
        ),
    ),
    Section(
        "assessor_teams",
        gettext_lazy("Assessor teams you are on"),
        (*ASSESSMENT, Column("lead", gettext_lazy("Team lead"), lambda w, v: _yes_no(v))),
    ),
    Section(
        "reviews",
        gettext_lazy("Your reviews"),
        (*ASSESSMENT, Column("submitted_at", gettext_lazy("Submitted on"))),
    ),
    Section(
        "questions_asked",
        gettext_lazy("Questions you asked"),
        (
            *ASSESSMENT,
            Column("item", gettext_lazy("Item")),
            Column("asked_at", gettext_lazy("Asked on")),
        ),
    ),
    Section(
        "notifications",
        gettext_lazy("Notifications to you"),
        (
            Column("at", gettext_lazy("When")),
            Column("subject", gettext_lazy("Subject")),
            Column("read_at", gettext_lazy("Read on")),
        ),
    ),
    Section(
        "notification_choices",
        gettext_lazy("How you chose to be told"),
        (
            Column("kind", gettext_lazy("Notification"), lambda w, v: _choice(Kind)(v)),
            Column("delivery", gettext_lazy("How"), lambda w, v: _choice(Delivery)(v)),
        ),
    ),
    Section(
        "activity",
        gettext_lazy("What you did (the audit trail)"),
        (
            Column("at", gettext_lazy("When")),
            Column("action", gettext_lazy("Action"), lambda w, v: action_label(str(v))),
            Column("object", gettext_lazy("About"), Words.object),
            Column("address", gettext_lazy("Address")),
        ),
    ),
    Section(
        "about_the_account",
        gettext_lazy("What others did to your account, and failed logins under your name"),
        (
            Column("at", gettext_lazy("When")),
            Column("action", gettext_lazy("Action"), lambda w, v: action_label(str(v))),
            Column("by", gettext_lazy("By"), Words.person),
            Column("address", gettext_lazy("Address")),
        ),
    ),
    Section(
        "api_tokens",
        gettext_lazy("Your API tokens"),
        (
            Column("name", gettext_lazy("Name")),
            Column("prefix", gettext_lazy("Starts with")),
            Column("created_at", gettext_lazy("Made")),
            Column("revoked_at", gettext_lazy("Revoked on")),
        ),
    ),
    Section(
        "two_factor_devices",
        gettext_lazy("Your two-factor authentication apps"),
        (
            Column("name", gettext_lazy("Name")),
            Column("confirmed", gettext_lazy("Set up"), lambda w, v: _yes_no(v)),
        ),
    ),
    Section(
        "e_mails_sent_to_you",
        gettext_lazy("E-mails sent to you"),
        (
            Column("subject", gettext_lazy("Subject")),
            Column("queued", gettext_lazy("Queued on")),
            Column("sent", gettext_lazy("Sent on")),
        ),
    ),
)


def _cell(words: Words, column: Column, value: object) -> str:
    if value is None or value == "":
        return "—"
    if column.show is not None:
        return column.show(words, value) or "—"
    return when(value) or str(value)


@dataclass
class Table:
    title: str
    headings: list[str]
    rows: list[list[str]]


def tables(data: dict[str, Any]) -> list[Table]:
    """The data as the page shows it: a table per section, every code and time in words."""
    words = Words.for_data(data)
    shown = []
    for section in SECTIONS:
        value = data[section.key]
        if section.one:
            rows = [[str(c.label), _cell(words, c, value.get(c.key))] for c in section.columns]
            shown.append(Table(str(section.title), [], rows))
            continue
        if isinstance(value, dict):  # the notification choices: kind → delivery
            value = [{"kind": kind, "delivery": how} for kind, how in value.items()]
        shown.append(
            Table(
                str(section.title),
                [str(c.label) for c in section.columns],
                [[_cell(words, c, row.get(c.key)) for c in section.columns] for row in value],
            )
        )
    return shown


@lru_cache(maxsize=2)
def _font(name: str) -> str:
    """Sarabun, embedded: the page reads the same on a machine without a Thai font."""
    data = (fontpkg_sarabun_files() / name).read_bytes()
    return "data:font/ttf;base64," + base64.b64encode(data).decode("ascii")


def archive(user: User, data: dict[str, Any]) -> bytes:
    """The zip a person downloads: the page to read and the JSON, made from the same data."""
    page = render_to_string(
        "privacy/my_data_file.html",
        {
            "person": user,
            "exported": when(data["exported_at"]),
            "tables": tables(data),
            "json_name": JSON_NAME,
            "operator": settings.PMQA_PRIVACY_OPERATOR,
            "contact": settings.PMQA_PRIVACY_CONTACT,
            "font_regular": _font("Sarabun-Regular.ttf"),
            "font_bold": _font("Sarabun-Bold.ttf"),
        },
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(PAGE_NAME, page)
        zipped.writestr(JSON_NAME, json.dumps(data, ensure_ascii=False, indent=2))
    return out.getvalue()
