"""Create or drop a PostgreSQL database for one CI run: pgdb.py create|drop ADMIN_URL NAME."""

from __future__ import annotations

import re
import sys

import psycopg


def main() -> int:
    """Run the requested action; exit status 1 when the server cannot be reached."""
    action, url, name = sys.argv[1:4]
    if not re.fullmatch(r"[a-z0-9_]{1,60}", name) or action not in ("create", "drop"):
        print("usage: pgdb.py create|drop ADMIN_URL NAME", file=sys.stderr)
        return 2
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            if action == "create":
                conn.execute(f'CREATE DATABASE "{name}"')  # name checked above
            else:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.OperationalError as err:
        print(f"PostgreSQL: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
