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
# An autoencoder copies its input to its output through a narrow middle layer, the **code**:
# it must find a few numbers that describe an input well enough to rebuild it. Notebook 02's
# rating-matrix autoencoder rests on that idea; here we see it on handwritten digits.
#
# **After this notebook you can**
# - build the lecture's model (784 → Dense 32 relu → Dense 784 sigmoid) in Keras 3, say what
#   each callout does, and write it yourself (Exercise 3);
# - tell which of the slide's Keras 2 optimizer arguments now fail or are ignored;
# - keep training, validation and test images apart, and stop early on validation;
# - check that a model learned at all, and compare the slide's boosting techniques on one budget.
#
# **What you should see** (verdicts printed from your run's numbers)
# - §3: the model **learned**: its validation loss ends well below the "average digit"'s.
# - §4: **early stopping** ends with a lower validation loss than §3's fixed number of epochs.
# - §6, on one small epoch budget: a **wider code** rebuilds better at each step from 16 to 128
#   units, and **Adam** beats the slide's RMSprop.
# - *Results*: on the test images, both comparisons (§4's and Adam's) hold again.

# %% [markdown]
# ## Setup
# Leave `MODE = None` for the practice-slot run on Colab (`"lecture"`, about 10 minutes), or
# write `"full"`. The setup cell mounts your Drive in Colab, finds the kit and installs what
# the runtime lacks.

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
# The run mode picks these values (`lecture`: at most 20,000 training images; the setup of
# section 2 prints how many each set holds in this run).
# What the notebook chooses (when to stop, a retried learning rate) it chooses on validation.

# %%
from helpers.runtime import by_mode, smoke_or

EPOCHS = smoke_or(MODE, 50, 2)  # epochs of section 3's fit (the slide's fit says 1000: see section 4)
MAX_EPOCHS = by_mode(MODE, 1000, 200, 3)  # upper bound for the early-stopping run of section 4
SWEEP_EPOCHS = smoke_or(MODE, 15, 1)  # epoch budget of every variant in the boosting experiment
N_TRAIN = by_mode(MODE, None, 20_000, 2000)  # None = every training image the data folder holds
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
# - the **encoder** turns an input $x$ into a code $h = g(Vx + \mu)$;
# - the **decoder** turns the code back into a reconstruction $\hat x = f(Wh + b)$.
#
# (V, μ, W, b are the names the AutoRec paper gives them, used again in notebook 03.)
#
# The training target is the input itself ($y = x$): shown a digit, the network must draw it.
#
# | layer | shape of its output | parameters |
# | --- | --- | --- |
# | input: one image, 28 × 28 pixels, flattened | 784 | 0 |
# | encoder: Dense, ReLU | **32** (the code) | 784 × 32 + 32 = 25,120 |
# | decoder: Dense, sigmoid | 784 (the reconstruction) | 32 × 784 + 784 = 25,872 |
# | total | | **50,992** |

# %% [markdown]
# ## 2. The data
# MNIST: 28 × 28 grey-scale digits, scaled to [0, 1] and flattened to 784 numbers. (Downloaded,
# it has 60,000 training and 10,000 test images; an offline copy in `COURSE_DATA_DIR` may hold
# fewer: the cell below prints what this run uses.) **Three sets, three jobs:** we train on
# the training images; every choice is made on a **validation slice** (their last 10%, never
# trained on); the **test images** are scored once, under *Results*.

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
# Its eight callouts, in the Keras 3 version below:
#
# | callout | here | meaning |
# | --- | --- | --- |
# | ① input dimension | `keras.Input(shape=(input_dim,))` | one flattened image |
# | ② hidden neurons | `Dense(code_dim, ...)` | the size of the code |
# | ③ encoder activation | `encoder_activation="relu"` | codes are non-negative |
# | ④ output dimension | `Dense(input_dim, ...)` | the input's shape |
# | ⑤ decoder activation | `activation="sigmoid"` | outputs in (0, 1), like pixels |
# | ⑥ optimizer | `RMSprop(...)` | steps scaled by recent gradient size |
# | ⑦ learning rate | `learning_rate=0.001` | the step size |
# | ⑧ loss | `loss="binary_crossentropy"` | pixels as probabilities of "ink" |
#
# The next cell, marked `#| export`, becomes `helpers/lecture_model.py` for later lessons.

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
# | callout | argument | slide | here |
# | --- | --- | --- | --- |
# | ①, ② | `x`, `y` | `x_train` | `x_fit`: inputs and targets are **the same images** |
# | ③ | `batch_size` | 128 | 128 images per gradient step |
# | ④ | `epochs` | 1000 | `EPOCHS` passes (section 4) |
# | ⑤ | `shuffle` | `True` | `True`: a new order each epoch |
# | ⑥ | `validation_data` | `(x_test, x_test)` | `(x_valid, x_valid)` |
#
# Callout ⑥ reads "<!-- slide -->Validation set for hyperparamter or early
# stopping, etc.<!-- /slide -->" (sic). A set used for choices stops being an honest estimate,
# so we pass the validation slice, not the test images.
#
# **Did it learn?** Outputting the *average digit* (the mean training image) for every image
# needs no learning. A model **learned** if its validation BCE beats that guess's by more
# than `MARGIN`.

