"""A real browser does what a learner does in `make lab`, and checks what the learner sees.

    make test-browser                        # or: .venv/bin/python tests/browser/check_lab.py

It starts JupyterLab with `make lab` itself (the course's settings, the repository root, chapter 00 as
the first page) on a free port of 127.0.0.1 with a token, and drives Debian's chromium with playwright
(no browser download; CHROMIUM=/path/to/chromium picks another one):

1. chapter 00 opens first; Run > Run All Cells; the environment check prints its OK line;
2. there is no nbgrader instructor interface (menu, Validate button, formgrader) and no news pop-up;
3. the file browser goes to the root; a double-click opens exercises/, another exercises/03_autograd.ipynb;
4. question 1's answer (from solutions/) is typed into its `# YOUR CODE HERE` cell; Ctrl+S saves it;
5. the notebook's last cell grades the saved file, and the table says `q1_softplus  N / N  pass`;
6. in a JupyterLab terminal, `python` is the course's and `python -m coursetools grade ...` grades;
7. at no point was a dialog (.jp-Dialog: kernel or server errors, questions) or a notification shown.

It prints one line per check, saves screenshots in .browser-test/ (git-ignored) for a person to look
at, exits 1 when a check fails, and stops JupyterLab at the end. The exercise and chapter 00 are the
repository's own files (what `make lab` serves); the test puts back their bytes, and their
.ipynb_checkpoints, when it ends. A fresh JupyterLab user-settings and workspaces folder stands in for
a first-time learner, so your own layout and settings are neither used nor changed.
"""
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / ".browser-test"
CHAPTER = "notebooks/00_start_here.ipynb"
EXERCISE = "exercises/03_autograd.ipynb"
SOLUTION = REPO / "solutions" / "03_autograd.ipynb"
QUESTION = "q1_softplus"
FULL_ROW = r"(\d+) / \1"  # the question's full points, whatever the exercise gives it (`2 / 2`)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIME_LIMIT = 180  # seconds, the whole test

# Records every dialog and notification toast that ever appears, before any page script runs.
WATCH_POPUPS = """
window.__popups = [];
new MutationObserver(() => {
  for (const el of document.querySelectorAll('.jp-Dialog, .Toastify__toast, .jp-Notification-Toast')) {
    if (!el.__seen) {
      el.__seen = true;
      window.__popups.push({kind: el.className, text: (el.innerText || '').slice(0, 300)});
    }
  }
}).observe(document, {childList: true, subtree: true});
"""


class Checks:
    def __init__(self):
        self.failed = []
        self.start = time.monotonic()

    def __call__(self, ok, what, detail=""):
        print(f"{'PASS' if ok else 'FAIL'}  {what}" + (f": {detail}" if detail else ""), flush=True)
        if not ok:
            self.failed.append(what)
        return ok

    def elapsed(self):
        return time.monotonic() - self.start


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def snapshot(paths):
    """Bytes of each file (None when missing), so that the test can put them back."""
    return {p: (p.read_bytes() if p.is_file() else None) for p in paths}


def restore(saved):
    changed = []
    for path, data in saved.items():
        now = path.read_bytes() if path.is_file() else None
        if now == data:
            continue
        changed.append(path)
        if data is None:
            path.unlink()
            if path.parent.name == ".ipynb_checkpoints" and not any(path.parent.iterdir()):
                path.parent.rmdir()
        else:
            path.write_bytes(data)
    return changed


