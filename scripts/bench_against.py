"""``dosaku bench`` of this checkout against an earlier revision, as ratios measured in
one run: the two run one after the other, alternating, for a number of rounds, each
pinned to the same core, and the speed ratio of every pair is printed with its median.
On a shared, noisy machine single runs vary by 15% or more; the median of paired
ratios is what to compare. Pause other work on the machine meanwhile (a training
run: SIGSTOP/SIGCONT of its processes while it trains).

    .venv/bin/python scripts/bench_against.py fde3cd4 mcts --rounds 6 -- --seconds 3
    .venv/bin/python scripts/bench_against.py fde3cd4 engine --rounds 4 -- --seconds 2

The earlier revision is checked out once as a git worktree (``--worktree``, default
``/tmp/dosaku-bench-REV``) and run with this checkout's interpreter, its own code on
``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Figures where smaller is faster (the rest are rates).
TIMES = {"legal_mask_us", "copy_us"}


def bench(checkout: Path, kind: str, extra: list[str], core: int) -> dict:
    """The JSON line of one ``dosaku bench KIND`` run from ``checkout``."""
    command = [sys.executable, "-m", "cli.main", "bench", kind, *extra]
    if core >= 0:
        command = ["taskset", "-c", str(core), *command]
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    answer = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, check=False)
    lines = [line for line in answer.stdout.splitlines() if line.startswith("{")]
    if answer.returncode != 0 or not lines:
        raise SystemExit(f"bench_against: dosaku bench {kind} failed in {checkout}: {answer.stderr.strip()[-300:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog="options after -- go to dosaku bench KIND")
    parser.add_argument("revision", help="the earlier revision (anything git rev-parse takes)")
    parser.add_argument("kind", help="what to bench: engine, mcts, ...")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--core", type=int, default=1, help="core to pin both to (-1: no pinning)")
    parser.add_argument("--worktree", type=Path, default=None)
    arguments = sys.argv[1:]
    # What follows ``--`` goes to dosaku bench KIND as it is.
    extra = arguments[arguments.index("--") + 1 :] if "--" in arguments else []
    options = parser.parse_args(arguments[: arguments.index("--")] if "--" in arguments else arguments)
    options.extra = extra
    if options.rounds < 1:
        parser.error("--rounds must be at least 1")
    commit = subprocess.run(["git", "rev-parse", "--short", options.revision], cwd=ROOT, capture_output=True,
                            text=True, check=False)  # fmt: skip
    if commit.returncode != 0:
        parser.error(f"unknown revision {options.revision!r}")
    revision = commit.stdout.strip()
    before = options.worktree or Path(f"/tmp/dosaku-bench-{revision}")
    if not before.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(before), revision], cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
    for checkout in (before, ROOT):  # warm-up: compile or load each checkout's kernels
        bench(checkout, options.kind, options.extra, options.core)
    pairs = []
    for round_number in range(options.rounds):
        pair = (bench(before, options.kind, options.extra, options.core),
                bench(ROOT, options.kind, options.extra, options.core))  # fmt: skip
        pairs.append(pair)
        print(f"round {round_number + 1}/{options.rounds} done", file=sys.stderr)
    # Speeds only: rates (``*_per_s*``) and times; shares and batch sizes are not speeds.
    figures = [key for key in pairs[0][0] if ("_per_s" in key or key in TIMES) and key in pairs[0][1]]
    print(f"dosaku bench {options.kind} {' '.join(options.extra)}: {revision} (before) against this checkout "
          f"(after), {options.rounds} rounds; speed ratio after/before (above 1: faster now)")  # fmt: skip
    for key in figures:
        ratios = [(a[key] / b[key]) if key in TIMES else (b[key] / a[key]) for a, b in pairs if a[key] and b[key]]
        if not ratios:
            continue
        print(f"  {key}: before {statistics.median(a[key] for a, _ in pairs):,.3f}, "
              f"after {statistics.median(b[key] for _, b in pairs):,.3f}; ratios "
              f"{', '.join(f'{r:.3f}' for r in ratios)}; median {statistics.median(ratios):.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
