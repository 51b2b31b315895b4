"""``flask --app wsgi users ...``: create and list accounts (passwords only at a prompt)."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup

from ballot.accounts.models import ROLES
from ballot.accounts.operations import (
    AccountError,
    create_user,
    find_user,
    list_users,
    set_active,
    set_password,
    set_role,
)
from ballot.db import db

users_cli = AppGroup("users", help="Secretariat and auditor accounts.")


def _refuse(message: str) -> NoReturn:
    """Exit 1 with the bilingual message alone (no "Error:" prefix added by click)."""
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)


def _prompt_password() -> str:
    value: str = click.prompt(
        "Password", hide_input=True, confirmation_prompt="Repeat the password"
    )
    return value


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="The account's role.")
def create_command(username: str, role: str) -> None:
    """Create an account; the password is asked twice at a prompt, never in argv."""
    try:
        user = create_user(
            username,
            _prompt_password(),
            role,
            actor="cli",
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
        db.session.commit()
    except AccountError as err:
        _refuse(str(err))
    click.echo(f"Created {user.role} account {user.username!r}.")


@users_cli.command("list")
def list_command() -> None:
    """List the accounts: username, role, active, last login."""
    users = list_users()
    if not users:
        click.echo("No accounts.")
    for user in users:
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "-"
        state = "active" if user.active else "disabled"
        click.echo(f"{user.username:<24} {user.role:<12} {state:<9} last login {last}")


@users_cli.command("set-password")
@click.argument("username")
def set_password_command(username: str) -> None:
    """Replace an account's password (asked twice at a prompt)."""
    user = find_user(username)
    if user is None:
        _refuse(f"Lỗi: không có tài khoản {username!r}\nError: no account {username!r}")
    try:
        set_password(user, _prompt_password(), min_length=current_app.config["PASSWORD_MIN_LENGTH"])
        db.session.commit()
    except AccountError as err:
        _refuse(str(err))
    click.echo(f"Password changed for {user.username!r}.")


@users_cli.command("disable")
@click.argument("username")
def disable_command(username: str) -> None:
    """Disable an account (it can no longer log in)."""
    user = find_user(username)
    if user is None:
        _refuse(f"Lỗi: không có tài khoản {username!r}\nError: no account {username!r}")
    set_active(user, False)
    db.session.commit()
    click.echo(f"Disabled {user.username!r}.")


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def set_role_command(username: str, role: str) -> None:
    """Change an account's role; its open sessions end."""
    user = find_user(username)
    if user is None:
        _refuse(f"Lỗi: không có tài khoản {username!r}\nError: no account {username!r}")
    set_role(user, role)
    db.session.commit()
    click.echo(f"{user.username!r} is now {role}.")
