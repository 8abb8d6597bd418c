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
# # 01 · The lecture's MNIST autoencoder in Keras
#
# An autoencoder learns to copy its input to its output through a narrow middle layer, the
# **code**. Because the code is small, the network cannot simply pass every pixel through: it
# has to find a few numbers that describe an input well enough to rebuild it. Notebook 02's
# rating-matrix autoencoder rests on that idea; we first see it on handwritten digits, where it
# is easiest to look at.
#
# **After this notebook you can**
# - build the lecture's model (784 → Dense 32 relu → Dense 784 sigmoid) in today's Keras 3 and
#   say what each of its eight settings does;
# - tell which of the slide's older calls (`lr=`, `decay=`, `epsilon=None`) now fail or are
#   ignored;
# - keep training, validation and test images apart, and stop training early on validation;
# - look inside the 32-number code and measure which digits are hard to rebuild;
# - check that a model learned at all, and compare the slide's boosting techniques fairly;
# - save a model to Drive (or `runs/` locally) so that it outlives a disconnected Colab session.
#
# The notebook prints its own running time under *Results*.

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
MODE = None  # None: "lecture" on Colab, else COURSE_MODE or "full"; or "full", "lecture", "smoke"

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
# All the knobs of this lesson in one place. The run mode (`MODE`, under *Setup*) picks their
# values: `full`, `lecture` (the first 20,000 training and 5,000 test images, at most 200 epochs
# of early stopping) or `smoke` (the tests' quick slice). These values are set beforehand, not chosen
# from any result; what the notebook
# chooses (the early-stopping epoch, the sweep's winner, a retried learning rate) it chooses
# on the validation slice of section 2.

# %%
from helpers.runtime import by_mode, smoke_or

EPOCHS = smoke_or(MODE, 50, 2)  # epochs of section 3's fit (the slide's fit says 1000: see section 4)
MAX_EPOCHS = by_mode(MODE, 1000, 200, 3)  # upper bound for the early-stopping run of section 4
SWEEP_EPOCHS = smoke_or(MODE, 15, 1)  # epoch budget of every variant in the boosting experiment
N_TRAIN = by_mode(MODE, None, 20_000, 2000)  # None = every training image (60,000 online, 8,000 offline)
SEED = 42

# %%
from helpers.params import check_params

check_params(EPOCHS=(EPOCHS, int), MAX_EPOCHS=(MAX_EPOCHS, int), SWEEP_EPOCHS=(SWEEP_EPOCHS, int),
             N_TRAIN=(N_TRAIN, (int, type(None))), SEED=(SEED, int))

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import datasets, losses, plots, runtime
from helpers.report import save_results

runtime.set_seed(SEED)
print("Keras", keras.__version__, "on", keras.backend.backend())

# %% [markdown]
# ## 1. The idea
#
# An autoencoder is two functions trained together:
#
# - the **encoder** turns an input $x$ into a code $h = g(Wx + b)$;
# - the **decoder** turns the code back into a reconstruction $\hat x = f(Vh + c)$.
#
# The training target is the input itself ($y = x$): we show the network a digit and ask it to
# draw the same digit. What it learns along the way is the code.
#
# | layer | shape of its output | parameters |
# | --- | --- | --- |
# | input: one image, 28 × 28 pixels, flattened | 784 | 0 |
# | encoder: Dense, ReLU | **32** (the code) | 784 × 32 + 32 = 25,120 |
# | decoder: Dense, sigmoid | 784 (the reconstruction) | 32 × 784 + 784 = 25,872 |
# | total | | **50,992** |
#
# 784 numbers are squeezed into 32: a compression factor of 24.5.

# %% [markdown]
# ## 2. The data
# MNIST: 28 × 28 grey-scale digits. `load_mnist()` returns pixels scaled to [0, 1] (the
# decoder's sigmoid outputs lie strictly between 0 and 1) and flattened to 784 numbers, in two
# parts: training images and test images.
#
# *Offline* (`COURSE_DATA_DIR` set, as in the automatic tests) the kit reads a stand-in made
# from the official 10,000 test images (8,000 as training images, 2,000 as test images); with a
# network it downloads the real 60,000 / 10,000 split. Figures on the two differ.
#
# **Three sets, three jobs.** Every choice here (when to stop, which variant wins) is made on
# a **validation slice**: the last 10% of the training images, held out from training. The
# **test images** are never trained on nor chosen by: they are scored once, in section 8.

