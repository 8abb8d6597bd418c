# ---
# jupyter:
#   accelerator: GPU
#   colab:
#     provenance: []
#   jupytext:
#     cell_metadata_filter: tags,-all
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
# The lecture's practice part ran on Google Colab in 2019: a Tesla K80, 13 GB of RAM, 12-hour
# sessions, and TensorFlow 1 code with sessions and graphs. All of that has moved on. This
# notebook tells you what *your* runtime is today, proves the GPU works (or tells you how to
# switch one on), keeps your work safe on Google Drive across disconnects, and runs the
# lecture's framework example in TensorFlow 1 style, TensorFlow 2, PyTorch and Keras.
#
# **After this notebook you can**
# - read your runtime's hardware and software, and compare it with the lecture's 2019 table;
# - switch on a GPU in Colab and measure what it buys (a matrix multiply, an epoch of training);
# - mount Google Drive, save models and results there, and resume training after a disconnect;
# - explain define-and-run (TensorFlow 1 graphs) vs define-by-run (eager TensorFlow 2,
#   PyTorch), where `tf.function` fits, and what Keras adds on top.
#
# **How long:** the notebook prints its own running time under *Results*; the README lists
# the times of the recorded runs in each mode.

# %% [markdown]
# ## Setup
# `MODE` is the run mode: leave `None` for the practice-slot run on Colab (`"lecture"`: about
# 10 minutes a notebook), or write `"full"` for the whole lesson (`"smoke"` is the tests' quick
# slice). Locally, `None` means the `COURSE_MODE` variable, or `"full"`. The setup cell below is
# the same in every notebook: in Colab it mounts your Google Drive (put a `#` before
# `drive.mount` if you cloned the kit into `/content` and want no Drive), finds the kit folder
# (locally the folder above `notebooks/`; in Colab a clone in `/content` or a folder on your
# Drive up to two levels under `MyDrive`), and `colab_setup.setup` installs only what the
# runtime lacks and prints the runtime, the GPU and the run mode.

# %% tags=["parameters"]
MODE = None  # None: "lecture" on Colab, else COURSE_MODE or "full"; or "full", "lecture", "smoke"

# %%
import glob, os, sys
if "google.colab" in sys.modules:  # Colab: mount your Drive, which holds the kit and keeps your runs
    from google.colab import drive
    drive.mount(os.path.abspath("drive"))  # Colab works in /content: Drive is /content/drive
PLACES = [".", "..", "*", "drive/MyDrive/*", "drive/MyDrive/*/*"]  # where the kit's folder may be
sys.path[:0] = [os.path.dirname(f) for p in PLACES for f in glob.glob(p + "/colab_setup.py")]
import colab_setup  # not found? Put the kit folder on your Drive or clone it into /content; rerun
KIT = colab_setup.setup(mode=MODE)  # prints the runtime, the GPU and the run mode

# %% [markdown]
# ## Parameters

# %%
from helpers.runtime import by_mode, smoke_or

MATMUL_N = smoke_or(4096, 512)  # size of the square matrices multiplied on CPU and GPU
N_IMAGES = by_mode(None, 20_000, 2000)  # MNIST images for the one-epoch timing (None = all)
RESUME_EPOCHS = smoke_or(6, 3)  # epochs of the checkpoint/resume demo
INTERRUPT_AFTER = smoke_or(3, 1)  # the simulated disconnect happens after this epoch
SEED = 0

# %%
from helpers.params import check_params

check_params(MATMUL_N=(MATMUL_N, int), N_IMAGES=(N_IMAGES, (int, type(None))),
             RESUME_EPOCHS=(RESUME_EPOCHS, int), INTERRUPT_AFTER=(INTERRUPT_AFTER, int), SEED=(SEED, int, 0))
assert INTERRUPT_AFTER < RESUME_EPOCHS, "the interruption must come before the last epoch"

# %%
import time

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from helpers import datasets, models, runtime, training
from helpers.report import save_results

runtime.set_seed(SEED)

