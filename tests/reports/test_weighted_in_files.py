"""The weighted index (docs/indices.md, "Weighted index") in the PDF and the workbook, with its
interval and design effect, whenever the volumes of transactions cover the period: the very
figures of ``scores --format json``'s ``weighted``; and nowhere without volumes."""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal
from openpyxl import load_workbook

from tests.report_documents import CHANNELS, FROM, TO, build_province, make_report, pdf_text, scores_json

UNITS = ("STP", "SXD", "SCT", "X1", "X2")


def same(value):
    return None if value is None else pytest.approx(value, rel=1e-12, abs=1e-12)


def fmt(value, pattern="#,##0.0") -> str:
    return "—" if value is None else format_decimal(value, pattern, locale="en")


@pytest.fixture
def covered(app, runner, tmp_path):
    build_province(app)
    rows = ["unit,channel,period_start,period_end,count"] + [
        f"{code},{channel},{FROM},{TO},{50 + 7 * i + 3 * j}"
        for i, code in enumerate(UNITS) for j, channel in enumerate(CHANNELS)]
    path = tmp_path / "volumes.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(args=["volumes", "import", str(path)])
    assert result.exit_code == 0, result.output
    return scores_json(runner)


def test_the_pdf_prints_the_weighted_index_its_interval_and_design_effect(covered, runner, tmp_path):
    weighted = covered["overall"]["weighted"]
    assert weighted["index"] is not None and weighted["deff"] is not None
    # (a line may break after an interval's dash)
    text = " ".join(pdf_text(make_report(runner, tmp_path / "r.pdf", "--lang", "en")).split()).replace("– ", "–")
    overall = (f"{fmt(weighted['index'])} ({fmt(weighted['ci'][0])}–{fmt(weighted['ci'][1])}), "
               f"design effect {fmt(weighted['deff'], '0.00')}")
    assert f"Weighted by volumes of transactions {overall}" in text
    for unit in covered["units"]:
        if "weighted" in unit and unit["n"]:
            w = unit["weighted"]
            ci = f"{fmt(w['ci'][0])}–{fmt(w['ci'][1])}" if w["ci"] else "—"
            assert f"Weighted: {fmt(w['index'])} ({ci}), design effect {fmt(w['deff'], '0.00')}" in text, unit["unit"]
    assert "Weighted index The SIPAS index with each respondent weighted" in text   # the methodology says how


def test_the_workbook_holds_the_weighted_figures_as_numbers(covered, runner, tmp_path):
    book = load_workbook(make_report(runner, tmp_path / "r.xlsx", "--lang", "en"))
    summary = list(book["Summary"].iter_rows(values_only=True))
    row = next(r for r in summary if r[0] == "SIPAS index, weighted")
    w = covered["overall"]["weighted"]
    assert row[1:6] == (covered["overall"]["n"], same(w["index"]), same(w["ci"][0]), same(w["ci"][1]), same(w["deff"]))
    rows = book["Units"].iter_rows(values_only=True)
    header = next(rows)
    units = {r[0]: dict(zip(header, r)) for r in rows}
    for unit in covered["units"]:
        found = units[unit["unit"]]
        w = unit.get("weighted")
        if w is None:
            assert found["Weighted index"] is None
            continue
        assert (found["Weighted index"], found["Design effect"]) == (same(w["index"]), same(w["deff"]))
        assert (found["Weighted interval low"], found["Weighted interval high"]) == (
            same(w["ci"][0] if w["ci"] else None), same(w["ci"][1] if w["ci"] else None))


def test_without_volumes_no_weighted_figure_appears(app, runner, tmp_path):
    build_province(app)
    assert "weighted" not in scores_json(runner)["overall"]
    text = pdf_text(make_report(runner, tmp_path / "r.pdf", "--lang", "en"))
    assert "Weighted" not in text and "design effect" not in text
    header = next(load_workbook(make_report(runner, tmp_path / "r.xlsx", "--lang", "en"))["Units"].iter_rows(values_only=True))
    assert "Weighted index" not in header
