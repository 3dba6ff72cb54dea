"""Field encryption with several keys: rotation re-encrypts CPR numbers with the active key in
resumable batches while lookups find citizens by the old or the new hash; a wrong or missing key
fails the start-up check; pseudonyms do not depend on SECRET_KEY."""

import datetime
import io
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from roret.citizens import cpr, rotation
from roret.citizens.checks import check_field_keys
from roret.citizens.models import Citizen
from roret.core.models import AuditEntry, KeyRotation
from roret.reports.toolkit.tables import pseudonym
from tests.factories import PASSWORD, make_cpr

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def old_key_world(world, settings):
    """Five citizens written under the old key."""
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    numbers = [make_cpr(datetime.date(1970 + i, 1, 2)) for i in range(5)]
    people = [world.citizen(cpr=n, first_name=f"Nøgle{i}", birth=datetime.date(1970 + i, 1, 2))
              for i, n in enumerate(numbers)]
    return people, numbers


def stored(citizen):
    return Citizen.objects.values_list("cpr_encrypted", "cpr_hash").get(pk=citizen.pk)


def test_a_new_key_in_front_is_active_and_the_old_one_still_reads(old_key_world, settings):
    people, numbers = old_key_world
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    assert Citizen.objects.get(pk=people[0].pk).cpr == cpr.formatted(numbers[0])   # old ciphertext
    assert Citizen.objects.with_cpr(numbers[0]).get() == people[0]                 # old hash
    token = cpr.encrypt(numbers[0])  # new ciphertext is the new key's, not the old one's
    assert cpr.is_current(token, cpr.lookup_hash(numbers[0]))
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    with pytest.raises(ValueError):
        cpr.decrypt(token)


def test_rotation_goes_in_batches_resumes_and_lookups_work_throughout(old_key_world, world, settings, client):
    people, numbers = old_key_world
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    before = {p.pk: stored(p) for p in people}
    # Two batches of two, then the run is interrupted ...
    state = rotation.rotate(batch_size=2, limit=2)
    assert state.finished is None and state.checked == 4 and state.changed == 4
    rotated = [p for p in people if stored(p) != before[p.pk]]
    assert [p.pk for p in rotated] == [p.pk for p in people[:4]]
    # ... and in the middle of the rotation every citizen is found by number, rotated or not,
    # on the search page too.
    for person, number in zip(people, numbers, strict=True):
        assert Citizen.objects.with_cpr(number).get() == person
        assert Citizen.objects.get(pk=person.pk).cpr == cpr.formatted(number)
    assert client.login(username="caseworker", password=PASSWORD)
    found = client.post(reverse("citizens:search"), {"q": numbers[4]}).context["results"]
    assert [c.pk for c in found] == [people[4].pk]
    # A citizen registered meanwhile is written under the new key.
    fresh = make_cpr(datetime.date(1999, 9, 9))
    newcomer = world.citizen(cpr=fresh, birth=datetime.date(1999, 9, 9))
    assert cpr.is_current(*stored(newcomer))
    # The next run goes on from citizen #people[3] and finishes.
    out = io.StringIO()
    call_command("keys", "rotate", "--batch-size", "2", stdout=out, verbosity=0)
    state = KeyRotation.objects.get(field=rotation.FIELD, key_id=cpr.active_key_id())
    assert state.finished is not None and state.changed == 5 and state.checked == 6
    assert "Rotation finished" in out.getvalue()
    assert all(cpr.is_current(*stored(p)) for p in people)
    assert AuditEntry.objects.filter(object_type="core.keyrotation", action="change").count() == 1
    # With the old key gone, everything still decrypts and is found.
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    assert check_field_keys() == []
    for person, number in zip(people, numbers, strict=True):
        assert Citizen.objects.with_cpr(number).get() == person
        assert Citizen.objects.get(pk=person.pk).cpr == cpr.formatted(number)


def test_a_rotated_number_cannot_be_registered_twice(old_key_world, settings, world):
    from django.core.exceptions import ValidationError

    people, numbers = old_key_world
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    with pytest.raises(ValidationError, match="already registered"):
        world.citizen(cpr=numbers[0], birth=datetime.date(1970, 1, 2))  # stored under the old hash


