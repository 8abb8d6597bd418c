"""Refuse notebooks that would leak something: outputs (anything `nbstripout --keep-id` would strip),
e-mail addresses, OAuth codes or tokens, personal Google Drive paths, or Colab's authorship tags.

    python -m tools.hygiene notebooks/*.ipynb     # exit 1 and name file, cell and problem
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import nbformat
from nbstripout import strip_output

from tools.checks import check_notebooks

#: The metadata that the nbstripout command strips by default (the list in nbstripout 0.9.1).
NBSTRIPOUT_KEYS = ["metadata.signature", "metadata.widgets", "cell.metadata.collapsed", "cell.metadata.ExecuteTime",
                   "cell.metadata.execution", "cell.metadata.heading_collapsed", "cell.metadata.hidden",
                   "cell.metadata.scrolled"]

PATTERNS = {
    "an e-mail address": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    "a Google OAuth authorisation code": re.compile(r"\b4/[0-9A-Za-z_-]{20,}"),
    "a Google OAuth access token": re.compile(r"\bya29\.[0-9A-Za-z_-]{20,}"),
    "a Google refresh token": re.compile(r"\b1//[0-9A-Za-z_-]{20,}"),
    "a Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),
    "a GitHub token": re.compile(r"\b(?:gh[pousr]_[0-9A-Za-z]{30,}|github_pat_[0-9A-Za-z_]{30,})"),
    "a Hugging Face token": re.compile(r"\bhf_[0-9A-Za-z]{30,}"),
}
#: Drive folders every student has or that the kit itself uses: anything else is personal.
SHARED_DRIVE_NAMES = {"*", "ae-recsys-runs", "ae-recsys-kit", "Colab Notebooks", ""}
DRIVE_PATH = re.compile(r"/content/(?:g?drive)/(?:MyDrive|My Drive)/([^/\"'`\\\n]*)")


def scan_text(text: str) -> list[str]:
    """The kinds of secret or personal data found in `text`."""
    found = [name for name, pattern in PATTERNS.items() if pattern.search(text)]
    for match in DRIVE_PATH.finditer(text):
        if match.group(1) not in SHARED_DRIVE_NAMES:
            found.append(f"a personal Drive path ({match.group(0)})")
    return found


def problems(path: Path) -> list[str]:
    """What must be removed from one notebook before it is committed."""
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    # keep_id: nbstripout would otherwise renumber the cell ids, which the committed notebooks keep.
    stripped = strip_output(copy.deepcopy(nb), keep_output=False, keep_count=False, keep_id=True,
                            extra_keys=NBSTRIPOUT_KEYS)
    found = []
    if nb.metadata != stripped.metadata:
        found.append(f"{path}: the notebook metadata holds widget state; run `nbstripout --keep-id {path}`.")
    for number, (cell, clean) in enumerate(zip(nb.get("cells", []), stripped.cells), start=1):
        if cell != clean:
            found.append(f"{path}: cell {number} holds outputs, an execution count or run metadata; run "
                         f"`nbstripout --keep-id {path}` (or Edit > Clear Outputs of All Cells for the first two).")
        source = "".join(cell.get("source", []))
        found += [f"{path}: cell {number} contains {what}; remove it." for what in scan_text(source)]
    colab = nb.get("metadata", {}).get("colab", {})
    if colab.get("authorship_tag") or colab.get("provenance"):
        found.append(f"{path}: the notebook metadata carries Colab's authorship/provenance of one account; "
                     "remove metadata.colab.authorship_tag and empty metadata.colab.provenance.")
    meta_text = json.dumps(nb.get("metadata", {}))
    found += [f"{path}: the notebook metadata contains {what}; remove it." for what in scan_text(meta_text)]
    return found


def main(argv: list[str]) -> int:
    """Check every notebook given; print the problems; return the exit status."""
    return check_notebooks("hygiene", argv, problems)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