# %% [markdown]
# ## 1. What runtime is this?
# The lecture's slide lists the runtime of 2019: Ubuntu 18.04, a Xeon at 2.3 GHz, a Tesla K80,
# 13 GB of RAM and a 12-hour limit. Compare it with what you have now (a row the slide does
# not cover shows "—"). The disk row measures the runtime's own scratch disk, the working
# folder (`/content` in Colab), not your Drive. Colab's current limits (GPU types, memory, how
# long a session may run and how long it may sit idle) change often and depend on your plan:
# see Colab's FAQ (research.google.com/colaboratory/faq.html) and *Runtime → View resources*.

# %%
report = runtime.runtime_report()
SLIDE_2019 = {"operating system": "Ubuntu 18.04", "CPU": "Xeon 2.3 GHz", "GPU": "Tesla K80", "RAM": "13 GB",
              "session time limit": "12 hours"}  # the slide's values, nothing else
rows = [
    ("runs on", report["where"]),
    ("operating system", f"{report['os']} (kernel {report['kernel']})"),
    ("CPU", f"{report['cpu']} ({report['cpu_cores']} cores)"),
    ("RAM", f"{report['ram_gb']} GB"),
    ("disk free / total", f"{report['disk_free_gb']} / {report['disk_total_gb']} GB at {report['disk_path']}"),
    ("GPU", ", ".join(report["gpu_names"]) or "none"),
    ("nvidia-smi", report["nvidia_smi"] or "not available"),
    ("CUDA / cuDNN TensorFlow was built for", f"{report['tf_cuda_version']} / {report['tf_cudnn_version']}"),
    ("TensorFlow", report["tensorflow"]),
    ("Keras (backend)", f"{report['keras']} ({report['keras_backend']})"),
    ("PyTorch", report["pytorch"] or "not installed"),
    ("session time limit", "see Colab's FAQ" if report["where"] == "Google Colab" else "none (local)"),
]
rows = [(item, now, SLIDE_2019.get(item, "—")) for item, now in rows]
assert set(SLIDE_2019) <= {item for item, _, _ in rows}, "every value on the slide has its row"
pd.DataFrame(rows, columns=["", "this runtime", "lecture (2019)"]).set_index("")

# %% [markdown]
# ## 2. Is the GPU on, and what does it buy?

# %%
HAS_GPU = report["gpu"]
if HAS_GPU:
    print(report["gpu_summary"])
else:  # the setup cell has said "No GPU was detected" already: the advice, once
    print("This notebook goes on without a GPU: the timings below run on the CPU only.\n"
          "In Colab: Runtime > Change runtime type > Hardware accelerator: GPU (for example T4) > Save,\n"
          "then Runtime > Run all. Locally you need an NVIDIA GPU with its driver and a CUDA build of TensorFlow.")


# %%
def time_matmul(device: str, n: int, repeats: int = 3) -> float:
    """Seconds for one n x n float32 matrix multiply on `device` (best of `repeats`, after a warm-up)."""
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
    print(f"{MATMUL_N} x {MATMUL_N} matmul on {dev}: {sec * 1000:.1f} ms ({gflops[dev]:.0f} GFLOP/s)")
if HAS_GPU:
    print(f"GPU speed-up: {timings['CPU'] / timings['GPU']:.1f}x")

# %% [markdown]
# A matrix multiply is the GPU's best case. A whole training epoch also spends time feeding
# data and running small layers, so its speed-up is usually smaller. Here is one epoch of
# notebook 01's model on each device; with a GPU the cell compares the two speed-ups.

# %%
(x_train, _), _ = datasets.load_mnist()
if N_IMAGES is not None:
    x_train = x_train[:N_IMAGES]


def epoch_seconds(device: str) -> float:
    """Wall time of one epoch of the lecture's autoencoder on `device` (after a warm-up batch)."""
    with tf.device(device):
        runtime.set_seed(SEED)
        model = models.mnist_autoencoder()
        model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9), loss="binary_crossentropy")
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
    epoch_speedup, matmul_speedup = epoch_times["CPU"] / epoch_times["GPU"], timings["CPU"] / timings["GPU"]
    print(f"speed-up: {epoch_speedup:.1f}x for one epoch, "
          + ("smaller than" if epoch_speedup < matmul_speedup else "not smaller than")
          + f" the {matmul_speedup:.1f}x of the matrix multiply")
