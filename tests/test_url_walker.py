"""Every URL, requested and posted to as every persona and anonymous, against a declared expectation.

A URL pattern that is not declared in some tests/<app>/url_access.py fails the test: whoever adds a page
decides who may see it. Each module declares:

- ``EXPECTED = {url name: {persona: status}}``: the answer to a GET (tests/url_roles.py has the common
  profiles);
- ``POSTS = {url name: writes(body, *writers) or reads(body)}``: the POST of every page with a POST
  form and every API endpoint with an unsafe method (undeclared ones fail the walk);
- ``POST_JSON = {url name: body}``: a POST-only API endpoint that only reads, walked with that JSON
  body instead of a GET (so its role and scope checks are walked too; a GET would only answer 405);
- ``PATH_IDS = {url name: {path parameter: ids key}}`` where a URL's parameter is not the walker
  citizen's (``pk``, ``citizen_id``) or a key that ``url_ids`` gives under the parameter's own name;
- ``url_ids(world, citizen) -> dict``: the objects of the walker citizen the app's URLs need.

- ``CITIZEN_EXPECTED = {url name: status}``: the answer to the citizen persona (a citizen signed in to
  their own page, roret.helm), where it is not 404. A citizen is confined to their own pages
  (roret.helm.middleware), so every other URL must answer them 404 (``CITIZEN_ELSEWHERE``) whatever
  its profile says for the staff personas: a new staff page needs no entry for them.

Every URL is also posted to as every persona, with its declared body and with an empty one. Nothing
may answer 500. A persona who may not write gets a refusal (401, 403, 404, 405 or a redirect to log in;
an API write's empty JSON body may get the schema's 422 first, see ``schema_refused``)
and the database does not change (tests/db_fingerprint.py); a persona who may write changes it, which
proves the declared body valid, so a missing gate would show.
"""

import datetime
import importlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from tests.db_fingerprint import difference, fingerprint
from tests.factories import PASSWORD
from tests.url_roles import CITIZEN_ELSEWHERE, PERSONAS, Post, reads

EXPECTED: dict = {}
CITIZEN_EXPECTED: dict = {}
POSTS: dict[str, Post] = {}
POST_JSON: dict = {}
PATH_IDS: dict = {}
URL_ACCESS_MODULES = []
for module_path in sorted(Path(__file__).parent.glob("*/url_access.py")):
    module = importlib.import_module(f"tests.{module_path.parent.name}.url_access")
    URL_ACCESS_MODULES.append(module)
    for name in ("EXPECTED", "CITIZEN_EXPECTED", "POSTS", "POST_JSON", "PATH_IDS"):
        declared, table = getattr(module, name, {}), globals()[name]
        clash = set(table) & set(declared)
        assert not clash, f"{name}: URL names declared twice: {clash}"
        table.update(declared)
for _name, _body in POST_JSON.items():
    POSTS.setdefault(_name, reads(_body, json=True))
DJANGO_ADMIN = {p: 302 for p in PERSONAS} | {"admin": 200, "citizen": CITIZEN_ELSEWHERE}

SKIP_NAMESPACES = {"admin"}  # Django's own admin: walked separately through its index
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def walk(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    previous = None
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIP_NAMESPACES:
                continue
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            if (name, prefix + str(entry.pattern)) != previous:  # django-ninja: one pattern per method of a path
                yield name, prefix + str(entry.pattern)
            previous = (name, prefix + str(entry.pattern))


def api_writes() -> set[str]:
    """URL names of the API's endpoints with an unsafe method (django-ninja names a path after its
    first operation's function)."""
    from roret.api.api import api

    names = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            if any(UNSAFE & set(op.methods) for op in path_view.operations):
                names.add(f"api:{path_view.url_name or path_view.operations[0].view_func.__name__}")
    return names


def test_every_url_is_declared():
    names = {name for name, _ in walk()}
    undeclared = names - set(EXPECTED)
    assert not undeclared, f"declare who may see these URLs in tests/<app>/url_access.py: {sorted(undeclared)}"
    stale = (set(EXPECTED) | set(POSTS) | set(PATH_IDS)) - names
    assert not stale, f"declared URLs that no longer exist: {sorted(stale)}"
    unposted = api_writes() - set(POSTS)
    assert not unposted, f"declare the body and who may write in POSTS: {sorted(unposted)}"


@pytest.fixture
def url_world(world):
    citizen = world.citizen(first_name="Walker")
    world.place(citizen, world.residential, start=datetime.date(2024, 1, 1))
    ids = {"pk": citizen.pk, "citizen_id": citizen.pk, "offer_pk": world.residential.pk}
    # An app whose URLs need other objects of the walker citizen makes them in url_ids(world, citizen).
    for module in URL_ACCESS_MODULES:
        if hasattr(module, "url_ids"):
            made = module.url_ids(world, citizen)
            # Two apps giving one key different objects: the later would silently win, and a URL would
            # be walked with another table's id (which SQLite's rolled-back counters could hide).
            clash = {k for k in set(made) & set(ids) if made[k] != ids[k]}
            assert not clash, f"{module.__name__}.url_ids: keys another app gives other values: {sorted(clash)}"
            ids.update(made)
    return world, ids


def fill(pattern: str, ids: dict, name: str) -> str:
    path = "/" + pattern.replace("^", "").replace("$", "")
    keys = PATH_IDS.get(name, {})

    def value(match):
        key = match.group(2)
        if key in keys:
            return str(ids[keys[key]])
        if name.startswith("offers:") and key == "pk":
            return str(ids["offer_pk"])
        if name.startswith("capacity:") and key == "key":
            return "sel108"  # the World's residential offer is an own §108 offer
        return str(ids.get(key, 1))

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, path)


