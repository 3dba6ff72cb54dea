"""Remove each check of the access layer, one at a time, and see which tests notice.

For every check (each permissions.fetch / fetch_offer / require_role / aggregate_scope call in the
services, each entry of CITIZEN_SCOPES, the is_active checks, the team and centre relations of the
scopes, the role checks of the page decorator and the API) the script edits the source so that the
check lets everything through, runs the access tests, and restores the file, also when a run fails
or is interrupted. A check whose removal no test notices is a gap in the tests.

    .venv/bin/python tools/mutate_gate.py                  # all checks; a Markdown table on stdout
    .venv/bin/python tools/mutate_gate.py --list           # the checks, without running anything
    .venv/bin/python tools/mutate_gate.py --only citizens  # the checks whose description matches
    .venv/bin/python tools/mutate_gate.py --tests tests    # another set of tests (here: all)

Not part of `make test`: one run of the access tests per check takes a while (about half a minute
each on two workers). Exits 1 when a removal goes unnoticed.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCESS_TESTS = ["tests/test_service_access.py", "tests/test_url_walker.py", "tests/core/test_permissions.py",
                "tests/api"]
SERVICES = sorted(ROOT.glob("roret/*/services.py")) + [ROOT / "roret/capacity/runs.py",
                                                       ROOT / "roret/capacity/scenarios.py"]
PERMISSIONS = ROOT / "roret/core/permissions.py"
BACKUP = ".mutate-orig"

# What a gate call becomes when its check is removed: the same answer, without the scope.
UNGATED = {
    "fetch": "(lambda user, action, source, pk, via=None, lock=False: (source._default_manager.all() "
             "if isinstance(source, type) else source).get(pk=pk))",
    "fetch_offer": "(lambda user, action, pk, lock=False: __import__('django.apps').apps.apps.get_model("
                   "'offers', 'Offer').objects.select_related('provider').get(pk=pk))",
    "require_role": "(lambda *args, **kwargs: None)",
    "aggregate_scope": "(lambda user: permissions.Aggregates(centre_id=None, suppress=False))",
}


@dataclass
class Mutation:
    path: Path
    line: int
    description: str
    apply: Callable[[str], str]

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _replace_span(text: str, node: ast.AST, new: str) -> str:
    """``text`` with the source of ``node`` replaced by ``new`` (AST offsets are UTF-8 bytes)."""
    lines = text.splitlines(keepends=True)
    start = sum(len(x) for x in lines[:node.lineno - 1]) + len(lines[node.lineno - 1].encode()[:node.col_offset].decode())
    end = sum(len(x) for x in lines[:node.end_lineno - 1]) + len(
        lines[node.end_lineno - 1].encode()[:node.end_col_offset].decode())
    return text[:start] + new + text[end:]


def _enclosing_functions(tree: ast.AST) -> dict[int, str]:
    names = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            for node in ast.walk(fn):
                names.setdefault(id(node), fn.name)
    return names


def gate_calls() -> list[Mutation]:
    """Each call of the gate in the services, replaced by an ungated stand-in."""
    found = []
    for path in SERVICES:
        text = path.read_text()
        tree = ast.parse(text)
        within = _enclosing_functions(tree)
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and isinstance(n.func.value, ast.Name) and n.func.value.id == "permissions" and n.func.attr in UNGATED]
        for index, call in enumerate(sorted(calls, key=lambda n: (n.lineno, n.col_offset))):
            def apply(source, index=index, attr=call.func.attr):
                tree = ast.parse(source)
                nodes = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                                and isinstance(n.func.value, ast.Name) and n.func.value.id == "permissions"
                                and n.func.attr in UNGATED), key=lambda n: (n.lineno, n.col_offset))
                return _replace_span(source, nodes[index].func, UNGATED[attr])
            found.append(Mutation(path, call.lineno, f"{path.parent.name}.{within.get(id(call), '?')}: "
                                                     f"permissions.{call.func.attr}", apply))
    return found


def substitution(path: Path, old: str, new: str, description: str, count: int = 1) -> Mutation:
    """Replace the one occurrence of ``old`` (checked: exactly ``count``) with ``new``."""
    text = path.read_text()
    assert text.count(old) == count, f"{path.name}: {old!r} found {text.count(old)} times, expected {count}"
    line = text[:text.index(old)].count("\n") + 1
    return Mutation(path, line, description, lambda source: source.replace(old, new))


def scope_entries() -> list[Mutation]:
    """Each role x action entry of CITIZEN_SCOPES, removed."""
    text = PERMISSIONS.read_text()
    block = text[text.index("CITIZEN_SCOPES = {"):]
    block = block[:block.index("\n}\n")]
    found = []
    for line in block.splitlines()[1:]:
        role = re.match(r"\s*Role\.(\w+): \{(.*)\},", line)
        for entry in role[2].split(", "):
            action = entry.split(":")[0]
            rest = ", ".join(e for e in role[2].split(", ") if e != entry)
            found.append(substitution(PERMISSIONS, line, line.replace(f"{{{role[2]}}}", f"{{{rest}}}"),
                                      f"CITIZEN_SCOPES: {role[1]} {action} removed"))
    return found


def relations_and_roles() -> list[Mutation]:
    access, api_access = ROOT / "roret/core/access.py", ROOT / "roret/api/access.py"
    citizens, capacity = ROOT / "roret/citizens/services.py", ROOT / "roret/capacity/services.py"
    return [
        substitution(PERMISSIONS, "return user is not None and user.is_authenticated and user.is_active",
                     "return user is not None and user.is_authenticated", "permissions.is_active: the is_active check"),
        substitution(PERMISSIONS, "    if not is_active(user):\n        return NOTHING\n    relation =",
                     "    relation =", "citizen_scope: the is_active check"),
        substitution(PERMISSIONS, "    if not is_active(user):\n        return NOTHING\n    if action == OFFER_VIEW:",
                     "    if action == OFFER_VIEW:", "offer_scope: the is_active check"),
        substitution(PERMISSIONS, 'return Q(**{f"{via}__team_id" if via else "team_id": user.team_id})',
                     "return EVERYTHING", "citizen_scope: the team relation (any team's citizens)"),
        substitution(PERMISSIONS, 'return Q(**{f"{via}_id__in" if via else "pk__in": placed})',
                     "return EVERYTHING", "citizen_scope: the centre relation (any centre's residents)"),
        substitution(PERMISSIONS, "return Q(provider__centre_id=user.centre_id)", "return EVERYTHING",
                     "offer_scope: the centre relation (places of any centre's offers)"),
        substitution(PERMISSIONS, "return Aggregates(centre_id=user.centre_id, suppress=False)",
                     "return Aggregates(centre_id=None, suppress=False)",
                     "aggregate_scope: the centre relation (a centre leader sees every centre)"),
        substitution(access, "if not request.user.is_active or request.user.role not in allowed:",
                     "if not request.user.is_active:", "role_required: the role check"),
        substitution(access, "if not request.user.is_active or request.user.role not in allowed:",
                     "if request.user.role not in allowed:", "role_required: the is_active check"),
        substitution(api_access, "if not has_role(request.user, roles):", "if False:", "api.access.require: the role check"),
        substitution(citizens, "    if team.pk != actor.team_id:\n", "    if False:\n",
                     "citizens.create_citizen: only into the caseworker's own team"),
        substitution(citizens, ".filter(pk=citizen_id, team__isnull=True)", ".filter(pk=citizen_id)",
                     "citizens.take_into_caseload: only a citizen without a team"),
        substitution(capacity, "    if scope.centre_id is not None and not own_offers(",
                     "    if False and not own_offers(",
                     "capacity.require_group_scope: a centre leader only for the centre's groups (pages, start_pdf)"),
    ]


def all_mutations() -> list[Mutation]:
    return gate_calls() + scope_entries() + relations_and_roles()


def restore_leftovers() -> None:
    """Put back any file a killed run left mutated (its original is kept beside it while it runs)."""
    for backup in ROOT.glob(f"roret/**/*.py{BACKUP}"):
        original = backup.with_name(backup.name.removesuffix(BACKUP))
        original.write_text(backup.read_text())
        backup.unlink()
        print(f"restored {original.relative_to(ROOT)} from a run that was stopped", file=sys.stderr)


def run_tests(tests: list[str], workers: str) -> tuple[int, list[str], float]:
    """(pytest's exit code, the tests that failed or errored, seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # no bytecode of a mutated file stays behind
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", workers,
                                 f"--junitxml={report}", *tests], cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - started
        failed = []
        if report.exists():
            for case in ET.parse(report).iter("testcase"):
                if case.find("failure") is not None or case.find("error") is not None:
                    failed.append(f"{case.get('classname', '').removeprefix('tests.')}::{case.get('name')}")
        elif result.returncode:
            failed.append(f"(pytest did not run: {result.stdout[-500:]}{result.stderr[-500:]})")
        return result.returncode, sorted(failed), seconds


