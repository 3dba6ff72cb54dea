"""Capacity benchmark: the same Erlang loss model simulated by roret's engine, Ciw and SimPy.

    python benchmarks/capacity_bench.py                  # 1,000 replications per tool, JSON to stdout
    python benchmarks/capacity_bench.py --out benchmarks/out/capacity.json
    python benchmarks/capacity_bench.py --ciw-replications 200 --simpy-replications 200

Needs the benchmark extra (``pip install -e ".[bench]"``) for Ciw and SimPy. Where a tool
runs fewer replications than the engine, its time is scaled to the engine's number and the
output says so under ``replications`` and ``measured_seconds``. Results are recorded in
docs/benchmarks.md ("Capacity engine").
"""

from __future__ import annotations

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from common import emit  # noqa: E402  (benchmarks/, the script's own folder)

from roret.capacity.bench import run_benchmark  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--replications", type=int, default=1000, help="replications for the engine (and default for all)"
    )
    parser.add_argument("--ciw-replications", type=int, default=None)
    parser.add_argument("--simpy-replications", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20250501)
    parser.add_argument("--tools", default="engine,ciw,simpy", help="comma-separated subset, engine required")
    parser.add_argument("--engine-repeats", type=int, default=5,
                        help="timed engine runs, the median counting (default 5); Ciw and SimPy run once")
    parser.add_argument("--out", type=pathlib.Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    result = run_benchmark(
        replications=args.replications,
        ciw_replications=args.ciw_replications,
        simpy_replications=args.simpy_replications,
        seed=args.seed,
        tools=tuple(t.strip() for t in args.tools.split(",") if t.strip()),
        engine_repeats=args.engine_repeats,
    )
    return emit(result, args.out)


if __name__ == "__main__":
    main()
