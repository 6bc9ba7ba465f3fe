"""The data administration pages (Django admin) as a Thai administrator reads them: every
registered model's change list and forms in Thai, whoever's app it is (ours, Django's,
django-axes', django-tasks-db's), dates in B.E. where they are shown and typed."""

from __future__ import annotations

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pmqa.accounts.models import Membership, Role
from pmqa.assessments.models import ScoreSnapshot
from pmqa.audit.models import AuditEntry
from pmqa.feedback.models import Feedback
from pmqa.lib.admin import ThaiAdmin
from tests.builders import login

# Words that stay as they are in Thai text: names of things, not words of the interface (keys
# of a keyboard, the PMQA levels' official names, the report's name as OPDC prints it).
NAMES = {
    *("PMQA", "API", "PDF", "Excel", "JSON", "CSV", "SHA", "IP", "HTTP", "GET", "POST"),
    *("SSO", "LDAP", "Control", "Command", "Mac"),
    *("Basic", "Advance", "Significance", "Feedback", "Report"),
}
# Data a change list offers to filter by: the addresses of login pages, the queue's name.
DATA = {"/accounts/login/", "default"}
# Django writes its search box's icon text untranslated (admin/search_form.html: alt="Search");
# only a copy of that template could say it in Thai.
UNTRANSLATABLE = {"Search"}
GREGORIAN = re.compile(
    r"(มกราคม|กุมภาพันธ์|มีนาคม|เมษายน|พฤษภาคม|มิถุนายน|กรกฎาคม|สิงหาคม|กันยายน|ตุลาคม|"
    r"พฤศจิกายน|ธันวาคม|ม\.ค\.|ก\.พ\.|มี\.ค\.|เม\.ย\.|พ\.ค\.|มิ\.ย\.|ก\.ค\.|ส\.ค\.|ก\.ย\.|"
    r"ต\.ค\.|พ\.ย\.|ธ\.ค\.)\s*(19|20)\d\d\b|\b(19|20)\d\d-\d\d-\d\d\b"
)


class Words(HTMLParser):
    """A page's text in two parts: the interface's own words (headings, labels, help, buttons,
    filters, column heads) and the data it shows (table cells, read-only values, choices)."""

    DATA_TAGS = {"td", "option", "textarea", "bdi"}
    DATA_CLASSES = {"readonly", "inline_label", "field-__str__"}
    SKIPPED = {"script", "style", "title"}
    VOID = {"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, set[str], str]] = []
        self.interface: list[str] = []
        self.data: list[str] = []

    # Words in attributes that a person sees or hears: a box's hint, a tooltip, a label read
    # out, a button's words.
    SAID = ("placeholder", "title", "aria-label", "alt")

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        for name in self.SAID:
            if found.get(name):
                # A row's box is labelled with the row itself: "เลือกรายการนี้… - <row>".
                self.interface.append(found[name].split(" - ")[0])
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.interface.append(found["value"])
        if tag in self.VOID:
            return
        self.stack.append((tag, set((found.get("class") or "").split()), found.get("id") or ""))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, text: str) -> None:
        text = text.strip()
        if not text or any(tag in self.SKIPPED for tag, _c, _i in self.stack):
            return
        tags = [tag for tag, _c, _i in self.stack]
        classes = set().union(*(c for _t, c, _i in self.stack)) if self.stack else set()
        ids = {i for _t, _c, i in self.stack}
        in_results = "result_list" in ids and "tbody" in tags
        greeting = "user-tools" in ids and tags[-1] == "strong"  # the administrator's name
        # The change form's subtitle and the breadcrumbs' last step name the row itself.
        subtitle = tags[-1:] == ["h2"] and self.stack[-2:-1] and self.stack[-2][2] == "content"
        if (
            set(tags) & self.DATA_TAGS
            or classes & self.DATA_CLASSES
            or in_results
            or greeting
            or subtitle
            or "breadcrumbs" in classes
        ):
            self.data.append(text)
        else:
            self.interface.append(text)


def english(texts: list[str]) -> list[str]:
    """The texts with a word of English (a command in `backticks` is a name)."""
    return [
        text
        for text in texts
        if text not in DATA | UNTRANSLATABLE
        and any(
            word not in NAMES for word in re.findall(r"[A-Za-z]{2,}", re.sub(r"`[^`]*`", "", text))
        )
    ]