assert all(sec > 0 for sec in epoch_times.values())

# %% [markdown]
# ## 3. Google Drive: keep your work when the runtime goes away
# A Colab runtime is a borrowed machine: when it disconnects (idle too long, or the session
# limit) its disk is wiped. Anything worth keeping goes to Drive. The lecture's steps:
#
# 1. `from google.colab import drive` and `drive.mount("/content/drive")` (the setup cell at the
#    top already did this);
# 2. Colab asks you to allow access to your Drive in a pop-up (older versions asked you to
#    paste an authorisation code; never paste such a code into a notebook you share);
# 3. your files appear under `/content/drive/MyDrive` (the slide's `/content/gdrive/My Drive` is
#    the 2019 path);
# 4. `%cd "/content/drive/MyDrive/Colab Notebooks"` moves into the folder where Colab keeps
#    your notebooks, and `!ls` lists it.
#
# Outside Colab there is no Drive to mount; the kit then uses the local `runs/` folder, so the
# cells below work the same way.

# %%
if runtime.in_colab():
    notebooks_folder = runtime.drive_mountpoint() / "MyDrive" / "Colab Notebooks"
    if runtime.drive_mounted() and notebooks_folder.is_dir():
        print("Colab Notebooks on your Drive:", sorted(p.name for p in notebooks_folder.iterdir())[:20])
    else:
        print("Drive is not mounted (or has no 'Colab Notebooks' folder yet); remove the # before drive.mount in the setup cell, "
              "run it and allow access.")
else:
    print("Not in Colab: there is no Google Drive to mount here, and nothing needs mounting.")
print("this notebook saves its work under:", runtime.runs_root())

# %%
folder = runtime.run_dir("07_colab_runtime")
model = models.mnist_autoencoder()
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9), loss="binary_crossentropy")
model.fit(x_train[:1024], x_train[:1024], batch_size=128, epochs=1, verbose=0)
model.save(folder / "autoencoder.keras")
pd.DataFrame(rows, columns=["item", "this runtime", "lecture (2019)"]).astype(str).to_csv(folder / "runtime.csv",
                                                                                          index=False)
again = keras.models.load_model(folder / "autoencoder.keras")
np.testing.assert_allclose(again.predict(x_train[:8], verbose=0), model.predict(x_train[:8], verbose=0), rtol=1e-5,
                           atol=1e-6)
print("saved and loaded back:", sorted(p.name for p in folder.iterdir()))

# %% [markdown]
# ### A shell command in a cell: `!ls -ltr`
# A line that starts with `!` is not Python: IPython (the kernel under Jupyter and Colab) hands
# it to the shell, and `{name}` in it is replaced by the Python variable `name`. The lecture
# lists the Drive folder this way; `ls -ltr` prints the entries oldest first, so the file
# written last (here the saved model, or after a disconnect the newest checkpoint) is at the
# bottom. In Colab, with Drive mounted, `folder` is on your Drive; locally it is the kit's
# `runs/` folder, so the cell runs in both places. (In the paired `.py` file jupytext keeps
# the line as a comment, `# !ls ...`, and turns it back into a command in the notebook.)

# %%
# !ls -ltr "{folder}"

# %% [markdown]
# ### Two Colab settings the lecture's steps touch
# **`auth.authenticate_user()`.** Older Colab recipes started with
# `from google.colab import auth; auth.authenticate_user()`, for example before reading Drive
# files through the PyDrive library. That call signs the runtime in to **Google Cloud** APIs
# (BigQuery, Cloud Storage, the `gcloud` tool). To read and write your Drive files from the
# notebook, `drive.mount` is enough: it asks for access in its own dialog, and the files then
# are an ordinary folder. This kit needs Drive only, so it never calls `authenticate_user`.
#
# **Saving a notebook without its outputs.** *Edit → Notebook settings → Omit code cell output
# when saving this notebook* makes Colab store only the code and text. Outputs can hold what
# you did not mean to share: your Drive's folder and file names, paths, an access code pasted
# into a cell, error messages with personal details, or large images. A notebook shared with
# others or put in a repository should carry none; the kit's own notebooks are committed
# without outputs, and its hygiene check (`tools/hygiene.py`, run by `make test`) refuses a notebook that has any.

