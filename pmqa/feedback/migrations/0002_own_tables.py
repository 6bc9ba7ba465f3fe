"""The Feedback Report's tables take the feedback app's names; audit entries and content types
name the models by their new label."""

from django.db import migrations

MODELS = ("feedback", "feedbackentry", "reportrevision")


def relabel(apps, schema_editor, old="reviews", new="feedback"):
    entry = apps.get_model("audit", "AuditEntry")
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        entry.objects.filter(object_type=f"{old}.{model}").update(object_type=f"{new}.{model}")
        # The content type moves too, so that admin history and permissions follow the model
        # (a fresh database has none yet: they are made after the migrations).
        if not content_type.objects.filter(app_label=new, model=model).exists():
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def relabel_back(apps, schema_editor):
    relabel(apps, schema_editor, old="feedback", new="reviews")


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("reviews", "0005_move_feedback_to_its_app"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="feedback", table=None),
        migrations.AlterModelTable(name="feedbackentry", table=None),
        migrations.AlterModelTable(name="reportrevision", table=None),
        migrations.RunPython(relabel, relabel_back),
    ]
