"""Cards: make them (secrets in memory only), revoke by serial, issue spares, reconcile.

Printing happens before the freeze, because the manifest commits to the card set. So a
card cannot carry the manifest hash; it carries the *ballot fingerprint* instead: the
hash of everything the phone encrypts under (the manifest without its ``cards``
section). The phone recomputes it from the manifest it downloads and refuses to
encrypt if it differs (a server swapping the election key is caught before any vote).
Printing the cards therefore locks the officials and keys; reprinting replaces every
card (the old ones are destroyed) until the first trustee confirms the manifest.

Two paths make the cards. ``make_cards``: the server draws the secrets (it then knows
every card secret for the length of one request). ``upload_cards``: the cards were made
offline by ``python -m keys cards`` and the server receives only the public card file
(keys/cardfile.py). The action log says which: ``cards.make`` or ``cards.upload``.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, func, select

from ballot.actionlog import log_action
from ballot.cards.models import Card, CardStatus
from ballot.db import db
from ballot.definition import definition_for, require_unconfirmed
from ballot.errors import refuse
from ballot.polls.models import Poll
from ballot.states import Action, require_state
from keys import cards
from keys.cardfile import MAX_CARDS, definition_file, parse_public_file
from keys.cardsheet import PrintedCard
from keys.errors import CryptoError
from keys.hashing import TAG_BALLOT_DEFINITION, ballot_definition, ballot_fingerprint

# The fingerprint is defined in keys/hashing.py (offline `python -m keys cards` needs it
# too); named here as well for the web pages that import it from this module.
__all__ = [
    "TAG_BALLOT_DEFINITION",
    "PrintedCard",
    "ballot_definition",
    "ballot_fingerprint",
    "make_cards",
    "upload_cards",
]


def cards_printed(poll: Poll) -> bool:
    """Whether cards exist (then officials and keys are locked)."""
    return bool(db.session.scalar(select(func.count()).where(Card.poll_id == poll.id)))


def make_cards(actor: str, poll: Poll, spares: int) -> tuple[list[PrintedCard], bytes]:
    """Make ``summoned + spares`` new cards, replacing any earlier ones.

    Returns the cards to print (secrets only in memory) and the ballot fingerprint.
    """
    require_state(poll, Action.PREPARE)
    require_unconfirmed(poll)
    if not 0 <= spares <= 1000 or poll.summoned + spares > MAX_CARDS:
        raise refuse("bad_count", _l("Too many spare cards."), 400)
    fingerprint = ballot_fingerprint(definition_for(poll))
    replaced = _delete_cards(poll)
    printed = []
    for i in range(poll.summoned + spares):
        secret = cards.new_secret()
        serial = f"{i + 1:04d}"
        key = cards.public_key(cards.signing_key(poll.public_id, secret))
        spare = i >= poll.summoned
        db.session.add(Card(poll_id=poll.id, serial=serial, public_key=key, spare=spare))
        printed.append(PrintedCard(serial, cards.encode_code(secret), spare))
    log_action(
        actor,
        "cards.make",
        {"poll": poll.public_id, "cards": len(printed), "spares": spares, "replaced": replaced},
    )
    return printed, fingerprint


def card_definition(poll: Poll, spares: int, base_url: str) -> dict[str, Any]:
    """The ballot definition file for ``python -m keys cards`` (draft, unconfirmed only)."""
    require_state(poll, Action.PREPARE)
    require_unconfirmed(poll)
    if not 0 <= spares <= 1000 or poll.summoned + spares > MAX_CARDS:
        raise refuse("bad_count", _l("Too many spare cards."), 400)
    return definition_file(
        manifest=definition_for(poll), summoned=poll.summoned, spares=spares, base_url=base_url
    )


def upload_cards(actor: str, poll: Poll, data: bytes) -> int:
    """Store the cards of a public card file made offline, replacing any earlier ones.

    Checked strictly against this vote (keys.cardfile.parse_public_file) under the same
    locks as printing; the cards are stored exactly as ``make_cards`` stores them.
    Returns the number of cards. A refusal carries the error's vi/en message.
    """
    require_state(poll, Action.PREPARE)
    require_unconfirmed(poll)
    fingerprint = ballot_fingerprint(definition_for(poll))
    try:
        parsed = parse_public_file(
            data, election_id=poll.public_id, fingerprint=fingerprint, summoned=poll.summoned
        )
    except CryptoError as err:
        raise refuse(err.code, f"{err.message('vi')} / {err.message('en')}", 400) from None
    replaced = _delete_cards(poll)
    for card in parsed:
        db.session.add(
            Card(poll_id=poll.id, serial=card.serial, public_key=card.key, spare=card.spare)
        )
    spares = sum(1 for c in parsed if c.spare)
    log_action(
        actor,
        "cards.upload",
        {
            "poll": poll.public_id,
            "cards": len(parsed),
            "spares": spares,
            "replaced": replaced,
            "file_sha256": hashlib.sha256(data).hexdigest(),  # `sha256sum cards-public.json`
        },
    )
    return len(parsed)


def _delete_cards(poll: Poll) -> int:
    """Delete every card of the vote; how many there were."""
    result = cast(
        "CursorResult[Any]", db.session.execute(db.delete(Card).where(Card.poll_id == poll.id))
    )
    return int(result.rowcount or 0)


def discard_cards(actor: str, poll: Poll) -> int:
    """Destroy every card of a draft vote (to change the officials or keys, then reprint)."""
    require_state(poll, Action.PREPARE)
    require_unconfirmed(poll)
    count = _delete_cards(poll)
    log_action(actor, "cards.discard", {"poll": poll.public_id, "cards": int(count or 0)})
    return int(count or 0)


def card_by_serial(poll: Poll, serial: str) -> Card:
    """The card with this printed serial, or a 404 error."""
    card = db.session.scalar(
        select(Card).where(Card.poll_id == poll.id, Card.serial == serial.strip())
    )
    if card is None:
        raise refuse("unknown_card", _l("No card has this serial."), 404)
    return card


def revoke(actor: str, poll: Poll, serial: str) -> Card:
    """Revoke a lost card by its serial (recorded in the record's revocations)."""
    # The vote's row lock (the one casts take) serializes revocations: the order below
    # is counted under it, and the card's status is read after it (fresh, not cached).
    db.session.refresh(poll, with_for_update=True)
    require_state(poll, Action.MANAGE_CARDS)
    card = card_by_serial(poll, serial)
    db.session.refresh(card)
    if card.status == CardStatus.USED:
        raise refuse("card_used", _l("This card has already voted; it cannot be revoked."))
    if card.status == CardStatus.REVOKED:
        raise refuse("card_revoked", _l("This card is already revoked."))
    order = db.session.scalar(
        select(func.count()).where(Card.poll_id == poll.id, Card.status == CardStatus.REVOKED)
    )
    card.status = CardStatus.REVOKED
    card.revoked_order = (order or 0) + 1
    log_action(actor, "cards.revoke", {"poll": poll.public_id, "serial": card.serial})
    return card


def issue_spare(actor: str, poll: Poll, serial: str) -> Card:
    """Record that the spare with this serial was handed out (counts as issued)."""
    # The vote's row lock first, as a cast takes it before the action log's lock (a cast
    # that signs a checkpoint logs it): the same order everywhere, so no deadlock, and
    # a cast counting issued cards waits for this hand-out.
    db.session.refresh(poll, with_for_update=True)
    require_state(poll, Action.MANAGE_CARDS)
    card = card_by_serial(poll, serial)
    if not card.spare or card.spare_issued or card.status == CardStatus.REVOKED:
        raise refuse("not_spare", _l("This is not an unused spare card."))
    card.spare_issued = True
    log_action(actor, "cards.spare", {"poll": poll.public_id, "serial": card.serial})
    return card


def reconciliation(poll: Poll) -> dict[str, int]:
    """Printed, revoked, used, unused, and spares issued."""
    rows = db.session.execute(
        select(Card.status, func.count()).where(Card.poll_id == poll.id).group_by(Card.status)
    ).all()
    by_status = {status: int(n) for status, n in rows}
    spares_issued = db.session.scalar(
        select(func.count()).where(Card.poll_id == poll.id, Card.spare_issued.is_(True))
    )
    return {
        "printed": sum(by_status.values()),
        "revoked": by_status.get("revoked", 0),
        "used": by_status.get("used", 0),
        "unused": by_status.get("unused", 0),
        "spares_issued": int(spares_issued or 0),
    }


def issued(poll: Poll) -> int:
    """Cards issued (phát ra): one per member checked in, plus spares handed out."""
    return poll.present + reconciliation(poll)["spares_issued"]
