"""Default settings. Production overrides them in instance/config.py or PHIEU_* variables.

Order of precedence (later wins): this module, ``instance/config.py``, then environment
variables ``PHIEU_<NAME>`` (values are parsed as JSON when they can be, so
``PHIEU_SESSION_COOKIE_SECURE=false`` is a boolean). See ``config/production.example.py``.
"""

from datetime import timedelta

#: "development" or "production"; production refuses to start without a real SECRET_KEY.
ENV_NAME = "development"
#: Replaced at start-up outside development; production refuses to start without it.
SECRET_KEY = "dev-only-insecure-key"  # noqa: S105 - refused in production

# --- Database -------------------------------------------------------------------------
#: None = SQLite file ``phieu.sqlite3`` in the instance folder (WAL, synchronous=FULL).
#: PostgreSQL: ``postgresql+psycopg://user@host/dbname`` (or set DATABASE_URL).
SQLALCHEMY_DATABASE_URI = None
#: Milliseconds a SQLite connection waits for a lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: On SQLite, POST/PUT/PATCH/DELETE requests take the write lock at their first statement.
SQLITE_IMMEDIATE_WRITES = True

# --- Cookies and sessions ---------------------------------------------------------------
#: Secure cookies; turn off only for plain-http local development or tests.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "phieu_session"
PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
REMEMBER_COOKIE_SECURE = True
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_DURATION = timedelta(hours=12)
#: Seconds a login session may stay unused before it ends (server-side check).
SESSION_IDLE_TIMEOUT = 2 * 3600
#: Seconds after login when a session ends whatever its use (a conference day).
SESSION_ABSOLUTE_TIMEOUT = 12 * 3600
#: The language switch's cookie (not the session: a login clears the session).
LANGUAGE_COOKIE_NAME = "phieu_lang"

# --- CSRF (Flask-WTF) -------------------------------------------------------------------
WTF_CSRF_ENABLED = True
#: A conference day is long: a form stays valid for 12 hours.
WTF_CSRF_TIME_LIMIT = 12 * 3600
#: Off because Referrer-Policy is no-referrer (browsers send no Referer to check);
#: the token plus SameSite cookies protect the forms.
WTF_CSRF_SSL_STRICT = False

# --- Rate limits (Flask-Limiter) ----------------------------------------------------------
#: memory:// is per process; production uses redis://127.0.0.1:6379 so limits hold
#: across gunicorn workers and servers.
RATELIMIT_STORAGE_URI = "memory://"
#: False turns every limit off (Flask-Limiter and the cast buckets of ballot.voting.limits).
RATELIMIT_ENABLED = True
#: Prefix of every limit's key in the storage (several apps sharing one redis).
RATELIMIT_KEY_PREFIX = ""
RATELIMIT_HEADERS_ENABLED = True
RATELIMIT_STRATEGY = "fixed-window"
#: Login attempts (POSTs) per account and client address: wrong passwords for one
#: account never lock out another; a known device counts apart (LOGIN_DEVICE_MAX_AGE).
LOGIN_RATE_LIMIT = "10 per minute;100 per hour"
#: Seconds a browser that logged in stays a known device for that account: its login
#: attempts count apart from the room's (ballot.accounts.devices).
LOGIN_DEVICE_MAX_AGE = 90 * 24 * 3600
#: Login backoff (ballot.accounts.backoff): after n consecutive wrong passwords in one
#: login bucket (account and address, or known device) the next attempt there waits
#: LOGIN_BACKOFF_BASE x 2^(n-1) seconds, at most LOGIN_BACKOFF_MAX; the failures are
#: forgotten LOGIN_BACKOFF_MEMORY seconds after the first, or at a correct login.
#: 0 turns the backoff off (the stepped LOGIN_RATE_LIMIT still holds).
LOGIN_BACKOFF_BASE = 1
LOGIN_BACKOFF_MAX = 300
LOGIN_BACKOFF_MEMORY = 3600
#: Seconds a password check in flight keeps its bucket's other attempts out (released as
#: soon as it is done; the expiry only matters if a worker dies in between). Longer than
#: gunicorn's worker timeout (30 s), so that no check still running loses its claim.
LOGIN_CHECK_SECONDS = 40
#: Manual card-code entry per client address. Members on conference Wi-Fi usually share
#: one NAT address, so this is generous; guessing a code is hopeless anyway (128 bits).
CARD_RATE_LIMIT = "1200 per minute"
#: Checked ballots (cast or check) posted per address: a room behind one NAT shares it.
AUDIT_RATE_LIMIT = "300 per minute"
#: Cast requests per card, counted once the card's signature verified (only its holder
#: can use it up). A phone resends a few times at most; a whole room behind one NAT
#: address is never limited together (ballot.voting.limits).
CAST_RATE_LIMIT = "60 per minute"
#: Cast requests per client address that fail before a card is known (junk, unknown
#: card, bad signature): generous, since a room shares one address.
CAST_ADDRESS_RATE_LIMIT = "1200 per minute"
#: Signed ballots per card whose proofs fail; once exhausted, that card's casts are
#: refused before parsing until the window ends (only the card's holder can sign one).
CAST_BAD_RATE_LIMIT = "3 per minute;10 per hour"
#: Seconds a refused ballot's exact bytes are remembered (and refused unparsed if resent).
CAST_REFUSED_MEMORY = 3600
#: Proof checks of cast ballots run at once per worker process. They are CPU work under
#: the interpreter lock: more at once in one process only makes each slower (and a
#: thread holding the vote's row lock waits behind them); add processes, not threads.
CAST_VERIFY_THREADS = 1
#: Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
PROXY_FIX_X_FOR = 0
PROXY_FIX_X_PROTO = 0
#: Addresses (or networks) of those proxies: X-Forwarded-* headers from any other peer
#: are dropped, so a client reaching gunicorn directly cannot choose its own address.
#: Space- or comma-separated; the default is nginx on the same machine.
PROXY_TRUSTED = "127.0.0.1 ::1"
#: Worker processes serving the app (the memory:// rate-limit check at start-up); None =
#: GUNICORN_WORKERS or WEB_CONCURRENCY from the environment, else 1.
WORKERS = None