def start_lab(port, token, scratch, log):
    args = [f"--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--LabApp.user_settings_dir={scratch / 'user-settings'}", f"--LabApp.workspaces_dir={scratch / 'workspaces'}"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    command = [os.environ.get("MAKE", "make"), "--no-print-directory", "-C", str(REPO), "lab", "LAB_ARGS=" + " ".join(args)]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"`make lab` exited with status {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2):
                return proc, command
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer on port {port} within 90 s; see {log.name}")


def stop_lab(proc):
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # make and the JupyterLab it started (and their kernels)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def answer_for(question):
    """The solution's code for one question, without nbgrader's markers: what a learner would type."""
    nb = nbformat.read(SOLUTION, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == question)
    return "\n".join(line for line in cell.source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


def cell_source_on_disk(path, grade_id):
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in the active tab


def prompts(page):
    """The execution prompts of the current notebook's code cells: '[1]:', '[*]:', '[ ]:'."""
    return page.locator(f"{CURRENT} .jp-CodeCell .jp-InputPrompt").evaluate_all(
        "els => els.map(e => e.textContent.replace(/\\s/g, ''))")


def wait_for_kernel(port, token, path, timeout=60):
    """Until the notebook at `path` has a started kernel, idle, that the page is connected to."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sessions?token={token}", timeout=5) as response:
            for session in json.load(response):
                kernel = session.get("kernel") or {}
                if session.get("path") == path and kernel.get("execution_state") == "idle" and kernel.get("connections"):
                    return True
        time.sleep(0.3)
    return False


def wait_until_idle(page, timeout=120):
    """Until no code cell of the current notebook is running or queued ([*]) and its kernel is idle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        idle = page.locator(f"{CURRENT} .jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        if idle and "[*]:" not in prompts(page):
            return True
        time.sleep(0.5)
    return False


def exactly(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def file_item(page, name):
    """A row of the file browser's listing, by its name."""
    return page.locator(".jp-DirListing-item", has=page.locator(".jp-DirListing-itemText", has_text=exactly(name)))


def current_tab(page):
    return page.locator(".lm-DockPanel .lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel").first


def menu_bar_item(page, label):
    return page.locator(".lm-MenuBar-item", has_text=exactly(label)).first


def learner_session(page, check, port, token, shot):
    """What a learner does, step by step; each check prints its line."""
    # 1. The first page is chapter 00.
    page.goto(f"http://127.0.0.1:{port}/?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    current = current_tab(page).inner_text()
    check(current == Path(CHAPTER).name and page.url.split("?")[0].endswith("/lab/tree/" + CHAPTER),
          f"the first page is chapter 00 ({check.elapsed():.0f} s)", f"tab {current!r}, {page.url.split('?')[0]}")
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    disabled = config.get("disabledExtensions", [])
    check("@jupyter/nbgrader" in disabled, "page config disables nbgrader's lab extension", str(disabled))
    check(config.get("news", {}).get("disabled") is True, "page config turns the news feed off", str(config.get("news")))
    check(wait_for_kernel(port, token, CHAPTER) and wait_until_idle(page, 30), "chapter 00's kernel starts")
    shot("01_chapter00_opened.png")

    # 2. Run > Run All Cells; the environment check's OK line appears.
    menu_bar_item(page, "Run").click()
    page.click(".lm-Menu-item[data-command='runmenu:run-all']")
    ok_line = page.locator(".jp-OutputArea-output:has-text('environment OK')")
    try:
        ok_line.first.wait_for(timeout=90_000)
    except Exception:
        pass
    check(ok_line.count() == 1, f"Run > Run All Cells prints the environment check's OK line ({check.elapsed():.0f} s)")
    ran = wait_until_idle(page, 90)
    executed = prompts(page)
    unran = sum(p in ("[]:", "[ ]:", "") for p in executed)
    errors = page.locator(f"{CURRENT} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    error_text = " ".join(e.text_content()[-200:] for e in errors.all())
    check(ran and not unran and "Error" not in error_text,
          f"chapter 00 runs to the end without an error ({len(executed)} code cells)",
          f"{unran} code cell(s) did not run; stderr: {error_text!r}" if unran or "Error" in error_text else "")
    if ok_line.count():
        ok_line.first.scroll_into_view_if_needed()
    shot("02_chapter00_environment_ok.png")

    # 3. No nbgrader instructor interface anywhere a learner looks.
    menus = page.locator(".lm-MenuBar-item").all_inner_texts()
    check(not any("nbgrader" in m.lower() for m in menus), "no Nbgrader menu", " ".join(menus))
    toolbar = " ".join(page.locator(".jp-NotebookPanel-toolbar").all_inner_texts())
    check("Validate" not in toolbar and page.locator("[data-command*='nbgrader'], .nbgrader-ValidateButton").count() == 0,
          "no nbgrader Validate button or command in the notebook toolbar")
    side_tabs = page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all("tabs => tabs.map(t => t.title || t.innerText)")
    check(not any(word in " ".join(side_tabs) for word in ("Assignment", "Course", "Formgrader")),
          "no nbgrader Assignments/Courses panels in the side bars", str(side_tabs))
    menu_bar_item(page, "View").click()  # the command palette lists every command there is
    page.click(".lm-Menu-item[data-command='apputils:activate-command-palette']")
    palette_input = page.locator(".lm-CommandPalette-input:visible").first
    found = {}
    for query in ("Run All Cells", "nbgrader", "formgrader", "assignment", "validate"):
        palette_input.fill(query)
        page.wait_for_timeout(300)
        found[query] = page.locator(".lm-CommandPalette-item:visible .lm-CommandPalette-itemLabel").all_inner_texts()
    page.keyboard.press("Escape")
    nbgrader_hits = [label for query in ("nbgrader", "formgrader", "assignment", "validate") for label in found[query]]
    check(bool(found["Run All Cells"]) and not nbgrader_hits,
          "the command palette finds Run All Cells and no nbgrader command (formgrader, assignment, validate)",
          f"found {nbgrader_hits}" if nbgrader_hits else "")

    # 4. The file browser: to the root, double-click exercises/, double-click the exercise.
    page.click(".jp-BreadCrumbs-home")
    file_item(page, "exercises").dblclick()
    exercise_item = file_item(page, "03_autograd.ipynb")
    exercise_item.wait_for()
    shot("03_file_browser_exercises.png")
    exercise_item.dblclick()
    page.locator(".lm-DockPanel .lm-TabBar-tab.jp-mod-current", has_text="03_autograd.ipynb").wait_for()
    question = page.locator(f"{CURRENT} .jp-CodeCell:has-text('def softplus(x):'):has-text('YOUR CODE HERE')")
    question.first.wait_for()
    check(question.count() == 1, f"the file browser opens {EXERCISE} ({check.elapsed():.0f} s)")
    check(wait_for_kernel(port, token, EXERCISE) and wait_until_idle(page, 30), "the exercise's kernel starts")

    # 5. Type question 1's answer into its cell and save with Ctrl+S.
    answer = answer_for(QUESTION)
    index = page.locator(f"{CURRENT} .jp-CodeCell").evaluate_all(
        "cells => cells.findIndex(c => c.textContent.includes('def softplus(x):'))")
    question = page.locator(f"{CURRENT} .jp-CodeCell").nth(index)  # stays this cell once the text changes
    editor = question.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(answer)
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    try:
        page.wait_for_selector(".jp-mod-current.jp-mod-dirty", state="detached", timeout=20_000)
    except Exception:
        pass
    on_disk = cell_source_on_disk(REPO / EXERCISE, QUESTION)
    check(on_disk.strip() == answer.strip(), "Ctrl+S saves the typed answer to the file",
          "" if on_disk.strip() == answer.strip() else f"the saved cell is {on_disk!r}")
    question.scroll_into_view_if_needed()
    shot("04_exercise_answer_typed.png")

    # 6. Run the notebook's last cell, which grades the saved file, and read the table.
    grading_cell = page.locator(f"{CURRENT} .jp-CodeCell").last
    check("-m coursetools grade" in grading_cell.text_content(), "the exercise's last cell is the grading cell")
    grading_cell.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")  # run it, stay there (Shift+Enter would add a cell below)
    table = grading_cell.locator(".jp-OutputArea-output:has-text('total')")
    try:
        table.first.wait_for(timeout=120_000)
    except Exception:
        pass
    text = table.first.inner_text() if table.count() else ""
    row = re.search(rf"^{QUESTION}\s+{FULL_ROW}\s+pass\s*$", text, re.M)
    check(bool(row), f"grading from the notebook prints `{row.group(0).strip() if row else QUESTION + '  N / N  pass'}` "
          f"({check.elapsed():.0f} s)", "" if row else f"output: {text[-600:]!r}")
    total = re.search(r"^total\s+\S+ / \S+.*$", text, re.M)
    check(bool(total), f"the table ends with `{re.sub(r'  +', '  ', total.group(0)) if total else 'total  X / Y'}`")
    if table.count():
        table.first.scroll_into_view_if_needed()
    shot("05_grade_table.png")

    # 6b. Save again, outputs and all: what JupyterLab writes must not make `make test`'s checks fail.
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    try:
        page.wait_for_selector(".lm-DockPanel .lm-TabBar-tab.jp-mod-current.jp-mod-dirty", state="detached", timeout=20_000)
    except Exception:
        pass
    saved_nb = nbformat.read(REPO / EXERCISE, as_version=4)
    stored = nbformat.read(SOLUTION, as_version=4).metadata.get("kernelspec", {}).get("display_name")
    written = saved_nb.metadata.get("kernelspec", {}).get("display_name")
    outputs = sum(len(c.get("outputs", [])) for c in saved_nb.cells if c.cell_type == "code")
    checks = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_exercises.py",
                             "-k", "up_to_date or leak"], cwd=REPO, capture_output=True, text=True)
    summary = (checks.stdout.strip().splitlines() or [""])[-1]
    check(checks.returncode == 0, f"saved by JupyterLab (kernelspec {stored!r} -> {written!r}, {outputs} output(s), "
          f"an answer), the exercise passes test_exercises.py's staleness and leak tests", summary)

    # 7. A terminal (File > New > Terminal): the course's python, and the learner's two grading commands.
    menu_bar_item(page, "File").click()
    page.hover(".lm-Menu-item:has-text('New')")
    page.click(".lm-Menu-item[data-command='terminal:create-new']")
    page.wait_for_selector(".jp-Terminal .xterm-helper-textarea")
    page.wait_for_timeout(1500)
    result = OUT / "terminal.txt"
    result.unlink(missing_ok=True)
    page.locator(".jp-Terminal .xterm-helper-textarea").last.focus()
    page.keyboard.type(f"clear; {{ pwd; which python; python -m coursetools grade {EXERCISE}; echo \"exit status $?\"; "
                       f"make grade NB={EXERCISE}; echo \"exit status $?\"; }} 2>&1 | tee {result.relative_to(REPO)}\n")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and (result.read_text() if result.exists() else "").count("exit status") < 2:
        time.sleep(0.5)
    out = result.read_text() if result.exists() else ""
    lines = out.splitlines() + ["", ""]
    check(Path(lines[0]) == REPO, "a JupyterLab terminal starts at the repository root", lines[0])
    check(Path(lines[1]) == REPO / ".venv" / "bin" / "python", "a JupyterLab terminal's `python` is the course's", lines[1])
    tables = out.split("exit status")
    learner = re.search(rf"^{QUESTION}\s+{FULL_ROW}\s+pass", tables[0], re.M)
    check(bool(learner) and "exit status 1" in out, f"`python -m coursetools grade {EXERCISE}` in the terminal prints "
          f"the table and exits 1 while a question fails ({check.elapsed():.0f} s)", "" if learner else repr(out[-300:]))
    made = tables[1] if len(tables) > 2 else ""
    noise = [l for l in made.splitlines() if re.match(r"make(\[\d+\])?: ", l) or "Entering directory" in l]
    check(bool(re.search(rf"^{QUESTION}\s+{FULL_ROW}\s+pass", made, re.M)) and not noise and "exit status 0" in out,
          f"`make grade NB={EXERCISE}` prints the table and a last line, without make's error noise",
          (made.strip().splitlines() or [""])[-1] if not noise else f"noise: {noise}")
    page.wait_for_timeout(500)
    shot("06_terminal.png")



def main():
    from playwright.sync_api import sync_playwright

    check = Checks()
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    if not check(Path(CHROMIUM).exists(), f"chromium is at {CHROMIUM}",
                 "" if Path(CHROMIUM).exists() else "install it (apt-get install chromium) or set CHROMIUM=..."):
        return 1
    watched = [REPO / CHAPTER, REPO / EXERCISE]
    watched += [p.parent / ".ipynb_checkpoints" / f"{p.stem}-checkpoint.ipynb" for p in list(watched)]
    saved = snapshot(watched)
    port, token = free_port(), secrets.token_hex(16)
    scratch = Path(tempfile.mkdtemp(prefix="course-lab-"))
    log = open(OUT / "jupyterlab.log", "w")
    proc = None
    try:
        proc, command = start_lab(port, token, scratch, log)
        check(True, f"`make lab` serves JupyterLab on 127.0.0.1:{port} with a token ({check.elapsed():.0f} s)",
              " ".join(command[:-1]) + f" '{command[-1]}'")
        listing = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}"))
        names = {item["name"] for item in listing["content"]}
        check({"notebooks", "exercises", "solutions", "Makefile"} <= names, "it serves the repository root",
              ", ".join(sorted(n for n in names if not n.startswith("."))))
        check(http_status(f"http://127.0.0.1:{port}/formgrader?token={token}") == 404,
              "nbgrader's server extensions are off (GET /formgrader is 404)")
        with sync_playwright() as playwright:
            args = ["--disable-dev-shm-usage"] + (["--no-sandbox"] if os.geteuid() == 0 else [])
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(60_000)
            page.add_init_script(WATCH_POPUPS)
            shot = lambda name: page.screenshot(path=str(OUT / name))
            try:
                learner_session(page, check, port, token, shot)
            except Exception as err:
                lines = [l.strip() for l in str(err).splitlines() if l.strip()]
                waiting = [l for l in lines if l.startswith("- waiting for")][:1]  # which element never appeared
                check(False, "the learner's session ran to its end", f"{type(err).__name__}: " + " ".join(lines[:1] + waiting))
                shot("failure.png")
            popups = page.evaluate("window.__popups")
            check(not popups, "no dialog or notification appeared at any point",
                  "; ".join(f"{p['kind']}: {p['text']!r}" for p in popups))
            browser.close()
    except Exception as err:
        check(False, "the test ran to its end", f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
    finally:
        stop_lab(proc)
        log.close()
        shutil.rmtree(scratch, ignore_errors=True)
        put_back = restore(saved)
        check(snapshot(watched) == saved, "the repository's notebooks are as they were",
              "put back " + ", ".join(str(p.relative_to(REPO)) for p in put_back) if put_back else "untouched")
    check(proc is None or proc.poll() is not None, "JupyterLab is stopped")
    check(check.elapsed() <= TIME_LIMIT, f"the test took {check.elapsed():.0f} s (at most {TIME_LIMIT} s)")
    print(f"screenshots and JupyterLab's log: {OUT.relative_to(REPO)}/")
    if check.failed:
        print(f"{len(check.failed)} check(s) failed: " + "; ".join(check.failed))
        return 1
    print("all browser checks pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
