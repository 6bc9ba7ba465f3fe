"""What more than one test module builds or checks, in one place: people and their logins,
the agency's answers and evidence, an assessment taken through its steps, a Feedback Report
complete for its kind and how its texts print, a production environment, and what a database
holds. Test modules import from here, never from one another."""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import secrets
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook

from pmqa.accounts.models import Membership, Role, User
from pmqa.assessments import evidence as evidence_services
from pmqa.assessments import services as assessment_services
from pmqa.assessments.answers import criteria_tree
from pmqa.assessments.models import Answer, Round
from pmqa.assessments.profile import SECTIONS
from pmqa.criteria.models import Pillar
from pmqa.feedback import services as feedback_services
from pmqa.feedback.models import Feedback
from pmqa.organisations.models import Organisation
from pmqa.verification import services as review_services
from pmqa.verification import teams

ROOT = Path(__file__).resolve().parents[1]
PMQA = str(Path(sys.executable).with_name("pmqa"))
PASSWORD = "a-long-test-password"


# ---------------------------------------------------------------------------------------------
# People


def make_user(username, role, organisation=None, **extra):
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        full_name=username,
        **extra,
    )
    Membership.objects.create(
        user=user, role=role, organisation=organisation, starts_on=datetime.date(2020, 1, 1)
    )
    return user


def member_organisations(count):
    """`count` organisations that can be assessed (not ministries or clusters), the register's
    first, then generated departments when the register has fewer."""
    found = list(
        Organisation.objects.exclude(
            kind__in=(Organisation.Kind.MINISTRY, Organisation.Kind.PROVINCE_CLUSTER)
        ).order_by("code")[:count]
    )
    ministry = Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).first()
    for n in range(count - len(found)):
        found.append(
            Organisation.objects.create(
                code=f"ZZ-TEST-{n:04d}",
                kind=Organisation.Kind.DEPARTMENT,
                parent=ministry,
                name_th=f"หน่วยงานทดสอบ {n}",
            )
        )
    return found


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


# ---------------------------------------------------------------------------------------------
# The agency's answers and evidence


def item_url(assessment, code):
    return reverse("assessments:item", args=[assessment.pk, code])


def answer(assessment, key):
    return Answer.objects.get(assessment=assessment, key=key)


def narrative_post(version, text="ใช้แผนยุทธศาสตร์เป็นกรอบการทำงาน", **extra):
    data = {"version": str(version), "n-basic-approach": text}
    data.update(extra)
    return data


PROFILE_VALUES = {
    "mission": "รักษาความมั่นคงภายในราชอาณาจักร",
    "vision": "เป็นองค์กรหลักในการบูรณาการงานความมั่นคงภายใน",
    "values": "ยึดมั่นในหน้าที่ ทำงานเป็นทีม",
    "core_competencies": "การบูรณาการหน่วยงานในพื้นที่",
    "budget": "1250000",
    "budget_as_of": "2026-10-01",
    "headcount": "420",
    "headcount_as_of": "2026-10-01",
    "workforce": "ข้าราชการ ลูกจ้าง และพนักงานราชการ",
    "laws": "พระราชบัญญัติการรักษาความมั่นคงภายในราชอาณาจักร พ.ศ. 2551",
    "structure": "สำนักงานจังหวัดและหน่วยงานในพื้นที่",
    "competitive_environment": "ทำงานร่วมกับหน่วยงานความมั่นคงอื่น",
    "comparative_sources": "ข้อมูลจังหวัดใกล้เคียง",
    "advantage_mission": "เครือข่ายภาคประชาชน",
    "challenge_mission": "สถานการณ์ความไม่สงบ",
    "challenge_operations": "การบูรณาการข้อมูล",
    "improvement_system": "ทบทวนผลทุกไตรมาสด้วย PDCA",
}
GROUP_VALUES = {
    "services": [{"service": "บริการข้อมูล", "distinction": "ตอบได้ภายในวันเดียว"}],
    "customers": [{"group": "ประชาชนในพื้นที่", "requirements": "ความปลอดภัย"}],
    "stakeholders": [{"group": "ผู้นำศาสนา", "requirements": "การมีส่วนร่วม"}],
    "partners": [
        {"kind": "partner", "name": "ตำรวจภูธรจังหวัด", "role": "", "requirements": "ข้อมูลร่วม"}
    ],
}


