"""What audit entries are about, named as a person would name it ("จังหวัดนราธิวาส · ปีงบประมาณ
2570", not "assessment 453"): one query for each kind of object among the entries, however many
entries there are. The models are found by label, so that the audit app imports no other app."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from pmqa.audit.labels import people_in
from pmqa.audit.models import AuditEntry


@dataclass(frozen=True)
class Named:
    """An entry's object in words: the assessment it belongs to, if any (its trail has the
    entry), and what it is within that assessment, or by itself."""

    assessment: str = ""
    assessment_id: int | None = None
    detail: str = ""

    @property
    def text(self) -> str:
        return " · ".join(part for part in (self.assessment, self.detail) if part)


def _in(assessment: Any, detail: object = "") -> Named:
    return Named(str(assessment), assessment.pk, str(detail))


def _alone(detail: object) -> Named:
    return Named(detail=str(detail))


def _year(fiscal_year: object) -> str:
    return _("Fiscal year %(year)s") % {"year": fiscal_year}


_ASSESSMENT = ("organisation", "cycle")


def _of(path: str) -> tuple[str, ...]:
    return tuple(f"{path}__{field}" for field in _ASSESSMENT) + (path,)


@dataclass(frozen=True)
class Kind:
    model: str
    related: tuple[str, ...]
    name: Callable[[Any], Named]


KINDS: dict[str, Kind] = {
    "assessments.assessment": Kind("assessments.Assessment", _ASSESSMENT, _in),
    "assessments.evidence": Kind(
        "assessments.Evidence", _of("assessment"), lambda e: _in(e.assessment, e.label)
    ),
    "assessments.cycle": Kind("assessments.Cycle", (), _alone),
    "assessments.round": Kind("assessments.Round", ("cycle",), _alone),
    "assessments.windowextension": Kind(
        "assessments.WindowExtension",
        ("round__cycle", "organisation"),
        lambda x: _alone(f"{x.organisation} · {x.round}"),
    ),
    "reviews.review": Kind(
        "reviews.Review", (*_of("assessment"), "assessor"), lambda r: _in(r.assessment, r.assessor)
    ),
    "reviews.itemscore": Kind(
        "reviews.ItemScore",
        (*_of("review__assessment"), "review__assessor"),
        lambda s: _in(s.review.assessment, f"{s.item_code} · {s.review.assessor}"),
    ),
    "reviews.clarification": Kind(
        "reviews.Clarification", _of("assessment"), lambda c: _in(c.assessment, c.item_code)
    ),
    "reviews.consensusscore": Kind(
        "reviews.ConsensusScore", _of("assessment"), lambda c: _in(c.assessment, c.item_code)
    ),
    "reviews.applicationreport": Kind(
        "reviews.ApplicationReport", _of("assessment"), lambda r: _in(r.assessment)
    ),
    "reviews.round2score": Kind(
        "reviews.Round2Score",
        (*_of("assessment"), "assessor"),
        lambda r: _in(r.assessment, r.assessor),
    ),
    "feedback.feedback": Kind("feedback.Feedback", _of("assessment"), lambda f: _in(f.assessment)),
    "feedback.reportrevision": Kind(
        "feedback.ReportRevision",
        _of("feedback__assessment"),
        lambda r: _in(r.feedback.assessment, _("correction %(number)s") % {"number": r.number}),
    ),
    "criteria.edition": Kind("criteria.Edition", (), _alone),
    "evaluation.kpirulesetversion": Kind(
        "evaluation.KpiRuleSetVersion",
        (),
        lambda v: _alone(
            _("version %(number)s of fiscal year %(year)s")
            % {"number": v.number, "year": v.fiscal_year}
        ),
    ),
    "accounts.user": Kind("accounts.User", (), _alone),
    "accounts.membership": Kind("accounts.Membership", ("user", "organisation"), _alone),
    "accounts.apitoken": Kind(
        "accounts.ApiToken", ("user",), lambda t: _alone(f"{t.name} · {t.user}")
    ),
}
# Recorded under the app the rule sets lived in before they moved.
KINDS["dashboards.kpirulesetversion"] = KINDS["evaluation.kpirulesetversion"]

# What is named by its number alone: a year's files.
YEARS = {"kpi", "opendata"}


def name_objects(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Named]:
    """Each (object type, object id) named; one query per kind of object."""
    wanted: dict[str, set[str]] = defaultdict(set)
    named: dict[tuple[str, str], Named] = {}
    for object_type, object_id in pairs:
        if object_type in YEARS and object_id.isdigit():
            named[object_type, object_id] = _alone(_year(object_id))
        elif object_type in KINDS and object_id.isdigit():
            wanted[object_type].add(object_id)
    for object_type, ids in wanted.items():
        kind = KINDS[object_type]
        try:
            model: type[models.Model] = apps.get_model(kind.model)
        except LookupError:  # the app is not installed
            continue
        rows = model._default_manager.select_related(*kind.related).filter(pk__in=ids)
        for row in rows:
            named[object_type, str(row.pk)] = kind.name(row)
    return named


def name_of(found: dict[tuple[str, str], Named], object_type: str, object_id: str) -> Named | None:
    """The entry's object as `name_objects` found it; None for an entry about no one object
    (an export of the log, a failed login under a name no account has). An object no longer
    held (a role removed) keeps only its number."""
    if not object_id:
        return None
    named = found.get((object_type, object_id))
    if named is not None:
        return named
    if object_type in KINDS:
        return _alone(_("no. %(number)s, no longer held") % {"number": object_id})
    return _alone(object_id)


def name_entries(entries: Iterable[AuditEntry]) -> None:
    """Give each entry its `named` (see `name_of`)."""
    entries = list(entries)
    found = name_objects((e.object_type, e.object_id) for e in entries)
    for entry in entries:
        entry.named = name_of(found, entry.object_type, entry.object_id)  # type: ignore[attr-defined]


def people_of(entries: Iterable[AuditEntry]) -> dict[int, str]:
    """The names of the accounts the entries' old and new values hold by number (a team's
    lead and members, a role's holder), in one query."""
    numbers: set[int] = set()
    for entry in entries:
        numbers |= people_in(entry.old) | people_in(entry.new)
    if not numbers:
        return {}
    return {
        person.pk: str(person)
        for person in apps.get_model("accounts.User")._default_manager.filter(pk__in=numbers)
    }
