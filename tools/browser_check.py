"""JupyterLab as a student sees it: run a lesson through the lab's own UI in a headless Chromium and check the result.

    python -m tools.browser_check [--kit DIR] [--notebook notebooks/03_autorec_movielens.ipynb] [--out build/browser]

A copy of the kit (so the working tree is never written to) is served by a headless JupyterLab on a
free localhost port with a random token, the kit's server config (saves strip outputs) and
COURSE_MODE=smoke and COURSE_DATA_DIR in the server's environment, which the kernel inherits. Chromium
(Debian's `chromium` + `chromium-driver`, driven by selenium) opens the notebook, waits for the
kernel, runs Run > Run All Cells from the menu bar and waits until the kernel is idle. It fails on
any error output, and on any stderr output outside a cell tagged raises-exception. For notebook 03 it
then checks the rating widget: it renders, a slider moves, and a click on Recommend shows a table of
films with predicted ratings on the 1-5 scale. It saves the notebook from the lab (File > Save) and
checks the saved copy holds no outputs and is still paired with its script. Screenshots and the
server log go to --out, for a human to look at.

Everything it starts (the server, the kernel, chromedriver, Chromium) is stopped at the end, by
process id. `make test-browser` runs it with --install-browser (apt-get install chromium
chromium-driver when they are missing, as root or with sudo -n) and --skip-without-browser (no
browser and no way to install one: say so and exit 0).
"""

from __future__ import annotations

import argparse
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
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

KIT = Path(__file__).resolve().parent.parent
DEFAULT_NOTEBOOK = "notebooks/03_autorec_movielens.ipynb"
#: What the copy of the kit leaves out: environments, caches, build output, runs and downloads.
NOT_COPIED = shutil.ignore_patterns(".git", ".venv*", "build", "runs", "downloads", "__pycache__", ".ipynb_checkpoints",
                                    ".pytest_cache", ".ruff_cache", "node_modules")
#: Flags without which a headless Chromium on a closed network hangs or phones home.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,1200"]
STDERR_MIME = "application/vnd.jupyter.stderr"


class CheckFailedError(Exception):
    """What a student would have seen go wrong."""


def log(message: str) -> None:
    """Progress on stdout, with the time since start."""
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {message}", flush=True)


STARTED = time.perf_counter()


def find_browser() -> tuple[str, str] | None:
    """(chromium, chromedriver) executables, or None when either is missing."""
    browser = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def install_browser(out: Path) -> str:
    """apt-get install chromium and chromium-driver, quietly (the log goes to `out`); return what happened."""
    if shutil.which("apt-get") is None:
        return "there is no apt-get here"
    if os.geteuid() == 0:
        prefix = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        return "installing them needs root, or sudo without a password"
    out.mkdir(parents=True, exist_ok=True)
    log_path = out / "apt-get.log"
    log("installing chromium and chromium-driver with apt-get ...")
    with open(log_path, "wb") as apt_log:
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"]):
            try:
                done = subprocess.run([*prefix, "env", "DEBIAN_FRONTEND=noninteractive", *command], stdout=apt_log,
                                      stderr=subprocess.STDOUT, timeout=1200)
            except subprocess.TimeoutExpired:
                return f"`{' '.join(command)}` took more than 20 minutes (see {log_path})"
            if done.returncode:
                return f"`{' '.join(command)}` failed with status {done.returncode} (see {log_path})"
    return "installed"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, condition: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise CheckFailedError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def with_outputs(folder: Path) -> set[str]:
    """The notebooks in `folder` that hold outputs or execution counts (the kit's own must not gain any)."""
    found = set()
    for path in sorted(folder.glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue  # being written by someone else right now: not ours to judge
        if any(c.get("outputs") or c.get("execution_count") for c in cells):
            found.add(path.name)
    return found


def data_dir(kit: Path) -> str | None:
    """COURSE_DATA_DIR as the kernel must see it: absolute; ../shared/datasets beside the kit when unset."""
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        path = Path(env)
        return str((path if path.is_absolute() else kit / path).resolve())
    shared = kit.parent / "shared" / "datasets"
    return str(shared.resolve()) if shared.is_dir() else None


def write_lab_settings(settings: Path) -> None:
    """User settings of the throw-away lab: no update checks, no notification toasts over the notebook."""
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"checkForUpdates": False, "doNotDisturbMode": True, "fetchNews": "false"}))


