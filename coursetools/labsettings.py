"""Install the course's JupyterLab settings (coursetools/jupyter/) into a Python environment.

    python -m coursetools lab-settings          # into this environment; `make` runs it for .venv

What a learner gets in `make lab`: no pop-up asking about Jupyter news and no update check, and no
nbgrader instructor interface (create assignment, formgrader, assignment and course lists, the
Validate button, and nbgrader's server extensions). Files written, under the environment's prefix:

- share/jupyter/lab/settings/overrides.json: default settings (news and update checks off);
- etc/jupyter/labconfig/page_config.json: `disabledExtensions` (as `jupyter labextension disable
  --sys-prefix` would write) for nbgrader's lab extension and JupyterLab's announcements plugin;
- etc/jupyter/jupyter_server_config.json: nbgrader's server extensions off (as `jupyter server
  extension disable` would), no news feed, no update check;
- etc/jupyter/jupyter_server_config.py and course-terminal.bashrc: terminals (bash) that put this
  environment first on PATH after the user's own ~/.bashrc.

Instructors turn nbgrader's interface back on with `make lab-instructor`, which adds
coursetools/jupyter/instructor/ to JUPYTER_CONFIG_PATH (a higher priority than the environment).
Existing JSON settings are merged key by key, so running this again changes nothing.
"""
import json
import shlex
import shutil
import sys
from pathlib import Path

SETTINGS = Path(__file__).resolve().parent / "jupyter"
INSTRUCTOR = SETTINGS / "instructor"


def _merge(target, updates):
    for key, value in updates.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
    return target


def _merge_json(source, target):
    current = json.loads(target.read_text()) if target.exists() and target.read_text().strip() else {}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(_merge(current, json.loads(source.read_text())), indent=2) + "\n")
    return target


def install(prefix=None):
    """Install the settings under `prefix` (default: this environment's sys.prefix); return the paths written."""
    prefix = Path(prefix or sys.prefix)
    written = [
        _merge_json(SETTINGS / "overrides.json", prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"),
        _merge_json(SETTINGS / "page_config.json", prefix / "etc" / "jupyter" / "labconfig" / "page_config.json"),
        _merge_json(SETTINGS / "jupyter_server_config.json", prefix / "etc" / "jupyter" / "jupyter_server_config.json"),
    ]
    server_config = prefix / "etc" / "jupyter" / "jupyter_server_config.py"
    server_config.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SETTINGS / "jupyter_server_config.py", server_config)
    bashrc = server_config.parent / "course-terminal.bashrc"
    bashrc.write_text(TERMINAL_BASHRC.format(prefix=shlex.quote(str(prefix.resolve()))))
    return written + [server_config, bashrc]


TERMINAL_BASHRC = """\
# Start-up file of the course's JupyterLab terminals, written by `python -m coursetools lab-settings`:
# your own ~/.bashrc first, then the course's environment first on PATH, so that `python` and
# `python -m coursetools grade exercises/NN_topic.ipynb` are the course's.
[ -f ~/.bashrc ] && . ~/.bashrc
export VIRTUAL_ENV={prefix}
export PATH="$VIRTUAL_ENV/bin:$PATH"
"""
