"""Browsing the organisation register."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pmqa.accounts.decorators import admin_required
from pmqa.organisations.models import Organisation


@admin_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()
    organisations = Organisation.objects.select_related("parent")
    if kind in Organisation.Kind.values:
        organisations = organisations.filter(kind=kind)
    if query:
        organisations = organisations.filter(
            Q(name_th__icontains=query)
            | Q(name_en__icontains=query)
            | Q(code__icontains=query)
            | Q(short_name_th__icontains=query)
        )
    page = Paginator(organisations.order_by("kind", "code"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/list.html",
        {
            "page": page,
            "kinds": Organisation.Kind.choices,
            "kind": kind,
            "q": query,
        },
    )
