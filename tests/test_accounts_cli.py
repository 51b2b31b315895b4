"""``flask users create/list/set-password/disable``."""

from __future__ import annotations

from sqlalchemy import select

from ballot.accounts.models import User
from ballot.actionlog import verify_log
from ballot.db import db

PASSWORD = "mot-mat-khau-dai"


def test_users_create_prompts_twice(app, runner) -> None:
    result = runner.invoke(
        args=["users", "create", "ThuKy", "--role", "secretariat"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created secretariat account 'thuky'" in result.output
    assert PASSWORD not in result.output
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert user.username == "thuky" and user.role == "secretariat" and user.active
        assert user.password_hash.startswith("scrypt:")
        assert verify_log().count == 1


def test_users_create_mismatch_is_asked_again(app, runner) -> None:
    result = runner.invoke(
        args=["users", "create", "kiemtra", "--role", "auditor"],
        input=f"{PASSWORD}\nsomething-else\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output.lower() or "match" in result.output.lower()


def test_users_create_refusals(app, runner, make_user) -> None:
    make_user("thuky")
    result = runner.invoke(
        args=["users", "create", "thuky", "--role", "secretariat"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 1 and "already exists" in result.output
    assert result.stderr.startswith("Lỗi: tên đăng nhập 'thuky' đã có\nError: ")
    result = runner.invoke(
        args=["users", "create", "other", "--role", "secretariat"], input="short\nshort\n"
    )
    assert result.exit_code != 0 and "at least" in result.output
    result = runner.invoke(
        args=["users", "create", "other", "--role", "chair"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code != 0
    result = runner.invoke(
        args=["users", "create", "bad name!", "--role", "auditor"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code != 0 and "username" in result.output
    for command in (["disable", "nobody"], ["set-role", "nobody", "auditor"]):
        result = runner.invoke(args=["users", *command])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.stderr == "Lỗi: không có tài khoản 'nobody'\nError: no account 'nobody'\n"
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == 1


def test_users_create_has_no_password_option(runner) -> None:
    result = runner.invoke(args=["users", "create", "--help"])
    assert "--password" not in result.output


def test_users_list(runner, make_user) -> None:
    assert "No accounts." in runner.invoke(args=["users", "list"]).output
    make_user("thuky")
    make_user("kiemtra", role="auditor")
    output = runner.invoke(args=["users", "list"]).output
    lines = output.strip().splitlines()
    assert lines[0].startswith("kiemtra") and "auditor" in lines[0]
    assert lines[1].startswith("thuky") and "secretariat" in lines[1]


def test_set_password_and_disable(app, runner, auth, make_user) -> None:
    make_user("thuky")
    result = runner.invoke(
        args=["users", "set-password", "thuky"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert auth.login("thuky", PASSWORD).status_code == 302
    result = runner.invoke(args=["users", "disable", "thuky"])
    assert result.exit_code == 0
    assert "disabled" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "disable", "nobody"]).exit_code != 0
