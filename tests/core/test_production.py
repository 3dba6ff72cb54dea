"""roret under production settings (RORET_DEBUG=0), each in a subprocess with real environment variables."""

import os
import secrets
import subprocess
import sys
import textwrap

import pytest

PRODUCTION_VARS = {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY", "FIELD_ENCRYPTION_KEYS",
                   "RORET_BEHIND_TLS_PROXY", "RORET_SSL_REDIRECT", "RORET_HSTS_SECONDS", "RORET_HSTS_PRELOAD",
                   "RORET_STATIC_ROOT", "PSEUDONYM_KEY", "AUDIT_CHAIN_KEY"}
# The browser tests' Playwright needs DJANGO_ALLOW_ASYNC_UNSAFE in the test process; a production
# installation does not set it (check --deploy refuses it), so the subprocesses do not inherit it.
BASE = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARS | {"DJANGO_ALLOW_ASYNC_UNSAFE"}}


@pytest.fixture
def production(tmp_path):
    """The environment of a production installation: a random 50+ character key, a field key, a host."""
    from cryptography.fernet import Fernet

    return {**BASE, "RORET_DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "roret.example.dk",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(), "RORET_STATIC_ROOT": str(tmp_path / "static")}


def roret(env, *args):
    return subprocess.run([sys.executable, "-m", "roret.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_check_deploy_passes_without_a_warning(production):
    result = roret(production, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_the_demo_refuses_production_settings(production):
    result = roret(production, "demo", "--seed", "1", "-v", "0")
    assert result.returncode != 0
    assert "roret demo only runs with development settings (RORET_DEBUG=1)" in result.stderr
    assert "Building the demo" not in result.stdout


REQUESTS = textwrap.dedent("""
    import django, json
    django.setup()
    from django.conf import settings
    from django.test import Client
    # Plain static names: the hashed ones need a manifest from collectstatic, which takes minutes.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    client = Client(HTTP_HOST="roret.example.dk")
    answers = {}
    for name, extra in (("plain", {}), ("proxied", {"HTTP_X_FORWARDED_PROTO": "https"})):
        response = client.get("/login/", **extra)
        answers[name] = {"status": response.status_code, "location": response.headers.get("Location"),
                         "hsts": response.headers.get("Strict-Transport-Security"),
                         "cookies": {k: {"secure": bool(v["secure"]), "httponly": bool(v["httponly"]),
                                         "samesite": v["samesite"]} for k, v in response.cookies.items()}}
    print(json.dumps(answers))
""")


def test_behind_a_tls_proxy_http_is_redirected_and_https_gets_hsts_and_secure_cookies(production):
    import json

    result = subprocess.run([sys.executable, "-c", REQUESTS], capture_output=True, text=True, timeout=120,
                            env={**production, "RORET_BEHIND_TLS_PROXY": "1",
                                 "DJANGO_SETTINGS_MODULE": "roret.settings"})
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers["plain"]["status"] == 301
    assert answers["plain"]["location"] == "https://roret.example.dk/login/"
    proxied = answers["proxied"]
    assert proxied["status"] == 200
    assert proxied["hsts"] == "max-age=31536000; includeSubDomains"
    assert proxied["cookies"]["csrftoken"] == {"secure": True, "httponly": True, "samesite": "Lax"}
