"""Every page a role's navigation reaches: median, 95th percentile and queries, before and after.

Usage (on a copy of the 100,000-citizen demo; the pages write audit rows and sessions):

    cp var/bench100k.sqlite3 /tmp/pages.sqlite3
    export DATABASE_URL=sqlite:////tmp/pages.sqlite3
    python benchmarks/economy_pages.py [--ref 4a4ec08] [--requests 7] [--budget 60] [--json] [--out FILE]
    python benchmarks/economy_pages.py --ref none      # this tree only

For each demo role (caseworker, centre_staff, centre_leader, economist, committee, admin) the
pages are the role's navigation menu (``nav_items``, as roret.core.context builds it for the
logged-in user) and the economy pages the issue names beside them (``EXTRA``). Each page is
requested ``--requests`` times after one warm-up (fewer, but at least 3, once a tree has spent
``--budget`` seconds on it: the column n says how many), in-process through Django's whole stack
(sessions, middleware, the permission gate, audit rows, templates), as that user; the
administrator's session carries a verified second factor, as after a TOTP code.

Side by side (``--ref COMMIT``, default 4a4ec08): the commit is checked out in a temporary
worktree (``/tmp/pages-base-<hash>``) and measured by a second process whose ``roret`` is
imported from that tree (both processes print ``roret.__file__``), with the same venv and the
same database. The two processes take turns page by page and round by round (which goes
first alternates), so both see the same machine noise. When the two trees' migrations differ
the base gets its own copy of the SQLite database, rolled back to the base's migrations by
this tree's ``migrate`` (indexes added since would otherwise speed up "before").

The pages use ``datetime.date.today()``, as the other benchmarks do: the demo's data are built
around its own today (``roret demo --today``), and the pages are measured on the machine's.
"""

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLES = ["caseworker", "centre_staff", "centre_leader", "economist", "committee", "admin"]
#: Pages the issue's table names beside a role's navigation (the economy's sub-pages).
EXTRA = {"economist": ["/economy/", "/economy/self-sufficiency/", "/reports/kpi/", "/reports/dst/"],
         "committee": ["/economy/"], "centre_leader": ["/economy/", "/"], "caseworker": ["/"]}
#: Requests a page gets at the least, however slow (``--budget``).
MIN_REQUESTS = 3
#: The goal of issue 9, per page.
GOAL_MEDIAN_MS, GOAL_P95_MS = 300, 1000


def percentile(values, q):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


# --- the measuring process (one per tree) ------------------------------------------------------

class Worker:
    """Django set up from one tree; logs the demo users in and times pages on request."""

    def __init__(self):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roret.settings")
        os.environ.setdefault("RORET_DEBUG", "1")
        import django

        django.setup()
        import roret

        self.roret_file = roret.__file__
        self.clients = {}

    def client(self, username):
        if username not in self.clients:
            from django.test import Client

            from roret.core.models import User

            user = User.objects.get(username=username)
            client = Client()
            client.force_login(user)
            self._second_factor(client, user)
            self.clients[username] = client
        return self.clients[username]

    @staticmethod
    def _second_factor(client, user):
        """Mark the session verified with the user's authenticator, as after a correct code
        (tests/clients.py does the same for the suite)."""
        try:
            from roret.core import two_factor
        except ImportError:
            return
        if not two_factor.required(user):
            return
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
                  or TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True))
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    def discover(self, roles):
        """{role: [url, ...]}: the role's navigation menu, then the issue's extra pages."""
        from django.test import RequestFactory

        from roret.core.context import navigation
        from roret.core.models import User

        pages = {}
        for role in roles:
            request = RequestFactory().get("/")
            request.user = User.objects.get(username=role)
            urls = [str(item["url"]) for item in navigation(request)["nav_items"]]
            pages[role] = list(dict.fromkeys(urls + EXTRA.get(role, [])))
        return pages

    def measure(self, role, url, cold=False):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = self.client(role)
        if cold:
            self.drop_stored_figures()
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        ms = (time.perf_counter() - start) * 1000
        return {"ms": round(ms, 2), "queries": len(ctx.captured_queries), "status": response.status_code,
                "bytes": len(getattr(response, "content", b""))}

    @staticmethod
    def drop_stored_figures():
        """Forget the economy's stored figures (a tree without them has none to forget), so the
        request computes every figure, as the first request after a change to its months does."""
        try:
            from roret.economy.models import StoredFigure
        except ImportError:
            return
        StoredFigure.objects.all().delete()

    def serve(self):
        """Answer one JSON command a line on stdin with one JSON line on stdout."""
        out = sys.stdout
        sys.stdout = sys.stderr  # anything else the pages print must not break the protocol
        for line in sys.stdin:
            cmd = json.loads(line)
            if cmd["cmd"] == "hello":
                answer = {"roret": self.roret_file}
            elif cmd["cmd"] == "discover":
                answer = self.discover(cmd["roles"])
            elif cmd["cmd"] == "measure":
                answer = self.measure(cmd["role"], cmd["url"], cmd.get("cold", False))
            else:
                break
            out.write(json.dumps(answer) + "\n")
            out.flush()


