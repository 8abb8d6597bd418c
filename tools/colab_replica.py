"""`make test-colab`: run the kit the way a student's Colab runtime runs it, on this machine.

    python -m tools.colab_replica [--runtime current|2026.07] [--python PY] [--keep] [--skip-notebooks]
                                  [--skip-benchmarks] [--env-only] [--mode smoke|lecture|full] [--only NN ...]

`--runtime` picks the Colab runtime: `current` (tools/colab/constraints.txt, .venv-colab/) or a
past runtime that a notebook can pin (tools/colab/constraints-2026.07.txt, .venv-colab-2026.07/).
The steps below name the current runtime's files.

1. Builds `.venv-colab/` with Colab's package versions: Python 3.X as Colab's (from the header of
   tools/colab/constraints.txt; pyenv's or `python3.X` on PATH, else the default python3) and
   `pip install -c tools/colab/constraints.txt -r requirements-dev.txt`. Where one of our lower
   bounds is above Colab's pin, Colab's pin wins (the bound is dropped and the change printed);
   test-only tools Colab lacks (nbval, ruff) keep their bounds, and pip picks releases of them
   that fit Colab's pins. A stamp (`.venv-colab/.installed`) skips all this when nothing changed.
2. Lays out a Colab runtime in a temporary folder: `drive/MyDrive/ae-recsys-kit/` (the students'
   edition that `make student` writes, as a student puts it on Drive; `--edition instructors`: a
   copy of the kit itself, `git ls-files -co --exclude-standard`) and `content/<notebook>/` (each kernel's working
   folder, its runtime's /content: every Colab notebook has its own runtime). Every kernel starts with an IPython
   startup file that imports a stand-in `google.colab` (tools/colab/stub) and changes to its /content;
   `drive.mount(<content>/drive)` links `<content>/drive/MyDrive` to the replica Drive, which all share.
3. Runs every notebooks/NN_*.ipynb of the copy in smoke mode (`--mode` for another) with
   `pytest --nbval-lax`; a cell that writes to stderr fails (tools/nbval_outputs.py), so does, in
   the students' edition, an exercise check that does not report "not answered", and the
   executed notebooks are kept in build/colab-replica/notebooks-<mode>/. Then the
   version-sensitive unit tests (VERSION_TESTS) in the Colab environment.
4. Runs the version-sensitive benchmarks in full mode in both .venv and .venv-colab and writes
   the side-by-side figures to build/colab-replica/benchmarks.md and .json. Figures are
   reported, not asserted (the unit tests assert).

Exits non-zero when the environment cannot be built, a notebook or test fails, or a benchmark
command fails.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tools" / "colab"
STUB = HERE / "stub"
STARTUP = HERE / "ipython_startup.py"
DEV_VENV = ROOT / ".venv"
#: The runtime being replicated (`use_runtime`): Colab's current one by default, or a past one a notebook can pin.
RUNTIME = "current"
CONSTRAINTS = HERE / "constraints.txt"
VENV = ROOT / ".venv-colab"
STAMP = VENV / ".installed"
OUT = ROOT / "build" / "colab-replica"
KIT_NAME = "ae-recsys-kit"
RECIPE = "1"  # bump to force a rebuild of .venv-colab when the way it is built changes

#: (name, arguments of `python -m helpers.benchmark`, figures to report)
BENCHMARKS: list[tuple[str, list[str], tuple[str, ...]]] = [
    ("mnist sparse, 10 epochs", ["mnist", "--model", "sparse", "--epochs", "10", "--json"],
     ("val_loss", "mean_activation", "seconds")),
    ("mnist seed, 10 epochs", ["mnist", "--model", "seed", "--epochs", "10", "--json"],
     ("val_loss", "mean_activation", "seconds")),
    ("autorec sparse, u1", ["autorec", "--model", "sparse", "--split", "u1", "--json"],
     ("rmse", "mae", "epochs", "seconds")),
]
#: Variables a Colab kernel does not have (the kit's own knobs, and this machine's Python settings).
NOT_IN_COLAB = ("COURSE_RUNS_DIR", "COURSE_RESULTS_DIR", "COURSE_DRIVE_MOUNTPOINT", "PYTHONPATH", "VIRTUAL_ENV", "IPYTHONDIR")
WORKERS = int(os.environ.get("WORKERS", "2"))  # notebooks run at a time (make test-colab WORKERS=1: one by one)
BENCHMARK_TIMEOUT = 1800  # seconds; each takes well under a minute on two CPU cores
VERSIONS = ("tensorflow", "keras", "numpy", "pandas", "matplotlib", "ipywidgets", "ipykernel", "ipython", "pytest", "nbval")


def say(text: str = "") -> None:
    """Print at once (the steps are long; output must not wait in a buffer)."""
    print(text, flush=True)


def normalize(name: str) -> str:
    """The PEP 503 form of a project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------- the environment


