"""The report and economy modules import one way: jobs and services never a view, and the
economy's read side from the bottom up (segments <- sql <- duration <- kpi). Every import in a
module counts, also one written inside a function."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported(module: str) -> set[str]:
    """The roret modules ``module`` imports anywhere in its body."""
    return imports_in((ROOT / (module.replace(".", "/") + ".py")).read_text())


def imports_in(source: str) -> set[str]:
    tree = ast.parse(source)
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in out if name.startswith("roret.")}


@pytest.mark.parametrize("module", ["roret.reports.jobs", "roret.reports.services", "roret.reports.kpi_report",
                                    "roret.economy.services", "roret.economy.kpi"])
def test_jobs_and_services_import_no_views(module):
    views = {name for name in imported(module) if name.endswith(".views") or ".views." in name}
    assert not views, f"{module} imports {views}"


LAYERS = ["roret.economy.engine", "roret.economy.segments", "roret.economy.sql", "roret.economy.duration",
          "roret.economy.kpi"]


@pytest.mark.parametrize("position", range(len(LAYERS)))
def test_the_economy_read_side_imports_only_downwards(position):
    module, above = LAYERS[position], LAYERS[position + 1:]
    upward = {name for name in imported(module) if any(name == a or name.startswith(a + ".") for a in above)}
    assert not upward, f"{module} imports {upward}, which build on it"


def test_the_layer_check_sees_an_import_inside_a_function():
    assert "roret.economy.kpi" in imports_in("def f():\n    from roret.economy.kpi import totals\n")
    assert "roret.reports.views" in imports_in("def f():\n    from roret.reports import views\n")
