"""Benchmarks that print figures (one JSON line with --json).

    python -m helpers.benchmark mnist --model seed [--epochs N] [--seed S] --json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MNIST_MODELS = ("seed",)


def mnist_benchmark(model_name: str, epochs: int, seed: int, batch_size: int = 128) -> dict[str, Any]:
    """Train an MNIST autoencoder variant the lecture's way and report validation BCE and time."""
    from helpers import data, experiments

    (x_train, _), (x_test, _) = data.load_mnist()
    if model_name != "seed":  # pragma: no cover - argparse limits the choices
        raise ValueError(f"Unknown MNIST model {model_name!r}; choose one of {MNIST_MODELS}.")
    run = experiments.train_mnist_variant(x_train, x_test, epochs=epochs, batch_size=batch_size, seed=seed)
    return {
        "benchmark": "mnist", "model": model_name, "val_loss": run["val_loss"],
        "best_val_loss": float(min(run["history"]["val_loss"])), "loss": float(run["history"]["loss"][-1]),
        "epochs": epochs, "seconds": round(run["seconds"], 2), "seconds_per_epoch": round(run["seconds_per_epoch"], 3),
        "seed": seed, "n_train": int(len(x_train)), "n_test": int(len(x_test)),
        "data": f"offline:{data.data_dir()}" if data.data_dir() else "mnist.npz (60k/10k)",
        "params": int(run["model"].count_params()),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run one benchmark, print its figures."""
    parser = argparse.ArgumentParser(prog="python -m helpers.benchmark", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    mnist = sub.add_parser("mnist", help="MNIST autoencoders: validation BCE and training time")
    mnist.add_argument("--model", choices=MNIST_MODELS, default="seed")
    mnist.add_argument("--epochs", type=int, default=None, help="default: 50 (2 with COURSE_SMOKE=1)")
    mnist.add_argument("--seed", type=int, default=0)
    mnist.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args(argv)

    from helpers.runtime import smoke_or

    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be at least 1")
    epochs = args.epochs if args.epochs is not None else smoke_or(50, 2)
    result = mnist_benchmark(args.model, epochs, args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
