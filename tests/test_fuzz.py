"""Every page's forms, query strings and API bodies fed hostile values: nothing answers 500, and a
refused value changes nothing.

The pages are found as the URL walker finds them (tests/test_url_walker.py). Each page is requested
as each persona; every ``<form>`` on it is read (its inputs, selects and textareas, with their names,
types and default values) and every link's query string. Each field then gets, one at a time, the
hostile values of its kind while every other field keeps the page's default (or the walker's declared
valid body, where the walker has one), so the hostile value is the reason for a refusal:

- an id (a select, a number, a hidden digit field, a checkbox of ids): ``abc``, ``1.5``, ``-1``,
  ``2**63``, ``10**30``;
- a date: ``9999-12-31``, ``0001-01-01``, ``1899-12-31``, ``2201-01-01`` (roret's dates lie in
  1900-01-01..2200-12-31);
- an amount: ``abc``, ``NaN``, 20 digits;
- text: a NUL byte, a bell, 100,000 characters;
- a file: an .xlsx whose XML declares an entity.

None of them is a value roret accepts, so each must be refused (a form error, 4xx) with the database
as it was (tests/db_fingerprint.py), and none may raise (the client runs with
``raise_request_exception=False``, so an exception shows as a 500). All failures are collected into
one report.
"""

import datetime
import io
import re
import time
import zipfile
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from tests.db_fingerprint import difference, fingerprint
from tests.test_url_walker import (
    POST_JSON,
    POSTS,
    api_writes,
    fill,
    url_world,  # noqa: F401 (a fixture)
    walk,
)
from tests.url_roles import PERSONAS

IDS = ["abc", "1.5", "-1", str(2**63), str(10**30)]
DATES = ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"]
EDGE_DATES = ["1900-01-01", "2200-12-31"]
LONG_BUT_ALLOWED = "y" * 5_000
AMOUNTS = ["abc", "NaN", "9" * 20]
TEXTS = ["a\x00b", "\x07", "x" * 100_000]
# GETs only read, so a query string gets the hostile value of each kind once.
QUERY_VALUES = ["abc", str(2**63), "9999-12-31", "a\x00b", "x" * 100_000]
SKIP_FIELDS = {"csrfmiddlewaretoken"}
# Fields a hostile value may go into without a refusal, because the view does not read them in the
# case the rest of the form makes: (URL name, field name pattern, why).
IGNORED = [
    ("visitation:decision", r"agreed_amount|external_reason", "only read when the chosen offer is external"),
    ("outcomes:follow_up", r"end_reason", "only read when the outcome ends the grant"),
    ("visitation:transition", r"done", "a checkbox: anything but 1 is 'not done'"),
    (r"capacity:scenario_(new|edit)", r"events-(\d+-.*|MIN_NUM_FORMS|MAX_NUM_FORMS)",
     "an extra event row (and the formset's own limits) that Django's formset skips"),
    (r"reports:kpi_report_(pdf|xlsx)", r"half", "an unknown half-year gives the latest one (documented)"),
]


def ignored(name: str, field: str) -> bool:
    return any(re.fullmatch(n, name) and re.fullmatch(f, field) for n, f, _why in IGNORED)


class Forms(HTMLParser):
    """The forms on a page (action, method, fields) and the query strings of its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                          "enctype": a.get("enctype", ""), "fields": []}
            self.forms.append(self._form)
        elif tag == "a" and "?" in a.get("href", ""):
            self.links.append(a["href"])
        elif self._form is None or not a.get("name") or "disabled" in a:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                if a.get("name"):
                    self._form["fields"].append({"name": a["name"], "kind": "submit", "value": a.get("value", "")})
                return
            checked = kind not in ("checkbox", "radio") or "checked" in a
            self._form["fields"].append({"name": a["name"], "kind": kind, "value": a.get("value", ""),
                                         "checked": checked, "step": a.get("step", ""),
                                         "maxlength": a.get("maxlength", ""), "inputmode": a.get("inputmode", ""),
                                         "id": a.get("id", "")})
        elif tag == "select":
            self._select = {"name": a["name"], "kind": "select", "value": None, "options": []}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a or self._select["value"] is None:
                self._select["value"] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = {"name": a["name"], "kind": "textarea", "value": "", "maxlength": a.get("maxlength", ""),
                              "id": a.get("id", "")}
            self._form["fields"].append(self._textarea)
        elif tag == "button" and a.get("name"):
            self._form["fields"].append({"name": a["name"], "kind": "submit", "value": a.get("value", "")})

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def xlsx_with_entity() -> bytes:
    """A workbook whose shared strings declare an entity (a billion-laughs or external-entity attack)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                   'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
                   '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
                   '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa">]>'
                   '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://'
                   'schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="&a;" '
                   'sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.'
                   'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                   '<is><t>&a;</t></is></c></row></sheetData></worksheet>')
    return buffer.getvalue()


