"""What every workspace page shares: the assessment loaded once, its criteria, its pages in
order, and files served from our origin."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from pmqa.accounts.roles import request_access
from pmqa.assessments import answers as content
from pmqa.assessments import policy, services, windows, workflow
from pmqa.assessments.models import (
    Answer,
    Assessment,
    Evidence,
)
from pmqa.assessments.profile import SECTIONS, SECTIONS_BY_CODE
from pmqa.criteria.models import Category, Item


class CriteriaOf:
    """The criteria tree of `self.assessment`'s edition, loaded once per page."""

    assessment: Assessment

    @cached_property
    def tree(self) -> list[Category]:
        return content.criteria_tree(self.assessment.cycle.edition)

    @cached_property
    def items(self) -> dict[str, Item]:
        return {item.code: item for category in self.tree for item in category.items.all()}


@dataclass
class Workspace(CriteriaOf):
    """One assessment as the workspace pages need it, loaded in a fixed number of queries."""

    request: HttpRequest
    assessment: Assessment

    def _answer_rows(self) -> QuerySet[Answer]:
        # Ordered by their own columns: the model's ordering starts with the assessment, whose
        # own (fiscal year, organisation name) would join three tables to sort one's answers.
        return self.assessment.answers.order_by("kind", "key")

    @cached_property
    def answers(self) -> dict[str, Answer]:
        answers = {answer.key: answer for answer in self._answer_rows()}
        if len(answers) < len(SECTIONS) + len(self.items):
            # Assessments made before the workspace existed: their empty rows are stored by the
            # first save, and shown unsaved until then (a GET writes nothing).
            if self.request.method == "POST":
                services.ensure_answers(assessment=self.assessment)
                return {answer.key: answer for answer in self._answer_rows()}
            for kind, key in services.answer_keys(self.assessment):
                answers.setdefault(key, Answer(assessment=self.assessment, kind=kind, key=key))
        return answers

    @cached_property
    def window(self) -> windows.Window:
        return windows.window_for(self.assessment)

    @cached_property
    def access(self):  # type: ignore[no-untyped-def]
        return request_access(self.request)

    @cached_property
    def standing(self) -> policy.Standing:
        return policy.standing(self.request, self.assessment)

    @cached_property
    def actions(self) -> frozenset[str]:
        """What this person may do now, from the action table: the pages' buttons."""
        return workflow.allowed_actions(self.assessment, self.standing)

    @property
    def may_edit_org(self) -> bool:
        return self.standing.has(policy.EDIT)

    @property
    def readonly_reason(self) -> str:
        if "answer.edit" in self.actions:
            return ""
        if not self.may_edit_org:
            return _("You are viewing this assessment; only the agency's editors change it.")
        if not workflow.status_allows(self.assessment, "answer.edit"):
            return _(
                "This assessment has been submitted and its answers are frozen. An "
                "administrator can reopen it with a reason."
            )
        return self.window.message

    @property
    def can_edit(self) -> bool:
        return not self.readonly_reason

    @cached_property
    def evidence(self) -> list[Evidence]:
        return list(self.assessment.evidence.order_by("label"))  # no join, as above

    def figures(self, override: dict[str, dict[str, Any]] | None = None) -> content.Figures:
        """The live figures; only items in `override` (being saved) and items not scored
        before in this process are scored now."""
        override = override or {}
        contents = {key: answer.data for key, answer in self.answers.items()}
        contents.update(override)
        unchanged = {k: a for k, a in self.answers.items() if k not in override}
        figures = content.self_figures(
            self.assessment.cycle.edition,
            self.tree,
            contents,
            known=content.saved_figures(unchanged),
        )
        content.remember_figures(unchanged, figures.items)
        return figures

    @cached_property
    def sequence(self) -> list[tuple[str, str]]:
        """Every page of the form in order: (key, title)."""
        pages = [(section.code, str(section.title)) for section in SECTIONS]
        pages += [(code, f"{code} {item.report_title}") for code, item in self.items.items()]
        return pages

    def neighbours(self, key: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
        keys = [k for k, _title in self.sequence]
        index = keys.index(key)
        before = self.sequence[index - 1] if index > 0 else None
        after = self.sequence[index + 1] if index + 1 < len(keys) else None
        return before, after


def load_workspace(request: HttpRequest, pk: int, *, write: bool = False) -> Workspace:
    """The workspace if the user may open it: an agency member (`write`: its editors and
    approvers only) or an administrator; otherwise 404."""
    assessment = policy.get_assessment(
        request,
        pk,
        policy.EDIT if write else policy.AGENCY,
        queryset=windows.with_round1(Assessment.objects.all()),
    )
    return Workspace(request, assessment)


def pager(ws: Workspace, key: str) -> dict[str, Any]:
    """The previous and next pages of the form (after the last one, the submit page), and the
    list of every page for the side list."""
    before, after = ws.neighbours(key)
    after_url = page_url(ws.assessment, after[0]) if after else ""
    if after is None and workflow.status_allows(ws.assessment, "assessment.submit"):
        after = ("submit", str(_("Submit the self-assessment")))
        after_url = reverse("assessments:submit", args=[ws.assessment.pk])
    return {
        "before": before,
        "after": after,
        "before_url": page_url(ws.assessment, before[0]) if before else "",
        "after_url": after_url,
        "pages": [
            {"key": k, "title": title, "url": page_url(ws.assessment, k), "current": k == key}
            for k, title in ws.sequence
        ],
    }


def page_url(assessment: Assessment, key: str) -> str:
    if key in SECTIONS_BY_CODE:
        return reverse("assessments:profile", args=[assessment.pk, key])
    return reverse("assessments:item", args=[assessment.pk, key])


def flatten(ws: Workspace, kind: str, key: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """An answer as (label, text) pairs, for diffs and side-by-side views."""
    rows: list[tuple[str, str]] = []
    if kind == Answer.Kind.PROFILE:
        section = SECTIONS_BY_CODE[key]
        for spec in section.fields:
            if spec.is_group:
                lines = [
                    " · ".join(
                        content.display_value(c, row.get(c.key, ""))
                        for c in spec.columns  # type: ignore[union-attr]  # a group
                    )
                    for row in data.get(spec.key) or []
                ]
                rows.append((str(spec.label), "\n".join(lines)))
            else:
                rows.append((str(spec.label), content.display_value(spec, data.get(spec.key, ""))))  # type: ignore[arg-type]
        return rows
    labels = {evidence.pk: evidence.label for evidence in ws.evidence}
    if kind == Answer.Kind.PROCESS:
        item = ws.items[key]
        for level in item.levels.all():
            ticked = (data.get("ticks") or {}).get(level.level) or []
            rows.append(
                (
                    _("%(level)s: checkpoints met") % {"level": level.get_level_display()},
                    ", ".join(str(p) for p in ticked),
                )
            )
            for part, label in content.NARRATIVE_PARTS:
                rows.append(
                    (
                        f"{level.get_level_display()} · {label}",
                        ((data.get("narrative") or {}).get(level.level) or {}).get(part, ""),
                    )
                )
        if "self_score" in data:
            rows.append((_("Self-assessed score"), data.get("self_score") or ""))
    else:
        for number, kpi in enumerate(data.get("kpis") or [], start=1):
            values = ", ".join(
                f"{y}: {v}" for y, v in sorted((kpi.get("values") or {}).items()) if v
            )
            band = ", ".join(f"{s}→{v}" for s, v in (kpi.get("band") or {}).items() if v)
            rows.append(
                (
                    _("KPI %(row)s") % {"row": number},
                    f"{kpi.get('name', '')} ({kpi.get('unit', '')})\n{values}\n{band}",
                )
            )
        rows.append((_("Notes"), data.get("note") or ""))
    rows.append(
        (
            _("Evidence cited"),
            ", ".join(labels.get(pk, "?") for pk in data.get("evidence") or []),
        )
    )
    return rows


def serve_file(stored: Any, *, name: str, content_type: str) -> FileResponse:
    """A stored upload from our origin: PDF and images inline, anything else as a download,
    never sniffed, and sandboxed so that no script in it can run. A file missing on disk is 404."""
    inline = content_type in ("application/pdf", "image/png", "image/jpeg")
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=not inline, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        # Shown in the assessors' evidence page, in a frame of our own origin only.
        response["X-Frame-Options"] = "SAMEORIGIN"
    if content_type == "application/pdf":
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    else:
        # Browsers' PDF viewers do not run in a sandbox; other files never need scripts.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'" + (
            "; frame-ancestors 'self'" if inline else "; frame-ancestors 'none'"
        )
    return response


def serve_evidence(item_: Evidence) -> FileResponse:
    return serve_file(item_.file, name=item_.original_name, content_type=item_.content_type)
