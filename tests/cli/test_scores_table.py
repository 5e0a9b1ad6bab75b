"""``scores`` without ``--format json``: the readable table, one line per unit (indented under
its parent) and the overall line, with the very figures of the JSON."""

from __future__ import annotations

import json

import report_province


def test_the_table_prints_the_jsons_figures(app, runner):
    report_province.build(app)
    period = ["--from", report_province.FROM, "--to", report_province.TO]
    document = json.loads(runner.invoke(args=["scores", *period, "--format", "json"]).output)
    result = runner.invoke(args=["scores", *period])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"sipas {report_province.FROM} – {report_province.TO}"
    by_code = {line.split()[0]: line for line in lines[2:] if line and not line.startswith(("overall", " "))}
    for unit in document["units"]:
        line = by_code[unit["unit"]]
        cells = line.split()
        assert str(unit["n"]) in cells and f"{unit['index']:.1f}" in cells, line
        if unit["rank"] is not None:
            assert str(unit["rank"]) in cells
    name = lines[1].index("name")   # names are indented two spaces a level
    assert by_code["TINH"][name] != " " and by_code["SO"][name:name + 2] == "  " != by_code["SO"][name + 2]
    assert by_code["STP"][name:name + 4] == "    " != by_code["STP"][name + 4]
    overall = next(line for line in lines if line.split()[:1] == ["overall"])
    assert f"{document['overall']['index']:.1f}" in overall.split() and str(document["overall"]["n"]) in overall.split()
