"""``flask units import FILE.csv``: a tree of any depth, upsert by code, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Unit


def tree(app) -> dict[str, tuple[str, str | None]]:
    """Every stored unit: code -> (name, parent code)."""
    with app.app_context():
        return {u.code: (u.name, u.parent.code if u.parent else None)
                for u in db.session.scalars(select(Unit))}


def write(tmp_path, text: str, name: str = "units.csv", bom: bool = False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def run_import(runner, path):
    return runner.invoke(args=["units", "import", str(path)])


PROVINCE = """code,name,parent
HCM,UBND Thành phố Hồ Chí Minh,
Q1,UBND Quận 1,HCM
P-BN,Phường Bến Nghé,Q1
KP1,Khu phố 1 phường Bến Nghé,P-BN
SO,Các sở ngành,HCM
"""


def test_creates_a_tree_of_any_depth(app, runner, tmp_path):
    result = run_import(runner, write(tmp_path, PROVINCE))
    assert result.exit_code == 0, result.output
    assert "5 units created, 0 updated" in result.output
    assert tree(app) == {
        "HCM": ("UBND Thành phố Hồ Chí Minh", None),
        "Q1": ("UBND Quận 1", "HCM"),
        "P-BN": ("Phường Bến Nghé", "Q1"),
        "KP1": ("Khu phố 1 phường Bến Nghé", "P-BN"),
        "SO": ("Các sở ngành", "HCM"),
    }


def test_a_parent_may_come_after_its_child(app, runner, tmp_path):
    text = """code,name,parent
X-TANPHU,Xã Tân Phú,H-DUCHOA
H-DUCHOA,Huyện Đức Hòa,LA
LA,Tỉnh Long An,
"""
    result = run_import(runner, write(tmp_path, text))
    assert result.exit_code == 0, result.output
    assert tree(app) == {
        "LA": ("Tỉnh Long An", None),
        "H-DUCHOA": ("Huyện Đức Hòa", "LA"),
        "X-TANPHU": ("Xã Tân Phú", "H-DUCHOA"),
    }


def test_utf8_with_bom_and_column_order(app, runner, tmp_path):
    # Excel's "CSV UTF-8" starts with a BOM; the first column must still be found as "parent".
    text = "parent,code,name\r\n,DN,Thành phố Đà Nẵng\r\nDN,Q-HC,Quận Hải Châu\r\n"
    result = run_import(runner, write(tmp_path, text, bom=True))
    assert result.exit_code == 0, result.output
    assert tree(app) == {"DN": ("Thành phố Đà Nẵng", None), "Q-HC": ("Quận Hải Châu", "DN")}


def test_upsert_renames_and_moves(app, runner, tmp_path):
    assert run_import(runner, write(tmp_path, PROVINCE)).exit_code == 0
    text = """code,name,parent
