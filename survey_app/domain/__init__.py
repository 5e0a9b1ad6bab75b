"""Plain Python: the questionnaire model, scoring, periods, interchange formats.

Nothing here imports Flask or SQLAlchemy, so it can be tested (and reused) without an app.
"""
