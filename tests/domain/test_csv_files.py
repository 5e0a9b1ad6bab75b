"""Reading CSV files as spreadsheets save them, and making cells safe to open in one."""

from __future__ import annotations

import pytest

from survey_app.domain.csv_files import CsvError, CsvRows, neutralise, read_records

COLUMNS = ("code", "name", "parent")


def csv_problems(data: bytes, **kwargs) -> list[str]:
    with pytest.raises(CsvError) as caught:
        read_records(data, **kwargs)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def test_header_and_records_with_line_numbers():
    data = "code,name,parent\nHCM,Thành phố Hồ Chí Minh,\nQ1,UBND Quận 1,HCM\n".encode()
    header, records = read_records(data, expected=COLUMNS, required=COLUMNS)
    assert header == ["code", "name", "parent"]
    assert records == [
        (2, {"code": "HCM", "name": "Thành phố Hồ Chí Minh", "parent": ""}),
        (3, {"code": "Q1", "name": "UBND Quận 1", "parent": "HCM"}),
    ]


def test_byte_order_mark_is_dropped():
    # Excel's "CSV UTF-8" starts the file with a BOM; the first column is still "code".
    data = "\ufeffcode,name\r\nQ1,Quận 1\r\n".encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    header, records = read_records(data, expected=COLUMNS, required=("code",))
    assert header == ["code", "name"]
    assert records == [(2, {"code": "Q1", "name": "Quận 1"})]


def test_not_utf8():
    data = "code,name\nQ1,Quận 1\n".encode("utf-16")
    problems = csv_problems(data)
    assert len(problems) == 1 and "UTF-8" in problems[0]


def test_legacy_vietnamese_encoding_is_not_utf8():
    data = "code,name\nQ1,Đa Kao\n".encode("cp1258")  # Đ is one byte, 0xD0
    assert "UTF-8" in csv_problems(data)[0]


def test_empty_file():
    assert len(csv_problems(b"")) == 1


def test_header_cells_are_trimmed():
    header, records = read_records(b" code , name \nQ1,x\n", expected=COLUMNS)
    assert header == ["code", "name"] and records[0][1] == {"code": "Q1", "name": "x"}


def test_unknown_column():
    problems = csv_problems(b"code,name,dan_so\nQ1,x,1000\n", expected=COLUMNS)
    assert len(problems) == 1 and problems[0].startswith("line 1: ") and "'dan_so'" in problems[0]


def test_any_column_is_allowed_without_expected():
    header, _ = read_records(b"code,dan_so\nQ1,1000\n")
    assert header == ["code", "dan_so"]


def test_duplicate_column():
    problems = csv_problems(b"code,name,code\nQ1,x,Q2\n", expected=COLUMNS)
    assert len(problems) == 1 and problems[0].startswith("line 1: ") and "'code'" in problems[0]


def test_missing_required_column():
    problems = csv_problems(b"code,name\nQ1,x\n", expected=COLUMNS, required=COLUMNS)
    assert len(problems) == 1 and problems[0].startswith("line 1: ") and "'parent'" in problems[0]


def test_every_header_problem_is_reported():
    problems = csv_problems(b"code,code,dan_so\n", expected=COLUMNS, required=COLUMNS)
    assert len(problems) == 4  # code twice, dan_so unknown, name and parent missing
    assert all(p.startswith("line 1: ") for p in problems)


def test_expected_columns_may_be_given_as_a_generator():
    header, _ = read_records(b"code,name,parent\nQ1,x,\n", expected=(c for c in COLUMNS))
    assert header == list(COLUMNS)


def test_wrong_number_of_cells():
    data = b"code,name,parent\nHCM,TP HCM,\nQ1,Quan 1\nQ3,Quan 3,HCM,extra\n"
    problems = csv_problems(data, expected=COLUMNS)
    assert len(problems) == 2
    assert problems[0].startswith("line 3: ") and "2" in problems[0] and "3" in problems[0]
    assert problems[1].startswith("line 4: ") and "4" in problems[1]


def test_blank_lines_are_skipped_but_counted():
    data = b"code,name,parent\n\nHCM,TP HCM,\n,,\n \n\nQ1,Quan 1,HCM\n\n"
    _, records = read_records(data, expected=COLUMNS)
    assert [(line, record["code"]) for line, record in records] == [(3, "HCM"), (7, "Q1")]


def test_a_cell_over_several_lines_is_one_row():
    # A spreadsheet shows the multi-line comment as one row, so the next row is line 3.
    data = 'code,comment\nQ1,"Chờ lâu\nnhưng ổn"\nQ3,Tốt\nQ5\n'.encode()
    problems = csv_problems(data)
    assert len(problems) == 1 and problems[0].startswith("line 4: ")
    _, records = read_records('code,comment\nQ1,"Chờ lâu\nnhưng ổn"\nQ3,Tốt\n'.encode())
    assert records == [(2, {"code": "Q1", "comment": "Chờ lâu\nnhưng ổn"}),
                       (3, {"code": "Q3", "comment": "Tốt"})]


def test_quoted_cells_keep_commas_and_quotes():
    _, records = read_records(b'code,name\nQ1,"UBND Qu\xe1\xba\xadn 1, TP ""HCM"""\n')
    assert records[0][1]["name"] == 'UBND Quận 1, TP "HCM"'


# ---------------------------------------------------------------- neutralise


@pytest.mark.parametrize("cell", ["=1+1", "+84901234567", "-5", "@SUM(A1:A3)", "\tx", "\rx",
                                  "=HYPERLINK(\"http://example.com\")"])
def test_neutralise_prefixes_formula_triggers(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "Tốt lắm", "1", "a=b", " =1", "'quoted", "0"])
def test_neutralise_leaves_safe_cells_alone(cell):
    assert neutralise(cell) == cell


# ---------------------------------------------------------------- CsvRows: a file read a row at a time


def test_rows_of_a_file_are_read_one_at_a_time(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes("\ufeffcode,name\r\nQ1,Quận 1\r\n,\r\nQ3,\"Quận\r\n3\"\r\nQ5\r\n".encode())
    rows = CsvRows(path, expected=COLUMNS, required=("code",))
    assert rows.header == ["code", "name"]
    seen = iter(rows)
    assert next(seen) == (2, ["Q1", "Quận 1"])
    assert rows.problems == []
    assert list(seen) == [(4, ["Q3", "Quận\r\n3"])]
    assert rows.problems == ["line 5: 1 cells, but the header has 2"]


def test_not_utf8_far_into_a_file_names_the_byte(tmp_path):
    good = "Q1,Đa Kao\n".encode()
    data = b"code,name\n" + good * 20_000 + "Q2,Đa Kao\n".encode("cp1258")
    offset = len(b"code,name\n" + good * 20_000 + b"Q2,")
    path = tmp_path / "units.csv"
    path.write_bytes(b"\xef\xbb\xbf" + data)
    for source in (path, b"\xef\xbb\xbf" + data, data):
        rows = CsvRows(source, expected=COLUMNS)
        with pytest.raises(CsvError) as caught:
            list(rows)
        assert caught.value.problems == [f"the file is not UTF-8 (byte {offset}); save it as 'CSV UTF-8'"]
