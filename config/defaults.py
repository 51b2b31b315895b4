"""Default settings. Production overrides them in instance/config.py or PHIEU_* variables."""

#: Replaced at start-up outside development; production refuses to start without it.
SECRET_KEY = "dev-only-insecure-key"
#: Embedded default: SQLite in the instance folder (WAL, synchronous=FULL).
SQLALCHEMY_DATABASE_URI = None
ENV_NAME = "development"