# %%
(x_train, y_train), (x_test, y_test) = datasets.load_mnist()
if N_TRAIN is not None:
    x_train, y_train = x_train[:N_TRAIN], y_train[:N_TRAIN]
    x_test, y_test = x_test[: N_TRAIN // 4], y_test[: N_TRAIN // 4]
n_valid = len(x_train) // 10
x_fit, x_valid = x_train[:-n_valid], x_train[-n_valid:]
y_fit, y_valid = y_train[:-n_valid], y_train[-n_valid:]
print(f"training: {x_fit.shape}, validation slice: {x_valid.shape}, test: {x_test.shape} ({x_fit.dtype})")
print("pixel range:", float(x_train.min()), "to", float(x_train.max()))
assert x_fit.shape[1] == x_valid.shape[1] == x_test.shape[1] == 784
assert 0.0 <= x_train.min() and x_train.max() <= 1.0
fig = plots.image_grid([x_train], n=10)
fig.suptitle("labels: " + " ".join(str(d) for d in y_train[:10]), y=1.05)
plt.show()

# %% [markdown]
# ## 3. The lecture's model, exactly
#
# The slide's code, as the slide prints it (Keras 2, line numbers included):
#
# ```python slide
# 1  ## Build Autoencoder model
# 2  # this is our input placeholder
# 3  input_img = Input(shape=(784,))
# 4
# 5  # "encoded" is the encoded representation of the input
# 6  encoded = Dense(32,
# 7                  activation='relu')(input_img)
# 8
# 9  # "decoded" is the lossy reconstruction of the input
# 10 decoded = Dense(784,
# 11                activation='sigmoid')(encoded)
# 12
# 13 # this model maps an input to its reconstruction
# 14 autoencoder = Model(input_img, decoded)
# 15
# 16 ## Show model information
# 17 autoencoder.summary()
# 18
# 19 o_RMSprop = optimizers.RMSprop(lr=0.001,
# 20                                rho=0.9,
# 21                                epsilon=None,
# 22                                decay=0.0)
# 23
# 24 ## Set train methodology
# 25 autoencoder.compile(loss='binary_crossentropy',
# 26                    optimizer=o_RMSprop)
# ```
#
# Its eight callouts, and where each one sits in today's Keras 3 version (the next two code cells):
#
# | callout | line | what it means |
# | --- | --- | --- |
# | ① input dimension | `keras.Input(shape=(input_dim,))`, `input_dim=784` | one flattened image per example |
# | ② hidden neurons | `Dense(code_dim, ...)`, `code_dim=32` | the size of the code: how much the input is squeezed |
# | ③ encoder activation | `encoder_activation="relu"` | codes are non-negative; an active unit passes its gradient on unshrunk |
# | ④ output dimension | `Dense(input_dim, ...)` | the reconstruction has the input's shape |
# | ⑤ decoder activation | `activation="sigmoid"` | outputs land in (0, 1), like the pixels |
# | ⑥ optimizer | `RMSprop(...)` | divides each step by the root of a running mean of squared gradients |
# | ⑦ learning rate | `learning_rate=0.001` | the step size (`rho=0.9`: how long that mean remembers) |
# | ⑧ loss | `loss="binary_crossentropy"` | pixels treated as probabilities of "ink" |
#
# `make sync` copies the next cell, marked `#| export`, into `helpers/lecture_model.py` (the
# module `#| default_exp` names) for the later lessons.

# %%
#| default_exp lecture_model
#| export
import keras


def mnist_autoencoder(code_dim: int = 32, encoder_activation: str = "relu", input_dim: int = 784,
                      name: str = "autoencoder") -> keras.Model:
    """The lecture's autoencoder: Input(784) -> Dense(32, relu) -> Dense(784, sigmoid)."""
    inputs = keras.Input(shape=(input_dim,), name="image")  # ① input dimension
    code = keras.layers.Dense(code_dim, activation=encoder_activation, name="encoder")(inputs)  # ②, ③
    outputs = keras.layers.Dense(input_dim, activation="sigmoid", name="decoder")(code)  # ④, ⑤
    return keras.Model(inputs, outputs, name=name)


def encoder_of(model: keras.Model, layer: str = "encoder") -> keras.Model:
    """The encoder half: `model`'s input to `layer`'s output, sharing the trained weights."""
    return keras.Model(model.input, model.get_layer(layer).output, name=f"{model.name}_{layer}")


LEARNING_RATES = {"rmsprop": 0.001, "adagrad": 0.01, "adam": 0.001}  # Keras's defaults, but 0.01 for Adagrad (0.001)


def make_optimizer(name: str, learning_rate: float) -> keras.optimizers.Optimizer:
    """A fresh optimizer: RMSprop as on the slide (rho=0.9), Adagrad or Adam."""
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=learning_rate, rho=0.9)
    return {"adagrad": keras.optimizers.Adagrad, "adam": keras.optimizers.Adam}[name](learning_rate=learning_rate)