# --- Security headers ----------------------------------------------------------------------
#: Content-Security-Policy directives; no inline scripts or styles anywhere.
#: No page may compile WebAssembly: "'wasm-unsafe-eval'" is added to script-src only for
#: the static scripts in WASM_SCRIPTS (see there and docs/security.md).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
#: Static files (paths under ballot/static) whose CSP also allows WebAssembly: the Web
#: Worker that checks public ballots before a count (libsecp256k1's WebAssembly, ~1.5×
#: faster per ballot than pure JS in Chromium). A worker served from a URL obeys its own
#: response's CSP, not its page's, so every page keeps the strict policy above.
WASM_SCRIPTS = ("js/verify-worker.js",)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
#: Strict-Transport-Security max-age in seconds; 0 = header not sent (set it behind HTTPS).
HSTS_SECONDS = 0

# --- Server key ------------------------------------------------------------------------------
#: The server's Ed25519 signing key (PEM, encrypted under SECRET_KEY, made on first use);
#: None = ``server-ed25519.pem`` in the instance folder (ballot/serverkey.py).
SERVER_KEY_PATH = None

# --- Cards ------------------------------------------------------------------------------------
#: Address members' phones reach the app at (printed in the cards' QR codes and links),
#: e.g. "https://phieu.hdnd.example.vn" or "http://192.168.1.10:8000" on a conference LAN.
#: Empty: the address the secretariat opened the cards page at. The cards page shows it
#: and refuses a loopback address unless the secretariat confirms.
BASE_URL = ""

# --- Requests -------------------------------------------------------------------------------
#: Largest request body accepted (CSV/XLSX imports); bigger bodies get a 413.
MAX_CONTENT_LENGTH = 4 * 1024 * 1024

# --- Languages (Flask-Babel) -------------------------------------------------------------------
BABEL_DEFAULT_LOCALE = "vi"
#: The vote's time zone: every time shown to people (pages, projector, minutes) is on
#: its clocks; stored and signed times stay UTC. Any IANA name (zoneinfo).
TIMEZONE = "Asia/Ho_Chi_Minh"
BABEL_DEFAULT_TIMEZONE = TIMEZONE
#: The minutes' header block: the body holding the votes (e.g. "Hội đồng nhân dân tỉnh
#: Hà Nam"; empty = the meeting's name) and the place before the date (empty = dots).
MINUTES_BODY = ""
MINUTES_PLACE = ""
#: "to" (Tổ kiểm phiếu) or "ban" (Ban kiểm phiếu, elected by a session of the National
#: Assembly or a People's Council under NQ 96/2023/QH15): the committee's name in the minutes.
MINUTES_COMMITTEE = "to"
#: Offered languages, Vietnamese first.
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

# --- Accounts --------------------------------------------------------------------------------
PASSWORD_MIN_LENGTH = 10

# --- Signed checkpoints -------------------------------------------------------------------
#: While a vote is open the server signs the chain head every N ballots, or at the first
#: ballot after M seconds without a checkpoint (docs/record.md §3).
CHECKPOINT_BALLOTS = 20
CHECKPOINT_SECONDS = 60