def request(client, name: str, path: str, ids: dict):
    post = POSTS.get(name)
    if post is not None and post.json and name in POST_JSON:
        return client.post(path, post.data(ids), content_type="application/json")
    return client.get(path)


FORM = re.compile(r"<form\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""(\w[\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def post_forms(html: str, page: str) -> set[str]:
    """The URL names that the page's POST forms send to."""
    targets = set()
    for match in FORM.finditer(html):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in ATTRIBUTE.finditer(match[1])}
        if attrs.get("method", "get").lower() != "post":
            continue
        try:
            targets.add(resolve(urlsplit(attrs.get("action") or page).path).view_name)
        except Resolver404:
            targets.add(f"(no URL: {attrs.get('action')!r})")
    return targets


FORM_BODY = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)


def post_forms_without_token(html: str) -> list[str]:
    """The opening tags of the page's POST forms that carry no form token (roret.core.form_tokens),
    so a double submit of them would write twice."""
    missing = []
    for match in FORM_BODY.finditer(html):
        if re.search(r"""method\s*=\s*["']?post""", match[1], re.IGNORECASE) and 'name="form_token"' not in match[2]:
            missing.append(f"<form{match[1]}>")
    return missing


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_each_persona_as_declared(url_world, client, persona):
    world, ids = url_world
    if persona != "anonymous":
        assert client.login(username=persona, password=PASSWORD)
    failures = []
    for name, pattern in walk():
        path = fill(pattern, ids, name)
        response = request(client, name, path, ids)
        expected = CITIZEN_EXPECTED.get(name, CITIZEN_ELSEWHERE) if persona == "citizen" else EXPECTED[name][persona]
        if response.status_code != expected:
            failures.append(f"{name} {path}: {response.status_code}, expected {expected}")
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            for target in post_forms(response.content.decode(), path) - set(POSTS):
                failures.append(f"{name} {path} has a POST form to {target}: declare its body and writers in POSTS")
            for form in post_forms_without_token(response.content.decode()):
                failures.append(f"{name} {path}: the POST form {form} has no {{% form_token %}}")
            title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
            if title and "<" in title.group(1):
                # A block left open in a template swallows the page's markup into the tab's title.
                failures.append(f"{name} {path}: markup in the <title>: {title.group(1)[:80]!r}")
    assert not failures, f"as {persona}:\n" + "\n".join(failures)


def refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)


def schema_refused(response, post: Post | None, label: str) -> bool:
    """An API write refuses an empty JSON body with 422 before its role check: django-ninja checks the
    body against the schema first, the same answer for every caller and every citizen, so it tells
    nothing. The declared (valid) body is what walks the role check and the gate."""
    return label == "empty" and post is not None and post.json and response.status_code == 422


def send(client, path: str, post: Post | None, data: dict):
    method = getattr(client, post.method if post else "post")
    if post is not None and post.json:
        return method(path, data, content_type="application/json")
    return method(path, data)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_post_writes_only_for_who_may(url_world, client, persona):
    """Each URL is posted to with its declared body and with an empty one, each in a savepoint that
    is rolled back, so every URL meets the same world."""
    world, ids = url_world
    user = world.users.get(persona)
    failures = []
    for name, pattern in walk():
        path = fill(pattern, ids, name)
        post = POSTS.get(name)
        declared = post.data(ids) if post is not None else {}
        bodies = [("declared", declared), ("empty", {})] if declared else [("declared" if post else "empty", {})]
        for label, data in bodies:
            if user is not None and "_auth_user_id" not in client.session:
                client.force_login(user)  # the log-out URL logged the persona out
            with transaction.atomic():
                before = fingerprint()
                try:
                    response = send(client, path, post, data)
                except Exception as exc:  # noqa: BLE001 (the test client re-raises a view's error: a 500)
                    failures.append(f"{name} {path} ({label} body): 500, {type(exc).__name__}: {exc}")
                    transaction.set_rollback(True)
                    continue
                changed = difference(before, fingerprint())
                transaction.set_rollback(True)
            what = f"{name} {path} ({label} body): {response.status_code}"
            if response.status_code >= 500:
                failures.append(f"{what}, a server error")
            elif post is None or post.writers is None:
                if changed:
                    failures.append(f"{what} changed {changed}" if post else
                                    f"{what} changed {changed}: declare its POST in POSTS")
            elif persona in post.writers and (persona != "citizen" or name in CITIZEN_EXPECTED):
                # (A citizen writes only through their own pages: elsewhere they are refused, 404.)
                if label == "declared" and not changed:
                    failures.append(f"{what} changed nothing: the declared body is not valid, or the write refused")
            elif not (refused(response) or schema_refused(response, post, label)) or changed:
                failures.append(f"{what} is not refused" + (f" and changed {changed}" if changed else ""))
    assert not failures, f"POST as {persona}:\n" + "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
def test_django_admin_is_for_the_administrator(url_world, client, persona):
    if persona != "anonymous":
        client.login(username=persona, password=PASSWORD)
    assert client.get("/admin/").status_code == DJANGO_ADMIN[persona]
    if persona == "admin":
        assert client.get("/admin/offers/offer/").status_code == 200
        assert client.get("/admin/core/term/").status_code == 200


def test_a_page_refuses_a_deactivated_user(world, rf):
    """Django's login ends a deactivated user's session, so the walker cannot post as one; the page
    decorator refuses them too, for any other way a user object reaches a view."""
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponse

    from roret.core.access import role_required
    from roret.core.permissions import CASE_ROLES

    view = role_required(CASE_ROLES)(lambda request: HttpResponse("ok"))
    request = rf.get("/")
    request.user = world.users["caseworker"]
    assert view(request).status_code == 200
    request.user.is_active = False
    with pytest.raises(PermissionDenied):
        view(request)
