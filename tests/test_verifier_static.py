"""The browser verifier is downloadable from the app, byte for byte the repository's file,
and the public board links to it in one line of its template."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "ballot" / "static" / "verifier" / "verifier.html"


def test_verifier_page_is_served_as_built(client):
    with client.get("/static/verifier/verifier.html") as response:
        assert response.status_code == 200
        assert response.data == PAGE.read_bytes()


def test_board_links_the_verifier_in_one_line():
    board = (ROOT / "ballot" / "board" / "templates" / "board" / "board.html").read_text()
    lines = [line for line in board.splitlines() if "verifier/verifier.html" in line]
    assert len(lines) == 1 and "download=" in lines[0]
