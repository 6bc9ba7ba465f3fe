"""The agency's workspace home and its answer pages: profile sections and items, with autosave."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pmqa import scoring
from pmqa.accounts.decorators import AuthenticatedHttpRequest, agency_required
from pmqa.accounts.roles import request_access
from pmqa.assessments import answers as content
from pmqa.assessments import forms, history, policy, services, workflow
from pmqa.assessments.models import (
    Answer,
    Assessment,
    Cycle,
    ScoreSnapshot,
)
from pmqa.assessments.profile import SECTIONS, SECTIONS_BY_CODE, Field, Group, Section
from pmqa.assessments.views.workspace import (
    Workspace,
    flatten,
    load_workspace,
    page_url,
    pager,
)
from pmqa.criteria.models import Category
from pmqa.lib import autosave
from pmqa.lib.diff import field_diffs
from pmqa.lib.uploads import ACCEPT

NARRATIVE_SPEC = Field("narrative", "", max_length=content.NARRATIVE_MAX)
NOTE_SPEC = Field("note", "", max_length=content.KPI_NOTE_MAX)


# ---------------------------------------------------------------------------------------------
# Home


def _score_display(ws: Workspace, figures: content.Figures) -> dict[str, Any]:
    """The figures the home page shows: the live preview while the agency is answering, the
    stored self-score once submitted (or for assessments recorded without item answers)."""
    stored = ScoreSnapshot.objects.filter(assessment=ws.assessment).newest("self")
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
    ws = load_workspace(request, pk)
    figures = ws.figures()
    missing = services.missing_for_submission(ws.assessment, ws.answers, ws.tree)
    missing_keys = {m.key for m in missing}
    profile_done = sum(1 for s in SECTIONS if s.code not in missing_keys)
    # Each ordered by its own columns (the models' orderings start with the assessment, which
    # would join its cycle and organisation to sort one assessment's rows).
    submissions = list(
        ws.assessment.submissions.select_related("submitted_by", "self_score").order_by("-number")[
            :5
        ]
    )
    changes = history.status_changes(ws.assessment)
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
            # The deadline and what is missing, while the answers may still change.
            "is_draft": workflow.status_allows(ws.assessment, "answer.edit"),
            "missing": [(m, page_url(ws.assessment, m.key)) for m in missing],
            "profile_done": profile_done,
            "profile_total": len(SECTIONS),
            "submissions": submissions,
            "changes": history.history(ws.assessment, ws.access, changes=changes),
            "returned": returned,
            "actions": ws.actions,
            "report_ready": ws.standing.has(policy.REPORT) and ws.assessment.is_published,
            "clarifications": list(
                ws.assessment.clarifications.select_related("answered_by", "attachment").order_by(
                    "asked_at"
                )
            ),
            "accept": ACCEPT,
            "round2": "round2.upload" in ws.actions and services.round2_eligible(ws.assessment),
        },
    )


@agency_required
@require_POST
def start(request: AuthenticatedHttpRequest, cycle_pk: int) -> HttpResponse:
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

# Draws an answer page: with the posted form when a save did not go through, else as stored.
PageDrawer = Callable[..., HttpResponse]
# What else an autosave's answer redraws, from the answer as it stands after the save.
LiveParts = Callable[[Answer], dict[str, Any]]


def _save(
    request: AuthenticatedHttpRequest,
    ws: Workspace,
    answer: Answer,
    form: forms.AnswerForm,
    draw: PageDrawer,
    live: LiveParts,
    *,
    section: Section | None = None,
) -> HttpResponse:
    """Save a posted answer page through the one autosave helper: all of it, or (a KPI table,
    a profile section) all but the refused values."""
    form.is_valid()
    savable = form.savable
    if savable is not None and content.filled(savable) == content.filled(answer.data):
        savable = None  # nothing but the refused values changed: nothing to save
    if not ws.can_edit:
        outcome = autosave.refused(ws.readonly_reason)
    else:
        outcome = autosave.attempt(
            lambda: services.save_answer(
                answer=answer,
                data=form.content if savable is None else savable,
                base_version=form.base_version,
                by=request.user,
            ),
            # The autosave redraws no field: each is named by the row the page shows now.
            errors=_field_errors(form.refused, section, form.row_numbers),
            savable=not form.refused or savable is not None,
        )
    saved = outcome.saved or answer
    return autosave.respond(
        request,
        outcome,
        status={"version": saved.version, "saved_at": saved.updated_at, **live(saved)},
        page=lambda outcome: _page_after(ws, form, draw, outcome, section),
        done=lambda outcome: _next_page(request, ws, outcome.saved, form),
        conflict=lambda conflict: _conflict(ws, conflict),
    )


def _page_after(
    ws: Workspace,
    form: forms.AnswerForm,
    draw: PageDrawer,
    outcome: autosave.Outcome,
    section: Section | None,
) -> HttpResponse:
    if outcome.state == "conflict":
        assert outcome.conflict is not None
        box = autosave.conflict_box(outcome.conflict, _conflict(ws, outcome.conflict))
        return draw(form=form, errors={}, conflict=box)
    saved = outcome.saved if outcome.state == "partial" else None
    # The page drawn again numbers the rows afresh, as the cleaner counted them.
    marks = list(_field_errors(form.refused, section).values())
    return draw(form=form, errors=form.refused, marks=marks, saved=saved)


def _conflict(ws: Workspace, conflict: autosave.EditConflict) -> dict[str, Any]:
    current, kept = conflict.current, conflict.kept
    return {
        "diffs": field_diffs(
            flatten(ws, current.kind, current.key, current.data),
            flatten(ws, current.kind, current.key, kept.data),
        ),
        "restore_url": reverse(
            "assessments:restore", args=[ws.assessment.pk, current.key, kept.pk]
        ),
    }


# Empty rows a page shows at most when asked for more (the address says how many).
MAX_EMPTY_ROWS = 20


def _next_page(
    request: HttpRequest, ws: Workspace, answer: Answer, form: forms.AnswerForm
) -> HttpResponse:
    """Where a plain save goes: the next page, the page again with one more empty row in a
    table, or the page again."""
    messages.success(request, _("Saved."))
    action = form.cleaned_data["action"]
    if action == "next":
        _before, after = ws.neighbours(answer.key)
        if after:
            return redirect(page_url(ws.assessment, after[0]))
        return redirect("assessments:submit", ws.assessment.pk)
    if action.startswith("add:"):
        table = action[4:]
        # One press, one row: the empty rows the person had, and one more.
        blank = min(form.blank_rows(table) + 1, MAX_EMPTY_ROWS)
        return redirect(f"{request.path}?{urlencode({'add': table, 'blank': blank})}")
    return redirect(request.path)


def _empty_rows(request: HttpRequest, table: str) -> int:
    """How many empty rows `table` shows: one, or as the address asks after "add a row"."""
    if request.GET.get("add") != table:
        return forms.BLANK_ROWS
    try:
        asked = int(request.GET.get("blank", ""))
    except ValueError:
        asked = forms.BLANK_ROWS + 1
    return max(forms.BLANK_ROWS, min(asked, MAX_EMPTY_ROWS))


# ---------------------------------------------------------------------------------------------
# Organisational profile


@agency_required
def profile_section(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    section = SECTIONS_BY_CODE.get(code)
    if section is None:
        raise Http404
    ws = load_workspace(request, pk, write=request.method == "POST")
    answer = ws.answers[code]
    form = forms.ProfileForm(
        request.POST if request.method == "POST" else None, section=section, saved=answer.data
    )

    def draw(*, form=None, errors=None, marks=(), conflict=None, saved=None) -> HttpResponse:  # type: ignore[no-untyped-def]
        current = saved or answer
        table = request.GET.get("add", "")
        return render(
            request,
            "assessments/profile.html",
            {
                "ws": ws,
                "assessment": ws.assessment,
                "section": section,
                # Saved but for the refused values: the form carries the new version.
                "answer": current,
                "layout": forms.profile_layout(
                    section,
                    answer.data,
                    posted=form,
                    errors=errors,
                    added=(table, _empty_rows(request, table)),
                ),
                "errors": errors or {},
                "marks": marks,
                "missing": content.missing_profile(section, current.data),
                "conflict": conflict,
                **pager(ws, code),
            },
        )

    def live(saved: Answer) -> dict[str, Any]:
        return {
            "extra_oob": "assessments/_live.html",
            "missing": content.missing_profile(section, saved.data),
        }

    if not form.is_bound:
        return draw()
    return _save(request, ws, answer, form, draw, live, section=section)


# ---------------------------------------------------------------------------------------------
# Items


@agency_required
def item_page(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    ws = load_workspace(request, pk, write=request.method == "POST")
    item = ws.items.get(code)
    if item is None:
        raise Http404
    answer = ws.answers[code]
    if request.method != "POST":
        return _item_response(request, ws, item, answer)
    form = _item_form(request, ws, item, answer)
    form.is_valid()
    figures = ws.figures({code: form.content})

    def draw(*, form=form, errors=None, marks=(), conflict=None, saved=None) -> HttpResponse:  # type: ignore[no-untyped-def]
        return _item_response(
            request,
            ws,
            item,
            answer,
            form=form,
            errors=errors,
            marks=marks,
            conflict=conflict,
            saved=saved,
        )

    def live(saved: Answer) -> dict[str, Any]:
        parts: dict[str, Any] = {
            "extra_oob": "assessments/_live.html",
            "item": item,
            "figure": figures.items[code],
            "result": figures.result,
        }
        if isinstance(form, forms.ResultsForm):
            parts["missing"] = content.missing_results(saved.data)
            parts["kpi_rows"] = form.live_rows()
        else:
            parts["missing"] = content.missing_process(
                item, saved.data, ws.assessment.cycle.edition.item_rule
            )
        return parts

    return _save(request, ws, answer, form, draw, live)


def _item_form(
    request: HttpRequest, ws: Workspace, item: Any, answer: Answer
) -> forms.ProcessForm | forms.ResultsForm:
    posted = request.POST
    if item.category.kind == Category.Kind.RESULTS:
        return forms.ResultsForm(
            posted,
            years=content.kpi_years(ws.assessment.cycle.fiscal_year),
            saved=answer.data,
            evidence=lambda: ws.evidence,
        )
    return forms.ProcessForm(
        posted, item=item, rule=ws.assessment.cycle.edition.item_rule, evidence=lambda: ws.evidence
    )


def _item_response(
    request: HttpRequest,
    ws: Workspace,
    item: Any,
    answer: Answer,
    *,
    form: forms.ProcessForm | forms.ResultsForm | None = None,
    errors: dict[str, str] | None = None,
    marks: Sequence[autosave.FieldError] = (),
    conflict: dict[str, Any] | None = None,
    saved: Answer | None = None,
) -> HttpResponse:
    """An item's page: as stored, or with what was posted when a save did not go through
    (`saved`: it was saved but for the refused values, and the form carries the new version)."""
    code = item.code
    data = form.content if form is not None else answer.data
    figures = ws.figures({code: data})
    cited = set(data.get("evidence") or [])
    rule = ws.assessment.cycle.edition.item_rule
    context: dict[str, Any] = {
        "ws": ws,
        "assessment": ws.assessment,
        "item": item,
        "answer": saved or answer,
        "partly_saved": saved is not None,
        "conflict": conflict,
        "figure": figures.items[code],
        "result": figures.result,
        "errors": errors or {},
        "marks": marks,
        **pager(ws, code),
        "evidence_choices": [(e, e.pk in cited) for e in ws.evidence],
        "evidence_by_label": {e.label: e for e in ws.evidence},
        "rule": rule,
        "level_points": ["0", "300", "400", "500"],
        "narrative_spec": NARRATIVE_SPEC,
        "note_spec": NOTE_SPEC,
        "directions": content.DIRECTIONS,
    }
    if isinstance(form, forms.ResultsForm) or (
        form is None and item.category.kind == Category.Kind.RESULTS
    ):
        years = content.kpi_years(ws.assessment.cycle.fiscal_year)
        context["results"] = forms.results_layout(
            answer.data if form is not None else data,
            years,
            posted=form,
            errors=errors,
            blank_rows=_empty_rows(request, "kpi"),
        )
        context["note"] = form.cleaned_data["note"] if form is not None else data.get("note", "")
        context["missing"] = content.missing_results(answer.data)
        return render(request, "assessments/results.html", context)
    context["levels"] = forms.process_layout(item, data, errors=errors)
    context["self_score"] = data.get("self_score", "")
    context["missing"] = content.missing_process(item, answer.data, rule)
    return render(request, "assessments/item.html", context)


def _field_errors(
    errors: dict[str, str],
    section: Section | None = None,
    row_numbers: dict[tuple[str, int], str] | None = None,
) -> dict[str, autosave.FieldError]:
    """Each refused value as the page shows it: named in the list at the top of the form (a
    KPI's, which KPI and which box; a profile table's, which row and column), and marked on its
    field, beside which its message is said. `row_numbers` gives the number each row has on
    the page as posted (an autosave redraws no field); without it, rows are numbered as the
    page drawn again with what was posted numbers them."""
    numbers = row_numbers or {}
    specs = {spec.key: spec for spec in section.fields} if section is not None else {}
    marked = {}
    for key, message in errors.items():
        parts = key.split(".")
        named, after, message_id = message, "", ""
        fields: tuple[str, ...] = ()
        if parts[0] in specs:
            spec = specs[parts[0]]
            if len(parts) == 3 and isinstance(spec, Group):
                column = next((c for c in spec.columns if c.key == parts[2]), None)
                row = numbers.get((parts[0], int(parts[1])), parts[1])
                named = _(
                    "%(field)s, row %(row)s, %(column)s: %(message)s The table is saved once "
                    "this is corrected."
                ) % {
                    "field": spec.label,
                    "row": row,
                    "column": column.label if column else parts[2],
                    "message": message,
                }
                fields = (f"g-{parts[0]}-{row}-{parts[2]}",)
            else:
                named = _("%(field)s: %(message)s") % {"field": spec.label, "message": message}
                fields = (f"f-{parts[0]}",)
        elif len(parts) == 3 and parts[0] == "kpis":
            row, field = numbers.get(("kpis", int(parts[1])), parts[1]), parts[2]
            if field.startswith("value_"):
                box = _("FY %(year)s") % {"year": field.removeprefix("value_")}
            elif field.startswith("band_"):
                box = _("%(s)s points") % {"s": field.removeprefix("band_")}
            else:
                box = str(dict(_KPI_BOXES).get(field, field))
            named = _("KPI %(n)s, %(box)s: %(message)s") % {
                "n": row,
                "box": box,
                "message": message,
            }
            if field == "band":
                # The band as a whole: each of its boxes is marked, the message follows them.
                fields = tuple(f"k-{row}-band_{score}" for score in content.BAND_SCORES)
                message_id, after = f"k-{row}-band-error", f"k-{row}-bands"
            else:
                fields = (f"k-{row}-{field}",)
        elif parts[0] == "narrative" and len(parts) == 3:
            fields = (f"n-{parts[1]}-{parts[2]}",)
        elif key in ("self_score", "note"):
            fields = (key,)
        elif parts[0] == "ticks" and len(parts) == 2:
            message_id, after = f"ticks-{parts[1]}-error", f"ticks-{parts[1]}"
        elif key == "evidence":
            message_id, after = "evidence-error", "evidence-picker"
        marked[key] = autosave.FieldError(
            message=named,
            beside=message,
            fields=fields,
            message_id=message_id or (f"{fields[0]}-error" if fields else ""),
            after=after,
        )
    return marked


_KPI_BOXES = (
    ("name", gettext_lazy("KPI name")),
    ("unit", gettext_lazy("Unit")),
    ("direction", gettext_lazy("Direction")),
    ("target", gettext_lazy("Target")),
    ("comparison", gettext_lazy("Comparison value")),
    ("comparison_source", gettext_lazy("Comparison source")),
    ("band", gettext_lazy("Score band")),
)
