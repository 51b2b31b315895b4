"""gunicorn settings: ``gunicorn -c config/gunicorn.conf.py wsgi:app``.

Environment: PORT (default 8000), GUNICORN_WORKERS (default 2 x CPUs + 1, at most 8),
GUNICORN_THREADS (default 16), GUNICORN_TIMEOUT (default 30 s), GUNICORN_BIND to
override the address entirely; PHIEU_READ_TIMEOUT / PHIEU_WRITE_TIMEOUT (default 10 s /
30 s) bound how long a client may take to send a request and to read a response.

The worker is gthread with deadlines (config/gunicorn_worker.py): idle and slow
connections wait in a selector or for at most the read deadline, never holding a
worker; this is the front door we ship, with or without nginx in front.

Access log lines carry neither the client address nor
the query string, so no log line can hold a token or link a phone to a moment; the
logger (config/gunicorn_logger.py) escapes control characters, so a path cannot forge
a log line, and replaces card keys and receipts with placeholders.
"""

import multiprocessing
import os

#: Tells the app (ballot.startup.check_front_door) that this file configures gunicorn.
os.environ["PHIEU_GUNICORN_CONF"] = "1"
_port = int(os.environ.get("PORT", "8000"))
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{_port}")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
# The app reads it (ballot.startup): memory:// rate limits are refused with several workers.
os.environ["GUNICORN_WORKERS"] = str(workers)
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
#: Threads per worker: slow clients hold a thread (≤ the read deadline), not a process.
worker_class = "config.gunicorn_worker.DeadlineThreadWorker"
#: A connection silent this long (new, or between keep-alive requests) is closed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 10
#: Recycle workers now and then (bounded memory); jitter avoids all restarting at once.
max_requests = 5000
max_requests_jitter = 500
#: Requests larger than these are refused by gunicorn before reaching the app.
limit_request_line = 8190
limit_request_fields = 100
#: Load the app before forking: a broken config fails once, loudly.
preload_app = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
#: Escapes control characters and hides card keys and receipts in every access-log field.
logger_class = "config.gunicorn_logger.SafeAccessLogger"
#: Method, path without query string, status, size, duration in microseconds.
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(D)sus'


#: The open lock file of ballot.serverkey.hold_in_use (kept open: closing would release it).
_held: list[int | None] = []


def on_starting(server):  # gunicorn hook signature; runs after the app is preloaded
    """Before any worker is forked, in production: memory:// limits are refused when
    gunicorn will really run several workers (``-w`` on the command line overrides the
    count this file exported, which the app checked when it was loaded), and a worker
    class other than ours (``-k sync``) is refused. Then, everywhere, a fresh database
    is migrated first and an outdated or unreachable one refused with what to run
    (ballot.cli), as every flask command does: never a traceback per page."""
    import sys

    import wsgi
    from ballot.cli import check_database_before_serving
    from ballot.startup import (
        ConfigurationError,
        check_front_door,
        check_limit_storage,
        check_server_key,
    )

    os.environ["GUNICORN_WORKERS"] = str(server.cfg.workers)
    try:
        check_limit_storage(wsgi.app, int(server.cfg.workers))
        if wsgi.app.config["ENV_NAME"] == "production":
            check_front_door(server.cfg.worker_class_str)
    except ConfigurationError as err:
        print(err, file=sys.stderr)
        sys.exit(3)  # as wsgi.py under gunicorn
    check_database_before_serving(wsgi.app)
    from ballot.serverkey import hold_in_use

    with wsgi.app.app_context():  # held until the master and its workers end
        _held.append(hold_in_use())  # server-key rotate refuses while it is held
    try:  # again under the lock: a rotation may have ended since the app was loaded
        check_server_key(wsgi.app)
    except ConfigurationError as err:
        print(err, file=sys.stderr)
        sys.exit(3)


def nworkers_changed(server, new_value, old_value):  # gunicorn hook signature
    """``kill -TTIN`` adds a worker at runtime, after on_starting's check: in production
    with memory:// limits a second worker would count alone, so the change is refused
    (logged in both languages) and the count put back. Redis limits are unaffected."""
    if old_value is None or new_value <= 1:  # gunicorn's own first setting; or one worker
        return
    import wsgi
    from ballot.startup import ConfigurationError, check_limit_storage

    try:
        check_limit_storage(wsgi.app, int(new_value))
    except ConfigurationError as err:
        server.log.error("TTIN refused / TTIN bị từ chối: %s", err)
        server.num_workers = old_value  # calls this hook again with one worker: no loop


def post_fork(server, worker):  # gunicorn hook signature
    """Each worker opens its own database connections (none inherited from the master)."""
    import wsgi
    from ballot.db import dispose_engines

    dispose_engines(wsgi.app)
