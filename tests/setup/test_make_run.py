"""`make run` works where the system Python refuses `pip install` ("externally-managed-environment",
as on Debian, Ubuntu and Homebrew): its install step creates ./.venv and installs there.

The "system Python" is this test's interpreter under a ``PYTHONHOME`` of its own: a copy of
its stdlib folder made of symlinks, plus the ``EXTERNALLY-MANAGED`` marker that makes pip
refuse (PEP 668). The Makefile and a requirements file naming one tiny local wheel run in a
temporary folder, so the test is fast, offline and never touches the repository's .venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make_wheel(folder: Path) -> Path:
    """A minimal pure-Python wheel: module ``makerunprobe`` (nothing to build, no network)."""
    name, version = "makerunprobe", "1.0"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}.py": "INSTALLED = True\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
        zf.writestr(f"{dist}/RECORD", "".join(f"{p},,\n" for p in files) + f"{dist}/RECORD,,\n")
    return wheel


def _refusing_python(folder: Path) -> Path:
    """A launcher for this interpreter that is not a virtualenv and whose pip refuses installs."""
    if sys.prefix != sys.base_prefix:
        pytest.skip("needs a base interpreter (this one runs inside a virtualenv)")
    stdlib = Path(sysconfig.get_path("stdlib"))
    home = folder / "home"
    fake_stdlib = home / "lib" / stdlib.name
    fake_stdlib.mkdir(parents=True)
    for entry in stdlib.iterdir():
        if entry.name != "EXTERNALLY-MANAGED":
            (fake_stdlib / entry.name).symlink_to(entry)
    (fake_stdlib / "EXTERNALLY-MANAGED").write_text("[externally-managed]\nError=This Python is managed by the system.\n")
    launcher = folder / "python3"
    launcher.write_text(f'#!/bin/sh\nPYTHONHOME="{home}" exec "{sys.executable}" "$@"\n')
    launcher.chmod(0o755)
    return launcher


@pytest.fixture
def project(tmp_path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(ROOT / "Makefile", app / "Makefile")
    wheel = _make_wheel(tmp_path)
    (app / "requirements.txt").write_text(f"{wheel}\n")
    return app


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "PIP_USER")}
    env["PIP_NO_INDEX"] = "1"  # the one requirement is a local wheel: nothing may be downloaded
    return env


def test_install_creates_and_uses_a_venv_where_the_system_python_refuses(tmp_path, project):
    python = _refusing_python(tmp_path)
    refused = subprocess.run([str(python), "-m", "pip", "install", "-r", "requirements.txt"], cwd=project,
                             env=_env(), capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr, (
        "the stand-in system Python should refuse global installs, as Debian's does")

    done = subprocess.run(["make", "install", f"PYTHON={python}"], cwd=project, env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    venv_python = project / ".venv" / "bin" / "python"
    assert venv_python.exists(), "make install did not create .venv"
    probe = "import makerunprobe, sys; print(makerunprobe.INSTALLED, sys.prefix != sys.base_prefix)"
    assert subprocess.run([str(venv_python), "-c", probe], capture_output=True, text=True,
                          env=_env()).stdout.split() == ["True", "True"]
    outside = subprocess.run([str(python), "-c", "import makerunprobe"], capture_output=True, text=True, env=_env())
    assert outside.returncode != 0, "the requirement was installed into the system Python"

    # `make run` starts the app with the venv's Python (dry run: no server is started).
    plan = subprocess.run(["make", "-n", "run", f"PYTHON={python}"], cwd=project, env=_env(),
                          capture_output=True, text=True, timeout=60).stdout
    assert ".venv/bin/python -m streamlit run app.py" in plan
    again = subprocess.run(["make", "install", f"PYTHON={python}"], cwd=project, env=_env(),
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "creating .venv" not in again.stdout, "a second run recreated .venv"


def test_inside_a_virtualenv_make_run_uses_it_and_creates_no_venv(tmp_path, project):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "env")], check=True, timeout=120)
    python = tmp_path / "env" / "bin" / "python"
    plan = subprocess.run(["make", "-n", "run", f"PYTHON={python}"], cwd=project, env=_env(),
                          capture_output=True, text=True, timeout=60).stdout
    assert f"{python} -m pip install -q -r requirements.txt" in plan
    assert f"{python} -m streamlit run app.py" in plan
    assert ".venv/bin/python" not in plan.replace('".venv/bin/python"', "")
    assert not (project / ".venv").exists()


def test_make_test_still_installs_into_the_current_environment(project):
    plan = subprocess.run(["make", "-n", "test", f"PYTHON={sys.executable}"], cwd=project, env=_env(),
                          capture_output=True, text=True, timeout=60).stdout
    assert f"{sys.executable} -m pip install" in plan and f"{sys.executable} -m pytest" in plan
    assert ".venv" not in plan