Q1,Ủy ban nhân dân Quận 1,HCM
P-BN,Phường Bến Nghé,SO
SO,Các sở ngành,HCM
Q3,UBND Quận 3,HCM
"""
    result = run_import(runner, write(tmp_path, text, name="second.csv"))
    assert result.exit_code == 0, result.output
    # Q1 renamed, P-BN moved (with its child KP1), SO unchanged, Q3 new.
    assert "1 units created, 2 updated" in result.output
    assert tree(app) == {
        "HCM": ("UBND Thành phố Hồ Chí Minh", None),
        "Q1": ("Ủy ban nhân dân Quận 1", "HCM"),
        "P-BN": ("Phường Bến Nghé", "SO"),
        "KP1": ("Khu phố 1 phường Bến Nghé", "P-BN"),
        "SO": ("Các sở ngành", "HCM"),
        "Q3": ("UBND Quận 3", "HCM"),
    }
    # Moving a unit to the top is allowed too (empty parent).
    result = run_import(runner, write(tmp_path, "code,name,parent\nSO,Các sở ngành,\n", name="third.csv"))
    assert result.exit_code == 0, result.output
    assert tree(app)["SO"] == ("Các sở ngành", None)
    assert tree(app)["P-BN"] == ("Phường Bến Nghé", "SO")


def test_upsert_keeps_ids(app, runner, tmp_path):
    assert run_import(runner, write(tmp_path, PROVINCE)).exit_code == 0
    with app.app_context():
        before = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    text = "code,name,parent\nQ1,Quận Một,SO\n"
    assert run_import(runner, write(tmp_path, text, name="move.csv")).exit_code == 0
    with app.app_context():
        after = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    assert after == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "code,name,parent\nQ5,UBND Quận 5,HCM\nP1,Phường 1,KHONGCO\n",
            ["line 3: parent 'KHONGCO' of P1 is not a known unit"],
            id="unknown parent",
        ),
        pytest.param(
            "code,name,parent\nA,Đơn vị A,C\nB,Đơn vị B,A\nC,Đơn vị C,B\n",
            ["would be its own ancestor"],
            id="cycle in the file",
        ),
        pytest.param(
            # HCM under Q1 while Q1 is under HCM in the database.
            "code,name,parent\nHCM,UBND Thành phố Hồ Chí Minh,Q1\n",
            ["line 2: HCM would be its own ancestor"],
            id="cycle with the stored tree",
        ),
        pytest.param(
            "code,name,parent\nQ7,UBND Quận 7,HCM\nQ8,UBND Quận 8,HCM\nQ7,Quận Bảy,HCM\n",
            ["line 4: unit Q7 is already on line 2"],
            id="duplicate code",
        ),
        pytest.param(
            "code,name,parent,address\nQ9,UBND Quận 9,HCM,\n",
            ["line 1: unknown column 'address'"],
            id="unknown column",
        ),
        pytest.param(
            "code,name,parent\nQ10,,HCM\n",
            ["line 2: unit Q10 has no name"],
            id="no name",
        ),
        pytest.param(
            "code,name,parent\nQ 11,Quận 11,HCM\n",
            ["line 2: code 'Q 11'"],
            id="bad code",
        ),
        pytest.param(
            "code,name\nQ12,Quận 12\n",
            ["line 1: missing column 'parent'"],
            id="missing column",
        ),
    ],
)
def test_rejects_a_bad_file_and_changes_nothing(app, runner, tmp_path, text, expected):
    assert run_import(runner, write(tmp_path, PROVINCE)).exit_code == 0
    before = tree(app)
    result = run_import(runner, write(tmp_path, text, name="bad.csv"))
    assert result.exit_code == 1
    for message in expected:
        assert message in result.output
    assert "Nothing was changed." in result.output
    assert tree(app) == before


def test_cycle_names_its_lines(app, runner, tmp_path):
    text = "code,name,parent\nROOT,Gốc,\nA,Đơn vị A,C\nB,Đơn vị B,A\nC,Đơn vị C,B\n"
    result = run_import(runner, write(tmp_path, text))
    assert result.exit_code == 1
    # The cycle is reported once, on the first of its lines, and shows the loop.
    assert "line 3: A would be its own ancestor: A -> C -> B -> A" in result.output
    assert result.output.count("would be its own ancestor") == 1
    assert tree(app) == {}


def test_self_parent_is_a_cycle(app, runner, tmp_path):
    result = run_import(runner, write(tmp_path, "code,name,parent\nA,Đơn vị A,A\n"))
    assert result.exit_code == 1
    assert "line 2: A would be its own ancestor: A -> A" in result.output
    assert tree(app) == {}


def test_a_mixed_file_reports_every_bad_line_and_adds_nothing(app, runner, tmp_path):
    assert run_import(runner, write(tmp_path, PROVINCE)).exit_code == 0
    before = tree(app)
    text = """code,name,parent
Q2,UBND Quận 2,HCM
Q1,Quận Một đổi tên,HCM
P-X,Phường X,KHONGCO
Q4,UBND Quận 4,HCM
Q2,Trùng mã,HCM
Q6,,HCM
KP1,Khu phố 1,HCM
"""
    result = run_import(runner, write(tmp_path, text))
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("line ")]
    assert problems == [
        "line 4: parent 'KHONGCO' of P-X is not a known unit",
        "line 6: unit Q2 is already on line 2",
        "line 7: unit Q6 has no name",
    ]
    # Good rows (new Q2, Q4; renamed Q1; moved KP1) were not applied either.
    assert tree(app) == before


def test_not_utf8_is_rejected(app, runner, tmp_path):
    path = tmp_path / "cp1258.csv"
    path.write_bytes("code,name,parent\nHN,Hà Nội,\n".encode("utf-16"))
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert "not UTF-8" in result.output
    assert tree(app) == {}


def test_list_shows_the_tree(app, runner, tmp_path):
    assert run_import(runner, write(tmp_path, PROVINCE)).exit_code == 0
    result = runner.invoke(args=["units", "list"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "HCM\t\tUBND Thành phố Hồ Chí Minh",
        "KP1\tP-BN\tKhu phố 1 phường Bến Nghé",
        "P-BN\tQ1\tPhường Bến Nghé",
        "Q1\tHCM\tUBND Quận 1",
        "SO\tHCM\tCác sở ngành",
    ]
