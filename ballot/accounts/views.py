"""Login and logout pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from ballot.accounts import backoff
from ballot.accounts.devices import known_device, normal_username, remember_device
from ballot.accounts.forms import LoginForm, LogoutForm
from ballot.accounts.operations import authenticate, end_sessions
from ballot.accounts.sessions import start_session
from ballot.actionlog import log_action
from ballot.db import db
from ballot.extensions import config_limit, limiter
from ballot.permissions import login_required
from ballot.security import safe_next
from ballot.web import commit

bp = Blueprint("accounts", __name__, template_folder="templates", url_prefix="/account")


def login_limit_key() -> str:
    """Login attempts count per account *and* address: a room shares one NAT address,
    and wrong passwords typed for one account must not lock out another. A browser that
    logged in to this account before counts in its own bucket (ballot.accounts.devices),
    so the room's wrong passwords for that account do not lock it out either."""
    username = normal_username(request.form.get("username"))
    device = known_device(username)
    if device is not None:
        return f"device|{device}"
    return f"{get_remote_address()}|{username}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(config_limit("LOGIN_RATE_LIMIT"), methods=["POST"], key_func=login_limit_key)
def login() -> ResponseReturnValue:
    """Show the login form; on success start a fresh session and go on.

    One attempt per bucket at a time (ballot.accounts.backoff.claim): the wait is read
    and the password checked while no other attempt of the bucket can be, so passwords
    sent in parallel cannot all slip past the wait before the first failure is recorded.
    """
    if request.method != "POST":
        return render_template("accounts/login.html", form=LoginForm())
    # The form's fields only (never a JSON body or a file part, which Flask-WTF would
    # also read): the bucket below is keyed on the same username the password is for.
    form = LoginForm(formdata=request.form)
    bucket = login_limit_key()
    if not backoff.claim(bucket):
        message = _(
            "Another login attempt for this account from here is being checked: wait "
            "%(seconds)s seconds, then try again.",
            seconds=1,
        )
        return _refused(form, message, 1)
    try:
        return _attempt(form, bucket)
    finally:
        backoff.release(bucket)  # after failed(): the next attempt sees its wait


def _refused(form: LoginForm, message: str, wait: int) -> ResponseReturnValue:
    form.password.errors = [message]
    # Flask-Limiter would replace Retry-After by its window's reset (up to an hour
    # away): this refusal's wait is the backoff's, so it sets no headers.
    limiter.context.view_rate_limit = None
    page = render_template("accounts/login.html", form=form)
    return page, 429, {"Retry-After": str(wait)}


def _attempt(form: LoginForm, bucket: str) -> ResponseReturnValue:
    wait = backoff.wait_seconds(bucket)
    if wait:  # refused before the password is even checked (ballot.accounts.backoff)
        message = _(
            "Too many wrong passwords for this account from here: wait %(seconds)s "
            "seconds, then try again.",
            seconds=wait,
        )
        return _refused(form, message, wait)
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)
    user = authenticate(form.username.data or "", form.password.data or "")
    if user is None:
        db.session.rollback()
        backoff.failed(bucket)
        form.password.errors.append(_("Wrong username or password."))
        return render_template("accounts/login.html", form=form), 200
    backoff.succeeded(bucket)
    commit(lambda: log_action(user.username, "account.login", {}))
    session.clear()  # a fresh session: nothing carried over from before login
    login_user(user)
    start_session(user)
    session.permanent = True
    response = redirect(safe_next(request.args.get("next"), url_for("home.index")))
    remember_device(response, normal_username(form.username.data))
    return response


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """End the session (POST with a CSRF token)."""
    form = LogoutForm()
    if not form.validate_on_submit():
        return redirect(url_for("home.index"))
    user = current_user._get_current_object()

    def end() -> None:
        end_sessions(user)  # a copy of this cookie must not outlive the logout
        log_action(user.username, "account.logout", {})

    commit(end)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("home.index"))
