"""Importing officials from CSV or XLSX: every row valid or nothing changes, errors by line."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from ballot.polls.importing import read_officials
from tests.polls_web_helpers import create_vote, login, official_rows, post, upload

GOOD_ROWS = [
    ("Thứ tự", "Họ và tên", "Chức vụ"),
    (2, "Trần Thị Hai", "Phó Chủ tịch HĐND tỉnh"),
    (1, "Nguyễn Văn Một", "Chủ tịch UBND tỉnh"),
    (3, "Lê Văn Ba", "Giám đốc Sở Tài chính"),
]
EXPECTED = [
    ("Nguyễn Văn Một", "Chủ tịch UBND tỉnh"),
    ("Trần Thị Hai", "Phó Chủ tịch HĐND tỉnh"),
    ("Lê Văn Ba", "Giám đốc Sở Tài chính"),
]


def _csv(rows, sep=",") -> str:
    return "\n".join(sep.join(str(c) for c in row) for row in rows) + "\n"


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ds.csv", _csv(GOOD_ROWS).encode()),
        ("ds.csv", b"\xef\xbb\xbf" + _csv(GOOD_ROWS).encode()),  # Excel's "CSV UTF-8" (BOM)
        ("ds.csv", _csv(GOOD_ROWS, ";").encode()),
        ("ds.csv", _csv(GOOD_ROWS, "\t").encode()),
        ("ds.csv", _csv(GOOD_ROWS).replace("\n", "\r\n").encode()),
        ("ds.xlsx", _xlsx(GOOD_ROWS)),
        ("noname", _xlsx(GOOD_ROWS)),  # recognized by content
    ],
)
def test_good_files_in_every_form(name, data):
    result = read_officials(name, data)
    assert result.ok and result.errors == []
    assert result.rows == EXPECTED


def test_english_and_unaccented_headers_any_column_order_optional_order():
    rows = [("Position", "Full name"), ("Chủ tịch", "Nguyễn Văn Một"), ("", "Trần Thị Hai")]
    assert read_officials("a.csv", _csv(rows).encode()).rows == [
        ("Nguyễn Văn Một", "Chủ tịch"),
        ("Trần Thị Hai", ""),
    ]
    rows = [("STT", "Ho va ten", "Chuc vu"), ("1", "A", "B")]
    assert read_officials("a.csv", _csv(rows).encode()).rows == [("A", "B")]
    rows = [("", "", ""), ("HỌ VÀ TÊN", "CHỨC VỤ", "Ghi chú"), ("A", "B", "x"), ("", "", "")]
    assert read_officials("a.xlsx", _xlsx(rows)).rows == [("A", "B")]  # header on line 2


def test_decomposed_vietnamese_is_normalized():
    import unicodedata

    text = unicodedata.normalize("NFD", _csv(GOOD_ROWS))
    result = read_officials("a.csv", text.encode())
    assert result.rows == EXPECTED


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("Họ và tên", "Ghi chú"), ("A", "x")], ["Dòng 1: không có cột chức vụ (“Chức vụ”)."]),
        ([("Tên gọi", "Chức vụ"), ("A", "x")], ["Dòng 1: không có cột họ tên (“Họ và tên”)."]),
        (
            [("Họ và tên", "Chức vụ"), ("A", "x"), ("A", "y"), ("", "z"), ("B", "w"), ("", "v")],
            ["Dòng 4: thiếu họ và tên.", "Dòng 6: thiếu họ và tên."],
        ),
        (
            [("Thứ tự", "Họ và tên", "Chức vụ"), ("1", "A", ""), ("x", "B", ""), ("1", "C", "")],
            [
                "Dòng 3: số thứ tự phải là số nguyên từ 1 trở lên.",
                "Dòng 4: số thứ tự 1 đã dùng ở dòng 2.",
            ],
        ),
        (
            [("Họ và tên", "Chức vụ"), ("N" * 201, "x")],
            ["Dòng 2: họ và tên quá dài (tối đa 200 ký tự)."],
        ),
        ([("Họ và tên", "Chức vụ")], ["Không có người nào bên dưới dòng tiêu đề (dòng 1)."]),
    ],
)
def test_errors_name_their_line(app, rows, expected):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        for name, data in (("a.csv", _csv(rows).encode()), ("a.xlsx", _xlsx(rows))):
            result = read_officials(name, data)
            assert not result.ok and result.rows == []
            assert result.errors == expected, name


def test_unreadable_files_and_too_many_rows(app):
    too_many = [("Họ và tên", "Chức vụ")] + [(f"Người {i}", "x") for i in range(201)]
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        cases = {
            "latin1": ("a.csv", "Ho va ten,Chuc vu\nJosé,Café\n".encode("latin-1")),
            "utf16": ("a.csv", "Họ và tên,Chức vụ\nA,B\n".encode("utf-16")),
            "broken xlsx": ("a.xlsx", b"PK\x03\x04 this is not a zip"),
            "zip not xlsx": ("a.xlsx", _zip_with("hello.txt")),
            "binary": ("a.csv", bytes(range(256)) * 4),
            "empty": ("a.csv", b""),
            "too many csv": ("a.csv", _csv(too_many).encode()),
            "too many xlsx": ("a.xlsx", _xlsx(too_many)),
        }
        for label, (name, data) in cases.items():
            result = read_officials(name, data)
            assert not result.ok and result.rows == [] and result.errors, label
        assert "UTF-8" in read_officials(*cases["latin1"]).errors[0]
        assert "Không đọc được tệp" in read_officials(*cases["broken xlsx"]).errors[0]
        assert read_officials(*cases["too many csv"]).errors == ["Danh sách có hơn 200 người."]
        assert read_officials(*cases["empty"]).errors == ["Tệp trống."]
        many = [("Họ và tên", "Chức vụ")] + [("", "x")] * 80
        errors = read_officials("a.csv", _csv(many).encode()).errors
        assert len(errors) == 51 and errors[-1] == "… và 30 lỗi khác."


def _zip_with(name: str) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, "hello")
    return out.getvalue()


def test_import_page_shows_errors_row_by_row_and_changes_nothing(app, client, make_user):
    make_user("thuky")
    login(client, "thuky")
    pid = create_vote(client)
    assert upload(client, pid, _csv(GOOD_ROWS).encode()).status_code == 302
    before = official_rows(app, pid)
    assert [r[1] for r in before] == [r[0] for r in EXPECTED]
    bad_files = [
        ("a.csv", _csv([("Họ và tên", "Chức vụ"), ("A", "x"), ("", "y"), ("", "z")]).encode()),
        ("a.xlsx", _xlsx([("Họ và tên", "Chức vụ"), ("A", "x"), ("", "y")])),
        ("a.csv", "Họ và tên\nA\n".encode()),
        ("a.xlsx", b"PK\x03\x04garbage"),
        ("a.csv", "Ho va ten,Chuc vu\nJosé,Café\n".encode("latin-1")),
        ("a.csv", _csv([("Họ và tên", "Chức vụ")] + [("A", "x")] * 300).encode()),
    ]
    for name, data in bad_files:
        r = upload(client, pid, data, name)
        assert r.status_code == 400, name
        page = r.get_data(as_text=True)
        assert "Chưa nhập gì" in page, name
        assert official_rows(app, pid) == before, name
    page = upload(client, pid, bad_files[0][1]).get_data(as_text=True)
    assert (
        "<li>Dòng 3: thiếu họ và tên.</li>" in page and "<li>Dòng 4: thiếu họ và tên.</li>" in page
    )
    r = post(client, f"/polls/{pid}/officials/import", {}, content_type="multipart/form-data")
    assert r.status_code == 400 and "Hãy chọn một tệp" in r.get_data(as_text=True)
    assert official_rows(app, pid) == before