def runtimes() -> list[str]:
    """The runtimes there are constraints for: 'current' (constraints.txt) and each constraints-VERSION.txt."""
    past = sorted((p.stem.split("-", 1)[1] for p in HERE.glob("constraints-*.txt")), reverse=True)
    return ["current", *past]


def use_runtime(name: str) -> None:
    """Replicate runtime `name`: its constraints, its environment (.venv-colab[-NAME]) and report folder."""
    global RUNTIME, CONSTRAINTS, VENV, STAMP, OUT
    if name not in runtimes():
        raise SystemExit(f"No constraints for Colab runtime {name!r} in {HERE.relative_to(ROOT)}/ (there are: "
                         f"{', '.join(runtimes())}). Make them with tools/colab_constraints.py --runtime {name}.")
    suffix = "" if name == "current" else f"-{name}"
    RUNTIME = name
    CONSTRAINTS = HERE / f"constraints{suffix}.txt"
    VENV = ROOT / f".venv-colab{suffix}"
    STAMP = VENV / ".installed"
    OUT = ROOT / "build" / f"colab-replica{suffix}"


def colab_header(path: Path | None = None) -> dict[str, str]:
    """The `# Key: value` lines of the constraints file's header (date, source, Python...)."""
    header = {}
    for line in (path or CONSTRAINTS).read_text().splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"^# ([A-Z][A-Za-z ]+): (.+)$", line)
        if match:
            header[match.group(1)] = match.group(2)
    return header


def colab_pins(path: Path | None = None) -> dict[str, str]:
    """{normalized name: version} of every pin in the constraints file."""
    pins = {}
    for line in (path or CONSTRAINTS).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$", line.strip())
        if match:
            pins[normalize(match.group(1))] = match.group(2)
    return pins


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version.split("+")[0])[:4])


def requirement_lines(path: Path) -> list[str]:
    """The requirement lines of `path`, following `-r other.txt` includes (comments dropped)."""
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            lines += requirement_lines(path.parent / line.split(None, 1)[1])
        else:
            lines.append(line)
    return lines


def colab_requirements(pins: dict[str, str], path: Path = ROOT / "requirements-dev.txt") -> tuple[list[str], list[str]]:
    """requirements-dev.txt with Colab's pins winning: (requirement lines, what was relaxed and why)."""
    lines, notes = [], []
    for line in requirement_lines(path):
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*>=\s*([0-9][0-9A-Za-z.]*)$", line)
        pinned = pins.get(normalize(match.group(1))) if match else None
        if match and pinned and _version_tuple(pinned) < _version_tuple(match.group(2)):
            lines.append(match.group(1))
            notes.append(f"{line} -> {match.group(1)}=={pinned} (Colab's pin wins)")
        else:
            lines.append(line)
    return lines, notes


