"""The satisfaction report as an XLSX workbook (openpyxl, write-only so 100k responses stream).

Sheets: summary, units, criteria, expectations, responses. Indices are numbers formatted
"0.0", never text, so officers can sort and chart them; the figures are those of the scores
JSON, unrounded. Every text cell that a spreadsheet could run as a formula (= + - @, a tab or
a carriage return first) is neutralised with a leading apostrophe, as the CSV export does.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from survey_app.domain.csv_files import neutralise
from survey_app.domain.submission import Channel
from survey_app.reports.case_figures import cases_sheet
from survey_app.reports.channel_names import channel_name
from survey_app.reports.report_document import ReportDocument, flagged_share, received

INDEX = "0.0"
RATE = "0.0%"
DATE_FORMATS = {"vi": "DD/MM/YYYY", "en": "YYYY-MM-DD"}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")


def report_workbook(document: ReportDocument, responses_rows: Iterable, *, lang: str) -> bytes:
    """XLSX bytes. ``responses_rows``: a header, then one list per response
    (services.response_rows.response_rows)."""
    with force_locale(lang):
        return _build(document, responses_rows, lang)


def _build(document: ReportDocument, responses_rows: Iterable, lang: str) -> bytes:
    book = Workbook(write_only=True)
    writer = _Writer(book, lang)
    _summary(writer, document)
    _units(writer, document)
    _criteria(writer, document)
    _expectations(writer, document)
    cases_sheet(writer, document)
    _responses(writer, responses_rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Writer:
    def __init__(self, book: Workbook, lang: str):
        self.book, self.lang, self.sheet = book, lang, None

    def new_sheet(self, title: str, widths: list[int], header: list[str] | None = None):
        self.sheet = self.book.create_sheet(title=title[:31])
        for i, width in enumerate(widths):
            self.sheet.column_dimensions[_letter(i)].width = width
        if header:
            self.sheet.freeze_panes = "A2"
            self.header(header)

    def header(self, labels: list[str]) -> None:
        cells = []
        for label in labels:
            cell = WriteOnlyCell(self.sheet, value=neutralise(str(label)))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
        self.sheet.append(cells)

    def row(self, values: list, formats: dict[int, str] | None = None) -> None:
        cells = []
        for i, value in enumerate(values):
            cell = WriteOnlyCell(self.sheet, value=self.value(value))
            if formats and i in formats and isinstance(value, (int, float)):
                cell.number_format = formats[i]
            elif isinstance(value, date):
                cell.number_format = DATE_FORMATS.get(self.lang, DATE_FORMATS["en"])
            cells.append(cell)
        self.sheet.append(cells)

    @staticmethod
    def value(value):
        if isinstance(value, str):
            return neutralise(value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _low(ci):
    return ci[0] if ci else None


def _high(ci):
    return ci[1] if ci else None


def _summary(w: _Writer, document: ReportDocument) -> None:
    figures, m, scope = document.figures, document.methodology, document.scope
    w.new_sheet(_("Summary"), [44, 16, 14, 14, 14, 14])
    w.row([_("Citizen satisfaction report")])
    w.row([_("Unit"), scope.unit if scope else _("All units"), scope.name if scope else None])
    w.row([_("From"), figures.period.start])
    w.row([_("To"), figures.period.end])
    w.row([_("Questionnaire"), m.questionnaire, m.version, m.content_hash])
    w.row([_("Minimum number of responses for a rank"), m.min_ranked])
    w.row([])
    w.header([_("Figure"), _("Respondents"), _("Index"), _("Interval low"), _("Interval high"),
              _("Change"), _("Significant")])
    overall = figures.overall
    w.row([_("SIPAS index"), overall.n, overall.index.value, _low(overall.index.ci), _high(overall.index.ci),
           *_change(overall.change)], {2: INDEX, 3: INDEX, 4: INDEX, 5: INDEX})
    previous = overall.previous
    w.row([_("SIPAS index, previous period"), previous.n if previous else None, previous.value if previous else None,
           _low(previous.ci if previous else None), _high(previous.ci if previous else None)],
          {2: INDEX, 3: INDEX, 4: INDEX})
    for code, element in overall.elements.items():
        w.row([f"{code} {document.labels.elements[code]}", None, element.index.value, _low(element.index.ci),
               _high(element.index.ci), *_change(element.change)], {2: INDEX, 3: INDEX, 4: INDEX, 5: INDEX})
    if overall.weighted is not None:
        w.row([])
        w.header([_("Weighted by volumes of transactions"), _("Respondents"), _("Index"), _("Interval low"),
                  _("Interval high"), _("Design effect")])
        w.row([_("SIPAS index, weighted"), *_weighted(overall.weighted)], {1: INDEX, 2: INDEX, 3: INDEX, 4: "0.00"})


def _change(change) -> list:
    return [change.value, change.significant] if change else [None, None]


def _weighted(weighted) -> list:
    """n, index, interval and design effect of a weighted index; blanks where there is none."""
    if weighted is None:
        return [None, None, None, None, None]
    return [weighted.index.n, weighted.index.value, _low(weighted.index.ci), _high(weighted.index.ci), weighted.deff]


def _units(w: _Writer, document: ReportDocument) -> None:
    elements = list(document.labels.elements)
    weighted = document.weighted_shown
    header = [_("Unit code"), _("Unit"), _("Parent unit"), _("Respondents"), _("SIPAS index"),
              _("Interval low"), _("Interval high"), *elements, _("Rank"), _("Previous rank"), _("Rank change"),
              _("Change"), _("Significant"), _("Invitations"), _("Response rate")]
    widths = [12, 34, 12, 12, 11, 11, 11, *[8] * len(elements), 8, 10, 10, 9, 10, 11, 11]
    if weighted:
        header += [_("Weighted index"), _("Weighted interval low"), _("Weighted interval high"), _("Design effect")]
        widths += [11, 11, 11, 10]
    # Each unit's respondents by channel, and what each channel brought that was flagged as made
    # up (left out of the figures): the channels any unit of the report received something by.
    channels = list(dict.fromkeys(c.channel for u in document.figures.units for c in received(u.channels)))
    for channel in channels:
        header += [_("Respondents: %(channel)s", channel=channel_name(channel)),
                   _("Flagged: %(channel)s", channel=channel_name(channel))]
        widths += [12, 10]
    if Channel.LINK in channels:
        header.append(_("Share of open-link responses flagged"))
        widths.append(12)
    w.new_sheet(_("Units"), widths, header)
    e0 = 7
    last = e0 + len(elements) + 6
    formats = {4: INDEX, 5: INDEX, 6: INDEX, **{e0 + i: INDEX for i in range(len(elements))},
               e0 + len(elements) + 3: INDEX, last: RATE,
               **({last + 1: INDEX, last + 2: INDEX, last + 3: INDEX, last + 4: "0.00"} if weighted else {})}
    for unit in document.figures.units:
        row = [unit.unit, unit.name, unit.parent, unit.n, unit.index.value, _low(unit.index.ci),
               _high(unit.index.ci), *[unit.elements[code].index.value for code in elements], unit.rank,
               unit.previous_rank, unit.rank_change, *_change(unit.change), unit.invitations, unit.response_rate]
        if weighted:
            row += _weighted(unit.weighted)[1:]
        counts = {c.channel: c for c in unit.channels}
        for channel in channels:
            count = counts.get(channel)
            row += [count.n, count.flagged] if count else [0, 0]
        if Channel.LINK in channels:
            link = counts.get(Channel.LINK)
            formats = {**formats, len(row): RATE}
            row.append(flagged_share(link) if link else None)
        w.row(row, formats)


def _criteria(w: _Writer, document: ReportDocument) -> None:
    labels = document.labels
    w.new_sheet(_("Criteria"), [12, 30, 9, 9, 60, 10, 10, 10, 11, 11],
                [_("Unit code"), _("Unit"), _("Element"), _("Criterion"), _("Criterion text"), _("Valid answers"),
                 _("Satisfied"), _("Index"), _("Interval low"), _("Interval high")])
    for code, name, figures in _scopes(document):
        for criterion, c in figures.criteria.items():
            w.row([code, name, labels.criterion_element[criterion], criterion, labels.criteria[criterion],
                   c.index.n, c.satisfied, c.index.value, _low(c.index.ci), _high(c.index.ci)],
                  {7: INDEX, 8: INDEX, 9: INDEX})


def _expectations(w: _Writer, document: ReportDocument) -> None:
    labels = document.labels.expectations
    w.new_sheet(_("Expectations"), [12, 30, 9, 60, 12],
                [_("Unit code"), _("Unit"), _("Option"), _("Option text"), _("Share (%)")])
    for code, name, figures in _scopes(document):
        for option, share in figures.expectations.items():
            w.row([code, name, option, labels.get(option, option), share], {4: INDEX})


def _scopes(document: ReportDocument):
    """The whole report first (no unit code), then each unit."""
    yield None, _("All units in the report"), document.figures.overall
    for unit in document.figures.units:
        yield unit.unit, unit.name, unit


def _responses(w: _Writer, rows: Iterable) -> None:
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        return
    # ... the ratings and choices, the comment, the flag (services.response_rows).
    w.new_sheet(_("Responses"), [12, 12, 10, 10, 7] + [6] * (len(header) - 7) + [80, 16], list(header))
    for row in rows:
        w.sheet.append([w.value(value) if not isinstance(value, date) else _dated(w, value) for value in row])


def _dated(w: _Writer, value: date) -> WriteOnlyCell:
    cell = WriteOnlyCell(w.sheet, value=value)
    cell.number_format = DATE_FORMATS.get(w.lang, DATE_FORMATS["en"])
    return cell
