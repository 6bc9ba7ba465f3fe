"""The README works as written: its commands run in a new shell, with no variable set by hand,
on the settings a local installation keeps in its .env file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PMQA = str(Path(sys.executable).with_name("pmqa"))
# Commands shown in the README that this test does not run, and why.
NOT_RUN_HERE = {
    "seed_demo": "loads the whole demo; covered by tests/test_demo_and_whatif.py",
    "build_reports": "prints with Chromium; covered by tests/test_reports.py",
    "statistics": "needs a cycle with verified scores; covered by tests/test_statistics.py",
    "backup": "writes an archive of the database; covered by tests/test_backup.py",
    "db_worker": "runs until stopped; covered by tests/test_background.py",
}


def readme_commands() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"`\.venv/bin/pmqa (\w+)", text))


@pytest.fixture
def installation(tmp_path):
    """A new shell's environment: no PMQA_ variable, and a .env like the one `make run`
    writes (its secret key), pointing the database somewhere harmless."""
    env_file = tmp_path / ".env"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run: .*\.env", makefile, re.M), "make run no longer writes .env"
    assert re.search(r"PMQA_SECRET_KEY=.*secrets\.token_urlsafe", makefile), (
        "the .env rule no longer writes a random secret key"
    )
    env_file.write_text(
        f"PMQA_SECRET_KEY=generated-for-this-test\nDATABASE_URL=sqlite:///{tmp_path}/db.sqlite3\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMQA_", "DATABASE_URL"))}
    env["PMQA_ENV_FILE"] = str(env_file)
    return env


def run(env, *args, stdin=""):
    result = subprocess.run(
        [PMQA, *args], input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, f"pmqa {' '.join(args)}: {result.stderr[-2000:]}"
    assert "Traceback" not in result.stderr
    return result.stdout


# Narathiwat FY2561's category scores, from docs/scoring.md.
NARATHIWAT = (
    '{"categories": {"1": 450, "2": 500, "3": 450, "4": 475, "5": 475, "6": 425, "7": 326.67}}'
)


def test_the_readme_commands_work_in_a_new_shell(installation):
    run(installation, "migrate", "--verbosity", "0")
    outputs = {
        command: run(installation, command, *args, stdin=stdin)
        for command, args, stdin in (
            ("import_criteria", (), ""),
            ("import_organisations", (), ""),
            (
                "create_administrator",
                ("somchai", "--email", "somchai@opdc.go.th", "--password-stdin"),
                "Srisuk-OPDC-2570!\n",
            ),
            ("score", ("-",), NARATHIWAT),
            ("kpi", ("--prior", "434.48"), ""),
            ("send_reminders", ("--today", "01/12/2569"), ""),
        )
    }
    assert '"total": "443.10"' in outputs["score"]
    assert '"standard": "434.48"' in outputs["kpi"]
    assert readme_commands() <= set(outputs) | set(NOT_RUN_HERE), (
        "a command the README shows is not run here"
    )
