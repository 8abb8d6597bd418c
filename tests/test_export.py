"""One source for every taught model: the lessons' cells marked `#| export` generate modules of helpers/
(tools/export.py, nbdev's exporter), and nothing a lesson defines is kept by hand a second time."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest

from helpers.runtime import kit_root
from tools import export

pytestmark = pytest.mark.notebooks

LESSONS = sorted((kit_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GENERATED = {p.stem: p for p in export.generated_modules()}
HAND_WRITTEN = sorted(p for p in (kit_root() / "helpers").glob("*.py") if p.stem not in GENERATED)


def _lesson_of(module: str) -> str:
    """The lesson a generated module names in its header, e.g. '02'."""
    first = GENERATED[module].read_text(encoding="utf-8").splitlines()[0]
    return re.search(r"notebooks/(\d\d)_", first).group(1)


def test_the_generated_modules_are_in_sync_with_the_lessons() -> None:
    assert export.check(LESSONS) == []


def test_every_generated_module_says_where_it_comes_from() -> None:
    assert {"masked_loss", "lecture_model", "autorec_net", "denoising", "stacked", "sparse", "kernel_autorec",
            "ensemble"} <= set(GENERATED)
    for path in GENERATED.values():
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert re.fullmatch(r"# Generated from notebooks/\d\d_\w+\.ipynb by `make sync` .*: do not edit\.", first)


def test_the_check_catches_an_edited_module(tmp_path: Path) -> None:
    lib = tmp_path / "helpers"
    shutil.copytree(kit_root() / "helpers", lib)
    edited = lib / "masked_loss.py"
    edited.write_text(edited.read_text() + "\nEXTRA = 1\n")
    (lib / "lecture_model.py").unlink()
    problems = export.check(LESSONS, lib)
    assert any("masked_loss.py differs" in p for p in problems)
    assert any("lecture_model.py is missing" in p for p in problems)


def test_write_refuses_to_overwrite_a_hand_written_module(tmp_path: Path) -> None:
    (tmp_path / "runtime.py").write_text('"""hand-written"""\n')
    with pytest.raises(export.ExportError, match="hand-written"):
        export.write({"runtime.py": "# Generated from notebooks/01_x.ipynb\n"}, tmp_path)
    assert (tmp_path / "runtime.py").read_text() == '"""hand-written"""\n'


def _lesson(tmp_path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    path = tmp_path / "09_toy.ipynb"
    nbformat.write(nb, path)
    return path


def test_export_directives_are_checked(tmp_path: Path) -> None:
    with pytest.raises(export.ExportError, match="no cell names the module"):
        export.modules_of(_lesson(tmp_path, "#| export\ndef f():\n    return 1"))
    with pytest.raises(export.ExportError, match="appears 2 times"):
        export.modules_of(_lesson(tmp_path, "#| default_exp a\n#| export\nx = 1", "#| default_exp b\ny = 2"))
    assert export.modules_of(_lesson(tmp_path, "#| default_exp a\n#| export\nx = 1", "#| export b\ny = 2")) == ["a", "b"]


def test_a_toy_lesson_exports_only_its_marked_cells(tmp_path: Path) -> None:
    lesson = _lesson(tmp_path, "#| default_exp toy\n#| export\ndef double(x):\n    return 2 * x", "print(double(2))")
    text = export.generate([lesson])["toy.py"]
    assert text.startswith("# Generated from notebooks/09_toy.ipynb")
    namespace: dict[str, object] = {}
    exec(compile(text, "toy.py", "exec"), namespace)  # noqa: S102 - a module this test just wrote
    assert namespace["double"](3) == 6 and "print(double(2))" not in text


def _defined(tree: ast.Module) -> set[str]:
    """The functions and classes a module or cell defines at its top level (methods belong to their class)."""
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def test_no_name_a_lesson_defines_is_also_written_by_hand_in_helpers() -> None:
    in_lessons: dict[str, str] = {}
    for lesson in LESSONS:
        for cell in jupytext.read(lesson.with_suffix(".py")).cells:
            if cell.cell_type == "code":
                source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
                in_lessons |= dict.fromkeys(_defined(ast.parse(source)), lesson.stem)
    twins = {f"helpers/{path.name}: {name} (also in {in_lessons[name]})"
             for path in HAND_WRITTEN for name in _defined(ast.parse(path.read_text())) if name in in_lessons}
    assert twins == set()


def test_later_lessons_say_which_lesson_wrote_what_they_import() -> None:
    unsaid = []
    for lesson in LESSONS:
        for number, line in enumerate(lesson.with_suffix(".py").read_text().splitlines(), start=1):
            match = re.match(r"\s*from helpers\.(\w+) import ", line)
            if match and match.group(1) in GENERATED and _lesson_of(match.group(1)) != lesson.name[:2]:
                if f"notebook {_lesson_of(match.group(1))}" not in line:
                    unsaid.append(f"{lesson.with_suffix('.py').name}:{number}: {line.strip()}")
    assert unsaid == [], "say where it was written: `# written in notebook NN`"
