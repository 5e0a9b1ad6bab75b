"""`flask --app survey_app questionnaires check`, run for real, and the app refusing bad files.

The command must work precisely when the files are broken, i.e. when create_app() fails, so
it is run as a subprocess the way an administrator runs it, not through the app's CLI runner.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from survey_app import create_app
from survey_app.domain.questionnaire import QuestionnaireError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = PROJECT_ROOT / "questionnaires"
FLASK = Path(sys.executable).parent / "flask"  # the virtualenv's flask, next to its python
PROBLEM_LINE = re.compile(r"^(?P<file>.+\.ya?ml):(?P<line>\d+): (?P<message>.+)$")


@pytest.fixture
def directory(tmp_path) -> Path:
    """A copy of the shipped questionnaire files."""
    target = tmp_path / "questionnaires"
    target.mkdir()
    for path in SHIPPED.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return target


def check(directory: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SURVEY_APP_", "FLASK_"))}
    env["SURVEY_APP_QUESTIONNAIRE_DIR"] = str(directory)
    env["SURVEY_APP_SECRET_KEY"] = "x"  # so that the command writes no key into instance/
    return subprocess.run(
        [str(FLASK), "--app", "survey_app", "questionnaires", "check"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def problems_of(result: subprocess.CompletedProcess) -> list[re.Match]:
    """The file:line: message lines on stderr; every line of stderr must be one."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    matches = [PROBLEM_LINE.match(line) for line in lines]
    assert lines and all(matches), result.stderr
    return matches


def line_of(path: Path, text: str) -> int:
    """1-based number of the line of ``path`` that contains ``text``."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_the_shipped_files_pass(directory):
    result = check(directory)
    assert result.returncode == 0, result.stderr
    assert "sipas" in result.stdout and "quick" in result.stdout
    assert str(directory) in result.stdout
    assert "Traceback" not in result.stderr


def test_a_broken_file_next_to_the_good_ones(directory):
    (directory / "broken.yaml").write_text(
        "id: broken\n"
        "version: 1\n"
        "colour: red\n",
        encoding="utf-8",
    )
    result = check(directory)
    assert result.returncode == 1
    problems = problems_of(result)
    assert {m["file"] for m in problems} == {str(directory / "broken.yaml")}
    assert any(m["line"] == "3" and "colour" in m["message"] for m in problems)


def test_a_mistake_in_the_shipped_sipas_file(directory):
    sipas = directory / "sipas.yaml"
    text = sipas.read_text(encoding="utf-8")
    first, second = line_of(sipas, "- code: TT4"), line_of(sipas, "- code: TT5")
    sipas.write_text(text.replace("- code: TT5", "- code: TT4"), encoding="utf-8")
    result = check(directory)
    assert result.returncode == 1
    [problem] = problems_of(result)
    assert problem["file"] == str(sipas) and problem["line"] == str(second)
    assert "TT4" in problem["message"] and f"line {first}" in problem["message"]


def test_every_problem_of_every_file_is_listed(directory):
    (directory / "a.yaml").write_text("id: [a\n", encoding="utf-8")
    quick = directory / "quick.yaml"
    quick.write_text(quick.read_text(encoding="utf-8").replace("satisfied_from: 3", "satisfied_from: 4"),
                     encoding="utf-8")
    result = check(directory)
    assert result.returncode == 1
    problems = problems_of(result)
    assert {m["file"] for m in problems} == {str(directory / "a.yaml"), str(quick)}
    assert any(m["file"] == str(quick) and m["line"] == str(line_of(quick, "satisfied_from"))
               for m in problems)


def test_a_key_yaml_reads_as_a_boolean_is_a_message_not_a_traceback(directory):
    (directory / "broken.yaml").write_text("id: broken\nno: 1\n", encoding="utf-8")
    result = check(directory)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert any(m["line"] == "2" for m in problems_of(result))


def test_an_empty_directory(tmp_path):
    result = check(tmp_path)
    assert result.returncode == 1
    assert str(tmp_path) in result.stderr and "Traceback" not in result.stderr


def test_create_app_refuses_an_invalid_directory(directory):
    config = {"QUESTIONNAIRE_DIR": str(directory), "SECRET_KEY": "x",
              "DATABASE_URL": "sqlite://", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    assert create_app(config).extensions["survey_catalog"].default.id == "sipas"

    (directory / "broken.yaml").write_text("id: broken\nversion: 1\ncolour: red\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        create_app(config)
    assert caught.value.problems
    assert all(p.startswith(f"{directory / 'broken.yaml'}:") for p in caught.value.problems)