# %%
autoencoder = mnist_autoencoder(code_dim=32, encoder_activation="relu", name="lecture_autoencoder")
autoencoder.compile(
    optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9),  # ⑥ optimizer, ⑦ learning rate
    loss="binary_crossentropy",  # ⑧ loss
)
autoencoder.summary()
assert autoencoder.count_params() == 50_992

# %% [markdown]
# Now the training. The slide's `fit` line, as the slide prints it:
#
# ```python slide
# 1  ## Train model with train set.
# 2  autoencoder.fit(x=x_train, y=x_train,
# 3                  batch_size=128, epochs=1000,
# 4                  shuffle=True,
# 5                  validation_data=(x_test, x_test))
# ```
#
# | callout | argument | slide | here | why |
# | --- | --- | --- | --- | --- |
# | ①, ② | `x`, `y` | `x_train` | `x_fit` | inputs and targets: **the same images**, that makes it an autoencoder |
# | ③ | `batch_size` | 128 | 128 | images per gradient step |
# | ④ | `epochs` | 1000 | `EPOCHS` | passes over the training set (section 4: how many are needed?) |
# | ⑤ | `shuffle` | `True` | `True` | a new order each epoch |
# | ⑥ | `validation_data` | `(x_test, x_test)` | `(x_valid, x_valid)` | images not trained on, to choose by |
#
# The slide's callout ⑥ reads "<!-- slide -->Validation set for hyperparamter or early
# stopping, etc.<!-- /slide -->" (sic): it is for choices. A set used for
# choices stops being an honest estimate, so this notebook passes its validation slice, not the
# test images. `verbose=0` keeps the fit quiet; the curve shows every epoch.

# %%
history = autoencoder.fit(
    x_fit, x_fit, batch_size=128, epochs=EPOCHS, shuffle=True, validation_data=(x_valid, x_valid), verbose=0
)
val = history.history["val_loss"]
print(f"{EPOCHS} epochs on {len(x_fit)} images; validation BCE: first epoch {val[0]:.4f}, last epoch {val[-1]:.4f}")
assert val[-1] < val[0], "the validation loss should go down"
plots.loss_curves(history.history, title="the lecture's autoencoder (binary cross-entropy)")
plt.show()

# %% [markdown]
# ## 4. Then and now
# The slide was written for Keras 2. Keras 3 changed the optimizer's arguments:
#
# | slide (Keras 2) | today (Keras 3) | what happens to the old call |
# | --- | --- | --- |
# | `RMSprop(lr=0.001)` | `RMSprop(learning_rate=0.001)` | `ValueError: Argument(s) not recognized: {'lr': 0.001}` |
# | `decay=0.0` | a `LearningRateSchedule` | accepted with a warning, then **ignored** |
# | `epsilon=None` | leave it out (default `1e-07`) | the optimizer builds, then `fit` fails: `None values not supported` |
#
# The cell after the next one holds the slide's lines 19-22, run as printed (with Keras 3's
# `optimizers` module imported under the slide's name). It is *expected* to raise. The cell after
# it runs the table's other two rows.

# %%
from keras import optimizers

# The slide's variable name, kept as printed (ruff would ask for lower case):
# ruff: noqa: N816

# %% tags=["raises-exception", "slide"]
o_RMSprop = optimizers.RMSprop(lr=0.001,
                               rho=0.9,
                               epsilon=None,
                               decay=0.0)

# %%
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    keras.optimizers.RMSprop(learning_rate=0.001, decay=0.0)
print("decay=0.0 ->", [str(w.message) for w in caught])
assert any("decay" in str(w.message) for w in caught)

tiny = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
tiny.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, epsilon=None), loss="mse")
try:
    tiny.fit(np.ones((8, 4)), np.ones((8, 2)), verbose=0)
    raise AssertionError("epsilon=None used to work; Keras 3 should refuse it")
except ValueError as err:
    print("epsilon=None ->", type(err).__name__ + ":", err)

