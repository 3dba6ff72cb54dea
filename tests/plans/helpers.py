"""Building a small development plan for the effect and light tests, through the plan services."""

import json

from roret.plans.loading import parse_json
from roret.plans.services import load_plan

YEARS = [2025, 2026]


def make_plan(rows, *, title="Udviklingsplan test 2025-2026", years=None):
    """A plan in kroner over ``years`` (2025-2026); ``rows`` as in the JSON plan format."""
    document = {"title": title, "unit": "kr", "years": years or YEARS, "rows": rows}
    parsed = parse_json(json.dumps(document).encode())
    assert parsed.ok, parsed.problems
    return load_plan(parsed, actor=None, source="test")


def initiative(plan, title):
    return plan.initiatives.get(title=title)
