"""The administrator logs in with the password and a TOTP code; a stranger who guesses passwords
meets the lockout page."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.clients import current_code, give_device
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_the_administrator_logs_in_with_a_code_from_the_app(world, page, live_server):
    device = give_device(world.users["admin"])
    page.goto(f"{live_server.url}/users/")
    page.wait_for_url("**/login/**")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # The password alone opens nothing: the code page asks for the app's code.
    page.wait_for_url("**/account/two-factor/**")
    assert page.locator("h1").inner_text() == "Totrinslogin"
    page.goto(f"{live_server.url}/audit/")
    page.wait_for_url("**/account/two-factor/**")
    page.fill("#id_token", "000000" if current_code(device) != "000000" else "111111")
    page.click("#two-factor-form button[type=submit]")
    assert "Koden er forkert" in page.locator(".form-error-message").inner_text()
    # django-otp makes the next try wait after a wrong code; let the wait pass as a person would.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    page.fill("#id_token", current_code(device))
    page.click("#two-factor-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/audit/")
    assert page.locator("h1").count() == 1
    page.goto(f"{live_server.url}/users/")
    assert page.locator("#users").is_visible()


@pytest.mark.django_db(transaction=True)
def test_guessing_passwords_meets_the_lockout_page(world, page, live_server):
    for attempt in range(5):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "caseworker")
        page.fill("#id_password", f"gæt-{attempt}")
        page.click("button[type=submit]")
    assert "prøv igen om 15 minutter eller kontakt administrator" in page.locator("#lockout-message").inner_text()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "caseworker")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    assert page.locator("#lockout-message").is_visible()
