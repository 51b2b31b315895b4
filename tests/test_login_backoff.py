"""Login backoff (issue 10): each wrong password in a login bucket doubles the wait
before the next attempt in that bucket (1 s, 2 s, 4 s … up to LOGIN_BACKOFF_MAX), a
correct login resets it, and a browser that logged in before (a known device) is never
made to wait by others' wrong passwords. The clock is moved, never slept on."""

from __future__ import annotations

import pytest

from ballot.accounts import backoff
from tests.conftest import AuthActions

NAT = {"REMOTE_ADDR": "203.0.113.7"}
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.9"}
OFFICE = {"REMOTE_ADDR": "10.1.1.1"}


@pytest.fixture
def app_config() -> dict[str, object]:
    # The stepped limit is generous here so that only the backoff refuses.
    return {"LOGIN_BACKOFF_BASE": 1, "LOGIN_RATE_LIMIT": "1000 per minute"}


class Clock:
    """The backoff's clock, moved by the test."""

    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(backoff, "now", c)
    return c


def _wrong(auth: AuthActions, addr=NAT, user: str = "thuky"):
    return auth.login(user, "wrong-password", environ_base=addr)


def _refused(r, seconds: int) -> None:
    assert r.status_code == 429, r.status_code
    assert r.headers["Retry-After"] == str(seconds)
    text = r.get_data(as_text=True)
    # The page's language is Vietnamese first (ballot/i18n.py).
    assert f"hãy chờ {seconds} giây rồi thử lại" in text, text[-1500:]
    assert "Traceback" not in text


def test_each_failure_doubles_the_wait_up_to_the_cap(app, make_user, clock) -> None:
    make_user("thuky")
    room = AuthActions(app.test_client())
    assert _wrong(room).status_code == 200
    # At once again, even with the right password: refused before it is checked.
    r = room.login("thuky", environ_base=NAT)
    _refused(r, 1)
    assert room.client.get("/account/login").status_code == 200  # not logged in
    clock.t += 1
    assert _wrong(room).status_code == 200  # the wait elapsed; second failure
    _refused(_wrong(room), 2)
    clock.t += 1.2
    _refused(_wrong(room), 1)  # still 0.8 s to wait; the refusal counts no failure
    clock.t += 1
    assert _wrong(room).status_code == 200  # third failure: 4 s
    _refused(_wrong(room), 4)
    waits = []
    for _ in range(8):  # failures 4..11: 8, 16 … 256, then the cap (300 s)
        clock.t += 300
        assert _wrong(room).status_code == 200
        waits.append(int(_wrong(room).headers["Retry-After"]))
    assert waits == [8, 16, 32, 64, 128, 256, 300, 300], waits
    clock.t += 299
    _refused(room.login("thuky", environ_base=NAT), 1)
    clock.t += 1
    assert room.login("thuky", environ_base=NAT).status_code == 302  # the wait elapsed


def test_a_correct_login_resets_the_backoff(app, make_user, clock) -> None:
    make_user("thuky")
    me = AuthActions(app.test_client())
    for _ in range(3):
        assert _wrong(me).status_code == 200
        clock.t += 10
    assert me.login("thuky", environ_base=NAT).status_code == 302
    me.logout()
    assert _wrong(me).status_code == 200
    _refused(_wrong(me), 1)  # back to one second, not eight


def test_a_reset_bucket_starts_again_at_one_second(app, make_user, clock) -> None:
    """Same bucket (no device cookie: a new browser each time) failing again right after
    a correct login reset it: the wait is one second, not one left over from before."""
    make_user("thuky")
    assert _wrong(AuthActions(app.test_client())).status_code == 200
    clock.t += 1
    assert AuthActions(app.test_client()).login("thuky", environ_base=NAT).status_code == 302
    assert _wrong(AuthActions(app.test_client())).status_code == 200
    _refused(_wrong(AuthActions(app.test_client())), 1)
    clock.t += 1
    assert AuthActions(app.test_client()).login("thuky", environ_base=NAT).status_code == 302


def test_other_accounts_and_addresses_have_their_own_wait(app, make_user, clock) -> None:
    make_user("thuky")
    make_user("kiemtoan", role="auditor")
    room = AuthActions(app.test_client())
    assert _wrong(room, user="kiemtoan").status_code == 200
    assert _wrong(room, user="KiemToan ").status_code == 429  # same account, same address
    assert AuthActions(app.test_client()).login("thuky", environ_base=NAT).status_code == 302
    assert (
        AuthActions(app.test_client()).login("kiemtoan", environ_base=ELSEWHERE).status_code == 302
    )


