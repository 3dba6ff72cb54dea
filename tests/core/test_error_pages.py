"""Error pages that leak nothing, and a request log without tracebacks for 4xx or unmasked CPR numbers."""

import contextlib
import io
import logging

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.utils import translation

from tests.factories import PASSWORD

CPR = "0101901234"
LEAKS = [CPR, "010190-1234", "Traceback", "SECRET_KEY", "/srv/roret", "RuntimeError", "settings.py", "roret.urls"]


def assert_leaks_nothing(body: str):
    found = [leak for leak in LEAKS if leak in body]
    assert not found, found


@contextlib.contextmanager
def request_log():
    """Everything the configured handlers write for Django's request and server loggers (each
    handler on the way up from them, as LOGGING made it; pytest's own capture handlers aside), into
    one buffer."""
    handlers = set()
    for name in ("django.request", "django.server"):
        logger = logging.getLogger(name)
        while logger:
            handlers.update(h for h in logger.handlers if isinstance(h, logging.StreamHandler)
                            and not type(h).__module__.startswith("_pytest"))
            logger = logger.parent if logger.propagate else None
    buffer, streams = io.StringIO(), {}
    for handler in handlers:
        streams[handler] = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        for handler, stream in streams.items():
            handler.setStream(stream)


@pytest.mark.django_db
def test_a_404_page_in_danish_shows_neither_the_path_nor_internals(client):
    response = client.get(f"/citizens/{CPR}/nowhere/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Siden blev ikke fundet" in body
    assert_leaks_nothing(body)


@pytest.mark.django_db
def test_a_403_page_in_danish_shows_no_internals(client, world):
    client.login(username="economist", password=PASSWORD)
    response = client.get(f"/citizens/?q={CPR}")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Ingen adgang" in body
    assert_leaks_nothing(body)


@override_settings(ROOT_URLCONF="tests.core.error_urls")
def test_a_500_page_in_danish_shows_no_internals_and_needs_no_database():
    """No django_db mark: a database query while rendering the page would fail the test."""
    client = Client(raise_request_exception=False)
    with request_log():
        response = client.get(f"/test-fails/{CPR}/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Der opstod en fejl" in body
    assert_leaks_nothing(body)


def test_the_500_template_renders_without_a_request_or_a_database():
    """As Django's server_error view renders it: no request, no context processors (the language is
    the one LocaleMiddleware chose for the request)."""
    with translation.override("da"):
        assert "Der opstod en fejl" in render_to_string("500.html")


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_a_refused_page_logs_one_line_without_a_traceback(client, world, debug):
    """With debug on too: Django's default handlers (a console for DEBUG) are replaced, not added to."""
    client.login(username="economist", password=PASSWORD)
    with override_settings(DEBUG=debug), request_log() as log:
        assert client.get("/citizens/").status_code == 403
    written = log.getvalue()
    assert written.count("Forbidden") == 1, written
    assert "Traceback" not in written


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_a_404_with_a_cpr_number_in_the_path_logs_it_masked_with_debug_on(client):
    with request_log() as log:
        assert client.get(f"/citizens/{CPR}/nowhere/").status_code == 404
    written = log.getvalue()
    assert "Not Found: /citizens/010190-xxxx/nowhere/" in written
    assert CPR not in written and "010190-1234" not in written


@override_settings(ROOT_URLCONF="tests.core.error_urls")
def test_a_server_error_keeps_its_traceback_with_the_cpr_number_masked():
    client = Client(raise_request_exception=False)
    with request_log() as log:
        assert client.get(f"/test-fails/{CPR}/").status_code == 500
    written = log.getvalue()
    assert "Traceback" in written and "RuntimeError" in written
    assert "010190-xxxx" in written
    assert CPR not in written


def test_the_development_servers_request_line_is_masked():
    with request_log() as log:
        logging.getLogger("django.server").info('"%s" %s %s', f"GET /citizens/?q={CPR} HTTP/1.1", 200, 512)
    written = log.getvalue()
    assert "q=010190-xxxx" in written and CPR not in written
