"""The parts of `make test-browser` that need no browser: what counts as a problem, and the skip."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import browser_check


def cell(index: int, outputs: list[dict], tags: list[str] | None = None) -> dict:
    return {"index": index, "type": "code", "source": "x", "tags": tags or [], "count": 1, "outputs": outputs}


def test_errors_and_stderr_are_problems_except_where_expected() -> None:
    error = {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": []}
    stderr = {"output_type": "stream", "name": "stderr", "text": "E0000 something went wrong\n"}
    stdout = {"output_type": "stream", "name": "stdout", "text": "fine\n"}
    cells = [cell(0, [stdout]), cell(1, [stderr]), cell(2, [error]), cell(3, [stderr, error], tags=["raises-exception"])]
    assert browser_check.output_problems(cells) == ["cell 2: stderr: E0000 something went wrong",
                                                    "cell 3: error ValueError: bad"]


def test_without_a_browser_it_skips_or_fails_as_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(browser_check, "find_browser", lambda: None)
    assert browser_check.main(["--skip-without-browser", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("SKIPPED")
    assert browser_check.main(["--out", str(tmp_path)]) == 2
    assert capsys.readouterr().out.startswith("FAILED")


def test_the_default_notebook_is_the_one_with_the_rating_widget() -> None:
    import nbformat

    path = browser_check.KIT / browser_check.DEFAULT_NOTEBOOK
    assert path.is_file(), f"{browser_check.DEFAULT_NOTEBOOK} does not exist"
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert any("rating_widget(" in source for source in code), "the browser check clicks a rating widget: none here"
