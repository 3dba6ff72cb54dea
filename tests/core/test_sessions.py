"""Sessions: the idle timeout, the absolute limit, logging out everywhere, and deactivation."""

import time

from django.conf import settings
from django.test import Client

from roret.core import services
from roret.core.models import AuditAction
from roret.core.sessions import LAST_ACTIVITY
from tests.factories import PASSWORD


def logged_in_client(username="caseworker", ip="10.2.2.2") -> Client:
    client = Client(REMOTE_ADDR=ip)
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    return client


def idle_for(client, seconds: int) -> None:
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_a_session_idle_longer_than_the_limit_is_logged_out_with_a_message(world):
    assert settings.IDLE_MINUTES == 30
    client = logged_in_client()
    idle_for(client, 31 * 60)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Du blev logget ud efter 30 minutter uden aktivitet" in page


def test_a_session_used_within_the_limit_stays(world):
    client = logged_in_client()
    idle_for(client, 29 * 60)
    assert client.get("/").status_code == 200
    assert int(time.time()) - client.session[LAST_ACTIVITY] < 5  # the request renewed the stamp


def test_the_idle_limit_is_configurable(world, settings):
    settings.IDLE_MINUTES = 5
    client = logged_in_client()
    idle_for(client, 6 * 60)
    assert client.get("/").status_code == 302


def test_sessions_end_at_browser_close_and_within_eight_hours():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_log_out_everywhere_ends_the_other_browsers_sessions(world, assert_audited):
    here, there = logged_in_client(), logged_in_client(ip="10.3.3.3")
    page = here.get("/account/").content.decode()
    assert 'action="/account/logout-everywhere/"' in page
    response = here.post("/account/logout-everywhere/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert there.get("/").status_code == 302
    assert here.get("/").status_code == 302
    entry = assert_audited(AuditAction.CHANGE, world.users["caseworker"], obj=world.users["caseworker"])
    assert "Logget ud overalt" in entry.summary
    # Logging in again works.
    assert logged_in_client().get("/").status_code == 200


def test_log_out_everywhere_leaves_other_users_alone(world):
    mine, theirs = logged_in_client(), logged_in_client("economist")
    mine.post("/account/logout-everywhere/")
    assert theirs.get("/").status_code == 200


def test_a_deactivated_and_reactivated_user_does_not_get_old_sessions_back(world):
    client = logged_in_client("economist")
    admin, economist = world.users["admin"], world.users["economist"]
    services.set_active(economist, actor=admin, active=False, reason="Fratrådt med udgangen af måneden")
    services.set_active(economist, actor=admin, active=True, reason="Genansat fra den 1. i måneden")
    assert client.get("/").status_code == 302