# %%
history = autoencoder.fit(
    x_fit, x_fit, batch_size=128, epochs=EPOCHS, shuffle=True, validation_data=(x_valid, x_valid), verbose=0
)
val = history.history["val_loss"]
assert val[-1] < val[0], "the validation loss should go down"
MARGIN = 0.005  # a model must beat the average digit by more than this to count as learned
average_digit = x_fit.mean(axis=0)  # the same guess for every image
yardstick = float(losses.bce_per_image(x_valid, np.broadcast_to(average_digit, x_valid.shape)).mean())


def learned(valid_bce: float) -> bool:
    """The yardstick: a validation BCE more than MARGIN below the average digit's."""
    return valid_bce < yardstick - MARGIN


def compare(name: str, bce: float, other: str, other_bce: float, both_learned: bool) -> str:
    """A verdict on two BCEs, given only where both models learned."""
    if not both_learned:
        return f"{name} vs {other}: not compared, a model did not learn"
    lower = "LOWER" if bce < other_bce - 0.001 else "NOT lower by more than 0.001"
    return f"{name} {bce:.4f} vs {other} {other_bce:.4f}. Verdict: {name} is {lower}"


print(f"{EPOCHS} epochs on {len(x_fit)} images; validation BCE: first epoch {val[0]:.4f}, last {val[-1]:.4f}")
print(f"average digit: validation BCE {yardstick:.4f}. Verdict: the model "
      + (f"LEARNED (by {yardstick - val[-1]:.4f})" if learned(val[-1]) else "did NOT learn"))
plots.loss_curves(history.history, title="the lecture's autoencoder (binary cross-entropy)")
plt.show()

# %% [markdown]
# ## 4. Then and now
# The slide was written for Keras 2. Keras 3 changed the optimizer's arguments:
#
# | slide (Keras 2) | today (Keras 3) | what happens to the old call |
# | --- | --- | --- |
# | `RMSprop(lr=0.001)` | `RMSprop(learning_rate=0.001)` | `ValueError: Argument(s) not recognized` |
# | `decay=0.0` | a `LearningRateSchedule` | accepted with a warning, then **ignored** |
# | `epsilon=None` | leave it out (default `1e-07`) | builds, then `fit` fails: `None values not supported` |
#
# The second cell below runs the slide's lines 19-22 and prints the error Keras 3 raises. The
# third runs the other two rows.

# %%
from keras import optimizers  # noqa: F401 (the slide's code below uses this name)

# the slide's lines 19-22, as printed, run below
SLIDE_RMSPROP = """o_RMSprop = optimizers.RMSprop(lr=0.001,
                               rho=0.9,
                               epsilon=None,
                               decay=0.0)"""

# %%
import warnings

with warnings.catch_warnings(record=True) as caught:  # Keras warns about decay before it refuses lr
    warnings.simplefilter("always")
    try:
        exec(SLIDE_RMSPROP)
        raise AssertionError("the slide's call should fail in Keras 3, and did not")
    except ValueError as err:
        print("the slide's call ->", type(err).__name__ + ":", err)

