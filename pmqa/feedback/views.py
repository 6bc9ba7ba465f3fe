"""The lead assessor writes the Feedback Report's text from the consensus."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pmqa.accounts.decorators import assessor_required
from pmqa.assessments.services import ServiceError, verified_total
from pmqa.criteria.models import Pillar
from pmqa.feedback import services
from pmqa.feedback.forms import FeedbackForm, VersionForm
from pmqa.feedback.models import Feedback, KeptReportEdit
from pmqa.feedback.sections import FEEDBACK_KINDS, feedback_blocks
from pmqa.lib import autosave
from pmqa.lib.diff import field_diffs
from pmqa.verification.views import desk_for


@assessor_required
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    desk = desk_for(request, pk, lead=True)
    if verified_total(desk.assessment) is None:
        messages.error(request, _("Record the consensus first; the report starts from it."))
        return redirect("reviews:consensus", pk)
    report = services.feedback_for(desk.assessment)
    pillars = list(Pillar.objects.filter(edition=desk.assessment.cycle.edition))
    if request.method != "POST":
        return _page(request, desk, report, pillars)
    form = _form(request, desk, pillars)
    valid = form.is_valid()
    # What the lead typed is saved first, whatever the button: copying the assessors' comments
    # then only adds to it. (A post without the form's fields saves nothing.)
    outcome = autosave.attempt(
        lambda: (
            _save_posted(request, form, report) if form.data.get("form") == "report" else report
        ),
        errors={} if valid else autosave.form_errors(form),
        savable=valid,
    )
    shown = outcome.saved or report
    return autosave.respond(
        request,
        outcome,
        status={"version": shown.version, "saved_at": shown.updated_at},
        page=lambda outcome: _page(
            request,
            desk,
            report,
            pillars,
            posted=form.data,
            errors=outcome.messages,
            conflict=autosave.conflict_box(outcome.conflict, _compare(desk, pillars, outcome)),
        ),
        done=lambda outcome: _after_save(request, desk, outcome.saved),
        conflict=lambda conflict: _compare(desk, pillars, outcome),
    )


def _after_save(request: HttpRequest, desk: Any, report: Feedback) -> HttpResponse:
    """Where the buttons go once the texts are saved."""
    pk = desk.assessment.pk
    action = request.POST.get("action", "save")
    if action == "submit":
        # Saved; sending asks for confirmation and lists what is still missing.
        return redirect("feedback:send", pk)
    if action == "prefill":
        try:
            count = services.prefill_feedback(feedback=report, by=request.user)  # type: ignore[arg-type]
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Saved, and %(count)s comments copied from the assessors' reviews.")
                % {"count": count},
            )
    else:
        messages.success(request, _("Saved."))
    return redirect("feedback:edit", pk)


@assessor_required
@require_POST
def keep_mine(request: HttpRequest, pk: int, kept_pk: int) -> HttpResponse:
    """Save the texts a conflict kept over the newer ones the lead has now seen."""
    desk = desk_for(request, pk, lead=True)
    kept = get_object_or_404(
        KeptReportEdit, pk=kept_pk, feedback__assessment=desk.assessment, saved_by=request.user
    )
    form = VersionForm(request.POST)
    try:
        services.save_kept_edit(
            kept=kept,
            # No version (or a wrong one) is no version seen: refused as a conflict.
            base_version=form.cleaned_data["version"]
            if form.is_valid() and form.cleaned_data["version"] is not None
            else -1,
            by=request.user,  # type: ignore[arg-type]
        )
    except ServiceError as error:
        messages.error(request, str(error))
    except services.EditConflict:
        messages.error(
            request,
            _(
                "Someone saved the report again while you were comparing. Nothing was saved "
                "over it; compare with the newest texts and choose again."
            ),
        )
    else:
        messages.success(request, _("Your texts are now the report's newest version."))
    return redirect("feedback:edit", pk)


def _page(
    request: HttpRequest,
    desk: Any,
    report: Feedback,
    pillars: list[Pillar],
    *,
    posted: Any = None,
    errors: list[str] | None = None,
    conflict: dict[str, Any] | None = None,
) -> HttpResponse:
    """The editor with the stored texts, or with what was posted when it was not saved (the
    version it was typed on is kept, so saving again cannot overwrite a newer one)."""
    if posted is not None:
        blocks = {
            key: posted.get("-".join(part for part in key if part != "achievement"), "")
            for key in _keys(desk, pillars)
        }
        themes: list[Any] = [
            {"title": posted.get(f"theme-{n}-title", ""), "text": posted.get(f"theme-{n}-text", "")}
            for n in range(1, 11)
            if posted.get(f"theme-{n}-title") or posted.get(f"theme-{n}-text")
        ]
        conclusion = posted.get("conclusion", "")
        version = posted.get("version", report.version)
    else:
        blocks = feedback_blocks(report)
        themes = _themes(report)
        conclusion = report.conclusion
        version = report.version
    return render(
        request,
        "feedback/edit.html",
        {
            "desk": desk,
            "assessment": desk.assessment,
            "report": report,
            "version": version,
            "errors": errors,
            "conflict": conflict,
            "editable": "report.draft" in desk.actions,
            "categories": _category_boxes(desk, blocks),
            "pillars": [(p, blocks.get(("pillar", p.code, "achievement"), "")) for p in pillars],
            "themes": themes + [None] * max(0, 3 - len(themes) + 1),
            "conclusion": conclusion,
        },
    )


def _category_boxes(desk: Any, blocks: dict[tuple[str, str, str], str]) -> list[dict[str, Any]]:
    """Each category's boxes and its items', with their texts, in the editor's order."""
    return [
        {
            "category": category,
            "strength": blocks.get(("category", str(category.number), "strength"), ""),
            "ofi": blocks.get(("category", str(category.number), "ofi"), ""),
            "items": [
                {
                    "item": item_,
                    "strength": blocks.get(("item", item_.code, "strength"), ""),
                    "ofi": blocks.get(("item", item_.code, "ofi"), ""),
                }
                for item_ in category.items.all()
            ],
        }
        for category in desk.tree
    ]


