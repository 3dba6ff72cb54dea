"""gunicorn's settings for roret (docs/deploy.md): `gunicorn -c gunicorn.conf.py roret.wsgi`.

Every value can be changed by its environment variable without editing this file."""

import multiprocessing
import os

wsgi_app = "roret.wsgi:application"
# Behind the reverse proxy on the same machine; RORET_BIND=0.0.0.0:8000 when the proxy is elsewhere.
bind = os.environ.get("RORET_BIND", "127.0.0.1:8000")
# (2 x cores) + 1 synchronous workers: a request waits mostly on PostgreSQL, so a core serves two.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Reports and Excel exports run as background jobs (`roret db_worker`); no page should take long.
timeout = int(os.environ.get("RORET_WORKER_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after so many requests, so a slow leak never grows for weeks.
max_requests = 1000
max_requests_jitter = 100
# Only the proxy's X-Forwarded-* headers are believed (settings.py: RORET_BEHIND_TLS_PROXY).
forwarded_allow_ips = os.environ.get("RORET_PROXY_IPS", "127.0.0.1")
# No access log here: a request line may hold a CPR number in a search; the proxy's log is the one to
# configure (docs/deploy.md). Errors go to stderr, for journald.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("RORET_GUNICORN_LOG_LEVEL", "info")
# The request line and headers a client may send, kept small.
limit_request_line = 8190
limit_request_fields = 100
