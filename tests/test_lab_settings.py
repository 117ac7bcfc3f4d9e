"""The course's JupyterLab settings (coursetools/jupyter/, installed into .venv by `make`): no news
pop-up, no nbgrader instructor interface for learners, a way back for instructors, and terminals whose
`python` is the course's."""
import importlib
import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coursetools.labsettings import INSTRUCTOR, SETTINGS, install


def _nbgrader_file(suffix):
    found = [f for f in importlib.metadata.distribution("nbgrader").files or [] if str(f).replace("\\", "/").endswith(suffix)]
    assert found, f"nbgrader installs no {suffix}"
    return json.loads(found[0].read_text())


def _json(path):
    return json.loads(Path(path).read_text())


def test_every_nbgrader_server_extension_is_off_for_learners_and_on_for_instructors():
    installed = _nbgrader_file("jupyter_server_config.d/nbgrader.json")["ServerApp"]["jpserver_extensions"]
    learners = _json(SETTINGS / "jupyter_server_config.json")["ServerApp"]["jpserver_extensions"]
    instructors = _json(INSTRUCTOR / "jupyter_server_config.json")["ServerApp"]["jpserver_extensions"]
    assert learners == {name: False for name in installed}
    assert instructors == {name: True for name in installed}


def test_nbgrader_lab_extension_is_off_for_learners_and_on_for_instructors():
    name = _nbgrader_file("labextensions/@jupyter/nbgrader/package.json")["name"]
    assert _json(SETTINGS / "page_config.json")["disabledExtensions"][name] is True
    assert _json(INSTRUCTOR / "labconfig" / "page_config.json")["disabledExtensions"][name] is False


def test_no_news_question_and_no_update_check():
    notification = _json(SETTINGS / "overrides.json")["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    assert _json(SETTINGS / "page_config.json")["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"]
    lab = _json(SETTINGS / "jupyter_server_config.json")["LabApp"]
    assert lab["news_url"] is None
    module, _, name = lab["check_for_updates_class"].rpartition(".")
    assert getattr(importlib.import_module(module), name)


def test_install_writes_each_file_once_keeps_other_settings_and_can_run_again(tmp_path):
    overrides = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides.parent.mkdir(parents=True)
    overrides.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    written = install(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "etc/jupyter/course-terminal.bashrc", "etc/jupyter/jupyter_server_config.json",
        "etc/jupyter/jupyter_server_config.py", "etc/jupyter/labconfig/page_config.json",
        "share/jupyter/lab/settings/overrides.json"]
    first = {p: p.read_bytes() for p in written}
    assert _json(overrides)["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert _json(overrides)["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    install(tmp_path)
    assert {p: p.read_bytes() for p in written} == first


def test_a_terminal_runs_bash_with_the_course_environment_first_on_path(tmp_path):
    install(tmp_path)
    config = tmp_path / "etc" / "jupyter" / "jupyter_server_config.py"
    from traitlets.config import Config
    c = Config()
    exec(compile(config.read_text(), str(config), "exec"), {"get_config": lambda: c, "__file__": str(config)})
    command = c.ServerApp.terminado_settings["shell_command"]
    assert command[1:] == ["--rcfile", str(config.parent / "course-terminal.bashrc"), "-i"]
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python").write_text("#!/bin/sh\necho the course python\n")
    (tmp_path / "bin" / "python").chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text('export PATH="/usr/bin:$PATH"  # a user who puts another python first\n')
    env = {"HOME": str(home), "PATH": os.environ["PATH"], "TERM": "dumb"}
    out = subprocess.run(command + ["-c", "python"], env=env, capture_output=True, text=True, timeout=30)
    assert out.stdout.strip().splitlines()[-1] == "the course python", out


def test_the_course_environment_has_the_settings_installed():
    # `make` installs them into .venv (the .venv/.lab-settings target; a changed source file re-installs them);
    # a conda environment gets them from `python -m coursetools lab-settings` (README)
    for source, target in [("jupyter_server_config.py", "etc/jupyter/jupyter_server_config.py")]:
        installed = Path(sys.prefix) / target
        assert installed.is_file() and installed.read_text() == (SETTINGS / source).read_text(), \
            f"{installed} is missing or stale: run `python -m coursetools lab-settings` in this environment"
    page_config = _json(Path(sys.prefix) / "etc" / "jupyter" / "labconfig" / "page_config.json")
    assert page_config["disabledExtensions"]["@jupyter/nbgrader"] is True
    server = _json(Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.json")
    assert not any(server["ServerApp"]["jpserver_extensions"].values())