def complete_assessment(assessment, by):
    for section in SECTIONS:
        data = {}
        for spec in section.fields:
            if spec.is_group:
                data[spec.key] = GROUP_VALUES[spec.key]
            else:
                data[spec.key] = PROFILE_VALUES.get(spec.key, "")
        row = answer(assessment, section.code)
        assessment_services.save_answer(answer=row, data=data, base_version=row.version, by=by)
    for row in Answer.objects.filter(assessment=assessment).exclude(kind="profile"):
        if row.kind == "process":
            data = {
                "ticks": {"basic": [1], "advance": [], "significance": []},
                "narrative": {
                    "basic": {
                        "approach": "มีแนวทางชัดเจน",
                        "deployment": "",
                        "learning": "",
                        "integration": "",
                    },
                    "advance": {
                        "approach": "",
                        "deployment": "",
                        "learning": "",
                        "integration": "",
                    },
                    "significance": {
                        "approach": "",
                        "deployment": "",
                        "learning": "",
                        "integration": "",
                    },
                },
                "evidence": [],
            }
        else:
            data = {
                "kpis": [
                    {
                        "name": "ร้อยละความพึงพอใจ",
                        "unit": "ร้อยละ",
                        "direction": "higher",
                        "values": {"2568": "70", "2569": "75", "2570": "80"},
                        "target": "80",
                        "comparison": "78",
                        "comparison_source": "จังหวัดใกล้เคียง",
                        "band": {
                            "0": "60",
                            "100": "",
                            "200": "",
                            "300": "",
                            "400": "",
                            "500": "85",
                        },
                    }
                ],
                "note": "",
                "evidence": [],
            }
        assessment_services.save_answer(answer=row, data=data, base_version=row.version, by=by)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(client, assessment, name, payload, label="แผนยุทธศาสตร์"):
    """A multipart body written by hand, so that the file name is sent exactly as given."""
    boundary = "pmqa-test-boundary"
    token = client.cookies["csrftoken"].value
    fields = {"csrfmiddlewaretoken": token, "label": label, "kind": "file"}
    body = (
        (
            "".join(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
                for key, value in fields.items()
            )
            + f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            + "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.generic(
        "POST",
        reverse("assessments:evidence", args=[assessment.pk]),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_X_CSRFTOKEN=token,
    )


# ---------------------------------------------------------------------------------------------
# An assessment taken through its steps


ITEMS = [f"{c}.{i}" for c in range(1, 7) for i in range(1, 5)] + [f"7.{i}" for i in range(1, 7)]


def score_every_item(review, edition, by):
    """Every item of the review scored through the services: the first basic checkpoint, or
    400 for a KPI, with a strength and an opportunity for improvement each."""
    items = {item.code: item for c in criteria_tree(edition) for item in c.items.all()}
    for code in ITEMS:
        given = review_services.ScoreInput(strengths=f"จุดแข็ง {code}", ofis=f"ควรพัฒนา {code}")
        if code.startswith("7."):
            given.kpi_scores = [Decimal(400)]
        else:
            given.ticks = {"basic": [1]}
        review_services.save_item_score(
            review=review, item=items[code], rule=edition.item_rule, given=given, by=by
        )


class Case:
    """One assessment of agency A taken through the services step by step."""

    def __init__(self, personas, work_a):
        self.p = personas
        self.assessment = work_a
        self.member = personas.assessor
        self.member_open = make_user(
            "assessor_open", Role.ASSESSOR, Organisation.objects.get(code="DEP-NESDC")
        )
        self.outsider = make_user(
            "assessor_out", Role.ASSESSOR, Organisation.objects.get(code="DEP-OCSC")
        )
        self.edition = work_a.cycle.edition
        self.tree = criteria_tree(self.edition)

    def refresh(self):
        self.assessment.refresh_from_db()
        return self.assessment

    # Each step takes the assessment from where it is: steps already taken are not repeated.

    def submitted(self):
        if self.refresh().status != "draft":
            return self.assessment
        complete_assessment(self.assessment, self.p.editor_a)
        self.evidence = evidence_services.add_evidence_link(
            assessment=self.assessment,
            url="https://example.org/plan",
            label="แผนยุทธศาสตร์",
            by=self.p.editor_a,
        )
        assessment_services.submit_assessment(assessment=self.assessment, by=self.p.approver_a)
        return self.refresh()

    def in_review(self):
        if self.submitted().status != "submitted":
            return self.assessment
        teams.assign_team(
            assessment=self.assessment,
            lead=self.p.lead,
            members=[self.member, self.member_open],
            by=self.p.admin,
        )
        self.clarification = review_services.ask(
            assessment=self.refresh(), item_code="1.1", question="ขอหลักฐานเพิ่ม", by=self.member
        )
        return self.refresh()

    def reviewed(self):
        if self.in_review().reviews.filter(submitted_at__isnull=False).exists():
            return self.assessment
        for question in self.assessment.clarifications.filter(answered_at__isnull=True):
            review_services.answer(clarification=question, text="แนบแล้ว", by=self.p.editor_a)
        for person in (self.member, self.p.lead):
            review = review_services.review_for(assessment=self.refresh(), assessor=person)
            score_every_item(review, self.edition, person)
            review_services.submit_review(review=review, codes=ITEMS, by=person)
        return self.refresh()

    def consensus(self):
        if self.reviewed().status not in ("in_review", "clarification"):
            return self.assessment
        items = [item for c in self.tree for item in c.items.all()]
        problems = review_services.set_consensus(
            assessment=self.assessment,
            items=items,
            given={code: (Decimal(350), "มติทีม") for code in ITEMS},
            by=self.p.lead,
        )
        assert problems == {}
        review_services.finalise_consensus(
            assessment=self.assessment, tree=self.tree, by=self.p.lead
        )
        return self.refresh()

    def approved(self):
        if self.consensus().status != "consensus":
            return self.assessment
        feedback = feedback_services.save_feedback(
            feedback=feedback_services.feedback_for(self.assessment),
            blocks={
                **complete_report_blocks(self.edition),
                ("item", "1.1", "ofi"): "ควรวัดผลการสื่อสาร",
            },
            themes=[],
            conclusion="ผ่านระดับพื้นฐาน",
            by=self.p.lead,
        )
        for action, who in (("submit", self.p.lead), ("approve", self.p.admin)):
            feedback_services.feedback_step(feedback=feedback, action=action, by=who)
        return self.refresh()

    def published(self):
        if self.approved().status != "report_approved":
            return self.assessment
        feedback_services.feedback_step(
            feedback=Feedback.objects.get(assessment=self.assessment),
            action="publish",
            by=self.p.admin,
        )
        return self.refresh()


def open_round2(cycle):
    today = datetime.date.today()
    Round.objects.create(
        cycle=cycle,
        number=2,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
    )


def complete_report_blocks(edition):
    """Every box the lead's page has, with a text: category and item strengths and
    opportunities for improvement, and each pillar; enough for either kind of report."""
    blocks = {}
    for category in criteria_tree(edition):
        for kind, word in (("strength", "จุดแข็ง"), ("ofi", "ควรพัฒนา")):
            blocks[("category", str(category.number), kind)] = f"{word}หมวด {category.number}"
            for item in category.items.all():
                if kind == "ofi":
                    blocks[("item", item.code, kind)] = f"{word}ข้อ {item.code}"
    for pillar in Pillar.objects.filter(edition=edition):
        blocks[("pillar", pillar.code, "achievement")] = f"ผลงาน {pillar.code}"
    return blocks


# ---------------------------------------------------------------------------------------------
# What a Feedback Report prints


def pdf_text(data: bytes) -> str:
    """The PDF's text layer in content order, as poppler reads it (it honours /ActualText,
    as copy and paste does)."""
    assert data.startswith(b"%PDF-")
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def squash(text: str) -> str:
    # Line breaks fall wherever the page wraps; compare without any whitespace.
    return re.sub(r"\s+", "", text)


class _Outline(HTMLParser):
    """The report's <main> as a list of (heading level or 0 for text, text, table column)."""

    def __init__(self):
        super().__init__()
        self.events, self.level, self.column, self.buffer, self.inside = [], 0, -1, [], False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.inside = True
        if tag == "tr":
            self.column = -1
        if tag in ("td", "th"):
            self.column += 1
        if re.fullmatch(r"h[1-5]", tag) or tag in ("p", "td", "th"):
            self._flush()
            self.level = int(tag[1]) if tag.startswith("h") else 0

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-5]", tag) or tag in ("p", "td", "th"):
            self._flush()
            self.level = 0

    def handle_data(self, data):
        if self.inside:
            self.buffer.append(data)

    def _flush(self):
        text = re.sub(r"\s+", " ", "".join(self.buffer)).strip()
        if text:
            self.events.append((self.level, text, self.column))
        self.buffer = []