def _python_version(exe: str) -> str | None:
    try:
        out = subprocess.run([exe, "-c", "import sys, venv; print('%d.%d.%d' % sys.version_info[:3])"],
                             capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_python(wanted: str | None, override: str | None = None) -> tuple[str, str, str]:
    """(interpreter, its version, why it was chosen): Colab's X.Y when this machine has it, else python3."""
    if override:
        version = _python_version(override)
        if not version:
            raise SystemExit(f"--python {override}: not a working Python with venv.")
        return override, version, "asked for"
    if wanted:
        short = ".".join(wanted.split(".")[:2])
        roots = [os.environ.get("PYENV_ROOT"), str(Path.home() / ".pyenv")]
        if shutil.which("pyenv"):
            out = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
            roots.append(out.stdout.strip())
        candidates = []
        for root in dict.fromkeys(r for r in roots if r):
            found = glob.glob(os.path.join(root, "versions", f"{short}*", "bin", f"python{short}"))
            candidates += sorted(found, key=lambda p: _version_tuple(Path(p).parent.parent.name), reverse=True)
        candidates.append(f"python{short}")
        for exe in candidates:
            version = _python_version(exe)
            if version and version.startswith(short + "."):
                return str(shutil.which(exe) or exe), version, f"Colab runs Python {wanted}"
    version = _python_version("python3")
    if not version:
        raise SystemExit("No python3 on PATH to build .venv-colab with.")
    why = f"no Python {wanted} on this machine (pyenv versions, PATH)" if wanted else "Colab's Python unknown"
    return str(shutil.which("python3")), version, f"{why}: the default python3"


def _pip(args: list[str], log: Path) -> int:
    """Run pip in .venv-colab, keep its full output in `log`, print it without the 'WARNING: Location' noise."""
    cmd = [str(VENV / "bin" / "python"), "-m", "pip", *args]
    with log.open("a") as keep, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                                 cwd=ROOT) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            keep.write(line)
            if not line.startswith("WARNING: Location"):
                print("    " + line.rstrip(), flush=True)
    return proc.returncode


def build_env(python: str, version: str) -> bool:
    """Create .venv-colab (or find it up to date); False when pip failed."""
    pins = colab_pins()
    reqs, notes = colab_requirements(pins)
    pinned = [f"{name}=={v}" for name, v in sorted(pins.items())]  # the pins, not the header: a new comment rebuilds nothing
    fingerprint = hashlib.sha256("\n".join([RECIPE, version, *pinned, *reqs]).encode()).hexdigest()
    if STAMP.is_file() and STAMP.read_text().strip() == fingerprint and (VENV / "bin" / "python").exists():
        say(f"  {VENV.name} is up to date (stamp {STAMP.relative_to(ROOT)}).")
        return True
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / "pip-install.log"
    log.write_text("")
    if VENV.exists():
        say(f"  constraints, requirements or Python changed: rebuilding {VENV.name} from scratch.")
        shutil.rmtree(VENV)
    for note in notes:
        say(f"  requirement relaxed: {note}")
    req_file = OUT / "requirements-colab.txt"
    req_file.write_text("# requirements-dev.txt with Colab's pins winning (written by tools/colab_replica.py)\n"
                        + "\n".join(reqs) + "\n")
    started = time.monotonic()
    subprocess.run([python, "-m", "venv", str(VENV)], check=True)
    say(f"  pip install -c {CONSTRAINTS.relative_to(ROOT)} -r {req_file.relative_to(ROOT)} (full log: {log.relative_to(ROOT)})")
    if _pip(["install", "-q", "--disable-pip-version-check", "-c", str(CONSTRAINTS), "-r", str(req_file)], log):
        say("  pip install failed (see above). A pin with no distribution for this Python belongs in "
            "UNREACHABLE in tools/colab_constraints.py.")
        return False
    check = subprocess.run([str(VENV / "bin" / "python"), "-c", "import tensorflow, keras, nbval, jupytext"],
                           capture_output=True, text=True, check=False)
    if check.returncode:
        say("  the new environment cannot import tensorflow, keras, nbval, jupytext:\n" + check.stderr[-2000:])
        return False
    STAMP.write_text(fingerprint + "\n")
    say(f"  built in {time.monotonic() - started:.0f} s.")
    return True