def test_status_reports_rows_left_under_an_older_key(old_key_world, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    out = io.StringIO()
    call_command("keys", "status", "--scan", stdout=out, verbosity=0)
    assert "5 rows are still under an older key" in out.getvalue()
    assert cpr.key_id(NEW) in out.getvalue() and NEW not in out.getvalue()
    rotation.rotate()
    out = io.StringIO()
    call_command("keys", "status", "--scan", stdout=out, verbosity=0)
    assert "Every row is under the active key" in out.getvalue()


def test_a_missing_key_fails_the_start_up_check(old_key_world, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key was dropped before rotating
    errors = check_field_keys()
    assert errors and {e.id for e in errors} == {"roret.E102"}
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("keys", "rotate", verbosity=0)


def test_a_wrong_lookup_key_fails_the_start_up_check(old_key_world, settings):
    people, numbers = old_key_world
    # The ciphertext decrypts, but the hash was made with a key that is no longer configured.
    Citizen.objects.filter(pk=people[0].pk).update(cpr_hash="0" * 64)
    assert {e.id for e in check_field_keys()} == {"roret.E103"}


def test_a_malformed_key_fails_the_start_up_check(db, settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    assert [e.id for e in check_field_keys()] == ["roret.E101"]


def test_the_check_runs_at_start_against_the_database(tmp_path):
    """`roret check` with a key that did not write the data fails, naming the problem."""
    env = {k: v for k, v in os.environ.items() if k not in {"FIELD_ENCRYPTION_KEY", "FIELD_ENCRYPTION_KEYS"}}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "FIELD_ENCRYPTION_KEYS": OLD})
    run = [sys.executable, "-m", "roret.cli"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=300)
    script = ("from roret.citizens.models import Citizen\n"
              "c = Citizen(first_name='A', last_name='B'); c.set_cpr('0101701234'); c.save()\n")
    subprocess.run([*run, "shell", "-c", script], env=env, check=True, timeout=120)
    assert subprocess.run([*run, "check"], env=env, capture_output=True, timeout=120).returncode == 0
    env["FIELD_ENCRYPTION_KEYS"] = NEW
    result = subprocess.run([*run, "check"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "roret.E102" in result.stderr


def test_settings_accept_several_keys_and_refuse_a_bad_one():
    code = "from django.conf import settings; print(','.join(settings.FIELD_ENCRYPTION_KEYS))"
    env = {k: v for k, v in os.environ.items() if k not in {"FIELD_ENCRYPTION_KEY", "FIELD_ENCRYPTION_KEYS"}}
    run = [sys.executable, "-m", "roret.cli", "shell", "-c", code]
    both = subprocess.run(run, env={**env, "FIELD_ENCRYPTION_KEYS": f"{NEW},{OLD}"}, capture_output=True,
                          text=True, timeout=60)
    assert both.stdout.strip().splitlines()[-1] == f"{NEW},{OLD}"
    legacy = subprocess.run(run, env={**env, "FIELD_ENCRYPTION_KEYS": NEW, "FIELD_ENCRYPTION_KEY": OLD},
                            capture_output=True, text=True, timeout=60)
    assert legacy.stdout.strip().splitlines()[-1] == f"{NEW},{OLD}"  # FIELD_ENCRYPTION_KEY stays readable, as the oldest
    bad = subprocess.run(run, env={**env, "FIELD_ENCRYPTION_KEYS": "kort"}, capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode != 0 and "32 url-safe base64-encoded bytes" in bad.stderr


def test_pseudonyms_do_not_change_with_the_secret_key(settings):
    before = pseudonym(42)
    settings.SECRET_KEY = "a completely different secret key, rotated after a leak"
    assert pseudonym(42) == before
    settings.PSEUDONYM_KEY = "a pseudonym key of its own, at least 32 characters"
    assert pseudonym(42) != before and pseudonym(42) == pseudonym(42) != pseudonym(43)


def test_pin_prints_the_keys_derived_now_so_they_survive_the_oldest_key(settings):
    out = io.StringIO()
    call_command("keys", "pin", stdout=out)
    assert out.getvalue().split() == [f"PSEUDONYM_KEY={settings.PSEUDONYM_KEY}",
                                      f"AUDIT_CHAIN_KEY={settings.AUDIT_CHAIN_KEY}"]
