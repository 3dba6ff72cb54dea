"""Every URL, requested as every persona and anonymous, against a declared expectation.

A URL pattern that is not declared in some tests/<app>/url_access.py fails the test: whoever adds a page decides
who may see it.
"""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import PASSWORD
from tests.url_roles import PERSONAS

# Each app declares its URLs in tests/<app>/url_access.py as EXPECTED = {url name: {persona: status}}.
# A POST-only API endpoint is walked with a POST of the JSON body its module declares in
# POST_JSON = {url name: body}, so its role and scope checks are walked too (a GET would only
# ever answer 405).
EXPECTED: dict = {}
POST_JSON: dict = {}
URL_ACCESS_MODULES = []
for module_path in sorted(Path(__file__).parent.glob("*/url_access.py")):
    module = importlib.import_module(f"tests.{module_path.parent.name}.url_access")
    URL_ACCESS_MODULES.append(module)
    clash = set(EXPECTED) & set(module.EXPECTED)
    assert not clash, f"URL names declared twice: {clash}"
    EXPECTED.update(module.EXPECTED)
    POST_JSON.update(getattr(module, "POST_JSON", {}))
DJANGO_ADMIN = {p: 302 for p in PERSONAS} | {"admin": 200}

SKIP_NAMESPACES = {"admin"}  # Django's own admin: walked separately through its index


def walk(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIP_NAMESPACES:
                continue
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern)


def test_every_url_is_declared():
    names = {name for name, _ in walk()}
    undeclared = names - set(EXPECTED)
    assert not undeclared, f"declare who may see these URLs in tests/<app>/url_access.py: {sorted(undeclared)}"
    stale = set(EXPECTED) - names
    assert not stale, f"declared URLs that no longer exist: {sorted(stale)}"


@pytest.fixture
def url_world(world):
    citizen = world.citizen(first_name="Walker")
    world.place(citizen, world.residential, start=datetime.date(2024, 1, 1))
    ids = {"pk": citizen.pk, "citizen_id": citizen.pk, "offer_pk": world.residential.pk}
    # An app whose URLs need other objects of the walker citizen makes them in url_ids(world, citizen).
    for module in URL_ACCESS_MODULES:
        if hasattr(module, "url_ids"):
            ids.update(module.url_ids(world, citizen))
    return world, ids


def fill(pattern: str, ids: dict, name: str) -> str:
    path = "/" + pattern.replace("^", "").replace("$", "")

    def value(match):
        key = match.group(2)
        if name.startswith("offers:") and key == "pk":
            return str(ids["offer_pk"])
        if name.startswith("capacity:") and key == "key":
            return "sel108"  # the World's residential offer is an own §108 offer
        return str(ids.get(key, 1))

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, path)


def request(client, name: str, path: str):
    if name in POST_JSON:
        return client.post(path, POST_JSON[name], content_type="application/json")
    return client.get(path)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_each_persona_as_declared(url_world, client, persona):
    world, ids = url_world
    if persona != "anonymous":
        assert client.login(username=persona, password=PASSWORD)
    failures = []
    for name, pattern in walk():
        path = fill(pattern, ids, name)
        status = request(client, name, path).status_code
        expected = EXPECTED[name][persona]
        if status != expected:
            failures.append(f"{name} {path}: {status}, expected {expected}")
    assert not failures, f"as {persona}:\n" + "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
def test_django_admin_is_for_the_administrator(url_world, client, persona):
    if persona != "anonymous":
        client.login(username=persona, password=PASSWORD)
    assert client.get("/admin/").status_code == DJANGO_ADMIN[persona]
    if persona == "admin":
        assert client.get("/admin/offers/offer/").status_code == 200
        assert client.get("/admin/core/term/").status_code == 200
