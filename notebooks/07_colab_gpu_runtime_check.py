# ---
# jupyter:
#   accelerator: GPU
#   colab:
#     provenance: []
#   jupytext:
#     cell_metadata_filter: tags,question,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: accelerator,colab,kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · Your Colab runtime: GPU, Drive, and TensorFlow vs PyTorch vs Keras
#
# The lecture's practice part runs on Google Colab (on the slides: a Tesla K80, 13G of memory,
# up to 12 hours) and shows TensorFlow 1 code. This notebook looks at *your* runtime and runs
# the slide's framework example as written and in today's libraries.
#
# **After this notebook you can**
# - compare your runtime with the slide's, switch on a GPU and measure what it buys;
# - keep models and results on Drive, and resume training after a disconnect;
# - explain define-and-run (TensorFlow 1) vs define-by-run (eager TensorFlow 2, PyTorch),
#   where `tf.function` fits, and what Keras adds.
#
# **What you should see** (printed by the cells)
# - Section 2: a matrix multiply and a training epoch timed on the CPU and, with a GPU, on it,
#   with the GPU's speed-ups; without a GPU, a line saying there is none to report.
# - Section 3: the saved model loads back with the same predictions; training stopped after
#   epoch `INTERRUPT_AFTER` resumes there (*Results*: "resumed from epoch").
# - Section 4: the slide's TensorFlow 1 code fails on TensorFlow 2 and runs through
#   `tf.compat.v1`; every framework gives the same x, float32's rounding of $2 - 2^{-49}$
#   (the verdict under (d)).

# %% [markdown]
# ## Setup
# `MODE` is the run mode: leave `None` for the practice-slot run on Colab (`"lecture"`: sized
# for a 10-minute slot), or write `"full"` for the whole lesson (`"smoke"` is the tests' quick
# slice). Locally, `None` means the `COURSE_MODE` variable, or `"full"`. The setup cell below is
# the same in every notebook: in Colab it mounts your Google Drive (put a `#` before
# `drive.mount` if you cloned the kit into `/content` and want no Drive), finds the kit folder
# (locally the folder above `notebooks/`; in Colab a clone in `/content` or a folder on your
# Drive up to two levels under `MyDrive`), and `colab_setup.setup` installs only what the
# runtime lacks and prints the runtime, the GPU and the run mode.

# %% tags=["parameters"]
MODE = None  # None: COURSE_MODE if set, else "lecture" on Colab and "full" elsewhere; or "full", "lecture", "smoke"

# %%
import glob, os, sys
if "google.colab" in sys.modules:  # Colab: mount your Drive, which holds the kit and your runs
    from google.colab import drive
    drive.mount(os.path.abspath("drive"))  # Colab works in /content: Drive is /content/drive
PLACES = [".", "..", "*", "drive/MyDrive/*", "drive/MyDrive/*/*"]  # where the kit's folder may be
sys.path[:0] = [os.path.dirname(f) for p in PLACES for f in glob.glob(p + "/colab_setup.py")]
import colab_setup  # not found? Put the kit folder on your Drive or clone it into /content; rerun
KIT, MODE = colab_setup.setup(MODE)  # prints the runtime, the GPU and the run mode

# %% [markdown]
# ## Parameters

# %%
from helpers.runtime import by_mode, smoke_or

MATMUL_N = smoke_or(MODE, 4096, 512)  # size of the square matrices multiplied on CPU and GPU
N_IMAGES = by_mode(MODE, None, 20_000, 2000)  # MNIST images for the one-epoch timing (None = all)
RESUME_EPOCHS = smoke_or(MODE, 6, 3)  # epochs of the checkpoint/resume demo
INTERRUPT_AFTER = smoke_or(MODE, 3, 1)  # the simulated disconnect happens after this epoch
SEED = 0

# %%
from helpers.params import check_params

check_params(MATMUL_N=(MATMUL_N, int), N_IMAGES=(N_IMAGES, (int, type(None))),
             RESUME_EPOCHS=(RESUME_EPOCHS, int), INTERRUPT_AFTER=(INTERRUPT_AFTER, int), SEED=(SEED, int, 0))
assert INTERRUPT_AFTER < RESUME_EPOCHS, "the interruption must come before the last epoch"

# %%
import ast
import json
import time

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from helpers import datasets, runtime, training
from helpers.lecture_model import mnist_autoencoder  # written in notebook 01
from helpers.report import save_results

runtime.set_seed(SEED)

