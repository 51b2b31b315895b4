"""The election record: a folder or zip of JSON files (docs/record.md).

This module is the single definition of the record's chain links, signed heads and
record hash; the web layer writes records through it and the verifier reads them.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from keys.errors import CryptoError
from keys.hashing import TAG_CHAIN, TAG_CLOSE, TAG_RECEIPT, TAG_RECORD, digest, u32

# Also imported from this module (ballot/voting, tally/verify): re-exported explicitly.
from keys.hashing import TAG_CHECKPOINT as TAG_CHECKPOINT

#: Files of a record, in the order they are written and hashed.
FILES: Final = (
    "manifest.json",
    "confirmations.json",
    "cards.json",
    "revocations.json",
    "ballots.json",
    "audits.json",
    "checkpoints.json",
    "actions.json",
    "figures.json",
    "tally.json",
    "decryptions.json",
    "results.json",
)
#: Not covered by the record hash (it is derived from the record, or prints it).
UNHASHED: Final = ("record-hash.txt", "minutes.pdf")
MAX_RECORD_BYTES: Final = 512 * 1024 * 1024


def chain_link(prev: bytes, seq: int, tracker: bytes) -> bytes:
    """hash_seq = digest(TAG_CHAIN, prev, u32(seq), tracker); prev of seq 1 is the manifest hash."""
    return digest(TAG_CHAIN, prev, u32(seq), tracker)


def head_message(kind: bytes, manifest_hash: bytes, count: int, head: bytes, at: str) -> bytes:
    """What the server's Ed25519 key signs for a checkpoint (``kind`` = TAG_CHECKPOINT)."""
    return digest(kind, manifest_hash, u32(count), head, at.encode())


def close_message(
    manifest_hash: bytes, count: int, head: bytes, at: str, actions: int, actions_head: bytes
) -> bytes:
    """What the server signs at the close: the ballot chain head and the vote's log head."""
    return digest(
        TAG_CLOSE, manifest_hash, u32(count), head, at.encode(), u32(actions), actions_head
    )


def receipt_message(manifest_hash: bytes, seq: int, tracker: bytes, head: bytes) -> bytes:
    """What the server signs on a member's receipt: ballot ``seq`` has ``tracker``, head."""
    return digest(TAG_RECEIPT, manifest_hash, u32(seq), tracker, head)


def record_hash(files: dict[str, bytes]) -> bytes:
    """digest(TAG_RECORD, then for each hashed file in name order: name, SHA-256(content))."""
    parts: list[bytes] = []
    for name in sorted(files):
        if name in UNHASHED:
            continue
        parts += [name.encode(), hashlib.sha256(files[name]).digest()]
    return digest(TAG_RECORD, *parts)


def dump(obj: Any) -> bytes:
    """Record files are UTF-8 JSON with sorted keys and a final newline."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1).encode() + b"\n"


class _StrictJsonError(ValueError):
    """A record file that parses as JSON but not as a record file may be written."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two readers could otherwise keep different values of a duplicated key.
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _StrictJsonError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_float(text: str) -> Any:
    # Records hold integers and strings only; 1.0, 1e3, NaN would read differently elsewhere.
    shown = text if len(text) <= 40 else text[:40] + "…"  # a hostile file stays short here
    raise _StrictJsonError(f"number {shown} is not an integer")


# Entry names the two verifiers (this one and ballot/static/verifier/zip.js) read alike:
# Python's zipfile cuts a name at NUL, a browser's TextDecoder drops a leading BOM, so a
# name with either (or any other byte outside printable ASCII), or a name given twice,
# could make one zip two different records. Same messages as zip.js.
BAD_ZIP_NAMES: Final = "zip entry names must be printable ASCII and distinct"
ZIP_NAME_DIFFERS: Final = "a zip entry's local name differs from its directory name"


