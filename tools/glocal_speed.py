"""GLocal-K's training speed in the kit against its authors' notebook, on this machine: seconds per epoch.

    python -m tools.glocal_speed --authors PATH/GLocal_K.ipynb --python PATH/bin/python [--epochs 5] [--json]

The authors' notebook (github.com/usydnlp/Glocal_K) needs TensorFlow 1.x (`tf.contrib`'s
`ScipyOptimizerInterface`), so it runs in an interpreter of its own (`--python`: e.g. a Python 3.7 virtual
environment with `tensorflow==1.15.5` and `h5py<3`). Its code cells run unchanged except three things: the
Colab-only lines (the Drive mount and the `%tensorflow_version` magic) are left out, its data folder is a
scratch copy of the same `u1.base` and `u1.test` the kit reads, and its ML-100K epochs are `--epochs` for
each stage. Its printed "Time:" lines (one epoch's L-BFGS-B call plus one prediction) are read back.
The kit's `train_glocal_k` (notebook 08) trains on the same `u1.base` in this process; its `history.seconds`
times an epoch's L-BFGS-B call alone, so the authors' figure holds one forward pass more (a small share of an
epoch's function and gradient evaluations). The figures are medians over each stage's epochs; the stored run is
results/glocal_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

#: Lines of the authors' notebook that only make sense on Colab.
COLAB_ONLY = re.compile(r"^\s*(%|from google\.colab|drive\.mount)")


def authors_script(notebook: Path, data_dir: Path, epochs: int) -> str:
    """The authors' code cells as one script: Colab-only lines out, data path and ML-100K epochs set."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError) as err:
        raise SystemExit(f"--authors {notebook}: not a readable notebook ({err}).") from None
    code = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    code = "\n".join(line for line in code.splitlines() if not COLAB_ONLY.match(line))
    replaced = 0
    for name, value in (("data_path", repr(str(data_dir))), ("epoch_p", epochs), ("epoch_f", epochs)):
        code, n = re.subn(rf"^(\s*){name} = [^\s#]+", lambda m, name=name, value=value: f"{m[1]}{name} = {value}",
                          code, count=1, flags=re.M)
        replaced += n
    if replaced != 3 or "optimizer_p.minimize" not in code:
        raise SystemExit(f"--authors {notebook}: not GLocal-K's notebook as expected (data_path, epoch_p, epoch_f, "
                         "optimizer_p.minimize).")
    return code


def authors_seconds(notebook: Path, python: str, epochs: int) -> dict[str, list[float]]:
    """Run the authors' notebook for `epochs` per stage; each stage's per-epoch seconds, as it prints them."""
    from helpers import datasets

    train, test = datasets.load_movielens("ml-100k", "u1")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "MovieLens_100K"
        folder.mkdir()
        for frame, name in ((train, "movielens_100k_u1.base"), (test, "movielens_100k_u1.test")):
            frame[["user_id", "item_id", "rating", "timestamp"]].to_csv(folder / name, sep="\t", header=False,
                                                                        index=False)
        script = Path(tmp) / "glocal_k_authors.py"
        script.write_text(authors_script(notebook, Path(tmp), epochs), encoding="utf-8")
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}
        out = subprocess.run([python, str(script)], capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise SystemExit(f"The authors' notebook failed under {python}:\n{out.stderr[-3000:]}")
    times: dict[str, list[float]] = {"PRE-TRAINING": [], "FINE-TUNING": []}
    stage = None
    for line in out.stdout.splitlines():
        if line.strip() in times:
            stage = line.strip()
        elif line.startswith("Time:") and stage:
            times[stage].append(float(line.split()[1]))
    if len(times["PRE-TRAINING"]) != epochs or len(times["FINE-TUNING"]) != epochs:
        raise SystemExit(f"Read {len(times['PRE-TRAINING'])} + {len(times['FINE-TUNING'])} epoch times from the "
                         f"authors' output, not {epochs} + {epochs}:\n{out.stdout[-2000:]}")
    return times


def kit_seconds(epochs: int) -> dict[str, list[float]]:
    """The kit's GLocal-K on u1.base for `epochs` per stage; each stage's per-epoch seconds."""
    from helpers import evaluation, kernel_autorec

    split = evaluation.load_split("u1")
    config = kernel_autorec.GLOCAL_K.with_(pretrain_epochs=epochs, finetune_epochs=epochs)
    history = kernel_autorec.train_glocal_k(split.train, split.index, config).history
    return {"PRE-TRAINING": history.loc[history["stage"] == "pre-training", "seconds"].tolist(),
            "FINE-TUNING": history.loc[history["stage"] == "fine-tuning", "seconds"].tolist()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.glocal_speed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--authors", type=Path, required=True, help="the authors' GLocal_K.ipynb")
    parser.add_argument("--python", required=True, help="an interpreter with TensorFlow 1.15 for it")
    parser.add_argument("--epochs", type=int, default=5, help="epochs of each stage, both programs (default 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    authors = authors_seconds(args.authors, args.python, args.epochs)
    kit = kit_seconds(args.epochs)
    import tensorflow as tf

    result: dict[str, Any] = {"benchmark": "glocal_speed", "split": "u1", "epochs": args.epochs,
                              "iterations": 5, "cpus": os.cpu_count(), "tensorflow": tf.__version__}
    for who, times in (("authors", authors), ("kit", kit)):
        for stage, key in (("PRE-TRAINING", "pretrain"), ("FINE-TUNING", "finetune")):
            result[f"{who}_{key}_s_per_epoch"] = round(statistics.median(times[stage]), 3)
    result["kit_vs_authors"] = round((result["kit_pretrain_s_per_epoch"] + result["kit_finetune_s_per_epoch"])
                                     / (result["authors_pretrain_s_per_epoch"]
                                        + result["authors_finetune_s_per_epoch"]), 3)
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