# %%
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
# The slide asks for `epochs=1000`. Where the validation curve flattens, extra epochs buy
# little and can overfit. **Early stopping** sets a generous bound (`MAX_EPOCHS`), stops once
# the validation loss has not improved by 0.0001 for 5 epochs, and keeps the best weights.

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
print(f"early stopping ran {es_epochs} of at most {MAX_EPOCHS} epochs ({stopped})")
print("validation BCE, " + compare("early stopping", es_best_valid, f"{EPOCHS} epochs", val[-1],
                                   learned(es_best_valid) and learned(val[-1])))
assert es_epochs <= MAX_EPOCHS and np.isfinite(es_best_valid)

# %% [markdown]
# ## 5. Look at the results
# This section looks at section 3's model on the **validation slice**.
#
# ### Originals and reconstructions

# %%
reconstructed = autoencoder.predict(x_valid, verbose=0)
plots.image_grid([x_valid, reconstructed], labels=["original", "rebuilt"], n=10)
plt.show()

# %% [markdown]
# ### The 32-number codes
# The encoder alone maps an image to its code. The mean code per digit shows which units it
# uses; a 2-D projection (PCA) shows whether like digits land together: no label was used.

# %%
encoder = encoder_of(autoencoder)
codes = encoder.predict(x_valid, verbose=0)
print("codes:", codes.shape, f"- share of code values that are exactly zero (ReLU): {np.mean(codes == 0):.0%}")
digits = [d for d in range(10) if np.any(y_valid == d)]
mean_codes = np.stack([codes[y_valid == d].mean(axis=0) for d in digits])

centered = codes - codes.mean(axis=0)
_, _, components = np.linalg.svd(centered, full_matrices=False)
projected = centered @ components[:2].T

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.5))
im = ax1.imshow(mean_codes, aspect="auto", cmap="magma")
ax1.set(xlabel="code unit", ylabel="digit", title="mean code per digit", yticks=range(len(digits)), yticklabels=digits)
fig.colorbar(im, ax=ax1, label="mean activation")
scatter = ax2.scatter(projected[:, 0], projected[:, 1], c=y_valid, cmap="tab10", s=4)
ax2.legend(*scatter.legend_elements(), title="digit", loc="center left", bbox_to_anchor=(1.0, 0.5), markerscale=1.5)
ax2.set(xlabel="first principal component", ylabel="second principal component",
        title="codes projected on their first two principal components")
plt.show()

# %% [markdown]
# ### Which digits are hard to rebuild?

# %%
eps = 1e-7
pixel_bce = -(x_valid * np.log(reconstructed + eps) + (1 - x_valid) * np.log(1 - reconstructed + eps))
per_image = pixel_bce.mean(axis=1)
per_digit = pd.Series({d: per_image[y_valid == d].mean() for d in digits}, name="validation BCE").rename_axis("digit")
per_digit.plot.bar(title="reconstruction error per digit (validation slice)", ylabel="mean BCE per image", rot=0)
plt.show()
print(per_digit.round(4).to_string())

# %% [markdown]
# Which digits cost most per image, and is it the same per ink pixel? Exercise 2 asks.
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
# We change four of them **one at a time**, with the same data, seed and epoch budget
# (`SWEEP_EPOCHS`): hidden size 16 / 32 / 64 / 128; loss BCE or MSE; optimizer RMSprop /
# Adagrad / Adam; encoder activation ReLU / sigmoid / tanh (notebooks 04-06 take the other
# three). A variant that does not learn (section 3's yardstick) is **retried** at 3 and 10
# times its learning rate, keeping the best on validation; one that still fails is flagged.

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
    retried = not learned(run["val BCE"])
    if retried:
        tries = [run, *(train_variant(**settings, lr_factor=f) for f in RETRY_FACTORS)]
        run = min(tries, key=lambda r: r["val BCE"])
        print(f"{label}: did not learn at learning rate {tries[0]['learning rate']:g}; retried at "
              + ", ".join(f"{t['learning rate']:g} (val BCE {t['val BCE']:.4f})" for t in tries[1:])
              + f"; kept {run['learning rate']:g}, chosen on validation")
    ok = learned(run["val BCE"])
    sweep_models[label] = run.pop("model")
    rows.append({"variant": label, **run, "retried": retried, "learned": ok})
    print(f"{label:>20}: val BCE {run['val BCE']:.4f}  val MSE {run['val MSE']:.5f}  learning rate "
          f"{run['learning rate']:g}  {run['s/epoch']:.2f} s/epoch  "
          + ("learned" if ok else f"FAILED: not more than {MARGIN} below the average digit"))
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
ax = sweep.plot.barh(x="variant", y="val BCE", legend=False, figsize=(8, 4.5), color=colors)
lines = [ax.axvline(yardstick, color="black", linestyle=":", label="average digit (yardstick)")]
if base["learned"]:  # a reference only if it learned
    lines.append(ax.axvline(base["val BCE"], color="red", linestyle="--", label="lecture's model"))
