"""All questionnaires of a deployment, loaded once at start-up from a directory of YAML files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from survey_app.domain.questionnaire import (
    Questionnaire,
    QuestionnaireError,
    load_questionnaire,
)


@dataclass(frozen=True)
class Catalog:
    questionnaires: dict[str, Questionnaire]
    default_id: str

    @property
    def default(self) -> Questionnaire:
        return self.questionnaires[self.default_id]

    def get(self, questionnaire_id: str) -> Questionnaire | None:
        return self.questionnaires.get(questionnaire_id)

    def __iter__(self) -> Iterator[Questionnaire]:
        return iter(self.questionnaires.values())


def questionnaire_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.y*ml") if p.suffix in {".yaml", ".yml"})


def load_catalog(directory: Path, default_id: str) -> Catalog:
    """Load every file; raise QuestionnaireError with the problems of all files at once."""
    problems: list[str] = []
    questionnaires: dict[str, Questionnaire] = {}
    files = questionnaire_files(directory)
    if not files:
        raise QuestionnaireError([f"{directory}: no questionnaire files (*.yaml) found"])
    for path in files:
        try:
            questionnaire = load_questionnaire(path)
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
            continue
        if questionnaire.id in questionnaires:
            problems.append(f"{path}:1: id '{questionnaire.id}' is already used by another file")
            continue
        questionnaires[questionnaire.id] = questionnaire
    if not problems and default_id not in questionnaires:
        problems.append(f"{directory}: the default questionnaire '{default_id}' is not among "
                        f"{sorted(questionnaires)}")
    if problems:
        raise QuestionnaireError(problems)
    return Catalog(questionnaires=questionnaires, default_id=default_id)