# %% [markdown]
# ### Checkpoint and resume
# `helpers.training.fit` saves a checkpoint (weights and optimizer state) in the run folder
# after every epoch. Below, a callback pulls the plug after epoch `INTERRUPT_AFTER`, as a
# disconnect would. Running the same call again picks up from the last completed epoch.
#
# **Which runs resume.** Only training that goes through `helpers.training.fit` with a run
# folder: in this kit, notebook 02's two final models on `u1.base` and its MovieLens 1M run,
# this demo, and `python -m helpers.benchmark autorec --run-dir DIR`. For those a disconnect
# costs at most the epoch that was running. Every other training run (all of notebook 01,
# notebook 02's validation runs and its sparse-path run, notebooks 04–06) keeps its progress
# in memory only: after a disconnect, run the notebook again from the top and it trains from
# epoch 1. The README lists how long each notebook takes in full mode.

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
    m = models.mnist_autoencoder()
    m.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9), loss="binary_crossentropy")
    return m


resume_dir = runtime.run_dir("07_resume_demo")
for old in resume_dir.glob("**/*"):  # start the demo from scratch each time the notebook runs
    if old.is_file():
        old.unlink()
try:
    training.fit(fresh_model(), x_train, x_train, run_dir=resume_dir, epochs=RESUME_EPOCHS, batch_size=128,
                 callbacks=[Disconnect(INTERRUPT_AFTER)], verbose=0)
except KeyboardInterrupt as err:
    print("interrupted:", err)
resumed = training.fit(fresh_model(), x_train, x_train, run_dir=resume_dir, epochs=RESUME_EPOCHS, batch_size=128,
                       verbose=0)
print(f"resumed from epoch {resumed.resumed_from_epoch}, finished at epoch {resumed.epochs}")
resumed.history[["epoch", "loss"]]

# %%
assert resumed.resumed_from_epoch == INTERRUPT_AFTER and resumed.epochs == RESUME_EPOCHS
assert resumed.history["epoch"].tolist() == list(range(1, RESUME_EPOCHS + 1))

# %% [markdown]
# ## 4. TensorFlow vs PyTorch vs Keras
# The lecture's example: `x` starts at 1 and `y` at 2; each of 50 steps adds `y` to `x`, then
# halves `y`. So `x` = 1 + 2 + 1 + 1/2 + … (50 terms after the 1), which is
# $1 + 2\,(2 - 2^{-49}) = 5 - 2^{-48}$ in exact arithmetic. What a computer prints is another
# matter (see (e) below).
#
# ### (a) The slide's TensorFlow 1 code
# In TensorFlow 1 you first **define** a dataflow graph (nothing is computed), then **run**
# it in a `Session`. That is *define-and-run*. Here is the slide's code exactly as written,
# kept in a string so that we can run it as it stands and show where TensorFlow 2 stops it.

# %%
import contextlib
import io
import traceback

SLIDE_TF1 = """\
import tensorflow as tf
x = tf.Variable(1.)
y = tf.Variable(2.)
add_op = x.assign(x + y)
div_op = y.assign(y / 2)
init = tf.global_variables_initializer()
with tf.Session() as sess:
    init.run()
    for i in range(50):
        sess.run(add_op)
        sess.run(div_op)
    print(x.eval())
"""
print(SLIDE_TF1)
eager_ns: dict = {}
try:
    exec(SLIDE_TF1, eager_ns)
except Exception as err:  # whatever TensorFlow 2 raises, we show it
    failed_line = traceback.extract_tb(err.__traceback__)[-1].lineno
    print(f"On TensorFlow {tf.__version__} it stops at line {failed_line}, "
          f"`{SLIDE_TF1.splitlines()[failed_line - 1].strip()}`:\n  {type(err).__name__}: {err}")
    print(f"The lines before it ran at once (eager): x is already {float(eager_ns['x'].numpy())}, "
          f"y {float(eager_ns['y'].numpy())}; `x.assign(x + y)` updated x instead of defining an operation.")
else:
    raise AssertionError("the slide's TF1 code ran unchanged on TensorFlow 2; this cell expects it to fail")

