"""IPython startup file of the Colab replica (copied to $IPYTHONDIR/profile_default/startup/ by
tools/colab_replica.py): before the first cell, do what Colab's kernel has done by then.

- `google.colab` is imported (the stand-in, found on PYTHONPATH), so `"google.colab" in sys.modules`;
- the working folder is the replica's /content (COLAB_REPLICA_CONTENT), not the notebook's folder,
  and it replaces the notebook's folder on sys.path, as Colab's kernel has /content there.
"""


def _colab_replica_start() -> None:
    import os
    import sys

    import google.colab  # noqa: F401  (Colab's kernel has it loaded before any cell)

    content = os.environ["COLAB_REPLICA_CONTENT"]
    started_in = os.getcwd()
    os.chdir(content)
    sys.path[:] = [content if entry in (started_in, "") else entry for entry in sys.path]


_colab_replica_start()
del _colab_replica_start
