"""Grade a folder of students' notebooks with the autograder bundles of `make student` (`make grade`).

    python -m tools.grade SUBMISSIONS [--autograder build/student/autograder] [--mode smoke] [--out FILE.csv]

Each `*.ipynb` in SUBMISSIONS is matched to its lesson's bundle by the two digits its file name
starts with (`01_mnist_autoencoder.ipynb`, `01_ada.ipynb` → `01_*-autograder.zip`; `--notebook
01_mnist_autoencoder` sets it for every file) and graded by `otter run`, Otter-Grader's own
grading of one submission without a container: the notebook is run top to bottom (in
`--mode`, smoke by default: the exercises' tests do not depend on the run's size), then every
public and hidden test of each exercise runs on what the student's cells left. The table (one
row a submission: each question's points, the total and the maximum) is printed and written to
`--out` (default `<SUBMISSIONS>/grades.csv`). Open questions are graded by hand: they are not
in the table.

Why not `otter grade`: in Otter-Grader 5.x it runs every submission in a Docker container, which
neither Colab nor a laptop without Docker has; the releases that grade without one (6 and later)
need versions of ipywidgets and wrapt that Colab's runtime does not have, and students' notebooks
must be checked by the same Otter that grades them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


class GradingError(ValueError):
    """A submission that cannot be matched to a bundle, or a bundle that is missing."""


def bundle_for(submission: Path, autograder: Path, notebook: str | None = None) -> Path:
    """The autograder zip for a submission: by --notebook, or by the two digits its name starts with."""
    prefix = notebook if notebook else submission.name[:2]
    if not notebook and not prefix.isdigit():
        raise GradingError(f"{submission}: its name does not start with the lesson's two digits (e.g. 01_...); "
                           "rename it or pass --notebook NN_name.")
    matches = sorted(autograder.glob(f"{prefix}*-autograder.zip"))
    if len(matches) != 1:
        raise GradingError(f"{submission}: {len(matches)} autograder bundles in {autograder} match {prefix!r}; "
                           "run `make student` first, or pass --notebook with the lesson's full name.")
    return matches[0]


def grade_one(submission: Path, bundle: Path, mode: str = "smoke") -> dict[str, float]:
    """Points per question of one submission (`otter run`), plus 'total' and 'possible'."""
    env = dict(os.environ, COURSE_MODE=mode)
    with tempfile.TemporaryDirectory(prefix="grade-") as out:
        done = subprocess.run([sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(bundle), "-o", out,
                               str(submission)], capture_output=True, text=True, env=env, check=False)
        results = Path(out) / "results.json"
        if done.returncode != 0 or not results.is_file():
            raise GradingError(f"{submission}: otter run failed:\n{(done.stdout + done.stderr)[-2000:]}")
        data = json.loads(results.read_text())
    row: dict[str, float] = {}
    for test in data.get("tests", []):
        if test.get("max_score") is None:  # Otter's "Public Tests" summary line
            continue
        row[test["name"]] = float(test["score"])
        row["total"] = row.get("total", 0.0) + float(test["score"])
        row["possible"] = row.get("possible", 0.0) + float(test["max_score"])
    return row


def grade_folder(folder: Path, autograder: Path, mode: str = "smoke", notebook: str | None = None) -> pd.DataFrame:
    """One row a submission in `folder`: each question's points, the total and the maximum."""
    submissions = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not submissions:
        raise GradingError(f"{folder} holds no .ipynb submissions.")
    rows = []
    for submission in submissions:
        print(f"grading {submission.name} ...", flush=True)
        rows.append({"submission": submission.name, **grade_one(submission, bundle_for(submission, autograder, notebook),
                                                                 mode)})
    table = pd.DataFrame(rows)
    first = ["submission"] + sorted(c for c in table.columns if c.startswith("q")) + ["total", "possible"]
    return table[first]


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--autograder", type=Path, default=ROOT / "build" / "student" / "autograder")
    parser.add_argument("--mode", choices=("smoke", "lecture", "full"), default="smoke")
    parser.add_argument("--notebook", help="grade every file against this lesson (e.g. 01_mnist_autoencoder)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    try:
        table = grade_folder(args.submissions, args.autograder, args.mode, args.notebook)
    except GradingError as err:
        print(err, file=sys.stderr)
        return 1
    out = args.out or args.submissions / "grades.csv"
    table.to_csv(out, index=False)
    print(table.to_string(index=False))
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