def read(client, url: str) -> Words:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    words = Words()
    words.feed(response.content.decode())
    return words


@pytest.fixture
def everything(personas, case):
    """A row of every model the administrators see."""
    case.published()
    Group.objects.create(name="ผู้ดูแลข้อมูลหน่วยงาน").permissions.set(
        Permission.objects.filter(codename__in=["view_organisation", "change_organisation"])
    )
    common = {
        "username": "editor_a",
        "ip_address": "10.0.0.9",
        "user_agent": "Mozilla/5.0",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }
    AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=2)
    AccessFailureLog.objects.create(**common, locked_out=True)
    AccessLog.objects.create(**common, logout_time=timezone.now())
    now = timezone.now()
    DBTaskResult.objects.create(
        status="SUCCESSFUL",
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="pmqa.reports.tasks.store_published_report",
        backend_name="default",
        run_after=now,
        started_at=now,
        finished_at=now,
        return_value=["pdf"],
    )
    return case


def pages(administrator):
    """Every page an administrator reaches from the index: each model's change list, the form
    of one of its rows and, where rows may be added, the empty form."""
    found = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        name = f"admin:{meta.app_label}_{meta.model_name}"
        found.append(reverse(f"{name}_changelist"))
        row = model._default_manager.order_by("pk").last()
        assert row is not None, f"no {meta.label} to open"
        found.append(reverse(f"{name}_change", args=[row.pk]))
        request = RequestFactory().get("/")
        request.user = administrator
        if model_admin.has_add_permission(request):
            found.append(reverse(f"{name}_add"))
    return found


def test_every_admin_page_reads_in_thai(client, personas, everything):
    login(client, personas.admin)
    seen = {}
    for url in pages(personas.admin):
        words = read(client, url)
        left = english(words.interface) + [t for t in words.data if t == "None"]
        if left:
            seen[url] = left
    assert seen == {}


def test_permissions_are_named_in_thai(client, personas):
    """A permission reads "app | model | what it allows", all three in Thai, whichever app."""
    login(client, personas.admin)
    page = client.get(reverse("admin:accounts_user_change", args=[personas.editor_a.pk]))
    options = re.search(
        r'<select name="user_permissions".*?</select>', page.content.decode(), re.S
    ).group(0)
    names = re.findall(r"<option[^>]*>([^<]*)</option>", options)
    assert len(names) == Permission.objects.count()
    assert english(names) == []
    assert "การประเมิน | การประเมิน | ดูได้" in names


def test_every_date_shown_is_a_be_date(client, personas, everything):
    login(client, personas.admin)
    for url in pages(personas.admin):
        words = read(client, url)
        gregorian = [t for t in words.data + words.interface if GREGORIAN.search(t)]
        assert gregorian == [], url


def test_the_index_names_every_app_and_model_in_thai(client, personas, everything):
    login(client, personas.admin)
    text = " ".join(read(client, reverse("admin:index")).interface)
    for name in (
        "ความปลอดภัยในการเข้าสู่ระบบ",
        "การพยายามเข้าสู่ระบบ",
        "งานเบื้องหลัง",
        "ผลของงานเบื้องหลัง",
    ):
        assert name in text
    assert "Axes" not in text and "Tasks Database Backend" not in text


def test_every_registered_admin_shows_dates_in_be():
    """A new admin is Thai too: every registered admin and inline mixes in ThaiAdmin."""
    for model_admin in admin.site._registry.values():
        assert isinstance(model_admin, ThaiAdmin), type(model_admin)
        for inline in model_admin.inlines:
            assert issubclass(inline, ThaiAdmin), inline


def test_a_role_is_given_with_be_dates_and_a_wrong_date_is_refused_in_thai(client, personas):
    login(client, personas.admin)
    add = reverse("admin:accounts_membership_add")
    form = client.get(add).content.decode()
    assert "วว/ดด/ปปปป (พ.ศ.)" in form
    refused = client.post(
        add,
        {"user": personas.editor_b.pk, "role": Role.ASSESSOR, "starts_on": "01/10/2025"},
    )
    assert refused.status_code == 200
    assert "ปี 2025 ไม่ใช่ปีพุทธศักราช กรุณากรอกปีเป็น พ.ศ." in refused.content.decode()
    given = client.post(
        add,
        {"user": personas.editor_b.pk, "role": Role.ASSESSOR, "starts_on": "1 ต.ค. 2568"},
    )
    assert given.status_code == 302
    membership = Membership.objects.get(user=personas.editor_b, role=Role.ASSESSOR)
    assert membership.starts_on == datetime.date(2025, 10, 1)
    change = client.get(reverse("admin:accounts_membership_change", args=[membership.pk]))
    assert 'value="01/10/2568"' in change.content.decode()
    listed = read(client, reverse("admin:accounts_membership_changelist"))
    assert "1 ต.ค. 2568" in listed.data


