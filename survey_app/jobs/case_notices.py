"""The messages cases cause, written to the outbox (services/outbox.py) in the transaction of
the change that causes them: the confirmation link or the case number when a citizen asks for a
reply, the answer's single-use link, and the escalation of an overdue case to the officers above.

Messages to a citizen are in Vietnamese (the citizen gave no other language to keep), their
texts in templates/messages/. The receipt's messages carry no ``about``: the outbox row keeps
the time it was sent, and that time must not be tied to the case (it would date the receipt
finer than the day, and so point at the survey response given just before). The answer's link
and escalations are tied to their case, whose page shows their delivery.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from survey_app.domain.cases import ContactKind
from survey_app.messaging import contact_cipher
from survey_app.models import Case, User
from survey_app.services import outbox

CITIZEN_LANGUAGE = "vi"


def about(case: Case) -> str:
    return f"case:{case.id}"


class CaseNotices:
    def __init__(self, session):
        self.session = session
        self.cipher = contact_cipher(current_app)

    def contact(self, case: Case) -> str:
        return self.cipher.decrypt(case.contact_sealed)

    def seal(self, contact: str) -> str:
        return self.cipher.encrypt(contact)

    def _to_citizen(self, case: Case, kind: str, subject: str, template: str, *, tied: bool, **values) -> None:
        text = render_template(f"messages/{template}", case=case, **values)
        target = about(case) if tied else None
        if case.contact_kind == ContactKind.EMAIL:
            outbox.queue_email(self.session, cipher=self.cipher, to=self.contact(case), subject=subject,
                               text=text, kind=kind, about=target)
        else:
            outbox.queue_sms(self.session, cipher=self.cipher, to=self.contact(case), text=text, kind=kind,
                             about=target)

    def received(self, case: Case, confirm_url: str | None) -> None:
        """An e-mail contact: the link to confirm; a phone: the case number."""
        with force_locale(CITIZEN_LANGUAGE):
            if confirm_url:
                self._to_citizen(case, "case_confirmation", _("Please confirm your request %(number)s",
                                                                  number=case.number),
                                 "case_confirm.txt", tied=False, confirm_url=confirm_url)
            else:
                self._to_citizen(case, "case_received", _("Your request %(number)s", number=case.number),
                                 "case_received.txt", tied=False)

    def answered(self, case: Case, answer_url: str) -> None:
        with force_locale(CITIZEN_LANGUAGE):
            self._to_citizen(case, "case_answer", _("The answer to your request %(number)s", number=case.number),
                             "case_answer.txt", tied=True, answer_url=answer_url)

    def escalation(self, case: Case, officers: list[User]) -> None:
        """One e-mail to each officer above the unit (their own language is not known: Vietnamese)."""
        with force_locale(CITIZEN_LANGUAGE):
            subject = _("Overdue case %(number)s at %(unit)s", number=case.number, unit=case.unit.name)
            text = render_template("messages/case_escalation.txt", case=case, queue_url=_staff_url(case))
        for officer in officers:
            outbox.queue_email(self.session, cipher=self.cipher, to=officer.email, subject=subject, text=text,
                               kind="case_escalation", about=about(case))


def _staff_url(case: Case) -> str:
    """The case's page for the officers: the jobs run outside any request, so the address is
    PUBLIC_BASE_URL's (a bare path when it is not set)."""
    path = current_app.url_map.bind("localhost").build("staff.case", {"number": case.number})
    return (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/") + path


def deliveries(session, case: Case):
    return outbox.deliveries(session, about(case))
