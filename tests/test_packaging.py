"""A regular (non-editable) install carries the expectation suites and validates with them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import PROJECT

CHECK = (
    "import commclean, sys\n"
    "from commclean.config import ValidationConfig\n"
    "from commclean.pipeline import run_pipeline  # every subpackage ships\n"
    "from commclean.validate.suites import DEFAULT_EXPECTATIONS_DIR, load_suite\n"
    "assert str(DEFAULT_EXPECTATIONS_DIR).startswith(sys.argv[1]), DEFAULT_EXPECTATIONS_DIR\n"
    "assert load_suite('corpus', ValidationConfig())['expectations']\n"
    "print(commclean.__file__)\n"
)


@pytest.mark.slow
def test_a_built_wheel_ships_the_suites_and_validates_without_the_repository(tmp_path: Path) -> None:
    # From the tracked files alone: a build/ folder left by an earlier build must not stand in.
    source = tmp_path / "source"
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT, check=True, capture_output=True, text=True).stdout
    for name in tracked.splitlines():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheel"),
                    str(source)], check=True)
    (wheel,) = (tmp_path / "wheel").glob("commclean-*.whl")
    assert {"commclean/expectations/corpus.json", "commclean/expectations/sources.json",
            "commclean/validate/assets/jquery.min.js", "commclean/validate/assets/commclean.css"} <= set(
        zipfile.ZipFile(wheel).namelist())
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True)
    # Run from elsewhere, the installed copy first on the path: not the repository's editable one.
    ran = subprocess.run([sys.executable, "-c", CHECK, str(target)], check=True, capture_output=True, text=True,
                         cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert ran.stdout.strip().startswith(str(target))


def test_the_lock_names_no_extra_that_the_pip_of_python_3_11_cannot_resolve() -> None:
    # uv writes "lxml[html-clean]" (jusText asks for lxml[html_clean]); pip 23.2, which a fresh
    # Python 3.11 venv has, then stops with "Candidate is not for this requirement
    # lxml[html-clean,html-clean]". lxml 6's extra installs nothing: lxml_html_clean is locked itself.
    lock = (PROJECT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    assert "lxml==6.1.3" in lock and not [line for line in lock if line.startswith("lxml[")]
    assert any(line.startswith("lxml-html-clean==") for line in lock)