def test_times_are_shown_in_thailand_time_not_typed(client, personas):
    joined = datetime.datetime(2025, 11, 26, 17, 30, tzinfo=datetime.UTC)
    type(personas.editor_a).objects.filter(pk=personas.editor_a.pk).update(date_joined=joined)
    login(client, personas.admin)
    page = read(client, reverse("admin:accounts_user_change", args=[personas.editor_a.pk]))
    assert "27 พ.ย. 2568 00:30" in page.data
    html = client.get(reverse("admin:accounts_user_change", args=[personas.editor_a.pk]))
    assert 'name="date_joined"' not in html.content.decode()


def test_records_read_in_words_not_codes(client, personas, everything):
    login(client, personas.admin)
    snapshot = ScoreSnapshot.objects.filter(assessment=everything.assessment).last()
    page = read(client, reverse("admin:assessments_scoresnapshot_change", args=[snapshot.pk]))
    assert "ยังไม่ผ่านระดับพื้นฐาน" in page.data and "below_basic" not in page.data, page.data
    assert any(text.startswith("หมวด 1: ") for text in page.data), page.data
    feedback = read(client, reverse("admin:feedback_feedback_changelist"))
    assert "เผยแพร่แล้ว" in feedback.data and "published" not in feedback.data
    entries = read(client, reverse("admin:audit_auditentry_changelist"))
    assert "เผยแพร่รายงาน" in entries.data
    assert "จังหวัดนราธิวาส · ปีงบประมาณ 2570" in entries.data
    assert not any(re.fullmatch(r"[a-z_]+\.[a-z_.]+", text) for text in entries.data)
    entry = AuditEntry.objects.filter(action="assessment.team").get()
    one = read(client, reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert "กำหนดทีมผู้ตรวจประเมิน" in one.data
    assert any(text.startswith("หัวหน้าทีม: lead_1") for text in one.data), one.data
    attempts = read(client, reverse("admin:axes_accessattempt_changelist"))
    assert "ลองได้อีก 3 ครั้ง" in attempts.data, attempts.data
    tasks = read(client, reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    assert "พิมพ์และจัดเก็บรายงานที่เผยแพร่" in tasks.data and "สำเร็จ" in tasks.data
    groups = client.get(reverse("admin:auth_group_change", args=[Group.objects.get().pk]))
    assert "หน่วยงาน | หน่วยงาน | แก้ไขได้" in groups.content.decode()
    assert Feedback.objects.exists()


def test_the_change_lists_read_the_same_queries_for_more_rows(
    client, personas, everything, django_assert_max_num_queries
):
    """The audit entries' page names what each is about in one query per kind of object."""
    login(client, personas.admin)
    url = reverse("admin:audit_auditentry_changelist")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(url, {"action": "auth.login"})
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url, {"action": "review.item"})


def test_the_admins_scripts_speak_thai(client, personas):
    # The choosers of groups and permissions, from the scripts' own catalogue.
    login(client, personas.admin)
    catalogue = client.get("/admin/jsi18n/").content.decode()
    # Written as JSON, which may escape the Thai letters.
    assert "%s ที่มีอยู่" in catalogue or json.dumps("%s ที่มีอยู่")[1:-1] in catalogue


def test_a_history_shows_be_dates_and_the_search_icon_speaks_thai(client, personas):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    LogEntry.objects.create(
        user=personas.admin,
        content_type=ContentType.objects.get_for_model(type(personas.editor_a)),
        object_id=str(personas.editor_a.pk),
        object_repr=str(personas.editor_a),
        action_flag=CHANGE,
        change_message="[]",
    )
    login(client, personas.admin)
    url = reverse("admin:accounts_user_history", args=[personas.editor_a.pk])
    history = client.get(url).content.decode()
    this_year = timezone.localdate().year
    assert str(this_year + 543) in history and f", {this_year}," not in history
    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert 'alt="ค้นหา"' in listing
