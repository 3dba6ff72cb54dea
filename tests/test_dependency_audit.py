"""`make audit` in CI: pip-audit's report judged by tools/audit_deps.py, which fails on a known
vulnerability and on packages it could not audit (the advisory service did not answer)."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "audit_deps.py"

# The shape of `pip-audit --format json` (pip-audit 2.x): audited packages with their advisories,
# and skipped ones with the reason. The advisory is an example (test data), not a real one.
VULNERABLE = {"dependencies": [
    {"name": "django", "version": "5.2.0", "vulns": [
        {"id": "GHSA-test-0001", "fix_versions": ["5.1.9", "5.2.1"], "aliases": ["CVE-2000-0001"],
         "description": "an example advisory"}]},
    {"name": "numpy", "version": "2.4.6", "vulns": []},
    {"name": "roret", "skip_reason": "distribution marked as editable"}], "fixes": []}
CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []},
                          {"name": "roret", "skip_reason": "distribution marked as editable"}], "fixes": []}
UNREACHED = {"dependencies": [
    {"name": "django", "version": "5.2.19", "vulns": []},
    {"name": "numpy", "skip_reason": "Dependency not found on PyPI and could not be audited: numpy (2.4.6)"}],
    "fixes": []}


def audit(report: dict, tmp_path, **env) -> subprocess.CompletedProcess:
    saved = tmp_path / "report.json"
    saved.write_text(json.dumps(report))
    return subprocess.run([sys.executable, str(SCRIPT), "--from-json", str(saved)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", **env}, check=False)


def test_a_known_vulnerability_fails_the_audit_and_names_the_package_and_the_fix(tmp_path):
    done = audit(VULNERABLE, tmp_path)
    assert done.returncode == 1
    assert "django 5.2.0: GHSA-test-0001 (CVE-2000-0001); fixed in 5.1.9, 5.2.1" in done.stdout
    # Allowing unaudited packages does not let a finding through.
    assert audit(VULNERABLE, tmp_path, RORET_AUDIT_ALLOW_UNAUDITED="1").returncode == 1


def test_packages_that_could_not_be_audited_fail_the_audit_unless_allowed(tmp_path):
    done = audit(UNREACHED, tmp_path)
    assert done.returncode == 2 and "numpy: Dependency not found on PyPI" in done.stdout
    assert audit(UNREACHED, tmp_path, RORET_AUDIT_ALLOW_UNAUDITED="1").returncode == 0


def test_a_clean_report_passes_and_the_editable_roret_is_not_counted(tmp_path):
    done = audit(CLEAN, tmp_path)
    assert done.returncode == 0, done.stdout
    assert "1 packages audited, 0 known vulnerabilities, 0 not audited" in done.stdout


def test_ci_runs_the_audit_with_pip_audit_installed_from_the_test_extra():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^(RORET_AUDIT_ALLOW_UNAUDITED=1 )?make audit$", ci, re.MULTILINE), ".ci/run must run `make audit`"
    makefile = (ROOT / "Makefile").read_text()
    target = re.search(r"^audit:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert target and "tools/audit_deps.py" in target.group(1)
    assert "pip-audit" in (ROOT / "pyproject.toml").read_text()
    # pip-audit itself is installed and collects the virtualenv's packages (no network: a dry run).
    done = subprocess.run([sys.executable, "-m", "pip_audit", "--local", "--skip-editable", "--dry-run",
                           "--progress-spinner", "off"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert re.search(r"would have audited \d+ packages", done.stderr)

