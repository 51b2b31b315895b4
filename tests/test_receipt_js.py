"""The phone's receipt check (phieu-receipt.js) accepts the server's signed receipt made
in Python and refuses any changed byte, another tracker or position."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tally.simulate import receipt, simulate

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def _node(cases: list[dict]) -> list[bool]:
    module = (ROOT / "ballot/static/js/phieu-receipt.js").as_uri()
    script = (
        f"import {{ receiptValid }} from '{module}';"
        "import { fromHex } from '" + (ROOT / "ballot/static/js/phieu-crypto.js").as_uri() + "';"
        "const cases = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(cases.map((c) => receiptValid("
        "c.receipt, fromHex(c.manifest), c.key, c.tracker, c.seq))));"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(cases)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return json.loads(out.stdout)


def test_phone_checks_the_signed_receipt():
    sim = simulate(members=3, officials=1, spares=0, seed=5)
    good = receipt(sim, 2)
    base = {
        "manifest": sim.manifest.hash.hex(),
        "key": sim.manifest.server_key.hex(),
        "tracker": good["tracker"],
        "seq": 2,
    }
    flipped = good | {"head": ("0" if good["head"][0] != "0" else "1") + good["head"][1:]}
    cases = [
        base | {"receipt": good},
        base | {"receipt": flipped},
        base | {"receipt": good, "seq": 3},
        base | {"receipt": good | {"extra": 1}},
        base | {"receipt": None},
        base | {"receipt": good, "key": "00" * 32},
    ]
    assert _node(cases) == [True, False, False, False, False, False]
