"""Reading criteria editions, and copying one to a new editable edition."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmqa.accounts.decorators import admin_required
from pmqa.audit import services as audit
from pmqa.criteria.models import Edition
from pmqa.criteria.services import CriteriaError, copy_edition


@login_required
def edition_list(request: HttpRequest) -> HttpResponse:
    editions = Edition.objects.prefetch_related("cycles")
    return render(request, "criteria/list.html", {"editions": editions})


@login_required
def edition_detail(request: HttpRequest, code: str) -> HttpResponse:
    edition = get_object_or_404(Edition, code=code)
    categories = edition.categories.prefetch_related("items__levels__checkpoints")
    return render(
        request,
        "criteria/detail.html",
        {
            "edition": edition,
            "categories": categories,
            "copy_form": CopyForm(),
        },
    )


class CopyForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code of the new edition"), max_length=64)
    name_th = forms.CharField(
        label=gettext_lazy("Thai name of the new edition"), max_length=255, required=False
    )


@admin_required
def edition_copy(request: HttpRequest, code: str) -> HttpResponse:
    edition = get_object_or_404(Edition, code=code)
    form = CopyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            copy = copy_edition(
                edition=edition,
                code=form.cleaned_data["code"],
                name_th=form.cleaned_data["name_th"] or None,
            )
        except CriteriaError as error:
            form.add_error("code", str(error))
        else:
            audit.record(
                actor=request.user,
                action="criteria.copy",
                obj=copy,
                old={"edition": edition.code},
                new={"edition": copy.code},
            )
            messages.success(
                request,
                _("Edition “%(code)s” was created as an editable copy.") % {"code": copy.code},
            )
            return redirect("criteria:detail", code=copy.code)
    categories = edition.categories.prefetch_related("items__levels__checkpoints")
    return render(
        request,
        "criteria/detail.html",
        {
            "edition": edition,
            "categories": categories,
            "copy_form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