# %% [markdown]
# ## 1. What runtime is this?
# The slide on Google Colab, as it stands:
#
# ```text slide
# - Free service provided by Google for academy
# (<https://colab.research.google.com/notebooks/welcome.ipynb>)
#   - ▣ Jupyter Notebook + Google Drive
#     - It requires Gmail account and you can connect personal Google drive to save results
#       and models.
#     - It is also available Linux command to handle environment.
#   - ▣ Computer Specifications
#     - OS: Ubuntu 18.04
#     - CPU: Xenon 2.3GHz
#     - GPU: Tesla K80
#     - Memory: 13G
#   - ▣ Available for up to 12 hours, and after 12 hours initializing all environment settings
#     and files.
# ```
#
# ("Xenon": Intel's Xeon.) The table sets your runtime beside the slide ("—": not on the
# slide); the disk is the runtime's scratch disk, not your Drive. Colab's limits now depend on
# your plan (*Runtime → View resources*), but when the runtime ends, its files are still gone.

# %%
report = colab_setup.runtime_report()
SLIDE_SPECS = """\
- OS: Ubuntu 18.04
- CPU: Xenon 2.3GHz
- GPU: Tesla K80
- Memory: 13G"""
SLIDE_LIMIT = "Available for up to 12 hours"
slide = dict(line[2:].split(": ", 1) for line in SLIDE_SPECS.splitlines())
on_slide = {"operating system": slide["OS"], "CPU": slide["CPU"], "GPU": slide["GPU"],
            "RAM": slide["Memory"], "session time limit": SLIDE_LIMIT}
rows = [
    ("runs on", report["where"]),
    ("operating system", f"{report['os']} (kernel {report['kernel']})"),
    ("CPU", f"{report['cpu']} ({report['cpu_cores']} cores)"),
    ("RAM", f"{report['ram_gb']} GB"),
    ("disk free / total",
     f"{report['disk_free_gb']} / {report['disk_total_gb']} GB at {report['disk_path']}"),
    ("GPU", ", ".join(report["gpu_names"]) or "none"),
    ("nvidia-smi", report["nvidia_smi"] or "not available"),
    ("CUDA / cuDNN TensorFlow was built for",
     f"{report['tf_cuda_version']} / {report['tf_cudnn_version']}"),
    ("TensorFlow", report["tensorflow"]),
    ("Keras (backend)", f"{report['keras']} ({report['keras_backend']})"),
    ("PyTorch", report["pytorch"] or "not installed"),
    ("session time limit", "see Colab's FAQ" if runtime.in_colab() else "none (local)"),
]
rows = [(item, now, on_slide.get(item, "—")) for item, now in rows]
assert set(on_slide) <= {item for item, _, _ in rows}, "every value on the slide has its row"
pd.DataFrame(rows, columns=["", "this runtime", "the slide"]).set_index("")

# %% [markdown]
# ## 2. Is the GPU on, and what does it buy?
# On the slide, Colab's *Runtime* menu (<!-- slide -->Run all (Ctrl+F9)<!-- /slide --> …
# <!-- slide -->View runtime logs<!-- /slide -->) has <!-- slide -->Change runtime type<!-- /slide -->,
# which opens this dialog:
#
# ```text slide
# Notebook settings
#
# Runtime type
# Python 3
#
# Hardware accelerator
# GPU
#
# ☐ Omit code cell output when saving this notebook
#
# CANCEL SAVE
# ```
#
# It works the same way today (the dialog now names the accelerator, e.g. "T4 GPU"); after
# *Save* the runtime is a fresh one: run the notebook again
# from the top.
#
# A large matrix multiply is the GPU's best case; an epoch of a small model also pays per-step
# costs (kernel launches, feeding batches) that a GPU does not shrink. The cells time both.

# %%
HAS_GPU = report["gpu"]
if HAS_GPU:
    print(report["gpu_summary"])
else:  # the setup cell has said "No GPU was detected" already: the advice, once
    print("No GPU: the timings below run on the CPU only. In Colab: Runtime > Change runtime\n"
          "type > Hardware accelerator: a GPU > Save, then Runtime > Run all.")


# %%
def time_matmul(device: str, n: int, repeats: int = 3) -> float:
    """Seconds for one n x n float32 matmul on `device` (best of `repeats`, after a warm-up)."""
    with tf.device(device):
        a = tf.random.normal((n, n), seed=SEED)
        b = tf.random.normal((n, n), seed=SEED + 1)
        (a @ b).numpy()  # warm-up: kernels load, memory is allocated
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            (a @ b).numpy()  # .numpy() waits for the device to finish
            best = min(best, time.perf_counter() - start)
    return best