ax.set_xlim(0, max(sweep["val BCE"].max(), yardstick) * 1.05)  # the axis starts at zero
ax.set_xlabel(f"validation BCE after {SWEEP_EPOCHS} epochs (lower is better; grey: did not learn)")
ax.invert_yaxis()
ax.legend(handles=lines, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)  # above the bars
plt.show()

learned_rows = sweep[sweep["learned"]]
winner = learned_rows.loc[learned_rows["val BCE"].idxmin(), "variant"] if len(learned_rows) else None
print(f"chosen on validation among the variants that learned: {winner or 'none'}")
print(f"did not learn (not compared): {', '.join(sweep.loc[~sweep['learned'], 'variant']) or 'none'}")
by_size = sweep.set_index("variant").loc[["hidden 16", "lecture's model", "hidden 64", "hidden 128"]]
falls = np.all(np.diff(by_size["val BCE"]) < -0.001)
wider = ("not compared, a size did not learn" if not by_size["learned"].all()
         else f"a wider code rebuilds {'BETTER' if falls else 'NOT better'} at every step")
sizes = " / ".join(f"{b:.4f}" for b in by_size["val BCE"])
print(f"code size 16 / 32 / 64 / 128: val BCE {sizes}. Verdict: {wider}")
print(f"optimizer adam: {sweep.set_index('variant').loc['optimizer adam', 'reading']}")

# %% [markdown]
# **Why might they come out so?** A wider code can keep more detail; Adam adds momentum to
# RMSprop's steps, while Adagrad's steps only shrink, which can stall it within this budget
# (its row then reads FAILED). Whatever the verdicts above say, they
# belong to this data and this epoch budget (Exercise 4). The `loss MSE` row is scored by BCE,
# the other rows' training loss, which favours them.

# %% [markdown]
# ## Results
# Every model, scored **once** on the test images; nothing is chosen from them. `learned` is
# section 3's verdict on validation.

# %%
from IPython.display import display

split_sizes = f"{len(x_fit)}/{len(x_valid)}/{len(x_test)}"
test_yardstick = float(losses.bce_per_image(x_test, np.broadcast_to(average_digit, x_test.shape)).mean())
scored = {f"lecture's autoencoder, {EPOCHS} epochs (section 3)": (autoencoder, EPOCHS, 0.001, val[-1]),
          "same, early stopping on the validation slice (section 4)": (es_model, es_epochs, 0.001, es_best_valid)}
for _, r in sweep.iterrows():
    label = f"sweep: {r['variant']}" + (" (chosen on validation)" if r["variant"] == winner else "")
    scored[label] = (sweep_models[r["variant"]], SWEEP_EPOCHS, r["learning rate"], r["val BCE"])
rows = []
for label, (model, epochs, rate, valid_bce) in scored.items():
    test_bce = float(losses.bce_per_image(x_test, np.asarray(model(x_test))).mean())  # a direct call
    assert np.isfinite(test_bce)
    rows.append({"model": label, "epochs": epochs, "learning rate": rate, "val BCE": valid_bce,
                 "test BCE": test_bce, "learned": "yes" if learned(valid_bce) else "FAILED",
                 "images (train/val/test)": split_sizes})
results = pd.DataFrame(rows)
save_results("01_mnist_autoencoder", MODE, results)


def row_of(start: str) -> pd.Series:
    """The results row whose model name starts with `start`."""
    return results[results["model"].str.startswith(start)].iloc[0]


