"""The import contracts (pyproject.toml, [tool.importlinter]) run in `make test`: which room of
roret may import which. A broken arrow fails the build instead of waiting for a reviewer.

Each contract is one test, so a failure names the contract and prints import-linter's report (the
chain of imports and the line that breaks it)."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = {c["id"]: c for c in tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]}


def lint_imports(*contract_ids: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run lint-imports with the project's configuration on the ``roret`` package found from
    ``cwd`` (the project, or a copy of it)."""
    args = [str(LINT_IMPORTS), str(PYPROJECT), "--no-cache", "--no-logo"]
    for contract_id in contract_ids:
        args += ["--contract", contract_id]
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd), "NO_COLOR": "1", "COLUMNS": "200"})


@pytest.mark.parametrize("contract_id", CONTRACTS)
def test_import_contract_is_kept(contract_id):
    result = lint_imports(contract_id)
    assert result.returncode == 0, f"import contract {contract_id!r} broken:\n{result.stdout}{result.stderr}"


def test_the_jobs_contract_fails_on_a_view_imported_by_a_job(tmp_path):
    """Proof that the jobs contract bites: in a copy of roret, a job that imports a view is refused
    and the report names that import."""
    job, view = "reports", "roret.reports.views"
    shutil.copytree(ROOT / "roret", tmp_path / "roret",
                    ignore=lambda d, names: [n for n in names if not n.endswith(".py") and not (Path(d) / n).is_dir()])
    jobs = tmp_path / "roret" / job / "jobs.py"
    lines = jobs.read_text().splitlines()
    lines.append(f"import {view}  # noqa: E402 (the broken arrow this test plants)")
    jobs.write_text("\n".join(lines) + "\n")

    result = lint_imports("jobs-import-no-views", cwd=tmp_path)

    assert result.returncode != 0, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert f"roret.{job}.jobs -> {view} (l.{len(lines)})" in result.stdout, result.stdout


def _roret_apps() -> set[str]:
    return {app for app in settings.INSTALLED_APPS if app.startswith("roret.")}


def test_core_is_forbidden_every_other_app():
    """A new app is forbidden to core as soon as it is installed (or this test says where to add it)."""
    forbidden = set(CONTRACTS["core-imports-no-app"]["forbidden_modules"])
    assert forbidden == _roret_apps() - {"roret.core"}


def test_the_engine_is_forbidden_everything_outside_itself():
    """Every module of roret and of roret.capacity but the engine is named in the engine's contract."""
    forbidden = set(CONTRACTS["engine-pure"]["forbidden_modules"])

    def modules(package: Path, prefix: str) -> set[str]:
        return {f"{prefix}.{p.stem}" for p in package.iterdir()
                if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}

    outside = (modules(ROOT / "roret", "roret") - {"roret.capacity"}) | (
        modules(ROOT / "roret/capacity", "roret.capacity") - {"roret.capacity.engine"})
    assert "django" in forbidden
    assert outside - forbidden == set(), "add these to the engine-pure contract"
