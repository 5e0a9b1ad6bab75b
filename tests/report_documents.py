"""A small province for the report files (PDF, XLSX) and the ``report`` command.

    TINH: SO (STP, SXD, SCT), XA (X1, X2)

Answers are drawn from a seeded generator, so indices, intervals and elements all differ;
the tests never hard-code them but compare the files with ``scores --format json`` of the same
period. Q1 2026 is the period, Q4 2025 the previous one; MIN_RANKED_RESPONSES is 5, and X2 has
too few responses in Q1 to be ranked. Some comments carry personal data, markup or formulas.
"""

from __future__ import annotations

import json
import random
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from survey_app import catalog_of
from survey_app.domain.submission import Submission
from survey_app.extensions import db
from survey_app.services import responses, units

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
FROM, TO = "2026-01-01", "2026-03-31"
MIN_RANKED = 5
TREE = """code,name,parent
TINH,UBND tỉnh Bình An,
SO,Khối sở,TINH
STP,Sở Tư pháp,SO
SXD,Sở Xây dựng,SO
SCT,=Sở Công Thương,SO
XA,Khối xã,TINH
X1,Xã Đông Hòa,XA
X2,Phường Ánh Dương,XA
"""
# (unit, respondents, chance of a satisfied answer) in the previous period and in the period.
PREVIOUS = [("STP", 12, 0.55), ("SXD", 10, 0.8), ("SCT", 9, 0.7), ("X1", 8, 0.6), ("X2", 6, 0.7)]
CURRENT = [("STP", 14, 0.9), ("SXD", 11, 0.6), ("SCT", 10, 0.72), ("X1", 9, 0.65), ("X2", 3, 0.5)]
CHANNELS = ("link", "kiosk", "paper", "invitation")
PASSWD = '<img src="file:///etc/passwd">'
COMMENTS = {
    "STP": ["Gọi tôi 0912 345 678 hoặc viết lan.nguyen@example.vn, CCCD 079123456789.", PASSWD],
    "SXD": ["=HYPERLINK(\"http://evil.example\",\"bấm\")", "+84 cũng là một công thức", "-2 điểm"],
    "SCT": ["@SUM(A1:A9)", "\tbắt đầu bằng tab", "\rbắt đầu bằng CR", "Phục vụ tốt, cảm ơn."],
}


def build_province(app) -> None:
    """Units and responses of both periods, through the services."""
    app.config["MIN_RANKED_RESPONSES"] = MIN_RANKED
    rng = random.Random(2026)
    questionnaire = catalog_of(app).get("sipas")
    criteria = questionnaire.criterion_codes
    options = [o.code for o in questionnaire.expectations.options]
    with app.app_context():
        units.import_units(db.session, TREE.encode("utf-8"))
        for start, plan in ((datetime(2025, 10, 1, 8, tzinfo=LOCAL), PREVIOUS),
                            (datetime(2026, 1, 1, 8, tzinfo=LOCAL), CURRENT)):
            for unit_code, count, chance in plan:
                unit = units.unit_by_code(db.session, unit_code)
                comments = list(COMMENTS.get(unit_code, [])) if start.year == 2026 else []
                for i in range(count):
                    ratings = {code: (rng.choice((4, 5)) if rng.random() < chance else rng.choice((1, 2, 3)))
                               for code in criteria if rng.random() < 0.9}
                    ratings[criteria[0]] = ratings.get(criteria[0], 0)  # a "no opinion" now and then
                    chosen = frozenset(rng.sample(options, rng.randint(0, 3)))
                    responses.record_response(
                        db.session, unit=unit, questionnaire=questionnaire,
                        submission=Submission(ratings=ratings, expectations=chosen,
                                              comment=comments.pop() if comments else None),
                        locale="vi", channel=CHANNELS[i % len(CHANNELS)],
                        submitted_at=start + timedelta(days=3 * i, hours=i % 5))
        db.session.commit()


def scores_json(runner, *args: str) -> dict:
    result = runner.invoke(args=["scores", "--from", FROM, "--to", TO, *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def previous_json(runner, *args: str) -> dict:
    result = runner.invoke(args=["scores", "--from", "2025-10-01", "--to", "2025-12-31", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def make_report(runner, path: Path, *args: str) -> Path:
    result = runner.invoke(args=["report", "--from", FROM, "--to", TO, *args, "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {key.strip(): value.strip() for key, value in (line.split(":", 1) for line in out.splitlines() if ":" in line)}
