"""docs/slide_map.md maps every item of the slides to a notebook section that exists (issue 17).

The map is one markdown table with the columns `#`, `slide`, `item`, `notebook` and `section`:
`notebook` is a lesson's file name without its extension (in backticks or not); `section` is the
text of one of the level-2 markdown headings in its py:percent source, `notebooks/<notebook>.py`
(`## 3. The lecture's model, exactly` is matched by `3. The lecture's model, exactly`)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jupytext
import pytest

KIT = Path(__file__).resolve().parent.parent
MAP = KIT / "docs" / "slide_map.md"
COLUMNS = ["#", "slide", "item", "notebook", "section"]

pytestmark = pytest.mark.notebooks


def table_rows(text: str) -> list[dict[str, str]]:
    """The rows of the first markdown table in `text`, as dicts keyed by the header's cells."""
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    assert len(lines) >= 2, "no markdown table"

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip("|").split("|")]

    header = cells(lines[0])
    assert re.fullmatch(r"[\s|:-]+", lines[1]), "the table's second line is its |---| separator"
    rows = []
    for line in lines[2:]:
        values = cells(line)
        assert len(values) == len(header), f"{len(values)} cells, not {len(header)}: {line[:80]}"
        rows.append(dict(zip(header, values)))
    return rows


@cache
def section_headings(path: Path) -> set[str]:
    """The texts of a notebook's level-2 markdown headings."""
    nb = jupytext.read(path)
    return {m[1].strip() for c in nb.cells if c.cell_type == "markdown"
            for m in re.finditer(r"^## +(.+)$", c.source, flags=re.MULTILINE)}


def test_table_parser() -> None:
    rows = table_rows("intro\n\n| a | b |\n| --- | :-: |\n| 1 | `x` |\n| 2 | y z |\n\nafter")
    assert rows == [{"a": "1", "b": "`x`"}, {"a": "2", "b": "y z"}]


def test_map_has_its_columns_and_numbered_rows() -> None:
    rows = table_rows(MAP.read_text(encoding="utf-8"))
    assert list(rows[0]) == COLUMNS
    assert [r["#"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)], "rows numbered 1, 2, ..."
    empty = [r["#"] for r in rows if not all(r[c] for c in COLUMNS)]
    assert not empty, f"rows with an empty cell: {empty}"


def test_every_mapped_section_exists() -> None:
    rows = table_rows(MAP.read_text(encoding="utf-8"))
    problems = []
    for row in rows:
        stem = row["notebook"].strip("`")
        path = KIT / "notebooks" / f"{stem}.py"
        if not path.is_file():
            problems.append(f"row {row['#']}: no notebook {path.name}")
        elif row["section"] not in section_headings(path):
            problems.append(f"row {row['#']}: {stem} has no heading '## {row['section']}'")
    assert not problems, "\n".join(problems)


def test_map_reaches_every_lesson_that_teaches_the_slides() -> None:
    rows = table_rows(MAP.read_text(encoding="utf-8"))
    mapped = {row["notebook"].strip("`")[:2] for row in rows}
    assert {"01", "02", "03", "04", "05", "06", "07"} <= mapped
