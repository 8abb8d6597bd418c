"""Execute the lessons headless, in order, into build/: executed notebooks, HTML copies,
and a results summary gathered from every notebook's results table.

    python -m tools.runner --out build notebooks/01_*.ipynb ...
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

from helpers import runtime


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def run_one(notebook: Path, out: Path, timeout: int) -> tuple[bool, float, str]:
    """Execute one notebook (cwd = its folder); write .ipynb and .html to `out`."""
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent.resolve())}})
    start = time.perf_counter()
    ok, error = True, ""
    try:
        client.execute()
    except CellExecutionError as err:
        ok, error = False, str(err).strip().splitlines()[-1] if str(err).strip() else "cell failed"
    seconds = time.perf_counter() - start
    _atomic_write(out / notebook.name, nbformat.writes(nb))
    html, _ = HTMLExporter().from_notebook_node(nb)
    _atomic_write(out / notebook.with_suffix(".html").name, html)
    return ok, seconds, error


def summary(out: Path, runs: list[tuple[str, bool, float, str]]) -> str:
    """Markdown summary: one line per notebook, then each notebook's results table."""
    lines = ["# Course run summary", "",
             f"Mode: {runtime.mode()}; "
             f"data: {os.environ.get('COURSE_DATA_DIR') or 'downloaded from the publishers'}.", "",
             "| notebook | status | seconds |", "| --- | --- | ---: |"]
    for name, ok, seconds, error in runs:
        lines.append(f"| {name} | {'ok' if ok else 'FAILED: ' + error.replace('|', '/')} | {seconds:.0f} |")
    for csv in sorted((out / "results").glob("*.csv")):
        lines += ["", f"## {csv.stem}", "", pd.read_csv(csv).to_markdown(index=False)]  # tabulate: requirements-dev.txt
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the given notebooks into --out; exit 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build"))
    parser.add_argument("--timeout", type=int, default=3600, help="seconds one cell may run")
    args = parser.parse_args(argv)
    print(f"Mode: {runtime.mode()} (COURSE_MODE: full, lecture or smoke)", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["COURSE_RESULTS_DIR"] = str((args.out / "results").resolve())
    os.environ.pop("MPLBACKEND", None)  # a non-interactive backend here would keep figures out of the build
    runs = []
    for notebook in args.notebooks:
        print(f"Running {notebook} ...", flush=True)
        ok, seconds, error = run_one(notebook, args.out, args.timeout)
        print(f"  {'ok' if ok else 'FAILED'} in {seconds:.0f} s {error}", flush=True)
        runs.append((notebook.stem, ok, seconds, error))
    _atomic_write(args.out / "results.md", summary(args.out, runs))
    print(f"Wrote {args.out}/ (executed notebooks, HTML, results.md).")
    return 0 if all(ok for _, ok, _, _ in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