# %% [markdown]
# `tf.global_variables_initializer` and `tf.Session` are gone from TensorFlow 2's top-level
# API; they live on in `tf.compat.v1`. Put those two names there, run the rest as written inside
# a graph of its own (`with tf.Graph().as_default():`, because switching the whole kernel to
# graph mode with `tf.compat.v1.disable_eager_execution()` cannot be undone), and the slide's
# program works: `init.run()` and `x.eval()` use the session opened by `with ... as sess`.

# %%
SLIDE_COMPAT = SLIDE_TF1.replace("tf.global_variables_initializer", "tf.compat.v1.global_variables_initializer") \
    .replace("tf.Session", "tf.compat.v1.Session")
for before, after in zip(SLIDE_TF1.splitlines(), SLIDE_COMPAT.splitlines()):
    if before != after:
        print(f"changed: {before.strip()}  ->  {after.strip()}")
printed = io.StringIO()
with tf.Graph().as_default(), contextlib.redirect_stdout(printed):
    exec(SLIDE_COMPAT, {})
print("the program prints:", printed.getvalue().strip())
results = {"TF1 graph (the slide's code via tf.compat.v1)": float(printed.getvalue())}

# %% [markdown]
# The slide runs `add_op` and `div_op` in two separate `sess.run` calls, so `x` always reads
# `y` before it is halved. A different lesson hides in a shortcut: **one** call
# `sess.run([add_op, div_op])` asks for both operations, and in a graph two operations run in
# whatever order the runtime picks unless one depends on the other; `y` may then be halved
# before `x` reads it. A control dependency (`tf.control_dependencies`) fixes the order.

# %%
def tf1_single_run(ordered: bool) -> float:
    """The slide's loop with both updates in one `sess.run`; `ordered` adds a control dependency."""
    with tf.Graph().as_default():
        gx, gy = tf.Variable(1.0), tf.Variable(2.0)
        add_op = gx.assign(gx + gy)
        with tf.control_dependencies([add_op] if ordered else []):  # y may change only after x has read it
            div_op = gy.assign(gy / 2)
        with tf.compat.v1.Session() as sess:
            tf.compat.v1.global_variables_initializer().run()
            for _ in range(50):
                sess.run([add_op, div_op])
            return float(gx.eval())


unordered = [tf1_single_run(ordered=False) for _ in range(5)]
ordered_runs = [tf1_single_run(ordered=True) for _ in range(5)]
slide_value = results["TF1 graph (the slide's code via tf.compat.v1)"]
print(f"one sess.run([add_op, div_op]), 5 fresh graphs: {unordered} -> "
      + ("all equal to" if set(unordered) == {slide_value} else "not all equal to") + f" the slide's {slide_value}")
halve_first = np.float32(1.0)
for k in range(1, 51):  # what x becomes if y is halved before x reads it, every step
    halve_first = np.float32(halve_first + np.float32(2.0) / np.float32(2.0**k))
if set(unordered) == {float(halve_first)}:
    print(f"{float(halve_first)} is the sum when y is halved before x reads it, at every step: 1 + 1 + 1/2 + ...")
print(f"with the control dependency: {ordered_runs}")
assert set(ordered_runs) == {slide_value}

# %% [markdown]
# ### (b) TensorFlow 2, eager
# TensorFlow 2 runs each line when it is reached (*define-by-run*), like NumPy: `assign` is an
# action, and the loop is plain Python.

# %%
x, y = tf.Variable(1.0), tf.Variable(2.0)
for _ in range(50):
    x.assign(x + y)
    y.assign(y / 2)
results["TF2 eager"] = float(x.numpy())

# %% [markdown]
# ### (c) `tf.function`: a graph traced from Python
# Decorating a Python function with `tf.function` traces it once into a graph, which TF can
# optimise and run without Python in the loop: the speed of define-and-run with the code of
# define-by-run. Keras uses this for every `fit`.

# %%
@tf.function
def slide_loop(n: int) -> tf.Tensor:
    fx, fy = tf.constant(1.0), tf.constant(2.0)
    for _ in tf.range(n):
        fx, fy = fx + fy, fy / 2
    return fx


