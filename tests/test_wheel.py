"""The wheel runs outside a checkout: it carries the questionnaires, the migrations and the
compiled catalogs, and the app finds them from any working directory.

One test, a few seconds: it builds the wheel from a copy of the tree (as a clean clone has it,
without compiled catalogs) and runs the unpacked wheel, never the checkout, from elsewhere.
"""

from __future__ import annotations

import gettext
import html
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# What a clean clone does not have; the build must not depend on any of it.
_NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "instance", "build", "*.egg-info", "__pycache__", "*.py[co]", "*.mo",
    "test-results", ".pytest_cache", ".hypothesis", "node_modules",
)

# Run inside the unpacked wheel: the survey page of a unit imported through the CLI.
_SURVEY_PAGE = """
import json, sys
from survey_app import create_app
app = create_app()
result = app.test_cli_runner().invoke(args=["units", "import", sys.argv[1]])
assert result.exit_code == 0, result.output
page = app.test_client().get("/u/STP")
print(json.dumps({"status": page.status_code, "page": page.get_data(as_text=True),
                  "instance": app.instance_path, "secret_key": app.config["SECRET_KEY"]}))
"""


@pytest.mark.nightly
def test_the_wheel_carries_its_files_and_runs_from_any_directory(tmp_path):
    source = tmp_path / "clone"
    shutil.copytree(PROJECT_ROOT, source, ignore=_NOT_IN_A_CLONE)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(wheels), str(source)], check=True, cwd=tmp_path)
    (wheel,) = wheels.glob("survey_app-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "unpacked")
    installed = tmp_path / "unpacked" / "survey_app"

    expected = {f"survey_app/questionnaires/{p.name}" for p in (PROJECT_ROOT / "questionnaires").glob("*.yaml")}
    expected |= {f"survey_app/migrations/{p.relative_to(PROJECT_ROOT / 'migrations').as_posix()}"
                 for p in (PROJECT_ROOT / "migrations").rglob("*")
                 if p.is_file() and p.suffix != ".pyc" and "__pycache__" not in p.parts}
    expected.add("survey_app/gunicorn.conf.py")
    assert "survey_app/migrations/env.py" in expected and len(expected) > 8
    assert expected <= names, sorted(expected - names)

    # Every translated message of every .po comes out of the wheel's .mo.
    po_files = sorted((PROJECT_ROOT / "survey_app" / "translations").glob("*/LC_MESSAGES/messages.po"))
    assert po_files
    for po_path in po_files:
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        mo_path = installed / po_path.relative_to(PROJECT_ROOT / "survey_app").with_suffix(".mo")
        with mo_path.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        translated = [m for m in catalog if m.id and isinstance(m.id, str) and m.string and not m.fuzzy]
        assert len(translated) > 100
        assert [compiled.gettext(m.id) for m in translated] == [m.string for m in translated]

    # From another directory, with PYTHONPATH on the unpacked wheel and the default instance.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    units_csv = elsewhere / "units.csv"
    units_csv.write_text("code,name,parent\nSTP,Sở Tư pháp,\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEY_APP_")}
    env["PYTHONPATH"] = str(tmp_path / "unpacked")

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, *args], check=False, cwd=elsewhere, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    upgraded = run("-m", "flask", "--app", "survey_app", "db", "upgrade")
    assert "Running upgrade  -> " in upgraded
    checked = run("-m", "flask", "--app", "survey_app", "questionnaires", "check")
    assert f"files checked in {installed / 'questionnaires'}" in checked

    shown = json.loads(run("-c", _SURVEY_PAGE, str(units_csv)).splitlines()[-1])
    assert shown["status"] == 200
    with (PROJECT_ROOT / "survey_app/translations/vi/LC_MESSAGES/messages.po").open("rb") as handle:
        vietnamese = read_po(handle).get("What should improve").string
    assert vietnamese and html.escape(vietnamese) in shown["page"]
    instance = tmp_path / "unpacked" / "instance"
    assert shown["instance"] == str(instance)
    assert (instance / "survey_app.sqlite").is_file()
    assert (instance / "secret_key").read_text().strip() == shown["secret_key"]
