"""Faults the system survives, each in a process of its own killed at the worst moment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
import datetime, os, signal, sys
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
from pmqa.accounts.models import Role
from pmqa.assessments import services
from pmqa.assessments.models import Assessment, Cycle, Round
from pmqa.criteria.models import Edition
from pmqa.demo.services import CRITERIA_FILE
from pmqa.organisations.models import Organisation
from tests.builders import complete_assessment, make_user
"""

PREPARE = """
call_command("migrate", verbosity=0)
call_command("import_organisations", verbosity=0)
call_command("import_criteria", str(CRITERIA_FILE), verbosity=0)
today = timezone.localdate()
cycle = Cycle.objects.create(fiscal_year=2570, edition=Edition.objects.get(code="pmqa40"))
Round.objects.create(cycle=cycle, number=1, opens_on=today - datetime.timedelta(days=1),
                     closes_on=today + datetime.timedelta(days=9))
agency = Organisation.objects.get(code="TH-96")
editor = make_user("editor", Role.AGENCY_EDITOR, agency)
approver = make_user("approver", Role.AGENCY_APPROVER, agency)
assessment = services.start_assessment(cycle=cycle, organisation=agency, by=editor)
complete_assessment(assessment, editor)
"""


def run(code: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PMQA_ENV_FILE": "",
        "PMQA_SECRET_KEY": "test-only",
        "DJANGO_SETTINGS_MODULE": "pmqa.settings",
        "PMQA_MEDIA_ROOT": str(database.parent / "media"),
    }
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SETUP) + textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_worker_killed_during_a_submission_leaves_it_not_submitted_at_all(tmp_path):
    database = tmp_path / "fault.sqlite3"
    prepared = run(PREPARE, database)
    assert prepared.returncode == 0, prepared.stderr
    # The worker dies (SIGKILL: no clean-up of any kind) after the submission's snapshot and
    # scores are written and just as the status is to change.
    killed = run(
        """
        assessment = Assessment.objects.get()
        approver = assessment.organisation.memberships.get(role="agency_approver").user
        services.change_status = lambda **kwargs: os.kill(os.getpid(), signal.SIGKILL)
        services.submit_assessment(assessment=assessment, by=approver)
        print("not killed")
        """,
        database,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    state = run(
        """
        assessment = Assessment.objects.get()
        print(assessment.status, assessment.submissions.count(), assessment.scores.count(),
              assessment.status_changes.count())
        """,
        database,
    )
    assert state.returncode == 0, state.stderr
    assert state.stdout.split() == ["draft", "0", "0", "0"]
    # and the approver submits it afterwards as if nothing had happened.
    again = run(
        """
        assessment = Assessment.objects.get()
        approver = assessment.organisation.memberships.get(role="agency_approver").user
        services.submit_assessment(assessment=assessment, by=approver)
        assessment.refresh_from_db()
        print("RESULT", assessment.status, assessment.submissions.count())
        """,
        database,
    )
    assert again.returncode == 0, again.stderr
    result = next(line for line in again.stdout.splitlines() if line.startswith("RESULT"))
    assert result.split() == ["RESULT", "submitted", "1"]
