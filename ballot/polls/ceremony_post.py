"""Posting one message on the ceremony board: every check before anything is stored.

Order of checks: the body parses (strict JSON, known format), the token names a
trustee of this vote, the vote is still in draft, the message names this vote, this
round and this trustee, the trustee has not finished, has not posted this kind yet and
posts in step order; then the cryptographic checks of keys/dkg.py. A refused message
changes nothing (the view rolls back).
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ballot.actionlog import log_action
from ballot.db import db
from ballot.errors import ApiError, refuse
from ballot.polls import ceremony as board
from ballot.polls.models import CeremonyMessage, MessageKind, Poll, TrusteeLink
from ballot.states import Action, require_state
from keys import dkg
from keys.errors import CryptoError
from keys.hashing import canonical_json, manifest_hash
from keys.shamir import ElectionKey


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _v in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def parse(body: bytes) -> tuple[str, dict[str, Any]]:
    """(kind, message) of a body, or a 400 error; strict JSON (no duplicate keys, no NaN)."""
    if len(body) > board.MAX_MESSAGE_BYTES:
        raise refuse("too_large", _l("The message is too large."), 413)
    try:
        msg = json.loads(
            body.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise refuse("bad_message", _l("The message is not valid JSON."), 400) from None
    fmt = msg.get("format") if isinstance(msg, dict) else None
    kind = board.FORMATS.get(fmt) if isinstance(fmt, str) else None
    if kind is None:
        raise refuse("bad_message", _l("This is not a ceremony message."), 400)
    return kind, msg


def _crypto(err: CryptoError) -> ApiError:
    lang = "en" if str(get_locale() or "vi").startswith("en") else "vi"
    return refuse("bad_message", _l("Refused: %(why)s", why=err.message(lang)), 400)


def _int(msg: dict[str, Any], name: str) -> int | None:
    value = msg.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _common(poll: Poll, link: TrusteeLink, kind: str, msg: dict[str, Any]) -> None:
    if msg.get("election_id") != poll.public_id:
        raise refuse("wrong_vote", _l("This message belongs to another vote."), 400)
    if kind != MessageKind.CONFIRM:
        r = _int(msg, "ceremony")
        if r is None or r != poll.ceremony_round:
            raise refuse(
                "wrong_round",
                _l(
                    "This message belongs to another round of the ceremony (now round %(r)s).",
                    r=poll.ceremony_round,
                ),
                409,
            )
    if _int(msg, "trustee") != link.trustee:
        raise refuse("wrong_trustee", _l("This message is signed for another trustee."), 403)
    if link.step == MessageKind.CONFIRM:
        raise refuse(
            "link_used", _l("This trustee has already finished; the link is used up."), 409
        )


def _exists(poll: Poll, trustee: int, kind: str) -> bool:
    return any(m.trustee == trustee for m in board.messages(poll, kind))


def _require_all(poll: Poll, kind: str, message: Any) -> None:
    if len(board.messages(poll, kind)) < poll.trustees:
        raise refuse("too_early", message, 409)


def _check_commit(poll: Poll, link: TrusteeLink, msg: dict[str, Any]) -> None:
    try:
        dkg.verify_commit(
            msg, poll.public_id, poll.ceremony_round, list(poll.trustee_names),
            poll.threshold, link.trustee,
        )  # fmt: skip
    except CryptoError as err:
        raise _crypto(err) from None


def _check_shares(poll: Poll, link: TrusteeLink, msg: dict[str, Any]) -> None:
    _require_all(
        poll, MessageKind.COMMIT, _l("Wait until every trustee has published a contribution.")
    )
    try:
        dkg.verify_shares_message(
            msg, poll.public_id, poll.ceremony_round, poll.trustees, link.trustee
        )
    except CryptoError as err:
        raise _crypto(err) from None


def _check_done(poll: Poll, link: TrusteeLink, msg: dict[str, Any]) -> ElectionKey:
    """The done message's keys equal those computed from the board, and its proof of
    x_j over the transcript verifies (so the server cannot forge a trustee's done)."""
    _require_all(poll, MessageKind.SHARES, _l("Wait until every trustee has sent the sub-shares."))
    if _exists(poll, link.trustee, MessageKind.COMPLAINT):
        raise refuse("already_posted", _l("This trustee has filed a complaint."), 409)
    names, r, k = list(poll.trustee_names), poll.ceremony_round, poll.threshold
    contributions = board.contributions(poll)
    key = dkg.joint_key(contributions, k)
    ctx = dkg.context(poll.public_id, r, names, k)
    transcript = dkg.transcript(ctx, dkg.ceremony_json(r, contributions)["contributions"])
    try:
        index = dkg.verify_done(
            msg, ctx, transcript, key, election_id=poll.public_id, round=r, sender=link.trustee
        )
    except CryptoError as err:
        if err.code == "dkg_key_mismatch":
            raise refuse(
                "key_mismatch",
                _l("The keys in this message differ from those computed from the board."),
                409,
            ) from None
        raise _crypto(err) from None
    if index != link.trustee:
        raise refuse("wrong_trustee", _l("This message is signed for another trustee."), 403)
    return key


def _check_complaint(poll: Poll, link: TrusteeLink, msg: dict[str, Any]) -> None:
    _require_all(poll, MessageKind.SHARES, _l("Wait until every trustee has sent the sub-shares."))
    try:
        dkg.verify_complaint(msg, poll.public_id, poll.ceremony_round, poll.trustees, link.trustee)
    except CryptoError as err:
        raise _crypto(err) from None
    if _exists(poll, link.trustee, MessageKind.DONE):
        raise refuse("already_posted", _l("This trustee has already finished this round."), 409)


def _check_confirm(poll: Poll, link: TrusteeLink, msg: dict[str, Any]) -> None:
    raw = board.candidate(poll)
    if poll.election_key is None or raw is None:
        raise refuse(
            "too_early", _l("There is no manifest to confirm yet (the cards are not printed)."), 409
        )
    try:
        index = dkg.verify_confirm(
            msg, manifest_hash(raw), ElectionKey.from_json(poll.election_key), poll.public_id
        )
    except CryptoError as err:
        raise _crypto(err) from None
    if index != link.trustee:
        raise refuse("wrong_trustee", _l("This message is signed for another trustee."), 403)


def _fix_key(actor: str, poll: Poll, key: ElectionKey) -> None:
    """All n done messages agree with the board: the key is fixed, with its transcript."""
    poll.election_key = key.to_json()
    poll.ceremony = dkg.ceremony_json(poll.ceremony_round, board.contributions(poll))
    log_action(
        actor,
        "poll.ceremony",
        {
            "poll": poll.public_id,
            "round": poll.ceremony_round,
            "public_key": key.public_key.hex(),
        },
    )


def already_posted() -> ApiError:
    """The refusal of a message this trustee already posted (also when a racing post's
    unique constraint fails at the flush: ``commit(..., conflict=already_posted)``)."""
    return refuse("already_posted", _l("This trustee has already posted this message."), 409)


def post_message(poll: Poll, token: str, body: bytes) -> dict[str, Any]:
    """Check and store one message from the trustee named by ``token``; the new board."""
    db.session.refresh(poll, with_for_update=True)  # one poster at a time per vote
    kind, msg = parse(body)
    link = board.link_for(poll, token)
    require_state(poll, Action.PREPARE)
    if not poll.ceremony_round:
        raise refuse("no_ceremony", _l("The key ceremony has not started."), 404)
    _common(poll, link, kind, msg)
    if _exists(poll, link.trustee, kind):
        raise already_posted()
    if board.state(poll) == "failed" and kind != MessageKind.COMPLAINT:
        raise refuse(
            "ceremony_failed",
            _l("A complaint stopped this round: the secretariat must restart the ceremony."),
            409,
        )
    key = None
    if kind == MessageKind.COMMIT:
        _check_commit(poll, link, msg)
    elif kind == MessageKind.SHARES:
        _check_shares(poll, link, msg)
    elif kind == MessageKind.DONE:
        key = _check_done(poll, link, msg)
    elif kind == MessageKind.COMPLAINT:
        _check_complaint(poll, link, msg)
    else:
        _check_confirm(poll, link, msg)
    db.session.add(
        CeremonyMessage(
            poll_id=poll.id,
            round=poll.ceremony_round,
            trustee=link.trustee,
            kind=kind,
            body=canonical_json(msg).decode(),
        )
    )
    link.step = kind
    # Two posts of one message racing past _exists (the vote's row lock should keep
    # them apart): the unique constraint fails here, before anything is logged; the
    # IntegrityError propagates to ballot.web.commit, which rolls back and answers
    # already_posted() (operations never roll back).
    db.session.flush()
    actor = f"trustee-{link.trustee}"
    details: dict[str, Any] = {"poll": poll.public_id, "round": poll.ceremony_round}
    details |= {"trustee": link.trustee}
    if kind == MessageKind.COMPLAINT:
        details |= {"against": msg["against"], "reason": msg["reason"]}
    log_action(actor, f"poll.ceremony.{kind}", details)
    if key is not None and len(board.messages(poll, MessageKind.DONE)) == poll.trustees:
        _fix_key(actor, poll, key)
    return board.board(poll)


def require_confirmed(poll: Poll, raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The n confirmations of the manifest ``raw``, each verified, or a 409 refusal."""
    if poll.election_key is None:
        raise refuse("not_ready", _l("Run the key ceremony first."))
    key = ElectionKey.from_json(poll.election_key)
    h = manifest_hash(raw)
    good = []
    for m in board.messages(poll, MessageKind.CONFIRM):
        body = json.loads(m.body)
        try:
            if dkg.verify_confirm(body, h, key, poll.public_id) == m.trustee:
                good.append(body)
        except CryptoError:
            continue
    missing = sorted(set(range(1, poll.trustees + 1)) - {b["trustee"] for b in good})
    if missing:
        names = ", ".join(poll.trustee_names[i - 1] for i in missing)
        raise refuse(
            "not_confirmed",
            _l(
                "Every trustee must confirm this exact manifest first. Waiting for: %(names)s.",
                names=names,
            ),
        )
    return good
