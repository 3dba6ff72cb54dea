"""What a command line start-up loads: Django's set-up and ``roret capacity plan`` must not import
heavy libraries they do not use (issue 9: the 5-year plan for all demo groups under a second, of
which Django's start-up is most). Each check runs in a fresh interpreter, since the test process has
everything loaded already; a module named here that comes back at start-up fails it."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Loaded where they are used: spreadsheets and PDFs by their exports, pandas by the KPI comparison,
# SciPy nowhere at run time, cryptography when a CPR number is encrypted or decrypted, the QR code
# on the two-factor enrolment page, numpy.ma by np.median's NaN check.
NEVER_AT_SETUP = ("pandas", "numpy", "scipy", "openpyxl", "weasyprint", "matplotlib", "PIL", "cryptography",
                  "segno", "tqdm", "ninja", "pydantic")
NEVER_IN_THE_PLAN = ("pandas", "scipy", "openpyxl", "weasyprint", "matplotlib", "PIL", "cryptography", "segno",
                     "numpy.ma", "ninja", "pydantic")

SETUP = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roret.settings")
import django
django.setup()
"""

PLAN = SETUP + """
from django.core.management import load_command_class
load_command_class("roret.capacity", "capacity")
import tqdm
from roret.capacity import runs, services
from roret.capacity.engine import kaplan_meier
import numpy as np
services.theil_sen([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 2.0, 5.0])
services._median(np.array([1.0, 2.0]))
kaplan_meier(np.array([1.0, 2.0, 3.0]), np.array([True, False, True]))
"""


def loaded(script: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    env.setdefault("DJANGO_SETTINGS_MODULE", "roret.settings")
    done = subprocess.run([sys.executable, "-c", script + "\nprint(json.dumps(sorted(sys.modules)))"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def heavy(modules: set[str], names) -> list[str]:
    return sorted(name for name in names if name in modules or any(m.startswith(name + ".") for m in modules))


def test_django_setup_loads_no_heavy_library():
    assert heavy(loaded(SETUP), NEVER_AT_SETUP) == []


def test_the_capacity_plan_command_loads_only_what_it_computes_with():
    modules = loaded(PLAN)
    assert "numpy" in modules and "roret.capacity.engine.plan_sim" in modules  # the check itself ran
    assert heavy(modules, NEVER_IN_THE_PLAN) == []