#: Deepest nesting of arrays and objects a record's JSON may have, and the most digits of
#: an integer. Both well below what Python itself allows (its recursion limit, and
#: int()'s 4 300 digits, which an environment variable can lower to 640), so that the
#: two verifiers refuse exactly the same files whatever the machine; no record file
#: comes near either. The browser's twin (verifier/pyjson.js) has the same two.
MAX_DEPTH: Final = 500
MAX_INT_DIGITS: Final = 600
_STRINGS = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"')  # a JSON string, escapes and all
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def _too_deep(text: str) -> bool:
    """Whether arrays and objects nest deeper than MAX_DEPTH (read on the text, before
    parsing, so that what lies deeper is never reached by either verifier)."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    depths = itertools.accumulate(1 if c in "[{" else -1 for c in brackets)
    return any(d > MAX_DEPTH for d in depths)


def _integer(text: str) -> int:
    if len(text) - text.startswith("-") > MAX_INT_DIGITS:
        raise ValueError("too many digits")  # read as "not valid JSON", as in pyjson.js
    return int(text)


def _read_zip(p: Path) -> dict[str, bytes]:
    """The record files of a zip; its entry names checked first, then its size."""
    try:
        z = zipfile.ZipFile(p)
    except UnicodeDecodeError:  # a name flagged UTF-8 that is not
        raise zipfile.BadZipFile(BAD_ZIP_NAMES) from None
    files: dict[str, bytes] = {}
    with z:
        seen: set[str] = set()
        for info in z.infolist():
            raw, name = info.orig_filename, info.filename.rsplit("/", 1)[-1]
            wanted = name in FILES or name in UNHASHED
            if not all(" " <= c <= "~" for c in raw) or raw in seen or (wanted and name in seen):
                raise zipfile.BadZipFile(BAD_ZIP_NAMES)
            seen.add(raw)
            if wanted:
                seen.add(name)
        if sum(i.file_size for i in z.infolist()) > MAX_RECORD_BYTES:
            raise CryptoError("bad_encoding", "record: archive too large")
        for info in z.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            if name in FILES or name in UNHASHED:
                try:
                    files[name] = z.read(info)
                except zipfile.BadZipFile as err:
                    if str(err).startswith("File name in directory"):
                        raise zipfile.BadZipFile(ZIP_NAME_DIFFERS) from None
                    raise
    return files


@dataclass
class Record:
    """A record's files as bytes, loaded from a folder or a zip, or being built."""

    files: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Record:
        """Read every file of a record folder or zip (no other file is read)."""
        p = Path(path)
        files: dict[str, bytes] = {}
        if p.is_dir():
            for name in (*FILES, *UNHASHED):
                if (p / name).is_file():
                    files[name] = (p / name).read_bytes()
        elif zipfile.is_zipfile(p):
            files = _read_zip(p)
        else:
            raise CryptoError("bad_encoding", f"record: {p} is neither a folder nor a zip")
        return cls(files)

    def json(self, name: str) -> Any:
        """Parse one file; a missing or malformed file is a named error."""
        if name not in self.files:
            raise CryptoError("bad_encoding", f"record: {name} is missing")
        try:
            text = self.files[name].decode("utf-8")
            if _too_deep(text):
                raise ValueError("nested too deeply")
            return json.loads(
                text,
                object_pairs_hook=_unique_keys,
                parse_float=_no_float,
                parse_constant=_no_float,
                parse_int=_integer,
            )
        except _StrictJsonError as err:
            raise CryptoError("bad_encoding", f"record: {name}: {err}") from None
        except (UnicodeDecodeError, ValueError, RecursionError):
            # ValueError: JSON syntax, nesting beyond MAX_DEPTH, an integer of more than
            # MAX_INT_DIGITS digits (docs/record.md).
            raise CryptoError("bad_encoding", f"record: {name} is not valid JSON") from None

    def put(self, name: str, obj: Any) -> None:
        """Add or replace a file."""
        if name not in FILES and name not in UNHASHED:
            raise ValueError(f"{name} is not a record file")
        self.files[name] = obj if isinstance(obj, bytes) else dump(obj)

    def hash(self) -> bytes:
        """The record hash printed in the minutes."""
        return record_hash(self.files)

    def _with_hash(self) -> dict[str, bytes]:
        return dict(self.files) | {"record-hash.txt": self.hash().hex().encode() + b"\n"}

    def to_zip(self) -> bytes:
        """The record as zip bytes, with record-hash.txt (what auditors download)."""
        buffer = io.BytesIO()
        files = self._with_hash()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for name in sorted(files):
                z.writestr(name, files[name])
        return buffer.getvalue()

    def save(self, path: str | Path) -> None:
        """Write as a zip (``*.zip``) or into a folder, with record-hash.txt."""
        p = Path(path)
        files = self._with_hash()
        if p.suffix == ".zip":
            p.write_bytes(self.to_zip())
        else:
            p.mkdir(parents=True, exist_ok=True)
            for name, data in files.items():
                (p / name).write_bytes(data)
