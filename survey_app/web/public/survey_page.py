"""Drawing the survey page: its questions once, its tokens for every visitor.

The questions of a fresh survey page (a hundred-odd radio buttons) are the same for every
visitor of a questionnaire version in one language; only the tokens differ (the CSRF token,
the submission key, the served-at stamp). So the questions of a blank form are rendered once
per questionnaire version, language, page locale and page variant (the survey page or the
kiosk's, with or without the honeypot), by Jinja with autoescaping like any template, and kept
in the process; each page inserts them whole and adds its own tokens. A form that comes back
with answers or errors is drawn in full from the form, as the citizen left it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from survey_app.domain.questionnaire import Questionnaire
from survey_app.services.secrets import new_secret
from survey_app.web.public.answering import renew_submission_key_if_needed
from survey_app.web.public.screening import served_token
from survey_app.web.public.survey_form import (
    SurveyForm,
    csrf_enabled,
    form_key,
    survey_form,
)

# (questions template, questionnaire..., locale, honeypot) -> the questions of a blank form.
_QUESTIONS: dict[tuple, Markup] = {}
PAGES_KEPT = 256
# A token's place in a kept page. NUL never occurs in a page otherwise: no text we draw may hold
# a control character (domain/text.py), and autoescaping leaves it as it is.
SLOT = re.compile("\x00(csrf|submission_key|served_at)\x00")


@dataclass(frozen=True)
class FormTokens:
    """The hidden fields of one page's form (csrf None when CSRF is switched off)."""

    csrf: str | None
    submission_key: str
    served_at: str


def _blank_questions(template: str, q: Questionnaire, language: str, honeypot: bool) -> Markup:
    key = (template, *form_key(q, language), honeypot)
    questions = _QUESTIONS.get(key)
    if questions is None:
        blank = survey_form(q, language, honeypot=honeypot)(formdata=None, meta={"csrf": False})
        # Rendered with autoescaping like any page; trusted as a whole, never spliced.
        questions = _QUESTIONS[key] = Markup(render_template(template, form=blank, q=q, language=language))
    return questions


def render_survey_page(template: str, questions_template: str, *, q: Questionnaire, language: str,
                       form: SurveyForm | None = None, honeypot: bool = False, page_key: tuple | None = None,
                       **context) -> str:
    """The survey page: a fresh one when ``form`` is None, else ``form`` as posted (errors and
    answers kept). ``template`` draws the page around ``questions`` and ``tokens``. A fresh page
    whose ``page_key`` (what the page shows, besides its questionnaire, language and query string)
    is given may be a kept one with this visitor's tokens."""
    if form is None:
        # Asked before the CSRF token is put in the session: Flask-Login's strong session
        # protection would otherwise take a visitor's new session for a stolen one and send a
        # cookie clearing "remember me" with every page.
        kept = page_key is not None and not current_user.is_authenticated
        key = new_secret(24)
        tokens = FormTokens(generate_csrf() if csrf_enabled() else None, key, served_token(key))
        if kept:
            parts = _kept_page(template, questions_template, page_key, q=q, language=language,
                               honeypot=honeypot, **context)
            values = {"csrf": tokens.csrf, "submission_key": tokens.submission_key, "served_at": tokens.served_at}
            # Odd parts are slot names; the tokens are URL-safe, escaped all the same.
            return "".join(part if i % 2 == 0 else str(escape(values[part])) for i, part in enumerate(parts))
        questions = _blank_questions(questions_template, q, language, honeypot)
    else:
        renew_submission_key_if_needed(form)
        csrf = form.csrf_token.current_token if csrf_enabled() else None
        tokens = FormTokens(csrf, form.submission_key.data, form.served_at.data)
        questions = Markup(render_template(questions_template, form=form, q=q, language=language))
    return render_template(template, form=form, tokens=tokens, questions=questions, q=q, language=language,
                           **context)


def _kept_page(template: str, questions_template: str, page_key: tuple, *, q: Questionnaire, language: str,
               honeypot: bool, **context) -> list[str]:
    """The fresh page split at its token slots: text, slot name, text, ..., text."""
    pages: dict[tuple, list[str]] = current_app.extensions.setdefault("survey_pages", {})
    # The page's locale follows ?lang=, which the query string holds.
    key = (template, questions_template, q.id, q.version, q.content_hash, language, honeypot, csrf_enabled(),
           page_key, request.query_string)
    parts = pages.get(key)
    if parts is None:
        slots = FormTokens("\x00csrf\x00" if csrf_enabled() else None, "\x00submission_key\x00",
                           "\x00served_at\x00")
        page = render_template(template, form=None, tokens=slots,
                               questions=_blank_questions(questions_template, q, language, honeypot),
                               q=q, language=language, **context)
        parts = SLOT.split(page)
        if len(pages) >= PAGES_KEPT:
            pages.clear()
        pages[key] = parts
    return parts