def _themes(report: Feedback) -> list[Any]:
    if report.pk is None:
        return []
    return list(report.entries.filter(scope="overall", kind="theme").order_by("position"))


def _compare(desk: Any, pillars: list[Pillar], outcome: autosave.Outcome) -> dict[str, Any]:
    """The newer stored texts beside the refused ones, box by box."""
    if outcome.conflict is None:
        return {}
    current, kept = outcome.conflict.current, outcome.conflict.kept
    theirs = _labelled(
        desk,
        pillars,
        feedback_blocks(current),
        [(theme.title, theme.text) for theme in _themes(current)],
        current.conclusion,
    )
    mine = _labelled(
        desk,
        pillars,
        {
            (scope, key, kind): "\n\n".join(services.split_paragraphs(text))
            for scope, key, kind, text in kept.texts["blocks"]
        },
        [(title.strip(), text.strip()) for title, text in kept.texts["themes"] if title or text],
        kept.texts["conclusion"].strip(),
    )
    return {
        "diffs": field_diffs(theirs, mine),
        "restore_url": reverse("feedback:keep_mine", args=[desk.assessment.pk, kept.pk]),
    }


def _labelled(
    desk: Any,
    pillars: list[Pillar],
    blocks: dict[tuple[str, str, str], str],
    themes: list[tuple[str, str]],
    conclusion: str,
) -> list[tuple[str, str]]:
    """The report's texts as (label, text), in the editor's order."""
    kinds = {"strength": _("Strengths"), "ofi": _("Opportunities for improvement")}
    rows = [
        (pillar.name, blocks.get(("pillar", pillar.code, "achievement"), "")) for pillar in pillars
    ]
    for category in desk.tree:
        number = str(category.number)
        heading = _("Category %(n)s") % {"n": number}
        rows += [
            (f"{heading} · {kinds[kind]}", blocks.get(("category", number, kind), ""))
            for kind in FEEDBACK_KINDS
        ]
        rows += [
            (f"{item_.code} · {kinds[kind]}", blocks.get(("item", item_.code, kind), ""))
            for item_ in category.items.all()
            for kind in FEEDBACK_KINDS
        ]
    rows.append((_("Overall conclusion"), conclusion))
    for n in range(max(len(themes), 1)):
        title, text = themes[n] if n < len(themes) else ("", "")
        label = _("Theme %(n)s") % {"n": n + 1}
        rows.append((label, f"{title}\n{text}".strip()))
    return rows


def _keys(desk: Any, pillars: list[Pillar]) -> list[tuple[str, str, str]]:
    keys = [("item", code, kind) for code in desk.items for kind in FEEDBACK_KINDS]
    keys += [
        ("category", str(category.number), kind)
        for category in desk.tree
        for kind in FEEDBACK_KINDS
    ]
    return keys + [("pillar", pillar.code, "achievement") for pillar in pillars]


def _form(request: HttpRequest, desk: Any, pillars: list[Pillar]) -> FeedbackForm:
    return FeedbackForm(
        request.POST,
        item_codes=list(desk.items),
        category_numbers=[category.number for category in desk.tree],
        pillar_codes=[pillar.code for pillar in pillars],
    )


def _save_posted(request: HttpRequest, form: FeedbackForm, report: Feedback) -> Feedback:
    return services.save_feedback(
        feedback=report,
        blocks=form.blocks(),
        themes=form.themes(),
        conclusion=form.cleaned_data["conclusion"],
        by=request.user,  # type: ignore[arg-type]
        base_version=form.cleaned_data["version"] or 0,
    )


@assessor_required
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then send the report to OPDC for approval; what the report's kind still needs
    is listed with a link to each box, and nothing is sent while anything is missing."""
    desk = desk_for(request, pk, lead=True)
    report = services.feedback_for(desk.assessment)
    edit = reverse("feedback:edit", args=[pk])
    if request.method == "POST":
        try:
            services.feedback_step(feedback=report, action="submit", by=request.user)  # type: ignore[arg-type]
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The report was sent to OPDC for approval."))
            return redirect("feedback:edit", pk)
    gaps = services.report_gaps(report)
    return render(
        request,
        "reviews/confirm.html",
        {
            "desk": desk,
            "assessment": desk.assessment,
            "title": _("Send the Feedback Report to OPDC for approval"),
            "final": _(
                "OPDC reads the report as the agency will receive it and approves it or returns "
                "it with comments. Until it is returned, its texts can no longer be edited."
            ),
            "problems": [{"text": str(gap), "url": f"{edit}#{gap.field}"} for gap in gaps],
            "problems_intro": _("The report cannot be sent yet. Still to write:"),
            "preview": reverse("reports:page", args=[pk]),
            "allowed": "report.submit" in desk.actions,
            "button": _("Send to OPDC for approval"),
            "back": edit,
        },
        status=400 if request.method == "POST" else 200,
    )
