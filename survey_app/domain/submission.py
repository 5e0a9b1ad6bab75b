"""What a citizen submits, independent of how it arrived (web form, kiosk, CSV import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum

from survey_app.domain.questionnaire import NO_OPINION, Questionnaire
from survey_app.domain.text import text_problem


class Channel(StrEnum):
    """How a response reached us. Stored with every response and used in the CSV format."""

    LINK = "link"              # the open link of a counter poster, /u/<unit>
    INVITATION = "invitation"  # a single-use invitation, /s/<token>
    KIOSK = "kiosk"            # a touch screen at the counter, /k/<kiosk>
    PAPER = "paper"            # a paper form typed in later
    IMPORT = "import"          # imported from another system


CHANNELS = tuple(Channel)


class Outcome(Enum):
    """What became of one submitted form, whichever way it came (services/submissions.py)."""

    STORED = "stored"            # stored now: it is a response
    REPEATED = "repeated"        # this same form (its submission key) was stored before: a double tap, a retry
    ANSWERED = "answered"        # its invitation was answered by another form: nothing stored
    EXPIRED = "expired"          # its invitation is past its expiry: nothing stored

    @property
    def thanked(self) -> bool:
        """Whether the citizen should see the thank-you page."""
        return self in (Outcome.STORED, Outcome.REPEATED)
# The question code under which chosen expectation options are stored.
EXPECTATIONS = "expectations"


@dataclass(frozen=True)
class Submission:
    ratings: dict[str, int] = field(default_factory=dict)        # criterion -> level, 0 = no opinion
    expectations: frozenset[str] = frozenset()
    profile: dict[str, str] = field(default_factory=dict)        # profile question -> option
    comment: str | None = None


# Why a submission with no answer at all is refused (see ``says_nothing``).
NOTHING_ANSWERED = ("nothing answered: rate at least one criterion, choose an expectation "
                    "or a profile answer, or write a comment")


def says_nothing(submission: Submission) -> bool:
    """Whether the submission answers nothing at all: no rating (a "no opinion" is an answer),
    no expectation, no profile answer, no comment. Such a form is refused everywhere and never
    stored: kept, it would count as a respondent and could be posted in bulk to pad a unit's
    figures (docs/indices.md, "Who counts")."""
    return not (submission.ratings or submission.expectations or submission.profile
                or (submission.comment or "").strip())


def submission_problems(questionnaire: Questionnaire, submission: Submission) -> list[str]:
    """Everything that makes a submission unacceptable for this questionnaire, in plain English.

    The web form checks the same rules to talk to the citizen in their language; this is the
    last word for every way in, so that nothing invalid is ever stored.
    """
    q = questionnaire
    problems: list[str] = [NOTHING_ANSWERED] if says_nothing(submission) else []
    allowed = set(q.scale.values) | ({NO_OPINION} if q.scale.no_opinion else set())
    codes = set(q.criterion_codes)
    for code, value in submission.ratings.items():
        if code not in codes:
            problems.append(f"{code}: not a question of {q.id}")
        elif value not in allowed:
            problems.append(f"{code}: {value} is not an answer on the scale {sorted(allowed)}")
    for criterion in q.criteria:
        if criterion.required and criterion.code not in submission.ratings:
            problems.append(f"{criterion.code}: an answer is required")

    if submission.expectations:
        if q.expectations is None:
            problems.append(f"{EXPECTATIONS}: {q.id} has no such question")
        else:
            known = {o.code for o in q.expectations.options}
            unknown = sorted(submission.expectations - known)
            if unknown:
                problems.append(f"{EXPECTATIONS}: unknown option {', '.join(unknown)}")
            if len(submission.expectations) > q.expectations.max_choices:
                problems.append(f"{EXPECTATIONS}: at most {q.expectations.max_choices} choices")

    for code, option in submission.profile.items():
        question = q.profile_question(code)
        if question is None:
            problems.append(f"{code}: not a profile question of {q.id}")
        elif option not in {o.code for o in question.options}:
            problems.append(f"{code}: unknown option {option}")

    if submission.comment:
        if q.comment is None:
            problems.append(f"comment: {q.id} has no comment box")
        elif len(submission.comment) > q.comment.max_length:
            problems.append(f"comment: longer than {q.comment.max_length} characters")
        if text_problem(submission.comment, multiline=True):
            problems.append(f"comment: {text_problem(submission.comment, multiline=True)}")
    return problems
