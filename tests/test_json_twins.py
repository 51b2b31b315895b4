"""The two strict JSON readers (tally/record.py and the browser's pyjson.js) and the two
key checks (tally/records.py obj and record-files.js obj) say the same thing on the
edges reviewers found them apart: nesting deeper than MAX_DEPTH (read before anything
deeper is parsed), integers of more than MAX_INT_DIGITS digits, long floats in a
message, and unexpected keys outside the Basic Multilingual Plane."""

import json
import shutil
import subprocess

import pytest

from keys.errors import CryptoError
from tally import records
from tally.record import Record

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
TEXTS = [
    "[" * 500 + "]" * 500,
    '{"a":' * 499 + '["x]]]]", 1.5]' + "}" * 499,  # brackets inside a string do not count
    "[" * 501 + "]" * 501,
    '{"a":' * 501 + "1" + "}" * 501,
    '[1.5, {"a": 1, "a": 2}, ' + "[" * 600 + "]" * 600 + "]",  # too deep first, in both
    "1" * 600,
    "-" + "1" * 600,
    "1" * 601,
    "-" + "1" * 601,
    '{"n": ' + "9" * 5000 + "}",
    "[" + "1" * 5000 + ".5]",  # a long float: its first 40 characters in the message
    "[01]",
    '"a\\"',
]
OBJECTS = [
    {"format": 1, "manifest": 1, "seq": 1, "tracker": 1, "head": 1, "signature": 1, k: 0, j: 0}
    for k, j in (("\uffff", "\U00010000"), ("z", "\U00010000"), ("é", "e"))
]


def _python_text(text: str) -> str:
    try:
        Record({"x.json": text.encode()}).json("x.json")
    except CryptoError as err:
        return err.message("en")
    return "ok"


def _python_obj(value: dict) -> str:
    try:
        records.obj(value, "receipt", "receipt")
    except records.VerifyError as err:
        return err.reason
    return "ok"


SCRIPT = """
import { recordJson, cryptoMessage, obj } from './ballot/static/verifier/record-files.js';
const { texts, objects } = JSON.parse(process.argv[1]);
const enc = new TextEncoder();
const out = { texts: texts.map((t) => {
  try { recordJson({ 'x.json': enc.encode(t) }, 'x.json'); return 'ok'; }
  catch (e) { return cryptoMessage(e); }
}), objects: objects.map((o) => {
  try { obj(o, 'receipt', 'receipt'); return 'ok'; } catch (e) { return e.reason; }
}) };
console.log(JSON.stringify(out));
"""


def test_both_readers_refuse_the_same_edges_with_the_same_message():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the browser twin cannot be compared")
    arg = json.dumps({"texts": TEXTS, "objects": OBJECTS})
    done = subprocess.run(
        [node, "--input-type=module", "-e", SCRIPT, arg],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    js = json.loads(done.stdout)
    python_texts = [_python_text(t) for t in TEXTS]
    assert js["texts"] == python_texts
    assert python_texts[0] == "ok" and python_texts[5:7] == ["ok", "ok"]
    assert "number 1.5 is not an integer" in python_texts[1]
    assert all("is not valid JSON" in m for m in python_texts[2:5] + python_texts[7:10])
    assert python_texts[10].endswith("number " + "1" * 40 + "… is not an integer)")
    assert js["objects"] == [_python_obj(o) for o in OBJECTS]
    assert js["objects"][0] == "unexpected \uffff, \U00010000"  # code point order
