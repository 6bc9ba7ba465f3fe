"""docs/deploy.md names only commands that exist: every `pmqa` command is a management
command of this project, every `make` target is in the Makefile, every variable is read."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def test_every_pmqa_command_the_deploy_guide_names_exists():
    # `pmqa COMMAND` as typed, or after .venv/bin/; not `--owner pmqa pmqa` (a database name).
    named = set(re.findall(r"(?:^|[\s/`])(?<!--owner )pmqa ([a-z]\w+)", DOC, re.M))
    named = {name for name in named if not name.startswith("pmqa")}
    assert {"backup", "restore", "db_worker", "migrate", "send_reminders"} <= named
    missing = named - set(get_commands())
    assert not missing, f"docs/deploy.md names pmqa commands that do not exist: {missing}"


def test_every_make_target_the_deploy_guide_names_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", makefile, re.M))
    # `make TARGET` typed as a command: at a line's start, in backticks or after VAR=value.
    named = set(re.findall(r"(?:^|`|\S=\S+ )make (\w[\w-]*)", DOC, re.M))
    assert {"serve", "install"} <= named
    assert named <= targets, named - targets


def test_every_variable_the_deploy_guide_sets_is_read_by_the_settings():
    sources = "".join(
        path.read_text(encoding="utf-8")
        for path in [ROOT / "pmqa" / "settings.py", ROOT / "pmqa" / "gunicorn_conf.py"]
    )
    named = set(re.findall(r"\b(PMQA_[A-Z0-9_]+)", DOC))
    unread = {name for name in named if name not in sources}
    assert not unread, f"docs/deploy.md names settings nothing reads: {unread}"


def test_the_guide_fills_a_new_database_and_makes_its_first_administrator():
    step = DOC.split("### 4. The criteria, the organisations and the first administrator")[1]
    step = step.split("### 5.")[0]
    for command in ("migrate", "import_criteria", "import_organisations", "create_administrator"):
        assert f"pmqa {command}" in step, command
    assert "make install-prod" in DOC


def test_nginx_keeps_the_port_lets_evidence_through_and_answers_in_thai():
    from django.conf import settings

    assert "proxy_set_header Host $http_host;" in DOC and "Host $host;" not in DOC
    size = int(re.search(r"client_max_body_size (\d+)m;", DOC).group(1))
    assert size > settings.PMQA_EVIDENCE_MAX_MB
    pages = re.findall(r"error_page [\d ]+ /errors/([\w-]+\.html);", DOC)
    assert pages == ["unavailable.html", "too-large.html"]
    for page in pages:
        text = (ROOT / "pmqa" / "static" / "errors" / page).read_text(encoding="utf-8")
        assert '<html lang="th">' in text
