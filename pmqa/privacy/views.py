"""The privacy notice, and a person's own data to download."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pmqa.accounts.decorators import AuthenticatedHttpRequest
from pmqa.audit import services as audit
from pmqa.privacy.download import archive
from pmqa.privacy.services import personal_data


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/notice.html",
        {"operator": settings.PMQA_PRIVACY_OPERATOR, "contact": settings.PMQA_PRIVACY_CONTACT},
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: what is held and the button; POST: the zip of the data, to read and for computers
    (a download is recorded, so a GET stays free of writes)."""
    if request.method == "GET":
        return render(request, "privacy/my_data.html")
    data = personal_data(request.user)
    audit.record(actor=request.user, action="person.export", obj=request.user)
    response = HttpResponse(archive(request.user, data), content_type="application/zip")
    name = f"pmqa-personal-data-{request.user.pk}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
