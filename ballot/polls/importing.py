"""Reading the list of officials from a CSV or XLSX file, all rows or none.

Columns (in any order, header on the first non-empty row): full name, position and,
optionally, order. Vietnamese and English header names are accepted, with or without
diacritics ("Họ và tên" / "Ho va ten" / "Full name", "Chức vụ" / "Position",
"Thứ tự" / "STT" / "Order"). CSV must be UTF-8 (with or without BOM); its delimiter
may be a comma, a semicolon or a tab. XLSX is read with openpyxl in read-only mode,
first sheet only.

:func:`read_officials` returns the rows in ballot order and a list of errors, each
naming its line as the spreadsheet shows it ("Dòng 7: thiếu họ tên"). The caller
replaces the list only when there is no error.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from flask_babel import gettext as _

from ballot.polls.operations import MAX_OFFICIALS

NAME_MAX: Final = 200
POSITION_MAX: Final = 300
#: Columns looked at in a row (a sheet may be very wide; the rest is ignored).
MAX_COLUMNS: Final = 30
#: Errors listed before "and N more".
MAX_ERRORS: Final = 50
#: Rows read at most, empty ones included: a tiny XLSX can declare millions of empty
#: rows (seconds of parsing each million); reading stops at the first row beyond this.
MAX_ROWS_READ: Final = 5_000
#: Uncompressed size of an XLSX at most (a zip bomb is refused before it is parsed).
MAX_XLSX_BYTES: Final = 16 * 1024 * 1024

HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "name": ("ho va ten", "ho ten", "ho va ten day du", "full name", "fullname", "name"),
    "position": ("chuc vu", "chuc danh", "position", "job title", "title"),
    "order": ("thu tu", "stt", "so thu tu", "tt", "order", "no", "no.", "number", "#"),
}


@dataclass
class ImportResult:
    """Rows ``(name, position)`` in ballot order, or errors (then ``rows`` is empty)."""

    rows: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row is valid and there is at least one."""
        return not self.errors and bool(self.rows)


def fold(text: str) -> str:
    """Header text without case, diacritics or extra spaces ("Họ và tên" → "ho va ten")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().replace("_", " ").split())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = data.decode("utf-8-sig")  # UnicodeDecodeError is reported by the caller
    if "\x00" in text:
        raise ValueError("NUL byte")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        yield [_cell(v) for v in row[:MAX_COLUMNS]]


class TooManyRows(Exception):
    """The file has more rows (or more uncompressed bytes) than a list of officials."""


def _bounded(rows: Iterable[list[str]]) -> Iterator[list[str]]:
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS_READ:
            raise TooManyRows
        yield row


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_BYTES:
            raise TooManyRows
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell(v) for v in row]
    finally:
        workbook.close()


def _columns(header: list[str], line: int) -> tuple[dict[str, int], list[str]]:
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        key = fold(text)
        for column, names in HEADERS.items():
            if key in names and column not in found:
                found[column] = index
    errors = []
    if "name" not in found:
        errors.append(_("Line %(line)s: there is no full name column (“Họ và tên”).", line=line))
    if "position" not in found:
        errors.append(_("Line %(line)s: there is no position column (“Chức vụ”).", line=line))
    return found, errors


def _get(columns: dict[str, int], cells: list[str], column: str) -> str:
    index = columns.get(column)
    return cells[index] if index is not None and index < len(cells) else ""


def _parse_order(text: str) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if 1 <= value <= 100_000 else None


def _check_rows(numbered: Iterable[tuple[int, list[str]]]) -> ImportResult:
    """Validate rows after the header; ``numbered`` yields (line, cells)."""
    result = ImportResult()
    columns: dict[str, int] | None = None
    header_line = 1
    found: list[tuple[int | None, int, str, str]] = []  # (order, line, name, position)
    seen_orders: dict[int, int] = {}
    for line, cells in numbered:
        if not any(cells):
            continue  # empty rows (often trailing in spreadsheets) are skipped
        if columns is None:
            columns, errors = _columns(cells, line)
            header_line = line
            if errors:
                result.errors = errors
                return result
            continue
        if len(found) >= MAX_OFFICIALS:
            result.errors.append(_("The list has more than %(max)s officials.", max=MAX_OFFICIALS))
            break

        name, position, order_text = (
            _get(columns, cells, c) for c in ("name", "position", "order")
        )
        order: int | None = None
        if not name:
            result.errors.append(_("Line %(line)s: the full name is missing.", line=line))
        elif len(name) > NAME_MAX:
            result.errors.append(
                _(
                    "Line %(line)s: the full name is too long (%(max)s characters at most).",
                    line=line,
                    max=NAME_MAX,
                )
            )
        if len(position) > POSITION_MAX:
            result.errors.append(
                _(
                    "Line %(line)s: the position is too long (%(max)s characters at most).",
                    line=line,
                    max=POSITION_MAX,
                )
            )
        if "order" in columns:
            order = _parse_order(order_text)
            if order is None:
                result.errors.append(
                    _("Line %(line)s: the order must be a whole number from 1.", line=line)
                )
            elif order in seen_orders:
                result.errors.append(
                    _(
                        "Line %(line)s: order %(order)s is already used on line %(other)s.",
                        line=line,
                        order=order,
                        other=seen_orders[order],
                    )
                )
            else:
                seen_orders[order] = line
        found.append((order, line, name, position))
    if columns is None:
        result.errors.append(_("The file is empty."))
    elif not found:  # every row checked is in found, so no row error either
        result.errors.append(
            _("There is no official under the header (line %(line)s).", line=header_line)
        )
    if result.errors:
        if len(result.errors) > MAX_ERRORS:
            extra = len(result.errors) - MAX_ERRORS
            result.errors = result.errors[:MAX_ERRORS]
            result.errors.append(_("… and %(count)s more errors.", count=extra))
        return result
    found.sort(key=lambda row: (row[0] or 0, row[1]))
    result.rows = [(name, position) for _order, _line, name, position in found]
    return result


def read_officials(filename: str, data: bytes) -> ImportResult:
    """Parse an uploaded CSV or XLSX list of officials (never raises on bad input)."""
    is_xlsx = data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))
    try:
        rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
        return _check_rows(enumerate(_bounded(rows), start=1))
    except TooManyRows:
        return ImportResult(
            errors=[
                _(
                    "The file has too many rows (%(max)s at most, empty rows included).",
                    max=MAX_ROWS_READ,
                )
            ]
        )
    except UnicodeDecodeError:
        return ImportResult(
            errors=[_("The file is not UTF-8 text. Save it as “CSV UTF-8” or as XLSX.")]
        )
    except Exception:  # BadZipFile, csv.Error, a NUL byte, any hostile XLSX: never a 500
        return ImportResult(
            errors=[_("The file cannot be read. Upload a CSV (UTF-8) or XLSX file.")]
        )
