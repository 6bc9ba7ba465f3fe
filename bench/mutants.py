"""Targeted mutation testing of pmqa/scoring (not a test, not in CI).

Each mutant swaps one exact snippet of a scoring module for a plausible mistake; the scoring
tests must then fail ("kill" it). A mutant that survives is a rule no test pins down.

The repository (pyproject.toml, pmqa/, tests/) is copied to a temporary directory and every
mutant is applied there, then reverted and checked byte for byte, so the working tree is never
written to. Each snippet must occur exactly once in its file: when the code changes and a snippet
no longer matches, the script stops before running anything instead of testing nothing.

Run:  .venv/bin/python bench/mutants.py [--only TEXT] [--list]
Exit: 0 when every mutant is killed, 1 when any survives, 2 when the setup itself is broken.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
SCORING = Path("pmqa") / "scoring"
TESTS = ["tests/test_scoring.py", "tests/test_cli.py"]
# test_cli.py starts a process per case (about 10 s in all, against 1 s for test_scoring.py),
# but with -x it only runs in full for a mutant that test_scoring.py lets through, so it stays
# in. pytest-django runs its one database test first, which costs about a second per mutant.
PYTEST = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *TESTS]
TIMEOUT = 600


class Mutant(NamedTuple):
    file: str  # relative to pmqa/scoring/
    snippet: str
    replacement: str
    description: str


# decimal's rounding modes are plain strings ("ROUND_HALF_UP"), so a rounding mutant can name
# another mode as a literal without editing the module's imports.
ROUNDINGS = ("ROUND_HALF_EVEN", "ROUND_HALF_DOWN", "ROUND_DOWN", "ROUND_UP")

MUTANTS: list[Mutant] = [
    # --- rounding: q2 is the one rounding step; group statistics round to a whole number
    *(
        Mutant(
            "engine.py",
            "rounding=ROUND_HALF_UP)",
            f'rounding="{mode}")',
            f"q2 rounds {mode} instead of ROUND_HALF_UP",
        )
        for mode in ROUNDINGS
    ),
    *(
        Mutant(
            "kpi.py",
            "rounding=ROUND_HALF_UP)",
            f'rounding="{mode}")',
            f"score groups round the total {mode} instead of ROUND_HALF_UP",
        )
        for mode in ROUNDINGS
    ),
    # --- level and classification: judged on the printed figure, thresholds inclusive
    Mutant("engine.py", "shown = q2(total)", "shown = total", "level judged on the raw total"),
    Mutant("engine.py", "shown = q2(score)", "shown = score", "class judged on the raw score"),
    Mutant(
        "engine.py",
        "shown >= thresholds.significance",
        "shown > thresholds.significance",
        "significance needs more than 500",
    ),
    Mutant(
        "engine.py",
        "shown >= thresholds.advance",
        "shown > thresholds.advance",
        "advance needs more than 400",
    ),
    Mutant(
        "engine.py",
        "shown >= thresholds.basic",
        "shown > thresholds.basic",
        "basic needs more than 300",
    ),
    Mutant(
        "engine.py",
        "shown >= thresholds.strength",
        "shown > thresholds.strength",
        "strength needs more than 450",
    ),
    Mutant(
        "engine.py",
        "shown >= thresholds.develop",
        "shown > thresholds.develop",
        "develop needs more than 300",
    ),
    # --- 0–500 range checks
    Mutant(
        "engine.py",
        "or value < 0 or value > MAX_SCORE:",
        "or value <= 0 or value > MAX_SCORE:",
        "category score 0 refused",
    ),
    Mutant(
        "engine.py",
        "or value < 0 or value > MAX_SCORE:",
        "or value < 0 or value >= MAX_SCORE:",
        "category score 500 refused",
    ),
    Mutant(
        "engine.py",
        "or value < 0 or value > MAX_SCORE:",
        "or value > MAX_SCORE:",
        "negative category score accepted",
    ),
    Mutant(
        "engine.py",
        "or value < 0 or value > MAX_SCORE:",
        "or value < 0:",
        "category score above 500 accepted",
    ),
    Mutant(
        "engine.py",
        "if not value.is_finite() or value < 0",
        "if value < 0",
        "NaN category score reaches the comparisons",
    ),
    Mutant(
        "items.py",
        "if value < 0 or value > MAX_SCORE:",
        "if value <= 0 or value > MAX_SCORE:",
        "numeric score 0 refused",
    ),
    Mutant(
        "items.py",
        "if value < 0 or value > MAX_SCORE:",
        "if value < 0 or value >= MAX_SCORE:",
        "numeric score 500 refused",
    ),
    Mutant(
        "items.py",
        "if value < 0 or value > MAX_SCORE:",
        "if value > MAX_SCORE:",
        "negative numeric score accepted",
    ),
    Mutant(
        "items.py",
        "if value < 0 or value > MAX_SCORE:",
        "if value < 0:",
        "numeric score above 500 accepted",
    ),
    Mutant(
        "results.py",
        "if score < 0 or score > MAX_SCORE:",
        "if score <= 0 or score > MAX_SCORE:",
        "band score 0 refused",
    ),
    Mutant(
        "results.py",
        "if score < 0 or score > MAX_SCORE:",
        "if score < 0 or score >= MAX_SCORE:",
        "band score 500 refused",
    ),
    Mutant(
        "results.py",
        "if score < 0 or score > MAX_SCORE:",
        "if score > MAX_SCORE:",
        "negative band score accepted",
    ),
    Mutant(
        "results.py",
        "if score < 0 or score > MAX_SCORE:",
        "if score < 0:",
        "band score above 500 accepted",
    ),
    Mutant(
        "kpi.py",
        "or prior < 0 or prior > MAX_SCORE:",
        "or prior <= 0 or prior > MAX_SCORE:",
        "prior total 0 refused",
    ),
    Mutant(
        "kpi.py",
        "or prior < 0 or prior > MAX_SCORE:",
        "or prior < 0 or prior >= MAX_SCORE:",
        "prior total 500 refused",
    ),
    Mutant(
        "kpi.py",
        "or prior < 0 or prior > MAX_SCORE:",
        "or prior > MAX_SCORE:",
        "negative prior total accepted",
    ),
    Mutant(
        "kpi.py",
        "or prior < 0 or prior > MAX_SCORE:",
        "or prior < 0:",
        "prior total above 500 accepted",
    ),
    Mutant(
        "kpi.py",
        "or actual < 0 or actual > MAX_SCORE:",
        "or actual <= 0 or actual > MAX_SCORE:",
        "actual total 0 refused",
    ),
    Mutant(
        "kpi.py",
        "or actual < 0 or actual > MAX_SCORE:",
        "or actual < 0 or actual >= MAX_SCORE:",
        "actual total 500 refused",
    ),
    Mutant(
        "kpi.py",
        "or actual < 0 or actual > MAX_SCORE:",
        "or actual > MAX_SCORE:",
        "negative actual total accepted",
    ),
    Mutant(
        "kpi.py",
        "or actual < 0 or actual > MAX_SCORE:",
        "or actual < 0:",
        "actual total above 500 accepted",
    ),
    Mutant(
        "cli.py",
        "and value < low or",
        "and value <= low or",
        "CLI refuses a number at the lower bound",
    ),
    Mutant(
        "cli.py",
        "and value > high:",
        "and value >= high:",
        "CLI refuses a number at the upper bound",
    ),
    Mutant(
        "cli.py",
        "if low is not None and value < low or high is not None and value > high:",
        "if high is not None and value > high:",
        "CLI accepts a number below the lower bound",
    ),
    Mutant(
        "cli.py",
        "if low is not None and value < low or high is not None and value > high:",
        "if low is not None and value < low:",
        "CLI accepts a number above the upper bound",
    ),
    # --- bool input: True is an int to Python, never a score or a tick count to the rules
    Mutant(
        "items.py",
        "if isinstance(raw, bool):",
        "if False:",
        "item rules let a bool through to the text conversion",
    ),
    Mutant(
        "cli.py",
        "if isinstance(raw, bool) or raw is None",
        "if raw is None",
        "CLI lets a JSON true/false through to the text conversion",
    ),
    Mutant(
        "cli.py",
        "if not isinstance(flags, list) or not all(isinstance(f, bool) for f in flags):",
        "if not isinstance(flags, list):",
        "CLI checkpoints accept non-bool flags",
    ),
    # --- score bands: single point, equal values, direction, scores
    Mutant(
        "results.py",
        "if len(values) == 1:\n        return True",
        "if len(values) == 1:\n        return False",
        "a single-point band is read as lower-is-better",
    ),
    Mutant(
        "results.py",
        "if len(values) == 1:",
        "if len(values) <= 2:",
        "a two-point band skips the direction check",
    ),
    Mutant(
        "results.py",
        "if all(step > 0 for step in steps):",
        "if all(step >= 0 for step in steps):",
        "equal band values accepted as rising",
    ),
    Mutant(
        "results.py",
        "if all(step < 0 for step in steps):",
        "if all(step <= 0 for step in steps):",
        "equal band values accepted as falling",
    ),
    Mutant(
        "results.py",
        "if all(step > 0 for step in steps):",
        "if any(step > 0 for step in steps):",
        "band values that change direction accepted",
    ),
    Mutant(
        "results.py",
        "if any(b < a for a, b in",
        "if any(b <= a for a, b in",
        "flat band scores refused",
    ),
    Mutant(
        "results.py",
        "if any(b < a for a, b in",
        "if False and any(b < a for a, b in",
        "decreasing band scores accepted",
    ),
    Mutant("results.py", "if not band:", "if False:", "empty band not refused by name"),
    Mutant(
        "results.py",
        "if x < points[0][0]:",
        "if x <= points[0][0]:",
        "a value at the first point scores 0",
    ),
    Mutant(
        "results.py",
        "if x < points[0][0]:\n        return Decimal(0)",
        "if x < points[0][0]:\n        return points[0][1]",
        "a value before the first point scores the first score",
    ),
    # --- KPI rule: type boundaries, targets, degenerate standard, score groups
    Mutant(
        "kpi.py",
        "prior >= self.prior_from",
        "prior > self.prior_from",
        "a KPI type's lower bound made exclusive",
    ),
    Mutant(
        "kpi.py",
        "prior < self.prior_below",
        "prior <= self.prior_below",
        "a KPI type's upper bound made inclusive",
    ),
    Mutant(
        "kpi.py",
        "if actual < targets.minimum:",
        "if actual <= targets.minimum:",
        "reaching the minimum target scores 0",
    ),
    Mutant(
        "kpi.py",
        "or targets.standard <= targets.minimum:",
        "or targets.standard < targets.minimum:",
        "a standard equal to the minimum is used as a band of its own",
    ),
    Mutant(
        "kpi.py",
        "                self.rules.points_standard,\n",
        "                self.rules.points_advanced,\n",
        "type 1's total for 75 points is the advanced target",
    ),
    Mutant("kpi.py", "whole >= group.low", "whole > group.low", "score group low made exclusive"),
    Mutant(
        "kpi.py",
        "whole <= group.high",
        "whole < group.high",
        "score group high made exclusive",
    ),
    # --- process items: gated checklist, checkpoint counts, numeric decimals, level pick
    Mutant(
        "items.py",
        "if basic.complete:",
        "if True:",
        "advance counts while basic is incomplete",
    ),
    Mutant(
        "items.py",
        "if advance.complete:",
        "if True:",
        "significance counts while advance is incomplete",
    ),
    Mutant(
        "items.py",
        "            return Fraction(1)\n",
        "            return Fraction(0)\n",
        "a level without checkpoints counts as empty, not complete",
    ),
    Mutant(
        "items.py",
        "if self.count < 0 or self.met < 0:",
        "if False:",
        "negative checkpoint counts accepted",
    ),
    Mutant(
        "items.py",
        "if self.met > self.count:",
        "if False:",
        "more checkpoints met than the level has accepted",
    ),
    Mutant(
        "items.py",
        "if not significance.complete:",
        "if False:",
        "significance reached with a significance checkpoint open",
    ),
    Mutant(
        "items.py",
        ".exponent < -2:",
        ".exponent < -3:",
        "numeric score with three decimals accepted",
    ),
    Mutant(
        "items.py",
        "if not value.is_finite():",
        "if False:",
        "NaN reaches the item rules' comparisons",
    ),
    Mutant(
        "items.py",
        "if value not in LEVEL_PICKS:",
        "if False:",
        "level pick outside 0/300/400/500 accepted",
    ),
    Mutant(
        "engine.py",
        "if unknown:\n",
        "if False:\n",
        "unknown category ids ignored instead of refused",
    ),
]


class SetupError(Exception):
    pass


def copy_tree(target: Path) -> None:
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")
    for name in ("pmqa", "tests"):
        shutil.copytree(ROOT / name, target / name, ignore=skip)


def environment(tree: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PMQA_SECRET_KEY": "test-only",
        "DATABASE_URL": "sqlite:///:memory:",
        # The editable install maps `pmqa` to the working tree; the copy must come first.
        "PYTHONPATH": str(tree),
        # A mutant often keeps the file's size and lands within the same second as the
        # previous one, which a cached .pyc would not notice.
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def check_mutants(tree: Path, mutants: list[Mutant]) -> None:
    problems = []
    for mutant in mutants:
        path = tree / SCORING / mutant.file
        if not path.is_file():
            problems.append(f"{mutant.file}: no such file ({mutant.description})")
            continue
        source = path.read_text("utf-8")
        count = source.count(mutant.snippet)
        if count != 1:
            problems.append(
                f"{mutant.file}: snippet {mutant.snippet!r} found {count} times, expected once"
                f" ({mutant.description})"
            )
            continue
        try:
            compile(source.replace(mutant.snippet, mutant.replacement), str(path), "exec")
        except SyntaxError as error:
            problems.append(
                f"{mutant.file}: mutant does not compile: {error} ({mutant.description})"
            )
    if problems:
        raise SetupError("\n".join(problems))


def run_tests(tree: Path) -> tuple[int, str]:
    try:
        done = subprocess.run(
            PYTEST,
            cwd=tree,
            env=environment(tree),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return -1, "timeout"
    return done.returncode, done.stdout + done.stderr


def first_failure(output: str) -> str:
    match = re.search(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", output, re.MULTILINE)
    if match:
        return match.group(1)
    lines = output.strip().splitlines()
    return lines[-1] if lines else ""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_mutant(tree: Path, mutant: Mutant) -> tuple[bool, str]:
    path = tree / SCORING / mutant.file
    original = path.read_bytes()
    try:
        source = original.decode("utf-8")
        path.write_text(source.replace(mutant.snippet, mutant.replacement, 1), "utf-8")
        code, output = run_tests(tree)
    finally:
        path.write_bytes(original)
        if path.read_bytes() != original:
            raise SetupError(f"{path}: could not be restored after a mutant")
    if code == 0:
        return False, ""
    if code == -1:
        return True, "timeout"
    return True, first_failure(output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the mutants whose file or description contains TEXT")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args()

    mutants = MUTANTS
    if args.only:
        needle = args.only.lower()
        mutants = [m for m in MUTANTS if needle in f"{m.file} {m.description}".lower()]
        if not mutants:
            print(f"mutants: no mutant matches {args.only!r}", file=sys.stderr)
            return 2
    if args.list:
        try:
            check_mutants(ROOT, mutants)
        except SetupError as error:
            print(f"mutants: {error}", file=sys.stderr)
            return 2
        for index, mutant in enumerate(mutants, start=1):
            print(f"{index:3}  {mutant.file:<11} {mutant.description}")
        return 0

    working = {path: digest(path) for path in sorted((ROOT / SCORING).glob("*.py"))}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pmqa-mutants-") as name:
        tree = Path(name)
        try:
            copy_tree(tree)
            check_mutants(tree, mutants)
            where = subprocess.run(
                [sys.executable, "-c", "import pmqa.scoring; print(pmqa.scoring.__file__)"],
                cwd=tree,
                env=environment(tree),
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            if not where.startswith(str(tree)):
                raise SetupError(f"the copy is not the code under test: pmqa.scoring is {where!r}")
            code, output = run_tests(tree)
            if code != 0:
                raise SetupError(f"the unmutated tests fail, so no mutant can be judged:\n{output}")
            print(f"baseline passes ({time.monotonic() - started:.1f} s); {len(mutants)} mutants")
            survivors = []
            for index, mutant in enumerate(mutants, start=1):
                begun = time.monotonic()
                killed, by = run_mutant(tree, mutant)
                took = time.monotonic() - begun
                status = "killed  " if killed else "SURVIVED"
                line = f"{index:3} {status} {mutant.file:<11} {mutant.description}"
                print(f"{line}  [{took:.1f} s]{f'  by {by}' if by else ''}", flush=True)
                if not killed:
                    survivors.append(mutant)
        except SetupError as error:
            print(f"mutants: {error}", file=sys.stderr)
            return 2
    changed = [p for p, h in working.items() if not p.is_file() or digest(p) != h]
    if changed:
        # Only the copy is ever written, so a change here came from elsewhere and the run
        # may have tested code that is no longer there.
        names = ", ".join(str(p.relative_to(ROOT)) for p in changed)
        print(f"mutants: {names} changed in the working tree during the run", file=sys.stderr)
        return 2
    elapsed = time.monotonic() - started
    killed_count = len(mutants) - len(survivors)
    print(
        f"{len(mutants)} mutants: {killed_count} killed, {len(survivors)} survived"
        f" in {elapsed:.0f} s"
    )
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
