"""The audit trail for administrators: an assessment's (every audited change of it and of what
belongs to it: evidence, reviews, scores, questions, consensus, the report, round 2), and the
whole log, searched by who, what, about what and when, and exported as CSV."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmqa.accounts.decorators import admin_required
from pmqa.assessments.models import Assessment, Evidence
from pmqa.audit import services as audit_services
from pmqa.audit.labels import ACTIONS, OBJECT_TYPES, action_label, object_label, readable
from pmqa.audit.models import AuditEntry
from pmqa.audit.names import name_entries, name_objects, name_of, people_of
from pmqa.lib.csvfile import BOM, safe_row
from pmqa.lib.forms import BEDateField
from pmqa.lib.thai import format_date_be_numeric
from pmqa.verification.models import (
    ApplicationReport,
    Clarification,
    ConsensusScore,
    ItemScore,
    Review,
    Round2Score,
)


@admin_required
def audit_trail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.select_related("organisation", "cycle"), pk=pk
    )
    keys = _related_objects(assessment)
    query = Q()
    for object_type, ids in keys.items():
        query |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    entries = list(AuditEntry.objects.filter(query).select_related("actor").order_by("-at")[:1000])
    name_entries(entries)
    people = people_of(entries)
    for entry in entries:
        entry.label = action_label(entry.action)
        entry.about = object_label(entry.object_type)
        entry.old_text = readable(entry.old, people=people)
        entry.new_text = readable(entry.new, people=people)
    return render(request, "audit/trail.html", {"assessment": assessment, "entries": entries})


def _related_objects(assessment: Assessment) -> dict[str, list[int]]:
    """Every audited object that belongs to the assessment, by audit object type."""
    from django.apps import apps

    # The report lives in the app above this one: found by label, not imported.
    feedback = apps.get_model("feedback", "Feedback")
    owned = {
        feedback: {"assessment": assessment},
        apps.get_model("feedback", "ReportRevision"): {"feedback__assessment": assessment},
        Evidence: {"assessment": assessment},
        Review: {"assessment": assessment},
        ItemScore: {"review__assessment": assessment},
        Clarification: {"assessment": assessment},
        ConsensusScore: {"assessment": assessment},
        ApplicationReport: {"assessment": assessment},
        Round2Score: {"assessment": assessment},
    }
    found = {"assessments.assessment": [assessment.pk]}
    for model, lookup in owned.items():
        found[model._meta.label_lower] = list(
            model.objects.filter(**lookup).values_list("pk", flat=True)
        )
    return found


# ---------------------------------------------------------------------------------------------
# The whole audit log: filtered, paged, and exported as CSV

PER_PAGE = 50


_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class LogDateField(BEDateField):
    """A date typed in B.E., as everywhere; an address made when the log took ISO dates
    (2025-11-26) still opens, read as the same day."""

    def to_python(self, value: Any) -> datetime.date | None:
        found = _ISO_DATE.match(value) if isinstance(value, str) else None
        if found:
            year, month, day = (int(part) for part in found.groups())
            # A four-digit year this large was typed in B.E.; else it is the ISO (C.E.) one.
            be = year if year >= 2400 else year + 543
            value = f"{day}/{month}/{be}"  # read, and refused with its words, as typed in B.E.
        return super().to_python(value)


class AuditFilterForm(forms.Form):
    who = forms.CharField(label=gettext_lazy("Who"), required=False, max_length=150)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    object_type = forms.ChoiceField(label=gettext_lazy("About"), required=False)
    object_id = forms.CharField(label=gettext_lazy("Number"), required=False, max_length=64)
    since = LogDateField(label=gettext_lazy("From"), required=False)
    until = LogDateField(label=gettext_lazy("To"), required=False)

    DATES = ("since", "until")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.DATES:
            self.fields[name].widget.attrs["placeholder"] = _("dd/mm/yyyy (B.E.)")
        everything = [("", _("Any"))]
        self.fields["action"].choices = everything + sorted(
            ((code, str(label)) for code, label in ACTIONS.items()), key=lambda c: c[1]
        )
        self.fields["object_type"].choices = everything + [
            (code, str(label)) for code, label in OBJECT_TYPES.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The first date is after the second: swap them."))
        return data

    def apply(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        data = self.cleaned_data
        who = data["who"].strip()
        if who:
            # A failed login has no actor: it is found by the user name that was typed.
            entries = entries.filter(
                Q(actor__username__iexact=who)
                | Q(actor__full_name__icontains=who)
                | Q(new__username_hash=audit_services.typed_identifier(who))
            )
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        if data["object_id"].strip():
            entries = entries.filter(object_id=data["object_id"].strip())
        if data["since"]:
            entries = entries.filter(at__gte=_day_start(data["since"]))
        if data["until"]:
            entries = entries.filter(at__lt=_day_start(data["until"] + datetime.timedelta(days=1)))
        return entries

    def used(self) -> dict[str, str]:
        """The filters, for the export's own audit entry: dates as they are typed and shown."""
        return {
            k: format_date_be_numeric(v) if isinstance(v, datetime.date) else str(v)
            for k, v in self.cleaned_data.items()
            if v not in (None, "")
        }

    def as_typed_in_be(self, query: Any) -> Any | None:
        """The query with its dates as B.E. dates are typed (26/11/2568), when one was typed
        otherwise (an ISO date, a month's name); None when they already are."""
        changed = query.copy()
        for name in self.DATES:
            day = self.cleaned_data.get(name)
            if day is not None:
                changed[name] = format_date_be_numeric(day)
        return None if changed == query else changed


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _when(entry: AuditEntry) -> str:
    moment = timezone.localtime(entry.at)
    return f"{format_date_be_numeric(moment.date())} {moment:%H:%M:%S}"


