"""A working day in roret as locust users: caseworkers searching, opening records and holding
follow-ups; economists and centre leaders opening the economy overview.

Every simulated user logs in as a real account of its role (through the login form, like a
browser), and opens only records it reached from its own lists (the follow-ups due, its
searches), so answers are 200 and not 404. Requests are named by route (``/citizens/[id]/``)
so the statistics group per page.

Accounts: ``RORET_LOAD_ACCOUNTS`` names a JSON file ``{"caseworker": [...], "economist": [...],
"centre_leader": [...]}``; without it, the demo users (caseworker, economist, centre_leader).
Password: ``RORET_LOAD_PASSWORD`` (default ``demo``, the demo users' password). Run by
benchmarks/load/run.sh and, briefly, by tests/test_load_smoke.py, which sets ``RORET_LOAD_TOUR=1``
(each caseworker first walks every page once, so a short run surely covers them all) and
``RORET_LOAD_WAIT`` (the think time, "min,max" seconds) and ``RORET_LOAD_MIX`` (how many users of
each role, "caseworker:2,economist:1,centre_leader:1", instead of the weights 8:1:1).
"""

import datetime
import itertools
import json
import os
import random
import re
from urllib.parse import urlsplit

import urllib3
from locust import HttpUser, between, task

from roret.demo import names

PASSWORD = os.environ.get("RORET_LOAD_PASSWORD", "demo")
DEMO_ACCOUNTS = {"caseworker": ["caseworker"], "economist": ["economist"], "centre_leader": ["centre_leader"]}
_accounts_file = os.environ.get("RORET_LOAD_ACCOUNTS")
if _accounts_file:
    with open(_accounts_file, encoding="utf-8") as f:
        ACCOUNTS = json.load(f)
else:
    ACCOUNTS = DEMO_ACCOUNTS
# Each simulated user takes the next account of its role, so 40 caseworkers are 40 people when
# there are 40 accounts (the mass-read alarm counts per account).
_turn = {role: itertools.count() for role in ACCOUNTS}
# Follow-ups one simulated caseworker has taken: colleagues on a team have their own caseloads,
# so two do not hold the same meeting (the second would rightly be told it is already held).
_taken_follow_ups: set[int] = set()

TOUR = os.environ.get("RORET_LOAD_TOUR") == "1"
_wait = os.environ.get("RORET_LOAD_WAIT")
WAIT = tuple(float(x) for x in _wait.split(",")) if _wait else None

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECORD_LINK = re.compile(r'href="/citizens/(\d+)/"')
TIMELINE_LINK = re.compile(r'href="/visitation/citizens/(\d+)/')
FOLLOW_UP_LINK = re.compile(r'href="/outcomes/follow-ups/(\d+)/"')
CPR_SHOWN = re.compile(r'<dd id="cpr">(\d{6}-?\d{4})</dd>')

# The server on loopback may present a self-signed certificate (run.sh serves HTTPS, as production
# does behind TLS, so the Secure session and CSRF cookies are sent back).
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def _account(role: str) -> str:
    accounts = ACCOUNTS[role]
    return accounts[next(_turn[role]) % len(accounts)]


class StaffUser(HttpUser):
    """A logged-in member of staff; subclasses say which role and what they do."""

    abstract = True
    role = ""

    def on_start(self):
        self.client.verify = False
        self.username = _account(self.role)
        self.login()

    def csrf_post(self, url: str, form_page, data: dict, name: str, **kwargs):
        """POST ``data`` as the form on ``form_page`` (a response) would: its CSRF token, and the
        Origin and Referer a browser sends."""
        token = CSRF_FIELD.search(form_page.text)
        if token is None:
            raise ValueError(f"no CSRF token on {name}'s form page")
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(form_page.url))
        headers = {"Origin": origin, "Referer": form_page.url}
        return self.client.post(url, data={"csrfmiddlewaretoken": token.group(1), **data}, headers=headers,
                                name=name, **kwargs)

    def login(self):
        page = self.client.get("/login/", name="/login/")
        with self.csrf_post("/login/", page, {"username": self.username, "password": PASSWORD},
                            name="/login/ [POST]", catch_response=True) as response:
            if urlsplit(response.url).path.startswith("/login/"):
                response.failure(f"login as {self.username} failed (still on the login page)")


