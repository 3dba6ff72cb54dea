#!/usr/bin/env bash
# The load test: 50 simulated staff users for 3 minutes against gunicorn on PostgreSQL with the
# 100,000-citizen demo (docs/benchmarks.md, "Load: 50 staff users ...").
#
#   benchmarks/load/run.sh                 # build the database once (reused), serve, load, report
#   USERS=5 RUN_TIME=20s benchmarks/load/run.sh
#   benchmarks/load/run.sh --build-only    # only build (or find) the database, its accounts and static files
#   BUILD_ONLY=1 benchmarks/load/run.sh    # the same
#
# The database (default roret_load_<seed>_<citizens>) is built once with the demo command and kept;
# a second run reuses it. Its keys live in var/load/<database>.env, so the encrypted CPR numbers
# stay readable across runs. The data is built with DEBUG on (the demo refuses production settings)
# and served with DEBUG off, as in production.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
VENV=${VENV:-$ROOT/.venv}
SEED=${SEED:-2026}
CITIZENS=${CITIZENS:-100000}
TODAY=${TODAY:-2026-11-23}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
DB=${LOAD_DB:-roret_load_${SEED}_${CITIZENS}}
PORT=${PORT:-8765}
WORKERS=${WORKERS:-4}
THREADS=${THREADS:-2}
# Longer than the longest think time (8 s): with production's 5 s, gunicorn closed a connection
# just as a simulated user sent its next request on it ("Remote end closed connection without
# response"). A browser resends a GET on such a connection and production's proxy holds the
# browsers' connections itself; the load client does neither.
KEEPALIVE=${KEEPALIVE:-30}
USERS=${USERS:-50}
# Staff arrive as a morning's do, one a second or slower (50 logins within 5 s is no working day,
# and each login is a deliberately slow password hash).
SPAWN_RATE=${SPAWN_RATE:-1}
RUN_TIME=${RUN_TIME:-3m}
OUT=${OUT:-$ROOT/benchmarks/out/load}
STATE=$ROOT/var/load
mkdir -p "$STATE" "$OUT"

# The keys of this database: made once, kept beside it (a throw-away database of made-up people).
KEYS=$STATE/$DB.env
if [[ ! -f $KEYS ]]; then
  "$VENV/bin/python" - >"$KEYS" <<'PY'
