"""Load benchmark (not a test): the agency's autosave and assessment home under many users,
served by gunicorn as in production, on loopback, against a bare view in the same run.

Run: .venv/bin/python bench/bench_load.py [--duration 10] [--workers 1,2]
     scripts/with-postgres .venv/bin/python bench/bench_load.py --keep-db
Needs wrk (Debian package `wrk`). Without DATABASE_URL it builds a throwaway SQLite database.

On `bench_national.py`'s dataset (500 organisations × 10 years) it adds 64 agencies with a
draft FY2570 assessment and an editor each, logged in. Then, for 1 and 2 gunicorn workers:

- closed loop (wrk, 8/32/64 connections, each as fast as it can): the bare view
  (`/favicon.ico`, every middleware and a redirect), the assessment home, and autosaves, each
  a new text for one of the 64 × 24 process items with the version the page would hold;
- open loop as typing users (64 threads, one autosave every 1.5 s each, as the page sends
  them): latency percentiles, errors, and saves refused or lost.

Results go to bench/load-<database>.json and the table on standard output.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

USERS = 64
ITEMS = [f"{c}.{i}" for c in range(1, 7) for i in range(1, 5)]

LUA_GET = """
wrk.headers["Cookie"] = "%(cookie)s"
errors = 0
function response(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end
"""

LUA_AUTOSAVE = """
local targets = {}
local counter = 0
-- Global, not local: setup() sets each thread's own `tid` in that thread's state, and a
-- local here would hide it (every thread would send the same requests).
tid = 0
local threads = {}
local nthreads = %(threads)d
function setup(thread)
  thread:set("tid", tid)
  table.insert(threads, thread)
  tid = tid + 1
end
function init(args)
  for line in io.lines("%(targets)s") do
    local cookie, token, path, base = line:match("([^|]+)|([^|]+)|([^|]+)|([^|]+)")
    table.insert(targets, {cookie, token, path, tonumber(base)})
  end
  refused = 0
end
function request()
  local mine = math.floor(#targets / nthreads)
  local i = counter %% mine
  local round = math.floor(counter / mine)
  counter = counter + 1
  local t = targets[i * nthreads + tid + 1]
  -- A text no earlier run sent (the run's nonce), so that every save is a real change.
  local text = "%(nonce)s-" .. tid .. "-" .. counter
  local body = "version=" .. (t[4] + round) .. "&tick-basic=1&n-basic-approach=" .. text
  return wrk.format("POST", t[3], {
    ["Cookie"] = t[1],
    ["X-CSRFToken"] = t[2],
    ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
function response(status, headers, body)
  if status ~= 200 or not body:find("save%%-status saved") then
    refused = refused + 1
    if refused == 1 and os.getenv("PMQA_LOAD_DEBUG") then
      io.stderr:write(status .. " " .. body:sub(1, 600) .. "\\n")
    end
  end
end
function done(summary, latency, requests)
  local refusals = 0
  for _, thread in ipairs(threads) do refusals = refusals + thread:get("refused") end
  io.write(string.format("PMQA refused=%%d\\n", refusals))
end
"""

LUA_DONE = """
function done(summary, latency, requests)
  io.write(string.format("PMQA p50=%.3f p95=%.3f p99=%.3f requests=%d seconds=%.3f errors=%d\\n",
    latency:percentile(50) / 1e6, latency:percentile(95) / 1e6, latency:percentile(99) / 1e6,
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_users():  # type: ignore[no-untyped-def]
    from django.test import Client

    from pmqa.accounts.models import Membership, Role, User
    from pmqa.assessments.models import Assessment, Cycle
    from pmqa.assessments.services import ensure_answers
    from pmqa.organisations.models import Organisation

    cycle = Cycle.objects.get(fiscal_year=2570)
    users = []
    for n in range(USERS):
        organisation = Organisation.objects.create(
            code=f"LOAD-{n:02d}", kind="department", name_th=f"หน่วยงานทดสอบภาระงาน {n}"
        )
        editor = User.objects.create_user(username=f"load-editor-{n}", password=None)
        Membership.objects.create(
            user=editor, role=Role.AGENCY_EDITOR, organisation=organisation, starts_on="2020-01-01"
        )
        assessment = Assessment.objects.create(cycle=cycle, organisation=organisation)
        ensure_answers(assessment=assessment)
        client = Client()
        client.force_login(editor)
        token = secrets.token_hex(16)  # an unmasked 32-character CSRF secret
        cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}"
        users.append({"assessment": assessment.pk, "cookie": cookie, "token": token})
    return users


def versions(users, item: str | None = None) -> dict[tuple[int, str], int]:  # type: ignore[no-untyped-def]
    from pmqa.assessments.models import Answer

    rows = Answer.objects.filter(assessment_id__in=[u["assessment"] for u in users])
    if item:
        rows = rows.filter(key=item)
    return {(a, k): v for a, k, v in rows.values_list("assessment_id", "key", "version")}


def wrk(url: str, script: Path, connections: int, duration: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    if os.environ.get("PMQA_LOAD_DEBUG"):
        sys.stderr.write(out.stderr)
    out = out.stdout
    figures: dict[str, float] = {}
    for line in out.splitlines():
        if line.startswith("PMQA "):
            for part in line.split()[1:]:
                key, value = part.split("=")
                figures[key] = float(value)
    figures["rps"] = round(figures["requests"] / figures["seconds"], 1)
    return figures


def typing_users(port: int, users, duration: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Each user saves item 1.1 every 1.5 s (open loop: the next save is due at its time,
    however long the last one took), with the version its page holds."""
    current = versions(users, "1.1")
    latencies: list[float] = []
    errors = refused = 0
    lock = threading.Lock()
    start = time.monotonic() + 1.0
    stop = start + duration
    version_field = re.compile(r'name="version" id="version" value="(\d+)"')

    def user(index: int, info) -> None:  # type: ignore[no-untyped-def]
        nonlocal errors, refused
        version = current[(info["assessment"], "1.1")]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        due = start + 1.5 * index / USERS  # spread over the first interval
        count = 0
        while due < stop:
            time.sleep(max(0.0, due - time.monotonic()))
            count += 1
            body = urlencode({"version": version, "n-basic-approach": f"กำลังพิมพ์ {index} {count}"})
            # Timed from when it was due, not when it could be sent: a save that waits for the
            # last one to be answered (the server is behind) counts its wait.
            began = due
            try:
                connection.request(
                    "POST",
                    f"/agency/assessments/{info['assessment']}/items/1.1/",
                    body,
                    {
                        "Cookie": info["cookie"],
                        "X-CSRFToken": info["token"],
                        "HX-Request": "true",
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                response = connection.getresponse()
                text = response.read().decode()
                took = time.monotonic() - began
                found = version_field.search(text)
                with lock:
                    latencies.append(took)
                    if response.status != 200 or "save-status saved" not in text:
                        refused += 1
                        if refused == 1 and os.environ.get("PMQA_LOAD_DEBUG"):
                            sys.stderr.write(f"{response.status} {text[:600]}\n")
                if found:
                    version = int(found.group(1))
            except (OSError, http.client.HTTPException):
                with lock:
                    errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            due += 1.5
        connection.close()

    threads = [threading.Thread(target=user, args=(i, u)) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = versions(users, "1.1")
    # Every save answered "saved" must be a stored version; any difference was lost.
    made = sum(saved[(u["assessment"], "1.1")] - current[(u["assessment"], "1.1")] for u in users)
    latencies.sort()
    return {
        "saves": len(latencies),
        "stored_versions": made,
        "lost": len(latencies) - refused - made,
        "refused": refused,
        "errors": errors,
        "p50": round(statistics.median(latencies), 4) if latencies else 0,
        "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 4) if latencies else 0,
        "p99": round(latencies[int(0.99 * (len(latencies) - 1))], 4) if latencies else 0,
    }


def main() -> None:
    from bench_national import dataset_parser

    parser = dataset_parser()
    parser.add_argument("--duration", type=int, default=10, help="seconds per closed-loop run")
    parser.add_argument("--typing", type=int, default=20, help="seconds of typing users")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--connections", default="8,32,64")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="pmqa-load-"))
    if not args.keep_db or "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'load.sqlite3'}"
    server_env = {
        **os.environ,
        "PMQA_ENV_FILE": "",
        "PMQA_DEBUG": "0",
        "PMQA_SECRET_KEY": secrets.token_urlsafe(50),
        "PMQA_ALLOWED_HOSTS": "127.0.0.1",
        "PMQA_SECURE_COOKIES": "0",
        "PMQA_SITE_URL": "http://127.0.0.1",
        "PMQA_MEDIA_ROOT": str(workdir / "media"),
        "PMQA_STATIC_ROOT": str(workdir / "static"),
        "PMQA_TASKS": "immediate",
        "DJANGO_SETTINGS_MODULE": "pmqa.settings",
    }
    os.environ.update(server_env)
    import django

    django.setup()
    from bench_national import build_dataset
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    build_dataset(args.organisations, args.years)
    users = build_users()
    call_command("collectstatic", interactive=False, verbosity=0)
    built = time.perf_counter() - started
    connection.close()

    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "load_before": round(os.getloadavg()[0], 2),
        "database": connection.vendor,
        "organisations": args.organisations,
        "years": args.years,
        "dataset_seconds": round(built, 1),
        "duration": args.duration,
        "runs": {},
    }
    lua_get = workdir / "get.lua"
    lua_get.write_text(LUA_GET % {"cookie": users[0]["cookie"]} + LUA_DONE, encoding="utf-8")
    targets = workdir / "targets.txt"
    lua_save = workdir / "autosave.lua"
    for workers in [int(w) for w in args.workers.split(",")]:
        port = free_port()
        env = {**server_env, "PMQA_BIND": f"127.0.0.1:{port}", "PMQA_WORKERS": str(workers)}
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "--config",
                "python:pmqa.gunicorn_conf",
                "pmqa.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    probe.request("GET", "/healthz")
                    if probe.getresponse().status == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            run: dict[str, object] = {"load_at_start": round(os.getloadavg()[0], 2)}
            home = f"{base}/agency/assessments/{users[0]['assessment']}/"
            for c in [int(c) for c in args.connections.split(",")]:
                # Requests still queued from the last run would save after the versions are
                # read: let the server finish them first.
                time.sleep(3)
                current = versions(users)
                targets.write_text(
                    "".join(
                        f"{u['cookie']}|{u['token']}|/agency/assessments/{u['assessment']}"
                        f"/items/{item}/|{current[(u['assessment'], item)]}\n"
                        for item in ITEMS
                        for u in users
                    ),
                    encoding="utf-8",
                )
                bare = wrk(f"{base}/favicon.ico", lua_get, c, args.duration)
                page = wrk(home, lua_get, c, args.duration)
                lua_save.write_text(
                    LUA_AUTOSAVE % {"threads": 2, "targets": targets, "nonce": secrets.token_hex(4)}
                    + "local save_done = done\n"
                    + LUA_DONE.replace(
                        "requests)\n", "requests)\n  save_done(summary, latency, requests)\n", 1
                    ),
                    encoding="utf-8",
                )
                save = wrk(f"{base}/", lua_save, c, args.duration)
                stored = sum(versions(users).values()) - sum(current.values())
                save["stored_versions"] = stored
                run[f"closed {c}"] = {
                    "bare": bare,
                    "home": page,
                    "autosave": save,
                    "home_share": round(page["rps"] / bare["rps"], 3),
                    "autosave_share": round(save["rps"] / bare["rps"], 3),
                }
                print(
                    f"{workers}w {c:3}c  bare {bare['rps']:7.1f}/s  home {page['rps']:6.1f}/s "
                    f"({page['rps'] / bare['rps']:.0%})  autosave {save['rps']:6.1f}/s "
                    f"({save['rps'] / bare['rps']:.0%}) p95 {save['p95'] * 1000:.0f} ms "
                    f"refused {save.get('refused', 0):.0f}",
                    flush=True,
                )
            time.sleep(3)
            typing = typing_users(port, users, args.typing)
            run["typing users"] = typing
            run["load_at_end"] = round(os.getloadavg()[0], 2)
            print(
                f"{workers}w typing {USERS} users: {typing['saves']} saves, p50 "
                f"{typing['p50'] * 1000:.0f} ms, p95 {typing['p95'] * 1000:.0f} ms, errors "
                f"{typing['errors']}, refused {typing['refused']}, lost {typing['lost']}",
                flush=True,
            )
            results["runs"][f"{workers} workers"] = run  # type: ignore[index]
        finally:  # also on Ctrl-C: no server is left behind
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    runs = results["runs"]  # type: ignore[assignment]
    if "1 workers" in runs and "2 workers" in runs:
        results["two_vs_one"] = {
            key: round(
                runs["2 workers"][key]["autosave"]["rps"]
                / runs["1 workers"][key]["autosave"]["rps"],
                2,
            )
            for key in runs["1 workers"]
            if key.startswith("closed")
        }
        print("2 workers ÷ 1 worker, autosave throughput:", results["two_vs_one"])
    out = ROOT / "bench" / f"load-{connection.vendor}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results in {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
