"""Make a Colab runtime (or a local kernel) ready for the course, in one call.

Every notebook opens with the same short cell (see `templates/lesson.py`). In Colab that cell
mounts Google Drive (Colab's working folder is /content, so Drive appears at /content/drive;
a student who cloned the kit and wants no Drive puts a `#` before `drive.mount`), finds the kit
folder, puts it on `sys.path` and calls

    import colab_setup
    KIT, MODE = colab_setup.setup(MODE)   # the kit's folder and the run mode

which does the rest: it resolves the run mode once (`helpers.runtime.mode`: the notebook's MODE,
else COURSE_MODE, else lecture in Colab and full elsewhere) and returns it for the parameters
cell, notes where Drive is mounted (run folders go to `MyDrive/ae-recsys-runs/` there) or says that
runs are lost with the runtime when it is not, installs only the packages the runtime lacks,
and prints a runtime report (Python, TensorFlow, Keras, and the GPU or how to switch one on).
Locally it changes only `sys.path`, TensorFlow's log level and, in a kernel, a filter on stderr
that keeps TensorFlow's harmless start-up lines out of the notebook. Run as a script (`python
colab_setup.py`) it prints the same report. `runtime_report()` gives the whole picture as a dict (OS,
CPU, RAM, scratch disk, GPU, CUDA build, framework versions): notebook 07 shows it.

Where the cell looks for the kit, in this order: the working folder and the folder above it
(a local kernel opened in `notebooks/`), then `/content/*` (a clone), `/content/drive/MyDrive/*`
and `/content/drive/MyDrive/*/*` (an upload to Drive, up to two folders deep).
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

KIT = Path(__file__).resolve().parent
if str(KIT) not in sys.path:  # run as a script from elsewhere: make `helpers` importable
    sys.path.insert(0, str(KIT))

from packaging.requirements import InvalidRequirement, Requirement  # noqa: E402  (after the path is set)

from helpers import runtime  # noqa: E402


def missing_packages(kit: Path = KIT) -> list[str]:
    """Requirements in `kit`/requirements.txt that are absent or outside their version range here."""
    missing = []
    path = kit / "requirements.txt"
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as err:
            raise ValueError(f"{path}, line {number}: {line!r} is not a requirement ({err}).") from None
        if req.marker and not req.marker.evaluate():  # for another Python (e.g. python_version < "3.12")
            continue
        try:
            have = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(str(req))
            continue
        if req.specifier and not req.specifier.contains(have, prereleases=True):
            missing.append(str(req))
    return missing


#: TensorFlow's C++ log lines that tell a student nothing, kept out of the notebook by `quiet_tensorflow_logs`.
#: INFO lines: TF_CPP_MIN_LOG_LEVEL=1 hides them, but TF 2.21 logs through absl and prints a few (oneDNN, "Could not
#: find cuda drivers", absl's "before InitializeLog") while its libraries load, before it reads the variable.
_TF_INFO = (rb"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$",
            rb"I\d{4} [\d:.]+ +\d+ \S+:\d+\] ",  # absl's INFO line (TF 2.21; no date before absl's InitializeLog)
            rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: I \S+:\d+\] ",  # TF 2.20's INFO line
            rb"To enable the following instructions: .*rebuild TensorFlow")  # 2nd line of the CPU-features INFO
#: TF 2.20/2.21's tf.data rewrite for deterministic ops (runtime.set_seed) copies an attribute the sequential map op
#: lacks: an ERROR line in every `fit` on arrays, though the message itself says the attribute is ignored.
_TF_KNOWN_HARMLESS = (rb".*\] NodeDef mentions attribute use_unbounded_threadpool which is not in the op definition",)
#: On a machine without an NVIDIA driver TF's CUDA build fails to start CUDA; the setup cell says "No GPU" itself.
_TF_NO_DRIVER = (rb".*\] failed call to cuInit: ",)
_quiet = False


def quiet_tensorflow_logs(kernel_only: bool = True) -> None:
    """Keep TensorFlow's start-up chatter and known-harmless C++ log lines out of the notebook's stderr.

    Call it before TensorFlow is imported (`setup` does). It sets TF_CPP_MIN_LOG_LEVEL=1 unless
    set (INFO off; warnings and errors stay) and, in a notebook kernel, passes the process's
    stderr through a filter that drops only the lines described above: a real error still shows.
    """
    global _quiet
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    in_kernel = type(sys.stderr).__module__.startswith("ipykernel")  # a kernel shows fd 2's output in the notebook
    if _quiet or (kernel_only and not in_kernel) or os.name != "posix":
        return
    patterns = list(_TF_KNOWN_HARMLESS)
    if os.environ["TF_CPP_MIN_LOG_LEVEL"].strip() not in ("", "0"):
        patterns += _TF_INFO
    if shutil.which("nvidia-smi") is None and not Path("/proc/driver/nvidia").exists():
        patterns += _TF_NO_DRIVER
    noise = re.compile(b"|".join(b"(?:" + p + b")" for p in patterns))
    sys.stderr.flush()
    target = os.dup(2)  # where stderr went so far (in a kernel: the pipe it reads into the notebook)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    threading.Thread(target=_pass_on, args=(read_end, target, noise), name="quiet-tensorflow-logs", daemon=True).start()
    _quiet = True


def _pass_on(read_end: int, target: int, noise: re.Pattern[bytes]) -> None:
    """Copy lines from `read_end` to `target`, leaving out those `noise` matches; a partial line goes on after 0.2 s."""
    pending = b""
    while True:
        ready, _, _ = select.select([read_end], [], [], 0.2 if pending else None)
        chunk = os.read(read_end, 65536) if ready else b""
        if ready and not chunk:
            break  # every writer has closed stderr
        if not ready:  # a prompt or progress text without its newline yet
            lines, pending = [pending], b""
        else:
            *lines, pending = (pending + chunk).split(b"\n")
            lines = [line + b"\n" for line in lines]
        kept = b"".join(line for line in lines if not noise.match(line))
        if kept:
            os.write(target, kept)
    if pending:
        os.write(target, pending)


def loaded_modules(packages: list[str]) -> dict[str, list[str]]:
    """{requirement: the modules of its distribution this Python process has already imported}.

    Such a module keeps its old version until the runtime restarts, even after pip installed a new one.
    """
    from packaging.utils import canonicalize_name

    owners: dict[str, list[str]] = {}
    for module, dists in importlib.metadata.packages_distributions().items():
        for dist in dists:
            owners.setdefault(canonicalize_name(dist), []).append(module)
    loaded = {}
    for package in packages:
        name = canonicalize_name(Requirement(package).name)
        modules = sorted(m for m in owners.get(name, [name.replace("-", "_")]) if m in sys.modules)
        if modules:
            loaded[package] = modules
    return loaded


def install(packages: list[str]) -> None:
    """pip-install `packages` into this runtime (nothing happens for an empty list).

    Where one of them was already imported (its old version stays in memory), it says to restart
    the session and run the cell again, as Colab does after `pip install` of a loaded package.
    """
    if not packages:
        return
    print("Installing what this runtime lacks:", ", ".join(packages))
    loaded = loaded_modules(packages)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *packages], check=True)
    if loaded:
        names = ", ".join(f"{p} ({', '.join(m)} already imported)" for p, m in loaded.items())
        print(f"Installed, but this session still runs the old version of {names}. Restart the session "
              "(Runtime > Restart session) and run the notebook again from the top; the next run installs nothing.")


def report() -> str:
    """A short runtime report: Python, TensorFlow/Keras versions, GPU or how to get one."""
    import keras
    import tensorflow as tf

    where = "Google Colab" if runtime.in_colab() else "a local Python"
    return (f"Runtime: {where}, Python {sys.version.split()[0]}, TensorFlow {tf.__version__}, "
            f"Keras {keras.__version__}.\n{runtime.gpu_info()['summary']}")


def _memory_gb() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        return pages * size / 1024**3
    except (ValueError, OSError, AttributeError):
        return None


def _cpu_name() -> str:
    import platform

    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _os_name() -> str:
    """The OS distribution (e.g. 'Ubuntu 22.04.4 LTS'), not the kernel release."""
    import platform

    try:
        return platform.freedesktop_os_release()["PRETTY_NAME"]
    except (OSError, KeyError):  # no /etc/os-release (macOS, Windows) or no PRETTY_NAME in it
        mac = platform.mac_ver()[0]
        return f"macOS {mac}" if mac else f"{platform.system()} {platform.release()}"


def scratch_dir() -> Path:
    """Where the runtime's own scratch disk is: the working folder (/content in Colab).

    When the working folder is on the mounted Google Drive (after `%cd` into it), its space is
    the Drive quota, not the runtime's disk, so /content (or the temp folder) is used instead.
    """
    cwd = Path.cwd()
    if cwd.resolve().is_relative_to(runtime.drive_mountpoint().resolve()):
        return Path("/content") if Path("/content").is_dir() else Path(tempfile.gettempdir())
    return cwd


def runtime_report() -> dict[str, Any]:
    """What this runtime is: where, OS, CPU, RAM, disk, GPU, CUDA, and framework versions."""
    import platform

    import keras
    import tensorflow as tf

    build = tf.sysconfig.get_build_info()
    gpu = runtime.gpu_info()
    scratch = scratch_dir()
    disk = shutil.disk_usage(scratch)
    memory = _memory_gb()
    return {
        "where": "Google Colab" if runtime.in_colab() else "local",
        "os": _os_name(),
        "kernel": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "cpu": _cpu_name(),
        "cpu_cores": os.cpu_count(),
        "ram_gb": round(memory, 1) if memory else None,
        "disk_free_gb": round(disk.free / 1024**3, 1),
        "disk_total_gb": round(disk.total / 1024**3, 1),
        "disk_path": str(scratch),
        "gpu": gpu["gpu"],
        "gpu_names": gpu["tf_gpus"],
        "nvidia_smi": gpu["nvidia_smi"],
        "tf_cuda_build": bool(build.get("is_cuda_build")),
        "tf_cuda_version": build.get("cuda_version"),
        "tf_cudnn_version": build.get("cudnn_version"),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "pytorch": _version("torch"),
        "gpu_summary": gpu["summary"],
    }


def mode_line(asked: str | None) -> str:
    """One sentence: which run mode runs, why, and how to change it."""
    name = runtime.mode(asked)
    why = ("MODE in the cell above" if asked is not None
           else "COURSE_MODE" if os.environ.get("COURSE_MODE", "").strip()
           else "Colab's default, sized for a 10-minute practice slot" if runtime.in_colab()
           else "the default outside Colab")
    other = {"full": '"lecture" (sized for a 10-minute slot)', "lecture": '"full" (the whole lesson)',
             "smoke": '"lecture" or "full"'}[name]
    return f'Run mode: {name} ({why}). For {other}, set MODE = {other.split()[0]} in the cell above and rerun.'


def setup(mode: str | None = None, install_missing: bool = True, quiet: bool = False) -> tuple[Path, str]:
    """Get the runtime ready; return the kit's folder and the run mode (see the module docstring)."""
    sys.path[:] = list(dict.fromkeys(sys.path))  # each folder once: every run of the setup cell adds its folders again
    quiet_tensorflow_logs()  # before report() imports TensorFlow
    runtime.start_clock()
    resolved = runtime.mode(mode)  # None: COURSE_MODE decides, else lecture in Colab and full elsewhere
    if runtime.in_colab():
        mountpoint = Path.cwd() / "drive"  # where the setup cell mounted Drive (Colab works in /content)
        if (mountpoint / "MyDrive").is_dir():
            os.environ.setdefault("COURSE_DRIVE_MOUNTPOINT", str(mountpoint))
        if not quiet:
            if runtime.drive_mounted():
                print(f"Drive is mounted: runs are saved under {runtime.runs_root()} and survive a disconnect.")
            else:
                print(f"Drive is not used: runs are saved under {runtime.runs_root()} and are lost when this "
                      "runtime ends. Remove the # before drive.mount in the setup cell to keep them on your Drive.")
        if install_missing:
            install(missing_packages(KIT))
    if not quiet:
        print(report())
        print(mode_line(mode))
    return KIT, resolved


if __name__ == "__main__":
    print(f"Kit folder: {setup(quiet=True)[0]}")
    print(report())
