"""The printable cards PDF: rendered by keys/cardsheet.py (shared with the offline
command ``python -m keys cards``); re-exported here for the web layer."""

from __future__ import annotations

from keys.cardsheet import PrintedCard, card_url, cards_pdf, fingerprint_short, qr_png

__all__ = ["PrintedCard", "card_url", "cards_pdf", "fingerprint_short", "qr_png"]
