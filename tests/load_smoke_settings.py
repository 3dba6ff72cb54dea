"""Settings of the gunicorn that tests/test_load_smoke.py starts: roret's own, with the test
suite's fast password hasher (as tests/conftest.py sets it in-process), so a login costs a test
run no second of PBKDF2 on a shared machine."""

from roret.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