# %% [markdown]
# ### How many epochs? Ask the validation curve
# The slide's fit asks for `epochs=1000`. Look at the curve in section 3: how fast does the
# validation loss still fall at the last epoch? Where a curve flattens, extra epochs cost time
# and buy little, and on small data they can start to overfit. Today's answer is **early
# stopping**: train with a generous upper bound (`MAX_EPOCHS`) and stop when the validation
# loss has not improved by at least 0.0001 for 5 epochs, keeping the best weights.

# %%
runtime.set_seed(SEED)
es_model = keras.models.clone_model(autoencoder)
es_model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9), loss="binary_crossentropy")
stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, min_delta=1e-4, restore_best_weights=True)
es_history = es_model.fit(x_fit, x_fit, batch_size=128, epochs=MAX_EPOCHS, shuffle=True,
                          validation_data=(x_valid, x_valid), callbacks=[stopper], verbose=0)
es_epochs = len(es_history.history["val_loss"])
es_best_valid = min(es_history.history["val_loss"])
stopped = "stopped early" if es_epochs < MAX_EPOCHS else "reached the upper bound without stopping"
print(f"early stopping ran {es_epochs} of at most {MAX_EPOCHS} epochs ({stopped}); "
      f"best validation BCE {es_best_valid:.4f}, against {val[-1]:.4f} after section 3's {EPOCHS} epochs")
assert es_epochs <= MAX_EPOCHS and np.isfinite(es_best_valid)

# %% [markdown]
# ## 5. Look at the results
# Everything in this section looks at section 3's model on the **validation slice** (the test
# images wait for the end).
#
# ### Originals and reconstructions

# %%
reconstructed = autoencoder.predict(x_valid, verbose=0)
plots.image_grid([x_valid, reconstructed], labels=["original", "rebuilt"], n=10)
plt.show()

# %% [markdown]
# ### The 32-number codes
# The encoder alone maps an image to its code. Averaging the codes of each digit shows which
# code units each digit uses; a 2-D projection (PCA) of the codes shows whether digits of the
# same kind land near each other, although the network never saw a label.

# %%
encoder = encoder_of(autoencoder)
codes = encoder.predict(x_valid, verbose=0)
print("codes:", codes.shape, f"- share of code values that are exactly zero (ReLU): {np.mean(codes == 0):.0%}")
mean_codes = np.stack([codes[y_valid == d].mean(axis=0) for d in range(10) if np.any(y_valid == d)])

centered = codes - codes.mean(axis=0)
_, _, components = np.linalg.svd(centered, full_matrices=False)
projected = centered @ components[:2].T

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.5))
im = ax1.imshow(mean_codes, aspect="auto", cmap="magma")
ax1.set_xlabel("code unit")
ax1.set_ylabel("digit")
ax1.set_title("mean code per digit")
fig.colorbar(im, ax=ax1)
scatter = ax2.scatter(projected[:, 0], projected[:, 1], c=y_valid, cmap="tab10", s=4)
ax2.legend(*scatter.legend_elements(), title="digit", loc="best", fontsize=7)
ax2.set_title("codes projected on their first two principal components")
plt.show()

# %% [markdown]
# ### Which digits are hard to rebuild?

# %%
eps = 1e-7
pixel_bce = -(x_valid * np.log(reconstructed + eps) + (1 - x_valid) * np.log(1 - reconstructed + eps))
per_image = pixel_bce.mean(axis=1)
per_digit = pd.Series({d: per_image[y_valid == d].mean() for d in range(10) if np.any(y_valid == d)},
                      name="validation BCE").rename_axis("digit")
per_digit.plot.bar(title="reconstruction error per digit (validation slice)", ylabel="mean BCE per image")
plt.show()
print(per_digit.round(4).to_string())

