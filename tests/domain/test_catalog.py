"""The catalog: every questionnaire file of a directory, loaded and checked together."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from survey_app.domain.catalog import load_catalog, questionnaire_files
from survey_app.domain.questionnaire import QuestionnaireError

SHIPPED = Path(__file__).resolve().parents[2] / "questionnaires"


def copy_shipped(directory: Path, *names: str) -> None:
    for name in names:
        shutil.copy(SHIPPED / name, directory / name)


def catalog_problems(directory: Path, default_id: str = "sipas") -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        load_catalog(directory, default_id)
    return caught.value.problems


def test_the_shipped_directory():
    catalog = load_catalog(SHIPPED, "sipas")
    assert set(catalog.questionnaires) == {"sipas", "quick"}
    assert [q.id for q in catalog] == sorted(["quick", "sipas"])  # files are read in name order
    assert catalog.default.id == "sipas" and catalog.default_id == "sipas"
    assert catalog.get("quick").id == "quick"
    assert catalog.get("sipas2") is None


def test_the_default_may_be_another_file():
    assert load_catalog(SHIPPED, "quick").default.id == "quick"


def test_only_yaml_files_are_questionnaires(tmp_path):
    copy_shipped(tmp_path, "quick.yaml")
    shutil.copy(SHIPPED / "sipas.yaml", tmp_path / "sipas.yml")
    (tmp_path / "README.md").write_text("# not a questionnaire\n", encoding="utf-8")
    (tmp_path / "notes.yaml.bak").write_text("not: a questionnaire\n", encoding="utf-8")
    assert [p.name for p in questionnaire_files(tmp_path)] == ["quick.yaml", "sipas.yml"]
    assert set(load_catalog(tmp_path, "sipas").questionnaires) == {"sipas", "quick"}


def test_duplicate_id_across_files(tmp_path):
    copy_shipped(tmp_path, "sipas.yaml")
    shutil.copy(SHIPPED / "sipas.yaml", tmp_path / "sipas_copy.yaml")
    problems = catalog_problems(tmp_path)
    assert len(problems) == 1
    # The second file in name order is the one reported.
    assert problems[0].startswith(f"{tmp_path / 'sipas_copy.yaml'}:") and "'sipas'" in problems[0]


def test_missing_default(tmp_path):
    copy_shipped(tmp_path, "quick.yaml")
    problems = catalog_problems(tmp_path, default_id="sipas")
    assert len(problems) == 1
    assert problems[0].startswith(str(tmp_path)) and "'sipas'" in problems[0]


def test_empty_directory(tmp_path):
    problems = catalog_problems(tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith(str(tmp_path)) and "no questionnaire files" in problems[0]


def test_a_directory_without_yaml_files_is_empty(tmp_path):
    (tmp_path / "README.md").write_text("# questionnaires\n", encoding="utf-8")
    assert "no questionnaire files" in catalog_problems(tmp_path)[0]


def test_problems_of_every_file_are_reported_together(tmp_path):
    copy_shipped(tmp_path, "sipas.yaml")
    (tmp_path / "a.yaml").write_text("id: a\nversion: 1\ncolour: red\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: [b\n", encoding="utf-8")
    problems = catalog_problems(tmp_path)
    assert any(p.startswith(f"{tmp_path / 'a.yaml'}:3: ") and "colour" in p for p in problems)
    assert any(p.startswith(f"{tmp_path / 'b.yaml'}:") and "not valid YAML" in p for p in problems)
    assert not any("sipas.yaml" in p for p in problems)


def test_a_broken_default_file_is_reported_as_itself(tmp_path):
    (tmp_path / "sipas.yaml").write_text("id: sipas\nversion: 1\n", encoding="utf-8")
    problems = catalog_problems(tmp_path)
    assert all(p.startswith(f"{tmp_path / 'sipas.yaml'}:") for p in problems)


def test_earlier_versions_are_known_by_their_hash_but_never_served(tmp_path):
    copy_shipped(tmp_path, "sipas.yaml", "quick.yaml")
    (tmp_path / "earlier").mkdir()
    text = (SHIPPED / "quick.yaml").read_text(encoding="utf-8")
    assert text.count("en: Quick rating") == 1
    (tmp_path / "earlier" / "quick-before.yaml").write_text(text.replace("en: Quick rating", "en: Quick poll"),
                                                            encoding="utf-8")
    catalog = load_catalog(tmp_path, "sipas")
    current = catalog.get("quick")
    (earlier,) = catalog.earlier.values()
    assert earlier.id == "quick" and earlier.content_hash != current.content_hash
    assert earlier.text(earlier.title, "en") == "Quick poll"
    assert [q.id for q in catalog] == ["quick", "sipas"]  # served: the current files only
    assert catalog.version("quick", current.content_hash) is current
    assert catalog.version("quick", earlier.content_hash) is earlier
    assert catalog.version("quick", "0" * 64) is None
    assert catalog.version("sipas", earlier.content_hash) is None
    assert load_catalog(SHIPPED, "sipas").version("quick", earlier.content_hash) is None


def test_a_broken_earlier_version_is_reported(tmp_path):
    copy_shipped(tmp_path, "sipas.yaml")
    (tmp_path / "earlier").mkdir()
    (tmp_path / "earlier" / "old.yaml").write_text("id: old\nversion: 1\n", encoding="utf-8")
    problems = catalog_problems(tmp_path)
    assert problems and all(str(tmp_path / "earlier" / "old.yaml") in p for p in problems)
