"""The agency's self-assessment workspace: home, profile, items, evidence, history, submission."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pmqa import scoring
from pmqa.accounts.decorators import agency_required
from pmqa.accounts.roles import request_access
from pmqa.assessments import answers as content
from pmqa.assessments import forms, policy, services, workflow
from pmqa.assessments.models import (
    Answer,
    Assessment,
    Cycle,
    Evidence,
    Revision,
    Round,
    ScoreSnapshot,
)
from pmqa.assessments.profile import SECTIONS, SECTIONS_BY_CODE, Field
from pmqa.criteria.models import Category, Item
from pmqa.lib.diff import field_diffs
from pmqa.lib.uploads import ACCEPT, keep_upload_names


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

    @cached_property
    def answers(self) -> dict[str, Answer]:
        answers = {answer.key: answer for answer in self.assessment.answers.all()}
        if len(answers) < len(SECTIONS) + len(self.items):
            # Assessments made before the workspace existed: their empty rows are stored by the
            # first save, and shown unsaved until then (a GET writes nothing).
            if self.request.method == "POST":
                services.ensure_answers(assessment=self.assessment)
                return {answer.key: answer for answer in self.assessment.answers.all()}
            for kind, key in services.answer_keys(self.assessment):
                answers.setdefault(key, Answer(assessment=self.assessment, kind=kind, key=key))
        return answers

    @cached_property
    def window(self) -> services.Window:
        return services.window_for(self.assessment)

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
        if self.assessment.status != Assessment.Status.DRAFT:
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
        return list(self.assessment.evidence.all())

    def figures(self, override: dict[str, dict[str, Any]] | None = None) -> content.Figures:
        contents = {key: answer.data for key, answer in self.answers.items()}
        contents.update(override or {})
        return content.self_figures(self.assessment.cycle.edition, self.tree, contents)

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


def _load(request: HttpRequest, pk: int, *, write: bool = False) -> Workspace:
    """The workspace if the user may open it: an agency member (`write`: its editors and
    approvers only) or an administrator; otherwise 404."""
    assessment = policy.get_assessment(
        request,
        pk,
        policy.EDIT if write else policy.AGENCY,
        queryset=Assessment.objects.prefetch_related(
            Prefetch("cycle__rounds", queryset=Round.objects.prefetch_related("extensions"))
        ),
    )
    return Workspace(request, assessment)


def _pager(ws: Workspace, key: str) -> dict[str, Any]:
    before, after = ws.neighbours(key)
    return {
        "before": before,
        "after": after,
        "before_url": page_url(ws.assessment, before[0]) if before else "",
        "after_url": page_url(ws.assessment, after[0]) if after else "",
    }


NARRATIVE_SPEC = Field("narrative", "", max_length=content.NARRATIVE_MAX)
NOTE_SPEC = Field("note", "", max_length=content.KPI_NOTE_MAX)


def page_url(assessment: Assessment, key: str) -> str:
    if key in SECTIONS_BY_CODE:
        return reverse("assessments:profile", args=[assessment.pk, key])
    return reverse("assessments:item", args=[assessment.pk, key])


# ---------------------------------------------------------------------------------------------
# Home


def _score_display(ws: Workspace, figures: content.Figures) -> dict[str, Any]:
    """The figures the home page shows: the live preview while the agency is answering, the
    stored self-score once submitted (or for assessments recorded without item answers)."""
    stored = (
        ScoreSnapshot.objects.filter(assessment=ws.assessment, source="self", round_number=1)
        .order_by("-created_at")
        .first()
    )
    answered = any(answer.version for answer in ws.answers.values())
    if stored is not None and (ws.assessment.status != Assessment.Status.DRAFT or not answered):
        categories = stored.category_scores()
        thresholds = ws.assessment.cycle.edition.thresholds()
        return {
            "live": False,
            "categories": {key: value for key, value in categories.items()},
            "classification": {k: scoring.classify(v, thresholds) for k, v in categories.items()},
            "total": stored.total,
            "rating": stored.rating,
            "level": stored.level,
            "rules_version": stored.rules_version,
        }
    return {
        "live": True,
        "categories": figures.categories,
        "classification": figures.result.classification,
        "total": figures.result.total,
        "rating": figures.result.rating,
        "level": figures.result.level,
        "rules_version": figures.result.rules_version,
    }


@agency_required
def home(request: HttpRequest, pk: int) -> HttpResponse:
    ws = _load(request, pk)
    figures = ws.figures()
    missing = services.missing_for_submission(ws.assessment, ws.answers, ws.tree)
    missing_keys = {m.key for m in missing}
    profile_done = sum(1 for s in SECTIONS if s.code not in missing_keys)
    submissions = list(ws.assessment.submissions.select_related("submitted_by", "self_score")[:5])
    changes = list(ws.assessment.status_changes.select_related("by")[:20])
    # The approver's latest return stays on the overview until the draft moves on.
    latest = changes[0] if changes else None
    returned = (
        latest
        if latest is not None
        and latest.from_status
        == latest.to_status
        == ws.assessment.status
        == Assessment.Status.DRAFT
        else None
    )
    return render(
        request,
        "assessments/home.html",
        {
            "ws": ws,
            "assessment": ws.assessment,
            "figures": figures,
            "scores": _score_display(ws, figures),
            "is_draft": ws.assessment.status == Assessment.Status.DRAFT,
            "missing": [(m, page_url(ws.assessment, m.key)) for m in missing],
            "profile_done": profile_done,
            "profile_total": len(SECTIONS),
            "submissions": submissions,
            "changes": changes,
            "returned": returned,
            "may_submit": ws.standing.has(policy.SUBMIT),
            "actions": ws.actions,
            "clarifications": list(
                ws.assessment.clarifications.select_related("answered_by").order_by("asked_at")
            ),
            "round2": "round2.upload" in ws.actions and services.round2_eligible(ws.assessment),
        },
    )


@agency_required
@require_POST
def start(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    access = request_access(request)
    cycle = get_object_or_404(Cycle, pk=cycle_pk)
    form = forms.StartForm(request.POST, organisations=access.agency_org_ids)
    if not form.is_valid():
        raise Http404
    try:
        assessment = services.start_assessment(
            cycle=cycle, organisation=form.cleaned_data["organisation"], by=request.user
        )
    except services.ServiceError as error:
        messages.error(request, str(error))
        return redirect("dashboards:agency")
    return redirect("assessments:home", assessment.pk)


# ---------------------------------------------------------------------------------------------
# Saving, shared by the profile and item pages


def _base_version(request: HttpRequest) -> int:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else -1


def _cite_labels(ws: Workspace, data: dict[str, Any], texts: list[str]) -> None:
    """Evidence named as [label] in a narrative counts as cited by the item."""
    by_label = {evidence.label: evidence.pk for evidence in ws.evidence}
    cited = set(data.get("evidence") or [])
    for text in texts:
        for label in re.findall(r"\[([^\[\]]+)\]", text):
            if label.strip() in by_label:
                cited.add(by_label[label.strip()])
    data["evidence"] = sorted(cited)


def _save(
    request: HttpRequest,
    ws: Workspace,
    answer: Answer,
    data: dict[str, Any],
    errors: dict[str, str],
    render_page,  # type: ignore[no-untyped-def]
    extra: dict[str, Any],
) -> HttpResponse:
    """Answer a save: a status fragment for htmx autosave, or the page for a plain POST."""
    is_htmx = bool(request.headers.get("HX-Request"))
    context = {"ws": ws, "answer": answer, **extra}
    if not ws.can_edit:
        if is_htmx:
            return render(
                request,
                "assessments/_save_status.html",
                {**context, "state": "refused", "problem": ws.readonly_reason},
            )
        messages.error(request, ws.readonly_reason)
        return redirect(request.path)
    if errors:
        if is_htmx:
            return render(
                request,
                "assessments/_save_status.html",
                {**context, "state": "invalid", "errors": errors},
            )
        return render_page(posted=True, errors=errors, status=400)
    try:
        answer = services.save_answer(
            answer=answer, data=data, base_version=_base_version(request), by=request.user
        )
    except services.ServiceError as error:
        if is_htmx:
            return render(
                request,
                "assessments/_save_status.html",
                {**context, "state": "refused", "problem": str(error)},
            )
        messages.error(request, str(error))
        return redirect(request.path)
    except services.EditConflict as conflict:
        conflict_context = {
            **context,
            "conflict": conflict,
            "diffs": field_diffs(
                _flatten(ws, conflict.current.kind, conflict.current.key, conflict.current.data),
                _flatten(ws, conflict.current.kind, conflict.current.key, conflict.refused.data),
            ),
        }
        if is_htmx:
            response = render(request, "assessments/_conflict.html", conflict_context)
            response["HX-Retarget"] = "#conflict"
            response["HX-Reswap"] = "innerHTML"
            return response
        return render_page(posted=True, errors={}, status=409, conflict=conflict_context)
    context["answer"] = answer
    if is_htmx:
        return render(request, "assessments/_save_status.html", {**context, "state": "saved"})
    action = request.POST.get("action", "")
    if action == "next":
        _before, after = ws.neighbours(answer.key)
        if after:
            return redirect(page_url(ws.assessment, after[0]))
    messages.success(request, _("Saved."))
    if action.startswith("add:"):
        return redirect(f"{request.path}?add={action[4:]}")
    return redirect(request.path)


def _flatten(ws: Workspace, kind: str, key: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """An answer as (label, text) pairs, for diffs and side-by-side views."""
    rows: list[tuple[str, str]] = []
    if kind == Answer.Kind.PROFILE:
        section = SECTIONS_BY_CODE[key]
        for spec in section.fields:
            if spec.is_group:
                lines = [
                    " · ".join(
                        content.display_value(c, row.get(c.key, ""))
                        for c in spec.columns  # type: ignore[attr-defined]
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


# ---------------------------------------------------------------------------------------------
# Organisational profile


@agency_required
def profile_section(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    section = SECTIONS_BY_CODE.get(code)
    if section is None:
        raise Http404
    ws = _load(request, pk, write=request.method == "POST")
    answer = ws.answers[code]

    def render_page(*, posted: bool = False, errors=None, status: int = 200, conflict=None):  # type: ignore[no-untyped-def]
        return render(
            request,
            "assessments/profile.html",
            {
                "ws": ws,
                "assessment": ws.assessment,
                "section": section,
                "answer": answer,
                "layout": forms.profile_layout(
                    section,
                    answer.data,
                    posted=request.POST if posted else None,
                    errors=errors,
                    extra_rows=request.GET.get("add", ""),
                ),
                "errors": errors or {},
                "missing": content.missing_profile(section, answer.data),
                "conflict": conflict,
                **_pager(ws, code),
            },
            status=status,
        )

    if request.method == "POST":
        scalars, groups = forms.posted_profile(section, request.POST)
        data, errors = content.clean_profile(section, scalars, groups)
        return _save(request, ws, answer, data, errors, render_page, {"section": section})
    return render_page()


# ---------------------------------------------------------------------------------------------
# Items


@agency_required
def item_page(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    ws = _load(request, pk, write=request.method == "POST")
    item = ws.items.get(code)
    if item is None:
        raise Http404
    answer = ws.answers[code]
    is_results = item.category.kind == Category.Kind.RESULTS
    years = content.kpi_years(ws.assessment.cycle.fiscal_year)
    rule = ws.assessment.cycle.edition.item_rule
    allowed = {evidence.pk for evidence in ws.evidence}

    def clean() -> tuple[dict[str, Any], dict[str, str]]:
        if is_results:
            posted = forms.posted_results(request.POST, years)
            data, errors = content.clean_results(
                kpis=posted["kpis"],
                note=posted["note"],
                evidence=posted["evidence"],
                allowed_evidence=allowed,
                years=years,
            )
            _cite_labels(ws, data, [data["note"]])
        else:
            posted = forms.posted_process(request.POST)
            data, errors = content.clean_process(
                item,
                ticks=posted["ticks"],
                narrative=posted["narrative"],
                evidence=posted["evidence"],
                allowed_evidence=allowed,
                self_score=posted["self_score"],
                rule=rule,
            )
            _cite_labels(
                ws,
                data,
                [text for parts in data["narrative"].values() for text in parts.values()],
            )
        return data, errors

    def context_for(data: dict[str, Any], *, posted: bool, errors) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        figures = ws.figures({code: data})
        cited = set(data.get("evidence") or [])
        context: dict[str, Any] = {
            "ws": ws,
            "assessment": ws.assessment,
            "item": item,
            "answer": answer,
            "figure": figures.items[code],
            "result": figures.result,
            "errors": errors or {},
            **_pager(ws, code),
            "evidence_choices": [(e, e.pk in cited) for e in ws.evidence],
            "evidence_by_label": {e.label: e for e in ws.evidence},
            "rule": rule,
            "level_points": ["0", "300", "400", "500"],
            "narrative_spec": NARRATIVE_SPEC,
            "note_spec": NOTE_SPEC,
            "directions": content.DIRECTIONS,
        }
        if is_results:
            context["results"] = forms.results_layout(
                data if not posted else answer.data,
                years,
                posted=request.POST if posted else None,
                errors=errors,
                extra_rows=2 if request.GET.get("add") == "kpi" else 0,
            )
            context["note"] = request.POST.get("note", "") if posted else data.get("note", "")
            context["missing"] = content.missing_results(answer.data)
        else:
            context["levels"] = forms.process_layout(item, data, errors=errors)
            context["self_score"] = data.get("self_score", "")
            context["missing"] = content.missing_process(item, answer.data, rule)
        return context

    template = "assessments/results.html" if is_results else "assessments/item.html"

    cleaned = clean() if request.method == "POST" else None

    def render_page(*, posted: bool = False, errors=None, status: int = 200, conflict=None):  # type: ignore[no-untyped-def]
        data = cleaned[0] if posted and cleaned else answer.data
        context = context_for(data, posted=posted, errors=errors)
        context["conflict"] = conflict
        return render(request, template, context, status=status)

    if cleaned is not None:
        data, errors = cleaned
        figures = ws.figures({code: data})
        return _save(
            request,
            ws,
            answer,
            data,
            errors,
            render_page,
            {"item": item, "figure": figures.items[code], "result": figures.result},
        )
    return render_page()


# ---------------------------------------------------------------------------------------------
# History


@agency_required
def history(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    ws = _load(request, pk)
    answer = ws.answers.get(key)
    if answer is None:
        raise Http404
    revisions = list(answer.revisions.select_related("saved_by")[:200])
    selected = None
    diffs: list[dict[str, Any]] = []
    wanted = request.GET.get("revision", "")
    if wanted.isdigit():
        selected = next((r for r in revisions if r.pk == int(wanted)), None)
        if selected is None:
            raise Http404
        diffs = field_diffs(
            _flatten(ws, answer.kind, key, answer.data),
            _flatten(ws, answer.kind, key, selected.data),
        )
    title = dict(ws.sequence).get(key, key)
    return render(
        request,
        "assessments/history.html",
        {
            "ws": ws,
            "assessment": ws.assessment,
            "answer": answer,
            "title": title,
            "revisions": revisions,
            "selected": selected,
            "diffs": diffs,
            "back": page_url(ws.assessment, key),
        },
    )


@agency_required
@require_POST
def restore(request: HttpRequest, pk: int, key: str, revision_pk: int) -> HttpResponse:
    ws = _load(request, pk, write=True)
    answer = ws.answers.get(key)
    if answer is None:
        raise Http404
    revision = get_object_or_404(Revision, pk=revision_pk, answer=answer)
    try:
        services.restore_revision(
            revision=revision, base_version=_base_version(request), by=request.user
        )
    except services.ServiceError as error:
        messages.error(request, str(error))
        return redirect("assessments:history", pk, key)
    except services.EditConflict:
        messages.error(
            request,
            _(
                "Someone saved this page while you were looking at its history. Nothing was "
                "restored; look at the newest version and try again."
            ),
        )
        return redirect(f"{reverse('assessments:history', args=[pk, key])}?revision={revision.pk}")
    messages.success(request, _("The earlier version is now the current one."))
    return redirect(page_url(ws.assessment, key))


# ---------------------------------------------------------------------------------------------
# Evidence


def _evidence_page(request: HttpRequest, ws: Workspace, *, status: int = 200) -> HttpResponse:
    cited_by: dict[int, list[str]] = {}
    for answer in ws.answers.values():
        for evidence_pk in (answer.data or {}).get("evidence") or []:
            cited_by.setdefault(evidence_pk, []).append(answer.key)
    return render(
        request,
        "assessments/evidence.html",
        {
            "ws": ws,
            "assessment": ws.assessment,
            "rows": [(e, cited_by.get(e.pk, [])) for e in ws.evidence],
            "accept": ACCEPT,
            "limit_mb": services.evidence_limit() // 1_048_576,
            "form": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@keep_upload_names
@agency_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _evidence_page(request, _load(request, pk))
    ws = _load(request, pk, write=True)
    label = request.POST.get("label", "")
    try:
        if request.POST.get("kind") == "link":
            item = services.add_evidence_link(
                assessment=ws.assessment,
                url=request.POST.get("url", ""),
                label=label,
                by=request.user,
            )
        else:
            raw_names = getattr(request, "raw_upload_names", [])
            item = services.add_evidence_file(
                assessment=ws.assessment,
                upload=request.FILES.get("file"),
                raw_name=raw_names[0] if raw_names else None,
                label=label,
                by=request.user,
            )
    except services.ServiceError as error:
        messages.error(request, str(error))
        return _evidence_page(request, ws, status=400)
    messages.success(
        request,
        _("Added “%(label)s”. Cite it in a narrative by typing [%(label)s].")
        % {"label": item.label},
    )
    return redirect("assessments:evidence", pk)


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
    if content_type != "application/pdf":
        # Browsers' PDF viewers do not run in a sandbox; other files never need scripts.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def serve_evidence(item_: Evidence) -> FileResponse:
    return serve_file(item_.file, name=item_.original_name, content_type=item_.content_type)


@agency_required
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    ws = _load(request, pk)
    item = get_object_or_404(Evidence, pk=evidence_pk, assessment=ws.assessment)
    if item.kind == Evidence.Kind.LINK:
        return redirect(item.url)
    return serve_evidence(item)


@agency_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    ws = _load(request, pk, write=True)
    item = get_object_or_404(Evidence, pk=evidence_pk, assessment=ws.assessment)
    try:
        services.delete_evidence(evidence=item, by=request.user)
    except services.ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Deleted “%(label)s”.") % {"label": item.label})
    return redirect("assessments:evidence", pk)


# ---------------------------------------------------------------------------------------------
# Submission


@agency_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The submit page is the confirmation: what is missing, and what becomes final."""
    ws = _load(request, pk)
    missing = services.missing_for_submission(ws.assessment, ws.answers, ws.tree)
    if request.method == "POST":
        if not ws.standing.has(policy.SUBMIT):
            raise PermissionDenied
        try:
            submission = services.submit_assessment(assessment=ws.assessment, by=request.user)
        except services.ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "Submitted. The answers are frozen as submission %(number)s and the "
                    "assessors have been told."
                )
                % {"number": submission.number},
            )
            return redirect("assessments:home", pk)
    return _submit_page(request, ws, missing, status=400 if request.method == "POST" else 200)


