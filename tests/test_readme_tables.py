"""The README's measured tables are written from the committed records (tools/readme_tables.py):
they agree, and the writer refuses what it cannot use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import readme_tables


def test_readme_matches_the_records() -> None:
    readme = (readme_tables.ROOT / "README.md").read_text()
    parts = readme_tables.generated(readme_tables.records(), readme_tables.benchmarks())
    assert readme_tables.render(readme, parts) == readme, "run `python -m tools.readme_tables` (make record)"


def _record(mode: str, ok: bool = True) -> dict:
    return {"commit": "abc1234", "mode": mode, "date": "2026-12-02", "data": "offline", "cpus": 2, "gpu": False,
            "notebooks": [{"notebook": "01_mnist_autoencoder", "ok": ok, "minutes": 1.25, "error": "",
                           "results": [{"model": "lecture's AE", "val_bce": 0.1123}]}]}


def test_tables_come_from_the_numbers(tmp_path: Path) -> None:
    for mode in ("full", "smoke"):
        (tmp_path / f"record-{mode}.json").write_text(json.dumps(_record(mode)))
    recs = readme_tables.records(tmp_path)
    timing = readme_tables.timing_table(recs)
    assert "| 01_mnist_autoencoder | 1.2 | 1.2 |" in timing or "| 01_mnist_autoencoder | 1.3 | 1.3 |" in timing
    assert "commit `abc1234`" in timing
    assert "0.1123" in readme_tables.results_tables(recs)
    lines = [{"benchmark": "autorec", "model": "glocal", "split": f"u{k}", "seed": 0, "rmse": 0.88 + k / 1000}
             for k in range(1, 6)]
    bench = readme_tables.benchmark_tables(lines)
    assert "Five folds: RMSE 0.8830" in bench and "glocal_rmse" not in bench  # no column of blanks
    settings = {"autorec_lam": 0.003, "autorec_dropout": 0.5, "mf_factors": 10, "mf_reg": 0.2}
    blend = [{**line, "model": "ensemble", "glocal_rmse": line["rmse"] + 0.01, "chosen_settings": settings}
             for line in lines]
    bench = readme_tables.benchmark_tables(blend)
    assert "GLocal-K alone (`glocal_rmse`), five folds: RMSE 0.8930" in bench
    assert "λ 0.003, dropout 0.5; MF k 10, L2 0.2" in bench


def test_a_failed_notebook_is_not_recorded(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(_record("full", ok=False)))
    with pytest.raises(readme_tables.RecordError, match="every notebook failed"):
        readme_tables.keep(path, tmp_path / "results")
    rec = _record("full")
    rec["notebooks"].append({**rec["notebooks"][0], "notebook": "02_x", "ok": False})
    path.write_text(json.dumps(rec))
    kept = json.loads(readme_tables.keep(path, tmp_path / "results").read_text())
    assert [e["notebook"] for e in kept["notebooks"]] == ["01_mnist_autoencoder"]


def test_a_readme_without_the_part_is_an_error() -> None:
    with pytest.raises(readme_tables.RecordError, match="generated: timing"):
        readme_tables.render("no markers here", {"timing": "x"})


def test_keeping_one_notebook_replaces_only_its_entry(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    first = tmp_path / "first.json"
    rec = _record("lecture")
    rec["notebooks"].append({**rec["notebooks"][0], "notebook": "02_rating_matrix_autoencoder", "minutes": 0.5})
    first.write_text(json.dumps(rec))
    readme_tables.keep(first, folder)
    again = _record("lecture")
    again["commit"] = "def5678"
    again["notebooks"][0]["minutes"] = 2.0
    second = tmp_path / "second.json"
    second.write_text(json.dumps(again))
    kept = json.loads(readme_tables.keep(second, folder).read_text())
    assert [(e["notebook"], e["minutes"], e["commit"]) for e in kept["notebooks"]] == [
        ("01_mnist_autoencoder", 2.0, "def5678"), ("02_rating_matrix_autoencoder", 0.5, "abc1234")]
    assert "commits `abc1234`, `def5678`" in readme_tables.timing_table({"lecture": kept})
