"""Turn Colab's published `pip freeze` into the constraints file that `make test-colab` installs with.

    python tools/colab_constraints.py PATH/pip-freeze.gpu.txt [--date YYYY-MM-DD] [--source TEXT] [--runtime 2026.07]

PATH is `pip-freeze.gpu.txt` from a checkout of github.com/googlecolab/backend-info (the
package list of Colab's current GPU runtime; for a past runtime that a notebook can pin, the
file at the commit its README names, with `--runtime VERSION`); `os-info-gpu.txt` next to it
gives the Python version. The output (tools/colab/constraints.txt, or constraints-VERSION.txt
for a past runtime) keeps every `name==version` pin pip
can use as a constraint and says in its header what was dropped and why: direct references
(`name @ URL`: wheels on NVIDIA's index, GitHub, or Colab's own disk), local versions
(`torch==2.11.0+cu128`: Colab's CUDA builds, not on PyPI) and the names in UNREACHABLE.
Pins of packages the kit never installs cost nothing: pip applies a constraint only to a
package that something asks for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "colab" / "constraints.txt"

#: Pins that parse but cannot be installed from PyPI for the replica's Python; name -> why.
#: Add a name here when `make test-colab` reports that no distribution matches its pin.
UNREACHABLE: dict[str, str] = {}

#: Why a dropped line does not matter to the kit; name -> note (shown in the header).
NOTES = {"google-colab": "Colab's own package; the replica loads the stand-in in tools/colab/stub"}

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


def normalize(name: str) -> str:
    """The PEP 503 form of a project name (what pip compares)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def convert(freeze: str) -> tuple[list[str], dict[str, list[str]]]:
    """Split a `pip freeze` listing into usable pins and the dropped lines, grouped by reason."""
    keep: list[str] = []
    dropped: dict[str, list[str]] = {}
    for raw in freeze.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if " @ " in line or line.startswith(("-e ", "--")):
            reason, what = "direct reference (name @ URL), not a version pip can pin", line.split(" @ ")[0].strip()
        elif (match := _PIN.match(line)) is None:
            reason, what = "not a name==version line", line
        elif "+" in match.group(2):
            reason, what = "local version (Colab's own CUDA build, not on PyPI)", line
        elif normalize(match.group(1)) in UNREACHABLE:
            reason, what = UNREACHABLE[normalize(match.group(1))], line
        else:
            keep.append(line)
            continue
        dropped.setdefault(reason, []).append(what)
    return keep, dropped


def _git_date(path: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(path.parent), "log", "-1", "--format=%cs %H", "--", path.name],
                             capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    return out.stdout.strip() or None


def python_version(os_info: str) -> str | None:
    """The `Python X.Y.Z` line of Colab's os-info file, as 'X.Y.Z'."""
    match = re.search(r"^Python (\d+\.\d+\.\d+)", os_info, re.MULTILINE)
    return match.group(1) if match else None


def constraints_path(runtime: str = "current") -> Path:
    """Where the constraints of a runtime live: constraints.txt for Colab's current one, else constraints-NAME.txt."""
    if runtime != "current" and not re.fullmatch(r"\d{4}\.\d{2}", runtime):
        raise ValueError(f"runtime {runtime!r}: use 'current' or a past runtime's version such as 2026.07.")
    return DEFAULT_OUT if runtime == "current" else DEFAULT_OUT.with_name(f"constraints-{runtime}.txt")


def render(freeze: str, date: str, source: str, python: str | None, os_name: str | None,
           runtime: str = "current") -> str:
    """The constraints file: a header (date, source, runtime, what was dropped) and the pins."""
    keep, dropped = convert(freeze)
    which = ("make test-colab" if runtime == "current" else f"make test-colab COLAB_RUNTIME={runtime}")
    lines = [
        f"# Google Colab's GPU runtime, as pip constraints for `{which}` (see README, \"Tested against Colab\").",
        "# Runtime: " + ("current (what a new notebook gets)" if runtime == "current" else
                         f"{runtime} (a past runtime a notebook can pin: Runtime > Change runtime type > Runtime version)"),
        f"# Colab list dated: {date}",
        f"# Source: {source}",
        f"# Copied: {dt.date.today().isoformat()} by tools/colab_constraints.py; regenerate with it, do not edit by hand.",
    ]
    if python:
        lines.append(f"# Python: {python}" + (f" ({os_name})" if os_name else ""))
    lines.append(f"# Kept: {len(keep)} pins. Dropped: {sum(map(len, dropped.values()))} lines, unusable as constraints:")
    for reason, names in dropped.items():
        lines.append(f"#   {reason}:")
        for name in names:
            lines.append(f"#     {name}" + (f"  ({NOTES[normalize(name)]})" if normalize(name) in NOTES else ""))
    lines.append("# Pins of packages the kit never installs are harmless: pip applies a constraint only when it installs one.")
    return "\n".join(lines + keep) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: write the constraints file from a pip-freeze.gpu.txt."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("freeze", type=Path, help="pip-freeze.gpu.txt from googlecolab/backend-info")
    parser.add_argument("--os-info", type=Path, default=None, help="default: os-info-gpu.txt next to FREEZE")
    parser.add_argument("--date", default=None, help="date of Colab's list (default: its git commit date, else today)")
    parser.add_argument("--source", default=None, help="where the list came from (default: its path and git commit)")
    parser.add_argument("--runtime", default="current",
                        help="'current' (default) or a past runtime's version, e.g. 2026.07 (README of backend-info)")
    parser.add_argument("-o", "--out", type=Path, default=None,
                        help="default: tools/colab/constraints.txt, or constraints-RUNTIME.txt for a past runtime")
    args = parser.parse_args(argv)

    freeze = args.freeze.read_text()
    os_info_path = args.os_info or args.freeze.with_name("os-info-gpu.txt")
    os_info = os_info_path.read_text() if os_info_path.is_file() else ""
    git = _git_date(args.freeze.resolve())
    date = args.date or (git.split()[0] if git else dt.date.today().isoformat())
    source = args.source or (f"googlecolab/backend-info commit {git.split()[1]}, pip-freeze.gpu.txt" if git
                             else str(args.freeze))
    os_name = next((line for line in os_info.splitlines() if line.startswith(("Ubuntu", "Debian"))), None)
    text = render(freeze, date, source, python_version(os_info), os_name, args.runtime)
    args.out = args.out or constraints_path(args.runtime)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    keep, dropped = convert(freeze)
    counts = ", ".join(f"{len(names)} {reason.split(' (')[0]}" for reason, names in dropped.items())
    print(f"Wrote {args.out}: {len(keep)} pins from Colab's list of {date}; dropped {counts}.")
    if not python_version(os_info):
        print(f"No Python version found ({os_info_path} missing?): make test-colab will use the default python3.",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
