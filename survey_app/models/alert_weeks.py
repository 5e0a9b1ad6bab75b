"""Every unit's weekly figures (n, SIPAS index, its standard error) over the weeks one early
warning reads, kept once a week is closed (services/alert_weeks.py): the expensive part of the
alerts. The charts themselves are made from them on each read, which costs little, so a change
of the chart's settings (lambda, L, the minimum weekly n) needs no new computation.

A row is used only while its stamp still describes the responses of its weeks: a late answer
(a kiosk's queue, an import) or a flag or restore there moves the stamp, and the alerts are
then computed again on the fly until a command keeps them again."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.sqltypes import UTCDateTime


class AlertWeeks(db.Model):
    __tablename__ = "alert_weeks"

    questionnaire_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)  # the Monday of the last full week, the alerts' "as of"
    first: Mapped[date] = mapped_column(Date)             # the Monday of the first week read (the baseline's)
    timezone: Mapped[str] = mapped_column(String(64))     # weeks are cut in local time
    layout: Mapped[str] = mapped_column(String(16))       # the questionnaire's SumsLayout.key (what is scored)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The stamp: the weeks' responses (count, greatest id) and their unrestored flags (count,
    # sum of ids), as they were read before the figures were (services/alert_weeks.py).
    responses: Mapped[int] = mapped_column(Integer)
    last_response_id: Mapped[int] = mapped_column(Integer)
    flags: Mapped[int] = mapped_column(Integer)
    flag_id_sum: Mapped[int] = mapped_column(BigInteger)
    # zlib of JSON {unit id: [[week number from ``first``, n, index, se], ...]}, weeks without
    # respondents left out.
    figures: Mapped[bytes] = mapped_column(LargeBinary)
