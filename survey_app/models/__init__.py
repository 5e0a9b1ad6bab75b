"""SQLAlchemy models, one module per aggregate. Only services use them."""

from survey_app.models.access import ApiKey, Kiosk
from survey_app.models.account import User
from survey_app.models.alert_weeks import AlertWeeks
from survey_app.models.audit import AuditEvent
from survey_app.models.case import Case as Case
from survey_app.models.case import CaseEvent as CaseEvent
from survey_app.models.figure_cell import FigureCell, FigureLayout, FigureStale
from survey_app.models.integrity import FlagReview, ResponseFlag
from survey_app.models.invitation import Invitation
from survey_app.models.job import BackgroundJob
from survey_app.models.outbox import OutboxDailySlot, OutboxMessage
from survey_app.models.response import Answer, Choice, Response
from survey_app.models.subscription import Subscription
from survey_app.models.unit import Unit
from survey_app.models.volume import Volume

__all__ = ["AlertWeeks", "Answer", "ApiKey", "AuditEvent", "BackgroundJob", "Choice", "FigureCell", "FigureLayout", "FigureStale",
           "FlagReview", "Invitation", "Kiosk", "OutboxDailySlot", "OutboxMessage", "Response", "ResponseFlag",
           "Subscription", "Unit", "User", "Volume"]