timings = {"CPU": time_matmul("/CPU:0", MATMUL_N)}
if HAS_GPU:
    timings["GPU"] = time_matmul("/GPU:0", MATMUL_N)
gflops = {dev: 2 * MATMUL_N**3 / sec / 1e9 for dev, sec in timings.items()}
for dev, sec in timings.items():
    print(f"{MATMUL_N} x {MATMUL_N} matmul on {dev}: {sec * 1000:.1f} ms "
          f"({gflops[dev]:.0f} GFLOP/s)")
if HAS_GPU:
    matmul_speedup = timings["CPU"] / timings["GPU"]
    print(f"GPU speed-up for the multiply: {matmul_speedup:.1f}x (the GPU was "
          + ("faster)" if matmul_speedup > 1 else "not faster)"))
else:
    print("No GPU on this runtime: no speed-up to report, the CPU's time is the only one.")

# %%
(x_train, _), _ = datasets.load_mnist()
if N_IMAGES is not None:
    x_train = x_train[:N_IMAGES]


def epoch_seconds(device: str) -> float:
    """Wall time of one epoch of the lecture's autoencoder on `device` (after a warm-up fit
    on 256 images)."""
    with tf.device(device):
        runtime.set_seed(SEED)
        model = mnist_autoencoder()
        model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9),
                      loss="binary_crossentropy")
        model.fit(x_train[:256], x_train[:256], batch_size=128, epochs=1, verbose=0)  # warm-up
        start = time.perf_counter()
        model.fit(x_train, x_train, batch_size=128, epochs=1, verbose=0)
        return time.perf_counter() - start


epoch_times = {"CPU": epoch_seconds("/CPU:0")}
if HAS_GPU:
    epoch_times["GPU"] = epoch_seconds("/GPU:0")
for dev, sec in epoch_times.items():
    print(f"one epoch on {len(x_train):,} images, {dev}: {sec:.2f} s")
if HAS_GPU:
    epoch_speedup = epoch_times["CPU"] / epoch_times["GPU"]
    print(f"GPU speed-up for one epoch: {epoch_speedup:.1f}x (the GPU was "
          + ("faster" if epoch_speedup > 1 else "not faster") + "), "
          + ("smaller than" if epoch_speedup < matmul_speedup else "not smaller than")
          + f" the multiply's {matmul_speedup:.1f}x")
else:
    print("No GPU on this runtime: no epoch speed-up to report (switch a GPU on, as above).")
assert all(sec > 0 for sec in epoch_times.values())

# %% [markdown]
# ## 3. Google Drive: keep your work when the runtime goes away
# When a Colab runtime ends, its disk is wiped: anything worth keeping goes to Drive. The
# slide's steps (<!-- slide -->Sync your Google Drive<!-- /slide -->) start with this cell:
#
# ```python slide
# from google.colab import auth
# auth.authenticate_user()
#
# from google.colab import drive
# drive.mount('/content/gdrive')
# ```
#
# Colab printed a link (①); you signed in (②), copied the code shown (③) and pasted it at
# <!-- slide -->Enter verification code:<!-- /slide --> (④). Then shell commands:
# <!-- slide -->cd /content/gdrive/My Drive<!-- /slide -->, <!-- slide -->ls -ltr<!-- /slide -->,
# <!-- slide -->cd Colab Notebooks<!-- /slide --> (where Colab keeps notebooks).
#
# Today the setup cell mounts Drive at `/content/drive` after a pop-up asks for access (no code
# to paste); your files are in `/content/drive/MyDrive`. Outside Colab the kit saves to the
# local `runs/` folder instead. To open a lesson, the slide's way still works:
# <!-- slide -->Or, upload provided ipynb file, and open with Colaboratory<!-- /slide -->; the
# slide also points to an article, <!-- slide -->Getting Started with Google Colab<!-- /slide -->.

# %%
if runtime.in_colab():
    notebooks_folder = runtime.drive_mountpoint() / "MyDrive" / "Colab Notebooks"
    if runtime.drive_mounted() and notebooks_folder.is_dir():
        names = sorted(p.name for p in notebooks_folder.iterdir())
        print(f"Colab Notebooks on your Drive ({len(names)} entries, the first 20):", names[:20])
    else:
        print("Drive is not mounted (or has no 'Colab Notebooks' folder yet): remove the # before "
              "drive.mount in the setup cell, run it and allow access.")
else:
    print("Not in Colab: there is no Google Drive here, and nothing needs mounting.")