import base64, secrets
print("SECRET_KEY=" + secrets.token_urlsafe(50))
print("FIELD_ENCRYPTION_KEY=" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
PY
fi
set -a; source "$KEYS"; set +a
export DATABASE_URL=$PGURL/$DB

if ! psql "$PGURL/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  createdb -h 127.0.0.1 -U postgres "$DB" 2>/dev/null || psql "$PGURL/postgres" -qc "CREATE DATABASE \"$DB\""
fi
if [[ ! -f $STATE/$DB.built ]]; then
  echo "Building $DB: roret demo --seed $SEED --citizens $CITIZENS --today $TODAY (once; this takes a while)"
  started=$(date +%s)
  RORET_DEBUG=1 "$VENV/bin/roret" migrate --no-input -v 0
  RORET_DEBUG=1 "$VENV/bin/roret" demo --seed "$SEED" --citizens "$CITIZENS" --today "$TODAY"
  echo "$(( $(date +%s) - started )) s" >"$STATE/$DB.built"
  echo "Built $DB in $(cat "$STATE/$DB.built")"
fi
# Staff accounts for the simulated users: one per simulated person (the mass-read alarm and the
# audit log count per account), caseworkers spread over the teams, centre leaders over the centres.
ACCOUNTS=$STATE/$DB.accounts.json
if [[ ! -f $ACCOUNTS ]]; then
  RORET_DEBUG=1 RORET_LOAD_ACCOUNTS_OUT=$ACCOUNTS "$VENV/bin/roret" shell -c '
import json, os
from django.contrib.auth.hashers import make_password
from roret.core.models import Centre, Role, Team, User

password = make_password("demo")
teams, centres = list(Team.objects.order_by("pk")), list(Centre.objects.order_by("pk"))
plan = {"caseworker": (Role.CASEWORKER, 40), "economist": (Role.ECONOMIST, 5), "centre_leader": (Role.CENTRE_LEADER, 5)}
accounts = {}
for key, (role, count) in plan.items():
    accounts[key] = []
    for i in range(1, count + 1):
        username = f"load_{key}_{i:02d}"
        extra = {"team": teams[i % len(teams)]} if role == Role.CASEWORKER else {}
        if role == Role.CENTRE_LEADER:
            extra = {"centre": centres[i % len(centres)]}
        User.objects.update_or_create(username=username, defaults={
            "role": role, "password": password, "first_name": "Belastning", "last_name": f"{i:02d}",
            "email": f"{username}@demo.invalid", **extra})
        accounts[key].append(username)
with open(os.environ["RORET_LOAD_ACCOUNTS_OUT"], "w") as f:
    json.dump(accounts, f, indent=1)
print("Load-test accounts:", {k: len(v) for k, v in accounts.items()})
'
fi

# A self-signed certificate for loopback: production serves HTTPS, and with DEBUG off the session
# and CSRF cookies are Secure, so they only come back over HTTPS.
if [[ ! -f $STATE/cert.pem ]]; then
  "$VENV/bin/python" - "$STATE" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import ipaddress
key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256()))
open(f"{sys.argv[1]}/key.pem", "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
open(f"{sys.argv[1]}/cert.pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
PY
fi

# Served as in production: DEBUG off, the database's own keys, persistent connections.
export RORET_DEBUG=0 ALLOWED_HOSTS=127.0.0.1 DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-60}
"$VENV/bin/roret" migrate --no-input -v 0
# Static files as production serves them: collected once (hashed names, compressed) into the
# load state, and collected again only when a source file is newer than the manifest.
export RORET_STATIC_ROOT=$STATE/static
if [[ ! -f $RORET_STATIC_ROOT/staticfiles.json ]] || \
   [[ -n $(find roret/static roret/*/static node_modules/dkfds/dist node_modules/htmx.org/dist node_modules/swagger-ui-dist \
           -newer "$RORET_STATIC_ROOT/staticfiles.json" -type f -print -quit) ]]; then
  echo "Collecting static files into $RORET_STATIC_ROOT (once) ..."
  "$VENV/bin/roret" collectstatic --no-input -v 0
fi
[[ ${1:-} == --build-only || ${BUILD_ONLY:-0} == 1 ]] && { echo "Ready: $DB ($ACCOUNTS)"; exit 0; }

# gunicorn.conf.py as production has it (max requests, the timeout), with the bind, the worker
# count, the keep-alive and TLS set here.
"$VENV/bin/gunicorn" -c gunicorn.conf.py roret.wsgi -b "127.0.0.1:$PORT" -w "$WORKERS" --threads "$THREADS" --preload \
  --keep-alive "$KEEPALIVE" \
  --certfile "$STATE/cert.pem" --keyfile "$STATE/key.pem" --timeout 60 --log-level warning \
  >"$OUT/gunicorn.log" 2>&1 &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null; wait "$GUNICORN" 2>/dev/null' EXIT
for _ in $(seq 120); do
  curl -ksfo /dev/null "https://127.0.0.1:$PORT/login/" && break
  kill -0 "$GUNICORN" 2>/dev/null || { echo "gunicorn stopped:"; cat "$OUT/gunicorn.log"; exit 1; }
  sleep 0.5
done

# CPU seconds used by a process and its descendants, live or reaped (gunicorn's master reaps the
# workers it replaces): the server's CPU per request, which a shared machine barely changes.
cpu_seconds() {
  "$VENV/bin/python" - "$1" <<'PY'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[1]), [int(x) for x in fields[11:15]]  # ppid; utime, stime, cutime, cstime
procs = {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        procs[int(pid)] = stat(pid)
    except OSError:
        pass
root, total, todo = int(sys.argv[1]), 0, [int(sys.argv[1])]
while todo:
    pid = todo.pop()
    ut, st, cut, cst = procs[pid][1]
    total += ut + st + (cut + cst if pid == root else 0)
    todo += [p for p, (ppid, _) in procs.items() if ppid == pid]
print(f"{total / tick:.2f}")
PY
}
SERVER_CPU_BEFORE=$(cpu_seconds "$GUNICORN")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Load: $USERS users (spawn $SPAWN_RATE/s) for $RUN_TIME against https://127.0.0.1:$PORT" \
     "(gunicorn -w $WORKERS --threads $THREADS, $DB); load average before: $LOAD_BEFORE"
status=0
times >"$OUT/times.before"  # in this shell: `times` in a pipe or $(...) sees a fresh fork
RORET_LOAD_ACCOUNTS=$ACCOUNTS RORET_LOAD_PASSWORD=demo "$VENV/bin/locust" -f benchmarks/load/locustfile.py \
  --headless -u "$USERS" -r "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 10 \
  -H "https://127.0.0.1:$PORT" --csv "$OUT/load" --only-summary --loglevel WARNING >"$OUT/locust.log" 2>&1 || status=$?
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
times >"$OUT/times.after"
SERVER_CPU=$(echo "$(cpu_seconds "$GUNICORN") - $SERVER_CPU_BEFORE" | bc)
# locust's own CPU (the load generator shares the machine): the shell's reaped children's times.
CLIENT_CPU=$("$VENV/bin/python" -c '
import re, sys
def s(t): return sum(float(m) * 60 + float(sec) for m, sec in re.findall(r"(\d+)m([\d.]+)s", t))
print(f"{s(sys.argv[2]) - s(sys.argv[1]):.2f}")' "$(tail -1 "$OUT/times.before")" "$(tail -1 "$OUT/times.after")")

summary=0
"$VENV/bin/python" - "$OUT/load" "$LOAD_BEFORE" "$LOAD_AFTER" "$SERVER_CPU" "$CLIENT_CPU" <<'PY' | tee "$OUT/summary.txt" || summary=$?
import csv, sys
prefix, before, after, server_cpu, client_cpu = sys.argv[1:6]
rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
print(f"{'request':42} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
for r in rows:
    name = f"{r['Type']} {r['Name']}".strip() if r["Type"] else "All requests"
    print(f"{name:42} {r['Request Count']:>7} {r['Failure Count']:>5} {r['50%']:>6} {r['95%']:>6} {r['99%']:>6}")
total = rows[-1]
print(f"load average (1, 5, 15 min) before: {before}; after: {after}")
count = int(total["Request Count"]) or 1
print(f"CPU: gunicorn {float(server_cpu):.1f} s ({float(server_cpu) / count * 1000:.1f} ms a request; PostgreSQL's not"
      f" counted), locust {float(client_cpu):.1f} s")
failures = int(total["Failure Count"])
print(f"{failures} failed requests of {total['Request Count']}; p95 {total['95%']} ms (goal: under 300 ms)")
for line in open(f"{prefix}_failures.csv", encoding="utf-8").readlines()[1:]:
    print("  failure:", line.strip())
sys.exit(1 if failures else 0)
PY
exit $(( status || summary ))
