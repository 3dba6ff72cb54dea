"""The security headers on every page, and no-store on everything a logged-in user is sent."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_inline_script(client):
    response = client.get(reverse("login"))
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert not any("unsafe" in value for values in csp.values() for value in values)


@pytest.mark.django_db
def test_every_page_refuses_framing_features_and_foreign_referrers(client):
    response = client.get(reverse("login"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_no_template_has_an_inline_script_or_handler():
    """The policy forbids them, so one would silently stop working in the browser."""
    import re
    from pathlib import Path

    import roret

    root = Path(roret.__file__).parent
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
                        r"|<[a-z][^>]*\s(?:on[a-z]+|style)\s*=|javascript:", re.IGNORECASE)
    found = []
    for template in root.glob("**/templates/**/*.html"):
        if template.name in {"letter.html", "kpi_report_pdf.html", "run_pdf.html"}:
            continue  # PDFs made by WeasyPrint, never sent to a browser
        found += [f"{template.relative_to(root)}: {m.group(0)}" for m in inline.finditer(template.read_text())]
    assert not found, found


@pytest.mark.django_db
def test_pages_and_api_answers_to_a_logged_in_user_are_not_stored(client, world):
    world.citizen()
    client.login(username="caseworker", password=PASSWORD)
    for url in (reverse("home"), reverse("citizens:search"), "/api/v1/offers"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url


@pytest.mark.django_db
def test_static_files_keep_their_caching_for_a_logged_in_user(client, world):
    """WhiteNoise answers a static file before the no-store rule, so the browser may cache it."""
    client.login(username="caseworker", password=PASSWORD)
    response = client.get("/static/roret/roret.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.django_db
def test_whitenoise_serves_static_files_with_debug_off(client, settings):
    """roret's URLs serve no static file; with DEBUG off only WhiteNoise answers one (from the
    finders here, from STATIC_ROOT after collectstatic in production)."""
    assert settings.DEBUG is False
    response = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert response.status_code == 200
    assert type(response).__module__.startswith("whitenoise")
    assert b"SwaggerUIBundle" in b"".join(response.streaming_content)