def mutate_and_test(mutation: Mutation, tests: list[str], workers: str) -> list[str]:
    original = mutation.path.read_text()
    mutated = mutation.apply(original)
    if mutated == original:
        return ["(the mutation changed nothing: the script is out of date)"]
    compile(mutated, str(mutation.path), "exec")
    backup = mutation.path.with_name(mutation.path.name + BACKUP)
    backup.write_text(original)
    try:
        mutation.path.write_text(mutated)
        _code, failed, _seconds = run_tests(tests, workers)
        return failed
    finally:
        mutation.path.write_text(original)
        backup.unlink()


# Short names for the access tests' long ones, so the table stays readable.
SHORT = {
    "test_service_access::test_each_persona_may_call_the_service_as_declared": "service",
    "test_url_walker::test_every_url_answers_each_persona_as_declared": "walker GET",
    "test_url_walker::test_every_post_writes_only_for_who_may": "walker POST",
    "test_url_walker::test_django_admin_is_for_the_administrator": "walker admin",
}


def shorten(names: list[str], limit: int = 8) -> str:
    if not names:
        return "**none: not caught**"
    shown = []
    for name in names[:limit]:
        for long, short in SHORT.items():
            name = name.replace(long, short)
        shown.append(name.replace("roret.", "").replace(".services.", "."))
    return f"{len(names)}: " + "; ".join(shown) + (f"; … (+{len(names) - limit})" if len(names) > limit else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the checks and stop")
    parser.add_argument("--only", default="", help="only checks whose description or file matches this regex")
    parser.add_argument("--tests", nargs="+", default=ACCESS_TESTS, help="the tests to run against each removal")
    parser.add_argument("-n", "--workers", default="2", help="pytest-xdist workers")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args()

    restore_leftovers()
    mutations = [m for m in all_mutations() if re.search(args.only, f"{m.description} {m.where}")]
    if args.list:
        for i, m in enumerate(mutations, 1):
            print(f"{i:3d}  {m.where:40s}  {m.description}")
        return 0

    # SIGTERM (and Ctrl-C) unwind through the finally that restores the file.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    code, failed, seconds = run_tests(args.tests, args.workers)
    if code != 0:
        print(f"the access tests fail before any removal: {failed}", file=sys.stderr)
        return 2
    print(f"Baseline: the access tests pass ({seconds:.0f} s). Tests: {' '.join(args.tests)}\n", file=sys.stderr)

    rows, gaps = [], 0
    for i, mutation in enumerate(mutations, 1):
        failed = mutate_and_test(mutation, args.tests, args.workers)
        gaps += not failed
        rows.append(f"| {i} | {mutation.description} | `{mutation.where}` | {shorten(failed)} |")
        print(f"[{i}/{len(mutations)}] {mutation.description}: {len(failed)} failed", file=sys.stderr, flush=True)
    table = "\n".join(["| # | check removed | where | tests that failed |", "|---|---|---|---|", *rows])
    summary = f"\n{len(mutations)} checks removed one at a time; {len(mutations) - gaps} caught, {gaps} not caught."
    print(table + summary)
    if args.out:
        args.out.write_text(table + summary + "\n")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
