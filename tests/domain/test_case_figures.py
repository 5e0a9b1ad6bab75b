"""The case figures of a unit, against values worked out by hand."""

from datetime import date

from survey_app.domain.case_figures import CaseRow, case_figures


def row(received, ack_by, answer_by, acked=None, answered=None, cause=None, resolution=None, rating=None,
        reopened=False):
    return CaseRow(received, ack_by, answer_by, acked, answered, cause, resolution, rating, reopened)


def test_figures_by_hand():
    d = date
    rows = [
        # acknowledged in time, answered in time after 4 days, rated 5
        row(d(2026, 3, 2), d(2026, 3, 3), d(2026, 3, 16), d(2026, 3, 3), d(2026, 3, 6), "fees", "yes", 5),
        # acknowledged late, answered late after 20 days, reopened, rated 2
        row(d(2026, 3, 2), d(2026, 3, 3), d(2026, 3, 16), d(2026, 3, 5), d(2026, 3, 22), "time", "no", 2, True),
        # acknowledged in time, answered in time after 9 days, not rated
        row(d(2026, 3, 4), d(2026, 3, 5), d(2026, 3, 18), d(2026, 3, 4), d(2026, 3, 13), "fees"),
        # new, its acknowledgement overdue on the 10th; answer not yet due
        row(d(2026, 3, 6), d(2026, 3, 9), d(2026, 3, 20)),
        # new, nothing due yet
        row(d(2026, 3, 10), d(2026, 3, 11), d(2026, 3, 24)),
    ]
    figures = case_figures(rows, as_of=d(2026, 3, 10))
    assert figures.received == 5
    assert (figures.acknowledged_due, figures.acknowledged_in_time) == (4, 2)
    assert figures.acknowledged_in_time_share == 50.0
    assert (figures.answered_due, figures.answered_in_time) == (3, 2)
    assert abs(figures.answered_in_time_share - 200 / 3) < 1e-12
    assert figures.answered == 3
    assert figures.median_days_to_answer == 9.0  # 4, 20, 9 days
    assert figures.causes["fees"] == 2 and figures.causes["time"] == 1 and figures.causes["other"] == 0
    assert figures.resolutions == {"yes": 1, "partly": 0, "no": 1}
    assert (figures.ratings, figures.mean_rating) == (2, 3.5)
    assert figures.reopened == 1
    assert figures.as_dict()["acknowledged_in_time"] == 50.0


def test_no_cases():
    figures = case_figures([], as_of=date(2026, 3, 10))
    assert figures.received == 0 and figures.acknowledged_in_time_share is None
    assert figures.median_days_to_answer is None and figures.mean_rating is None
