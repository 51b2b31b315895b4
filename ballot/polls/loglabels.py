"""The action log in words: each action and detail named for people, values shown plainly.

The log itself keeps its codes (they are hashed into the chain and read by
``tally verify``); only the page shows these labels.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACTIONS = {
    "account.create": _l("Account created"),
    "account.login": _l("Logged in"),
    "account.logout": _l("Logged out"),
    "account.password": _l("Password changed"),
    "account.activate": _l("Account enabled"),
    "account.deactivate": _l("Account disabled"),
    "account.role": _l("Account role changed"),
    "poll.create": _l("Vote created"),
    "poll.official.add": _l("Official added"),
    "poll.official.import": _l("Officials imported"),
    "poll.official.move": _l("Order of officials changed"),
    "poll.official.edit": _l("Official edited"),
    "poll.official.delete": _l("Official deleted"),
    "poll.ceremony.start": _l("Key ceremony started (trustee links issued)"),
    "poll.ceremony.restart": _l("Key ceremony restarted"),
    "poll.ceremony.commit": _l("Trustee posted their commitment"),
    "poll.ceremony.shares": _l("Trustee posted their encrypted sub-shares"),
    "poll.ceremony.done": _l("Trustee finished the ceremony"),
    "poll.ceremony.complaint": _l("Trustee complained about another trustee"),
    "poll.ceremony.confirm": _l("Trustee confirmed the vote fingerprint"),
    "poll.ceremony": _l("Key ceremony done"),
    "cards.make": _l("Cards printed"),
    "cards.upload": _l("Cards made offline uploaded (public keys only)"),
    "cards.discard": _l("Printed cards discarded"),
    "cards.revoke": _l("Card revoked"),
    "cards.spare": _l("Spare card handed out"),
    "poll.freeze": _l("Vote frozen"),
    "poll.checkin": _l("Check-in count changed"),
    "poll.open": _l("Voting opened"),
    "poll.checkpoint": _l("Checkpoint signed by the server"),
    "poll.close": _l("Voting closed"),
    "count.start": _l("Count started"),
    "count.partial": _l("Trustee's partial decryption accepted"),
    "poll.tallied": _l("Count complete"),
    "poll.publish": _l("Results published"),
}

DETAILS = {
    "title": _l("title"),
    "kind": _l("kind"),
    "cards": _l("cards"),
    "spares": _l("spares"),
    "replaced": _l("replaced earlier cards"),
    "file_sha256": _l("SHA-256 of the public card file"),
    "serial": _l("card serial"),
    "present": _l("present"),
    "override": _l("opened without quorum because"),
    "ballots": _l("ballots"),
    "head": _l("final chain code"),
    "trustee": _l("trustee"),
    "trustees": _l("trustees"),
    "username": _l("account"),
    "count": _l("count"),
    "name": _l("name"),
    "position": _l("position"),
    "manifest": _l("vote fingerprint"),
    "to": _l("new place"),
    "role": _l("role"),
    "round": _l("round"),
    "new_round": _l("new round"),
    "reason": _l("reason"),
    "against": _l("against trustee"),
    "public_key": _l("election public key"),
    "at": _l("signed at"),
    "signature": _l("server signature"),
}
#: A checkpoint's count and head are the chain's at that moment, not the final ones.
CHECKPOINT_DETAILS = {"count": _l("ballots"), "head": _l("chain code at that ballot")}


def action_label(action: str) -> str:
    """The action in words (its code when it has no label yet)."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def actor_label(actor: str) -> str:
    """Who acted, in words: a trustee's device is logged as ``trustee-N``."""
    if actor.startswith("trustee-") and actor[8:].isdigit():
        return _("Trustee %(n)s", n=int(actor[8:]))
    return actor


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    text = str(value)
    if len(text) >= 64 and all(c in "0123456789abcdef" for c in text):  # hashes, signatures
        return " ".join(text[i : i + 4] for i in range(0, 16, 4)) + " …"
    return text


def detail_items(details: dict[str, Any] | None, action: str = "") -> list[tuple[str, str]]:
    """(label, value) pairs worth showing: not the vote's id, no empty value."""
    labels = DETAILS | CHECKPOINT_DETAILS if action == "poll.checkpoint" else DETAILS
    out = []
    for key, value in (details or {}).items():
        if key == "poll" or value is None or value == "" or value == []:
            continue
        out.append((str(labels.get(key, key)), _value(value)))
    return out
