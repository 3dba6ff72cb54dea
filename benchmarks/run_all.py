"""Run every benchmark in one go (``make bench``) and write their JSON to benchmarks/out/.

The capacity benchmark needs nothing; the citizen-page and economy benchmarks run on a
100,000-citizen demo municipality in var/bench100k.sqlite3, built first if it is missing
(about 10-20 minutes on a 2-core machine). Record the numbers in docs/benchmarks.md.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
RORET = [sys.executable, "-m", "roret.cli"]


def run(cmd, env=None, out_name=None):
    print("$", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-4000:], sep="\n")
        raise SystemExit(f"benchmark failed: {' '.join(str(c) for c in cmd)}")
    if out_name:
        (OUT / out_name).write_text(result.stdout)
    print(result.stdout[-1500:])
    return result.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--database", type=Path, default=ROOT / "var" / "bench100k.sqlite3")
    parser.add_argument("--skip-large", action="store_true", help="only the capacity benchmark")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)

    run([sys.executable, "benchmarks/capacity_bench.py", "--out", str(OUT / "capacity.json")])
    if args.skip_large:
        return
    env = {"DATABASE_URL": f"sqlite:///{args.database}"}
    if not args.database.exists():
        run(RORET + ["migrate", "-v0"], env)
        run(RORET + ["demo", "--seed", "2026", "--citizens", str(args.citizens), "--today", "2026-11-23"], env)
    else:
        run(RORET + ["migrate", "-v0"], env)
    run([sys.executable, "benchmarks/citizen_pages.py", "--requests", "300", "--json"], env, "citizen_pages.json")
    run([sys.executable, "benchmarks/economy_kpi.py", "--year", "2025", "--out", str(OUT / "economy.json")], env)
    # Every page a role's navigation reaches (issue 9); ``--ref`` compares with a commit side by side.
    run([sys.executable, "benchmarks/economy_pages.py", "--ref", "none", "--out", str(OUT / "pages.json")], env)
    # Issue 14: the six list pages, filtered, sorted and paged (they write audit rows: on a copy).
    lists_copy = args.database.with_name("bench100k-lists.sqlite3")
    lists_copy.write_bytes(args.database.read_bytes())
    run(RORET + ["migrate", "-v0"], {"DATABASE_URL": f"sqlite:///{lists_copy}"})
    run([sys.executable, "benchmarks/lists.py", "--label", "after", "--json", str(OUT / "lists.json")],
        {"DATABASE_URL": f"sqlite:///{lists_copy}", "PYTHONPATH": str(ROOT)})
    # Issue 10: the balance pages and the status report write rows (stored figures, reports, audit),
    # so they run on a copy, with the demo's staff figures and plans added if the copy predates them.
    copy = args.database.with_name("bench100k-steering.sqlite3")
    copy.write_bytes(args.database.read_bytes())
    steering = {"DATABASE_URL": f"sqlite:///{copy}"}
    run(RORET + ["migrate", "-v0"], steering)
    for command in ("balance_demo", "plans_demo"):
        subprocess.run(RORET + [command, "--today", "2026-11-23"], cwd=ROOT, env={**os.environ, **steering})
    run([sys.executable, "benchmarks/balance_page.py", "--json"], steering, "balance.json")
    run([sys.executable, "benchmarks/status_report.py", "--json"], steering, "status_report.json")
    print(json.dumps({"written": sorted(p.name for p in OUT.glob("*.json"))}))


if __name__ == "__main__":
    main()
