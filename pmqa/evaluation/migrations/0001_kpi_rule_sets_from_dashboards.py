"""The KPI rule sets move to this app; their table stays where it is (no data moves)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("dashboards", "0001_kpi_rule_set_versions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="KpiRuleSetVersion",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("fiscal_year", models.PositiveSmallIntegerField(verbose_name="fiscal year")),
                        ("number", models.PositiveSmallIntegerField(verbose_name="version")),
                        ("data", models.JSONField(verbose_name="rule set")),
                        ("reason", models.TextField(verbose_name="reason")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "KPI rule set version",
                        "verbose_name_plural": "KPI rule set versions",
                        "ordering": ["fiscal_year", "number"],
                        "db_table": "dashboards_kpirulesetversion",
                        "constraints": [models.UniqueConstraint(fields=("fiscal_year", "number"), name="kpi_rule_set_version")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