fixed, stopped = row_of("lecture's autoencoder"), row_of("same, early stopping")
adam, rmsprop = row_of("sweep: optimizer adam"), row_of("sweep: lecture's model")
print(f"average digit: test BCE {test_yardstick:.4f}")
print("test BCE, " + compare("early stopping", stopped["test BCE"], f"{EPOCHS} epochs", fixed["test BCE"],
                             stopped["learned"] == fixed["learned"] == "yes"))
print("test BCE, " + compare("the sweep's Adam", adam["test BCE"], "its RMSprop", rmsprop["test BCE"],
                             adam["learned"] == rmsprop["learned"] == "yes"))
print("sections 3-4, the lecture's model:")
display(results.iloc[:2].round(4))
print(f"section 6, the boosting sweep, {SWEEP_EPOCHS} epochs each:")
display(results.iloc[2:].round(4))

# %% [markdown]
# ## Exercises
# A `grader.check(...)` cell checks only an answer's form; the instructor's grading checks
# whether it is right.

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
    import numbers

    import numpy as np

    assert answer_1 is not ..., "not answered yet: replace ... with your answer"
    value = np.asarray(answer_1).item() if np.ndim(answer_1) == 0 else None
    assert isinstance(value, numbers.Integral) and not isinstance(value, bool), "the answer is a whole number"
    assert value > 0, "a count of parameters is positive"

test_q01_1_form(answer_1)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q01_1_value(answer_1):
    assert answer_1 == 784 * 64 + 64 + 64 * 784 + 784, "not the right count"

test_q01_1_value(answer_1)  # IGNORE

# %% [markdown] question={"name": "q01_2", "points": 2}
# **Exercise 2.** Which digit does section 3's model rebuild worst **per ink pixel**? For each
# digit, add up `pixel_bce` over that digit's validation images and divide by the number of
# their ink pixels (pixels of `x_valid` above 0.5); answer the digit with the highest ratio, as
# a whole number, computed from `pixel_bce`, `x_valid` and `y_valid`. (Then compare it, for
# yourself, with section 5's worst digit per image.)

# %% tags=["solution"]
ink = x_valid > 0.5  # SOLUTION
ratios = {d: pixel_bce[y_valid == d].sum() / ink[y_valid == d].sum() for d in np.unique(y_valid)}  # SOLUTION
answer_2 = int(max(ratios, key=ratios.get))  # SOLUTION

# %% tags=["test"]
def test_q01_2_form(answer_2):
    import numbers

    import numpy as np

    assert answer_2 is not ..., "not answered yet: replace ... with your answer"
    value = np.asarray(answer_2).item() if np.ndim(answer_2) == 0 else None
    assert isinstance(value, numbers.Integral) and not isinstance(value, bool), "the answer is a digit, 0-9"
    assert 0 <= value <= 9, "the answer is a digit, 0-9"

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
# **Exercise 3 (write code).** Write `lecture_autoencoder(input_dim, code_dim)`: the slide's
# model for `input_dim` inputs and a code of `code_dim`, with the slide's activations,
# compiled with the slide's loss and the slide's optimizer settings that Keras 3 accepts
# (section 4: `learning_rate=0.001`, `rho=0.9`). Write the Keras code
# yourself (calling `mnist_autoencoder` or `make_optimizer` earns no points). The grading builds
# it with random sizes, checks its layers and loss, and trains it a few steps.

# %% tags=["solution"]
def lecture_autoencoder(input_dim: int, code_dim: int) -> keras.Model:
    """The slide's autoencoder for inputs of `input_dim` numbers, compiled as on the slide."""
    # BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input(shape=(input_dim,)),
        keras.layers.Dense(code_dim, activation="relu"),
        keras.layers.Dense(input_dim, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9))
    return model
    # END SOLUTION


# %% tags=["test"]
def test_q01_3_form(lecture_autoencoder):
    import keras

    model = lecture_autoencoder(6, 2)
    assert model is not None, "not answered yet: write the function's body"
    assert isinstance(model, keras.Model), "the function returns a Keras model"
    assert tuple(model.output_shape) == (None, 6), "for input_dim=6 the model outputs 6 numbers per example"

