"""Write the README's measured tables from the committed records (`make record`).

    python -m tools.readme_tables [--keep build/record.json] [--check]

The records:
- `results/record-<mode>.json`: one `make run` in that mode (tools/runner.py): the commit, the
  date, the machine's CPUs and GPU, and per notebook its minutes and its results table;
- `results/benchmarks/<benchmark>_<model>_<split>_seed<S>.json`: the one JSON line a
  `python -m helpers.benchmark ... --json` run printed.

Each generated part of README.md sits between `<!-- generated: NAME -->` and
`<!-- /generated: NAME -->` (NAME: timing, results, benchmarks). `--keep FILE` first stores a
run's record as results/record-<mode>.json; `--check` changes nothing and exits 1 when the README
differs from what the records give (tests/test_readme_tables.py runs it in `make test`).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
MODES = ("full", "lecture", "smoke")


class RecordError(ValueError):
    """A record that cannot be used: failed notebooks, or not a record at all."""


def records(folder: Path = RESULTS) -> dict[str, dict[str, Any]]:
    """The committed run records, by mode."""
    found = {}
    for mode in MODES:
        path = folder / f"record-{mode}.json"
        if path.is_file():
            found[mode] = json.loads(path.read_text())
    return found


def benchmarks(folder: Path = RESULTS / "benchmarks") -> list[dict[str, Any]]:
    """The committed benchmark lines, sorted by benchmark, model, split and seed."""
    rows = []
    for path in sorted(folder.glob("*.json")):
        text = path.read_text().strip()
        try:
            rows.append(json.loads(text.splitlines()[-1]))
        except (json.JSONDecodeError, IndexError) as err:
            raise RecordError(f"{path}: not one JSON line ({err}); store what the benchmark printed.") from None
    return sorted(rows, key=lambda r: (r.get("benchmark", ""), r.get("model", ""), r.get("split", ""),
                                       r.get("seed", 0)))


def _commits(rec: dict[str, Any]) -> str:
    commits = sorted({e.get("commit", rec["commit"]) for e in rec["notebooks"]})
    return f"commit `{commits[0]}`" if len(commits) == 1 else "commits " + ", ".join(f"`{c}`" for c in commits)


def _machine(rec: dict[str, Any]) -> str:
    gpu = "a GPU" if rec.get("gpu") else "no GPU"
    load = f", load average {rec['load_average']} at its end" if "load_average" in rec else ""
    return f"{rec.get('cpus', '?')} CPU cores, {gpu}{load}, data: {rec.get('data', '?')}"


def timing_table(recs: dict[str, dict[str, Any]]) -> str:
    """Minutes per notebook and mode, and which run each column comes from."""
    if not recs:
        return "No run has been recorded yet: `make run MODE=<mode>` then `make record`."
    names = sorted({e["notebook"] for rec in recs.values() for e in rec["notebooks"]})
    modes = [m for m in MODES if m in recs]
    lines = ["| notebook | " + " | ".join(f"{m}, minutes" for m in modes) + " |",
             "| --- |" + " ---: |" * len(modes)]
    for name in names:
        cells = []
        for mode in modes:
            entry = next((e for e in recs[mode]["notebooks"] if e["notebook"] == name), None)
            cells.append("-" if entry is None else f"{entry['minutes']:.1f}" if entry["ok"] else "failed")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = [f"**{sum(e['minutes'] for e in recs[m]['notebooks']):.1f}**" for m in modes]
    lines.append("| **all notebooks** (`make run`, each notebook's kernel start to end) | " + " | ".join(totals) + " |")
    lines.append("")
    for mode in modes:
        rec = recs[mode]
        lines.append(f"- {mode}: `make run MODE={mode}` on {rec['date']}, {_commits(rec)}, {_machine(rec)}.")
    return "\n".join(lines)


def results_tables(recs: dict[str, dict[str, Any]]) -> str:
    """Each notebook's results table from the largest recorded mode."""
    mode = next((m for m in MODES if m in recs), None)
    if mode is None:
        return "No run has been recorded yet."
    rec = recs[mode]
    parts = [f"From `make run MODE={mode}` on {rec['date']} ({_commits(rec)}, {_machine(rec)}):"]
    for entry in rec["notebooks"]:
        if not entry["results"]:
            continue
        table = pd.DataFrame(entry["results"])
        # a notebook that stacks tables of several kinds (a `data` column: digits, ratings) shows one table a kind,
        # each without the columns its rows leave blank
        groups = table.groupby("data", sort=False) if "data" in table.columns else [(None, table)]
        for data, group in groups:
            group = group.dropna(axis=1, how="all").drop(columns="data", errors="ignore")
            title = f"**{entry['notebook']}**" + (f", {data}" if data is not None else "")
            parts += ["", title, "", group.to_markdown(index=False, floatfmt=".4f")]
    return "\n".join(parts)


#: Benchmark fields that count something: shown without decimals (a column other models leave blank is float).
WHOLE_NUMBERS = {"seed", "epochs_chosen", "rank", "samples"}


