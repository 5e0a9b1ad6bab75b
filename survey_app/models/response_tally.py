"""How many times the responses of each hour changed, kept by the database itself.

Triggers (migration 7d0c5e2a9b41) add one to the row of a response's questionnaire and UTC hour
whenever a response is inserted, deleted or updated, whatever the path: the web, an import, a
bulk COPY, a hand-typed SQL. services/data_fingerprint.py sums the hours of a period: a few
hundred small rows instead of counting a million responses, and a sum that only ever grows, so
that any change of the period's responses gives another fingerprint.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db


class ResponseTally(db.Model):
    __tablename__ = "response_tallies"

    questionnaire_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Whole hours since 1970-01-01 UTC of the responses' submitted_at.
    hour: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    changes: Mapped[int] = mapped_column(BigInteger)
