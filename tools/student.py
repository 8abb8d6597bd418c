"""Write the students' edition of the kit and the autograder bundles (`make student`).

    python -m tools.student [--out build/student] [--handout] [notebooks/NN_*.ipynb ...]

The notebooks in `notebooks/` are the instructors' edition: each exercise holds its solution and
its public and hidden tests, marked by cell metadata (tools/exercise_cells.py). For each notebook
this writes a copy in Otter Assign's own format, runs `otter assign` (Otter-Grader 5.7.1) on it
with the kit's assignment settings and writes

    <out>/ae-recsys-kit/                 the folder students put on their Drive or open locally:
        notebooks/NN_*.ipynb             solutions replaced by `...`, hidden tests removed,
                                         a `grader.check("qNN_k")` cell under each answer
        notebooks/tests/NN_*/qNN_k.py    the public tests (form only: answered, type, shape)
        helpers/, colab_setup.py, requirements.txt, data/, results/record-*.json
        README.md                        the students' own (templates/README.students.md)
    <out>/ae-recsys-kit.zip              that folder zipped, with --handout (`make handout`)
    <out>/autograder/NN_*-autograder.zip the hidden and public tests with the kit's files, for
                                         `make grade` (tools/grade.py)
    <out>/autograder/NN_*-questions.json every question's name, points and whether it is open
    <out>/instructors/NN_*.ipynb         the instructors' notebooks in Otter Assign's format

and then checks that no line of a solution or of a hidden test is in the students' edition
(`leaks`); it fails, leaving nothing half-written, if one is.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from tools.exercise_cells import ExerciseFormatError, exercises, to_otter

ROOT = Path(__file__).resolve().parent.parent
KIT_NAME = "ae-recsys-kit"
#: What students get besides the notebooks (the instructors' tools, tests and templates stay out).
KIT_PARTS = ("colab_setup.py", "requirements.txt", "helpers", "data/README.md", "data/toy_ratings_4x5.csv",
             "data/toy_ratings_5x5.csv", "results/record-full.json", "results/record-lecture.json")
#: The students' own README (how to open the kit in Colab, check an answer, hand in), the kit's README.md.
STUDENTS_README = ROOT / "templates" / "README.students.md"
#: What a graded submission needs beside it to run: the setup cell finds colab_setup.py in its own folder.
AUTOGRADER_FILES = ["colab_setup.py", "requirements.txt", "helpers", "data", "results"]

CONFIG = {
    "init_cell": False,  # the exercises' own first cell opens the grader (helpers.grading), which finds the tests
    "check_all_cell": False,
    "export_cell": False,  # students hand in the .ipynb itself
    "run_tests": False,  # `make test` runs every test on its solution (the `# IGNORE` calls in the test cells)
    "solutions_pdf": False,
    "tests": {"files": True, "ok_format": False},
    "generate": {"pdf": False},
    "files": AUTOGRADER_FILES,
    "python_version": "3.12",  # the autograder's conda Python: Keras 3 needs 3.11 or newer (Otter's default is 3.9)
}


class StudentEditionError(RuntimeError):
    """`otter assign` failed on a notebook, or the students' edition would show a solution."""


def _kit_copy(dest: Path) -> None:
    for part in KIT_PARTS:
        source = ROOT / part
        target = dest / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target)
    shutil.copy2(STUDENTS_README, dest / "README.md")


def _config_cell() -> nbformat.NotebookNode:
    lines = ["# ASSIGNMENT CONFIG"] + json.dumps(CONFIG, indent=1).splitlines()  # JSON is YAML
    return nbformat.v4.new_raw_cell("\n".join(lines))


def otter_master(notebook: Path) -> nbformat.NotebookNode:
    """The instructors' notebook in Otter Assign's format, its assignment config cell first."""
    try:
        nb = to_otter(nbformat.read(notebook, as_version=4), str(notebook))
    except ExerciseFormatError as err:
        raise StudentEditionError(str(err)) from err
    nb.cells.insert(0, _config_cell())
    return nb


