"""All questionnaires of a deployment, loaded once at start-up from a directory of YAML files.

Files in its ``earlier/`` folder are earlier versions of them, no longer served but still
known: an answer given to one (on a kiosk that was offline when the file changed) is stored
against the version it answered.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
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
    # (id, content hash) -> an earlier version, from the directory's earlier/ folder.
    earlier: dict[tuple[str, str], Questionnaire] = field(default_factory=dict)

    @property
    def default(self) -> Questionnaire:
        return self.questionnaires[self.default_id]

    def get(self, questionnaire_id: str) -> Questionnaire | None:
        return self.questionnaires.get(questionnaire_id)

    def version(self, questionnaire_id: str, content_hash: str) -> Questionnaire | None:
        """The version of ``questionnaire_id`` whose content hash is ``content_hash``, served
        now or earlier; None when the deployment does not know it."""
        current = self.questionnaires.get(questionnaire_id)
        if current is not None and current.content_hash == content_hash:
            return current
        return self.earlier.get((questionnaire_id, content_hash))

    def __iter__(self) -> Iterator[Questionnaire]:
        return iter(self.questionnaires.values())


def questionnaire_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.y*ml") if p.suffix in {".yaml", ".yml"})


EARLIER = "earlier"


def load_catalog(directory: Path, default_id: str) -> Catalog:
    """Load every file; raise QuestionnaireError with the problems of all files at once."""
    problems: list[str] = []
    earlier: dict[tuple[str, str], Questionnaire] = {}
    for path in questionnaire_files(directory / EARLIER):
        try:
            questionnaire = load_questionnaire(path)
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
            continue
        earlier[(questionnaire.id, questionnaire.content_hash)] = questionnaire
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
    return Catalog(questionnaires=questionnaires, default_id=default_id, earlier=earlier)