print("this notebook saves its work under:", runtime.runs_root())

# %%
folder = runtime.run_dir("07_colab_runtime")
model = mnist_autoencoder()
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9),
              loss="binary_crossentropy")
model.fit(x_train[:1024], x_train[:1024], batch_size=128, epochs=1, verbose=0)
model.save(folder / "autoencoder.keras")
pd.DataFrame(rows, columns=["item", "this runtime", "the slide"]).astype(str).to_csv(
    folder / "runtime.csv", index=False)
again = keras.models.load_model(folder / "autoencoder.keras")
gap = float(np.max(np.abs(again.predict(x_train[:8], verbose=0)
                          - model.predict(x_train[:8], verbose=0))))
print("saved:", sorted(p.name for p in folder.iterdir()), f"- loaded back, its predictions differ "
      f"by at most {gap:.1e}: " + ("the same model" if gap <= 1e-5 else "NOT the same model"))
assert gap <= 1e-5

# %% [markdown]
# ### A shell command in a cell: `!ls -ltr`
# The slide's <!-- slide -->It is also available Linux command to handle
# environment.<!-- /slide --> means cells like the next one: a line starting with `!` goes to
# the shell, with `{folder}` replaced by the Python variable. `ls -ltr` lists in long form
# (`-l`), by modification time (`-t`), reversed (`-r`): newest last.

# %%
# !ls -ltr "{folder}"

# %% [markdown]
# ### Two more settings on the slides
# **`auth.authenticate_user()`** signs the runtime in to Google Cloud (hence the slide's
# <!-- slide -->Google Cloud SDK<!-- /slide -->); `drive.mount` alone reaches your Drive, so
# the kit skips it. **<!-- slide -->Omit code cell output when saving this notebook<!-- /slide -->**
# (today in *Edit → Notebook settings*) saves only code and text: outputs can show what you did
# not mean to share, such as your Drive's file names.

# %% [markdown]
# ### Checkpoint and resume
# `helpers.training.fit` saves a checkpoint (weights and optimizer state) in its run folder after
# every epoch. Below, a callback stops training after epoch `INTERRUPT_AFTER`, as a disconnect
# would; the same call, run again, resumes there. The cell lists the notebooks whose training
# passes a run folder (`run_dir=`); other training restarts from epoch 1.

# %%
class Disconnect(keras.callbacks.Callback):
    """Simulates a runtime that goes away after a given epoch."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if epoch + 1 == self.after:
            raise KeyboardInterrupt(f"runtime disconnected after epoch {self.after}")


def fresh_model() -> keras.Model:
    runtime.set_seed(SEED)
    m = mnist_autoencoder()
    m.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9),
              loss="binary_crossentropy")
    return m


resume_dir = runtime.run_dir("07_resume_demo")
for old in resume_dir.glob("**/*"):  # start the demo from scratch each time the notebook runs
    if old.is_file():
        old.unlink()
try:
    training.fit(fresh_model(), x_train, x_train, run_dir=resume_dir, epochs=RESUME_EPOCHS,
                 batch_size=128, callbacks=[Disconnect(INTERRUPT_AFTER)], verbose=0)
except KeyboardInterrupt as err:
    print("interrupted:", err)
resumed = training.fit(fresh_model(), x_train, x_train, run_dir=resume_dir, epochs=RESUME_EPOCHS,
                       batch_size=128, verbose=0)
print(f"resumed from epoch {resumed.resumed_from_epoch}, finished at epoch {resumed.epochs}")
with_run_dir = []
for path in sorted((KIT / "notebooks").glob("[0-9]*.ipynb")):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    if any("run_dir=" in "".join(c["source"]) for c in cells if c["cell_type"] == "code"):
        with_run_dir.append(path.stem)
print("notebooks that pass a run folder to some of their training:",
      ", ".join(with_run_dir) or "none")
assert resumed.resumed_from_epoch == INTERRUPT_AFTER and resumed.epochs == RESUME_EPOCHS
assert resumed.history["epoch"].tolist() == list(range(1, RESUME_EPOCHS + 1))
resumed.history[["epoch", "loss"]]

# %% [markdown]
# ## 4. TensorFlow vs PyTorch vs Keras
# The slides on TensorFlow
#
# <!-- slide -->
# - Open source platform for numerical computation by Google
#   - ▣ Using data flow graphs
# - Data flow graphs (DFG)
#   - ▣ Each node in the **graph** represents the instance of a mathematical operation
#     (multiply, add, divide, ...).
#   - ▣ Each edge is a multi-dimensional **data** set (tensors) on which the operations are
#     performed.
# <!-- /slide -->
#
# and on PyTorch, with this section's example:
#
# <!-- slide -->
# - Open source platform for numerical computation by Facebook
#   - ▣ Tensor computation with strong GPU acceleration.
#   - ▣ Deep learning built on a tape-based autodiff system.
#   - ▣ Can change DFG at runtime unlike TensorFlow
# - Difference between PyTorch vs TensorFlow
#
# For example, to calculate  $1 + \frac{1}{2} + \frac{1}{4} + \frac{1}{8} + \dots$ ,
# <!-- /slide -->
#
# Both programs start with `x` = 0, `y` = 1; each of 50 iterations adds `y` to `x` and halves
# `y`, so in exact arithmetic x ends at $2 - 2^{-49}$, just under the series' limit 2 (float32
# rounds that to 2.0: see (d)).
#
# ### (a) The slide's TensorFlow 1 code
# The slide marks a <!-- slide -->Construction Phase<!-- /slide --> and an
# <!-- slide -->Execution Phase<!-- /slide -->: the lines up to `init = ...` build a dataflow
# graph, computing nothing; the `with tf.Session() as sess:` block runs it (*define-and-run*).
# The cell runs the slide's code on TensorFlow 2.

# %%
import contextlib
import io
import traceback

SLIDE_TF1 = """\
import tensorflow as tf

