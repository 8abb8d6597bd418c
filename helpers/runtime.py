"""Where the kit runs: Colab or local, Drive, GPU, seeds, run mode (full, lecture, smoke) and run folders."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: Where Colab's Drive is mounted unless COURSE_DRIVE_MOUNTPOINT says otherwise (the setup cell sets it).
DRIVE_MOUNTPOINT = Path("/content/drive")
#: Folder on Drive (under MyDrive) that holds the runs when the kit runs in Colab.
DRIVE_RUNS_FOLDER = "ae-recsys-runs"

def in_colab() -> bool:
    """True when this Python runs inside a Google Colab runtime."""
    return "google.colab" in sys.modules


def kit_root() -> Path:
    """The kit's top folder (the one holding README.md, helpers/ and notebooks/)."""
    return Path(__file__).resolve().parent.parent


#: The run modes, largest first: the whole course, a lecture-length run (sized for a 10-minute slot a notebook
#: on a 2-core CPU; the README's timing table has the recorded minutes), and the tests' quick slice.
MODES = ("full", "lecture", "smoke")


def mode(asked: str | None = None) -> str:
    """The run mode, one value: `asked` (a notebook's MODE parameter) when it is given, else the
    COURSE_MODE variable, else 'lecture' in Colab (a practice slot) and 'full' elsewhere.

    A value that is not one of MODES is an error that names where it came from.
    """
    where, value = ("MODE", asked) if asked is not None else ("COURSE_MODE", os.environ.get("COURSE_MODE", ""))
    if not value.strip():
        return "lecture" if in_colab() else "full"
    name = value.strip().lower()
    if name not in MODES:
        raise ValueError(f"{where}={value!r} is not a run mode: use one of {', '.join(map(repr, MODES))} "
                         "(full is the default; lecture is sized for a 10-minute slot a notebook; smoke is the tests' "
                         "quick slice).")
    return name


_started = time.monotonic()


def start_clock() -> None:
    """Start the notebook's clock (the setup cell does): `elapsed_minutes` counts from here."""
    global _started
    _started = time.monotonic()


def elapsed_minutes() -> float:
    """Minutes since the setup cell ran (or since this module was imported)."""
    return (time.monotonic() - _started) / 60


def by_mode(mode: str, full: T, lecture: T, smoke: T) -> T:
    """The value for run mode `mode` (a notebook's parameters cell: `by_mode(MODE, 50, 20, 2)`)."""
    if mode not in MODES:
        raise ValueError(f"mode={mode!r}: use one of {', '.join(map(repr, MODES))}.")
    return {"full": full, "lecture": lecture, "smoke": smoke}[mode]


def smoke_or(mode: str, full: T, smoke: T) -> T:
    """`smoke` in smoke mode and `full` otherwise, lecture mode included (`by_mode(mode, full, full, smoke)`)."""
    return by_mode(mode, full, full, smoke)


def drive_mountpoint() -> Path:
    """Where Google Drive is mounted in Colab: COURSE_DRIVE_MOUNTPOINT, else /content/drive."""
    return Path(os.environ.get("COURSE_DRIVE_MOUNTPOINT") or DRIVE_MOUNTPOINT)


def drive_mounted() -> bool:
    """True when Google Drive is mounted (in Colab) at `drive_mountpoint()`."""
    return in_colab() and (drive_mountpoint() / "MyDrive").is_dir()


_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def runs_root() -> Path:
    """Where runs are kept: COURSE_RUNS_DIR if set, Drive when mounted in Colab, else runs/."""
    env = os.environ.get("COURSE_RUNS_DIR")
    if env:
        return Path(env).expanduser()
    if drive_mounted():
        return drive_mountpoint() / "MyDrive" / DRIVE_RUNS_FOLDER
    return kit_root() / "runs"


def run_dir(name: str) -> Path:
    """A folder for one run's checkpoints, history and saved models (created if needed).

    In Colab with Drive mounted it lives on Drive, so a disconnected runtime loses nothing;
    locally it is runs/<name> in the kit.
    """
    if not isinstance(name, str) or not _RUN_NAME.match(name) or ".." in name:
        raise ValueError(
            f"run_dir(name={name!r}): a run name is one folder name made of letters, digits, "
            "'.', '_' or '-' (for example 'mnist_seed'), with no '/' and no '..'."
        )
    path = runs_root() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def _nvidia_smi() -> str | None:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=20, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def gpu_info() -> dict[str, Any]:
    """What accelerators this runtime has, from TensorFlow and (when present) nvidia-smi.

    Returns a dict with `gpu` (bool), `tf_gpus` (device names TensorFlow sees),
    `nvidia_smi` (its one-line-per-GPU report or None) and `summary` (a sentence).
    """
    import tensorflow as tf

    devices = tf.config.list_physical_devices("GPU")
    names = []
    for dev in devices:
        try:
            details = tf.config.experimental.get_device_details(dev)
        except Exception:  # details are best effort, the device list is what counts
            details = {}
        names.append(details.get("device_name", dev.name))
    smi = _nvidia_smi()
    if devices:
        summary = f"TensorFlow sees {len(devices)} GPU(s): " + ", ".join(names)
        if smi:
            summary += f" [nvidia-smi: {smi.splitlines()[0]}]"
    else:
        summary = "No GPU was detected: training runs on the CPU (slower, but every notebook works)."
        if in_colab():
            summary += (" In Colab, choose Runtime > Change runtime type > Hardware accelerator: "
                        "GPU, then run the notebook again from the top.")
    return {"gpu": bool(devices), "tf_gpus": names, "nvidia_smi": smi, "summary": summary}


def set_seed(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and the backend; with `deterministic`, ask TF for deterministic ops.

    The seeding is `keras.utils.set_random_seed`'s (Python, NumPy, TensorFlow). The kit adds a
    check of the seed (Keras takes True, and a negative seed fails only inside NumPy) and
    TensorFlow's deterministic ops, which make a CPU run repeat to the last digit.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"set_seed(seed={seed!r}): the seed must be a non-negative integer.")
    import keras

    keras.utils.set_random_seed(seed)
    if deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def distribution_strategy() -> Any:
    """The `tf.distribute` strategy for this runtime: TPU, several GPUs, or the default.

    Build and compile a model inside `distribution_strategy().scope()` and `fit` spreads
    each batch over all accelerators; on one GPU or a CPU it changes nothing.
    """
    import tensorflow as tf

    tpu_here = Path("/dev/accel0").exists() or "TPU_NAME" in os.environ or "COLAB_TPU_ADDR" in os.environ
    if tpu_here:  # only then: looking for a TPU elsewhere means network calls that hang
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=os.environ.get("TPU_NAME", "local"))
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
            return tf.distribute.TPUStrategy(resolver)
        except (ValueError, RuntimeError, tf.errors.NotFoundError) as err:
            print(f"A TPU seems present but could not be initialised ({err}); using the default strategy.")
    if len(tf.config.list_logical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