# %% [markdown]
# Two things can make a digit costly here. A digit that people write in many different ways asks
# more of 32 numbers than a digit that nearly everyone writes alike. And the BCE of an image is
# a mean over all 784 pixels: blank background that the model rebuilds as blank costs almost
# nothing, so a digit drawn with more ink has more pixels to get wrong. Exercise 2 takes ink
# out of the comparison.
#
# ## 6. Techniques for boosting performance, as one controlled experiment
# The slide's list:
#
# <!-- slide -->
# - Techniques for boosting performance of Autoencoder
#   - ▣ Change dimension of input, output, and hidden
#   - ▣ Change loss function
#   - ▣ Change optimizer function (RMSprop, Adagrad, Adam, and etc)
#   - ▣ Add more layers in encoder and decoder (**Stacked autoencoder**)
#   - ▣ Try different activation function (ReLU, Sigmoid, Tanh, Softmax, etc)
#   - ▣ Add noise to input set (**Denoising autoencoder**)
#   - ▣ Add regularization term for loss (**Sparse autoencoder**)
# <!-- /slide -->
#
# We try four of them **one at a time**, each against the lecture's model, on the same data,
# the same seed and the same epoch budget (`SWEEP_EPOCHS`):
#
# - **dimensions**: hidden size 16 / 32 / 64 / 128 (the input and output stay 784: they are
#   the image);
# - **loss**: binary cross-entropy vs mean squared error;
# - **optimizer**: RMSprop / Adagrad / Adam;
# - **activation** of the encoder: ReLU / sigmoid / tanh (softmax, the slide's fourth, would
#   make the 32 code values sum to 1; it is left out here).
#
# **Denoising**, **stacked** and **sparse** get notebooks 04, 05 and 06. Every variant is
# scored on the validation slice by BCE *and* MSE, whatever loss it trained with.
#
# **First, a yardstick.** Without looking at its input, a model could output the "average
# digit" (the mean training image) for every image. A variant whose validation BCE is not more
# than `MARGIN` below that guess's **did not learn**, and is not compared. A variant
# that does not learn at its optimizer's usual learning rate is **retried** at 3 and 10 times
# that rate, keeping whichever of the three rates gives the lowest validation BCE (marked `retried`; a new
# rate kept is a second change). One that still does not learn is named as failed.

# %%
MARGIN = 0.005  # a model must beat the average-digit yardstick by more than this to count as learned
average_digit = x_fit.mean(axis=0)  # the same guess for every image: the mean training digit
yardstick = float(losses.bce_per_image(x_valid, np.broadcast_to(average_digit, x_valid.shape)).mean())
section3_valid = float(losses.bce_per_image(x_valid, reconstructed).mean())
print(f"average-digit yardstick on the validation slice: BCE {yardstick:.4f}")
print(f"section 3's model: validation BCE {section3_valid:.4f}, "
      f"{'beats' if section3_valid < yardstick - MARGIN else 'does NOT beat'} the yardstick by more than {MARGIN}")

# %%
import time

RETRY_FACTORS = (3, 10)  # retry rates, as multiples of the usual one, for a variant that did not learn


def train_variant(code_dim: int, loss: str, optimizer: str, activation: str, lr_factor: float = 1) -> dict:
    """Train one variant on x_fit for SWEEP_EPOCHS epochs; its validation BCE and MSE and its speed."""
    runtime.set_seed(SEED)
    model = mnist_autoencoder(code_dim=code_dim, encoder_activation=activation)
    learning_rate = LEARNING_RATES[optimizer] * lr_factor
    model.compile(optimizer=make_optimizer(optimizer, learning_rate), loss=loss,
                  metrics=[keras.metrics.BinaryCrossentropy(name="bce"), keras.metrics.MeanSquaredError(name="mse")])
    start = time.perf_counter()
    fit = model.fit(x_fit, x_fit, batch_size=128, epochs=SWEEP_EPOCHS, shuffle=True,
                    validation_data=(x_valid, x_valid), verbose=0)
    seconds = time.perf_counter() - start
    return {"val BCE": fit.history["val_bce"][-1], "val MSE": fit.history["val_mse"][-1],
            "learning rate": learning_rate, "s/epoch": seconds / SWEEP_EPOCHS, "model": model}


# %%
lecture = {"code_dim": 32, "loss": "binary_crossentropy", "optimizer": "rmsprop", "activation": "relu"}
variants = [("lecture's model", {})]
variants += [(f"hidden {n}", {"code_dim": n}) for n in (16, 64, 128)]
variants += [("loss MSE", {"loss": "mse"})]
variants += [(f"optimizer {o}", {"optimizer": o}) for o in ("adagrad", "adam")]
variants += [(f"activation {a}", {"activation": a}) for a in ("sigmoid", "tanh")]

rows, sweep_models = [], {}
for label, change in variants:
    settings = {**lecture, **change}
    run = train_variant(**settings)
    retried = run["val BCE"] >= yardstick - MARGIN
    if retried:
        tries = [run, *(train_variant(**settings, lr_factor=f) for f in RETRY_FACTORS)]
        run = min(tries, key=lambda r: r["val BCE"])
        print(f"{label}: did not learn at learning rate {tries[0]['learning rate']:g}; retried at "
              + ", ".join(f"{t['learning rate']:g} (val BCE {t['val BCE']:.4f})" for t in tries[1:])
              + f"; kept {run['learning rate']:g}, chosen on validation")
    learned = run["val BCE"] < yardstick - MARGIN
    sweep_models[label] = run.pop("model")
    rows.append({"variant": label, **run, "retried": retried, "learned": learned})
    print(f"{label:>20}: val BCE {run['val BCE']:.4f}  val MSE {run['val MSE']:.5f}  learning rate "
          f"{run['learning rate']:g}  {run['s/epoch']:.2f} s/epoch  "
          + ("learned" if learned else f"FAILED: not more than {MARGIN} below the average digit"))