results["TF2 tf.function"] = float(slide_loop(tf.constant(50)))
graph_def = slide_loop.get_concrete_function(tf.constant(50)).graph.as_graph_def()
print(f"the traced graph has {len(graph_def.node)} nodes; its operations include",
      ", ".join(sorted({node.op for node in graph_def.node})[:8]))

# %% [markdown]
# ### (d) PyTorch
# PyTorch records operations on a tape as they run (*define-by-run*, tape-based autodiff) and
# differentiates backwards through the tape. Colab has it installed; locally it is optional.

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed here (pip install torch); skipping this part.")
else:
    tx, ty = torch.tensor(1.0), torch.tensor(2.0)
    for _ in range(50):
        tx, ty = tx + ty, ty / 2
    results[f"PyTorch {torch.__version__}"] = float(tx)
    w = torch.tensor(3.0, requires_grad=True)
    (w**2).backward()  # the tape: d(w^2)/dw = 2w = 6
    print("PyTorch gradient of w^2 at 3:", float(w.grad))

# %% [markdown]
# ### (e) What the computer adds up
# Every framework above works in float32. The same loop in exact fractions, in float64 and in
# float32 (NumPy):

# %%
from fractions import Fraction


def slide_sum(number: type) -> list:
    """x after each of the 50 steps of the slide's loop, computed in `number` (Fraction, np.float64, np.float32)."""
    xs, ys, trace = number(1), number(2), []
    for _ in range(50):
        xs, ys = number(xs + ys), number(ys / 2)
        trace.append(xs)
    return trace


exact, f64, f32 = slide_sum(Fraction), slide_sum(np.float64), slide_sum(np.float32)
assert exact[-1] == 5 - Fraction(1, 2**48)
print(f"exact:   x = {exact[-1]} = 5 - 2^-48 = {float(5 - exact[-1]):.3e} below 5")
print(f"float64: x = {f64[-1]!r}, " + ("exactly" if Fraction(float(f64[-1])) == exact[-1] else "not exactly")
      + " the true value")
print(f"float32: x = {f32[-1]!r}, {float(Fraction(float(f32[-1])) - exact[-1]):.3e} off the true value")
stuck = next(k for k, v in enumerate(f32) if Fraction(float(v)) != exact[k])  # the first step float32 rounds
gap32 = Fraction(float(np.spacing(np.float32(4.5))))  # distance between neighbouring float32 numbers in [4, 8)
below = (5 - exact[stuck]) / gap32  # how far under 5 the exact sum is, in float32 spacings
print(f"float32 keeps 24 significant bits: between 4 and 8 its numbers are 2^{np.log2(float(gap32)):.0f} apart. "
      f"Step {stuck + 1} adds y = 2^{np.log2(float(2 * Fraction(1, 2) ** stuck)):.0f}; the exact sum, "
      f"5 - 2^{np.log2(float(5 - exact[stuck])):.0f}, lies {float(below)} of a spacing below 5 "
      + ("(a tie, and a tie goes to the neighbour whose last bit is even, 5.0)" if below == Fraction(1, 2) else "")
      + f", so float32 stores {f32[stuck]!r}.")
assert all(v == f32[stuck] for v in f32[stuck:])
print(f"Every later y is under half a spacing, so x stays {f32[-1]!r} for the remaining {49 - stuck} steps.")
gap64 = Fraction(float(np.spacing(np.float64(4.5))))
assert all(Fraction(float(v)) == e for v, e in zip(f64, exact))
print(f"float64's spacing there is 2^{np.log2(float(gap64)):.0f}, fine enough for 5 - 2^-48: every step is exact.")

# %%
side_by_side = pd.DataFrame({"x after 50 steps": results})
side_by_side["equals float32 NumPy"] = side_by_side["x after 50 steps"] == float(f32[-1])
side_by_side["minus the exact value"] = [float(Fraction(v) - exact[-1]) for v in results.values()]
assert side_by_side["equals float32 NumPy"].all(), "every framework adds in float32, in the slide's order"
side_by_side

# %% [markdown]
# The same gradient in TensorFlow uses its own tape, `tf.GradientTape`:

# %%
w = tf.Variable(3.0)
with tf.GradientTape() as tape:
    loss = w**2
