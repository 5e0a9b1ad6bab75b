"""Each account keeps at most JOBS_MAX_KEPT_FILES files of JOBS_MAX_KEPT_BYTES together (issue
16): a new file deletes that account's oldest, never another account's, never the new one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from accounts import add_user
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import BackgroundJob, User
from survey_app.services import jobs

NOW = datetime(2026, 5, 4, 8, tzinfo=timezone.utc)


def made(app, email: str, size: int, minute: int, kept: jobs.KeptFiles, directory) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        job, _ = jobs.new_job(db.session, kind="report_xlsx", user_id=user.id, unit_id=None, arguments={},
                              download_name="x.xlsx", now=NOW + timedelta(minutes=minute))
        assert jobs.claim(db.session, job.id, NOW + timedelta(minutes=minute))
        assert jobs.finish(db.session, job.id, b"x" * size, directory, NOW + timedelta(minutes=minute),
                           timedelta(hours=24), kept)
        db.session.commit()
        return job.id


def kept_ids(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(BackgroundJob.id).where(BackgroundJob.file_name.is_not(None))))


def test_an_account_keeps_so_many_files_and_bytes(app, tmp_path):
    add_user(app, "a@example.gov.vn", "officer", None)
    add_user(app, "b@example.gov.vn", "officer", None)
    kept = jobs.KeptFiles(files=3, size=1000)
    other = made(app, "b@example.gov.vn", 900, 0, kept, tmp_path)
    first = [made(app, "a@example.gov.vn", 100, minute, kept, tmp_path) for minute in range(1, 5)]
    # Four of 100 bytes: the oldest goes (count); b's file stays.
    assert kept_ids(app) == {other, *first[1:]}
    assert len(list(tmp_path.iterdir())) == 4
    # 850 bytes more: 850 + 100 + 100 > 1000, so only the two newest stay (bytes).
    big = made(app, "a@example.gov.vn", 850, 10, kept, tmp_path)
    assert kept_ids(app) == {other, first[3], big}
    # A file bigger than the whole allowance is kept alone: the one just made is never deleted.
    huge = made(app, "a@example.gov.vn", 5000, 11, kept, tmp_path)
    assert kept_ids(app) == {other, huge}
    assert sorted(p.stat().st_size for p in tmp_path.iterdir()) == [900, 5000]