def worker_main(tree: str):
    # Import roret from ``tree`` only: this file's own tree must not come first on the path.
    sys.path = [p for p in sys.path if Path(p or ".").resolve() != ROOT]
    sys.path.insert(0, tree)
    Worker().serve()


# --- the coordinating process -------------------------------------------------------------------

class Remote:
    def __init__(self, name, tree, database_url):
        env = {**os.environ, "PYTHONPATH": str(tree), "DATABASE_URL": database_url}
        env.setdefault("RORET_DEBUG", "1")
        self.name = name
        self.proc = subprocess.Popen([sys.executable, __file__, "--worker", str(tree)], cwd=tree, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, **cmd):
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.name} process stopped (exit {self.proc.wait()})")
        return json.loads(line)

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


def _git(*args, cwd=ROOT):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def _migrations(tree: Path) -> dict[str, set[str]]:
    found = {}
    for path in (tree / "roret").glob("*/migrations/[0-9]*.py"):
        found.setdefault(path.parent.parent.name, set()).add(path.stem)
    return found


def _sqlite_path(database_url: str) -> Path | None:
    return Path(database_url.removeprefix("sqlite:///")) if database_url.startswith("sqlite:///") else None


def base_database(base_tree: Path, database_url: str, short: str) -> tuple[str, str]:
    """The database the base is measured on, and a note: the same one when the trees' migrations
    agree, else a copy rolled back to the base's migrations."""
    ours, theirs = _migrations(ROOT), _migrations(base_tree)
    if ours == theirs:
        return database_url, "the same database (the trees' migrations agree)"
    newer_there = {app: sorted(names - ours.get(app, set())) for app, names in theirs.items()
                   if names - ours.get(app, set())}
    if newer_there:
        raise SystemExit(f"the base has migrations this tree lacks ({newer_there}): migrate a copy for it by hand")
    src = _sqlite_path(database_url)
    if src is None:
        raise SystemExit("the trees' migrations differ: give the base a database of its own (SQLite only here)")
    copy = Path(tempfile.gettempdir()) / f"pages-base-{short}.sqlite3"
    print(f"Copying {src} to {copy} for the base (its migrations differ)...", file=sys.stderr, flush=True)
    with sqlite3.connect(src) as a, sqlite3.connect(copy) as b:
        a.backup(b)
    url = f"sqlite:///{copy}"
    env = {**os.environ, "DATABASE_URL": url}
    targets = []
    for app, names in ours.items():
        extra = names - theirs.get(app, set())
        if extra:
            targets.append((app, max(theirs[app]) if theirs.get(app) else "zero"))
    for app, target in targets:
        subprocess.run([sys.executable, "-m", "roret.cli", "migrate", app, target, "-v0"], cwd=ROOT, env=env,
                       check=True)
    subprocess.run([sys.executable, "-c", f"import sqlite3; c = sqlite3.connect({str(copy)!r}); "
                    "c.execute('ANALYZE'); c.commit()"], check=True)
    return url, f"a copy rolled back to its migrations ({', '.join(f'{a} {t}' for a, t in targets)})"


def summarise(samples):
    ms = [s["ms"] for s in samples]
    return {"median_ms": round(statistics.median(ms), 1), "p95_ms": round(percentile(ms, 95), 1),
            "queries": max(s["queries"] for s in samples), "status": sorted({s["status"] for s in samples}),
            "requests": len(samples)}