def assign(notebook: Path, work: Path) -> tuple[Path, list[Path], Path]:
    """Run `otter assign` on one instructors' notebook inside `work` (a kit copy).

    Returns the students' notebook, its public test files and the autograder zip.
    """
    nb = otter_master(notebook)
    nb.metadata.pop("jupytext", None)  # a copy on its own, not paired with a script
    master = work / notebook.name
    nbformat.write(nb, master)
    out = work / "otter-out"
    shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run([sys.executable, "-m", "otter", "assign", "--no-pdfs", master.name, out.name],
                          cwd=work, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StudentEditionError(f"otter assign failed on {notebook}:\n{(done.stdout + done.stderr)[-3000:]}")
    zips = sorted((out / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise StudentEditionError(f"otter assign wrote {len(zips)} autograder zips for {notebook}, expected 1")
    student = out / "student" / notebook.name
    tests = sorted((out / "student" / "tests").glob("*.py"))
    return student, tests, zips[0]


def _clean_student_notebook(path: Path, target: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("jupytext", None)  # students open the .ipynb alone: no paired script to keep in sync
    nb.metadata.pop("otter", None)
    for cell in nb.cells:
        cell.metadata.pop("question", None)
    nbformat.write(nb, target)


def solution_lines(notebook: Path) -> list[str]:
    """The lines of an instructors' notebook that students must not see: the solutions (code and
    model answers) and the hidden tests, each stripped, long enough to be telling (12+ characters)."""
    nb = nbformat.read(notebook, as_version=4)
    solution_cells = {i for e in exercises(nb, str(notebook)) for i in e.solutions}
    secret: list[str] = []
    public: set[str] = set()  # lines that are in view anyway (an import a hidden test repeats is no leak)
    for index, cell in enumerate(nb.cells):
        text = cell.source
        lines: list[str] = []
        if index in solution_cells:
            block = False
            for line in text.splitlines():
                if line.strip().startswith("# BEGIN SOLUTION"):
                    block = True
                elif line.strip().startswith("# END SOLUTION"):
                    block = False
                elif cell.cell_type == "markdown" or block or re.search(r"#\s?SOLUTION\s*$", line):
                    lines.append(re.sub(r"#\s?SOLUTION\s*$", "", line))
        elif cell.cell_type == "code" and re.match(r'\s*"""\s*#\s*BEGIN TEST CONFIG', text) and \
                re.search(r"hidden:\s*true", text, flags=re.IGNORECASE):
            body = text.split("# END TEST CONFIG", 1)[-1]
            lines = [line for line in body.splitlines() if not line.strip().startswith("def ")]
        else:
            public.update(line.strip().lstrip("#").strip() for line in text.splitlines())
        for line in lines:
            stripped = line.strip().lstrip("#").strip()
            if len(stripped) >= 12 and not stripped.endswith("# IGNORE"):
                secret.append(stripped)
    return [line for line in secret if line not in public]


def leaks(notebook: Path, student_files: list[Path]) -> list[str]:
    """Solution or hidden-test lines of `notebook` found in any of `student_files`."""
    texts = []
    for path in student_files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
        texts.append(text)
    found = []
    for line in solution_lines(notebook):
        if any(line in text for text in texts):
            found.append(line)
    return found


def build(notebooks: list[Path], out: Path) -> Path:
    """Write the students' edition and the autograder zips to `out` (replaced whole); return the kit folder."""
    tmp = Path(tempfile.mkdtemp(prefix="student-", dir=out.parent if out.parent.is_dir() else None))
    try:
        kit = tmp / "result" / KIT_NAME
        _kit_copy(kit)
        (kit / "notebooks" / "tests").mkdir(parents=True)
        (tmp / "result" / "autograder").mkdir()
        (tmp / "result" / "instructors").mkdir()
        for notebook in notebooks:
            work = tmp / "work" / notebook.stem
            _kit_copy(work)
            student, tests, bundle = assign(notebook, work)
            shutil.copy2(work / notebook.name, tmp / "result" / "instructors" / notebook.name)
            _clean_student_notebook(student, kit / "notebooks" / notebook.name)
            test_dir = kit / "notebooks" / "tests" / notebook.stem
            test_dir.mkdir()
            for test in tests:
                shutil.copy2(test, test_dir / test.name)
            shutil.copy2(bundle, tmp / "result" / "autograder" / f"{notebook.stem}-autograder.zip")
            questions = [{"name": e.name, "points": e.config.get("points", 0), "manual": bool(e.config.get("manual"))}
                         for e in exercises(nbformat.read(notebook, as_version=4), str(notebook))]
            (tmp / "result" / "autograder" / f"{notebook.stem}-questions.json").write_text(
                json.dumps(questions, indent=1) + "\n", encoding="utf-8")
            found = leaks(notebook, [kit / "notebooks" / notebook.name, *sorted(test_dir.glob("*.py"))])
            if found:
                raise StudentEditionError(f"{notebook}: the students' edition would show solution or hidden-test "
                                          f"lines: {found[:5]}")
            print(f"  {notebook.name}: {len(tests)} questions with public tests", flush=True)
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        (tmp / "result").rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / KIT_NAME


def handout(kit: Path) -> Path:
    """The students' edition as one zip beside it (`make handout`): what an instructor hands out."""
    archive = shutil.make_archive(str(kit.parent / kit.name), "zip", root_dir=kit.parent, base_dir=kit.name)
    return Path(archive)


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    parser.add_argument("--handout", action="store_true", help="also zip the students' edition (make handout)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(f"Students' edition of {len(notebooks)} notebooks into {args.out}/", flush=True)
    try:
        kit = build([n.resolve() for n in notebooks], args.out.resolve())
    except StudentEditionError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"Wrote {kit} (open its notebooks) and {args.out / 'autograder'}/ (make grade).")
    if args.handout:
        print(f"Hand out {handout(kit)}: the students' edition with its own README.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
