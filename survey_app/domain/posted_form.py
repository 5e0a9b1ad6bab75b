"""Reading a posted survey form straight against its questionnaire, without building a form.

A citizen's browser posts exactly what the page offered: one value per question, every value
one of the options shown. ``plain_submission`` reads such a form in one pass over the
questionnaire and returns what it says. Anything else (a value not offered, a field sent
twice, a missing required answer, a comment that is too long or holds control characters, a
form that answers nothing) gives None: the caller then hands the form to the full form
validation (``web/public/survey_form.py``), which explains each problem in the citizen's
language. This is only a shortcut for the common case, so it is stricter, never looser, than
that validation; ``submission_problems`` remains the last word before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable

from survey_app.domain.questionnaire import NO_OPINION, Questionnaire
from survey_app.domain.submission import EXPECTATIONS, Submission, says_nothing
from survey_app.domain.text import is_plain_text, normalise_newlines

# Field name -> every value posted under it (werkzeug's ``MultiDict.getlist``).
PostedValues = Callable[[str], list[str]]


class _Unusual(Exception):
    """Something the shortcut does not judge: the full validation will."""


def _one(values: list[str]) -> str | None:
    """The value of a single-choice question; None when left blank."""
    if not values or values == [""]:
        return None
    if len(values) > 1:
        raise _Unusual
    return values[0]


def plain_submission(q: Questionnaire, posted: PostedValues) -> Submission | None:
    """What the posted form says, when it is a plain valid answer to ``q``; else None."""
    try:
        return _read(q, posted)
    except _Unusual:
        return None


def _read(q: Questionnaire, posted: PostedValues) -> Submission | None:
    levels = {str(value): value for value in q.scale.values}
    if q.scale.no_opinion:
        levels[str(NO_OPINION)] = NO_OPINION
    ratings: dict[str, int] = {}
    for criterion in q.criteria:
        value = _one(posted(criterion.code))
        if value is None:
            if criterion.required:
                raise _Unusual
            continue
        if value not in levels:
            raise _Unusual
        ratings[criterion.code] = levels[value]

    expectations: frozenset[str] = frozenset()
    if q.expectations:
        chosen = posted(EXPECTATIONS)
        known = {o.code for o in q.expectations.options}
        # Counted as posted (a repeated option counts twice), as the form counts them.
        if len(chosen) > q.expectations.max_choices or not set(chosen) <= known:
            raise _Unusual
        expectations = frozenset(chosen)

    profile: dict[str, str] = {}
    for question in q.profile:
        option = _one(posted(question.code))
        if option is None:
            continue
        if option not in {o.code for o in question.options}:
            raise _Unusual
        profile[question.code] = option

    comment = None
    if q.comment:
        text = _one(posted("comment")) or ""
        # Browsers post a line break as CRLF but count it as one character against maxlength.
        text = normalise_newlines(text)
        if not is_plain_text(text, multiline=True):
            raise _Unusual
        if text.strip():
            if len(text) > q.comment.max_length:
                raise _Unusual
            comment = text.strip()

    submission = Submission(ratings, expectations, profile, comment)
    if says_nothing(submission):
        raise _Unusual
    return submission
