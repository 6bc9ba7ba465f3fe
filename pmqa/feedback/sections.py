"""The report's texts as the pages read them: paragraphs per block, grouped by pillar and
category."""

from __future__ import annotations

from pmqa.assessments.answers import criteria_tree
from pmqa.criteria.models import Pillar
from pmqa.feedback.models import Feedback

FEEDBACK_KINDS = ("strength", "ofi")


def feedback_blocks(feedback: Feedback) -> dict[tuple[str, str, str], str]:
    blocks: dict[tuple[str, str, str], list[str]] = {}
    if feedback.pk is None:
        return {}
    for entry in feedback.entries.exclude(scope="overall").order_by("position"):
        blocks.setdefault((entry.scope, entry.key, entry.kind), []).append(entry.text)
    return {key: "\n\n".join(texts) for key, texts in blocks.items()}


def report_sections(feedback: Feedback) -> list[dict[str, object]]:
    """The report's texts grouped for reading: pillars, categories with items, themes."""
    edition = feedback.assessment.cycle.edition
    blocks = feedback_blocks(feedback)
    sections: list[dict[str, object]] = []
    pillars = [
        (p, blocks.get(("pillar", p.code, "achievement"), ""))
        for p in Pillar.objects.filter(edition=edition)
    ]
    if any(text for _p, text in pillars):
        sections.append({"kind": "pillars", "pillars": pillars})
    for category in criteria_tree(edition):
        items = [
            (
                item,
                blocks.get(("item", item.code, "strength"), ""),
                blocks.get(("item", item.code, "ofi"), ""),
            )
            for item in category.items.all()
        ]
        sections.append(
            {
                "kind": "category",
                "category": category,
                "strength": blocks.get(("category", str(category.number), "strength"), ""),
                "ofi": blocks.get(("category", str(category.number), "ofi"), ""),
                "items": [row for row in items if row[1] or row[2]],
            }
        )
    sections.append(
        {
            "kind": "conclusion",
            "conclusion": feedback.conclusion,
            "themes": list(
                feedback.entries.filter(scope="overall", kind="theme").order_by("position")
            ),
        }
    )
    return sections
