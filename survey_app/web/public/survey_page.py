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

from dataclasses import dataclass

from flask import render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

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
                       form: SurveyForm | None = None, honeypot: bool = False, **context) -> str:
    """The survey page: a fresh one when ``form`` is None, else ``form`` as posted (errors and
    answers kept). ``template`` draws the page around ``questions`` and ``tokens``."""
    if form is None:
        key = new_secret(24)
        tokens = FormTokens(generate_csrf() if csrf_enabled() else None, key, served_token(key))
        questions = _blank_questions(questions_template, q, language, honeypot)
    else:
        renew_submission_key_if_needed(form)
        csrf = form.csrf_token.current_token if csrf_enabled() else None
        tokens = FormTokens(csrf, form.submission_key.data, form.served_at.data)
        questions = Markup(render_template(questions_template, form=form, q=q, language=language))
    return render_template(template, form=form, tokens=tokens, questions=questions, q=q, language=language,
                           **context)
