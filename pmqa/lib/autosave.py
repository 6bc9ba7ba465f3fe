"""One way for every page that saves itself to answer a save: the agency's answers, an
assessor's review and the lead's report.

A save ends in one of five states. `attempt` runs the service and names the state; `respond`
turns it into the answer: for an autosave (htmx) the status line (`_save_status.html`) or the
comparison of a conflict (`_conflict.html`, put in the page's `#conflict` box); for a plain POST
the page again with what was typed (nothing typed is lost) or, once saved, where to go next.

    saved     everything was saved
    partial   saved except the values in `errors`, which stay on the page to correct
    invalid   nothing saved: `errors` says what to correct
    refused   nothing saved: the service refused (the state or the person); `problem` says why
    conflict  nothing saved over someone else's newer version; what was sent is kept beside it

An error may be a `FieldError`, which also says where the page shows it: the status line's list
then links to the field, and the page (`workspace.js`, for a form marked `data-field-marks`)
marks the field itself and says the message beside it, until a later save accepts it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pmqa.lib.errors import ServiceError

STATUS_TEMPLATE = "_save_status.html"
CONFLICT_TEMPLATE = "_conflict.html"
# A plain POST that did not save everything answers with the page again, and this status.
PAGE_STATUS = {"invalid": 400, "partial": 400, "refused": 400, "conflict": 409}


class EditConflict(Exception):
    """Someone else saved after the editor loaded the page. `current` is what is stored now
    (with `version`, `updated_at`, `updated_by`); `kept` is the refused edit, stored so that
    the editor can still choose it."""

    def __init__(self, current: Any, kept: Any) -> None:
        super().__init__("edit conflict")
        self.current = current
        self.kept = kept


@dataclass(frozen=True)
class FieldError:
    """A refused value as the page marks it. `message` names the field, for the list at the
    top of the form; `beside` is said beside it, with the id `message_id`; the inputs `fields`
    are marked invalid; the message follows the element `after` (by default the first field)."""

    message: str
    beside: str
    fields: tuple[str, ...] = ()
    message_id: str = ""
    after: str = ""

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Outcome:
    state: str
    saved: Any = None
    errors: Mapping[str, str | FieldError] = field(default_factory=dict)
    problem: str = ""
    conflict: EditConflict | None = None

    @property
    def messages(self) -> list[str]:
        return [str(message) for message in self.errors.values()]


def attempt(
    save: Callable[[], Any],
    *,
    errors: Mapping[str, str | FieldError] | None = None,
    savable: bool = True,
) -> Outcome:
    """Run `save` unless there are `errors` and nothing else to save (`savable` false)."""
    errors = errors or {}
    if errors and not savable:
        return Outcome("invalid", errors=errors)
    try:
        saved = save()
    except ServiceError as error:
        return Outcome("refused", problem=str(error))
    except EditConflict as conflict:
        return Outcome("conflict", conflict=conflict)
    return Outcome("partial" if errors else "saved", saved=saved, errors=errors)


def refused(problem: str) -> Outcome:
    """A save the page refuses before calling the service (a read-only page)."""
    return Outcome("refused", problem=problem)


def respond(
    request: HttpRequest,
    outcome: Outcome,
    *,
    status: Mapping[str, Any],
    page: Callable[[Outcome], HttpResponse],
    done: Callable[[Outcome], HttpResponse],
    conflict: Callable[[EditConflict], Mapping[str, Any]] | None = None,
) -> HttpResponse:
    """Answer a save.

    `status` is the status line's context: `version` and `saved_at` of what is stored (give
    `version` only where the page carries one), and optionally `extra_oob`, a template of more
    parts of the page to redraw with it. `page(outcome)` draws the page with what was posted;
    `done(outcome)` answers a plain POST that saved everything; `conflict(error)` gives the
    comparison's context: `diffs`, `restore_url` (saves the kept edit over the current one)."""
    if request.headers.get("HX-Request"):
        return _fragment(request, outcome, status, conflict)
    if outcome.state == "saved":
        return done(outcome)
    if outcome.state == "refused":
        messages.error(request, outcome.problem)
    response = page(outcome)
    if response.status_code == 200:
        response.status_code = PAGE_STATUS[outcome.state]
    return response


def _fragment(
    request: HttpRequest,
    outcome: Outcome,
    status: Mapping[str, Any],
    conflict: Callable[[EditConflict], Mapping[str, Any]] | None,
) -> HttpResponse:
    if outcome.conflict is not None and conflict is not None:
        response = render(
            request,
            CONFLICT_TEMPLATE,
            {"conflict": outcome.conflict, **conflict(outcome.conflict)},
        )
        response["HX-Retarget"] = "#conflict"
        response["HX-Reswap"] = "innerHTML"
        return response
    context = {
        **status,
        "state": outcome.state,
        # Strings, or FieldErrors the list links to their fields.
        "errors": list(outcome.errors.values()),
        "problem": outcome.problem,
    }
    return render(request, STATUS_TEMPLATE, context)


def form_errors(form: Any) -> dict[str, str]:
    """A Django form's errors as `attempt` takes them: every message, keyed by its field."""
    return {
        f"{name}.{n}": str(message)
        for name, messages_ in form.errors.items()
        for n, message in enumerate(messages_)
    }


def conflict_box(conflict: EditConflict | None, context: Mapping[str, Any]) -> dict[str, Any]:
    """The comparison as a page includes it in its `#conflict` box on a plain POST."""
    return {"conflict": conflict, **context} if conflict is not None else {}