sweep = pd.DataFrame(rows)

# %%
base = sweep.set_index("variant", drop=False).loc["lecture's model"]


def reading(row: pd.Series) -> str:
    """One sentence that reads a row against the lecture's model, from the measured numbers."""
    if not row["learned"]:
        return f"did not learn (not more than {MARGIN} below the average digit): not compared"
    if row["variant"] == base["variant"]:
        return "the reference every other row is compared with"
    if not base["learned"]:
        return "learned, but the lecture's model did not, so there is no reference to compare with"
    delta = row["val BCE"] - base["val BCE"]
    speed = row["s/epoch"] / base["s/epoch"]
    verdict = ("better than" if delta < -0.001 else "worse than" if delta > 0.001
               else "about the same as")
    extra = " (with its own learning rate, chosen on validation)" if row["retried"] else ""
    return (f"{verdict} the lecture's model ({delta:+.4f} BCE) "
            f"at {speed:.1f}x its time per epoch{extra}")


sweep["reading"] = sweep.apply(reading, axis=1)
pd.set_option("display.max_colwidth", 120)
sweep.round(4)

# %%
colors = ["tab:blue" if ok else "lightgrey" for ok in sweep["learned"]]
ax = sweep.plot.barh(x="variant", y="val BCE", legend=False, figsize=(7, 4), color=colors)
ax.axvline(base["val BCE"], color="red", linestyle="--", label="lecture's model")
ax.axvline(yardstick, color="black", linestyle=":", label="average digit (yardstick)")
ax.set_xlim(0, max(sweep["val BCE"].max(), yardstick) * 1.05)  # the axis starts at zero
ax.set_xlabel(f"validation BCE after {SWEEP_EPOCHS} epochs (lower is better; grey: did not learn)")
ax.invert_yaxis()
ax.legend(loc="lower right")
plt.show()

learned_rows = sweep[sweep["learned"]]
winner = learned_rows.loc[learned_rows["val BCE"].idxmin(), "variant"] if len(learned_rows) else None
print(f"chosen on validation among the variants that learned: {winner or 'none (no variant learned in this run)'}")
failed = sweep.loc[~sweep["learned"], "variant"].tolist()
print(f"variants that did not learn (not compared): {', '.join(failed) or 'none'}")
if base["learned"]:
    beaten = learned_rows.loc[learned_rows["val BCE"] < base["val BCE"] - 0.001, "variant"].tolist()
    print(f"variants that beat the lecture's model on validation by more than 0.001 BCE: {', '.join(beaten) or 'none'}")
else:
    print("the lecture's model did not learn in this budget, so no variant is compared with it")

# %% [markdown]
# **How to read it.** The axis starts at zero; grey bars did not learn. Possible reasons behind
# the `reading` column: a wider code can keep more detail; Adam adds momentum to RMSprop's
# per-weight steps, Adagrad's steps only shrink; the MSE model is ranked by BCE, which it did not
# optimise (`val MSE` compares it on its own loss), and with a sigmoid output MSE's gradient on
# a pixel shrinks as the prediction nears 0 or 1, BCE's does not. The verdicts depend on the
# data and on the epoch budget (Exercise 4).

# %% [markdown]
# ## 7. Keep the work
# Colab runtimes disconnect. A model saved to the run folder outlives that when the folder is
# on your Drive (it is, once Drive is mounted; locally it is `runs/`). Keras 3 saves a whole
# model as one `.keras` file.

# %%
folder = runtime.run_dir("01_mnist_autoencoder")
path = folder / "lecture_autoencoder.keras"
autoencoder.save(path)
restored = keras.models.load_model(path)
# a direct call reads a few outputs without compiling a predict function for each model
np.testing.assert_allclose(np.asarray(restored(x_valid[:64])), np.asarray(autoencoder(x_valid[:64])), rtol=1e-5, atol=1e-6)
print("saved and reloaded:", path)

# %% [markdown]
# ## 8. The test images, once
# The test images are scored **once**: section 3's model, its early-stopped twin, and from the
# sweep the lecture's model and the variant chosen on validation (each if it learned). Nothing
# is chosen from these numbers; each model is checked against the average digit on them too.

