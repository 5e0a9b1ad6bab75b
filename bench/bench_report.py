"""The province report for 200 units, ~20k responses and 2,000 comments: the whole PDF against
WeasyPrint alone laying out the same HTML, and the XLSX workbook.

    .venv/bin/python bench/bench_report.py [--responses 20000] [--comments 2000] [--units 200]

Builds a temporary SQLite database (bulk inserts through SQLAlchemy Core), lays the report out
once to warm WeasyPrint up, then prints the time of each step, the ratio of the whole PDF to
WeasyPrint alone (aim: at most 1.5) and the number of pages. The previous quarter gets half as
many responses, so changes and rank changes exist.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_migrate import upgrade
from sqlalchemy import insert

from survey_app import create_app
from survey_app.domain.periods import period_of
from survey_app.domain.submission import CHANNELS, EXPECTATIONS
from survey_app.extensions import db
from survey_app.models import Answer, Choice, Response, Unit
from survey_app.reports.pdf import html_to_pdf
from survey_app.reports.report_files import report_document
from survey_app.reports.report_pdf import report_html
from survey_app.reports.workbook import report_workbook
from survey_app.services.figures.rebuild import rebuild
from survey_app.services.response_rows import response_rows
from survey_app.services.scores import ScoreQuery

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = period_of("quarter", date(2026, 1, 1))
COMMENTS = ["Cán bộ hướng dẫn tận tình, chu đáo.", "Thời gian chờ còn lâu, cần thêm quầy tiếp nhận.",
            "Nên niêm yết rõ hơn mức phí, lệ phí.", "Có việc gì xin gọi 0912 345 678 giúp tôi.",
            "Phòng chờ nóng, cần thêm quạt và ghế ngồi. Trả kết quả đúng hẹn, tôi rất hài lòng với thái độ phục vụ.",
            "Hồ sơ bị trả lại hai lần vì thiếu giấy tờ mà lần đầu không ai nói."]


def build(app, units: int, responses: int, comments: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    q = app.extensions["survey_catalog"].get("sipas")
    criteria = q.criterion_codes
    options = [o.code for o in q.expectations.options]
    groups = [(2, "SO", "Các sở, ban, ngành", 30), (3, "XA", "Các xã, phường, đặc khu", units - 33)]
    rows = [{"id": 1, "code": "TINH", "name": "UBND tỉnh An Phú", "parent_id": None}]
    rows += [{"id": gid, "code": code, "name": name, "parent_id": 1} for gid, code, name, _ in groups]
    for gid, code, _, count in groups:
        for i in range(count):
            rows.append({"id": len(rows) + 1, "code": f"{code}-{i + 1:03d}",
                         "name": f"{'Sở' if code == 'SO' else 'Xã'} số {i + 1}", "parent_id": gid})
    leaves = [row["id"] for row in rows if row["id"] > 3]
    quality = {unit_id: rng.uniform(0.45, 0.95) for unit_id in leaves}
    with app.app_context():
        db.session.execute(insert(Unit), rows)
        response_rows_, answers, choices = [], [], []
        response_id = 0
        plan = [(PERIOD, responses, comments), (PERIOD.previous(), responses // 2, 0)]
        for period, count, with_comment in plan:
            start = datetime.combine(period.start, datetime.min.time(), tzinfo=TZ)
            seconds = (period.days * 86400) - 1
            for i in range(count):
                response_id += 1
                unit_id = rng.choice(leaves)
                chance = quality[unit_id]
                response_rows_.append({
                    "id": response_id, "unit_id": unit_id, "questionnaire_id": q.id,
                    "questionnaire_version": q.version, "questionnaire_hash": q.content_hash, "locale": "vi",
                    "channel": rng.choice(CHANNELS),
                    "submitted_at": start + timedelta(seconds=rng.randrange(seconds)),
                    "comment": rng.choice(COMMENTS) if i < with_comment else None})
                answers += [{"response_id": response_id, "item_code": code,
                             "value": rng.choice((4, 5)) if rng.random() < chance else rng.choice((1, 2, 3))}
                            for code in criteria if rng.random() < 0.95]
                choices += [{"response_id": response_id, "question_code": EXPECTATIONS, "option_code": option}
                            for option in rng.sample(options, rng.randint(0, 3))]
        db.session.execute(insert(Response), response_rows_)
        db.session.execute(insert(Answer), answers)
        db.session.execute(insert(Choice), choices)
        db.session.commit()


def pages_of(pdf: bytes) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--responses", type=int, default=20000)
    parser.add_argument("--comments", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
        started = time.perf_counter()
        build(app, args.units, args.responses, args.comments)
        print(f"data: {args.units} units, {args.responses} responses in the period (+{args.responses // 2} "
              f"the quarter before), {args.comments} comments, built in {time.perf_counter() - started:.1f} s")
        with app.app_context():
            q = app.extensions["survey_catalog"].get("sipas")
            rebuild(db.session, [q])  # the data went in by bulk inserts, past the services
            db.session.commit()
            query = ScoreQuery(questionnaire=q, period=PERIOD, tz=TZ, min_ranked=30)
            # Warm-up on the very document: fonts, Pango and the shaping caches fill once per
            # process, and the first of two equal runs was seen up to 30% slower than the second.
            html_to_pdf(report_html(report_document(db.session, query, lang="vi"), lang="vi"))

            t0 = time.perf_counter()
            document = report_document(db.session, query, lang="vi")
            t1 = time.perf_counter()
            html = report_html(document, lang="vi")
            t2 = time.perf_counter()
            pdf = html_to_pdf(html)
            t3 = time.perf_counter()
            alone = html_to_pdf(html)
            t4 = time.perf_counter()
            whole, weasy = t3 - t0, t4 - t3
            print(f"PDF: figures {t1 - t0:.2f} s + charts and HTML {t2 - t1:.2f} s + WeasyPrint {t3 - t2:.2f} s "
                  f"= {whole:.2f} s; {pages_of(pdf)} pages, {len(pdf) / 1e6:.1f} MB ({len(alone) / 1e6:.1f} MB alone)")
            print(f"WeasyPrint alone on the same HTML ({len(html) / 1e6:.1f} MB): {weasy:.2f} s")
            print(f"ratio whole / WeasyPrint alone: {whole / weasy:.2f} (aim: at most 1.5)")

            t5 = time.perf_counter()
            document = report_document(db.session, query, lang="vi")
            rows = response_rows(db.session, q, None, PERIOD, TZ)
            xlsx = report_workbook(document, rows, lang="vi")
            t6 = time.perf_counter()
            print(f"XLSX: {t6 - t5:.2f} s, {len(xlsx) / 1e6:.1f} MB")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
