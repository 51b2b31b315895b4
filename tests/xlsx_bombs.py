"""Tiny XLSX files that declare huge sheets (for the import attack tests)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook


def xlsx(rows_xml: str, dimension: str = "A1:B5000001") -> bytes:
    """A valid XLSX whose first sheet's <sheetData> is ``rows_xml`` after a header row
    (and whose <dimension> claims ``dimension``, as a hostile file would)."""
    wb = Workbook()
    wb.active.append(["Họ và tên", "Chức vụ"])
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = text.replace('<dimension ref="A1:B1" />', f'<dimension ref="{dimension}" />')
                head, rest = text.split("</row>", 1)
                data = (head + "</row>" + rows_xml + rest).encode()
            zout.writestr(info.filename, data)
    return out.getvalue()


def empty_rows(count: int) -> bytes:
    """``count`` empty rows after the header (5 million fit in a few tens of KiB)."""
    return xlsx("<row/>" * count)


def sparse_row(index: int) -> bytes:
    """One empty row numbered ``index`` (a reader filling the gap yields every row)."""
    return xlsx(f'<row r="{index}"/>')
