"""Grade a folder of students' notebooks with the autograder bundles of `make student` (`make grade`).

    python -m tools.grade SUBMISSIONS [--autograder build/student/autograder] [--notebook NN_name]
                          [--workers 2] [--timeout 300] [--mode smoke] [--out FILE.csv]

Each `*.ipynb` in SUBMISSIONS is matched to its lesson by the two digits before the first `_` of its
name (`01_ada.ipynb`, and Colab's `Copy of 01_mnist_autoencoder.ipynb`, are lesson 01;
`--notebook 01_mnist_autoencoder` sets the lesson for every file) and graded on its own by `otter
run`, Otter-Grader's grading of one submission without a container: the notebook runs top to
bottom (in `--mode`, smoke by default: the exercises' tests do not depend on the run's size), then
every public and hidden test of each exercise runs on what the student's cells left. Public tests
carry no points (tools/exercise_cells.py): a question's points are its hidden tests'.

A file that cannot be graded gets a row with its status and the reason, and the batch goes on:
`unmatched` (no lesson in its name), `unreadable` (not a notebook: truncated, not JSON),
`wrong lesson` (its exercise checks are another lesson's), `timeout` (still running after
`--timeout` seconds: an endless loop), `failed` (Otter could not grade it). Written into
SUBMISSIONS (or beside `--out`):

- `grades.csv`: one row a submission (its status and reason), one column a question, open
  (manual) questions included and left blank for the instructor, then `total` (the autograded
  points) and `possible` (every point of the lesson, open questions included);
- `feedback/<submission>.md`: for the student, each question passed or not, with the hidden
  test's message, never its code;
- `open_answers.md`: every submission's answer to each open question, for grading by hand.

Why not `otter grade`: in Otter-Grader 5.x it runs every submission in a Docker container, which
neither Colab nor a laptop without Docker has; the releases that grade without one (6 and later)
need versions of ipywidgets and wrapt that Colab's runtime does not have, and students' notebooks
must be checked by the same Otter that grades them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CHECK = re.compile(r"""grader\.check\(\s*["'](q\d\d_\w+)["']""")
ERROR_LINE = re.compile(r"^\s*(\w*(?:Error|Exception)\w*):\s?(.*)$")


class GradingError(ValueError):
    """A folder with nothing to grade, or a bundle that is missing."""


@dataclass
class Lesson:
    """A lesson's autograder bundle and its questions (from `make student`'s `-questions.json`)."""

    name: str
    bundle: Path
    questions: list[dict]

    @property
    def graded(self) -> list[str]:
        return [q["name"] for q in self.questions if not q.get("manual")]

    @property
    def manual(self) -> list[str]:
        return [q["name"] for q in self.questions if q.get("manual")]

    @property
    def possible(self) -> float:
        return float(sum(q.get("points", 0) for q in self.questions))


def lessons(autograder: Path) -> dict[str, Lesson]:
    """Every lesson that `autograder` holds a bundle for, by its two digits."""
    found: dict[str, Lesson] = {}
    for bundle in sorted(autograder.glob("[0-9][0-9]_*-autograder.zip")):
        name = bundle.name.removesuffix("-autograder.zip")
        listing = bundle.with_name(f"{name}-questions.json")
        if listing.is_file():
            questions = json.loads(listing.read_text(encoding="utf-8"))
        else:  # a bundle from elsewhere: its tests name the graded questions
            with zipfile.ZipFile(bundle) as z:
                questions = [{"name": Path(n).stem, "points": None} for n in sorted(z.namelist())
                             if re.fullmatch(r"tests/q\w+\.py", n)]
        found[name[:2]] = Lesson(name, bundle, questions)
    if not found:
        raise GradingError(f"No autograder bundle (NN_*-autograder.zip) in {autograder}: run `make student` first.")
    return found


def lesson_digits(submission: Path) -> str | None:
    """The lesson a file name names: the two digits before the first `_`, after any "Copy of "."""
    name = re.sub(r"^(Copy of\s+)+", "", submission.name, flags=re.IGNORECASE)
    found = re.match(r"\s*(\d\d)_", name)
    return found.group(1) if found else None


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_otter(submission: Path, lesson: Lesson, mode: str, timeout: float) -> tuple[str, str, dict]:
    """(status, reason, Otter's results.json) of one `otter run`, killed with its children after `timeout` s."""
    env = dict(os.environ, COURSE_MODE=mode)
    with tempfile.TemporaryDirectory(prefix="grade-") as out:
        process = subprocess.Popen([sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(lesson.bundle),
                                    "-o", out, str(submission)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, env=env, start_new_session=True)
        try:
            log, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.communicate()
            return "timeout", f"still running after {timeout:g} s (an endless loop?); no points given", {}
        finally:
            _kill(process)  # whatever it started (a kernel) goes too
        results = Path(out) / "results.json"
        if process.returncode != 0 or not results.is_file():
            last = [line for line in (log or "").splitlines() if line.strip()][-1:] or ["no output"]
            return "failed", f"otter run stopped (exit {process.returncode}): {last[0][:300]}", {}
        return "graded", "", json.loads(results.read_text(encoding="utf-8"))


def messages(output: str) -> list[str]:
    """What a student may read of a test's output: each failed case's error message, no test code."""
    found = []
    for line in output.splitlines():
        match = ERROR_LINE.match(line)
        if match and not line.lstrip().startswith(("Error at line", "Traceback")):
            found.append(match.group(2).strip() or f"{match.group(1)} (the test gives no message)")
    return found


def answers(nb: nbformat.NotebookNode, lesson: Lesson) -> dict[str, str]:
    """The student's cells under each open question (Otter marks them <!-- BEGIN/END QUESTION -->), in order."""
    blocks: list[list[str]] = []
    inside = False
    for cell in nb.cells:
        text = cell.source
        if "<!-- END QUESTION -->" in text:
            inside = False
        if inside:
            blocks[-1].append(f"```python\n{text}\n```" if cell.cell_type == "code" else text)
        if "<!-- BEGIN QUESTION -->" in text:
            blocks.append([])
            inside = "<!-- END QUESTION -->" not in text.split("<!-- BEGIN QUESTION -->", 1)[1]
    return {name: "\n\n".join(block).strip() for name, block in zip(lesson.manual, blocks)}


def grade_one(submission: Path, catalogue: dict[str, Lesson], notebook: str | None, mode: str,
              timeout: float) -> dict:
    """One submission's row: lesson, status, reason, points per question, total, possible; plus
    `_feedback` (per question: points, possible, messages) and `_answers` (open answers)."""
    row: dict = {"submission": submission.name, "lesson": "", "status": "", "reason": ""}
    digits = notebook[:2] if notebook else lesson_digits(submission)
    lesson = catalogue.get(digits or "")
    if lesson is None:
        row.update(status="unmatched", reason=(
            "its name does not start with a lesson's two digits and '_' (e.g. 02_yourname.ipynb); rename it or pass "
            "NOTEBOOK=" if digits is None else f"no autograder bundle for lesson {digits}: run make student"))
        return row
    row["lesson"] = lesson.name
    row["possible"] = lesson.possible
    try:
        nb = nbformat.read(submission, as_version=4)
    except Exception as err:  # nbformat raises JSON, validation and Unicode errors alike
        where = re.search(r"line \d+ column \d+", str(err))
        row.update(status="unreadable", reason=f"not a readable notebook ({type(err).__name__}"
                   f"{' at ' + where.group(0) if where else ''}): download it again from Colab as .ipynb")
        return row
    checks = {m for c in nb.cells if c.cell_type == "code" for m in CHECK.findall(c.source)}
    if lesson.graded and checks and not checks & set(lesson.graded):
        others = sorted({q[1:3] for q in checks})
        row.update(status="wrong lesson", reason=f"its exercise checks ({', '.join(sorted(checks))}) are lesson "
                   f"{', '.join(others)}'s, not {lesson.name}'s: rename the file or pass NOTEBOOK=")
        return row
    row["_answers"] = answers(nb, lesson)
    status, reason, results = run_otter(submission, lesson, mode, timeout)
    row.update(status=status, reason=reason)
    feedback = {}
    for test in results.get("tests", []):
        if test.get("max_score") is None:  # Otter's "Public Tests" summary line
            continue
        row[test["name"]] = float(test["score"])
        feedback[test["name"]] = (float(test["score"]), float(test["max_score"]), messages(test.get("output", "")))
    row["_feedback"] = feedback
    row["total"] = sum(points for points, _, _ in feedback.values())
    return row


def feedback_text(row: dict, lesson_questions: dict[str, dict]) -> str:
    """A submission's feedback for its student, in markdown."""
    lines = [f"# Feedback on {row['submission']}", ""]
    if row["status"] != "graded":
        return "\n".join(lines + [f"Not graded ({row['status']}): {row['reason']}.", ""])
    lines += [f"Autograded points: {row['total']:g} (open questions are graded by hand).", ""]
    for name, config in lesson_questions.items():
        if config.get("manual"):
            lines.append(f"- **{name}** (open question, {config.get('points', 0):g} points): graded by hand.")
            continue
        points, possible, notes = row["_feedback"].get(name, (0.0, float(config.get("points") or 0), []))
        verdict = "passed" if possible and points >= possible else "not passed"
        lines.append(f"- **{name}**: {verdict}, {points:g} of {possible:g} points.")
        lines += [f"  - {note}" for note in dict.fromkeys(notes)]
    return "\n".join(lines + [""])


def grade_folder(folder: Path, autograder: Path, mode: str = "smoke", notebook: str | None = None,
                 workers: int = 2, timeout: float = 300.0, out: Path | None = None) -> pd.DataFrame:
    """Grade every notebook in `folder` and write grades.csv, feedback/ and open_answers.md (see the docstring)."""
    submissions = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not submissions:
        raise GradingError(f"{folder} holds no .ipynb submissions.")
    catalogue = lessons(autograder)
    if notebook and notebook[:2] not in catalogue:
        raise GradingError(f"NOTEBOOK={notebook}: no autograder bundle for it in {autograder}; run `make student`.")
    with ThreadPoolExecutor(max(1, workers)) as pool:
        rows = list(pool.map(lambda s: grade_one(s, catalogue, notebook, mode, timeout), submissions))
    out = out or folder / "grades.csv"
    feedback_dir = out.parent / "feedback"
    feedback_dir.mkdir(parents=True, exist_ok=True)
    questions: list[str] = []
    open_answers = ["# Answers to the open questions", ""]
    for lesson in catalogue.values():
        graded_here = [r for r in rows if r["lesson"] == lesson.name]
        if not graded_here:
            continue
        questions += [q["name"] for q in lesson.questions]
        for name in lesson.manual:
            open_answers += [f"## {lesson.name}: {name}", ""]
            for r in graded_here:
                text = r.get("_answers", {}).get(name) or "(no answer)"
                open_answers += [f"### {r['submission']}", "", text, ""]
    for r in rows:
        lesson = catalogue.get(r["lesson"][:2]) if r["lesson"] else None
        config = {q["name"]: q for q in lesson.questions} if lesson else {}
        (feedback_dir / f"{Path(r['submission']).stem}.md").write_text(feedback_text(r, config), encoding="utf-8")
    (out.parent / "open_answers.md").write_text("\n".join(open_answers), encoding="utf-8")
    columns = ["submission", "lesson", "status", "reason", *questions, "total", "possible"]
    table = pd.DataFrame([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]).reindex(columns=columns)
    tmp = out.with_suffix(".csv.tmp")
    table.to_csv(tmp, index=False)
    os.replace(tmp, out)
    return table


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--autograder", type=Path, default=ROOT / "build" / "student" / "autograder")
    parser.add_argument("--mode", choices=("smoke", "lecture", "full"), default="smoke")
    parser.add_argument("--notebook", help="grade every file against this lesson (e.g. 01_mnist_autoencoder)")
    parser.add_argument("--workers", type=int, default=2, help="submissions graded at once")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one submission may run")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        print(f"{args.submissions} is not a folder: make grade SUBMISSIONS=path/to/folder", file=sys.stderr)
        return 1
    try:
        table = grade_folder(args.submissions, args.autograder, args.mode, args.notebook, args.workers,
                             args.timeout, args.out)
    except GradingError as err:
        print(err, file=sys.stderr)
        return 1
    out = args.out or args.submissions / "grades.csv"
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        print(table.to_string(index=False))
    print(f"Wrote {out}, {out.parent / 'feedback'}/ (one file a submission) and {out.parent / 'open_answers.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
