"""Example production settings: copy to ``instance/config.py`` and fill in.

Every value can also come from the environment as ``PHIEU_<NAME>``, for example
``PHIEU_SECRET_KEY`` or ``PHIEU_SQLALCHEMY_DATABASE_URI``; ``DATABASE_URL`` is read too.
"""

ENV_NAME = "production"

#: Generate once with: python -c "import secrets; print(secrets.token_hex(32))"
#: and keep it out of version control. The app refuses to start without it.
SECRET_KEY = "REPLACE-ME"  # noqa: S105 - placeholder, rejected at start-up

#: PostgreSQL through psycopg 3.
SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://phieu@127.0.0.1:5432/phieu"
#: hide_parameters: database errors in the log never show the values (card keys, ballots).
SQLALCHEMY_ENGINE_OPTIONS = {
    "pool_pre_ping": True,
    "pool_size": 5,
    "max_overflow": 5,
    "hide_parameters": True,
}

#: Shared rate-limit storage, so limits hold across gunicorn workers and servers.
RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379"

#: Behind one reverse proxy (nginx) that terminates HTTPS.
PROXY_FIX_X_FOR = 1
PROXY_FIX_X_PROTO = 1
#: The proxy's own address: X-Forwarded-* from any other peer is ignored (a client
#: reaching gunicorn directly cannot choose its address). A load balancer: its address.
PROXY_TRUSTED = "127.0.0.1 ::1"
HSTS_SECONDS = 31_536_000

SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_SECURE = True
