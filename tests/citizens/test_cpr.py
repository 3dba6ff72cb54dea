import datetime
import logging

import pytest
from django.core.exceptions import ValidationError

from roret.citizens import cpr
from roret.citizens.models import Citizen
from tests.factories import make_cpr


def test_it_accepts_numbers_with_and_without_the_modulus_11_check_digit():
    with_check = make_cpr(datetime.date(1975, 3, 2), check_digit=True)
    without_check = make_cpr(datetime.date(1975, 3, 2), check_digit=False)
    assert cpr.has_check_digit(with_check) and not cpr.has_check_digit(without_check)
    assert cpr.validate(with_check) == with_check
    assert cpr.validate(without_check) == without_check


@pytest.mark.parametrize("value, code", [
    ("1234", "cpr_length"), ("0101801234567", "cpr_length"), ("01018O-1234", "cpr_format"),
    ("320180-1234", "cpr_date"), ("011380-1234", "cpr_date"),
])
def test_it_refuses_malformed_numbers_with_a_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        cpr.validate(value)
    assert exc.value.code == code
    assert exc.value.messages[0]


def test_birth_date_follows_the_century_digit():
    assert cpr.birth_date("010150-1234") == datetime.date(1950, 1, 1)
    assert cpr.birth_date("010105-4234") == datetime.date(2005, 1, 1)
    assert cpr.birth_date("010185-9934") == datetime.date(1985, 1, 1)


def test_encryption_round_trips_and_ciphertext_hides_the_number():
    number = "0305821234"
    token = cpr.encrypt(number)
    assert number not in token and cpr.decrypt(token) == number
    assert cpr.encrypt(number) != token  # fresh IV each time
    assert cpr.lookup_hash("030582-1234") == cpr.lookup_hash(number)
    assert len(cpr.lookup_hash(number)) == 64


def test_masking_shows_only_the_birth_date():
    assert cpr.mask("030582-1234") == "030582-xxxx"
    assert cpr.mask_text("borger 030582-1234 og 0405831234") == "borger 030582-xxxx og 040583-xxxx"


def test_log_records_are_masked(caplog):
    logger = logging.getLogger("roret.test")
    logger.addFilter(cpr.MaskCprFilter())
    with caplog.at_level(logging.WARNING, logger="roret.test"):
        logger.warning("opslag på %s fejlede", "030582-1234")
    assert "030582-1234" not in caplog.text
    assert "030582-xxxx" in caplog.text


def test_citizen_stores_cpr_encrypted_and_finds_it_by_hash(world):
    number = make_cpr(datetime.date(1990, 7, 1))
    citizen = world.citizen(cpr=number, birth=datetime.date(1990, 7, 1))
    stored = Citizen.objects.values("cpr_encrypted", "cpr_hash").get(pk=citizen.pk)
    assert number not in stored["cpr_encrypted"] and number not in stored["cpr_hash"]
    assert Citizen.objects.with_cpr(cpr.formatted(number)).get() == citizen
    assert citizen.cpr == cpr.formatted(number)
    assert citizen.cpr_masked == f"{number[:6]}-xxxx"
    assert citizen.birth_date == datetime.date(1990, 7, 1)
    assert citizen.age(datetime.date(2020, 6, 30)) == 29 and citizen.age(datetime.date(2020, 7, 1)) == 30


def test_the_same_cpr_number_cannot_be_registered_twice(world):
    number = make_cpr()
    world.citizen(cpr=number)
    with pytest.raises(ValidationError, match="already registered"):
        world.citizen(cpr=number)
    assert Citizen.objects.count() == 1
