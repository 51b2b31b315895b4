"""The voting page's texts for vote-page.js, in the member's language.

The page embeds them as a JSON data block (not executed, so the strict CSP holds);
``{n}``-style placeholders are filled in by the script.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ballot.vocab import LEVEL_LABELS, translated


def level_labels() -> dict[str, str]:
    """Level codes (tally.vocab.Level) → their label on the ballot, translated."""
    return translated(LEVEL_LABELS)


def vote_page_strings() -> dict[str, object]:
    """Every text the voting script shows, translated."""
    return {
        "levels": level_labels(),
        "blank": _("Leave blank"),
        "progress": _("{chosen}/{total} chosen"),
        "encrypting": _("Preparing the encryption on this phone: {ready}/{total}"),
        "encryption_ready": _("Ready: each choice is encrypted on this phone as you make it."),
        "not_chosen": _("Not chosen (counts as blank)"),
        "unchosen_warning": _("{n} row(s) not chosen will be left blank."),
        "checking": _("Checking the ballot and the card…"),
        "preparing": _("Preparing the encryption…"),
        "sending": _("Sending your ballot…"),
        "retrying": _("No answer from the server. Trying again in {s} s (attempt {n})…"),
        "offline": _(
            "The connection is lost. Your ballot is kept on this phone and will "
            "be sent as soon as the connection is back."
        ),
        "copied": _("Copied."),
        "copy_failed": _("Could not copy: select the code and copy it by hand."),
        "bad_code": _("This code is not valid: {detail}"),
        "bad_code_length": _(
            "The manual entry code has 28 characters (letters and digits); you typed {n}."
        ),
        "bad_code_chars": _("The code contains a character that is not used on cards."),
        "bad_code_check": _(
            "The code does not check out: a character was probably "
            "mistyped. Compare it with your card."
        ),
        "fingerprint_title": _("This ballot does not match your card"),
        "fingerprint": _(
            "The ballot check code printed on your card ({card}) differs "
            "from the one of the ballot this server sent ({ballot}). Do not "
            "vote: tell the secretariat."
        ),
        "wrong_vote": _("This card link belongs to a different vote."),
        "used_title": _("This card has already been used"),
        "used": _("A ballot was already cast with this card. Each card votes once."),
        "used_here": _("This phone sent that ballot; its receipt is below."),
        "revoked_title": _("This card has been revoked"),
        "revoked": _(
            "This card was reported lost and cancelled. Ask the secretariat for a spare card."
        ),
        "unknown_title": _("Unknown card"),
        "unknown": _(
            "This card does not belong to this vote. Check that you scanned "
            "the right card, or type its code again."
        ),
        "not_open_title": _("Voting has not opened yet"),
        "not_open": _("Wait for the chair to open the vote, then press “Try again”."),
        "closed_title": _("Voting is closed"),
        "closed": _("This vote is closed: no more ballots are accepted."),
        "refused_title": _("Your ballot was refused"),
        "network_title": _("Cannot reach the server"),
        "network": _("Check the Wi-Fi connection and press “Try again”."),
        "mismatch": _(
            "The server answered with a different receipt. Keep this page "
            "open and tell the secretariat."
        ),
        "storage": _(
            "This browser cannot keep the ballot while sending: keep this page "
            "open until you see the receipt."
        ),
        "crypto_error": _(
            "The encryption failed on this phone ({detail}). Reload the "
            "page; if it happens again, tell the secretariat."
        ),
        "stored_receipts": _("Receipts of ballots sent from this phone:"),
        "audit_posting": _("Posting the checked ballot to the public board…"),
        "audit_posted": _(
            "Posted. On another device, open the public board, find this code among the "
            "checked ballots and press “Check them”: the choices shown must be the ones you "
            "tapped."
        ),
        "audit_refused": _("The server refused the checked ballot: {message}"),
    }