x = tf.Variable(0.)
y = tf.Variable(1.)
add_op = x.assign(x + y)
div_op = y.assign(y / 2)
init = tf.global_variables_initializer()

with tf.Session() as sess:
    init.run()
    for iteration in range(50):
        sess.run(add_op)
        sess.run(div_op)
    print(x.eval())
"""
eager_ns: dict = {}
try:
    exec(SLIDE_TF1, eager_ns)
except Exception as err:  # whatever TensorFlow 2 raises, we show it
    failed_line = traceback.extract_tb(err.__traceback__)[-1].lineno
    print(f"On TensorFlow {tf.__version__} it stops at line {failed_line}, "
          f"`{SLIDE_TF1.splitlines()[failed_line - 1].strip()}`:\n  {type(err).__name__}: {err}")
    print(f"The lines before it ran at once (eager): x is already {float(eager_ns['x'].numpy())}, "
          f"y {float(eager_ns['y'].numpy())}; `x.assign(x + y)` updated x instead of defining an "
          "operation.")
else:
    print(f"The slide's code ran unchanged on TensorFlow {tf.__version__}.")

# %% [markdown]
# `tf.global_variables_initializer` and `tf.Session` moved to `tf.compat.v1`. Renamed there,
# and run in a graph of its own (`with tf.Graph().as_default():`), the slide's program runs.

# %%
SLIDE_COMPAT = SLIDE_TF1.replace("tf.global_variables_initializer",
                                 "tf.compat.v1.global_variables_initializer")
SLIDE_COMPAT = SLIDE_COMPAT.replace("tf.Session", "tf.compat.v1.Session")
for before, after in zip(SLIDE_TF1.splitlines(), SLIDE_COMPAT.splitlines()):
    if before != after:
        print(f"changed: {before.strip()}  ->  {after.strip()}")
printed = io.StringIO()
with tf.Graph().as_default(), contextlib.redirect_stdout(printed):
    exec(SLIDE_COMPAT, {})
print("the program prints:", printed.getvalue().strip())
results = {"TF1 graph (the slide's code via tf.compat.v1)": float(printed.getvalue())}

# %% [markdown]
# ### (b) The slide's PyTorch code
# In PyTorch each line computes when it runs (*define-by-run*), so the graph can change at
# runtime; autodiff records the operations on a tape and differentiates backwards through it.
# The slide's program runs on today's PyTorch unchanged; the cell skips it without PyTorch
# (Colab has it).

# %%
SLIDE_TORCH = """\
import torch


x = torch.Tensor([0.])
y = torch.Tensor([1.])

for iteration in range(50):
    x = x + y
    y = y / 2

