"""SQLAlchemy models, one module per aggregate. Only services use them."""

from survey_app.models.response import Answer, Choice, Response
from survey_app.models.unit import Unit

__all__ = ["Answer", "Choice", "Response", "Unit"]