# %%
test_models = {f"lecture's autoencoder, {EPOCHS} epochs (section 3)": (autoencoder, EPOCHS, val[-1]),
               "same, early stopping on the validation slice (section 4)": (es_model, es_epochs, es_best_valid)}
for label in dict.fromkeys(["lecture's model", *([winner] if winner else [])]):
    row = sweep.set_index("variant").loc[label]
    if row["learned"]:
        test_models[f"sweep: {label}" + (" (chosen on validation)" if label == winner else "")] = (
            sweep_models[label], SWEEP_EPOCHS, row["val BCE"])
test_yardstick = float(losses.bce_per_image(x_test, np.broadcast_to(average_digit, x_test.shape)).mean())
print(f"average-digit yardstick on the test images: BCE {test_yardstick:.4f}")
rows = []
for label, (model, epochs, valid_bce) in test_models.items():
    test_bce = float(losses.bce_per_image(x_test, np.asarray(model(x_test))).mean())  # a direct call: no predict function
    learned = test_bce < test_yardstick - MARGIN
    print(f"{label}: test BCE {test_bce:.4f}, "
          f"{'beats' if learned else 'does NOT beat'} the yardstick by more than {MARGIN}")
    rows.append({"model": label, "epochs": epochs, "val BCE": valid_bce, "test BCE": test_bce,
                 "beats the average digit": learned})
    assert np.isfinite(test_bce)

# %% [markdown]
# ## Results

# %%
split_sizes = f"{len(x_fit)}/{len(x_valid)}/{len(x_test)}"
results = pd.DataFrame([
    *({**row, "images (train/val/test)": split_sizes} for row in rows),
    *({"model": f"sweep: {r['variant']} (validation only)", "epochs": SWEEP_EPOCHS, "val BCE": r["val BCE"],
       "test BCE": np.nan, "beats the average digit": r["learned"], "images (train/val/test)": split_sizes}
      for _, r in sweep.iterrows()),
])
save_results("01_mnist_autoencoder", MODE, results)
results.round(4)

# %% [markdown]
# ## Exercises
# Each exercise has an answer cell. In the students' edition a `grader.check(...)` cell under
# it checks only the answer's form, never whether it is right: the instructor's grading does
# that. Open questions are answered in words in the cell under them and graded by hand.

# %%
from helpers import grading

grader = grading.grader("01_mnist_autoencoder")

# %% [markdown] question={"name": "q01_1", "points": 1}
# **Exercise 1.** How many parameters does an autoencoder 784 → Dense 64 → Dense 784 have?
# Work it out by hand (weights and biases), without building it.

# %% tags=["solution"]
answer_1 = 784 * 64 + 64 + 64 * 784 + 784  # SOLUTION

# %% tags=["test"]
def test_q01_1_form(answer_1):
    assert answer_1 is not ..., "not answered yet: replace ... with your answer"
    assert isinstance(answer_1, int) and not isinstance(answer_1, bool), "the answer is a whole number"
    assert answer_1 > 0, "a count of parameters is positive"

test_q01_1_form(answer_1)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q01_1_value(answer_1):
    assert answer_1 == 784 * 64 + 64 + 64 * 784 + 784, "not the right count"

test_q01_1_value(answer_1)  # IGNORE

# %% [markdown] question={"name": "q01_2", "points": 2}
# **Exercise 2.** Section 5 compares the digits by mean BCE per image. Which digit does the
# lecture's model rebuild worst **per ink pixel**? For each digit, add up `pixel_bce` over that
# digit's validation images and divide by the number of their ink pixels (pixels of `x_valid`
# above 0.5); answer the digit with the highest ratio, as a whole number. Compute it from
# `pixel_bce`, `x_valid` and `y_valid`. Is it the digit that is worst per image?

# %% tags=["solution"]
ink = x_valid > 0.5  # SOLUTION
ratios = {d: pixel_bce[y_valid == d].sum() / ink[y_valid == d].sum() for d in np.unique(y_valid)}  # SOLUTION
answer_2 = int(max(ratios, key=ratios.get))  # SOLUTION

# %% tags=["test"]
def test_q01_2_form(answer_2):
    import numpy as np

    assert answer_2 is not ..., "not answered yet: replace ... with your answer"
    assert isinstance(answer_2, (int, np.integer)) and not isinstance(answer_2, bool), "the answer is a digit, 0-9"
    assert 0 <= answer_2 <= 9, "the answer is a digit, 0-9"

