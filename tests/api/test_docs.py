"""The API docs: for logged-in users only, and Swagger UI from roret's own static files."""

import re

import pytest
from django.contrib.staticfiles import finders

from tests.factories import PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_anonymous_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/?next=")


@pytest.mark.django_db
def test_the_docs_load_swagger_ui_from_our_own_static_files(client, world):
    client.login(username="economist", password=PASSWORD)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""<(?:script|link)[^>]*(?:src|href)="([^"]+)\"""", html)
    assert "/static/swagger-ui/swagger-ui-bundle.js" in sources
    assert "/static/swagger-ui/swagger-ui.css" in sources
    assert all(src.startswith("/static/") for src in sources), sources
    assert "cdn" not in html.lower() and "https://" not in html
    for src in sources:
        assert finders.find(src.removeprefix("/static/")), f"{src} is not among the static files"
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "roret API"