def outline(html: str) -> list[tuple[int, str, int]]:
    parser = _Outline()
    parser.feed(html)
    parser._flush()
    return parser.events


def headings_with_nothing_under_them(events) -> list[str]:
    empty = []
    for index, (level, text, _column) in enumerate(events):
        if not level:
            continue
        following = events[index + 1 :]
        end = next((i for i, e in enumerate(following) if e[0] and e[0] <= level), len(following))
        if not any(e[0] == 0 for e in following[:end]):
            empty.append(text)
    return empty


def assert_each_text_once_under_its_heading(assessment, strengths, ofis, others):
    """In both layouts, in the HTML, in pdftotext of the PDF and in the workbook: each text
    exactly once; each strength and opportunity under its own heading (full layout: the
    nearest heading of a kind above it; short layout: its column); no empty heading."""
    from django.utils.html import strip_tags

    from pmqa.lib.pdf import PdfPrinter
    from pmqa.reports.builders import build
    from pmqa.reports.render import render_html
    from pmqa.reports.xlsx import build_workbook

    with PdfPrinter() as printer:
        for layout in ("full", "short"):
            data = build(assessment, layout)
            words = data.words
            kinds = (words.strengths_heading, words.ofis_heading)
            html = render_html(data, for_print=True)
            events = outline(html)
            assert headings_with_nothing_under_them(events) == [], layout
            page = re.sub(r"\s+", "", strip_tags(html))
            pdf = squash(pdf_text(printer.print(html)))
            for text in strengths + ofis + others:
                assert page.count(squash(text)) == 1, (layout, text)
                assert pdf.count(squash(text)) == 1, (layout, text)
            columns = [
                k for k, has in zip(kinds, (data.has_strengths, data.has_ofis), strict=True) if has
            ]
            for text in strengths + ofis:
                wanted = words.strengths_heading if text in strengths else words.ofis_heading
                at = next(i for i, e in enumerate(events) if squash(text) in squash(e[1]))
                if layout == "short":
                    assert events[at][2] == 1 + columns.index(wanted), (layout, text)
                else:
                    above = [
                        e[1]
                        for e in events[:at]
                        if e[0] and any(squash(k) == squash(e[1]) for k in kinds)
                    ]
                    assert above and squash(above[-1]) == squash(wanted), (layout, text)
            book = load_workbook(io.BytesIO(build_workbook(data, None)))
            rows = list(book["จุดแข็งและข้อเสนอแนะ"].iter_rows(min_row=2, values_only=True))
            for text in strengths + ofis:
                found = [r for r in rows if r[4] == text]
                wanted = words.strengths_heading if text in strengths else words.ofis_heading
                assert len(found) == 1 and found[0][2] == wanted, (layout, text)
            for text in others:
                assert sum(squash(text) in squash(str(r[1]) + str(r[4])) for r in rows) == 1, (
                    layout,
                    text,
                )