def _submit_page(
    request: HttpRequest,
    ws: Workspace,
    missing: list[services.Missing],
    *,
    return_form: forms.ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "assessments/submit.html",
        {
            "ws": ws,
            "assessment": ws.assessment,
            "missing": [(m, page_url(ws.assessment, m.key)) for m in missing],
            "may_submit": ws.standing.has(policy.SUBMIT),
            "figures": ws.figures(),
            "return_form": return_form or forms.ReasonForm(),
        },
        status=status,
    )


@agency_required
@require_POST
def return_to_editors(request: HttpRequest, pk: int) -> HttpResponse:
    ws = _load(request, pk)
    if not ws.standing.has(policy.SUBMIT):
        raise PermissionDenied
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.return_to_editors(
                assessment=ws.assessment, reason=form.cleaned_data["reason"], by=request.user
            )
        except services.ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Returned to the editors with your reason."))
            return redirect("assessments:home", pk)
    missing = services.missing_for_submission(ws.assessment, ws.answers, ws.tree)
    return _submit_page(request, ws, missing, return_form=form, status=400)


# ---------------------------------------------------------------------------------------------
# Administrators: reopening


@agency_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    ws = _load(request, pk)
    if not ws.standing.has(policy.ADMIN):
        raise Http404
    form = forms.ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ServiceError(_("Give the reason for reopening; the agency will see it."))
        services.reopen_assessment(
            assessment=ws.assessment, reason=form.cleaned_data["reason"], by=request.user
        )
    except services.ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Reopened. The agency can edit and submit again."))
    return redirect("assessments:home", pk)
