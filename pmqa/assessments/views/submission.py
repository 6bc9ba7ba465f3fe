"""Submitting, returning to the editors and, for administrators, reopening."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pmqa.accounts.decorators import AuthenticatedHttpRequest, agency_required
from pmqa.assessments import forms, policy, services
from pmqa.assessments.views.workspace import (
    Workspace,
    load_workspace,
    page_url,
)

# ---------------------------------------------------------------------------------------------
# Submission


@agency_required
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The submit page is the confirmation: what is missing, and what becomes final."""
    ws = load_workspace(request, pk)
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
                    "Submitted. The answers are frozen as submission %(number)s, and OPDC is "
                    "told; the assessors are told once OPDC assigns their team."
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
    ready_form: forms.ReadyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "assessments/submit.html",
        {
            "ws": ws,
            "assessment": ws.assessment,
            "missing": [(m, page_url(ws.assessment, m.key)) for m in missing],
            "figures": ws.figures(),
            "return_form": return_form or forms.ReasonForm(),
            "ready_form": ready_form or forms.ReadyForm(),
        },
        status=status,
    )


@agency_required
@require_POST
def return_to_editors(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ws = load_workspace(request, pk)
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


@agency_required
@require_POST
def ready(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An editor tells the approvers the self-assessment is ready to submit."""
    ws = load_workspace(request, pk)
    form = forms.ReadyForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ServiceError(form.errors["note"][0])
        services.tell_ready(
            assessment=ws.assessment, note=form.cleaned_data["note"], by=request.user
        )
    except services.ServiceError as error:
        messages.error(request, str(error))
        missing = services.missing_for_submission(ws.assessment, ws.answers, ws.tree)
        return _submit_page(request, ws, missing, ready_form=form, status=400)
    messages.success(request, _("The approvers are told the self-assessment is ready."))
    return redirect("assessments:submit", pk)


# ---------------------------------------------------------------------------------------------
# Administrators: reopening


@agency_required
@require_POST
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ws = load_workspace(request, pk)
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
