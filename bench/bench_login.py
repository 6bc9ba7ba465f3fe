"""Logging in as a person does, in new server processes: the first page of a process cold (as
after a restart, or a worker replaced) and warmed in advance (pmqa.wsgi warms in gunicorn's
master, before the workers fork), against the password hash alone, measured in the same run.

    .venv/bin/python bench/bench_login.py

A throwaway SQLite database with the demo data, production settings (no debug mode: the
templates are compiled once and kept); results in bench/login.json and bench/README.md."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7

# One new process: the entry point as gunicorn loads it (warm) or Django's handler bare (cold),
# then the login page, the login itself and the page it lands on.
PROCESS = r"""
import json, os, sys, time
t0 = time.perf_counter()
if sys.argv[1] == "warm":
    from pmqa.wsgi import application
else:
    import django
    from django.core.wsgi import get_wsgi_application
    application = get_wsgi_application()
ready = time.perf_counter() - t0
from django.contrib.auth.hashers import make_password
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
out = {"start": ready}
t = time.perf_counter(); client.get("/accounts/login/"); out["login page"] = time.perf_counter() - t
t = time.perf_counter()
answer = client.post("/accounts/login/", {"username": "narathiwat.editor", "password": "pmqa-demo"})
out["log in"] = time.perf_counter() - t
assert answer.status_code == 302, answer.status_code
t = time.perf_counter(); client.get("/agency/", follow=True)
out["landing page"] = time.perf_counter() - t
t = time.perf_counter(); make_password("pmqa-demo")
out["password hash alone"] = time.perf_counter() - t
print(json.dumps(out))
"""


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="pmqa-bench-login-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pmqa.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "PMQA_ENV_FILE": "",
        "PMQA_SECRET_KEY": "bench-only-" + "x" * 50,
        "PMQA_ALLOWED_HOSTS": "127.0.0.1",
        "PMQA_STATIC_ROOT": str(workdir / "static"),
        "PMQA_TASKS": "immediate",
    }
    env.pop("PMQA_DEBUG", None)
    pmqa = [sys.executable, "-m", "pmqa"]
    for command in (
        ["migrate", "--verbosity", "0"],
        ["import_organisations", "--verbosity", "0"],
        ["import_criteria", "--verbosity", "0"],
        ["seed_demo", "--force"],
        ["collectstatic", "--no-input", "--verbosity", "0"],
    ):
        subprocess.run(pmqa + command, env=env, check=True, cwd=ROOT, capture_output=True)
    runs: dict[str, list[dict[str, float]]] = {"cold": [], "warm": []}
    for _ in range(RUNS):
        for mode in runs:
            line = (
                subprocess.run(
                    [sys.executable, "-c", PROCESS, mode],
                    env=env,
                    cwd=ROOT,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            runs[mode].append(json.loads(line))
    result: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d"),
        "load average": [round(x, 2) for x in os.getloadavg()],
        "runs": RUNS,
    }
    for mode, rows in runs.items():
        result[mode] = {
            key: round(statistics.median(row[key] for row in rows), 3) for key in rows[0]
        }
    cold, warm = result["cold"], result["warm"]
    assert isinstance(cold, dict) and isinstance(warm, dict)
    first = {
        mode: r["login page"] + r["log in"] + r["landing page"]
        for mode, r in (("cold", cold), ("warm", warm))
    }
    result["first login, cold ÷ warm"] = round(first["cold"] / first["warm"], 2)
    result["log in ÷ password hash (warm)"] = round(warm["log in"] / warm["password hash alone"], 2)
    (ROOT / "bench" / "login.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