def meets(s) -> bool:
    return s["status"] == [200] and s["median_ms"] < GOAL_MEDIAN_MS and s["p95_ms"] < GOAL_P95_MS


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="4a4ec08", help="the commit to compare with ('none': this tree only)")
    parser.add_argument("--requests", type=int, default=7, help="timed requests per page (after one warm-up)")
    parser.add_argument("--cold", action="store_true",
                        help="drop the economy's stored figures before every request (every figure computed, as "
                             "after a change to the period's months); default: as a page meets them")
    parser.add_argument("--budget", type=float, default=60,
                        help="seconds per page and tree after which a page gets no more requests "
                             f"(at least {MIN_REQUESTS} are made; the table says how many)")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--only", default="", help="measure only pages whose address contains this")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the base's worktree and database copy")
    parser.add_argument("--worker", metavar="TREE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker_main(args.worker)

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("set DATABASE_URL to (a copy of) the 100,000-citizen demo")
    roles = [r for r in args.roles.split(",") if r]
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    trees = {"after": (ROOT, database_url)}
    base_tree = None
    note = ""
    if args.ref.lower() != "none":
        commit = _git("rev-parse", args.ref)
        base_tree = Path(tempfile.gettempdir()) / f"pages-base-{commit[:10]}"
        if not base_tree.exists():
            _git("worktree", "add", "--detach", str(base_tree), commit)
        # Translations are compiled, not committed (*.mo is ignored): compile the base's too.
        subprocess.run([sys.executable, "-m", "roret.cli", "compile_translations"], cwd=base_tree,
                       env={**os.environ, "PYTHONPATH": str(base_tree)}, check=True, capture_output=True)
        base_url, note = base_database(base_tree, database_url, commit[:10])
        trees = {"before": (base_tree, base_url), **trees}
    remotes = {name: Remote(name, tree, url) for name, (tree, url) in trees.items()}
    try:
        for name, remote in remotes.items():
            where = remote.ask(cmd="hello")["roret"]
            print(f"{name}: roret from {where}", file=sys.stderr, flush=True)
            if not where.startswith(str(trees[name][0])):
                raise SystemExit(f"the {name} process imported roret from {where}, not {trees[name][0]}")
        pages = remotes["after"].ask(cmd="discover", roles=roles)
        if args.only:
            pages = {r: [u for u in urls if args.only in u] for r, urls in pages.items()}
        results = []
        order = list(remotes)
        for role, urls in pages.items():
            for url in urls:
                samples = {name: [] for name in remotes}
                first = {}
                for name in order:  # warm-up: templates, caches, the session (and its time: the first request)
                    first[name] = remotes[name].ask(cmd="measure", role=role, url=url, cold=args.cold)["ms"]
                for i in range(args.requests):
                    for name in (order if i % 2 == 0 else order[::-1]):
                        samples[name].append(remotes[name].ask(cmd="measure", role=role, url=url, cold=args.cold))
                    spent = max(sum(x["ms"] for x in s) for s in samples.values()) / 1000
                    if i + 1 >= MIN_REQUESTS and spent > args.budget:
                        break
                row = {"role": role, "url": url,
                       **{name: {**summarise(s), "first_ms": first[name]} for name, s in samples.items()}}
                results.append(row)
                print(_line(row, remotes), file=sys.stderr, flush=True)
    finally:
        for remote in remotes.values():
            remote.close()
        if base_tree is not None and not args.keep:
            _git("worktree", "remove", "--force", str(base_tree))
            if note.startswith("a copy"):
                Path(_sqlite_path(trees["before"][1])).unlink(missing_ok=True)

    out = {"started": started, "database": database_url, "ref": args.ref, "base_database": note, "cold": args.cold,
           "requests": args.requests, "nproc": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()],
           "goal": {"median_ms": GOAL_MEDIAN_MS, "p95_ms": GOAL_P95_MS}, "pages": results}
    text = json.dumps(out, indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n")
    if args.json:
        print(text)
    else:
        print(table(out, list(remotes)))
    return out


def _cell(s):
    status = "" if s["status"] == [200] else f" [{','.join(map(str, s['status']))}]"
    return (f"{s['median_ms']:>8.1f} {s['p95_ms']:>8.1f} {s['queries']:>4} {s['requests']:>2} "
            f"{s.get('first_ms', 0):>8.1f}{status}")


def _line(row, names):
    return f"{row['role']:<14} {row['url']:<30} " + " | ".join(_cell(row[n]) for n in names) + (
        "" if meets(row["after"]) else "  misses the goal")


def table(out, names) -> str:
    head = " | ".join(f"{n + ' median':>15} {'p95':>8} {'q':>4} {'n':>2} {'first':>8}" for n in names)
    lines = [f"{out['started']}, up to {out['requests']} requests per page (n), {out['nproc']} CPUs, "
             f"load {out['loadavg']}; times in ms, q = queries, first = the first (warm-up) request"
             + ("; stored economy figures dropped before every request" if out.get("cold") else ""),
             f"{'role':<14} {'page':<30} {head}"]
    lines += [_line(row, names) for row in out["pages"]]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
