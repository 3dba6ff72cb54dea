"""Audit the installed Python packages against PyPI's advisory database (pip-audit), for CI.

    .venv/bin/python tools/audit_deps.py                  # audit the virtualenv (make audit)
    .venv/bin/python tools/audit_deps.py --from-json F    # judge a saved `pip-audit -f json` report

Runs ``pip-audit --local --skip-editable`` (roret itself is the editable install and is not on
PyPI) and exits

* 1 when a package has a known vulnerability: each is listed with its advisory and the versions
  that fix it; raise the lower bound in pyproject.toml (or ignore one advisory with a reason in
  IGNORED below, never silently);
* 2 when packages could not be audited (the advisory service did not answer, or a package is not
  on PyPI): an audit that checked nothing is not a pass. RORET_AUDIT_ALLOW_UNAUDITED=1 turns this
  into a warning for a machine without the advisory service; findings still fail;
* 0 when every package was audited and none has a known vulnerability.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

# Advisories judged not to apply, each with why: {"GHSA-...": "reason"}.
IGNORED: dict[str, str] = {}


def verdict(report: dict, *, allow_unaudited: bool = False) -> tuple[int, list[str]]:
    """The exit code and the lines to print for a pip-audit JSON report."""
    findings, unaudited, audited = [], [], 0
    for dep in report.get("dependencies", []):
        reason = dep.get("skip_reason")
        if reason:
            if "editable" not in reason:
                unaudited.append(f"  {dep['name']}: {reason}")
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            if vuln["id"] in IGNORED:
                continue
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            aliases = f" ({', '.join(vuln['aliases'])})" if vuln.get("aliases") else ""
            findings.append(f"  {dep['name']} {dep['version']}: {vuln['id']}{aliases}; fixed in {fixes}")
    lines = [f"pip-audit: {audited} packages audited, {len(findings)} known vulnerabilities, "
             f"{len(unaudited)} not audited"]
    if findings:
        lines += ["Known vulnerabilities (raise the lower bound in pyproject.toml):", *findings]
    if unaudited:
        lines += ["Not audited (is PyPI's advisory database reachable?):", *unaudited]
    if findings:
        return 1, lines
    if unaudited and not allow_unaudited:
        return 2, lines
    return 0, lines


def run_pip_audit() -> dict:
    command = [sys.executable, "-m", "pip_audit", "--local", "--skip-editable", "--format", "json",
               "--progress-spinner", "off"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"pip-audit gave no report (exit {done.returncode}); see above") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-json", metavar="FILE", help="judge a saved `pip-audit -f json` report")
    args = parser.parse_args(argv)
    if args.from_json:
        with open(args.from_json, encoding="utf-8") as file:
            report = json.load(file)
    else:
        report = run_pip_audit()
    allow = os.environ.get("RORET_AUDIT_ALLOW_UNAUDITED", "0") == "1"
    code, lines = verdict(report, allow_unaudited=allow)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
