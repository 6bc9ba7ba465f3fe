"""The assessors' forms: an item's score and comments, a question, a round 2 score."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pmqa.assessments import answers as content
from pmqa.criteria.models import Item
from pmqa.verification.services import ScoreInput

SCORE_MESSAGE = _("Enter a score from 0 to 500.")
TEXT_MAX = 8000


class ScoreField(forms.Field):
    """A score of 0–500 as people type it: Thai or Arabic digits, thousands commas."""

    default_error_messages = {"invalid": SCORE_MESSAGE}

    def to_python(self, value: Any) -> Decimal | None:
        try:
            number = content.parse_number(value)
        except ValueError:
            raise forms.ValidationError(SCORE_MESSAGE, code="invalid") from None
        if number is not None and not Decimal(0) <= number <= Decimal(500):
            raise forms.ValidationError(SCORE_MESSAGE, code="invalid")
        return number


def _text(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        max_length=TEXT_MAX,
        error_messages={"max_length": _("Keep it to %(limit_value)d characters or fewer.")},
    )


class ItemScoreForm(forms.Form):
    """One assessor's inputs for one item; fields are named as the page renders them."""

    override_reason = _text(_("Reason"))
    strengths = _text(_("Strengths"))
    ofis = _text(_("Opportunities for improvement"))

    def __init__(self, *args: Any, item: Item, kpi_count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpi_count = kpi_count
        for level in item.levels.all():
            self.fields[f"tick-{level.level}"] = forms.TypedMultipleChoiceField(
                required=False,
                coerce=int,
                choices=[(cp.position, cp.position) for cp in level.checkpoints.all()],
                error_messages={"invalid_choice": _("Tick only the checkpoints shown.")},
            )
        self.fields["points"] = ScoreField(required=False)
        for number in range(1, kpi_count + 1):
            self.fields[f"kpi-{number}"] = ScoreField(required=False)
        self.fields["override"] = ScoreField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("override") is not None and not data.get("override_reason"):
            self.add_error(
                "override_reason", _("Give the reason for overriding the computed score.")
            )
        return data

    def score_input(self) -> ScoreInput:
        data = self.cleaned_data
        return ScoreInput(
            ticks={
                name.removeprefix("tick-"): sorted(set(data[name]))
                for name in self.fields
                if name.startswith("tick-")
            },
            points=data.get("points"),
            kpi_scores=[data.get(f"kpi-{n}") for n in range(1, self.kpi_count + 1)],
            override=data.get("override"),
            override_reason=data.get("override_reason", ""),
            strengths=data.get("strengths", ""),
            ofis=data.get("ofis", ""),
        )


class QuestionForm(forms.Form):
    question = forms.CharField(
        max_length=TEXT_MAX,
        error_messages={
            "required": _("Write the question."),
            "max_length": _("Keep it to %(limit_value)d characters or fewer."),
        },
    )


class Round2ScoreForm(forms.Form):
    score = ScoreField(error_messages={"required": SCORE_MESSAGE})
    comment = _text(_("Comments"))


class ConsensusForm(forms.Form):
    """The lead's score and reason per item, named as the consensus page renders them; an
    item left empty is not set."""

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = codes
        for code in codes:
            self.fields[f"score-{code}"] = ScoreField(required=False)
            self.fields[f"reason-{code}"] = _text(_("Reason"))

    def given(self) -> dict[str, tuple[Decimal, str]]:
        data = self.cleaned_data
        return {
            code: (data[f"score-{code}"], data[f"reason-{code}"])
            for code in self.codes
            if data.get(f"score-{code}") is not None
        }

    def problems(self) -> dict[str, str]:
        """The first message per item, as the page shows them beside each row."""
        found: dict[str, str] = {}
        for name, messages in self.errors.items():
            code = name.split("-", 1)[-1]
            found.setdefault(code, messages[0])
        return found


class AnswerForm(forms.Form):
    """The agency's answer to a question, and the document it may send with it (the service
    judges both, as it judges evidence)."""

    answer = forms.CharField(required=False, strip=False)
    file = forms.Field(required=False, widget=forms.FileInput)