print("TensorFlow gradient of w^2 at 3:", float(tape.gradient(loss, w)))

# %% [markdown]
# ### Keras: the high-level API on top
# Keras describes *models* (layers, losses, optimizers, `fit`) and leaves the tensor work to a
# backend: TensorFlow here; JAX or PyTorch when you set `KERAS_BACKEND` before importing Keras.
# Every notebook in this course is written against Keras 3 with `keras.ops`, so the model code
# does not change with the backend.

# %%
tiny = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
tiny.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
xs = np.random.default_rng(SEED).normal(size=(64, 3)).astype("float32")
ys = xs.sum(axis=1, keepdims=True)
hist = tiny.fit(xs, ys, epochs=20, verbose=0)
print(f"backend: {keras.backend.backend()}; loss {hist.history['loss'][0]:.3f} -> {hist.history['loss'][-1]:.3f}")
print("keras.ops works on any backend:", keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.ones((2, 3)))))
assert hist.history["loss"][-1] < hist.history["loss"][0]

# %% [markdown]
# ## Results

# %%
summary = pd.DataFrame([
    {"measure": "runtime", "value": report["where"]},
    {"measure": "GPU", "value": ", ".join(report["gpu_names"]) or "none"},
    *({"measure": f"{MATMUL_N}^3 matmul on {d} (ms)", "value": f"{s * 1000:.1f}"} for d, s in timings.items()),
    *({"measure": f"one MNIST epoch on {d} (s)", "value": f"{s:.2f}"} for d, s in epoch_times.items()),
    {"measure": "resumed from epoch", "value": str(resumed.resumed_from_epoch)},
    *({"measure": f"the slide's x after 50 steps, {k}", "value": repr(v)} for k, v in results.items()),
])
save_results("07_colab_gpu_runtime_check", summary)
summary

# %% [markdown]
# ## Exercises
# **Exercise 1.** After how many steps of the slide's loop does `x` first exceed 4.999 (in
# exact arithmetic)?

# %%
answer_1 = None

# %%
from helpers import exercises

exercises.check("07.1", answer_1)

# %% [markdown]
# **Exercise 2.** Where does Colab mount your Google Drive today? Give the folder that holds
# your files, as a string.

# %%
answer_2 = None

# %%
exercises.check("07.2", answer_2)


# %% [markdown]
# **Exercise 3 (write code).** How many floating-point operations does multiplying an (n × k)
# matrix by a (k × m) matrix take? Count one multiply-add (a·b + c) as two operations, as the
# GFLOP/s figures of section 2 do. Write `matmul_flops(n, k, m)`; the check tries it on new
# random sizes every time.

# %%
def matmul_flops(n: int, k: int, m: int) -> int:
    """Floating-point operations of an (n x k) @ (k x m) matrix product."""
    raise NotImplementedError  # replace this line with your code


# %%
exercises.check("07.3", matmul_flops)


# %% [markdown]
# **Exercise 4 (write code).** In a Colab cell, `!ls -ltr "<folder>"` lists a folder with the
# most recently modified entries *last*: the quickest way to see which checkpoint on your Drive
# was written last. A `!` line is a shell command, not Python; write the Python version:
# `oldest_first(folder)` returns the names of the entries (files and folders) in `folder`,
# oldest modification time first, the order `ls -tr` prints. The check builds temporary
# folders whose times it sets, new ones every time. Then try it on this notebook's run folder,
# `oldest_first(folder)`.

# %%
def oldest_first(folder: str | Path) -> list[str]:
    """Names in `folder`, oldest modification time first (like `ls -tr`)."""
    raise NotImplementedError  # replace this line with your code


# %%
exercises.check("07.4", oldest_first)

# %% [markdown]
# **Exercise 5 (open).** Switch the runtime to CPU only (or to a GPU) and run section 2 again.
# Is the speed-up for one epoch smaller than for the matrix multiply on your runtime, and why?
# What would you change in the training call to let the GPU help more?
#
# ## What's next
# Back to notebook **01** or **02** with a GPU on: the same cells, faster. Notebook 02's final
# models checkpoint to your Drive after every epoch, so a disconnect there costs at most one
# epoch; the other notebooks' training starts again from the top after a disconnect.
