"""Building what tests need in one line: a unit tree, and answers taken from the questionnaire file.

Units::

    with app.app_context():
        units = unit_tree(db.session, "HCM > Q1 > P-BN, P-DK; HCM > Q3", names={"Q1": "UBND Quận 1"})
        db.session.commit()

``A > B > C, D`` makes B a child of A and C and D children of B; paths are separated by ``;``
and a code used in several paths is one unit. A unit without a name in ``names`` is called
by its code. Only the last step of a path may list several units.

Answers come from the questionnaire as the file defines it, never from a copied list of codes::

    q = sipas()                          # questionnaires/sipas.yaml, as the app loads it
    criteria_codes(q)                    # ['TC1', 'TC2', ..., 'PA4']
    full_submission(q, level=4)          # every criterion rated 4
    submission(q, TC1=5, PA4=0)          # these ratings only (a code q lacks is an error)
    cycled_submission(q)                 # 1, 2, 3, 4, 5, 1, ... through the criteria
    form_fields(full_submission(q, 4))   # the same, as a browser posts it
    record(db.session, unit, q, submission(q, TC1=5), at=datetime(...))   # stored by the service

and what a unit hands out: ``invitations(db.session, unit, count=2)`` (single-use, with their
tokens) and ``kiosk(db.session, unit)`` (a registered kiosk and its key).
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from survey_app.domain.catalog import Catalog, load_catalog
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import EXPECTATIONS, Channel, Submission
from survey_app.models import Kiosk, Response, Unit
from survey_app.services.invitations import IssuedInvitation, issue_invitations
from survey_app.services.kiosks import register_kiosk
from survey_app.services.responses import record_response

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent.parent / "questionnaires"


# ----------------------------------------------------------------------------- units

def unit_tree(session: Session, tree: str, names: Mapping[str, str] | None = None) -> dict[str, Unit]:
    """Add the units of ``tree`` (see the module docstring); code -> unit, flushed, not committed."""
    names = names or {}
    parents: dict[str, str | None] = {}

    def place(code: str, parent: str | None) -> None:
        if code in parents and parents[code] != parent:
            raise ValueError(f"{code} is put under {parents[code]} and under {parent}")
        parents[code] = parent

    for path in filter(None, (p.strip() for p in tree.split(";"))):
        steps = [[code.strip() for code in step.split(",")] for step in path.split(">")]
        if any(len(step) > 1 for step in steps[:-1]) or any(not code for step in steps for code in step):
            raise ValueError(f"cannot read the path {path!r}: write 'A > B > C, D'")
        parent = None
        for (code, *siblings) in steps:
            for each in (code, *siblings):
                place(each, parent)
            parent = code
    unknown = set(names) - set(parents)
    if unknown:
        raise ValueError(f"names given for units not in the tree: {sorted(unknown)}")

    units = {code: Unit(code=code, name=names.get(code, code)) for code in parents}
    for code, parent in parents.items():
        units[code].parent = units[parent] if parent else None
    session.add_all(units.values())
    session.flush()
    return units


# ----------------------------------------------------------------------------- questionnaires

@cache
def shipped_catalog() -> Catalog:
    """The questionnaires of ``questionnaires/``, the directory the test app loads too."""
    return load_catalog(QUESTIONNAIRE_DIR, "sipas")


def sipas() -> Questionnaire:
    return shipped_catalog().get("sipas")


def quick() -> Questionnaire:
    return shipped_catalog().get("quick")


def criteria_codes(q: Questionnaire) -> list[str]:
    """Every criterion of ``q``, in the order of the file."""
    return list(q.criterion_codes)


def _checked(q: Questionnaire, ratings: Mapping[str, int]) -> dict[str, int]:
    unknown = set(ratings) - set(q.criterion_codes)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not criteria of {q.id}")
    return dict(ratings)


def submission(q: Questionnaire, *, expectations: tuple[str, ...] | frozenset[str] = (),
               profile: Mapping[str, str] | None = None, comment: str | None = None,
               **ratings: int) -> Submission:
    """A submission rating only the criteria named (``TC1=5``); 0 is "no opinion"."""
    return Submission(ratings=_checked(q, ratings), expectations=frozenset(expectations),
                      profile=dict(profile or {}), comment=comment)


def full_submission(q: Questionnaire, level: int = 5, **kwargs) -> Submission:
    """Every criterion of ``q`` rated ``level``; ratings and other keywords as for ``submission``
    override or add (``full_submission(q, 4, PA4=0, comment="...")``)."""
    return submission(q, **{**{code: level for code in q.criterion_codes}, **kwargs})


def cycled_submission(q: Questionnaire, **kwargs) -> Submission:
    """Every criterion rated, the levels of the scale in turn (1, 2, ..., 5, 1, 2, ...)."""
    values = q.scale.values
    cycled = {code: values[i % len(values)] for i, code in enumerate(q.criterion_codes)}
    return submission(q, **{**cycled, **kwargs})


def form_fields(answers: Submission) -> dict[str, str | list[str]]:
    """The answers as the survey form posts them (the hidden fields are the test's to add)."""
    fields: dict[str, str | list[str]] = {code: str(value) for code, value in answers.ratings.items()}
    if answers.expectations:
        fields[EXPECTATIONS] = sorted(answers.expectations)
    fields.update(answers.profile)
    if answers.comment is not None:
        fields["comment"] = answers.comment
    return fields


# ----------------------------------------------------------------------------- responses

def record(session: Session, unit: Unit, q: Questionnaire, answers: Submission | None = None, *,
           at: datetime | None = None, channel: str = Channel.LINK, locale: str | None = None,
           submission_key: str | None = None, kiosk_id: int | None = None) -> Response:
    """One response stored through the service (flushed, not committed); all blank by default."""
    return record_response(
        session, unit=unit, questionnaire=q, submission=answers or Submission(),
        locale=locale or q.default_language, channel=channel,
        submitted_at=at or datetime.now(timezone.utc), submission_key=submission_key,
        kiosk_id=kiosk_id,
    )


def invitations(session: Session, unit: Unit, count: int = 1, *, at: datetime | None = None,
                valid_days: int = 30, **kwargs) -> list[IssuedInvitation]:
    """Invitations of ``unit`` issued by the service (flushed, not committed), with their tokens."""
    return issue_invitations(session, unit=unit, count=count, now=at or datetime.now(timezone.utc),
                             valid_days=valid_days, tz=ZoneInfo("Asia/Ho_Chi_Minh"), **kwargs)


def kiosk(session: Session, unit: Unit, name: str = "Quầy 1", *,
          at: datetime | None = None) -> tuple[Kiosk, str]:
    """A kiosk of ``unit`` registered by the service (flushed, not committed), and its key."""
    return register_kiosk(session, unit=unit, name=name, now=at or datetime.now(timezone.utc))
