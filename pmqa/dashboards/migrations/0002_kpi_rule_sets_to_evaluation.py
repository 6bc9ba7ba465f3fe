"""The KPI rule sets now belong to pmqa.evaluation, which keeps their table."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("dashboards", "0001_kpi_rule_set_versions"),
        ("evaluation", "0001_kpi_rule_sets_from_dashboards"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="KpiRuleSetVersion")],
            database_operations=[],
        ),
    ]