test_q01_3_form(lecture_autoencoder)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q01_3_model(lecture_autoencoder):

    import keras
    import numpy as np

    from helpers import grading

    used = grading.kit_names_used(lecture_autoencoder)  # the lesson's mnist_autoencoder and make_optimizer too
    assert not used, f"write the Keras code yourself: it calls the kit's {', '.join(used)}"
    rng = np.random.default_rng()
    n, k = int(rng.integers(20, 120)), int(rng.integers(2, 12))
    model = lecture_autoencoder(n, k)
    assert tuple(model.output_shape) == (None, n), f"for input_dim={n} the model should output {n} numbers"
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [d.units for d in dense] == [k, n], f"two Dense layers, of {k} then {n} units, for ({n}, {k})"
    assert [d.activation.__name__ for d in dense] == ["relu", "sigmoid"], "the slide's encoder and decoder activations"
    assert model.count_params() == n * k + k + k * n + n, "weights and biases of the two Dense layers only"
    assert isinstance(model.optimizer, keras.optimizers.RMSprop), "compile it with the slide's optimizer"
    assert abs(float(model.optimizer.learning_rate) - 0.001) < 1e-9, "the slide's learning rate"
    assert abs(float(model.optimizer.rho) - 0.9) < 1e-9, "the slide's rho"
    x = (rng.random((128, n)) < rng.random(n) ** 3).astype("float32")  # sparse "ink", a rate per pixel
    p = np.clip(np.asarray(model(x)), 1e-7, 1 - 1e-7)
    bce = float(np.mean(-(x * np.log(p) + (1 - x) * np.log(1 - p))))
    before = model.evaluate(x, x, verbose=0, return_dict=True)["loss"]
    assert abs(before - bce) < 2e-3 * bce, f"the loss is {before:.4f}; binary cross-entropy is {bce:.4f}"
    model.fit(x, x, batch_size=16, epochs=10, verbose=0)
    after = model.evaluate(x, x, verbose=0, return_dict=True)["loss"]
    assert after < before - 0.01, f"training did not lower the loss ({before:.4f} -> {after:.4f})"

test_q01_3_model(lecture_autoencoder)  # IGNORE

# %% [markdown] question={"manual": true, "name": "q01_4", "points": 2}
# **Exercise 4 (open).** Re-run section 6 with `SWEEP_EPOCHS` doubled, in the code cell. Which
# rankings change, and does any variant that did not learn before learn now? What does that tell
# you about comparing optimizers or activations on a fixed, small epoch budget? Write what you
# measured in the text cell.

# %% tags=["solution"]
# BEGIN SOLUTION
# Each sweep model trains SWEEP_EPOCHS more epochs from where section 6 left it (its weights and its
# optimizer's state): close to SWEEP_EPOCHS * 2 from the start (not the same shuffles), at half the cost.
longer = []
for label, model in sweep_models.items():
    fit = model.fit(x_fit, x_fit, batch_size=128, epochs=2 * SWEEP_EPOCHS, initial_epoch=SWEEP_EPOCHS,
                    shuffle=True, validation_data=(x_valid, x_valid), verbose=0)
    longer.append({"variant": label, "val BCE": fit.history["val_bce"][-1],
                   "learned": learned(fit.history["val_bce"][-1])})
table = {}
for n, frame in ((SWEEP_EPOCHS, sweep), (2 * SWEEP_EPOCHS, pd.DataFrame(longer))):
    t = frame.set_index("variant")
    table |= {f"val BCE, {n} ep": t["val BCE"], f"rank, {n} ep": t["val BCE"].rank().astype(int),
              f"learned, {n} ep": t["learned"]}
print(pd.DataFrame(table).round(4).to_string())
# END SOLUTION

# %% [markdown] tags=["solution"]
# Model answer for the instructor: the two runs' tables, and the rows whose order changed.
# Reasoning: a fixed budget compares how fast each variant learns, not how good it can get; a
# fast starter (Adam, with momentum) or a retried learning rate can lead early and be caught
# later, a variant near the average digit may start learning, a narrow code (16) may fall
# behind. A fair comparison gives every variant enough epochs (early stopping on validation) or
# tunes each learning rate on validation, and names the budget a ranking belongs to.

# %% [markdown]
# ## What's next
# Notebook **02** applies the encoder–decoder idea to a rating matrix, where the model fills in
# the missing entries; **03** trains it on MovieLens; **04–06** try the denoising, stacked and
# sparse autoencoders; **07** checks your Colab GPU runtime; **08** goes beyond AutoRec.
