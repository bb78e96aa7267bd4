"""The one build step pyproject.toml cannot declare: the fixtures ship inside the package.

``keras-lint verify`` trains the programs of ``fixtures/``; an installed wheel has no checkout
beside it, so the wheel carries them as ``keras_lint/fixtures`` (where ``verify`` looks after the
checkout's own folder). The sdist carries ``fixtures/`` (MANIFEST.in), so a wheel built from it
has them too. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class BuildWithFixtures(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode or not FIXTURES.is_dir():
            return  # an editable install finds the checkout's fixtures/ itself
        target = Path(self.build_lib, "keras_lint", "fixtures")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(
            FIXTURES, target, ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]", "plots")
        )


setup(cmdclass={"build_py": BuildWithFixtures})
