"""``roret capacity plan --years 5`` from the shell, timed N times: the median wall-clock and CPU seconds.

    DATABASE_URL=sqlite:////tmp/cap.sqlite3 python benchmarks/capacity_cli.py --runs 7
    python benchmarks/capacity_cli.py --runs 7 --tree /tmp/before --tree .   # interleaved A/B
    python benchmarks/capacity_cli.py --runs 7 --out benchmarks/out/capacity_cli.json

Each run is a fresh interpreter (``python -m roret.cli capacity -v0 plan --years 5 ...``), as an
economist would start it, so start-up (Python, Django's set-up, the engine's imports) is counted.
With ``--probe`` the same number of ``roret capacity erlang --places 40 --load 36`` runs (start-up
and set-up only, no database work) are timed beside them. Several ``--tree`` directories (git
worktrees of the same repository) are run interleaved, one run of each in turn, so all see the
same machine load; each runs with ``PYTHONPATH`` set to it. Wall-clock time depends on what else the
machine does: the output carries the load average before and after, and the CPU seconds (user +
system of the child) that load moves much less. Issue 9's goal is a median under 1 s on the demo
built with ``roret demo --seed 2026 --today 2026-11-23``; results are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

from common import emit  # noqa: E402  (benchmarks/, the script's own folder)

ROOT = pathlib.Path(__file__).resolve().parents[1]


def timed(command: list[str], tree: pathlib.Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} in {tree} failed ({done.returncode}):\n{done.stderr}")
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}


def summary(timings: list[dict]) -> dict:
    return {key: {"median": round(statistics.median(t[key] for t in timings), 3),
                  "min": round(min(t[key] for t in timings), 3), "max": round(max(t[key] for t in timings), 3),
                  "all": [round(t[key], 3) for t in timings]} for key in ("wall", "cpu")}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per tree (default 7)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--today", default="2026-11-23", help="the plan's day (the demo's today)")
    parser.add_argument("--tree", type=pathlib.Path, action="append", default=None,
                        help="a worktree to run (repeatable, interleaved; default: this one)")
    parser.add_argument("--probe", action="store_true", help="also time `roret capacity erlang` (start-up only)")
    parser.add_argument("--out", type=pathlib.Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    trees = [t.resolve() for t in (args.tree or [ROOT])]
    plan = [sys.executable, "-m", "roret.cli", "capacity", "-v0", "plan", "--years", str(args.years),
            "--today", args.today]
    probe = [sys.executable, "-m", "roret.cli", "capacity", "erlang", "--places", "40", "--load", "36"]
    for tree in trees:  # a first run each, not counted: bytecode written, files in the page cache
        timed(plan, tree)
    load_before = os.getloadavg()
    runs = {str(t): {"plan": [], "probe": []} for t in trees}
    for _ in range(args.runs):
        for tree in trees:
            runs[str(tree)]["plan"].append(timed(plan, tree))
            if args.probe:
                runs[str(tree)]["probe"].append(timed(probe, tree))
    result = {
        "command": " ".join(plan[1:]), "runs": args.runs, "database": os.environ.get("DATABASE_URL", "(settings)"),
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "trees": {tree: {name: summary(t) for name, t in parts.items() if t} for tree, parts in runs.items()},
    }
    return emit(result, args.out)


if __name__ == "__main__":
    main()
