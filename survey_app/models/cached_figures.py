"""Figures of the officers' pages kept once computed (services/figures_cache.py).

One row per question asked (questionnaire, period, scope, options, language...), found by a
hash of it; ``fingerprint`` says which data the figures were computed from. In the database
rather than in each process, so that every worker and every server shares them without Redis.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.sqltypes import UTCDateTime


class CachedFigures(db.Model):
    __tablename__ = "cached_figures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    # JSON: a document of services/report_data.py, a trend point, a chart's SVG...
    document: Mapped[str] = mapped_column(Text)
    # Old rows are removed by age (figures_cache.KEEP_FOR): nothing else ever deletes them.
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