class Caseworker(StaffUser):
    """Searches by name and CPR number, opens records from its own lists, holds follow-ups."""

    role = "caseworker"
    weight = 8
    wait_time = between(*(WAIT or (1, 5)))

    def on_start(self):
        super().on_start()
        self.citizen_ids: list[int] = []
        self.follow_up_ids: list[int] = []
        self.cprs: list[str] = []
        self.caseload()
        if TOUR:
            for step in (self.home, self.search_by_name, self.open_record, self.search_by_cpr, self.open_outcomes,
                         self.hold_follow_up):
                step()

    def remember(self, text: str):
        ids = {int(i) for i in RECORD_LINK.findall(text)} | {int(i) for i in TIMELINE_LINK.findall(text)}
        self.citizen_ids = list(dict.fromkeys(self.citizen_ids + sorted(ids)))[-200:]

    @task(2)
    def caseload(self):
        """The follow-ups due: the caseworker's list of its team's citizens."""
        response = self.client.get("/outcomes/follow-ups/", name="/outcomes/follow-ups/")
        if response.ok:
            self.remember(response.text)
            self.follow_up_ids = [int(i) for i in FOLLOW_UP_LINK.findall(response.text)]

    @task(2)
    def home(self):
        response = self.client.get("/", name="/")
        if response.ok:
            self.remember(response.text)

    @task(10)
    def search_by_name(self):
        last = random.choice(names.LAST_NAMES)
        first = random.choice(names.FIRST_NAMES_F + names.FIRST_NAMES_M)
        query = last if random.random() < 0.5 else f"{first} {last}"
        response = self.client.get("/citizens/", params={"q": query}, name="/citizens/?q=[name]")
        if response.ok:
            self.remember(response.text)

    @task(3)
    def search_by_cpr(self):
        """The CPR search is a POST (the number never stands in a URL)."""
        if not self.cprs:
            return
        page = self.client.get("/citizens/", name="/citizens/")
        self.csrf_post("/citizens/", page, {"q": random.choice(self.cprs)}, name="/citizens/ [POST cpr]")

    @task(10)
    def open_record(self):
        if not self.citizen_ids:
            return
        pk = random.choice(self.citizen_ids)
        response = self.client.get(f"/citizens/{pk}/", name="/citizens/[id]/")
        if response.ok:
            cpr = CPR_SHOWN.search(response.text)
            if cpr and cpr.group(1) not in self.cprs:
                self.cprs = (self.cprs + [cpr.group(1)])[-50:]

    @task(3)
    def open_outcomes(self):
        if not self.citizen_ids:
            return
        pk = random.choice(self.citizen_ids)
        self.client.get(f"/outcomes/citizens/{pk}/", name="/outcomes/citizens/[id]/")

    @task(1)
    def hold_follow_up(self):
        """Open a follow-up from the list and record it held today, continuing the grant."""
        free = [pk for pk in self.follow_up_ids if pk not in _taken_follow_ups]
        if not free:
            return
        pk = random.choice(free)
        _taken_follow_ups.add(pk)
        with self.client.get(f"/outcomes/follow-ups/{pk}/", name="/outcomes/follow-ups/[id]/",
                             catch_response=True) as page:
            if page.ok and 'id="follow-up-form"' not in page.text:
                page.failure(f"follow-up {pk}: no form on the page ({urlsplit(page.url).path})")
        if 'id="follow-up-form"' not in page.text:
            return
        data = {"held_on": datetime.date.today().isoformat(), "outcome": "continue",
                "notes": "Opfølgning holdt (belastningstest)."}
        with self.csrf_post(f"/outcomes/follow-ups/{pk}/", page, data, name="/outcomes/follow-ups/[id]/ [POST]",
                            catch_response=True) as response:
            if "/visitation/" not in urlsplit(response.url).path:
                errors = re.findall(r'<p class="alert-text">([^<]+)', response.text)
                response.failure(f"follow-up {pk} not recorded: {'; '.join(errors)[:200] or response.status_code}")


class EconomyReader(StaffUser):
    """Opens the economy overview and the front page; an economist or a centre leader."""

    abstract = True
    wait_time = between(*(WAIT or (2, 8)))

    @task(5)
    def economy(self):
        self.client.get("/economy/", name="/economy/")

    @task(1)
    def home(self):
        self.client.get("/", name="/")


class Economist(EconomyReader):
    role = "economist"
    weight = 1


class CentreLeader(EconomyReader):
    role = "centre_leader"
    weight = 1



def _fix_the_mix(mix: str | None):
    """RORET_LOAD_MIX: a fixed number of users per role instead of the weights."""
    if not mix:
        return
    counts = {role.strip(): int(n) for role, n in (part.split(":") for part in mix.split(","))}
    for cls in (Caseworker, Economist, CentreLeader):
        cls.fixed_count = counts.get(cls.role, 0)
        if not cls.fixed_count:
            cls.weight = 0


_fix_the_mix(os.environ.get("RORET_LOAD_MIX"))
