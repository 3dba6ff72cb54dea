"""The WSGI module gunicorn loads: it imports the URLconf before any request (a worker's first
request otherwise paid about 0.7 s of CPU for it, docs/benchmarks.md, "Load ..."), without opening
a database connection (with --preload the master forks the workers after the import, and a
connection shared across the fork would be used by several processes at once)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import roret.wsgi
from django.db import connections
print("views imported:", "roret.citizens.views" in sys.modules, "roret.outcomes.views" in sys.modules)
print("connection open:", any(c.connection is not None for c in connections.all(initialized_only=True)))
"""


def test_loading_the_wsgi_application_imports_the_urlconf_but_opens_no_connection(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "roret.settings", "RORET_DEBUG": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "views imported: True True" in done.stdout
    assert "connection open: False" in done.stdout
    assert not (tmp_path / "unused.sqlite3").exists()