# ---------------------------------------------------------------------------------------------
# A production installation


GOOD_KEY = secrets.token_urlsafe(50)


def production_env(tmp_path, **env):
    """A new shell's environment with a production configuration, nothing from .env."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PMQA_", "DATABASE_URL"))}
    return base | {
        "PMQA_ENV_FILE": "",
        "PMQA_SECRET_KEY": GOOD_KEY,
        "PMQA_ALLOWED_HOSTS": "pmqa.example.go.th",
        "PMQA_SITE_URL": "https://pmqa.example.go.th",
        "DATABASE_URL": f"sqlite:///{tmp_path}/pmqa.sqlite3",
        "PMQA_MEDIA_ROOT": str(tmp_path / "media"),
        "PMQA_STATIC_ROOT": str(tmp_path / "static"),
        **env,
    }


# ---------------------------------------------------------------------------------------------
# What a database holds


def database_contents() -> dict[str, list[dict]]:
    """Every row of every table as JSON values. Content types and permissions are given by
    name, since a migrated database numbers them itself; sessions are not backed up."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    types = {t.pk: f"{t.app_label}.{t.model}" for t in ContentType.objects.all()}
    permissions = {
        p.pk: f"{types[p.content_type_id]}.{p.codename}" for p in Permission.objects.all()
    }
    contents = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower == "sessions.session":
            continue
        renumbered = model in (ContentType, Permission)
        rows = []
        for values in model._base_manager.order_by("pk").values():
            row = {}
            for column in meta.concrete_fields:
                value = values[column.attname]
                if renumbered and column.primary_key:
                    continue
                if value is not None and column.related_model is ContentType:
                    value = types[value]
                elif value is not None and column.related_model is Permission:
                    value = permissions[value]
                row[column.attname] = value
            rows.append(row)
        contents[meta.label_lower] = json.loads(json.dumps(rows, default=str, sort_keys=True))
        if renumbered:
            contents[meta.label_lower].sort(key=lambda row: json.dumps(row, sort_keys=True))
    return contents
