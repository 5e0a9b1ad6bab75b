"""Build hook; the metadata lives in pyproject.toml.

The repository keeps ``questionnaires/``, ``migrations/`` and ``gunicorn.conf.py`` at its top
level, and the compiled catalogs (``.mo``) out of git. An installed wheel has no checkout
around it, so the build copies them into the package and compiles the catalogs;
``survey_app.config.bundled`` finds them there, or in the checkout when there is no copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED_FOLDERS = ("questionnaires", "migrations")
BUNDLED_FILES = ("gunicorn.conf.py",)


class BuildWithRuntimeFiles(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install reads everything in place, from the checkout
        package = Path(self.build_lib) / "survey_app"
        for name in BUNDLED_FOLDERS:
            shutil.rmtree(package / name, ignore_errors=True)
            shutil.copytree(ROOT / name, package / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.py[co]"))
        for name in BUNDLED_FILES:
            shutil.copy2(ROOT / name, package / name)
        _compile_catalogs(package / "translations")


def _compile_catalogs(translations: Path) -> None:
    # Babel is a build requirement (pyproject.toml); fuzzy entries are left out, as pybabel does.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in sorted(translations.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)


setup(cmdclass={"build_py": BuildWithRuntimeFiles})
