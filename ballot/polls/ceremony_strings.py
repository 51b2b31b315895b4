"""The trustee page's messages, in the user's language (the page's script reads them as
JSON from the page: no string is built in JavaScript)."""

from __future__ import annotations

from flask_babel import gettext as _

from keys.sharefile import MIN_PASSPHRASE

#: The sentence the spec fixes for the transcript comparison (always shown in Vietnamese).
COMPARE_VI = (
    "Đọc to mã này và so với máy của từng thành viên khác; chỉ tiếp tục khi tất cả giống nhau"
)


def trustee_strings() -> dict[str, str]:
    """The page's messages in the user's language (the script reads them as JSON)."""
    return {
        "no_token": _("This link has no trustee key: scan your own QR code again."),
        "passphrase_help": _(
            "Type a passphrase of at least %(n)s characters that only you know. It never"
            " leaves this device; you will need it to count the votes.",
            n=MIN_PASSPHRASE,
        ),
        "you_are": _("You are trustee %(i)s: %(name)s."),
        "not_started": _("The key ceremony has not started yet."),
        "wait_commits": _("Waiting for every trustee's contribution (%(n)s of %(total)s)."),
        "wait_shares": _("Waiting for every trustee's sub-shares (%(n)s of %(total)s)."),
        "wait_done": _("Waiting for the other trustees to finish (%(n)s of %(total)s)."),
        "wait_cards": _(
            "Your part is done. Come back with your share file once the cards are printed,"
            " to confirm the manifest."
        ),
        "lost": _(
            "The board shows a contribution under your name that this device does not"
            " hold (another device made it, or this page was reloaded): stop and tell the"
            " chair; the secretariat must restart the ceremony."
        ),
        "failed": _("A complaint stopped this round. The secretariat must restart the ceremony."),
        "restarted": _("The ceremony was restarted (round %(r)s): %(reason)s"),
        "compare": COMPARE_VI
        + " "
        + _(
            "(Read this code aloud and compare it with every other trustee's device;"
            " continue only if all match.)"
        ),
        "alarm_commit": _(
            "ALARM: the board holds a contribution in your name that this page did not"
            " publish. Unless you reloaded this page or published from another device,"
            " someone used your link (the secretariat sees every link). Stop now and tell"
            " every trustee and the chair: this round must be restarted."
        ),
        "own_commit": _(
            "The board shows another contribution under your name: stop and tell the chair."
        ),
        "mismatch_pass": _("The two passphrases are different."),
        "complained": _(
            "A sub-share sent to you did not check out: your device filed a complaint."
            " The round must restart."
        ),
        "sealing": _("Sealing your share file… (a few seconds)"),
        "saved": _("Save the file now, then press Finish."),
        "finished": _("Done. Keep your share file and your passphrase apart."),
        "confirmed": _("Your confirmation is on the board. Your link is now used up."),
        "manifest_bad": _(
            "The manifest to confirm does not match your share file: do not confirm;"
            " tell the chair."
        ),
        "manifest_info": _("%(cards)s cards, %(officials)s officials."),
        "frozen": _("The manifest is frozen."),
        "error": _("Refused:"),
        "weak_passphrase": _("This passphrase is too weak:"),
        "too_short": _("fewer than %(n)s characters.", n=MIN_PASSPHRASE),
        "one_character": _("only one character repeated."),
        "sequence": _("a keyboard or alphabet sequence."),
        "repeated": _("a short group repeated."),
        "name": _("it contains your name."),
        "wrong_passphrase": _("Wrong passphrase, or the file was changed."),
        "network": _("The server could not be reached. Try again."),
    }
