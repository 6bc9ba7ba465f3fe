"""The evidence page: files and links added, cited, served and deleted."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pmqa.accounts.decorators import AuthenticatedHttpRequest, agency_required
from pmqa.assessments import evidence as evidence_services
from pmqa.assessments import forms, services
from pmqa.assessments.models import (
    Evidence,
)
from pmqa.assessments.views.workspace import (
    Workspace,
    load_workspace,
    serve_evidence,
)
from pmqa.audit import services as audit
from pmqa.lib.uploads import ACCEPT, keep_upload_names

# ---------------------------------------------------------------------------------------------
# Evidence


def _evidence_page(
    request: HttpRequest,
    ws: Workspace,
    *,
    form: forms.EvidenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
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
            "limit_mb": evidence_services.evidence_limit() // 1_048_576,
            # What was typed, when it was refused.
            "form": form.cleaned_data if form is not None else {},
        },
        status=status,
    )


@keep_upload_names
@agency_required
def evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _evidence_page(request, load_workspace(request, pk))
    ws = load_workspace(request, pk, write=True)
    form = forms.EvidenceForm(request.POST, request.FILES)
    form.is_valid()
    data = form.cleaned_data
    try:
        if data["kind"] == "link":
            item = evidence_services.add_evidence_link(
                assessment=ws.assessment, url=data["url"], label=data["label"], by=request.user
            )
        else:
            raw_names = getattr(request, "raw_upload_names", [])
            item = evidence_services.add_evidence_file(
                assessment=ws.assessment,
                upload=data["file"],
                raw_name=raw_names[0] if raw_names else None,
                label=data["label"],
                by=request.user,
            )
    except services.ServiceError as error:
        messages.error(request, str(error))
        return _evidence_page(request, ws, form=form, status=400)
    messages.success(
        request,
        _("Added “%(label)s”. Cite it in a narrative by typing [%(label)s].")
        % {"label": item.label},
    )
    return redirect("assessments:evidence", pk)


@agency_required
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    ws = load_workspace(request, pk)
    item = get_object_or_404(Evidence, pk=evidence_pk, assessment=ws.assessment)
    if item.kind == Evidence.Kind.LINK:
        return redirect(item.url)
    response = serve_evidence(item)
    audit.record_download(request, action="download.evidence", obj=item)
    return response


@agency_required
@require_POST
def evidence_delete(request: AuthenticatedHttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    ws = load_workspace(request, pk, write=True)
    item = get_object_or_404(Evidence, pk=evidence_pk, assessment=ws.assessment)
    try:
        evidence_services.delete_evidence(evidence=item, by=request.user)
    except services.ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Deleted “%(label)s”.") % {"label": item.label})
    return redirect("assessments:evidence", pk)