def env_versions(python: Path) -> dict[str, str]:
    """Python and package versions of one environment (read from metadata: no imports)."""
    code = ("import importlib.metadata as m, json, sys\n"
            "def v(n):\n    try:\n        return m.version(n)\n    except m.PackageNotFoundError:\n        return '-'\n"
            f"print(json.dumps({{'python': sys.version.split()[0], **{{n: v(n) for n in {list(VERSIONS)!r}}}}}))")
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


# ---------------------------------------------------------------- the replica runtime


def data_dir() -> str | None:
    """COURSE_DATA_DIR as an absolute path (a relative one is taken from the kit's folder), or None."""
    value = os.environ.get("COURSE_DATA_DIR", "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (ROOT / path).resolve())


def kit_files() -> list[str]:
    """The kit as a student gets it: tracked files and untracked ones git does not ignore."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                         check=True)
    return sorted({name for name in out.stdout.decode().split("\0") if name and (ROOT / name).is_file()})


def make_replica(tmp: Path, mode: str = "smoke", edition: str = "student") -> tuple[Path, Path, dict[str, str]]:
    """Lay out Drive, /content and the kernel's startup; return (kit copy, content folder, kernel environment)."""
    kit = tmp / "drive" / "MyDrive" / KIT_NAME
    if edition == "student":
        from tools import student

        built = student.build(sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")), tmp / "student-edition")
        kit.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(built, kit)
    else:
        for name in kit_files():
            target = kit / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target, follow_symlinks=False)
    content = tmp / "content"
    content.mkdir()
    startup = tmp / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(STARTUP, startup / "00-colab-replica.py")
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_COLAB}
    env.update({
        "COURSE_MODE": mode,
        "PYTHONPATH": str(STUB),  # the stand-in google.colab; Colab has its package in dist-packages
        "IPYTHONDIR": str(tmp / "ipython"),
        "COLAB_REPLICA_DRIVE": str(tmp / "drive"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",  # as Colab's kernel has it
        "VIRTUAL_ENV": str(VENV),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # ipykernel 6.17's debugger warns about frozen modules on 3.13
        "PATH": f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",  # `!pip` and `!python` reach Colab's Python
    })
    if data_dir():
        env["COURSE_DATA_DIR"] = data_dir()  # type: ignore[assignment]
    else:
        env.pop("COURSE_DATA_DIR", None)
    return kit, content, env


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join("      " + line for line in text.rstrip().splitlines()[-lines:])


def first_failure(output: str, lines: int = 20) -> str:
    """The first failed cell of a pytest/nbval report: its name and the end of its traceback."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", output)
    failures = text.split("= FAILURES =", 1)
    if len(failures) < 2:
        return _tail(text, lines)
    sections = re.split(r"\n_{3,} (.+?) _{3,}\n", failures[1])
    if len(sections) < 3:
        return _tail(text, lines)
    body = re.split(r"\n=+ (?:warnings summary|short test summary info) =+\n", sections[2])[0]
    body = "\n".join(line for line in body.split("Traceback:", 1)[-1].splitlines() if line.strip())
    return f"      first failure: {sections[1]}\n" + _tail(body, lines)


#: pytest with the kit's tools importable in the test process only: the kernel it starts inherits the environment,
#: not sys.path, so `helpers` is found by the notebook's setup cell as in Colab, not through PYTHONPATH.
_PYTEST = "import sys; sys.path.insert(0, sys.argv.pop(1)); import pytest; sys.exit(pytest.main(sys.argv[1:]))"


def run_notebooks(kit: Path, content: Path, env: dict[str, str], mode: str = "smoke",
                  only: list[str] | None = None, edition: str = "student") -> list[dict]:
    """pytest --nbval-lax on each notebook of the kit copy, the kernel working in `content/<notebook>/`.

    Every notebook has its own /content, as every Colab notebook has its own runtime (two at a time here), so two
    notebooks that mount Drive at the same moment do not race for one `drive/MyDrive` link.

    tools/nbval_outputs.py fails a cell that writes to stderr and keeps the executed notebooks in
    build/colab-replica/notebooks-<mode>/.
    """
    logs = OUT / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    kept = OUT / f"notebooks-{mode}"
    notebooks = [nb for nb in sorted((kit / "notebooks").glob("[0-9][0-9]_*.ipynb"))
                 if not only or any(nb.name.startswith(prefix) for prefix in only)]

    def run_one(notebook: Path) -> tuple[dict, str]:
        own = content / notebook.stem  # this notebook's /content (COLAB_REPLICA_CONTENT)
        own.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        out = subprocess.run(
            [str(VENV / "bin" / "python"), "-c", _PYTEST, str(ROOT), "--nbval-lax", "--nbval-current-env",
             "--nbval-cell-timeout=1800", "-q", "-p", "no:cacheprovider", "-p", "tools.nbval_outputs",
             "--keep-outputs", str(kept), "--rootdir", str(kit), str(notebook)]
            + (["--expect-unanswered"] if edition == "student" else []),
            cwd=own, env={**env, "COLAB_REPLICA_CONTENT": str(own)}, capture_output=True, text=True, check=False)
        seconds = time.monotonic() - started
        (logs / f"{notebook.stem}.log").write_text(out.stdout + out.stderr)
        summary = next((line.strip("= ") for line in reversed(out.stdout.splitlines()) if line.strip()), "no output")
        return ({"notebook": notebook.name, "ok": out.returncode == 0, "seconds": round(seconds, 1),
                 "summary": summary}, out.stdout + out.stderr)

    # WORKERS notebooks at a time, each in its own kernel (as `make nbval` does with pytest-xdist); reported in order.
    results = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for result, log in pool.map(run_one, notebooks):
            say(f"  {'PASS' if result['ok'] else 'FAIL'}  {result['notebook']:<40} {result['seconds']:6.0f} s  "
                f"{result['summary']}")
            if not result["ok"]:
                say(first_failure(log))
            results.append(result)
    if not results:
        say("  no notebooks/NN_*.ipynb in the kit.")
    return results


#: The unit tests whose outcome depends on the package versions: the pinned penalty and loss values, the tests that
#: show where Keras's own callbacks (tests/test_training.py) and pooch's Unzip (test_download.py) fall short, and the
#: rating widget's click (tests/test_demo.py: Colab has ipywidgets 7, .venv has 8).
VERSION_TESTS = ["tests/test_penalties.py", "tests/test_losses.py", "tests/test_training.py", "tests/test_download.py",
                 "tests/test_demo.py"]
VERSION_SELECTION = "test_penalties or test_losses or keras_ or pooch_ or rating_widget"


def run_penalty_tests() -> dict | None:
    """The version-sensitive unit tests (VERSION_TESTS, VERSION_SELECTION) in the Colab environment."""
    files = [f for f in VERSION_TESTS if (ROOT / f).is_file()]
    if not files:
        say("  no version-sensitive test files: skipped.")
        return None
    env = dict(os.environ)
    if data_dir():
        env["COURSE_DATA_DIR"] = data_dir()  # type: ignore[assignment]
    out = subprocess.run([str(VENV / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", *files,
                          "-k", VERSION_SELECTION], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    summary = next((line.strip("= ") for line in reversed(out.stdout.splitlines()) if line.strip()), "no output")
    ok = out.returncode == 0
    say(f"  {'PASS' if ok else 'FAIL'}  {' '.join(files)} -k {VERSION_SELECTION!r}  {summary}")
    if not ok:
        say(first_failure(out.stdout + out.stderr))
    return {"ok": ok, "summary": summary}


# ---------------------------------------------------------------- benchmarks


def run_benchmarks(envs: dict[str, Path]) -> list[dict]:
    """Each benchmark in full mode in each environment, one after the other (so timings are comparable)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_MODE", "PYTHONPATH", "COURSE_RUNS_DIR")}
    if data_dir():
        env["COURSE_DATA_DIR"] = data_dir()  # type: ignore[assignment]
    rows = []
    for env_name, python in envs.items():
        versions = env_versions(python)
        for name, args, figures in BENCHMARKS:
            started = time.monotonic()
            try:
                out = subprocess.run([str(python), "-m", "helpers.benchmark", *args], cwd=ROOT, env=env,
                                     capture_output=True, text=True, timeout=BENCHMARK_TIMEOUT, check=False)
            except subprocess.TimeoutExpired:
                out = subprocess.CompletedProcess(args, -1, "", f"timed out after {BENCHMARK_TIMEOUT} s")
            line = next((s for s in reversed(out.stdout.splitlines()) if s.startswith("{")), None)
            row = {"env": env_name, **{k: versions[k] for k in ("python", "tensorflow", "keras")},
                   "benchmark": name, "ok": out.returncode == 0 and line is not None,
                   "wall_seconds": round(time.monotonic() - started, 1)}
            if row["ok"]:
                result = json.loads(line)  # type: ignore[arg-type]
                row["figures"] = {k: result[k] for k in figures if k in result}
                row["result"] = result
            else:
                row["error"] = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
                say(f"  FAIL  {env_name} {name}: exit {out.returncode}\n{_tail(out.stderr, 20)}")
            say(f"  {env_name:<12} {name:<24} {_figures(row)}")
            rows.append(row)
    return rows


def _figures(row: dict) -> str:
    if not row["ok"]:
        return "FAILED: " + " ".join(row["error"])
    return ", ".join(f"{k} {v:.4f}" if isinstance(v, float) and k != "seconds" else f"{k} {v}"
                     for k, v in row["figures"].items())


def write_report(rows: list[dict], versions: dict[str, dict[str, str]], header: dict[str, str]) -> str:
    """The side-by-side table, as markdown (printed, and written with the JSON to build/colab-replica/)."""
    lines = [f"# Colab replica: benchmarks in full mode (Colab list of {header.get('Colab list dated', '?')})", "",
             "| env | " + " | ".join(["python", *VERSIONS]) + " |", "| --- |" + " --- |" * (len(VERSIONS) + 1)]
    for env_name, v in versions.items():
        lines.append(f"| {env_name} | " + " | ".join(v.get(k, "-") for k in ["python", *VERSIONS]) + " |")
    lines += ["", "| env | python | tensorflow | keras | benchmark | figures |", "| --- | --- | --- | --- | --- | --- |"]
    for benchmark in dict.fromkeys(r["benchmark"] for r in rows):
        for row in (r for r in rows if r["benchmark"] == benchmark):
            lines.append(f"| {row['env']} | {row['python']} | {row['tensorflow']} | {row['keras']} | {benchmark} | "
                         f"{_figures(row)} |")
    text = "\n".join(lines) + "\n"
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "benchmarks.md").write_text(text)
    (OUT / "benchmarks.json").write_text(json.dumps({"colab": header, "versions": versions, "rows": rows}, indent=2) + "\n")
    return text


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Colab-replica test run (make test-colab).")
    parser.add_argument("--python", default=os.environ.get("COLAB_PYTHON") or None,
                        help="interpreter for .venv-colab (default: Colab's X.Y if this machine has it; env COLAB_PYTHON)")
    parser.add_argument("--keep", action="store_true", help="keep the replica's temporary folder")
    parser.add_argument("--env-only", action="store_true", help="build .venv-colab and stop")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-benchmarks", action="store_true")
    parser.add_argument("--mode", choices=("smoke", "lecture", "full"), default="smoke",
                        help="run mode of the notebooks (default smoke; full is what students run: about 15 min here)")
    parser.add_argument("--edition", choices=("student", "instructors"), default="student",
                        help="which notebooks go on the replica Drive: the students' edition (default) or the kit's own")
    parser.add_argument("--only", nargs="+", metavar="NN", help="run only the notebooks whose names start so (e.g. 02 06)")
    parser.add_argument("--runtime", default=os.environ.get("COLAB_RUNTIME") or "current",
                        help="'current' (default), or a past runtime with constraints in tools/colab/, e.g. 2026.07 "
                             "(env COLAB_RUNTIME)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    failures: list[str] = []

    use_runtime(args.runtime)
    header = colab_header()
    colab_python = (header.get("Python", "").split() or [None])[0]
    python, version, why = find_python(colab_python, args.python)
    name = VENV.name
    say(f"Colab replica, runtime {header.get('Runtime', RUNTIME)}; Colab list of "
        f"{header.get('Colab list dated', '?')}, Colab's Python {colab_python or '?'}.")
    say(f"Python for {name}: {python} ({version}; {why}).")
    say(f"[1/4] environment {name}")
    if not build_env(python, version):
        return 1
    versions = {name: env_versions(VENV / "bin" / "python")}
    say("  " + ", ".join(f"{k} {v}" for k, v in versions[name].items()))
    if args.env_only:
        return 0

    if args.skip_notebooks:
        say("[2/4] notebooks: skipped (--skip-notebooks)")
    else:
        tmp = Path(tempfile.mkdtemp(prefix="colab-replica-"))
        kit, content, env = make_replica(tmp, args.mode, args.edition)
        files = sum(1 for p in kit.rglob("*") if p.is_file())
        say(f"[2/4] notebooks in {args.mode} mode, {args.edition}s' edition: kit copy {kit.relative_to(tmp)} "
            f"({files} files), each kernel in {content.relative_to(tmp)}/<notebook>/, under {tmp}")
        results = run_notebooks(kit, content, env, args.mode, args.only, args.edition)
        failures += [r["notebook"] for r in results if not r["ok"]]
        runs = tmp / "drive" / "MyDrive" / "ae-recsys-runs"
        saved = sorted(p.name for p in runs.iterdir()) if runs.is_dir() else []
        say(f"  replica Drive: MyDrive/{runs.name}/ holds {len(saved)} run folders" + (f" ({', '.join(saved[:6])}"
            + (", ..." if len(saved) > 6 else "") + ")" if saved else " (none were saved to Drive)"))
        if args.keep or failures:
            say(f"  replica kept in {tmp}; logs in {(OUT / 'logs').relative_to(ROOT)}/")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    say(f"[3/4] version-sensitive unit tests (penalty and loss values, Keras's callbacks), in {name}")
    penalties = run_penalty_tests()
    if penalties and not penalties["ok"]:
        failures.append("version-sensitive unit tests")

    if args.skip_benchmarks:
        say("[4/4] benchmarks: skipped (--skip-benchmarks)")
    else:
        say(f"[4/4] benchmarks in full mode, .venv then {name}")
        envs = {".venv": DEV_VENV / "bin" / "python", name: VENV / "bin" / "python"}
        if not envs[".venv"].exists():
            say(f"  .venv does not exist (run `make venv`): only {name} is measured.")
            del envs[".venv"]
        versions = {name: env_versions(exe) for name, exe in envs.items()}
        rows = run_benchmarks(envs)
        failures += [f"benchmark {r['benchmark']} in {r['env']}" for r in rows if not r["ok"]]
        say()
        say(write_report(rows, versions, header))
        say(f"(also in {(OUT / 'benchmarks.md').relative_to(ROOT)} and benchmarks.json)")

    minutes = (time.monotonic() - started) / 60
    what = "make test-colab" + ("" if RUNTIME == "current" else f" COLAB_RUNTIME={RUNTIME}")
    if failures:
        say(f"{what} FAILED after {minutes:.1f} min: {', '.join(failures)}")
        return 1
    say(f"{what} passed in {minutes:.1f} min.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
