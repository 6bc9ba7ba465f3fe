"""The report's status is read from its assessment's from now on (Feedback.status, a
property). The stored column only mirrored it; before it goes, each row is checked to say
what the assessment says, so that nothing it held is lost."""

from django.db import migrations

# The report's status each assessment status gives (pmqa.feedback.models.Feedback.status).
FROM_ASSESSMENT = {
    "report_drafted": "submitted",
    "report_approved": "approved",
    "published": "published",
}


def derived(feedback):
    status = FROM_ASSESSMENT.get(feedback.assessment.status)
    if status:
        return status
    return "returned" if feedback.return_comment else "draft"


def check_the_mirror(apps, schema_editor):
    Feedback = apps.get_model("feedback", "Feedback")
    differing = [
        f"report of assessment {feedback.assessment_id}: stored “{feedback.status}”, "
        f"its assessment says “{derived(feedback)}”"
        for feedback in Feedback.objects.select_related("assessment").order_by("pk")
        if feedback.status != derived(feedback)
    ]
    if differing:
        raise RuntimeError(
            "These reports' stored status differs from their assessment's, and removing it "
            "would lose it. Bring the assessment to the report's status (or the report to "
            "the assessment's) through the report pages, then migrate again:\n"
            + "\n".join(differing)
        )


def restore_the_mirror(apps, schema_editor):
    Feedback = apps.get_model("feedback", "Feedback")
    for feedback in Feedback.objects.select_related("assessment"):
        feedback.status = derived(feedback)
        feedback.save(update_fields=["status"])


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_report_versions"),
        ("assessments", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(check_the_mirror, restore_the_mirror, elidable=True),
        migrations.RemoveField(model_name="feedback", name="status"),
    ]
