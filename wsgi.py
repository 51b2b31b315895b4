"""The WSGI entry point (gunicorn ``wsgi:app``, ``flask --app wsgi``).

An unsafe production setup is refused with its message in Vietnamese and English on
stderr and exit status 1, without a traceback.
"""

import sys

from ballot import ConfigurationError, create_app

try:
    app = create_app()
except ConfigurationError as err:
    print(str(err), file=sys.stderr)  # the operator's only message
    raise SystemExit(1) from None