def benchmark_tables(rows: list[dict[str, Any]]) -> str:
    """One table per benchmark model: a row per run, and the five folds' mean and sd where all five are there."""
    if not rows:
        return "No benchmark has been recorded yet."
    fields = ["split", "seed", "rmse", "mae", "glocal_rmse", "bfm_rmse", "seconds", "selection_seconds", "bfm_seconds",
              "epochs_chosen", "chosen", "features", "rank", "samples", "selected_on"]
    parts = []
    table = pd.DataFrame(rows)
    if "chosen_settings" in table.columns:  # the blend's per-fold choices, in a few characters
        table["chosen"] = table["chosen_settings"].map(
            lambda c: f"λ {c['autorec_lam']:g}, dropout {c['autorec_dropout']:g}; MF k {c['mf_factors']}, "
                      f"L2 {c['mf_reg']:g}" if isinstance(c, dict) else None)
    for (bench, model), group in table.groupby(["benchmark", "model"], sort=True):
        shown = [f for f in fields if f in group.columns and group[f].notna().any()]
        parts += [f"**`python -m helpers.benchmark {bench} --model {model} --split uN --seed S --json`**", "",
                  group[shown].to_markdown(index=False, floatfmt=tuple(
                      ".1f" if "seconds" in f else ".0f" if f in WHOLE_NUMBERS else ".4f" for f in shown))]
        if "rmse" in group.columns and "split" in group.columns:
            folds = group[group["split"].isin(["u1", "u2", "u3", "u4", "u5"])]
            per_fold = folds.groupby("split")["rmse"].mean()
            if len(per_fold) == 5:
                parts += ["", f"Five folds: RMSE {statistics.mean(per_fold):.4f} ± {statistics.stdev(per_fold):.4f} "
                          "(mean ± sd of the folds' mean over seeds)."]
                for field, who in (("glocal_rmse", "GLocal-K alone"), ("bfm_rmse", "The Bayesian FM alone")):
                    if field in folds.columns and folds[field].notna().all():
                        alone = folds.groupby("split")[field].mean()
                        parts += ["", f"{who} (`{field}`), five folds: RMSE {statistics.mean(alone):.4f} ± "
                                  f"{statistics.stdev(alone):.4f}."]
            u1 = group[group["split"] == "u1"]["rmse"]
            if len(u1) > 1:
                parts += ["", f"u1 over {len(u1)} seeds: RMSE {u1.mean():.4f}."]
        parts.append("")
    return "\n".join(parts).rstrip()


def generated(recs: dict[str, dict[str, Any]], rows: list[dict[str, Any]]) -> dict[str, str]:
    """The text of each generated part of the README."""
    return {"timing": timing_table(recs), "results": results_tables(recs), "benchmarks": benchmark_tables(rows)}


def render(readme: str, parts: dict[str, str]) -> str:
    """The README with each generated part replaced; a part the README lacks is an error."""
    for name, text in parts.items():
        pattern = re.compile(rf"(<!-- generated: {name} -->\n)(?:.*?\n)?(<!-- /generated: {name} -->)", re.S)
        if not pattern.search(readme):
            raise RecordError(f"README.md has no '<!-- generated: {name} -->' ... '<!-- /generated: {name} -->' part.")
        readme = pattern.sub(lambda m, t=text: m.group(1) + t + "\n" + m.group(2), readme)
    return readme


def keep(record_file: Path, folder: Path = RESULTS) -> Path:
    """Store a run's record in results/record-<mode>.json: its notebooks replace theirs in the record
    already there (so a notebook whose numbers changed is run and recorded alone; each entry keeps the
    commit it ran at). A failed notebook is left out (its old entry, if any, stays) and named on stderr."""
    rec = json.loads(record_file.read_text())
    if "mode" not in rec or "notebooks" not in rec:
        raise RecordError(f"{record_file} is not a run record (no mode or notebooks): make run writes one.")
    failed = [e["notebook"] for e in rec["notebooks"] if not e["ok"]]
    if failed:
        print(f"{record_file}: not recorded, as they failed: {', '.join(failed)}", file=sys.stderr)
        rec["notebooks"] = [e for e in rec["notebooks"] if e["ok"]]
    if not rec["notebooks"]:
        raise RecordError(f"{record_file}: every notebook failed; nothing to record.")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"record-{rec['mode']}.json"
    for entry in rec["notebooks"]:
        entry.setdefault("commit", rec["commit"])
    if target.is_file():
        old = json.loads(target.read_text())
        fresh = {e["notebook"] for e in rec["notebooks"]}
        for entry in old["notebooks"]:
            entry.setdefault("commit", old["commit"])
        rec["notebooks"] = sorted([e for e in old["notebooks"] if e["notebook"] not in fresh] + rec["notebooks"],
                                  key=lambda e: e["notebook"])
        if fresh != {e["notebook"] for e in rec["notebooks"]}:
            rec["commit"] = "per notebook"
    target.write_text(json.dumps(rec, indent=1) + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, help="a run's record.json to store first")
    parser.add_argument("--check", action="store_true", help="exit 1 if the README differs from the records")
    args = parser.parse_args(argv)
    readme_path = ROOT / "README.md"
    try:
        if args.keep:
            print(f"Kept {keep(args.keep)}")
        readme = readme_path.read_text()
        new = render(readme, generated(records(), benchmarks()))
    except RecordError as err:
        print(err, file=sys.stderr)
        return 1
    if args.check:
        if new != readme:
            print("README.md's generated tables differ from results/: run `python -m tools.readme_tables`.",
                  file=sys.stderr)
            return 1
        print("README.md's generated tables match results/.")
        return 0
    if new != readme:
        readme_path.write_text(new)
        print("Rewrote the generated tables in README.md.")
    else:
        print("README.md's generated tables were already up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
