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
    assert raw.count("# BEGIN QUESTION") == 2 and raw.count("# END TESTS") == 2, "Otter Assign's own format"
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


@pytest.mark.slow
def test_grading_a_folder_scores_right_and_wrong(edition: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, kit, autograder = edition
    nb = nbformat.read(kit / "notebooks" / "99_demo.ipynb", as_version=4)
    answers = {"right": ("answer_1 = 15", "    return [v * 2 for v in values]"),
               "wrong": ("answer_1 = 12", "    return [v * 3 for v in values]")}
    folder = tmp_path / "submissions"
    folder.mkdir()
    for who, (fixed, body) in answers.items():
        sub = copy.deepcopy(nb)
        for cell in sub.cells:
            cell.source = cell.source.replace("answer_1 = ...", fixed).replace("    ...", body)
        nbformat.write(sub, folder / f"99_{who}.ipynb")
    table = grade.grade_folder(folder, autograder).set_index("submission")
    assert table.loc["99_right.ipynb", ["q99_1", "q99_2", "total", "possible"]].tolist() == [2.0, 2.0, 4.0, 4.0]
    # the wrong answers have the right form: the public checks pass, the hidden ones fail
    assert table.loc["99_wrong.ipynb", ["q99_1", "q99_2", "total", "possible"]].tolist() == [1.0, 1.0, 2.0, 4.0]


def test_a_submission_without_lesson_digits_is_refused(tmp_path: Path) -> None:
    with pytest.raises(grade.GradingError, match="two digits"):
        grade.bundle_for(tmp_path / "homework.ipynb", tmp_path)
