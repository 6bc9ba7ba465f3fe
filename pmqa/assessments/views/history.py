"""An answer's history: every saved version and refused edit, and restoring one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pmqa.accounts.decorators import AuthenticatedHttpRequest, agency_required
from pmqa.assessments import services
from pmqa.assessments.forms import VersionForm
from pmqa.assessments.models import (
    Revision,
)
from pmqa.assessments.views.workspace import (
    flatten,
    load_workspace,
    page_url,
)
from pmqa.lib.converters import is_id
from pmqa.lib.diff import field_diffs

# ---------------------------------------------------------------------------------------------
# History


@agency_required
def history(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    ws = load_workspace(request, pk)
    answer = ws.answers.get(key)
    if answer is None:
        raise Http404
    # An answer never saved has no row yet, and no history.
    revisions = list(answer.revisions.select_related("saved_by")[:200]) if answer.pk else []
    selected = None
    diffs: list[dict[str, Any]] = []
    wanted = request.GET.get("revision", "")
    if is_id(wanted):
        selected = next((r for r in revisions if r.pk == int(wanted)), None)
        if selected is None:
            raise Http404
        diffs = field_diffs(
            flatten(ws, answer.kind, key, answer.data),
            flatten(ws, answer.kind, key, selected.data),
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
def restore(request: AuthenticatedHttpRequest, pk: int, key: str, revision_pk: int) -> HttpResponse:
    ws = load_workspace(request, pk, write=True)
    answer = ws.answers.get(key)
    if answer is None:
        raise Http404
    revision = get_object_or_404(Revision, pk=revision_pk, answer=answer)
    try:
        services.restore_revision(
            revision=revision, base_version=VersionForm(request.POST).base_version, by=request.user
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
