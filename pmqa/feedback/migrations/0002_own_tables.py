"""The Feedback Report's tables take the feedback app's names, and audit entries name the
models by their new label."""

from django.db import migrations

MODELS = ("feedback", "feedbackentry", "reportrevision")


def relabel(apps, schema_editor, old="reviews", new="feedback"):
    entry = apps.get_model("audit", "AuditEntry")
    for model in MODELS:
        entry.objects.filter(object_type=f"{old}.{model}").update(object_type=f"{new}.{model}")


def relabel_back(apps, schema_editor):
    relabel(apps, schema_editor, old="feedback", new="reviews")


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("reviews", "0005_move_feedback_to_its_app"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="feedback", table=None),
        migrations.AlterModelTable(name="feedbackentry", table=None),
        migrations.AlterModelTable(name="reportrevision", table=None),
        migrations.RunPython(relabel, relabel_back),
    ]
