"""Who answers the demo's survey: the profile answers of a one-stop shop's visitors, in shares
an officer would find plausible at first look.

Visitors of a district's bộ phận một cửa are men and women about evenly (a couple's papers are
brought by either), almost all of working age, the 35-49 year olds most of all (land, business
and household papers), few under 25 or over 65; mostly Kinh, mostly individuals, mostly
coming in person. "Other" is rare wherever it is offered.

The shares are keyed by the codes of the shipped SIPAS questionnaire's profile; a question or
option this table does not know gets an even share (an option coded ``other`` a rare one), so
any questionnaire file still gets answers.
"""

from __future__ import annotations

# Percent of the respondents who answer the question.
SHARES: dict[str, dict[str, float]] = {
    "gender": {"male": 50.0, "female": 48.5, "other": 1.5},
    "age_group": {"under25": 9.0, "age25_34": 27.0, "age35_49": 35.0, "age50_64": 21.0, "age65plus": 8.0},
    "ethnicity": {"kinh": 86.0, "minority": 14.0},
    "education": {"primary": 7.0, "lower_secondary": 17.0, "upper_secondary": 31.0, "vocational": 17.0,
                  "university": 25.0, "postgraduate": 3.0},
    "occupation": {"public_employee": 10.0, "business": 21.0, "worker": 27.0, "farmer": 18.0, "student": 5.0,
                   "retired": 9.0, "other": 10.0},
    "respondent_type": {"individual": 88.0, "organisation": 12.0},
    "submission_channel": {"in_person": 76.0, "postal": 5.0, "online": 19.0},
}
# The weight of an unknown option coded "other" against 1 for each other unknown option.
RARE_OTHER = 0.05


def profile_weights(question: str, options: list[str]) -> list[float]:
    """A weight per option, in the options' order, for ``random.choices``."""
    known = SHARES.get(question, {})
    unknown = [RARE_OTHER if code == "other" else 1.0 for code in options]
    if all(code in known for code in options):
        return [known[code] for code in options]
    # Options the table does not know share what the known ones leave, evenly.
    left = max(0.0, 100.0 - sum(known.get(code, 0.0) for code in options)) or 100.0
    spread = sum(w for code, w in zip(options, unknown) if code not in known)
    return [known[code] if code in known else left * w / spread for code, w in zip(options, unknown)]
