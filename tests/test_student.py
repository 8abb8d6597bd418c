"""The students' edition and the grading (tools/student.py, tools/grade.py) on a two-question lesson:
no solution or hidden test in what students get, the public checks say "not answered", and a folder
with a right and a wrong submission is graded right."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from tools import grade, student

FIXTURE = Path(__file__).parent / "fixtures" / "99_demo.py"


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(instructors' notebook, students' kit, autograder folder) built once."""
    tmp = tmp_path_factory.mktemp("student")
    master = tmp / "99_demo.ipynb"
    nb = jupytext.read(FIXTURE)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, master)
    kit = student.build([master], tmp / "out")
    return master, kit, tmp / "out" / "autograder"


@pytest.mark.slow
def test_students_edition_holds_no_solution(edition: tuple[Path, Path, Path]) -> None:
    master, kit, _ = edition
    nb = nbformat.read(kit / "notebooks" / "99_demo.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "answer_1 = ..." in text and "return [2 * value" not in text and "15" not in text
    assert 'grader.check("q99_1")' in text and 'grader.check("q99_2")' in text
    tests = sorted((kit / "notebooks" / "tests" / "99_demo").glob("*.py"))
    assert [t.name for t in tests] == ["q99_1.py", "q99_2.py"]
    assert all("hidden=True" not in t.read_text() and "4 * 3 + 3" not in t.read_text() for t in tests)
    assert student.leaks(master, [kit / "notebooks" / "99_demo.ipynb", *tests]) == []
    assert not (kit / "tools").exists() and not (kit / "tests").exists()
    otter = nbformat.read(kit.parent / "instructors" / "99_demo.ipynb", as_version=4)
    raw = [c.source.splitlines()[0] for c in otter.cells if c.cell_type == "raw"]
    assert raw.count("# BEGIN QUESTION") == 3 and raw.count("# END TESTS") == 2, "Otter Assign's own format"
    assert raw[0] == "# ASSIGNMENT CONFIG" and "return [2 * value" in "\n".join(c.source for c in otter.cells)


@pytest.mark.slow
def test_the_autograder_bundle_asks_for_a_python_keras_accepts(edition: tuple[Path, Path, Path]) -> None:
    import re
    import zipfile

    _, _, autograder = edition
    bundles = sorted(autograder.rglob("*.zip"))
    assert bundles, f"no autograder bundle under {autograder}"
    for bundle in bundles:
        with zipfile.ZipFile(bundle) as z:
            env = z.read("environment.yml").decode()
        found = re.search(r"python=(\d+)\.(\d+)", env)
        assert found and (int(found.group(1)), int(found.group(2))) >= (3, 11), f"{bundle.name}: {env[:300]}"


def test_leak_check_finds_a_solution_line(tmp_path: Path) -> None:
    master = tmp_path / "99_demo.ipynb"
    nbformat.write(jupytext.read(FIXTURE), master)
    shown = tmp_path / "shown.py"
    shown.write_text("def double(values):\n    return [2 * value for value in values]\n")
    assert student.leaks(master, [shown]) == ["return [2 * value for value in values]"]
    shown.write_text('    assert answer_1 == 4 * 3 + 3, "not the right count"\n')
    assert student.leaks(master, [shown]) == ['assert answer_1 == 4 * 3 + 3, "not the right count"']


@pytest.mark.slow
def test_unanswered_checks_say_so(edition: tuple[Path, Path, Path]) -> None:
    _, kit, _ = edition
    code = "\n".join(c.source for c in nbformat.read(kit / "notebooks" / "99_demo.ipynb", as_version=4).cells
                     if c.cell_type == "code")
    code += "\nprint(repr(grader.check('q99_1')))\nprint(repr(grader.check('q99_2')))\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=kit / "notebooks", capture_output=True, text=True,
                         timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count("AssertionError: not answered yet") == 2, out.stdout


def _submission(nb: nbformat.NotebookNode, answer_1: str, body: str, note: str = "") -> nbformat.NotebookNode:
    sub = copy.deepcopy(nb)
    for cell in sub.cells:
        cell.source = cell.source.replace("answer_1 = ...", answer_1).replace("    ...", body)
        if note and cell.source.startswith("_Type your answer here"):
            cell.source = note
    return sub


@pytest.mark.slow
def test_a_batch_of_every_kind_of_submission(edition: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """Issue 27's batch: right, empty, wrong, right but a NumPy integer, named as Colab names a copy,
    truncated, another lesson's, an endless loop: every file gets a row, the batch finishes."""
    _, kit, autograder = edition
    nb = nbformat.read(kit / "notebooks" / "99_demo.ipynb", as_version=4)
    right = ("answer_1 = 15", "    return [v * 2 for v in values]")
    folder = tmp_path / "submissions"
    folder.mkdir()
    subs = {
        "99_right.ipynb": _submission(nb, *right, note="When a recipe says so."),
        "99_empty.ipynb": nb,
        "99_wrong.ipynb": _submission(nb, "answer_1 = 12", "    return [v * 3 for v in values]"),
        "99_numpy.ipynb": _submission(nb, "import numpy as np\nanswer_1 = np.int64(4 * 3 + 3)", right[1]),
        "Copy of 99_demo.ipynb": _submission(nb, *right),
        "99_loop.ipynb": _submission(nb, "while True:\n    pass", right[1]),
    }
    for name, sub in subs.items():
        nbformat.write(sub, folder / name)
    other = nbformat.writes(_submission(nb, *right)).replace('q99_', 'q98_')
    (folder / "99_other_lesson.ipynb").write_text(other)
    whole = (folder / "99_right.ipynb").read_text()
    (folder / "99_truncated.ipynb").write_text(whole[: len(whole) // 2])
    table = grade.grade_folder(folder, autograder, timeout=45).set_index("submission")
    assert len(table) == 8 and list(table.columns[-4:]) == ["q99_2", "q99_3", "total", "possible"]
    status = table["status"].to_dict()
    assert status == {"99_right.ipynb": "graded", "99_empty.ipynb": "graded", "99_wrong.ipynb": "graded",
                      "99_numpy.ipynb": "graded", "Copy of 99_demo.ipynb": "graded", "99_loop.ipynb": "timeout",
                      "99_other_lesson.ipynb": "wrong lesson", "99_truncated.ipynb": "unreadable"}
    points = table[["q99_1", "q99_2", "total", "possible"]].astype(float)
    for who in ("99_right.ipynb", "99_numpy.ipynb", "Copy of 99_demo.ipynb"):
        assert points.loc[who].tolist() == [2.0, 2.0, 4.0, 5.0], who
    for who in ("99_empty.ipynb", "99_wrong.ipynb"):  # a wrong answer of the right form earns nothing
        assert points.loc[who].tolist() == [0.0, 0.0, 0.0, 5.0], who
    assert table["q99_3"].isna().all(), "the open question is left blank for the instructor"
    assert all(table.loc[s, "reason"] for s in ("99_loop.ipynb", "99_other_lesson.ipynb", "99_truncated.ipynb"))
    assert (folder / "grades.csv").is_file()
    feedback = {p.name: p.read_text() for p in (folder / "feedback").glob("*.md")}
    assert len(feedback) == 8
    assert "not passed, 0 of 2 points" in feedback["99_wrong.md"] and "not the right count" in feedback["99_wrong.md"]
    assert "passed, 2 of 2 points" in feedback["99_right.md"]
    assert not any("4 * 3 + 3" in text or "def test_" in text or "v + v" in text for text in feedback.values())
    answers = (folder / "open_answers.md").read_text()
    assert "## 99_demo: q99_3" in answers and "When a recipe says so." in answers


def test_a_file_name_gives_the_lesson() -> None:
    assert grade.lesson_digits(Path("02_ada.ipynb")) == "02"
    assert grade.lesson_digits(Path("Copy of 02_rating_matrix_autoencoder.ipynb")) == "02"
    assert grade.lesson_digits(Path("Copy of Copy of 06_bob (1).ipynb")) == "06"
    assert grade.lesson_digits(Path("homework.ipynb")) is None and grade.lesson_digits(Path("2024_x.ipynb")) is None


@pytest.mark.slow
def test_the_handout_is_the_students_edition_with_their_readme(edition: tuple[Path, Path, Path]) -> None:
    import zipfile

    _, kit, _ = edition
    archive = student.handout(kit)
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        readme = z.read("ae-recsys-kit/README.md").decode()
    assert "ae-recsys-kit/notebooks/99_demo.ipynb" in names and not any("/tools/" in n or "/tests/q" not in n
                                                                        and n.endswith("test_student.py") for n in names)
    assert "make " not in readme and "instructors' edition" not in readme and "grader.check" in readme
    assert "Copy of" not in readme and "Hand in" in readme