def test_a_known_device_is_never_made_to_wait_by_others(app, make_user, clock) -> None:
    """The attack: the room (one NAT address) and an outside address type wrong
    passwords for the secretariat's account; the secretariat's laptop, which logged in
    the day before, logs in at once behind the same NAT address."""
    make_user("thuky")
    laptop = AuthActions(app.test_client())
    assert laptop.login("thuky", environ_base=OFFICE).status_code == 302
    laptop.logout()
    room, outside = AuthActions(app.test_client()), AuthActions(app.test_client())
    for _ in range(6):  # waits 1 … 16 s, each elapsed before the next
        clock.t += 2**5
        assert _wrong(room).status_code == 200
        assert _wrong(outside, addr=ELSEWHERE).status_code == 200
    _refused(_wrong(room), 32)  # the guessers wait
    _refused(_wrong(outside, addr=ELSEWHERE), 32)
    _refused(AuthActions(app.test_client()).login("thuky", environ_base=NAT), 32)
    assert laptop.login("thuky", environ_base=NAT).status_code == 302  # no wait
    laptop.logout()
    assert laptop.login("thuky", environ_base=ELSEWHERE).status_code == 302
    laptop.logout()
    # The laptop's own typos back off in its own bucket, reset by its correct login.
    assert _wrong(laptop).status_code == 200
    _refused(laptop.login("thuky", environ_base=NAT), 1)
    clock.t += 1
    assert laptop.login("thuky", environ_base=NAT).status_code == 302


def test_backoff_off_when_limits_are_off(app, make_user, clock) -> None:
    app.config["RATELIMIT_ENABLED"] = False
    make_user("thuky")
    me = AuthActions(app.test_client())
    assert [_wrong(me).status_code for _ in range(3)] == [200, 200, 200]
    assert me.login("thuky", environ_base=NAT).status_code == 302


def test_one_password_check_at_a_time_per_bucket(app, make_user, clock) -> None:
    """Passwords sent in parallel must not all pass the wait before the first failure is
    recorded: while one is being checked (here: held by another worker), the bucket's
    other attempts are refused unchecked, count no failure, and other buckets go on."""
    make_user("thuky")
    room = AuthActions(app.test_client())
    with app.test_request_context(environ_base=NAT, data={"username": "thuky"}, method="POST"):
        from ballot.accounts.views import login_limit_key

        bucket = login_limit_key()
        assert backoff.claim(bucket)  # another worker is checking a password of the room
    for _ in range(3):
        r = room.login("thuky", environ_base=NAT)  # even the right password
        assert r.status_code == 429 and r.headers["Retry-After"] == "1"
        text = r.get_data(as_text=True)
        assert "đang được kiểm tra" in text and "hãy chờ 1 giây" in text, text[-1500:]
    office = AuthActions(app.test_client())
    assert office.login("thuky", environ_base=OFFICE).status_code == 302  # its own bucket
    with app.test_request_context():
        assert backoff.wait_seconds(bucket) == 0  # the refusals recorded no failure
        backoff.release(bucket)  # that check is over
    assert _wrong(room).status_code == 200  # checked now, and a failure
    _refused(room.login("thuky", environ_base=NAT), 1)  # released: the wait applies
    clock.t += 1
    assert room.login("thuky", environ_base=NAT).status_code == 302


def test_a_check_that_never_released_expires(app, make_user) -> None:
    """A worker killed during a check cannot lock its bucket for longer than
    LOGIN_CHECK_SECONDS: the claim is a counter with an expiry in the limits' storage."""
    with app.test_request_context():
        assert backoff.claim("x|thuky") and not backoff.claim("x|thuky")
        storage = backoff.limiter.limiter.storage
        key = backoff._key("x|thuky", "busy")
        assert 30 < storage.get_expiry(key) - __import__("time").time() <= 40
        backoff.release("x|thuky")
        assert backoff.claim("x|thuky")


@pytest.mark.parametrize(
    "send",
    [
        lambda c, t: c.post("/account/login", json={"username": "thuky", "password": "wrong-x"},
                            headers={"X-CSRFToken": t}, environ_base=NAT),
        lambda c, t: c.post("/account/login", json={"username": 5, "password": True},
                            headers={"X-CSRFToken": t}, environ_base=NAT),
        lambda c, t: c.post("/account/login", data={"csrf_token": t, "username": "thuky",
                            "password": (__import__("io").BytesIO(b"x"), "p.txt")},
                            environ_base=NAT),
    ],
)  # fmt: skip
def test_only_form_fields_are_read_at_login(app, make_user, clock, send) -> None:
    """A JSON body (or a password sent as a file) is not a second way in: it would
    count in another bucket (``<address>|``: two password checks in parallel, twice the
    allowance) or end in a 500. It is a form without its fields: nothing is checked."""
    make_user("thuky")
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = __import__("re").search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    r = send(client, token[1] if token else "")
    assert r.status_code == 200, r.status_code
    text = r.get_data(as_text=True)
    assert "Traceback" not in text
    with app.test_request_context():
        assert backoff.wait_seconds("203.0.113.7|") == 0  # no failure in a stray bucket
        assert backoff.wait_seconds("203.0.113.7|thuky") == 0  # nor any password checked
