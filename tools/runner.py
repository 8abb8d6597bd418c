"""Execute the lessons headless, in order, into build/ with papermill (`make run`).

    python -m tools.runner [--mode full|lecture|smoke] [--out build] notebooks/NN_*.ipynb ...

Each notebook runs with papermill: the mode goes in as the parameter `MODE` (the cell tagged
`parameters`), a progress bar counts its cells, and a failing cell is named with its notebook and
number; so is a cell whose output runs over 60 lines (a screen). Written to `--out`: the executed
notebooks, an HTML copy of each, `results.md` (each notebook's results table) and `record.json`
(the commit, the mode, and per notebook its minutes and results rows), which `make record` keeps
in `results/` for the README's tables.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
from nbconvert import HTMLExporter

from helpers import runtime
from tools.nbval_outputs import MAX_OUTPUT_LINES, output_lines

ROOT = Path(__file__).resolve().parent.parent


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _quiet() -> None:
    """Keep the terminal to the progress bars: no kernel-connection warnings or papermill chatter."""
    warnings.filterwarnings("ignore", message=".*unencrypted.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    for name in ("papermill", "traitlets", "nbclient", "asyncio"):
        logging.getLogger(name).setLevel(logging.ERROR)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"


@contextlib.contextmanager
def kernel_stderr_to(log: Path) -> Iterator[None]:
    """Send what the kernel process writes to its stderr (TensorFlow's C++ start-up lines, which no Python
    setting silences) to `log`; this process's own stderr, where the progress bar goes, stays on the terminal.

    The kernel inherits file descriptor 2, so it is pointed at the log while papermill starts the kernel.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1)
    before = sys.stderr
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as sink:
        os.dup2(sink.fileno(), 2)
    sys.stderr = terminal
    try:
        yield
    finally:
        terminal.flush()
        sys.stderr = before
        os.dup2(saved, 2)
        os.close(saved)
        terminal.close()


def failed_cell(notebook: Path, err: Exception) -> str:
    """'<notebook>, cell N: Error: message' for papermill's execution error."""
    number = getattr(err, "exec_count", None) or (getattr(err, "cell_index", -1) + 1)
    what = f"{getattr(err, 'ename', type(err).__name__)}: {getattr(err, 'evalue', str(err))}".strip()
    return f"{notebook.name}, cell {number}: {what.splitlines()[0] if what else 'failed'}"


def run_one(notebook: Path, out: Path, mode: str, timeout: int) -> tuple[bool, float, str]:
    """Execute one notebook (working folder: its own) with MODE=mode; write .ipynb and .html to `out`."""
    import papermill
    from papermill.execute import remove_error_markers

    target = out / notebook.name
    start = time.perf_counter()
    ok, error = True, ""
    try:
        with kernel_stderr_to(out / "kernel-logs" / notebook.with_suffix(".log").name):
            papermill.execute_notebook(str(notebook), str(target), parameters={"MODE": mode},
                                       cwd=str(notebook.parent), kernel_name="python3", progress_bar=True,
                                       execution_timeout=timeout, log_output=False,
                                       extra_arguments=["--IPKernelApp.log_level=ERROR"])
    except papermill.PapermillExecutionError as err:
        ok, error = False, failed_cell(notebook, err)
    seconds = time.perf_counter() - start
    if target.exists():
        nb = nbformat.read(target, as_version=4)
        if not ok:  # papermill stops at any error output; a cell tagged raises-exception shows one on purpose
            unexpected = [c for c in nb.cells if c.cell_type == "code" and "raises-exception" not in
                          c.metadata.get("tags", []) and any(o.output_type == "error" for o in c.get("outputs", []))]
            if unexpected:
                out_err = next(o for o in unexpected[0].outputs if o.output_type == "error")
                number = unexpected[0].get("execution_count") or nb.cells.index(unexpected[0]) + 1
                error = f"{notebook.name}, cell {number}: {out_err.ename}: {out_err.evalue}".splitlines()[0]
            elif not any(c.cell_type == "code" and c.get("execution_count") is None and c.source.strip()
                         for c in nb.cells):
                ok, error = True, ""
                # papermill puts a red "An Exception was encountered" banner over a notebook in which any cell
                # raised, a cell tagged raises-exception too; students read it as a failure, so it goes
                nb = remove_error_markers(nb)
                _atomic_write(target, nbformat.writes(nb))
        html, _ = HTMLExporter().from_notebook_node(nb)
        _atomic_write(out / notebook.with_suffix(".html").name, html)
        long = [f"cell {i + 1} shows {n} lines" for i, c in enumerate(nb.cells) if c.cell_type == "code"
                and (n := output_lines(c.get("outputs", []))) > MAX_OUTPUT_LINES]
        if ok and long:
            ok, error = False, f"{notebook.name}: output over {MAX_OUTPUT_LINES} lines ({'; '.join(long)})"
    return ok, seconds, error


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "notebooks", "helpers"], cwd=ROOT,
                           capture_output=True, text=True, check=False).stdout.strip()
    return (done.stdout.strip() or "unknown") + ("+changes" if dirty else "")


