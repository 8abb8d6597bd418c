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
# # 06 · Your Colab runtime: GPU, Drive, and TensorFlow vs PyTorch vs Keras
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

# %% [markdown]
# ## Setup
# The same cell opens every notebook. In Colab it mounts your Google Drive (unless you set
# `USE_DRIVE = False` because you cloned the kit into `/content` and need no Drive), finds the
# kit folder (on your Drive up to two folders deep under `MyDrive`, or a clone in `/content`);
# locally it finds the kit above `notebooks/`. `colab_setup.setup` then installs only what the
# runtime lacks and prints which runtime you are on and whether a GPU is available.

# %%
import sys
from pathlib import Path

USE_DRIVE = True  # Colab: mount Google Drive (where the kit and your runs live); False: a clone in /content, no Drive
if "google.colab" in sys.modules and USE_DRIVE:
    from google.colab import drive

    drive.mount(str(Path.cwd() / "drive"))  # Colab works in /content, so Drive appears at /content/drive
here = Path.cwd()
found = [p.parent for g in ("*", "drive/MyDrive/*", "drive/MyDrive/*/*") for p in sorted(here.glob(g + "/colab_setup.py"))]
kit = next((p for p in [here, *here.parents, *found] if (p / "colab_setup.py").is_file()), None)
if kit is None:
    raise FileNotFoundError("The course kit was not found: upload its folder to your Drive or clone it into /content.")
if str(kit) not in sys.path:
    sys.path.insert(0, str(kit))
import colab_setup

KIT = colab_setup.setup(use_drive=USE_DRIVE)

# %% [markdown]
# ## Parameters

# %% tags=["parameters"]
from helpers.runtime import smoke_or

MATMUL_N = smoke_or(4096, 512)  # size of the square matrices multiplied on CPU and GPU
N_IMAGES = smoke_or(None, 2000)  # MNIST images for the one-epoch timing (None = all)
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
# The lecture's table was true of Colab's free tier in 2019. Compare it with what you have
# now; Colab's current limits (GPU types, memory, how long a session may run and how long it
# may sit idle) change often and depend on your plan: see Colab's FAQ
# (research.google.com/colaboratory/faq.html) and *Runtime → View resources*.

# %%
report = runtime.runtime_report()
lecture_2019 = {"where": "Google Colab", "gpu_names": ["Tesla K80"], "ram_gb": 13, "tensorflow": "1.x",
                "time limit": "12 hours per session"}
rows = [
    ("runs on", report["where"], lecture_2019["where"]),
    ("operating system", report["os"], "Ubuntu"),
    ("CPU", f"{report['cpu']} ({report['cpu_cores']} cores)", "2 vCPU Xeon"),
    ("RAM (GB)", report["ram_gb"], lecture_2019["ram_gb"]),
    ("disk free / total (GB)", f"{report['disk_free_gb']} / {report['disk_total_gb']}", "about 40 free"),
    ("GPU", ", ".join(report["gpu_names"]) or "none", "Tesla K80 (12 GB)"),
    ("nvidia-smi", report["nvidia_smi"] or "not available", "-"),
    ("CUDA / cuDNN TensorFlow was built for", f"{report['tf_cuda_version']} / {report['tf_cudnn_version']}", "-"),
    ("TensorFlow", report["tensorflow"], "1.x (graphs and sessions)"),
    ("Keras (backend)", f"{report['keras']} ({report['keras_backend']})", "2.x, bundled with TF"),
    ("PyTorch", report["pytorch"] or "not installed", "1.x"),
    ("session time limit", "see Colab's FAQ" if report["where"] == "Google Colab" else "none (local)",
     lecture_2019["time limit"]),
]
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
# data and running small layers, so the speed-up is smaller. Here is one epoch of notebook
# 01's model on each device.

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
    print(f"speed-up: {epoch_times['CPU'] / epoch_times['GPU']:.1f}x")
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
        print("Drive is not mounted (or has no 'Colab Notebooks' folder yet); set USE_DRIVE = True in the setup cell, "
              "run it and allow access.")
else:
    print("Not in Colab: there is no Google Drive to mount here, and nothing needs mounting.")
print("this notebook saves its work under:", runtime.runs_root())

# %%
folder = runtime.run_dir("06_colab_runtime")
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
# ### Checkpoint and resume
# `helpers.training.fit` saves a checkpoint (weights and optimizer state) in the run folder
# after every epoch. Below, a callback pulls the plug after epoch `INTERRUPT_AFTER`, as a
# disconnect would. Running the same call again picks up from the last completed epoch.

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


resume_dir = runtime.run_dir("06_resume_demo")
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
# The lecture's example adds 1 + 1/2 + 1/4 + … for 50 iterations: `x` starts at 0 and `y` at
# 1; each step adds `y` to `x` and halves `y`. The answer is $2 - 2^{-49}$, a hair under 2.
#
# ### (a) The slide's TensorFlow 1 code
# In TensorFlow 1 you first **define** a dataflow graph (nothing is computed), then **run**
# it in a `Session`. That is *define-and-run*. On TensorFlow 2 the slide's code fails at once:

