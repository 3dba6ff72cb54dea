"""``roret capacity erlang|size|plan|bench``: the capacity engine from the command line.

    roret capacity erlang --places 40 --load 36 --json
    roret capacity size --load 36 --own-cost 1 --external-cost 2 --json
    roret capacity plan --years 5 [--group sel108] [--seed 7] [--json]
    roret capacity bench --json

Bad arguments (a negative load, zero places, a word where a number belongs) stop with a
message that says which argument and why, and exit status 2 (argparse's usage error).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys

from django.core.management.base import BaseCommand, CommandError

BENCH_INSTALL = 'pip install -e ".[bench]"'


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def positive_number(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def non_negative_number(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def share(text: str) -> float:
    value = _number(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1 (e.g. 0.01 for 1 %), got {text}")
    return value


def whole(minimum: int, maximum: int | None = None):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise argparse.ArgumentTypeError(f"must be at least {minimum}{upper}, got {text}")
        return value

    parse.__name__ = "whole number"
    return parse


def _plain(value: float):
    """36.0 prints as 36, 36.5 as 36.5."""
    return int(value) if float(value).is_integer() else value


class Command(BaseCommand):
    help = "Capacity engine: Erlang blocking, cost-optimal sizing, the 5-year plan and the benchmark."
    # A calculation needs no URL or model checks (they import every view); `roret check` runs them.
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{erlang,size,plan,bench}")

        p = sub.add_parser("erlang", help="blocking and occupancy of c own places at offered load A (Erlang B)")
        p.add_argument("--places", type=whole(1), required=True, help="own places c (at least 1)")
        p.add_argument("--load", type=positive_number, required=True, help="offered load A in places (> 0)")
        p.add_argument("--json", action="store_true")

        p = sub.add_parser("size", help="the cost-optimal number of own places")
        p.add_argument("--load", type=positive_number, required=True, help="offered load A in places (> 0)")
        p.add_argument("--own-cost", type=positive_number, required=True, help="cost of an own place per period")
        p.add_argument("--external-cost", type=non_negative_number, required=True,
                       help="cost of a bought place per period while used")
        p.add_argument("--max-blocking", type=share, default=None,
                       help="service level: at most this share placed externally (e.g. 0.05)")
        p.add_argument("--json", action="store_true")

        p = sub.add_parser("plan", help="the 5-year plan for the municipality's capacity groups")
        p.add_argument("--years", type=whole(1, 10), default=5, help="plan horizon in years (1-10, default 5)")
        p.add_argument("--group", default=None, help="one capacity group (default: all)")
        p.add_argument("--seed", type=whole(0), default=2026, help="random seed (default 2026)")
        p.add_argument("--replications", type=whole(2, 20_000), default=1000, help="simulated futures (default 1000)")
        p.add_argument("--scenarios", action="store_true", help="also run the group's saved scenarios")
        p.add_argument("--today", type=datetime.date.fromisoformat, default=None, help="plan start (YYYY-MM-DD)")
        p.add_argument("--user", default=None,
                       help="the economist the runs are made for (default: the operator, logged as 'system')")
        p.add_argument("--json", action="store_true")

        p = sub.add_parser("bench", help="the engine against Ciw and SimPy on one loss model (needs the bench extra)")
        p.add_argument("--replications", type=whole(2), default=1000)
        p.add_argument("--ciw-replications", type=whole(2), default=None)
        p.add_argument("--simpy-replications", type=whole(2), default=None)
        p.add_argument("--seed", type=whole(0), default=20250501)
        p.add_argument("--json", action="store_true")

    def handle(self, *args, action, **options):
        return getattr(self, f"do_{action}")(**options)

    def _json(self, data):
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))

    def do_erlang(self, *, places, load, json, **_):
        from roret.capacity import engine

        out = {"places": places, "load": _plain(load), "blocking": float(engine.erlang_b(places, load)),
               "occupancy": float(engine.occupancy(places, load))}
        if json:
            return self._json(out)
        self.stdout.write(f"{places} places at load {_plain(load)}: {out['blocking']:.4%} find no free place, "
                          f"occupancy {out['occupancy']:.2%}")

    def do_size(self, *, load, own_cost, external_cost, max_blocking, json, **_):
        from roret.capacity import engine

        s = engine.size_places(load, own_cost=own_cost, external_cost=external_cost, max_blocking=max_blocking)
        out = {"places": s.places, "load": _plain(load), "blocking": s.blocking, "occupancy": s.occupancy,
               "cost": s.expected_cost, "own_cost": s.own_cost, "external_cost": s.external_cost,
               "binding": s.binding}
        if json:
            return self._json(out)
        self.stdout.write(f"{s.places} own places: {s.blocking:.2%} placed externally, occupancy {s.occupancy:.1%}, "
                          f"expected cost {s.expected_cost:.2f} per period ({s.binding})")

    def do_plan(self, *, years, group, seed, replications, scenarios, today, user, json, verbosity, **_):
        from tqdm import tqdm

        from roret.capacity.groups import GROUPS, parse_group
        from roret.capacity.models import Scenario
        from roret.capacity.runs import create_run, execute, yearly
        from roret.core.models import User
        from roret.core.permissions import NotInScope

        try:
            groups = [parse_group(group)] if group else list(GROUPS)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"--user {user}: no active user of that name")
        day = today or datetime.date.today()
        horizon = 12 * years
        # Each group's plan is a stored run, made and computed by the same run service as the page's
        # background job, and audited with channel "cli".
        work = []
        for g in groups:
            chosen = list(Scenario.objects.filter(group=g.key).prefetch_related("events")) if scenarios else []
            try:
                run = create_run(g, user=actor, scenarios=chosen, seed=seed, replications=replications, day=day,
                                 horizon=horizon, channel="cli")
            except NotInScope:
                raise CommandError(f"--user {user} may not run the capacity plan (the economist's task)") from None
            except ValueError as exc:
                raise CommandError(f"{g.key}: {exc}") from None
            work.append((g, run))
        # The bar counts plan months (every scenario of every group), told as the simulation goes.
        bar = tqdm(total=sum(len(run.scenarios) for _, run in work) * horizon, desc="Capacity plan", unit=" month",
                   file=sys.stderr, disable=verbosity == 0)
        out = []
        for g, run in work:
            bar.set_postfix_str(g.key)
            base = bar.n
            months = len(run.scenarios) * horizon

            def told(percent, _message, base=base, months=months):
                bar.update(max(0, base + round(months * max(0.0, percent - 10) / 85) - bar.n))

            try:
                execute(run, progress=told)
            except ValueError as exc:
                raise CommandError(f"{g.key}: {exc}") from None
            bar.update(base + months - bar.n)
            out.append({"key": g.key, "label": str(g.label), "run": run.pk, "seconds": round(run.seconds, 3),
                        "inputs": run.inputs, "results": run.results})
        bar.close()
        if json:
            return self._json({"day": day.isoformat(), "years": years, "seed": seed, "replications": replications,
                               "groups": out})
        for item in out:
            self._print_plan(item, yearly)

    def _print_plan(self, item, yearly):
        inp = item["inputs"]
        self.stdout.write(self.style.MIGRATE_HEADING(f"\n{item['label']} [{item['key']}]"))
        self.stdout.write(
            f"  {inp['places_now']} own places, {inp['residents']} residents, {inp['external']} in bought places, "
            f"{inp['arrival_rate_first_year']:.2f} citizens/month, mean stay {inp['mean_stay_months']:.1f} months, "
            f"own {inp['own_cost']} kr./place-month, bought {inp['external_cost']} kr./place-month "
            f"({item['seconds']:.1f} s)")
        for sc in item["results"]["scenarios"]:
            self.stdout.write(f"  {sc['name']}: total {_kr(sc['total_cost'])} kr., "
                              f"{sc['new_external']:.1f} placed externally ({sc['method']})")
            self.stdout.write("    year  places  occupied P50 (P10-P90)  bought P50 (P10-P90)  new ext.  cost kr.")
            for y in yearly(sc):
                self.stdout.write(
                    f"    {y['year']:>4}  {y['places']:>6}  {y['occupancy']:>8.0f} ({y['occupancy_band'][0]:.0f}-"
                    f"{y['occupancy_band'][1]:.0f})        {y['external']:>6.0f} ({y['external_band'][0]:.0f}-"
                    f"{y['external_band'][1]:.0f})      {y['new_external']:>8.1f}  {_kr(y['cost']):>12}")

    def do_bench(self, *, replications, ciw_replications, simpy_replications, seed, json, **_):
        missing = [name for name in ("ciw", "simpy") if not _importable(name)]
        if missing:
            raise CommandError(f"The benchmark needs {' and '.join(missing)} (a benchmark-only extra). "
                               f"Install them with: {BENCH_INSTALL}")
        from roret.capacity.bench import run_benchmark

        out = run_benchmark(replications=replications, ciw_replications=ciw_replications,
                            simpy_replications=simpy_replications, seed=seed)
        if json:
            return self._json(out)
        self.stdout.write(f"exact Erlang B {out['exact']:.6f}")
        for tool in ("engine", "ciw", "simpy"):
            e = out["estimates"][tool]
            self.stdout.write(f"{tool:>7}: {out[f'{tool}_seconds']:8.3f} s  blocking {e['blocking']:.5f} "
                              f"(95 % CI {e['ci_low']:.5f}-{e['ci_high']:.5f})")
        self.stdout.write(f"ratio Ciw/engine {out['ratio_ciw']:.0f}, SimPy/engine {out['ratio_simpy']:.0f}")


def _kr(value) -> str:
    """Whole kroner with Danish thousands dots: 1234567 -> "1.234.567"."""
    return f"{int(value):,}".replace(",", ".")


def _importable(name: str) -> bool:
    import importlib

    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True