print(x)
"""
try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed here (pip install torch): this part is skipped.")
if torch is not None:
    printed, torch_ns = io.StringIO(), {}
    with contextlib.redirect_stdout(printed):
        exec(SLIDE_TORCH, torch_ns)
    print(f"PyTorch {torch.__version__}: the slide's program prints {printed.getvalue().strip()}")
    results[f"PyTorch {torch.__version__} (the slide's code)"] = float(torch_ns["x"])
    w = torch.tensor(3.0, requires_grad=True)
    (w**2).backward()  # the tape: d(w^2)/dw = 2w = 6
    print("PyTorch gradient of w^2 at 3:", float(w.grad))

# %% [markdown]
# ### (c) TensorFlow 2, eager
# TensorFlow 2 is define-by-run too: `assign` acts at once, the loop is plain Python, and
# `tf.GradientTape` is its tape.

# %%
x, y = tf.Variable(0.0), tf.Variable(1.0)
for _ in range(50):
    x.assign(x + y)
    y.assign(y / 2)
results["TF2 eager"] = float(x.numpy())
w = tf.Variable(3.0)
with tf.GradientTape() as tape:
    loss = w**2
print("TensorFlow gradient of w^2 at 3:", float(tape.gradient(loss, w)))

# %% [markdown]
# ### (d) `tf.function`: a graph traced from Python
# `tf.function` traces a Python function into a graph on its first call, which TensorFlow
# optimises and runs without Python: define-and-run's speed, define-by-run's code. Keras's `fit`
# runs its training step this way. The cell then compares each framework's x with NumPy's.

# %%
@tf.function
def slide_loop(n: int) -> tf.Tensor:
    fx, fy = tf.constant(0.0), tf.constant(1.0)
    for _ in tf.range(n):
        fx, fy = fx + fy, fy / 2
    return fx


results["TF2 tf.function"] = float(slide_loop(tf.constant(50)))
graph_def = slide_loop.get_concrete_function(tf.constant(50)).graph.as_graph_def()
print(f"the traced graph has {len(graph_def.node)} nodes; its operations include",
      ", ".join(sorted({node.op for node in graph_def.node})[:8]))


def numpy_sum(dtype: type) -> float:
    """x after the slide's 50 iterations, computed in NumPy's `dtype`."""
    x, y = dtype(0), dtype(1)
    for _ in range(50):
        x, y = dtype(x + y), dtype(y / 2)
    return float(x)


f32, f64 = numpy_sum(np.float32), numpy_sum(np.float64)
assert f64 == 2 - 2**-49, "float64 holds the exact sum"
for name, value in results.items():
    print(f"  {name}: x = {value!r}")
same = all(value == f32 for value in results.values())
print(("every framework gives" if same else "not every framework gives")
      + f" NumPy's float32 value, {f32!r}; float64 gives {f64!r}, the exact 2 - 2^-49, so float32 "
      + ("rounded the sum" if f32 != f64 else "did not round it"))

# %% [markdown]
# ### Keras: the high-level API on top
# The slide on Keras:
#
# <!-- slide -->
# - A high-level neural networks API
#   - ▣ Running on top of TensorFlow, CNTK, Theano.
#   - ▣ Allowing for easy and fast prototyping (through user friendliness, modularity, and
#     extensibility).
# <!-- /slide -->
#
# Its picture, <!-- slide -->Conceptual model diagram with Lego vs Actual
# Implementation<!-- /slide -->, shows the idea: you snap layers together, Keras builds the
# backend's operations. Keras 2.4 (2020) left CNTK and Theano; Keras 3 trains on TensorFlow, JAX
# or PyTorch (`KERAS_BACKEND`), and code using only `keras.layers` and `keras.ops` runs on any.
# The second cell lists where the kit calls TensorFlow itself (`tf.GradientTape`, `tf.data`,
# `tf.sparse`…): each ties it to that backend.

# %%
tiny = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                         keras.layers.Dense(1)])
tiny.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
xs = np.random.default_rng(SEED).normal(size=(64, 3)).astype("float32")
ys = xs.sum(axis=1, keepdims=True)
hist = tiny.fit(xs, ys, epochs=20, verbose=0)
print(f"backend: {keras.backend.backend()}; "
      f"loss {hist.history['loss'][0]:.3f} -> {hist.history['loss'][-1]:.3f}")
print("keras.ops works on any backend:",
      keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.ones((2, 3)))))
assert hist.history["loss"][-1] < hist.history["loss"][0]


# %%
def tf_calls(code: str) -> list[str]:
    """The distinct `tf.name` attributes that Python code uses (not in strings or comments)."""
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("!", "%")))
    try:
        tree = ast.parse(code)
    except SyntaxError:  # a cell magic this cell does not know: say so rather than guess
        return ["(could not parse)"]
    return sorted({f"tf.{node.attr}" for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                   and isinstance(node.value, ast.Name) and node.value.id == "tf"})


sources = {}
for path in sorted((KIT / "notebooks").glob("[0-9]*.ipynb")):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources[path.stem] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
for path in sorted((KIT / "helpers").glob("*.py")):
    sources[f"helpers/{path.name}"] = path.read_text(encoding="utf-8")
for name, text in sources.items():
    calls = tf_calls(text)
    if calls:
        more = f" and {len(calls) - 6} more" if len(calls) > 6 else ""
        print(f"{name}: {', '.join(calls[:6])}{more}")
tape_users = [name for name, text in sources.items()
              if "tf.GradientTape" in tf_calls(text) and not name.startswith("07_")]
tf_users = [name for name, text in sources.items() if tf_calls(text) and not name.startswith("07_")]
print("tf.GradientTape outside this notebook:", ", ".join(tape_users) or "nowhere")
print(f"{len(tf_users)} files outside this notebook call TensorFlow itself -> the kit "
      + ("needs Keras's TensorFlow backend" if tf_users else "could run on any Keras backend"))

# %% [markdown]
# ## Results

# %%
summary = pd.DataFrame([
    {"measure": "runtime", "value": report["where"]},
    {"measure": "GPU", "value": ", ".join(report["gpu_names"]) or "none"},
    *({"measure": f"{MATMUL_N}^3 matmul on {d} (ms)", "value": f"{s * 1000:.1f}"}
      for d, s in timings.items()),
    *({"measure": f"one MNIST epoch on {d} (s)", "value": f"{s:.2f}"}
      for d, s in epoch_times.items()),
    {"measure": "resumed from epoch", "value": str(resumed.resumed_from_epoch)},
    *({"measure": f"the slide's x after 50 iterations, {k}", "value": repr(v)}
      for k, v in results.items()),
])
save_results("07_colab_gpu_runtime_check", MODE, summary)
summary

# %% [markdown]
# ## Exercises
# In the students' edition, the `grader.check(...)` cell under each answer checks only its form;
# the instructor grades the rest, open questions by hand.

# %%
from helpers import grading

grader = grading.grader("07_colab_gpu_runtime_check")

# %% [markdown] question={"name": "q07_1", "points": 2}
# **Exercise 1 (write code).** Write `geometric_sum(n, ratio)` as a `tf.function`, as (d) wrote
# `slide_loop`: from `x` = 0, `y` = 1, repeat `n` times "add `y` to `x`, multiply `y` by `ratio`",
# and return `x` (`ratio` = 0.5 is the slide's series). `n` and `ratio` arrive as tensors; loop
# with `tf.range(n)`, so that one traced graph runs for every `n` and `ratio`. The grading calls
# it with its own values and counts its traces.

# %% tags=["solution"]
@tf.function
def geometric_sum(n: tf.Tensor, ratio: tf.Tensor) -> tf.Tensor:
    """x after n steps of x += y, y *= ratio, from x = 0, y = 1 (float32)."""
    # BEGIN SOLUTION
    x, y = tf.constant(0.0), tf.constant(1.0)
    for _ in tf.range(n):
        x, y = x + y, y * ratio
    return x
    # END SOLUTION


print("50 steps of the slide's series:", geometric_sum(tf.constant(50), tf.constant(0.5)))

# %% tags=["test"]
def test_q07_1_form(geometric_sum):
    import tensorflow as tf

    got = geometric_sum(tf.constant(3), tf.constant(0.5))
    assert got is not None, "not answered yet: write the function's body"
    assert hasattr(geometric_sum, "get_concrete_function"), "decorate it with @tf.function"
    assert tf.is_tensor(got) and got.shape == (), "return x, a single number (a scalar tensor)"
test_q07_1_form(geometric_sum)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q07_1_values(geometric_sum):
    import numpy as np
    import tensorflow as tf

    assert hasattr(geometric_sum, "experimental_get_tracing_count"), "decorate it with @tf.function"
    rng = np.random.default_rng()
    traces = geometric_sum.experimental_get_tracing_count()
    for _ in range(4):
        n, ratio = int(rng.integers(1, 40)), np.float32(rng.uniform(0.1, 0.9))
        x, y = np.float32(0), np.float32(1)
        for _ in range(n):
            x, y = np.float32(x + y), np.float32(y * ratio)
        got = geometric_sum(tf.constant(n), tf.constant(ratio))
        assert np.isclose(float(got), float(x), rtol=1e-5), "not the x that the loop computes"
    assert geometric_sum.experimental_get_tracing_count() - traces <= 1, \
        "it traced a new graph for a new n or ratio: loop with tf.range(n) on the tensors"
test_q07_1_values(geometric_sum)  # IGNORE

# %% [markdown] question={"name": "q07_2", "points": 2}
# **Exercise 2.** In Colab the setup cell has mounted your Drive at `/content/drive`. A notebook
# then writes five files (creating any missing folder):
#
# - (a) `/content/model.keras`
# - (b) `/content/drive/MyDrive/ae-recsys-runs/model.keras`
# - (c) `/tmp/ckpt.weights.h5`
# - (d) `/content/drive/MyDrive/Colab Notebooks/run1/history.csv`
# - (e) `/content/gdrive/My Drive/ae-recsys-runs/model.keras`
#
# The next day you connect to a new runtime. Which files can you still open? Answer with a set
# of letters, for example `{"a", "c"}`.

# %% tags=["solution"]
answer_2 = {"b", "d"}  # SOLUTION

# %% tags=["test"]
def test_q07_2_form(answer_2):
    assert answer_2 is not ..., "not answered yet: replace ... with your answer"
    assert isinstance(answer_2, (set, frozenset)), 'the answer is a set of letters, like {"a", "c"}'
    assert answer_2 <= {"a", "b", "c", "d", "e"}, "use only the letters a to e"
test_q07_2_form(answer_2)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q07_2_value(answer_2):
    assert answer_2 == {"b", "d"}, "not the right set of files"
test_q07_2_value(answer_2)  # IGNORE

# %% [markdown] question={"name": "q07_3", "points": 3}
# **Exercise 3 (write code).** Write the Python version of section 3's `!ls -ltr`:
# `oldest_first(folder)` returns the names of the entries (files and folders) in `folder`,
# oldest modification time first. The grading tests it on folders of its own; try it on this
# notebook's run folder, `folder`.

# %% tags=["solution"]
def oldest_first(folder: str | os.PathLike) -> list[str]:
    """Names in `folder`, oldest modification time first (like `ls -tr`)."""
    # BEGIN SOLUTION
    entries = sorted(os.scandir(folder), key=lambda e: e.stat().st_mtime_ns)
    return [e.name for e in entries]
    # END SOLUTION

# %% tags=["test"]
def test_q07_3_form(oldest_first, folder):
    got = oldest_first(folder)
    assert got is not None, "not answered yet: write the function's body"
    assert isinstance(got, list) and all(isinstance(n, str) for n in got), "return a list of names"
test_q07_3_form(oldest_first, folder)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q07_3_values(oldest_first):
    import os
    import random
    import tempfile
    from pathlib import Path

    for _ in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            count = random.randint(3, 7)
            names = [f"f{i}_{random.randint(0, 999)}.txt" for i in range(count)] + ["sub"]
            random.shuffle(names)  # creation order and name order differ from the time order
            for name in names:
                (Path(tmp) / name).mkdir() if name == "sub" else (Path(tmp) / name).write_text("x")
            order = names[:]
            random.shuffle(order)
            for age, name in enumerate(order):  # order[0] is the oldest, a day apart
                stamp = 1_600_000_000 + age * 86_400
                os.utime(Path(tmp) / name, (stamp, stamp))
            got = oldest_first(tmp)
            assert list(got) == order, "not the entries oldest first"
            got = oldest_first(Path(tmp))
            assert list(got) == order, "the folder may also be given as a Path"
test_q07_3_values(oldest_first)  # IGNORE

# %% [markdown] question={"manual": true, "name": "q07_4", "points": 2}
# **Exercise 4 (open).** Run section 2 with a GPU on (with no GPU at hand, reason from the CPU
# timings). Was one epoch's speed-up smaller than the multiply's? What in an epoch of the lecture's autoencoder keeps the GPU from its best case?
# Name two changes to the training that would help the GPU, try one, and report its epoch time.

# %% [markdown] tags=["solution"]
# Model answer for the instructor: batches of 128 through 784 → 32 → 784 are small matrix
# multiplies (128 × 784 by 784 × 32), so fixed costs dominate each step: kernel launches, Python
# and Keras's step overhead, copying each batch from host memory. Changes: a larger
# `batch_size`, a wider hidden layer, `tf.data` with prefetching, mixed precision on tensor cores.
# Full marks: a reason in terms of work per step, two changes, one tried and its time reported.
# A student whose epoch speed-up was not smaller should say so and still reason about the costs.

# %% [markdown]
# ## What's next
# Back to notebook **01** or **03** with a GPU on: the cells run unchanged, and section 2's
# timings say what to expect. Training that checkpoints to Drive loses at most an epoch.
