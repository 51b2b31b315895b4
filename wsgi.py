"""The WSGI entry point (gunicorn ``wsgi:app``, ``flask --app wsgi``).

An unsafe production setup is refused with its message in Vietnamese and English on
stderr, without a traceback, and exit status 1; under gunicorn 3, gunicorn's "worker
failed to boot": a worker that loads the app itself (no ``--preload``) would otherwise
be restarted for ever, printing the refusal again each time.
"""

import os
import sys

from ballot import ConfigurationError, create_app

#: gunicorn.arbiter.Arbiter.WORKER_BOOT_ERROR: gunicorn stops instead of restarting.
BOOT_ERROR = 3

try:
    app = create_app()
except ConfigurationError as err:
    print(str(err), file=sys.stderr)  # the operator's only message
    under_gunicorn = os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn")
    raise SystemExit(BOOT_ERROR if under_gunicorn else 1) from None
