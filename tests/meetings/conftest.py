import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are read in English here, so a new Danish translation cannot break a test."""
    with translation.override("en"):
        yield
