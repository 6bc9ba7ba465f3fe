"""The lead assessor writes the Feedback Report's text from the consensus."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa.accounts.decorators import assessor_required
from pmqa.assessments.services import ServiceError, verified_total
from pmqa.criteria.models import Pillar
from pmqa.feedback import services
from pmqa.feedback.forms import FeedbackForm
from pmqa.feedback.models import Feedback
from pmqa.feedback.sections import FEEDBACK_KINDS, feedback_blocks
from pmqa.verification.views import desk_for


@assessor_required
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    desk = desk_for(request, pk, lead=True)
    if verified_total(desk.assessment) is None:
        messages.error(request, _("Record the consensus first; the report starts from it."))
        return redirect("reviews:consensus", pk)
    report = services.feedback_for(desk.assessment)
    pillars = list(Pillar.objects.filter(edition=desk.assessment.cycle.edition))
    form = _form(request, desk, pillars) if request.method == "POST" else None
    if form is not None and request.headers.get("HX-Request"):
        # Autosave: the text as typed, nothing else.
        if not form.is_valid():
            errors = [message for messages_ in form.errors.values() for message in messages_]
            return render(
                request, "reviews/_save_status.html", {"state": "invalid", "errors": errors}
            )
        try:
            report = _save_posted(request, form, report)
        except ServiceError as error:
            return render(
                request, "reviews/_save_status.html", {"state": "refused", "problem": str(error)}
            )
        return render(
            request,
            "reviews/_save_status.html",
            {"state": "saved", "saved_at": timezone.localtime()},
        )
    if form is not None and not form.is_valid():
        # Nothing saved; the page comes back with what was typed and what to shorten.
        for messages_ in form.errors.values():
            messages.error(request, messages_[0])
        return _page(request, desk, report, pillars, posted=form.data, status=400)
    if form is not None:
        action = request.POST.get("action", "save")
        try:
            # What the lead typed is saved first, whatever the button: copying the assessors'
            # comments then only adds to it. (A post without the form's fields saves nothing.)
            if request.POST.get("form") == "report":
                report = _save_posted(request, form, report)
            if action == "prefill":
                count = services.prefill_feedback(feedback=report, by=request.user)  # type: ignore[arg-type]
                messages.success(
                    request,
                    _("Saved, and %(count)s comments copied from the assessors' reviews.")
                    % {"count": count},
                )
            elif action == "submit":
                # Saved; sending asks for confirmation and lists what is still missing.
                return redirect("feedback:send", pk)
            else:
                messages.success(request, _("Saved."))
        except ServiceError as error:
            messages.error(request, str(error))
        return redirect("feedback:edit", pk)
    return _page(request, desk, report, pillars)


def _page(
    request: HttpRequest,
    desk: Any,
    report: Feedback,
    pillars: list[Pillar],
    *,
    posted: Any = None,
    status: int = 200,
) -> HttpResponse:
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
    else:
        blocks = feedback_blocks(report)
        themes = (
            list(report.entries.filter(scope="overall", kind="theme").order_by("position"))
            if report.pk
            else []
        )
        conclusion = report.conclusion
    return render(
        request,
        "feedback/edit.html",
        {
            "desk": desk,
            "assessment": desk.assessment,
            "report": report,
            "editable": "report.draft" in desk.actions,
            "categories": [
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
            ],
            "pillars": [(p, blocks.get(("pillar", p.code, "achievement"), "")) for p in pillars],
            "themes": themes + [None] * max(0, 3 - len(themes) + 1),
            "conclusion": conclusion,
        },
        status=status,
    )


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