def record(out: Path, mode: str, runs: list[tuple[str, bool, float, str]],
           commits: dict[str, str] | None = None) -> dict[str, Any]:
    """The run's record: commit, mode, data, date, and per notebook its minutes, results rows and the
    commit it started at (`commits`; default: the commit now)."""
    entries = []
    commits = commits or {}
    for name, ok, seconds, error in runs:
        saved = out / "results" / f"{name}.json"
        results = json.loads(saved.read_text())["results"] if ok and saved.is_file() else []
        entries.append({"notebook": name, "ok": ok, "minutes": round(seconds / 60, 2), "error": error,
                         "commit": commits.get(name) or _commit(), "results": results})
    started = sorted({e["commit"] for e in entries})
    with kernel_stderr_to(out / "kernel-logs" / "gpu-check.log"):  # TensorFlow's start-up lines, as in a kernel
        gpu = bool(runtime.gpu_info().get("gpu"))
    return {"commit": started[0] if len(started) == 1 else "per notebook", "mode": mode, "date": dt.date.today().isoformat(),
            "data": "offline copies (COURSE_DATA_DIR)" if os.environ.get("COURSE_DATA_DIR") else "downloaded",
            "cpus": os.cpu_count(), "load_average": round(os.getloadavg()[1], 1),  # other jobs slow a run down
            "gpu": gpu, "notebooks": entries}


def summary(out: Path, rec: dict[str, Any]) -> str:
    """Markdown summary: one line per notebook, then each notebook's results table."""
    lines = ["# Course run summary", "", f"Mode: {rec['mode']}; data: {rec['data']}; commit {rec['commit']}.", "",
             "| notebook | status | minutes |", "| --- | --- | ---: |"]
    for entry in rec["notebooks"]:
        status = "ok" if entry["ok"] else "FAILED: " + entry["error"].replace("|", "/")
        lines.append(f"| {entry['notebook']} | {status} | {entry['minutes']:.1f} |")
    for csv in sorted((out / "results").glob("*.csv")):
        lines += ["", f"## {csv.stem}", "", pd.read_csv(csv).to_markdown(index=False)]  # tabulate: requirements-dev.txt
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the given notebooks into --out; exit 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build"))
    parser.add_argument("--mode", choices=runtime.MODES, default=None,
                        help="run mode (default: COURSE_MODE, else full)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds one cell may run")
    args = parser.parse_args(argv)
    _quiet()
    mode = args.mode or runtime.mode()
    print(f"Mode: {mode}. Executed notebooks, HTML, results.md and record.json go to {args.out}/.", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["COURSE_RESULTS_DIR"] = str((args.out / "results").resolve())
    # a fresh run folder each run: a lesson that resumes from its checkpoints would otherwise record the minutes
    # and results of an earlier run's training (COURSE_RUNS_DIR set by the caller wins)
    runs_dir = args.out / "runs"
    if "COURSE_RUNS_DIR" not in os.environ:
        shutil.rmtree(runs_dir, ignore_errors=True)
        os.environ["COURSE_RUNS_DIR"] = str(runs_dir.resolve())
    os.environ.pop("MPLBACKEND", None)  # a non-interactive backend here would keep figures out of the build
    runs, commits = [], {}
    for notebook in args.notebooks:
        print(f"{notebook.name}:", flush=True)
        commits[notebook.stem] = _commit()  # what the notebook runs is what was checked out when it started
        ok, seconds, error = run_one(notebook, args.out, mode, args.timeout)
        print(f"  {'ok' if ok else 'FAILED at ' + error} ({seconds / 60:.1f} min)", flush=True)
        runs.append((notebook.stem, ok, seconds, error))
    rec = record(args.out, mode, runs, commits)
    _atomic_write(args.out / "record.json", json.dumps(rec, indent=1) + "\n")
    _atomic_write(args.out / "results.md", summary(args.out, rec))
    print(f"Wrote {args.out}/ (executed notebooks, HTML, results.md, record.json).")
    return 0 if all(ok for _, ok, _, _ in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
