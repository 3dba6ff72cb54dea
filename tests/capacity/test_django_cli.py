"""`roret capacity ...` from the command line: output, and clear errors with a non-zero exit."""

import datetime
import importlib.util
import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from roret.capacity.models import Scenario

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def roret(*args):
    out = StringIO()
    call_command("capacity", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def roret_process(*args):
    """The real console script path (manage.py), for exit codes and stderr."""
    return subprocess.run([sys.executable, "-m", "roret.cli", "capacity", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_erlang_prints_blocking_and_occupancy_as_json():
    out = json.loads(roret("erlang", "--places", "40", "--load", "36", "--json"))
    assert out == {"places": 40, "load": 36, "blocking": pytest.approx(0.06536952804766334, rel=1e-12),
                   "occupancy": pytest.approx(36 * (1 - 0.06536952804766334) / 40, rel=1e-12)}


def test_size_prints_the_cost_optimal_places_with_blocking_occupancy_and_cost():
    out = json.loads(roret("size", "--load", "36", "--own-cost", "1", "--external-cost", "2", "--json"))
    assert out["places"] == 38 and out["binding"] == "cost"
    assert out["blocking"] == pytest.approx(0.0913, abs=5e-5) and out["occupancy"] == pytest.approx(0.861, abs=5e-4)
    assert out["cost"] == pytest.approx(44.57, abs=5e-3)
    service = json.loads(roret("size", "--load", "36", "--own-cost", "1", "--external-cost", "2",
                               "--max-blocking", "0.01", "--json"))
    assert service["places"] == 48 and service["binding"] == "service_level"


@pytest.mark.parametrize(("args", "message"), [
    (["erlang", "--places", "0", "--load", "36"], "argument --places: must be at least 1, got 0"),
    (["erlang", "--places", "40", "--load", "-3"], "argument --load: must be greater than 0, got -3"),
    (["erlang", "--places", "forty", "--load", "36"], "argument --places: 'forty' is not a whole number"),
    (["size", "--load", "abc", "--own-cost", "1", "--external-cost", "2"], "argument --load: 'abc' is not a number"),
    (["size", "--load", "36", "--own-cost", "1", "--external-cost", "2", "--max-blocking", "5"],
     "must be a share between 0 and 1"),
    (["plan", "--years", "0"], "argument --years: must be at least 1 and at most 10, got 0"),
])
def test_bad_arguments_say_what_is_wrong(args, message):
    with pytest.raises(CommandError, match=message):
        roret(*args)


def test_bad_arguments_exit_non_zero_from_the_command_line():
    result = roret_process("erlang", "--places", "0", "--load", "36", "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert "argument --places: must be at least 1, got 0" in result.stderr


@pytest.fixture
def history(world):
    today = datetime.date.today()
    for i in range(6):
        start = today - datetime.timedelta(days=300 * (i + 1))
        end = start + datetime.timedelta(days=200)
        world.place(world.citizen(first_name=f"H{i}"), world.residential, start=start, end=end)
    world.place(world.citizen(first_name="Now"), world.residential, start=today - datetime.timedelta(days=30))
    return world


def test_plan_prints_every_year_of_one_group(history):
    out = roret("plan", "--years", "2", "--group", "sel108", "--seed", "4", "--replications", "100")
    assert "[sel108]" in out and ": total" in out and "placed externally" in out
    lines = [line.split() for line in out.splitlines() if line.startswith("    ") and line.split()[0].isdigit()]
    assert [line[0] for line in lines] == ["1", "2"]


def test_plan_as_json_covers_all_groups_and_is_reproducible(history):
    args = ("plan", "--years", "1", "--seed", "4", "--replications", "50", "--json")
    out = json.loads(roret(*args))
    assert [g["key"] for g in out["groups"]] == ["sel108", "sel107", "abl105", "sel104", "sel103"]
    sel108 = out["groups"][0]
    assert len(sel108["results"]["scenarios"][0]["months"]) == 12
    assert sel108["inputs"]["places_now"] == 2
    again = json.loads(roret(*args))
    assert again["groups"][0]["results"] == sel108["results"]


def test_plan_runs_saved_scenarios_on_request(history):
    sc = Scenario.objects.create(name="Fire mere", group="sel108", created_by=history.users["economist"])
    sc.events.create(kind="place_change", month=2, places=4)
    out = json.loads(roret("plan", "--group", "sel108", "--scenarios", "--replications", "50", "--json"))
    scenarios = out["groups"][0]["results"]["scenarios"]
    assert [s["id"] for s in scenarios] == [None, sc.pk]  # the baseline first
    assert scenarios[1]["name"] == "Fire mere"
    assert out["groups"][0]["results"]["scenarios"][1]["months"][2]["places"] == 6


def test_plan_names_the_groups_when_one_is_unknown(world):
    with pytest.raises(CommandError, match="unknown group 'sel999'; choose one of sel108"):
        roret("plan", "--group", "sel999")


def test_bench_without_ciw_and_simpy_says_how_to_install_them(monkeypatch):
    # None in sys.modules is what Python does for a module that is not installed; the message
    # names every missing one, so the test hides both whether or not the bench extra is here.
    monkeypatch.setitem(sys.modules, "ciw", None)
    monkeypatch.setitem(sys.modules, "simpy", None)
    with pytest.raises(CommandError, match=r'needs ciw and simpy \(a benchmark-only extra\)\. '
                                           r'Install them with: pip install -e "\.\[bench\]"'):
        roret("bench", "--json")


def test_bench_names_only_the_missing_module(monkeypatch):
    monkeypatch.setitem(sys.modules, "ciw", object())  # present
    monkeypatch.setitem(sys.modules, "simpy", None)
    with pytest.raises(CommandError, match=r"needs simpy \(a benchmark-only extra\)"):
        roret("bench", "--json")


@pytest.mark.skipif(not (importlib.util.find_spec("ciw") and importlib.util.find_spec("simpy")),
                    reason="the bench extra is not installed")
def test_bench_prints_timings_ratios_and_estimates():
    out = json.loads(roret("bench", "--replications", "20", "--ciw-replications", "3",
                           "--simpy-replications", "3", "--json"))
    for key in ("engine_seconds", "ciw_seconds", "simpy_seconds", "ratio_ciw", "ratio_simpy", "exact"):
        assert out[key] > 0
    for tool in ("engine", "ciw", "simpy"):
        est = out["estimates"][tool]
        assert est["ci_low"] <= est["blocking"] <= est["ci_high"]


def test_the_plans_progress_bar_counts_months_told_by_the_engine(history, capsys):
    sc = Scenario.objects.create(name="Fire mere", group="sel108", created_by=history.users["economist"])
    sc.events.create(kind="place_change", month=2, places=4)
    roret("plan", "--years", "1", "--group", "sel108", "--scenarios", "--replications", "20", "--json")
    bar = capsys.readouterr().err
    # Two scenarios of 12 months: the bar ends at 24 of 24 months, not at 2 scenarios.
    assert "24/24" in bar and "month" in bar


def test_a_plan_from_the_command_line_is_a_stored_run_audited_as_cli(history):
    from roret.capacity.models import PlanRun
    from roret.core.models import AuditEntry

    out = json.loads(roret("plan", "--years", "1", "--group", "sel108", "--seed", "4", "--replications", "20",
                           "--json"))
    run = PlanRun.objects.get(pk=out["groups"][0]["run"])
    assert (run.channel, run.created_by, run.horizon_months, run.seed) == ("cli", None, 12, 4)
    assert run.results == out["groups"][0]["results"]
    entry = AuditEntry.objects.get(object_type="capacity.planrun", object_id=str(run.pk))
    assert (entry.action, entry.channel, entry.actor_name) == ("create", "cli", "system")


def test_a_plan_for_a_named_user_must_be_the_economists(history):
    from roret.capacity.models import PlanRun

    out = json.loads(roret("plan", "--years", "1", "--group", "sel108", "--replications", "20", "--json",
                           "--user", "economist"))
    assert PlanRun.objects.get(pk=out["groups"][0]["run"]).created_by == history.users["economist"]
    with pytest.raises(CommandError, match="may not run the capacity plan"):
        roret("plan", "--years", "1", "--group", "sel108", "--replications", "20", "--user", "caseworker")
    with pytest.raises(CommandError, match="no active user"):
        roret("plan", "--years", "1", "--group", "sel108", "--user", "nobody")
    assert PlanRun.objects.count() == 1
