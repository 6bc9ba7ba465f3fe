"""The Feedback Report's models, taken over from the reviews app on their tables (state only)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('assessments', '0003_cycle_review_due_date'),
        ('reviews', '0004_report_revision'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Feedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted for approval'), ('returned', 'Returned with comments'), ('approved', 'Approved'), ('published', 'Published')], default='draft', max_length=12, verbose_name='status')),
                        ('conclusion', models.TextField(blank=True, verbose_name='overall conclusion')),
                        ('published_on', models.DateField(blank=True, null=True, verbose_name='published on')),
                        ('return_comment', models.TextField(blank=True, verbose_name='comment when returned')),
                        ('assessment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='assessments.assessment', verbose_name='assessment')),
                    ],
                    options={
                        'db_table': 'reviews_feedback',
                        'verbose_name': 'feedback report',
                        'verbose_name_plural': 'feedback reports',
                    },
                ),
                migrations.CreateModel(
                    name='FeedbackEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scope', models.CharField(choices=[('category', 'Category'), ('item', 'Item'), ('pillar', 'Gov 4.0 pillar'), ('overall', 'Whole organisation')], max_length=12, verbose_name='scope')),
                        ('key', models.CharField(blank=True, max_length=64, verbose_name='category, item or pillar')),
                        ('kind', models.CharField(choices=[('strength', 'Strength'), ('ofi', 'Opportunity for improvement'), ('achievement', 'Outstanding achievement'), ('theme', 'Development theme')], max_length=12, verbose_name='kind')),
                        ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                        ('title', models.CharField(blank=True, max_length=255, verbose_name='title')),
                        ('text', models.TextField(verbose_name='text')),
                        ('feedback', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='feedback.feedback')),
                    ],
                    options={
                        'db_table': 'reviews_feedbackentry',
                        'verbose_name': 'feedback entry',
                        'verbose_name_plural': 'feedback entries',
                        'ordering': ['feedback', 'scope', 'key', 'kind', 'position'],
                    },
                ),
                migrations.CreateModel(
                    name='ReportRevision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField(verbose_name='revision')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('changes', models.JSONField(default=dict, verbose_name='item scores changed')),
                        ('old_total', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='total before')),
                        ('new_total', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='total after')),
                        ('revised_on', models.DateField(verbose_name='revised on')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded')),
                        ('feedback', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='revisions', to='feedback.feedback', verbose_name='report')),
                        ('revised_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'reviews_reportrevision',
                        'verbose_name': 'report revision',
                        'verbose_name_plural': 'report revisions',
                        'ordering': ['feedback', 'number'],
                        'constraints': [models.UniqueConstraint(fields=('feedback', 'number'), name='report_revision_number')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