def _csv_rows(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)

    def line(values: list[str]) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(safe_row(values))
        return out.getvalue()

    yield BOM + line(
        [
            _("When"),
            _("User name"),
            _("Name"),
            _("Action"),
            _("Action code"),
            _("About"),
            _("Number"),
            _("Old"),
            _("New"),
            _("Reason"),
            _("Address"),
            _("What it is about"),
        ]
    )
    for chunk in _chunks(entries.iterator(chunk_size=CHUNK), CHUNK):
        found = name_objects((e.object_type, e.object_id) for e in chunk)
        people = people_of(chunk)
        for entry in chunk:
            actor = entry.actor
            named = name_of(found, entry.object_type, entry.object_id)
            yield line(
                [
                    _when(entry),
                    actor.get_username() if actor else "",
                    actor.full_name if actor else "",
                    action_label(entry.action),
                    entry.action,
                    object_label(entry.object_type),
                    entry.object_id,
                    readable(entry.old, people=people),
                    readable(entry.new, people=people),
                    entry.reason,
                    entry.ip or "",
                    named.text if named else "",
                ]
            )


CHUNK = 2000


def _chunks(entries: Iterator[AuditEntry], size: int) -> Iterator[list[AuditEntry]]:
    chunk: list[AuditEntry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    filters = AuditFilterForm(request.GET or None)
    if filters.is_bound and not filters.is_valid():
        return render(request, "audit/log.html", {"filters": filters, "page": None}, status=400)
    if filters.is_bound:
        # One address per search, its dates in B.E. as the page shows them (links from before
        # held ISO dates).
        typed_in_be = filters.as_typed_in_be(request.GET)
        if typed_in_be is not None:
            return HttpResponseRedirect(f"{request.path}?{typed_in_be.urlencode()}")
    entries = AuditEntry.objects.select_related("actor").order_by("-at", "-pk")
    if filters.is_bound:
        entries = filters.apply(entries)
    if request.GET.get("format") == "csv":
        audit_services.record_download(
            request,
            action="export.audit",
            object_type="audit",
            new={"filters": filters.used() if filters.is_bound else {}},
        )
        response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="pmqa-audit-{stamp}.csv"'
        return response
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    page.numbers = list(page.paginator.get_elided_page_range(page.number, on_each_side=2))
    name_entries(page)
    people = people_of(page)
    for entry in page:
        entry.label = action_label(entry.action)
        entry.about = object_label(entry.object_type)
        entry.old_text = readable(entry.old, people=people)
        entry.new_text = readable(entry.new, people=people)
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return render(
        request,
        "audit/log.html",
        {"filters": filters, "page": page, "csv_query": query.urlencode()},
    )