test_q01_2_form(answer_2)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q01_2_value(answer_2, pixel_bce, x_valid, y_valid):
    import numpy as np

    ink = np.asarray(x_valid) > 0.5
    labels = np.asarray(y_valid)
    ratios = {int(d): float(np.sum(pixel_bce[labels == d]) / max(np.sum(ink[labels == d]), 1)) for d in np.unique(labels)}
    best = max(ratios.values())
    assert int(answer_2) in ratios, "no validation image shows that digit"
    assert ratios[int(answer_2)] >= best * 0.995, "not the digit with the highest BCE per ink pixel"

test_q01_2_value(answer_2, pixel_bce, x_valid, y_valid)  # IGNORE

# %% [markdown] question={"name": "q01_3", "points": 3}
# **Exercise 3 (write code).** Write `dense_autoencoder_params(sizes)`: the number of parameters
# (weights and biases) of Dense layers stacked from `sizes[0]` inputs through `sizes[1]`, … units
# to `sizes[-1]` outputs. The lecture's model is `[784, 32, 784]`; a deeper one could be
# `[784, 128, 32, 128, 784]`. The grading runs your function on new random lists of sizes, so it
# must work for any list of two or more sizes.

# %% tags=["solution"]
def dense_autoencoder_params(sizes: list[int]) -> int:
    """Weights and biases of Dense layers sizes[0] -> sizes[1] -> ... -> sizes[-1]."""
    # BEGIN SOLUTION
    total = 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        total += n_in * n_out + n_out
    return total
    # END SOLUTION


# %% tags=["test"]
def test_q01_3_form(dense_autoencoder_params):
    assert dense_autoencoder_params([4, 2, 4]) is not None, "not answered yet: write the function's body"
    got = dense_autoencoder_params([4, 2, 4])
    assert isinstance(got, int) and not isinstance(got, bool), "the function returns a whole number (an int)"

test_q01_3_form(dense_autoencoder_params)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q01_3_random_sizes(dense_autoencoder_params):
    import numpy as np

    rng = np.random.default_rng()
    cases = [[784, 32, 784], [3, 1]]
    for _ in range(3):  # symmetric autoencoders: input, encoder, code, the encoder mirrored, output = input
        encoder = sorted(rng.integers(2, 400, size=int(rng.integers(1, 4))).tolist(), reverse=True)
        dim = int(rng.integers(400, 1000))
        cases.append([dim, *encoder, *encoder[-2::-1], dim])
    for _ in range(3):  # any sizes at all
        cases.append(rng.integers(1, 1000, size=int(rng.integers(2, 7))).tolist())
    for sizes in cases:
        expected = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
        got = dense_autoencoder_params(list(sizes))
        assert got == expected, f"for sizes={sizes} the function returned {got}, which is not right"

test_q01_3_random_sizes(dense_autoencoder_params)  # IGNORE

# %% [markdown]
# Compare your function with Keras on a **2-number code** (784 → 2 → 784): does
# `dense_autoencoder_params([784, 2, 784])` give the count below? Bonus: train this model and
# scatter its codes coloured by digit. What does a 2-D code keep?

# %%
two_d = mnist_autoencoder(code_dim=2)
print(f"Keras counts {two_d.count_params()} parameters in 784 -> 2 -> 784")

# %% [markdown] question={"manual": true, "name": "q01_4", "points": 2}
# **Exercise 4 (open).** Re-run section 6 with `SWEEP_EPOCHS` doubled. Which rankings change,
# and does any variant that did not learn before learn now? What does that tell you about
# comparing optimizers or activations on a fixed, small epoch budget?

# %% [markdown] tags=["solution"]
# Model answer for the instructor: the two runs' tables, and the rows whose order changed.
# Reasoning: a fixed budget compares how fast each variant learns, not how good it can get; a
# fast starter (Adam, with momentum) or a retried learning rate can lead early and be caught
# later, a variant near the average digit may start learning, a narrow code (16) may fall
# behind. A fair comparison gives every variant enough epochs (early stopping on validation) or
# tunes each learning rate on validation, and names the budget a ranking belongs to.

# %% [markdown]
# ## What's next
# Notebook **02** uses the same encoder–decoder idea on a rating matrix, where most entries are
# missing and the point of the model is to fill them in; **03** trains it on MovieLens.
# Notebooks **04–06** try the denoising, stacked and sparse autoencoders on digits and on
# ratings, **07** checks your Colab GPU runtime, and **08** goes beyond AutoRec.
