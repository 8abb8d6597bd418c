"""A stand-in for Colab's `google.colab` package, for `make test-colab` (tools/colab_replica.py).

Only what the kit touches: `drive.mount` (the replica Drive) and a few `output` calls.
`google/` has no __init__.py on purpose: it stays a namespace package, so `google.protobuf`
(TensorFlow needs it) is still found in site-packages.
"""

from google.colab import drive, output

__version__ = "0.0.1a2"  # what Colab's own package reports
REPLICA = True  # lets a test tell the stand-in from the real package

__all__ = ["drive", "output"]
