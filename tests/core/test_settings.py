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