class Lab:
    """A JupyterLab server on a copy of the kit, in its own session, with throw-away Jupyter folders."""

    def __init__(self, kit: Path, copy: Path, scratch: Path) -> None:
        self.copy, self.port, self.token = copy, free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = scratch / "jupyterlab.log"
        env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "COURSE_RESULTS_DIR", "JUPYTER_TOKEN")}
        env.update({"COURSE_MODE": "smoke", "COURSE_RUNS_DIR": str(scratch / "runs"),
                    "JUPYTER_CONFIG_DIR": str(scratch / "jupyter" / "config"),
                    "JUPYTER_DATA_DIR": str(scratch / "jupyter" / "data"),
                    "JUPYTER_RUNTIME_DIR": str(scratch / "jupyter" / "runtime"),
                    "JUPYTERLAB_SETTINGS_DIR": str(scratch / "jupyter" / "settings"),
                    "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "jupyter" / "workspaces"),
                    "IPYTHONDIR": str(scratch / "ipython")})
        datasets = data_dir(kit)
        if datasets:
            env["COURSE_DATA_DIR"] = datasets
        write_lab_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={copy}", f"--config={copy / 'tools' / 'jupyter_server_config.py'}",
                   "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: read outputs from the notebook model
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self.log_file = open(self.log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(command, cwd=copy, env=env, stdout=self.log_file, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def api(self, path: str, method: str = "GET") -> Any:
        """JSON from the server's REST API (None when it does not answer)."""
        request = urllib.request.Request(f"{self.base}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                body = response.read()
        except (urllib.error.URLError, OSError):
            return None
        return json.loads(body) if body else {}

    def ready(self) -> bool:
        """True once the server answers; fails if it exited."""
        if self.process.poll() is not None:
            raise CheckFailedError(f"JupyterLab exited with status {self.process.returncode}:\n{self.log_tail()}")
        return self.api("/api/status") is not None

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server's log."""
        self.log_file.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Shut the server down (it stops its kernels); kill its process group if it does not go."""
        if self.process.poll() is None:
            self.api("/api/shutdown", method="POST")
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log_file.close()


def processes_with(predicate: Callable[[bytes, bytes], bool]) -> list[int]:
    """Ids of this user's processes whose (cmdline, environ) satisfy `predicate`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if predicate(cmdline, environ):
            found.append(int(entry.name))
    return found


def kill_leftovers(marker: str, profile: Path) -> list[int]:
    """Kill what this check started and failed to stop (all of it inherits the marker; Chromium names its profile)."""
    if not Path("/proc").is_dir():
        return []
    ours = processes_with(lambda cmd, env: f"COURSE_BROWSER_CHECK={marker}".encode() in env
                          or str(profile).encode() in cmd)
    for pid in ours:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return ours


# JavaScript run in the page. `window.jupyterapp` is JupyterLab itself (--LabApp.expose_app_in_browser).
JS_PANEL = "const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
JS_KERNEL_STATUS = JS_PANEL + """
if (!panel || !panel.sessionContext || !panel.context || !panel.context.isReady) return null;
const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
return kernel ? kernel.status : null;"""
JS_CELLS = JS_PANEL + """
return panel.content.widgets.map((cell, index) => ({
  index: index, type: cell.model.type, source: cell.model.sharedModel.getSource(),
  tags: cell.model.getMetadata('tags') || [],
  count: cell.model.type === 'code' ? cell.model.executionCount : null,
  outputs: cell.model.type === 'code' ? cell.model.outputs.toJSON() : []}));"""
JS_CELL_NODE = JS_PANEL + "return panel.content.widgets[arguments[0]].node;"


class Student:
    """Chromium, driven through chromedriver, looking at the lab."""

    def __init__(self, browser: str, driver: str, profile: Path, scratch: Path) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
            options.add_argument(flag)
        service = Service(executable_path=driver, log_output=str(scratch / "chromedriver.log"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_script_timeout(30)

    def js(self, script: str, *args: Any) -> Any:
        """Run `script` in the page and return its value."""
        return self.driver.execute_script(script, *args)

    def click_menu(self, menu: str, item: str) -> None:
        """Open `menu` in the menu bar and click `item`, as a student would."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        wait = WebDriverWait(self.driver, 20)
        wait.until(ec.element_to_be_clickable(
            (By.XPATH, f"//li[contains(@class,'lm-MenuBar-item')][.//div[normalize-space()='{menu}']]"))).click()
        wait.until(ec.element_to_be_clickable(
            (By.XPATH, f"//li[contains(@class,'lm-Menu-item')][.//div[contains(@class,'lm-Menu-itemLabel')]"
                       f"[normalize-space()='{item}']]"))).click()

    def screenshot(self, path: Path) -> None:
        """Save what the window shows."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        log(f"screenshot: {path}")

    def quit(self) -> None:
        """Close Chromium and chromedriver."""
        self.driver.quit()


def output_problems(cells: list[dict[str, Any]]) -> list[str]:
    """Error outputs, and stderr outputs outside raises-exception cells, as 'cell N: ...' lines."""
    found = []
    for cell in cells:
        expected_error = "raises-exception" in cell["tags"]
        for out in cell["outputs"]:
            if out.get("output_type") == "error" and not expected_error:
                found.append(f"cell {cell['index'] + 1}: error {out.get('ename')}: {str(out.get('evalue'))[:300]}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr" and not expected_error:
                text = "".join(out.get("text", "")) if isinstance(out.get("text"), list) else out.get("text", "")
                found.append(f"cell {cell['index'] + 1}: stderr: {text.strip()[:300]}")
    return found


def run_all(student: Student, timeout: float) -> list[dict[str, Any]]:
    """Run > Run All Cells, then wait until the kernel is idle and every code cell ran (or one failed)."""
    student.click_menu("Run", "Run All Cells")
    log("Run > Run All Cells clicked")

    def finished() -> list[dict[str, Any]] | None:
        if student.js(JS_KERNEL_STATUS) != "idle":
            return None
        cells = student.js(JS_CELLS)
        code = [c for c in cells if c["type"] == "code" and c["source"].strip()]
        failed = any(o.get("output_type") == "error" and "raises-exception" not in c["tags"] for c in code
                     for o in c["outputs"])
        return cells if failed or all(c["count"] for c in code) else None

    time.sleep(2)  # the kernel goes busy within a moment of the click
    wait_for("the notebook to finish running", finished, timeout, every=2)
    time.sleep(2)  # let the last outputs arrive, then read them again
    return student.js(JS_CELLS)


def check_rating_widget(student: Student, cells: list[dict[str, Any]], out: Path) -> list[str]:
    """The widget renders; move one slider; a click on Recommend shows films with ratings in 1-5."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    index = next((c["index"] for c in cells if "rating_widget(" in c["source"] and c["type"] == "code"), None)
    if index is None:
        raise CheckFailedError("no cell calls rating_widget(...)")
    node = student.js(JS_CELL_NODE, index)
    student.js("arguments[0].scrollIntoView({block: 'start'});", node)
    sliders = wait_for("the rating widget to render", lambda: node.find_elements(By.CSS_SELECTOR, ".widget-slider"), 30)
    buttons = [b for b in node.find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == "Recommend"]
    if not buttons:
        raise CheckFailedError("the rating widget has no Recommend button")
    log(f"rating widget: {len(sliders)} sliders and a Recommend button")
    handle = sliders[0].find_element(By.CSS_SELECTOR, ".noUi-handle")
    handle.click()
    handle.send_keys(*[Keys.ARROW_RIGHT] * 5)
    readout = sliders[0].find_element(By.CSS_SELECTOR, ".widget-readout")
    wait_for("the first slider to read 5", lambda: readout.text.strip() == "5", 10)
    buttons[0].click()
    log("Recommend clicked with the first film rated 5")
    table = wait_for("recommendations to appear",
                     lambda: node.find_elements(By.CSS_SELECTOR, ".widget-output table, .jupyter-widgets-output-area table"),
                     60)[0]
    student.js("arguments[0].scrollIntoView({block: 'start'});", node)  # the sliders, the button and the table
    student.screenshot(out / "03_rating_widget.png")
    header = [th.text.strip() for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    rows = [[td.text.strip() for td in tr.find_elements(By.CSS_SELECTOR, "td")]
            for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    problems = []
    if "predicted rating" not in header or not rows:
        problems.append(f"the recommendations table looks wrong: header {header}, {len(rows)} rows")
    else:
        column = header.index("predicted rating") - 1  # the first header cell is the index's
        ratings = [float(r[column]) for r in rows]
        log(f"{len(rows)} recommendations, predicted ratings {min(ratings):.2f} to {max(ratings):.2f}")
        if not all(1.0 <= r <= 5.0 for r in ratings):
            problems.append(f"predicted ratings outside the 1-5 scale: {ratings}")
    red = node.find_elements(By.CSS_SELECTOR, f'.widget-output [data-mime-type="{STDERR_MIME}"], '
                                              '.widget-output .jp-OutputArea-output[data-mime-type*="error"]')
    problems += [f"the widget's output shows stderr or an error: {e.text[:300]}" for e in red]
    return problems


def save_and_check(student: Student, copy: Path, notebook: str, original: bytes) -> list[str]:
    """File > Save Notebook from the lab; the saved file must have no outputs and stay paired with its script."""
    from tools.pairing import problems as pairing_problems

    saved = copy / notebook
    before = saved.stat().st_mtime_ns
    student.click_menu("File", "Save Notebook")
    wait_for("the notebook to be saved", lambda: saved.stat().st_mtime_ns != before, 30)
    time.sleep(1)  # jupytext writes the paired script in the same save
    found = pairing_problems(saved)
    same = saved.read_bytes() == original
    log("File > Save wrote the notebook " + ("exactly as it was (no outputs)" if same else "with changes")
        + (", still paired with its script" if not found else ""))
    return found


def check(kit: Path, notebook: str, out: Path, timeout: float, install: bool = False, skip_without: bool = False) -> int:
    """Run the whole check; return the exit status (0 = passed or skipped)."""
    found = find_browser()
    why = "they are not installed"
    if found is None and install:
        why = install_browser(out)
        found = find_browser()
        why = "apt-get installed them, yet they are not on PATH" if why == "installed" else why
    if found is None:
        print(f"{'SKIPPED' if skip_without else 'FAILED'}: the browser check needs chromium and chromedriver and {why}"
              " (Debian/Ubuntu, as root: apt-get install chromium chromium-driver).")
        return 0 if skip_without else 2
    browser, driver = found
    dirty_before = with_outputs(kit / "notebooks")
    marker = secrets.token_hex(8)
    os.environ["COURSE_BROWSER_CHECK"] = marker  # inherited by all it starts: the server, the kernel, the browser
    scratch = Path(tempfile.mkdtemp(prefix="kit-browser-check-"))
    profile = scratch / "chromium-profile"
    lab = student = None
    problems: list[str] = []
    try:
        copy = scratch / "kit"
        shutil.copytree(kit, copy, ignore=NOT_COPIED, symlinks=True)
        original = (copy / notebook).read_bytes()
        log(f"kit copied to {copy}")
        lab = Lab(kit, copy, scratch)
        wait_for("JupyterLab to answer", lab.ready, 90)
        log(f"JupyterLab is up on {lab.base}")
        student = Student(browser, driver, profile, scratch)
        student.driver.get(f"{lab.base}/lab/tree/{notebook}?token={lab.token}")
        wait_for("the notebook's kernel to be ready", lambda: student.js(JS_KERNEL_STATUS) == "idle", 120)
        log(f"{notebook} open, kernel idle")
        student.screenshot(out / "03_opened.png")
        cells = run_all(student, timeout)
        code = [c for c in cells if c["type"] == "code" and c["source"].strip()]
        log(f"{sum(1 for c in code if c['count'])} of {len(code)} code cells ran")
        problems += output_problems(cells)
        problems += [f"cell {c['index'] + 1} did not run" for c in code if not c["count"]]
        student.screenshot(out / "03_after_run_all.png")
        if "rating_widget(" in "".join(c["source"] for c in cells):
            problems += check_rating_widget(student, cells, out)
        problems += output_problems(student.js(JS_CELLS))  # what the click added to the notebook's outputs
        problems += save_and_check(student, copy, notebook, original)
    except CheckFailedError as err:
        problems.append(str(err))
    except Exception as err:  # selenium's own errors: report them like any other failure
        problems.append(f"{type(err).__name__}: {getattr(err, 'msg', None) or err}")  # selenium's msg has no stack
    finally:
        if student is not None:
            try:
                student.quit()
            except Exception as err:  # the browser may be gone already
                log(f"closing Chromium: {type(err).__name__}: {err}")
        if lab is not None:
            lab.stop()
            out.mkdir(parents=True, exist_ok=True)
            shutil.copy(lab.log_path, out / "jupyterlab.log")
        killed = kill_leftovers(marker, profile)
        if killed:
            problems.append(f"processes left running had to be killed: {killed}")
        shutil.rmtree(scratch, ignore_errors=True)
    saved_into_kit = with_outputs(kit / "notebooks") - dirty_before
    if saved_into_kit:
        problems.append(f"the kit's own notebooks gained outputs during the check: {sorted(saved_into_kit)}")
    # the same problem can be seen twice (before and after the click): report each once, in order
    problems = list(dict.fromkeys(problems))
    for problem in problems:
        print(f"FAIL {problem}")
    verdict = "passed" if not problems else f"FAILED ({len(problems)} problem(s))"
    log(f"browser check {verdict}; screenshots and the server log in {out}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kit", type=Path, default=KIT, help="the kit to copy and serve (default: this one)")
    parser.add_argument("--notebook", default=DEFAULT_NOTEBOOK, help="the notebook to run, relative to the kit")
    parser.add_argument("--out", type=Path, default=KIT / "build" / "browser", help="screenshots and logs")
    parser.add_argument("--timeout", type=float, default=600, help="seconds for Run All to finish")
    parser.add_argument("--install-browser", action="store_true", help="apt-get install chromium chromium-driver if missing")
    parser.add_argument("--skip-without-browser", action="store_true", help="exit 0 when there is no browser to drive")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[\w./-]+\.ipynb", args.notebook):
        parser.error(f"--notebook {args.notebook!r}: a notebook path inside the kit, like {DEFAULT_NOTEBOOK}")
    return check(args.kit.resolve(), args.notebook, args.out.resolve(), args.timeout, install=args.install_browser,
                 skip_without=args.skip_without_browser)


if __name__ == "__main__":
    sys.exit(main())
