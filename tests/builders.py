"""Test data that more than one test module builds: a Feedback Report complete for its kind."""

from pmqa.assessments.answers import criteria_tree
from pmqa.criteria.models import Pillar


def complete_report_blocks(edition):
    """Every box the lead's page has, with a text: category and item strengths and
    opportunities for improvement, and each pillar; enough for either kind of report."""
    blocks = {}
    for category in criteria_tree(edition):
        for kind, word in (("strength", "จุดแข็ง"), ("ofi", "ควรพัฒนา")):
            blocks[("category", str(category.number), kind)] = f"{word}หมวด {category.number}"
            for item in category.items.all():
                if kind == "ofi":
                    blocks[("item", item.code, kind)] = f"{word}ข้อ {item.code}"
    for pillar in Pillar.objects.filter(edition=edition):
        blocks[("pillar", pillar.code, "achievement")] = f"ผลงาน {pillar.code}"
    return blocks