# %% tags=["raises-exception"]
x = tf.Variable(0.0)
y = tf.Variable(1.0)
update_x = tf.assign(x, x + y)
update_y = tf.assign(y, y / 2)
init = tf.global_variables_initializer()
with tf.Session() as sess:
    sess.run(init)
    for _ in range(50):
        sess.run([update_x, update_y])
    print(sess.run(x))

# %% [markdown]
# `tf.assign`, `tf.global_variables_initializer` and `tf.Session` were removed from the
# top-level API. The same program still runs through `tf.compat.v1`, inside a graph of its
# own. One more lesson hides here: in a graph, two operations run in whatever order the
# runtime likes unless one depends on the other. Running `[update_x, update_y]` together, as
# the slide does, lets `y` be halved before `x` reads it. A control dependency fixes the order.

# %%
def tf1_sum(ordered: bool) -> float:
    """The slide's program as a TF1 graph; `ordered` adds the control dependency it needs."""
    graph = tf.Graph()
    with graph.as_default():
        gx = tf.compat.v1.Variable(0.0, name="x")
        gy = tf.compat.v1.Variable(1.0, name="y")
        update_x = tf.compat.v1.assign(gx, gx + gy)
        if ordered:
            with tf.control_dependencies([update_x]):  # y may change only after x has used it
                update_y = tf.compat.v1.assign(gy, gy / 2)
            fetches = update_y
        else:
            fetches = [update_x, tf.compat.v1.assign(gy, gy / 2)]
        init = tf.compat.v1.global_variables_initializer()
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(init)
            for _ in range(50):
                sess.run(fetches)
            return float(sess.run(gx))


print("as on the slide (order left to TensorFlow):", tf1_sum(ordered=False))
results = {"TF1 graph (tf.compat.v1, ordered)": tf1_sum(ordered=True)}
print(results)

# %% [markdown]
# ### (b) TensorFlow 2, eager
# TensorFlow 2 runs each line when it is reached (*define-by-run*), like NumPy:

# %%
ex, ey = tf.Variable(0.0), tf.Variable(1.0)
for _ in range(50):
    ex.assign_add(ey)
    ey.assign(ey / 2)
results["TF2 eager"] = float(ex.numpy())

# %% [markdown]
# ### (c) `tf.function`: a graph traced from Python
# Decorating a Python function with `tf.function` traces it once into a graph, which TF can
# optimise and run without Python in the loop: the speed of define-and-run with the code of
# define-by-run. Keras uses this for every `fit`.

# %%
@tf.function
def geometric_sum(n: int) -> tf.Tensor:
    fx, fy = tf.constant(0.0), tf.constant(1.0)
    for _ in tf.range(n):
        fx, fy = fx + fy, fy / 2
    return fx


results["TF2 tf.function"] = float(geometric_sum(tf.constant(50)))
graph_def = geometric_sum.get_concrete_function(tf.constant(50)).graph.as_graph_def()
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
    tx, ty = torch.tensor(0.0), torch.tensor(1.0)
    for _ in range(50):
        tx, ty = tx + ty, ty / 2
    results[f"PyTorch {torch.__version__}"] = float(tx)
    w = torch.tensor(3.0, requires_grad=True)
    (w**2).backward()  # the tape: d(w^2)/dw = 2w = 6
    print("PyTorch gradient of w^2 at 3:", float(w.grad))

# %%
expected = 2 - 2.0**-49
side_by_side = pd.DataFrame({"x after 50 steps": results}).assign(**{"error vs 2 - 2^-49": lambda d: d.iloc[:, 0] - expected})
assert all(abs(v - expected) < 1e-6 for v in results.values())
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
    *({"measure": f"1 + 1/2 + ... via {k}", "value": f"{v:.12f}"} for k, v in results.items()),
])
save_results("06_colab_gpu_runtime_check", summary)
summary

# %% [markdown]
# ## Exercises
# **Exercise 1.** After how many steps of the slide's loop does `x` first exceed 4.999 (in
# exact arithmetic)?

# %%
answer_1 = None

# %%
from helpers import exercises

exercises.check("06.1", answer_1)

# %% [markdown]
# **Exercise 2.** Where does Colab mount your Google Drive today? Give the folder that holds
# your files, as a string.

# %%
answer_2 = None

# %%
exercises.check("06.2", answer_2)


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
exercises.check("06.3", matmul_flops)


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
exercises.check("06.4", oldest_first)

# %% [markdown]
# **Exercise 5 (open).** Switch the runtime to CPU only (or to a GPU) and run section 2 again.
# Is the speed-up for one epoch smaller than for the matrix multiply on your runtime, and why?
# What would you change in the training call to let the GPU help more?
#
# ## What's next
# Back to notebook **01** or **02** with a GPU on: the same cells, faster. Runs are saved on
# your Drive, so a disconnect costs at most one epoch.
