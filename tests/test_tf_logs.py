"""colab_setup.quiet_tensorflow_logs: TensorFlow's start-up chatter and known-harmless C++ log lines stay out of a
notebook's stderr, and everything else still gets through."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers.runtime import kit_root

NOISE = [
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    b"I0000 00:00:1795942970.820854   30080 port.cc:153] oneDNN custom operations are on. You may see slightly different",
    b"2026-11-29 09:12:01.286407: I external/local_xla/xla/tsl/cuda/cudart_stub.cc:31] Could not find cuda drivers",
    b"To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the appropriate flags.",
    b"E0000 00:00:1795942982.312293   30080 node_def_util.cc:682] NodeDef mentions attribute use_unbounded_threadpool "
    b"which is not in the op definition: Op<name=MapDataset; signature=input_dataset:variant>",
]
REAL = [b"E0000 00:00:1795942982.312293   30080 op_kernel.cc:1] OOM when allocating tensor", b"Traceback: a real problem"]


def run_python(code: str, **env: str) -> str:
    """Run `code` in a fresh Python (the kit on sys.path) with `env` set; return its stderr."""
    environ = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    environ.update(env)
    prelude = f"import sys; sys.path.insert(0, {str(kit_root())!r}); import colab_setup\n"
    done = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, env=environ, timeout=300, check=True)
    return done.stderr.decode()


WRITE = f"""
import os, time
colab_setup.quiet_tensorflow_logs(kernel_only=False)
for line in {NOISE + REAL!r}:
    os.write(2, line + b"\\n")
os.write(2, b"a prompt without a newline")
time.sleep(0.6)
"""


def test_noise_is_dropped_and_the_rest_passes() -> None:
    err = run_python(WRITE)
    assert err.splitlines() == [line.decode() for line in REAL] + ["a prompt without a newline"]


def test_info_lines_show_when_asked_for() -> None:
    err = run_python(WRITE, TF_CPP_MIN_LOG_LEVEL="0")
    assert "oneDNN custom operations" in err and "Could not find cuda drivers" in err
    assert "use_unbounded_threadpool" not in err and "OOM when allocating" in err


def test_outside_a_kernel_only_the_level_is_set() -> None:
    err = run_python("import os\ncolab_setup.quiet_tensorflow_logs()\nos.write(2, b'I0000 00:00:1.0 1 a.cc:1] info\\n')\n"
                     "assert os.environ['TF_CPP_MIN_LOG_LEVEL'] == '1'")
    assert "a.cc:1] info" in err


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_tensorflow_start_and_a_deterministic_fit_print_nothing() -> None:
    """The real thing: import TF, probe the GPU, train with op determinism on arrays (as every notebook does)."""
    err = run_python("""
colab_setup.quiet_tensorflow_logs(kernel_only=False)
import numpy as np, keras, tensorflow as tf
tf.config.list_physical_devices("GPU")
keras.utils.set_random_seed(0)
tf.config.experimental.enable_op_determinism()
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4), keras.layers.Dense(8)])
model.compile(optimizer="adam", loss="mse")
x = np.random.default_rng(0).random((600, 8), dtype="float32")
model.fit(x, x, batch_size=64, epochs=1, verbose=0)
import time; time.sleep(0.5)
""")
    assert err.strip() == "", err
