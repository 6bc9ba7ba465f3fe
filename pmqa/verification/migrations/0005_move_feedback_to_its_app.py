"""The Feedback Report's models move to the feedback app; their tables stay (state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0004_report_revision'),
        ('feedback', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='feedback',
                    name='assessment',
                ),
                migrations.RemoveField(
                    model_name='reportrevision',
                    name='feedback',
                ),
                migrations.RemoveField(
                    model_name='reportrevision',
                    name='revised_by',
                ),
                migrations.DeleteModel(
                    name='FeedbackEntry',
                ),
                migrations.DeleteModel(
                    name='Feedback',
                ),
                migrations.DeleteModel(
                    name='ReportRevision',
                ),
            ],
            database_operations=[],
        ),
    ]
