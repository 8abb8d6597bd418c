"""`python -m helpers.benchmark ...`: the benchmarks behind the README's figures, one JSON line with --json.

They are the kit's own tooling, kept in tools/benchmark.py (`python -m helpers.benchmark --help` lists
them); this module keeps the command's name. The students' edition has no tools/ and no benchmarks.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark command line of tools/benchmark.py (from the kit's top folder)."""
    try:
        from tools.benchmark import main as run
    except ModuleNotFoundError as err:
        raise SystemExit("The benchmarks are part of the instructors' kit (tools/benchmark.py): run "
                         "`python -m helpers.benchmark ...` from the kit's top folder.") from err
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
