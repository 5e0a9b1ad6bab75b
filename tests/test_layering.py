"""Dependencies point one way (docs/architecture.md): the commands, the jobs, the documents and
the use cases import no module of web/, and no production code outside web/ builds a request to
reach a page's code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "survey_app"


def modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("folder", ["cli", "jobs", "reports", "services", "domain", "messaging"])
def test_no_module_below_the_web_imports_it(folder):
    found = modules(folder)
    assert found
    for path in found:
        web = sorted(name for name in imported(path) if name == "survey_app.web" or name.startswith("survey_app.web."))
        assert not web, f"{path.relative_to(PACKAGE)} imports {web}"


def test_no_request_is_built_outside_the_web():
    for folder in ("cli", "jobs", "reports", "services", "domain"):
        for path in modules(folder):
            assert "request_context" not in path.read_text(encoding="utf-8"), path.relative_to(PACKAGE)
