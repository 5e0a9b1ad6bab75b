"""Every default lives once, in config.py (issue 16): no module of the package defines a constant
named like a setting, and none reads a setting with a fallback of its own."""

from __future__ import annotations

import ast
from pathlib import Path

from survey_app.config import Defaults

PACKAGE = Path(__file__).resolve().parent.parent / "survey_app"
SETTINGS = {name for name in vars(Defaults) if name.isupper()}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name != "config.py" or path.parent != PACKAGE:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_no_module_defines_a_setting_again():
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                if isinstance(node, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name) and (target.id in SETTINGS or f"DEFAULT_{target.id}" in SETTINGS
                                                     or target.id.removeprefix("DEFAULT_") in SETTINGS):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {target.id}")
    assert found == []


def test_no_setting_is_read_with_a_fallback_of_its_own():
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                    and len(node.args) == 2 and isinstance(node.args[0], ast.Constant)
                    and node.args[0].value in SETTINGS):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.args[0].value}")
    assert found == []


def test_the_settings_issue_16_named_are_in_config():
    assert {"KIOSK_THANKS_SECONDS", "KIOSK_RATE_LIMIT", "LOGIN_RATE_LIMIT", "MIN_BREAKDOWN_RESPONSES",
            "TREND_QUARTERS"} <= SETTINGS