def hostile(field: dict, index: int) -> list:
    """Two hostile values for ``field``: one malformed, one out of range, rotating through the
    kinds by the field's position so that every value is sent somewhere without sending all of
    them to every field (the walk stays well under a minute)."""
    kind, value = field["kind"], field.get("value") or ""

    def pick(values):
        return values[index % len(values)]

    if kind == "file":
        return ["xlsx-entity"]
    if kind == "date" or (kind in ("text", "hidden") and _looks_like_date(value)):
        return [pick(DATES[:2]), pick(DATES[2:])]
    if kind == "number":
        if field.get("step") not in ("", "1"):
            return [pick(AMOUNTS[:2]), AMOUNTS[2]]
        return [pick(["abc", "1.5"]), pick(IDS[3:])]
    options = field.get("options") or [value]
    if kind in ("select", "checkbox", "radio") or (kind == "hidden" and value.isdigit()):
        if any(o.isdigit() for o in options):
            return [pick(IDS[:3]), pick(IDS[3:])]
        return [] if kind == "checkbox" else ["abc"]
    if kind in ("submit", "password"):
        return []
    return [pick(TEXTS[:2]), TEXTS[2]]


def _looks_like_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def defaults(form: dict) -> dict:
    data: dict[str, list] = {}
    for field in form["fields"]:
        if field["name"] in SKIP_FIELDS or field["kind"] in ("submit", "file"):
            continue
        if field["kind"] in ("checkbox", "radio") and not field.get("checked"):
            continue
        data.setdefault(field["name"], []).append(field.get("value") or "")
    return data


def body_with(base: dict, name: str, value) -> dict:
    data = {k: list(v) if isinstance(v, list) else [v] for k, v in base.items()}
    if value == "xlsx-entity":
        upload = io.BytesIO(xlsx_with_entity())
        upload.name = "budget.xlsx"
        data[name] = [upload]
    else:
        data[name] = [value]
    return {k: v if len(v) != 1 else v[0] for k, v in data.items()}


class Fuzzer:
    def __init__(self, client: Client, user, ids: dict):
        self.client, self.user, self.ids = client, user, ids
        self.failures: list[str] = []
        self.requests = 0

    def _login(self):
        if self.user is not None and "_auth_user_id" not in self.client.session:
            self.client.force_login(self.user)

    def attempt(self, what: str, method: str, *args, may_change: bool = False, then: str | None = None, **extra):
        """One request in a savepoint that is rolled back; a failure when it answers 500, or when
        it changed the database (every value sent is one to refuse)."""
        self._login()
        self.requests += 1
        with transaction.atomic():
            before = fingerprint()
            response = getattr(self.client, method)(*args, **extra)
            changed = difference(before, fingerprint())
            if then is not None and response.status_code < 500:  # the page shows what was saved
                shown = self.client.get(then)
                if shown.status_code >= 500:
                    response, what = shown, f"{what}, then GET {then}"
            transaction.set_rollback(True)
        if response.status_code >= 500:
            detail = getattr(response, "exc_info", None)
            error = f"{detail[0].__name__}: {str(detail[1])[:160]}" if detail else ""
            self.failures.append(f"{what}: {response.status_code} {error}")
        elif changed and not may_change:
            self.failures.append(f"{what}: accepted ({response.status_code}), changed {changed}")
        return response


def _name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def _short(value) -> str:
    text = value if isinstance(value, str) else "xlsx-entity"
    return repr(text[:12] + "…") if len(text) > 20 else repr(text)


