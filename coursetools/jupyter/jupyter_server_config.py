# The course's JupyterLab terminal setting. `python -m coursetools lab-settings` (run by `make`) copies
# this file from coursetools/jupyter/ in the course repository into the environment's etc/jupyter/,
# next to course-terminal.bashrc; the other server settings (nbgrader's server extensions off, no news
# feed, no update check) are in jupyter_server_config.json there.
#
# A terminal (File > New > Terminal) should find the course's `python` first, as `make lab` arranged
# (.venv/bin first on PATH). By default Jupyter starts a login shell when it was not started from a
# terminal, and a login shell reads /etc/profile, which resets PATH; and a shell's own start-up files
# (pyenv, conda init) put other Pythons first. So a terminal runs bash with course-terminal.bashrc:
# your ~/.bashrc first, then this environment's bin/ first on PATH. Without bash: your $SHELL.
import os
import shutil

c = get_config()  # noqa: F821 (Jupyter defines get_config when it loads this file)
_bash = shutil.which("bash")
_rcfile = os.path.join(os.path.dirname(os.path.abspath(__file__)), "course-terminal.bashrc")
if _bash and os.path.exists(_rcfile):
    c.ServerApp.terminado_settings = {"shell_command": [_bash, "--rcfile", _rcfile, "-i"]}
else:
    c.ServerApp.terminado_settings = {"shell_command": [os.environ.get("SHELL") or "sh"]}
