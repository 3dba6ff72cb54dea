import os
import subprocess
import sys

import pytest

BASE = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS",
                                                          "FIELD_ENCRYPTION_KEY"}}


def check(env):
    return subprocess.run([sys.executable, "-m", "roret.cli", "check"], env={**BASE, **env},
                          capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_without_its_secrets():
    result = check({"RORET_DEBUG": "0"})
    assert result.returncode != 0
    for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY"):
        assert name in result.stderr


def test_production_refuses_the_development_keys():
    result = check({"RORET_DEBUG": "0", "SECRET_KEY": "roret-development-only-not-secret",
                    "DATABASE_URL": "sqlite:////tmp/x.sqlite3", "ALLOWED_HOSTS": "roret.example",
                    "FIELD_ENCRYPTION_KEY": "cm9yZXQtZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWNyZXQ="})
    assert result.returncode != 0 and "must not be used in production" in result.stderr


def test_production_starts_with_real_settings(tmp_path):
    from cryptography.fernet import Fernet

    result = check({"RORET_DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "roret.example",
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
                    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode()})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_bad_boolean_is_a_clear_error(value):
    result = check({"RORET_DEBUG": value})
    assert result.returncode != 0 and "is not a boolean" in result.stderr


def settings_of(env) -> dict:
    """The database settings roret builds from ``env`` (a fresh interpreter)."""
    code = ("import json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'roret.settings'); "
            "from django.conf import settings; print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))")
    result = subprocess.run([sys.executable, "-c", code], env={**BASE, **env}, capture_output=True, text=True,
                            timeout=60, check=True)
    import json

    return json.loads(result.stdout)


def test_postgresql_connections_run_without_jit_unless_asked():
    """PostgreSQL's JIT compiled the list queries on every request (55 ms of the offer list's 148 ms
    at 100,000 citizens): roret's connections turn it off, and RORET_PG_JIT=1 leaves the server's."""
    url = "postgresql://roret@127.0.0.1:5432/roret"
    assert "-c jit=off" in settings_of({"DATABASE_URL": url})["options"]
    assert "jit" not in settings_of({"DATABASE_URL": url, "RORET_PG_JIT": "1"}).get("options", "")


@pytest.mark.django_db
def test_the_connection_in_use_has_jit_off_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