def page_forms(page: str, html: str) -> list[dict]:
    """The forms and the linked query strings of a page, each with its URL name and a key that
    says when two pages hold the same form."""
    parser = Forms()
    parser.feed(html)
    found = []
    for form in parser.forms:
        path = form["action"] or page
        name = _name(path)
        if name is None or name == "logout":
            continue
        fields = list({f["name"]: f for f in form["fields"] if f["name"] not in SKIP_FIELDS}.values())
        key = (form["method"], name, tuple(sorted(f["name"] for f in fields)))
        found.append({**form, "path": path, "name": name, "fields": fields, "key": key, "page": page})
    for link in parser.links:
        split = urlsplit(link)
        path = split.path or urlsplit(page).path
        name = _name(path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        if name is None or not params:
            continue
        found.append({"method": "link", "path": path, "name": name, "params": params,
                      "key": ("link", name, tuple(sorted(params)))})
    return found


def fuzz_form(fuzzer: Fuzzer, form: dict):
    name, path = form["name"], form["path"]
    if form["method"] == "link":
        for param in form["params"]:
            for value in QUERY_VALUES:
                fuzzer.attempt(f"GET {path} [{name}] ?{param}={_short(value)}", "get", path,
                               {**form["params"], param: value}, may_change=ignored(name, param))
        return
    fields = form["fields"]
    base = defaults(form)
    submit = next((f for f in fields if f["kind"] == "submit"), None)
    if submit is not None:
        base[submit["name"]] = [submit["value"]]  # the button that says which of a page's forms this is
    post = POSTS.get(name)
    if form["method"] == "post" and post is not None and not post.json:
        names = {f["name"] for f in fields}
        base.update({k: v for k, v in post.data(fuzzer.ids).items() if k in names})
    shapes = set()
    for index, field in enumerate(fields):
        # Fields of one shape (theme_3, theme_4 ...; a formset's rows) are parsed by the same code:
        # the first of them is fuzzed, which keeps a page with forty level selects to a few requests.
        shape = (re.sub(r"\d+", "#", field["name"]), field["kind"])
        if shape in shapes:
            continue
        shapes.add(shape)
        if hostile(field, index) == [] or hostile(field, index)[0] not in DATES:
            edges = []
        else:  # the first and last day roret accepts may be saved, but must not break what reads them
            edges = [EDGE_DATES[index % 2]]
        if field["kind"] in ("text", "textarea", "search") and edges == [] and hostile(field, index)[-1:] == TEXTS[2:]:
            # Under the gate's 10,000 but beyond any short column: refused or kept, never a DataError.
            edges = [LONG_BUT_ALLOWED]
        for value in edges:
            fuzzer.attempt(f"{form['method'].upper()} {path} [{name}] {field['name']}={_short(value)} (allowed)",
                           "post" if form["method"] == "post" else "get", urlsplit(path).path if form["method"] != "post"
                           else path, body_with(base, field["name"], value), may_change=True, then=form["page"])
        for value in hostile(field, index):
            may_change = ignored(name, field["name"])
            data = body_with(base, field["name"], value)
            what = f"{form['method'].upper()} {path} [{name}] {field['name']}={_short(value)}"
            if form["method"] == "post":
                fuzzer.attempt(what, "post", path, data, may_change=may_change)
            else:
                fuzzer.attempt(what, "get", urlsplit(path).path, data, may_change=may_change)


DOWNLOADS = (".pdf", ".xlsx", ".csv", ".json")
# The API's query parameters (the pages' links carry the others).
API_QUERIES = {"api:list_offers": ["day"]}
RAW_BODIES = [("multipart/form-data", b"q=walker"), ("application/json", b'{"q": "walker"'),
              ("text/plain", b"walker"), ("application/json", b"[1, 2]")]


def fuzz_api(fuzzer: Fuzzer, paths: dict[str, str]):
    """Each API endpoint with an unsafe method (or a JSON body) gets each of its body's values
    replaced by hostile ones, and bodies that are not JSON or not the schema's shape."""
    for name in sorted(api_writes() | set(POST_JSON)):
        post = POSTS[name]
        body = post.data(fuzzer.ids)
        for index, (key, value) in enumerate(body.items()):
            if isinstance(value, bool):
                values = ["abc"]
            elif isinstance(value, int):
                values = ["abc", 2**63, -(2**63) - 1, 10**30]
            else:
                values = [DATES[index % 4], TEXTS[index % 2], TEXTS[2], 2**63]
            for hostile_value in values:
                fuzzer.attempt(f"{post.method.upper()} {paths[name]} [{name}] {key}={_short(str(hostile_value))}",
                               post.method, paths[name], {**body, key: hostile_value},
                               content_type="application/json")
        for content_type, raw in RAW_BODIES:
            fuzzer.attempt(f"{post.method.upper()} {paths[name]} [{name}] {content_type} {raw[:20]!r}",
                           "generic", post.method.upper(), paths[name], raw, content_type=content_type)
    for name, params in API_QUERIES.items():
        for param in params:
            for value in QUERY_VALUES:
                fuzzer.attempt(f"GET {paths[name]} [{name}] ?{param}={_short(value)}", "get", paths[name],
                               {param: value})


# The order in which personas claim a form: the first who sees it fuzzes it, unless the walker
# declares who writes through it (then the first writer who sees it), so a form is fuzzed past its gate.
ORDER = ["caseworker", "economist", "centre_leader", "admin", "centre_staff", "committee", "leader", "outsider",
         "citizen", "anonymous"]


def claimed_forms(client: Client, world, ids: dict, failures: list) -> dict[tuple, tuple[str, dict]]:
    """Every form and linked query string of every page, each with the persona that claims it (the
    first who sees it, or the first writer the walker declares); a page answering 500 is a failure."""
    seen_by: dict[tuple, tuple[str, dict]] = {}
    for persona in ORDER:
        fuzzer = Fuzzer(client, world.users.get(persona), ids)
        client.logout()
        for name, pattern in walk():
            path = fill(pattern, ids, name)
            if name == "logout" or path.endswith(DOWNLOADS):
                continue  # a download has no forms or links (its query strings are fuzzed from the page's links)
            fuzzer._login()
            response = client.get(path)
            if response.status_code >= 500:
                failures.append(f"GET {path} [{name}] as {persona}: {response.status_code}")
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            for form in page_forms(path, response.content.decode()):
                post = POSTS.get(form["name"])
                writers = post.writers if post is not None and post.writers else ()
                claimed = seen_by.get(form["key"])
                if claimed is None or (persona in writers and claimed[0] not in writers):
                    seen_by[form["key"]] = (persona, form)
    return seen_by


def test_no_hostile_value_gives_a_server_error_or_a_change(url_world):  # noqa: F811 (the fixture)
    """Every page as every persona; each form and linked query string fuzzed once, by the persona
    that gets past its gate."""
    world, ids = url_world
    assert sorted(ORDER) == sorted(PERSONAS)
    client = Client(raise_request_exception=False)
    started = time.monotonic()
    failures = []
    seen_by = claimed_forms(client, world, ids, failures)
    paths = {name: fill(pattern, ids, name) for name, pattern in walk()}
    api_fuzzer = Fuzzer(client, world.users["caseworker"], ids)
    fuzz_api(api_fuzzer, paths)
    failures += [f"{f} (as caseworker)" for f in api_fuzzer.failures]
    requests = api_fuzzer.requests
    for persona in ORDER:
        fuzzer = Fuzzer(client, world.users.get(persona), ids)
        client.logout()
        for owner, form in seen_by.values():
            if owner == persona:
                fuzz_form(fuzzer, form)
        failures += [f"{f} (as {persona})" for f in fuzzer.failures]
        requests += fuzzer.requests
    elapsed = time.monotonic() - started
    # A page template that stops rendering its forms, or a parser that stops reading them, would
    # leave nothing to fuzz: the walk sends some 450 hostile requests today.
    assert requests > 300, f"only {requests} hostile requests: are the forms still found?"
    print(f"fuzz: {requests} hostile requests, {len(seen_by)} forms and links, {elapsed:.0f} s")  # pytest -s
    assert not failures, (f"{len(failures)} of {requests} hostile requests failed ({elapsed:.0f} s):\n"
                          + "\n".join(failures))
